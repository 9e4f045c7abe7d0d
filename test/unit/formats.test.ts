// Detection and validation on the real files, on every layout variant FORMATS.md names, and on
// broken copies: each gets the right kind, or a precise problem.

import * as assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import * as path from 'node:path';
import { after, describe, it } from 'node:test';
import { detectFile } from '../../src/core/formats/detect';
import { validateFile } from '../../src/core/dataset/validate';
import { checkRecord } from '../../src/core/formats/schemas';
import { classifyRecord } from '../../src/core/formats/classify';
import { generatorSystemPrompt, PLANNER_SYSTEM_PROMPT, VANILLA_SYSTEM_PROMPT } from '../../src/core/prompts';
import { DEMO_DATA, sharedData, sharedFile, tempDir } from './helpers';

type Msg = { role: string; content: string };
const t = tempDir();
after(() => t.dispose());

// valid vanilla SFT records to break on purpose: our own demo data, so these tests need no ../shared
const demoSft = (): { messages: Msg[] }[] => JSON.parse(readFileSync(path.join(DEMO_DATA, 'sft_vanilla_demo.json'), 'utf8'));

describe('detection', () => {
  it('names the real files', { skip: sharedData.skip }, async () => {
    assert.equal((await detectFile(sharedFile('ESC_sft_test.json'))).kind, 'sft-vanilla');
    assert.equal((await detectFile(sharedFile('ESC_sft_val.json'))).kind, 'sft-vanilla');
    const esconv = await detectFile(sharedFile('FailedESConv.json'));
    assert.equal(esconv.kind, 'esconv');
    assert.equal(esconv.container, 'json-array');
    assert.equal(esconv.sampled, 50, 'only the head is sampled');
  });

  const planner: Msg[] = [
    { role: 'system', content: PLANNER_SYSTEM_PROMPT },
    { role: 'user', content: 'seeker: I lost my job.\n' },
  ];
  const generator: Msg[] = [
    { role: 'system', content: generatorSystemPrompt('Question') },
    { role: 'user', content: 'I lost my job.' },
  ];
  const cases: [string, unknown, string][] = [
    ['SP SFT', { messages: [...planner, { role: 'assistant', content: 'Question' }] }, 'sft-planner'],
    ['RG SFT', { messages: [...generator, { role: 'assistant', content: 'What happened?' }] }, 'sft-generator'],
    [
      'vanilla SFT without system prompt',
      {
        messages: [
          { role: 'user', content: 'hi' },
          { role: 'assistant', content: '[Question] How are you?' },
        ],
      },
      'sft-vanilla',
    ],
    [
      'SP pair',
      { conversations: planner, chosen: { role: 'assistant', content: 'Question' }, rejected: { role: 'assistant', content: 'Others' } },
      'pref-planner',
    ],
    [
      'RG pair',
      {
        conversations: generator,
        chosen: { role: 'assistant', content: 'What happened?' },
        rejected: { role: 'assistant', content: 'Okay.' },
      },
      'pref-generator',
    ],
    [
      'VM pair',
      {
        conversations: [
          { role: 'system', content: VANILLA_SYSTEM_PROMPT },
          { role: 'user', content: 'hi' },
        ],
        chosen: { role: 'assistant', content: '[Question] Why?' },
        rejected: { role: 'assistant', content: '[Others] Ok.' },
      },
      'pref-vanilla',
    ],
    [
      'LLaMA-Factory from/value SFT',
      {
        conversations: [
          { from: 'human', value: 'hi' },
          { from: 'gpt', value: '[Question] How are you?' },
        ],
        system: VANILLA_SYSTEM_PROMPT,
      },
      'sft-vanilla',
    ],
    [
      'LLaMA-Factory from/value SP pair',
      {
        conversations: [
          { from: 'system', value: PLANNER_SYSTEM_PROMPT },
          { from: 'human', value: 'seeker: hi\n' },
        ],
        chosen: { from: 'gpt', value: 'Question' },
        rejected: { from: 'gpt', value: 'Information' },
      },
      'pref-planner',
    ],
    [
      'TRL conversational pair',
      { prompt: generator, chosen: [{ role: 'assistant', content: 'Tell me more.' }], rejected: [{ role: 'assistant', content: 'Ok.' }] },
      'pref-generator',
    ],
    ['TRL string pair', { prompt: 'seeker: hi', chosen: '[Question] How are you?', rejected: '[Others] Bye.' }, 'pref-vanilla'],
    [
      'inference',
      { conversations: generator, GT_strategy: 'Question', predict_strategy: 'Others', GT_content: 'a', predict_content: 'b' },
      'inference',
    ],
    [
      'error stats',
      {
        'Contains Empathy Error': 'Yes',
        'Error Type': 'Lack Empathy',
        'Brief Explanation': 'x',
        'Improvement Suggestion': 'y',
        user_input: 'u',
        strategy: 'Question',
        response: 'r',
      },
      'error-stats',
    ],
    ['ESConv', { emotion_type: 'anxiety', dialog: [{ speaker: 'seeker', annotation: {}, content: 'hi' }] }, 'esconv'],
    [
      'a chat without ESC markers',
      {
        messages: [
          { role: 'user', content: 'hi' },
          { role: 'assistant', content: 'hello' },
        ],
      },
      'unknown',
    ],
    ['package.json-like records', { name: 'x', version: '1' }, 'unknown'],
  ];
  for (const [name, record, kind] of cases) {
    it(`recognises ${name} as ${kind}, in JSON and in JSONL`, async () => {
      assert.equal(classifyRecord(record).kind, kind);
      const slug = name.replace(/\W+/g, '_');
      const asJson = await detectFile(t.write(`${slug}.json`, JSON.stringify([record, record], null, 2)));
      const asJsonl = await detectFile(t.write(`${slug}.jsonl`, `${JSON.stringify(record)}\n${JSON.stringify(record)}\n`));
      assert.equal(asJson.kind, kind);
      assert.equal(asJsonl.kind, kind);
      assert.equal(asJsonl.container, 'jsonl');
      if (kind !== 'unknown') {
        const report = await validateFile(t.dir + `/${slug}.jsonl`);
        assert.deepEqual(report.problems, [], `${name} validates`);
      }
    });
  }
});

