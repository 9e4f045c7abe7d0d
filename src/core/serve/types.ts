// What `esc serve-config` and the editor's *Serve Stages* share: which role is served from which
// trained stage, on which port, by which script, and the endpoint it answers on. One definition, so
// the scripts the CLI writes and the servers the editor starts (and the endpoints it hands to the
// Playground, Run Inference and mining) never disagree.

import type { StageId } from '../training/experiment';

/** A served role: the paper serves the planner on 8000 and the generator on 8001; we add vanilla on 8002. */
export type ServeRole = 'planner' | 'generator' | 'vanilla';
export const SERVE_ROLES: readonly ServeRole[] = ['planner', 'generator', 'vanilla'];
export const DEFAULT_PORTS: Readonly<Record<ServeRole, number>> = { planner: 8000, generator: 8001, vanilla: 8002 };

export type ServeEngine = 'vllm' | 'llamafactory';
export type ServeLauncher = 'local' | 'slurm';

export interface ServeOptions {
  /** Stages to serve, one per role (default: the DPO stage of each chain the experiment trains, else its SFT stage). */
  stages?: StageId[];
  engine?: ServeEngine; // default 'vllm'
  launcher?: ServeLauncher; // default 'local'
  /** Export merged weights first (LLaMA-Factory `export`) and serve those instead of base + LoRA. */
  merged?: boolean;
  /**
   * Whether a DPO stage's adapter is a delta over base + SFT (default true: LLaMA-Factory merges the
   * SFT adapter before training a new one). False when the DPO run kept training the SFT adapter
   * itself — LLaMA-Factory under DeepSpeed ZeRO-3 does (see deepspeedZeroStage in serveConfig.ts).
   */
  dpoOnSft?: boolean;
  /** Ports per role (default DEFAULT_PORTS). */
  ports?: Partial<Record<ServeRole, number>>;
  /** Host the server binds (default 0.0.0.0 under Slurm, 127.0.0.1 locally). */
  host?: string;
  /** The engine CLI (`vllm` or `llamafactory-cli`), a name on PATH or an absolute path. */
  cli?: string;
  /** LLaMA-Factory CLI used for the merged export (default `llamafactory-cli`). */
  exportCli?: string;
  /** A shell line that activates the Python environment, run as written (as in the training scripts). */
  activate?: string;
  /** Slurm batch template ({{job_name}}, {{gpus}}, {{log}}, {{script}}); empty for the built-in one. */
  sbatchTemplate?: string;
}

export interface ServedRole {
  role: ServeRole;
  /** The trained stage whose adapter (or merged export) is served. */
  stage: StageId;
  port: number;
  /** Absolute adapter folder (the stage's output folder). */
  adapterDir: string;
  /** The `model` name requests must carry (the LoRA module name, or the merged/base model name). */
  modelName: string;
  /** `http://127.0.0.1:<port>/v1` locally; under Slurm the host is only known once the job runs (`squeue`). */
  baseUrl: string;
  /** Absolute path of the script that starts this server (`serve-<role>.sh`). */
  scriptPath: string;
  /** Absolute path of the Slurm wrapper (`serve-<role>.sbatch`) when the launcher is slurm. */
  sbatchPath?: string;
  /** The server command as an argv (what the script execs), for display and for tests. */
  argv: string[];
  /** CUDA_VISIBLE_DEVICES of the role's chain. */
  gpus: string;
  /**
   * Every adapter folder the served model is made of, base first: the SFT stage's, then (for a DPO
   * stage) the DPO stage's, whose adapter was trained on base+SFT. All must exist before serving.
   */
  adapterDirs?: string[];
  /** Merged weights the script exports first (once) with LLaMA-Factory `export` and serves. */
  exportDir?: string;
  /** The pid file the script writes (`serve-<role>.pid` next to it): the server's pid after `exec`. */
  pidFile?: string;
  /** Environment the script exports before `exec` besides CUDA_VISIBLE_DEVICES (API_PORT, ... for LLaMA-Factory). */
  env?: Record<string, string>;
}

export interface ServePlan {
  roles: ServedRole[];
  /** Every file to write (scripts executable), absolute paths. */
  files: { path: string; content: string; executable?: boolean }[];
  /** Things that will not stop the scripts being written but may stop a server (e.g. two vLLM servers on one GPU). */
  warnings?: string[];
}
