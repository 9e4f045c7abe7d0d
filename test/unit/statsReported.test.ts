// The numbers researchers report, in `esc stats --json` (the viewer's Statistics tab draws the same
// object): an inference file's strategy accuracy, weighted / macro F1 and gold -> predicted confusion
// with its "no strategy" column, held to a plain loop over the raw records, to `esc eval` (the same
// code must give the same numbers) and to sklearn; an error-statistics file's empathy-error answers
// and error types, an empty or null type counted as "unspecified"; generator pairs without a
// "rejected strategy" facet.

import * as assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import * as path from 'node:path';
import { describe, it } from 'node:test';
import { DatasetIndex } from '../../src/core/dataset/datasetIndex';
import { pythonReference, referenceSkip } from '../reference/python';
import { DEMO_DATA, REPO_ROOT, sharedData, tempDir } from './helpers';

const STRATS = [
  'Question',
  'Restatement or Paraphrasing',
  'Reflection of feelings',
  'Self-disclosure',
  'Affirmation and Reassurance',
  'Providing Suggestions',
  'Information',
  'Others',
];
type Rec = Record<string, unknown>;

function esc(...args: string[]): { code: number | null; out: string; err: string } {
  const r = spawnSync(process.execPath, [path.join(REPO_ROOT, 'out', 'src', 'cli.js'), ...args], { encoding: 'utf8' });
  return { code: r.status, out: r.stdout, err: r.stderr };
}

function statsJson(file: string): Rec {
  const r = esc('stats', file, '--json');
  assert.equal(r.code, 0, r.err || r.out);
  return JSON.parse(r.out) as Rec;
}

interface PredictionRef {
  turns: number;
  unscored: number;
  accuracy: number;
  weighted_f1: number;
  macro_f1: number;
  error_ratio: number;
  per_f1: number[];
  /** [gold][0..7 predicted, 8 = no strategy] */
  confusion: number[][];
  kept: { gold: number[]; pred: number[] };
}

/** The reference: each record looked at once, labels compared lowercased to the 8 names, no product code. */
function predictionReference(records: Rec[]): PredictionRef {
  const id = (v: unknown): number => (typeof v === 'string' ? STRATS.findIndex((s) => s.toLowerCase() === v.toLowerCase()) : -1);
  const confusion = STRATS.map(() => new Array<number>(9).fill(0));
  const kept = { gold: [] as number[], pred: [] as number[] };
  let unscored = 0;
  let turns = 0;
  for (const r of records) {
    const g = id(r.GT_strategy);
    if (g < 0) {
      unscored++;
      continue;
    }
    turns++;
    const p = id(r.predict_strategy);
    confusion[g]![p < 0 ? 8 : p]!++;
    if (p >= 0) {
      kept.gold.push(g);
      kept.pred.push(p);
    }
  }
  const n = kept.gold.length;
  let correct = 0;
  const per_f1: number[] = [];
  let weighted = 0;
  for (let c = 0; c < 8; c++) {
    let tp = 0;
    let support = 0;
    let predicted = 0;
    for (let i = 0; i < n; i++) {
      if (kept.gold[i] === c && kept.pred[i] === c) tp++;
      if (kept.gold[i] === c) support++;
      if (kept.pred[i] === c) predicted++;
    }
    correct += tp;
    const precision = predicted === 0 ? 0 : tp / predicted;
    const recall = support === 0 ? 0 : tp / support;
    const f1 = precision + recall === 0 ? 0 : (2 * precision * recall) / (precision + recall);
    per_f1.push(f1);
    weighted += f1 * support;
  }
  return {
    turns,
    unscored,
    accuracy: n === 0 ? 0 : correct / n,
    weighted_f1: n === 0 ? 0 : weighted / n,
    macro_f1: per_f1.reduce((a, b) => a + b, 0) / 8,
    error_ratio: turns === 0 ? 0 : (turns - n) / turns,
    per_f1,
    confusion,
    kept,
  };
}

const close = (a: number, b: number, what: string): void => assert.ok(Math.abs(a - b) <= 1e-12, `${what}: ${a} vs ${b}`);

interface Prediction {
  turns: number;
  unscored: number;
  accuracy: number;
  weighted_f1: number;
  macro_f1: number;
  p_bias: number;
  error_ratio: number;
  per_strategy_f1: Record<string, number>;
  confusion: Record<string, Record<string, number>>;
}

