// Where each role of an inference run gets its model: a spec (the embedded models of a folder, or
// OpenAI-compatible replicas) and the RoleModel built from it. One place for `esc infer` and the
// extension's Run Inference, so both read the same folder, fill the same endpoint defaults and ask
// the server its model name the same way; each words its own errors around RoleSpecError / RoleModelError.

import { createHash } from 'node:crypto';
import { readFile, realpath } from 'node:fs/promises';
import * as path from 'node:path';
import { createEngines, EmbeddedGenerator, EmbeddedJoint, EmbeddedPlanner, type EmbeddedEngines, type Engine } from '../embedded/backend';
import { loadEmbeddedModels, type EmbeddedModels } from '../embedded/modelFolder';
import { readAllRecords, UnreadableRecordsError } from '../json/readRecords';
import { withEndpointDefaults, type EndpointConfig, type EndpointRole } from '../openai/config';
import { parseEndpointSpec } from '../openai/endpointSpec';
import { withServedModel } from '../openai/servedModel';
import type { InferMode } from './inferRun';
import { decoupledSftRefusal, requireGoldStrategies, type GoldStrategyNeed } from './goldStrategyCheck';
import { goldStrategyNeed, type MineRole } from './mineRun';
import { DecoupledSftError, NotVanillaError, vanillaTurns, type InferTurn } from './paperRequests';
import {
  DEFAULT_RETRY,
  embeddedGenerator,
  embeddedJoint,
  embeddedPlanner,
  EndpointReplicas,
  type RetryPolicy,
  type RoleModel,
} from './roleModels';

/**
 * One role's model. Replicas are partial endpoint configs: the paper's preset of the role fills what
 * they leave out (`withEndpointDefaults`), and an empty model name is asked from the server.
 */
export type RoleSpec = { kind: 'embedded'; dir: string } | { kind: 'openai'; replicas: Partial<EndpointConfig>[] };

/** The roles a mode asks: decoupled the planner and generator, generator-gold the generator, vanilla the joint model. */
export const rolesOf = (mode: InferMode): { planner: boolean; generator: boolean; vanilla: boolean } => ({
  planner: mode === 'decoupled',
  generator: mode !== 'vanilla',
  vanilla: mode === 'vanilla',
});

/**
 * What a checkpoint knows an embedded model set by: its folder and its manifest's hash, so a folder
 * retrained in place (a new manifest) does not resume the old models' answers.
 */
async function embeddedIdentity(dir: string): Promise<string> {
  const manifest = await readFile(path.join(dir, 'manifest.json')).catch(() => undefined);
  const hash = manifest ? ` ${createHash('sha256').update(manifest).digest('hex').slice(0, 16)}` : '';
  return `embedded ${path.resolve(dir)}${hash}`;
}

/** A spec string that names neither the embedded models nor endpoints. */
export class RoleSpecError extends Error {}

/**
 * The CLI's spec syntax: `embedded` (or nothing: `defaultDir()`), `embedded:<folder>`, or endpoint
 * URLs `http://host:8000/v1[#model]` joined by commas for replicas of one model.
 */
export function parseRoleSpec(spec: string | undefined, defaultDir: () => string): RoleSpec {
  if (spec === undefined || spec === 'embedded') return { kind: 'embedded', dir: defaultDir() };
  if (spec.startsWith('embedded:')) return { kind: 'embedded', dir: spec.slice('embedded:'.length) };
  try {
    const replicas = spec
      .split(',')
      .filter((s) => s.trim())
      .map(parseEndpointSpec);
    if (replicas.length === 0) throw new Error(`Invalid endpoint "${spec}": empty.`);
    return { kind: 'openai', replicas };
  } catch (e) {
    throw new RoleSpecError((e as Error).message);
  }
}

/** A role's model could not be made: the folder is not a model set, or the server did not say its model. */
export class RoleModelError extends Error {
  constructor(
    message: string,
    readonly role: EndpointRole,
    options: { cause: unknown },
  ) {
    super(message, options);
    this.name = 'RoleModelError';
  }
}

