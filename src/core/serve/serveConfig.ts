// `esc serve-config` and the editor's *Serve Stages*: which trained stage each role serves, and the
// script that starts its OpenAI-compatible server — vLLM (`vllm serve`, the paper's engine) or
// LLaMA-Factory (`llamafactory-cli api`). servePlan() is pure (it reads no file), so the CLI and the
// editor plan the same servers; writeServePlan() writes the files atomically.
//
// Argument names were checked against the engines' sources (see the README's serving section):
// vLLM vllm/entrypoints/openai/cli_args.py (--lora-modules name=path or JSON, --api-key) and
// vllm/config/lora.py (MaxLoRARanks); LLaMA-Factory src/llamafactory/api/app.py (API_HOST, API_PORT,
// API_MODEL_NAME, API_KEY), hparams/model_args.py (adapter_name_or_path split at commas, infer_backend,
// infer_dtype, export_dir, export_size, export_device, export_legacy_format),
// examples/merge_lora/llama3_lora_sft.yaml and examples/inference/llama3_lora_sft.yaml.
//
// A DPO stage's adapter is NOT an adapter of the base model. LLaMA-Factory's DPO stage loads the SFT
// adapter with create_new_adapter (stageConfigs.ts), which merges it into the base and trains a new
// LoRA on top (model/adapter.py: every adapter is merged when create_new_adapter is set), so the DPO
// folder holds a delta over base+SFT. TRL's DPO stage starts from the SFT output folder the same way.
// vLLM cannot stack two LoRAs, so serving a DPO stage through vLLM first exports base+SFT (LLaMA-
// Factory `export`, once) and serves the DPO adapter on that; LLaMA-Factory's own server takes both
// adapters (`adapter_name_or_path: sft,dpo`) and merges them in order itself. Exception: under
// DeepSpeed ZeRO-3 LLaMA-Factory resumes the SFT adapter instead (deepspeedZeroStage below).

import { readFile } from 'node:fs/promises';
import * as path from 'node:path';
import { quote } from 'shell-quote';
import { Document } from 'yaml';
import { writeFileAtomic } from '../util/atomicWrite';
import { chainOf, isDpo, sftOf, STAGES, stagesOf, type Experiment, type StageId } from '../training/experiment';
import { DEFAULT_SBATCH_TEMPLATE, slurmQuote } from '../training/scripts';
import { STAGE_TITLES } from '../training/stageConfigs';
import { stageOutputDir, type LoadedExperiment } from '../training/trainConfig';
import { DEFAULT_PORTS, SERVE_ROLES, type ServedRole, type ServeOptions, type ServePlan, type ServeRole } from './types';

/** One message per problem, all found at once; nothing is written when it is thrown. */
export class ServeConfigError extends Error {
  constructor(readonly problems: string[]) {
    super(problems.join('\n'));
    this.name = 'ServeConfigError';
  }
}

/** The paper's context length for both served models (FORMATS.md §5). */
export const SERVE_MAX_MODEL_LEN = 8192;
/** The ranks vLLM's --max-lora-rank accepts (vllm/config/lora.py MaxLoRARanks). */
export const VLLM_LORA_RANKS: readonly number[] = [1, 8, 16, 32, 64, 128, 256, 320, 512];
/** Stands for the Slurm node in a base URL until `squeue` names it (see slurmHost.ts). */
export const SLURM_NODE_PLACEHOLDER = '<node>';
/** Shard size (GB) of a merged export; LLaMA-Factory's default. */
const EXPORT_SIZE_GB = 5;

/** Written into a merged-export folder once `llamafactory-cli export` has finished (the script then skips the export). */
export const EXPORT_DONE_FILE = 'esc-export.done';

/** The pid file a serve script writes next to itself (`serve-<role>.pid`): the pid of the server process group's leader. */
export const servePidFileName = (role: ServeRole): string => `serve-${role}.pid`;

