// The mining page's view of a run, without a browser: the bar of each role (and the judge's), the
// pace (calls/s, ETA), the pairs so far, the planner's different-strategy pairs as a gold → predicted
// grid, the judge's retention and error types, and which buttons the run's status allows. The
// extension sends the whole state (`state`); nothing here is persisted (it sends it again on `ready`).
//
// DOM-free (the model/ folders are compiled and unit-tested under node).

import type { MineProgress, MineRole, MiningState, PairsFile } from '../../../../src/protocol/mining';

export const ROLE_LABELS: Record<MineRole, string> = {
  planner: 'Strategy planner',
  generator: 'Response generator',
  vanilla: 'Vanilla model',
};

const n = (x: number): string => x.toLocaleString('en-US');

export function duration(ms: number): string {
  const s = Math.max(0, Math.round(ms / 1000));
  if (s >= 3600) return `${Math.floor(s / 3600)}h${String(Math.floor((s % 3600) / 60)).padStart(2, '0')}m`;
  if (s >= 60) return `${Math.floor(s / 60)}m${String(s % 60).padStart(2, '0')}s`;
  return `${s}s`;
}

export interface Bar {
  key: MineRole | 'judge';
  label: string;
  done: number;
  total: number;
  /** 0..1 (0 while the total is unknown). */
  fraction: number;
  text: string;
}

function bar(key: Bar['key'], label: string, done: number, total: number): Bar {
  const fraction = total > 0 ? Math.min(1, done / total) : 0;
  return { key, label, done, total, fraction, text: `${n(done)} / ${n(total)} (${(100 * fraction).toFixed(0)} %)` };
}

/** One bar per role asked (turns done of the role's total), then the judge's when there is one. */
export function bars(state: MiningState): Bar[] {
  const p = state.progress;
  const out = state.roles.map((r) => {
    const x = p?.roles[r];
    return bar(r, ROLE_LABELS[r], x?.done ?? 0, x?.total ?? 0);
  });
  if (state.judge) out.push(bar('judge', 'Judge', p?.judge?.done ?? 0, p?.judge?.total ?? 0));
  return out;
}

/** Every unit of work (role turns and judge verdicts): done and total. */
function work(p: MineProgress): { done: number; total: number } {
  let done = 0;
  let total = 0;
  for (const x of Object.values(p.roles)) {
    done += x?.done ?? 0;
    total += x?.total ?? 0;
  }
  if (p.judge) {
    done += p.judge.done;
    total += p.judge.total;
  }
  return { done, total };
}

export interface Pace {
  callsPerSecond: string;
  eta: string;
  elapsed: string;
  retries: number;
  resumed: number;
}

/**
 * Calls per second over this session, and the ETA from this session's pace (what the checkpoint
 * gave back is not counted as done by this session, else a resumed run would promise too much).
 */
export function pace(p: MineProgress | undefined, status: MiningState['status']): Pace {
  if (!p) return { callsPerSecond: '–', eta: '–', elapsed: '0s', retries: 0, resumed: 0 };
  const rate = p.calls / Math.max(p.elapsedMs / 1000, 1e-3);
  const { done, total } = work(p);
  const fresh = done - p.resumed;
  let eta = '–';
  if (status === 'done') eta = 'done';
  else if (status === 'running' && fresh > 0 && total >= done) eta = duration(((total - done) * p.elapsedMs) / fresh);
  return {
    callsPerSecond: p.calls === 0 ? '0' : rate >= 10 ? String(Math.round(rate)) : rate.toFixed(1),
    eta,
    elapsed: duration(p.elapsedMs),
    retries: p.retries,
    resumed: p.resumed,
  };
}

export interface PairsRow {
  label: string;
  count: number;
  /** The pairs file it is written to. */
  file: PairsFile;
}

/** The pairs so far, per role asked (the planner's split into different and same strategy). */
export function pairsRows(state: MiningState): PairsRow[] {
  const pairs = state.progress?.pairs ?? { plannerDifferent: 0, plannerSame: 0, generator: 0, vanilla: 0 };
  const rows: PairsRow[] = [];
  if (state.roles.includes('planner')) {
    rows.push({ label: 'Planner, different strategy (DPO)', count: pairs.plannerDifferent, file: 'planner-pairs' });
    rows.push({ label: 'Planner, same strategy', count: pairs.plannerSame, file: 'planner-same' });
  }
  if (state.roles.includes('generator')) rows.push({ label: 'Generator', count: pairs.generator, file: 'generator-pairs' });
  if (state.roles.includes('vanilla')) rows.push({ label: 'Vanilla', count: pairs.vanilla, file: 'vanilla-pairs' });
  return rows;
}

export interface Heatmap {
  /** Gold strategies (rows) and predicted answers (columns): the eight in their order, then other answers by count. */
  gold: string[];
  predicted: string[];
  /** cells[row][col]: pairs, with its share of the largest cell (0..1) for the shade. */
  cells: { n: number; shade: number }[][];
  total: number;
}

/** The most columns of answers off the eight (the rest are folded into "other answers"). */
export const MAX_OFF_LIST = 3;
export const OTHER_ANSWERS = 'other answers';

/**
 * The planner's different-strategy pairs as a grid. Rows: gold strategies that occur, in the eight's
 * order; columns: the predicted strategies that occur in that order, then answers off the list (raw
 * text, as the planner wrote it) by count, the rarest folded into one column.
 */
