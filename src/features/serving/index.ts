// Registers Serving: *Serve Stages* on an experiment of the Runs view (preflight, the plan's scripts
// written under <output_root>/<name>/serve/, one named terminal or Slurm job per served role, the
// role's status in the Runs view, and the Playground pointed at the ready servers), *Stop Serving*
// (the server's whole process group, or scancel), and *Attach Model Server…* (a server started
// elsewhere, by URL). Off in untrusted workspaces: it starts processes and rewrites endpoint settings.
// The commands also take an options object (the integration test's way in) and resolve with what happened.

import * as path from 'node:path';
import * as vscode from 'vscode';
import { apiKeySecretKey } from '../../core/openai/apiKeys';
import { testConnection, type ConnectionResult } from '../../core/openai/testConnection';
import { PAPER_API_KEY, PAPER_PRESETS } from '../../core/openai/config';
import { ServeConfigError } from '../../core/serve/serveConfig';
import { SERVE_ROLES, type ServePlan, type ServeRole } from '../../core/serve/types';
import { stagesOf, type StageId } from '../../core/training/experiment';
import { ExperimentError, loadExperiment, type LoadedExperiment } from '../../core/training/trainConfig';
import type { Ctx } from '../ctx';
import type { PlaygroundView } from '../playground';
import { pickExperiment, type RunNode, type RunsModel, type RunsTree } from '../training';
import { resumeLocal, startLocal, type ServerHandle } from './localServer';
import { defaultStages, launcherOf, planServing, serveDirOf, writePlan } from './plan';
import { usePlaygroundEndpoints, type EndpointChoice } from './playgroundEndpoints';
import { reportProblems, servingPreflight, type Problem } from './preflight';
import { Servers, type SavedServer, type Server } from './servers';
import { servingConfig } from './settings';
import { resumeSlurm, startSlurm } from './slurmServer';

export type { Server, ServedEndpoint, ServerStatus } from './servers';

export interface ServeStagesOptions {
  experiment: string;
  /** Stages to serve (default: asked, the DPO stage of each chain preselected). */
  stages?: StageId[];
  /** What to do when the Playground has other endpoints configured (default: ask). */
  playground?: EndpointChoice;
  /** Only run the preflight: its problems are returned (status 'blocked' when there are any), nothing is shown or started. */
  preflightOnly?: boolean;
}

export interface ServeStagesResult {
  /** checked: preflightOnly found nothing in the way; busy: a Serve Stages of this experiment is already under way. */
  status: 'started' | 'checked' | 'blocked' | 'dismissed' | 'untrusted' | 'invalid' | 'busy';
  plan?: ServePlan;
  servers?: Server[];
  problems?: string[];
  /** Settles once every started server is ready or failed, and the Playground was pointed at the ready ones (or not). */
  settled?: Promise<'replaced' | 'kept' | 'unchanged'>;
}

export interface AttachServerOptions {
  url: string;
  role: ServeRole;
  model?: string;
  /** Its API key (kept in SecretStorage for the role at that server, as the Playground's); default: the kept one, else "EMPTY". */
  apiKey?: string;
  playground?: EndpointChoice;
}

export interface ServingFeature {
  servers: Servers;
  /**
   * Rebuilds the rows of the servers started before a window reload from workspaceState (those whose
   * process group or Slurm job still runs) and follows them again; done at activation. `simulateReload`
   * (tests) first forgets the servers in memory without stopping them, as a reload does.
   */
  restore(simulateReload?: boolean): Promise<Server[]>;
}

function trusted(command: string): boolean {
  if (vscode.workspace.isTrusted) return true;
  void vscode.window
    .showErrorMessage(
      `${command} is disabled in an untrusted workspace: it starts model servers and changes endpoint settings. Trust the workspace first.`,
      'Manage Workspace Trust',
    )
    .then((c) => c && vscode.commands.executeCommand('workbench.trust.manage'));
  return false;
}

