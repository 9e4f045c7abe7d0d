// Every way a request to an endpoint can fail, turned into one InferenceError whose message says
// what happened at which URL and what to try, so the Playground and the CLI can show it as is.

import { InferenceError } from '../dialogue/types';
import { trimBaseUrl, type EndpointRole } from './config';

/** What the wording of an error needs to know about the request that failed. */
export interface RequestContext {
  /** The endpoint's base URL, named in every message. */
  baseUrl: string;
  model: string;
  role?: EndpointRole;
  timeoutMs: number;
}

/** An HTTP error answer; keeps the status so a caller can react to one (the planner's logprobs retry). */
export class HttpError extends InferenceError {
  constructor(
    message: string,
    readonly status: number,
    /** The server's own explanation, when it gave one. */
    readonly detail: string,
    fix: InferenceError['fix'],
  ) {
    super(message, 'http', fix);
  }
}

const url = (ctx: RequestContext): string => trimBaseUrl(ctx.baseUrl);
const seconds = (ms: number): string => `${Number((ms / 1000).toFixed(3))} s`;

/** Where the paper runs this role, so "connection refused" can say which server is missing. */
function serverHint(role: EndpointRole | undefined): string {
  if (role === 'planner') return 'The paper serves the planner with vLLM on port 8000.';
  if (role === 'generator') return 'The paper serves the generator with vLLM on port 8001.';
  return 'Start an OpenAI-compatible server there (e.g. vLLM).';
}

const MAX_EXCERPT = 200;

function excerpt(text: string): string {
  const flat = text.replace(/\s+/g, ' ').trim();
  return flat.length > MAX_EXCERPT ? `${flat.slice(0, MAX_EXCERPT - 1)}…` : flat;
}

/**
 * The server's explanation in an error body: OpenAI's `{"error": {"message"}}`, vLLM's
 * `{"object": "error", "message"}`, FastAPI's `{"detail"}`, or else the body itself, shortened.
 */
export function errorBodyMessage(body: string): string {
  try {
    const j = JSON.parse(body) as unknown;
    if (typeof j === 'object' && j !== null) {
      const o = j as Record<string, unknown>;
      const err = o.error;
      if (typeof err === 'object' && err !== null && typeof (err as Record<string, unknown>).message === 'string') {
        return excerpt((err as Record<string, string>).message);
      }
      if (typeof err === 'string') return excerpt(err);
      if (typeof o.message === 'string') return excerpt(o.message);
      if (typeof o.detail === 'string') return excerpt(o.detail);
    }
  } catch {
    // not JSON: show the text itself
  }
  return excerpt(body);
}

export function httpError(ctx: RequestContext, path: string, status: number, body: string): HttpError {
  const detail = errorBodyMessage(body);
  const answered = `${url(ctx)}${path} answered HTTP ${status}${detail ? ` (${detail})` : ''}`;
  if (status === 401 || status === 403) {
    return new HttpError(
      `${answered}: the API key was refused. Set this endpoint's API key (the paper's vLLM servers use "EMPTY").`,
      status,
      detail,
      'configure',
    );
  }
  if (status === 404) {
    const model = ctx.model ? `"${ctx.model}"` : '(empty)';
    return new HttpError(
      `${answered}. Check the model name ${model} against the served models, and that the base URL ends in /v1.`,
      status,
      detail,
      'configure',
    );
  }
  if (status >= 500 || status === 429) return new HttpError(`${answered}.`, status, detail, 'testConnection');
  return new HttpError(`${answered}.`, status, detail, 'configure');
}

export function timeoutError(ctx: RequestContext, phase: 'waiting' | 'streaming'): InferenceError {
  if (phase === 'streaming') {
    return new InferenceError(
      `${url(ctx)} stopped sending in the middle of the answer for more than ${seconds(ctx.timeoutMs)}.`,
      'timeout',
      'configure',
    );
  }
  return new InferenceError(`${url(ctx)} did not answer within ${seconds(ctx.timeoutMs)}.`, 'timeout', 'testConnection');
}

export function abortedError(ctx: RequestContext): InferenceError {
  return new InferenceError(`The request to ${url(ctx)} was cancelled.`, 'aborted');
}

export function malformedError(ctx: RequestContext, what: string, sample?: string): InferenceError {
  const shown = sample === undefined ? '' : `: ${JSON.stringify(excerpt(sample))}`;
  return new InferenceError(`${url(ctx)} sent ${what}${shown}. Is it an OpenAI-compatible server?`, 'malformed', 'configure');
}

