// The OpenAI-compatible backend against a local server that speaks the chat-completions protocol
// the way vLLM does: exact request bodies (the paper's prompts, temperature 0.7, top_p 0.95), JSON
// and SSE answers (split across TCP writes at awkward places), logprobs, /v1/models, and every
// failure a user can meet: refused, timeout, a stalled stream, HTTP errors, malformed answers, Stop.

import * as assert from 'node:assert/strict';
import { createServer, type IncomingHttpHeaders, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { after, before, describe, it } from 'node:test';
import { OpenAIGenerator, OpenAIJoint, OpenAIPlanner } from '../../src/core/openai/backends';
import { streamChat } from '../../src/core/openai/chatCompletions';
import { DEFAULT_SAMPLING, withEndpointDefaults, type EndpointConfig } from '../../src/core/openai/config';
import { parseEndpointSpec } from '../../src/core/openai/endpointSpec';
import { errorBodyMessage, networkError } from '../../src/core/openai/errors';
import { strategiesStartingWith, strategyProbabilities, type TokenLogprob } from '../../src/core/openai/logprobs';
import { parsePlannerAnswer } from '../../src/core/openai/plannerAnswer';
import { testConnection } from '../../src/core/openai/testConnection';
import { generatorRequest, plannerRequest, vanillaRequest } from '../../src/core/dialogue/requests';
import { InferenceError, type DialogueTurn, type StrategyProbabilities } from '../../src/core/dialogue/types';
import { STRATEGIES, type Strategy } from '../../src/core/strategies';

// ---------------------------------------------------------------------------------------------
// A fake OpenAI-compatible server. Each test registers a route under its own path prefix
// (`/<name>/v1/...`) and gets that base URL back; every request is recorded per route.

interface Received {
  method: string;
  path: string;
  headers: IncomingHttpHeaders;
  body: unknown;
}

type Handler = (path: string, body: unknown, res: ServerResponse, req: IncomingMessage) => void | Promise<void>;

class FakeOpenAI {
  private server!: Server;
  private origin = '';
  private readonly routes = new Map<string, Handler>();
  private readonly received = new Map<string, Received[]>();

  async start(): Promise<void> {
    this.server = createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (c: Buffer) => chunks.push(c));
      req.on('end', () => {
        const m = /^\/([^/]+)\/v1(\/.*)$/.exec(req.url ?? '');
        const handler = m ? this.routes.get(m[1] as string) : undefined;
        if (!m || !handler) {
          res.writeHead(404, { 'content-type': 'application/json' }).end('{"detail":"Not Found"}');
          return;
        }
        const raw = Buffer.concat(chunks).toString('utf8');
        const body: unknown = raw ? JSON.parse(raw) : undefined;
        const list = this.received.get(m[1] as string) ?? [];
        list.push({ method: req.method ?? '', path: m[2] as string, headers: req.headers, body });
        this.received.set(m[1] as string, list);
        void handler(m[2] as string, body, res, req);
      });
    });
    await new Promise<void>((resolve) => this.server.listen(0, '127.0.0.1', resolve));
    this.origin = `http://127.0.0.1:${(this.server.address() as AddressInfo).port}`;
  }

  route(name: string, handler: Handler): string {
    assert.ok(!this.routes.has(name), `route ${name} registered twice`);
    this.routes.set(name, handler);
    return `${this.origin}/${name}/v1`;
  }

  requests(name: string): Received[] {
    return this.received.get(name) ?? [];
  }

  async close(): Promise<void> {
    // hanging routes (timeouts, stalls) keep their sockets open: cut them so close() returns
    this.server.closeAllConnections();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }
}

const delay = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

function sendJson(res: ServerResponse, status: number, value: unknown): void {
  res.writeHead(status, { 'content-type': 'application/json' }).end(JSON.stringify(value));
}

function completion(content: string | null, logprobs?: TokenLogprob[]): unknown {
  return {
    id: 'chatcmpl-test',
    object: 'chat.completion',
    created: 1700000000,
    model: 'esc-model',
    choices: [
      { index: 0, message: { role: 'assistant', content }, logprobs: logprobs ? { content: logprobs } : null, finish_reason: 'stop' },
    ],
    usage: { prompt_tokens: 10, completion_tokens: 3, total_tokens: 13 },
  };
}

function chunk(delta: Record<string, unknown>, finish: string | null = null): unknown {
  return {
    id: 'chatcmpl-test',
    object: 'chat.completion.chunk',
    created: 1700000000,
    model: 'esc-model',
    choices: [{ index: 0, delta, logprobs: null, finish_reason: finish }],
  };
}

/** A vLLM-like stream of these text deltas: a role-only first chunk, the deltas, a finish chunk, [DONE]. */
function streamEvents(deltas: readonly string[], opts: { finish?: boolean; done?: boolean } = {}): string {
  const events = [chunk({ role: 'assistant', content: '' }), ...deltas.map((d) => chunk({ content: d }))];
  if (opts.finish !== false) events.push(chunk({}, 'stop'));
  let text = events.map((e) => `data: ${JSON.stringify(e)}\n\n`).join('');
  if (opts.done !== false) text += 'data: [DONE]\n\n';
  return text;
}

