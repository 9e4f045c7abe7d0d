// The results table (core/eval/resultsTable.ts) on hand-written runs: every expected line is written
// out here from the numbers below (text metrics already x100; strategy fractions shown x100 except
// p_bias), the best cell per column worked out by hand (highest, except p_bias and error ratio: lowest;
// length and the judge's missing count: none), and the deltas against run A subtracted by hand.

import * as assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import * as path from 'node:path';
import { after, describe, it } from 'node:test';
import { csvField, latexEscape, renderResultsTable, type ResultsRun } from '../../src/core/eval/resultsTable';
import { REPO_ROOT, tempDir } from './helpers';

const A: ResultsRun = {
  file: 'a.json',
  records: 10,
  text: {
    'bleu-1': 20,
    'bleu-2': 10,
    'bleu-3': 5,
    'bleu-4': 2.5,
    'dist-1': 90,
    'dist-2': 95,
    'dist-3': 97,
    f1: 25,
    'rouge-l': 22,
    length: 15.5,
  },
  strategy: { accuracy: 0.3, weighted_f1: 0.25, macro_f1: 0.2, p_bias: 1.5, error_ratio: 0.1 },
};
const B: ResultsRun = {
  file: 'run_b.json',
  records: 10,
  text: {
    'bleu-1': 22,
    'bleu-2': 9,
    'bleu-3': 5,
    'bleu-4': 3,
    'dist-1': 85,
    'dist-2': 96,
    'dist-3': 97,
    f1: 24,
    'rouge-l': 23,
    length: 20,
  },
  strategy: { accuracy: 0.35, weighted_f1: 0.2, macro_f1: 0.22, p_bias: 1.2, error_ratio: 0.15 },
};

const MD_HEADER =
  '| file | records | bleu-1 | bleu-2 | bleu-3 | bleu-4 | dist-1 | dist-2 | dist-3 | f1 | rouge-l | length | accuracy | weighted_f1 | macro_f1 | p_bias | error_ratio |';
const MD_RULE = '| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |';
const LATEX_HEAD = [
  '% needs \\usepackage{booktabs}',
  '\\begin{tabular}{lrrrrrrrrrrrrrrr}',
  '\\toprule',
  'Run & BLEU-1 & BLEU-2 & BLEU-3 & BLEU-4 & Dist-1 & Dist-2 & Dist-3 & F1 & ROUGE-L & Len. & Acc. & W-F1 & M-F1 & Bias & Err. \\\\',
  '\\midrule',
];
const LATEX_FOOT = ['\\bottomrule', '\\end{tabular}'];

