// `esc eval <inference file>... [--json] [--format table|markdown|latex|csv] [--baseline N|file]`: the paper's text and strategy
// metrics of each inference file (core/eval/evaluate.ts), one run per file. `--json` prints
// {"runs": [...]}; otherwise one row per file in the chosen format.

import * as path from 'node:path';
import { EvalFileError, evaluateFile, type EvalRun } from '../core/eval/evaluate';
import { renderResultsTable, TABLE_FORMATS, type TableFormat } from '../core/eval/resultsTable';
import { judgeRuns, prepareJudge, type JudgeArgs } from './evalJudge';
import { requireFile } from './inputFile';
import { printJson, UsageError, type Io } from './output';

const FORMATS = TABLE_FORMATS;
type Format = TableFormat;

/** `--baseline`: a 1-based position among the files given, or one of those files (by resolved path). */
function baselineIndex(spec: string, files: readonly string[], runs: readonly EvalRun[]): number {
  const byPosition = /^\d+$/.test(spec) ? files[Number(spec) - 1] : undefined;
  const file = byPosition ?? files.find((f) => path.resolve(f) === path.resolve(spec));
  const index = file === undefined ? -1 : runs.findIndex((r) => r.file === file);
  if (file === undefined) {
    throw new UsageError(`esc eval: --baseline ${spec} is neither a position 1..${files.length} nor one of the files`);
  }
  if (index < 0) throw new UsageError(`esc eval: --baseline ${spec}: ${file} could not be evaluated`);
  return index;
}

export async function evalCommand(
  args: string[],
  json: boolean,
  format: string | undefined,
  io: Io,
  baseline?: string,
  judgeArgs: JudgeArgs = {},
): Promise<number> {
  if (format !== undefined && !(FORMATS as readonly string[]).includes(format)) {
    throw new UsageError(`esc eval: --format must be one of ${FORMATS.join(', ')} (got ${JSON.stringify(format)})`);
  }
  if (json && format !== undefined) throw new UsageError('esc eval: --json and --format are exclusive');
  if (baseline !== undefined && (json || format === 'csv')) {
    throw new UsageError('esc eval: --baseline needs --format table, markdown or latex');
  }
  const judge = await prepareJudge(judgeArgs);
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
  if (judge && runs.length > 0) {
    const code = await judgeRuns(runs, judge, io);
    if (code !== 0) return code;
  }
  if (json) printJson(io, { runs });
  else if (runs.length > 0) {
    const options = baseline === undefined ? {} : { baseline: baselineIndex(baseline, files, runs) };
    for (const line of renderResultsTable(runs, (format as Format | undefined) ?? 'table', options)) io.out(line);
  }
  return failed ? 1 : 0;
}