/**
 * Writes `payload` in pieces whose sizes cycle through awkward values, so that lines, JSON objects
 * and multi-byte characters are cut across TCP writes; `cutAt` adds byte offsets that must be cuts.
 */
async function writeAwkwardly(res: ServerResponse, payload: string, cutAt: number[] = []): Promise<void> {
  const bytes = Buffer.from(payload, 'utf8');
  const sizes = [1, 9, 4, 23, 2, 31, 7, 3];
  const cuts = new Set<number>(cutAt);
  for (let at = 0, i = 0; at < bytes.length; i++) {
    at += sizes[i % sizes.length] as number;
    cuts.add(Math.min(at, bytes.length));
  }
  let from = 0;
  for (const to of [...cuts].sort((a, b) => a - b)) {
    if (to <= from) continue;
    res.write(bytes.subarray(from, to));
    from = to;
    await delay(1);
  }
}

function startSse(res: ServerResponse): void {
  res.socket?.setNoDelay(true);
  res.writeHead(200, { 'content-type': 'text/event-stream', 'cache-control': 'no-cache' });
  res.flushHeaders();
}

/** Byte offsets that fall inside each occurrence of `needle` (a multi-byte character) in `payload`. */
function insideOf(payload: string, needle: string): number[] {
  const bytes = Buffer.from(payload, 'utf8');
  const n = Buffer.from(needle, 'utf8');
  const out: number[] = [];
  for (let i = bytes.indexOf(n); i >= 0; i = bytes.indexOf(n, i + 1)) out.push(i + 1, i + 2);
  return out;
}

// ---------------------------------------------------------------------------------------------

const HISTORY: DialogueTurn[] = [
  { speaker: 'seeker', text: "I lost my job last week and I can't sleep." },
  { speaker: 'supporter', text: 'That sounds really hard. How have you been coping?', strategy: 'Question' },
  { speaker: 'seeker', text: 'Not well.' },
  { speaker: 'seeker', text: 'I keep thinking I let my family down.' },
];

function cfg(baseUrl: string, over: Partial<EndpointConfig> = {}): EndpointConfig {
  return { baseUrl, model: 'esc-model', apiKey: 'EMPTY', ...DEFAULT_SAMPLING, maxTokens: 64, stream: false, timeoutMs: 3000, ...over };
}

async function collect(it: AsyncIterable<string>): Promise<string[]> {
  const out: string[] = [];
  for await (const c of it) out.push(c);
  return out;
}

/** Runs `iterable` to its end, returning what it yielded and the InferenceError it ended with. */
async function collectUntilError(iterable: AsyncIterable<string>): Promise<{ chunks: string[]; error: InferenceError }> {
  const chunks: string[] = [];
  try {
    for await (const c of iterable) chunks.push(c);
  } catch (e) {
    assert.ok(e instanceof InferenceError, `expected an InferenceError, got ${String(e)}`);
    return { chunks, error: e };
  }
  assert.fail(`expected a failure, got ${JSON.stringify(chunks.join(''))}`);
}

async function rejection(p: Promise<unknown>): Promise<InferenceError> {
  try {
    await p;
  } catch (e) {
    assert.ok(e instanceof InferenceError, `expected an InferenceError, got ${String(e)}`);
    return e;
  }
  assert.fail('expected a rejection');
}

function assertDistribution(p: StrategyProbabilities | undefined): asserts p is StrategyProbabilities {
  assert.ok(p, 'probabilities expected');
  assert.deepEqual(Object.keys(p).sort(), [...STRATEGIES].sort());
  const sum = STRATEGIES.reduce((s, k) => s + p[k], 0);
  assert.ok(Math.abs(sum - 1) < 1e-9, `probabilities sum to ${sum}`);
  for (const k of STRATEGIES) assert.ok(p[k] >= 0);
}

/** exp(logprob) of the given strategies, renormalised over the 8 (the others 0): the expected answer. */
function expectedFrom(masses: Partial<Record<Strategy, number>>): StrategyProbabilities {
  const total = Object.values(masses).reduce((a, b) => a + b, 0);
  return Object.fromEntries(STRATEGIES.map((s) => [s, (masses[s] ?? 0) / total])) as StrategyProbabilities;
}

function assertClose(actual: StrategyProbabilities, expected: StrategyProbabilities): void {
  for (const s of STRATEGIES) assert.ok(Math.abs(actual[s] - expected[s]) < 1e-12, `${s}: ${actual[s]} vs ${expected[s]}`);
}

const alt = (token: string, logprob: number): { token: string; logprob: number } => ({ token, logprob });
const pos = (token: string, alternatives: { token: string; logprob: number }[]): TokenLogprob => ({
  token,
  logprob: alternatives.find((a) => a.token === token)?.logprob ?? -0.1,
  top_logprobs: alternatives,
});

// ---------------------------------------------------------------------------------------------

const server = new FakeOpenAI();
before(() => server.start());
after(() => server.close());

