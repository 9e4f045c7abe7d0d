// The experiment file (`esc-experiment.yaml`): a decoupled DecoupledESC experiment described once —
// base model, datasets per stage, LoRA, SFT and DPO hyper-parameters, GPUs per chain, backend and
// launcher. The zod schema here is the one definition; the JSON schema the editor uses for
// completion is generated from it.

import * as z from 'zod';

export const STAGES = ['planner-sft', 'generator-sft', 'planner-dpo', 'generator-dpo', 'vanilla-sft', 'vanilla-dpo'] as const;
export type StageId = (typeof STAGES)[number];

export type Chain = 'planner' | 'generator' | 'vanilla';
export const chainOf = (stage: StageId): Chain => stage.split('-')[0] as Chain;
export const isDpo = (stage: StageId): boolean => stage.endsWith('-dpo');
/** The SFT stage a DPO stage starts from. */
export const sftOf = (stage: StageId): StageId => `${chainOf(stage)}-sft` as StageId;

export const MODEL_PRESETS = {
  'Qwen/Qwen2.5-7B-Instruct': { template: 'qwen' },
  'meta-llama/Llama-3.1-8B-Instruct': { template: 'llama3' },
} as const;

const positive = z.number().positive();
const count = z.number().int().positive();

const trainSchema = z.strictObject({
  learning_rate: positive.describe('Peak learning rate.'),
  epochs: positive.describe('Number of training epochs.'),
  batch_size: count.default(1).describe('Per-device train batch size.'),
  gradient_accumulation: count.default(8).describe('Gradient accumulation steps.'),
  lr_scheduler: z.string().default('cosine').describe('Learning-rate schedule (transformers lr_scheduler_type).'),
  warmup_ratio: z.number().min(0).max(1).default(0.1),
});

export const experimentSchema = z.strictObject({
  name: z
    .string()
    .regex(/^[\w.-]+$/, 'letters, digits, ".", "_" and "-" only (it names folders and terminals)')
    // "." or ".." would name the output root itself or its parent as the experiment's folder
    .refine((n) => !/^\.+$/.test(n), 'not only dots (it names a folder)')
    .describe('Experiment name.'),
  backend: z.enum(['llamafactory', 'trl']).default('llamafactory').describe('Training framework.'),
  launcher: z.enum(['local', 'torchrun', 'slurm']).default('local').describe('How each stage is started.'),
  model: z.strictObject({
    base: z.string().min(1).describe('Hugging Face model id or local path of the base model.'),
    template: z.string().min(1).describe('Chat template (LLaMA-Factory `template`): qwen for Qwen2.5, llama3 for Llama 3.1.'),
  }),
  datasets: z
    .strictObject({
      'planner-sft': z.string().optional(),
      'generator-sft': z.string().optional(),
      'planner-dpo': z.string().optional(),
      'generator-dpo': z.string().optional(),
      'vanilla-sft': z.string().optional(),
      'vanilla-dpo': z.string().optional(),
    })
    .describe('Dataset file per stage, relative to the experiment file. Stages without a dataset are skipped.'),
  lora: z
    .strictObject({
      rank: count.default(8),
      alpha: count.default(16),
      dropout: z.number().min(0).max(1).default(0.05),
      target: z.string().default('all').describe('LoRA target modules ("all" or comma-separated names).'),
    })
    .prefault({}),
  sft: trainSchema.prefault({ learning_rate: 1e-4, epochs: 3 }),
  dpo: trainSchema
    .extend({
      beta: positive.default(0.1).describe('DPO beta (LLaMA-Factory pref_beta).'),
      loss: z
        .enum(['sigmoid', 'hinge', 'ipo', 'kto_pair', 'orpo', 'simpo'])
        .default('sigmoid')
        .describe('Preference loss (LLaMA-Factory pref_loss).'),
    })
    .prefault({ learning_rate: 5e-6, epochs: 1 }),
  cutoff_len: count.default(2048).describe('Maximum tokens per sample.'),
  bf16: z.boolean().default(true),
  seed: z.number().int().default(42),
  gpus: z
    .strictObject({
      planner: z
        .string()
        .regex(/^\d+(,\d+)*$/, 'GPU ids like "0" or "0,1"')
        .default('0'),
      generator: z
        .string()
        .regex(/^\d+(,\d+)*$/, 'GPU ids like "1" or "2,3"')
        .default('1'),
      vanilla: z
        .string()
        .regex(/^\d+(,\d+)*$/, 'GPU ids like "0"')
        .default('0'),
    })
    .prefault({})
    .describe('CUDA_VISIBLE_DEVICES per chain; the planner and generator chains run in parallel on theirs.'),
  deepspeed: z.string().optional().describe('DeepSpeed config file (torchrun launcher).'),
  output_root: z.string().default('saves').describe('Folder (relative to the experiment file) that holds one output folder per stage.'),
});

export type Experiment = z.infer<typeof experimentSchema>;
export type ExperimentInput = z.input<typeof experimentSchema>;

/** Stages this experiment runs: those with a dataset, DPO only where its SFT also runs. */
export function stagesOf(e: Experiment): StageId[] {
  return STAGES.filter((s) => e.datasets[s] !== undefined && (!isDpo(s) || e.datasets[sftOf(s)] !== undefined));
}

/** JSON schema for `esc-experiment.yaml` (contributed to the editor for completion and validation). */
export function experimentJsonSchema(): object {
  return z.toJSONSchema(experimentSchema, { io: 'input' });
}
