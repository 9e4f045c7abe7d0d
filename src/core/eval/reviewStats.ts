// The statistics of a blind pairwise review (issue 10 §3): win / tie / loss of run A against run B,
// the two-sided exact sign test, and agreement between annotators (Cohen's kappa for two, Fleiss'
// kappa for three or more). Pure: judgements in, numbers out; reviewSession.ts reads the file.
//
// Every choice here is about which RUN is better ('a' | 'b' | 'tie'), never which screen position: the
// session maps the key pressed (first / second) back to the run before a judgement is stored, so two
// annotators who saw the pair in opposite orders but preferred the same run agree.

/** Which run an annotator preferred. */
export type Choice = 'a' | 'b' | 'tie';
export const CHOICES: readonly Choice[] = ['a', 'b', 'tie'];

/** What the statistics need of a judgement (reviewSession's Judgement has more). */
export interface Verdict {
  item: number;
  annotator: string;
  choice: Choice;
}

/** Wins of run A, ties, and losses of run A (= wins of run B). */
export interface Tally {
  win: number;
  tie: number;
  loss: number;
}

export function tally(choices: Iterable<Choice>): Tally {
  const t: Tally = { win: 0, tie: 0, loss: 0 };
  for (const c of choices) {
    if (c === 'a') t.win++;
    else if (c === 'b') t.loss++;
    else t.tie++;
  }
  return t;
}

/**
 * The two-sided exact sign test of wins against losses (ties dropped): under H0 each untied item is a
 * fair coin, so p = min(1, 2·P(X ≤ min(win, loss))) with X ~ Binomial(win + loss, 1/2). This equals
 * scipy.stats.binomtest(win, win + loss, 0.5).pvalue (the distribution is symmetric). 1 when nothing is
 * untied. Summed in log space: 2^-n underflows a double from n = 1075 (a test split has 1,792 turns).
 */
export function signTest(win: number, loss: number): number {
  const n = win + loss;
  const k = Math.min(win, loss);
  if (n === 0 || 2 * k >= n) return 1;
  // log C(n, i) - n·log 2 for i = 0..k, then a log-sum-exp
  const logs: number[] = [];
  let logC = 0;
  for (let i = 0; i <= k; i++) {
    if (i > 0) logC += Math.log(n - i + 1) - Math.log(i);
    logs.push(logC - n * Math.LN2);
  }
  const max = logs[logs.length - 1]!; // C(n, i) grows with i up to n/2, and k < n/2
  const tail = Math.exp(max) * logs.reduce((s, l) => s + Math.exp(l - max), 0);
  return Math.min(1, 2 * tail);
}

/**
 * Cohen's kappa of two raters over the same items: (po − pe) / (1 − pe), with po the share of items
 * they agree on and pe the agreement their marginal rates would give by chance. NaN when pe = 1 (both
 * used one and the same category throughout: agreement is not measurable), as sklearn's
 * cohen_kappa_score; NaN for no items.
 */
export function cohenKappa<C>(first: readonly C[], second: readonly C[]): number {
  if (first.length !== second.length) throw new Error(`cohenKappa: ${first.length} ratings against ${second.length}`);
  const n = first.length;
  if (n === 0) return NaN;
  const m1 = new Map<C, number>();
  const m2 = new Map<C, number>();
  let agree = 0;
  for (let i = 0; i < n; i++) {
    const x = first[i]!;
    const y = second[i]!;
    if (x === y) agree++;
    m1.set(x, (m1.get(x) ?? 0) + 1);
    m2.set(y, (m2.get(y) ?? 0) + 1);
  }
  const po = agree / n;
  let pe = 0;
  for (const [c, k] of m1) pe += (k / n) * ((m2.get(c) ?? 0) / n);
  return (po - pe) / (1 - pe);
}

/**
 * Fleiss' kappa (1971) from a subjects × categories table of counts, every row summing to the same
 * number of raters n ≥ 2: (P̄ − P̄e) / (1 − P̄e). NaN for no subjects or when P̄e = 1.
 */
