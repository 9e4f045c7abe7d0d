// The paper's metrics (core/eval/textMetrics.ts, strategyMetrics.ts) held to the Python reference:
// BLEU-1..4 to NLTK 3.8's corpus_bleu with method3, strategy F1s to sklearn's f1_score, Dist/F1/ROUGE-L
// to the formulas written out in test/reference/nltk_metrics.py, on generated token lists and on real
// response pairs; plus hand computations on tiny literal cases. The differential tests skip with one
// line when no python3 imports nltk and sklearn (scripts/setup-reference.sh installs them).

import * as assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import { evaluateFile, evaluateRecords, type EvalRun } from '../../src/core/eval/evaluate';
import { populationStd, preferences, strategyScores } from '../../src/core/eval/strategyMetrics';
import { STRATEGIES } from '../../src/core/strategies';
import { bleuScores, distinctN, lcsLength, rougeL, unigramF1 } from '../../src/core/eval/textMetrics';
import { pythonReference, referenceSkip } from '../reference/python';
import { DEMO_DATA, sharedData } from './helpers';
import * as path from 'node:path';

/** Floating-point agreement: the same formula, but V8's and glibc's exp/log may differ in the last bit. */
function close(actual: number, expected: number, what: string): void {
  assert.ok(Math.abs(actual - expected) <= 1e-12 * Math.max(1, Math.abs(expected)), `${what}: ${actual} vs reference ${expected}`);
}

type Pair = { hyp: string[]; ref: string[] };

/** Token lists from a small vocabulary (so n-grams repeat and overlap) or a larger one (so they often do not). */
const tokenList = fc.oneof(
  fc.array(fc.constantFrom('a', 'b', 'c', 'the', '.', ','), { maxLength: 12 }),
  fc.array(fc.constantFrom(...'abcdefghijklmnopqrstuvwxyz'.split('')), { maxLength: 30 }),
  fc.array(fc.string({ minLength: 1, maxLength: 3 }), { maxLength: 8 }),
);

/** The corner cases named in the contract, always included. */
const EDGE_PAIRS: Pair[] = [
  { hyp: [], ref: [] },
  { hyp: [], ref: ['a', 'b'] },
  { hyp: ['a'], ref: [] },
  { hyp: ['a'], ref: ['a'] }, // shorter than every n > 1
  { hyp: ['a', 'b'], ref: ['a', 'b'] },
  { hyp: ['a', 'b', 'c'], ref: ['a', 'b', 'c', 'd', 'e'] },
  { hyp: ['x', 'y', 'z'], ref: ['a', 'b', 'c'] }, // no overlap: the early return 0
  { hyp: ['a', 'a', 'a', 'a'], ref: ['a', 'a'] }, // clipping
  { hyp: ['a', 'a', 'a', 'a', 'a', 'a'], ref: ['a', 'a', 'a', 'a', 'a', 'a', 'a'] },
  { hyp: ['b', 'a', 'b', 'a', 'b'], ref: ['a', 'b', 'a', 'b', 'a', 'b', 'a'] },
  { hyp: ['a', 'x', 'b', 'y', 'c', 'z', 'd'], ref: ['a', 'b', 'c', 'd'] }, // only unigrams match: method3 on 3 orders
];

const generatedPairs = (n: number, seed: number): Pair[] => [
  ...EDGE_PAIRS,
  ...fc.sample(
    fc.record({ hyp: tokenList, ref: tokenList }).map((p) => p as Pair),
    { numRuns: n, seed },
  ),
];

