// The mining page webview (ESC: Mine Preference Pairs): the run's live progress per role, its pace,
// the pairs so far, the planner's different-strategy pairs as a gold → predicted grid and the judge's
// retention; Cancel / Resume while it runs or after it stopped; the pairs files and "Add to
// experiment" once it is done; a failure with the fixes that may help. The extension
// (src/features/mining/miningPage.ts) sends the whole state (`state`); this page draws it with
// lit-html (data bound as text) and posts the user's actions (src/protocol/mining.ts).

import { html, nothing, render, type TemplateResult } from 'lit-html';
import { repeat } from 'lit-html/directives/repeat.js';
import type { ExtensionToMining, MiningFix, MiningState, MiningToExtension } from '../../../src/protocol/mining';
import { setStrategyColors, strategyColor } from '../shared/chips';
import { styleProps } from '../shared/styleProps';
import { onMessages, vscodeApi } from '../shared/vscodeApi';
import { bars, controls, hasDpoFiles, heatmap, judgeView, pace, pairsRows, statusText } from './model/page';

const vscode = vscodeApi<undefined, MiningToExtension>();
const post = (m: MiningToExtension): void => vscode.postMessage(m);
let state: MiningState | undefined;
/** The state Resume was pressed on: its button stays disabled until a new status arrives (or 10 s pass, if none does). */
let resumedFrom: MiningState | undefined;
const RESUME_WAIT_MS = 10_000;

function resume(): void {
  if (!state || resumedFrom) return;
  resumedFrom = state;
  post({ type: 'resume' });
  const from = state;
  setTimeout(() => {
    if (resumedFrom === from) {
      resumedFrom = undefined;
      draw();
    }
  }, RESUME_WAIT_MS);
  draw();
}

const app = document.getElementById('app')!;
document.body.classList.add('mining');
// progress arrives ten times a second: the status line below says what changed instead
app.setAttribute('aria-live', 'off');

const FIX_LABELS: Record<MiningFix, string> = {
  configureEndpoints: 'Configure Playground Endpoints…',
  testConnection: 'Test Connection',
  deleteCheckpoint: 'Delete Checkpoint and Start Over',
  showLog: 'Show Log',
};

const n = (x: number): string => x.toLocaleString('en-US');

function header(s: MiningState): TemplateResult {
  const c = controls(s, resumedFrom !== undefined);
  return html`<header class="mine-header">
    <div>
      <h1 class="mine-title">Mining preference pairs</h1>
      <div class="muted" data-testid="mining-what">
        ${s.input} → ${s.outDir} · ${s.roles.join(', ')} · ${s.models}${s.judge ? ' · judged' : ''}
      </div>
    </div>
    <div class="mine-actions">
      ${
        c.cancel || c.stopping
          ? html`<button
              class="cmp-btn secondary"
              data-testid="mining-cancel"
              ?disabled=${c.stopping}
              @click=${() => post({ type: 'cancel' })}
            >
              ${c.stopping ? 'Stopping…' : 'Cancel'}
            </button>`
          : nothing
      }
      ${
        c.resume
          ? html`<button class="cmp-btn" data-testid="mining-resume" ?disabled=${c.resumeDisabled} @click=${resume}>Resume</button>`
          : nothing
      }
    </div>
  </header>`;
}

function progressSection(s: MiningState): TemplateResult {
  const p = pace(s.progress, s.status);
  return html`<section class="mine-section" data-testid="mining-progress">
    <h2>Progress</h2>
    <table class="mine-bars">
      ${repeat(
        bars(s),
        (b) => b.key,
        (b) =>
          html`<tr data-testid="mining-bar" data-role=${b.key}>
            <th scope="row">${b.label}</th>
            <td><progress max=${Math.max(b.total, 1)} .value=${b.done} aria-label=${`${b.label}: ${b.text}`}></progress></td>
            <td class="num" data-testid="mining-bar-text">${b.text}</td>
          </tr>`,
      )}
    </table>
    <dl class="mine-pace">
      <div>
        <dt>Calls/s</dt>
        <dd data-testid="mining-rate">${p.callsPerSecond}</dd>
      </div>
      <div>
        <dt>ETA</dt>
        <dd data-testid="mining-eta">${p.eta}</dd>
      </div>
      <div>
        <dt>Elapsed</dt>
        <dd>${p.elapsed}</dd>
      </div>
      <div>
        <dt>Retries</dt>
        <dd data-testid="mining-retries">${n(p.retries)}</dd>
      </div>
      <div>
        <dt>Resumed</dt>
        <dd>${n(p.resumed)}</dd>
      </div>
    </dl>
  </section>`;
}

function pairsSection(s: MiningState): TemplateResult {
  return html`<section class="mine-section">
    <h2>${s.status === 'done' ? 'Pairs' : 'Pairs so far'}</h2>
    <table class="mine-pairs" data-testid="mining-pairs">
      ${repeat(
        pairsRows(s),
        (r) => r.file,
        (r) =>
          html`<tr data-file=${r.file}>
            <th scope="row">${r.label}</th>
            <td class="num">${n(r.count)}</td>
          </tr>`,
      )}
    </table>
  </section>`;
}