const isOptions = <T extends object>(arg: unknown, key: string): arg is T =>
  typeof arg === 'object' && arg !== null && !(arg instanceof vscode.Uri) && key in arg && !('type' in arg);

async function pickStages(loaded: LoadedExperiment): Promise<StageId[] | undefined> {
  const defaults = new Set(defaultStages(loaded));
  const picked = await vscode.window.showQuickPick(
    stagesOf(loaded.experiment).map((s) => ({ label: s, picked: defaults.has(s), description: defaults.has(s) ? 'default' : undefined })),
    { title: `ESC: serve which stages of ${loaded.experiment.name}? (one per role)`, canPickMany: true, ignoreFocusOut: true },
  );
  return picked && picked.length > 0 ? picked.map((p) => p.label) : undefined;
}

export function registerServing(ctx: Ctx, deps: { runs: RunsModel; tree: RunsTree; playground: PlaygroundView }): ServingFeature {
  const servers = new Servers(ctx.log, ctx.extension.workspaceState);
  ctx.push(servers, deps.tree.addRows(servers));
  /** Experiments a Serve Stages is under way for (set before its first await: two quick calls cannot both start). */
  const inFlight = new Set<string>();

  /** Points the Playground at the ready servers, and its session at the OpenAI-compatible backend that talks to them. */
  async function usePlayground(ready: readonly Server[], choice: EndpointChoice): Promise<'replaced' | 'kept' | 'unchanged'> {
    const r = await usePlaygroundEndpoints(ready, choice);
    // as the Playground's own Use Endpoints in Playground does; kept: the user's endpoints, and backend, stay
    if (r !== 'kept') deps.playground.session.setBackend('openai');
    return r;
  }

  async function serveStages(arg?: unknown): Promise<ServeStagesResult> {
    if (!trusted('Serve Stages')) return { status: 'untrusted' };
    const given = isOptions<ServeStagesOptions>(arg, 'experiment') ? arg : undefined;
    const picked = given?.experiment ?? (await pickExperiment(deps.runs, arg, 'ESC: the experiment to serve'));
    if (!picked) return { status: 'dismissed' };
    const file = path.resolve(picked);
    if (inFlight.has(file)) {
      if (!given) void vscode.window.showInformationMessage('Serve Stages is already under way for this experiment.');
      return { status: 'busy', problems: ['Serve Stages is already under way for this experiment.'] };
    }
    inFlight.add(file);
    try {
      return await serveExperiment(file, given);
    } finally {
      inFlight.delete(file);
    }
  }

  async function serveExperiment(file: string, given: ServeStagesOptions | undefined): Promise<ServeStagesResult> {
    let loaded: LoadedExperiment;
    let plan: ServePlan;
    try {
      loaded = await loadExperiment(file);
      const stages = given ? given.stages : await pickStages(loaded);
      if (!given && !stages) return { status: 'dismissed' };
      plan = await planServing(loaded, stages);
    } catch (err) {
      const problems =
        err instanceof ExperimentError || err instanceof ServeConfigError ? err.problems : [String((err as Error)?.message ?? err)];
      ctx.log.error(`Serve Stages ${file}:\n  ${problems.join('\n  ')}`);
      void vscode.window
        .showErrorMessage(`Cannot serve: ${problems.join('; ')}`, 'Open Experiment')
        .then((c) => c && vscode.window.showTextDocument(vscode.Uri.file(file)));
      return { status: 'invalid', problems };
    }
    const name = loaded.experiment.name;
    const cfg = servingConfig();
    const launcher = launcherOf(loaded);
    const live = servers.of(file).filter((s) => s.status === 'starting' || s.status === 'ready');
    // every port our own local servers hold or are about to bind, of any experiment (a role of this one served again is reported below)
    const ownPorts = new Map(
      servers.livePorts.map((s) => [
        s.port!,
        {
          what: `the ${s.role} of "${s.label}", ${s.status}`,
          stop: () => stopServing({ type: 'row', owner: servers, value: s }),
          reported: s.experimentFile === file && plan.roles.some((r) => r.role === s.role),
        },
      ]),
    );
    const problems: Problem[] = await servingPreflight({
      loaded,
      plan,
      launcher,
      activate: cfg.activate,
      requireGpu: cfg.requireGpu,
      exportCli: cfg.exportCli,
      model: deps.runs,
      ownPorts,
    });
    // a role served twice would leave the first server running with no row to stop it from
    for (const s of live.filter((x) => x.handle && plan.roles.some((r) => r.role === x.role))) {
      problems.unshift({
        severity: 'error',
        message: `The ${s.role} of "${name}" is already served (${s.status}, ${s.baseUrl ?? 'host not known yet'}): stop it first.`,
        fix: { label: 'Stop Serving', run: () => vscode.commands.executeCommand('escStudio.stopServing', vscode.Uri.file(file)) },
      });
    }
    if (problems.length > 0) {
      ctx.log.warn(`Serve Stages ${name} preflight:\n  ${problems.map((p) => `${p.severity}: ${p.message}`).join('\n  ')}`);
    }
    if (given?.preflightOnly) {
      return { status: problems.length > 0 ? 'blocked' : 'checked', plan, problems: problems.map((p) => p.message) };
    }
    const verdict = await reportProblems(name, problems);
    if (verdict === 'recheck') return serveExperiment(file, given ?? { experiment: file, stages: plan.roles.map((r) => r.stage) });
    if (verdict === 'stop') return { status: 'blocked', problems: problems.map((p) => p.message) };
    await writePlan(plan);
    // what may stop a server without stopping the scripts (two vLLM servers on one GPU, no logprobs): said, not asked
    const warnings = plan.warnings ?? [];
    if (warnings.length > 0) {
      ctx.log.warn(`Serve Stages ${name}:\n  ${warnings.join('\n  ')}`);
      void vscode.window.showWarningMessage(`${name}: ${warnings.join(' ')}`, 'Show Log').then((c) => c && ctx.log.show());
    }
    ctx.log.info(`Serving ${name} from ${serveDirOf(loaded)}: ${plan.roles.map((r) => `${r.role} ${r.stage} → ${r.baseUrl}`).join(', ')}`);
    const started: Server[] = [];
    for (const role of plan.roles) {
      const terminalName = `ESC serve: ${name} ${role.role}`;
      const server: Server = {
        experimentFile: file,
        label: name,
        role: role.role,
        stage: role.stage,
        baseUrl: launcher === 'local' ? role.baseUrl : undefined,
        model: role.modelName,
        status: 'starting',
        argv: role.argv,
        port: launcher === 'local' ? role.port : undefined,
      };
      try {
        server.handle =
          launcher === 'local' ? startLocal(terminalName, loaded.dir, role) : await startSlurm(terminalName, loaded.dir, role);
      } catch (err) {
        // it never ran (sbatch refused the job): the reason is the only output there is
        server.status = 'failed';
        server.reason = err instanceof Error ? err.message : String(err);
        ctx.log.error(`${terminalName}: ${server.reason}`);
      }
      servers.put(server);
      started.push(server);
    }
    const settled = servers.settled(started).then(async () => {
      const failed = started.filter((s) => s.status === 'failed');
      if (failed.length > 0) {
        void vscode.window
          .showErrorMessage(
            `${name}: the ${failed.map((s) => s.role).join(' and ')} server${failed.length === 1 ? '' : 's'} failed: ${failed.map((s) => s.lastLines?.at(-1) ?? s.reason ?? '').join('; ')}`,
            'Show Log',
          )
          .then((c) => c && ctx.log.show());
      }
      const ready = started.filter((s) => s.status === 'ready');
      return ready.length > 0 ? usePlayground(ready, given?.playground ?? 'ask') : 'unchanged';
    });
    return { status: 'started', plan, servers: started, settled };
  }

  async function stopServing(arg?: unknown): Promise<Server[]> {
    if (!trusted('Stop Serving')) return [];
    const node = arg as RunNode | undefined;
    let targets: Server[];
    if (node && typeof node === 'object' && 'type' in node && node.type === 'row') targets = [node.value as Server];
    else if (arg instanceof vscode.Uri || node?.type === 'experiment' || isOptions<{ experiment: string }>(arg, 'experiment')) {
      const file =
        arg instanceof vscode.Uri ? arg.fsPath : node?.type === 'experiment' ? node.entry.file : (arg as { experiment: string }).experiment;
      targets = servers.of(path.resolve(file)).filter((s) => s.status === 'starting' || s.status === 'ready');
      if (targets.length === 0) void vscode.window.showInformationMessage('Nothing of this experiment is being served.');
    } else {
      const live = servers.all.filter((s) => s.status === 'starting' || s.status === 'ready');
      if (live.length === 0) {
        void vscode.window.showInformationMessage('No model server is known to ESC Studio.');
        return [];
      }
      const picked = await vscode.window.showQuickPick(
        live.map((s) => ({
          label: `${s.label} ${s.role}`,
          description: `${s.status} · ${s.baseUrl ?? ''}${s.handle ? '' : ' · attached'}`,
          s,
        })),
        { title: 'ESC: stop which server?', canPickMany: true },
      );
      targets = picked?.map((p) => p.s) ?? [];
    }
    for (const s of targets) {
      // attached: started elsewhere, so only forgotten here; failed or stopped: nothing runs, the row goes
      if (!s.handle || s.status === 'failed' || s.status === 'stopped') {
        servers.remove(s);
        continue;
      }
      s.stopping = true;
      try {
        await s.handle.stop();
        s.status = 'stopped';
        s.reason = undefined;
        ctx.log.info(`Serving ${s.label} ${s.role}: stopped`);
      } catch (err) {
        s.reason = `could not stop: ${err instanceof Error ? err.message : String(err)}`;
        void vscode.window.showErrorMessage(`Stop Serving ${s.label} ${s.role}: ${s.reason}`);
      }
      servers.fire();
    }
    return targets;
  }

  async function attachServer(arg?: unknown): Promise<Server | undefined> {
    if (!trusted('Attach Model Server')) return undefined;
    const given = isOptions<AttachServerOptions>(arg, 'url') ? arg : undefined;
    const url =
      given?.url ??
      (await vscode.window.showInputBox({
        title: 'ESC: Attach Model Server (1/3): its OpenAI-compatible base URL',
        placeHolder: 'http://gpu-node-3:8000/v1',
        ignoreFocusOut: true,
        validateInput: (v) => (/^https?:\/\/\S+$/.test(v.trim()) ? undefined : 'An http(s) URL, up to and including /v1'),
      }));
    if (!url) return undefined;
    const baseUrl = url.trim().replace(/\/+$/, '');
    const role =
      given?.role ??
      ((
        await vscode.window.showQuickPick(
          SERVE_ROLES.map((x) => ({ label: x })),
          { title: `ESC: Attach Model Server (2/3): which role ${baseUrl} serves`, ignoreFocusOut: true },
        )
      )?.label as ServeRole | undefined);
    if (!role) return undefined;
    // the key the Playground keeps for this role at this server (SecretStorage), else the paper's "EMPTY"
    const secretKey = apiKeySecretKey(role, baseUrl);
    const kept = await ctx.extension.secrets.get(secretKey);
    let apiKey = given?.apiKey ?? kept ?? PAPER_API_KEY;
    const ask = (key: string): Thenable<ConnectionResult> =>
      vscode.window.withProgress({ location: vscode.ProgressLocation.Notification, title: `Asking ${baseUrl}/models…` }, () =>
        testConnection({ ...PAPER_PRESETS.generator, baseUrl, model: '', apiKey: key, timeoutMs: 10_000 }),
      );
    let r = await ask(apiKey);
    if (!r.ok && !given && /the API key was refused/.test(r.message)) {
      const entered = await vscode.window.showInputBox({
        title: `ESC: Attach Model Server (3/3): the API key of ${baseUrl}`,
        prompt: `${r.message} It is kept in the editor's secret storage, for the ${role} at this server only.`,
        password: true,
        ignoreFocusOut: true,
      });
      if (!entered) return undefined;
      r = await ask(entered);
      apiKey = entered;
    }
    if (r.ok && apiKey !== PAPER_API_KEY && apiKey !== kept) await ctx.extension.secrets.store(secretKey, apiKey);
    if (!r.ok) {
      void vscode.window.showErrorMessage(`Cannot attach ${baseUrl}: ${r.message}`);
      return undefined;
    }
    // no model named: the LoRA adapter it serves (vLLM's LoRA cards have a parent), not its base model
    let model = given?.model ?? r.suggestedModel ?? r.models[0] ?? '';
    if (!given && r.models.length > 1) {
      const first = r.suggestedModel ?? r.models[0];
      const m = await vscode.window.showQuickPick(
        r.models
          .map((x) => ({ label: x, description: x === first ? 'adapter' : undefined }))
          .sort((a, b) => (b.label === first ? 1 : 0) - (a.label === first ? 1 : 0)),
        { title: `ESC: the model the ${role} requests name (${baseUrl} lists ${r.models.length})` },
      );
      if (!m) return undefined;
      model = m.label;
    }
    const server: Server = {
      label: new URL(baseUrl).host,
      role,
      baseUrl,
      model,
      status: 'ready',
      models: r.models,
      apiKey: apiKey === PAPER_API_KEY ? undefined : apiKey,
    };
    servers.put(server);
    ctx.log.info(`Attached model server ${baseUrl} as the ${role} (model "${model}")`);
    await usePlayground([server], given?.playground ?? 'ask');
    return server;
  }

  /** Follows again the servers a previous window started (see ServingFeature.restore). */
  async function restore(simulateReload = false): Promise<Server[]> {
    if (simulateReload) servers.forget();
    const back: Server[] = [];
    for (const saved of servers.savedServers()) {
      if (servers.of(saved.experimentFile).some((s) => s.role === saved.role && s.handle)) continue;
      let handle: ServerHandle | undefined;
      try {
        handle = saved.handle.kind === 'local' ? await resumeLocal(saved.handle) : await resumeSlurm(saved.handle);
      } catch (err) {
        ctx.log.warn(`Serving ${saved.label} ${saved.role}: cannot follow it again: ${(err as Error)?.message ?? String(err)}`);
      }
      if (!handle) {
        ctx.log.info(`Serving ${saved.label} ${saved.role}: ended while the window was closed`);
        continue;
      }
      const server: Server = {
        ...fromSaved(saved),
        baseUrl: await handle.baseUrl(),
        status: 'starting',
        handle,
      };
      servers.put(server);
      back.push(server);
      ctx.log.info(`Serving ${saved.label} ${saved.role}: followed again after a reload (${server.baseUrl ?? 'host not known yet'})`);
    }
    servers.fire(); // what is kept now: the servers that still run
    return back;
  }

  if (vscode.workspace.isTrusted) void restore();
  else ctx.push(vscode.workspace.onDidGrantWorkspaceTrust(() => void restore()));

  ctx.command('escStudio.serveStages', () => serveStages);
  ctx.command('escStudio.stopServing', () => stopServing);
  ctx.command('escStudio.attachServer', () => attachServer);
  return { servers, restore };
}

const fromSaved = (saved: SavedServer): Omit<Server, 'status'> => ({
  experimentFile: saved.experimentFile,
  label: saved.label,
  role: saved.role,
  stage: saved.stage,
  model: saved.model,
  argv: saved.argv,
  port: saved.port,
});
