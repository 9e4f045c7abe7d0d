// `esc chat [--planner SPEC] [--generator SPEC] [--vanilla SPEC] [--mode decoupled|vanilla|compare]
//  "<seeker text>" [--history FILE] [--engine onnxruntime|typescript] [--json]`: one supporter turn
// through the Playground's pipeline, for scripts. SPEC is `embedded` (the default: the models shipped
// with ESC Studio), `embedded:<model folder>`, or an OpenAI-compatible URL `http://host:8000/v1[#model]`
// (API key from $ESC_API_KEY, else "EMPTY" as in the paper).

import { readFile } from 'node:fs/promises';
import { createEngines, EmbeddedGenerator, EmbeddedJoint, EmbeddedPlanner, type Engine } from '../core/embedded/backend';
import { loadEmbeddedModels, type EmbeddedModels } from '../core/embedded/modelFolder';
import { OpenAIGenerator, OpenAIJoint, OpenAIPlanner } from '../core/openai/backends';
import { PAPER_API_KEY, withEndpointDefaults, type EndpointConfig, type EndpointRole } from '../core/openai/config';
import { withServedModel } from '../core/openai/servedModel';
import { parseEndpointSpec } from '../core/openai/endpointSpec';
import { laneJobs, PIPELINE_MODES, runLanes, type LaneResult, type PipelineMode } from '../core/playground/pipeline';
import { turnsOfFlattened, turnsOfHistory } from '../core/dialogue/requests';
import { InferenceError, type DialogueTurn, type Generator, type JointModel, type Planner } from '../core/dialogue/types';
import { ESCONV_SPEAKERS } from '../core/formats/esconv';
import { isObject, toChatMessages } from '../core/formats/messages';
import { normalizeStrategy, STRATEGIES } from '../core/strategies';
import { defaultModelDir } from './defaultModels';
import { InputError, printJson, UsageError, type Io } from './output';

type Spec = { kind: 'embedded'; dir: string } | { kind: 'openai'; baseUrl: string; model?: string };

function parseSpec(spec: string | undefined, flag: string): Spec {
  if (spec === undefined || spec === 'embedded') {
    return { kind: 'embedded', dir: defaultModelDir('esc chat', 'pass --planner embedded:<folder>') };
  }
  if (spec.startsWith('embedded:')) return { kind: 'embedded', dir: spec.slice('embedded:'.length) };
  try {
    return { kind: 'openai', ...parseEndpointSpec(spec) };
  } catch (e) {
    throw new UsageError(`esc chat: ${flag}: ${(e as Error).message} Or use "embedded" / "embedded:<folder>".`);
  }
}

/** Reads a history file: a JSON list of {speaker, text} turns, of chat messages or of ESConv turns; a record with `messages` or `dialog`; or "seeker: …" lines. */
async function readHistory(file: string): Promise<DialogueTurn[]> {
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (e) {
    throw new InputError(
      `esc chat: cannot read the history file ${JSON.stringify(file)} (${(e as NodeJS.ErrnoException).code ?? String(e)})`,
    );
  }
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    const turns = turnsOfFlattened(text);
    if (turns.length === 0) throw new InputError(`esc chat: ${file} is neither JSON nor "seeker: …" / "supporter: …" lines`);
    return turns;
  }
  const list = isObject(value) ? (value.messages ?? value.conversations ?? value.dialog) : value;
  if (!Array.isArray(list)) throw new InputError(`esc chat: ${file} must hold a list of turns or messages`);
  // an ESConv dialogue: {speaker: seeker|supporter (FailedESConv: speaker|listener), content, annotation}
  if (
    list.length > 0 &&
    list.every(
      (t) => isObject(t) && typeof t.content === 'string' && typeof t.speaker === 'string' && Object.hasOwn(ESCONV_SPEAKERS, t.speaker),
    )
  ) {
    return list.map((t) => {
      const r = t as { speaker: string; content: string; annotation?: { strategy?: unknown } };
      const label = r.annotation?.strategy;
      return {
        speaker: ESCONV_SPEAKERS[r.speaker]!,
        text: r.content,
        strategy: typeof label === 'string' ? normalizeStrategy(label)?.strategy : undefined,
      };
    });
  }
  if (list.every((t) => isObject(t) && (t.speaker === 'seeker' || t.speaker === 'supporter') && typeof t.text === 'string')) {
    return list.map((t) => {
      const r = t as { speaker: 'seeker' | 'supporter'; text: string; strategy?: unknown };
      const strategy = typeof r.strategy === 'string' ? normalizeStrategy(r.strategy)?.strategy : undefined;
      return { speaker: r.speaker, text: r.text, strategy };
    });
  }
  const messages = toChatMessages(list);
  if (messages.length === 0) {
    throw new InputError(`esc chat: ${file} holds no turns ({"speaker": "seeker"|"supporter", "text": …}) or chat messages`);
  }
  return turnsOfHistory(messages);
}

