// The embedded planner's math (issue 5 groundwork): deterministic hashing, and trained on the real
// validation split / tested on the test split, SFT and SFT+DPO both beat the majority-class baseline.

import * as assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { describe, it } from 'node:test';
import { strategyScores } from '../../src/core/eval/strategyMetrics';
import { contextFeatures, fnv1a, type ContextTurn } from '../../src/core/embedded/features';
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
  it('feature hashing is deterministic', () => {
    assert.equal(fnv1a('seeker'), fnv1a('seeker'));
    assert.equal(fnv1a(''), 0x811c9dc5);
    const turns: ContextTurn[] = [{ speaker: 'seeker', text: 'I lost my job and I feel lost' }];
    assert.deepEqual(contextFeatures(turns), contextFeatures(turns));
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
