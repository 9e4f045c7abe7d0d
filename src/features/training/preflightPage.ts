// The preflight report: when a launch meets problems, all of them show in one editor tab
// (webview-ui/src/preflight/), each with buttons for its fixes, instead of one dialog after another.
// The report's own actions: Launch (Anyway) when nothing blocks it, Write Configs Only (what
// `esc train-config` writes, for a machine without a GPU), Check Again. A fix that changes something
// (a setting, the experiment file) checks again by itself. One page per experiment file.

import * as path from 'node:path';
import * as vscode from 'vscode';
import { launchable, type PreflightFix, type PreflightProblem, type PreflightReport } from '../../core/training/preflight';
import { experimentSchema } from '../../core/training/experiment';
import { writeGeneratedFiles } from '../../core/training/trainConfig';
import { preflightToExtension, type PreflightRow, type PreflightState } from '../../protocol/preflight';
import type { Ctx } from '../ctx';
import { webviewHtml } from '../webviewHtml';

export const PREFLIGHT_VIEW_TYPE = 'escStudio.preflight';

/** What the report's buttons do beyond the page itself; the launch module supplies them. */
export interface PreflightActions {
  /** The same stages checked again. */
  recheck(): Promise<PreflightReport>;
  /** Launch past the warnings (the launch checks again first). */
  launch(): Promise<unknown>;
  /** Launch a DPO stage together with its SFT. */
  launchWithSft(): Promise<unknown>;
}

function fixLabel(fix: PreflightFix, p: PreflightProblem, report: PreflightReport): string {
  const backend = report.loaded?.experiment.backend;
  switch (fix) {
    case 'setCli':
      return `Set escStudio.training.${backend === 'trl' ? 'trlCli' : 'llamafactoryCli'}…`;
    case 'setActivate':
      return 'Set an Activation Command…';
    case 'gpuHelp':
      return 'Use a GPU Machine…';
    case 'useSlurm':
      return 'Launch through Slurm';
    case 'skipGpuCheck':
      return 'Do Not Check for a GPU';
    case 'openDataset':
      return 'Open in Dataset Viewer';
    case 'validateDataset':
      return 'Validate';
    case 'editExperiment':
      return p.field ? `Edit ${p.field}` : 'Open Experiment';
    case 'overwrite':
      return 'Overwrite';
    case 'renameExperiment':
      return 'Rename Experiment…';
    case 'launchWithSft':
      return `Launch ${p.stage?.replace('-dpo', '-sft') ?? 'its SFT'} and ${p.stage ?? 'the DPO'}`;
  }
}

/** The experiment file open in an editor with the line of `field` (its last key, e.g. `planner-dpo:`) selected. */
async function openAtField(file: string, field: string | undefined): Promise<vscode.TextEditor> {
  const doc = await vscode.workspace.openTextDocument(vscode.Uri.file(file));
  const key = field?.split('.').at(-1);
  const line = key
    ? doc
        .getText()
        .split('\n')
        .findIndex((l) => new RegExp(`^\\s*${key.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}\\s*:`).test(l))
    : -1;
  const range = line >= 0 ? doc.lineAt(line).range : new vscode.Range(0, 0, 0, 0);
  return vscode.window.showTextDocument(doc, { selection: range, preview: false });
}

/** Sets a top-level key of the experiment file in place (its comment kept), or adds it after `name:`; saved. */
async function setTopLevel(file: string, key: string, value: string): Promise<void> {
  const doc = await vscode.workspace.openTextDocument(vscode.Uri.file(file));
  const lines = doc.getText().split('\n');
  const edit = new vscode.WorkspaceEdit();
  const at = lines.findIndex((l) => new RegExp(`^${key}\\s*:`).test(l));
  if (at >= 0) {
    const m = new RegExp(`^(${key}\\s*:\\s*)("[^"]*"|'[^']*'|[^#\\s]*)`).exec(lines[at]!)!;
    edit.replace(doc.uri, new vscode.Range(at, m[1]!.length, at, m[0].length), value);
  } else {
    const name = lines.findIndex((l) => /^name\s*:/.test(l));
    edit.insert(doc.uri, new vscode.Position(name + 1, 0), `${key}: ${value}\n`);
  }
  await vscode.workspace.applyEdit(edit);
  await doc.save();
}

const pages = new Map<string, PreflightPage>();

