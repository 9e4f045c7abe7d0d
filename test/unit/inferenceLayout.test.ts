// Inference outputs (FORMATS.md §5) keep the history the model saw under "conversations": the
// classifier, the viewer's record view, the statistics and validation must all read it from there,
// in either tag style. (A regression once read it from a field named "inference", which emptied the
// viewer's context and the turns histogram and failed every from/value record.)

import * as assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { recordShape } from '../../src/core/formats/classify';
import { recordView } from '../../src/core/dataset/recordView';
import { summarize } from '../../src/core/dataset/summary';
import { validateFile } from '../../src/core/dataset/validate';
import { tempDir } from './helpers';

const roleContent = {
  conversations: [
    { role: 'user', content: 'I lost my job last week.' },
    { role: 'assistant', content: 'That sounds really hard.' },
    { role: 'user', content: 'I do not know what to do.' },
  ],
  GT_strategy: 'Question',
  predict_strategy: 'Providing Suggestions',
  GT_content: 'What kind of work were you doing?',
  predict_content: 'You could update your resume.',
};

const fromValue = {
  ...roleContent,
  conversations: roleContent.conversations.map((m) => ({ from: m.role === 'user' ? 'human' : 'gpt', value: m.content })),
};

describe('inference records: the history is read from "conversations"', () => {
  it('classifies the conversation field and its tag style', () => {
    assert.deepEqual(recordShape(roleContent), { conversationKey: 'conversations', tags: 'role/content' });
    assert.deepEqual(recordShape(fromValue), { conversationKey: 'conversations', tags: 'from/value' });
  });

  for (const [style, record] of [
    ['role/content', roleContent],
    ['from/value', fromValue],
  ] as const) {
    it(`shows the three context turns in the viewer (${style})`, () => {
      const view = recordView('inference', record);
      assert.equal(view?.layout, 'inference');
      assert.deepEqual(view.layout === 'inference' ? view.context.map((t) => t.text) : [], [
        'I lost my job last week.',
        'That sounds really hard.',
        'I do not know what to do.',
      ]);
    });

    it(`counts its turns for the statistics (${style})`, () => {
      assert.equal(summarize('inference', record).turns, 3);
    });

    it(`validates (${style})`, async () => {
      const t = tempDir();
      try {
        const report = await validateFile(t.write('inference.json', JSON.stringify([record, record], null, 2)));
        assert.equal(report.kind, 'inference');
        assert.equal(report.invalidRecords, 0, JSON.stringify(report.problems));
        assert.equal(report.valid, true);
      } finally {
        t.dispose();
      }
    });
  }
});