describe('validation', () => {
  it('accepts the real files', { skip: sharedData.skip }, async () => {
    for (const name of ['ESC_sft_test.json', 'ESC_sft_val.json', 'FailedESConv.json']) {
      const r = await validateFile(sharedFile(name));
      assert.equal(r.valid, true, `${name}: ${JSON.stringify(r.problems.slice(0, 3))}`);
      assert.equal(r.records, name === 'FailedESConv.json' ? 196 : 130);
    }
  });

  it(
    'a file truncated mid-record: names the record, where it starts, and the byte where the file ends',
    { skip: sharedData.skip },
    async () => {
      const full = readFileSync(sharedFile('ESC_sft_test.json'));
      const file = t.write('truncated.json', full.subarray(0, 200_000));
      const r = await validateFile(file);
      assert.equal(r.valid, false);
      assert.equal(r.parseable, false);
      const p = r.problems.at(-1)!;
      assert.equal(p.offset, 200_000);
      assert.equal(p.index, r.records, 'the cut record is the one after the last complete record');
      assert.match(p.message, /truncated/);
      assert.equal(r.invalidRecords, 1);
    },
  );

  it('inference records: a null predicted strategy is valid (esc infer writes it), a missing or numeric one says which field', () => {
    const rec = (p: unknown): Record<string, unknown> => {
      const r: Record<string, unknown> = { conversations: [], GT_strategy: 'Question', GT_content: 'a', predict_content: 'b' };
      if (p !== undefined) r.predict_strategy = p;
      return r;
    };
    assert.deepEqual(checkRecord('inference', rec(null)), []);
    assert.deepEqual(checkRecord('inference', rec('Others')), []);
    assert.deepEqual(
      checkRecord('inference', rec(undefined)).map((i) => [i.path, i.message]),
      [['.predict_strategy', 'missing field "predict_strategy" (expected string)']],
    );
    const wrong = checkRecord('inference', rec(3));
    assert.equal(wrong.length, 1);
    assert.equal(wrong[0]!.path, '.predict_strategy');
    assert.doesNotMatch(wrong[0]!.message, /list of messages/);
  });

  it('a record missing "messages": its index and JSON path', async () => {
    const data = demoSft().slice(0, 6) as Record<string, unknown>[];
    data[4] = { conversation: data[4]!.messages };
    const r = await validateFile(t.write('missing.json', JSON.stringify(data, null, 2)));
    assert.equal(r.kind, 'sft-vanilla');
    assert.equal(r.invalidRecords, 1);
    assert.deepEqual(
      r.problems.map((p) => [p.index, p.path]),
      [[4, '[4].messages']],
    );
    assert.match(r.problems[0]!.message, /missing field "messages"/);
  });

  it('wrong content: an untagged assistant turn and broken turn order, with exact paths', async () => {
    const data = demoSft().slice(0, 3);
    data[1]!.messages[4]!.content = 'no tag';
    data[2]!.messages.splice(1, 1);
    const r = await validateFile(t.write('content.json', JSON.stringify(data)));
    assert.deepEqual(
      r.problems.map((p) => p.path),
      ['[1].messages[4].content', '[2].messages[1]'],
    );
  });

  it('a JSON Lines file with one bad line: the others are fine, the bad one has its index and byte offset', async () => {
    const lines = demoSft()
      .slice(0, 5)
      .map((r) => JSON.stringify(r));
    const brokenAt = lines[2]!.indexOf('"role"', 50);
    lines[2] = lines[2]!.slice(0, brokenAt) + lines[2]!.slice(brokenAt + 1);
    const text = lines.join('\n') + '\n';
    const r = await validateFile(t.write('one-bad.jsonl', text));
    assert.equal(r.records, 5);
    assert.equal(r.invalidRecords, 1);
    const p = r.problems[0]!;
    assert.equal(p.index, 2);
    const lineStart = Buffer.byteLength(lines[0]! + '\n' + lines[1]! + '\n');
    assert.ok(
      p.offset >= lineStart + brokenAt - 2 && p.offset <= lineStart + brokenAt + 8,
      `offset ${p.offset} near ${lineStart + brokenAt}`,
    );
    assert.match(p.message, /JSON syntax error/);
  });

  it('an empty file, a top level that is not an array, a UTF-16 file: clear file-level problems', async () => {
    const empty = await validateFile(t.write('empty.json', ''));
    assert.match(empty.problems[0]!.message, /empty/);
    const obj = await validateFile(t.write('object.json', JSON.stringify({ data: demoSft().slice(0, 2) }, null, 2)));
    assert.match(obj.problems[0]!.message, /top level is a JSON object/);
    const u16 = await validateFile(
      t.write('utf16.json', Buffer.concat([Buffer.from([0xff, 0xfe]), Buffer.from(JSON.stringify(demoSft().slice(0, 2)), 'utf16le')])),
    );
    assert.match(u16.problems[0]!.message, /UTF-16/);
    for (const r of [empty, obj, u16]) assert.equal(r.valid, false);
  });

  it('a UTF-8 BOM file parses and validates', { skip: sharedData.skip }, async () => {
    const bytes = Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), readFileSync(sharedFile('ESC_sft_val.json'))]);
    const r = await validateFile(t.write('bom.json', bytes));
    assert.equal(r.valid, true);
    assert.equal(r.records, 130);
    assert.equal((await detectFile(t.dir + '/bom.json')).bom, true);
  });

  it('a file with zero records is valid and empty', async () => {
    const r = await validateFile(t.write('zero.json', '[ ]'));
    assert.equal(r.valid, true);
    assert.equal(r.records, 0);
  });
});