/** Shows (or refreshes) the report of an experiment's launch. */
export function showPreflightReport(ctx: Ctx, report: PreflightReport, actions: PreflightActions): PreflightPage {
  let page = pages.get(report.experimentFile);
  if (!page) {
    page = new PreflightPage(ctx, report, actions);
    pages.set(report.experimentFile, page);
  } else page.update(report, actions);
  page.reveal();
  return page;
}

/** Closes the report of an experiment (it launched). */
export function closePreflightReport(experimentFile: string): void {
  pages.get(experimentFile)?.dispose();
}

export class PreflightPage implements vscode.Disposable {
  private readonly panel: vscode.WebviewPanel;
  /** Problems the user accepted (Overwrite), by code and stage, with what the page says of them. */
  private readonly accepted = new Map<string, string>();
  private note: string | undefined;
  private busy = false;
  private disposed = false;

  constructor(
    private readonly ctx: Ctx,
    private report: PreflightReport,
    private actions: PreflightActions,
  ) {
    this.panel = vscode.window.createWebviewPanel(
      PREFLIGHT_VIEW_TYPE,
      `Preflight: ${report.loaded?.experiment.name ?? path.basename(report.experimentFile)}`,
      vscode.ViewColumn.Active,
      {
        enableScripts: true,
        localResourceRoots: [vscode.Uri.joinPath(ctx.extensionUri, 'dist', 'webview'), vscode.Uri.joinPath(ctx.extensionUri, 'media')],
      },
    );
    this.panel.webview.html = webviewHtml(this.panel.webview, ctx.extensionUri, 'preflight.js', 'ESC Studio preflight');
    this.panel.webview.onDidReceiveMessage((raw: unknown) => {
      const m = preflightToExtension.safeParse(raw);
      if (!m.success) return;
      const msg = m.data;
      if (msg.type === 'ready') return this.post();
      void this.run(async () => {
        if (msg.type === 'recheck') await this.recheck();
        else if (msg.type === 'launch') await this.actions.launch();
        else if (msg.type === 'writeConfigs') await this.writeConfigs();
        else {
          const problem = this.report.problems[msg.index];
          if (problem?.fixes.includes(msg.fix)) await this.fix(problem, msg.fix);
        }
      });
    });
    this.panel.onDidDispose(() => {
      this.disposed = true;
      pages.delete(this.report.experimentFile);
    });
  }

  /** What the page shows now. */
  get state(): PreflightState {
    const r = this.report;
    const ws = (p: string): string => vscode.workspace.asRelativePath(p);
    const problems: PreflightRow[] = r.problems.map((p) => ({
      code: p.code,
      severity: p.severity,
      message: p.message,
      stage: p.stage,
      fixes: p.fixes.map((fix) => ({ fix, label: fixLabel(fix, p, r) })),
      accepted: this.accepted.get(`${p.code}|${p.stage ?? ''}`),
    }));
    return {
      type: 'report',
      name: r.loaded?.experiment.name ?? path.basename(r.experimentFile),
      experiment: ws(r.experimentFile),
      stages: r.stages,
      problems,
      canLaunch: launchable(r),
      canWriteConfigs: r.plan !== undefined,
      configDir: r.plan && r.plan.stages[0] ? ws(path.dirname(r.plan.stageFiles[r.plan.stages[0]]!.script)) : undefined,
      note: this.note,
      busy: this.busy,
    };
  }

  update(report: PreflightReport, actions: PreflightActions): void {
    this.report = report;
    this.actions = actions;
    this.post();
  }

  reveal(): void {
    this.panel.reveal(undefined, false);
  }

  dispose(): void {
    this.panel.dispose();
  }

  private post(): void {
    if (!this.disposed) void this.panel.webview.postMessage(this.state).then(undefined, () => undefined);
  }

  private async run(action: () => Promise<void>): Promise<void> {
    this.busy = true;
    this.post();
    try {
      await action();
    } catch (err) {
      this.note = `Failed: ${err instanceof Error ? err.message : String(err)}`;
      this.ctx.log.error(`Preflight ${this.report.experimentFile}: ${this.note}`);
    } finally {
      this.busy = false;
      this.post();
    }
  }

  private async recheck(): Promise<void> {
    this.report = await this.actions.recheck();
    // an accepted problem stays accepted only while it is still there
    const still = new Set(this.report.problems.map((p) => `${p.code}|${p.stage ?? ''}`));
    for (const k of [...this.accepted.keys()]) if (!still.has(k)) this.accepted.delete(k);
  }

