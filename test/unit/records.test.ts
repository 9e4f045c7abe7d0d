import * as assert from 'node:assert/strict';
import { chmodSync, existsSync, readdirSync, readFileSync, statSync, symlinkSync, lstatSync, mkdirSync } from 'node:fs';
import * as path from 'node:path';
import { describe, it } from 'node:test';
import { toGeneratorSft, toPlannerSft, toVanillaSft, type EsconvDialogue } from '../../src/core/convert/esconvToSft';
import { detectFile } from '../../src/core/formats/detect';
import type { DatasetKind } from '../../src/core/formats/kinds';
import {
  generatorPreferenceRecord,
  generatorSftRecords,
  plannerPreferenceRecord,
  plannerSftRecords,
  vanillaSftRecords,
  type SavedRecord,
} from '../../src/core/playground/records';
import { AppendRecordsError, appendRecords } from '../../src/core/dataset/append';
import { generatorRequest, plannerRequest, vanillaRequest } from '../../src/core/dialogue/requests';
import type { DialogueTurn } from '../../src/core/dialogue/types';
import { generatorSystemPrompt, PLANNER_SYSTEM_PROMPT, VANILLA_SYSTEM_PROMPT } from '../../src/core/prompts';
import { sharedData, sharedFile, tempDir, type TempDir } from './helpers';

// The same dialogue as convert.test.ts, as the Playground holds it: a greeting before the seeker
// spoke (skipped; it may lack a strategy), a double supporter turn, and a trailing seeker turn.
const turns: DialogueTurn[] = [
  { speaker: 'supporter', text: 'Hello there' },
  { speaker: 'seeker', text: 'hi' },
  { speaker: 'seeker', text: 'I failed an exam.' },
  { speaker: 'supporter', text: 'Which one?', strategy: 'Question' },
  { speaker: 'supporter', text: 'Take a breath first.', strategy: 'Providing Suggestions' },
  { speaker: 'seeker', text: 'Maths.' },
  { speaker: 'supporter', text: 'That sounds disappointing.', strategy: 'Reflection of feelings' },
  { speaker: 'seeker', text: 'thanks' },
];
const asEsconv: EsconvDialogue = {
  dialog: turns.map((t) => ({ speaker: t.speaker, annotation: t.strategy ? { strategy: t.strategy } : {}, content: t.text })),
};
const SUPPORTER_AT = [3, 4, 6];

const assistant = (content: string) => ({ role: 'assistant' as const, content });

async function kindOf(t: TempDir, name: string, records: readonly SavedRecord[]): Promise<string> {
  return (await detectFile(t.write(name, JSON.stringify(records, null, 2)))).kind;
}

