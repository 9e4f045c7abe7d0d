// Trains the embedded models from a user's data: the planner by SFT then DPO (on the given planner
// pairs, or — as IPM built its SP pairs — on pairs mined where the SFT planner disagrees with gold on
// its training data), the retrieval bank from the supporter replies; then scores the planner on the
// test file (or a held-out 10% of the dialogues) next to the majority-class baseline.

import * as path from 'node:path';
import { strategyScores, type StrategyScores } from '../eval/strategyMetrics';
import { STRATEGIES, strategyId, type Strategy } from '../strategies';
import { contextFeatures, FEATURE_BITS, fnv1a } from './features';
import { assertReplaceable, writeEmbeddedModels, MODEL_FORMAT, type Manifest } from './modelFolder';
import { PlannerModel, type PlannerPair, type PlannerSample } from './plannerModel';
import { supporterTurnsIn, TURN_WEIGHTS, type BankResponse } from './retrieval';
import { readExamples, readPlannerPairs, type Example } from './trainingData';

export interface TrainEmbeddedOptions {
  train: string;
  pref?: string;
  test?: string;
  out: string;
  /** DPO temperature β (default 0.1). */
  beta?: number;
  sftEpochs?: number;
  dpoEpochs?: number;
  /** Share of dialogues held out when no test file is given (default 0.1). */
  heldOut?: number;
  onProgress?: (message: string, fraction: number) => void;
  signal?: AbortSignal;
  createdBy?: string;
}

type Scores = Pick<StrategyScores, 'accuracy' | 'weighted_f1' | 'macro_f1'>;

export interface TrainEmbeddedReport {
  majority: Scores & { strategy: Strategy };
  sft: Scores;
  dpo: Scores;
  counts: { trainTurns: number; testTurns: number; pairs: number; pairSource: 'file' | 'mined' | 'none'; bank: number; skipped: number };
  testSource: 'file' | 'held-out';
  out: string;
}

const pick = (s: StrategyScores): Scores => ({ accuracy: s.accuracy, weighted_f1: s.weighted_f1, macro_f1: s.macro_f1 });

/** Deterministic split by dialogue: a dialogue is held out when its hash falls in the first `share`. */
function split(examples: Example[], share: number): { train: Example[]; test: Example[] } {
  const isTest = (e: Example): boolean => fnv1a(e.group) / 2 ** 32 < share;
  let test = examples.filter(isTest);
  let train = examples.filter((e) => !isTest(e));
  if (test.length === 0 || train.length === 0) {
    // tiny data: hold out the last dialogue instead
    const last = examples[examples.length - 1]!.group;
    test = examples.filter((e) => e.group === last);
    train = examples.filter((e) => e.group !== last);
  }
  return { train, test };
}

/**
 * The bank's responses: every distinct (strategy, text) supporter reply with its context and its
 * position in the dialogue (supporter turns before and after it, from the examples of its group).
 */
export function bankResponses(examples: readonly Example[]): BankResponse[] {
  // a dialogue is a run of examples of one group whose contexts grow: one record per turn (generator
  // SFT) is grouped by its first seeker message, which many dialogues share ("hi"), so the run decides
  const dialogue: number[] = [];
  examples.forEach((e, i) => {
    const prev = examples[i - 1];
    const continues = prev !== undefined && prev.group === e.group && prev.context.length < e.context.length;
    dialogue.push(continues ? dialogue[i - 1]! : i);
  });
  const last = new Map<number, number>();
  examples.forEach((e, i) => last.set(dialogue[i]!, Math.max(last.get(dialogue[i]!) ?? 0, supporterTurnsIn(e.context))));
  const seen = new Set<string>();
  const out: BankResponse[] = [];
  for (const [i, e] of examples.entries()) {
    if (!e.text?.trim()) continue;
    const key = `${e.strategy}\u0000${e.text}`;
    if (seen.has(key)) continue;
    seen.add(key);
    const turn = supporterTurnsIn(e.context);
    out.push({
      text: e.text,
      strategy: strategyId(e.strategy),
      context: e.context.slice(-TURN_WEIGHTS.length),
      turn,
      fromEnd: last.get(dialogue[i]!)! - turn,
    });
  }
  return out;
}