describe('text metrics against the Python reference', { skip: referenceSkip }, () => {
  it('BLEU-1..4 equal NLTK corpus_bleu (method3) on generated token lists', async () => {
    const pairs = generatedPairs(600, 10);
    const answers = await pythonReference(
      'nltk_metrics.py',
      pairs.map((p) => JSON.stringify({ op: 'bleu', ...p })),
    );
    let nonZero = 0;
    pairs.forEach((p, i) => {
      const expected = JSON.parse(answers[i]!) as number[];
      const actual = bleuScores(p.hyp, p.ref);
      expected.forEach((e, k) => close(actual[k]!, e, `BLEU-${k + 1} of ${JSON.stringify(p)}`));
      if (expected[3]! > 0) nonZero++;
    });
    assert.ok(nonZero > 100, `the generator reaches non-zero BLEU-4 often enough (${nonZero})`);
  });

  it('Dist-1..3, F1 and ROUGE-L equal the reference formulas on generated token lists', async () => {
    const pairs = generatedPairs(600, 11);
    const answers = await pythonReference(
      'nltk_metrics.py',
      pairs.map((p) => JSON.stringify({ op: 'text', ...p })),
    );
    pairs.forEach((p, i) => {
      const e = JSON.parse(answers[i]!) as { dist: number[]; f1: number; rouge_l: number };
      const what = JSON.stringify(p);
      e.dist.forEach((d, k) => close(distinctN(p.hyp, k + 1), d, `Dist-${k + 1} of ${what}`));
      close(unigramF1(p.hyp, p.ref), e.f1, `F1 of ${what}`);
      close(rougeL(p.hyp, p.ref), e.rouge_l, `ROUGE-L of ${what}`);
    });
  });

  it(
    'BLEU-1..4, Dist, F1 and ROUGE-L on every real response pair of ESC_sft_test.json (NLTK tokens)',
    { skip: sharedData.skip },
    async () => {
      const records = JSON.parse(readFileSync(sharedData.file('ESC_sft_test.json'), 'utf8')) as {
        messages: { role: string; content: string }[];
      }[];
      // gold responses without their "[Strategy] " tag; each is scored against the next one as a hypothesis
      const responses = records.flatMap((r) =>
        r.messages.filter((m) => m.role === 'assistant').map((m) => m.content.replace(/^\[[^\]]*\]\s*/, '')),
      );
      assert.ok(responses.length > 1000);
      const requests = responses.map((ref, i) => ({ hyp: responses[(i + 1) % responses.length]!, ref }));
      const bleu = await pythonReference(
        'nltk_metrics.py',
        requests.map((q) => JSON.stringify({ op: 'bleu_text', ...q })),
      );
      const tokenized = bleu.map((line) => JSON.parse(line) as Pair & { bleu: number[] });
      const text = await pythonReference(
        'nltk_metrics.py',
        tokenized.map((t) => JSON.stringify({ op: 'text', hyp: t.hyp, ref: t.ref })),
      );
      let nonZero = 0;
      tokenized.forEach((t, i) => {
        const actual = bleuScores(t.hyp, t.ref);
        t.bleu.forEach((e, k) => close(actual[k]!, e, `BLEU-${k + 1} of pair ${i}`));
        if (t.bleu[1]! > 0) nonZero++;
        const e = JSON.parse(text[i]!) as { dist: number[]; f1: number; rouge_l: number };
        e.dist.forEach((d, k) => close(distinctN(t.hyp, k + 1), d, `Dist-${k + 1} of pair ${i}`));
        close(unigramF1(t.hyp, t.ref), e.f1, `F1 of pair ${i}`);
        close(rougeL(t.hyp, t.ref), e.rouge_l, `ROUGE-L of pair ${i}`);
      });
      assert.ok(nonZero > responses.length / 2, 'real pairs mostly share words');
    },
  );
});

describe('strategy F1 against sklearn', { skip: referenceSkip }, () => {
  it('weighted, macro and per-strategy F1 equal f1_score(labels=range(8)) on generated predictions', async () => {
    // predictions of -1 stand for null / off-list answers: dropped before sklearn sees them
    const cases = fc.sample(
      fc.array(fc.tuple(fc.integer({ min: 0, max: 7 }), fc.integer({ min: -1, max: 7 })), { minLength: 1, maxLength: 60 }),
      { numRuns: 300, seed: 12 },
    );
    cases.push(
      [[3, 3]],
      [[0, -1]],
      [
        [1, 2],
        [2, 1],
      ],
    );
    const answers = await pythonReference(
      'nltk_metrics.py',
      cases.map((c) => {
        const kept = c.filter(([, p]) => p >= 0);
        return JSON.stringify({ op: 'f1', gold: kept.map(([g]) => g), pred: kept.map(([, p]) => p) });
      }),
    );
    cases.forEach((c, i) => {
      const e = JSON.parse(answers[i]!) as { weighted: number; macro: number; per: number[] };
      const s = strategyScores(
        c.map(([g]) => g),
        c.map(([, p]) => p),
      );
      const what = JSON.stringify(c);
      close(s.weighted_f1, e.weighted, `weighted F1 of ${what}`);
      close(s.macro_f1, e.macro, `macro F1 of ${what}`);
      e.per.forEach((f, k) => close(s.per_strategy_f1[k]!, f, `F1 of strategy ${k} in ${what}`));
      assert.equal(s.error_ratio, c.filter(([, p]) => p < 0).length / c.length);
    });
  });
});