describe('OpenAIPlanner', () => {
  it('sends the SP prompt exactly, with the paper sampling and logprobs, and reads the strategy and its probabilities', async () => {
    // Qwen-style tokens: "Reflection of feelings" = "Ref" "lection" " of" " feelings"
    const first = [
      alt('Ref', -0.4),
      alt('Question', -1.6),
      alt('Aff', -2.3),
      alt('Re', -2.5),
      alt('Prov', -3.2),
      alt('Self', -4.0),
      alt('It', -5.0),
      alt('Information', -6.5),
      alt('Others', -7.1),
      alt('Rest', -7.5),
    ];
    const logprobs = [
      pos('Ref', first),
      pos('lection', [alt('lection', -0.01)]),
      pos(' of', [alt(' of', 0)]),
      pos(' feelings', [alt(' feelings', 0)]),
    ];
    const base = server.route('planner', (_p, _b, res) => sendJson(res, 200, completion('Reflection of feelings', logprobs)));
    const planner = new OpenAIPlanner(cfg(base, { model: 'planner-dpo', maxTokens: 16 }));
    const result = await planner.plan(HISTORY);

    const [req, ...more] = server.requests('planner');
    assert.equal(more.length, 0);
    assert.ok(req);
    assert.equal(req.method, 'POST');
    assert.equal(req.path, '/chat/completions');
    assert.equal(req.headers.authorization, 'Bearer EMPTY');
    assert.match(String(req.headers['content-type']), /application\/json/);
    assert.deepEqual(req.body, {
      model: 'planner-dpo',
      messages: plannerRequest(HISTORY),
      temperature: 0.7,
      top_p: 0.95,
      max_tokens: 16,
      stream: false,
      logprobs: true,
      top_logprobs: 20,
    });

    assert.equal(result.strategy, 'Reflection of feelings');
    assert.equal(result.raw, 'Reflection of feelings');
    assertDistribution(result.probabilities);
    // "Re" (two strategies) was not emitted, so its mass is dropped; "It" begins no strategy
    const e = Math.exp;
    assertClose(
      result.probabilities,
      expectedFrom({
        'Reflection of feelings': e(-0.4),
        Question: e(-1.6),
        'Affirmation and Reassurance': e(-2.3),
        'Providing Suggestions': e(-3.2),
        'Self-disclosure': e(-4.0),
        Information: e(-6.5),
        Others: e(-7.1),
        'Restatement or Paraphrasing': e(-7.5),
      }),
    );
    assert.match(result.note ?? '', /first-token logprobs.*renormalised over the 8/);
    assert.equal(planner.label, `${base} · planner-dpo`);
  });

  it('tolerates decorated answers, and without logprobs gives the strategy alone', async () => {
    const answers: [string, Strategy][] = [
      ['  Question\n', 'Question'],
      ['[Question]', 'Question'],
      ['Question.', 'Question'],
      [' [Self-disclosure]. ', 'Self-disclosure'],
      ['providing suggestions', 'Providing Suggestions'],
      ['Affirmation and Reassurance\nBecause the seeker blames themself.', 'Affirmation and Reassurance'],
    ];
    let i = 0;
    const base = server.route('planner-decorated', (_p, _b, res) =>
      sendJson(res, 200, completion((answers[i++] as [string, Strategy])[0])),
    );
    const planner = new OpenAIPlanner(cfg(base));
    for (const [answer, expected] of answers) {
      const r = await planner.plan(HISTORY);
      assert.equal(r.strategy, expected, answer);
      assert.equal(r.raw, answer);
      assert.equal(r.probabilities, undefined);
      assert.match(r.note ?? '', /no logprobs/);
    }
  });

  it('an answer naming no strategy is unparsable, quoting the answer', async () => {
    const base = server.route('planner-chatty', (_p, _b, res) => sendJson(res, 200, completion('I think you should listen more.')));
    const err = await rejection(new OpenAIPlanner(cfg(base)).plan(HISTORY));
    assert.equal(err.kind, 'unparsable');
    assert.ok(err.message.includes(base), err.message);
    assert.ok(err.message.includes('"I think you should listen more."'), err.message);
  });

  it('asks again without logprobs when the server refuses them', async () => {
    const base = server.route('planner-nologprobs', (_p, body, res) => {
      if ((body as { logprobs?: boolean }).logprobs) {
        sendJson(res, 400, {
          object: 'error',
          message: 'Requested top logprobs of 20, which is greater than max allowed: 5',
          type: 'BadRequestError',
          code: 400,
        });
      } else {
        sendJson(res, 200, completion('Information'));
      }
    });
    const r = await new OpenAIPlanner(cfg(base)).plan(HISTORY);
    const reqs = server.requests('planner-nologprobs');
    assert.equal(reqs.length, 2);
    assert.equal((reqs[1]?.body as Record<string, unknown>).logprobs, undefined);
    assert.deepEqual((reqs[1]?.body as Record<string, unknown>).messages, plannerRequest(HISTORY));
    assert.equal(r.strategy, 'Information');
    assert.equal(r.probabilities, undefined);
    assert.match(r.note ?? '', /refused logprobs.*max allowed: 5/);
  });
});