function assertPrediction(p: Prediction, ref: PredictionRef, what: string): void {
  assert.equal(p.turns, ref.turns, `${what} turns`);
  assert.equal(p.unscored, ref.unscored, `${what} unscored`);
  close(p.accuracy, ref.accuracy, `${what} accuracy`);
  close(p.weighted_f1, ref.weighted_f1, `${what} weighted F1`);
  close(p.macro_f1, ref.macro_f1, `${what} macro F1`);
  close(p.error_ratio, ref.error_ratio, `${what} error ratio`);
  STRATS.forEach((s, i) => close(p.per_strategy_f1[s]!, ref.per_f1[i]!, `${what} F1 of ${s}`));
  assert.deepEqual(Object.keys(p.confusion), STRATS, `${what}: one row per gold strategy`);
  STRATS.forEach((g, gi) => {
    assert.deepEqual(Object.keys(p.confusion[g]!), [...STRATS, 'no strategy'], `${what}: 8 columns and "no strategy"`);
    assert.deepEqual(Object.values(p.confusion[g]!), ref.confusion[gi], `${what}: confusion row ${g}`);
  });
}

/** `esc eval`'s strategy part for the same file: the stats must be the very same numbers. */
function assertSameAsEval(file: string, p: Prediction, what: string): void {
  const r = esc('eval', file, '--json');
  assert.equal(r.code, 0, r.err || r.out);
  type Strategy = Rec & { per_strategy: Record<string, { f1: number }>; confusion: Record<string, Record<string, number>> };
  const s = (JSON.parse(r.out) as { runs: { strategy: Strategy }[] }).runs[0]!.strategy;
  for (const k of ['accuracy', 'weighted_f1', 'macro_f1', 'p_bias', 'error_ratio'] as const) {
    assert.equal(p[k], s[k], `${what}: ${k} as esc eval`);
  }
  for (const g of STRATS) {
    assert.equal(p.per_strategy_f1[g], s.per_strategy[g]!.f1, `${what}: F1 of ${g} as esc eval`);
    for (const c of STRATS) assert.equal(p.confusion[g]![c], s.confusion[g]![c], `${what}: confusion ${g} -> ${c} as esc eval`);
  }
}

const turn = (gold: string, predicted: string, i: number): Rec => ({
  conversations: [{ role: 'user', content: `seeker line ${i}` }],
  GT_strategy: gold,
  predict_strategy: predicted,
  GT_content: `gold reply ${i} with words`,
  predict_content: `predicted ${i}`,
});