describe('metrics by hand', () => {
  it('Dist-n counts distinct n-grams of the one response', () => {
    const t = ['a', 'b', 'a', 'b'];
    assert.equal(distinctN(t, 1), 0.5); // {a, b} / 4
    assert.equal(distinctN(t, 2), 2 / 3); // {ab, ba} / (ab, ba, ab)
    assert.equal(distinctN(t, 3), 1); // {aba, bab} / 2
    assert.equal(distinctN(['a', 'b'], 3), 0); // no trigram at all
    assert.equal(distinctN([], 1), 0);
  });

  it('F1 is the unigram multiset overlap', () => {
    // overlap = min(2, 1) for a + min(1, 0) for b = 1; P = 1/3, R = 1/2; 2PR/(P+R) = (1/3)/(5/6) = 2/5
    close(unigramF1(['a', 'a', 'b'], ['a', 'c']), 0.4, 'F1');
    assert.equal(unigramF1(['x'], ['a']), 0);
    assert.equal(unigramF1([], ['a']), 0);
  });

  it('ROUGE-L is the LCS F-measure with beta 1.2', () => {
    // LCS(a b c d, a c e) = 2 (a, c); P = 2/4, R = 2/3;
    // (1 + 1.44) * P * R / (R + 1.44 P) = 2.44 * (1/3) / (2/3 + 0.72) = 2.44 / (2 + 2.16) = 2.44 / 4.16 = 61/104
    assert.equal(lcsLength(['a', 'b', 'c', 'd'], ['a', 'c', 'e']), 2);
    close(rougeL(['a', 'b', 'c', 'd'], ['a', 'c', 'e']), 61 / 104, 'ROUGE-L');
    assert.equal(rougeL(['a'], ['b']), 0);
    assert.equal(rougeL([], []), 0);
  });

  it('BLEU of a two-token exact match: method3 fills the missing 3- and 4-grams with 1/2 and 1/4', () => {
    // p1 = 2/2, p2 = 1/1, p3 = 0/max(1,0) -> 1/(2*1), p4 -> 1/(4*1); bp = exp(1 - 2/2) = 1
    // BLEU-3 = exp((log 1 + log 1 + log 1/2) / 3) = 2^(-1/3); BLEU-4 = exp((log 1/2 + log 1/4) / 4) = 2^(-3/4)
    const [b1, b2, b3, b4] = bleuScores(['hello', 'there'], ['hello', 'there']);
    assert.equal(b1, 1);
    assert.equal(b2, 1);
    close(b3, 2 ** (-1 / 3), 'BLEU-3');
    close(b4, 2 ** (-3 / 4), 'BLEU-4');
  });

  it('accuracy, F1s and error ratio drop null / off-list predictions', () => {
    // gold 0, 1, 1; predicted 0, 1, (none): error ratio 1/3; the two kept are right
    const s = strategyScores([0, 1, 1], [0, 1, -1]);
    assert.equal(s.error_ratio, 1 / 3);
    assert.equal(s.accuracy, 1);
    assert.equal(s.weighted_f1, 1);
    assert.equal(s.macro_f1, 2 / 8); // F1 1 for strategies 0 and 1, 0 for the six never seen
    assert.deepEqual(s.confusion[1], [0, 1, 0, 0, 0, 0, 0, 0]);
  });

  it('preference: Bradley–Terry strengths of the mistakes, scaled to sum 8, bias their population std', () => {
    // gold 1 predicted 0 twice, gold 0 predicted 1 once: T[0][1] = 2, T[1][0] = 1.
    // round 1 from p = 1: p0 = (2 * 1/2) / (1/2) = 2; p1 = (1 * 2/3) / (2/3) = 1; p2..p7 have no comparison
    // and keep 1; dividing by the geometric mean 2^(1/8) keeps the ratios 2 : 1 : 1 ..., a fixed point of
    // the update (p0 = 2 p1). Scaled to sum 8: p0 = 16/9, the others 8/9; mean 1, variance
    // ((7/9)^2 + 7 (1/9)^2) / 8 = (49 + 7) / 648 = 7/81, std = sqrt(7)/9.
    const confusion = Array.from({ length: 8 }, () => new Array<number>(8).fill(0));
    confusion[1]![0] = 2;
    confusion[0]![1] = 1;
    const p = preferences(confusion);
    close(p[0]!, 16 / 9, 'preference of strategy 0');
    for (let i = 1; i < 8; i++) close(p[i]!, 8 / 9, `preference of strategy ${i}`);
    close(populationStd(p), Math.sqrt(7) / 9, 'p_bias');
  });

  it('preference: a symmetric cycle of mistakes is no bias', () => {
    // 0 mistaken for 1, 1 for 2, 2 for 0, once each: every strength stays equal, so all are 1 and the std 0
    const confusion = Array.from({ length: 8 }, () => new Array<number>(8).fill(0));
    confusion[0]![1] = 1;
    confusion[1]![2] = 1;
    confusion[2]![0] = 1;
    const p = preferences(confusion);
    p.forEach((x, i) => close(x, 1, `preference of strategy ${i}`));
    close(populationStd(p), 0, 'p_bias');
  });
});