describe('playground records: builders', () => {
  it('vanilla SFT: one record, the whole conversation up to the last supporter turn, same as the ESConv converter', () => {
    const recs = vanillaSftRecords(turns);
    assert.equal(recs.length, 1);
    assert.deepEqual(recs, toVanillaSft([asEsconv]));
    assert.deepEqual(recs[0]!.messages, [
      ...vanillaRequest(turns.slice(0, 6)),
      assistant('[Reflection of feelings] That sounds disappointing.'),
    ]);
    assert.equal(recs[0]!.messages[0]!.content, VANILLA_SYSTEM_PROMPT);
    assert.deepEqual(vanillaSftRecords(turns.slice(0, 3)), [], 'no supporter turn after the seeker: nothing to save');
  });

  it('planner SFT: one record per supporter turn, the flattened history answered with the strategy', () => {
    const recs = plannerSftRecords(turns);
    assert.deepEqual(recs, toPlannerSft([asEsconv]));
    assert.equal(recs.length, 3);
    recs.forEach((r, k) =>
      assert.deepEqual(r.messages, [...plannerRequest(turns.slice(0, SUPPORTER_AT[k])), assistant(turns[SUPPORTER_AT[k]!]!.strategy!)]),
    );
    assert.deepEqual(recs[2]!.messages, [
      { role: 'system', content: PLANNER_SYSTEM_PROMPT },
      { role: 'user', content: 'seeker: hi\nI failed an exam.\nsupporter: Which one?\nsupporter: Take a breath first.\nseeker: Maths.\n' },
      assistant('Reflection of feelings'),
    ]);
  });

  it('generator SFT: one record per supporter turn, the RG prompt of its strategy answered with its text', () => {
    const recs = generatorSftRecords(turns);
    assert.deepEqual(recs, toGeneratorSft([asEsconv]));
    assert.deepEqual(recs[0]!.messages, [...generatorRequest(turns.slice(0, 3), 'Question'), assistant('Which one?')]);
    assert.deepEqual(recs[2]!.messages, [
      ...generatorRequest(turns.slice(0, 6), 'Reflection of feelings'),
      assistant('That sounds disappointing.'),
    ]);
    // the supporter's second turn in a row answers the placeholder user turn " ", as in the released
    // files; generatorRequest itself ends on it, so live requests match the training prompts too
    assert.deepEqual(generatorRequest(turns.slice(0, 4), 'Providing Suggestions').at(-1), { role: 'user', content: ' ' });
    assert.deepEqual(recs[1]!.messages, [
      ...generatorRequest(turns.slice(0, 4), 'Providing Suggestions'),
      assistant('Take a breath first.'),
    ]);
    assert.equal(recs[1]!.messages[0]!.content, generatorSystemPrompt('Providing Suggestions'));
  });

  it('preference pairs in the IPM-PrefDial layout, prompts byte for byte from requests.ts', () => {
    const history = turns.slice(0, 6);
    const sp = plannerPreferenceRecord(history, 'Reflection of feelings', 'Question');
    assert.deepEqual(sp, {
      conversations: plannerRequest(history),
      chosen: assistant('Reflection of feelings'),
      rejected: assistant('Question'),
    });
    const rg = generatorPreferenceRecord(history, 'Reflection of feelings', 'That sounds hard.', 'OK.');
    assert.deepEqual(rg, {
      conversations: generatorRequest(history, 'Reflection of feelings'),
      chosen: assistant('That sounds hard.'),
      rejected: assistant('OK.'),
    });
    assert.deepEqual(Object.keys(rg), ['conversations', 'chosen', 'rejected']);
    // after a supporter turn the prompt still ends on a user turn (the placeholder)
    const afterSupporter = generatorPreferenceRecord(turns.slice(0, 4), 'Question', 'a', 'b');
    assert.deepEqual(afterSupporter.conversations.at(-1), { role: 'user', content: ' ' });
  });

  it('every builder is detected as its own kind by the project detector', async () => {
    const t = tempDir();
    try {
      const history = turns.slice(0, 6);
      assert.equal(await kindOf(t, 'v.json', vanillaSftRecords(turns)), 'sft-vanilla');
      assert.equal(await kindOf(t, 'p.json', plannerSftRecords(turns)), 'sft-planner');
      assert.equal(await kindOf(t, 'g.json', generatorSftRecords(turns)), 'sft-generator');
      assert.equal(await kindOf(t, 'pp.json', [plannerPreferenceRecord(history, 'Question', 'Others')]), 'pref-planner');
      assert.equal(
        await kindOf(t, 'gp.json', [generatorPreferenceRecord(history, 'Question', 'Which subject?', 'Why?')]),
        'pref-generator',
      );
    } finally {
      t.dispose();
    }
  });

  it('refuses what would make a useless or wrong record', () => {
    const history = turns.slice(0, 3);
    assert.throws(() => plannerPreferenceRecord(history, 'Question', 'Question'), /two different strategies/);
    assert.throws(() => generatorPreferenceRecord(history, 'Question', 'Same text', ' Same text\n'), /two different replies/);
    assert.throws(() => generatorPreferenceRecord(history, 'Question', '', 'x'), /non-empty/);
    assert.throws(
      () => plannerPreferenceRecord([{ speaker: 'supporter', text: 'hi', strategy: 'Others' }], 'Question', 'Others'),
      /no seeker turn/,
    );
    assert.throws(() => plannerPreferenceRecord(history, 'Questions' as never, 'Others'), /not one of the eight/);
    const missing: DialogueTurn[] = [...turns.slice(0, 3), { speaker: 'supporter', text: 'typed by hand' }];
    for (const build of [vanillaSftRecords, plannerSftRecords, generatorSftRecords]) {
      assert.throws(() => build(missing), /Turn 4 \(supporter\) has no strategy/);
    }
  });
});