describe('esc stats --json: strategy metrics of an inference file', () => {
  it('the demo inference file: a plain loop over its records, and esc eval, give the same numbers', () => {
    const file = path.join(DEMO_DATA, 'inference_demo.json');
    const records = JSON.parse(readFileSync(file, 'utf8')) as Rec[];
    const out = statsJson(file);
    assert.equal(out.kind, 'inference');
    assertPrediction(out.prediction as Prediction, predictionReference(records), 'demo');
    assertSameAsEval(file, out.prediction as Prediction, 'demo');
    assert.equal(out.rejectedLength, undefined, 'no "rejected" length for an inference file');
    const lengths = out.predictedLength as { count: number; mean: number };
    assert.equal(lengths.count, records.length);
    const words = records.map((r) => (r.predict_content as string).split(/[ \t\n\r\u00a0]+/).filter(Boolean).length);
    close(lengths.mean, words.reduce((a, b) => a + b, 0) / words.length, 'predicted length mean');
  });

  it('off-list and upper-case predictions, a gold label off the 8: the "no strategy" column and unscored records', () => {
    const tmp = tempDir();
    try {
      const records = [
        turn('Question', 'Question', 0),
        turn('Question', 'QUESTION', 1), // compared lowercased, as esc eval does: right
        turn('Question', 'Advice', 2), // off the 8: "no strategy"
        turn('Others', 'Question', 3),
        turn('Information', 'Providing Suggestions', 4),
        turn('Information', '', 5),
        { ...turn('Reflection of feelings', '', 8), predict_strategy: null }, // FORMATS §7: null when no strategy was named
        turn('Direct Guidance', 'Question', 6), // gold off the 8: not scored
        turn('Self-disclosure', 'Self-disclosure', 7),
      ];
      const file = tmp.write('off-list.json', JSON.stringify(records));
      const out = statsJson(file);
      const p = out.prediction as Prediction;
      const ref = predictionReference(records);
      assertPrediction(p, ref, 'off-list');
      assert.equal(out.invalid, 0, 'a null prediction is a valid record (FORMATS §7)');
      assert.equal(p.unscored, 1);
      assert.equal(p.confusion['Reflection of feelings']!['no strategy'], 1, 'the null prediction');
      assert.equal(p.confusion.Question!['no strategy'], 1);
      assert.equal(p.confusion.Information!['no strategy'], 1);
      assert.equal(p.confusion.Question!.Question, 2);
      close(p.accuracy, 3 / 5, 'accuracy over the 5 usable predictions');
      close(p.error_ratio, 3 / 8, 'error ratio over the 8 scored turns');
      const text = esc('stats', file);
      assert.equal(text.code, 0);
      assert.match(text.out, /strategy prediction \(8 turns; 1 with no gold strategy of the 8, not scored\): accuracy 60\.0%/);
      assert.match(text.out, /predicted: .*words/);
      // esc eval refuses a gold label off the 8; without that record both give the same numbers
      const scorable = tmp.write('scorable.json', JSON.stringify(records.filter((r) => r.GT_strategy !== 'Direct Guidance')));
      assertSameAsEval(scorable, statsJson(scorable).prediction as Prediction, 'null and off-list predictions');
      assert.doesNotMatch(text.out, /rejected:/);
    } finally {
      tmp.dispose();
    }
  });

  it(
    'an inference file built from the real test split: the plain loop, esc eval and sklearn agree',
    { skip: sharedData.skip },
    async () => {
      const records = JSON.parse(readFileSync(sharedData.file('ESC_sft_test.json'), 'utf8')) as {
        messages: { role: string; content: string }[];
      }[];
      const turns = records.flatMap((r) =>
        r.messages
          .map((m, i) => ({ m, before: r.messages.slice(0, i) }))
          .filter(({ m }) => m.role === 'assistant')
          .map(({ m, before }) => ({ tag: /^\[([^\]]*)\]\s*(.*)$/s.exec(m.content), before }))
          .filter((t) => t.tag !== null && STRATS.includes(t.tag[1]!))
          .map((t) => ({ strategy: t.tag![1]!, text: t.tag![2]!, before: t.before })),
      );
      assert.ok(turns.length > 1000, `the real test split has its supporter turns (${turns.length})`);
      // each turn "predicts" a later turn's strategy and response; some predictions are off-list or upper case
      const inference = turns.map((t, i) => {
        const other = turns[(i + 3) % turns.length]!;
        return {
          conversations: t.before.filter((m) => m.role !== 'system'),
          GT_strategy: t.strategy,
          predict_strategy: i % 23 === 0 ? 'Advice' : i % 5 === 0 ? other.strategy.toUpperCase() : other.strategy,
          GT_content: t.text,
          predict_content: turns[(i + 1) % turns.length]!.text,
        };
      });
      const tmp = tempDir();
      try {
        const file = tmp.write('real-inference.json', JSON.stringify(inference));
        const out = statsJson(file);
        assert.equal(out.kind, 'inference');
        assert.equal(out.invalid, 0);
        const p = out.prediction as Prediction;
        const ref = predictionReference(inference);
        assert.ok(ref.error_ratio > 0 && ref.accuracy > 0);
        assertPrediction(p, ref, 'real');
        assertSameAsEval(file, p, 'real');
        if (!referenceSkip) {
          const [answer] = await pythonReference('nltk_metrics.py', [
            JSON.stringify({ op: 'f1', gold: ref.kept.gold, pred: ref.kept.pred }),
          ]);
          const e = JSON.parse(answer!) as { weighted: number; macro: number; per: number[] };
          close(p.weighted_f1, e.weighted, 'weighted F1 against sklearn');
          close(p.macro_f1, e.macro, 'macro F1 against sklearn');
          STRATS.forEach((s, i) => close(p.per_strategy_f1[s]!, e.per[i]!, `F1 of ${s} against sklearn`));
        }
      } finally {
        tmp.dispose();
      }
    },
  );
});

