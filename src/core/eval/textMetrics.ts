// Per-turn text metrics the paper reports, over token lists (the tokenizer is tokenize.ts's job):
// BLEU-1..4 as NLTK 3.8's corpus_bleu on the one pair with SmoothingFunction().method3, Dist-1..3,
// unigram F1, ROUGE-L (beta 1.2) and length. Each function mirrors its reference formula step by step
// (FORMATS.md "Metrics the paper reports"), so the differential tests can hold it to NLTK.

type Tokens = readonly string[];

/** n-gram keys of a token list; \u0000 cannot occur inside a token, so joined keys never collide. */
function ngramCounts(tokens: Tokens, n: number): Map<string, number> {
  const counts = new Map<string, number>();
  for (let i = 0; i + n <= tokens.length; i++) {
    // concatenated in place: slice().join() per n-gram was a third of the metrics' time
    let key = tokens[i]!;
    for (let k = 1; k < n; k++) key += '\u0000' + tokens[i + k]!;
    counts.set(key, (counts.get(key) ?? 0) + 1);
  }
  return counts;
}

type Precision = { numerator: number; denominator: number };

/** NLTK modified_precision for one reference: clipped matches and max(1, hyp n-grams), unreduced. */
function modifiedPrecision(counts: Map<string, number>, refCounts: Map<string, number>): Precision {
  let numerator = 0;
  let total = 0;
  for (const [gram, count] of counts) {
    numerator += Math.min(count, refCounts.get(gram) ?? 0);
    total += count;
  }
  return { numerator, denominator: Math.max(1, total) };
}

/**
 * BLEU-k for k = 1..4 of one hypothesis against one reference, as
 * `corpus_bleu([[ref]], [hyp], weights=[1/k]*k + [0]*(4-k), smoothing_function=SmoothingFunction().method3)`.
 * NLTK computes all four precisions whatever the weights, so method3's 1/2^k counter runs over all
 * four orders; orders with weight 0 add 0 to the log sum.
 */
export function bleuScores(hyp: Tokens, ref: Tokens): [number, number, number, number] {
  const precisions = [1, 2, 3, 4].map((n) => modifiedPrecision(ngramCounts(hyp, n), ngramCounts(ref, n)));
  return bleuFromPrecisions(precisions, hyp.length, ref.length);
}

/** BLEU-1..4 from the four modified precisions and the hypothesis and reference lengths (c, r). */
function bleuFromPrecisions(precisions: readonly Precision[], c: number, r: number): [number, number, number, number] {
  // corpus_bleu returns 0 before smoothing when no unigram matches (this also covers an empty hypothesis).
  if (precisions[0]!.numerator === 0) return [0, 0, 0, 0];
  // closest_ref_length with one reference is its length; brevity_penalty(r, c):
  const bp = c > r ? 1 : c === 0 ? 0 : Math.exp(1 - r / c);
  // method3: a zero count becomes 1 / (2^k * denominator), k counting the zero orders from 1.
  let k = 1;
  const logs = precisions.map(({ numerator, denominator }) =>
    Math.log(numerator === 0 ? 1 / (2 ** k++ * denominator) : numerator / denominator),
  );
  const score = (order: number): number => {
    const w = 1 / order;
    let sum = 0;
    for (let i = 0; i < order; i++) sum += w * logs[i]!;
    return bp * Math.exp(sum);
  };
  return [score(1), score(2), score(3), score(4)];
}

/** Dist-n: distinct n-grams / n-grams of one response (0 when it has none). */
export function distinctN(tokens: Tokens, n: number): number {
  const total = tokens.length - n + 1;
  return total <= 0 ? 0 : ngramCounts(tokens, n).size / total;
}

