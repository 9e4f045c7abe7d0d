// The `esc` command as a user runs it: real processes, real exit codes, no stack traces for user errors.

import * as assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import * as path from 'node:path';
import { after, describe, it } from 'node:test';
import { DEMO_DATA, REPO_ROOT, sharedData, sharedFile, SHARED_DATA, tempDir } from './helpers';

const CLI = path.join(REPO_ROOT, 'out', 'src', 'cli.js');
const esc = (...args: string[]): { code: number | null; stdout: string; stderr: string } => {
  const r = spawnSync(process.execPath, [CLI, ...args], { encoding: 'utf8' });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
};
const t = tempDir();
after(() => t.dispose());

/** Demo files are named `<kind>_demo.json[l]` (or `<kind>_<variant>.json[l]`): the name says the kind. */
const demoKind = (file: string): string => {
  const base = path.basename(file).replace(/\.jsonl?$/, '');
  const kinds = [
    'error-stats',
    'sft-vanilla',
    'sft-planner',
    'sft-generator',
    'pref-planner',
    'pref-generator',
    'pref-vanilla',
    'inference',
    'esconv',
  ];
  const k = kinds.find((kind) => base.startsWith(kind.replace('-', '_')));
  assert.ok(k, `demo file ${base} does not start with a kind`);
  return k;
};

describe('esc CLI', () => {
  it('detect --json names the right kind for every file in ../shared/data', { skip: sharedData.skip }, () => {
    const expected: Record<string, [string, number]> = {
      'ESC_sft_test.json': ['sft-vanilla', 130],
      'ESC_sft_val.json': ['sft-vanilla', 130],
      'FailedESConv.json': ['esconv', 196],
    };
    assert.deepEqual(readdirSync(SHARED_DATA).sort(), Object.keys(expected).sort());
    for (const [name, [kind, records]] of Object.entries(expected)) {
      const r = esc('detect', sharedFile(name), '--json');
      assert.equal(r.code, 0, r.stderr);
      const out = JSON.parse(r.stdout) as { kind: string; records: number };
      assert.equal(out.kind, kind);
      assert.equal(out.records, records);
      assert.equal(esc('validate', sharedFile(name)).code, 0);
    }
  });

  it('detect --json and validate agree with every demo file', () => {
    const files = readdirSync(DEMO_DATA).filter((f) => /\.jsonl?$/.test(f));
    assert.ok(files.length >= 9, 'a demo file per kind');
    const kinds = new Set<string>();
    for (const f of files) {
      const file = path.join(DEMO_DATA, f);
      const out = JSON.parse(esc('detect', file, '--json').stdout) as { kind: string; records: number };
      assert.equal(out.kind, demoKind(file), f);
      assert.ok(out.records > 0, f);
      kinds.add(out.kind);
      const v = esc('validate', file);
      assert.equal(v.code, 0, `${f}: ${v.stdout}`);
    }
    assert.equal(kinds.size, 9, 'all nine kinds present in demo/');
  });

  it('validate exits 1 on broken copies and names the record index or byte offset', { skip: sharedData.skip }, () => {
    const real = readFileSync(sharedFile('ESC_sft_test.json'));
    const data = JSON.parse(real.toString('utf8')) as Record<string, unknown>[];
    const truncated = esc('validate', t.write('truncated copy.json', real.subarray(0, 150_000)));
    assert.equal(truncated.code, 1);
    assert.match(truncated.stdout, /record \d+ \(byte 150000\)/);
    const notArray = esc('validate', t.write('object.json', JSON.stringify({ records: data.slice(0, 2) }, null, 2)));
    assert.equal(notArray.code, 1);
    assert.match(notArray.stdout, /byte 0: The top level is a JSON object/);
    const missing = data.slice(0, 4);
    delete missing[3]!.messages;
    const noMessages = esc('validate', t.write('missing.json', JSON.stringify(missing)), '--json');
    assert.equal(noMessages.code, 1);
    const report = JSON.parse(noMessages.stdout) as { problems: { index: number; path: string }[] };
    assert.deepEqual(
      report.problems.map((p) => [p.index, p.path]),
      [[3, '[3].messages']],
    );
    const lines = data.slice(0, 4).map((r) => JSON.stringify(r));
    lines[1] = lines[1]!.slice(0, -2);
    const badLine = esc('validate', t.write('bad line.jsonl', lines.join('\n')));
    assert.equal(badLine.code, 1);
    assert.match(badLine.stdout, /record 1 \(byte \d+\) \[1\]: JSON syntax error/);
    const empty = esc('validate', t.write('empty.json', ''));
    assert.equal(empty.code, 1);
    assert.match(empty.stdout, /empty/);
    const bom = esc('validate', t.write('bom.json', Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), real])));
    assert.equal(bom.code, 0, bom.stdout);
    for (const r of [truncated, notArray, noMessages, badLine, empty, bom]) {
      assert.doesNotMatch(r.stderr + r.stdout, /\n\s+at /, 'no stack trace');
    }
  });

  it('user errors: one line on stderr, exit 2, no stack trace — also for odd paths', () => {
    const odd = path.join(t.dir, 'no such $(touch pwned) "file".json');
    for (const [args, pattern] of [
      [['detect', odd], /cannot read .*no such file/],
      [['validate', t.dir], /is a folder/],
      [['validate'], /missing <file>/],
      [['frobnicate'], /unknown command/],
      [['detect', '--bogus'], /Unknown option/],
      [['validate', path.join(DEMO_DATA, 'sft_vanilla_demo.json'), '--kind', 'nope'], /unknown --kind/],
    ] as [string[], RegExp][]) {
      const r = esc(...args);
      assert.equal(r.code, 2, `${args.join(' ')}: ${r.stderr}`);
      assert.match(r.stderr, pattern);
      assert.equal(r.stderr.trim().split('\n').length, 1, 'one line');
    }
    assert.deepEqual(
      readdirSync(t.dir).filter((f) => f.includes('pwned')),
      [],
    );
    assert.equal(esc('--help').code, 0);
  });
});
