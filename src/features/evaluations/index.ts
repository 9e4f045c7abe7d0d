// Registers the Evaluations feature: the view of the workspace's inference files and reviews, scoring
// them with the paper's metrics (in a worker), the comparison page, running inference over a split,
// and the blind pairwise review.

import type { Ctx } from '../ctx';
import type { DatasetsTree, DatasetViewerProvider } from '../datasets';

export interface EvaluationsDeps {
  datasets: DatasetsTree;
  viewer: DatasetViewerProvider;
}

// eslint-disable-next-line @typescript-eslint/no-empty-object-type -- filled in by the modules below
export interface EvaluationsFeature {}

export function registerEvaluations(ctx: Ctx, deps: EvaluationsDeps): EvaluationsFeature {
  void ctx;
  void deps;
  const feature: EvaluationsFeature = {};
  // registrations (one line per module):
  return feature;
}