describe('preference and whole runs against the Python reference', { skip: referenceSkip }, () => {
  it('preferences equal the Bradley–Terry update written out in Python on generated mistake tables', async () => {
    // sparse tables: most strategies are mistaken for few others, some never (the zero-denominator case)
    const tables = fc.sample(
      fc.array(fc.array(fc.oneof(fc.constant(0), fc.constant(0), fc.integer({ min: 1, max: 40 })), { minLength: 8, maxLength: 8 }), {
        minLength: 8,
        maxLength: 8,
      }),
      {
        numRuns: 200,
        seed: 13,
      },
    );
    const answers = await pythonReference(
      'nltk_metrics.py',
      // the reference takes T[i][j] = predicted i when gold j; preferences() takes confusion[gold][predicted]
      tables.map((t) => JSON.stringify({ op: 'preference', t })),
    );
    tables.forEach((t, n) => {
      const confusion = t.map((_, g) => t.map((row) => row[g]!));
      const expected = JSON.parse(answers[n]!) as number[];
      const actual = preferences(confusion);
      expected.forEach((e, i) =>
        assert.ok(Math.abs(actual[i]! - e) <= 1e-9 * Math.max(1, e), `strength ${i} of table ${n}: ${actual[i]} vs ${e}`),
      );
    });
  });

  const compareRun = (actual: EvalRun, expected: RunReference, what: string): void => {
    for (const [metric, value] of Object.entries(expected.text)) {
      assert.ok(
        Math.abs(actual.text[metric as keyof EvalRun['text']] - value) <= 1e-9 * Math.max(1, value),
        `${what} ${metric}: ${actual.text[metric as keyof EvalRun['text']]} vs ${value}`,
      );
    }
    const s = actual.strategy;
    close(s.accuracy, expected.accuracy, `${what} accuracy`);
    close(s.weighted_f1, expected.weighted_f1, `${what} weighted F1`);
    close(s.macro_f1, expected.macro_f1, `${what} macro F1`);
    close(s.error_ratio, expected.error_ratio, `${what} error ratio`);
    assert.ok(Math.abs(s.p_bias - expected.p_bias) <= 1e-9, `${what} p_bias ${s.p_bias} vs ${expected.p_bias}`);
    STRATEGIES.forEach((name, i) => {
      close(s.per_strategy[name].f1, expected.per_f1[i]!, `${what} F1 of ${name}`);
      assert.ok(Math.abs(s.per_strategy[name].preference - expected.preference[i]!) <= 1e-9, `${what} preference of ${name}`);
    });
  };

  it('the demo inference file scores as the Python reference scores it (NLTK tokens, sklearn F1s)', async () => {
    const file = path.join(DEMO_DATA, 'inference_demo.json');
    const records = JSON.parse(readFileSync(file, 'utf8')) as unknown[];
    const [answer] = await pythonReference('nltk_metrics.py', [JSON.stringify({ op: 'run', records })]);
    compareRun(await evaluateFile(file), JSON.parse(answer!) as RunReference, 'demo');
  });

  it('an inference file built from the real test split scores as the Python reference scores it', { skip: sharedData.skip }, async () => {
    const records = JSON.parse(readFileSync(sharedData.file('ESC_sft_test.json'), 'utf8')) as {
      messages: { role: string; content: string }[];
    }[];
    const turns = records.flatMap((r) =>
      r.messages
        .filter((m) => m.role === 'assistant')
        .map((m) => /^\[([^\]]*)\]\s*(.*)$/s.exec(m.content))
        .filter((m): m is RegExpExecArray => m !== null && (STRATEGIES as readonly string[]).includes(m[1]!))
        .map((m) => ({ strategy: m[1]!, text: m[2]! })),
    );
    assert.ok(turns.length > 1000);
    // each turn "predicts" a later turn's response and strategy; some predictions are null, off-list or upper case
    const inference = turns.map((turn, i) => {
      const other = turns[(i + 3) % turns.length]!;
      const predicted = i % 17 === 0 ? null : i % 23 === 0 ? 'Advice' : i % 5 === 0 ? other.strategy.toUpperCase() : other.strategy;
      return {
        GT_strategy: turn.strategy,
        predict_strategy: predicted,
        GT_content: turn.text,
        predict_content: turns[(i + 1) % turns.length]!.text,
      };
    });
    const [answer] = await pythonReference('nltk_metrics.py', [JSON.stringify({ op: 'run', records: inference })]);
    const expected = JSON.parse(answer!) as RunReference;
    assert.ok(expected.p_bias > 0 && expected.error_ratio > 0);
    compareRun(evaluateRecords('real', inference), expected, 'real');
  });
});

interface RunReference {
  text: Record<string, number>;
  accuracy: number;
  weighted_f1: number;
  macro_f1: number;
  per_f1: number[];
  error_ratio: number;
  preference: number[];
  p_bias: number;
}