// ---------------------------------------------------------------------------------------------

const vanilla = vanillaSftRecords(turns);
const planner = plannerSftRecords(turns);
const more = vanillaSftRecords(turns.slice(0, 4));

const parse = (file: string): unknown => JSON.parse(readFileSync(file, 'utf8').replace(/^\uFEFF/, ''));
const parseLines = (file: string): unknown[] =>
  readFileSync(file, 'utf8')
    .split('\n')
    .filter((l) => l.trim() !== '')
    .map((l) => JSON.parse(l));

/** Appends and checks the splice: old bytes up to the last record are a prefix, what followed it a suffix. */
async function appendAndCheck(
  t: TempDir,
  name: string,
  original: string,
  added: readonly SavedRecord[],
  kind: DatasetKind,
  lastRecordEnd: number,
): Promise<string> {
  const file = t.write(name, original);
  const res = await appendRecords(file, added, kind);
  const after = readFileSync(file, 'utf8');
  assert.ok(after.startsWith(original.slice(0, lastRecordEnd)), 'old bytes up to the last record are kept');
  assert.ok(after.endsWith(original.slice(lastRecordEnd)), 'what followed the last record is kept at the end');
  assert.equal(res.appended, added.length);
  assert.equal(res.path, path.resolve(file));
  assert.deepEqual(
    readdirSync(t.dir).filter((f) => f.endsWith('.tmp')),
    [],
    'no temporary file left',
  );
  assert.equal((await detectFile(file)).kind, kind);
  return after;
}