/**
 * The `model` requests carry: `<experiment>-<stage>`, e.g. `demo-planner-dpo`. It names what answers
 * (the experiment's trained stage), so it does not change with the port, engine or merging, and two
 * experiments served side by side never answer to the same name.
 */
export const servedModelName = (e: Experiment, stage: StageId): string => `${e.name}-${stage}`;

/** The smallest rank vLLM accepts that holds `rank`, or undefined above the largest. */
export const vllmMaxLoraRank = (rank: number): number | undefined => VLLM_LORA_RANKS.find((r) => r >= rank);

/** `http://<host>:<port>/v1`; a wildcard bind is reached through the loopback address. */
export function baseUrlFor(host: string, port: number): string {
  const reach = host === '0.0.0.0' || host === '::' || host === '' ? '127.0.0.1' : host;
  return `http://${reach.includes(':') ? `[${reach}]` : reach}:${port}/v1`;
}

/** Per chain the experiment trains: its DPO stage if it has one, else its SFT stage (planner, generator, vanilla order). */
export function defaultServeStages(e: Experiment): StageId[] {
  const trained = stagesOf(e);
  const out: StageId[] = [];
  for (const role of SERVE_ROLES) {
    const dpo = `${role}-dpo` as StageId;
    const sft = `${role}-sft` as StageId;
    if (trained.includes(dpo)) out.push(dpo);
    else if (trained.includes(sft)) out.push(sft);
  }
  return out;
}

const gpuCount = (ids: string): number => ids.split(',').filter(Boolean).length;
const validPort = (p: unknown): p is number => typeof p === 'number' && Number.isInteger(p) && p >= 1 && p <= 65535;

