// Registers the Evaluations feature: the view of the workspace's inference files and reviews, scoring
// them with the paper's metrics (in a worker), the comparison page, running inference over a split,
// and the blind pairwise review.

import * as vscode from 'vscode';
import type { Ctx } from '../ctx';
import type { DatasetsTree, DatasetViewerProvider } from '../datasets';
import type { PlaygroundView } from '../playground';
import type { ServedEndpoints } from './modelSources';
import { ComparisonPage } from './comparisonPage';
import { EvalService } from './evalService';
import { registerEvaluateCommands } from './evaluateCommands';
import { EvaluationsTree } from './evaluationsTree';
import { findReviewFiles, registerReview, type ReviewFeature } from './review';
import { registerRunInference } from './runInference';

export { describeSpecs, MIN_BATCH_TIMEOUT_MS, roleSpecOf, type ModelSource, type ServedEndpoints } from './modelSources';
export { askConcurrency, pickModelSource, trustedForRun, vanillaFileFor } from './runPicks';

export interface EvaluationsDeps {
  datasets: DatasetsTree;
  viewer: DatasetViewerProvider;
  /** Run Inference uses the Playground's endpoints (keys from SecretStorage) and embedded models folder. */
  playground: PlaygroundView;
  /** The model servers that answer now (Serve Stages, Attach Model Server…), offered as a model source. */
  served?: ServedEndpoints;
}

export interface EvaluationsFeature {
  service: EvalService;
  comparison: ComparisonPage;
  tree: EvaluationsTree;
  /** The blind pairwise review (set by registerReview). */
  review?: ReviewFeature;
}

export function registerEvaluations(ctx: Ctx, deps: EvaluationsDeps): EvaluationsFeature {
  const service = new EvalService(ctx);
  const comparison = new ComparisonPage(ctx, service, deps.viewer);
  const tree = new EvaluationsTree(ctx, deps.datasets, service, findReviewFiles);
  ctx.push(
    service,
    comparison,
    tree,
    vscode.window.createTreeView('escStudio.evaluations', { treeDataProvider: tree, showCollapseAll: true }),
  );
  const feature: EvaluationsFeature = { service, comparison, tree };
  registerEvaluateCommands(ctx, deps.datasets, tree, comparison);
  registerReview(ctx, deps, feature);
  registerRunInference(ctx, deps, feature);
  void tree.refresh();
  return feature;
}
