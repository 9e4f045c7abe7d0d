// `esc mine`'s runner, Inferential Preference Mining (FORMATS.md §7): every supporter turn of a vanilla
// SFT file asked of the SFT planner, generator and vanilla model (the roles given) with the gold
// history, each answer made a preference pair against the gold turn, in file order whatever the
// concurrency; with a judge, every generator and vanilla pair gets its "remained" verdict (§4).
//
// One pool of jobs, one per turn and role, at most N in flight, each with at most one call in flight
// (its model's, then the judge's). Nothing finished is lost: each answer and each verdict is appended
// to one checkpoint in the output folder (resumable.ts), so a rerun of the same command asks only what
// is missing. The pair files are written atomically once every job is done; the checkpoint stays, so
// the folder says which run made them and a rerun rewrites the same files without a call.

import { createHash } from 'node:crypto';
import { existsSync } from 'node:fs';
import * as path from 'node:path';
import { InferenceError } from '../dialogue/types';
import { EmptyAnswerError } from '../openai/errors';
import { writeFileAtomic } from '../util/atomicWrite';
import {
  bracketResponse,
  generatorRequest,
  goldStrategy,
  plannerRequest,
  untaggedHistory,
  vanillaRequest,
  type InferTurn,
} from './paperRequests';
import { requireGoldStrategies, type GoldStrategyNeed } from './goldStrategyCheck';
import { Checkpoint, CheckpointError, runPool } from './resumable';
import { parseVerdict, retentionPrompt, type PreferencePair, type Verdict } from './retentionJudge';
import { EndpointReplicas, type RoleModel } from './roleModels';

export { CheckpointError };

export const MINE_ROLES = ['planner', 'generator', 'vanilla'] as const;
export type MineRole = (typeof MINE_ROLES)[number];
/** The roles whose pairs the judge filters (the planner's are strategy names, nothing to judge). */
export const JUDGED_ROLES = ['generator', 'vanilla'] as const;
type JudgedRole = (typeof JUDGED_ROLES)[number];
const isJudged = (role: MineRole): role is JudgedRole => role !== 'planner';

/**
 * What of a run of `roles` needs each turn's gold strategy (goldStrategyCheck.ts): planner pairs compare
 * the planner's prediction with it, generator pairs put it in the generator's prompt; vanilla pairs need
 * none (their chosen reply is the gold turn as it is).
 */
export function goldStrategyNeed(roles: readonly MineRole[]): GoldStrategyNeed | undefined {
  const planner = roles.includes('planner');
  const generator = roles.includes('generator');
  if (planner && generator) return 'planner and generator pairs';
  if (planner) return 'planner pairs';
  return generator ? 'generator pairs' : undefined;
}

export interface MineProgress {
  roles: Partial<Record<MineRole, { done: number; total: number }>>;
  /** Model and judge calls answered in this session. */
  calls: number;
  /** Tries repeated in this session: failed endpoint calls tried again, and judge answers that were not the §4 JSON. */
  retries: number;
  /** Answers and verdicts read from the checkpoint at the start. */
  resumed: number;
  elapsedMs: number;
  pairs: { plannerDifferent: number; plannerSame: number; generator: number; vanilla: number };
  /** planner pairs with a different strategy: gold -> predicted -> n */
  plannerConfusion: Record<string, Record<string, number>>;
  /**
   * Pairs judged so far (`done` counts verdicts and errors); `errors`: pairs left without a verdict, by
   * reason (an answer still not the §4 JSON after the retries); `errorTypes`: the verdicts' "Error Type
   * in rejected reply" values.
   */
  judge?: {
    done: number;
    total: number;
    retained: number;
    rejected: number;
    errors: Record<string, number>;
    errorTypes: Record<string, number>;
  };
}

export interface MineOptions {
  planner?: RoleModel;
  generator?: RoleModel;
  vanilla?: RoleModel;
  /** Asked at temperature 0 (the caller's endpoint config); only with a generator or vanilla model. */
  judge?: RoleModel;
  /** The judge prompt (retentionJudge.ts placeholders); required with a judge. */
  judgeTemplate?: string;
  /** Names the input in the checkpoint's key line (its content is hashed there too). */
  input?: string;
  outDir: string;
  /** Jobs worked on at once; each has at most one call in flight. */
  concurrency: number;
  onProgress?: (p: MineProgress) => void;
  signal?: AbortSignal;
}

export type MineFile =
  'planner-pairs' | 'planner-same' | 'generator-pairs' | 'vanilla-pairs' | 'generator-pairs.retained' | 'vanilla-pairs.retained';

