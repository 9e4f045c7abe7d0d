import * as assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { normalizeStrategy, splitStrategyTag, STRATEGIES, STRATEGY_COLORS, strategyId } from '../../src/core/strategies';

describe('strategies', () => {
  it('lists the 8 ESConv strategies in the fixed order with ids 0..7', () => {
    assert.deepEqual(
      [...STRATEGIES],
      [
        'Question',
        'Restatement or Paraphrasing',
        'Reflection of feelings',
        'Self-disclosure',
        'Affirmation and Reassurance',
        'Providing Suggestions',
        'Information',
        'Others',
      ],
    );
    assert.equal(strategyId('Others'), 7);
    assert.equal(new Set(Object.values(STRATEGY_COLORS)).size, 8, 'one distinct colour per strategy');
  });

  it('normalises exact, loose and off-list labels and says which', () => {
    assert.deepEqual(normalizeStrategy('Question'), { strategy: 'Question', id: 0, match: 'exact' });
    assert.deepEqual(normalizeStrategy('  reflection of Feelings '), { strategy: 'Reflection of feelings', id: 2, match: 'loose' });
    assert.deepEqual(normalizeStrategy('[Self disclosure]'), { strategy: 'Self-disclosure', id: 3, match: 'loose' });
    assert.deepEqual(normalizeStrategy('Direct Guidance'), { strategy: 'Providing Suggestions', id: 5, match: 'off-list' });
    assert.deepEqual(normalizeStrategy('Approval and Reassurance'), { strategy: 'Affirmation and Reassurance', id: 4, match: 'off-list' });
    assert.deepEqual(normalizeStrategy('Restatement'), { strategy: 'Restatement or Paraphrasing', id: 1, match: 'off-list' });
    assert.equal(normalizeStrategy('Empathy'), undefined);
    assert.equal(normalizeStrategy(''), undefined);
    // off-list labels as loosely written as the eight
    assert.deepEqual(normalizeStrategy(' [direct_guidance] '), { strategy: 'Providing Suggestions', id: 5, match: 'off-list' });
    assert.equal(normalizeStrategy('restatement-only'), undefined);
  });

  it('splits a vanilla reply into its tag and text', () => {
    assert.deepEqual(splitStrategyTag('[Question] How are you?'), {
      tag: 'Question',
      text: 'How are you?',
      normalized: { strategy: 'Question', id: 0, match: 'exact' },
    });
    const unknown = splitStrategyTag('[Hmm] text');
    assert.equal(unknown?.tag, 'Hmm');
    assert.equal(unknown?.normalized, undefined);
    assert.equal(splitStrategyTag('No tag here'), undefined);
  });
});
