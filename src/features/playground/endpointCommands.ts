// Endpoint set-up for the Playground's OpenAI-compatible backend: the paper's preset, URLs and model
// names (settings), API keys (SecretStorage, never settings files), and Test Connection.

import * as vscode from 'vscode';
import { apiKeySecretKey } from '../../core/openai/apiKeys';
import { PAPER_API_KEY, PAPER_PRESETS } from '../../core/openai/config';
import { testConnection } from '../../core/openai/testConnection';
import { updateSettingWhereDefined, type EndpointSlot } from '../config';
import type { Ctx } from '../ctx';
import type { PlaygroundBackends } from './backends';
import type { PlaygroundSession } from './session';

const SLOTS: readonly EndpointSlot[] = ['planner', 'generator', 'vanilla'];
const TITLE: Record<EndpointSlot, string> = {
  planner: 'strategy planner',
  generator: 'response generator',
  vanilla: 'vanilla joint model',
};

export async function testConnections(ctx: Ctx, backends: PlaygroundBackends, session: PlaygroundSession): Promise<void> {
  if (!vscode.workspace.isTrusted) {
    void vscode.window.showWarningMessage('Endpoints are not contacted in an untrusted workspace.');
    return;
  }
  const results = await vscode.window.withProgress(
    { location: vscode.ProgressLocation.Notification, title: 'Testing the Playground endpoints…', cancellable: true },
    async (_p, token) => {
      const abort = new AbortController();
      token.onCancellationRequested(() => abort.abort());
      const configs = await Promise.all(SLOTS.map(async (slot) => ({ slot, cfg: await backends.endpointConfig(slot) })));
      // the vanilla endpoint is optional: an unset one is reported, not tested
      return Promise.all(
        configs
          .filter((x) => x.cfg.baseUrl)
          .map(async ({ slot, cfg }) => ({ slot, result: await testConnection(cfg, abort.signal, slot === 'vanilla' ? 'joint' : slot) })),
      );
    },
  );
  const lines = results.map(({ slot, result }) => `${TITLE[slot]}: ${result.message}`);
  if (!results.some((r) => r.slot === 'vanilla')) {
    lines.push(`${TITLE.vanilla}: no endpoint set (only the vanilla and compare modes need one).`);
  }
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

/** Writes a setting where it is defined now; one set nowhere goes to the user's settings. */
const updateSetting = (key: string, value: unknown): Promise<void> =>
  updateSettingWhereDefined('escStudio.playground', key, value, 'global');

async function usePaperPreset(): Promise<void> {
  for (const slot of ['planner', 'generator'] as const) {
    const preset = PAPER_PRESETS[slot];
    await updateSetting(`${slot}.baseUrl`, preset.baseUrl);
    await updateSetting(`${slot}.temperature`, preset.temperature);
    await updateSetting(`${slot}.topP`, preset.topP);
  }
  const { planner, generator } = PAPER_PRESETS;
  void vscode.window.showInformationMessage(
    `Playground endpoints set to the paper’s layout: planner at ${planner.baseUrl}, generator at ${generator.baseUrl} (temperature ${generator.temperature}, top_p ${generator.topP}).`,
  );
}

type Item = vscode.QuickPickItem & { run: () => Promise<unknown> };

export async function configureEndpoints(ctx: Ctx, backends: PlaygroundBackends, session: PlaygroundSession): Promise<void> {
  const items: Item[] = [
    {
      label: '$(zap) Use the paper’s layout',
      detail: `Planner at ${PAPER_PRESETS.planner.baseUrl}, generator at ${PAPER_PRESETS.generator.baseUrl} (vLLM, api key "${PAPER_API_KEY}")`,
      run: usePaperPreset,
    },
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
          validateInput: (x) =>
            (x.trim() === '' && slot === 'vanilla') || /^https?:\/\/\S+$/.test(x.trim())
              ? undefined
              : 'An http:// or https:// URL, e.g. http://localhost:8001/v1',
        });
        if (v !== undefined) await updateSetting(`${slot}.baseUrl`, v.trim());
      },
    });
    items.push({
      label: `$(symbol-class) ${TITLE[slot]}: model name`,
      description: cfg.model || '(the first model the server lists)',
      run: async () => {
        const v = await vscode.window.showInputBox({
          title: `Model name served at ${cfg.baseUrl}`,
          value: cfg.model,
          prompt: 'vLLM --served-model-name; empty for the first model the server lists',
        });
        if (v !== undefined) await updateSetting(`${slot}.model`, v.trim());
      },
    });
    items.push({
      label: `$(key) ${TITLE[slot]}: API key`,
      description: (await ctx.extension.secrets.get(apiKeySecretKey(slot, cfg.baseUrl)))
        ? `stored in SecretStorage for ${cfg.baseUrl}`
        : `not set (sends "${PAPER_API_KEY}", as the paper does)`,
      run: async () => {
        const v = await vscode.window.showInputBox({
          title: `API key for ${cfg.baseUrl}`,
          password: true,
          prompt: 'Kept in VS Code’s SecretStorage for this server only, never in settings. Empty to remove it.',
        });
        if (v === undefined) return;
        if (v) await ctx.extension.secrets.store(apiKeySecretKey(slot, cfg.baseUrl), v);
        else await ctx.extension.secrets.delete(apiKeySecretKey(slot, cfg.baseUrl));
      },
    });
  }
  items.push(
    { label: '$(debug-disconnect) Test connection', run: () => testConnections(ctx, backends, session) },
    {
      label: '$(settings-gear) Open settings (per endpoint: temperature, top_p, max tokens, streaming; timeout)',
      run: () => Promise.resolve(vscode.commands.executeCommand('workbench.action.openSettings', 'escStudio.playground')),
    },
  );
  const choice = await vscode.window.showQuickPick(items, {
    title: 'ESC Playground: endpoints',
    placeHolder: 'OpenAI-compatible servers (vLLM) for the planner, the generator and the vanilla model',
  });
  if (choice) await choice.run();
}
