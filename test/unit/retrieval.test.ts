// The embedded retrieval generator (issue 13): relevance to the seeker's latest words, no greeting or
// closing line out of place, Regenerate offering distinct replies (seeded: reproducible), the vanilla
// lane retrieving strategy and reply together, the BM25 formula by hand on a tiny bank, and the
// acceptance figure on the paper's splits (F1 >= 17.5, ROUGE-L >= 15.3 in generator-gold mode).

import * as assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { createEngines, EmbeddedGenerator, EmbeddedJoint, type EmbeddedEngines } from '../../src/core/embedded/backend';
import { loadEmbeddedModels, type EmbeddedModels } from '../../src/core/embedded/modelFolder';
import {
  ANY_STRATEGY,
  BM25_B,
  BM25_K1,
  buildBank,
  RESPONSE_FIELD_WEIGHT,
  relevanceScores,
  retrieve,
} from '../../src/core/embedded/retrieval';
import { trainEmbedded } from '../../src/core/embedded/trainEmbedded';
import { readExamples } from '../../src/core/embedded/trainingData';
import { metricTokens } from '../../src/core/eval/evaluate';
import { rougeL, unigramF1 } from '../../src/core/eval/textMetrics';
import { runLanes } from '../../src/core/playground/pipeline';
import { generatorSystemPrompt, VANILLA_SYSTEM_PROMPT } from '../../src/core/prompts';
import { STRATEGIES, strategyId, type Strategy } from '../../src/core/strategies';
import type { DialogueTurn, Planner } from '../../src/core/dialogue/types';
import { sharedData, sharedFile, tempDir } from './helpers';

/** Hand-written dialogues (sft-vanilla): three topics, each opened with a greeting and closed with a farewell. */
const DIALOGUES: [string, string][][] = [
  [
    ['user', 'Hi'],
    ['assistant', '[Question] Hello, how are you doing today?'],
    ['user', 'I lost my job last week and I feel useless'],
    ['assistant', '[Reflection of feelings] Losing a job can make you feel useless and scared about money.'],
    ['user', 'yes I am worried about paying the rent'],
    ['assistant', '[Providing Suggestions] Maybe you could look at unemployment benefits to help with the rent.'],
    ['user', 'I also have a dog who keeps me company'],
    ['assistant', '[Others] Dogs are great company when times are hard.'],
    ['user', 'thank you, that helps. bye'],
    ['assistant', '[Others] You are welcome, take care and good luck with the job search!'],
  ],
  [
    ['user', 'hello'],
    ['assistant', '[Question] Hi there, what brings you here today?'],
    ['user', 'my girlfriend broke up with me and I am heartbroken'],
    ['assistant', '[Reflection of feelings] A breakup hurts so much, it sounds like you are heartbroken.'],
    ['user', 'we were together for five years'],
    ['assistant', '[Question] How long ago did the breakup happen?'],
    ['user', 'thanks for listening, goodbye'],
    ['assistant', '[Others] Take care of yourself, goodbye and all the best!'],
  ],
  [
    ['user', 'hey'],
    ['assistant', '[Question] Hey, how can I help you today?'],
    ['user', 'my exams are next week and I am stressed'],
    ['assistant', '[Reflection of feelings] Exams can be very stressful, I can hear how anxious you are about them.'],
    ['user', 'I cannot focus on studying'],
    ['assistant', '[Providing Suggestions] Try studying in short blocks with breaks so you can focus on your exams.'],
    ['user', 'I feel alone with all of this'],
    ['assistant', '[Reflection of feelings] Feeling alone while under so much pressure must be exhausting.'],
    ['user', 'thanks a lot, bye'],
    ['assistant', '[Others] Good luck with your exams, take care!'],
  ],
];

const dialogueFile = (): string =>
  JSON.stringify(
    DIALOGUES.map((d) => ({
      messages: [{ role: 'system', content: VANILLA_SYSTEM_PROMPT }, ...d.map(([role, content]) => ({ role, content }))],
    })),
  );

/** The same dialogues as generator SFT (one record per supporter turn, untagged history), each opened with "hi". */
const generatorFile = (): string =>
  JSON.stringify(
    DIALOGUES.flatMap((d) => {
      const messages = d.map(([role, content], i) => ({ role, content: i === 0 ? 'hi' : content.replace(/^\[[^\]]*\] /, '') }));
      return d.flatMap(([role, content], i) => {
        const tag = /^\[([^\]]*)\]/.exec(content);
        if (role !== 'assistant' || !tag) return [];
        return [{ messages: [{ role: 'system', content: generatorSystemPrompt(tag[1]!) }, ...messages.slice(0, i + 1)] }];
      });
    }),
  );