export interface RoleModelOptions {
  /** Retries of each endpoint call. */
  retry?: RetryPolicy;
  /** Replaces each replica's timeout when given (esc infer's --timeout). */
  timeoutMs?: number;
  signal?: AbortSignal;
  /** The embedded models' engine; onnxruntime-node unless 'typescript' (see inferWorker.ts for why a worker thread asks for it). */
  engine?: Engine;
}

/**
 * Builds role models, loading each embedded folder once (a decoupled run's planner and generator
 * share one set). `release()` frees the onnxruntime sessions of the folders it loaded.
 */
export class RoleModels {
  private readonly embedded = new Map<string, Promise<{ models: EmbeddedModels; engines: EmbeddedEngines }>>();

  constructor(private readonly opts: RoleModelOptions = {}) {}

  private load(dir: string, role: EndpointRole): Promise<{ models: EmbeddedModels; engines: EmbeddedEngines }> {
    const key = path.resolve(dir);
    let loading = this.embedded.get(key);
    if (!loading) {
      loading = loadEmbeddedModels(dir).then(async (models) => ({ models, engines: await createEngines(models, this.opts.engine) }));
      this.embedded.set(key, loading);
    }
    return loading.catch((e: unknown) => {
      throw new RoleModelError((e as Error).message, role, { cause: e });
    });
  }

  async build(spec: RoleSpec | undefined, role: EndpointRole): Promise<RoleModel | undefined> {
    if (!spec) return undefined;
    if (spec.kind === 'embedded') {
      const e = await this.load(spec.dir, role);
      const identity = await embeddedIdentity(spec.dir);
      if (role === 'planner') return embeddedPlanner(new EmbeddedPlanner(e.models, e.engines), identity);
      if (role === 'generator') return embeddedGenerator(new EmbeddedGenerator(e.models, e.engines), identity);
      return embeddedJoint(new EmbeddedJoint(e.models, e.engines), identity);
    }
    const cfgs = await Promise.all(
      spec.replicas.map((r) =>
        withServedModel(
          // the paper's client reads whole answers: never streamed
          withEndpointDefaults({ ...r, stream: false, ...(this.opts.timeoutMs ? { timeoutMs: this.opts.timeoutMs } : {}) }, role),
          role,
          this.opts.signal,
        ),
      ),
    ).catch((e: unknown) => {
      throw new RoleModelError((e as Error).message, role, { cause: e });
    });
    return new EndpointReplicas(cfgs, role, this.opts.retry ?? DEFAULT_RETRY);
  }

  /** The models a mode asks, built concurrently. */
  async forMode(
    mode: InferMode,
    specs: { planner?: RoleSpec; generator?: RoleSpec; vanilla?: RoleSpec },
  ): Promise<{ planner?: RoleModel; generator?: RoleModel; vanilla?: RoleModel }> {
    const needs = rolesOf(mode);
    const [planner, generator, vanilla] = await Promise.all([
      this.build(needs.planner ? specs.planner : undefined, 'planner'),
      this.build(needs.generator ? specs.generator : undefined, 'generator'),
      this.build(needs.vanilla ? specs.vanilla : undefined, 'joint'),
    ]);
    return { planner, generator, vanilla };
  }

  async release(): Promise<void> {
    const loaded = [...this.embedded.values()];
    this.embedded.clear();
    await Promise.all(loaded.map((l) => l.then((e) => e.engines.release()).catch(() => undefined)));
  }
}

/** The supporter turns of a vanilla SFT file, or a NotVanillaError saying in one line why it is not one. */
export async function readVanillaTurns(file: string, signal?: AbortSignal): Promise<InferTurn[]> {
  let records: unknown[];
  try {
    records = await readAllRecords(file, signal);
  } catch (err) {
    throw err instanceof UnreadableRecordsError ? new NotVanillaError(err.message) : err;
  }
  if (records.length === 0) throw new NotVanillaError('no records (a vanilla SFT file is a list of {"messages": [...]}, FORMATS.md §2)');
  return vanillaTurns(records);
}