function heatmapSection(s: MiningState): TemplateResult | typeof nothing {
  if (!s.roles.includes('planner')) return nothing;
  const h = heatmap(
    s.progress?.plannerConfusion,
    s.strategies.map((x) => x.name),
  );
  const dot = (name: string): TemplateResult =>
    html`<span class="cmp-dot" aria-hidden="true" ${styleProps({ '--chip-color': strategyColor(name) ?? 'transparent' })}></span>`;
  return html`<section class="mine-section mine-heat-section">
    <h2>Planner mistakes: gold → predicted strategy</h2>
    ${
      h
        ? html`<div class="cmp-confusion-wrap">
              <table class="cmp-confusion mine-heat" data-testid="mining-heatmap">
                <thead>
                  <tr>
                    <th class="cmp-corner">gold ↓ predicted →</th>
                    ${h.predicted.map((p) => html`<th scope="col">${dot(p)}${p}</th>`)}
                  </tr>
                </thead>
                <tbody>
                  ${h.gold.map(
                    (g, r) =>
                      html`<tr>
                        <th scope="row" class="cmp-row-head">${dot(g)}${g}</th>
                        ${h.cells[r]!.map(
                          (c, k) =>
                            html`<td
                              class=${`mine-heat-cell${c.n === 0 ? ' zero' : ''}`}
                              data-testid="mining-heat-cell"
                              title=${`${n(c.n)} pairs: gold ${g}, planner said ${h.predicted[k]!}`}
                              ${styleProps({ '--shade': c.shade.toFixed(3) })}
                            >
                              ${c.n === 0 ? '' : n(c.n)}
                            </td>`,
                        )}
                      </tr>`,
                  )}
                </tbody>
              </table>
            </div>
            <p class="muted">${n(h.total)} different-strategy pairs (what planner DPO trains on).</p>`
        : html`<p class="muted">No different-strategy planner pairs yet.</p>`
    }
  </section>`;
}

function judgeSection(s: MiningState): TemplateResult | typeof nothing {
  if (!s.judge) return nothing;
  const j = judgeView(s.progress);
  if (!j) {
    return html`<section class="mine-section">
      <h2>Judge</h2>
      <p class="muted">No verdicts yet.</p>
    </section>`;
  }
  const list = (title: string, xs: { type: string; n: number }[], testid: string): TemplateResult =>
    xs.length === 0
      ? html``
      : html`<h3>${title}</h3>
          <table class="mine-pairs" data-testid=${testid}>
            ${xs.map(
              (x) =>
                html`<tr>
                  <th scope="row">${x.type}</th>
                  <td class="num">${n(x.n)}</td>
                </tr>`,
            )}
          </table>`;
  return html`<section class="mine-section" data-testid="mining-judge">
    <h2>Judge</h2>
    <p>Retention <strong data-testid="mining-retention">${j.retention}</strong> · ${n(j.retained)} kept, ${n(j.rejected)} not kept</p>
    ${list('Error type in the rejected reply', j.errorTypes, 'mining-error-types')}
    ${list('Pairs without a verdict', j.errors, 'mining-judge-errors')}
  </section>`;
}

function resultsSection(s: MiningState): TemplateResult | typeof nothing {
  if (!controls(s).results) return nothing;
  return html`<section class="mine-section" data-testid="mining-results">
    <h2>Pairs files</h2>
    <div class="mine-files">
      ${repeat(
        s.files,
        (f) => f.key,
        (f) =>
          html`<button
            class="cmp-btn secondary"
            data-testid="mining-open"
            data-file=${f.key}
            @click=${() => post({ type: 'open', file: f.key })}
          >
            Open ${f.name} (${n(f.records)})
          </button>`,
      )}
    </div>
    ${
      hasDpoFiles(s)
        ? html`<p>
            <button class="cmp-btn" data-testid="mining-add-experiment" @click=${() => post({ type: 'addToExperiment' })}>
              Add to experiment's DPO stages…
            </button>
          </p>`
        : nothing
    }
  </section>`;
}

function errorSection(s: MiningState): TemplateResult | typeof nothing {
  if (!s.error) return nothing;
  return html`<section class="mine-error" role="alert" data-testid="mining-error">
    <p class="mine-error-message">${s.error.message}</p>
    <div class="mine-actions">
      ${s.error.fixes.map(
        (f) =>
          html`<button class="cmp-btn secondary" data-testid="mining-fix" data-fix=${f} @click=${() => post({ type: 'fix', fix: f })}>
            ${FIX_LABELS[f]}
          </button>`,
      )}
    </div>
  </section>`;
}

function draw(): void {
  const s = state;
  render(
    s
      ? html`<div class="mine-page" data-status=${s.status} data-testid="mining-page">
          ${header(s)}
          <p class="mine-status" data-testid="mining-status">${statusText(s)}</p>
          ${errorSection(s)} ${resultsSection(s)}
          <div class="mine-grid">${progressSection(s)} ${pairsSection(s)} ${judgeSection(s)}</div>
          ${heatmapSection(s)}
          <div class="cmp-sr" role="status">${s.status}</div>
        </div>`
      : html`<p class="muted" data-testid="mining-loading">Loading the mining run…</p>`,
    app,
  );
}

onMessages<ExtensionToMining>({
  state: (m) => {
    setStrategyColors(m.strategies);
    if (resumedFrom && m.status !== resumedFrom.status) resumedFrom = undefined;
    state = m;
    draw();
  },
});

draw();
post({ type: 'ready' });