/** The plan for every served role; throws ServeConfigError listing every problem. Reads no file. */
export function servePlan(loaded: LoadedExperiment, outDir: string, opts: ServeOptions = {}): ServePlan {
  const e = loaded.experiment;
  const out = path.resolve(outDir);
  const engine = opts.engine ?? 'vllm';
  const launcher = opts.launcher ?? 'local';
  const problems: string[] = [];
  if (engine !== 'vllm' && engine !== 'llamafactory') problems.push(`engine must be vllm or llamafactory, not ${JSON.stringify(engine)}`);
  if (launcher !== 'local' && launcher !== 'slurm') problems.push(`launcher must be local or slurm, not ${JSON.stringify(launcher)}`);

  const trained = stagesOf(e);
  const requested = opts.stages ?? defaultServeStages(e);
  if (requested.length === 0) {
    problems.push(
      opts.stages
        ? 'no stage to serve: name at least one (e.g. planner-dpo)'
        : `experiment "${e.name}" trains no stage (no dataset is set), so there is nothing to serve`,
    );
  }
  const byRole = new Map<ServeRole, StageId>();
  for (const stage of requested) {
    if (!(STAGES as readonly string[]).includes(stage)) {
      problems.push(`${JSON.stringify(stage)} is not a stage (one of ${STAGES.join(', ')})`);
      continue;
    }
    if (!trained.includes(stage)) {
      problems.push(
        `${stage} is not a stage of experiment "${e.name}" (it trains ${trained.length > 0 ? trained.join(', ') : 'no stage'})`,
      );
      continue;
    }
    const role = chainOf(stage);
    const other = byRole.get(role);
    if (other !== undefined) {
      if (other !== stage) problems.push(`two stages for the ${role}: ${other} and ${stage} (one server per role)`);
      continue;
    }
    byRole.set(role, stage);
  }

  const ports = new Map<ServeRole, number>();
  for (const [role, port] of Object.entries(opts.ports ?? {}) as [ServeRole, unknown][]) {
    if (!SERVE_ROLES.includes(role)) problems.push(`ports: ${JSON.stringify(role)} is not a role (planner, generator, vanilla)`);
    else if (!validPort(port)) problems.push(`port of the ${role}: ${JSON.stringify(port)} is not a port (an integer from 1 to 65535)`);
  }
  const roles = SERVE_ROLES.filter((r) => byRole.has(r));
  for (const role of roles) {
    const port = opts.ports?.[role] ?? DEFAULT_PORTS[role];
    if (!validPort(port)) continue;
    const clash = [...ports].find(([, p]) => p === port);
    if (clash) problems.push(`port ${port} is used twice: by the ${clash[0]} and the ${role}`);
    ports.set(role, port);
  }

  const merged = opts.merged === true;
  if (engine === 'vllm' && !merged && vllmMaxLoraRank(e.lora.rank) === undefined) {
    problems.push(
      `lora.rank ${e.lora.rank} is above the largest LoRA rank vLLM serves (512): serve merged weights instead (--merged; in the editor the setting escStudio.serving.merged)`,
    );
  }
  for (const role of roles) {
    // LLaMA-Factory splits adapter_name_or_path at commas, so such a folder cannot be named to it
    for (const dir of lfAdapters(loaded, byRole.get(role)!, engine, merged, opts.dpoOnSft !== false)) {
      if (dir.includes(',')) problems.push(`${role}: LLaMA-Factory cannot load an adapter from a folder whose path has a comma: ${dir}`);
    }
  }
  if (problems.length > 0) throw new ServeConfigError(problems);

  const host = opts.host ?? (launcher === 'slurm' ? '0.0.0.0' : '127.0.0.1');
  const plan: ServePlan = { roles: [], files: [], warnings: [] };
  for (const role of roles) {
    const stage = byRole.get(role)!;
    const { served, files } = planRole(loaded, out, role, stage, ports.get(role)!, host, { ...opts, engine, launcher, merged });
    plan.roles.push(served);
    plan.files.push(...files);
  }
  if (engine === 'llamafactory' && byRole.has('planner')) {
    // its ChatCompletionRequest has no logprobs field (api/protocol.py); the client then says so per turn
    plan.warnings!.push(
      "LLaMA-Factory's API returns no logprobs, so the planner's strategy probabilities are unknown (only its chosen strategy); serve the planner with vLLM for them",
    );
  }
  if (engine === 'vllm' && launcher === 'local') {
    // vLLM takes 90% of each GPU it is given (--gpu-memory-utilization 0.9), so a second server on one fails to start
    for (let i = 0; i < roles.length; i++) {
      for (let j = i + 1; j < roles.length; j++) {
        const shared = e.gpus[roles[i]!].split(',').filter((g) => e.gpus[roles[j]!].split(',').includes(g));
        if (shared.length > 0) {
          plan.warnings!.push(
            `the ${roles[i]} and the ${roles[j]} share GPU ${shared.join(',')}: vLLM reserves 90% of a GPU's memory, so the second server will not start (set gpus.${roles[j]} in the experiment, or serve fewer stages)`,
          );
        }
      }
    }
  }
  return plan;
}

/** Adapter folders a role's model is made of, base first: SFT alone, SFT then DPO, or a DPO that continued the SFT adapter. */
function adapterChain(loaded: LoadedExperiment, stage: StageId, dpoOnSft: boolean): string[] {
  return isDpo(stage) && dpoOnSft ? [stageOutputDir(loaded, sftOf(stage)), stageOutputDir(loaded, stage)] : [stageOutputDir(loaded, stage)];
}

/**
 * The ZeRO stage of the experiment's DeepSpeed config when its LLaMA-Factory stages run with it, else
 * undefined. Under ZeRO-3 LLaMA-Factory cannot merge adapters (model/adapter.py: is_mergeable = False
 * with is_deepspeed_zero3_enabled), so the DPO run resumes the SFT adapter and ignores
 * create_new_adapter: its folder is then a whole adapter over the base, and servePlan must be told
 * (`dpoOnSft: false`) or it would apply the SFT twice. Reads the file; a missing or unreadable one is
 * an error the caller shows, since the answer decides which model is served.
 */
