// Where a batch run's models come from in the editor (Run Inference, Mine Preference Pairs): the
// Playground's endpoints, resolved with their API keys from SecretStorage, or the embedded models
// folder the Playground uses. One place, so both commands send the same settings and name the models
// in the log the same way (by URL or folder, never with a key).

import { PAPER_API_KEY, type EndpointConfig } from '../../core/openai/config';
import type { RoleSpec } from '../../core/runs/roleSpecs';
import type { EndpointSlot } from '../config';
import type { PlaygroundView } from '../playground';

export type ModelSource = 'playground' | 'embedded' | 'served';

/** The model servers that answer now (features/serving: started by Serve Stages or attached), per role. */
export interface ServedEndpoints {
  endpoint(slot: EndpointSlot): { baseUrl: string; model: string; label: string; apiKey?: string } | undefined;
}

/** Batch answers are not streamed, so the whole answer must come within the timeout: at least esc infer's default. */
export const MIN_BATCH_TIMEOUT_MS = 300_000;

/** The role's spec: the Playground's endpoint (resolved, key included), or the embedded folder it uses. */
export async function roleSpecOf(
  backends: PlaygroundView['backends'],
  source: ModelSource,
  slot: EndpointSlot,
  served?: ServedEndpoints,
): Promise<RoleSpec> {
  if (source === 'embedded') return { kind: 'embedded', dir: backends.embeddedDir() };
  if (source === 'served') {
    const e = served?.endpoint(slot);
    if (!e) throw new Error(`No ${slot} model server is ready: serve the stage (Serve Stages) or attach a server (Attach Model Server…).`);
    // a server Serve Stages started takes any key (vLLM without --api-key), as the paper's clients send; an attached one may need its own
    return {
      kind: 'openai',
      replicas: [{ baseUrl: e.baseUrl, model: e.model, apiKey: e.apiKey ?? PAPER_API_KEY, timeoutMs: MIN_BATCH_TIMEOUT_MS }],
    };
  }
  const cfg: EndpointConfig = await backends.endpointConfig(slot);
  if (!cfg.baseUrl) {
    throw new Error(`No ${slot} endpoint is set in the Playground (escStudio.playground.${slot}.baseUrl).`);
  }
  return {
    kind: 'openai',
    replicas: [
      {
        baseUrl: cfg.baseUrl,
        model: cfg.model,
        apiKey: cfg.apiKey,
        // no temperature / top_p: a batch run samples as the paper does (FORMATS.md §7: 0.7 / 0.95, the role's
        // preset), whatever the Playground is set to for chatting, so its output is the paper's protocol
        timeoutMs: Math.max(cfg.timeoutMs, MIN_BATCH_TIMEOUT_MS),
      },
    ],
  };
}

/** "planner http://…/v1 · sp; generator /path/to/models": for the log, without the API keys. */
export function describeSpecs(specs: Partial<Record<string, RoleSpec>>): string {
  return Object.entries(specs)
    .filter((e): e is [string, RoleSpec] => e[1] !== undefined)
    .map(
      ([role, s]) =>
        `${role} ${s.kind === 'embedded' ? s.dir : s.replicas.map((r) => `${r.baseUrl}${r.model ? ` · ${r.model}` : ''}`).join(', ')}`,
    )
    .join('; ');
}