/** The reference for an error-statistics file: answers as written, a type that is null, empty or missing is "unspecified". */
function errorReference(records: Rec[]): { answers: Record<string, number>; types: Record<string, number> } {
  const answers: Record<string, number> = {};
  const types: Record<string, number> = {};
  for (const r of records) {
    const a = r['Contains Empathy Error'] as string;
    answers[a] = (answers[a] ?? 0) + 1;
    const t = typeof r['Error Type'] === 'string' ? (r['Error Type'] as string).trim() : '';
    if (a === 'No' && (t === '' || t === 'None')) continue; // judged free of error: no type to count
    const key = t === '' ? 'unspecified' : t;
    types[key] = (types[key] ?? 0) + 1;
  }
  return { answers, types };
}

const sorted = (o: Record<string, number>): [string, number][] => Object.entries(o).sort((a, b) => a[0].localeCompare(b[0]));

describe('esc stats --json: error-statistics files', () => {
  const judged = (contains: string, type: unknown, i: number): Rec => {
    const r: Rec = {
      'Contains Empathy Error': contains,
      'Brief Explanation': 'why',
      'Improvement Suggestion': 'how',
      user_input: `seeker ${i}`,
      strategy: 'Question',
      response: `reply number ${i}`,
    };
    if (type !== undefined) r['Error Type'] = type;
    return r;
  };

  it('counts Yes/No answers and every error type, null, empty and missing ones as "unspecified"', () => {
    const tmp = tempDir();
    try {
      const records = [
        judged('Yes', 'Lack Empathy', 0),
        judged('Yes', null, 1),
        judged('Yes', '', 2),
        judged('Yes', undefined, 3),
        judged('Yes', '  ', 4),
        judged('No', 'None', 5),
        judged('No', null, 6),
        judged('Yes', 'Lack Empathy', 7),
      ];
      const file = tmp.write('errors.json', JSON.stringify(records));
      const out = statsJson(file);
      assert.equal(out.kind, 'error-stats');
      assert.equal(out.invalid, 0);
      const ref = errorReference(records);
      assert.deepEqual(out.empathyErrors, { Yes: 6, No: 2 });
      assert.deepEqual(sorted(out.errorTypes as Record<string, number>), sorted(ref.types));
      assert.deepEqual(out.errorTypes, { 'Lack Empathy': 2, unspecified: 4 });
      const text = esc('stats', file);
      assert.match(text.out, /empathy error: 6 of 8 responses \(75\.0%\); Yes 6, No 2/);
      assert.match(text.out, /errors: {3}unspecified 4, Lack Empathy 2/);
      assert.doesNotMatch(text.out, /turns:/, 'a judged response has no turns to summarise');
    } finally {
      tmp.dispose();
    }
  });

  it('the demo error-statistics file equals the plain reference', () => {
    const file = path.join(DEMO_DATA, 'error_stats_demo.json');
    const records = JSON.parse(readFileSync(file, 'utf8')) as Rec[];
    const out = statsJson(file);
    const ref = errorReference(records);
    assert.deepEqual(sorted(out.empathyErrors as Record<string, number>), sorted(ref.answers));
    assert.deepEqual(sorted(out.errorTypes as Record<string, number>), sorted(ref.types));
  });
});

describe('generator pairs have no "rejected strategy" facet', () => {
  it('the viewer index offers the chosen strategy only; the stats count the rejected side as the same strategy', async () => {
    const file = path.join(DEMO_DATA, 'pref_generator_demo.json');
    const idx = new DatasetIndex(file);
    await idx.index();
    await idx.analyze();
    const info = await idx.query({ facets: {}, sort: 'file' });
    assert.ok(info.facets.strategy && info.facets.strategy.length > 0, 'a chosen-strategy facet');
    assert.equal(info.facets.rejected, undefined, 'no rejected-strategy facet');
    const s = statsJson(file).strategies as { chosen: Record<string, number>; rejected: Record<string, number> };
    assert.deepEqual(s.rejected, s.chosen);
    await idx.close();
  });

  it('planner pairs keep both facets (their rejected strategy differs)', async () => {
    const idx = new DatasetIndex(path.join(DEMO_DATA, 'pref_planner_demo.json'));
    await idx.index();
    await idx.analyze();
    const info = await idx.query({ facets: {}, sort: 'file' });
    assert.ok(info.facets.strategy && info.facets.rejected);
    await idx.close();
  });
});