export interface MineSummary extends MineProgress {
  files: Partial<Record<MineFile, string>>;
  /** The pairs left without a verdict (index in their pair file), for the report. */
  judgeErrors: { role: JudgedRole; pair: number; error: string }[];
}

export const MINE_CHECKPOINT = 'mine.checkpoint.jsonl';
export const mineCheckpointPath = (outDir: string): string => path.join(outDir, MINE_CHECKPOINT);
/** Judge answers per pair before a malformed one is reported as that pair's error. */
export const JUDGE_FORMAT_ATTEMPTS = 3;
// 2: the judge left out of the key, each verdict tagged with its judge (judgeTag)
const CHECKPOINT_FORMAT = 'esc-mine-checkpoint/2';

/** The output folder holds files this run would overwrite and no checkpoint of this run vouches for them. */
export class OutDirError extends Error {}

/** The files a run with these options writes, by name. */
export function mineFiles(opts: Pick<MineOptions, 'planner' | 'generator' | 'vanilla' | 'judge'>): MineFile[] {
  const files: MineFile[] = [];
  if (opts.planner) files.push('planner-pairs', 'planner-same');
  if (opts.generator) files.push('generator-pairs', ...(opts.judge ? (['generator-pairs.retained'] as const) : []));
  if (opts.vanilla) files.push('vanilla-pairs', ...(opts.judge ? (['vanilla-pairs.retained'] as const) : []));
  return files;
}

const filePath = (outDir: string, f: MineFile): string => path.join(outDir, `${f}.json`);

const sha = (s: string): string => createHash('sha256').update(s).digest('hex');

/**
 * What a checkpoint must match to be reused: the input and the roles with their models. The judge is
 * not in it: each verdict line carries its judge's tag instead, so adding or changing the judge later
 * keeps the models' answers and asks only the judge.
 */
function runKey(turns: readonly InferTurn[], opts: MineOptions): Record<string, unknown> {
  const hash = createHash('sha256');
  for (const t of turns) hash.update(JSON.stringify([t.before, t.gold])).update('\n');
  const roles = Object.fromEntries(MINE_ROLES.filter((r) => opts[r]).map((r) => [r, opts[r]!.identity]));
  return {
    format: CHECKPOINT_FORMAT,
    input: opts.input ?? null,
    turns: hash.digest('hex'),
    roles,
  };
}

/** The judge and template a verdict came from: a verdict of another judge or template is not reused. */
const judgeTag = (judge: RoleModel, template: string): string => sha(JSON.stringify({ model: judge.identity, template: sha(template) }));

/** Every file any run writes (mineFiles of all three roles and a judge). */
const ALL_FILES: readonly MineFile[] = [
  'planner-pairs',
  'planner-same',
  'generator-pairs',
  'generator-pairs.retained',
  'vanilla-pairs',
  'vanilla-pairs.retained',
];

/**
 * The checkpoint of this run, or a refusal whose advice works: deleting the checkpoint alone would leave
 * the other run's pair files, which are then refused as unvouched for, so every file to move is named.
 */
function openCheckpoint(cpFile: string, key: Record<string, unknown>, outDir: string): ReturnType<typeof Checkpoint.open> {
  try {
    return Checkpoint.open(cpFile, key, 'input file, --limit, roles or models');
  } catch (err) {
    if (!(err instanceof CheckpointError)) throw err;
    const theirs = [MINE_CHECKPOINT, ...ALL_FILES.filter((f) => existsSync(filePath(outDir, f))).map((f) => `${f}.json`)];
    throw new CheckpointError(
      `${cpFile} belongs to another run (other input file, --limit, roles or models); give a new --out folder, or move or delete ${theirs.join(', ')} from ${outDir} to start over there, or rerun the command that made it`,
    );
  }
}

/** The SP / RG / VM pair of a turn and an answer (FORMATS.md §7); gold strategy given for SP and RG. */
export function minePair(role: MineRole, turn: InferTurn, answer: string): PreferencePair {
  const gold = goldStrategy(turn.gold) ?? '';
  const reply = (content: string): { role: 'assistant'; content: string } => ({ role: 'assistant', content });
  if (role === 'planner') return { conversations: plannerRequest(turn), chosen: reply(gold), rejected: reply(answer) };
  if (role === 'generator') {
    return { conversations: generatorRequest(turn, gold), chosen: reply(bracketResponse(turn.gold)), rejected: reply(answer) };
  }
  return { conversations: vanillaRequest(turn), chosen: reply(turn.gold), rejected: reply(answer) };
}

const requestOf = (role: MineRole, turn: InferTurn): PreferencePair['conversations'] =>
  role === 'planner'
    ? plannerRequest(turn)
    : role === 'generator'
      ? generatorRequest(turn, goldStrategy(turn.gold)!)
      : vanillaRequest(turn);