const seeker = (text: string): DialogueTurn => ({ speaker: 'seeker', text });
const supporter = (text: string): DialogueTurn => ({ speaker: 'supporter', text });
/** Mid-dialogue: the supporter has greeted and answered once. */
const midDialogue = (last: string): DialogueTurn[] => [
  seeker('hi'),
  supporter('Hello, how are you doing today?'),
  seeker('not great'),
  supporter('I am sorry to hear that.'),
  seeker(last),
];

async function replies(chunks: AsyncIterable<string>): Promise<string> {
  let s = '';
  for await (const c of chunks) s += c;
  return s;
}

describe('embedded retrieval on a hand-written bank', () => {
  const tmp = tempDir();
  let models: EmbeddedModels;
  let engines: EmbeddedEngines;
  before(async () => {
    const file = tmp.write('dialogues.json', dialogueFile());
    await trainEmbedded({ train: file, out: `${tmp.dir}/models` });
    models = await loadEmbeddedModels(`${tmp.dir}/models`);
    engines = await createEngines(models, 'typescript');
  });
  after(() => tmp.dispose());

  it('ranks the on-topic response above off-topic ones, and exposes its relevance', () => {
    const generator = new EmbeddedGenerator(models, engines);
    const job = generator.candidates(midDialogue('I was fired from my job and I feel so useless now'), 'Reflection of feelings');
    assert.match(job[0]!.text, /Losing a job/);
    assert.ok(job[0]!.relevance > 0.2, `relevance ${job[0]!.relevance}`);
    for (const other of job.slice(1)) assert.ok(other.relevance < job[0]!.relevance / 2, `${other.text}: ${other.relevance}`);
    const exams = generator.candidates(midDialogue('my exams start soon and I am so stressed'), 'Reflection of feelings');
    assert.match(exams[0]!.text, /Exams can be very stressful/);
    // strategy-masked: every candidate has the planned strategy
    for (const c of [...job, ...exams]) assert.equal(STRATEGIES[c.strategy], 'Reflection of feelings');
  });

  it('never offers a closing line mid-dialogue, nor a greeting; offers them where the dialogue is', async () => {
    const generator = new EmbeddedGenerator(models, engines);
    // the words match the farewells' ("good luck", "take care"), but the seeker is not leaving
    const mid = midDialogue('I need good luck with my job search, and to take care of my dog');
    const others = generator.candidates(mid, 'Others');
    assert.deepEqual(
      others.map((c) => c.text),
      ['Dogs are great company when times are hard.'],
    );
    const questions = generator.candidates(mid, 'Question').map((c) => c.text);
    assert.deepEqual(questions, ['How long ago did the breakup happen?'], 'no greeting mid-dialogue');
    // the seeker says goodbye: the bank's positions say closing lines answer that
    const ending = [...mid, supporter('Dogs are great company when times are hard.'), seeker('thank you so much, bye')];
    assert.match(await replies(generator.generate(ending, 'Others')), /take care/i);
    // the first turn: an opening
    assert.match(await replies(generator.generate([seeker('hello')], 'Question')), /^(Hello|Hi there|Hey)/);
  });

  it('a generator SFT file (one record per turn, every dialogue opened with "hi") gives the same positions as the dialogues', async () => {
    const out = `${tmp.dir}/from-generator`;
    await trainEmbedded({ train: tmp.write('generator.json', generatorFile()), out });
    const fromGenerator = (await loadEmbeddedModels(out)).bank;
    const flags = (b: typeof fromGenerator): string[] =>
      b.texts.map((t, i) => `${b.turns[i]}/${b.fromEnd[i]}/${b.greeting[i]}${b.closing[i]} ${t}`).sort();
    assert.deepEqual(flags(fromGenerator), flags(models.bank));
    assert.equal(
      fromGenerator.closing.reduce((a, b) => a + b, 0),
      3,
      'the three farewells',
    );
  });

  it('Regenerate gives three distinct replies in a row, the same ones again with the same seed', async () => {
    const history = midDialogue('I feel alone and stressed about everything');
    const planner: Planner = {
      label: 'fixed',
      plan: async () => ({ strategy: 'Reflection of feelings' as Strategy }),
    };
    const run = async (seed: number): Promise<string[]> => {
      const generator = new EmbeddedGenerator(models, engines);
      const joint = new EmbeddedJoint(models, engines);
      const avoid: string[] = [];
      for (let i = 0; i < 3; i++) {
        const [lane] = await runLanes(
          [{ lane: 'decoupled' }],
          history,
          { planner, generator, joint },
          {
            sampling: { decoupled: { avoid: [...avoid], temperature: 1, seed } },
          },
        );
        assert.equal(lane!.status, 'done', lane!.error?.message);
        assert.ok(lane!.retrieval && lane!.retrieval.relevance >= 0 && lane!.retrieval.relevance <= 1, JSON.stringify(lane!.retrieval));
        avoid.push(lane!.reply);
      }
      return avoid;
    };
    const first = await run(7);
    assert.equal(new Set(first).size, 3, first.join(' | '));
    assert.deepEqual(await run(7), first, 'seeded: reproducible');
    // temperature 0 is greedy: the best candidate first, then the next best
    const generator = new EmbeddedGenerator(models, engines);
    const ranked = generator.candidates(history, 'Reflection of feelings').map((c) => c.text);
    assert.equal(await replies(generator.generate(history, 'Reflection of feelings')), ranked[0]);
    // a regeneration ranks what is left (the offered reply no longer takes part in the consensus)
    const rest = generator.candidates(history, 'Reflection of feelings', new Set([ranked[0]!])).map((c) => c.text);
    assert.ok(!rest.includes(ranked[0]!));
    assert.equal(await replies(generator.generate(history, 'Reflection of feelings', undefined, { avoid: [ranked[0]!] })), rest[0]);
  });

  it('Regenerate keeps offering new replies past the rerank pool, and marks a repeat once every fitting reply was offered', async () => {
    // one dialogue with 14 mid-dialogue Question replies: more than the rerank pool of 10
    const questions = Array.from({ length: 14 }, (_, i) => `What part of the stress weighs on you most, number ${i + 1}?`);
    const turns: [string, string][] = [
      ['user', 'hi'],
      ['assistant', '[Others] Hello there.'],
      ...questions.flatMap((q, i): [string, string][] => [
        ['user', `I am stressed about work and money, point ${i + 1}`],
        ['assistant', `[Question] ${q}`],
      ]),
      ['user', 'bye'],
      ['assistant', '[Others] Take care, bye!'],
    ];
    const file = tmp.write(
      'questions.json',
      JSON.stringify([
        { messages: [{ role: 'system', content: VANILLA_SYSTEM_PROMPT }, ...turns.map(([role, content]) => ({ role, content }))] },
      ]),
    );
    await trainEmbedded({ train: file, out: `${tmp.dir}/questions` });
    const qModels = await loadEmbeddedModels(`${tmp.dir}/questions`);
    const generator = new EmbeddedGenerator(qModels, await createEngines(qModels, 'typescript'));
    const history = midDialogue('I am stressed about work and money');
    const offered: string[] = [];
    for (let i = 0; i < questions.length; i++) {
      let info: { repeated?: boolean; rank: number } | undefined;
      const reply = await replies(
        generator.generate(history, 'Question', undefined, {
          avoid: [...offered],
          temperature: 0.5,
          seed: 3,
          onRetrieved: (r) => (info = r),
        }),
      );
      assert.ok(!offered.includes(reply), `regeneration ${i + 1} repeated "${reply}"`);
      assert.ok(info && !info.repeated);
      offered.push(reply);
    }
    assert.deepEqual([...offered].sort(), [...questions].sort(), 'every Question reply, each once');
    let last: { repeated?: boolean } | undefined;
    const again = await replies(generator.generate(history, 'Question', undefined, { avoid: offered, onRetrieved: (r) => (last = r) }));
    assert.ok(questions.includes(again));
    assert.equal(last?.repeated, true, 'the 15th says it is a repeat');
  });

  it('the vanilla lane retrieves strategy and reply together, and differs from the decoupled lane when their strategies do', async () => {
    const joint = new EmbeddedJoint(models, engines);
    const history = midDialogue('I am worried about paying the rent since I lost my job');
    const candidates = joint.candidates(history);
    assert.ok(new Set(candidates.map((c) => c.strategy)).size > 1, 'scored across strategies');
    const answer = await replies(joint.respond(history));
    const best = candidates[0]!;
    assert.equal(answer, `[${STRATEGIES[best.strategy]}] ${best.text}`);
    assert.equal(STRATEGIES[best.strategy], 'Providing Suggestions');
    const planner: Planner = { label: 'fixed', plan: async () => ({ strategy: 'Question' as Strategy }) };
    const generator = new EmbeddedGenerator(models, engines);
    const [decoupled, vanilla] = await runLanes([{ lane: 'decoupled' }, { lane: 'vanilla' }], history, { planner, generator, joint });
    assert.equal(decoupled!.strategy, 'Question');
    assert.equal(vanilla!.strategy, 'Providing Suggestions');
    assert.notEqual(decoupled!.reply, vanilla!.reply);
    assert.ok(vanilla!.retrieval && decoupled!.retrieval);
  });
});

