// The embedded generator's retrieval: BM25 over word unigrams and bigrams of a context (the seeker's
// latest message counting most, the turns before it less) against the contexts the bank's supporter
// responses once answered, and against the responses themselves; restricted to the planned strategy
// and to responses that fit the dialogue's position (a greeting only at the start, a closing line only
// when the seeker is ending); then reranked towards the reply most like the other good candidates (a
// minimum-Bayes-risk pick, which is what word-overlap metrics reward) and sampled with a temperature.
// This is a retrieval baseline, not a language model: it can only say what a supporter once said.
//
// The index is sparse and built when the bank is loaded: 20,000 responses cost a few MB, not the
// [N, 512] float matrix of format 1.

import { fnv1a, type ContextTurn } from './features';

/** Function words carry no topic as single words (bigrams keep them: "lost my", "my job"). */
const STOPWORDS = new Set(
  (
    'a an the and or but if so to of in on at for with about from by as is am are was were be been being it its ' +
    "i me my we our you your he she they them their this that these those do does did have has had i'm it's " +
    "just really very not no yes can could would should will don't im that's what how there here all any get got"
  ).split(' '),
);

export const retrievalWords = (text: string): string[] => text.toLowerCase().match(/[a-z0-9]+(?:'[a-z]+)?/g) ?? [];

/** How much each turn counts, from the last (0) backwards: the seeker's latest words matter most. */
export const TURN_WEIGHTS = [1, 0.35, 0.2] as const;
/** A supporter turn in the context counts this much of a seeker turn at the same distance. */
export const SUPPORTER_WEIGHT = 0.5;
/** A bigram counts this much of a unigram. */
export const BIGRAM_WEIGHT = 0.6;
/** BM25's term-frequency saturation and length normalisation. */
export const BM25_K1 = 1.2;
export const BM25_B = 0.75;
/** How much a query term found in the response itself (an echo of the seeker's words) counts, next to one found in its context. */
export const RESPONSE_FIELD_WEIGHT = 0.8;

/** Weighted terms of a context: unigrams (no stopwords) and bigrams of its last turns. */
export function contextTerms(turns: readonly ContextTurn[]): Map<string, number> {
  const terms = new Map<string, number>();
  const recent = turns.slice(-TURN_WEIGHTS.length);
  recent.forEach((t, i) => {
    const w = TURN_WEIGHTS[recent.length - 1 - i]! * (t.speaker === 'seeker' ? 1 : SUPPORTER_WEIGHT);
    addTerms(terms, t.text, w);
  });
  return terms;
}

function addTerms(terms: Map<string, number>, text: string, w: number): void {
  const ws = retrievalWords(text);
  for (let j = 0; j < ws.length; j++) {
    const a = ws[j]!;
    if (!STOPWORDS.has(a)) terms.set(a, (terms.get(a) ?? 0) + w);
    if (j + 1 < ws.length) {
      const b = ws[j + 1]!;
      if (!(STOPWORDS.has(a) && STOPWORDS.has(b))) terms.set(`${a} ${b}`, (terms.get(`${a} ${b}`) ?? 0) + w * BIGRAM_WEIGHT);
    }
  }
}

/** Where a response stood in its dialogue (position features, stored in the bank). */
export interface ResponsePosition {
  /** Supporter turns before it (0: the dialogue's first supporter turn). */
  turn: number;
  /** Supporter turns after it (0: the last one); -1 when the dialogue's end is unknown. */
  fromEnd: number;
}

export interface BankResponse extends ResponsePosition {
  text: string;
  /** Strategy id (0..7). */
  strategy: number;
  /** The turns the response answered, oldest first (the last TURN_WEIGHTS.length are kept). */
  context: ContextTurn[];
}

/**
 * The inverted index, packed: term `t`'s postings in a field are `docs[start[t] .. start[t + 1])` with
 * their weighted counts in `tf` (compressed sparse rows): a few typed arrays for the whole bank instead
 * of small arrays per term.
 */
interface Field {
  start: Int32Array;
  docs: Int32Array;
  tf: Float32Array;
}

export interface BankIndex {
  /** Term hash -> term id. */
  terms: Map<number, number>;
  /** Inverse document frequency of each term over the contexts and responses together. */
  idf: Float64Array;
  context: Field;
  response: Field;
}

/**
 * Terms are keyed by a 32-bit hash, not by their text: hundreds of thousands of bigram strings would
 * be most of the index's memory; a collision merely merges two rare terms.
 */
const termKey = (term: string): number => fnv1a(term);

/** The bank with its sparse BM25 index (two fields: the context, the response). */
export interface ResponseBank {
  texts: string[];
  strategies: Int32Array;
  turns: Int32Array;
  fromEnd: Int32Array;
  /** Metric-like token count of each response (the length prior). */
  lengths: Uint16Array;
  /** 1 for a greeting: a dialogue's first supporter turn, or a response opening with a word typical of those. */
  greeting: Uint8Array;
  /** 1 for a closing line: a dialogue's last supporter turn, or a response opening with a word typical of those. */
  closing: Uint8Array;
  /** The opening words learned from the bank's positions (shown by the bench; tests read them). */
  markers: { greeting: string[]; closing: string[] };
  index: BankIndex;
  length: { context: Float64Array; response: Float64Array; avgContext: number; avgResponse: number };
  /** Median response length in tokens per strategy (the length prior's centre). */
  typicalLength: number[];
}

const metricLike = (text: string): string[] => text.toLowerCase().match(/[a-z0-9]+|'[a-z]+|[^\sa-z0-9]/g) ?? [];

/** A response's first tokens, where a greeting or a farewell shows ("Hi there", "Take care", "Good luck"). */
const OPENING_TOKENS = 3;
const MARKER_RATIO = 8;

/**
 * Words typical of the first tokens of responses at one position (a dialogue's first or last
 * supporter turn) against those well away from it: at least 3 such responses, and at least 8 times
 * as frequent there (MARKER_RATIO, add-one smoothed; function words never). Learned from the bank, so any language or corpus gets its own.
 */
function positionMarkers(tokens: readonly string[][], at: (i: number) => boolean, away: (i: number) => boolean): Set<string> {
  const inside = new Map<string, number>();
  const outside = new Map<string, number>();
  let nIn = 0;
  let nOut = 0;
  tokens.forEach((t, i) => {
    const target = at(i) ? inside : away(i) ? outside : undefined;
    if (!target) return;
    if (target === inside) nIn++;
    else nOut++;
    for (const w of new Set(t.slice(0, OPENING_TOKENS))) if (/^[a-z]/.test(w)) target.set(w, (target.get(w) ?? 0) + 1);
  });
  const markers = new Set<string>();
  for (const [w, c] of inside) {
    if (c >= 3 && !STOPWORDS.has(w) && c / (nIn + 1) >= (MARKER_RATIO * ((outside.get(w) ?? 0) + 1)) / (nOut + 1)) markers.add(w);
  }
  return markers;
}

export function buildBank(responses: readonly BankResponse[]): ResponseBank {
  const n = responses.length;
  // pass 1: every response's terms as (term id, field, weight) runs, counting postings per term and field
  const terms = new Map<number, number>();
  const docOf: number[] = [];
  const termOf: number[] = [];
  const tfOf: number[] = [];
  const fieldOf: number[] = [];
  const counts: [number[], number[]] = [[], []];
  const df: number[] = [];
  const lenC = new Float64Array(n);
  const lenR = new Float64Array(n);
  responses.forEach((r, i) => {
    const t = new Map<string, number>();
    addTerms(t, r.text, 1);
    const seen = new Set<number>();
    ([contextTerms(r.context), t] as const).forEach((fieldTerms, field) => {
      // a hash collision within one response adds up under one id
      const byId = new Map<number, number>();
      for (const [term, tf] of fieldTerms) {
        const key = termKey(term);
        let id = terms.get(key);
        if (id === undefined) {
          terms.set(key, (id = df.length));
          df.push(0);
          counts[0].push(0);
          counts[1].push(0);
        }
        byId.set(id, (byId.get(id) ?? 0) + tf);
        (field === 0 ? lenC : lenR)[i]! += tf;
      }
      for (const [id, tf] of byId) {
        docOf.push(i);
        termOf.push(id);
        tfOf.push(tf);
        fieldOf.push(field);
        counts[field]![id]!++;
        if (!seen.has(id)) {
          seen.add(id);
          df[id]!++;
        }
      }
    });
  });
  // pass 2: prefix sums, then each posting into its place (responses in order, so each run is sorted)
  const pack = (field: 0 | 1): Field => {
    const start = new Int32Array(df.length + 1);
    for (let id = 0; id < df.length; id++) start[id + 1] = start[id]! + counts[field]![id]!;
    const docs = new Int32Array(start[df.length]!);
    const tf = new Float32Array(start[df.length]!);
    const next = start.slice(0, df.length);
    for (let k = 0; k < docOf.length; k++) {
      if (fieldOf[k] !== field) continue;
      const at = next[termOf[k]!]!++;
      docs[at] = docOf[k]!;
      tf[at] = tfOf[k]!;
    }
    return { start, docs, tf };
  };
  const index: BankIndex = {
    terms,
    idf: Float64Array.from(df, (f) => Math.log(1 + (n - f + 0.5) / (f + 0.5))),
    context: pack(0),
    response: pack(1),
  };
  // tokens are needed while building (length prior, position markers), then only their counts
  const tokens = responses.map((r) => metricLike(r.text));
  const typicalLength = Array.from({ length: 8 }, (_, s) => {
    const ls = tokens.filter((_, i) => responses[i]!.strategy === s).map((t) => t.length);
    ls.sort((a, b) => a - b);
    return ls.length ? ls[Math.floor(ls.length / 2)]! : 20;
  });
  const greetingWords = positionMarkers(
    tokens,
    (i) => responses[i]!.turn === 0,
    (i) => responses[i]!.turn >= 2,
  );
  const closingWords = positionMarkers(
    tokens,
    (i) => responses[i]!.fromEnd === 0,
    (i) => responses[i]!.fromEnd >= 2,
  );
  const opensWith = (i: number, markers: Set<string>): boolean => tokens[i]!.slice(0, OPENING_TOKENS).some((t) => markers.has(t));
  const mean = (a: Float64Array): number => (a.length ? a.reduce((x, y) => x + y, 0) / a.length : 1) || 1;
  return {
    texts: responses.map((r) => r.text),
    strategies: Int32Array.from(responses, (r) => r.strategy),
    turns: Int32Array.from(responses, (r) => r.turn),
    fromEnd: Int32Array.from(responses, (r) => r.fromEnd),
    lengths: Uint16Array.from(tokens, (t) => Math.min(t.length, 65535)),
    greeting: Uint8Array.from(responses, (r, i) => (r.turn === 0 || opensWith(i, greetingWords) ? 1 : 0)),
    closing: Uint8Array.from(responses, (r, i) => (r.fromEnd === 0 || opensWith(i, closingWords) ? 1 : 0)),
    markers: { greeting: [...greetingWords].sort(), closing: [...closingWords].sort() },
    index,
    length: { context: lenC, response: lenR, avgContext: mean(lenC), avgResponse: mean(lenR) },
    typicalLength,
  };
}

/** Any strategy: the vanilla joint baseline retrieves across all of them. */
export const ANY_STRATEGY = -1;

/**
 * BM25 relevance of every response to a context, normalised to 0..1: 1 would be a response whose
 * context and text hold every query term as often as BM25 can count (Σ q·idf·(k1+1) over both fields).
 * `responseField` weighs the response's own words (0: the contexts only).
 */
export function relevanceScores(bank: ResponseBank, turns: readonly ContextTurn[], responseField = RESPONSE_FIELD_WEIGHT): Float64Array {
  const n = bank.texts.length;
  const scores = new Float64Array(n);
  const q = contextTerms(turns);
  let max = 0;
  const field = (f: Field, id: number, qw: number, lengths: Float64Array, avg: number, weight: number): void => {
    for (let j = f.start[id]!; j < f.start[id + 1]!; j++) {
      const d = f.docs[j]!;
      const tf = f.tf[j]!;
      scores[d]! += (weight * qw * (tf * (BM25_K1 + 1))) / (tf + BM25_K1 * (1 - BM25_B + (BM25_B * lengths[d]!) / avg));
    }
  };
  for (const [term, w] of q) {
    const id = bank.index.terms.get(termKey(term));
    if (id === undefined) continue;
    const qw = w * bank.index.idf[id]!;
    max += qw * (BM25_K1 + 1) * (1 + responseField);
    field(bank.index.context, id, qw, bank.length.context, bank.length.avgContext, 1);
    if (responseField > 0) field(bank.index.response, id, qw, bank.length.response, bank.length.avgResponse, responseField);
  }
  if (max > 0) for (let i = 0; i < n; i++) scores[i]! /= max;
  return scores;
}

/** Supporter turns in a context: where the reply stands. */
export const supporterTurnsIn = (turns: readonly ContextTurn[]): number => turns.filter((t) => t.speaker === 'supporter').length;

/** Neighbours whose votes decide whether the seeker is ending the conversation. */
const ENDING_NEIGHBOURS = 10;

/**
 * How likely the seeker is closing the conversation: the relevance-weighted share of the most similar
 * bank contexts (by the seeker's latest turn only) that a dialogue's last supporter turn answered.
 * Learned from the bank's positions, not a list of farewells.
 */
export function endingLikelihood(bank: ResponseBank, turns: readonly ContextTurn[]): number {
  const lastSeeker = [...turns].reverse().find((t) => t.speaker === 'seeker');
  if (!lastSeeker || supporterTurnsIn(turns) < 2) return 0;
  // contexts only: a farewell's own words ("take care") say nothing about whether the seeker is leaving
  const rel = relevanceScores(bank, [lastSeeker], 0);
  const top = topIndices(rel, ENDING_NEIGHBOURS, (i) => bank.fromEnd[i]! >= 0 && rel[i]! > 0);
  let ending = 0;
  let total = 0;
  for (const i of top) {
    total += rel[i]!;
    if (bank.fromEnd[i] === 0) ending += rel[i]!;
  }
  return total > 0 ? ending / total : 0;
}

/** Indices of the k highest scores among those `allowed`, best first. */
export function topIndices(scores: ArrayLike<number>, k: number, allowed: (i: number) => boolean): number[] {
  const idx: number[] = [];
  for (let r = 0; r < scores.length; r++) {
    if (!allowed(r)) continue;
    const s = scores[r]!;
    if (idx.length === k && s <= scores[idx[k - 1]!]!) continue;
    let pos = idx.length < k ? idx.length : k - 1;
    if (idx.length < k) idx.push(r);
    while (pos > 0 && scores[idx[pos - 1]!]! < s) {
      idx[pos] = idx[pos - 1]!;
      pos--;
    }
    idx[pos] = r;
  }
  return idx;
}

/** The rerank's settings (the defaults were tuned on the paper's splits; see scripts/bench/embeddedGenerator.ts). */
export interface RerankOptions {
  /** Weight of the relevance (relative to the pool's best). */
  relevance: number;
  /** Candidates kept from BM25 for the rerank. */
  pool: number;
  /** Weight of the candidate's agreement with the other candidates (minimum Bayes risk). */
  consensus: number;
  /** Weight of the length prior (0 at the strategy's typical length, −1 at twice or half of it). */
  lengthPrior: number;
  /** Joint baseline only: weight of the pool's vote for the candidate's strategy. */
  strategyVote: number;
  /** Weight of a query term found in the response itself, next to one found in its context. */
  responseField: number;
}

export const DEFAULT_RERANK: RerankOptions = {
  relevance: 0.5,
  pool: 10,
  consensus: 1,
  lengthPrior: 0.05,
  strategyVote: 0.2,
  responseField: RESPONSE_FIELD_WEIGHT,
};

export interface Candidate {
  index: number;
  text: string;
  strategy: number;
  /** BM25 relevance to the context, 0..1 (what an on-topic check should look at). */
  relevance: number;
  /** The rerank's score (relevance + consensus + length prior): the order candidates are offered in. */
  score: number;
}

/** Unigram F1 of two token lists (the consensus measure; the paper's F1 on these tokens). */
function overlapF1(a: readonly string[], b: readonly string[]): number {
  if (a.length === 0 || b.length === 0) return 0;
  const counts = new Map<string, number>();
  for (const t of b) counts.set(t, (counts.get(t) ?? 0) + 1);
  let overlap = 0;
  for (const t of a) {
    const c = counts.get(t) ?? 0;
    if (c > 0) {
      overlap++;
      counts.set(t, c - 1);
    }
  }
  return overlap === 0 ? 0 : (2 * overlap) / (a.length + b.length);
}

export interface RetrieveOptions {
  /** A strategy id, or ANY_STRATEGY for the joint baseline. */
  strategy: number;
  rerank?: Partial<RerankOptions>;
  /** Texts (trimmed) that must not be offered: said already, or offered for this turn. Left out before the pool is cut, so a 20th regeneration still has a pool to rank. */
  exclude?: ReadonlySet<string>;
}

/**
 * The candidates for a reply, best first: relevant responses of the strategy that fit the position,
 * reranked. Greetings (a dialogue's first supporter turn) only while the supporter has not spoken;
 * closing lines (a dialogue's last supporter turn) only when the seeker seems to be ending.
 */
export function retrieve(bank: ResponseBank, turns: readonly ContextTurn[], opts: RetrieveOptions): Candidate[] {
  const o = { ...DEFAULT_RERANK, ...opts.rerank };
  const rel = relevanceScores(bank, turns, o.responseField);
  const position = supporterTurnsIn(turns);
  const ending = position >= 2 ? endingLikelihood(bank, turns) >= 0.5 : false;
  const strategyFits = (i: number): boolean =>
    (opts.strategy === ANY_STRATEGY || bank.strategies[i] === opts.strategy) && !opts.exclude?.has(bank.texts[i]!.trim());
  // a closing line mid-dialogue ends a conversation the seeker is still having: never, while another exists
  const closingFits = (i: number): boolean => !bank.closing[i] || ending;
  // a greeting is for the start (mid-dialogue it would restart the conversation), and the start wants an opening
  const openingFits = (i: number): boolean => (position > 0 ? !bank.greeting[i] : bank.turns[i]! <= 1);
  let pool = topIndices(rel, o.pool, (i) => strategyFits(i) && closingFits(i) && openingFits(i));
  // a small bank may have nothing that fits the position: relax the opening rule first, then the closing one
  if (pool.length === 0) pool = topIndices(rel, o.pool, (i) => strategyFits(i) && closingFits(i));
  if (pool.length === 0) pool = topIndices(rel, o.pool, strategyFits);
  // relevance enters the score relative to the best in the pool: absolute BM25 values shrink with a long query
  const topRelevance = Math.max(1e-9, ...pool.map((i) => rel[i]!));
  const weights = pool.map((i) => rel[i]! + 1e-3);
  const totalWeight = weights.reduce((a, b) => a + b, 0);
  const tokens = pool.map((i) => metricLike(bank.texts[i]!));
  // the joint baseline scores the strategy too: the relevance-weighted vote of the pool for it
  const vote = new Array<number>(8).fill(0);
  if (opts.strategy === ANY_STRATEGY) pool.forEach((i, k) => (vote[bank.strategies[i]!]! += weights[k]! / totalWeight));
  return pool
    .map((i, m) => {
      let consensus = 0;
      pool.forEach((j, k) => {
        if (j !== i) consensus += weights[k]! * overlapF1(tokens[m]!, tokens[k]!);
      });
      consensus /= totalWeight || 1;
      const typical = bank.typicalLength[bank.strategies[i]!] ?? 20;
      const length = -Math.abs(Math.log2((bank.lengths[i]! + 1) / (typical + 1)));
      return {
        index: i,
        text: bank.texts[i]!,
        strategy: bank.strategies[i]!,
        relevance: rel[i]!,
        score:
          (o.relevance * rel[i]!) / topRelevance +
          o.consensus * consensus +
          o.lengthPrior * length +
          o.strategyVote * vote[bank.strategies[i]!]!,
      };
    })
    .sort((a, b) => b.score - a.score || a.index - b.index);
}

/** Score units per unit of temperature: at 1, a candidate 0.1 below the best is e times less likely. */
export const TEMPERATURE_SCALE = 0.1;

/**
 * One candidate, sampled from softmax(score / (temperature × TEMPERATURE_SCALE)) over those whose text
 * is not in `avoid`; temperature 0 takes the best. Undefined when every candidate is avoided.
 */
export function sampleCandidate(
  candidates: readonly Candidate[],
  opts: { temperature: number; avoid?: ReadonlySet<string>; random?: () => number },
): Candidate | undefined {
  const open = candidates.filter((c) => !opts.avoid?.has(c.text.trim()));
  if (open.length === 0) return undefined;
  if (!(opts.temperature > 0)) return open[0];
  const best = Math.max(...open.map((c) => c.score));
  const w = open.map((c) => Math.exp((c.score - best) / (opts.temperature * TEMPERATURE_SCALE)));
  let u = (opts.random ?? Math.random)() * w.reduce((a, b) => a + b, 0);
  for (let i = 0; i < open.length; i++) {
    u -= w[i]!;
    if (u <= 0) return open[i];
  }
  return open[open.length - 1];
}
