// The Playground's front-end state, without a browser: how messages change the page's copy of the
// conversation, which candidates a turn shows and what its controls allow, "Keep both…", what the
// composer may send, the toolbar, and what is announced to screen readers.

import * as assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { CandidateView, PlaygroundState, TurnView } from '../../src/protocol/playground';
import { announcements } from '../../webview-ui/src/playground/model/announce';
import { checkMessage, composerControls, MAX_MESSAGE } from '../../webview-ui/src/playground/model/composer';
import { barLength, formatMs, formatPct } from '../../webview-ui/src/playground/model/format';
import { rovingIndex } from '../../webview-ui/src/playground/model/keys';
import { onCandidate, onInit, onState, persisted, restoreSession, setKeepBoth } from '../../webview-ui/src/playground/model/session';
import { toolbarView } from '../../webview-ui/src/playground/model/toolbar';
import {
  isEditable,
  lanesShown,
  openKeepBoth,
  pairKinds,
  reconcileKeepBoth,
  selectedCandidate,
  switcher,
  type SupporterTurn,
} from '../../webview-ui/src/playground/model/turns';

function cand(over: Partial<CandidateView> = {}): CandidateView {
  return { lane: 'decoupled', overridden: false, reply: '', status: 'done', latencyMs: {}, generatorLabel: 'g', ...over };
}
function supporter(id: string, candidates: CandidateView[], selected = candidates.length - 1): SupporterTurn {
  return { id, speaker: 'supporter', candidates, selected };
}
function stateOf(turns: TurnView[], over: Partial<PlaygroundState> = {}): PlaygroundState {
  return { mode: 'decoupled', backend: 'embedded', turns, busy: false, backendInfo: { planner: 'p', generator: 'g' }, ...over };
}
const seeker = (id: string): TurnView => ({ id, speaker: 'seeker', text: 'hello' });

describe('playground session: messages from the extension', () => {
  it('starts from what was saved, or empty, and saves only what a reload needs', () => {
    const empty = restoreSession(undefined);
    assert.equal(empty.draft, '');
    assert.equal(empty.state, undefined);
    const s = restoreSession({ draft: 'half a thought', state: stateOf([]) });
    assert.equal(s.draft, 'half a thought');
    assert.deepEqual(Object.keys(persisted(setKeepBoth(s, 't2', { other: 0 }))).sort(), ['draft', 'init', 'state']);
  });

  it('init keeps the strategies, trust and version, and the conversation', () => {
    const state = stateOf([seeker('t1')]);
    const s = onInit(restoreSession(undefined), {
      type: 'init',
      strategies: [{ name: 'Question', color: '#123456' }],
      trusted: false,
      version: '1',
      state,
    });
    assert.deepEqual(s.init, { strategies: [{ name: 'Question', color: '#123456' }], trusted: false, version: '1' });
    assert.equal(s.state, state);
  });

  it('a streamed candidate replaces only its own turn; the other turns stay the same objects', () => {
    const t1 = seeker('t1');
    const t2 = supporter('t2', [cand({ status: 'generating', reply: 'I' })]);
    const t3 = seeker('t3');
    const s = onState(restoreSession(undefined), stateOf([t1, t2, t3], { busy: true }));
    const next = onCandidate(s, {
      type: 'candidate',
      turnId: 't2',
      index: 0,
      candidate: cand({ status: 'done', reply: 'I hear you.' }),
      busy: false,
    });
    const turns = next.state!.turns;
    assert.equal(turns[0], t1);
    assert.equal(turns[2], t3);
    assert.notEqual(turns[1], t2, 'the changed turn is a new object (the view redraws it)');
    assert.equal((turns[1] as SupporterTurn).candidates[0]!.reply, 'I hear you.');
    assert.equal(next.state!.busy, false);
    assert.equal(t2.candidates[0]!.reply, 'I', 'the previous state is not changed');
  });

  it('a candidate patch may add the next candidate, but one for an unknown turn or a gap is dropped', () => {
    const s = onState(restoreSession(undefined), stateOf([supporter('t2', [cand()])]));
    const added = onCandidate(s, { type: 'candidate', turnId: 't2', index: 1, candidate: cand({ status: 'planning' }), busy: true });
    assert.equal((added.state!.turns[0] as SupporterTurn).candidates.length, 2);
    assert.equal(onCandidate(s, { type: 'candidate', turnId: 'nope', index: 0, candidate: cand(), busy: true }), s);
    assert.equal(onCandidate(s, { type: 'candidate', turnId: 't2', index: 3, candidate: cand(), busy: true }), s);
    assert.equal(
      onCandidate(restoreSession(undefined), { type: 'candidate', turnId: 't2', index: 0, candidate: cand(), busy: true }).state,
      undefined,
    );
  });

  it('open "Keep both…" panels follow a new state and close when their turn is gone', () => {
    const turn = supporter('t2', [cand({ reply: 'a' }), cand({ reply: 'b' }), cand({ reply: 'c' })], 0);
    let s = onState(restoreSession(undefined), stateOf([turn]));
    s = setKeepBoth(s, 't2', { other: 2, chosen: 2 });
    // the user continues with #2: the panel still compares with #3, and #3 is still the pick
    s = onState(s, stateOf([{ ...turn, selected: 1 }]));
    assert.deepEqual(s.keepBoth.t2, { other: 2, chosen: 2 });
    // then with #3: the panel compares #3 with the newest other candidate; the old pick no longer applies
    s = onState(s, stateOf([{ ...turn, selected: 2 }]));
    assert.deepEqual(s.keepBoth.t2, { other: 1, chosen: undefined });
    s = onState(s, stateOf([]));
    assert.deepEqual(s.keepBoth, {});
  });
});

