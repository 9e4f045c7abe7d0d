// `esc eval` as a user runs it: a real process on small inference files written here, whose every
// metric is known by hand, and the exits for bad input (2 for usage or a missing path, 1 for a file
// that is not an inference file or is cut short), each one line on stderr without a stack trace.

import * as assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import * as path from 'node:path';
import { after, describe, it } from 'node:test';
import { STRATEGIES } from '../../src/core/strategies';
import { DEMO_DATA, REPO_ROOT, tempDir } from './helpers';

const CLI = path.join(REPO_ROOT, 'out', 'src', 'cli.js');
const esc = (...args: string[]): { code: number | null; stdout: string; stderr: string } => {
  const r = spawnSync(process.execPath, [CLI, ...args], { encoding: 'utf8' });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
};
const t = tempDir();
after(() => t.dispose());

/**
 * Three turns answered word for word, so every text metric is 100 (each response has distinct tokens and
 * at least 4 of them: all n-gram precisions 1, brevity penalty 1, Dist-n 1, F1 and ROUGE-L 1) except
 * length: how/are/you/feeling/today/? = 6, it/sounds/like/you/are/upset/. = 7, tell/me/more/about/that/. = 6,
 * mean 19/3. Strategies: two right (one in lower case), one null prediction.
 */
const RECORDS = [
  {
    GT_strategy: 'Question',
    predict_strategy: 'Question',
    GT_content: 'How are you feeling today?',
    predict_content: 'How are you feeling today?',
  },
  {
    GT_strategy: 'Reflection of feelings',
    predict_strategy: 'reflection of feelings',
    GT_content: 'It sounds like you are upset.',
    predict_content: 'It sounds like you are upset.',
  },
  { GT_strategy: 'Others', predict_strategy: null, GT_content: 'Tell me more about that.', predict_content: 'Tell me more about that.' },
].map((r) => ({ conversations: [{ from: 'human', value: 'hi' }], ...r }));

interface Run {
  file: string;
  records: number;
  text: Record<string, number>;
  strategy: {
    accuracy: number;
    weighted_f1: number;
    macro_f1: number;
    p_bias: number;
    error_ratio: number;
    per_strategy: Record<string, { f1: number; preference: number }>;
    confusion: Record<string, Record<string, number>>;
  };
}

function assertHandRun(run: Run, file: string): void {
  assert.deepEqual(Object.keys(run), ['file', 'records', 'text', 'strategy']);
  assert.equal(run.file, file);
  assert.equal(run.records, 3);
  assert.deepEqual(Object.keys(run.text), [
    'bleu-1',
    'bleu-2',
    'bleu-3',
    'bleu-4',
    'dist-1',
    'dist-2',
    'dist-3',
    'f1',
    'rouge-l',
    'length',
  ]);
  for (const [metric, value] of Object.entries(run.text)) {
    if (metric === 'length') assert.ok(Math.abs(value - 19 / 3) < 1e-12, `length ${value}`);
    else assert.ok(Math.abs(value - 100) < 1e-9, `${metric} ${value}`);
  }
  const s = run.strategy;
  assert.deepEqual(Object.keys(s), ['accuracy', 'weighted_f1', 'macro_f1', 'p_bias', 'error_ratio', 'per_strategy', 'confusion']);
  assert.equal(s.accuracy, 1); // both kept predictions right
  assert.equal(s.weighted_f1, 1);
  assert.equal(s.macro_f1, 2 / 8); // F1 1 for Question and Reflection, 0 for the six never seen
  assert.equal(s.error_ratio, 1 / 3); // the null prediction
  assert.equal(s.p_bias, 0); // no mistakes: every strength stays 1
  assert.deepEqual(Object.keys(s.per_strategy), [...STRATEGIES]);
  for (const name of STRATEGIES) {
    const f1 = name === 'Question' || name === 'Reflection of feelings' ? 1 : 0;
    assert.deepEqual(s.per_strategy[name], { f1, preference: 1 }, name);
  }
  assert.deepEqual(Object.keys(s.confusion), [...STRATEGIES]);
  assert.equal(s.confusion['Question']!['Question'], 1);
  assert.equal(s.confusion['Reflection of feelings']!['Reflection of feelings'], 1);
  const total = Object.values(s.confusion).reduce((a, row) => a + Object.values(row).reduce((b, n) => b + n, 0), 0);
  assert.equal(total, 2, 'the null prediction is not in the confusion');
}

