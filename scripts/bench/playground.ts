// `npm run bench:playground`: latency of the embedded backend per turn, through onnxruntime-node and
// through a plain TypeScript implementation of the same math, side by side:
//   planner:   hashed features of a real dialogue context -> probabilities of the 8 strategies
//   generator: BM25 over a bank of 20,000 responses (TypeScript only since model format 2),
//              restricted to the planned strategy -> rerank -> pick
// plus memory with the models loaded. The planner is trained on the paper's validation split when
// ../shared/data is beside the repo (our demo data otherwise); the 20k bank repeats real contexts.

import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { createEngines, EmbeddedGenerator, EmbeddedPlanner } from '../../src/core/embedded/backend';
import { loadEmbeddedModels, writeEmbeddedModels } from '../../src/core/embedded/modelFolder';
import { contextFeatures } from '../../src/core/embedded/features';
import { type BankResponse } from '../../src/core/embedded/retrieval';
import { trainEmbedded } from '../../src/core/embedded/trainEmbedded';
import { readExamples, type Example } from '../../src/core/embedded/trainingData';
import { strategyId } from '../../src/core/strategies';

const ROOT = path.resolve(__dirname, '..', '..', '..');
const SHARED = path.resolve(ROOT, '..', 'shared', 'data');
const BANK = Number(process.env.ESC_BENCH_BANK ?? 20_000);
const TURNS = Number(process.env.ESC_BENCH_TURNS ?? 2_000);

const mb = (bytes: number): string => `${(bytes / 2 ** 20).toFixed(1)} MB`;

function percentiles(samples: number[]): { p50: number; p99: number; mean: number } {
  const s = [...samples].sort((a, b) => a - b);
  const at = (q: number): number => s[Math.min(s.length - 1, Math.floor(q * s.length))]!;
  return { p50: at(0.5), p99: at(0.99), mean: s.reduce((a, b) => a + b, 0) / s.length };
}

async function time(n: number, f: (i: number) => Promise<unknown>): Promise<number[]> {
  for (let i = 0; i < Math.min(50, n); i++) await f(i); // warm-up
  const out: number[] = [];
  for (let i = 0; i < n; i++) {
    const t0 = performance.now();
    await f(i);
    out.push(performance.now() - t0);
  }
  return out;
}

function bigBank(examples: Example[], size: number): BankResponse[] {
  return Array.from({ length: size }, (_, i) => {
    const e = examples[i % examples.length]!;
    // vary repeated contexts a little so rows differ
    const variant = Math.floor(i / examples.length);
    return {
      text: `${e.text ?? ''}${variant ? ` (${variant})` : ''}`,
      strategy: strategyId(e.strategy),
      context: [...e.context.slice(-2), { speaker: 'seeker', text: `variant ${variant}` }],
      turn: e.context.filter((t) => t.speaker === 'supporter').length,
      fromEnd: -1,
    };
  });
}

/** Child mode: memory of loading a model folder in a fresh process (RSS before, after models, after sessions). */
async function memoryChild(dir: string): Promise<void> {
  const gc = (globalThis as { gc?: () => void }).gc ?? (() => undefined);
  gc();
  const before = process.memoryUsage();
  const base = before.rss;
  const models = await loadEmbeddedModels(dir);
  const loaded = process.memoryUsage().rss;
  // what the models keep once the load's garbage (the parsed bank.json, the index's build lists) is collected
  gc();
  const after = process.memoryUsage();
  const retained = after.heapUsed - before.heapUsed + after.arrayBuffers - before.arrayBuffers;
  const collected = after.rss;
  const ort = await createEngines(models, 'onnxruntime');
  await ort.planner(contextFeatures([{ speaker: 'seeker', text: 'hello' }]));
  const sessions = process.memoryUsage().rss;
  console.log(JSON.stringify({ base, loaded, retained, collected, sessions }));
}