describe('playground turns', () => {
  it('shows the selected candidate, the newest one when the selection is out of range', () => {
    const t = supporter('t', [cand({ reply: 'a' }), cand({ reply: 'b' })], 0);
    assert.equal(selectedCandidate(t)!.reply, 'a');
    assert.equal(selectedCandidate({ ...t, selected: 9 })!.reply, 'b');
  });

  it('shows one lane, or both in compare mode with decoupled always on the left', () => {
    const d = cand({ lane: 'decoupled' });
    const v = cand({ lane: 'vanilla' });
    assert.deepEqual(lanesShown(supporter('t', [d, d], 1)), [1]);
    assert.deepEqual(lanesShown(supporter('t', [d, v], 0)), [0, 1]);
    assert.deepEqual(lanesShown(supporter('t', [d, v], 1)), [0, 1], 'the lanes do not swap sides when the other one continues');
    assert.deepEqual(lanesShown(supporter('t', [d, v, d, v], 0)), [0, 3], "the other lane's newest candidate");
  });

  it('lets only the newest turn be regenerated or overridden', () => {
    const a = supporter('t2', [cand()]);
    const b = supporter('t4', [cand()]);
    const state = stateOf([seeker('t1'), a, seeker('t3'), b]);
    assert.equal(isEditable(state, a), false);
    assert.equal(isEditable(state, b), true);
  });

  it('offers the candidate switcher from two candidates, each way only where there is one, and not while busy', () => {
    assert.equal(switcher(supporter('t', [cand()]), false), undefined);
    const t = supporter('t', [cand(), cand(), cand()], 0);
    assert.deepEqual(switcher(t, false), { label: '1/3', ariaLabel: 'Candidate 1 of 3', prev: false, next: true });
    assert.deepEqual(switcher({ ...t, selected: 2 }, false), { label: '3/3', ariaLabel: 'Candidate 3 of 3', prev: true, next: false });
    assert.deepEqual(switcher({ ...t, selected: 1 }, true), { label: '2/3', ariaLabel: 'Candidate 2 of 3', prev: false, next: false });
  });

  it('"Keep both…" compares the selected candidate with the newest other one and drops a stale pick', () => {
    const t = supporter('t', [cand(), cand(), cand()], 2);
    assert.deepEqual(openKeepBoth(t), { other: 1 });
    assert.deepEqual(reconcileKeepBoth(t, { other: 0, chosen: 0 }), { other: 0, chosen: 0 });
    assert.deepEqual(reconcileKeepBoth({ ...t, selected: 0 }, { other: 0, chosen: 1 }), { other: 2, chosen: undefined });
    assert.equal(reconcileKeepBoth(supporter('t', [cand()]), { other: 0 }), undefined);
  });

  it('saves a planner pair for two strategies and a generator pair for two replies of one strategy', () => {
    const q = (reply: string): CandidateView => cand({ strategy: 'Question', reply });
    assert.deepEqual(pairKinds(q('a'), cand({ strategy: 'Others', reply: 'a' })), {
      planner: true,
      generator: false,
      why: 'The strategies differ: this is a planner preference.',
    });
    assert.deepEqual(pairKinds(q('a'), q('b')), {
      planner: false,
      generator: true,
      why: 'Same strategy, different replies: this is a generator preference.',
    });
    assert.deepEqual(pairKinds(q('a'), q('a')), {
      planner: false,
      generator: false,
      why: 'Same strategy and the same reply: nothing to prefer.',
    });
    assert.deepEqual(pairKinds(q('a'), cand({ reply: 'b' })), {
      planner: false,
      generator: false,
      why: 'One side has no strategy: nothing to save.',
    });
  });
});

