// Builds demo/data from the project's own hand-written sources: the ESConv-layout dialogues in
// demo/data/esconv_demo.json and the alternative replies/judgements in demo/sources/alternatives.json.
// Deterministic: running it twice writes the same bytes. Run: npm run demo:data
// (The larger hand-written corpus in demo/sources/dialogues/ is not read here: the demo files stay small
// for the views; scripts/build.mjs trains the Playground's default embedded models on it.)

import { readFileSync, writeFileSync } from 'node:fs';
import * as path from 'node:path';
import {
  emptyReport,
  generatorMessages,
  plannerMessages,
  supporterTurns,
  tagged,
  toGeneratorSft,
  toPlannerSft,
  toVanillaSft,
  vanillaMessages,
  type EsconvDialogue,
  type SupporterTurn,
} from '../src/core/convert/esconvToSft';
import type { ChatMessage } from '../src/core/formats/messages';

const ROOT = path.resolve(__dirname, '..', '..');
const DATA = path.join(ROOT, 'demo', 'data');

interface Alternatives {
  generator_rejections: { dialogue: number; turn: number; rejected: string }[];
  planner_rejections: { dialogue: number; turn: number; rejected_strategy: string; rejected: string }[];
  judgements: {
    dialogue: number;
    turn: number;
    retain: 'Yes' | 'No';
    chosen_error: string;
    chosen_explanation: string;
    rejected_error: string;
    rejected_explanation: string;
  }[];
  predictions: { dialogue: number; turn: number; predict_strategy: string; predict_content: string }[];
  error_annotations: {
    user_input: string;
    strategy: string;
    response: string;
    contains_error: 'Yes' | 'No';
    error_type: string;
    explanation: string;
    suggestion: string;
  }[];
}

const dialogues = JSON.parse(readFileSync(path.join(DATA, 'esconv_demo.json'), 'utf8')) as EsconvDialogue[];
const alt = JSON.parse(readFileSync(path.join(ROOT, 'demo', 'sources', 'alternatives.json'), 'utf8')) as Alternatives;
const report = emptyReport(dialogues.length);
const turns = supporterTurns(dialogues, report);
const byKey = new Map(turns.map((t) => [`${t.dialogue}:${t.rawTurn}`, t]));
const skipped: string[] = [];

function turnAt(dialogue: number, turn: number, what: string): SupporterTurn | undefined {
  const t = byKey.get(`${dialogue}:${turn}`);
  if (!t) skipped.push(`${what} ${dialogue}:${turn} (a supporter turn before the seeker's first turn has no SFT sample)`);
  return t;
}

const assistant = (content: string): ChatMessage => ({ role: 'assistant', content });
const json = (v: unknown): string => JSON.stringify(v, null, 2) + '\n';
const jsonl = (rows: unknown[]): string => rows.map((r) => JSON.stringify(r)).join('\n') + '\n';
const write = (name: string, text: string): void => {
  writeFileSync(path.join(DATA, name), text);
  console.log(`wrote demo/data/${name}`);
};

// SFT layouts, straight from the conversion core
write('sft_vanilla_demo.json', json(toVanillaSft(dialogues)));
write('sft_planner_demo.jsonl', jsonl(toPlannerSft(dialogues)));
write('sft_generator_demo.json', json(toGeneratorSft(dialogues)));
// The same vanilla data in LLaMA-Factory's sharegpt from/value tags with a system column
write(
  'sft_vanilla_sharegpt.json',
  json(
    toVanillaSft(dialogues).map(({ messages }) => ({
      conversations: messages.slice(1).map((m) => ({ from: m.role === 'user' ? 'human' : 'gpt', value: m.content })),
      system: messages[0]!.content,
    })),
  ),
);

// IPM-PrefDial style pairs
const plannerPairs = alt.planner_rejections.flatMap((r) => {
  const t = turnAt(r.dialogue, r.turn, 'planner rejection');
  return t ? [{ conversations: plannerMessages(t), chosen: assistant(t.strategy), rejected: assistant(r.rejected_strategy) }] : [];
});
write('pref_planner_demo.json', json(plannerPairs));

