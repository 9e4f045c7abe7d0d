// `esc train-config` and the extension's "write configs": reads an experiment file, checks each
// stage's dataset (exists, right kind), and writes every stage's config, its shell script, the
// LLaMA-Factory dataset_info.json (merged) or TRL-layout data copies, and Slurm scripts. All files
// are written atomically; nothing is written when a check fails.

import { readFile } from 'node:fs/promises';
import * as path from 'node:path';
import { parse as parseYaml } from 'yaml';
import { scanFile } from '../json/readFile';
import { parseRecord } from '../json/parseRecord';
import { formatJsonPath } from '../formats/schemas';
import { writeFileAtomic } from '../util/atomicWrite';
import { detectFile, type Detection } from '../formats/detect';
import { conversationOf } from '../formats/accessors';
import { isObject, toChatMessage, toChatMessages } from '../formats/messages';
import type { DatasetKind } from '../formats/kinds';
import { datasetInfoEntry, mergeDatasetInfo, type DatasetInfoEntry } from './datasetInfo';
import { experimentSchema, isDpo, stagesOf, type Experiment, type StageId } from './experiment';
import { DEFAULT_SBATCH_TEMPLATE, stageSbatch, stageScript } from './scripts';
import { datasetName, stageConfigYaml, type StagePaths } from './stageConfigs';

export const STAGE_KINDS: Readonly<Record<StageId, DatasetKind>> = {
  'planner-sft': 'sft-planner',
  'generator-sft': 'sft-generator',
  'planner-dpo': 'pref-planner',
  'generator-dpo': 'pref-generator',
  'vanilla-sft': 'sft-vanilla',
  'vanilla-dpo': 'pref-vanilla',
};

/** dpo.loss values TRL's DPOConfig.loss_type accepts (of those the experiment schema allows). */
const TRL_DPO_LOSSES: readonly string[] = ['sigmoid', 'hinge', 'ipo'];

export class ExperimentError extends Error {
  constructor(readonly problems: string[]) {
    super(problems.join('\n'));
  }
}

export interface LoadedExperiment {
  file: string;
  dir: string;
  experiment: Experiment;
}

/** Where a stage writes its adapter and logs: <output_root>/<name>/<stage>, relative to the experiment file. */
export const stageOutputDir = (loaded: LoadedExperiment, stage: StageId): string =>
  path.resolve(loaded.dir, loaded.experiment.output_root, loaded.experiment.name, stage);

export async function loadExperiment(
  file: string,
  overrides: Partial<Pick<Experiment, 'backend' | 'launcher'>> = {},
): Promise<LoadedExperiment> {
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (err) {
    throw new ExperimentError([
      `cannot read ${file}: ${(err as NodeJS.ErrnoException).code === 'ENOENT' ? 'no such file' : (err as Error).message}`,
    ]);
  }
  let raw: unknown;
  try {
    raw = parseYaml(text);
  } catch (err) {
    throw new ExperimentError([`${file} is not valid YAML: ${(err as Error).message.split('\n')[0]}`]);
  }
  const parsed = experimentSchema.safeParse(isObject(raw) ? { ...raw, ...overrides } : raw);
  if (!parsed.success) {
    throw new ExperimentError(
      parsed.error.issues.map((i) => `${file}: ${formatJsonPath(i.path).replace(/^\./, '') || '(top level)'}: ${i.message}`),
    );
  }
  return { file: path.resolve(file), dir: path.dirname(path.resolve(file)), experiment: parsed.data };
}

export interface GeneratedFile {
  path: string;
  content: string;
  /** Shell scripts are written executable. */
  executable?: boolean;
}

export interface TrainConfigOptions {
  outDir: string;
  cli?: string;
  activate?: string;
  sbatchTemplate?: string;
}

export interface TrainPlan {
  loaded: LoadedExperiment;
  stages: StageId[];
  files: GeneratedFile[];
  /** Per stage: script path (absolute) and output folder (absolute). */
  stageFiles: Record<string, { script: string; config: string; outputDir: string; sbatch?: string }>;
}

const rel = (from: string, to: string): string => {
  const r = path.relative(from, to);
  return r === '' ? '.' : r.split(path.sep).join('/');
};