/** Unigram F1 over the multiset overlap of hypothesis and reference tokens. */
export function unigramF1(hyp: Tokens, ref: Tokens): number {
  const refCounts = ngramCounts(ref, 1);
  let overlap = 0;
  for (const [token, count] of ngramCounts(hyp, 1)) overlap += Math.min(count, refCounts.get(token) ?? 0);
  if (overlap === 0) return 0;
  const precision = overlap / hyp.length;
  const recall = overlap / ref.length;
  return (2 * precision * recall) / (precision + recall);
}

/** Length of the longest common subsequence, one DP row at a time. */
export function lcsLength(a: Tokens, b: Tokens): number {
  if (a.length === 0 || b.length === 0) return 0;
  let prev = new Uint32Array(b.length + 1);
  let row = new Uint32Array(b.length + 1);
  for (let i = 1; i <= a.length; i++) {
    const ai = a[i - 1];
    for (let j = 1; j <= b.length; j++) {
      row[j] = ai === b[j - 1] ? prev[j - 1]! + 1 : Math.max(prev[j]!, row[j - 1]!);
    }
    [prev, row] = [row, prev];
  }
  return prev[b.length]!;
}

export const ROUGE_BETA = 1.2;

/** ROUGE-L: the LCS-based F-measure with beta 1.2 (0 when precision or recall is 0). */
export function rougeL(hyp: Tokens, ref: Tokens): number {
  const lcs = lcsLength(hyp, ref);
  if (lcs === 0) return 0;
  const precision = lcs / hyp.length;
  const recall = lcs / ref.length;
  return ((1 + ROUGE_BETA ** 2) * precision * recall) / (recall + ROUGE_BETA ** 2 * precision);
}

export const TEXT_METRICS = ['bleu-1', 'bleu-2', 'bleu-3', 'bleu-4', 'dist-1', 'dist-2', 'dist-3', 'f1', 'rouge-l', 'length'] as const;
export type TextMetric = (typeof TEXT_METRICS)[number];
export type TextScores = Record<TextMetric, number>;

/** Every text metric of one turn, unscaled (fractions; length in tokens). */
export function turnTextScores(hyp: Tokens, ref: Tokens): TextScores {
  // the n-gram counts are built once and shared by BLEU, Dist and F1 (the same values as bleuScores,
  // distinctN and unigramF1 compute one by one; the differential tests hold both to the reference)
  const hypCounts = [1, 2, 3, 4].map((n) => ngramCounts(hyp, n));
  const precisions = hypCounts.map((counts, i) => modifiedPrecision(counts, ngramCounts(ref, i + 1)));
  const [b1, b2, b3, b4] = bleuFromPrecisions(precisions, hyp.length, ref.length);
  const dist = (n: number): number => (hyp.length - n + 1 <= 0 ? 0 : hypCounts[n - 1]!.size / (hyp.length - n + 1));
  // the unigram overlap is BLEU-1's clipped match count
  const overlap = precisions[0]!.numerator;
  const f1 = overlap === 0 ? 0 : (2 * (overlap / hyp.length) * (overlap / ref.length)) / (overlap / hyp.length + overlap / ref.length);
  return {
    'bleu-1': b1,
    'bleu-2': b2,
    'bleu-3': b3,
    'bleu-4': b4,
    'dist-1': dist(1),
    'dist-2': dist(2),
    'dist-3': dist(3),
    f1,
    'rouge-l': rougeL(hyp, ref),
    length: hyp.length,
  };
}

/** Averages per-turn scores over turns, x100 for all but length, as the paper reports them (0s for no turns). */
export class TextScoreAverager {
  private readonly sums = Object.fromEntries(TEXT_METRICS.map((m) => [m, 0])) as TextScores;
  private turns = 0;

  add(scores: TextScores): void {
    for (const m of TEXT_METRICS) this.sums[m] += scores[m];
    this.turns++;
  }

  result(): TextScores {
    const n = this.turns;
    return Object.fromEntries(
      TEXT_METRICS.map((m) => [m, n === 0 ? 0 : m === 'length' ? this.sums[m] / n : (this.sums[m] / n) * 100]),
    ) as TextScores;
  }
}
