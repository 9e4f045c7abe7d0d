import * as assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { describe, it } from 'node:test';
import {
  generatorSystemPrompt,
  likelyPromptKind,
  paperPromptKind,
  PLANNER_SYSTEM_PROMPT,
  strategyOfGeneratorPrompt,
  VANILLA_SYSTEM_PROMPT,
} from '../../src/core/prompts';
import { STRATEGIES } from '../../src/core/strategies';
import { sharedData, sharedDoc, sharedDocs, sharedFile } from './helpers';

describe('paper prompts', () => {
  it('the vanilla system prompt is byte-identical to the one in the real SFT files', { skip: sharedData.skip }, () => {
    for (const name of ['ESC_sft_test.json', 'ESC_sft_val.json']) {
      const data = JSON.parse(readFileSync(sharedFile(name), 'utf8')) as { messages: { role: string; content: string }[] }[];
      const prompts = new Set(data.map((r) => r.messages[0]!.content));
      assert.deepEqual([...prompts], [VANILLA_SYSTEM_PROMPT], name);
    }
  });

  it('the planner and generator prompts are the ones in FORMATS.md', { skip: sharedDocs.skip }, () => {
    const formats = readFileSync(sharedDoc('FORMATS.md'), 'utf8');
    const blocks = [...formats.matchAll(/```\n([^`]+?)\n```/g)].map((m) => m[1]!.replace(/\\n/g, '\n'));
    assert.ok(blocks.includes(PLANNER_SYSTEM_PROMPT), 'SP prompt as in FORMATS.md');
    assert.ok(blocks.includes(generatorSystemPrompt('{reply_strategy}')), 'RG prompt as in FORMATS.md');
  });

  it('fills and recovers the generator strategy, and tells the prompts apart', () => {
    for (const s of STRATEGIES) {
      const p = generatorSystemPrompt(s);
      assert.equal(strategyOfGeneratorPrompt(p), s);
      assert.equal(paperPromptKind(p), 'generator');
    }
    assert.equal(paperPromptKind(PLANNER_SYSTEM_PROMPT), 'planner');
    assert.equal(paperPromptKind(VANILLA_SYSTEM_PROMPT), 'vanilla');
    assert.equal(paperPromptKind('You are helpful.'), undefined);
    assert.equal(strategyOfGeneratorPrompt('Be kind. Your current reference response strategy is Question.\nGo'), 'Question');
    assert.equal(likelyPromptKind('My own planner: you are an emotional strategy identifier.'), 'planner');
  });
});
