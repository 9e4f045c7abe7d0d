// `esc chat` and `esc train-embedded` as scripts run them: real processes, the spec'd JSON shapes,
// an OpenAI-compatible stand-in server for endpoint specs, and one-line errors for bad input.

import * as assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import * as path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { STRATEGIES } from '../../src/core/strategies';
import { DEMO_DATA, REPO_ROOT, sharedData, sharedFile, tempDir } from './helpers';

const CLI = path.join(REPO_ROOT, 'out', 'src', 'cli.js');
/** Asynchronous, so the stand-in server in this process can answer the child. */
const esc = (...args: string[]): Promise<{ code: number | null; stdout: string; stderr: string }> =>
  new Promise((resolve) => {
    const p = spawn(process.execPath, [CLI, ...args], { env: { ...process.env, ESC_API_KEY: 'sk-test' } });
    let stdout = '';
    let stderr = '';
    p.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    p.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    p.on('close', (code) => resolve({ code, stdout, stderr }));
  });
const t = tempDir();
after(() => t.dispose());

interface ChatJson {
  strategy: string | null;
  probabilities: Record<string, number> | null;
  reply: string;
  latency_ms: { planner: number | null; generator: number | null };
}

describe('esc chat', () => {
  let server: Server;
  let base = '';
  const seen: { auth?: string; body: { messages: { role: string; content: string }[]; temperature: number; top_p: number } }[] = [];
  before(async () => {
    server = createServer((req, res) => {
      let body = '';
      req.on('data', (c: Buffer) => (body += c.toString()));
      req.on('end', () => {
        if (req.url === '/v1/models') return void res.end(JSON.stringify({ data: [{ id: 'rg' }] }));
        const parsed = JSON.parse(body) as (typeof seen)[number]['body'];
        seen.push({ auth: req.headers.authorization, body: parsed });
        res.end(JSON.stringify({ choices: [{ message: { role: 'assistant', content: 'That must feel heavy.' }, finish_reason: 'stop' }] }));
      });
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    base = `http://127.0.0.1:${(server.address() as AddressInfo).port}/v1`;
  });
  after(() => server.close());

  it('--json: the strategy, all 8 probabilities, the reply and both latencies, from the shipped embedded models', async () => {
    const r = await esc('chat', 'I lost my job last week and I feel useless.', '--json');
    assert.equal(r.code, 0, r.stderr);
    const out = JSON.parse(r.stdout) as ChatJson;
    assert.deepEqual(Object.keys(out.probabilities!), [...STRATEGIES]);
    assert.ok(Math.abs(Object.values(out.probabilities!).reduce((a, b) => a + b, 0) - 1) < 1e-5);
    const best = STRATEGIES.reduce((b, s) => (out.probabilities![s]! > out.probabilities![b]! ? s : b), STRATEGIES[0]);
    assert.equal(out.strategy, best);
    assert.ok(out.reply.length > 0);
    assert.ok(out.latency_ms.planner! > 0 && out.latency_ms.generator! > 0);
    // the TypeScript engine gives the same answer
    const ts = JSON.parse(
      (await esc('chat', 'I lost my job last week and I feel useless.', '--json', '--engine', 'typescript')).stdout,
    ) as ChatJson;
    assert.equal(ts.strategy, out.strategy);
    assert.equal(ts.reply, out.reply);
    for (const s of STRATEGIES) assert.ok(Math.abs(ts.probabilities![s]! - out.probabilities![s]!) < 1e-5);
  });

  it('--history and an endpoint generator: the request is the paper’s generator prompt with the strategy and the multi-turn history', async () => {
    const history = path.join(t.dir, 'history with spaces.json');
    writeFileSync(
      history,
      JSON.stringify([
        { speaker: 'seeker', text: 'Hi.' },
        { speaker: 'supporter', text: 'Hello, how are you?', strategy: 'Question' },
      ]),
    );
    const r = await esc('chat', 'Not great, honestly.', '--history', history, '--generator', `${base}#rg`, '--json');
    assert.equal(r.code, 0, r.stderr);
    const out = JSON.parse(r.stdout) as ChatJson;
    assert.equal(out.reply, 'That must feel heavy.');
    const req = seen.at(-1)!;
    assert.equal(req.auth, 'Bearer sk-test');
    assert.equal(req.body.temperature, 0.7);
    assert.equal(req.body.top_p, 0.95);
    assert.match(
      req.body.messages[0]!.content,
      new RegExp(`Your current reference response strategy is ${out.strategy}\\.\\nThe conversation is as follows:\\n$`),
    );
    assert.deepEqual(req.body.messages.slice(1), [
      { role: 'user', content: 'Hi.' },
      { role: 'assistant', content: 'Hello, how are you?' },
      { role: 'user', content: 'Not great, honestly.' },
    ]);
  });

  it('compare mode prints both lanes; a refused endpoint is exit 1 with the reason', async () => {
    const r = await esc('chat', 'I feel alone.', '--mode', 'compare', '--json');
    assert.equal(r.code, 0, r.stderr);
    const out = JSON.parse(r.stdout) as { decoupled: ChatJson; vanilla: ChatJson };
    assert.ok(out.decoupled.reply && out.vanilla.reply && STRATEGIES.includes(out.vanilla.strategy as never));
    assert.equal(out.vanilla.latency_ms.planner, null);
    const closed = createServer();
    await new Promise<void>((res) => closed.listen(0, '127.0.0.1', res));
    const port = (closed.address() as AddressInfo).port;
    await new Promise<void>((res) => closed.close(() => res()));
    const refused = await esc('chat', 'hello', '--planner', `http://127.0.0.1:${port}/v1#sp`);
    assert.equal(refused.code, 1);
    assert.match(refused.stderr, /connection refused/i);
    assert.doesNotMatch(refused.stderr, /\n\s+at /, 'no stack trace');
  });

  it('bad input: one line on stderr and exit 2', async () => {
    const broken = path.join(t.dir, 'broken.json');
    writeFileSync(broken, '[{"speaker": "seeker", "text": "hi"');
    for (const [args, re] of [
      [['chat'], /seeker's message is required/],
      [['chat', 'hi', '--planner', 'ftp://x/v1'], /--planner: Invalid endpoint/],
      [['chat', 'hi', '--mode', 'joint'], /--mode must be/],
      [['chat', 'hi', '--history', path.join(t.dir, 'missing $(touch x).json')], /cannot read the history file/],
      [['chat', 'hi', '--history', broken], /neither JSON nor/],
      [['chat', 'hi', '--planner', `embedded:${t.dir}`], /cannot read manifest\.json/],
      [['train-embedded', '--out', t.dir], /--train <file> is required/],
      [
        ['train-embedded', '--train', path.join(DEMO_DATA, 'pref_planner_demo.json'), '--out', path.join(t.dir, 'm')],
        /train the embedded models from ESConv/,
      ],
    ] as [string[], RegExp][]) {
      const r = await esc(...args);
      assert.equal(r.code, 2, `${args.join(' ')}: ${r.stderr}`);
      assert.match(r.stderr, re);
      // progress lines ("… Reading …") go to stderr too; the error itself is one line
      assert.equal(
        r.stderr
          .trim()
          .split('\n')
          .filter((l) => !l.startsWith('… ')).length,
        1,
        r.stderr,
      );
    }
  });
});

describe('esc train-embedded', () => {
  it('--json on the real splits: majority, SFT and DPO scores; both beat the majority class', { skip: sharedData.skip }, async () => {
    const out = path.join(t.dir, 'val model');
    const r = await esc(
      'train-embedded',
      '--train',
      sharedFile('ESC_sft_val.json'),
      '--test',
      sharedFile('ESC_sft_test.json'),
      '--out',
      out,
      '--json',
    );
    assert.equal(r.code, 0, r.stderr);
    const j = JSON.parse(r.stdout) as Record<'majority' | 'sft' | 'dpo', { accuracy: number; weighted_f1: number; macro_f1: number }>;
    for (const k of ['majority', 'sft', 'dpo'] as const) {
      for (const m of ['accuracy', 'weighted_f1', 'macro_f1'] as const) assert.ok(j[k][m] >= 0 && j[k][m] <= 1);
    }
    assert.ok(j.sft.accuracy > j.majority.accuracy && j.dpo.accuracy > j.majority.accuracy);
    // and the folder serves esc chat
    const chat = await esc(
      'chat',
      'hello, I am stressed about exams',
      '--planner',
      `embedded:${out}`,
      '--generator',
      `embedded:${out}`,
      '--json',
    );
    assert.equal(chat.code, 0, chat.stderr);
  });
});
