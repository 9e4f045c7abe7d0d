// The Playground's three models behind OpenAI-compatible endpoints. Each sends exactly the messages
// its model was trained on (requests.ts). The planner asks for one non-streaming answer with logprobs
// and turns it into a strategy and the probabilities of all eight; the generator and the vanilla joint
// model pass their answers on as text chunks, streamed or whole as the endpoint is configured (the
// joint model's "[Strategy] text" is left raw: the pipeline splits the tag).

import type { Strategy } from '../strategies';
import { generatorRequest, plannerRequest, vanillaRequest } from '../dialogue/requests';
import { InferenceError, type DialogueTurn, type Generator, type JointModel, type Planner, type PlanResult } from '../dialogue/types';
import { chatText, completeChat, type ChatCompletion } from './chatCompletions';
import { endpointLabel, trimBaseUrl, type EndpointConfig } from './config';
import { HttpError } from './errors';
import { LOGPROBS_NOTE, strategyProbabilities } from './logprobs';
import { parsePlannerAnswer } from './plannerAnswer';

/** 20 is the most OpenAI allows and vLLM's default `--max-logprobs`. */
const PLANNER_LOGPROBS = { logprobs: true, top_logprobs: 20 } as const;

/** A server that refuses logprobs says so in a 400 (vLLM: top_logprobs above its --max-logprobs). */
const refusedLogprobs = (err: unknown): err is HttpError =>
  err instanceof HttpError && (err.status === 400 || err.status === 422) && /logprob/i.test(err.detail);

const quote = (s: string): string => JSON.stringify(s.length > 120 ? `${s.slice(0, 119)}…` : s);

export class OpenAIPlanner implements Planner {
  readonly label: string;

  constructor(private readonly cfg: EndpointConfig) {
    this.label = endpointLabel(cfg);
  }

  async plan(history: readonly DialogueTurn[], signal?: AbortSignal): Promise<PlanResult> {
    const messages = plannerRequest(history);
    let completion: ChatCompletion;
    let note: string | undefined;
    try {
      completion = await completeChat(this.cfg, messages, { role: 'planner', signal, extra: PLANNER_LOGPROBS });
    } catch (err) {
      if (!refusedLogprobs(err)) throw err;
      // the strategy matters more than its probabilities: ask again without them
      completion = await completeChat(this.cfg, messages, { role: 'planner', signal });
      note = `The server refused logprobs (${err.detail}), so only the chosen strategy is known.`;
    }
    const raw = completion.text;
    const strategy = parsePlannerAnswer(raw);
    if (!strategy) {
      throw new InferenceError(
        `The planner at ${trimBaseUrl(this.cfg.baseUrl)} answered ${quote(raw)}, which names none of the 8 strategies. Is this endpoint serving the planner?`,
        'unparsable',
        'configure',
      );
    }
    const probabilities = strategyProbabilities(completion.logprobs);
    if (probabilities) return { strategy, probabilities, raw, note: LOGPROBS_NOTE };
    note ??= completion.logprobs
      ? 'No first-token alternative names a strategy, so only the chosen strategy is known.'
      : 'The server sent no logprobs, so only the chosen strategy is known.';
    return { strategy, raw, note };
  }
}

export class OpenAIGenerator implements Generator {
  readonly label: string;

  constructor(private readonly cfg: EndpointConfig) {
    this.label = endpointLabel(cfg);
  }

  generate(history: readonly DialogueTurn[], strategy: Strategy, signal?: AbortSignal): AsyncIterable<string> {
    return chatText(this.cfg, generatorRequest(history, strategy), { role: 'generator', signal });
  }
}

export class OpenAIJoint implements JointModel {
  readonly label: string;

  constructor(private readonly cfg: EndpointConfig) {
    this.label = endpointLabel(cfg);
  }

  respond(history: readonly DialogueTurn[], signal?: AbortSignal): AsyncIterable<string> {
    return chatText(this.cfg, vanillaRequest(history), { role: 'joint', signal });
  }
}
