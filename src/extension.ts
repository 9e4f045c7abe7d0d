// activate(): builds the context and registers each feature; nothing else. Returns a small API the
// integration tests use to observe the extension from inside the extension host.

import type * as vscode from 'vscode';
import { Ctx } from './features/ctx';
import { registerDatasets, type DatasetsTree, type DatasetViewerProvider } from './features/datasets';
import { registerEvaluations, type EvaluationsFeature } from './features/evaluations';
import { registerMining, type MiningFeature } from './features/mining';
import { registerPlayground, type PlaygroundView } from './features/playground';
import { registerServing, type ServingFeature } from './features/serving';
import { registerTraining, type RunsModel, type RunsTree } from './features/training';

export interface EscStudioApi {
  /** Wall time of activate() in milliseconds, measured inside the extension host. */
  activationMs: number;
  datasets: DatasetsTree;
  viewer: DatasetViewerProvider;
  runs: RunsTree;
  runsModel: RunsModel;
  playground: PlaygroundView;
  evaluations: EvaluationsFeature;
  mining: MiningFeature;
  serving: ServingFeature;
}

export function activate(context: vscode.ExtensionContext): EscStudioApi {
  const started = performance.now();
  const ctx = new Ctx(context);
  const { tree: datasets, viewer } = registerDatasets(ctx);
  const { tree: runs, model: runsModel } = registerTraining(ctx, datasets);
  const playground = registerPlayground(ctx, datasets);
  const serving = registerServing(ctx, { runs: runsModel, tree: runs, playground });
  const evaluations = registerEvaluations(ctx, { datasets, viewer, playground, served: serving.servers });
  const mining = registerMining(ctx, { datasets, playground, served: serving.servers });
  const activationMs = performance.now() - started;
  ctx.log.info(`ESC Studio ${ctx.version} activated in ${activationMs.toFixed(1)} ms`);
  return { activationMs, datasets, viewer, runs, runsModel, playground, evaluations, mining, serving };
}

export function deactivate(): void {}
