// What `esc infer` asks: a role model answers one request with text. Behind it either a set of
// OpenAI-compatible replicas (least-in-flight, bounded retries with backoff on the failures a busy or
// restarting server produces) or the embedded models, which read the dialogue instead of the prompt.

import { EmbeddedGenerator, EmbeddedJoint, EmbeddedPlanner } from '../embedded/backend';
import { InferenceError, type DialogueTurn } from '../dialogue/types';
import { turnsOfHistory } from '../dialogue/requests';
import type { ChatMessage } from '../formats/messages';
import { completeChat } from '../openai/chatCompletions';
import { trimBaseUrl, type EndpointConfig, type EndpointRole } from '../openai/config';
import { HttpError } from '../openai/errors';
import { normalizeStrategy } from '../strategies';

export interface RoleModel {
  /** Names the model in the checkpoint, so a rerun with another model does not reuse its answers. */
  readonly identity: string;
  /**
   * One answer. Endpoints send `request` as is; embedded models read `history` (the gold dialogue before
   * the turn) and, for the generator, `strategy`.
   */
  ask(request: ChatMessage[], history: readonly ChatMessage[], strategy: string | undefined, signal: AbortSignal): Promise<string>;
}

export interface RetryPolicy {
  /** Tries per request, the first included. */
  attempts: number;
  /** Wait before the 2nd try; doubled each time (with jitter), at most maxDelayMs. */
  baseDelayMs: number;
  maxDelayMs: number;
}

export const DEFAULT_RETRY: RetryPolicy = { attempts: 5, baseDelayMs: 500, maxDelayMs: 8000 };

/** Failures worth another try: the server is down, restarting, overloaded or slow, or sampled nothing. */
export function isRetryable(err: unknown): boolean {
  if (err instanceof HttpError) return err.status >= 500 || err.status === 429;
  // a connection cut mid-answer ('dropped') is a server restarting or crashing: as retryable as a refused one
  return (
    err instanceof InferenceError && (err.kind === 'refused' || err.kind === 'dropped' || err.kind === 'timeout' || err.kind === 'model')
  );
}

/** A retry is abandoned at once when the run is stopped. */
function sleep(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal.aborted) return reject(signal.reason as Error);
    const t = setTimeout(() => {
      signal.removeEventListener('abort', onAbort);
      resolve();
    }, ms);
    const onAbort = (): void => {
      clearTimeout(t);
      reject(signal.reason as Error);
    };
    signal.addEventListener('abort', onAbort, { once: true });
  });
}

/** A base URL as it names a server: without credentials in it (user:password@), trailing slashes trimmed. */
function serverOf(baseUrl: string): string {
  try {
    const u = new URL(baseUrl);
    u.username = '';
    u.password = '';
    return trimBaseUrl(u.toString());
  } catch {
    return trimBaseUrl(baseUrl);
  }
}

/**
 * What a checkpoint knows the replicas by: the model name and where it is served (the base URLs,
 * sorted, never the API keys), so a role pointed at another server serving the same model name does
 * not silently resume the old server's answers; the order the replicas are given in does not matter.
 */
export const endpointIdentity = (cfgs: readonly Pick<EndpointConfig, 'baseUrl' | 'model'>[]): string =>
  `endpoint ${cfgs[0]!.model} at ${[...new Set(cfgs.map((c) => serverOf(c.baseUrl)))].sort().join(',')}`;

/**
 * Replicas of one model (the same model behind several servers). Each call goes to the replica with
 * the fewest calls in flight, ties broken round-robin, so a slow replica gets fewer calls; a retry
 * may land on another replica.
 */
export class EndpointReplicas implements RoleModel {
  readonly identity: string;
  private readonly inFlight: number[];
  private next = 0;
  /** Calls sent to each replica (for the summary and the tests). */
  readonly sent: number[];
  /** Failed tries that were tried again (esc mine's summary counts them). */
  retries = 0;