describe('parsePlannerAnswer', () => {
  it('reads names however decorated, and nothing from other text', () => {
    assert.equal(parsePlannerAnswer('[Restatement or Paraphrasing].'), 'Restatement or Paraphrasing');
    assert.equal(parsePlannerAnswer('"Others"'), 'Others');
    assert.equal(parsePlannerAnswer('**Information**'), 'Information');
    assert.equal(parsePlannerAnswer('[Reflection of feelings] It sounds like you feel guilty.'), 'Reflection of feelings');
    assert.equal(parsePlannerAnswer('self disclosure'), 'Self-disclosure');
    assert.equal(parsePlannerAnswer('Questions are good'), undefined);
    assert.equal(parsePlannerAnswer(''), undefined);
  });
});

describe('strategyProbabilities (first-token logprobs)', () => {
  const e = Math.exp;

  it('maps unique prefixes, case-insensitively and past brackets/spaces, and drops tokens naming nothing', () => {
    const p = strategyProbabilities([
      pos('Question', [
        alt('Question', -0.2),
        alt(' Question', -2.0),
        alt('question', -3.0),
        alt('[Ref', -2.5),
        alt('Aff', -3.1),
        alt('The', -1.0),
        alt('Questions', -4.0),
        alt('Others.', -5.0),
      ]),
      pos('<|im_end|>', [alt('<|im_end|>', 0)]),
    ]);
    assertDistribution(p);
    assertClose(
      p,
      expectedFrom({
        Question: e(-0.2) + e(-2.0) + e(-3.0),
        'Reflection of feelings': e(-2.5),
        'Affirmation and Reassurance': e(-3.1),
        Others: e(-5.0),
      }),
    );
  });

  it('splits an emitted ambiguous token ("Re") by the next position, and drops an unemitted one', () => {
    const p = strategyProbabilities([
      // sampled at temperature 0.7, the emitted token need not be the likeliest one
      pos('Re', [alt('R', -0.9), alt('Re', -1.0), alt('Question', -1.5)]),
      pos('flection', [alt('flection', -0.2), alt('statement', -1.8), alt('ass', -4.0)]),
      pos(' of', [alt(' of', 0)]),
    ]);
    assertDistribution(p);
    // "R" was not emitted: its mass has no known continuation; "Reass" begins no strategy
    assertClose(
      p,
      expectedFrom({
        'Reflection of feelings': e(-1.0) * e(-0.2),
        'Restatement or Paraphrasing': e(-1.0) * e(-1.8),
        Question: e(-1.5),
      }),
    );
  });

  it('follows a leading "[" (a vanilla-style answer) to the name after it', () => {
    const p = strategyProbabilities([
      pos('[', [alt('[', -0.05), alt('Question', -3.5), alt(' ', -4.0)]),
      pos('Question', [alt('Question', -0.1), alt('Ref', -2.6), alt('Self', -3.3)]),
      pos(']', [alt(']', 0)]),
    ]);
    assertDistribution(p);
    assertClose(
      p,
      expectedFrom({
        Question: e(-3.5) + e(-0.05) * e(-0.1),
        'Reflection of feelings': e(-0.05) * e(-2.6),
        'Self-disclosure': e(-0.05) * e(-3.3),
      }),
    );
  });

  it('counts the emitted token when it is missing from its own top list (sampled outside the top k)', () => {
    const p = strategyProbabilities([{ token: 'Others', logprob: -6.0, top_logprobs: [alt('Question', -0.5), alt('Information', -1.5)] }]);
    assertDistribution(p);
    assertClose(p, expectedFrom({ Question: e(-0.5), Information: e(-1.5), Others: e(-6.0) }));
  });

  it('says nothing when there is nothing to say', () => {
    assert.equal(strategyProbabilities(undefined), undefined);
    assert.equal(strategyProbabilities([]), undefined);
    assert.equal(strategyProbabilities([pos('It', [alt('It', -0.1), alt('The', -2), alt('\n', -3)])]), undefined);
  });

  it('knows which strategies a prefix can begin', () => {
    assert.deepEqual(strategiesStartingWith('Re'), ['Restatement or Paraphrasing', 'Reflection of feelings']);
    assert.deepEqual(strategiesStartingWith(' [self-dis'), ['Self-disclosure']);
    assert.deepEqual(strategiesStartingWith('Information\n'), ['Information']);
    assert.deepEqual(strategiesStartingWith('Informational'), []);
    assert.equal(strategiesStartingWith('[').length, 8);
  });
});