const generatorPair = (r: { dialogue: number; turn: number; rejected: string }) => {
  const t = turnAt(r.dialogue, r.turn, 'generator rejection');
  return t ? { conversations: generatorMessages(t), chosen: assistant(t.text), rejected: assistant(r.rejected) } : undefined;
};
write('pref_generator_demo.json', json(alt.generator_rejections.map(generatorPair).filter((p) => p !== undefined)));

const filtered = alt.judgements.flatMap((j) => {
  const source = alt.generator_rejections.find((r) => r.dialogue === j.dialogue && r.turn === j.turn);
  const pair = source && generatorPair(source);
  if (!pair) return [];
  return [
    {
      ...pair,
      remained: {
        'Should the sample be retained': j.retain,
        'Error Type in chosen reply': j.chosen_error,
        'Explanation for chosen reply error': j.chosen_explanation,
        'Error Type in rejected reply': j.rejected_error,
        'Explanation for rejected reply error': j.rejected_explanation,
      },
    },
  ];
});
write('pref_generator_filtered.json', json(filtered));

// Vanilla (entangled) pairs in TRL's conversational prompt/chosen/rejected layout
const vanillaPairs = alt.planner_rejections.flatMap((r) => {
  const t = turnAt(r.dialogue, r.turn, 'vanilla pair');
  return t
    ? [
        {
          prompt: vanillaMessages(t),
          chosen: [assistant(tagged(t.strategy, t.text))],
          rejected: [assistant(tagged(r.rejected_strategy, r.rejected))],
        },
      ]
    : [];
});
write('pref_vanilla_trl.jsonl', jsonl(vanillaPairs));

// Vanilla (VM) pairs in LLaMA-Factory's sharegpt ranking layout, what the demo's vanilla-dpo stage trains on:
// one pair per turn that has an alternative reply, in file order. The vanilla model's answer may miss the
// strategy (a planner rejection) or keep it with a weaker reply (a generator rejection): both are entangled
// in one "[Strategy] text" message, which is what the decoupled stages pull apart.
const vanillaAlternatives = [
  ...alt.planner_rejections.map((r) => ({ dialogue: r.dialogue, turn: r.turn, strategy: r.rejected_strategy, text: r.rejected })),
  ...alt.generator_rejections.map((r) => ({ dialogue: r.dialogue, turn: r.turn, strategy: undefined, text: r.rejected })),
].sort((a, b) => a.dialogue - b.dialogue || a.turn - b.turn);
const vanillaRankingPairs = vanillaAlternatives.flatMap((r) => {
  const t = turnAt(r.dialogue, r.turn, 'vanilla ranking pair');
  return t
    ? [
        {
          conversations: vanillaMessages(t),
          chosen: assistant(tagged(t.strategy, t.text)),
          rejected: assistant(tagged(r.strategy ?? t.strategy, r.text)),
        },
      ]
    : [];
});
write('pref_vanilla_demo.json', json(vanillaRankingPairs));

// Decoupled inference output over a few dialogues
const inference = alt.predictions.flatMap((p) => {
  const t = turnAt(p.dialogue, p.turn, 'prediction');
  return t
    ? [
        {
          conversations: generatorMessages(t).slice(1),
          GT_strategy: t.strategy,
          predict_strategy: p.predict_strategy,
          GT_content: t.text,
          predict_content: p.predict_content,
        },
      ]
    : [];
});
write('inference_demo.json', json(inference));

write(
  'error_stats_demo.json',
  json(
    alt.error_annotations.map((e) => ({
      'Contains Empathy Error': e.contains_error,
      'Error Type': e.error_type,
      'Brief Explanation': e.explanation,
      'Improvement Suggestion': e.suggestion,
      user_input: e.user_input,
      strategy: e.strategy,
      response: e.response,
    })),
  ),
);

console.log(`conversion: ${JSON.stringify(report)}`);
if (skipped.length > 0) console.log(`skipped:\n  ${skipped.join('\n  ')}`);
