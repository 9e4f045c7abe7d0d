// `esc mine <sft-vanilla file> --out <dir> [--planner SPEC] [--generator SPEC] [--vanilla SPEC]
//  [--judge SPEC] [--judge-template FILE] [--concurrency N] [--limit N] [--retries N] [--timeout S] [--json]`:
// Inferential Preference Mining (core/runs/mineRun.ts): the SFT models' answers over a split made
// preference pairs against the gold turns (FORMATS.md §7), optionally filtered by an LLM judge.
// Only the roles given are mined. SPEC as for esc infer: `embedded`, `embedded:<folder>`, or
// OpenAI-compatible URLs joined by commas for replicas; the judge is an endpoint, asked at temperature 0.

import { existsSync, statSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import * as path from 'node:path';
import { InferenceError } from '../core/dialogue/types';
import {
  CheckpointError,
  JUDGE_FORMAT_ATTEMPTS,
  mineCheckpointPath,
  MINE_ROLES,
  OutDirError,
  runMining,
  type MineProgress,
  type MineRole,
} from '../core/runs/mineRun';
import { MissingGoldStrategyError } from '../core/runs/goldStrategyCheck';
import { NotVanillaError, type InferTurn } from '../core/runs/paperRequests';
import { checkRetentionTemplate, RetentionTemplateError } from '../core/runs/retentionJudge';
import { EndpointReplicas, type RoleModel } from '../core/runs/roleModels';
import { readMineTurns, RoleModelError, RoleModels, type RoleSpec } from '../core/runs/roleSpecs';
import { judgeApiKey, judgeReplicas } from './evalJudge';
import { requireFile } from './inputFile';
import { InputError, printJson, UsageError, type Io } from './output';
import { duration, parseRunOptions, parseSpec, withRoleKey, type RunFlags } from './runArgs';

const ENDPOINT_ROLE = { planner: 'planner', generator: 'generator', vanilla: 'joint' } as const;

/** The shipped judge template: media/mine/ beside the bundled CLI (dist/), or in the repository when run from out/. */
function shippedTemplate(): string {
  const candidates = [1, 2, 3].map((up) => path.resolve(__dirname, ...Array<string>(up).fill('..'), 'media', 'mine', 'retention.txt'));
  return candidates.find((c) => existsSync(c)) ?? candidates[0]!;
}

/** One stderr line: turns per role, the judge, calls/s, ETA, pairs so far. */
function progressLine(p: MineProgress): string {
  const parts = MINE_ROLES.filter((r) => p.roles[r]).map((r) => `${r} ${p.roles[r]!.done}/${p.roles[r]!.total}`);
  if (p.judge) parts.push(`judge ${p.judge.done}/${p.judge.total}`);
  let left = 0;
  let all = 0;
  for (const r of Object.values(p.roles)) {
    left += r.total - r.done;
    all += r.total;
  }
  if (p.judge) {
    left += p.judge.total - p.judge.done;
    all += p.judge.total;
  }
  const rate = p.calls / Math.max(p.elapsedMs / 1000, 1e-3);
  const eta = p.calls > 0 ? duration((left * p.elapsedMs) / p.calls) : '–';
  const pairs = [
    p.roles.planner ? `planner ${p.pairs.plannerDifferent} (+${p.pairs.plannerSame} same)` : '',
    p.roles.generator ? `generator ${p.pairs.generator}` : '',
    p.roles.vanilla ? `vanilla ${p.pairs.vanilla}` : '',
    p.judge ? `retained ${p.judge.retained}/${p.judge.retained + p.judge.rejected}` : '',
  ].filter(Boolean);
  const extra = [p.retries ? `${p.retries} retries` : '', p.resumed ? `${p.resumed} resumed` : ''].filter(Boolean);
  return `esc mine: ${parts.join(' · ')} · ${rate.toFixed(1)} calls/s · ETA ${all > 0 && left === 0 ? '0s' : eta} · pairs: ${pairs.join(', ')}${extra.length ? ` (${extra.join(', ')})` : ''}`;
}

export async function mineCommand(
  args: string[],
  values: {
    out?: string;
    planner?: string;
    generator?: string;
    vanilla?: string;
    judge?: string;
    'judge-template'?: string;
  } & RunFlags,
  json: boolean,
  io: Io,
): Promise<number> {
  if (args.length > 1) throw new UsageError('esc mine: one input file at a time (see esc --help)');
  const file = await requireFile(args[0], 'mine');
  if (!values.out) throw new UsageError('esc mine: --out <folder> is required (where the pair files go)');
  if (existsSync(values.out) && !statSync(values.out).isDirectory()) {
    throw new InputError(`esc mine: --out ${JSON.stringify(values.out)} is a file; it names the folder the pair files go to`);
  }
  const roles = MINE_ROLES.filter((r) => values[r] !== undefined);
  if (roles.length === 0) {
    throw new UsageError('esc mine: give at least one of --planner, --generator, --vanilla (SPEC: embedded or endpoint URLs)');
  }
  const { concurrency, limit, retry, timeoutS } = parseRunOptions('esc mine', values);
  if (values.judge === undefined && values['judge-template'] !== undefined) {
    throw new UsageError('esc mine: --judge-template goes with --judge SPEC');
  }
  if (values.judge !== undefined && !roles.includes('generator') && !roles.includes('vanilla')) {
    throw new UsageError('esc mine: --judge filters generator and vanilla pairs: give --generator or --vanilla too');
  }
  if (values.judge !== undefined && (values.judge === 'embedded' || values.judge.startsWith('embedded:'))) {
    throw new UsageError('esc mine: --judge must be an OpenAI-compatible endpoint (there is no embedded judge)');
  }
  // everything that can be checked before the input is read, so a typo costs nothing
  const specs: Partial<Record<MineRole, RoleSpec>> = {};
  for (const r of roles) specs[r] = parseSpec('esc mine', values[r]!, `--${r}`);
  let template: string | undefined;
  if (values.judge !== undefined) {
    const templateFile = values['judge-template'] ?? shippedTemplate();
    try {
      template = await readFile(templateFile, 'utf8');
      checkRetentionTemplate(template, templateFile);
    } catch (err) {
      if (err instanceof RetentionTemplateError) throw new InputError(`esc mine: ${err.message}`);
      const code = (err as NodeJS.ErrnoException).code;
      throw new InputError(`esc mine: judge template ${templateFile} cannot be read (${code ?? (err as Error).message})`);
    }
  }

  let turns: InferTurn[];
  try {
    turns = await readMineTurns(file, roles, { limit });
  } catch (err) {
    // a file without the gold strategies the planner or generator pairs need is a usage problem (exit 2),
    // refused before any model is loaded or asked, as esc infer --mode generator-gold refuses it
    if (err instanceof MissingGoldStrategyError) throw new InputError(`esc mine: ${file}: ${err.message}`);
    if (!(err instanceof NotVanillaError)) throw err;
    io.err(`esc mine: ${file}: ${err.message}`);
    return 1;
  }

  // the key (ESC_API_KEY, the judge has its own) and the timeout are the same for every role replica (the paper's client: one key, "EMPTY")
  const roleModels = new RoleModels({ retry, timeoutMs: timeoutS * 1000 });
  const controller = new AbortController();
  const interrupt = (): void => controller.abort(new Error('interrupted'));
  process.once('SIGINT', interrupt);
  const cp = mineCheckpointPath(values.out);
  try {
    const models: Partial<Record<MineRole, RoleModel>> = {};
    const [judge] = await Promise.all([
      // the judge's own key (ESC_JUDGE_API_KEY): the roles' ESC_API_KEY is never sent to it, nor its key to them
      values.judge !== undefined ? judgeReplicas(values.judge, timeoutS, 'esc mine', retry, judgeApiKey(false)) : undefined,
      ...roles.map(async (r) => {
        models[r] = await roleModels.build(withRoleKey(specs[r]!), ENDPOINT_ROLE[r]).catch((e: unknown) => {
          throw e instanceof RoleModelError ? new InputError(`esc mine: --${r}: ${e.message}`) : e;
        });
      }),
    ]);

    let last = 0;
    const report = (p: MineProgress): void => {
      const now = Date.now();
      const finished = Object.values(p.roles).every((r) => r.done === r.total) && (!p.judge || p.judge.done === p.judge.total);
      if (!finished && now - last < 1000) return;
      last = now;
      io.err(progressLine(p));
    };
    const summary = await runMining(turns, {
      ...models,
      judge,
      judgeTemplate: template,
      input: path.basename(file),
      outDir: values.out,
      concurrency,
      onProgress: report,
      signal: controller.signal,
    });
    for (const e of summary.judgeErrors.slice(0, 5)) {
      io.err(`esc mine: no verdict for ${e.role} pair ${e.pair}: the judge's answer was ${e.error} after ${JUDGE_FORMAT_ATTEMPTS} tries`);
    }
    if (summary.judgeErrors.length > 5) io.err(`esc mine: … and ${summary.judgeErrors.length - 5} more pairs without a verdict`);
    if (summary.judgeErrors.length > 0) io.err('esc mine: rerun the same command to ask the judge again for the pairs without a verdict');
    const sent = (m: RoleModel | undefined): number[] | undefined => (m instanceof EndpointReplicas ? [...m.sent] : undefined);
    if (json) {
      const j = summary.judge;
      printJson(io, {
        out: values.out,
        files: summary.files,
        turns: turns.length,
        pairs: {
          planner: summary.roles.planner ? { different: summary.pairs.plannerDifferent, same: summary.pairs.plannerSame } : undefined,
          generator: summary.roles.generator ? summary.pairs.generator : undefined,
          vanilla: summary.roles.vanilla ? summary.pairs.vanilla : undefined,
        },
        planner_confusion: summary.roles.planner ? summary.plannerConfusion : undefined,
        judge: j
          ? {
              judged: j.retained + j.rejected,
              retained: j.retained,
              rejected: j.rejected,
              retention_rate: j.retained + j.rejected > 0 ? j.retained / (j.retained + j.rejected) : null,
              errors: j.errors,
              error_pairs: summary.judgeErrors,
              rejected_reply_error_types: j.errorTypes,
            }
          : undefined,
        calls: summary.calls,
        retries: summary.retries,
        resumed: summary.resumed,
        seconds: summary.elapsedMs / 1000,
        replica_calls: {
          planner: sent(models.planner),
          generator: sent(models.generator),
          vanilla: sent(models.vanilla),
          judge: sent(judge),
        },
      });
    } else {
      const written = Object.values(summary.files).map((f) => path.basename(f));
      io.out(
        `esc mine: wrote ${written.join(', ')} to ${values.out} (${summary.resumed} resumed, ${summary.calls} calls, ${summary.retries} retries)`,
      );
    }
    return 0;
  } catch (err) {
    if (err instanceof CheckpointError || err instanceof OutDirError) throw new InputError(`esc mine: ${err.message}`);
    if (err instanceof NotVanillaError) {
      io.err(`esc mine: ${file}: ${err.message}`);
      return 1;
    }
    if (controller.signal.aborted) {
      io.err(`esc mine: interrupted; finished calls are kept in ${cp}, rerun the same command to resume`);
      return 130;
    }
    // a model or endpoint that failed for good; anything else is a bug and keeps its stack trace
    if (!(err instanceof InferenceError)) throw err;
    io.err(`esc mine: ${err.message.split('\n')[0]!} (finished calls are kept in ${cp}; rerun to resume)`);
    return 1;
  } finally {
    process.removeListener('SIGINT', interrupt);
    await roleModels.release();
  }
}