export async function trainEmbedded(opts: TrainEmbeddedOptions): Promise<TrainEmbeddedReport> {
  const progress = opts.onProgress ?? (() => undefined);
  const signal = opts.signal;
  // the stages are synchronous: yield to the event loop so a cancel message can arrive, then honour it
  const checkpoint = async (): Promise<void> => {
    await new Promise((resolve) => setImmediate(resolve));
    signal?.throwIfAborted();
  };
  // a folder that would be refused is refused before the training, not after it
  await assertReplaceable(path.resolve(opts.out));
  progress(`Reading ${path.basename(opts.train)}`, 0);
  const read = await readExamples(opts.train, signal);
  let skipped = read.skipped;
  let train: Example[];
  let test: Example[];
  if (opts.test) {
    const t = await readExamples(opts.test, signal);
    skipped += t.skipped;
    train = read.examples;
    test = t.examples;
  } else ({ train, test } = split(read.examples, opts.heldOut ?? 0.1));
  const samples: PlannerSample[] = train.map((e) => ({ x: contextFeatures(e.context), y: strategyId(e.strategy) }));
  const testX = test.map((e) => contextFeatures(e.context));
  const gold = test.map((e) => strategyId(e.strategy));

  await checkpoint();
  progress(`Planner SFT on ${samples.length} ${samples.length === 1 ? 'turn' : 'turns'}`, 0.15);
  const sft = new PlannerModel();
  sft.trainSft(samples, { epochs: opts.sftEpochs });
  await checkpoint();

  let pairs: PlannerPair[];
  let pairSource: TrainEmbeddedReport['counts']['pairSource'];
  if (opts.pref) {
    const p = await readPlannerPairs(opts.pref, signal);
    skipped += p.skipped;
    pairs = p.pairs.map((q) => ({ x: contextFeatures(q.context), chosen: strategyId(q.chosen), rejected: strategyId(q.rejected) }));
    pairSource = 'file';
  } else {
    pairs = samples.flatMap((s) => {
      const p = sft.predict(s.x);
      return p === s.y ? [] : [{ x: s.x, chosen: s.y, rejected: p }];
    });
    pairSource = 'mined';
  }
  if (pairs.length === 0) pairSource = 'none';
  progress(`Planner DPO on ${pairs.length} pairs`, 0.55);
  const beta = opts.beta ?? 0.1;
  const dpo = sft.clone();
  dpo.trainDpo(pairs, sft, { beta, epochs: opts.dpoEpochs });
  await checkpoint();

  progress('Scoring the planner', 0.7);
  const counts = new Array<number>(STRATEGIES.length).fill(0);
  for (const s of samples) counts[s.y]!++;
  const majority = counts.indexOf(Math.max(...counts));
  const report: TrainEmbeddedReport = {
    majority: {
      ...pick(
        strategyScores(
          gold,
          gold.map(() => majority),
        ),
      ),
      strategy: STRATEGIES[majority]!,
    },
    sft: pick(
      strategyScores(
        gold,
        testX.map((x) => sft.predict(x)),
      ),
    ),
    dpo: pick(
      strategyScores(
        gold,
        testX.map((x) => dpo.predict(x)),
      ),
    ),
    counts: { trainTurns: samples.length, testTurns: test.length, pairs: pairs.length, pairSource, bank: 0, skipped },
    testSource: opts.test ? 'file' : 'held-out',
    out: opts.out,
  };

  await checkpoint();
  progress('Building the response bank', 0.8);
  // the bank may use every reply the user gave, test turns included: it is what the generator can say
  const responses = bankResponses(opts.test ? train : read.examples);
  if (responses.length === 0) {
    throw new Error(
      `${opts.train} has no supporter replies (a planner SFT file holds strategies only); train from ESConv dialogues or a vanilla or generator SFT file.`,
    );
  }
  report.counts.bank = responses.length;

  const manifest: Manifest = {
    format: MODEL_FORMAT,
    createdBy: opts.createdBy ?? 'esc train-embedded',
    featureBits: FEATURE_BITS,
    strategies: [...STRATEGIES],
    planner: { stages: pairs.length > 0 ? 'sft+dpo' : 'sft', beta, pairs: pairs.length, pairSource },
    generator: { responses: responses.length },
    training: {
      train: path.basename(opts.train),
      pref: opts.pref && path.basename(opts.pref),
      test: opts.test && path.basename(opts.test),
      trainTurns: samples.length,
      testTurns: test.length,
      testSource: report.testSource,
    },
    metrics: { majority: report.majority, sft: report.sft, dpo: report.dpo },
  };
  // the last point where a cancel is honoured: the folder is then written and swapped in as a whole
  await checkpoint();
  progress(`Writing ${opts.out}`, 0.9);
  await writeEmbeddedModels(opts.out, dpo, responses, manifest);
  progress('Done', 1);
  return report;
}