describe('OpenAIGenerator and OpenAIJoint', () => {
  const REPLY = ["It's", ' completely understandable —', ' losing a job shakes', ' everything. 💙', ' What feels heaviest', ' right now?'];

  it('streams the RG prompt reply chunk by chunk, the chunks joining to the whole reply', async () => {
    const payload = `: ping\n\n${streamEvents(REPLY)}`;
    const base = server.route('generator-stream', async (_p, _b, res) => {
      startSse(res);
      await writeAwkwardly(res, payload, insideOf(payload, '💙'));
      res.end();
    });
    const gen = new OpenAIGenerator(cfg(base, { model: 'rg-dpo', apiKey: 'sk-local', stream: true, maxTokens: 256 }));
    const chunks = await collect(gen.generate(HISTORY, 'Reflection of feelings'));
    assert.equal(chunks.join(''), REPLY.join(''));
    assert.ok(chunks.length > 1, 'streamed in several chunks');
    assert.ok(!chunks.includes(''), 'no empty chunks');

    const [req] = server.requests('generator-stream');
    assert.equal(req?.headers.authorization, 'Bearer sk-local');
    assert.deepEqual(req?.body, {
      model: 'rg-dpo',
      messages: generatorRequest(HISTORY, 'Reflection of feelings'),
      temperature: 0.7,
      top_p: 0.95,
      max_tokens: 256,
      stream: true,
    });
  });

  it('without streaming yields the whole reply once', async () => {
    const base = server.route('generator-whole', (_p, _b, res) => sendJson(res, 200, completion(REPLY.join(''))));
    const chunks = await collect(new OpenAIGenerator(cfg(base, { stream: false })).generate(HISTORY, 'Question'));
    assert.deepEqual(chunks, [REPLY.join('')]);
    const body = server.requests('generator-whole')[0]?.body as Record<string, unknown>;
    assert.equal(body.stream, false);
    assert.deepEqual(body.messages, generatorRequest(HISTORY, 'Question'));
  });

  it('the joint model sends the vanilla prompt and yields the raw "[Strategy] text"', async () => {
    const raw = ['[Reflection', ' of feelings]', ' It sounds like', ' you carry a lot of guilt.'];
    const base = server.route('joint', async (_p, _b, res) => {
      startSse(res);
      await writeAwkwardly(res, streamEvents(raw));
      res.end();
    });
    const joint = new OpenAIJoint(cfg(base, { apiKey: undefined, stream: true }));
    const chunks = await collect(joint.respond(HISTORY));
    assert.equal(chunks.join(''), raw.join(''));
    const [req] = server.requests('joint');
    assert.equal(req?.headers.authorization, undefined, 'no key, no Authorization header');
    assert.deepEqual(req?.body, {
      model: 'esc-model',
      messages: vanillaRequest(HISTORY),
      temperature: 0.7,
      top_p: 0.95,
      max_tokens: 64,
      stream: true,
    });
  });

  it('a stream with a finish_reason but no [DONE] is complete', async () => {
    const base = server.route('no-done', (_p, _b, res) => {
      startSse(res);
      res.end(streamEvents(['Fine', ' then.'], { done: false }));
    });
    assert.deepEqual(await collect(streamChat(cfg(base), [])), ['Fine', ' then.']);
  });

  it('a stream cut off without finish_reason or [DONE] yields what arrived, then fails', async () => {
    const base = server.route('cut-off', (_p, _b, res) => {
      startSse(res);
      res.end(streamEvents(['I hear', ' you'], { finish: false, done: false }));
    });
    const { chunks, error } = await collectUntilError(new OpenAIGenerator(cfg(base, { stream: true })).generate(HISTORY, 'Question'));
    assert.deepEqual(chunks, ['I hear', ' you']);
    assert.equal(error.kind, 'malformed');
    assert.ok(error.message.includes(base), error.message);
    assert.match(error.message, /stopped before it was complete/);
  });

  it('a server that ignores stream:true and answers JSON is still read', async () => {
    const base = server.route('ignores-stream', (_p, _b, res) => sendJson(res, 200, completion('Whole answer.')));
    assert.deepEqual(await collect(streamChat(cfg(base, { stream: true }), [])), ['Whole answer.']);
  });
});