  constructor(
    private readonly cfgs: readonly EndpointConfig[],
    private readonly role: EndpointRole,
    private readonly retry: RetryPolicy = DEFAULT_RETRY,
    /** How failures name the model ("the … at <url> failed"): the role, unless the caller asks it as something else (the judge). */
    private readonly label: string = role === 'joint' ? 'vanilla model' : role,
  ) {
    if (cfgs.length === 0) throw new Error('no endpoint');
    this.inFlight = cfgs.map(() => 0);
    this.sent = cfgs.map(() => 0);
    this.identity = endpointIdentity(cfgs);
  }

  private pick(): number {
    let best = -1;
    for (let k = 0; k < this.cfgs.length; k++) {
      const i = (this.next + k) % this.cfgs.length;
      if (best < 0 || this.inFlight[i]! < this.inFlight[best]!) best = i;
    }
    this.next = (best + 1) % this.cfgs.length;
    return best;
  }

  async ask(request: ChatMessage[], _history: readonly ChatMessage[], _strategy: string | undefined, signal: AbortSignal): Promise<string> {
    for (let attempt = 1; ; attempt++) {
      const i = this.pick();
      const cfg = this.cfgs[i]!;
      this.inFlight[i]!++;
      this.sent[i]!++;
      try {
        // The paper's client sends no max_tokens and no stream flag: both are dropped from the body
        // (undefined fields are left out of the JSON), so a server's own defaults apply as in the paper.
        const answer = await completeChat(cfg, request, { role: this.role, signal, extra: { max_tokens: undefined, stream: undefined } });
        return answer.text;
      } catch (err) {
        if (signal.aborted) throw err;
        if (!isRetryable(err) || attempt >= this.retry.attempts) {
          const why = err instanceof Error ? err.message : String(err);
          const tries = attempt > 1 ? ` after ${attempt} attempts` : '';
          // the last attempt's error stays reachable as `cause`, for callers that decide by its type
          throw Object.assign(new InferenceError(`the ${this.label} at ${trimBaseUrl(cfg.baseUrl)} failed${tries}: ${why}`, 'other'), {
            cause: err,
          });
        }
      } finally {
        this.inFlight[i]!--;
      }
      this.retries++;
      const delay = Math.min(this.retry.maxDelayMs, this.retry.baseDelayMs * 2 ** (attempt - 1));
      await sleep(delay * (0.5 + Math.random() / 2), signal);
    }
  }
}

const turnsOf = (history: readonly ChatMessage[]): DialogueTurn[] => turnsOfHistory(history);

/** The whole answer; the embedded models' own errors (e.g. no response of a strategy in the bank) as InferenceErrors. */
async function joined(chunks: AsyncIterable<string>): Promise<string> {
  let text = '';
  try {
    for await (const c of chunks) text += c;
  } catch (err) {
    if (err instanceof InferenceError) throw err;
    throw new InferenceError(`the embedded model failed: ${err instanceof Error ? err.message : String(err)}`, 'model');
  }
  return text;
}

/** The embedded planner: its strategy name is its answer. */
export const embeddedPlanner = (p: EmbeddedPlanner, identity: string): RoleModel => ({
  identity,
  ask: async (_req, history, _s, signal) => (await p.plan(turnsOf(history), signal)).strategy,
});

/** The embedded retrieval generator; the strategy (gold, or a planner's answer) must name one of the eight. */
export const embeddedGenerator = (g: EmbeddedGenerator, identity: string): RoleModel => ({
  identity,
  ask: (_req, history, strategy, signal) => {
    const s = normalizeStrategy(strategy ?? '')?.strategy;
    if (!s) {
      return Promise.reject(
        new InferenceError(`the embedded generator needs one of the 8 strategies, and was given ${JSON.stringify(strategy)}`, 'other'),
      );
    }
    return joined(g.generate(turnsOf(history), s, signal));
  },
});

/** The embedded joint (vanilla) baseline: "[Strategy] text". */
export const embeddedJoint = (j: EmbeddedJoint, identity: string): RoleModel => ({
  identity,
  ask: (_req, history, _s, signal) => joined(j.respond(turnsOf(history), signal)),
});
