// wordTokenize() against NLTK 3.8's word_tokenize(text, preserve_line=True), run by
// test/reference/nltk_tokenize.py: every message of the real test split, a few thousand generated
// strings made of the tokenizer's hard cases (quotes, dashes, ellipses, contractions, URLs, astral
// characters, Unicode spaces...), and a few cases worked out by hand, which run without Python.

import * as assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import { wordTokenize } from '../../src/core/eval/tokenize';
import { pythonReference, referenceSkip } from '../reference/python';
import { sharedData } from './helpers';

const SCRIPT = 'nltk_tokenize.py';

/** NLTK's tokens for each text, from one python call. */
async function nltkTokens(texts: readonly string[]): Promise<string[][]> {
  const lines = await pythonReference(
    SCRIPT,
    texts.map((t) => JSON.stringify(t)),
  );
  return lines.map((l) => JSON.parse(l) as string[]);
}

describe('wordTokenize: cases worked out by hand', () => {
  const cases: [string, string[]][] = [
    // NLTK's own doctest for NLTKWordTokenizer.tokenize: a period ends a token only at the end of the text.
    [
      'Good muffins cost $3.88 (roughly 3,36 euros)\nin New York.  Please buy me\ntwo of them.\nThanks.',
      [
        'Good',
        'muffins',
        'cost',
        '$',
        '3.88',
        '(',
        'roughly',
        '3,36',
        'euros',
        ')',
        'in',
        'New',
        'York.',
        'Please',
        'buy',
        'me',
        'two',
        'of',
        'them.',
        'Thanks',
        '.',
      ],
    ],
    ["i can't, won't and cannot.", ['i', 'ca', "n't", ',', 'wo', "n't", 'and', 'can', 'not', '.']],
    ["'cause 'tis gonna be ok... i'd've", ["'cause", "'t", 'is', 'gon', 'na', 'be', 'ok', '...', "i'd", "'ve"]],
    ['"hi" -- she said', ['``', 'hi', "''", '--', 'she', 'said']],
    ['“curly” ‘quotes’ …', ['“', 'curly', '”', '‘', 'quotes', '’', '…']],
    // A trailing "\n" does not stop the final comma or period (Python's `$` matches before it).
    ['well,\n', ['well', ',']],
    ['wanna go\u00a0home?', ['wan', 'na', 'go', 'home', '?']],
    ['', []],
  ];
  for (const [text, expected] of cases) {
    it(JSON.stringify(text), () => assert.deepEqual(wordTokenize(text), expected));
  }
});

type Message = { role: string; content: string };

/** Each user and assistant message of the split, lowercased as the paper does, the assistant's also without its [Strategy] tag. */
function splitTexts(file: string): string[] {
  const records = JSON.parse(readFileSync(file, 'utf8')) as { messages: Message[] }[];
  const texts: string[] = [];
  for (const { messages } of records) {
    for (const { role, content } of messages) {
      if (role === 'user') {
        texts.push(content.toLowerCase());
      } else if (role === 'assistant') {
        texts.push(content.toLowerCase(), content.replace(/^\s*\[[^\]]*\]\s*/, '').toLowerCase());
      }
    }
  }
  return texts;
}

describe('wordTokenize against NLTK on the test split', { skip: referenceSkip || sharedData.skip }, () => {
  it('tokenizes every message of ESC_sft_test.json as NLTK does', async () => {
    const texts = splitTexts(sharedData.file('ESC_sft_test.json'));
    assert.ok(texts.length > 3600, `${texts.length} messages`);
    const expected = await nltkTokens(texts);
    const differing = texts.flatMap((text, i) => {
      const actual = wordTokenize(text);
      return JSON.stringify(actual) === JSON.stringify(expected[i]) ? [] : [{ text, actual, nltk: expected[i] }];
    });
    assert.deepEqual(differing.slice(0, 3), [], `${differing.length} of ${texts.length} messages differ`);
  });
});

