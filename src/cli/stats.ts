// `esc stats <file> [--json]`: kind, records, per-strategy counts, turn and length summaries, invalid
// record count — the same numbers as the viewer's Statistics tab (core/dataset/stats.ts); for an
// inference file also `esc eval`'s strategy metrics and confusion, for error statistics the share of
// responses with an empathy error.

import { NO_STRATEGY, type Distribution, type StrategyCounts } from '../core/dataset/stats';
import { KIND_LABELS } from '../core/formats/kinds';
import { analyzeFile } from '../core/dataset/validate';
import { STRATEGIES } from '../core/strategies';
import { requireFile } from './inputFile';
import { printJson, type Io } from './output';

/** Width of a count column: the widest column name ("predicted") and a space. */
const COLUMN = 10;

const pct = (x: number): string => `${(x * 100).toFixed(1)}%`;

const fmt = (d: Distribution): string =>
  d.count === 0 ? 'none' : `min ${d.min}, median ${d.median}, mean ${d.mean.toFixed(1)}, max ${d.max} (n=${d.count})`;

export async function statsCommand(args: string[], json: boolean, io: Io): Promise<number> {
  const file = await requireFile(args[0], 'stats');
  const { report, stats } = await analyzeFile(file, { summarize: true });
  if (!stats) return 1;
  if (report.kind === 'unknown' || report.problems.some((p) => p.index === undefined && report.records === 0)) {
    const why = report.problems[0]?.message ?? 'not an ESC dataset';
    if (json) printJson(io, { kind: report.kind, records: report.records, invalid: report.invalidRecords, error: why });
    else io.out(`${file}: ${why}`);
    return 1;
  }
  if (json) {
    printJson(io, stats);
    return 0;
  }
  io.out(`${file}`);
  io.out(`  kind:     ${stats.kind} (${KIND_LABELS[stats.kind]})`);
  io.out(`  records:  ${stats.records}${stats.invalid ? ` (${stats.invalid} invalid, not counted below; run esc validate)` : ''}`);
  const columns = Object.entries(stats.strategies).filter(([k]) => k !== 'other' && k !== 'matrix') as [string, StrategyCounts][];
  io.out(`  ${'strategies'.padEnd(30)}${columns.map(([k]) => k.padStart(COLUMN)).join('')}`);
  for (const s of STRATEGIES) io.out(`    ${s.padEnd(28)}${columns.map(([, c]) => String(c[s]).padStart(COLUMN)).join('')}`);
  for (const [label, n] of Object.entries(stats.strategies.other)) io.out(`    ${JSON.stringify(label)} (not one of the 8): ${n}`);
  const p = stats.prediction;
  if (p) {
    io.out(
      `  strategy prediction (${p.turns} turn${p.turns === 1 ? '' : 's'}${p.unscored ? `; ${p.unscored} with no gold strategy of the 8, not scored` : ''}):` +
        ` accuracy ${pct(p.accuracy)}, weighted F1 ${pct(p.weighted_f1)}, macro F1 ${pct(p.macro_f1)},` +
        ` no strategy ${pct(p.error_ratio)}`,
    );
    const cols = [...STRATEGIES, NO_STRATEGY];
    io.out(`  confusion (rows gold, columns predicted: ${cols.map((c, i) => `${i + 1} ${c}`).join(', ')})`);
    for (const g of STRATEGIES) io.out(`    ${g.padEnd(28)}${cols.map((c) => String(p.confusion[g][c] ?? 0).padStart(5)).join('')}`);
  }
  if (stats.kind !== 'error-stats') io.out(`  turns:    ${fmt(stats.turns)}`);
  const gold = stats.predictedLength ? 'gold:     ' : 'length:   ';
  if (stats.length.count > 0) io.out(`  ${gold}${fmt(stats.length)} words`);
  if (stats.rejectedLength) io.out(`  rejected: ${fmt(stats.rejectedLength)} words`);
  if (stats.predictedLength) io.out(`  predicted: ${fmt(stats.predictedLength)} words`);
  const e = stats.empathyErrors;
  if (e) {
    const judged = Object.values(e).reduce((a, b) => a + b, 0);
    const yes = e.Yes ?? 0;
    io.out(
      `  empathy error: ${yes} of ${judged} ${judged === 1 ? 'response' : 'responses'}${judged ? ` (${pct(yes / judged)})` : ''}; ` +
        Object.entries(e)
          .map(([k, n]) => `${k} ${n}`)
          .join(', '),
    );
  }
  for (const [name, table] of [
    ['emotions', stats.emotions],
    ['problems', stats.problems],
    ['errors', stats.errorTypes],
    ['retained', stats.retained],
  ] as const) {
    if (table && Object.keys(table).length > 0) {
      io.out(
        `  ${(name + ':').padEnd(10)}${Object.entries(table)
          .sort((a, b) => b[1] - a[1])
          .map(([k, n]) => `${k} ${n}`)
          .join(', ')}`,
      );
    }
  }
  return 0;
}
