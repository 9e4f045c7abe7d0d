// Per-format facts with one owner each (core/formats/esconv, flatHistory, accessors): every reader
// of a record (schema, statistics, viewer, conversion, embedded training data) must read it alike.

import * as assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { supporterTurns, toPlannerSft, type EsconvDialogue } from '../../src/core/convert/esconvToSft';
import { recordView } from '../../src/core/dataset/recordView';
import { summarize } from '../../src/core/dataset/summary';
import { turnsOfFlattened } from '../../src/core/dialogue/requests';
import { checkRecord } from '../../src/core/formats/schemas';
import { PLANNER_SYSTEM_PROMPT } from '../../src/core/prompts';

const esconv = (names: { seeker: string; supporter: string }): EsconvDialogue => ({
  emotion_type: 'anxiety',
  dialog: [
    { speaker: names.seeker, annotation: {}, content: 'I lost my job.' },
    { speaker: names.supporter, annotation: { strategy: 'Question' }, content: 'When did it happen?' },
    { speaker: names.seeker, annotation: {}, content: 'Last week.' },
    { speaker: names.supporter, annotation: { strategy: 'Reflection of feelings' }, content: 'That must be hard.' },
  ],
});

describe('ESConv speaker names', () => {
  const released = esconv({ seeker: 'seeker', supporter: 'supporter' });
  const failed = esconv({ seeker: 'speaker', supporter: 'listener' });

  it("FailedESConv's speaker/listener read as ESConv's seeker/supporter everywhere", () => {
    assert.deepEqual(checkRecord('esconv', failed), []);
    assert.deepEqual(summarize('esconv', failed), summarize('esconv', released));
    assert.deepEqual(recordView('esconv', failed), recordView('esconv', released));
    assert.deepEqual(supporterTurns([failed]), supporterTurns([released]));
    assert.equal(supporterTurns([failed]).length, 2);
  });

  it('a supporter turn without a strategy is invalid under either name; an unknown speaker name is invalid', () => {
    for (const supporter of ['supporter', 'listener']) {
      const d = structuredClone(esconv({ seeker: 'seeker', supporter }));
      delete d.dialog[1]!.annotation!.strategy;
      assert.deepEqual(
        checkRecord('esconv', d).map((i) => i.path),
        ['.dialog[1].annotation.strategy'],
      );
    }
    const other = esconv({ seeker: 'client', supporter: 'supporter' });
    assert.match(checkRecord('esconv', other)[0]!.message, /"seeker"\|"supporter"\|"speaker"\|"listener"/);
  });
});

describe('flattened planner history', () => {
  const planner = (history: string): Record<string, unknown> => ({
    messages: [
      { role: 'system', content: PLANNER_SYSTEM_PROMPT },
      { role: 'user', content: history },
      { role: 'assistant', content: 'Question' },
    ],
  });

  it('conversion writes it, and the viewer, the statistics and the training context read the same turns back', () => {
    const [sample] = toPlannerSft([
      {
        dialog: [
          { speaker: 'seeker', content: 'Hi.\nI feel low.' },
          { speaker: 'supporter', annotation: { strategy: 'Question' }, content: 'Why?' },
          { speaker: 'seeker', content: 'Work.' },
          { speaker: 'supporter', annotation: { strategy: 'Others' }, content: 'I see.' },
        ],
      },
    ]).slice(-1);
    const history = sample!.messages[1]!.content;
    const turns = [
      { speaker: 'seeker', text: 'Hi.\nI feel low.' },
      { speaker: 'supporter', text: 'Why?' },
      { speaker: 'seeker', text: 'Work.' },
    ];
    assert.deepEqual(turnsOfFlattened(history), turns);
    const view = recordView('sft-planner', sample);
    assert.deepEqual(view?.layout === 'dialogue' ? view.turns : undefined, turns);
    assert.equal(summarize('sft-planner', sample).turns, 3);
    assert.equal(summarize('sft-planner', sample).snippet, 'Work.');
  });

  it('a line holding a carriage return or a line separator is still a turn line, for every reader', () => {
    const history = 'seeker: one\r\nsupporter: two\u2028lines\nseeker: three\n';
    const turns = turnsOfFlattened(history);
    assert.deepEqual(
      turns.map((t) => t.speaker),
      ['seeker', 'supporter', 'seeker'],
    );
    const view = recordView('sft-planner', planner(history));
    assert.deepEqual(view?.layout === 'dialogue' ? view.turns : undefined, turns);
    assert.equal(summarize('sft-planner', planner(history)).turns, 3);
  });

  it('text before the first turn line: the viewer shows it as the seeker’s, the model context leaves it out', () => {
    const history = 'Earlier:\nsomething\nseeker: now\n';
    assert.deepEqual(turnsOfFlattened(history), [{ speaker: 'seeker', text: 'now' }]);
    const view = recordView('sft-planner', planner(history));
    assert.deepEqual(view?.layout === 'dialogue' ? view.turns : undefined, [
      { speaker: 'seeker', text: 'Earlier:\nsomething' },
      { speaker: 'seeker', text: 'now' },
    ]);
  });
});

describe('per-kind accessors', () => {
  it('a record is read from the conversation field its schema checks, not from a stray field of another layout', () => {
    // a sharegpt SFT record that also carries a "messages" note: the schema checks `conversations`
    const record = {
      messages: 'exported from the annotation tool',
      conversations: [
        { from: 'human', value: 'I cannot sleep.' },
        { from: 'gpt', value: '[Question] Since when?' },
      ],
    };
    assert.deepEqual(checkRecord('sft-vanilla', record), []);
    const s = summarize('sft-vanilla', record);
    assert.deepEqual(s.strategies, ['Question']);
    assert.equal(s.snippet, 'I cannot sleep.');
    const view = recordView('sft-vanilla', record);
    assert.deepEqual(view?.layout === 'dialogue' ? view.turns.map((t) => t.text) : undefined, ['I cannot sleep.', 'Since when?']);
  });

  it('a TRL pair whose prompt is one string: that string is the seeker’s turn', () => {
    const pair = { prompt: 'I cannot sleep.', chosen: '[Question] Since when?', rejected: '[Others] Ok.' };
    assert.deepEqual(checkRecord('pref-vanilla', pair), []);
    assert.equal(summarize('pref-vanilla', pair).turns, 1);
    const view = recordView('pref-vanilla', pair);
    assert.deepEqual(view?.layout === 'pair' ? view.context : undefined, [{ speaker: 'seeker', text: 'I cannot sleep.' }]);
  });
});