export async function deepspeedZeroStage(loaded: LoadedExperiment): Promise<number | undefined> {
  const e = loaded.experiment;
  // stageConfigs.ts puts `deepspeed` in LLaMA-Factory configs only under torchrun
  if (e.backend !== 'llamafactory' || e.launcher !== 'torchrun' || !e.deepspeed) return undefined;
  const file = path.resolve(loaded.dir, e.deepspeed);
  let raw: unknown;
  try {
    raw = JSON.parse(await readFile(file, 'utf8'));
  } catch (err) {
    throw new ServeConfigError([
      `cannot read the DeepSpeed config ${file} (it decides whether a DPO adapter sits on the SFT one): ${(err as Error).message}`,
    ]);
  }
  const stage = (raw as { zero_optimization?: { stage?: unknown } } | null)?.zero_optimization?.stage;
  return typeof stage === 'number' ? stage : Number.isFinite(Number(stage)) ? Number(stage) : undefined;
}

/** servePlan's dpoOnSft for an experiment: false only when its DPO stages ran under ZeRO-3. */
export async function dpoOnSftOf(loaded: LoadedExperiment): Promise<boolean> {
  return (await deepspeedZeroStage(loaded)) !== 3;
}

/** The adapter folders LLaMA-Factory is given (by `export` or `api`) for a role. */
function lfAdapters(loaded: LoadedExperiment, stage: StageId, engine: string, merged: boolean, dpoOnSft: boolean): string[] {
  const chain = adapterChain(loaded, stage, dpoOnSft);
  if (merged || engine === 'llamafactory') return chain;
  return chain.slice(0, -1); // vLLM + LoRA: only the SFT adapter under a DPO one is merged first
}

interface Export {
  dir: string;
  config: string;
  adapters: string[];
}

function planRole(
  loaded: LoadedExperiment,
  outDir: string,
  role: ServeRole,
  stage: StageId,
  port: number,
  host: string,
  opts: ServeOptions & Required<Pick<ServeOptions, 'engine' | 'launcher' | 'merged'>>,
): { served: ServedRole; files: ServePlan['files'] } {
  const e = loaded.experiment;
  const chain = adapterChain(loaded, stage, opts.dpoOnSft !== false);
  const adapterDir = chain[chain.length - 1]!;
  const modelName = servedModelName(e, stage);
  const gpus = e.gpus[role];
  const scriptPath = path.join(outDir, `serve-${role}.sh`);
  const files: ServePlan['files'] = [];

  // merged weights: everything merged (--merged), or, for vLLM's LoRA of a DPO stage, base+SFT
  let exp: Export | undefined;
  if (opts.merged) {
    exp = { dir: path.join(outDir, 'merged', stage), config: path.join(outDir, `merge-${role}.yaml`), adapters: chain };
  } else if (opts.engine === 'vllm' && chain.length > 1) {
    const sft = sftOf(stage);
    exp = { dir: path.join(outDir, 'merged', sft), config: path.join(outDir, `merge-${role}.yaml`), adapters: chain.slice(0, -1) };
  }
  if (exp) files.push({ path: exp.config, content: exportYaml(e, stage, exp) });

  const env: Record<string, string> = {};
  let argv: string[];
  if (opts.engine === 'vllm') {
    const lora = !opts.merged;
    argv = [opts.cli ?? 'vllm', 'serve', exp?.dir ?? e.model.base];
    if (lora) {
      argv.push(
        '--enable-lora',
        '--lora-modules',
        loraModule(modelName, adapterDir),
        '--max-lora-rank',
        String(vllmMaxLoraRank(e.lora.rank)),
      );
    } else {
      argv.push('--served-model-name', modelName);
    }
    argv.push('--dtype', 'bfloat16', '--max-model-len', String(SERVE_MAX_MODEL_LEN));
    const n = gpuCount(gpus);
    if (n > 1) argv.push('--tensor-parallel-size', String(n));
    // no --api-key: the paper's clients send the placeholder key "EMPTY" (FORMATS.md §5), which a
    // server started without --api-key accepts like any other; with it, every client would need it
    argv.push('--host', host, '--port', String(port));
  } else {
    const config = path.join(outDir, `serve-${role}.yaml`);
    files.push({ path: config, content: apiYaml(e, stage, exp ? [] : chain, exp?.dir) });
    argv = [opts.cli ?? 'llamafactory-cli', 'api', config];
    // no API_KEY, as for vLLM; API_MODEL_NAME is what /v1/models lists (its server answers any `model`)
    Object.assign(env, { API_HOST: host, API_PORT: String(port), API_MODEL_NAME: modelName });
  }

  const baseUrl = opts.launcher === 'slurm' ? `http://${SLURM_NODE_PLACEHOLDER}:${port}/v1` : baseUrlFor(host, port);
  const pidFile = path.join(outDir, servePidFileName(role));
  files.push({
    path: scriptPath,
    executable: true,
    content: serveScript(loaded, { role, stage, port, modelName, baseUrl, gpus, argv, env, pidFile, exp, opts }),
  });
  const served: ServedRole = {
    role,
    stage,
    port,
    adapterDir,
    modelName,
    baseUrl,
    scriptPath,
    argv,
    gpus,
    adapterDirs: chain,
    pidFile,
    env,
  };
  if (exp) served.exportDir = exp.dir;
  if (opts.launcher === 'slurm') {
    served.sbatchPath = path.join(outDir, `serve-${role}.sbatch`);
    files.push({
      path: served.sbatchPath,
      executable: true,
      content: serveSbatch(e, role, gpus, scriptPath, outDir, opts.sbatchTemplate || DEFAULT_SBATCH_TEMPLATE),
    });
  }
  return { served, files };
}

