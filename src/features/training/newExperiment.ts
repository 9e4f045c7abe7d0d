// ESC: New Decoupled Experiment — guided quick picks (name, base model preset, backend, launcher, a
// dataset per stage from the detected files of the right kind) that write an esc-experiment.yaml.

import { access } from 'node:fs/promises';
import * as path from 'node:path';
import * as vscode from 'vscode';
import { stringify } from 'yaml';
import { MODEL_PRESETS, STAGES, type ExperimentInput, type StageId } from '../../core/training/experiment';
import { STAGE_TITLES } from '../../core/training/stageConfigs';
import { STAGE_KINDS } from '../../core/training/trainConfig';
import type { DatasetsTree } from '../datasets';

const CUSTOM = 'Custom model…';

export async function newExperiment(datasets: DatasetsTree): Promise<vscode.Uri | undefined> {
  const folder = vscode.workspace.workspaceFolders?.[0];
  if (!folder) {
    void vscode.window.showErrorMessage('Open a folder first: the experiment file is written into the workspace.');
    return undefined;
  }
  const name = await vscode.window.showInputBox({
    title: 'New decoupled experiment (1/5): name',
    value: 'decoupled-qwen',
    validateInput: (v) => (/^[\w.-]+$/.test(v) ? undefined : 'letters, digits, ".", "_" and "-" only'),
  });
  if (!name) return undefined;
  const presets = Object.entries(MODEL_PRESETS).map(([base, p]) => ({
    label: base,
    description: `template ${p.template}`,
    base,
    template: p.template as string,
  }));
  const model = await vscode.window.showQuickPick(
    [...presets, { label: CUSTOM, description: 'any Hugging Face id or local path', base: '', template: '' }],
    { title: 'New decoupled experiment (2/5): base model' },
  );
  if (!model) return undefined;
  let { base, template } = model;
  if (model.label === CUSTOM) {
    base = (await vscode.window.showInputBox({ title: 'Base model (Hugging Face id or local path)' })) ?? '';
    template = (await vscode.window.showInputBox({ title: 'LLaMA-Factory chat template', value: 'default' })) ?? '';
    if (!base || !template) return undefined;
  }
  const backend = await vscode.window.showQuickPick(['llamafactory', 'trl'], { title: 'New decoupled experiment (3/5): backend' });
  if (!backend) return undefined;
  const launcher = await vscode.window.showQuickPick(['local', 'torchrun', 'slurm'], { title: 'New decoupled experiment (4/5): launcher' });
  if (!launcher) return undefined;
  await datasets.ready();
  const dir = folder.uri.fsPath;
  const chosen: Partial<Record<StageId, string>> = {};
  for (const stage of STAGES) {
    // LLaMA-Factory reads pairs in its sharegpt ranking layout only, not TRL's prompt/chosen/rejected
    const files = datasets.datasets.filter(
      (d) => d.kind === STAGE_KINDS[stage] && !(backend === 'llamafactory' && d.detection.layout.pairLayout === 'trl'),
    );
    const items = [
      ...files.map((d) => ({
        label: vscode.workspace.asRelativePath(d.uri, false),
        description: `${d.records} records`,
        file: path.relative(dir, d.uri.fsPath).split(path.sep).join('/'),
      })),
      { label: 'Skip this stage', description: '', file: '' },
    ];
    const pick = await vscode.window.showQuickPick(items, {
      title: `New decoupled experiment (5/5): ${stage} — ${STAGE_TITLES[stage]}`,
      placeHolder: files.length === 0 ? `No ${STAGE_KINDS[stage]} file in the workspace` : `A ${STAGE_KINDS[stage]} file`,
    });
    if (!pick) return undefined;
    if (pick.file) chosen[stage] = pick.file;
  }
  const experiment: ExperimentInput = {
    name,
    backend: backend as ExperimentInput['backend'],
    launcher: launcher as ExperimentInput['launcher'],
    model: { base, template },
    datasets: chosen,
    lora: { rank: 8, alpha: 16, dropout: 0.05, target: 'all' },
    sft: { learning_rate: 1e-4, epochs: 3, batch_size: 1, gradient_accumulation: 8 },
    dpo: { learning_rate: 5e-6, epochs: 1, beta: 0.1, loss: 'sigmoid' },
    cutoff_len: 2048,
    gpus: { planner: '0', generator: '1', vanilla: '0' },
    output_root: 'saves',
  };
  let file = path.join(dir, 'esc-experiment.yaml');
  if (
    await access(file).then(
      () => true,
      () => false,
    )
  ) {
    file = path.join(dir, `${name}.esc-experiment.yaml`);
  }
  if (
    await access(file).then(
      () => true,
      () => false,
    )
  ) {
    void vscode.window.showErrorMessage(`${vscode.workspace.asRelativePath(file)} already exists; choose another name.`);
    return undefined;
  }
  const text = `# A decoupled DecoupledESC experiment (ESC Studio). Launch it from the Runs view.\n${stringify(experiment, { lineWidth: 0 })}`;
  const uri = vscode.Uri.file(file);
  await vscode.workspace.fs.writeFile(uri, Buffer.from(text, 'utf8'));
  await vscode.window.showTextDocument(uri);
  return uri;
}
