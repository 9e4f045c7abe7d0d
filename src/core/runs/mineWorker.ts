// Worker thread for ESC: Mine Preference Pairs — `runMining` over a vanilla SFT file off the
// extension host, with the same role models as `esc mine` (roleSpecs.ts). Progress is sent at most
// every 100 ms (and at the end); a cancel stops the run, and the checkpoint in the output folder keeps
// every finished call, so the same run started again resumes.
//
// The embedded models run on the TypeScript engine here, never onnxruntime-node: its native binding
// is not safe to load in a worker thread (see inferWorker.ts, "Module did not self-register").
//
// The params carry resolved endpoint configs, API keys included: nothing here logs or echoes them,
// and an error crosses back as its name, message and a code (never the params).

import * as path from 'node:path';
import { CancelledError } from '../util/cancel';
import { serve } from '../util/workerRpc';
import { MINE_ROLES, OutDirError, runMining, type MineProgress, type MineSummary } from './mineRun';
import { MINE_FAILURES, type MineWorkerMethods, type MineWorkerParams } from './mineWorkerProtocol';
import type { RoleModel } from './roleModels';
import { judgeModel, readMineTurns, RoleModelError, RoleModels } from './roleSpecs';
import { throttle } from './throttle';
import { named, workerFailure } from './workerFailure';

/** The judge, as `esc eval --judge` and `esc mine --judge` make it (roleSpecs.ts); its failure to be made names it. */
async function judgeOf(params: MineWorkerParams, signal: AbortSignal): Promise<RoleModel | undefined> {
  if (!params.judge?.length) return undefined;
  return judgeModel(params.judge, { retry: params.retry, signal }).catch((e: unknown) => {
    throw e instanceof RoleModelError ? new RoleModelError(`the judge: ${e.message}`, 'joint', { cause: e.cause }) : e;
  });
}

async function mineInWorker(params: MineWorkerParams, signal: AbortSignal, progress: (p: MineProgress) => void): Promise<MineSummary> {
  const roleModels = new RoleModels({ retry: params.retry, signal, engine: 'typescript' });
  const throttled = throttle(progress);
  try {
    const roles = MINE_ROLES.filter((r) => params.specs[r]);
    const turns = await readMineTurns(params.file, roles, { limit: params.limit, signal });
    const [planner, generator, vanilla, judge] = await Promise.all([
      roleModels.build(params.specs.planner, 'planner'),
      roleModels.build(params.specs.generator, 'generator'),
      roleModels.build(params.specs.vanilla, 'joint'),
      judgeOf(params, signal),
    ]);
    const summary = await runMining(turns, {
      planner,
      generator,
      vanilla,
      judge,
      judgeTemplate: params.judgeTemplate,
      // as esc mine names it, so either can resume the other's checkpoint
      input: path.basename(params.file),
      outDir: params.outDir,
      concurrency: params.concurrency,
      signal,
      onProgress: throttled.report,
    });
    throttled.stop();
    progress(summary);
    return summary;
  } catch (err) {
    // the last progress held back by the throttle goes first: a stopped run's page says what the checkpoint keeps
    throttled.flush();
    if (signal.aborted) throw new CancelledError();
    if (err instanceof OutDirError) throw named(MINE_FAILURES.outDir, err.message);
    throw workerFailure(err, MINE_FAILURES);
  } finally {
    throttled.stop();
    await roleModels.release();
  }
}

serve<MineWorkerMethods>({
  mine: (params, { signal, progress }) => mineInWorker(params, signal, progress),
});