export function fleissKappa(counts: readonly (readonly number[])[]): number {
  const N = counts.length;
  if (N === 0) return NaN;
  const n = counts[0]!.reduce((s, x) => s + x, 0);
  if (n < 2) throw new Error(`fleissKappa: needs at least 2 ratings per subject, got ${n}`);
  const k = counts[0]!.length;
  const columns = new Array<number>(k).fill(0);
  let pBar = 0;
  counts.forEach((row, i) => {
    if (row.length !== k || row.reduce((s, x) => s + x, 0) !== n) {
      throw new Error(`fleissKappa: subject ${i} does not have ${n} ratings over ${k} categories`);
    }
    let sq = 0;
    row.forEach((x, j) => {
      sq += x * x;
      columns[j]! += x;
    });
    pBar += (sq - n) / (n * (n - 1));
  });
  pBar /= N;
  const pe = columns.reduce((s, c) => s + (c / (N * n)) ** 2, 0);
  return (pBar - pe) / (1 - pe);
}

/** Agreement between the annotators of a review, over the items every one of them judged. */
export interface Agreement {
  method: 'cohen' | 'fleiss';
  /** NaN when not measurable (no shared items, or one category used throughout). */
  kappa: number;
  /** How many items the kappa is over: those judged by all `annotators`. */
  items: number;
  annotators: string[];
}

export interface ReviewResult {
  /**
   * One verdict per judged item: the majority of its annotators' choices (A, B, or tie when A and B
   * got as many votes). With one annotator, their judgements as they are. Items are what the sign
   * test treats as independent, so several annotators on one item count once.
   */
  items: Tally;
  /** Two-sided exact sign test of `items` (ties dropped). */
  p: number;
  perAnnotator: Record<string, Tally>;
  /** Undefined with fewer than two annotators. */
  agreement?: Agreement;
}

/**
 * The latest verdict per (item, annotator) in, the review's result out. Agreement uses Cohen's kappa
 * for two annotators and Fleiss' kappa for three or more, both over the items judged by EVERY
 * annotator who judged anything (Fleiss' model needs the same number of raters per item; taking the
 * items all of them saw keeps one definition for both methods, and `items` says how many that was).
 */
export function reviewResult(verdicts: readonly Verdict[]): ReviewResult {
  const byItem = new Map<number, Map<string, Choice>>();
  const byAnnotator = new Map<string, Choice[]>();
  for (const v of verdicts) {
    let m = byItem.get(v.item);
    if (!m) byItem.set(v.item, (m = new Map()));
    m.set(v.annotator, v.choice);
  }
  for (const m of byItem.values()) {
    for (const [who, c] of m) {
      let list = byAnnotator.get(who);
      if (!list) byAnnotator.set(who, (list = []));
      list.push(c);
    }
  }
  const majority: Choice[] = [];
  for (const m of byItem.values()) {
    const t = tally(m.values());
    majority.push(t.win > t.loss ? 'a' : t.loss > t.win ? 'b' : 'tie');
  }
  const items = tally(majority);
  const annotators = [...byAnnotator.keys()].sort();
  // no prototype: an annotator may be named anything, "__proto__" included
  const perAnnotator = Object.create(null) as Record<string, Tally>;
  for (const who of annotators) perAnnotator[who] = tally(byAnnotator.get(who)!);
  const result: ReviewResult = { items, p: signTest(items.win, items.loss), perAnnotator };
  if (annotators.length >= 2) {
    const shared = [...byItem.keys()].sort((x, y) => x - y).filter((item) => annotators.every((who) => byItem.get(item)!.has(who)));
    const choiceOf = (item: number, who: string): Choice => byItem.get(item)!.get(who)!;
    const kappa =
      annotators.length === 2
        ? cohenKappa(
            shared.map((item) => choiceOf(item, annotators[0]!)),
            shared.map((item) => choiceOf(item, annotators[1]!)),
          )
        : fleissKappa(shared.map((item) => CHOICES.map((c) => annotators.filter((who) => choiceOf(item, who) === c).length)));
    result.agreement = { method: annotators.length === 2 ? 'cohen' : 'fleiss', kappa, items: shared.length, annotators };
  }
  return result;
}