describe('playground records: appendRecords', () => {
  it('JSON array, pretty-printed as released (no trailing newline): the result is what a fresh dump would be', async () => {
    const t = tempDir();
    try {
      const original = JSON.stringify(vanilla, null, 2);
      const after = await appendAndCheck(t, 'a.json', original, more, 'sft-vanilla', original.lastIndexOf('}') + 1);
      assert.equal(after, JSON.stringify([...vanilla, ...more], null, 2));
      // with a trailing newline, a 4-space indent, compact, and CRLF line ends: the file's own style is kept
      assert.equal(
        await appendAndCheck(t, 'b.json', original + '\n', more, 'sft-vanilla', original.lastIndexOf('}') + 1),
        JSON.stringify([...vanilla, ...more], null, 2) + '\n',
      );
      const four = JSON.stringify(planner, null, 4);
      assert.equal(
        await appendAndCheck(t, 'c.json', four, planner, 'sft-planner', four.lastIndexOf('}') + 1),
        JSON.stringify([...planner, ...planner], null, 4),
      );
      const compact = JSON.stringify(planner);
      assert.equal(
        await appendAndCheck(t, 'd.json', compact, planner, 'sft-planner', compact.lastIndexOf('}') + 1),
        JSON.stringify([...planner, ...planner]),
      );
      const crlf = JSON.stringify(vanilla, null, 2).replace(/\n/g, '\r\n') + '\r\n';
      const crlfAfter = await appendAndCheck(t, 'e.json', crlf, more, 'sft-vanilla', crlf.lastIndexOf('}') + 1);
      assert.equal(crlfAfter, JSON.stringify([...vanilla, ...more], null, 2).replace(/\n/g, '\r\n') + '\r\n');
      assert.doesNotMatch(crlfAfter.replace(/\r\n/g, ''), /\n/, 'no bare LF in a CRLF file');
    } finally {
      t.dispose();
    }
  });

  it('empty arrays, missing files and zero-byte files get a pretty-printed array', async () => {
    const t = tempDir();
    try {
      for (const [name, text] of [
        ['e1.json', '[]'],
        ['e2.json', '[]\n'],
        ['e3.json', '[\n]\n'],
        ['e4.json', ' [ ] '],
      ] as const) {
        const file = t.write(name, text);
        const res = await appendRecords(file, planner, 'sft-planner');
        assert.deepEqual(res, { path: file, appended: 3, total: 3 });
        const after = readFileSync(file, 'utf8');
        assert.deepEqual(JSON.parse(after), planner);
        assert.ok(after.startsWith(text.slice(0, text.indexOf('[') + 1)) && after.endsWith(text.slice(text.lastIndexOf(']'))), name);
      }
      assert.equal(readFileSync(path.join(t.dir, 'e2.json'), 'utf8'), JSON.stringify(planner, null, 2) + '\n');

      const fresh = path.join(t.dir, 'sub folder', 'new.json');
      assert.deepEqual(await appendRecords(fresh, vanilla, 'sft-vanilla'), { path: fresh, appended: 1, total: 1 });
      assert.equal(readFileSync(fresh, 'utf8'), JSON.stringify(vanilla, null, 2) + '\n');
      assert.deepEqual(await appendRecords(fresh, more, 'sft-vanilla'), { path: fresh, appended: 1, total: 2 });
      assert.deepEqual(parse(fresh), [...vanilla, ...more]);

      const freshLines = path.join(t.dir, 'new.jsonl');
      await appendRecords(freshLines, planner, 'sft-planner');
      assert.equal(readFileSync(freshLines, 'utf8'), planner.map((r) => JSON.stringify(r) + '\n').join(''));

      const zero = t.write('zero.json', '');
      assert.equal((await appendRecords(zero, planner, 'sft-planner')).total, 3);
      assert.deepEqual(parse(zero), planner);
    } finally {
      t.dispose();
    }
  });

  it('JSON Lines (by name, or by content under a .json name), with or without a final newline, CRLF', async () => {
    const t = tempDir();
    try {
      const lines = planner.map((r) => JSON.stringify(r)).join('\n');
      const expected = [...planner, ...planner].map((r) => JSON.stringify(r)).join('\n') + '\n';
      assert.equal(await appendAndCheck(t, 'a.jsonl', lines + '\n', planner, 'sft-planner', lines.length + 1), expected);
      assert.equal(await appendAndCheck(t, 'b.jsonl', lines, planner, 'sft-planner', lines.length), expected);
      assert.equal(
        await appendAndCheck(t, 'c.json', lines + '\n', planner, 'sft-planner', lines.length + 1),
        expected,
        'JSONL content under a .json name stays JSONL',
      );
      const crlf = lines.replace(/\n/g, '\r\n');
      assert.equal(await appendAndCheck(t, 'd.jsonl', crlf, planner, 'sft-planner', crlf.length), expected.replace(/\n/g, '\r\n'));
      const res = await appendRecords(path.join(t.dir, 'a.jsonl'), planner, 'sft-planner');
      assert.equal(res.total, 9);
      assert.deepEqual(parseLines(path.join(t.dir, 'a.jsonl')), [...planner, ...planner, ...planner]);
    } finally {
      t.dispose();
    }
  });

  it(
    'appends to the released vanilla SFT file without changing a byte of it (copy in a temp folder)',
    { skip: sharedData.skip },
    async () => {
      const t = tempDir();
      try {
        const original = readFileSync(sharedFile('ESC_sft_test.json'), 'utf8');
        const oldRecords = JSON.parse(original) as unknown[];
        const accented = vanillaSftRecords([
          { speaker: 'seeker', text: 'Mon fiancé 💔' },
          { speaker: 'supporter', text: 'Désolé.', strategy: 'Others' },
        ]);
        const after = await appendAndCheck(t, 'ESC_sft_test.json', original, accented, 'sft-vanilla', original.lastIndexOf('}') + 1);
        const parsed = JSON.parse(after) as unknown[];
        assert.deepEqual(parsed.slice(0, oldRecords.length), oldRecords);
        assert.deepEqual(parsed.slice(oldRecords.length), accented);
        // the released files are Python json.dump(indent=2) output, non-ASCII escaped: so is the splice
        const pythonStyle = (v: unknown): string =>
          JSON.stringify(v, null, 2).replace(/[\u0080-\uffff]/g, (c) => '\\u' + c.charCodeAt(0).toString(16).padStart(4, '0'));
        assert.equal(original, pythonStyle(oldRecords));
        assert.equal(after, pythonStyle(parsed), 'the splice looks like the rest of the file');
        assert.match(after, /Mon fianc\\u00e9 \\ud83d\\udc94/);
        // a file that holds raw UTF-8 gets raw UTF-8
        const raw = JSON.stringify(accented, null, 2);
        assert.equal(
          await appendAndCheck(t, 'raw.json', raw, accented, 'sft-vanilla', raw.lastIndexOf('}') + 1),
          JSON.stringify([...accented, ...accented], null, 2),
        );
      } finally {
        t.dispose();
      }
    },
  );

  it('keeps the file mode and follows a symbolic link', { skip: process.platform === 'win32' }, async () => {
    const t = tempDir();
    try {
      const file = t.write('mode.json', JSON.stringify(planner, null, 2));
      chmodSync(file, 0o640);
      await appendRecords(file, planner, 'sft-planner');
      assert.equal(statSync(file).mode & 0o777, 0o640);
      const link = path.join(t.dir, 'link.json');
      symlinkSync(file, link);
      assert.equal((await appendRecords(link, planner, 'sft-planner')).total, 9);
      assert.ok(lstatSync(link).isSymbolicLink(), 'the link is still a link');
      assert.equal((parse(file) as unknown[]).length, 9);
    } finally {
      t.dispose();
    }
  });

  it('refuses broken files, non-arrays and files of another kind, leaving them byte-identical and no temp file', async () => {
    const t = tempDir();
    try {
      const good = JSON.stringify(planner, null, 2);
      const cases: [string, string, RegExp][] = [
        ['malformed.json', '[{"messages": [}]', /not a valid JSON array/],
        ['truncated.json', good.slice(0, good.length - 40), /truncated|ends inside/],
        ['trailing-comma.json', good.slice(0, -2) + ',\n]', /Trailing ","/],
        ['object.json', JSON.stringify(planner[0], null, 2), /JSON object, not an array/],
        ['scalar.json', '42', /not an array/],
        ['bad-line.jsonl', JSON.stringify(planner[0]) + '\n{"messages": [\n', /record 2/],
        ['wrong-kind.json', good, /sft-planner.*not .*sft-vanilla/],
        ['not-esc.json', '[{"a": 1}]', /not an ESC dataset/],
      ];
      for (const [name, text, why] of cases) {
        const file = t.write(name, text);
        await assert.rejects(appendRecords(file, vanilla, 'sft-vanilla'), (err: Error) => {
          assert.match(err.message, why, `${name}: ${err.message}`);
          assert.match(err.message, /nothing was written/);
          return true;
        });
        assert.equal(readFileSync(file, 'utf8'), text, `${name} is untouched`);
      }
      // records that are not the kind the caller says
      const ok = t.write('ok.json', good);
      await assert.rejects(appendRecords(ok, vanilla, 'sft-planner'), /records to append are a Vanilla SFT/);
      await assert.rejects(appendRecords(ok, [], 'sft-planner'), /no records/);
      assert.equal(readFileSync(ok, 'utf8'), good);
      assert.deepEqual(readdirSync(t.dir).sort(), [...cases.map((c) => c[0]), 'ok.json'].sort(), 'no temporary files left behind');
    } finally {
      t.dispose();
    }
  });

  it('appends made at the same time to one file all land, one after the other', async () => {
    const t = tempDir();
    try {
      const file = t.write('busy.json', '[]');
      const results = await Promise.all(Array.from({ length: 6 }, () => appendRecords(file, planner, 'sft-planner')));
      assert.deepEqual(
        results.map((r) => r.total).sort((a, b) => a - b),
        [3, 6, 9, 12, 15, 18],
      );
      assert.deepEqual(parse(file), Array.from({ length: 6 }, () => planner).flat());
      assert.deepEqual(readdirSync(t.dir), ['busy.json']);
    } finally {
      t.dispose();
    }
  });

  it(
    'a folder it cannot write to: an AppendRecordsError, the file untouched',
    {
      skip:
        process.platform === 'win32'
          ? 'no POSIX permissions on Windows'
          : process.getuid?.() === 0
            ? 'running as root, which may write into a read-only folder'
            : false,
    },
    async () => {
      const t = tempDir();
      try {
        const text = JSON.stringify(planner, null, 2);
        const file = t.write('locked.json', text);
        chmodSync(t.dir, 0o555);
        try {
          await assert.rejects(
            appendRecords(file, planner, 'sft-planner'),
            (err: Error) => err instanceof AppendRecordsError && /nothing was written/.test(err.message),
          );
        } finally {
          chmodSync(t.dir, 0o755);
        }
        assert.equal(readFileSync(file, 'utf8'), text);
        assert.deepEqual(readdirSync(t.dir), ['locked.json']);
      } finally {
        t.dispose();
      }
    },
  );

  it('paths with spaces, quotes and $() work and run nothing', { skip: process.platform === 'win32' }, async () => {
    const t = tempDir();
    try {
      const dir = path.join(t.dir, `it's a "dir" $(touch pwned-dir)`);
      mkdirSync(dir);
      const file = path.join(dir, `my "saved" 'pairs' $(touch pwned) \`touch pwned2\`.json`);
      const pair = plannerPreferenceRecord(turns.slice(0, 3), 'Question', 'Others');
      assert.equal((await appendRecords(file, [pair], 'pref-planner')).total, 1);
      assert.equal((await appendRecords(file, [pair], 'pref-planner')).total, 2);
      assert.equal((await detectFile(file)).kind, 'pref-planner');
      assert.deepEqual(readdirSync(dir), [path.basename(file)]);
      assert.deepEqual(readdirSync(t.dir), [path.basename(dir)]);
      for (const stray of ['pwned', 'pwned2', 'pwned-dir']) {
        assert.ok(!existsSync(path.join(process.cwd(), stray)) && !existsSync(path.join(dir, stray)), stray);
      }
    } finally {
      t.dispose();
    }
  });
});

