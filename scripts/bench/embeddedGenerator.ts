// `npm run bench:embedded`: the embedded retrieval generator by the paper's metrics, the acceptance
// figure of issue 13. Trained on the paper's validation split (as `esc train-embedded --train
// ESC_sft_val.json --test ESC_sft_test.json`), it answers every supporter turn of the test split with
// the gold strategy and the gold history (`esc infer --mode generator-gold`: temperature 0, the best
// candidate), scored as `esc eval` scores (NLTK tokens of the lowercased text; F1, ROUGE-L, BLEU-2),
// side by side with two scale baselines: a random response of the right strategy from the same bank
// (computed here, seeded) and the paper-scale Qwen2.5-7B SFT generator (quoted, not computed). Also the
// embedded joint (vanilla) lane, which picks its strategy itself, and the time per turn. Skipped with one
// line when ../shared/data (or ESC_SHARED_DATA) is absent.

import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { createEngines, EmbeddedGenerator, EmbeddedJoint } from '../../src/core/embedded/backend';
import { loadEmbeddedModels } from '../../src/core/embedded/modelFolder';
import { mulberry32 } from '../../src/core/util/random';
import { trainEmbedded } from '../../src/core/embedded/trainEmbedded';
import { readExamples } from '../../src/core/embedded/trainingData';
import { metricTokens } from '../../src/core/eval/evaluate';
import { bleuScores, rougeL, unigramF1 } from '../../src/core/eval/textMetrics';
import { splitStrategyTag, strategyId } from '../../src/core/strategies';

const ROOT = path.resolve(__dirname, '..', '..', '..');
const SHARED = process.env.ESC_SHARED_DATA || path.resolve(ROOT, '..', 'shared', 'data');
/** Issue 13's figures for scale: a Qwen2.5-7B generator SFT'd on the paper's data (F1, ROUGE-L). */
const QWEN_SFT = { f1: 20.8, rougeL: 18.1 };
/** The acceptance bar. */
const TARGET = { f1: 17.5, rougeL: 15.3 };
const RANDOM_SEEDS = [1, 2, 3];

interface Scores {
  f1: number;
  rougeL: number;
  bleu2: number;
}

class Averager {
  private sum = { f1: 0, rougeL: 0, bleu2: 0 };
  private n = 0;
  add(hyp: string, ref: string): void {
    const [h, r] = [metricTokens(hyp), metricTokens(ref)];
    this.sum.f1 += unigramF1(h, r);
    this.sum.rougeL += rougeL(h, r);
    this.sum.bleu2 += bleuScores(h, r)[1];
    this.n++;
  }
  /** ×100, as the paper and `esc eval` report them. */
  get(): Scores {
    const k = 100 / Math.max(1, this.n);
    return { f1: this.sum.f1 * k, rougeL: this.sum.rougeL * k, bleu2: this.sum.bleu2 * k };
  }
}