export async function chatCommand(
  args: string[],
  values: { planner?: string; generator?: string; vanilla?: string; mode?: string; history?: string; engine?: string },
  json: boolean,
  io: Io,
): Promise<number> {
  const seeker = args.join(' ').trim();
  if (!seeker) throw new UsageError('esc chat: the seeker\'s message is required, e.g. esc chat "I lost my job and feel lost" --json');
  const mode = (values.mode ?? 'decoupled') as PipelineMode;
  if (!(PIPELINE_MODES as readonly string[]).includes(mode)) throw new UsageError(`esc chat: --mode must be ${PIPELINE_MODES.join(', ')}`);
  const engine = (values.engine ?? 'onnxruntime') as Engine;
  if (engine !== 'onnxruntime' && engine !== 'typescript') throw new UsageError('esc chat: --engine must be onnxruntime or typescript');
  const history = values.history ? await readHistory(values.history) : [];
  history.push({ speaker: 'seeker', text: seeker });

  const loaded = new Map<string, Promise<{ models: EmbeddedModels; engines: Awaited<ReturnType<typeof createEngines>> }>>();
  const embedded = (dir: string): Promise<{ models: EmbeddedModels; engines: Awaited<ReturnType<typeof createEngines>> }> => {
    let p = loaded.get(dir);
    if (!p) {
      p = loadEmbeddedModels(dir).then(async (models) => ({ models, engines: await createEngines(models, engine) }));
      loaded.set(dir, p);
    }
    return p.catch((e: unknown) => {
      throw new InputError(`esc chat: ${(e as Error).message}`);
    });
  };
  const endpoint = (s: Extract<Spec, { kind: 'openai' }>, role: EndpointRole) =>
    withEndpointDefaults({ baseUrl: s.baseUrl, model: s.model, apiKey: process.env.ESC_API_KEY ?? PAPER_API_KEY, stream: false }, role);

  const served = (cfg: EndpointConfig, role: EndpointRole): Promise<EndpointConfig> =>
    withServedModel(cfg, role).catch((e: unknown) => {
      throw new InputError(`esc chat: ${(e as Error).message}`);
    });
  const plannerSpec = parseSpec(values.planner, '--planner');
  const generatorSpec = parseSpec(values.generator, '--generator');
  // the vanilla lane needs a model trained on vanilla SFT: an endpoint generator is never asked instead
  const vanillaSpec =
    values.vanilla !== undefined ? parseSpec(values.vanilla, '--vanilla') : generatorSpec.kind === 'embedded' ? generatorSpec : undefined;
  const makePlanner = async (): Promise<Planner> => {
    if (plannerSpec.kind === 'openai') return new OpenAIPlanner(await served(endpoint(plannerSpec, 'planner'), 'planner'));
    const e = await embedded(plannerSpec.dir);
    return new EmbeddedPlanner(e.models, e.engines);
  };
  const makeGenerator = async (): Promise<Generator> => {
    if (generatorSpec.kind === 'openai') return new OpenAIGenerator(await served(endpoint(generatorSpec, 'generator'), 'generator'));
    const e = await embedded(generatorSpec.dir);
    return new EmbeddedGenerator(e.models, e.engines);
  };
  const makeJoint = async (): Promise<JointModel> => {
    if (!vanillaSpec) {
      return {
        label: 'no vanilla endpoint',
        // eslint-disable-next-line require-yield
        async *respond() {
          throw new InferenceError(
            'no vanilla model: with an endpoint --generator, pass --vanilla http://host:port/v1[#model] (a model trained on vanilla SFT answers "[Strategy] text").',
            'other',
          );
        },
      };
    }
    if (vanillaSpec.kind === 'openai') return new OpenAIJoint(await served(endpoint(vanillaSpec, 'joint'), 'joint'));
    const e = await embedded(vanillaSpec.dir);
    return new EmbeddedJoint(e.models, e.engines);
  };
  // only the models of the lanes this mode runs are loaded (and their servers asked which model they serve)
  const jobs = laneJobs(mode);
  const runs = (lane: LaneResult['lane']): boolean => jobs.some((j) => j.lane === lane);
  const [planner, generator] = runs('decoupled') ? await Promise.all([makePlanner(), makeGenerator()]) : [];
  const joint = runs('vanilla') ? await makeJoint() : undefined;
  const results = await runLanes(jobs, history, { planner, generator, joint }, { sequential: true });

  const shape = (r: LaneResult): Record<string, unknown> => ({
    strategy: r.strategy ?? null,
    // all 8 when the planner could tell (embedded; endpoints returning logprobs), else null
    probabilities: r.probabilities ? Object.fromEntries(STRATEGIES.map((s) => [s, r.probabilities![s] ?? 0])) : null,
    reply: r.reply,
    latency_ms: { planner: r.latencyMs.planner ?? null, generator: r.latencyMs.generator ?? null },
    ...(r.error ? { error: `${r.error.stage}: ${r.error.message}` } : {}),
  });
  const failed = results.some((r) => r.status !== 'done');
  if (json) printJson(io, mode === 'compare' ? { decoupled: shape(results[0]!), vanilla: shape(results[1]!) } : shape(results[0]!));
  else {
    for (const r of results) {
      if (results.length > 1) io.out(`— ${r.lane}`);
      if (r.error) {
        io.err(`esc chat: ${r.error.stage}: ${r.error.message}`);
        continue;
      }
      const p = r.probabilities?.[r.strategy!];
      io.out(`[${r.strategy ?? 'no strategy'}]${p !== undefined ? ` (p=${p.toFixed(3)})` : ''} ${r.reply}`);
      io.out(
        `  planner ${r.latencyMs.planner?.toFixed(2) ?? '–'} ms · generator ${r.latencyMs.generator?.toFixed(2) ?? '–'} ms · ${r.lane === 'decoupled' ? (r.plannerLabel ?? '') + ' → ' : ''}${r.generatorLabel}`,
      );
    }
  }
  return failed ? 1 : 0;
}