/** A stream cut off before its end: what arrived was real, but it is not the whole answer. */
export function truncatedError(ctx: RequestContext): InferenceError {
  return new InferenceError(
    `The answer from ${url(ctx)} stopped before it was complete (the stream ended without a finish_reason or [DONE]); did the server stop?`,
    'malformed',
    'testConnection',
  );
}

/** An error the server reported inside a 200 answer (vLLM does so mid-stream). */
export function serverReportedError(ctx: RequestContext, detail: string): InferenceError {
  return new InferenceError(`${url(ctx)} reported an error while answering: ${detail}`, 'model', 'testConnection');
}

/** An answer with no text: a model failure to the client (retried), but an answer of its own to a judge. */
export class EmptyAnswerError extends InferenceError {}

export function emptyAnswerError(ctx: RequestContext): InferenceError {
  return new EmptyAnswerError(`${url(ctx)} returned an empty answer (model ${ctx.model || '(server default)'}).`, 'model');
}

/** The error codes of an error and its `cause` chain (undici wraps the socket error in `cause`). */
function errorCodes(err: unknown): { codes: string[]; hostname?: string; messages: string[] } {
  const codes: string[] = [];
  const messages: string[] = [];
  let hostname: string | undefined;
  let e: unknown = err;
  for (let depth = 0; depth < 5 && typeof e === 'object' && e !== null; depth++) {
    const o = e as { code?: unknown; hostname?: unknown; message?: unknown; cause?: unknown; errors?: unknown };
    if (typeof o.code === 'string') codes.push(o.code);
    if (typeof o.hostname === 'string') hostname ??= o.hostname;
    if (typeof o.message === 'string' && o.message) messages.push(o.message);
    // happy-eyeballs connects (IPv4 and IPv6) fail with an AggregateError of both attempts
    if (Array.isArray(o.errors)) {
      for (const sub of o.errors) {
        if (typeof sub === 'object' && sub !== null && typeof (sub as { code?: unknown }).code === 'string') {
          codes.push((sub as { code: string }).code);
        }
      }
    }
    e = o.cause;
  }
  return { codes, hostname, messages };
}

/**
 * A failure of fetch itself or of reading the body (no HTTP status): refused, unknown host,
 * unreachable network, a connection cut mid-answer, or an unusable URL.
 */
export function networkError(ctx: RequestContext, err: unknown): InferenceError {
  const { codes, hostname, messages } = errorCodes(err);
  const has = (...c: string[]): boolean => codes.some((x) => c.includes(x));
  if (has('ECONNREFUSED')) {
    return new InferenceError(
      `Could not connect to ${url(ctx)} (connection refused). Is the server running? ${serverHint(ctx.role)}`,
      'refused',
      'testConnection',
    );
  }
  if (has('ENOTFOUND', 'EAI_AGAIN', 'EAI_NONAME', 'EAI_FAIL')) {
    const host = hostname ?? hostOf(ctx.baseUrl);
    return new InferenceError(
      `Could not connect to ${url(ctx)}: the host name ${host ? `"${host}" ` : ''}could not be resolved. Check the base URL.`,
      'refused',
      'configure',
    );
  }
  if (has('EHOSTUNREACH', 'ENETUNREACH', 'EADDRNOTAVAIL')) {
    return new InferenceError(
      `Could not connect to ${url(ctx)}: the host is unreachable from this machine. Check the base URL and the network (a tunnel or VPN?).`,
      'refused',
      'configure',
    );
  }
  if (has('ETIMEDOUT', 'UND_ERR_CONNECT_TIMEOUT')) {
    return new InferenceError(
      `Could not connect to ${url(ctx)}: the connection attempt timed out. Check the base URL and the network.`,
      'timeout',
      'testConnection',
    );
  }
  if (has('ECONNRESET', 'EPIPE', 'UND_ERR_SOCKET', 'UND_ERR_CLOSED')) {
    return new InferenceError(
      `${url(ctx)} closed the connection before the answer was complete. Did the server stop or crash?`,
      'dropped',
      'testConnection',
    );
  }
  if (has('ERR_INVALID_URL') || messages.some((m) => /invalid url|failed to parse url/i.test(m))) {
    return new InferenceError(`"${url(ctx)}" is not a valid URL; expected something like http://localhost:8000/v1.`, 'other', 'configure');
  }
  const why = messages.filter((m) => m !== 'fetch failed').join(': ') || String(err);
  return new InferenceError(`Could not get an answer from ${url(ctx)} (${excerpt(why)}).`, 'other', 'testConnection');
}

function hostOf(baseUrl: string): string | undefined {
  try {
    return new URL(baseUrl).hostname;
  } catch {
    return undefined;
  }
}