describe('live requests, pinned', () => {
  it('the planner and generator requests for a short dialogue, written out literally', () => {
    const dialogue = [
      { speaker: 'seeker' as const, text: 'I failed my exam.' },
      { speaker: 'supporter' as const, text: 'I am sorry to hear that.', strategy: 'Reflection of feelings' as const },
      { speaker: 'seeker' as const, text: 'I studied so hard.' },
    ];
    assert.deepEqual(plannerRequest(dialogue), [
      {
        role: 'system',
        content:
          "You are an emotional strategy identifier. Based on the seeker's questions, as well as the conversation between the seeker and the supporter, please provide the supporter with reference emotional strategies.\nThe strategies include:Question, Restatement or Paraphrasing, Reflection of feelings, Self-disclosure, Affirmation and Reassurance, Providing Suggestions, Information, Others. Specially, your response should consist of only one part: the reply strategy.\nThe conversation is as follows:\n",
      },
      { role: 'user', content: 'seeker: I failed my exam.\nsupporter: I am sorry to hear that.\nseeker: I studied so hard.\n' },
    ]);
    const rg = generatorRequest(dialogue, 'Affirmation and Reassurance');
    assert.ok(
      rg[0]!.content.endsWith(
        'Your current reference response strategy is Affirmation and Reassurance.\nThe conversation is as follows:\n',
      ),
    );
    assert.deepEqual(rg.slice(1), [
      { role: 'user', content: 'I failed my exam.' },
      { role: 'assistant', content: 'I am sorry to hear that.' },
      { role: 'user', content: 'I studied so hard.' },
    ]);
    assert.deepEqual(vanillaRequest(dialogue).slice(1), [
      { role: 'user', content: 'I failed my exam.' },
      { role: 'assistant', content: '[Reflection of feelings] I am sorry to hear that.' },
      { role: 'user', content: 'I studied so hard.' },
    ]);
  });
});