/** Why a stage's dataset cannot be trained on: absent, unreadable, not records, of another kind, or not registrable in dataset_info.json. */
export type DatasetProblemCode = 'missing' | 'unreadable' | 'invalid' | 'wrong-kind' | 'not-registered';

export interface StageDatasetProblem {
  stage: StageId;
  code: DatasetProblemCode;
  /** The dataset file (absolute). */
  file: string;
  message: string;
}

/**
 * Checks each stage's dataset from the head of its file (exists, is a list of records, is the stage's
 * kind, can be registered for LLaMA-Factory); every problem of every stage, and the detections of the
 * good ones. The one check `esc train-config`, the launch and the preflight report share.
 */
export async function checkStageDatasets(
  loaded: LoadedExperiment,
  stages: readonly StageId[] = stagesOf(loaded.experiment),
): Promise<{ problems: StageDatasetProblem[]; detections: Map<StageId, Detection> }> {
  const e = loaded.experiment;
  const problems: StageDatasetProblem[] = [];
  const detections = new Map<StageId, Detection>();
  for (const stage of stages) {
    const file = path.resolve(loaded.dir, e.datasets[stage]!);
    const problem = (code: DatasetProblemCode, message: string): void => void problems.push({ stage, code, file, message });
    let detection: Detection;
    try {
      detection = await detectFile(file);
    } catch (err) {
      const missing = (err as NodeJS.ErrnoException).code === 'ENOENT';
      problem(
        missing ? 'missing' : 'unreadable',
        `${stage}: dataset ${e.datasets[stage]} cannot be read (${missing ? 'no such file' : (err as Error).message})`,
      );
      continue;
    }
    if (detection.kind !== STAGE_KINDS[stage]) {
      if (detection.kind === 'unknown' && detection.problem) {
        problem(
          'invalid',
          `${stage}: dataset ${e.datasets[stage]} is not a list of records (${detection.problem.message}); this stage needs a ${STAGE_KINDS[stage]} file`,
        );
      } else {
        problem(
          'wrong-kind',
          `${stage}: dataset ${e.datasets[stage]} is ${detection.kind === 'unknown' ? 'not an ESC dataset' : `a ${detection.kind} file`}; this stage needs a ${STAGE_KINDS[stage]} file`,
        );
      }
      continue;
    }
    if (e.backend === 'llamafactory') {
      const entry = datasetInfoEntry(path.basename(file), STAGE_KINDS[stage], detection.layout);
      if ('error' in entry) {
        problem('not-registered', `${stage}: ${e.datasets[stage]}: ${entry.error}`);
        continue;
      }
    }
    detections.set(stage, detection);
  }
  return { problems, detections };
}