describe('esc eval', () => {
  it('--json prints {"runs": [...]} with every metric of a JSON array and a JSON Lines file', () => {
    const array = t.write('hand.json', JSON.stringify(RECORDS, null, 2));
    const lines = t.write('hand.jsonl', RECORDS.map((r) => JSON.stringify(r)).join('\n') + '\n');
    const r = esc('eval', array, lines, '--json');
    assert.equal(r.code, 0, r.stderr);
    assert.equal(r.stderr, '');
    const out = JSON.parse(r.stdout) as { runs: Run[] };
    assert.deepEqual(Object.keys(out), ['runs']);
    assert.equal(out.runs.length, 2);
    assertHandRun(out.runs[0]!, array);
    assertHandRun(out.runs[1]!, lines);
  });

  it('reads the demo inference file', () => {
    const r = esc('eval', path.join(DEMO_DATA, 'inference_demo.json'), '--json');
    assert.equal(r.code, 0, r.stderr);
    const run = (JSON.parse(r.stdout) as { runs: Run[] }).runs[0]!;
    assert.ok(run.records > 0);
    assert.ok(run.text['bleu-1']! > 0 && run.text['bleu-1']! <= 100);
  });

  it('prints a table, markdown or csv row per file', () => {
    const file = t.write('rows.json', JSON.stringify(RECORDS));
    const table = esc('eval', file);
    assert.equal(table.code, 0, table.stderr);
    const [header, row] = table.stdout.trimEnd().split('\n');
    assert.match(
      header!,
      /^file\s+records\s+bleu-1\s+bleu-2.*rouge-l\s+length\s+accuracy\s+weighted_f1\s+macro_f1\s+p_bias\s+error_ratio$/,
    );
    assert.match(row!, /rows\.json\s+3\s+100\.00\s+100\.00/);
    const md = esc('eval', file, '--format', 'markdown').stdout.trimEnd().split('\n');
    assert.equal(md.length, 3);
    assert.match(md[0]!, /^\| file \| records \| bleu-1 \|/);
    assert.match(md[1]!, /^\| --- \| ---: \|/);
    const csv = esc('eval', file, '--format', 'csv').stdout.trimEnd().split('\n');
    assert.equal(csv.length, 2);
    const cells = csv[1]!.split(',');
    assert.equal(cells[0], file);
    assert.equal(Number(cells[csv[0]!.split(',').indexOf('error_ratio')]), 1 / 3);
  });

  it('bad input: exit 2 for usage or a missing path, exit 1 for a file that is not an inference file or is truncated', () => {
    const oneLine = (r: { stderr: string }, pattern: RegExp): void => {
      assert.equal(r.stderr.trimEnd().split('\n').length, 1, r.stderr);
      assert.match(r.stderr, pattern);
      assert.doesNotMatch(r.stderr, /\n\s+at /);
    };
    const good = t.write('good.json', JSON.stringify(RECORDS));
    oneLine(esc('eval'), /esc eval: missing <file>/);
    assert.equal(esc('eval').code, 2);
    const missing = esc('eval', path.join(t.dir, 'nope.json'));
    assert.equal(missing.code, 2);
    oneLine(missing, /no such file/);
    assert.equal(esc('eval', t.dir).code, 2);
    const format = esc('eval', good, '--format', 'html');
    assert.equal(format.code, 2);
    oneLine(format, /--format must be one of table, markdown, latex, csv/);
    assert.equal(esc('eval', good, '--json', '--format', 'csv').code, 2);

    const notInference = esc('eval', path.join(DEMO_DATA, 'sft_vanilla_demo.json'), '--json');
    assert.equal(notInference.code, 1);
    oneLine(notInference, /record 0 has no GT_content string/);
    const text = JSON.stringify(RECORDS, null, 2);
    const truncated = esc('eval', t.write('cut.json', text.slice(0, text.length - 40)));
    assert.equal(truncated.code, 1);
    oneLine(truncated, /cut\.json: /);
    const offList = esc('eval', t.write('gold.json', JSON.stringify([{ ...RECORDS[0], GT_strategy: 'Advice' }])));
    assert.equal(offList.code, 1);
    oneLine(offList, /GT_strategy "Advice" is not one of the 8 strategies/);
  });
});