const count = (m: Record<string, number>, k: string): void => void (m[k] = (m[k] ?? 0) + 1);
/** A tally keyed by model answers: no prototype, so an answer "__proto__" or "constructor" is a key like any other. */
const tallyObject = <T>(): Record<string, T> => Object.create(null) as Record<string, T>;

interface Job {
  i: number;
  role: MineRole;
}

/** Runs every job not already in the checkpoint, then writes the pair files of the roles given. */
export async function runMining(turns: readonly InferTurn[], opts: MineOptions): Promise<MineSummary> {
  const roles = MINE_ROLES.filter((r) => opts[r]);
  if (roles.length === 0) throw new Error('esc mine needs at least one of the planner, generator and vanilla models');
  const judge = opts.judge && roles.some(isJudged) ? opts.judge : undefined;
  if (judge && opts.judgeTemplate === undefined) throw new Error('a judge needs its template');

  // readMineTurns refuses such a file up front (the whole file, whatever --limit takes); this keeps any
  // other caller from mining pairs with no gold strategy, or a subset of the turns that looks like all
  const need = goldStrategyNeed(roles);
  if (need !== undefined) requireGoldStrategies(turns, need);
  const jobs: Job[] = [];
  turns.forEach((_, i) => roles.forEach((role) => jobs.push({ i, role })));

  const files = mineFiles({ ...opts, judge });
  const cpFile = mineCheckpointPath(opts.outDir);
  if (!existsSync(cpFile)) {
    const present = files.filter((f) => existsSync(filePath(opts.outDir, f)));
    if (present.length > 0) {
      throw new OutDirError(
        `${opts.outDir} already holds ${present.map((f) => `${f}.json`).join(', ')}, and no mining checkpoint there says this run wrote them; choose another --out folder, or move them`,
      );
    }
  }
  const { checkpoint, entries } = openCheckpoint(cpFile, runKey(turns, opts), opts.outDir);

  const tag = judge ? judgeTag(judge, opts.judgeTemplate!) : undefined;
  const answers: Record<MineRole, Map<number, string>> = { planner: new Map(), generator: new Map(), vanilla: new Map() };
  const verdicts: Record<JudgedRole, Map<number, Verdict>> = { generator: new Map(), vanilla: new Map() };
  let resumed = 0;
  for (const e of entries) {
    const role = e.role as MineRole;
    if (typeof e.i !== 'number' || !turns[e.i] || !roles.includes(role)) continue;
    if (typeof e.answer === 'string' && !answers[role].has(e.i)) {
      answers[role].set(e.i, e.answer);
      resumed++;
    } else if (judge && isJudged(role) && e.judge === tag && typeof e.remained === 'object' && e.remained && !verdicts[role].has(e.i)) {
      verdicts[role].set(e.i, e.remained as Verdict);
      resumed++;
    }
  }

  const started = Date.now();
  const models = [...new Set([opts.planner, opts.generator, opts.vanilla, judge])].filter((m) => m instanceof EndpointReplicas);
  const retriesAtStart = models.reduce((n, m) => n + m.retries, 0);
  let formatRetries = 0;
  let calls = 0;
  const done: Partial<Record<MineRole, { done: number; total: number }>> = {};
  for (const role of roles) done[role] = { done: answers[role].size, total: jobs.filter((j) => j.role === role).length };
  const pairs = { plannerDifferent: 0, plannerSame: 0, generator: 0, vanilla: 0 };
  const plannerConfusion = tallyObject<Record<string, number>>();
  const tally = (role: MineRole, i: number, answer: string): void => {
    if (role !== 'planner') return void pairs[role]++;
    const gold = goldStrategy(turns[i]!.gold)!;
    if (answer === gold) return void pairs.plannerSame++;
    pairs.plannerDifferent++;
    count((plannerConfusion[gold] ??= tallyObject<number>()), answer);
  };
  for (const role of roles) for (const [i, a] of answers[role]) tally(role, i, a);

  const judgeErrors = new Map<string, { role: JudgedRole; i: number; error: string }>();
  const judgeState = judge
    ? {
        done: 0,
        total: jobs.filter((j) => isJudged(j.role)).length,
        retained: 0,
        rejected: 0,
        errors: tallyObject<number>(),
        errorTypes: tallyObject<number>(),
      }
    : undefined;
  const tallyVerdict = (v: Verdict): void => {
    judgeState!.done++;
    if (v['Should the sample be retained'] === 'Yes') judgeState!.retained++;
    else judgeState!.rejected++;
    count(judgeState!.errorTypes, v['Error Type in rejected reply']);
  };
  if (judgeState) for (const role of JUDGED_ROLES) for (const v of verdicts[role].values()) tallyVerdict(v);

  const progress = (): MineProgress => ({
    roles: structuredClone(done),
    calls,
    retries: models.reduce((n, m) => n + m.retries, 0) - retriesAtStart + formatRetries,
    resumed,
    elapsedMs: Date.now() - started,
    pairs: { ...pairs },
    plannerConfusion: structuredClone(plannerConfusion),
    ...(judgeState ? { judge: structuredClone(judgeState) } : {}),
  });

  /** The pair's verdict, or why there is none after JUDGE_FORMAT_ATTEMPTS answers; endpoint failures are thrown. */
  const judgePair = async (pair: PreferencePair, signal: AbortSignal): Promise<{ verdict: Verdict } | { error: string }> => {
    const prompt = retentionPrompt(opts.judgeTemplate!, pair);
    for (let attempt = 1; ; attempt++) {
      let answer: string;
      try {
        answer = await judge!.ask([{ role: 'user', content: prompt }], [], undefined, signal);
      } catch (err) {
        // still empty after the endpoint's own retries: a malformed answer, not a failed run
        if (signal.aborted || !(err instanceof InferenceError && err.cause instanceof EmptyAnswerError)) throw err;
        answer = '';
      }
      calls++;
      const parsed = parseVerdict(answer);
      if ('verdict' in parsed || attempt >= JUDGE_FORMAT_ATTEMPTS) return parsed;
      formatRetries++;
    }
  };

  const pending = jobs.filter((j) => !answers[j.role].has(j.i) || (judge && isJudged(j.role) && !verdicts[j.role].has(j.i)));
  try {
    opts.onProgress?.(progress());
    await runPool(pending, opts.concurrency, opts.signal, async ({ i, role }, signal) => {
      const turn = turns[i]!;
      let answer = answers[role].get(i);
      if (answer === undefined) {
        const gold = role === 'generator' ? goldStrategy(turn.gold)! : undefined;
        answer = await opts[role]!.ask(requestOf(role, turn), untaggedHistory(turn), gold, signal);
        calls++;
        answers[role].set(i, answer);
        checkpoint.append({ i, role, answer });
        done[role]!.done++;
        tally(role, i, answer);
        opts.onProgress?.(progress());
      }
      if (judge && isJudged(role) && !verdicts[role].has(i)) {
        const result = await judgePair(minePair(role, turn, answer), signal);
        if ('verdict' in result) {
          verdicts[role].set(i, result.verdict);
          checkpoint.append({ i, role, remained: result.verdict, judge: tag });
          tallyVerdict(result.verdict);
        } else {
          // not saved: a rerun asks the judge again
          judgeErrors.set(`${role} ${i}`, { role, i, error: result.error });
          judgeState!.done++;
          count(judgeState!.errors, result.error);
        }
        opts.onProgress?.(progress());
      }
    });
  } finally {
    checkpoint.close();
  }

  // the pair files, in file order
  const written: Partial<Record<MineFile, string>> = {};
  const write = async (f: MineFile, list: PreferencePair[]): Promise<void> => {
    const file = filePath(opts.outDir, f);
    await writeFileAtomic(file, JSON.stringify(list, null, 2) + '\n');
    written[f] = file;
  };
  const pairIndex = new Map<string, number>();
  const pairsOf = (role: MineRole): PreferencePair[] =>
    jobs
      .filter((j) => j.role === role)
      .map((j, k) => {
        pairIndex.set(`${role} ${j.i}`, k);
        const pair = minePair(role, turns[j.i]!, answers[role].get(j.i)!);
        const verdict = isJudged(role) ? verdicts[role].get(j.i) : undefined;
        return verdict ? { ...pair, remained: verdict } : pair;
      });
  if (opts.planner) {
    const all = pairsOf('planner');
    await write(
      'planner-pairs',
      all.filter((p) => p.chosen.content !== p.rejected.content),
    );
    await write(
      'planner-same',
      all.filter((p) => p.chosen.content === p.rejected.content),
    );
  }
  for (const role of JUDGED_ROLES) {
    if (!opts[role]) continue;
    const all = pairsOf(role);
    await write(`${role}-pairs`, all);
    if (judge) {
      await write(
        `${role}-pairs.retained`,
        all.filter((p) => p.remained?.['Should the sample be retained'] === 'Yes'),
      );
    }
  }
  const errors = [...judgeErrors.values()].map((e) => ({ role: e.role, pair: pairIndex.get(`${e.role} ${e.i}`)!, error: e.error }));
  errors.sort((a, b) => (a.role === b.role ? a.pair - b.pair : a.role < b.role ? -1 : 1));
  return { ...progress(), files: written, judgeErrors: errors };
}
