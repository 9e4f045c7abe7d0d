// `esc train-embedded --train <file> [--pref <file>] [--test <file>] --out <dir> [--json]`: retrains
// the Playground's embedded planner and retrieval generator, and reports held-out planner scores
// for SFT and SFT+DPO next to the majority-class baseline.

import { trainEmbedded, type TrainEmbeddedReport } from '../core/embedded/trainEmbedded';
import { requireFile } from './inputFile';
import { InputError, printJson, UsageError, type Io } from './output';

const pct = (x: number): string => `${(x * 100).toFixed(1)}%`.padStart(7);

function formatTrainReport(r: TrainEmbeddedReport): string[] {
  const c = r.counts;
  const row = (name: string, s: { accuracy: number; weighted_f1: number; macro_f1: number }): string =>
    `  ${name.padEnd(22)}${pct(s.accuracy)}  ${pct(s.weighted_f1)}  ${pct(s.macro_f1)}`;
  return [
    `Embedded models written to ${r.out}`,
    `  planner: ${c.trainTurns} training ${c.trainTurns === 1 ? 'turn' : 'turns'}, ${c.pairs} DPO pairs (${c.pairSource === 'mined' ? 'mined from the SFT planner’s mistakes' : c.pairSource === 'file' ? 'from the preference file' : 'none: SFT only'})`,
    `  generator: retrieval bank of ${c.bank} responses${c.skipped ? `; ${c.skipped} records or turns skipped (no usable strategy)` : ''}`,
    `  test: ${c.testTurns} ${c.testTurns === 1 ? 'turn' : 'turns'} (${r.testSource === 'file' ? 'the test file' : 'held-out 10% of the dialogues'})`,
    `  ${''.padEnd(22)}accuracy  w-F1     macro-F1`,
    row(`majority (${r.majority.strategy})`, r.majority),
    row('SFT', r.sft),
    row('SFT+DPO', r.dpo),
  ];
}

export async function trainEmbeddedCommand(
  values: { train?: string; pref?: string; test?: string; out?: string; beta?: string },
  json: boolean,
  io: Io,
): Promise<number> {
  if (!values.train) {
    throw new UsageError('esc train-embedded: --train <file> is required (ESConv dialogues or a vanilla, generator or planner SFT file)');
  }
  if (!values.out) throw new UsageError('esc train-embedded: --out <dir> is required');
  const beta = values.beta === undefined ? undefined : Number(values.beta);
  if (beta !== undefined && !(beta > 0)) throw new UsageError('esc train-embedded: --beta must be a positive number');
  const train = await requireFile(values.train, 'train-embedded');
  const pref = values.pref === undefined ? undefined : await requireFile(values.pref, 'train-embedded');
  const test = values.test === undefined ? undefined : await requireFile(values.test, 'train-embedded');
  let report: TrainEmbeddedReport;
  try {
    report = await trainEmbedded({ train, pref, test, out: values.out, beta, onProgress: json ? undefined : (m) => io.err(`… ${m}`) });
  } catch (e) {
    throw new InputError(`esc train-embedded: ${(e as Error).message}`);
  }
  if (json) {
    printJson(io, {
      majority: report.majority,
      sft: report.sft,
      dpo: report.dpo,
      counts: report.counts,
      test_source: report.testSource,
      out: report.out,
    });
  } else for (const line of formatTrainReport(report)) io.out(line);
  return 0;
}