async function main(): Promise<void> {
  if (process.argv[2] === 'memory') return memoryChild(process.argv[3]!);
  const real = existsSync(path.join(SHARED, 'ESC_sft_val.json'));
  const trainFile = real ? path.join(SHARED, 'ESC_sft_val.json') : path.join(ROOT, 'demo', 'data', 'esconv_demo.json');
  const testFile = real ? path.join(SHARED, 'ESC_sft_test.json') : trainFile;
  const tmp = mkdtempSync(path.join(tmpdir(), 'esc-bench-'));
  try {
    const trained = await trainEmbedded({ train: trainFile, test: real ? testFile : undefined, out: path.join(tmp, 'trained') });
    const examples = (await readExamples(testFile)).examples;
    const pool = [...examples, ...(await readExamples(trainFile)).examples];
    const small = await loadEmbeddedModels(path.join(tmp, 'trained'));
    // the same planner with a 20k-response bank
    await writeEmbeddedModels(path.join(tmp, 'big'), small.planner, bigBank(pool, BANK), small.manifest);
    const models = await loadEmbeddedModels(path.join(tmp, 'big'));
    const ts = await createEngines(models, 'typescript');
    const ort = await createEngines(models, 'onnxruntime');
    if (ort.engine !== 'onnxruntime') throw new Error(`onnxruntime-node did not load: ${ort.fallbackReason}`);
    const mem = JSON.parse(
      execFileSync(process.execPath, ['--expose-gc', __filename, 'memory', path.join(tmp, 'big')], { encoding: 'utf8' }),
    ) as {
      base: number;
      loaded: number;
      retained: number;
      collected: number;
      sessions: number;
    };

    const contexts = Array.from({ length: TURNS }, (_, i) => examples[i % examples.length]!);
    const features = await time(TURNS, async (i) => contextFeatures(contexts[i]!.context));
    // the Playground's own per-turn path: the backends (context shaping, features, engine, argmax / pick)
    const [plannerO, plannerT] = [new EmbeddedPlanner(models, ort), new EmbeddedPlanner(models, ts)];
    const genT = new EmbeddedGenerator(models, ts);
    const drain = async (it: AsyncIterable<string>): Promise<void> => {
      for await (const chunk of it) void chunk;
    };
    const plannerOrt = await time(TURNS, (i) => plannerO.plan(contexts[i]!.context));
    const plannerTs = await time(TURNS, (i) => plannerT.plan(contexts[i]!.context));
    const genTurns = Math.min(TURNS, 500);
    const genTs = await time(genTurns, (i) => drain(genT.generate(contexts[i]!.context, contexts[i]!.strategy)));

    const row = (name: string, target: string, a: number[], b: number[]): string => {
      const [x, y] = [percentiles(a), percentiles(b)];
      return `| ${name} | ${x.p50.toFixed(3)} / ${x.p99.toFixed(3)} | ${y.p50.toFixed(3)} / ${y.p99.toFixed(3)} | ${(y.p50 / x.p50).toFixed(1)}x | ${target} |`;
    };
    console.log(
      `\nESC Studio — npm run bench:playground (${real ? 'planner trained on ../shared/data ESC_sft_val.json, contexts from ESC_sft_test.json' : 'demo data only: ../shared/data not found'})`,
    );
    console.log(
      `node ${process.version}, ${process.platform}/${process.arch}; ${TURNS} planner turns, ${genTurns} generator turns; one onnxruntime intra-op thread\n`,
    );
    console.log('| per turn, ms (p50 / p99) | onnxruntime-node | TypeScript, same math | TS ÷ ORT (p50) | target (p50) |');
    console.log('|---|---|---|---|---|');
    console.log(row('planner: one turn (features + forward pass + argmax)', '< 2 ms', plannerOrt, plannerTs));
    const g = percentiles(genTs);
    console.log(
      `\ngenerator (TypeScript only): one turn, ${BANK.toLocaleString('en')}-response bank (BM25 + position mask + rerank + pick): p50 ${g.p50.toFixed(3)} ms, p99 ${g.p99.toFixed(3)} ms (target < 10 ms)`,
    );
    const f = percentiles(features);
    console.log(`\nfeature hashing alone: p50 ${f.p50.toFixed(3)} ms, p99 ${f.p99.toFixed(3)} ms`);
    console.log(
      `\nmemory, fresh process (RSS): node alone ${mb(mem.base)}; + models read (planner 2^18×8 float weights = 8 MB, ${BANK.toLocaleString('en')}-response sparse BM25 bank) ${mb(mem.loaded - mem.base)} at the load's peak, of which the models keep ${mb(mem.retained)} (heap + buffers after GC); ` +
        `with onnxruntime-node and the planner session loaded: ${mb(mem.sessions)} in all`,
    );
    console.log(
      `\nplanner on ${real ? 'the test split' : 'a held-out demo dialogue'} (${trained.counts.testTurns} turns): majority ${(trained.majority.accuracy * 100).toFixed(1)}% · SFT ${(trained.sft.accuracy * 100).toFixed(1)}% acc, ${(trained.sft.weighted_f1 * 100).toFixed(1)}% w-F1, ${(trained.sft.macro_f1 * 100).toFixed(1)}% macro-F1 · SFT+DPO ${(trained.dpo.accuracy * 100).toFixed(1)}% / ${(trained.dpo.weighted_f1 * 100).toFixed(1)}% / ${(trained.dpo.macro_f1 * 100).toFixed(1)}% (${trained.counts.pairs} mined pairs)`,
    );
  } finally {
    rmSync(tmp, { recursive: true, force: true });
  }
}

void main().catch((e: unknown) => {
  console.error(e);
  process.exitCode = 1;
});
