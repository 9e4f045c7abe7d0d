// The preflight report (src/features/training/preflightPage.ts): every problem a launch would meet
// in one list, each with the buttons of its fixes, and the report's own actions — Launch (Anyway),
// Write Configs Only (what `esc train-config` writes, for a machine without a GPU), Check Again. The
// extension sends the whole state; this page draws it with lit-html (data bound as text) and posts
// the user's clicks (src/protocol/preflight.ts).

import { html, nothing, render, type TemplateResult } from 'lit-html';
import { repeat } from 'lit-html/directives/repeat.js';
import type { PreflightRow, PreflightState, PreflightToExtension } from '../../../src/protocol/preflight';
import { onMessages, vscodeApi } from '../shared/vscodeApi';

const vscode = vscodeApi<PreflightState, PreflightToExtension>();
const post = (m: PreflightToExtension): void => vscode.postMessage(m);
const app = document.getElementById('app')!;
document.body.classList.add('preflight');

const plural = (n: number, one: string, many = `${one}s`): string => `${n} ${n === 1 ? one : many}`;

function summary(s: PreflightState): string {
  const open = s.problems.filter((p) => !p.accepted);
  const errors = open.filter((p) => p.severity === 'error').length;
  const warnings = open.length - errors;
  if (open.length === 0) return 'No problem left: ready to launch.';
  const parts = [];
  if (errors > 0) parts.push(`${plural(errors, 'problem')} to fix before launching`);
  if (warnings > 0) parts.push(`${plural(warnings, 'warning')} you may launch past`);
  return `${plural(open.length, 'problem')}: ${parts.join(', ')}.`;
}

function row(s: PreflightState, p: PreflightRow, index: number): TemplateResult {
  return html`<li class="pf-problem ${p.severity}${p.accepted ? ' accepted' : ''}" data-code=${p.code}>
    <div class="pf-head">
      <span class="pf-severity">${p.severity === 'error' ? 'Error' : 'Warning'}</span>
      ${p.stage ? html`<span class="badge">${p.stage}</span>` : nothing}
    </div>
    <div class="pf-message text">${p.message}</div>
    ${
      p.accepted
        ? html`<div class="muted">${p.accepted}</div>`
        : html`<div class="actions">
            ${p.fixes.map(
              (f, i) =>
                html`<button
                  class="pg-btn ${i === 0 ? '' : 'secondary'}"
                  ?disabled=${s.busy}
                  @click=${() => post({ type: 'fix', index, fix: f.fix })}
                >
                  ${f.label}
                </button>`,
            )}
          </div>`
    }
  </li>`;
}

function view(s: PreflightState): TemplateResult {
  const open = s.problems.filter((p) => !p.accepted).length;
  return html`<header class="pf-header">
      <h2 class="pf-title">Preflight: ${s.name}</h2>
      <div class="muted">${s.experiment} · ${s.stages.join(', ') || 'no stage'}</div>
      <p class="pf-summary" role="status">${summary(s)}</p>
      <div class="actions">
        <button class="pg-btn" ?disabled=${s.busy || !s.canLaunch} @click=${() => post({ type: 'launch' })}>
          ${open > 0 ? 'Launch Anyway' : 'Launch'}
        </button>
        <button
          class="pg-btn secondary"
          ?disabled=${s.busy || !s.canWriteConfigs}
          title=${s.canWriteConfigs ? `Write every stage's config and script to ${s.configDir ?? ''}, to run on a GPU machine` : 'Fix the datasets first'}
          @click=${() => post({ type: 'writeConfigs' })}
        >
          Write Configs Only
        </button>
        <button class="pg-btn secondary" ?disabled=${s.busy} @click=${() => post({ type: 'recheck' })}>Check Again</button>
      </div>
      ${s.note ? html`<p class="notice pf-note">${s.note}</p>` : nothing}
    </header>
    <ol class="pf-list">
      ${repeat(
        s.problems,
        (p, i) => `${p.code}|${p.stage ?? ''}|${i}`,
        (p, i) => row(s, p, i),
      )}
    </ol>`;
}

function draw(s: PreflightState): void {
  vscode.setState(s);
  render(view(s), app);
}

onMessages<PreflightState>({ report: draw });
const saved = vscode.getState();
if (saved) draw(saved);
post({ type: 'ready' });
