// Regression tests for problems found in review: each failed before its fix.

import * as assert from 'node:assert/strict';
import * as path from 'node:path';
import { describe, it } from 'node:test';
import { DatasetIndex } from '../../src/core/dataset/datasetIndex';
import { parseRecord } from '../../src/core/json/parseRecord';
import { collectText, compileSearch } from '../../src/core/dataset/search';
import { toVanillaSft, emptyReport } from '../../src/core/convert/esconvToSft';
import { detectFile } from '../../src/core/formats/detect';
import { validateFile } from '../../src/core/dataset/validate';
import { PositionMapper, positionAt } from '../../src/core/json/position';
import { DEMO_DATA, tempDir } from './helpers';

describe('review regressions', () => {
  it('a superseded search never replaces the view of the query after it', async () => {
    const idx = new DatasetIndex(path.join(DEMO_DATA, 'esconv_demo.json'));
    await idx.index();
    await idx.analyze();
    const abort = new AbortController();
    const slow = idx.query({ search: { text: 'job', regex: false, caseSensitive: false }, facets: {}, sort: 'file' }, {}, abort.signal);
    abort.abort();
    const plain = await idx.query({ facets: {}, sort: 'file' });
    await assert.rejects(slow, /abort|superseded/i);
    assert.equal(plain.total, 12);
    assert.equal((await idx.rows(0, 100)).length, 12, 'the plain query still owns the view');
    await idx.close();
  });

  it('JSON syntax errors point at the offending byte, also when V8 gives no position', () => {
    const r = parseRecord(Buffer.from('{"a": b}'), 100);
    assert.equal(r.ok, false);
    assert.equal(!r.ok && r.offset, 106);
    assert.equal(!r.ok && r.message, "JSON syntax error: Unexpected token 'b'");
    const t = parseRecord(Buffer.from('{"é": tru}'), 0);
    assert.equal(!t.ok && t.offset, 10, 'byte offset, past the two-byte é');
  });

  it('bytes that are not UTF-8 are a problem with their offset, not silently replaced', async () => {
    const latin1 = Buffer.concat([
      Buffer.from('[{"messages": [{"role": "user", "content": "caf'),
      Buffer.from([0xe9]),
      Buffer.from('"}, {"role": "assistant", "content": "[Question] ok"}]}]'),
    ]);
    const r = parseRecord(latin1, 0);
    assert.equal(r.ok, false);
    assert.equal(!r.ok && r.offset, latin1.indexOf(0xe9));
    const t = tempDir();
    try {
      const report = await validateFile(t.write('latin1.json', latin1));
      assert.equal(report.valid, false);
      assert.ok(
        report.problems.some((p) => /not valid UTF-8/.test(p.message) && p.offset === latin1.indexOf(0xe9)),
        JSON.stringify(report.problems),
      );
    } finally {
      t.dispose();
    }
  });

  it('a first record larger than the detection head still gives the kind', async () => {
    const t = tempDir();
    try {
      const huge = {
        messages: [
          { role: 'user', content: 'x'.repeat(5 << 20) },
          { role: 'assistant', content: '[Question] ok?' },
        ],
      };
      const file = t.write('huge.json', JSON.stringify([huge, huge]));
      assert.equal((await detectFile(file)).kind, 'sft-vanilla');
      const lines = t.write('huge.jsonl', JSON.stringify(huge) + '\n' + JSON.stringify(huge) + '\n');
      assert.equal((await detectFile(lines)).kind, 'sft-vanilla');
    } finally {
      t.dispose();
    }
  });

  it('search finds escaped non-ASCII text in either hex case, and deep nesting does not break it', () => {
    for (const raw of ['{"t": "caf\\u00e9"}', '{"t": "caf\\u00E9"}', '{"t": "café"}']) {
      const s = compileSearch({ text: 'café', regex: false, caseSensitive: true });
      assert.equal(s.mayMatch(raw), true, raw);
      assert.equal(s.matches(JSON.parse(raw)), true, raw);
    }
    let deep: unknown = 'needle';
    for (let i = 0; i < 50_000; i++) deep = [deep];
    assert.deepEqual(collectText(deep, []), ['needle']);
  });

  it('conversion keeps the seeker words before a supporter turn whose label names no strategy', () => {
    const report = emptyReport(1);
    const [rec] = toVanillaSft(
      [
        {
          dialog: [
            { speaker: 'seeker', content: 'I lost my job' },
            { speaker: 'supporter', annotation: {}, content: 'unlabelled' },
            { speaker: 'supporter', annotation: { strategy: 'Question' }, content: 'What happened?' },
          ],
        },
      ],
      report,
    );
    assert.deepEqual(rec!.messages.slice(1), [
      { role: 'user', content: 'I lost my job' },
      { role: 'assistant', content: '[Question] What happened?' },
    ]);
    assert.deepEqual(report.unmapped, { '': 1 });
  });

  it('positions are lines and UTF-16 columns as VS Code counts them, past a BOM and multi-byte characters', () => {
    // bytes: BOM 0-2, "[" 3, "\n" 4 | "  {" 5-7 ... "é" 14-15 (two bytes, one column) ... "\n" 19 | "  {" 20-22 ... "\n" 30 | "]" 31, "\n" 32
    const text = Buffer.from('\ufeff[\n  {"a": "é"},\n  {"b": 2}\n]\n');
    const mapper = new PositionMapper(text);
    const at = (offset: number): [number, number] => {
      const p = mapper.positionAt(offset);
      return [p.line, p.character];
    };
    assert.deepEqual([0, 3, 4, 5, 14, 16, 17, 22, 31, 33].map(at), [
      [0, 0], // inside the BOM
      [0, 0], // "[": the BOM is not a column
      [0, 1],
      [1, 0],
      [1, 9], // "é"
      [1, 10], // the quote after it
      [1, 11],
      [2, 2],
      [3, 0],
      [4, 0], // the end of the file
    ]);
    assert.deepEqual(
      [at(-5), at(1000)],
      [
        [0, 0],
        [4, 0],
      ],
    );
    // a character outside the BMP is four bytes and two UTF-16 columns
    assert.deepEqual(positionAt(Buffer.from('a😀b'), 5), { line: 0, character: 3 });
  });
});