/** Checks the datasets and builds every file; writes nothing. */
export async function planTrainConfig(loaded: LoadedExperiment, opts: TrainConfigOptions): Promise<TrainPlan> {
  const e = loaded.experiment;
  const outDir = path.resolve(opts.outDir);
  const stages = stagesOf(e);
  const problems: string[] = [];
  if (stages.length === 0) problems.push('no stage has a dataset: set datasets.planner-sft (and the others) in the experiment file');
  if (e.backend === 'trl' && stages.some((s) => s.endsWith('-dpo')) && !TRL_DPO_LOSSES.includes(e.dpo.loss)) {
    problems.push(`dpo.loss: ${e.dpo.loss} is a LLaMA-Factory loss; TRL's DPO takes one of ${TRL_DPO_LOSSES.join(', ')}`);
  }
  const checked = await checkStageDatasets(loaded, stages);
  problems.push(...checked.problems.map((p) => p.message));
  const kindsFound = checked.detections;
  if (problems.length > 0) throw new ExperimentError(problems);

  const paths: StagePaths = {
    configDir: rel(loaded.dir, outDir),
    outputDir: (s) => rel(loaded.dir, stageOutputDir(loaded, s)),
    datasetFile: (s) =>
      e.backend === 'trl'
        ? rel(loaded.dir, path.join(outDir, 'data', `${s}.jsonl`))
        : rel(loaded.dir, path.resolve(loaded.dir, e.datasets[s]!)),
  };
  const files: GeneratedFile[] = [];
  const stageFiles: TrainPlan['stageFiles'] = {};
  const infoEntries: Record<string, DatasetInfoEntry> = {};
  for (const stage of stages) {
    const configAbs = path.join(outDir, `${stage}.yaml`);
    const scriptAbs = path.join(outDir, `${stage}.sh`);
    const outputAbs = path.resolve(loaded.dir, paths.outputDir(stage));
    files.push({ path: configAbs, content: stageConfigYaml(e, stage, paths) });
    files.push({
      path: scriptAbs,
      executable: true,
      content: stageScript(e, stage, {
        experimentDir: loaded.dir,
        configPath: rel(loaded.dir, configAbs),
        outputDir: paths.outputDir(stage),
        cli: opts.cli,
        activate: opts.activate,
      }),
    });
    stageFiles[stage] = { script: scriptAbs, config: configAbs, outputDir: outputAbs };
    if (e.launcher === 'slurm') {
      const sbatch = path.join(outDir, `${stage}.sbatch`);
      files.push({
        path: sbatch,
        executable: true,
        content: stageSbatch(e, stage, scriptAbs, outputAbs, opts.sbatchTemplate ?? DEFAULT_SBATCH_TEMPLATE),
      });
      stageFiles[stage]!.sbatch = sbatch;
    }
    const detection = kindsFound.get(stage)!;
    const datasetAbs = path.resolve(loaded.dir, e.datasets[stage]!);
    if (e.backend === 'llamafactory') {
      const entry = datasetInfoEntry(rel(outDir, datasetAbs), STAGE_KINDS[stage], detection.layout);
      if ('error' in entry) throw new ExperimentError([`${stage}: ${e.datasets[stage]}: ${entry.error}`]); // checked above
      infoEntries[datasetName(e, stage)] = entry;
    } else {
      files.push({ path: path.join(outDir, 'data', `${stage}.jsonl`), content: await toTrlJsonl(datasetAbs, isDpo(stage)) });
    }
  }
  if (e.backend === 'llamafactory') {
    const infoPath = path.join(outDir, 'dataset_info.json');
    const existing = await readFile(infoPath, 'utf8').catch((err: NodeJS.ErrnoException) => {
      if (err.code === 'ENOENT') return undefined;
      throw new ExperimentError([
        `${infoPath}: cannot read the existing dataset_info.json (${err.code ?? err.message}); it was left untouched`,
      ]);
    });
    try {
      files.push({ path: infoPath, content: mergeDatasetInfo(existing, infoEntries) });
    } catch (err) {
      throw new ExperimentError([`${infoPath}: ${(err as Error).message}`]);
    }
  }
  return { loaded, stages, files, stageFiles };
}

/** TRL's layouts: SFT as {"messages": [...]}, pairs as {"prompt": [...], "chosen": [msg], "rejected": [msg]}. */
async function toTrlJsonl(file: string, pairs: boolean): Promise<string> {
  const lines: string[] = [];
  await scanFile(file, {
    keepBytes: true,
    onRecord: (span, bytes) => {
      const parsed = parseRecord(bytes!, span.start);
      if (!parsed.ok || !isObject(parsed.value)) return;
      const r = parsed.value;
      if (!pairs) {
        const messages = toChatMessages(conversationOf(r));
        // a sharegpt file keeps its system prompt in a column: TRL wants it as the first message
        if (typeof r.system === 'string' && messages[0]?.role !== 'system') messages.unshift({ role: 'system', content: r.system });
        lines.push(JSON.stringify({ messages }));
        return;
      }
      if ('prompt' in r) {
        lines.push(JSON.stringify(r)); // already TRL
        return;
      }
      const side = (v: unknown): unknown[] => {
        const m = toChatMessage(v);
        return m ? [m] : [];
      };
      lines.push(JSON.stringify({ prompt: toChatMessages(r.conversations), chosen: side(r.chosen), rejected: side(r.rejected) }));
    },
  });
  return lines.join('\n') + (lines.length > 0 ? '\n' : '');
}

/** Writes each file atomically (temporary file + rename), creating folders. */
export async function writeGeneratedFiles(files: GeneratedFile[]): Promise<void> {
  for (const f of files) await writeFileAtomic(f.path, f.content, { mode: f.executable ? 0o755 : 0o644 });
}
