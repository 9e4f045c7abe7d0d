// `esc convert esconv` and `esc convert decouple` as a user runs them (real processes, real files), and the
// seeded split they use. Expectations are written here from FORMATS.md §1–3 and §7, independently of the
// code under test: the prompts are literal strings, the records literal arrays, and the decoupled test split
// is rebuilt below from its raw messages by a plain walk (not by core/runs/paperRequests.ts).

import * as assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import * as path from 'node:path';
import { after, describe, it } from 'node:test';
import { detectFile } from '../../src/core/formats/detect';
import { DEFAULT_SPLIT, parseSeed, parseSplit, shuffledIndices, splitIndices, splitSizes } from '../../src/core/prepare/split';
import { mulberry32 } from '../../src/core/util/random';
import { REPO_ROOT, sharedData, sharedFile, tempDir } from './helpers';

const CLI = path.join(REPO_ROOT, 'out', 'src', 'cli.js');
const esc = (...args: string[]): { code: number | null; stdout: string; stderr: string } => {
  const r = spawnSync(process.execPath, [CLI, ...args], { encoding: 'utf8' });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
};
const t = tempDir();
after(() => t.dispose());
let n = 0;
/** A fresh folder path under the temp dir (not created). */
const fresh = (name: string): string => path.join(t.dir, `${name}-${n++}`);
const readJson = (file: string): unknown => JSON.parse(readFileSync(file, 'utf8'));
type Msg = { role: string; content: string };
type Rec = { messages: Msg[] };

// The paper's prompts, byte for byte: vanilla as in the released ESC_sft_*.json, SP and RG from FORMATS.md §3.
const VANILLA =
  "You are a psychologist with a professional background in psychology and mental health, providing empathic responses to help seekers' psychological problems and completing psychological counseling.\nYour response should flow naturally, avoid being too long or too short, avoid using overly instructional language, and make sure your response fits the client's needs and context. Specially, your response should consist of two parts: 1. The reply strategy 2. The corresponding reply content aligned with the strategy. The strategies include:[Question], [Restatement or Paraphrasing], [Reflection of feelings], [Self-disclosure], [Affirmation and Reassurance], [Providing Suggestions], [Information], [Others]. For example, the format of response:[your strategy] your reply content.\nThe conversation is as follows:\n";
const SP =
  "You are an emotional strategy identifier. Based on the seeker's questions, as well as the conversation between the seeker and the supporter, please provide the supporter with reference emotional strategies.\nThe strategies include:Question, Restatement or Paraphrasing, Reflection of feelings, Self-disclosure, Affirmation and Reassurance, Providing Suggestions, Information, Others. Specially, your response should consist of only one part: the reply strategy.\nThe conversation is as follows:\n";
const RG = (strategy: string): string =>
  "You are a psychologist with a professional background in psychology and mental health, providing empathic responses to help seekers' psychological problems and completing psychological counseling.\nYour response should flow naturally, avoid being too long or too short, avoid using overly instructional language, and make sure your response fits the client's needs and context. You will be provided with a reference response strategy, and you are to generate reply content based on that strategy. For example, the format of response: <your reply content>. The strategies include:Question, Restatement or Paraphrasing, Reflection of feelings, Self-disclosure, Affirmation and Reassurance, Providing Suggestions, Information, Others. Your current reference response strategy is {reply_strategy}.\nThe conversation is as follows:\n".replace(
    '{reply_strategy}',
    strategy,
  );

const sys = (content: string): Msg => ({ role: 'system', content });
const user = (content: string): Msg => ({ role: 'user', content });
const bot = (content: string): Msg => ({ role: 'assistant', content });