export function heatmap(confusion: Record<string, Record<string, number>> | undefined, names: readonly string[]): Heatmap | undefined {
  if (!confusion) return undefined;
  const order = (xs: Iterable<string>, counts: Map<string, number>): string[] => {
    const inList = names.filter((s) => counts.has(s));
    const off = [...xs].filter((s) => !names.includes(s)).sort((a, b) => counts.get(b)! - counts.get(a)! || a.localeCompare(b));
    return [...inList, ...off];
  };
  const goldCounts = new Map<string, number>();
  const predCounts = new Map<string, number>();
  for (const [g, row] of Object.entries(confusion)) {
    for (const [p, k] of Object.entries(row)) {
      if (!(k > 0)) continue;
      goldCounts.set(g, (goldCounts.get(g) ?? 0) + k);
      predCounts.set(p, (predCounts.get(p) ?? 0) + k);
    }
  }
  if (goldCounts.size === 0) return undefined;
  const gold = order(goldCounts.keys(), goldCounts);
  let predicted = order(predCounts.keys(), predCounts);
  const offList = predicted.filter((p) => !names.includes(p));
  const folded = new Set(offList.length > MAX_OFF_LIST ? offList.slice(MAX_OFF_LIST - 1) : []);
  if (folded.size > 0) predicted = [...predicted.filter((p) => !folded.has(p)), OTHER_ANSWERS];
  const counts = gold.map((g) =>
    predicted.map((p) => {
      const row = confusion[g] ?? {};
      if (p === OTHER_ANSWERS && folded.size > 0) return [...folded].reduce((a, f) => a + (row[f] ?? 0), 0);
      return row[p] ?? 0;
    }),
  );
  const max = Math.max(1, ...counts.flat());
  const total = counts.flat().reduce((a, b) => a + b, 0);
  return { gold, predicted, cells: counts.map((r) => r.map((k) => ({ n: k, shade: k / max }))), total };
}

export interface JudgeView {
  /** "72.0 %" of the verdicts so far, or "–". */
  retention: string;
  retained: number;
  rejected: number;
  /** The verdicts' "Error Type in rejected reply" values (most first). */
  errorTypes: { type: string; n: number }[];
  /** Pairs left without a verdict (an answer still not the JSON after the retries), by reason (most first). */
  errors: { type: string; n: number }[];
}

const byCount = (m: Record<string, number> | undefined): { type: string; n: number }[] =>
  Object.entries(m ?? {})
    .filter(([, k]) => k > 0)
    .map(([type, k]) => ({ type, n: k }))
    .sort((a, b) => b.n - a.n || a.type.localeCompare(b.type));

export function judgeView(p: MineProgress | undefined): JudgeView | undefined {
  const j = p?.judge;
  if (!j) return undefined;
  const verdicts = j.retained + j.rejected;
  return {
    retention: verdicts > 0 ? `${((100 * j.retained) / verdicts).toFixed(1)} %` : '–',
    retained: j.retained,
    rejected: j.rejected,
    errorTypes: byCount(j.errorTypes),
    errors: byCount(j.errors),
  };
}

export interface Controls {
  cancel: boolean;
  /** Cancel was pressed; the run is finishing the calls in flight. */
  stopping: boolean;
  /** Resume is shown (the run stopped or failed)… */
  resume: boolean;
  /**
   * …but disabled: a run is starting or running, or Resume was pressed and no new status has come
   * back yet (a second press would ask the extension for a second run on the same folder).
   */
  resumeDisabled: boolean;
  /** The finished run's files and "Add to experiment". */
  results: boolean;
}

/** `resumeSent`: Resume was pressed while the page showed this state. */
export function controls(state: MiningState, resumeSent = false): Controls {
  const live = state.status === 'starting' || state.status === 'running';
  return {
    cancel: live,
    stopping: state.status === 'stopping',
    resume: state.status === 'cancelled' || state.status === 'failed',
    resumeDisabled: live || state.status === 'stopping' || resumeSent,
    results: state.status === 'done' && state.files.length > 0,
  };
}

/** Whether "Add to experiment's DPO stages" has a file to add (a DPO stage trains on different-strategy planner pairs, generator or vanilla pairs). */
export function hasDpoFiles(state: MiningState): boolean {
  return state.files.some((f) => f.key !== 'planner-same');
}

export function statusText(state: MiningState): string {
  const p = state.progress;
  const done = p ? work(p) : undefined;
  switch (state.status) {
    case 'starting':
      return 'Starting: reading the file and loading the models…';
    case 'running':
      return done ? `Mining: ${n(done.done)} of ${n(done.total)} calls answered.` : 'Mining…';
    case 'stopping':
      return 'Stopping; the finished calls are kept…';
    case 'cancelled':
      return `Stopped. ${done ? `${n(done.done)} of ${n(done.total)} answers are` : 'Every finished answer is'} kept in the folder's checkpoint: Resume continues from there.`;
    case 'failed':
      return 'The run failed.';
    case 'done':
      return `Done in ${duration(p?.elapsedMs ?? 0)}: ${n(state.files.reduce((a, f) => a + f.records, 0))} pairs in ${state.files.length} files.`;
  }
}
