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

  it('the vanilla and generator prompts, written out (the planner prompt is pinned in records.test.ts)', () => {
    assert.equal(
      VANILLA_SYSTEM_PROMPT,
      "You are a psychologist with a professional background in psychology and mental health, providing empathic responses to help seekers' psychological problems and completing psychological counseling.\nYour response should flow naturally, avoid being too long or too short, avoid using overly instructional language, and make sure your response fits the client's needs and context. Specially, your response should consist of two parts: 1. The reply strategy 2. The corresponding reply content aligned with the strategy. The strategies include:[Question], [Restatement or Paraphrasing], [Reflection of feelings], [Self-disclosure], [Affirmation and Reassurance], [Providing Suggestions], [Information], [Others]. For example, the format of response:[your strategy] your reply content.\nThe conversation is as follows:\n",
    );
    const information =
      "You are a psychologist with a professional background in psychology and mental health, providing empathic responses to help seekers' psychological problems and completing psychological counseling.\nYour response should flow naturally, avoid being too long or too short, avoid using overly instructional language, and make sure your response fits the client's needs and context. You will be provided with a reference response strategy, and you are to generate reply content based on that strategy. For example, the format of response: <your reply content>. The strategies include:Question, Restatement or Paraphrasing, Reflection of feelings, Self-disclosure, Affirmation and Reassurance, Providing Suggestions, Information, Others. Your current reference response strategy is Information.\nThe conversation is as follows:\n";
    assert.equal(generatorSystemPrompt('Information'), information);
    assert.equal(strategyOfGeneratorPrompt(information), 'Information');
    assert.equal(paperPromptKind(information), 'generator');
    // every strategy reads back, also the ones with spaces and a hyphen
    for (const s of STRATEGIES) assert.equal(strategyOfGeneratorPrompt(generatorSystemPrompt(s)), s);
  });

  it('a prompt edited by a byte is no paper prompt, but is still recognised by the sentence that defines its role', () => {
    const edited = (p: string): string => p.replace('The conversation is as follows:', 'The dialogue follows:');
    for (const [prompt, kind] of [
      [PLANNER_SYSTEM_PROMPT, 'planner'],
      [VANILLA_SYSTEM_PROMPT, 'vanilla'],
      [generatorSystemPrompt('Question'), 'generator'],
    ] as const) {
      assert.equal(paperPromptKind(prompt + ' '), undefined, `${kind} with a trailing space`);
      assert.equal(likelyPromptKind(prompt + ' '), kind);
      assert.equal(likelyPromptKind(edited(prompt)), kind);
    }
    assert.equal(strategyOfGeneratorPrompt(edited(generatorSystemPrompt('Self-disclosure'))), 'Self-disclosure');
    assert.equal(strategyOfGeneratorPrompt('Be kind. Your current reference response strategy is Question.\nGo'), 'Question');
    assert.equal(likelyPromptKind('My own planner: you are an emotional strategy identifier.'), 'planner');
    assert.equal(paperPromptKind('You are helpful.'), undefined);
    assert.equal(likelyPromptKind('You are helpful.'), undefined);
  });
});
