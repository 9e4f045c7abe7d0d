// Runs an experiment's stages as chains: planner (SFT then DPO), generator (SFT then DPO) and
// vanilla, the chains concurrently (each on its own GPUs), and a DPO stage only after its SFT
// succeeded. How a stage runs (a terminal, a test double) is the caller's.

import { chainOf, isDpo, type Chain, type StageId } from './experiment';

export type StageStatus = 'not-started' | 'queued' | 'running' | 'succeeded' | 'failed' | 'stopped';

export interface StageOutcome {
  /** Exit code, when the process ended by itself. */
  code: number | undefined;
  stopped?: boolean;
}

export type RunStage = (stage: StageId) => Promise<StageOutcome>;

const outcomeStatus = (o: StageOutcome): StageStatus => (o.stopped ? 'stopped' : o.code === 0 ? 'succeeded' : 'failed');

/** The chains of a stage list, each in SFT-then-DPO order. */
export function chainsOf(stages: readonly StageId[]): StageId[][] {
  const chains = new Map<Chain, StageId[]>();
  for (const s of stages) {
    const c = chainOf(s);
    chains.set(c, [...(chains.get(c) ?? []), s]);
  }
  return [...chains.values()].map((list) => list.sort((a, b) => Number(isDpo(a)) - Number(isDpo(b))));
}

/**
 * Chains grouped into lanes: chains whose GPU ids overlap share a lane and run one after the other;
 * lanes run concurrently.
 */
export function lanesOf(chains: StageId[][], gpus: (chain: Chain) => string): StageId[][][] {
  const lanes: { ids: Set<string>; chains: StageId[][] }[] = [];
  for (const chain of chains) {
    const ids = new Set(gpus(chainOf(chain[0]!)).split(',').filter(Boolean));
    const lane = lanes.find((l) => [...ids].some((id) => l.ids.has(id)));
    if (lane) {
      lane.chains.push(chain);
      for (const id of ids) lane.ids.add(id);
    } else lanes.push({ ids, chains: [chain] });
  }
  return lanes.map((l) => l.chains);
}

export interface PipelineOptions {
  /** GPU ids of a chain: chains sharing a GPU do not run at the same time. */
  gpus?: (chain: Chain) => string;
  /** Whether the user stopped a stage before it started: it is then not started. */
  cancelled?: (stage: StageId) => boolean;
}

/** Runs the pipeline; resolves with every stage's final status. */
export async function runPipeline(
  stages: readonly StageId[],
  run: RunStage,
  onStatus: (stage: StageId, status: StageStatus) => void,
  opts: PipelineOptions = {},
): Promise<Map<StageId, StageStatus>> {
  const final = new Map<StageId, StageStatus>();
  const set = (s: StageId, status: StageStatus): void => {
    final.set(s, status);
    onStatus(s, status);
  };
  for (const s of stages) set(s, 'queued');
  const runChain = async (chain: StageId[]): Promise<void> => {
    for (let i = 0; i < chain.length; i++) {
      const stage = chain[i]!;
      if (opts.cancelled?.(stage)) {
        for (const rest of chain.slice(i)) set(rest, rest === stage ? 'stopped' : 'not-started');
        return;
      }
      set(stage, 'running');
      let status: StageStatus;
      try {
        status = outcomeStatus(await run(stage));
      } catch {
        status = 'failed';
      }
      set(stage, status);
      if (status !== 'succeeded') {
        // a DPO stage never starts without its SFT adapter
        for (const rest of chain.slice(i + 1)) set(rest, 'not-started');
        return;
      }
    }
  };
  const lanes = opts.gpus ? lanesOf(chainsOf(stages), opts.gpus) : chainsOf(stages).map((c) => [c]);
  await Promise.all(
    lanes.map(async (lane) => {
      for (const chain of lane) await runChain(chain);
    }),
  );
  return final;
}