describe('the BM25 formula', () => {
  it('gives the hand-computed relevance on a two-response bank', () => {
    const bank = buildBank([
      { text: 'ok', strategy: 0, context: [seeker('job')], turn: 1, fromEnd: 1 },
      { text: 'fine', strategy: 0, context: [seeker('cat dog')], turn: 1, fromEnd: 1 },
    ]);
    // query "job": one term. idf = ln(1 + (N − df + 0.5) / (df + 0.5)) = ln(1 + 1.5/1.5) = ln 2.
    // context lengths: d0 = 1 ("job"), d1 = 1 + 1 + 0.6 ("cat", "dog", the bigram at 0.6) = 2.6; mean 1.8.
    // score(d0) = ln2 · tf(k1+1) / (tf + k1(1 − b + b·1/1.8)); the maximum is ln2 · (k1+1) · (1 + response weight).
    const expected = (BM25_K1 + 1) / (1 + BM25_K1 * (1 - BM25_B + BM25_B / 1.8)) / ((BM25_K1 + 1) * (1 + RESPONSE_FIELD_WEIGHT));
    const rel = relevanceScores(bank, [seeker('job')]);
    assert.ok(Math.abs(rel[0]! - expected) < 1e-12, `${rel[0]} vs ${expected}`);
    // 1 / ((1 + 1.2 · (0.25 + 0.75 / 1.8)) · (1 + 0.8)) = 1 / (1.8 · 1.8)
    assert.ok(Math.abs(expected - 1 / 3.24) < 1e-12, 'with k1 = 1.2, b = 0.75, response weight 0.8');
    assert.equal(rel[1], 0);
    // a query word found in the response itself counts too, at the response field's weight
    const echo = relevanceScores(bank, [seeker('fine')]);
    assert.ok(echo[1]! > 0 && echo[0] === 0);
    // ANY_STRATEGY retrieves across strategies; a strategy masks the others out
    assert.equal(retrieve(bank, [seeker('job')], { strategy: 1 }).length, 0);
    assert.equal(retrieve(bank, [seeker('job')], { strategy: ANY_STRATEGY }).length, 2);
  });
});

