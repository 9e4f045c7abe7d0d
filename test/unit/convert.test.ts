import * as assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { describe, it } from 'node:test';
import {
  emptyReport,
  flattenHistory,
  toGeneratorSft,
  toPlannerSft,
  toVanillaSft,
  type EsconvDialogue,
} from '../../src/core/convert/esconvToSft';
import { validateFile } from '../../src/core/dataset/validate';
import { generatorSystemPrompt, PLANNER_SYSTEM_PROMPT, VANILLA_SYSTEM_PROMPT } from '../../src/core/prompts';
import { sharedData, sharedFile, tempDir } from './helpers';

const dialogue: EsconvDialogue = {
  dialog: [
    { speaker: 'supporter', annotation: { strategy: 'Others' }, content: 'Hello there' },
    { speaker: 'seeker', annotation: {}, content: 'hi' },
    { speaker: 'seeker', annotation: {}, content: 'I failed an exam.' },
    { speaker: 'supporter', annotation: { strategy: 'Question' }, content: 'Which one?' },
    { speaker: 'supporter', annotation: { strategy: 'Direct Guidance' }, content: 'Take a breath first.' },
    { speaker: 'seeker', annotation: { feedback: '4' }, content: 'Maths.' },
    { speaker: 'supporter', annotation: { strategy: 'Reflection of feelings' }, content: 'That sounds disappointing.' },
    { speaker: 'seeker', annotation: {}, content: 'thanks' },
  ],
};

describe('ESConv -> SFT conversion', () => {
  it('vanilla: joins seeker turns, inserts " " placeholders, tags replies, maps and reports off-list labels', () => {
    const report = emptyReport(1);
    const [rec] = toVanillaSft([dialogue], report);
    assert.deepEqual(rec!.messages, [
      { role: 'system', content: VANILLA_SYSTEM_PROMPT },
      { role: 'user', content: 'hi\nI failed an exam.' },
      { role: 'assistant', content: '[Question] Which one?' },
      { role: 'user', content: ' ' },
      { role: 'assistant', content: '[Providing Suggestions] Take a breath first.' },
      { role: 'user', content: 'Maths.' },
      { role: 'assistant', content: '[Reflection of feelings] That sounds disappointing.' },
    ]);
    assert.deepEqual(report.mapped, { 'Direct Guidance': 1 });
    assert.equal(report.droppedLeadingSupporterTurns, 1);
    assert.equal(report.droppedTrailingSeekerTurns, 1);
  });

  it('planner and generator: one sample per supporter turn with the paper prompts', () => {
    const planner = toPlannerSft([dialogue]);
    assert.equal(planner.length, 3);
    assert.deepEqual(planner[2]!.messages, [
      { role: 'system', content: PLANNER_SYSTEM_PROMPT },
      { role: 'user', content: 'seeker: hi\nI failed an exam.\nsupporter: Which one?\nsupporter: Take a breath first.\nseeker: Maths.\n' },
      { role: 'assistant', content: 'Reflection of feelings' },
    ]);
    const generator = toGeneratorSft([dialogue]);
    assert.deepEqual(generator[1]!.messages, [
      { role: 'system', content: generatorSystemPrompt('Providing Suggestions') },
      { role: 'user', content: 'hi\nI failed an exam.' },
      { role: 'assistant', content: 'Which one?' },
      { role: 'user', content: ' ' },
      { role: 'assistant', content: 'Take a breath first.' },
    ]);
    assert.equal(flattenHistory([{ role: 'user', content: ' ' }]), '');
  });

  it('converting the real FailedESConv gives files that detect and validate as their kinds', { skip: sharedData.skip }, async () => {
    const raw = JSON.parse(readFileSync(sharedFile('FailedESConv.json'), 'utf8')) as EsconvDialogue[];
    const report = emptyReport(raw.length);
    const t = tempDir();
    try {
      const files: [string, unknown[]][] = [
        ['vanilla.json', toVanillaSft(raw, report)],
        ['planner.json', toPlannerSft(raw)],
        ['generator.json', toGeneratorSft(raw)],
      ];
      for (const [name, rows] of files) {
        const r = await validateFile(t.write(name, JSON.stringify(rows)));
        assert.equal(r.valid, true, `${name}: ${JSON.stringify(r.problems.slice(0, 2))}`);
        assert.equal(r.kind, `sft-${name.replace('.json', '')}`);
      }
      // Every off-list label in a converted turn is counted: reference count by a plain walk
      const expected: Record<string, number> = {};
      for (const d of raw) {
        const firstSeeker = d.dialog.findIndex((turn) => turn.speaker === 'speaker' || turn.speaker === 'seeker');
        d.dialog.forEach((turn, i) => {
          const label = turn.annotation?.strategy;
          if (
            i > firstSeeker &&
            firstSeeker >= 0 &&
            label &&
            ['Direct Guidance', 'Approval and Reassurance', 'Restatement'].includes(label)
          ) {
            expected[label] = (expected[label] ?? 0) + 1;
          }
        });
      }
      assert.deepEqual(report.mapped, expected);
      assert.deepEqual(Object.keys(report.mapped).sort(), ['Approval and Reassurance', 'Direct Guidance', 'Restatement']);
      assert.deepEqual(report.unmapped, {});
    } finally {
      t.dispose();
    }
  });
});