async function main(): Promise<void> {
  const [val, test] = ['ESC_sft_val.json', 'ESC_sft_test.json'].map((f) => path.join(SHARED, f)) as [string, string];
  if (!existsSync(val) || !existsSync(test)) {
    console.log(
      `bench:embedded skipped: needs ${SHARED}/ESC_sft_val.json and ESC_sft_test.json (the paper's splits; ESC_SHARED_DATA overrides)`,
    );
    return;
  }
  const tmp = mkdtempSync(path.join(tmpdir(), 'esc-bench-embedded-'));
  try {
    const trained = await trainEmbedded({ train: val, test, out: path.join(tmp, 'models') });
    const models = await loadEmbeddedModels(path.join(tmp, 'models'));
    const engines = await createEngines(models, 'typescript');
    const generator = new EmbeddedGenerator(models, engines);
    const joint = new EmbeddedJoint(models, engines);
    const turns = (await readExamples(test)).examples.filter((e) => e.text !== undefined);
    const text = async (chunks: AsyncIterable<string>): Promise<string> => {
      let s = '';
      for await (const c of chunks) s += c;
      return s;
    };

    const embedded = new Averager();
    const started = performance.now();
    for (const t of turns) embedded.add(await text(generator.generate(t.context, t.strategy)), t.text!);
    const msPerTurn = (performance.now() - started) / turns.length;

    // a random response of the gold strategy from the same bank, averaged over a few seeds
    const byStrategy = Array.from({ length: 8 }, (_, s) => models.bank.texts.filter((_, i) => models.bank.strategies[i] === s));
    const random = RANDOM_SEEDS.map((seed) => {
      const rnd = mulberry32(seed);
      const a = new Averager();
      for (const t of turns) {
        const pool = byStrategy[strategyId(t.strategy)]!;
        a.add(pool.length ? pool[Math.floor(rnd() * pool.length)]! : '', t.text!);
      }
      return a.get();
    });
    const randomMean: Scores = {
      f1: random.reduce((a, r) => a + r.f1, 0) / random.length,
      rougeL: random.reduce((a, r) => a + r.rougeL, 0) / random.length,
      bleu2: random.reduce((a, r) => a + r.bleu2, 0) / random.length,
    };

    const vanilla = new Averager();
    let rightStrategy = 0;
    const jointStarted = performance.now();
    for (const t of turns) {
      const answer = splitStrategyTag(await text(joint.respond(t.context)));
      if (answer?.normalized?.strategy === t.strategy) rightStrategy++;
      vanilla.add(answer?.text ?? '', t.text!);
    }
    const jointMs = (performance.now() - jointStarted) / turns.length;

    const e = embedded.get();
    const f = (x: number): string => x.toFixed(2).padStart(7);
    console.log(
      `\nESC Studio — npm run bench:embedded: bank of ${models.bank.texts.length} responses from ESC_sft_val.json; ${turns.length} supporter turns of ESC_sft_test.json, gold history\n`,
    );
    console.log('| generator (gold strategy) | F1 | ROUGE-L | BLEU-2 | ms / turn |');
    console.log('|---|---|---|---|---|');
    console.log(
      `| embedded retrieval (BM25 + rerank, temperature 0) | ${f(e.f1)} | ${f(e.rougeL)} | ${f(e.bleu2)} | ${msPerTurn.toFixed(2)} |`,
    );
    console.log(
      `| random reply of the right strategy (same bank, seeds ${RANDOM_SEEDS.join(', ')}) | ${f(randomMean.f1)} | ${f(randomMean.rougeL)} | ${f(randomMean.bleu2)} | – |`,
    );
    console.log(`| Qwen2.5-7B SFT (quoted for scale, issue 13) | ${f(QWEN_SFT.f1)} | ${f(QWEN_SFT.rougeL)} | – | – |`);
    const v = vanilla.get();
    console.log(
      `\nembedded joint (vanilla) lane, strategy retrieved with the reply: F1 ${v.f1.toFixed(2)}, ROUGE-L ${v.rougeL.toFixed(2)}, BLEU-2 ${v.bleu2.toFixed(2)}, strategy accuracy ${((100 * rightStrategy) / turns.length).toFixed(1)}%, ${jointMs.toFixed(2)} ms / turn`,
    );
    console.log(
      `planner on the test split: majority ${(100 * trained.majority.accuracy).toFixed(1)}% · SFT ${(100 * trained.sft.accuracy).toFixed(1)}% · SFT+DPO ${(100 * trained.dpo.accuracy).toFixed(1)}% accuracy`,
    );
    const ok = e.f1 >= TARGET.f1 && e.rougeL >= TARGET.rougeL;
    console.log(`\ntarget F1 >= ${TARGET.f1}, ROUGE-L >= ${TARGET.rougeL}: ${ok ? 'met' : 'NOT met'}`);
    if (!ok) process.exitCode = 1;
  } finally {
    rmSync(tmp, { recursive: true, force: true });
  }
}

main().catch((e: unknown) => {
  console.error(e);
  process.exitCode = 1;
});
