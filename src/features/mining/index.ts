// Registers the Mining feature: *Mine Preference Pairs (IPM)…* (Inferential Preference Mining over a
// vanilla SFT file, in the mining worker) and the mining page that draws the run live.

import type { Ctx } from '../ctx';
import type { DatasetsTree } from '../datasets';
import type { ServedEndpoints } from '../evaluations';
import type { PlaygroundView } from '../playground';
import { registerMinePairs } from './minePairs';
import { MiningPage } from './miningPage';

export type { MinePairsOptions, MinePairsResult } from './minePairs';

export interface MiningDeps {
  datasets: DatasetsTree;
  /** The models: the Playground's endpoints (keys from SecretStorage) or its embedded models folder. */
  playground: PlaygroundView;
  /** The model servers that answer now (Serve Stages, Attach Model Server…), offered as a model source. */
  served?: ServedEndpoints;
}

export interface MiningFeature {
  page: MiningPage;
}

export function registerMining(ctx: Ctx, deps: MiningDeps): MiningFeature {
  const page = new MiningPage(ctx);
  ctx.push(page);
  registerMinePairs(ctx, deps, page);
  return { page };
}
