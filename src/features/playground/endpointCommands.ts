// Endpoint set-up for the Playground's OpenAI-compatible backend: the paper's preset, URLs and model
// names (settings), API keys (SecretStorage, never settings files), and Test Connection.

import * as vscode from 'vscode';
import { testConnection } from '../../core/inference/openai/testConnection';
import type { EndpointSlot } from '../config';
import type { Ctx } from '../ctx';
import { secretKey, type PlaygroundBackends } from './backends';
import type { PlaygroundSession } from './session';

const SLOTS: readonly EndpointSlot[] = ['planner', 'generator', 'vanilla'];
const TITLE: Record<EndpointSlot, string> = { planner: 'strategy planner', generator: 'response generator', vanilla: 'vanilla joint model' };

export async function testConnections(ctx: Ctx, backends: PlaygroundBackends, session: PlaygroundSession): Promise<void> {
  if (!vscode.workspace.isTrusted) {
    void vscode.window.showWarningMessage('Endpoints are not contacted in an untrusted workspace.');
    return;
  }
  const results = await vscode.window.withProgress({ location: vscode.ProgressLocation.Notification, title: 'Testing the Playground endpoints…', cancellable: true }, async (_p, token) => {
    const abort = new AbortController();
    token.onCancellationRequested(() => abort.abort());
    return Promise.all(
      SLOTS.map(async (slot) => {
        const cfg = await backends.endpointConfig(slot);
        return { slot, cfg, result: await testConnection(cfg, abort.signal) };
      }),
    );
  });
  const lines = results.map(({ slot, result }) => `${TITLE[slot]}: ${result.message}`);
  for (const l of lines) ctx.log.info(`Test connection — ${l}`);
  const ok = results.every((r) => r.result.ok);
  session.notice(ok ? 'info' : 'error', lines.join(' · '));
  const action = ok
    ? await vscode.window.showInformationMessage(`All endpoints answered. ${lines.join(' ')}`, 'Use Endpoints in Playground')
    : await vscode.window.showErrorMessage(lines.join(' '), 'Configure Endpoints', 'Use the Paper’s Ports');
  if (action === 'Use Endpoints in Playground') session.setBackend('openai');
  else if (action === 'Configure Endpoints') await configureEndpoints(ctx, backends, session);
  else if (action === 'Use the Paper’s Ports') await usePaperPreset();
}

async function usePaperPreset(): Promise<void> {
  const c = vscode.workspace.getConfiguration('escStudio.playground');
  await c.update('planner.baseUrl', 'http://localhost:8000/v1', vscode.ConfigurationTarget.Global);
  await c.update('generator.baseUrl', 'http://localhost:8001/v1', vscode.ConfigurationTarget.Global);
  await c.update('temperature', 0.7, vscode.ConfigurationTarget.Global);
  await c.update('topP', 0.95, vscode.ConfigurationTarget.Global);
  void vscode.window.showInformationMessage('Playground endpoints set to the paper’s layout: planner on localhost:8000, generator on localhost:8001 (temperature 0.7, top_p 0.95).');
}

type Item = vscode.QuickPickItem & { run: () => Promise<unknown> };

export async function configureEndpoints(ctx: Ctx, backends: PlaygroundBackends, session: PlaygroundSession): Promise<void> {
  const c = vscode.workspace.getConfiguration('escStudio.playground');
  const items: Item[] = [
    { label: '$(zap) Use the paper’s layout', detail: 'Planner at http://localhost:8000/v1, generator at http://localhost:8001/v1 (vLLM, api key "EMPTY")', run: usePaperPreset },
  ];
  for (const slot of SLOTS) {
    const cfg = await backends.endpointConfig(slot);
    items.push({
      label: `$(link) ${TITLE[slot]}: URL`,
      description: cfg.baseUrl,
      run: async () => {
        const v = await vscode.window.showInputBox({
          title: `Base URL of the ${TITLE[slot]} endpoint`,
          value: cfg.baseUrl,
          prompt: 'OpenAI-compatible, up to and including /v1',
          validateInput: (x) => (x.trim() === '' && slot === 'vanilla') || /^https?:\/\/\S+$/.test(x.trim()) ? undefined : 'An http:// or https:// URL, e.g. http://localhost:8001/v1',
        });
        if (v !== undefined) await c.update(`${slot}.baseUrl`, v.trim(), vscode.ConfigurationTarget.Global);
      },
    });
    items.push({
      label: `$(symbol-class) ${TITLE[slot]}: model name`,
      description: cfg.model || '(the first model the server lists)',
      run: async () => {
        const v = await vscode.window.showInputBox({ title: `Model name served at ${cfg.baseUrl}`, value: cfg.model, prompt: 'vLLM --served-model-name; empty for the first model the server lists' });
        if (v !== undefined) await c.update(`${slot}.model`, v.trim(), vscode.ConfigurationTarget.Global);
      },
    });
    items.push({
      label: `$(key) ${TITLE[slot]}: API key`,
      description: (await ctx.extension.secrets.get(secretKey(slot))) ? 'stored in SecretStorage' : 'not set (sends "EMPTY", as the paper does)',
      run: async () => {
        const v = await vscode.window.showInputBox({ title: `API key for ${cfg.baseUrl}`, password: true, prompt: 'Kept in VS Code’s SecretStorage, never in settings. Empty to remove it.' });
        if (v === undefined) return;
        if (v) await ctx.extension.secrets.store(secretKey(slot), v);
        else await ctx.extension.secrets.delete(secretKey(slot));
      },
    });
  }
  items.push(
    { label: '$(debug-disconnect) Test connection', run: () => testConnections(ctx, backends, session) },
    { label: '$(settings-gear) Open settings (temperature, top_p, max tokens, streaming, timeout)', run: () => Promise.resolve(vscode.commands.executeCommand('workbench.action.openSettings', 'escStudio.playground')) },
  );
  const choice = await vscode.window.showQuickPick(items, { title: 'ESC Playground: endpoints', placeHolder: 'OpenAI-compatible servers (vLLM) for the planner, the generator and the vanilla model' });
  if (choice) await choice.run();
}