describe('results table', () => {
  it('plain table: aligned columns, nothing marked', () => {
    assert.deepEqual(renderResultsTable([A, B], 'table'), [
      'file        records  bleu-1  bleu-2  bleu-3  bleu-4  dist-1  dist-2  dist-3     f1  rouge-l  length  accuracy  weighted_f1  macro_f1  p_bias  error_ratio',
      'a.json           10   20.00   10.00    5.00    2.50   90.00   95.00   97.00  25.00    22.00   15.50     30.00        25.00     20.00    1.50        10.00',
      'run_b.json       10   22.00    9.00    5.00    3.00   85.00   96.00   97.00  24.00    23.00   20.00     35.00        20.00     22.00    1.20        15.00',
    ]);
  });

  it('markdown: best per column in bold (ties both; lower p_bias and error ratio; length never)', () => {
    assert.deepEqual(renderResultsTable([A, B], 'markdown'), [
      MD_HEADER,
      MD_RULE,
      '| a.json | 10 | 20.00 | **10.00** | **5.00** | 2.50 | **90.00** | 95.00 | **97.00** | **25.00** | 22.00 | 15.50 | 30.00 | **25.00** | 20.00 | 1.50 | **10.00** |',
      '| run_b.json | 10 | **22.00** | 9.00 | **5.00** | **3.00** | 85.00 | **96.00** | **97.00** | 24.00 | **23.00** | 20.00 | **35.00** | 20.00 | **22.00** | **1.20** | 15.00 |',
    ]);
  });

  it('latex: booktabs, \\textbf on the best, escaped run names', () => {
    assert.deepEqual(renderResultsTable([A, B], 'latex'), [
      ...LATEX_HEAD,
      'a.json & 20.00 & \\textbf{10.00} & \\textbf{5.00} & 2.50 & \\textbf{90.00} & 95.00 & \\textbf{97.00} & \\textbf{25.00} & 22.00 & 15.50 & 30.00 & \\textbf{25.00} & 20.00 & 1.50 & \\textbf{10.00} \\\\',
      'run\\_b.json & \\textbf{22.00} & 9.00 & \\textbf{5.00} & \\textbf{3.00} & 85.00 & \\textbf{96.00} & \\textbf{97.00} & 24.00 & \\textbf{23.00} & 20.00 & \\textbf{35.00} & 20.00 & \\textbf{22.00} & \\textbf{1.20} & 15.00 \\\\',
      ...LATEX_FOOT,
    ]);
  });

  it('csv: raw numbers (fractions as fractions), nothing marked', () => {
    assert.deepEqual(renderResultsTable([A, B], 'csv'), [
      'file,records,bleu-1,bleu-2,bleu-3,bleu-4,dist-1,dist-2,dist-3,f1,rouge-l,length,accuracy,weighted_f1,macro_f1,p_bias,error_ratio',
      'a.json,10,20,10,5,2.5,90,95,97,25,22,15.5,0.3,0.25,0.2,1.5,0.1',
      'run_b.json,10,22,9,5,3,85,96,97,24,23,20,0.35,0.2,0.22,1.2,0.15',
    ]);
  });

  it('deltas against a baseline: signed in the units shown, U+2212 for minus, none on the baseline row', () => {
    const md = renderResultsTable([A, B], 'markdown', { baseline: 0 });
    assert.deepEqual(md.slice(2), [
      '| a.json | 10 | 20.00 | **10.00** | **5.00** | 2.50 | **90.00** | 95.00 | **97.00** | **25.00** | 22.00 | 15.50 | 30.00 | **25.00** | 20.00 | 1.50 | **10.00** |',
      '| run_b.json | 10 | **22.00** (+2.00) | 9.00 (\u22121.00) | **5.00** (+0.00) | **3.00** (+0.50) | 85.00 (\u22125.00) | **96.00** (+1.00) | **97.00** (+0.00) | 24.00 (\u22121.00) | **23.00** (+1.00) | 20.00 (+4.50) | **35.00** (+5.00) | 20.00 (\u22125.00) | **22.00** (+2.00) | **1.20** (\u22120.30) | 15.00 (+5.00) |',
    ]);
    const tex = renderResultsTable([A, B], 'latex', { baseline: 1 });
    assert.equal(
      tex[5],
      'a.json & 20.00 {\\scriptsize $-2.00$} & \\textbf{10.00} {\\scriptsize $+1.00$} & \\textbf{5.00} {\\scriptsize $+0.00$} & 2.50 {\\scriptsize $-0.50$} & \\textbf{90.00} {\\scriptsize $+5.00$} & 95.00 {\\scriptsize $-1.00$} & \\textbf{97.00} {\\scriptsize $+0.00$} & \\textbf{25.00} {\\scriptsize $+1.00$} & 22.00 {\\scriptsize $-1.00$} & 15.50 {\\scriptsize $-4.50$} & 30.00 {\\scriptsize $-5.00$} & \\textbf{25.00} {\\scriptsize $+5.00$} & 20.00 {\\scriptsize $-2.00$} & 1.50 {\\scriptsize $+0.30$} & \\textbf{10.00} {\\scriptsize $-5.00$} \\\\',
    );
    // the baseline row (B) is as without a baseline
    assert.equal(
      tex[6],
      'run\\_b.json & \\textbf{22.00} & 9.00 & \\textbf{5.00} & \\textbf{3.00} & 85.00 & \\textbf{96.00} & \\textbf{97.00} & 24.00 & \\textbf{23.00} & 20.00 & \\textbf{35.00} & 20.00 & \\textbf{22.00} & \\textbf{1.20} & 15.00 \\\\',
    );
  });

  it('a difference that rounds to zero is +0.00, never \u22120.00', () => {
    const c: ResultsRun = { ...B, file: 'c', text: { ...A.text, 'bleu-1': 20.001 } };
    const d: ResultsRun = { ...B, file: 'd', text: { ...A.text, 'bleu-1': 19.999 } };
    const md = renderResultsTable([A, c, d], 'markdown', { baseline: 0 });
    assert.match(md[3]!, /^\| c \| 10 \| \*\*20\.00\*\* \(\+0\.00\) \|/);
    assert.match(md[4]!, /^\| d \| 10 \| \*\*20\.00\*\* \(\+0\.00\) \|/);
  });

  it('best per metric direction, on its own', () => {
    const run = (file: string, x: number): ResultsRun => ({
      file,
      records: 1,
      text: { ...A.text, length: x },
      strategy: { accuracy: x / 100, weighted_f1: x / 100, macro_f1: x / 100, p_bias: x, error_ratio: x / 100 },
    });
    const [low, high] = renderResultsTable([run('low', 1), run('high', 2)], 'markdown').slice(2);
    // length | accuracy | weighted_f1 | macro_f1 | p_bias | error_ratio
    assert.ok(low!.endsWith('| 1.00 | 1.00 | 1.00 | 1.00 | **1.00** | **1.00** |'), low);
    assert.ok(high!.endsWith('| 2.00 | **2.00** | **2.00** | **2.00** | 2.00 | 2.00 |'), high);
    // a single run is best of nothing
    assert.doesNotMatch(renderResultsTable([A], 'markdown')[2]!, /\*\*/);
    assert.doesNotMatch(renderResultsTable([A], 'latex')[5]!, /textbf/);
  });

  it('escapes run names: LaTeX specials, CSV specials, Markdown pipes', () => {
    assert.equal(
      latexEscape('a_b%c&d#e$f{g}h~i^j\\k'),
      'a\\_b\\%c\\&d\\#e\\$f\\{g\\}h\\textasciitilde{}i\\textasciicircum{}j\\textbackslash{}k',
    );
    const weird: ResultsRun = { ...A, file: 'a_b%c&d#e$f{g}h~i^j\\k' };
    assert.ok(
      renderResultsTable([weird], 'latex')[5]!.startsWith(
        'a\\_b\\%c\\&d\\#e\\$f\\{g\\}h\\textasciitilde{}i\\textasciicircum{}j\\textbackslash{}k & 20.00 & ',
      ),
    );
    assert.equal(csvField('plain'), 'plain');
    assert.equal(csvField('x,"y"\nz'), '"x,""y""\nz"');
    assert.equal(csvField('cr\rlf'), '"cr\rlf"');
    const csv = renderResultsTable([{ ...A, file: 'x,"y"\nz' }], 'csv');
    assert.equal(csv[1], '"x,""y""\nz",10,20,10,5,2.5,90,95,97,25,22,15.5,0.3,0.25,0.2,1.5,0.1');
    assert.ok(renderResultsTable([{ ...A, file: 'a|b' }], 'markdown')[2]!.startsWith('| a\\|b | 10 |'));
  });

  it('judge columns appear when a run has them; a run without shows a dash (empty in CSV)', () => {
    const judged: ResultsRun = { ...B, judge: { empathy: 3.5, fluency: 4.25, helpfulness: 3, professionalism: 4, missing: 2 } };
    const other: ResultsRun = { ...A, judge: { empathy: 3.75, fluency: 4, helpfulness: 3, professionalism: 3.5, missing: 0 } };
    assert.ok(
      renderResultsTable([A, judged], 'markdown')[0]!.endsWith(
        '| error_ratio | empathy | fluency | helpfulness | professionalism | judge_missing |',
      ),
    );
    const [, , a, b] = renderResultsTable([A, judged], 'markdown');
    // one judged run: its scores are not "best" of anything
    assert.ok(a!.endsWith('| **10.00** | — | — | — | — | — |'), a);
    assert.ok(b!.endsWith('| 15.00 | 3.50 | 4.25 | 3.00 | 4.00 | 2 |'), b);
    const [, , x, y] = renderResultsTable([other, judged], 'markdown');
    assert.ok(x!.endsWith('| **3.75** | 4.00 | **3.00** | 3.50 | 0 |'), x);
    assert.ok(y!.endsWith('| 3.50 | **4.25** | **3.00** | **4.00** | 2 |'), y);
    const tex = renderResultsTable([A, judged], 'latex');
    assert.ok(tex[3]!.endsWith('& Err. & Empa. & Flue. & Help. & Prof. & Miss. \\\\'), tex[3]);
    assert.ok(tex[5]!.endsWith('& \\textbf{10.00} & -- & -- & -- & -- & -- \\\\'), tex[5]);
    assert.equal(tex[1], '\\begin{tabular}{lrrrrrrrrrrrrrrrrrrrr}');
    const csv = renderResultsTable([A, judged], 'csv');
    assert.ok(csv[0]!.endsWith(',error_ratio,empathy,fluency,helpfulness,professionalism,judge_missing'));
    assert.equal(csv[1], 'a.json,10,20,10,5,2.5,90,95,97,25,22,15.5,0.3,0.25,0.2,1.5,0.1,,,,,');
    assert.equal(csv[2], 'run_b.json,10,22,9,5,3,85,96,97,24,23,20,0.35,0.2,0.22,1.2,0.15,3.5,4.25,3,4,2');
    // a criterion none of whose answers parsed (null) is a dash too, and out of the comparison
    const partial: ResultsRun = { ...A, judge: { empathy: null, fluency: 3, helpfulness: null, professionalism: 5, missing: 8 } };
    const [, , p, q] = renderResultsTable([partial, judged], 'markdown');
    assert.ok(p!.endsWith('| — | 3.00 | — | **5.00** | 8 |'), p);
    assert.ok(q!.endsWith('| 3.50 | **4.25** | 3.00 | 4.00 | 2 |'), q);
    assert.ok(renderResultsTable([partial, judged], 'csv')[1]!.endsWith(',1.5,0.1,,3,,5,8'));
    // and without any judged run, no judge column at all
    assert.ok(renderResultsTable([A, B], 'csv')[0]!.endsWith(',error_ratio'));
  });
});

