// `npm run bench:mine [-- --delay <ms>]`: `esc mine`'s throughput against a local stand-in
// OpenAI-compatible server (test/fixtures/openaiStandIn.ts, on 127.0.0.1 in this process) that answers
// every chat completion after a fixed delay (20 ms unless --delay or ESC_BENCH_DELAY_MS says
// otherwise), so the figures measure the miner — the job pool, the checkpoint's synchronous appends,
// the HTTP client, the final writes — and not a model. The real CLI runs as a child process
// (dist/cli.js, built first when missing or older than esc mine) with all three roles and the judge
// (five calls per supporter turn: planner, generator, vanilla, and the judge after each of the last
// two) at concurrency 1, 8 and 32, over the paper's test split when ../shared/data/ESC_sft_test.json
// is beside the repo (ESC_SHARED_DATA names another folder), else the demo's vanilla SFT file.
// Concurrency 1 runs only the first 100 turns (--limit 100): the same measure in a tenth of the time.
//
// Printed per concurrency N: calls/s; the speed-up over concurrency 1 beside the target 0.8 × N (N
// capped at 16); and the client's overhead per call, the time each of the N workers spends on a call
// beyond the server's delay (seconds × N / calls − delay; target under 1 ms). Outputs go to .bench/.

import { spawn } from 'node:child_process';
import { rmSync } from 'node:fs';
import { cpus } from 'node:os';
import * as path from 'node:path';
import { StandIn } from '../../test/fixtures/openaiStandIn';
import { delayMs, fmt, OUT, prepareRun, roleRoutes, ROOT, runCli } from './standInRun';

const CONCURRENCY = [1, 8, 32] as const;
/** Turns run at concurrency 1. */
const SERIAL_LIMIT = 100;

const VERDICT = JSON.stringify({
  'Should the sample be retained': 'Yes',
  'Error Type in chosen reply': 'None',
  'Explanation for chosen reply error': 'none',
  'Error Type in rejected reply': 'Template Response',
  'Explanation for rejected reply error': 'a stock phrase',
});

/**
 * The bare HTTP client's own cost on this machine: `n` calls one at a time with the same client code
 * (completeChat, in a child process like the CLI), in ms per call beyond the server's delay. The
 * miner's overhead beyond it is the pool, the checkpoint and the pair files.
 */
async function bareClientMs(url: string, n: number, delay: number): Promise<number> {
  const code = `
    const { completeChat } = require(${JSON.stringify(path.join(ROOT, 'out', 'src', 'core', 'openai', 'chatCompletions.js'))});
    const { withEndpointDefaults } = require(${JSON.stringify(path.join(ROOT, 'out', 'src', 'core', 'openai', 'config.js'))});
    const cfg = withEndpointDefaults({ baseUrl: ${JSON.stringify(url)}, model: 'bench', apiKey: 'EMPTY', stream: false }, 'joint');
    (async () => {
      const signal = new AbortController().signal;
      await completeChat(cfg, [{ role: 'user', content: 'warm-up' }], { role: 'joint', signal });
      const t0 = performance.now();
      for (let i = 0; i < ${n}; i++) await completeChat(cfg, [{ role: 'user', content: 'call ' + i }], { role: 'joint', signal });
      process.stdout.write(String((performance.now() - t0) / ${n}));
    })();`;
  const child = spawn(process.execPath, ['-e', code], { stdio: ['ignore', 'pipe', 'inherit'] });
  let out = '';
  child.stdout.on('data', (d: Buffer) => (out += d.toString()));
  await new Promise((resolve) => child.on('close', resolve));
  return Number(out) - delay;
}

interface Result {
  concurrency: number;
  turns: number;
  calls: number;
  /** The runner's own time (esc mine --json `seconds`: reading the input and starting the models excluded). */
  seconds: number;
  wallSeconds: number;
}

async function main(): Promise<void> {
  const delay = delayMs(20);
  const input = prepareRun('is missing or predates esc mine', (cli) => !cli.includes('esc-mine-checkpoint'));

  const server = new StandIn();
  await server.start();
  const wait = { delayMs: delay };
  const results: Result[] = [];
  let bare: number;
  try {
    bare = await bareClientMs(
      server.route('bare', () => ({ ...wait, content: 'Question' })),
      200,
      delay,
    );
    console.log(`  the bare HTTP client, one call at a time: ${fmt(bare, 2)} ms a call beyond the delay`);
    for (const concurrency of CONCURRENCY) {
      const tag = `mine-c${concurrency}`;
      const { planner, generator, vanilla } = roleRoutes(server, tag, wait);
      const judge = server.route(`${tag}-judge`, () => ({ ...wait, content: VERDICT }));
      const out = path.join(OUT, tag);
      rmSync(out, { recursive: true, force: true });
      const limit = concurrency === 1 ? ['--limit', String(SERIAL_LIMIT)] : [];
      const r = await runCli([
        'mine',
        input,
        '--out',
        out,
        '--planner',
        `${planner}#bench`,
        '--generator',
        `${generator}#bench`,
        '--vanilla',
        `${vanilla}#bench`,
        '--judge',
        `${judge}#bench`,
        '--concurrency',
        String(concurrency),
        ...limit,
        '--json',
      ]);
      if (r.code !== 0) throw new Error(`esc mine (${tag}) exited ${r.code}: ${r.stderr.trim().split('\n').slice(-3).join(' / ')}`);
      const s = JSON.parse(r.stdout) as { turns: number; calls: number; seconds: number };
      results.push({ concurrency, turns: s.turns, calls: s.calls, seconds: s.seconds, wallSeconds: r.wallSeconds });
      server.bodies.clear();
      server.raw.clear();
      console.log(`  concurrency ${concurrency}: ${s.turns} turns, ${s.calls} calls in ${fmt(s.seconds, 2)} s`);
    }
  } finally {
    await server.close();
  }

  console.log(
    `\nesc mine (planner, generator, vanilla and judge: 5 calls a turn) against a stand-in server answering every call after ${delay} ms (${cpus().length} cores; the server runs in this process, the CLI as a child process).`,
  );
  console.log(`Concurrency 1 runs the first ${SERIAL_LIMIT} turns; the others run every turn. Target speed-up: 0.8 × N (N up to 16).`);
  console.log(
    `Client overhead / call = seconds × N / calls − ${delay} ms (target under 1 ms); the bare HTTP client's own share, measured alone one call at a time on this machine, is ${fmt(bare, 2)} ms, and "beyond the bare client" is the miner's own.`,
  );
  console.log(
    '| concurrency | turns | calls | calls/s | speed-up | target | client overhead / call | beyond the bare client | whole process |',
  );
  console.log('|---|---|---|---|---|---|---|---|---|');
  const base = results[0]!.calls / results[0]!.seconds;
  for (const r of results) {
    const rate = r.calls / r.seconds;
    const target = 0.8 * Math.min(r.concurrency, 16);
    const overheadMs = (r.seconds * 1000 * r.concurrency) / r.calls - delay;
    console.log(
      `| ${r.concurrency} | ${r.turns.toLocaleString('en-US')} | ${r.calls.toLocaleString('en-US')} | ${fmt(rate)} | ${fmt(rate / base, 2)}× | ${fmt(target, 1)}× ${rate / base >= target ? '✓' : '✗'} | ${fmt(overheadMs, 2)} ms ${overheadMs < 1 ? '✓' : '✗'} | ${fmt(overheadMs - bare, 2)} ms | ${fmt(r.wallSeconds, 2)} s |`,
    );
  }
}

void main().catch((err: unknown) => {
  console.error(err);
  process.exit(1);
});
