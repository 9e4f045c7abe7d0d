// One training config per stage of an experiment, for LLaMA-Factory (`llamafactory-cli train x.yaml`)
// or TRL (`trl sft|dpo --config x.yaml`). Argument names are those of LLaMA-Factory's hparams
// (finetuning_args, data_args, model_args) and transformers' TrainingArguments, and of TRL's
// ModelConfig / SFTConfig / DPOConfig / DatasetMixtureConfig; see the README's training section.
//
// All paths are relative to the experiment file's folder: every stage script starts with `cd` there.

import { Document, type Scalar, type YAMLMap } from 'yaml';
import { chainOf, isDpo, sftOf, type Experiment, type StageId } from './experiment';

export const STAGE_TITLES: Readonly<Record<StageId, string>> = {
  'planner-sft': 'strategy planner, SFT',
  'generator-sft': 'response generator, SFT',
  'planner-dpo': 'strategy planner, DPO from its SFT adapter',
  'generator-dpo': 'response generator, DPO from its SFT adapter',
  'vanilla-sft': 'vanilla joint baseline, SFT',
  'vanilla-dpo': 'vanilla joint baseline, DPO from its SFT adapter',
};

export interface StagePaths {
  /** Folder (relative to the experiment folder) holding the generated configs and dataset_info.json. */
  configDir: string;
  /** Output folder of a stage (relative to the experiment folder). */
  outputDir(stage: StageId): string;
  /** Dataset file a stage trains on, as the backend should read it (relative to the experiment folder). */
  datasetFile(stage: StageId): string;
}

/** Name of a stage's dataset in LLaMA-Factory's dataset_info.json. */
export const datasetName = (e: Experiment, stage: StageId): string => `esc_${e.name}_${stage}`.replace(/[^\w]/g, '_');

const num = (n: number): number => Number(n.toPrecision(6));

function header(e: Experiment, stage: StageId, backend: string): string {
  return [
    ` ESC Studio — experiment "${e.name}", stage ${stage} (${STAGE_TITLES[stage]}), ${backend}.`,
    ' Generated from the experiment file: change that and regenerate rather than editing this file.',
  ].join('\n');
}

/** transformers TrainingArguments shared by both backends (LLaMA-Factory and TRL parse the same names). */
function trainingArgs(e: Experiment, t: Experiment['sft']): Record<string, unknown> {
  return {
    per_device_train_batch_size: t.batch_size,
    gradient_accumulation_steps: t.gradient_accumulation,
    learning_rate: num(t.learning_rate),
    num_train_epochs: num(t.epochs),
    lr_scheduler_type: t.lr_scheduler,
    warmup_ratio: num(t.warmup_ratio),
    bf16: e.bf16,
    seed: e.seed,
  };
}

/** Sections of a LLaMA-Factory YAML, in the order its examples use. */
function llamaFactoryConfig(e: Experiment, stage: StageId, paths: StagePaths): [string, Record<string, unknown>][] {
  const dpo = isDpo(stage);
  const t = dpo ? e.dpo : e.sft;
  const model: Record<string, unknown> = { model_name_or_path: e.model.base, trust_remote_code: true };
  // DPO starts from the SFT adapter: merged into the base, with a new LoRA on top, so the DPO
  // reference (the policy with its trainable adapter disabled) is exactly the SFT model.
  if (dpo) model.adapter_name_or_path = paths.outputDir(sftOf(stage));
  const method: Record<string, unknown> = {
    stage: dpo ? 'dpo' : 'sft',
    do_train: true,
    finetuning_type: 'lora',
    lora_rank: e.lora.rank,
    lora_alpha: e.lora.alpha,
    lora_dropout: e.lora.dropout,
    lora_target: e.lora.target,
  };
  if (dpo) Object.assign(method, { create_new_adapter: true, pref_beta: num(e.dpo.beta), pref_loss: e.dpo.loss });
  const train: Record<string, unknown> = { ...trainingArgs(e, t), ddp_timeout: 180000000, report_to: 'none' };
  if (e.launcher === 'torchrun' && e.deepspeed) train.deepspeed = e.deepspeed;
  return [
    ['model', model],
    ['method', method],
    [
      'dataset',
      {
        dataset: datasetName(e, stage),
        dataset_dir: paths.configDir,
        template: e.model.template,
        cutoff_len: e.cutoff_len,
        overwrite_cache: true,
        preprocessing_num_workers: 16,
      },
    ],
    ['output', { output_dir: paths.outputDir(stage), logging_steps: 10, save_steps: 500, plot_loss: true, overwrite_output_dir: true }],
    ['train', train],
  ];
}

function trlConfig(e: Experiment, stage: StageId, paths: StagePaths): [string, Record<string, unknown>][] {
  const dpo = isDpo(stage);
  const t = dpo ? e.dpo : e.sft;
  const model: Record<string, unknown> = {
    // DPO continues from the SFT output folder (TRL saved the SFT LoRA adapter there)
    model_name_or_path: dpo ? paths.outputDir(sftOf(stage)) : e.model.base,
    trust_remote_code: true,
    use_peft: true,
    lora_r: e.lora.rank,
    lora_alpha: e.lora.alpha,
    lora_dropout: e.lora.dropout,
    lora_target_modules: e.lora.target === 'all' ? 'all-linear' : e.lora.target.split(',').map((s) => s.trim()),
  };
  const data = { datasets: [{ path: 'json', data_files: paths.datasetFile(stage), split: 'train' }] };
  const train: Record<string, unknown> = {
    output_dir: paths.outputDir(stage),
    ...trainingArgs(e, t),
    max_length: e.cutoff_len,
    logging_steps: 10,
    save_steps: 500,
    report_to: 'none',
  };
  if (dpo) Object.assign(train, { beta: num(e.dpo.beta), loss_type: [e.dpo.loss] });
  return [
    ['model', model],
    ['dataset', data],
    ['train', train],
  ];
}

/** The stage's config file text: deterministic, commented, sections in a fixed order. */
export function stageConfigYaml(e: Experiment, stage: StageId, paths: StagePaths): string {
  const sections = e.backend === 'trl' ? trlConfig(e, stage, paths) : llamaFactoryConfig(e, stage, paths);
  const doc = new Document(Object.assign({}, ...sections.map(([, values]) => values)) as Record<string, unknown>);
  doc.commentBefore = header(
    e,
    stage,
    e.backend === 'trl' ? `TRL: trl ${isDpo(stage) ? 'dpo' : 'sft'} --config` : 'LLaMA-Factory: llamafactory-cli train',
  );
  // a "## section" comment above the first key of each section
  const firstKeys = new Map(sections.map(([title, values]) => [Object.keys(values)[0], title]));
  for (const item of (doc.contents as YAMLMap<Scalar<string>, unknown>).items) {
    const title = firstKeys.get(item.key.value);
    if (title === undefined) continue;
    item.key.commentBefore = ` ${title}`;
    item.key.spaceBefore = true;
  }
  return doc.toString({ lineWidth: 0 });
}

export { chainOf };
