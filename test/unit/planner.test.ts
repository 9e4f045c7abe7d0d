// The embedded planner's math (issue 5 groundwork): deterministic hashing, and trained on the real
// validation split / tested on the test split, SFT and SFT+DPO both beat the majority-class baseline.

import * as assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { describe, it } from 'node:test';
import { strategyScores } from '../../src/core/eval/strategyMetrics';
import { contextFeatures, FEATURE_DIM, fnv1a, type ContextTurn, type SparseVector } from '../../src/core/embedded/features';
import { PlannerModel, type PlannerPair, type PlannerSample } from '../../src/core/embedded/plannerModel';
import { splitStrategyTag } from '../../src/core/strategies';
import { sharedData, sharedFile } from './helpers';

/** One sample per supporter turn of a vanilla SFT file: the context before it and its strategy. */
function samplesOf(file: string): PlannerSample[] {
  const data = JSON.parse(readFileSync(sharedFile(file), 'utf8')) as { messages: { role: string; content: string }[] }[];
  const out: PlannerSample[] = [];
  for (const r of data) {
    const turns: ContextTurn[] = [];
    for (const m of r.messages.slice(1)) {
      if (m.role === 'user') {
        if (m.content.trim()) turns.push({ speaker: 'seeker', text: m.content });
        continue;
      }
      const tag = splitStrategyTag(m.content);
      const y = tag?.normalized?.id;
      if (y !== undefined) out.push({ x: contextFeatures(turns), y });
      turns.push({ speaker: 'supporter', text: tag?.text ?? m.content });
    }
  }
  return out;
}

describe('embedded planner (groundwork for the playground)', () => {
  it('feature hashing is 32-bit FNV-1a: the published test vectors (shipped model weights are indexed by it)', () => {
    // from the FNV reference test suite (Fowler, Noll, Vo)
    assert.equal(fnv1a(''), 0x811c9dc5);
    assert.equal(fnv1a('a'), 0xe40c292c);
    assert.equal(fnv1a('foobar'), 0xbf9cf968);
  });

  it('context features: unit length, case-blind words, recent turns weigh more, distant turns drop out', () => {
    const bucket = (key: string): number => fnv1a(key) & (FEATURE_DIM - 1);
    const weight = (x: SparseVector, key: string): number => {
      const i = x.indices.indexOf(bucket(key));
      return i < 0 ? 0 : x.values[i]!;
    };
    const seeker = (text: string): ContextTurn => ({ speaker: 'seeker', text });
    const supporter = (text: string): ContextTurn => ({ speaker: 'supporter', text });
    const x = contextFeatures([seeker('I lost my JOB.'), supporter('That is hard. What happened?'), seeker('They closed the office.')]);
    assert.ok(Math.abs(x.values.reduce((a, v) => a + v * v, 0) - 1) < 1e-6, 'L2-normalised');
    assert.ok(
      x.indices.every((v, i) => v < FEATURE_DIM && (i === 0 || v > x.indices[i - 1]!)),
      'sorted, unique, in range',
    );
    assert.deepEqual(contextFeatures([seeker('I LOST my Job')]), contextFeatures([seeker('i lost my job')]), 'case does not matter');
    // the same word from the seeker: the last turn counts 1, the one two turns back 1/3
    assert.ok(Math.abs(weight(x, 's1:office') / weight(x, 's1:job') - 3) < 1e-5);
    assert.ok(weight(x, 's2:lost my') > 0, 'word pairs too');
    assert.ok(weight(x, 'prev-supporter-question:true') > 0 && weight(x, 'last:seeker') > 0);
    // a turn six back (weight 1/7) no longer contributes its words
    const long = contextFeatures([seeker('ancient'), ...Array.from({ length: 6 }, (_, i) => seeker(`turn ${i}`))]);
    assert.equal(weight(long, 's1:ancient'), 0);
    assert.ok(weight(contextFeatures([seeker('ancient'), seeker('now')]), 's1:ancient') > 0);
  });

  it(
    'trained on the val split and tested on the test split: SFT and SFT+DPO beat the majority class; DPO raises the pair margins',
    { skip: sharedData.skip },
    () => {
      const train = samplesOf('ESC_sft_val.json');
      const test = samplesOf('ESC_sft_test.json');
      const counts = new Array<number>(8).fill(0);
      for (const s of train) counts[s.y]!++;
      const majority = counts.indexOf(Math.max(...counts));
      const gold = test.map((s) => s.y);
      const base = strategyScores(
        gold,
        test.map(() => majority),
      );
      const sft = new PlannerModel();
      sft.trainSft(train);
      const sftScores = strategyScores(
        gold,
        test.map((s) => sft.predict(s.x)),
      );
      // IPM-style mining: where the SFT planner disagrees with gold on its training data, gold is chosen
      const pairs: PlannerPair[] = train.flatMap((s) => {
        const p = sft.predict(s.x);
        return p === s.y ? [] : [{ x: s.x, chosen: s.y, rejected: p }];
      });
      const dpo = sft.clone();
      dpo.trainDpo(pairs, sft);
      const dpoScores = strategyScores(
        gold,
        test.map((s) => dpo.predict(s.x)),
      );
      const margin = (m: PlannerModel): number =>
        pairs.reduce((a, p) => a + m.logProb(p.x, p.chosen) - m.logProb(p.x, p.rejected), 0) / pairs.length;
      console.log(
        `planner on the test split (${test.length} turns): majority ${base.accuracy.toFixed(3)} acc; ` +
          `SFT ${sftScores.accuracy.toFixed(3)} acc / ${sftScores.weighted_f1.toFixed(3)} w-F1 / ${sftScores.macro_f1.toFixed(3)} macro-F1; ` +
          `SFT+DPO ${dpoScores.accuracy.toFixed(3)} / ${dpoScores.weighted_f1.toFixed(3)} / ${dpoScores.macro_f1.toFixed(3)} (${pairs.length} mined pairs)`,
      );
      assert.ok(sftScores.accuracy > base.accuracy, 'SFT beats the majority class');
      assert.ok(dpoScores.accuracy > base.accuracy, 'SFT+DPO beats the majority class');
      assert.ok(margin(dpo) > margin(sft), 'DPO raised the chosen-minus-rejected margin on its pairs');
      const probs = dpo.probabilities(test[0]!.x);
      assert.ok(Math.abs(probs.reduce((a, b) => a + b, 0) - 1) < 1e-9);
    },
  );
});