/** The pieces the generated texts are made of: what each NLTK regex step is about, and its neighbours. */
const FRAGMENTS = [
  // Contractions (CONTRACTIONS2/3, the clitic split of ENDING_QUOTES, the quote rule of STARTING_QUOTES), in several cases.
  ...["can't", "won't", 'cannot', 'CanNot', 'gonna', 'Gotta', 'gimme', 'lemme', 'wanna', "d'ye", "more'n", "'cause", "'tis", "'Twas"],
  ...["i'd've", "it's", "we're", "they'll", "i'm", "she'd", "don't", "DON'T", "WE'RE", "y'all", "o'clock", "rock'n'roll", "'em", "'n"],
  // Python's (?i) also matches these for 'i' and 's' (and the Kelvin sign, which no pattern uses).
  ...['İ', 'ı', 'ſ', 'K', "'tİs", "'tıs", "'tiſ", 'waſ'],
  // Quotes, straight and curly, backticks, dashes, ellipses.
  ...['"', "'", "''", '``', '`', '```', '“', '”', '‘', '’', '«', '»', '„', '--', '---', '–', '—', '-', '...', '..', '....', '…'],
  // Punctuation NLTK pads, and what it leaves alone.
  ...['.', ',', ':', ';', '?', '!', '?!', '*', '@', '#', '$', '%', '&', '/', '\\', '^', '~', '+', '=', '|', '_'],
  ...['(', ')', '[', ']', '{', '}', '<', '>'],
  // URLs, emails, numbers with commas, dots and colons.
  ...['https://example.com/a?b=c&d=e.', 'www.x.org', 'me@mail.com', 'http://t.co/x,y', 'e.g.', 'U.S.', 'etc.'],
  ...['3.88', '1,000', '3,36', '12:30', '1.', ',5', ':5', '$3.50', '50%', '٣', '１２', '𝟘', '²'],
  // Astral characters: emoji (with modifiers, joiners and flags) and mathematical letters.
  ...['😀', '👍🏽', '👨‍👩‍👧', '🇫🇷', '𝔘', '❤️'],
  // Whitespace: Python's \s and str.split() are not JavaScript's \s (U+001C-1F, U+0085 in; U+FEFF out).
  ...[' ', '  ', '\t', '\n', '\r\n', '\r', '\v', '\f', '\u00a0', '\u2028', '\u3000', '\u202f', '\ufeff', '\x1c', '\x85', '\u200b'],
  // Words.
  ...['a', 'i', 'I', 'hello', 'Hello', 'x', 'is', 'was', 'na', 'not', 're', 've', 'll', 'm', 't', 's', 'd', 'n', 'é', '日本', 'ß', 'Σ'],
];

/** Characters from ranges assigned long before Unicode 14 (the reference's Python), so both sides know their classes. */
const SOME_CHAR = fc
  .constantFrom(
    [0x21, 0x7e],
    [0xa0, 0x24f],
    [0x300, 0x36f],
    [0x370, 0x3ff],
    [0x400, 0x4ff],
    [0x600, 0x6ff],
    [0x2000, 0x206f],
    [0x3000, 0x30ff],
    [0x4e00, 0x4fff],
    [0x1f300, 0x1f64f],
  )
  .chain(([lo, hi]) => fc.integer({ min: lo, max: hi }))
  .map((c) => String.fromCodePoint(c));

const TEXT = fc
  .array(
    fc.tuple(
      fc.oneof({ weight: 6, arbitrary: fc.constantFrom(...FRAGMENTS) }, { weight: 1, arbitrary: SOME_CHAR }),
      fc.constantFrom('', '', ' '),
    ),
    {
      maxLength: 12,
    },
  )
  .map((parts) => parts.map(([fragment, gap]) => fragment + gap).join(''));

const RUNS = 4000;
const SEED = 20261130;

describe('wordTokenize against NLTK on generated hard cases', { skip: referenceSkip }, () => {
  it(`agrees on ${RUNS} generated texts`, async () => {
    // The whole sample goes to python in one call; a text the property meets outside it (while shrinking
    // a counterexample) costs one more call.
    const texts = fc.sample(TEXT, { seed: SEED, numRuns: RUNS });
    const expected = await nltkTokens(texts);
    const reference = new Map(texts.map((t, i) => [t, expected[i]]));
    await fc.assert(
      fc.asyncProperty(TEXT, async (text) => {
        const nltk = reference.get(text) ?? (await nltkTokens([text]))[0];
        assert.deepEqual(wordTokenize(text), nltk);
      }),
      { seed: SEED, numRuns: RUNS },
    );
  });
});
