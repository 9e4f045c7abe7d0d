// A port of NLTK 3.8's word tokenizer: what `nltk.word_tokenize(text, preserve_line=True)` runs, i.e.
// NLTKWordTokenizer.tokenize (nltk/tokenize/destructive.py) without Punkt sentence splitting and with
// convert_parentheses off. The paper's metrics tokenize with `word_tokenize(text.lower())`; the caller
// lowercases. test/unit/evalTokenizer.test.ts checks this port against NLTK itself (every message of
// the test split and a few thousand generated hard cases), through test/reference/nltk_tokenize.py.
//
// The regexes are NLTK's, in NLTK's order, rewritten where Python's `re` and JavaScript differ:
// - `\w`, `\s`, `\d` are Unicode-aware in Python 3 str patterns; JavaScript's are ASCII-only (and its `\s`
//   is another set), so they are spelled out below. `\b` follows Python's `\w`, so it is built from it.
// - Python's `$` (no MULTILINE) also matches before a final "\n"; JavaScript's only at the very end.
// - Python's `(?i)` on these ASCII words also matches 'İ' and 'ı' for 'i' and 'ſ' for 's'; JavaScript's
//   `i` flag does not, and with `u` it would widen the word class (U+0345), so case is spelled out too.
// - `re.sub`'s `\1` and `\g<0>` are `$1` and `$&`; `(?#X)` comments are dropped.
// The classes are Unicode's, so a character assigned after the Unicode version of the reference's Python
// (14.0 for Python 3.11) may be a word character here and not there.

/** Python's `\w` on str: alphanumeric (Unicode letters and numbers) or '_'. */
const W = '[\\p{L}\\p{N}_]';
/** Python's `\s` on str, which is also what `str.split()` splits on (not JavaScript's `\s`: no U+FEFF, plus U+001C-1F and U+0085). */
const S = '[\\t\\n\\v\\f\\r\\x1c-\\x20\\x85\\xa0\\u1680\\u2000-\\u200a\\u2028\\u2029\\u202f\\u205f\\u3000]';
/** Python's `\b`: between a word and a non-word character, the string's ends counting as non-word. */
const B = `(?:(?<=${W})(?!${W})|(?<!${W})(?=${W}))`;
/** Python's `$` without MULTILINE: the end of the string, or just before a newline that ends it. */
const END = '(?=\\n?$)';

/** The characters Python's `(?i)` matches for each letter of the contraction patterns (besides its two cases). */
const FOLDS: Record<string, string> = { i: 'İı', s: 'ſ' };
/** An ASCII word matched as Python's `(?i)` matches it. */
const ci = (word: string): string => [...word].map((c) => (/[a-z]/.test(c) ? `[${c}${c.toUpperCase()}${FOLDS[c] ?? ''}]` : c)).join('');

type Step = readonly [RegExp, string];
const step = (source: string, replacement: string): Step => [new RegExp(source, 'gu'), replacement];

const STARTING_QUOTES: readonly Step[] = [
  step('([«“‘„]|[`]+)', ' $1 '),
  step('^"', '``'),
  step('(``)', ' $1 '),
  step('([ \\(\\[{<])("|\'{2})', '$1 `` '),
  step(`(')(?!${['re', 've', 'll', 'm', 't', 's', 'd', 'n'].map(ci).join('|')})(${W})${B}`, '$1 $2'),
];

const ENDING_QUOTES: readonly Step[] = [
  step('([»”’])', ' $1 '),
  step("''", " '' "),
  step('"', " '' "),
  step("([^' ])('[sS]|'[mM]|'[dD]|') ", '$1 $2 '),
  step("([^' ])('ll|'LL|'re|'RE|'ve|'VE|n't|N'T) ", '$1 $2 '),
];

const PUNCTUATION: readonly Step[] = [
  step(`([^\\.])(\\.)([\\]\\)}>"'»”’ ]*)${S}*${END}`, '$1 $2 $3 '),
  step('([:,])(\\P{Nd})', ' $1 $2'),
  step(`([:,])${END}`, ' $1 '),
  step('\\.{2,}', ' $& '),
  step('[;@#$%&]', ' $& '),
  step(`([^\\.])(\\.)([\\]\\)}>"']*)${S}*${END}`, '$1 $2$3 '),
  step('[?!]', ' $& '),
  step("([^'])' ", "$1 ' "),
  step('[*]', ' $& '),
];

const PARENS_BRACKETS: Step = step('[\\]\\[\\(\\)\\{\\}<>]', ' $& ');
const DOUBLE_DASHES: Step = step('--', ' -- ');

/** MacIntyre's contractions (CONTRACTIONS2 then CONTRACTIONS3; NLTK leaves CONTRACTIONS4 out). */
const CONTRACTIONS: readonly Step[] = [
  ...[
    ['can', 'not'],
    ['d', "'ye"],
    ['gim', 'me'],
    ['gon', 'na'],
    ['got', 'ta'],
    ['lem', 'me'],
    ['more', "'n"],
  ].map(([a, b]) => step(`${B}(${ci(a)})(${ci(b)})${B}`, ' $1 $2 ')),
  step(`${B}(${ci('wan')})(${ci('na')})(?=${S})`, ' $1 $2 '),
  step(` (${ci("'t")})(${ci('is')})${B}`, ' $1 $2 '),
  step(` (${ci("'t")})(${ci('was')})${B}`, ' $1 $2 '),
];

/**
 * The contraction steps with a cheap pre-test: the pattern without its leading \b. Every match of a step
 * matches its test, so a step whose test fails would replace nothing; skipping it saves half the
 * tokenizer's time (a \b lookbehind tried at every position of every text).
 */
const GATED_CONTRACTIONS = CONTRACTIONS.map(
  ([regexp, replacement]) =>
    [regexp, replacement, new RegExp(regexp.source.startsWith(B) ? regexp.source.slice(B.length) : regexp.source, 'u')] as const,
);

const SPLIT = new RegExp(`${S}+`, 'u');

const apply = (text: string, steps: readonly Step[]): string =>
  steps.reduce((t, [regexp, replacement]) => t.replace(regexp, replacement), text);

/** The tokens of `text` as NLTK's `word_tokenize(text, preserve_line=True)` gives them. */
export function wordTokenize(text: string): string[] {
  let t = apply(text, STARTING_QUOTES);
  t = apply(t, PUNCTUATION);
  t = apply(t, [PARENS_BRACKETS, DOUBLE_DASHES]);
  t = apply(` ${t} `, ENDING_QUOTES);
  for (const [regexp, replacement, gate] of GATED_CONTRACTIONS) if (gate.test(t)) t = t.replace(regexp, replacement);
  return t.split(SPLIT).filter((token) => token !== '');
}