/** `name=path`, or the JSON form when the path has a "=" or "," (vLLM splits the short form at "=", and reads anything with a comma as JSON). */
function loraModule(name: string, dir: string): string {
  return /[=,]/.test(dir) ? JSON.stringify({ name, path: dir }) : `${name}=${dir}`;
}

function yamlText(header: string, values: Record<string, unknown>): string {
  const doc = new Document(values);
  doc.commentBefore = header;
  return doc.toString({ lineWidth: 0 });
}

/** LLaMA-Factory `export` config (keys as in its examples/merge_lora/llama3_lora_sft.yaml). */
function exportYaml(e: Experiment, stage: StageId, exp: Export): string {
  return yamlText(
    [
      ` ESC Studio — experiment "${e.name}": merged weights for serving ${stage} (${STAGE_TITLES[stage]}).`,
      ` LLaMA-Factory: llamafactory-cli export <this file>; adapters are merged in the order listed.`,
    ].join('\n'),
    {
      model_name_or_path: e.model.base,
      adapter_name_or_path: exp.adapters.join(','),
      template: e.model.template,
      finetuning_type: 'lora',
      trust_remote_code: true,
      export_dir: exp.dir,
      export_size: EXPORT_SIZE_GB,
      export_device: 'cpu',
      export_legacy_format: false,
    },
  );
}

/**
 * LLaMA-Factory `api` config (keys as in examples/inference/llama3_lora_sft.yaml). The huggingface
 * backend, not vllm: LLaMA-Factory's vLLM backend takes a single adapter ("vLLM only accepts a single
 * adapter. Merge them first.", hparams/parser.py), while the huggingface one merges SFT then DPO
 * itself; for vLLM speed, serve with the vllm engine. Hence no vllm_maxlen (a vllm-backend key).
 */
function apiYaml(e: Experiment, stage: StageId, adapters: string[], exportDir: string | undefined): string {
  const values: Record<string, unknown> = { model_name_or_path: exportDir ?? e.model.base };
  if (adapters.length > 0) Object.assign(values, { adapter_name_or_path: adapters.join(','), finetuning_type: 'lora' });
  Object.assign(values, { template: e.model.template, trust_remote_code: true, infer_backend: 'huggingface', infer_dtype: 'bfloat16' });
  return yamlText(
    [
      ` ESC Studio — experiment "${e.name}": serving ${stage} (${STAGE_TITLES[stage]}).`,
      ' LLaMA-Factory: API_PORT=<port> llamafactory-cli api <this file> (see the serve script next to it).',
    ].join('\n'),
    values,
  );
}

