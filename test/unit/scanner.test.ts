// The record scanner must find exactly the records JSON.parse finds, whatever the chunking, and
// locate broken structure exactly.

import * as assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import { RecordScanner, type ScanResult } from '../../src/core/json/scanner';
import { scanFile } from '../../src/core/json/readFile';
import { sharedData, sharedFile, tempDir } from './helpers';

interface Scanned {
  result: ScanResult;
  records: unknown[];
  spans: [number, number][];
}

/** Scans `bytes` pushed in chunks of the given sizes (cycled) and parses each record from its span. */
function scan(bytes: Buffer, chunkSizes: number[] = [bytes.length || 1], opts: { jsonlHint?: boolean } = {}): Scanned {
  const records: unknown[] = [];
  const spans: [number, number][] = [];
  const scanner = new RecordScanner({
    keepBytes: true,
    jsonlHint: opts.jsonlHint,
    onRecord: (span, b) => {
      spans.push([span.start, span.end]);
      assert.deepEqual(b, bytes.subarray(span.start, span.end), 'kept bytes equal the span');
      records.push(JSON.parse(b!.toString('utf8')));
    },
  });
  let pos = 0;
  let k = 0;
  while (pos < bytes.length) {
    const size = Math.max(1, chunkSizes[k++ % chunkSizes.length]!);
    scanner.push(bytes.subarray(pos, pos + size));
    pos += size;
  }
  return { result: scanner.end(), records, spans };
}

const buf = (s: string): Buffer => Buffer.from(s, 'utf8');