describe('failures become InferenceErrors naming the endpoint', () => {
  it("HTTP 500 quotes the server's error message", async () => {
    const base = server.route('http500', (_p, _b, res) =>
      sendJson(res, 500, { error: { message: 'CUDA out of memory. Tried to allocate 2.00 GiB', type: 'server_error' } }),
    );
    const err = await rejection(new OpenAIPlanner(cfg(base)).plan(HISTORY));
    assert.equal(err.kind, 'http');
    assert.equal(err.fix, 'testConnection');
    assert.ok(err.message.includes(base), err.message);
    assert.match(err.message, /HTTP 500.*CUDA out of memory/);
  });

  it('HTTP 401 points at the API key', async () => {
    const base = server.route('http401', (_p, _b, res) =>
      sendJson(res, 401, { error: { message: 'Unauthorized', type: 'invalid_request_error' } }),
    );
    const { error } = await collectUntilError(
      new OpenAIGenerator(cfg(base, { apiKey: 'wrong', stream: true })).generate(HISTORY, 'Others'),
    );
    assert.equal(error.kind, 'http');
    assert.equal(error.fix, 'configure');
    assert.ok(error.message.includes(base), error.message);
    assert.match(error.message, /401.*API key/);
  });

  it('HTTP 404 points at the model name and the /v1 suffix', async () => {
    const base = server.route('http404', (_p, _b, res) =>
      sendJson(res, 404, { object: 'error', message: 'The model `rg-typo` does not exist.', type: 'NotFoundError', code: 404 }),
    );
    const err = await rejection(new OpenAIPlanner(cfg(base, { model: 'rg-typo' })).plan(HISTORY));
    assert.equal(err.kind, 'http');
    assert.equal(err.fix, 'configure');
    assert.match(err.message, /404.*does not exist.*"rg-typo".*\/v1/);
  });

  it('a server that never answers times out after timeoutMs', async () => {
    const base = server.route('silent', () => undefined);
    const started = Date.now();
    const err = await rejection(new OpenAIPlanner(cfg(base, { timeoutMs: 300 })).plan(HISTORY));
    const took = Date.now() - started;
    assert.equal(err.kind, 'timeout');
    assert.ok(err.message.includes(base), err.message);
    assert.match(err.message, /did not answer within 0\.3 s/);
    assert.ok(took >= 280 && took < 2500, `took ${took} ms`);
  });

  it('a stream that stalls mid-way times out, after yielding what arrived', async () => {
    const base = server.route('stall', (_p, _b, res) => {
      startSse(res);
      res.write(streamEvents(['That must', ' be so hard'], { finish: false, done: false }));
      // ...and nothing more, connection left open
    });
    const { chunks, error } = await collectUntilError(
      new OpenAIGenerator(cfg(base, { stream: true, timeoutMs: 300 })).generate(HISTORY, 'Reflection of feelings'),
    );
    assert.deepEqual(chunks, ['That must', ' be so hard']);
    assert.equal(error.kind, 'timeout');
    assert.ok(error.message.includes(base), error.message);
    assert.match(error.message, /stopped sending/);
  });

  it('a slow stream that keeps flowing is not cut by the timeout (it applies to gaps, not the total)', async () => {
    const words = ['one', ' two', ' three', ' four', ' five', ' six'];
    const base = server.route('slow-steady', async (_p, _b, res) => {
      startSse(res);
      const events = streamEvents(words).split(/(?<=\n\n)/);
      for (const ev of events) {
        res.write(ev);
        await delay(120);
      }
      res.end();
    });
    const started = Date.now();
    const chunks = await collect(streamChat(cfg(base, { timeoutMs: 300 }), []));
    assert.equal(chunks.join(''), words.join(''));
    assert.ok(Date.now() - started > 600, 'the whole stream took longer than the timeout');
  });

  it('a data: line that is not JSON is malformed', async () => {
    const base = server.route('bad-sse', (_p, _b, res) => {
      startSse(res);
      res.end(
        `data: ${JSON.stringify(chunk({ content: 'Hello' }))}\n\ndata: {"choices": [{"delta": {"content": "oops"\n\ndata: [DONE]\n\n`,
      );
    });
    const { chunks, error } = await collectUntilError(streamChat(cfg(base), []));
    assert.deepEqual(chunks, ['Hello']);
    assert.equal(error.kind, 'malformed');
    assert.ok(error.message.includes(base), error.message);
    assert.match(error.message, /not JSON/);
  });

  it('a chunk without choices is malformed', async () => {
    const base = server.route('no-choices', (_p, _b, res) => {
      startSse(res);
      res.end('data: {"id": "x", "object": "chat.completion.chunk"}\n\ndata: [DONE]\n\n');
    });
    const { error } = await collectUntilError(streamChat(cfg(base), []));
    assert.equal(error.kind, 'malformed');
    assert.match(error.message, /without "choices"/);
  });

  it('an error the server reports mid-stream is shown with its message', async () => {
    const base = server.route('inline-error', (_p, _b, res) => {
      startSse(res);
      res.end(
        `${streamEvents(['Partial'], { finish: false, done: false })}data: {"object":"error","message":"engine dead","type":"InternalServerError","code":500}\n\n`,
      );
    });
    const { chunks, error } = await collectUntilError(streamChat(cfg(base), []));
    assert.deepEqual(chunks, ['Partial']);
    assert.equal(error.kind, 'model');
    assert.match(error.message, /engine dead/);
  });

  it('a JSON answer that is not JSON is malformed', async () => {
    const base = server.route('html', (_p, _b, res) => {
      res.writeHead(200, { 'content-type': 'text/html' }).end('<html><body>Welcome to nginx!</body></html>');
    });
    const err = await rejection(new OpenAIPlanner(cfg(base)).plan(HISTORY));
    assert.equal(err.kind, 'malformed');
    assert.ok(err.message.includes(base), err.message);
    assert.match(err.message, /not JSON.*nginx/);
  });

  it('an empty answer is reported, streamed or not', async () => {
    const base = server.route('empty', (_p, body, res) => {
      if ((body as { stream: boolean }).stream) {
        startSse(res);
        res.end(streamEvents(['', '  ']));
      } else {
        sendJson(res, 200, completion(null));
      }
    });
    const whole = await rejection(new OpenAIPlanner(cfg(base)).plan(HISTORY));
    assert.equal(whole.kind, 'model');
    assert.match(whole.message, /empty answer/);
    const { error } = await collectUntilError(streamChat(cfg(base), []));
    assert.equal(error.kind, 'model');
    assert.ok(error.message.includes(base));
  });

  it('connection refused names the URL and which paper server should be there', async () => {
    const port = await closedPort();
    const base = `http://127.0.0.1:${port}/v1`;
    const { error } = await collectUntilError(new OpenAIGenerator(cfg(base, { stream: true })).generate(HISTORY, 'Question'));
    assert.equal(error.kind, 'refused');
    assert.equal(error.fix, 'testConnection');
    assert.equal(
      error.message,
      `Could not connect to ${base} (connection refused). Is the server running? The paper serves the generator with vLLM on port 8001.`,
    );
    const planner = await rejection(new OpenAIPlanner(cfg(base)).plan(HISTORY));
    assert.equal(planner.kind, 'refused');
    assert.match(planner.message, /planner with vLLM on port 8000/);
  });

  it('an unknown host is a DNS failure with a fix in the configuration', () => {
    const ctx = { baseUrl: 'http://gpu-box.invalid:8000/v1', model: 'm', timeoutMs: 1000 };
    const dns = networkError(
      ctx,
      Object.assign(new TypeError('fetch failed'), {
        cause: Object.assign(new Error('getaddrinfo ENOTFOUND gpu-box.invalid'), { code: 'ENOTFOUND', hostname: 'gpu-box.invalid' }),
      }),
    );
    assert.equal(dns.kind, 'refused');
    assert.equal(dns.fix, 'configure');
    assert.match(dns.message, /http:\/\/gpu-box\.invalid:8000\/v1.*"gpu-box\.invalid" could not be resolved/);
    const reset = networkError(
      ctx,
      Object.assign(new TypeError('terminated'), { cause: Object.assign(new Error('other side closed'), { code: 'UND_ERR_SOCKET' }) }),
    );
    assert.equal(reset.kind, 'dropped', 'a cut connection is its own kind: the batch runs retry it');
    assert.match(reset.message, /closed the connection/);
  });

  it('quotes error bodies in the OpenAI, vLLM and FastAPI shapes', () => {
    assert.equal(errorBodyMessage('{"error":{"message":"bad key"}}'), 'bad key');
    assert.equal(errorBodyMessage('{"object":"error","message":"no such model"}'), 'no such model');
    assert.equal(errorBodyMessage('{"detail":"Not Found"}'), 'Not Found');
    assert.equal(errorBodyMessage(`Bad\n\n gateway ${'x'.repeat(400)}`).length, 200);
  });
});

