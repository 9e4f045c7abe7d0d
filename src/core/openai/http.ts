// The HTTP plumbing shared by chat completions and Test Connection: one request through Node's
// global fetch under an IdleDeadline, non-2xx answers turned into HttpErrors, bodies read piece by
// piece so every piece restarts the idle timer, and any thrown thing turned into an InferenceError.

import { InferenceError } from '../dialogue/types';
import { authHeaders, endpointUrl, type EndpointConfig, type EndpointRole } from './config';
import type { IdleDeadline } from './deadline';
import { abortedError, httpError, networkError, timeoutError, type RequestContext } from './errors';

export function requestContext(cfg: EndpointConfig, role?: EndpointRole): RequestContext {
  return { baseUrl: cfg.baseUrl, model: cfg.model, role, timeoutMs: cfg.timeoutMs };
}

/** An error body is only quoted (shortened) in a message, so there is no point reading megabytes of it. */
const ERROR_BODY_LIMIT = 64 * 1024;

/** Sends one request; resolves once the headers of a 2xx answer arrived. */
export async function send(
  cfg: EndpointConfig,
  ctx: RequestContext,
  deadline: IdleDeadline,
  path: string,
  body?: unknown,
): Promise<Response> {
  const headers: Record<string, string> = {
    accept: body === undefined ? 'application/json' : 'application/json, text/event-stream',
    ...authHeaders(cfg),
  };
  if (body !== undefined) headers['content-type'] = 'application/json';
  const res = await fetch(endpointUrl(cfg, path), {
    method: body === undefined ? 'GET' : 'POST',
    headers,
    body: body === undefined ? undefined : JSON.stringify(body),
    signal: deadline.signal,
  });
  deadline.touch('headers');
  if (!res.ok) {
    let text = '';
    try {
      text = await readText(res, deadline, ERROR_BODY_LIMIT);
    } catch (err) {
      // the status alone still explains the failure, unless the reading stopped because of the deadline
      if (deadline.reason) throw err;
    }
    throw httpError(ctx, path, res.status, text);
  }
  return res;
}

/** The whole body as text (at most `limit` bytes), restarting the idle timer on every piece. */
export async function readText(res: Response, deadline: IdleDeadline, limit = Infinity): Promise<string> {
  if (!res.body) return '';
  const reader = res.body.getReader();
  const decoder = new TextDecoder();
  let text = '';
  let bytes = 0;
  try {
    for (;;) {
      const { done, value } = await reader.read();
      if (done) break;
      deadline.touch();
      bytes += value.byteLength;
      text += decoder.decode(value, { stream: true });
      if (bytes >= limit) break;
    }
    return text + decoder.decode();
  } finally {
    reader.releaseLock();
  }
}

/** Whatever was thrown during a request, as the InferenceError to show (already-made ones pass through). */
export function asInferenceError(err: unknown, deadline: IdleDeadline, ctx: RequestContext): InferenceError {
  if (err instanceof InferenceError) return err;
  if (deadline.reason === 'caller') return abortedError(ctx);
  if (deadline.reason === 'timeout') return timeoutError(ctx, deadline.phase);
  return networkError(ctx, err);
}