describe('record scanner', () => {
  for (const name of ['ESC_sft_test.json', 'ESC_sft_val.json', 'FailedESConv.json']) {
    it(`finds exactly the records JSON.parse finds in the real ${name}, for any chunk size`, { skip: sharedData.skip }, () => {
      const bytes = readFileSync(sharedFile(name));
      const expected = JSON.parse(bytes.toString('utf8')) as unknown[];
      for (const sizes of [[bytes.length], [65536], [4093, 17, 1], [1 << 20]]) {
        const { result, records } = scan(bytes, sizes);
        assert.equal(result.problems.length, 0, JSON.stringify(result.problems));
        assert.equal(result.container, 'json-array');
        assert.equal(result.records, expected.length);
        assert.deepEqual(records, expected);
      }
    });
  }

  it('handles escaped quotes and backslashes, brackets inside strings, unicode escapes and surrogate pairs', () => {
    const tricky = [
      { a: 'quote \\" inside', b: 'ends with backslash \\\\' },
      { t: 'brackets ] } [ { inside "strings"' },
      { u: '\u00e9\u4e2d\ud83d\ude00 é中😀', esc: '\\u005d not a bracket' },
      [1, [2, [3, { deep: [[]] }]]],
      'a top-level string with ] and , inside',
      42,
      -1.5e3,
      true,
      null,
      {},
      [],
    ];
    for (const text of [
      JSON.stringify(tricky),
      JSON.stringify(tricky, null, 2),
      JSON.stringify(tricky, null, '\t').replace(/\n/g, '\r\n'),
    ]) {
      for (const sizes of [[1], [2, 3], [7], [text.length]]) {
        const { result, records } = scan(buf(text), sizes);
        assert.deepEqual(result.problems, []);
        assert.deepEqual(records, JSON.parse(text));
      }
    }
  });

  it('reads JSON Lines with blank lines, CRLF, a BOM and no final newline', () => {
    const text = '\ufeff{"a":1}\r\n\r\n  {"b":"x\\"y"}  \n\n{"c":[1,2]}\r\n   \n{"d":"last"}';
    const { result, records } = scan(buf(text), [3]);
    assert.equal(result.container, 'jsonl');
    assert.equal(result.bom, true);
    assert.deepEqual(records, [{ a: 1 }, { b: 'x"y' }, { c: [1, 2] }, { d: 'last' }]);
  });

  it('keeps a JSON Lines line that is broken as its own record, so the others survive', () => {
    const text = '{"a":1}\n{"b": tru\n{"c":3}\n';
    const spans: [number, number][] = [];
    const scanner = new RecordScanner({ onRecord: (s) => spans.push([s.start, s.end]) });
    scanner.push(buf(text));
    const result = scanner.end();
    assert.equal(result.records, 3);
    assert.deepEqual(spans[1], [8, 17]);
  });

  it('reports a truncated array with the record it ends in and its start byte', () => {
    const text = '[{"a": 1}, {"b": "cut here';
    const { result, records } = scan(buf(text), [5]);
    assert.deepEqual(records, [{ a: 1 }]);
    assert.equal(result.problems.length, 1);
    assert.equal(result.problems[0]!.index, 1);
    assert.equal(result.problems[0]!.offset, text.length);
    assert.match(result.problems[0]!.message, /ends inside record 1, which starts at byte 11/);
  });

  it('reports a missing closing bracket, a missing comma, a trailing comma and trailing garbage', () => {
    assert.match(scan(buf('[{"a":1}')).result.problems[0]!.message, /before the closing "\]"/);
    const missingComma = scan(buf('[{"a":1} {"b":2}]'));
    assert.equal(missingComma.records.length, 2);
    assert.deepEqual(
      missingComma.result.problems.map((p) => [p.offset, p.index]),
      [[9, 1]],
    );
    assert.match(scan(buf('[{"a":1},]')).result.problems[0]!.message, /Trailing ","/);
    assert.match(scan(buf('[{"a":1}] x')).result.problems[0]!.message, /after the closing/);
  });

  it('refuses what is not a list of records, with a clear reason', () => {
    const problem = (text: string | Buffer, jsonlHint = false): string => {
      const { result } = scan(typeof text === 'string' ? buf(text) : text, undefined, { jsonlHint });
      assert.equal(result.records, 0);
      return result.problems[0]?.message ?? '';
    };
    assert.match(problem(''), /empty/);
    assert.match(problem('   \n '), /only whitespace/);
    assert.match(problem('{\n  "messages": []\n}'), /top level is a JSON object/);
    assert.match(problem('{"messages": []}'), /single JSON object/);
    assert.match(problem('"just a string"'), /not an array/);
    assert.match(problem(Buffer.from('\ufeff[{"a":1}]', 'utf16le')), /UTF-16/);
    assert.match(problem(Buffer.concat([Buffer.from([0xfe, 0xff]), Buffer.from('[1]', 'utf16le').swap16()])), /UTF-16/);
    // a one-record JSON Lines file is fine when its name says .jsonl
    const one = scan(buf('{"a":1}\n'), undefined, { jsonlHint: true });
    assert.deepEqual(one.records, [{ a: 1 }]);
  });

  it('keeps nothing that points into a chunk the caller reuses (JSON array and JSON Lines)', () => {
    const objects = Array.from({ length: 40 }, (_, i) => ({ i, text: `record ${i} `.repeat(i % 9) }));
    for (const text of [JSON.stringify(objects), objects.map((o) => JSON.stringify(o)).join('\n') + '\n']) {
      const bytes = buf(text);
      for (const size of [7, 64, 333]) {
        const records: unknown[] = [];
        const scanner = new RecordScanner({ keepBytes: true, onRecord: (_s, b) => records.push(JSON.parse(b!.toString('utf8'))) });
        const shared = Buffer.alloc(size);
        for (let pos = 0; pos < bytes.length; pos += size) {
          const n = bytes.copy(shared, 0, pos, pos + size);
          scanner.push(shared.subarray(0, n));
          shared.fill(0x21); // scribble over the chunk as a reused read buffer would
        }
        const result = scanner.end();
        assert.deepEqual(result.problems, []);
        assert.deepEqual(records, objects, `chunk size ${size}`);
      }
    }
  });

  it('scans a file from disk in bounded chunks and stops early at maxRecords', async () => {
    const t = tempDir();
    try {
      const records = Array.from({ length: 3000 }, (_, i) => ({ i, text: 'x'.repeat(i % 700) }));
      const file = t.write('big.json', JSON.stringify(records, null, 1));
      const full = await scanFile(file);
      assert.equal(full.records, 3000);
      const head = await scanFile(file, { maxRecords: 10 });
      assert.equal(head.records, 10);
      assert.equal(head.stoppedEarly, true);
      const cut = await scanFile(file, { maxBytes: 100_000 });
      assert.equal(cut.problems.length, 0, 'a head read is not a truncation');
      assert.ok(cut.records > 10 && cut.records < 3000);
    } finally {
      t.dispose();
    }
  });

  it('property: any array of JSON records, any whitespace, any chunking, gives the records JSON.parse gives', () => {
    fc.assert(
      fc.property(
        fc.array(fc.jsonValue({ maxDepth: 4 }), { maxLength: 12 }),
        fc.constantFrom(0, 1, 2, '\t'),
        fc.array(fc.integer({ min: 1, max: 64 }), { minLength: 1, maxLength: 5 }),
        (values, indent, sizes) => {
          const text = JSON.stringify(values, null, indent as number | string);
          const { result, records } = scan(buf(text), sizes);
          assert.deepEqual(result.problems, []);
          assert.deepEqual(records, JSON.parse(text));
        },
      ),
      { numRuns: 400 },
    );
  });

  it('property: JSON Lines spans are the same with and without keepBytes (no line is held in memory without it)', () => {
    fc.assert(
      fc.property(
        fc.array(fc.dictionary(fc.string(), fc.jsonValue({ maxDepth: 2 })), { minLength: 2, maxLength: 8 }),
        fc.array(fc.constantFrom('\n', '\r\n', '\n\n', ' \n\t\n'), { minLength: 1, maxLength: 3 }),
        fc.integer({ min: 1, max: 40 }),
        fc.boolean(),
        (objects, seps, size, bom) => {
          const text = (bom ? '\ufeff' : '') + objects.map((o, i) => '  ' + JSON.stringify(o) + ' ' + seps[i % seps.length]).join('');
          const bytes = buf(text);
          const spansOf = (keepBytes: boolean): [number, number][] => {
            const spans: [number, number][] = [];
            const sc = new RecordScanner({ keepBytes, onRecord: (sp) => spans.push([sp.start, sp.end]) });
            for (let p = 0; p < bytes.length; p += size) sc.push(bytes.subarray(p, p + size));
            sc.end();
            return spans;
          };
          const withBytes = spansOf(true);
          assert.deepEqual(spansOf(false), withBytes);
          assert.deepEqual(
            withBytes.map(([s, e]) => JSON.parse(bytes.subarray(s, e).toString())),
            JSON.parse(JSON.stringify(objects)),
          );
        },
      ),
      { numRuns: 300 },
    );
  });

  it('property: JSON Lines of objects with random blank lines and CRLF give the same records', () => {
    fc.assert(
      fc.property(
        fc.array(fc.dictionary(fc.string(), fc.jsonValue({ maxDepth: 3 })), { minLength: 2, maxLength: 10 }),
        fc.array(fc.constantFrom('\n', '\r\n', '\n\n', '\n  \n'), { minLength: 1, maxLength: 4 }),
        fc.array(fc.integer({ min: 1, max: 50 }), { minLength: 1, maxLength: 4 }),
        (objects, seps, sizes) => {
          const text = objects.map((o, i) => JSON.stringify(o) + seps[i % seps.length]).join('');
          const { result, records } = scan(buf(text), sizes);
          assert.equal(result.container, 'jsonl');
          assert.deepEqual(records, JSON.parse(JSON.stringify(objects)));
        },
      ),
      { numRuns: 300 },
    );
  });
});