/** Small dialogues written for these tests: FailedESConv's spelling (speaker/listener, trailing "\n") and ESConv's. */
const DIALOGUES = [
  {
    emotion_type: 'sadness',
    problem_type: 'job crisis',
    situation: 'I lost my job.',
    dialog: [
      { speaker: 'listener', annotation: { strategy: 'Question' }, content: 'Hello, how can I help?\n' },
      { speaker: 'speaker', annotation: {}, content: 'hi\n' },
      { speaker: 'speaker', annotation: {}, content: 'I lost my job. \n' },
      { speaker: 'listener', annotation: { strategy: 'Reflection of feelings' }, content: "  I'm sorry to hear that.\n" },
      { speaker: 'listener', annotation: { strategy: 'Direct Guidance' }, content: 'Maybe update your CV.' },
      { speaker: 'speaker', annotation: { feedback: '4' }, content: 'ok' },
      { speaker: 'listener', annotation: { strategy: 'Approval and Reassurance' }, content: 'You will get through this.\n' },
      { speaker: 'speaker', annotation: {}, content: 'thanks\n' },
    ],
  },
  {
    dialog: [
      { speaker: 'seeker', annotation: {}, content: 'I feel lonely' },
      { speaker: 'supporter', annotation: { strategy: 'Restatement' }, content: 'You feel alone.' },
      { speaker: 'seeker', annotation: {}, content: 'yes' },
      { speaker: 'supporter', annotation: { strategy: 'Question' }, content: 'Since when?' },
    ],
  },
  {
    // the supporter only speaks before the seeker: no sample, reported as skipped
    dialog: [
      { speaker: 'supporter', annotation: { strategy: 'Question' }, content: 'Hi, what brings you here?' },
      { speaker: 'seeker', annotation: {}, content: 'hello' },
    ],
  },
];

describe('the seeded split', () => {
  it('mulberry32 and the Fisher–Yates shuffle are pinned (the same numbers on any machine)', () => {
    const r = mulberry32(42);
    assert.deepEqual([r(), r(), r()], [0.6011037519201636, 0.44829055899754167, 0.8524657934904099]);
    assert.deepEqual(shuffledIndices(10, 42), [0, 7, 3, 5, 2, 1, 8, 9, 4, 6]);
    assert.deepEqual(splitIndices(10, DEFAULT_SPLIT, 42), { train: [0, 1, 2, 3, 5, 7, 8, 9], val: [4], test: [6] });
    assert.deepEqual(splitIndices(10, DEFAULT_SPLIT, 7), { train: [1, 2, 3, 4, 5, 6, 7, 8], val: [9], test: [0] });
    assert.deepEqual(
      splitIndices(196, DEFAULT_SPLIT, 42).test,
      [0, 33, 35, 46, 51, 56, 87, 88, 90, 100, 109, 117, 118, 123, 129, 137, 162, 163, 165],
    );
  });

  it('sizes: floors, then the leftovers to the largest remainders; a share of 0 gets nothing', () => {
    assert.deepEqual(splitSizes(196, DEFAULT_SPLIT), { train: 157, val: 20, test: 19 });
    assert.deepEqual(splitSizes(1300, DEFAULT_SPLIT), { train: 1040, val: 130, test: 130 });
    assert.deepEqual(splitSizes(100, { train: 0.29, val: 0.71, test: 0 }), { train: 29, val: 71, test: 0 });
    assert.deepEqual(splitSizes(5, { train: 0.9, val: 0.1, test: 0 }), { train: 5, val: 0, test: 0 });
    for (const size of [0, 1, 2, 7, 1300]) {
      const s = splitIndices(size, DEFAULT_SPLIT, 3);
      assert.deepEqual(
        [...s.train, ...s.val, ...s.test].sort((a, b) => a - b),
        Array.from({ length: size }, (_, i) => i),
      );
    }
  });

  it('--split and --seed are checked', () => {
    assert.deepEqual(parseSplit('0.7, 0.2, 0.1'), { train: 0.7, val: 0.2, test: 0.1 });
    for (const bad of ['0.8,0.2', '0.5,0.5,0.5', '0,0.5,0.5', 'a,b,c', '0.8,,0.2', '-0.1,0.6,0.5']) {
      assert.throws(() => parseSplit(bad), bad);
    }
    assert.equal(parseSeed('4294967295'), 4294967295);
    for (const bad of ['-1', '1.5', '4294967296', 'x', '']) assert.throws(() => parseSeed(bad), bad);
  });
});

