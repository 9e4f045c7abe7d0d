// POST {baseUrl}/chat/completions, the one route every OpenAI-compatible server (vLLM, llama.cpp,
// Ollama, TGI...) shares: the request body, the non-streaming JSON answer and the SSE stream of
// deltas, each failure reported as an InferenceError naming the endpoint.

import { isObject, type ChatMessage } from '../formats/messages';
import type { InferenceError } from '../dialogue/types';
import type { EndpointConfig, EndpointRole } from './config';
import { IdleDeadline } from './deadline';
import { emptyAnswerError, errorBodyMessage, malformedError, serverReportedError, truncatedError, type RequestContext } from './errors';
import { asInferenceError, readText, requestContext, send } from './http';
import type { TokenLogprob } from './logprobs';
import { sseData } from './sse';

const CHAT_PATH = '/chat/completions';

export interface ChatOptions {
  /** Which paper server this is, for the wording of "connection refused". */
  role?: EndpointRole;
  signal?: AbortSignal;
  /** More body fields, e.g. `{ logprobs: true, top_logprobs: 20 }`. */
  extra?: Record<string, unknown>;
}

export interface ChatCompletion {
  text: string;
  finishReason?: string;
  /** `choices[0].logprobs.content`, when the server sent it. */
  logprobs?: TokenLogprob[];
}

/** The request body: the sampling fields in OpenAI's names, then any extra fields. */
function chatRequestBody(
  cfg: EndpointConfig,
  messages: readonly ChatMessage[],
  stream: boolean,
  extra?: Record<string, unknown>,
): Record<string, unknown> {
  return {
    model: cfg.model,
    messages,
    temperature: cfg.temperature,
    top_p: cfg.topP,
    max_tokens: cfg.maxTokens,
    stream,
    ...extra,
  };
}

/** An error object sent with status 200 (vLLM reports failures inside a stream this way). */
function inlineError(ctx: RequestContext, j: Record<string, unknown>): InferenceError | undefined {
  if (!('error' in j) && j.object !== 'error') return undefined;
  return serverReportedError(ctx, errorBodyMessage(JSON.stringify(j)));
}

/** The first choice of an answer or stream chunk, or a 'malformed' error saying what is wrong. */
function firstChoice(ctx: RequestContext, raw: string, what: string): Record<string, unknown> | undefined {
  let j: unknown;
  try {
    j = JSON.parse(raw);
  } catch {
    throw malformedError(ctx, `${what} that is not JSON`, raw);
  }
  if (!isObject(j)) throw malformedError(ctx, `${what} that is not a JSON object`, raw);
  const inline = inlineError(ctx, j);
  if (inline) throw inline;
  if (!Array.isArray(j.choices)) throw malformedError(ctx, `${what} without "choices"`, raw);
  const c = j.choices[0];
  if (c !== undefined && !isObject(c)) throw malformedError(ctx, `${what} whose first choice is not an object`, raw);
  return c;
}

function parseCompletion(ctx: RequestContext, raw: string): ChatCompletion {
  const choice = firstChoice(ctx, raw, 'an answer');
  if (!choice) throw malformedError(ctx, 'an answer with no choices', raw);
  const message = choice.message;
  const content = isObject(message) ? message.content : undefined;
  // null content is legal (e.g. nothing generated before max_tokens); it is caught as empty below
  if (typeof content !== 'string' && content !== null) throw malformedError(ctx, 'an answer without choices[0].message.content', raw);
  const text = content ?? '';
  if (!text.trim()) throw emptyAnswerError(ctx);
  const out: ChatCompletion = { text };
  if (typeof choice.finish_reason === 'string') out.finishReason = choice.finish_reason;
  const lp = isObject(choice.logprobs) ? choice.logprobs.content : undefined;
  if (Array.isArray(lp)) out.logprobs = lp as TokenLogprob[];
  return out;
}

/** One non-streaming completion (`stream: false`). */
export async function completeChat(cfg: EndpointConfig, messages: readonly ChatMessage[], opts: ChatOptions = {}): Promise<ChatCompletion> {
  const ctx = requestContext(cfg, opts.role);
  const deadline = new IdleDeadline(cfg.timeoutMs, opts.signal);
  try {
    const res = await send(cfg, ctx, deadline, CHAT_PATH, chatRequestBody(cfg, messages, false, opts.extra));
    return parseCompletion(ctx, await readText(res, deadline));
  } catch (err) {
    throw asInferenceError(err, deadline, ctx);
  } finally {
    deadline.dispose();
  }
}

/** The content delta of one stream chunk, and whether it closes the choice. */
function parseChunk(ctx: RequestContext, data: string): { content: string; finished: boolean } {
  // an empty "choices" is legal: the usage-only last chunk of OpenAI's stream_options.include_usage
  const choice = firstChoice(ctx, data, 'a stream chunk');
  if (!choice) return { content: '', finished: false };
  const delta = choice.delta;
  const content = isObject(delta) && typeof delta.content === 'string' ? delta.content : '';
  return { content, finished: typeof choice.finish_reason === 'string' };
}

/**
 * A streamed completion (`stream: true`), yielding content deltas as they arrive.
 *
 * The stream is complete at `data: [DONE]` or once a chunk carries a finish_reason (some servers
 * omit [DONE]). A body that ends before either has been cut off — a crashed or restarted server:
 * the text that arrived has already been yielded (the Playground keeps showing it) and then a
 * 'malformed' error says the answer is incomplete, rather than passing a truncated reply off as whole.
 * A server that ignores `stream: true` and answers plain JSON is read as a non-streaming answer.
 */
export async function* streamChat(cfg: EndpointConfig, messages: readonly ChatMessage[], opts: ChatOptions = {}): AsyncGenerator<string> {
  const ctx = requestContext(cfg, opts.role);
  const deadline = new IdleDeadline(cfg.timeoutMs, opts.signal);
  try {
    const res = await send(cfg, ctx, deadline, CHAT_PATH, chatRequestBody(cfg, messages, true, opts.extra));
    if (/application\/json/i.test(res.headers.get('content-type') ?? '')) {
      yield parseCompletion(ctx, await readText(res, deadline)).text;
      return;
    }
    let done = false;
    let finished = false;
    let blank = true;
    for await (const data of sseData(res, deadline)) {
      if (data.trim() === '[DONE]') {
        done = true;
        break;
      }
      const chunk = parseChunk(ctx, data);
      if (chunk.finished) finished = true;
      if (!chunk.content) continue;
      if (chunk.content.trim()) blank = false;
      yield chunk.content;
    }
    if (!done && !finished) throw truncatedError(ctx);
    if (blank) throw emptyAnswerError(ctx);
  } catch (err) {
    throw asInferenceError(err, deadline, ctx);
  } finally {
    deadline.dispose();
  }
}

/** The answer as text chunks: streamed or in one piece, as `cfg.stream` says. */
export async function* chatText(cfg: EndpointConfig, messages: readonly ChatMessage[], opts: ChatOptions = {}): AsyncGenerator<string> {
  if (cfg.stream) {
    yield* streamChat(cfg, messages, opts);
    return;
  }
  yield (await completeChat(cfg, messages, opts)).text;
}