describe('playground composer, keys and toolbar', () => {
  it('sends the trimmed draft, nothing while busy or empty, and refuses a message over the limit', () => {
    assert.deepEqual(checkMessage('  I feel lost \n', false), { send: 'I feel lost' });
    assert.equal(checkMessage('I feel lost', true), undefined);
    assert.equal(checkMessage(' \n ', false), undefined);
    assert.deepEqual(checkMessage('x'.repeat(MAX_MESSAGE + 1), false), {
      error: 'The message is too long (20,001 characters; at most 20,000).',
    });
  });

  it('shows Cancel instead of Send while busy and saves only a finished conversation', () => {
    assert.deepEqual(composerControls(false, true, 'hi'), { cancelShown: false, sendDisabled: false, saveDisabled: false });
    assert.deepEqual(composerControls(false, false, ' '), { cancelShown: false, sendDisabled: true, saveDisabled: true });
    assert.deepEqual(composerControls(true, true, 'hi'), { cancelShown: true, sendDisabled: true, saveDisabled: true });
  });

  it('moves through a group with the arrows, wrapping, and Home/End', () => {
    assert.equal(rovingIndex('ArrowDown', 7, 8), 0);
    assert.equal(rovingIndex('ArrowUp', 0, 8), 7);
    assert.equal(rovingIndex('End', 2, 8), 7);
    assert.equal(rovingIndex('Home', 5, 8), 0);
    assert.equal(rovingIndex('ArrowRight', 2, 8), undefined, 'left/right only in a horizontal group');
    assert.equal(rovingIndex('ArrowRight', 2, 8, true), 3);
    assert.equal(rovingIndex('Tab', 2, 8, true), undefined);
    assert.equal(rovingIndex('ArrowDown', -1, 8), undefined, 'focus outside the group');
  });

  it('locks the pickers while a turn is produced and the OpenAI-compatible backend in an untrusted workspace', () => {
    const v = toolbarView(
      stateOf([], { busy: true, backend: 'openai', backendInfo: { planner: 'P', generator: 'G', note: 'retrieval baseline' } }),
      false,
    );
    assert.deepEqual(v, {
      mode: 'decoupled',
      backend: 'openai',
      pickersDisabled: true,
      openaiDisabled: true,
      untrusted: true,
      info: ['Planner: P', 'Generator: G'],
      note: 'retrieval baseline',
    });
    assert.equal(toolbarView(stateOf([]), true).pickersDisabled, false);
  });

  it('formats latencies, probabilities and bar lengths', () => {
    assert.equal(formatMs(1.234), '1.2 ms');
    assert.equal(formatMs(3450), '3.45 s');
    assert.equal(formatPct(0.1234), '12.3%');
    assert.equal(barLength(0.5), 'max(2px, 50.00%)');
    assert.equal(barLength(1.7), 'max(2px, 100.00%)');
    assert.equal(barLength(-1), 'max(2px, 0.00%)');
  });
});

describe('playground announcements', () => {
  it('says nothing on the first look, then each reply of the newest turn once when it finishes or fails', () => {
    const generating = stateOf([seeker('t1'), supporter('t2', [cand({ status: 'generating' })])]);
    const first = announcements(generating, undefined);
    assert.deepEqual(first.texts, []);
    const done = stateOf([seeker('t1'), supporter('t2', [cand({ status: 'done', strategy: 'Question' })])]);
    const second = announcements(done, first.seen);
    assert.deepEqual(second.texts, ['Reply ready (Question).']);
    assert.deepEqual(announcements(done, second.seen).texts, [], 'not twice');
  });

  it('names the lane in compare mode and says which stage failed', () => {
    const before = stateOf([supporter('t2', [cand({ status: 'generating' }), cand({ lane: 'vanilla', status: 'generating' })])]);
    const after = stateOf([
      supporter('t2', [
        cand({ status: 'error', error: { stage: 'planner', message: 'connection refused' } }),
        cand({ lane: 'vanilla', status: 'done' }),
      ]),
    ]);
    assert.deepEqual(announcements(after, announcements(before, undefined).seen).texts, [
      'Decoupled reply: the planner failed: connection refused',
      'Vanilla reply ready.',
    ]);
  });
});
