// One candidate reply drawn as the two stages of DecoupledESC: 1 strategy planning (the planner's
// distribution, the chosen strategy, override), 2 response (the reply streaming in). A vanilla
// joint candidate has no planner: its strategy is the tag parsed from the model's answer.

import type { Strategy } from '../../../src/protocol/shared';
import type { CandidateView, FixAction, PlaygroundToExtension, StrategyChip } from '../../../src/protocol/playground';
import { chip } from '../shared/chips';
import { el } from '../shared/vscodeApi';
import { button, formatMs, setTestId } from './dom';
import { overrideButtons, strategyBars } from './strategyBars';

export interface PaneContext {
  strategies: StrategyChip[];
  busy: boolean;
  /**
   * Only the newest turn can be regenerated or overridden (the extension refuses the others: the
   * conversation after an earlier reply was written against it).
   */
  editable: boolean;
  post: (m: PlaygroundToExtension) => void;
}

const FIX_LABELS: Record<FixAction, string> = {
  configure: 'Configure endpoints',
  testConnection: 'Test connection',
  useEmbedded: 'Use embedded backend',
  retrain: 'Train embedded models',
};

export const LANE_TITLES = { decoupled: 'Decoupled (planner → generator)', vanilla: 'Vanilla joint' } as const;

export function candidatePane(turnId: string, index: number, c: CandidateView, ctx: PaneContext): HTMLElement {
  const pane = el('section', { className: `pg-candidate lane-${c.lane}` });
  pane.dataset.status = c.status;
  pane.dataset.candidate = String(index);
  pane.dataset.lane = c.lane;
  pane.append(c.lane === 'vanilla' ? jointStage(c) : planningStage(turnId, index, c, ctx), responseStage(index, c, ctx));
  return pane;
}

function stageHead(num: string, title: string, ...extra: Node[]): HTMLElement {
  const h = el('h4', { className: 'pg-stage-title' }, el('span', { className: 'pg-stage-num', text: num }), document.createTextNode(title));
  return el('div', { className: 'pg-stage-head' }, h, ...extra);
}

function latency(stage: 'planner' | 'generator', label: string, ms: number | undefined): Node[] {
  if (ms === undefined) return [];
  return [
    setTestId(el('span', { className: 'pg-latency', text: `${label} ${formatMs(ms)}`, title: `${stage} latency` }), `latency-${stage}`),
  ];
}

function chosenChip(c: CandidateView, title: string): HTMLElement {
  const node = setTestId(chip(c.strategy ?? '', 'pg-chosen'), 'chosen-strategy');
  node.title = title;
  return node;
}

function planningStage(turnId: string, index: number, c: CandidateView, ctx: PaneContext): HTMLElement {
  const head = stageHead('1', 'Strategy planning');
  if (c.strategy) {
    head.append(chosenChip(c, c.overridden ? 'Chosen by you (override)' : 'Chosen by the planner'));
    if (c.overridden) head.append(el('span', { className: 'badge', text: 'override' }));
  }
  head.append(...latency('planner', 'planner', c.latencyMs.planner));
  const stage = el('div', { className: 'pg-stage pg-plan' }, head);
  if (c.plannerLabel) stage.append(el('div', { className: 'pg-source muted', text: c.plannerLabel }));

  if (c.status === 'planning') {
    stage.append(progress('Planning the strategy…'));
  } else if (c.strategy) {
    const opts = {
      strategies: ctx.strategies,
      chosen: c.strategy,
      overridden: c.overridden,
      disabled: ctx.busy || !ctx.editable,
      onOverride: (strategy: Strategy) => ctx.post({ type: 'override', turnId, candidate: index, strategy }),
      focusKey: `bar:${turnId}:${index}`,
    };
    stage.append(c.probabilities ? strategyBars(c.probabilities, opts) : overrideButtons(opts));
  }
  if (c.error?.stage === 'planner') stage.append(errorBox(c.error, ctx));
  return stage;
}

/** The vanilla lane's first "stage": there is none to run or override, so it only says why. */
function jointStage(c: CandidateView): HTMLElement {
  const stage = el('div', { className: 'pg-stage pg-plan' }, stageHead('1', 'Strategy (in the answer)'));
  stage.append(
    el('div', {
      className: 'pg-source muted',
      text: 'One model writes "[strategy] reply"; the strategy is parsed from its answer, there is no planner to override.',
    }),
  );
  if (c.status === 'planning') stage.append(progress('Waiting for the model…'));
  return stage;
}

function responseStage(index: number, c: CandidateView, ctx: PaneContext): HTMLElement {
  const head = stageHead('2', 'Response');
  if (c.lane === 'vanilla') {
    if (c.strategy) head.append(chosenChip(c, 'Strategy parsed from the joint answer'));
    else if (c.status === 'done') head.append(el('span', { className: 'badge', text: 'no strategy tag' }));
  }
  head.append(...latency('generator', c.lane === 'vanilla' ? 'model' : 'generator', c.latencyMs.generator));
  const stage = el('div', { className: 'pg-stage pg-gen' }, head);
  // the label is empty on the placeholder drawn before the backend has answered
  if (c.generatorLabel || c.note) {
    const source = el('div', { className: 'pg-source muted', text: c.generatorLabel });
    if (c.note) source.append(' ', el('span', { className: 'pg-note', text: c.note }));
    stage.append(source);
  }

  if (c.status === 'planning') {
    stage.append(el('div', { className: 'muted pg-waiting', text: 'Waits for the strategy.' }));
  } else if (c.reply || c.status === 'generating') {
    stage.append(replyNode(index, c));
  }
  if (c.error?.stage === 'generator') stage.append(errorBox(c.error, ctx));
  if (c.status === 'cancelled') stage.append(el('div', { className: 'pg-cancelled muted', text: 'Cancelled' }));
  return stage;
}

/**
 * The reply as text. Streaming patches only rewrite `.pg-reply-text` (see conversation.ts), so the
 * caret and the "Generating…" placeholder (CSS, on an empty text) are driven by aria-busy.
 */
export function replyNode(index: number, c: CandidateView, testid = 'reply'): HTMLElement {
  const node = setTestId(el('div', { className: 'pg-reply' }, el('span', { className: 'pg-reply-text text', text: c.reply })), testid);
  node.dataset.replyFor = String(index);
  if (c.status === 'generating') {
    node.setAttribute('aria-busy', 'true');
    const caret = el('span', { className: 'pg-caret' });
    caret.setAttribute('aria-hidden', 'true');
    node.append(caret);
  }
  return node;
}

function progress(label: string): HTMLElement {
  const bar = el('div', { className: 'pg-progress' }, el('div', { className: 'pg-progress-fill' }));
  bar.setAttribute('role', 'progressbar');
  bar.setAttribute('aria-label', label);
  return el('div', { className: 'pg-progress-row' }, el('span', { className: 'muted', text: label }), bar);
}

function errorBox(error: NonNullable<CandidateView['error']>, ctx: PaneContext): HTMLElement {
  const box = setTestId(
    el('div', { className: 'pg-error' }, el('span', { text: `${error.stage === 'planner' ? 'Planner' : 'Generator'}: ${error.message}` })),
    'card-error',
  );
  const fix = error.fix;
  if (fix) {
    box.append(button(FIX_LABELS[fix], () => ctx.post({ type: 'fix', action: fix }), { className: 'pg-btn secondary', testid: 'fix' }));
  }
  return box;
}
