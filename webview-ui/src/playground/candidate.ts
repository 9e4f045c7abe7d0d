// One candidate reply drawn as the two stages of DecoupledESC: 1 strategy planning (the planner's
// distribution, the chosen strategy, override), 2 response (the reply streaming in). A vanilla
// joint candidate has no planner: its strategy is the tag parsed from the model's answer.

import { html, nothing, type TemplateResult } from 'lit-html';
import { ifDefined } from 'lit-html/directives/if-defined.js';
import type { CandidateView, FixAction, PlaygroundToExtension, StrategyChip } from '../../../src/protocol/playground';
import type { Strategy } from '../../../src/protocol/shared';
import { chip } from '../shared/chips';
import { formatMs } from './model/format';
import { overrideButtons, strategyBars } from './strategyBars';

export interface PaneContext {
  strategies: StrategyChip[];
  busy: boolean;
  /** Only the newest turn can be regenerated or overridden (model/turns.ts isEditable). */
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

export function candidatePane(turnId: string, index: number, c: CandidateView, ctx: PaneContext): TemplateResult {
  return html`<section class="pg-candidate lane-${c.lane}" data-status=${c.status} data-candidate=${index} data-lane=${c.lane}>
    ${c.lane === 'vanilla' ? jointStage(c) : planningStage(turnId, index, c, ctx)} ${responseStage(index, c, ctx)}
  </section>`;
}

function stageHead(num: string, title: string, extra: unknown): TemplateResult {
  return html`<div class="pg-stage-head">
    <h4 class="pg-stage-title"><span class="pg-stage-num">${num}</span>${title}</h4>
    ${extra}
  </div>`;
}

function latency(stage: 'planner' | 'generator', label: string, ms: number | undefined): TemplateResult | typeof nothing {
  if (ms === undefined) return nothing;
  return html`<span class="pg-latency" title="${stage} latency" data-testid="latency-${stage}">${label} ${formatMs(ms)}</span>`;
}

function chosenChip(c: CandidateView, title: string): TemplateResult {
  return chip(c.strategy ?? '', { className: 'pg-chosen', testid: 'chosen-strategy', title });
}

function planningStage(turnId: string, index: number, c: CandidateView, ctx: PaneContext): TemplateResult {
  const head = html`${c.strategy ? chosenChip(c, c.overridden ? 'Chosen by you (override)' : 'Chosen by the planner') : nothing}
  ${c.strategy && c.overridden ? html`<span class="badge">override</span>` : nothing} ${latency('planner', 'planner', c.latencyMs.planner)}`;
  let body: TemplateResult | typeof nothing = nothing;
  if (c.status === 'planning') body = progress('Planning the strategy…');
  else if (c.strategy) {
    const opts = {
      strategies: ctx.strategies,
      chosen: c.strategy,
      overridden: c.overridden,
      disabled: ctx.busy || !ctx.editable,
      onOverride: (strategy: Strategy) => ctx.post({ type: 'override', turnId, candidate: index, strategy }),
    };
    body = c.probabilities ? strategyBars(c.probabilities, opts) : overrideButtons(opts);
  }
  return html`<div class="pg-stage pg-plan">
    ${stageHead('1', 'Strategy planning', head)} ${c.plannerLabel ? html`<div class="pg-source muted">${c.plannerLabel}</div>` : nothing}
    ${body} ${c.error?.stage === 'planner' ? errorBox(c.error, ctx) : nothing}
  </div>`;
}

/** The vanilla lane's first "stage": there is none to run or override, so it only says why. */
function jointStage(c: CandidateView): TemplateResult {
  return html`<div class="pg-stage pg-plan">
    ${stageHead('1', 'Strategy (in the answer)', nothing)}
    <div class="pg-source muted">
      One model writes "[strategy] reply"; the strategy is parsed from its answer, there is no planner to override.
    </div>
    ${c.status === 'planning' ? progress('Waiting for the model…') : nothing}
  </div>`;
}

function responseStage(index: number, c: CandidateView, ctx: PaneContext): TemplateResult {
  let tag: TemplateResult | typeof nothing = nothing;
  if (c.lane === 'vanilla') {
    if (c.strategy) tag = chosenChip(c, 'Strategy parsed from the joint answer');
    else if (c.status === 'done') tag = html`<span class="badge">no strategy tag</span>`;
  }
  const head = html`${tag} ${latency('generator', c.lane === 'vanilla' ? 'model' : 'generator', c.latencyMs.generator)}`;
  // a retrieval backend says how relevant its reply is to the context (0..1) and which candidate it was
  const retrieval = c.retrieval
    ? html` <span class="pg-note" data-testid="relevance" data-relevance=${c.retrieval.relevance.toFixed(4)}
        >relevance ${c.retrieval.relevance.toFixed(2)} ·
        ${c.retrieval.repeated ? 'a repeat: every reply of this strategy that fits was offered already' : `candidate ${c.retrieval.rank + 1}`}</span
      >`
    : nothing;
  const note = c.note ? html` <span class="pg-note">${c.note}</span>` : nothing;
  // the label is empty on the placeholder drawn before the backend has answered
  const source = c.generatorLabel || c.note ? html`<div class="pg-source muted">${c.generatorLabel}${note}${retrieval}</div>` : nothing;
  let body: TemplateResult | typeof nothing = nothing;
  if (c.status === 'planning') body = html`<div class="muted pg-waiting">Waits for the strategy.</div>`;
  else if (c.reply || c.status === 'generating') body = replyNode(index, c);
  return html`<div class="pg-stage pg-gen">
    ${stageHead('2', 'Response', head)} ${source} ${body} ${c.error?.stage === 'generator' ? errorBox(c.error, ctx) : nothing}
    ${c.status === 'cancelled' ? html`<div class="pg-cancelled muted">Cancelled</div>` : nothing}
  </div>`;
}

/**
 * The reply as text. A streamed chunk changes only the text node's data (lit-html updates it in
 * place), so a text selection elsewhere survives; the caret and the "Generating…" placeholder
 * (CSS, on an empty text) are driven by aria-busy.
 */
export function replyNode(index: number, c: CandidateView, testid = 'reply'): TemplateResult {
  const generating = c.status === 'generating';
  return html`<div class="pg-reply" data-testid=${testid} data-reply-for=${index} aria-busy=${ifDefined(generating ? 'true' : undefined)}>
    <span class="pg-reply-text text">${c.reply}</span>${generating ? html`<span class="pg-caret" aria-hidden="true"></span>` : nothing}
  </div>`;
}

function progress(label: string): TemplateResult {
  return html`<div class="pg-progress-row">
    <span class="muted">${label}</span>
    <div class="pg-progress" role="progressbar" aria-label=${label}><div class="pg-progress-fill"></div></div>
  </div>`;
}

function errorBox(error: NonNullable<CandidateView['error']>, ctx: PaneContext): TemplateResult {
  const fix = error.fix;
  return html`<div class="pg-error" data-testid="card-error">
    <span>${error.stage === 'planner' ? 'Planner' : 'Generator'}: ${error.message}</span>
    ${
      fix
        ? html`<button type="button" class="pg-btn secondary" data-testid="fix" @click=${() => ctx.post({ type: 'fix', action: fix })}>
            ${FIX_LABELS[fix]}
          </button>`
        : nothing
    }
  </div>`;
}
