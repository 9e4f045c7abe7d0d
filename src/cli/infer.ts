// `esc infer <sft-vanilla file> --out <file> --mode decoupled|vanilla|generator-gold [--planner SPEC]
//  [--generator SPEC] [--vanilla SPEC] [--concurrency N] [--limit N] [--retries N] [--timeout S] [--json]`:
// the paper's inference over a split (core/runs), written as an inference file `esc eval` reads.
// SPEC is `embedded` (the default: the models shipped with ESC Studio, so the loop runs offline),
// `embedded:<model folder>`, or OpenAI-compatible URLs `http://host:8000/v1[#model]`, several joined
// by commas for replicas of one model (API key from $ESC_API_KEY, else "EMPTY" as in the paper).

import { InferenceError } from '../core/dialogue/types';
import { checkpointPath, CheckpointError, INFER_MODES, runInference, type InferMode, type InferProgress } from '../core/runs/inferRun';
import { NotVanillaError, type InferTurn } from '../core/runs/paperRequests';
import { EndpointReplicas, type RoleModel } from '../core/runs/roleModels';
import { MissingGoldStrategyError } from '../core/runs/goldStrategyCheck';
import { checkOutputIsNotInput, readInferTurns, RoleModelError, RoleModels, rolesOf } from '../core/runs/roleSpecs';
import { requireFile } from './inputFile';
import { InputError, printJson, UsageError, type Io } from './output';
import { duration, parseRunOptions, parseSpec, withRoleKey, type RunFlags } from './runArgs';

export async function inferCommand(
  args: string[],
  values: {
    out?: string;
    mode?: string;
    planner?: string;
    generator?: string;
    vanilla?: string;
  } & RunFlags,
  json: boolean,
  io: Io,
): Promise<number> {
  if (args.length > 1) throw new UsageError('esc infer: one input file at a time (see esc --help)');
  const file = await requireFile(args[0], 'infer');
  if (!values.out) throw new UsageError('esc infer: --out <file> is required (the inference file to write)');
  const mode = (values.mode ?? 'decoupled') as InferMode;
  if (!(INFER_MODES as readonly string[]).includes(mode)) throw new UsageError(`esc infer: --mode must be ${INFER_MODES.join(', ')}`);
  const { concurrency, limit, retry, timeoutS } = parseRunOptions('esc infer', values);
  const needs = rolesOf(mode);
  // specs are checked before the input is read, so a typo costs nothing
  const specs = {
    planner: needs.planner ? parseSpec('esc infer', values.planner, '--planner') : undefined,
    generator: needs.generator ? parseSpec('esc infer', values.generator, '--generator') : undefined,
    vanilla: needs.vanilla ? parseSpec('esc infer', values.vanilla, '--vanilla') : undefined,
  };

  let turns: InferTurn[];
  try {
    await checkOutputIsNotInput(file, values.out);
    turns = await readInferTurns(file, mode, { limit });
  } catch (err) {
    // the wrong file for the mode is a usage problem (exit 2), before any model is loaded or asked
    if (err instanceof MissingGoldStrategyError) throw new InputError(`esc infer: ${file}: ${err.message}`);
    if (!(err instanceof NotVanillaError)) throw err;
    io.err(`esc infer: ${file}: ${err.message}`);
    return 1;
  }

  // the key and the timeout are the same for every replica (the paper's client: one key, "EMPTY")
  const roleModels = new RoleModels({ retry, timeoutMs: timeoutS * 1000 });
  const { planner, generator, vanilla } = await roleModels
    .forMode(mode, { planner: withRoleKey(specs.planner), generator: withRoleKey(specs.generator), vanilla: withRoleKey(specs.vanilla) })
    .catch((e: unknown) => {
      throw e instanceof RoleModelError ? new InputError(`esc infer: ${e.message}`) : e;
    });

  let last = 0;
  const report = (p: InferProgress): void => {
    const now = Date.now();
    if (p.done < p.total && now - last < 1000) return;
    last = now;
    const rate = p.calls / Math.max(p.elapsedMs / 1000, 1e-3);
    const fresh = p.done - p.resumed;
    const eta = fresh > 0 ? duration(((p.total - p.done) * p.elapsedMs) / fresh) : '–';
    io.err(`esc infer: ${p.done}/${p.total} turns · ${rate.toFixed(1)} calls/s · ETA ${eta}${p.resumed ? ` (${p.resumed} resumed)` : ''}`);
  };

  const controller = new AbortController();
  const interrupt = (): void => controller.abort(new Error('interrupted'));
  process.once('SIGINT', interrupt);
  try {
    const summary = await runInference(turns, {
      mode,
      planner,
      generator,
      vanilla,
      out: values.out,
      concurrency,
      onProgress: report,
      signal: controller.signal,
    });
    const sent = (m: RoleModel | undefined): number[] | undefined => (m instanceof EndpointReplicas ? [...m.sent] : undefined);
    if (json) {
      printJson(io, {
        out: summary.out,
        mode,
        records: summary.records,
        resumed: summary.resumed,
        calls: summary.calls,
        seconds: summary.elapsedMs / 1000,
        replica_calls: { planner: sent(planner), generator: sent(generator), vanilla: sent(vanilla) },
      });
    } else io.out(`esc infer: wrote ${summary.records} records to ${summary.out} (${summary.resumed} resumed, ${summary.calls} calls)`);
    return 0;
  } catch (err) {
    if (err instanceof CheckpointError) throw new InputError(`esc infer: ${err.message}`);
    if (controller.signal.aborted) {
      io.err(`esc infer: interrupted; finished turns are kept in ${checkpointPath(values.out)}, rerun the same command to resume`);
      return 130;
    }
    // a model or endpoint that failed for good; anything else is a bug and keeps its stack trace
    if (!(err instanceof InferenceError)) throw err;
    io.err(`esc infer: ${err.message.split('\n')[0]} (finished turns are kept in ${checkpointPath(values.out)}; rerun to resume)`);
    return 1;
  } finally {
    process.removeListener('SIGINT', interrupt);
  }
}