describe('cancellation', () => {
  it('Stop mid-stream is "aborted", not "timeout", and closes the connection', async () => {
    let closed!: Promise<void>;
    const base = server.route('abort-mid', (_p, _b, res) => {
      closed = new Promise((resolve) => res.on('close', () => resolve()));
      startSse(res);
      res.write(streamEvents(['I am', ' here'], { finish: false, done: false }));
    });
    const stop = new AbortController();
    const chunks: string[] = [];
    const err = await rejection(
      (async () => {
        for await (const c of new OpenAIGenerator(cfg(base, { stream: true, timeoutMs: 5000 })).generate(
          HISTORY,
          'Question',
          stop.signal,
        )) {
          chunks.push(c);
          if (chunks.length === 2) stop.abort();
        }
      })(),
    );
    assert.deepEqual(chunks, ['I am', ' here']);
    assert.equal(err.kind, 'aborted');
    assert.ok(err.message.includes(base), err.message);
    await closed;
  });

  it('an already-aborted signal fails at once without a request', async () => {
    const base = server.route('abort-before', (_p, _b, res) => sendJson(res, 200, completion('Question')));
    const err = await rejection(new OpenAIPlanner(cfg(base)).plan(HISTORY, AbortSignal.abort()));
    assert.equal(err.kind, 'aborted');
    assert.equal(server.requests('abort-before').length, 0);
  });

  it('a consumer that stops reading early closes the connection', async () => {
    let closed!: Promise<void>;
    const base = server.route('break-early', (_p, _b, res) => {
      closed = new Promise((resolve) => res.on('close', () => resolve()));
      startSse(res);
      res.write(streamEvents(['first', ' second'], { finish: false, done: false }));
    });
    for await (const c of streamChat(cfg(base), [])) {
      assert.equal(c, 'first');
      break;
    }
    await closed;
  });
});

