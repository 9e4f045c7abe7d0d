// The blind pairwise review inside a real extension host: a review of the demo's inference file against a
// second run over the same split; five judgements (a, a, b, tie, a in terms of the runs, whatever order
// each item was shown in) drawn by the real page, the panel closed and the review reopened — through
// Open Review and through the panel serializer a window reload uses — resumes at item 6 with win 3 /
// tie 1 / loss 1 for run A and the sign test's p = 2·(1 + 4)/16 = 0.625. A second annotator on the same
// file starts at item 1 and brings Cohen's kappa.

import * as assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import * as vscode from 'vscode';
import type { Judgement } from '../../src/core/eval/reviewSession';
import type { ReviewPanel } from '../../src/features/evaluations/review';
import { log } from './index';
import { api, withTimeout } from './host';

/** The key that prefers `run` on the item the panel shows (the page's order is the panel's). */
function pickFor(panel: ReviewPanel, run: 'a' | 'b' | 'tie'): 0 | 1 | 2 {
  if (run === 'tie') return 0;
  const shown = panel.session.shown(panel.item!);
  return (run === 'a') === (shown === 'ab') ? 1 : 2;
}

describe('Blind pairwise review', () => {
  let dir: string;
  let runA: string;
  let runB: string;
  let reviewFile: string;

  before(() => {
    const folder = vscode.workspace.workspaceFolders?.[0];
    assert.ok(folder, 'the demo workspace is not open');
    runA = path.join(folder.uri.fsPath, 'data', 'inference_demo.json');
    dir = mkdtempSync(path.join(tmpdir(), 'esc-review-'));
    // run B: the same split (conversations and gold), other replies
    const records = JSON.parse(readFileSync(runA, 'utf8')) as Record<string, unknown>[];
    runB = path.join(dir, 'run-b.json');
    writeFileSync(runB, JSON.stringify(records.map((r, i) => ({ ...r, predict_content: `Run B's reply to turn ${i}.` }))));
    reviewFile = path.join(dir, 'demo-vs-b.review.jsonl');
  });

  after(() => {
    for (const g of vscode.window.tabGroups.all) {
      for (const t of g.tabs) {
        if (t.input instanceof vscode.TabInputWebview && t.input.viewType.endsWith('escStudio.review')) {
          void vscode.window.tabGroups.close(t);
        }
      }
    }
    rmSync(dir, { recursive: true, force: true });
  });

  it('five judgements survive closing the page and a reload (serializer), resuming at item 6 with win 3 / tie 1 / loss 1, p = 0.625', async () => {
    const a = await api();
    const review = a.evaluations.review;
    assert.ok(review, 'registerReview set the feature handle');
    const panel = await review.open(runA, runB, reviewFile, 'tester');
    assert.equal(panel.item, 0);
    await withTimeout(panel.rendered(0), 30_000, 'the page drawing item 1');

    const want = ['a', 'a', 'b', 'tie', 'a'] as const;
    for (const [i, run] of want.entries()) {
      assert.equal(panel.item, i);
      await panel.judge(pickFor(panel, run), i === 2 ? 'run B is more specific' : undefined);
      await withTimeout(panel.rendered(i + 1), 10_000, `the page drawing item ${i + 2}`);
    }
    const lines = readFileSync(reviewFile, 'utf8').trimEnd().split('\n');
    assert.equal(lines.length, 6, 'a header and five judgements');
    const header = JSON.parse(lines[0]!) as { review: number; a: string; b: string; seed: string };
    assert.equal(header.review, 1);
    assert.equal(path.resolve(dir, header.a), runA);
    const judgements = lines.slice(1).map((l) => JSON.parse(l) as Judgement);
    assert.deepEqual(
      judgements.map((j) => j.choice),
      [...want],
    );
    assert.deepEqual(
      judgements.map((j) => j.annotator),
      Array(5).fill('tester'),
    );
    assert.equal(judgements[2]!.note, 'run B is more specific');
    const shown = judgements.map((j) => j.shown);
    log(`  review: orders shown ${shown.join(' ')} (seed ${header.seed})`);

    // closed, then reopened from the file through the command the Evaluations view uses
    panel.panel.dispose();
    assert.equal(review.panel(reviewFile), undefined);
    const reopened = await vscode.commands.executeCommand<ReviewPanel | undefined>('escStudio.openReview', vscode.Uri.file(reviewFile));
    assert.ok(reopened, 'Open Review opened the file');
    assert.equal(reopened.item, 5, 'resumes at the first item not judged (item 6)');
    await withTimeout(reopened.rendered(5), 30_000, 'the reopened page drawing item 6');
    let state = reopened.state();
    assert.equal(state.judged, 5);
    assert.equal(state.total, 23);
    assert.deepEqual(state.result.items, { win: 3, tie: 1, loss: 1 });
    assert.equal(state.result.p, 0.625);
    assert.equal(state.result.agreement, undefined);
    // the page was sent the item with its replies in the blind order, and no run names outside the result
    const item = state.item!;
    const rec = JSON.parse(readFileSync(runA, 'utf8')) as { predict_content: string }[];
    const inOrder =
      reopened.session.shown(5) === 'ab'
        ? [rec[5]!.predict_content, "Run B's reply to turn 5."]
        : ["Run B's reply to turn 5.", rec[5]!.predict_content];
    assert.deepEqual([item.first, item.second], inOrder);

    // a window reload: VS Code hands the serializer a new panel of the view type and the page's saved state
    reopened.panel.dispose();
    const fresh = vscode.window.createWebviewPanel('escStudio.review', 'Review', vscode.ViewColumn.Active, { enableScripts: true });
    const restored = await review.restore(fresh, { file: reviewFile, showGold: false, showResults: true });
    assert.ok(restored, 'the serializer reopened the review');
    assert.equal(restored.item, 5);
    await withTimeout(restored.rendered(5), 30_000, 'the restored page drawing item 6');
    state = restored.state();
    assert.deepEqual(state.result.items, { win: 3, tie: 1, loss: 1 });
    assert.equal(state.result.p, 0.625);
    assert.deepEqual({ ...state.result.perAnnotator }, { tester: { win: 3, tie: 1, loss: 1 } });
    assert.equal(review.panel(reviewFile), restored);
  });

  it("a second annotator on the same file starts at item 1, counts apart, and brings Cohen's kappa", async () => {
    const review = (await api()).evaluations.review!;
    const panel = await review.open(runA, runB, reviewFile, 'second');
    assert.equal(panel.annotator, 'second');
    assert.equal(panel.item, 0);
    await withTimeout(panel.rendered(0), 30_000, 'the page drawing item 1 for the second annotator');
    // agrees with the first annotator on items 1-4, not on item 5 (b where they said a)
    for (const run of ['a', 'a', 'b', 'tie', 'b'] as const) await panel.judge(pickFor(panel, run));
    const s = panel.state();
    assert.equal(s.judged, 5);
    assert.deepEqual(s.result.perAnnotator.second, { win: 2, tie: 1, loss: 2 });
    assert.deepEqual(s.result.perAnnotator.tester, { win: 3, tie: 1, loss: 1 });
    // item 5 is a vs b: a tie of the item
    assert.deepEqual(s.result.items, { win: 2, tie: 2, loss: 1 });
    assert.equal(s.result.agreement?.method, 'cohen');
    assert.equal(s.result.agreement?.items, 5);
    // tester a a b tie a, second a a b tie b: po 4/5; marginals tester (a 3, b 1, tie 1), second (a 2, b 2, tie 1)
    // pe = (3·2 + 1·2 + 1·1)/25 = 9/25; kappa = (20/25 − 9/25)/(16/25) = 11/16
    assert.ok(Math.abs(s.result.agreement!.kappa! - 11 / 16) < 1e-12, String(s.result.agreement!.kappa));
  });
});
