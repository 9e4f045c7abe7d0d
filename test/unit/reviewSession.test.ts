// The blind review's session (core/eval/reviewSession): pairing two runs, the blind order, the
// judgement file (header, appends, a torn line, last-wins re-judgements, two annotators) and resuming.

import * as assert from 'node:assert/strict';
import { appendFileSync, existsSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import * as path from 'node:path';
import { describe, it } from 'node:test';
import {
  appendJudgement,
  choiceFor,
  latestJudgements,
  nextItem,
  pairRuns,
  pickFor,
  readReviewFile,
  ReviewError,
  ReviewSession,
  shownOrder,
  type Judgement,
} from '../../src/core/eval/reviewSession';
import { DEMO_DATA, tempDir } from './helpers';

const DEMO_INFERENCE = path.join(DEMO_DATA, 'inference_demo.json');

interface Rec {
  conversations: { role: string; content: string }[];
  GT_strategy: string;
  predict_strategy: string;
  GT_content: string;
  predict_content: string;
}

function demoRecords(): Rec[] {
  return JSON.parse(readFileSync(DEMO_INFERENCE, 'utf8')) as Rec[];
}

/** Run B: the demo's records with another reply each. */
function otherRun(records: Rec[]): Rec[] {
  return records.map((r, i) => ({ ...r, predict_content: `Reply ${i} of run B.` }));
}

describe('review items', () => {
  it('pairs two runs record by record: context, the seeker last message, both replies, the gold', () => {
    const a = demoRecords();
    const items = pairRuns(a, otherRun(a));
    assert.equal(items.length, a.length);
    const first = items[0]!;
    assert.deepEqual(first.context, []);
    assert.equal(first.seeker, 'Hi, is anyone there?');
    assert.equal(first.replyA, a[0]!.predict_content);
    assert.equal(first.replyB, 'Reply 0 of run B.');
    assert.equal(first.gold, a[0]!.GT_content);
    const later = items.find((it) => it.context.length > 0)!;
    const conv = a[later.index]!.conversations.filter((m) => m.role !== 'system');
    assert.equal(later.context.length, conv.length - 1);
    assert.deepEqual(later.context[0], { speaker: conv[0]!.role === 'user' ? 'seeker' : 'supporter', text: conv[0]!.content });
  });

  it('reads from/value messages and leaves system prompts out', () => {
    const rec = {
      conversations: [
        { from: 'system', value: 'You are a supporter.' },
        { from: 'human', value: 'hello' },
        { from: 'gpt', value: 'hi' },
        { from: 'human', value: 'I am sad' },
      ],
      GT_content: 'gold',
      predict_content: 'x',
    };
    const [item] = pairRuns([rec], [{ ...rec, predict_content: 'y' }]);
    assert.deepEqual(item!.context, [
      { speaker: 'seeker', text: 'hello' },
      { speaker: 'supporter', text: 'hi' },
    ]);
    assert.equal(item!.seeker, 'I am sad');
  });

  it('refuses runs over different splits, naming the record that differs', () => {
    const a = demoRecords();
    assert.throws(() => pairRuns(a, a.slice(1), { a: 'a.json', b: 'b.json' }), /a\.json has 23 records, b\.json has 22/);
    const gold = otherRun(a);
    gold[7] = { ...gold[7]!, GT_content: 'something else' };
    assert.throws(
      () => pairRuns(a, gold, { a: 'a.json', b: 'b.json' }),
      (e: Error) => e instanceof ReviewError && /record 7 has another GT_content/.test(e.message),
    );
    const conv = otherRun(a);
    conv[3] = { ...conv[3]!, conversations: [{ role: 'user', content: 'changed' }] };
    assert.throws(() => pairRuns(a, conv), /record 3 has another conversation/);
    assert.throws(() => pairRuns([{ GT_content: 'x' }], [{ GT_content: 'x' }]), /record 0 has no predict_content/);
    assert.throws(() => pairRuns([], []), /no records/);
  });
});

describe('review items across inference modes', () => {
  // one turn as esc infer writes it (FORMATS.md §7): vanilla keeps the system prompt and the tags, decoupled neither
  const decoupled = {
    conversations: [
      { role: 'user', content: 'I lost my job.' },
      { role: 'assistant', content: 'That sounds hard.' },
      { role: 'user', content: 'I feel useless.' },
    ],
    GT_strategy: 'Affirmation and Reassurance',
    predict_strategy: 'Question',
    GT_content: 'You are not useless.',
    predict_content: 'What happened?',
  };
  const vanilla = {
    conversations: [
      { role: 'system', content: 'You are a supporter…' },
      { role: 'user', content: 'I lost my job.' },
      { role: 'assistant', content: '[Reflection of feelings] That sounds hard.' },
      { role: 'user', content: 'I feel useless.' },
    ],
    GT_strategy: 'Affirmation and Reassurance',
    predict_strategy: 'Others',
    GT_content: 'You are not useless.',
    predict_content: 'I hear you.',
  };

  it('pairs a vanilla run with a decoupled run of the same split, showing the history without tags', () => {
    const [item] = pairRuns([vanilla], [decoupled], { a: 'vanilla.json', b: 'decoupled.json' });
    assert.deepEqual(item!.context, [
      { speaker: 'seeker', text: 'I lost my job.' },
      { speaker: 'supporter', text: 'That sounds hard.' },
    ]);
    assert.equal(item!.seeker, 'I feel useless.');
    assert.equal(item!.replyA, 'I hear you.');
    assert.equal(item!.replyB, 'What happened?');
  });

  it('still refuses a history that differs in what was said', () => {
    const other = {
      ...decoupled,
      conversations: [
        ...decoupled.conversations.slice(0, 1),
        { role: 'assistant', content: 'That sounds very hard.' },
        decoupled.conversations[2]!,
      ],
    };
    assert.throws(() => pairRuns([vanilla], [other]), /record 0 has another conversation/);
  });
});

describe('blind order', () => {
  it('is stable for a seed, varies between items and seeds, and looks random', () => {
    const orders = Array.from({ length: 400 }, (_, i) => shownOrder('seed-1', i));
    assert.deepEqual(
      orders,
      Array.from({ length: 400 }, (_, i) => shownOrder('seed-1', i)),
    );
    const ab = orders.filter((o) => o === 'ab').length;
    assert.ok(ab > 150 && ab < 250, `${ab} of 400 shown A first`);
    const other = Array.from({ length: 400 }, (_, i) => shownOrder('seed-2', i));
    assert.notDeepEqual(orders, other);
    // not alternating: some runs of equal orders
    assert.ok(orders.some((o, i) => i > 0 && o === orders[i - 1]));
  });

  it('maps the key pressed back to the run, whatever the order shown', () => {
    assert.equal(choiceFor(1, 'ab'), 'a');
    assert.equal(choiceFor(2, 'ab'), 'b');
    assert.equal(choiceFor(1, 'ba'), 'b');
    assert.equal(choiceFor(2, 'ba'), 'a');
    assert.equal(choiceFor(0, 'ba'), 'tie');
    for (const shown of ['ab', 'ba'] as const) {
      for (const pick of [0, 1, 2] as const) assert.equal(pickFor(choiceFor(pick, shown), shown), pick);
    }
  });
});

describe('judgement file', () => {
  function runs(): { dir: ReturnType<typeof tempDir>; a: string; b: string; review: string } {
    const dir = tempDir();
    const records = demoRecords();
    const a = dir.write('run-a.json', JSON.stringify(records));
    const b = dir.write(
      'run-b.jsonl',
      otherRun(records)
        .map((r) => JSON.stringify(r))
        .join('\n') + '\n',
    );
    return { dir, a, b, review: path.join(dir.dir, 'reviews', 'a-vs-b.review.jsonl') };
  }

  it('starts with a header (runs relative to the file), appends one fsynced line per judgement, resumes after a reopen', async () => {
    const { dir, a, b, review } = runs();
    try {
      const s = await ReviewSession.openOrCreate(review, a, b);
      const header = JSON.parse(readFileSync(review, 'utf8').split('\n')[0]!) as Record<string, unknown>;
      assert.equal(header.review, 1);
      assert.equal(header.a, '../run-a.json');
      assert.equal(header.b, '../run-b.jsonl');
      assert.match(String(header.seed), /^[0-9a-f]{16}$/);
      assert.ok(!Number.isNaN(Date.parse(String(header.created))));
      assert.equal(s.next('ann'), 0);
      // a, a, b, tie, a — in terms of the runs, whatever order each was shown in
      const want = ['a', 'a', 'b', 'tie', 'a'] as const;
      for (let i = 0; i < 5; i++) {
        const run = want[i]!;
        await s.judge('ann', i, run === 'tie' ? 0 : pickForRun(run, s.shown(i)), i === 2 ? '  too generic  ' : undefined);
      }
      const lines = readFileSync(review, 'utf8').split('\n');
      assert.equal(lines.length, 7, 'header + 5 lines + the final newline');
      const third = JSON.parse(lines[3]!) as Judgement;
      assert.equal(third.item, 2);
      assert.equal(third.choice, 'b');
      assert.equal(third.shown, s.shown(2));
      assert.equal(third.note, 'too generic');
      assert.equal((JSON.parse(lines[1]!) as Judgement).note, undefined);

      const again = await ReviewSession.open(review);
      assert.equal(again.header.seed, s.header.seed);
      assert.equal(again.next('ann'), 5);
      assert.equal(again.next('someone else'), 0);
      assert.deepEqual(again.result().items, { win: 3, tie: 1, loss: 1 });
      assert.equal(again.result().p, 0.625);
      // the same pair again resumes the same file; another pair is refused
      assert.equal((await ReviewSession.openOrCreate(review, a, b)).next('ann'), 5);
      await assert.rejects(ReviewSession.openOrCreate(review, b, a), /reviews \.\.\/run-a\.json against \.\.\/run-b\.jsonl/);
    } finally {
      dir.dispose();
    }
  });

  it('refuses to resume a review whose run was rewritten since it started (other replies than the ones judged)', async () => {
    const { dir, a, b, review } = runs();
    try {
      const s = await ReviewSession.openOrCreate(review, a, b);
      await s.judge('ann', 0, 1);
      assert.ok((await ReviewSession.open(review)).latest.length === 1, 'unchanged runs reopen');
      const rerun = demoRecords().map((r, i) => ({ ...r, predict_content: `A rerun's reply ${i}.` }));
      writeFileSync(a, JSON.stringify(rerun));
      await assert.rejects(ReviewSession.open(review), /run-a\.json has changed since a-vs-b\.review\.jsonl was started/);
      await assert.rejects(ReviewSession.openOrCreate(review, a, b), /has changed since/);
      // the same replies written in another layout (JSON Lines) are the same run
      writeFileSync(
        a,
        demoRecords()
          .map((r) => JSON.stringify(r))
          .join('\n') + '\n',
      );
      assert.equal((await ReviewSession.open(review)).latest.length, 1);
    } finally {
      dir.dispose();
    }
  });

  it('does not recreate a review file deleted while open: the judgement fails with a clear error', async () => {
    const { dir, a, b, review } = runs();
    try {
      const s = await ReviewSession.openOrCreate(review, a, b);
      rmSync(review);
      await assert.rejects(s.judge('ann', 0, 1), /a-vs-b\.review\.jsonl was deleted or moved; the judgement was not saved/);
      assert.equal(existsSync(review), false);
    } finally {
      dir.dispose();
    }
  });

  it('ignores a torn last line and says so; the next append starts a line of its own', async () => {
    const { dir, a, b, review } = runs();
    try {
      const s = await ReviewSession.openOrCreate(review, a, b);
      await s.judge('ann', 0, 1);
      appendFileSync(review, '{"item":1,"annotator":"ann","cho');
      const torn = await readReviewFile(review);
      assert.equal(torn.judgements.length, 1);
      assert.deepEqual(torn.ignoredLines, [3]);
      const reopened = await ReviewSession.open(review);
      assert.equal(reopened.next('ann'), 1);
      assert.deepEqual(reopened.ignoredLines, [3]);
      await reopened.judge('ann', 1, 0);
      const after = await readReviewFile(review);
      assert.equal(after.judgements.length, 2);
      assert.deepEqual(after.ignoredLines, [3]);
      assert.equal(after.judgements[1]!.choice, 'tie');
      assert.equal((await ReviewSession.open(review)).next('ann'), 2);
    } finally {
      dir.dispose();
    }
  });

  it('a re-judgement by the same annotator overrides the earlier one; two annotators count apart', async () => {
    const { dir, a, b, review } = runs();
    try {
      const s = await ReviewSession.openOrCreate(review, a, b);
      await s.judge('x', 0, pickForRun('a', s.shown(0)));
      await s.judge('y', 0, pickForRun('a', s.shown(0)));
      await s.judge('x', 1, pickForRun('b', s.shown(1)));
      await s.judge('y', 1, pickForRun('a', s.shown(1)));
      await s.judge('x', 0, 0); // x changes their mind on item 0
      const again = await ReviewSession.open(review);
      assert.equal((await readReviewFile(review)).judgements.length, 5);
      assert.deepEqual(
        again.latest.map((j) => [j.item, j.annotator, j.choice]),
        [
          [0, 'x', 'tie'],
          [0, 'y', 'a'],
          [1, 'x', 'b'],
          [1, 'y', 'a'],
        ],
      );
      assert.equal(again.next('x'), 2);
      assert.equal(again.next('y'), 2);
      assert.equal(again.judgementOf('x', 0)?.choice, 'tie');
      const r = again.result();
      assert.deepEqual({ ...r.perAnnotator }, { x: { win: 0, tie: 1, loss: 1 }, y: { win: 2, tie: 0, loss: 0 } });
      assert.equal(r.agreement?.method, 'cohen');
      assert.equal(r.agreement?.items, 2);
    } finally {
      dir.dispose();
    }
  });

  it('resume: the first item not judged, not the one after the last judged', () => {
    const j = (item: number, annotator = 'ann'): Judgement => ({ item, annotator, choice: 'a', shown: 'ab', at: '' });
    assert.equal(nextItem(latestJudgements([j(0), j(1), j(3)]), 'ann', 5), 2);
    assert.equal(nextItem(latestJudgements([j(0), j(1), j(2)]), 'ann', 3), 3);
    assert.equal(nextItem(latestJudgements([j(0, 'other')]), 'ann', 3), 0);
  });

  it('refuses a file that is not a review, and a judgement beyond the runs', async () => {
    const { dir, a, b, review } = runs();
    try {
      const bad = dir.write('bad.review.jsonl', '{"hello":1}\n');
      await assert.rejects(ReviewSession.open(bad), /not a review file/);
      await assert.rejects(ReviewSession.openOrCreate(bad, a, b), /not a review file/);
      const s = await ReviewSession.openOrCreate(review, a, b);
      await assert.rejects(s.judge('ann', 23, 1), /no item 23/);
      await appendJudgement(review, { item: 99, annotator: 'ann', choice: 'a', shown: 'ab', at: 'now' });
      await assert.rejects(ReviewSession.open(review), /judges item 99, but the runs have 23 records/);
      writeFileSync(path.join(dir.dir, 'run-b.jsonl'), '{"broken":');
      await assert.rejects(ReviewSession.openOrCreate(path.join(dir.dir, 'new.review.jsonl'), a, b), /run-b\.jsonl/);
    } finally {
      dir.dispose();
    }
  });
});

/** The key that prefers `run` in the order shown. */
function pickForRun(run: 'a' | 'b', shown: 'ab' | 'ba'): 1 | 2 {
  return (run === 'a') === (shown === 'ab') ? 1 : 2;
}
