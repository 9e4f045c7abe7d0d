// The embedded generator's retrieval: a context is embedded as a small dense vector (signed feature
// hashing of the last turns' words), compared with the embedded contexts of a bank of supporter
// responses, restricted to the planned strategy, and the top-k responses are returned. This is a
// retrieval baseline, not a language model: it can only say what a supporter once said.

import { fnv1a, type ContextTurn } from './features';

/**
 * Dimension of the retrieval vectors. The bank is a dense [N, E] matrix, so E bounds its memory:
 * 20,000 responses × 512 × 4 bytes = 41 MB; 2^18 hashed dimensions (the planner's) would be 20 GB.
 */
export const RETRIEVAL_DIM = 512;

/** Function words carry no topic; left in, every context would look alike. */
const STOPWORDS = new Set(
  (
    'a an the and or but if so to of in on at for with about from by as is am are was were be been being it its ' +
    "i me my we our you your he she they them their this that these those do does did have has had i'm it's " +
    "just really very not no yes can could would should will don't im"
  ).split(' '),
);

const words = (text: string): string[] => (text.toLowerCase().match(/[a-z0-9']+/g) ?? []).filter((w) => !STOPWORDS.has(w));

/** How much each turn counts, from the last (0) backwards: the seeker's latest words matter most. */
const TURN_WEIGHTS = [1, 0.5, 0.3];

export function retrievalEmbedding(turns: readonly ContextTurn[]): Float32Array {
  const v = new Float32Array(RETRIEVAL_DIM);
  const recent = turns.slice(-TURN_WEIGHTS.length);
  recent.forEach((t, i) => {
    const w = TURN_WEIGHTS[recent.length - 1 - i]! * (t.speaker === 'seeker' ? 1 : 0.5);
    const ws = words(t.text);
    const add = (key: string, weight: number): void => {
      const h = fnv1a(key);
      // the top bit picks the sign, so colliding features cancel on average instead of piling up
      v[h % RETRIEVAL_DIM]! += h & 0x80000000 ? -weight : weight;
    };
    for (let j = 0; j < ws.length; j++) {
      add(`w:${ws[j]}`, w);
      if (j + 1 < ws.length) add(`b:${ws[j]} ${ws[j + 1]}`, w * 0.5);
    }
  });
  let norm = 0;
  for (const x of v) norm += x * x;
  norm = Math.sqrt(norm);
  if (norm > 0) for (let i = 0; i < v.length; i++) v[i]! /= norm;
  return v;
}

export interface ResponseBank {
  dim: number;
  /** Row-major [N, dim] embeddings of each response's preceding context. */
  embeddings: Float32Array;
  /** Strategy id (0..7) of each response. */
  strategies: Int32Array;
  texts: string[];
  /** The seeker's words the response answered (shown as provenance). */
  contexts: string[];
}

const bankSize = (bank: ResponseBank): number => bank.strategies.length;

/** Any strategy: the vanilla joint baseline retrieves across all of them. */
export const ANY_STRATEGY = -1;
/** Score given to responses of other strategies (the graph's Where uses the same constant). */
export const MASKED_SCORE = -1e9;

export interface Retrieved {
  indices: number[];
  scores: number[];
}

/** The TypeScript forward pass: cosine scores, masked to the strategy, top-k (the ONNX graph's math). */
export function topResponses(bank: ResponseBank, query: Float32Array, strategy: number, k: number): Retrieved {
  const n = bankSize(bank);
  const dim = bank.dim;
  const scores = new Float32Array(n);
  const e = bank.embeddings;
  for (let r = 0; r < n; r++) {
    if (strategy !== ANY_STRATEGY && bank.strategies[r] !== strategy) {
      scores[r] = MASKED_SCORE;
      continue;
    }
    let s = 0;
    const row = r * dim;
    for (let d = 0; d < dim; d++) s += e[row + d]! * query[d]!;
    scores[r] = s;
  }
  // partial selection: k is small, n is large
  const kk = Math.min(k, n);
  const idx: number[] = [];
  for (let r = 0; r < n; r++) {
    const s = scores[r]!;
    if (idx.length === kk && s <= scores[idx[kk - 1]!]!) continue;
    let pos = idx.length < kk ? idx.length : kk - 1;
    if (idx.length < kk) idx.push(r);
    while (pos > 0 && scores[idx[pos - 1]!]! < s) {
      idx[pos] = idx[pos - 1]!;
      pos--;
    }
    idx[pos] = r;
  }
  return { indices: idx, scores: idx.map((i) => scores[i]!) };
}
