// Evaluations inside a real VS Code: two inference files scored through ESC: Evaluate, and the
// comparison page's numbers checked against what the `esc` CLI prints for the same files (a separate
// process running the same metrics from the shipped dist/cli.js); the LaTeX export against
// `esc eval --format latex`; a confusion cell drilled into the viewer; the Evaluations view's headline.

import * as assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import * as vscode from 'vscode';
import { STRATEGIES } from '../../src/core/strategies';
import { log } from './index';
import { EXTENSION_ID, api, withTimeout, workspaceDir } from './host';

interface CliRun {
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

/** Runs the shipped CLI in its own process, in the workspace folder (so relative names match the page's labels). */
function esc(...args: string[]): string {
  const cli = path.join(vscode.extensions.getExtension(EXTENSION_ID)!.extensionPath, 'dist', 'cli.js');
  const r = spawnSync(process.execPath, [cli, ...args], {
    cwd: workspaceDir(),
    encoding: 'utf8',
    env: { ...process.env, ELECTRON_RUN_AS_NODE: '1' },
  });
  assert.equal(r.status, 0, `esc ${args.join(' ')} failed: ${r.stderr}`);
  return r.stdout;
}

describe('Evaluations: score, compare, drill down, export', () => {
  const tmp = mkdtempSync(path.join(tmpdir(), 'esc-eval-it-'));
  const relA = path.join('data', 'inference_demo.json');
  let fileA: string;
  let fileB: string;

  before(() => {
    fileA = path.join(workspaceDir(), relA);
    // a second run over the same turns: other predictions, one unusable, some replies copied from the gold
    const records = JSON.parse(readFileSync(fileA, 'utf8')) as Record<string, unknown>[];
    const other = records.map((r, i) => ({
      ...r,
      predict_strategy: i === 2 ? null : i % 3 === 0 ? 'Question' : r.predict_strategy,
      predict_content: i % 4 === 0 ? r.GT_content : r.predict_content,
    }));
    fileB = path.join(tmp, 'run B (other model).json');
    writeFileSync(fileB, JSON.stringify(other, null, 1));
  });
  after(async () => {
    await vscode.commands.executeCommand('workbench.action.closeAllEditors');
    rmSync(tmp, { recursive: true, force: true });
  });

  it('shows on the comparison page the numbers esc eval --json prints for the same two files', async () => {
    const a = await api();
    await withTimeout(
      Promise.resolve(vscode.commands.executeCommand('escStudio.evaluate', vscode.Uri.file(fileA), vscode.Uri.file(fileB))),
      60_000,
      'ESC: Evaluate',
    );
    const state = a.evaluations.comparison.state;
    assert.ok(state, 'the page was sent a state');
    assert.equal(state.pending.length, 0);
    assert.deepEqual(state.failed, []);
    assert.deepEqual(
      state.runs.map((r) => r.id),
      [fileA, fileB],
    );

    const cli = JSON.parse(esc('eval', '--json', relA, fileB)) as { runs: CliRun[] };
    assert.equal(cli.runs.length, 2);
    const col = (key: string): number => state.table.columns.findIndex((c) => c.key === key);
    let checked = 0;
    cli.runs.forEach((run, k) => {
      const row = state.table.rows[k]!;
      assert.equal(row.records, run.records);
      // every table cell is the CLI's number as the paper shows it (text x100 already; fractions x100; bias as is)
      for (const [key, value] of Object.entries(run.text)) {
        assert.equal(row.cells[col(key)]!.text, value.toFixed(2), `${key} of run ${k}`);
        checked++;
      }
      for (const key of ['accuracy', 'weighted_f1', 'macro_f1', 'error_ratio'] as const) {
        assert.equal(row.cells[col(key)]!.text, (run.strategy[key] * 100).toFixed(2), `${key} of run ${k}`);
        checked++;
      }
      assert.equal(row.cells[col('p_bias')]!.text, run.strategy.p_bias.toFixed(2));
      // the charts' numbers are the CLI's, unrounded
      const page = state.runs[k]!;
      STRATEGIES.forEach((s, i) => {
        assert.equal(page.perStrategy[i]!.f1, run.strategy.per_strategy[s]!.f1, `F1 of ${s}`);
        assert.equal(page.perStrategy[i]!.preference, run.strategy.per_strategy[s]!.preference, `preference of ${s}`);
        STRATEGIES.forEach((p, j) => assert.equal(page.confusion[i]![j], run.strategy.confusion[s]![p], `confusion ${s} -> ${p}`));
      });
      const unusable = page.unusable.reduce((x, y) => x + y, 0);
      assert.equal(unusable / run.records, run.strategy.error_ratio, 'unusable predictions = the error ratio');
    });
    assert.equal(
      state.runs[1]!.unusable.reduce((x, y) => x + y, 0),
      1,
      'run B has the one null prediction',
    );
    log(`  comparison page = esc eval --json on ${checked + 2} table cells and every per-strategy number of 2 runs`);
  });

  it('exports the table as LaTeX to the clipboard, equal to esc eval --format latex --baseline 1', async () => {
    const a = await api();
    await a.evaluations.comparison.handle({ type: 'setBaseline', id: fileA });
    await a.evaluations.comparison.handle({ type: 'export', format: 'latex', to: 'clipboard' });
    const copied = await vscode.env.clipboard.readText();
    assert.equal(copied, esc('eval', '--format', 'latex', '--baseline', '1', relA, fileB));
    assert.match(copied, /\\toprule/);
    assert.match(copied, /\{\\scriptsize \$[+-]/, 'deltas against the baseline');
  });

  it('opens the turns behind a confusion cell in the viewer, filtered', async () => {
    const a = await api();
    const page = a.evaluations.comparison.state!.runs[0]!;
    // the busiest off-diagonal cell of run A
    let best = { g: 0, p: 0, n: -1 };
    page.confusion.forEach((row, g) => row.forEach((n, p) => (g !== p && n > best.n ? (best = { g, p, n }) : undefined)));
    assert.ok(best.n > 0, 'run A has a mistake to drill into');
    const uri = vscode.Uri.file(fileA);
    const shown = a.viewer.whenView(
      uri,
      (v) => v.query.subset !== undefined && v.query.subset.label.startsWith(`gold ${STRATEGIES[best.g]}`),
    );
    await a.evaluations.comparison.handle({ type: 'drill', id: fileA, gold: best.g, predicted: best.p });
    const view = await withTimeout(shown, 30_000, 'the filtered viewer');
    assert.equal(view.info.total, best.n, 'the viewer shows exactly the turns of the cell');
    // and they are the cell's turns: each record behind the indices has that gold and that prediction
    const records = JSON.parse(readFileSync(fileA, 'utf8')) as { GT_strategy: string; predict_strategy: string }[];
    for (const i of view.query.subset!.indices) {
      assert.equal(records[i]!.GT_strategy.toLowerCase(), STRATEGIES[best.g]!.toLowerCase(), `record ${i}`);
      assert.equal(records[i]!.predict_strategy.toLowerCase(), STRATEGIES[best.p]!.toLowerCase(), `record ${i}`);
    }
    assert.match(view.query.subset!.label, new RegExp(`predicted ${STRATEGIES[best.p]}`));
  });

  it('never drills into an older version of a file: a rewritten run is scored again first', async () => {
    const a = await api();
    const before = a.evaluations.comparison.state!.runs[1]!;
    // run B rerun into the same file: every prediction now the gold strategy
    const records = JSON.parse(readFileSync(fileB, 'utf8')) as Record<string, unknown>[];
    writeFileSync(fileB, JSON.stringify(records.map((r) => ({ ...r, predict_strategy: r.GT_strategy }))));
    await a.evaluations.comparison.handle({ type: 'drill', id: fileB, gold: 0, predicted: 1 });
    const after = a.evaluations.comparison.state!.runs[1]!;
    assert.notDeepEqual(after.confusion, before.confusion, 'scored again');
    const cli = JSON.parse(esc('eval', '--json', fileB)) as { runs: CliRun[] };
    assert.equal(cli.runs[0]!.strategy.accuracy, 1);
    STRATEGIES.forEach((g, i) =>
      STRATEGIES.forEach((p, j) => assert.equal(after.confusion[i]![j], cli.runs[0]!.strategy.confusion[g]![p], `${g} -> ${p}`)),
    );
  });

  it('lists the evaluated inference file in the Evaluations view with its headline scores', async () => {
    const a = await api();
    await a.evaluations.tree.refresh();
    const groups = a.evaluations.tree.getChildren();
    const inference = groups.find((g) => g.type === 'group' && g.group === 'inference');
    assert.ok(inference, 'an "Inference outputs" group');
    const items = a.evaluations.tree.getChildren(inference).map((n) => a.evaluations.tree.getTreeItem(n));
    const demo = items.find((i) => i.resourceUri?.fsPath === fileA);
    assert.ok(demo, 'the demo inference file is listed');
    assert.match(String(demo.description), /^BLEU-2 \d+\.\d\d · ROUGE-L \d+\.\d\d · Acc\. \d+\.\d%$/);
    assert.equal(demo.contextValue, 'escInferenceEvaluated');
  });
});