interface ScriptParts {
  role: ServeRole;
  stage: StageId;
  port: number;
  modelName: string;
  baseUrl: string;
  gpus: string;
  argv: string[];
  env: Record<string, string>;
  pidFile: string;
  exp: Export | undefined;
  opts: ServeOptions & Required<Pick<ServeOptions, 'engine' | 'launcher' | 'merged'>>;
}

function serveScript(loaded: LoadedExperiment, p: ScriptParts): string {
  const e = loaded.experiment;
  const q = (v: string): string => quote([v]);
  const lines = [
    '#!/usr/bin/env bash',
    `# ESC Studio — experiment "${e.name}": serves the ${p.role} (stage ${p.stage}, ${STAGE_TITLES[p.stage]}) with ${p.opts.engine === 'vllm' ? 'vLLM' : 'LLaMA-Factory'} on port ${p.port}.`,
    `# Requests: model "${p.modelName}" at ${p.baseUrl}; any API key (the server is started without one).`,
    '# Written by ESC Studio (esc serve-config, Serve Stages); run it by hand with: bash <this file>',
    'set -euo pipefail',
    `cd ${q(loaded.dir)}`,
  ];
  // under Slurm the allocation numbers its GPUs itself; elsewhere each chain gets its own ids
  if (p.opts.launcher !== 'slurm') lines.push(`export CUDA_VISIBLE_DEVICES=${q(p.gpus)}`);
  // the pid lets ESC Studio stop the server (exec keeps it) and what it started
  lines.push(`mkdir -p ${q(path.dirname(p.pidFile))}`, `printf '%s\\n' "$$" > ${q(p.pidFile)}`);
  if (p.opts.activate && p.opts.activate.trim() !== '') {
    lines.push('# the Python environment, as configured in ESC Studio', p.opts.activate.trim());
  }
  if (p.exp) {
    // a marker written after the export succeeds, not config.json: transformers' save_pretrained
    // writes config.json before the weights, so an interrupted export would pass for a finished one
    const done = q(path.join(p.exp.dir, EXPORT_DONE_FILE));
    const stale = p.exp.adapters.map((a) => ` || [ ${q(path.join(a, 'adapter_config.json'))} -nt ${done} ]`).join('');
    lines.push(
      `# merged weights (${p.exp.adapters.map((a) => path.basename(a)).join(' + ')} into the base), exported once and again when an adapter is newer`,
      `if [ ! -f ${done} ]${stale}; then`,
      `  ${quote([p.opts.exportCli ?? 'llamafactory-cli', 'export', p.exp.config])}`,
      `  touch ${done}`,
      'fi',
    );
  }
  for (const [k, v] of Object.entries(p.env)) lines.push(`export ${k}=${q(v)}`);
  lines.push(`exec ${quote(p.argv)}`, '');
  return lines.join('\n');
}

/** The Slurm wrapper: the same placeholders as the training stages' template. */
function serveSbatch(e: Experiment, role: ServeRole, gpus: string, scriptPath: string, outDir: string, template: string): string {
  const values: Record<string, string> = {
    job_name: slurmQuote(`esc-serve-${e.name}-${role}`),
    gpus: String(gpuCount(gpus)),
    log: slurmQuote(`${outDir.replace(/%/g, '%%')}/serve-${role}-slurm-%j.out`),
    script: quote([scriptPath]),
  };
  return template.replace(/\{\{(\w+)\}\}/g, (m, key: string) => values[key] ?? m);
}

/** Writes every file of the plan atomically; scripts executable. */
export async function writeServePlan(plan: ServePlan): Promise<void> {
  for (const f of plan.files) await writeFileAtomic(f.path, f.content, { mode: f.executable ? 0o755 : 0o644 });
}
