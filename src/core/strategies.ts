// The eight ESConv support strategies: the one place that knows their names, ids, order and colours.
// Order and spelling are interoperability facts (FORMATS.md): trained models emit these exact names.

export const STRATEGIES = [
  'Question',
  'Restatement or Paraphrasing',
  'Reflection of feelings',
  'Self-disclosure',
  'Affirmation and Reassurance',
  'Providing Suggestions',
  'Information',
  'Others',
] as const;

export type Strategy = (typeof STRATEGIES)[number];
export type StrategyId = 0 | 1 | 2 | 3 | 4 | 5 | 6 | 7;

/**
 * One colour per strategy, used by every view (chips, charts) so a strategy looks the same
 * everywhere. Mid-tone hues chosen to stay readable on both light and dark themes.
 */
export const STRATEGY_COLORS: Readonly<Record<Strategy, string>> = {
  Question: '#3b82f6',
  'Restatement or Paraphrasing': '#14b8a6',
  'Reflection of feelings': '#a855f7',
  'Self-disclosure': '#f59e0b',
  'Affirmation and Reassurance': '#22c55e',
  'Providing Suggestions': '#ef4444',
  Information: '#0ea5e9',
  Others: '#94a3b8',
};

/**
 * Labels raw ESConv / FailedESConv carry that are not among the eight. Views show them as they are;
 * conversion maps them with this table and reports how many it mapped.
 */
const OFF_LIST_LABELS: Readonly<Record<string, Strategy>> = {
  'Direct Guidance': 'Providing Suggestions',
  'Approval and Reassurance': 'Affirmation and Reassurance',
  Restatement: 'Restatement or Paraphrasing',
};

export interface NormalizedStrategy {
  strategy: Strategy;
  id: StrategyId;
  /** How the label was recognised: exactly, after case/space/bracket clean-up, or via OFF_LIST_LABELS. */
  match: 'exact' | 'loose' | 'off-list';
}

const canonicalKey = (label: string): string =>
  label
    .trim()
    .replace(/^\[(.*)\]$/s, '$1')
    .trim()
    .toLowerCase()
    .replace(/[\s_-]+/g, ' ');

const LOOSE_INDEX = new Map<string, Strategy>();
for (const s of STRATEGIES) LOOSE_INDEX.set(canonicalKey(s), s);
const OFF_LIST_INDEX = new Map<string, Strategy>();
for (const [label, s] of Object.entries(OFF_LIST_LABELS)) OFF_LIST_INDEX.set(canonicalKey(label), s);

export function isStrategy(label: unknown): label is Strategy {
  return typeof label === 'string' && (STRATEGIES as readonly string[]).includes(label);
}

export function strategyId(strategy: Strategy): StrategyId {
  return STRATEGIES.indexOf(strategy) as StrategyId;
}

/**
 * Maps a label to one of the eight: exact names first, then tolerant of case, surrounding brackets,
 * hyphens/underscores/extra spaces ("self disclosure", "[Question]"), then the off-list ESConv labels.
 * Returns undefined for anything else, so callers can count and report unmapped labels.
 */
export function normalizeStrategy(label: string): NormalizedStrategy | undefined {
  if (isStrategy(label)) return { strategy: label, id: strategyId(label), match: 'exact' };
  const key = canonicalKey(label);
  const loose = LOOSE_INDEX.get(key);
  if (loose) return { strategy: loose, id: strategyId(loose), match: 'loose' };
  const offList = OFF_LIST_INDEX.get(key);
  if (offList) return { strategy: offList, id: strategyId(offList), match: 'off-list' };
  return undefined;
}

/** True for labels that name a strategy, on or off the list (used by detection, which must be tolerant). */
export function isStrategyLabel(label: string): boolean {
  return normalizeStrategy(label) !== undefined;
}

const TAG_RE = /^\s*\[([^\]\n]{1,60})\]\s?/;

/**
 * Splits a vanilla (joint) reply "[Strategy] text" into its tag and text. The tag is returned as
 * written; `normalized` is set when it names a strategy.
 */
export function splitStrategyTag(content: string): { tag: string; text: string; normalized: NormalizedStrategy | undefined } | undefined {
  const m = TAG_RE.exec(content);
  if (!m) return undefined;
  const tag = m[1].trim();
  return { tag, text: content.slice(m[0].length), normalized: normalizeStrategy(tag) };
}