describe('esc eval --format latex --baseline', () => {
  const t = tempDir();
  after(() => t.dispose());
  const CLI = path.join(REPO_ROOT, 'out', 'src', 'cli.js');
  const esc = (...args: string[]): { code: number | null; stdout: string; stderr: string } => {
    const r = spawnSync(process.execPath, [CLI, ...args], { encoding: 'utf8' });
    return { code: r.status, stdout: r.stdout, stderr: r.stderr };
  };
  // the same turn, its strategy predicted right (accuracy 100%) or wrong (0%)
  const turn = (predicted: string): object => ({
    conversations: [{ from: 'human', value: 'hi' }],
    GT_strategy: 'Question',
    predict_strategy: predicted,
    GT_content: 'How are you today?',
    predict_content: 'How are you today?',
  });
  const accuracyCell = (line: string): string => line.split(' & ')[11]!;

  it('prints booktabs with deltas against the chosen file (by position or path); bad baselines exit 2', () => {
    const good = t.write('good_run.json', JSON.stringify([turn('Question')]));
    const bad = t.write('bad.json', JSON.stringify([turn('Others')]));
    const r = esc('eval', bad, good, '--format', 'latex', '--baseline', '1');
    assert.equal(r.code, 0, r.stderr);
    const lines = r.stdout.trimEnd().split('\n');
    assert.equal(lines[2], '\\toprule');
    assert.equal(lines[4], '\\midrule');
    assert.equal(lines.at(-2), '\\bottomrule');
    assert.equal(lines[5]!.split(' & ')[0], bad);
    assert.equal(accuracyCell(lines[5]!), '0.00');
    assert.equal(lines[6]!.split(' & ')[0], good.replace(/_/g, '\\_'));
    assert.equal(accuracyCell(lines[6]!), '\\textbf{100.00} {\\scriptsize $+100.00$}');
    const byPath = esc('eval', bad, good, '--format', 'latex', '--baseline', good).stdout.trimEnd().split('\n');
    assert.equal(accuracyCell(byPath[5]!), '0.00 {\\scriptsize $-100.00$}');
    assert.equal(accuracyCell(byPath[6]!), '\\textbf{100.00}');
    assert.equal(esc('eval', bad, good, '--baseline', '3').code, 2);
    assert.equal(esc('eval', bad, good, '--baseline', 'elsewhere.json').code, 2);
    assert.equal(esc('eval', bad, good, '--format', 'csv', '--baseline', '1').code, 2);
    assert.equal(esc('eval', bad, good, '--json', '--baseline', '1').code, 2);
  });
});