describe('testConnection', () => {
  const models = (_p: string, _b: unknown, res: ServerResponse): void =>
    sendJson(res, 200, {
      object: 'list',
      data: [
        { id: 'planner-dpo', object: 'model', owned_by: 'vllm' },
        { id: 'planner-sft', object: 'model', owned_by: 'vllm' },
      ],
    });

  it('lists the served models, times the call and confirms the configured model', async () => {
    const base = server.route('models', models);
    const r = await testConnection(cfg(base, { model: 'planner-dpo', apiKey: 'EMPTY' }));
    assert.ok(r.ok);
    assert.deepEqual(r.models, ['planner-dpo', 'planner-sft']);
    assert.ok(r.ms >= 0 && r.ms < 3000);
    assert.equal(r.modelServed, true);
    assert.ok(r.message.includes(base) && r.message.includes('"planner-dpo"'), r.message);
    const [req] = server.requests('models');
    assert.equal(req?.method, 'GET');
    assert.equal(req?.path, '/models');
    assert.equal(req?.headers.authorization, 'Bearer EMPTY');
  });

  it('suggests the first served model when none is set, and says when the set one is not served', async () => {
    const base = server.route('models-suggest', models);
    const empty = await testConnection(cfg(base, { model: '' }));
    assert.ok(empty.ok);
    assert.equal(empty.suggestedModel, 'planner-dpo');
    assert.match(empty.message, /use "planner-dpo"/);
    const wrong = await testConnection(cfg(base, { model: 'planner-typo' }));
    assert.ok(wrong.ok);
    assert.equal(wrong.modelServed, false);
    assert.match(wrong.message, /does not serve "planner-typo".*"planner-dpo", "planner-sft"/);
  });

  it('never throws: refused, 401, garbage and timeouts come back as ok:false with a message', async () => {
    const port = await closedPort();
    const refusedBase = `http://127.0.0.1:${port}/v1`;
    const refused = await testConnection(cfg(refusedBase), undefined, 'planner');
    assert.deepEqual(refused, {
      ok: false,
      message: `Could not connect to ${refusedBase} (connection refused). Is the server running? The paper serves the planner with vLLM on port 8000.`,
    });

    const denied = await testConnection(
      cfg(server.route('models-401', (_p, _b, res) => sendJson(res, 401, { error: { message: 'Invalid API key' } }))),
    );
    assert.equal(denied.ok, false);
    assert.match(denied.message, /401.*Invalid API key.*API key/);

    const garbageBase = server.route('models-garbage', (_p, _b, res) => sendJson(res, 200, { models: ['x'] }));
    const garbage = await testConnection(cfg(garbageBase));
    assert.equal(garbage.ok, false);
    assert.ok(garbage.message.includes(garbageBase), garbage.message);

    const silentBase = server.route('models-silent', () => undefined);
    const silent = await testConnection(cfg(silentBase, { timeoutMs: 200 }));
    assert.deepEqual(silent, { ok: false, message: `${silentBase} did not answer within 0.2 s.` });
  });
});

describe('endpoint configuration', () => {
  it('parses CLI endpoint specs', () => {
    assert.deepEqual(parseEndpointSpec('http://localhost:8000/v1'), { baseUrl: 'http://localhost:8000/v1' });
    assert.deepEqual(parseEndpointSpec(' https://gpu.example.org:8443/v1/#Qwen/Qwen2.5-7B-Instruct '), {
      baseUrl: 'https://gpu.example.org:8443/v1',
      model: 'Qwen/Qwen2.5-7B-Instruct',
    });
    assert.deepEqual(parseEndpointSpec('http://10.0.0.5:8001/proxy/v1#rg%20dpo'), {
      baseUrl: 'http://10.0.0.5:8001/proxy/v1',
      model: 'rg dpo',
    });
    for (const [bad, why] of [
      ['localhost:8000/v1', /scheme must be http or https|not a URL/],
      ['ftp://host:21/v1', /scheme must be http or https/],
      ['http://localhost:8000', /must end in \/v1/],
      ['http://localhost:8000/v1/chat/completions', /must end in \/v1/],
      ['http://localhost:8000/v1#', /model name after "#" is empty/],
      ['http://user:pw@localhost:8000/v1', /credentials/],
      ['not a url', /not a URL/],
    ] as const) {
      assert.throws(
        () => parseEndpointSpec(bad),
        (e: Error) => why.test(e.message) && e.message.includes(bad),
        bad,
      );
    }
  });

  it('fills a partial config with the paper’s serving setup for its role (FORMATS.md: SP on 8000, RG on 8001, key "EMPTY", 0.7 / 0.95)', () => {
    // an explicit undefined (a CLI flag left out) does not blank out the preset
    assert.deepEqual(withEndpointDefaults({ baseUrl: 'http://gpu:9000/v1', model: undefined }, 'planner'), {
      baseUrl: 'http://gpu:9000/v1',
      model: '',
      apiKey: 'EMPTY',
      temperature: 0.7,
      topP: 0.95,
      maxTokens: 16,
      stream: false,
      timeoutMs: 60_000,
    });
    // the vanilla joint model answers like the generator: its port, streamed, a reply's length
    assert.deepEqual(withEndpointDefaults({ model: 'vanilla-sft', temperature: 0 }, 'joint'), {
      baseUrl: 'http://localhost:8001/v1',
      model: 'vanilla-sft',
      apiKey: 'EMPTY',
      temperature: 0,
      topP: 0.95,
      maxTokens: 512,
      stream: true,
      timeoutMs: 60_000,
    });
    assert.equal(withEndpointDefaults({}, 'generator').baseUrl, 'http://localhost:8001/v1');
  });
});

/** A port that was just listening and is now closed: connecting to it is refused. */
async function closedPort(): Promise<number> {
  const s = createServer();
  await new Promise<void>((resolve) => s.listen(0, '127.0.0.1', resolve));
  const { port } = s.address() as AddressInfo;
  await new Promise<void>((resolve) => s.close(() => resolve()));
  return port;
}