describe('the embedded generator on the paper’s splits', () => {
  it(
    'trained on ESC_sft_val.json, with gold strategies over ESC_sft_test.json: F1 >= 17.5 and ROUGE-L >= 15.3',
    { skip: sharedData.skip },
    async () => {
      const tmp = tempDir();
      try {
        await trainEmbedded({ train: sharedFile('ESC_sft_val.json'), test: sharedFile('ESC_sft_test.json'), out: `${tmp.dir}/m` });
        const models = await loadEmbeddedModels(`${tmp.dir}/m`);
        const generator = new EmbeddedGenerator(models, await createEngines(models, 'typescript'));
        const turns = (await readExamples(sharedFile('ESC_sft_test.json'))).examples;
        let f1 = 0;
        let rl = 0;
        for (const t of turns) {
          const [h, r] = [metricTokens(await replies(generator.generate(t.context, t.strategy))), metricTokens(t.text!)];
          f1 += unigramF1(h, r);
          rl += rougeL(h, r);
          assert.ok(strategyId(t.strategy) >= 0);
        }
        const [F1, RL] = [(100 * f1) / turns.length, (100 * rl) / turns.length];
        assert.ok(turns.length === 1792, `${turns.length} turns`);
        assert.ok(F1 >= 17.5 && RL >= 15.3, `F1 ${F1.toFixed(2)}, ROUGE-L ${RL.toFixed(2)}`);
      } finally {
        tmp.dispose();
      }
    },
  );
});