/**
 * The turns of a vanilla SFT file, the first `limit` of them, refused up front with
 * MissingGoldStrategyError (goldStrategyCheck.ts) when the run needs gold strategies (`need`) the
 * whole file does not give; without a need, a planner or generator SFT file stays a NotVanillaError.
 */
async function readTurnsNeeding(
  file: string,
  need: GoldStrategyNeed | undefined,
  opts: { limit?: number; signal?: AbortSignal },
): Promise<InferTurn[]> {
  let turns: InferTurn[];
  try {
    turns = await readVanillaTurns(file, opts.signal);
  } catch (err) {
    throw need !== undefined && err instanceof DecoupledSftError ? decoupledSftRefusal(err, need) : err;
  }
  if (need !== undefined) requireGoldStrategies(turns, need);
  return opts.limit === undefined ? turns : turns.slice(0, opts.limit);
}

/**
 * The turns an inference run in `mode` asks, the first `limit` of the file's: `esc infer` and the Run
 * Inference worker both read through here, so a generator-gold run over a file without gold strategies
 * is refused the same way (MissingGoldStrategyError, goldStrategyCheck.ts), before any model is built.
 */
export function readInferTurns(file: string, mode: InferMode, opts: { limit?: number; signal?: AbortSignal } = {}): Promise<InferTurn[]> {
  return readTurnsNeeding(file, mode === 'generator-gold' ? 'generator-gold' : undefined, opts);
}

/**
 * The turns a mining run of `roles` asks, the first `limit` of the file's: `esc mine` and the mining
 * worker both read through here, so planner or generator pairs over a file without gold strategies are
 * refused the same way as generator-gold inference, before any model is built or asked.
 */
export function readMineTurns(
  file: string,
  roles: readonly MineRole[],
  opts: { limit?: number; signal?: AbortSignal } = {},
): Promise<InferTurn[]> {
  return readTurnsNeeding(file, goldStrategyNeed(roles), opts);
}

/**
 * The LLM judge (`esc eval --judge`, `esc mine --judge`, the mining worker): a plain chat model asked
 * with greedy decoding. The body carries model, messages and temperature 0 only: top_p is moot under
 * greedy decoding (an undefined field is left out of the JSON), and EndpointReplicas drops max_tokens
 * and stream. Its failures name it "judge"; a server that does not say its model is a RoleModelError.
 */
export async function judgeModel(
  replicas: readonly Partial<EndpointConfig>[],
  opts: { retry?: RetryPolicy; timeoutMs?: number; signal?: AbortSignal } = {},
): Promise<EndpointReplicas> {
  const cfgs = await Promise.all(
    replicas.map((r) => {
      const cfg = withEndpointDefaults({ ...r, stream: false, ...(opts.timeoutMs ? { timeoutMs: opts.timeoutMs } : {}) }, 'joint');
      const greedy: EndpointConfig = { ...cfg, temperature: 0, topP: undefined as unknown as number };
      return withServedModel(greedy, 'joint', opts.signal);
    }),
  ).catch((e: unknown) => {
    throw new RoleModelError((e as Error).message, 'joint', { cause: e });
  });
  return new EndpointReplicas(cfgs, 'joint', opts.retry ?? DEFAULT_RETRY, 'judge');
}

/** The real path of a file, or its absolute path when it does not exist yet. */
async function realOrResolved(file: string): Promise<string> {
  return realpath(file).catch(() => path.resolve(file));
}

/**
 * Refuses an output that is the input itself (the same path, or a link to it): a finished run writes
 * its output over that path, and an input file is never written to.
 */
export async function checkOutputIsNotInput(input: string, out: string): Promise<void> {
  if ((await realOrResolved(input)) === (await realOrResolved(out))) {
    throw new NotVanillaError(`the output ${out} is the input file itself; choose another output (the input is never written to)`);
  }
}
