// `esc eval <inference file>... [--json] [--format table|markdown|csv]`: the paper's text and strategy
// metrics of each inference file (core/eval/evaluate.ts), one run per file. `--json` prints
// {"runs": [...]}; otherwise one row per file in the chosen format.

import { EvalFileError, evaluateFile, type EvalRun } from '../core/eval/evaluate';
import { TEXT_METRICS } from '../core/eval/textMetrics';
import { requireFile } from './inputFile';
import { printJson, UsageError, type Io } from './output';

const FORMATS = ['table', 'markdown', 'csv'] as const;
type Format = (typeof FORMATS)[number];

const STRATEGY_COLUMNS = ['accuracy', 'weighted_f1', 'macro_f1', 'p_bias', 'error_ratio'] as const;
const HEADER = ['file', 'records', ...TEXT_METRICS, ...STRATEGY_COLUMNS];

/** A run's cells: text metrics with 2 decimals (already x100), strategy fractions with 4; csv keeps full precision. */
function cells(run: EvalRun, exact: boolean): string[] {
  const num = (x: number, digits: number): string => (exact ? String(x) : x.toFixed(digits));
  return [
    run.file,
    String(run.records),
    ...TEXT_METRICS.map((m) => num(run.text[m], 2)),
    ...STRATEGY_COLUMNS.map((m) => num(run.strategy[m], 4)),
  ];
}

const csvCell = (s: string): string => (/[",\n\r]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s);

function render(runs: EvalRun[], format: Format): string[] {
  if (format === 'csv') return [HEADER, ...runs.map((r) => cells(r, true))].map((row) => row.map(csvCell).join(','));
  const rows = runs.map((r) => cells(r, false));
  if (format === 'markdown') {
    const line = (row: string[]): string => `| ${row.map((c) => c.replace(/\|/g, '\\|')).join(' | ')} |`;
    return [line(HEADER), line(HEADER.map((_, i) => (i === 0 ? '---' : '---:'))), ...rows.map(line)];
  }
  const widths = HEADER.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i]!.length)));
  const line = (row: string[]): string => row.map((c, i) => (i === 0 ? c.padEnd(widths[i]!) : c.padStart(widths[i]!))).join('  ');
  return [line(HEADER), ...rows.map(line)];
}

export async function evalCommand(args: string[], json: boolean, format: string | undefined, io: Io): Promise<number> {
  if (format !== undefined && !(FORMATS as readonly string[]).includes(format)) {
    throw new UsageError(`esc eval: --format must be one of ${FORMATS.join(', ')} (got ${JSON.stringify(format)})`);
  }
  if (json && format !== undefined) throw new UsageError('esc eval: --json and --format are exclusive');
  if (args.length === 0) await requireFile(undefined, 'eval');
  const files: string[] = [];
  for (const arg of args) files.push(await requireFile(arg, 'eval'));
  const runs: EvalRun[] = [];
  let failed = false;
  for (const file of files) {
    try {
      runs.push(await evaluateFile(file));
    } catch (err) {
      if (!(err instanceof EvalFileError)) throw err;
      io.err(`esc eval: ${file}: ${err.message}`);
      failed = true;
    }
  }
  if (json) printJson(io, { runs });
  else if (runs.length > 0) for (const line of render(runs, (format as Format | undefined) ?? 'table')) io.out(line);
  return failed ? 1 : 0;
}
