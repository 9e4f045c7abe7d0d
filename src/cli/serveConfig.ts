// `esc serve-config <experiment.yaml> --out <dir> [--stages a,b] [--launcher local|slurm]
// [--engine vllm|llamafactory] [--merged] [--ports planner=8000,...] [--port-planner N ...]`: one
// script per served role (and its Slurm wrapper), written by the same code the editor's Serve Stages
// uses, and the endpoint each server will answer on.

import { stat } from 'node:fs/promises';
import * as path from 'node:path';
import { dpoOnSftOf, servePlan, ServeConfigError, writeServePlan } from '../core/serve/serveConfig';
import { SERVE_ROLES, type ServeEngine, type ServeLauncher, type ServeRole } from '../core/serve/types';
import type { StageId } from '../core/training/experiment';
import { ExperimentError, loadExperiment } from '../core/training/trainConfig';
import { printJson, UsageError, type Io } from './output';

export interface ServeConfigArgs {
  out?: string;
  stages?: string;
  launcher?: string;
  engine?: string;
  merged?: boolean;
  ports?: string;
  'port-planner'?: string;
  'port-generator'?: string;
  'port-vanilla'?: string;
  cli?: string;
  'export-cli'?: string;
  activate?: string;
}

const usage = (message: string): UsageError => new UsageError(`esc serve-config: ${message}`);

/** --ports planner=8000,generator=8001 and --port-<role> N (the latter wins). */
function parsePorts(a: ServeConfigArgs): Partial<Record<ServeRole, number>> {
  const ports: Partial<Record<ServeRole, number>> = {};
  const set = (role: string, value: string, from: string): void => {
    if (!SERVE_ROLES.includes(role as ServeRole)) {
      throw usage(`${from}: ${JSON.stringify(role)} is not a role (planner, generator, vanilla)`);
    }
    const n = /^\d+$/.test(value.trim()) ? Number(value.trim()) : NaN;
    if (!(n >= 1 && n <= 65535)) {
      throw usage(`${from}: the ${role}'s port must be an integer from 1 to 65535, not ${JSON.stringify(value)}`);
    }
    ports[role as ServeRole] = n;
  };
  if (a.ports !== undefined) {
    for (const item of a.ports.split(',').filter((s) => s.trim() !== '')) {
      const eq = item.indexOf('=');
      if (eq < 0) {
        throw usage(`--ports takes role=port pairs joined by "," (e.g. planner=8000,generator=8001), not ${JSON.stringify(item)}`);
      }
      set(item.slice(0, eq).trim(), item.slice(eq + 1), '--ports');
    }
  }
  for (const role of SERVE_ROLES) {
    const v = a[`port-${role}`];
    if (v !== undefined) set(role, v, `--port-${role}`);
  }
  return ports;
}

const exists = (p: string): Promise<boolean> =>
  stat(p).then(
    () => true,
    () => false,
  );

export async function serveConfigCommand(args: string[], a: ServeConfigArgs, json: boolean, io: Io): Promise<number> {
  const file = args[0];
  if (!file) throw usage('missing <experiment.yaml> argument (see esc --help)');
  if (args.length > 1) throw usage(`one experiment file, not ${args.length} (${args.join(' ')})`);
  if (!a.out) throw usage('missing --out <dir>');
  if (a.engine !== undefined && a.engine !== 'vllm' && a.engine !== 'llamafactory') {
    throw usage(`--engine must be vllm or llamafactory, not ${JSON.stringify(a.engine)}`);
  }
  if (a.launcher !== undefined && a.launcher !== 'local' && a.launcher !== 'slurm') {
    throw usage(`--launcher must be local or slurm, not ${JSON.stringify(a.launcher)}`);
  }
  const ports = parsePorts(a);
  const stages = a.stages
    ?.split(',')
    .map((s) => s.trim())
    .filter(Boolean) as StageId[] | undefined;
  try {
    const loaded = await loadExperiment(file);
    // the experiment's own launcher unless told otherwise: a Slurm experiment is served through Slurm
    // (its torchrun launcher is a training matter; serving is local then)
    const launcher: ServeLauncher =
      (a.launcher as ServeLauncher | undefined) ?? (loaded.experiment.launcher === 'slurm' ? 'slurm' : 'local');
    const plan = servePlan(loaded, a.out, {
      stages,
      engine: a.engine as ServeEngine | undefined,
      launcher,
      dpoOnSft: await dpoOnSftOf(loaded),
      merged: a.merged === true,
      ports,
      cli: a.cli,
      exportCli: a['export-cli'],
      activate: a.activate,
    });
    // scripts may be written before training ends: a missing adapter is said, not refused
    const notes: string[] = [...(plan.warnings ?? [])];
    for (const r of plan.roles) {
      const missing: string[] = [];
      for (const dir of r.adapterDirs ?? [r.adapterDir]) {
        if (!(await exists(path.join(dir, 'adapter_config.json')))) missing.push(dir);
      }
      if (missing.length > 0) {
        notes.push(
          `${r.role}: no adapter yet in ${missing.join(', ')}: train ${missing.map((d) => path.basename(d)).join(' and ')} before starting serve-${r.role}`,
        );
      }
    }
    await writeServePlan(plan);
    const shown = (p: string): string => path.relative(process.cwd(), p) || p;
    if (json) {
      printJson(io, {
        experiment: loaded.experiment.name,
        engine: a.engine ?? 'vllm',
        launcher,
        merged: a.merged === true,
        roles: plan.roles,
        files: plan.files.map((f) => f.path),
        notes,
      });
      return 0;
    }
    const slurm = launcher === 'slurm';
    for (const r of plan.roles) {
      const endpoint = slurm ? `${r.baseUrl} (node from squeue once the job runs)` : r.baseUrl;
      io.out(`${r.role}\t${r.stage}\t${endpoint}\tmodel ${r.modelName}\t${shown(r.sbatchPath ?? r.scriptPath)}`);
    }
    for (const n of notes) io.out(`note: ${n}`);
    return 0;
  } catch (err) {
    if (err instanceof ServeConfigError || err instanceof ExperimentError) {
      for (const p of err.problems) io.err(`esc serve-config: ${p}`);
      return 2;
    }
    throw err;
  }
}