describe('esc convert esconv', () => {
  const input = t.write('small_esconv.json', JSON.stringify(DIALOGUES));

  it('writes vanilla, planner and generator files with the paper prompts, " " placeholders and "\\n" joins', () => {
    const out = fresh('small');
    const r = esc('convert', 'esconv', input, '--out', out, '--split', '1,0,0', '--json');
    assert.equal(r.code, 0, r.stderr);
    assert.deepEqual(readdirSync(out).sort(), ['generator_train.json', 'planner_train.json', 'vanilla_train.json']);
    const vanilla = readJson(path.join(out, 'vanilla_train.json')) as Rec[];
    assert.deepEqual(vanilla, [
      {
        messages: [
          sys(VANILLA),
          user('hi\nI lost my job.'),
          bot("[Reflection of feelings] I'm sorry to hear that."),
          user(' '),
          bot('[Providing Suggestions] Maybe update your CV.'),
          user('ok'),
          bot('[Affirmation and Reassurance] You will get through this.'),
        ],
      },
      {
        messages: [
          sys(VANILLA),
          user('I feel lonely'),
          bot('[Restatement or Paraphrasing] You feel alone.'),
          user('yes'),
          bot('[Question] Since when?'),
        ],
      },
    ]);
    const h1 = 'seeker: hi\nI lost my job.\n';
    const h2 = h1 + "supporter: I'm sorry to hear that.\nseeker:  \n";
    const h3 = h2 + 'supporter: Maybe update your CV.\nseeker: ok\n';
    assert.deepEqual(readJson(path.join(out, 'planner_train.json')), [
      { messages: [sys(SP), user(h1), bot('Reflection of feelings')] },
      { messages: [sys(SP), user(h2), bot('Providing Suggestions')] },
      { messages: [sys(SP), user(h3), bot('Affirmation and Reassurance')] },
      { messages: [sys(SP), user('seeker: I feel lonely\n'), bot('Restatement or Paraphrasing')] },
      { messages: [sys(SP), user('seeker: I feel lonely\nsupporter: You feel alone.\nseeker: yes\n'), bot('Question')] },
    ]);
    const g = readJson(path.join(out, 'generator_train.json')) as Rec[];
    assert.equal(g.length, 5);
    assert.deepEqual(g[1], {
      messages: [
        sys(RG('Providing Suggestions')),
        user('hi\nI lost my job.'),
        bot("I'm sorry to hear that."),
        user(' '),
        bot('Maybe update your CV.'),
      ],
    });
    assert.deepEqual(g[4], {
      messages: [sys(RG('Question')), user('I feel lonely'), bot('You feel alone.'), user('yes'), bot('Since when?')],
    });
    // the summary: counts, mapped labels, skipped dialogues
    const s = JSON.parse(r.stdout) as Record<string, unknown>;
    assert.deepEqual(s.dialogues, { input: 3, converted: 2, train: 2, val: 0, test: 0 });
    assert.equal(s.supporterTurns, 5);
    assert.deepEqual(s.mappedLabels, {
      'Direct Guidance': { to: 'Providing Suggestions', count: 1 },
      'Approval and Reassurance': { to: 'Affirmation and Reassurance', count: 1 },
      Restatement: { to: 'Restatement or Paraphrasing', count: 1 },
    });
    assert.equal(s.mappedTotal, 3);
    assert.deepEqual(s.skipped, [{ dialogue: 2, why: "every supporter turn comes before the seeker's first turn" }]);
    assert.deepEqual(s.dropped, { leadingSupporterTurns: 2, trailingSeekerTurns: 2 });
    assert.deepEqual(
      (s.files as { path: string; records: number; kind: string }[]).map((f) => [path.basename(f.path), f.kind, f.records]),
      [
        ['vanilla_train.json', 'sft-vanilla', 2],
        ['planner_train.json', 'sft-planner', 5],
        ['generator_train.json', 'sft-generator', 5],
      ],
    );
  });

  it('prints the mapped labels with their count in the text summary too', () => {
    const r = esc('convert', 'esconv', input, '--out', fresh('text'));
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stdout, /Off-list strategy labels mapped: 3 \(/);
    assert.match(r.stdout, /1 "Direct Guidance" → "Providing Suggestions"/);
    assert.match(r.stdout, /Skipped 1 dialogue\(s\): 2 \(/);
  });

  it('--layout trl writes the same records as JSON Lines (TRL conversational {"messages"})', () => {
    const a = fresh('sharegpt');
    const b = fresh('trl');
    assert.equal(esc('convert', 'esconv', input, '--out', a, '--split', '1,0,0').code, 0);
    assert.equal(esc('convert', 'esconv', input, '--out', b, '--split', '1,0,0', '--layout', 'trl').code, 0);
    assert.deepEqual(readdirSync(b).sort(), ['generator_train.jsonl', 'planner_train.jsonl', 'vanilla_train.jsonl']);
    for (const role of ['vanilla', 'planner', 'generator']) {
      const lines = readFileSync(path.join(b, `${role}_train.jsonl`), 'utf8')
        .trimEnd()
        .split('\n');
      assert.deepEqual(
        lines.map((l) => JSON.parse(l) as unknown),
        readJson(path.join(a, `${role}_train.json`)),
      );
    }
    // --format overrides the layout's default
    const c = fresh('trljson');
    assert.equal(esc('convert', 'esconv', input, '--out', c, '--split', '1,0,0', '--layout', 'trl', '--format', 'json').code, 0);
    assert.ok(existsSync(path.join(c, 'vanilla_train.json')));
  });

  it('refuses an output folder that holds files it would write (nothing written), accepts other files, replaces with --force', () => {
    const out = fresh('busy');
    mkdirSync(out);
    writeFileSync(path.join(out, 'notes.txt'), 'mine');
    writeFileSync(path.join(out, 'planner_train.json'), 'KEEP');
    const r = esc('convert', 'esconv', input, '--out', out, '--split', '1,0,0');
    assert.equal(r.code, 2);
    assert.match(r.stderr, /already holds planner_train\.json; nothing was written .*--force/);
    assert.equal(r.stderr.trim().split('\n').length, 1);
    assert.deepEqual(readdirSync(out).sort(), ['notes.txt', 'planner_train.json']);
    assert.equal(readFileSync(path.join(out, 'planner_train.json'), 'utf8'), 'KEEP');
    const forced = esc('convert', 'esconv', input, '--out', out, '--split', '1,0,0', '--force');
    assert.equal(forced.code, 0, forced.stderr);
    assert.equal((readJson(path.join(out, 'planner_train.json')) as unknown[]).length, 5);
    assert.equal(readFileSync(path.join(out, 'notes.txt'), 'utf8'), 'mine');
    // a folder with unrelated files only is fine
    const other = fresh('other');
    mkdirSync(other);
    writeFileSync(path.join(other, 'README'), 'x');
    assert.equal(esc('convert', 'esconv', input, '--out', other, '--split', '1,0,0').code, 0);
    // --out naming a file
    const file = t.write('not-a-folder', 'x');
    const f = esc('convert', 'esconv', input, '--out', file);
    assert.equal(f.code, 2);
    assert.match(f.stderr, /is a file, not a folder/);
  });

  it('--register merges one entry per file into dataset_info.json, never clobbering', () => {
    const root = fresh('lf');
    mkdirSync(root);
    const info = path.join(root, 'dataset_info.json');
    const alpaca = { file_name: 'alpaca_en.json', columns: { prompt: 'instruction', response: 'output' } };
    writeFileSync(info, JSON.stringify({ alpaca_en: alpaca }, null, 2));
    const out = path.join(root, 'prepared');
    const r = esc('convert', 'esconv', input, '--out', out, '--split', '0.5,0.5,0', '--register', info, '--json');
    assert.equal(r.code, 0, r.stderr);
    const merged = readJson(info) as Record<string, unknown>;
    assert.deepEqual(Object.keys(merged), [
      'alpaca_en',
      'vanilla_train',
      'planner_train',
      'generator_train',
      'vanilla_val',
      'planner_val',
      'generator_val',
    ]);
    assert.deepEqual(merged.alpaca_en, alpaca);
    assert.deepEqual(merged.planner_val, {
      file_name: 'prepared/planner_val.json',
      formatting: 'sharegpt',
      columns: { messages: 'messages' },
      tags: { role_tag: 'role', content_tag: 'content', user_tag: 'user', assistant_tag: 'assistant', system_tag: 'system' },
    });
    assert.deepEqual((JSON.parse(r.stdout) as { registered: unknown }).registered, {
      file: info,
      entries: ['vanilla_train', 'planner_train', 'generator_train', 'vanilla_val', 'planner_val', 'generator_val'],
    });
    // the same names for the same files: a rerun (--force for the data files) keeps the entries in place
    assert.equal(esc('convert', 'esconv', input, '--out', out, '--split', '0.5,0.5,0', '--register', info, '--force').code, 0);
    assert.deepEqual(readJson(info), merged);
    // an entry of the same name for another file: refused, nothing written
    const elsewhere = fresh('elsewhere');
    const before = readFileSync(info, 'utf8');
    const c = esc('convert', 'esconv', input, '--out', elsewhere, '--split', '0.5,0.5,0', '--register', info);
    assert.equal(c.code, 2);
    assert.match(c.stderr, /already has "vanilla_train", .* for other files; nothing was written .*--force-register/);
    assert.equal(readFileSync(info, 'utf8'), before);
    assert.equal(existsSync(elsewhere), false);
    // --force replaces files in --out, never repoints someone's entries: refused, nothing written
    const f = esc('convert', 'esconv', input, '--out', elsewhere, '--split', '0.5,0.5,0', '--register', info, '--force');
    assert.equal(f.code, 2);
    assert.match(f.stderr, /already has "vanilla_train", .* for other files; nothing was written/);
    assert.equal(readFileSync(info, 'utf8'), before);
    assert.equal(existsSync(elsewhere), false);
    // --force-register repoints them
    const moved = fresh('moved');
    const rp = esc('convert', 'esconv', input, '--out', moved, '--split', '0.5,0.5,0', '--register', info, '--force-register');
    assert.equal(rp.code, 0, rp.stderr);
    const repointed = readJson(info) as Record<string, { file_name: string }>;
    assert.equal(repointed.vanilla_train!.file_name, path.relative(root, path.join(moved, 'vanilla_train.json')).split(path.sep).join('/'));
    assert.deepEqual(repointed.alpaca_en, alpaca);
    writeFileSync(info, before);
    // a dataset_info.json that is not JSON: refused (exit 1), nothing written
    const broken = t.write('broken_info.json', '{"a": ');
    const b = esc('convert', 'esconv', input, '--out', elsewhere, '--register', broken);
    assert.equal(b.code, 1);
    assert.match(b.stderr, /not valid JSON.*left untouched/);
    assert.equal(readFileSync(broken, 'utf8'), '{"a": ');
    assert.equal(existsSync(elsewhere), false);
    // a new dataset_info.json is created
    const created = path.join(fresh('newinfo'), 'dataset_info.json');
    assert.equal(esc('convert', 'esconv', input, '--out', path.join(path.dirname(created), 'data'), '--register', created).code, 0);
    assert.equal((readJson(created) as Record<string, { file_name: string }>).vanilla_train!.file_name, 'data/vanilla_train.json');
  });

  it('--register into a dataset_info.json holding only whitespace: treated as empty, as mergeDatasetInfo reads it', () => {
    for (const blank of ['\n', '  \n\t\n', '\ufeff\n']) {
      const root = fresh('blankinfo');
      mkdirSync(root);
      const info = path.join(root, 'dataset_info.json');
      writeFileSync(info, blank);
      const r = esc('convert', 'esconv', input, '--out', path.join(root, 'p'), '--split', '1,0,0', '--register', info);
      assert.equal(r.code, 0, r.stderr);
      assert.deepEqual(Object.keys(readJson(info) as object), ['vanilla_train', 'planner_train', 'generator_train']);
    }
  });

  it('loosely written labels ("question", "self_disclosure", "[Others]") are mapped and counted, printed in both summaries', () => {
    const loose = t.write(
      'loose_esconv.json',
      JSON.stringify([
        {
          dialog: [
            { speaker: 'seeker', content: 'I feel low' },
            { speaker: 'supporter', annotation: { strategy: 'question' }, content: 'Why?' },
            { speaker: 'seeker', content: 'work' },
            { speaker: 'supporter', annotation: { strategy: 'self_disclosure' }, content: 'Me too once.' },
            { speaker: 'seeker', content: 'ok' },
            { speaker: 'supporter', annotation: { strategy: '[Others]' }, content: 'Take care.' },
            { speaker: 'seeker', content: 'bye' },
            { speaker: 'supporter', annotation: { strategy: 'Question' }, content: 'Better?' },
          ],
        },
      ]),
    );
    const r = esc('convert', 'esconv', loose, '--out', fresh('loose'), '--split', '1,0,0', '--json');
    assert.equal(r.code, 0, r.stderr);
    const s = JSON.parse(r.stdout) as { mappedLabels: unknown; mappedTotal: number };
    assert.deepEqual(s.mappedLabels, {
      question: { to: 'Question', count: 1 },
      self_disclosure: { to: 'Self-disclosure', count: 1 },
      '[Others]': { to: 'Others', count: 1 },
    });
    assert.equal(s.mappedTotal, 3);
    const text = esc('convert', 'esconv', loose, '--out', fresh('loosetext'), '--split', '1,0,0');
    assert.equal(text.code, 0, text.stderr);
    assert.match(
      text.stdout,
      /labels mapped: 3 \(1 "question" → "Question", 1 "self_disclosure" → "Self-disclosure", 1 "\[Others\]" → "Others"\)/,
    );
  });

  it('bad ESConv input: one line naming the dialogue and the field, exit 1, nothing written', () => {
    const ok = DIALOGUES[1]!;
    const cases: [string, string, RegExp][] = [
      ['missing dialog', JSON.stringify([ok, { emotion_type: 'fear' }]), /dialogue 1 \.dialog: missing field "dialog"/],
      [
        'unknown speaker',
        JSON.stringify([ok, { dialog: [...ok.dialog.slice(0, 2), { speaker: 'therapist', content: 'x' }] }]),
        /dialogue 1 \.dialog\[2\]\.speaker: .*"seeker"\|"supporter"\|"speaker"\|"listener"/,
      ],
      ['empty dialogue', JSON.stringify([ok, ok, { dialog: [] }]), /dialogue 2 \.dialog: the dialogue has no turns/],
      [
        'no supporter turn',
        JSON.stringify([{ dialog: [{ speaker: 'seeker', content: 'anyone?' }] }]),
        /dialogue 0 \.dialog: no supporter turn/,
      ],
      [
        'missing content',
        JSON.stringify([{ dialog: [{ speaker: 'seeker' }] }]),
        /dialogue 0 \.dialog\[0\]\.content: missing field "content"/,
      ],
      [
        'missing strategy',
        JSON.stringify([
          {
            dialog: [
              { speaker: 'seeker', content: 'hi' },
              { speaker: 'supporter', content: 'hello' },
            ],
          },
        ]),
        /dialogue 0 \.dialog\[1\]\.annotation\.strategy: a supporter turn needs annotation\.strategy/,
      ],
      [
        'unknown label',
        JSON.stringify([
          {
            dialog: [
              { speaker: 'seeker', content: 'hi' },
              { speaker: 'supporter', annotation: { strategy: 'Hugging' }, content: ':)' },
            ],
          },
        ]),
        /dialogue 0 \.dialog\[1\]\.annotation\.strategy: "Hugging" is neither one of the eight/,
      ],
      ['wrong JSON', '[{"dialog": [', /not valid JSON/],
      ['not an array', JSON.stringify({ dialog: [] }), /top level must be a JSON array of dialogues/],
      ['no dialogues', '[]', /holds no dialogues/],
      [
        'a vanilla file',
        JSON.stringify([{ messages: [sys(VANILLA), user('hi'), bot('[Question] why?')] }]),
        /dialogue 0 \.dialog: missing field/,
      ],
    ];
    for (const [name, text, message] of cases) {
      const file = t.write(`bad_${name.replace(/ /g, '_')}.json`, text);
      const out = fresh('bad');
      const r = esc('convert', 'esconv', file, '--out', out);
      assert.equal(r.code, 1, `${name}: ${r.stderr}`);
      assert.match(r.stderr, message, name);
      assert.equal(r.stderr.trim().split('\n').length, 1, `${name}: one line`);
      assert.doesNotMatch(r.stderr, /\n\s+at /, `${name}: no stack trace`);
      assert.equal(existsSync(out), false, `${name}: nothing written`);
    }
  });

  it('usage errors exit 2 with one line', () => {
    const cases: [string[], RegExp][] = [
      [['convert'], /say what to convert/],
      [['convert', 'alpaca', input, '--out', 'x'], /unknown conversion "alpaca"/],
      [['convert', 'esconv', input], /--out <dir> is required/],
      [['convert', 'esconv', path.join(t.dir, 'missing.json'), '--out', 'x'], /no such file/],
      [['convert', 'esconv', input, '--out', 'x', '--split', '0.5,0.5,0.5'], /must sum to 1/],
      [['convert', 'esconv', input, '--out', 'x', '--seed=-3'], /seed must be a whole number/],
      [['convert', 'esconv', input, '--out', 'x', '--format', 'csv'], /--format must be json or jsonl/],
      [['convert', 'esconv', input, '--out', 'x', '--layout', 'alpaca'], /--layout must be sharegpt or trl/],
      [['convert', 'decouple', input, '--out', 'x', '--seed', '1'], /--seed applies to esc convert esconv only/],
    ];
    for (const [args, message] of cases) {
      const r = esc(...args);
      assert.equal(r.code, 2, `${args.join(' ')}: ${r.stderr}`);
      assert.match(r.stderr, message);
      assert.doesNotMatch(r.stderr, /\n\s+at /);
    }
    assert.equal(existsSync(path.join(REPO_ROOT, 'x')), false);
  });

  it('the same seed gives byte-identical files; another seed another split', () => {
    const [a, b, c] = [fresh('seed'), fresh('seed'), fresh('seed')];
    const big = t.write(
      'many.json',
      JSON.stringify(
        Array.from({ length: 40 }, (_, i) => ({ dialog: [{ speaker: 'seeker', content: `d${i}` }, ...DIALOGUES[1]!.dialog.slice(1)] })),
      ),
    );
    assert.equal(esc('convert', 'esconv', big, '--out', a, '--seed', '42').code, 0);
    assert.equal(esc('convert', 'esconv', big, '--out', b, '--seed', '42').code, 0);
    assert.equal(esc('convert', 'esconv', big, '--out', c, '--seed', '43').code, 0);
    for (const f of readdirSync(a)) assert.equal(readFileSync(path.join(a, f), 'utf8'), readFileSync(path.join(b, f), 'utf8'), f);
    assert.notEqual(readFileSync(path.join(a, 'vanilla_test.json'), 'utf8'), readFileSync(path.join(c, 'vanilla_test.json'), 'utf8'));
    // seed 42 over 40 dialogues: pinned (each dialogue's first seeker line is "d<index>")
    const firstLines = (dir: string, split: string): string[] =>
      (readJson(path.join(dir, `vanilla_${split}.json`)) as Rec[]).map((r) => r.messages[1]!.content.split('\n')[0]!);
    const expected = splitIndices(40, DEFAULT_SPLIT, 42);
    assert.deepEqual(
      firstLines(a, 'test'),
      expected.test.map((i) => `d${i}`),
    );
    assert.deepEqual(
      firstLines(a, 'val'),
      expected.val.map((i) => `d${i}`),
    );
    assert.deepEqual(expected.test, [17, 24, 32, 39]);
  });
});

describe('esc convert on the real data', { skip: sharedData.skip }, () => {
  it("the vanilla prompt above is the released files' one", () => {
    const test = readJson(sharedFile('ESC_sft_test.json')) as Rec[];
    assert.equal(test[0]!.messages[0]!.content, VANILLA);
  });

  it('FailedESConv: the pinned split, the kinds, labels mapped and counted; its planner/generator files are decouple(vanilla)', async () => {
    const src = sharedFile('FailedESConv.json');
    const out = fresh('failed');
    const r = esc('convert', 'esconv', src, '--out', out, '--json');
    assert.equal(r.code, 0, r.stderr);
    const s = JSON.parse(r.stdout) as {
      dialogues: unknown;
      mappedLabels: Record<string, { count: number }>;
      files: { path: string; kind: string }[];
    };
    assert.deepEqual(s.dialogues, { input: 196, converted: 196, train: 157, val: 20, test: 19 });
    // every off-list label of a turn that becomes a sample, counted by a plain walk of the raw file
    const raw = readJson(src) as { dialog: { speaker: string; annotation?: { strategy?: string } }[] }[];
    const expected: Record<string, number> = {};
    for (const d of raw) {
      const first = d.dialog.findIndex((x) => x.speaker === 'speaker');
      d.dialog.forEach((x, i) => {
        const label = x.annotation?.strategy ?? '';
        if (first >= 0 && i > first && ['Direct Guidance', 'Approval and Reassurance', 'Restatement'].includes(label)) {
          expected[label] = (expected[label] ?? 0) + 1;
        }
      });
    }
    assert.deepEqual(Object.fromEntries(Object.entries(s.mappedLabels).map(([k, v]) => [k, v.count])), expected);
    for (const f of s.files) assert.equal((await detectFile(f.path)).kind, f.kind, f.path);
    // the test split is the pinned dialogues: its records open with their first seeker words
    const test = readJson(path.join(out, 'vanilla_test.json')) as Rec[];
    const pinned = [0, 33, 35, 46, 51, 56, 87, 88, 90, 100, 109, 117, 118, 123, 129, 137, 162, 163, 165];
    assert.deepEqual(
      test.map((rec) => rec.messages[1]!.content.split('\n')[0]!.trim()),
      pinned
        .map((i) => raw[i]!.dialog.find((x) => x.speaker === 'speaker')! as unknown as { content: string })
        .map((x) => x.content.trim()),
    );
    // no message begins or ends with whitespace (placeholders aside), as in the released files
    for (const role of ['vanilla', 'planner', 'generator']) {
      for (const rec of readJson(path.join(out, `${role}_train.json`)) as Rec[]) {
        for (const m of rec.messages.slice(1)) {
          if (m.role === 'user' && role === 'planner') continue; // the flattened history ends in "\n"
          assert.ok(m.content === ' ' || m.content === m.content.trim(), `${role}: ${JSON.stringify(m.content.slice(0, 40))}`);
        }
      }
    }
    // decouple of the vanilla file gives the same planner and generator files, byte for byte
    const dec = fresh('dec');
    assert.equal(esc('convert', 'decouple', path.join(out, 'vanilla_train.json'), '--out', dec).code, 0);
    for (const role of ['planner', 'generator']) {
      assert.equal(readFileSync(path.join(dec, `${role}_train.json`), 'utf8'), readFileSync(path.join(out, `${role}_train.json`), 'utf8'));
    }
  });

  it('decouple on the released test split: the §7 requests plus the gold answer, record for record', () => {
    const src = sharedFile('ESC_sft_test.json');
    const out = fresh('decouple');
    const r = esc('convert', 'decouple', src, '--out', out, '--json');
    assert.equal(r.code, 0, r.stderr);
    assert.deepEqual(readdirSync(out).sort(), ['ESC_sft_test_generator.json', 'ESC_sft_test_planner.json']);
    // the expectation, from FORMATS.md §7 by hand: strategy = between the first "[" and the first "]",
    // response = after the first "]", stripped; the history is every message before the turn
    const strategyOf = (c: string): string => c.slice(c.indexOf('[') + 1, c.indexOf(']'));
    const responseOf = (c: string): string => c.slice(c.indexOf(']') + 1).trim();
    const planner: Rec[] = [];
    const generator: Rec[] = [];
    for (const rec of readJson(src) as Rec[]) {
      rec.messages.forEach((m, k) => {
        if (m.role !== 'assistant') return;
        const history = rec.messages.slice(1, k);
        let flat = '';
        for (const h of history) flat += h.role === 'user' ? `seeker: ${h.content}\n` : `supporter: ${responseOf(h.content)}\n`;
        planner.push({ messages: [sys(SP), user(flat), bot(strategyOf(m.content))] });
        generator.push({
          messages: [
            sys(RG(strategyOf(m.content))),
            ...history.map((h) => (h.role === 'user' ? user(h.content) : bot(responseOf(h.content)))),
            bot(responseOf(m.content)),
          ],
        });
      });
    }
    assert.ok(planner.length > 1700, `${planner.length} supporter turns`);
    assert.ok(
      planner.some((p) => p.messages[1]!.content.includes('seeker:  \n')),
      'the test split has placeholder turns',
    );
    assert.deepEqual(readJson(path.join(out, 'ESC_sft_test_planner.json')), planner);
    assert.deepEqual(readJson(path.join(out, 'ESC_sft_test_generator.json')), generator);
    const s = JSON.parse(r.stdout) as { records: number; supporterTurns: number };
    assert.deepEqual([s.records, s.supporterTurns], [130, planner.length]);
  });
});

describe('esc convert decouple: bad input', () => {
  it('a file that is not vanilla SFT: one line, exit 1, nothing written', () => {
    const cases: [string, string, RegExp][] = [
      [
        'planner',
        JSON.stringify([{ messages: [sys(SP), user('seeker: hi\n'), bot('Question')] }]),
        /record 0 has the planner \(SP\) system prompt: this is a planner SFT file/,
      ],
      ['untagged', JSON.stringify([{ messages: [sys(VANILLA), user('hi'), bot('why?')] }]), /record 0 message 2: .*no "\[Strategy\] " tag/],
      ['esconv', JSON.stringify(DIALOGUES), /record 0 is not a vanilla SFT record .*no "messages" list/],
      ['broken', '[{"messages": [', /byte \d+/],
    ];
    for (const [name, text, message] of cases) {
      const out = fresh('dbad');
      const r = esc('convert', 'decouple', t.write(`dbad_${name}.json`, text), '--out', out);
      assert.equal(r.code, 1, `${name}: ${r.stderr}`);
      assert.match(r.stderr, message, name);
      assert.equal(r.stderr.trim().split('\n').length, 1, name);
      assert.equal(existsSync(out), false, name);
    }
  });
});