  /** The same files `esc train-config` writes, for a GPU machine to run. */
  private async writeConfigs(): Promise<void> {
    const plan = this.report.plan;
    if (!plan) return;
    await writeGeneratedFiles(plan.files);
    const abs = path.dirname(plan.stageFiles[plan.stages[0]!]!.script);
    const dir = vscode.workspace.asRelativePath(abs);
    const scripts = plan.stages.map((s) => path.basename(plan.stageFiles[s]!.script)).join(', ');
    this.note = `Wrote ${plan.files.length} files to ${dir}: on a GPU machine with the same folders, run ${scripts} (bash <script>) — or the same with esc train-config there.`;
    this.ctx.log.info(`Preflight: ${this.note}`);
    void vscode.window.showInformationMessage(`ESC: wrote the configs and scripts to ${dir}.`, 'Reveal in Explorer').then((c) => {
      if (c) void vscode.commands.executeCommand('revealInExplorer', vscode.Uri.file(abs));
    });
  }

  private async fix(p: PreflightProblem, fix: PreflightFix): Promise<void> {
    const file = this.report.experimentFile;
    const settings = (id: string): Thenable<unknown> => vscode.commands.executeCommand('workbench.action.openSettings', id);
    switch (fix) {
      case 'setCli':
        await settings(`escStudio.training.${this.report.loaded?.experiment.backend === 'trl' ? 'trlCli' : 'llamafactoryCli'}`);
        this.note = 'Set the CLI, then Check Again.';
        return;
      case 'setActivate':
        await settings('escStudio.training.activateCommand');
        this.note =
          'Set the command that activates the Python environment with the CLI (e.g. source ~/venvs/lf/bin/activate), then Check Again.';
        return;
      case 'gpuHelp': {
        await openAtField(file, 'gpus');
        this.note =
          'Training needs a GPU. Open this folder on a GPU machine (Remote - SSH: Connect to Host…) and launch there; the gpus of each chain in the experiment become CUDA_VISIBLE_DEVICES (e.g. planner: "0", generator: "1"). Or launch through Slurm, or Write Configs Only and run the scripts on the GPU machine.';
        const choice = await vscode.window.showInformationMessage(this.note, 'Connect to a Remote Machine…');
        if (choice) await vscode.commands.executeCommand('workbench.action.remote.showMenu');
        return;
      }
      case 'useSlurm':
        await setTopLevel(file, 'launcher', 'slurm');
        this.note = 'The experiment now launches through Slurm (sbatch): its GPUs are the cluster’s.';
        return this.recheck();
      case 'skipGpuCheck':
        await vscode.workspace.getConfiguration('escStudio.training').update('requireGpu', false, vscode.ConfigurationTarget.Global);
        this.note = 'ESC Studio no longer checks for a GPU (escStudio.training.requireGpu).';
        return this.recheck();
      case 'openDataset':
        if (p.path) await vscode.commands.executeCommand('escStudio.openViewer', vscode.Uri.file(p.path));
        return;
      case 'validateDataset':
        if (p.path) await vscode.commands.executeCommand('escStudio.validateDataset', vscode.Uri.file(p.path));
        return;
      case 'editExperiment':
        await openAtField(file, p.field);
        this.note = 'Edit the experiment file, save it, then Check Again.';
        return;
      case 'overwrite':
        this.accepted.set(`${p.code}|${p.stage ?? ''}`, 'Accepted: the launch overwrites this output.');
        return;
      case 'renameExperiment': {
        const name = await vscode.window.showInputBox({
          title: 'ESC: a new experiment name (a new output folder)',
          value: `${this.report.loaded?.experiment.name ?? 'experiment'}-2`,
          // the experiment schema's rule (experiment.ts), said before the file is edited
          validateInput: (v) => {
            const checked = experimentSchema.shape.name.safeParse(v);
            return checked.success ? undefined : (checked.error.issues[0]?.message ?? 'not a valid name');
          },
        });
        if (!name) return;
        await setTopLevel(file, 'name', name);
        this.note = `Renamed the experiment to ${name}: its stages write to a new folder.`;
        return this.recheck();
      }
      case 'launchWithSft':
        await this.actions.launchWithSft();
        return;
    }
  }
}
