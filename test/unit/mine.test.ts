// `esc mine` against a stand-in OpenAI-compatible server in this process: the pairs of every role equal,
// record for record, what FORMATS.md §7 prescribes (the expectation is built below from the raw
// messages, independently of the miner), in file order at concurrency 8; the judge's verdicts (a
// malformed answer retried, then reported, never a "No"); faults (HTTP 500s, a stalled answer, the
// endpoint refusing connections mid-run, a SIGKILL then a rerun); the embedded models offline; bad inputs.

import * as assert from 'node:assert/strict';
import { existsSync, mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import type { Server } from 'node:http';
import * as path from 'node:path';
import { after, describe, it } from 'node:test';
import { PLACEHOLDER_USER_TURN } from '../../src/core/convert/esconvToSft';
import { PLACEHOLDER_USER } from '../../src/core/runs/paperRequests';
import { parseVerdict, retentionFields } from '../../src/core/runs/retentionJudge';
import { endpointIdentity } from '../../src/core/runs/roleModels';
import { StandIn, type Message } from '../fixtures/openaiStandIn';
import { DEMO_DATA, REPO_ROOT, sharedData, tempDir, threeTurnDialogue } from './helpers';
import { esc, escProcess, lastUser, readJson, RG, SP, useStandIn } from './runsFixtures';

const DEMO = path.join(DEMO_DATA, 'sft_vanilla_demo.json');
const t = tempDir();
after(() => t.dispose());

// ---------------------------------------------------------------------------------------------
// FORMATS.md §7, written out here (not imported from src/); §3's prompts are in runsFixtures.ts.

const STRATEGIES = [
  'Question',
  'Restatement or Paraphrasing',
  'Reflection of feelings',
  'Self-disclosure',
  'Affirmation and Reassurance',
  'Providing Suggestions',
  'Information',
  'Others',
];

/** §7: the text between the first "[" and the first "]"; what follows the first "]", stripped. */
const tagOf = (s: string): string => s.slice(s.indexOf('[') + 1, s.indexOf(']'));
const textOf = (s: string): string => (s.includes(']') ? s.slice(s.indexOf(']') + 1).trim() : s);

// The stand-in models: deterministic answers from the request alone.
const plannerAnswer = (flat: string): string => STRATEGIES[flat.length % 8]!;
const generatorAnswer = (messages: readonly Message[]): string => `gen ${messages.length}: ${messages[messages.length - 1]!.content}`;
const vanillaAnswer = (messages: readonly Message[]): string =>
  `[${STRATEGIES[messages.length % 8]!}] van ${messages[messages.length - 1]!.content.length}`;
/** The judge keeps a pair when its rejected reply has an even length. */
const keeps = (rejected: string): boolean => rejected.length % 2 === 0;
const verdict = (yes: boolean): Record<string, string> => ({
  'Should the sample be retained': yes ? 'Yes' : 'No',
  'Error Type in chosen reply': 'None',
  'Explanation for chosen reply error': 'warm and specific',
  'Error Type in rejected reply': yes ? 'Template Response' : 'None',
  'Explanation for rejected reply error': yes ? 'stock phrase' : 'fine',
});
/** A judge template of our own, so the judge route can read the rejected reply back. */
const TEMPLATE = 'Context:\n{context}\nSeeker: {seeker}\n<<C>>{chosen}<</C>>\n<<R>>{rejected}<</R>>\nAnswer in JSON.';
const rejectedIn = (prompt: string): string => /<<R>>([\s\S]*)<<\/R>>/.exec(prompt)![1]!;

interface Pair {
  conversations: Message[];
  chosen: Message;
  rejected: Message;
  remained?: Record<string, string>;
}

/** What §7 prescribes for a vanilla SFT file, role by role, in file order. */
function expectedPairs(records: readonly { messages: Message[] }[], judged: boolean): Record<string, Pair[]> {
  const out: Record<string, Pair[]> = { 'planner-pairs': [], 'planner-same': [], 'generator-pairs': [], 'vanilla-pairs': [] };
  const a = (content: string): Message => ({ role: 'assistant', content });
  const judge = (p: Pair): Pair => (judged ? { ...p, remained: verdict(keeps(p.rejected.content)) } : p);
  for (const { messages: m } of records) {
    m.forEach((msg, k) => {
      if (msg.role !== 'assistant') return;
      const gold = msg.content;
      const history = m.slice(1, k);
      const flat = history.map((x) => (x.role === 'user' ? `seeker: ${x.content}\n` : `supporter: ${textOf(x.content)}\n`)).join('');
      const sp: Pair = {
        conversations: [
          { role: 'system', content: SP },
          { role: 'user', content: flat },
        ],
        chosen: a(tagOf(gold)),
        rejected: a(plannerAnswer(flat)),
      };
      out[sp.chosen.content === sp.rejected.content ? 'planner-same' : 'planner-pairs']!.push(sp);
      const rg = [{ role: 'system', content: RG(tagOf(gold)) }, ...history.map((x) => (x.role === 'user' ? x : a(textOf(x.content))))];
      out['generator-pairs']!.push(judge({ conversations: rg, chosen: a(textOf(gold)), rejected: a(generatorAnswer(rg)) }));
      const vm = m.slice(0, k);
      out['vanilla-pairs']!.push(judge({ conversations: vm, chosen: a(gold), rejected: a(vanillaAnswer(vm)) }));
    });
  }
  if (judged) {
    for (const role of ['generator', 'vanilla']) {
      out[`${role}-pairs.retained`] = out[`${role}-pairs`]!.filter((p) => p.remained!['Should the sample be retained'] === 'Yes');
    }
  }
  return out;
}

const demoRecords = (): { messages: Message[] }[] => readJson(DEMO) as { messages: Message[] }[];

/** The pair counts in `esc mine --json`'s summary. */
interface PairCounts {
  pairs: { planner: { different: number; same: number }; generator: number; vanilla: number };
}

/** The role options for stand-in routes, in the CLI's order: `--planner <url>#sp` and so on (models sp, rg, vm, j). */
function roleArgs(urls: { planner?: string; generator?: string; vanilla?: string; judge?: string }): string[] {
  const model = { planner: 'sp', generator: 'rg', vanilla: 'vm', judge: 'j' } as const;
  return (Object.keys(model) as (keyof typeof model)[]).flatMap((role) =>
    urls[role] ? [`--${role}`, `${urls[role]}#${model[role]}`] : [],
  );
}

/** Waits until the run's checkpoint has more than `lines` lines (or the run has ended), then sends it `signal`. */
async function signalMidRun(
  run: ReturnType<typeof escProcess>,
  dir: string,
  lines: number,
  signal: NodeJS.Signals,
): ReturnType<typeof escProcess>['done'] {
  const cp = path.join(dir, 'mine.checkpoint.jsonl');
  let exited = false;
  void run.done.then(() => (exited = true));
  while (!exited && !(existsSync(cp) && readFileSync(cp, 'utf8').split('\n').length > lines)) await new Promise((r) => setTimeout(r, 10));
  run.child.kill(signal);
  return run.done;
}

describe('esc mine', () => {
  const server = useStandIn();
  const template = t.write('template.txt', TEMPLATE);

  /** Routes for the three roles and the judge, each answering after `delay()` ms. */
  function models(tag: string, delay: () => number = () => 0): string[] {
    const wait = (): { delayMs?: number } => ({ delayMs: delay() });
    const sp = server.route(`${tag}-sp`, (b) => ({ content: plannerAnswer(lastUser(b)), ...wait() }));
    const rg = server.route(`${tag}-rg`, (b) => ({ content: generatorAnswer(b.messages), ...wait() }));
    const vm = server.route(`${tag}-vm`, (b) => ({ content: vanillaAnswer(b.messages), ...wait() }));
    const judge = server.route(`${tag}-judge`, (b) => ({ content: JSON.stringify(verdict(keeps(rejectedIn(lastUser(b))))), ...wait() }));
    return ['--planner', `${sp}#sp`, '--generator', `${rg}#rg`, '--vanilla', `${vm}#vm`, '--judge', `${judge}#judge`];
  }

  function assertFiles(dir: string, expected: Record<string, Pair[]>): void {
    for (const [name, pairs] of Object.entries(expected)) {
      const got = readJson(path.join(dir, `${name}.json`)) as Pair[];
      assert.equal(got.length, pairs.length, name);
      got.forEach((p, k) => assert.deepEqual(p, pairs[k], `${name} #${k}`));
    }
  }

  /** The demo's vanilla pairs in `dir`, unjudged, as §7 prescribes. */
  function assertDemoVanillaPairs(dir: string): void {
    assertFiles(dir, { 'vanilla-pairs': expectedPairs(demoRecords(), false)['vanilla-pairs']! });
  }

  it('the demo file: every role’s pairs as §7 prescribes, in file order at concurrency 8, judged', async () => {
    const dir = path.join(t.dir, 'demo');
    const r = await esc(
      'mine',
      DEMO,
      '--out',
      dir,
      ...models('demo', () => Math.floor(Math.random() * 15)),
      '--judge-template',
      template,
      '--concurrency',
      '8',
      '--json',
    );
    assert.equal(r.code, 0, r.err.join('\n'));
    const records = demoRecords();
    const expected = expectedPairs(records, true);
    assertFiles(dir, expected);
    assert.ok(expected['planner-pairs']!.length > 0 && expected['planner-same']!.length > 0, 'both planner files have pairs');
    assert.ok(expected['generator-pairs.retained']!.length > 0 && expected['generator-pairs.retained']!.length < 93);
    assert.deepEqual(Object.keys((readJson(path.join(dir, 'generator-pairs.json')) as object[])[0]!), [
      'conversations',
      'chosen',
      'rejected',
      'remained',
    ]);
    for (const role of ['sp', 'rg', 'vm', 'judge']) assert.equal(server.maxInFlight.get(`demo-${role}`)! <= 8, true);
    const inFlight = ['sp', 'rg', 'vm', 'judge'].reduce((n, role) => n + server.maxInFlight.get(`demo-${role}`)!, 0);
    assert.ok(inFlight >= 8, 'calls overlap');
    // the judge is asked at temperature 0, one user message with the pair filled into the template
    const judgeBody = server.bodies.get('demo-judge')![0]!;
    assert.equal(judgeBody.temperature, 0);
    assert.equal(judgeBody.top_p, undefined);
    assert.equal(judgeBody.messages.length, 1);
    const s = JSON.parse(r.out.join('\n')) as PairCounts & {
      planner_confusion: Record<string, Record<string, number>>;
      judge: { judged: number; retained: number; retention_rate: number; errors: object };
      calls: number;
      retries: number;
    };
    assert.deepEqual(s.pairs, {
      planner: { different: expected['planner-pairs']!.length, same: expected['planner-same']!.length },
      generator: 93,
      vanilla: 93,
    });
    const confusion: Record<string, Record<string, number>> = {};
    for (const p of expected['planner-pairs']!) {
      const row = (confusion[p.chosen.content] ??= {});
      row[p.rejected.content] = (row[p.rejected.content] ?? 0) + 1;
    }
    assert.deepEqual(s.planner_confusion, confusion);
    const retained = expected['generator-pairs.retained']!.length + expected['vanilla-pairs.retained']!.length;
    assert.equal(s.judge.judged, 186);
    assert.equal(s.judge.retained, retained);
    assert.equal(s.judge.retention_rate, retained / 186);
    assert.deepEqual(s.judge.errors, {});
    assert.equal(s.calls, 93 * 3 + 186);
    assert.equal(s.retries, 0);
    assert.ok(
      r.err.some((l) => /^esc mine: planner 93\/93 · generator 93\/93 · vanilla 93\/93 · judge 186\/186 · [\d.]+ calls\/s · ETA/.test(l)),
    );

    // rerun: no call, the same files (its own outputs, vouched for by its checkpoint)
    const before = readFileSync(path.join(dir, 'vanilla-pairs.json'), 'utf8');
    const again = await esc('mine', DEMO, '--out', dir, ...models('demo'), '--judge-template', template, '--json');
    assert.equal(again.code, 0, again.err.join('\n'));
    assert.equal((JSON.parse(again.out.join('\n')) as { calls: number }).calls, 0);
    assert.equal(readFileSync(path.join(dir, 'vanilla-pairs.json'), 'utf8'), before);
    // the same model names served elsewhere are other models: the old answers are not resumed
    const moved = await esc('mine', DEMO, '--out', dir, ...models('demo-moved'), '--judge-template', template, '--json');
    assert.equal(moved.code, 2);
    assert.match(moved.err[0]!, /mine\.checkpoint\.jsonl belongs to another run/);
    assert.equal(server.bodies.get('demo-moved-sp'), undefined);
  });

  it('the pairs of the demo’s second turn, written out literally', async () => {
    const dir = path.join(t.dir, 'literal');
    const sp = server.route('literal-sp', () => ({ content: 'Question' }));
    const rg = server.route('literal-rg', () => ({ content: 'G' }));
    const vm = server.route('literal-vm', () => ({ content: '[Question] V' }));
    const r = await esc(
      'mine',
      DEMO,
      '--out',
      dir,
      ...roleArgs({ planner: sp, generator: rg, vanilla: vm }),
      '--limit',
      '2',
      '--concurrency',
      '1',
    );
    assert.equal(r.code, 0, r.err.join('\n'));
    const VM_SYSTEM =
      "You are a psychologist with a professional background in psychology and mental health, providing empathic responses to help seekers' psychological problems and completing psychological counseling.\nYour response should flow naturally, avoid being too long or too short, avoid using overly instructional language, and make sure your response fits the client's needs and context. Specially, your response should consist of two parts: 1. The reply strategy 2. The corresponding reply content aligned with the strategy. The strategies include:[Question], [Restatement or Paraphrasing], [Reflection of feelings], [Self-disclosure], [Affirmation and Reassurance], [Providing Suggestions], [Information], [Others]. For example, the format of response:[your strategy] your reply content.\nThe conversation is as follows:\n";
    const U1 = { role: 'user', content: 'Hi, is anyone there?' };
    const U2 = {
      role: 'user',
      content: "Not great honestly. My company just announced a round of layoffs and nobody knows who's going yet.",
    };
    const planner = readJson(path.join(dir, 'planner-pairs.json')) as Pair[];
    assert.equal(planner.length, 2);
    assert.deepEqual(readJson(path.join(dir, 'planner-same.json')), []);
    assert.deepEqual(planner[1], {
      conversations: [
        { role: 'system', content: SP },
        {
          role: 'user',
          content:
            "seeker: Hi, is anyone there?\nsupporter: Hello! Yes, I'm here. How are you doing today?\nseeker: Not great honestly. My company just announced a round of layoffs and nobody knows who's going yet.\n",
        },
      ],
      chosen: { role: 'assistant', content: 'Reflection of feelings' },
      rejected: { role: 'assistant', content: 'Question' },
    });
    assert.deepEqual((readJson(path.join(dir, 'generator-pairs.json')) as Pair[])[1], {
      conversations: [
        { role: 'system', content: RG('Reflection of feelings') },
        U1,
        { role: 'assistant', content: "Hello! Yes, I'm here. How are you doing today?" },
        U2,
      ],
      chosen: {
        role: 'assistant',
        content: 'That sounds really unsettling. Waiting without knowing can leave you feeling anxious all day long.',
      },
      rejected: { role: 'assistant', content: 'G' },
    });
    assert.deepEqual((readJson(path.join(dir, 'vanilla-pairs.json')) as Pair[])[1], {
      conversations: [
        { role: 'system', content: VM_SYSTEM },
        U1,
        { role: 'assistant', content: "[Others] Hello! Yes, I'm here. How are you doing today?" },
        U2,
      ],
      chosen: {
        role: 'assistant',
        content:
          '[Reflection of feelings] That sounds really unsettling. Waiting without knowing can leave you feeling anxious all day long.',
      },
      rejected: { role: 'assistant', content: '[Question] V' },
    });
    // and the requests were exactly the pairs' conversations, with the paper's sampling
    assert.deepEqual(server.bodies.get('literal-rg')![1], {
      model: 'rg',
      messages: (readJson(path.join(dir, 'generator-pairs.json')) as Pair[])[1]!.conversations,
      temperature: 0.7,
      top_p: 0.95,
    });
  });

  it('the real test split: every role’s pairs as §7 prescribes', { skip: sharedData.skip }, async () => {
    const file = sharedData.file('ESC_sft_test.json');
    const dir = path.join(t.dir, 'real');
    const r = await esc('mine', file, '--out', dir, ...models('real'), '--judge-template', template, '--concurrency', '32');
    assert.equal(r.code, 0, r.err.join('\n'));
    const expected = expectedPairs(readJson(file) as { messages: Message[] }[], true);
    assert.equal(expected['vanilla-pairs']!.length, 1792);
    assertFiles(dir, expected);
  });

  it('only the roles given: planner alone writes the two planner files', async () => {
    const dir = path.join(t.dir, 'planner-only');
    const sp = server.route('only-sp', (b) => ({ content: plannerAnswer(lastUser(b)) }));
    const r = await esc('mine', DEMO, '--out', dir, '--planner', `${sp}#sp`);
    assert.equal(r.code, 0, r.err.join('\n'));
    assert.deepEqual(readdirSync(dir).sort(), ['mine.checkpoint.jsonl', 'planner-pairs.json', 'planner-same.json']);
    assert.match(r.out[0]!, /wrote planner-pairs\.json, planner-same\.json/);
  });

  describe('planner and generator pairs refuse a file without gold strategies, up front (exit 2, nothing written, no call)', () => {
    // the why and the what-instead of every refusal, written out here rather than imported
    const FROM = 'read from the "[Strategy] reply" tag of a vanilla SFT file’s assistant turns (FORMATS.md §2); ';
    const WHY = {
      planner: `planner pairs compare the SFT planner’s prediction with each supporter turn’s gold strategy, ${FROM}`,
      generator: `generator pairs fill the generator’s prompt with each supporter turn’s gold strategy, ${FROM}`,
      both: `planner pairs compare the SFT planner’s prediction with each supporter turn’s gold strategy and generator pairs fill the generator’s prompt with it, ${FROM}`,
    };
    const PASS = 'pass the tagged vanilla SFT file of the split instead (as esc convert esconv writes it, e.g. vanilla_train.json)';
    const dialogue = threeTurnDialogue;
    const untagged = ['Why do you feel low?', 'That sounds hard.', 'Maybe talk to a friend.'] as const;
    const partly = [
      ...dialogue(['[Question] Why do you feel low?', '[Reflection of feelings] That sounds hard.', '[Others] Okay.']),
      // no tag, an empty tag, a bracket naming no strategy: three turns without a gold strategy
      ...dialogue(['[Question] Why?', 'That sounds very hard, and I am here with you for it.', '[] Maybe talk.']),
      ...dialogue(['[sic] Hm.', '[Question] And then?', '[Others] Okay.']),
    ];

    /** Runs esc mine with `roles` (stand-in routes that must stay unasked) and checks the refusal. */
    const refused = async (
      name: string,
      file: string,
      roles: ('planner' | 'generator' | 'vanilla')[],
      expected: string,
      ...extra: string[]
    ) => {
      const urls = Object.fromEntries(roles.map((r) => [r, server.route(`${name}-${r}`, () => ({ content: 'should not be asked' }))]));
      const judge = server.route(`${name}-judge`, () => ({ content: 'should not be asked' }));
      const dir = path.join(t.dir, `${name}-out`);
      const withJudge = roles.some((r) => r !== 'planner') ? ['--judge', `${judge}#j`, '--judge-template', template] : [];
      const r = await esc('mine', file, '--out', dir, ...roleArgs(urls), ...withJudge, ...extra);
      assert.equal(r.code, 2, r.err.join('\n'));
      assert.deepEqual(r.err, [`esc mine: ${file}: ${expected}`]);
      assert.deepEqual(r.out, []);
      assert.equal(existsSync(dir), false, 'no output folder, no checkpoint, no pairs');
      for (const role of [...roles, 'judge']) assert.equal(server.bodies.get(`${name}-${role}`), undefined, `${role} was not asked`);
    };

    it('a vanilla-shaped file whose assistant turns carry no tag', async () => {
      const file = t.write('gold-none.json', JSON.stringify(dialogue([...untagged])));
      const none = 'none of its 3 supporter turns has a [Strategy] tag naming a strategy (an untagged file); ';
      await refused('gold-none-sp', file, ['planner'], `${none}${WHY.planner}${PASS}`);
      await refused('gold-none-rg', file, ['generator', 'vanilla'], `${none}${WHY.generator}${PASS}`);
      await refused('gold-none-all', file, ['planner', 'generator', 'vanilla'], `${none}${WHY.both}${PASS}`);
    });

    it('a planner or a generator SFT file (told by its system prompt)', async () => {
      await refused(
        'gold-sp-file',
        path.join(DEMO_DATA, 'sft_planner_demo.jsonl'),
        ['planner'],
        `this is a planner SFT file (record 0 has the SP system prompt): its assistant turns are strategy names, not tagged replies; ${WHY.planner}${PASS}`,
      );
      await refused(
        'gold-rg-file',
        path.join(DEMO_DATA, 'sft_generator_demo.json'),
        ['planner', 'generator'],
        `this is a generator SFT file (record 0 has the RG system prompt): its assistant turns are replies without a [Strategy] tag; ${WHY.both}${PASS}`,
      );
    });

    it('a file where some turns lack a strategy tag (empty or unknown brackets count as none): how many, the first; --limit does not skip the check', async () => {
      const file = t.write('gold-some.json', JSON.stringify(partly));
      const some =
        '3 of its 9 supporter turns have no [Strategy] tag naming a strategy, the first in record 1 (message 4: "That sounds very hard, and I am here wit…"); ';
      await refused('gold-some-sp', file, ['planner'], `${some}${WHY.planner}tag those turns, or ${PASS}`, '--limit', '3');
      await refused('gold-some-rg', file, ['generator', 'vanilla'], `${some}${WHY.generator}tag those turns, or ${PASS}`);
    });

    it('the same dialogues tagged still mine: a planner and a generator pair for every turn, each gold strategy in them', async () => {
      const tagged = [
        ...dialogue(['[Question] Why do you feel low?', '[Reflection of feelings] That sounds hard.', '[Others] Okay.']),
        ...dialogue(['[Question] Why?', '[Affirmation and Reassurance] That sounds very hard.', '[ others ] Maybe talk.']),
      ];
      const file = t.write('gold-tagged.json', JSON.stringify(tagged));
      const dir = path.join(t.dir, 'gold-tagged-out');
      const sp = server.route('gold-tagged-sp', (b) => ({ content: plannerAnswer(lastUser(b)) }));
      const rg = server.route('gold-tagged-rg', (b) => ({ content: generatorAnswer(b.messages) }));
      const r = await esc('mine', file, '--out', dir, ...roleArgs({ planner: sp, generator: rg }), '--concurrency', '1', '--json');
      assert.equal(r.code, 0, r.err.join('\n'));
      const s = JSON.parse(r.out.join('\n')) as PairCounts;
      assert.equal(s.pairs.planner.different + s.pairs.planner.same, 6);
      assert.equal(s.pairs.generator, 6);
      assert.deepEqual(
        server.bodies.get('gold-tagged-rg')!.map((b) => b.messages[0]!.content),
        ['Question', 'Reflection of feelings', 'Others', 'Question', 'Affirmation and Reassurance', ' others '].map(RG),
      );
      const expected = expectedPairs(tagged, false);
      assertFiles(dir, {
        'planner-pairs': expected['planner-pairs']!,
        'planner-same': expected['planner-same']!,
        'generator-pairs': expected['generator-pairs']!,
      });
    });

    it('vanilla pairs alone need no gold strategy: an untagged and a partly tagged file still mine (as before)', async () => {
      for (const [name, records] of [
        ['gold-none-vm', dialogue([...untagged])],
        ['gold-some-vm', partly],
      ] as const) {
        const file = t.write(`${name}.json`, JSON.stringify(records));
        const dir = path.join(t.dir, `${name}-out`);
        const vm = server.route(name, (b) => ({ content: vanillaAnswer(b.messages) }));
        const r = await esc('mine', file, '--out', dir, ...roleArgs({ vanilla: vm }));
        assert.equal(r.code, 0, r.err.join('\n'));
        assertFiles(dir, { 'vanilla-pairs': expectedPairs(records, false)['vanilla-pairs']! });
      }
    });
  });

  it('answers named like Object.prototype members ("__proto__", "constructor") are tallied like any other', async () => {
    const names = ['__proto__', 'constructor', 'toString'];
    let asked = 0;
    const sp = server.route('proto-sp', () => ({ content: names[asked++ % 3]! }));
    const vm = server.route('proto-vm', () => ({ content: '[Question] hm' }));
    const judge = server.route('proto-judge', () => ({
      content: JSON.stringify({ ...verdict(false), 'Error Type in rejected reply': '__proto__' }),
    }));
    const dir = path.join(t.dir, 'proto');
    const r = await esc('mine', DEMO, '--out', dir, ...roleArgs({ planner: sp, vanilla: vm, judge }), '--limit', '6', '--json');
    assert.equal(r.code, 0, r.err.join('\n'));
    const s = JSON.parse(r.out.join('\n')) as {
      turns: number;
      pairs: { planner: { different: number } };
      planner_confusion: Record<string, Record<string, number>>;
      judge: { rejected_reply_error_types: Record<string, number> };
    };
    const tallied = Object.values(s.planner_confusion).flatMap((byAnswer) => Object.entries(byAnswer));
    assert.equal(
      tallied.reduce((n, [, k]) => n + k, 0),
      s.pairs.planner.different,
    );
    assert.ok(tallied.every(([answer]) => names.includes(answer)));
    assert.ok(tallied.some(([answer]) => answer === '__proto__'));
    assert.deepEqual({ ...s.judge.rejected_reply_error_types }, { ['__proto__']: s.turns });
  });

  it('API keys: the roles get $ESC_API_KEY, the judge $ESC_JUDGE_API_KEY (else "EMPTY"), never the other’s', async () => {
    const rg = server.route('keys-rg', () => ({ content: 'a reply' }));
    const vm = server.route('keys-vm', () => ({ content: '[Question] a reply' }));
    const judge = server.route('keys-judge', () => ({ content: JSON.stringify(verdict(true)) }));
    const run = async (dir: string): Promise<void> => {
      const r = await esc('mine', DEMO, '--out', path.join(t.dir, dir), ...roleArgs({ generator: rg, vanilla: vm, judge }), '--limit', '2');
      assert.equal(r.code, 0, r.err.join('\n'));
    };
    process.env.ESC_API_KEY = 'sk-roles';
    process.env.ESC_JUDGE_API_KEY = 'sk-judge';
    try {
      await run('keys-both');
      delete process.env.ESC_JUDGE_API_KEY;
      await run('keys-roles-only');
    } finally {
      delete process.env.ESC_API_KEY;
      delete process.env.ESC_JUDGE_API_KEY;
    }
    const seen = (route: string): (string | undefined)[] => server.authorization.get(route)!;
    assert.deepEqual(seen('keys-rg'), Array<string>(4).fill('Bearer sk-roles'));
    assert.deepEqual(seen('keys-vm'), Array<string>(4).fill('Bearer sk-roles'));
    assert.deepEqual(seen('keys-judge'), [...Array<string>(4).fill('Bearer sk-judge'), ...Array<string>(4).fill('Bearer EMPTY')]);
  });

  it('adding --judge later, or changing its template, asks only the judge: the models’ answers are kept', async () => {
    const rg = server.route('later-rg', (b) => ({ content: generatorAnswer(b.messages) }));
    const judge = server.route('later-judge', () => ({ content: JSON.stringify(verdict(true)) }));
    const dir = path.join(t.dir, 'later');
    const run = async (...extra: string[]): Promise<{ calls: number; resumed: number }> => {
      const r = await esc('mine', DEMO, '--out', dir, '--generator', `${rg}#rg`, '--limit', '3', '--json', ...extra);
      assert.equal(r.code, 0, r.err.join('\n'));
      return JSON.parse(r.out.join('\n')) as { calls: number; resumed: number };
    };
    assert.equal((await run()).calls, 3);
    const judged = await run('--judge', `${judge}#j`, '--judge-template', template);
    assert.deepEqual([judged.calls, judged.resumed], [3, 3]);
    assert.equal(server.bodies.get('later-rg')!.length, 3);
    assert.equal(server.bodies.get('later-judge')!.length, 3);
    assert.equal((readJson(path.join(dir, 'generator-pairs.retained.json')) as Pair[]).length, 3);
    // the same judge again: nothing asked; another template: the judge only, its old verdicts not reused
    assert.equal((await run('--judge', `${judge}#j`, '--judge-template', template)).calls, 0);
    const other = t.write('template-2.txt', `Another judge prompt. ${TEMPLATE}`);
    assert.equal((await run('--judge', `${judge}#j`, '--judge-template', other)).calls, 3);
    assert.equal(server.bodies.get('later-rg')!.length, 3);
    assert.equal(server.bodies.get('later-judge')!.length, 6);
    assert.ok(lastUser(server.bodies.get('later-judge')![5]!).startsWith('Another judge prompt.'));
  });

  it('the shipped judge template shows the judge the context, the seeker, both replies', async () => {
    const dir = path.join(t.dir, 'shipped');
    const rg = server.route('shipped-rg', () => ({ content: 'A REJECTED REPLY' }));
    const judge = server.route('shipped-judge', () => ({ content: '```json\n' + JSON.stringify(verdict(true)) + '\n```' }));
    const r = await esc('mine', DEMO, '--out', dir, '--generator', `${rg}#rg`, '--judge', `${judge}#j`, '--limit', '2', '--json');
    assert.equal(r.code, 0, r.err.join('\n'));
    const prompt = lastUser(server.bodies.get('shipped-judge')![1]!);
    const demo = demoRecords()[0]!.messages;
    assert.ok(prompt.includes(`Seeker: ${demo[1]!.content}`), prompt);
    assert.ok(prompt.includes(`Supporter: ${textOf(demo[2]!.content)}`), prompt);
    assert.ok(prompt.includes(demo[3]!.content));
    assert.ok(prompt.includes(textOf(demo[4]!.content)));
    assert.ok(prompt.includes('A REJECTED REPLY'));
    assert.ok(prompt.includes('"Should the sample be retained"'));
    // a fenced JSON object is the verdict
    assert.equal((JSON.parse(r.out.join('\n')) as { judge: { retained: number } }).judge.retained, 2);
  });

  it('a judge answer that is not the §4 JSON: retried, then reported for that pair — never a "No"', async () => {
    const dir = path.join(t.dir, 'malformed');
    const rg = server.route('bad-rg', (b) => ({ content: `reply ${b.messages.length}` }));
    let broken = true;
    const judge = server.route('bad-judge', (b, seen) => {
      const rejected = rejectedIn(lastUser(b));
      if (rejected === 'reply 2' && broken) return { content: 'Sure! The sample should be kept.' };
      if (rejected === 'reply 4' && seen === 0) return { content: '{"Should the sample be retained": "Maybe"}' };
      return { content: JSON.stringify(verdict(false)) };
    });
    const args = ['mine', DEMO, '--out', dir, '--generator', `${rg}#rg`, '--judge', `${judge}#j`, '--judge-template', template];
    const r = await esc(...args, '--limit', '4', '--json');
    assert.equal(r.code, 0, r.err.join('\n'));
    const s = JSON.parse(r.out.join('\n')) as {
      judge: { judged: number; retained: number; rejected: number; errors: Record<string, number>; error_pairs: unknown[] };
      retries: number;
      calls: number;
    };
    assert.deepEqual(s.judge.errors, { 'not JSON': 1 });
    assert.deepEqual(s.judge.error_pairs, [{ role: 'generator', pair: 0, error: 'not JSON' }]);
    assert.equal(s.judge.judged, 3);
    assert.equal(s.judge.rejected, 3, 'the unanswered pair is not counted as No');
    assert.equal(s.retries, 2 + 1);
    assert.equal(s.calls, 4 + 3 + 2 + 1 + 1);
    const pairs = readJson(path.join(dir, 'generator-pairs.json')) as Pair[];
    assert.equal(pairs[0]!.remained, undefined);
    assert.equal(pairs[1]!.remained!['Should the sample be retained'], 'No');
    assert.ok(r.err.some((l) => /no verdict for generator pair 0: the judge's answer was not JSON after 3 tries/.test(l)));
    // a rerun asks the judge again for that pair only
    broken = false;
    const again = await esc(...args, '--limit', '4', '--json');
    assert.equal(again.code, 0, again.err.join('\n'));
    assert.equal((JSON.parse(again.out.join('\n')) as { calls: number }).calls, 1);
    assert.equal((readJson(path.join(dir, 'generator-pairs.json')) as Pair[])[0]!.remained!['Should the sample be retained'], 'No');
  });

  it('faults: HTTP 500s and a stalled answer are retried; the same pairs as a clean run', async () => {
    const dir = path.join(t.dir, 'faults');
    const vm = server.route('faults-vm', (b, seen) => {
      const n = b.messages.length;
      if (n % 5 === 0 && seen < 2) return { status: 500 };
      if (n === 6 && seen === 0) return { stall: true };
      return { content: vanillaAnswer(b.messages) };
    });
    const r = await esc('mine', DEMO, '--out', dir, '--vanilla', `${vm}#vm`, '--timeout', '0.5', '--json');
    assert.equal(r.code, 0, r.err.join('\n'));
    assertDemoVanillaPairs(dir);
    const s = JSON.parse(r.out.join('\n')) as { retries: number; calls: number };
    assert.equal(s.calls, 93);
    assert.equal(s.retries, server.bodies.get('faults-vm')!.length - 93);
    assert.ok(s.retries >= 3);
  });

  it('faults: the endpoint refuses connections mid-run, comes back, and the run completes', async () => {
    const down = new StandIn();
    await down.start();
    const port = Number(new URL(down.origin).port);
    let calls = 0;
    let back: Promise<void> | undefined;
    const vm = down.route('vm', (b) => {
      if (++calls === 30) {
        // stop listening (this answer still goes out on its connection); back 600 ms later, on the same port
        (down as unknown as { server: Server }).server.close();
        back = new Promise((resolve) => setTimeout(resolve, 600)).then(() => down.start(port));
      }
      return { content: vanillaAnswer(b.messages) };
    });
    const dir = path.join(t.dir, 'refused-mid');
    try {
      const r = await esc('mine', DEMO, '--out', dir, '--vanilla', `${vm}#vm`, '--concurrency', '1', '--json');
      assert.equal(r.code, 0, r.err.join('\n'));
      assertDemoVanillaPairs(dir);
      assert.ok((JSON.parse(r.out.join('\n')) as { retries: number }).retries >= 1, 'refused calls were retried');
      assert.equal(down.bodies.get('vm')!.length, 93);
    } finally {
      await back;
      await down.close();
    }
  });

  it('an endpoint down for good: named in one line, exit 1; the rerun resumes', async () => {
    const dir = path.join(t.dir, 'refused');
    const down = new StandIn();
    await down.start();
    const port = Number(new URL(down.origin).port);
    const url = down.route('vm', (b) => ({ content: vanillaAnswer(b.messages) }));
    await down.close();
    const args = ['mine', DEMO, '--out', dir, '--vanilla', `${url}#vm`, '--retries', '1'];
    const r = await esc(...args);
    assert.equal(r.code, 1);
    const errors = r.err.filter((l) => !/ · /.test(l));
    assert.equal(errors.length, 1, r.err.join('\n'));
    assert.match(
      errors[0]!,
      new RegExp(
        `^esc mine: the vanilla model at http://127\\.0\\.0\\.1:${port}/vm/v1 failed after 2 attempts: .*connection refused.*rerun to resume`,
      ),
    );
    assert.ok(existsSync(path.join(dir, 'mine.checkpoint.jsonl')));
    assert.equal(existsSync(path.join(dir, 'vanilla-pairs.json')), false);
    await down.start(port);
    try {
      const again = await esc(...args);
      assert.equal(again.code, 0, again.err.join('\n'));
      assertDemoVanillaPairs(dir);
    } finally {
      await down.close();
    }
  });

  it('a SIGKILL halfway, then a rerun: the same files as an uninterrupted run, no duplicates, at most N calls repeated', async () => {
    const concurrency = 4;
    // 10 ms an answer, so the kill lands mid-run
    const kill = models('kill', () => 10);
    const dir = path.join(t.dir, 'killed');
    const args = ['mine', DEMO, '--out', dir, ...kill, '--judge-template', template, '--concurrency', String(concurrency)];
    const killed = await signalMidRun(escProcess(args), dir, 200, 'SIGKILL');
    assert.equal(killed.signal, 'SIGKILL', `the first run ended before the kill: ${killed.stderr}`);
    assert.equal(existsSync(path.join(dir, 'planner-pairs.json')), false);
    const second = await escProcess(args).done;
    assert.equal(second.code, 0, second.stderr);
    assert.match(second.stderr, /resumed/);
    assertFiles(dir, expectedPairs(demoRecords(), true));
    // an uninterrupted run writes the same bytes
    const clean = path.join(t.dir, 'unkilled');
    const r = await esc('mine', DEMO, '--out', clean, ...models('clean'), '--judge-template', template, '--concurrency', '4');
    assert.equal(r.code, 0, r.err.join('\n'));
    for (const f of readdirSync(clean).filter((f) => f.endsWith('.json'))) {
      assert.equal(readFileSync(path.join(dir, f), 'utf8'), readFileSync(path.join(clean, f), 'utf8'), f);
    }
    let repeats = 0;
    for (const role of ['sp', 'rg', 'vm', 'judge']) {
      const raws = server.raw.get(`kill-${role}`)!;
      assert.equal(new Set(raws).size, role === 'judge' ? 186 : 93, role);
      repeats += raws.length - new Set(raws).size;
    }
    assert.ok(repeats <= concurrency, `${repeats} calls repeated; at most the ${concurrency} in flight may be`);
  });

  it('Ctrl-C stops with exit 130, finished calls kept; the same command resumes', async () => {
    const vm = server.route('sigint-vm', (b) => ({ content: vanillaAnswer(b.messages), delayMs: 20 }));
    const dir = path.join(t.dir, 'sigint');
    const args = ['mine', DEMO, '--out', dir, '--vanilla', `${vm}#vm`, '--concurrency', '2'];
    const stopped = await signalMidRun(escProcess(args), dir, 10, 'SIGINT');
    assert.equal(stopped.code, 130, stopped.stderr);
    assert.match(stopped.stderr, /interrupted; finished calls are kept in .*mine\.checkpoint\.jsonl, rerun the same command to resume/);
    assert.equal(existsSync(path.join(dir, 'vanilla-pairs.json')), false);
    const again = await esc(...args);
    assert.equal(again.code, 0, again.err.join('\n'));
    assertDemoVanillaPairs(dir);
  });

  it('the embedded models mine offline (the demo)', async (ctx) => {
    if (!existsSync(path.join(REPO_ROOT, 'dist', 'models', 'default', 'manifest.json'))) {
      ctx.skip('the default embedded models are built by `npm run build`');
      return;
    }
    const dir = path.join(t.dir, 'embedded');
    const r = await esc('mine', DEMO, '--out', dir, '--planner', 'embedded', '--generator', 'embedded', '--vanilla', 'embedded', '--json');
    assert.equal(r.code, 0, r.err.join('\n'));
    const s = JSON.parse(r.out.join('\n')) as PairCounts;
    assert.equal(s.pairs.planner.different + s.pairs.planner.same, 93);
    assert.equal(s.pairs.generator, 93);
    const pairs = readJson(path.join(dir, 'vanilla-pairs.json')) as Pair[];
    assert.ok(pairs.every((p) => /^\[[^\]]+\] ./.test(p.rejected.content)));
  });

  it('bad inputs: one line, exit 1 or 2, no stack trace, nothing overwritten', async () => {
    const sp = server.route('bad-sp', () => ({ content: 'Question' }));
    const spec = `${sp}#sp`;
    const busy = path.join(t.dir, 'busy');
    mkdirSync(busy, { recursive: true });
    writeFileSync(path.join(busy, 'planner-pairs.json'), 'precious');
    const otherRun = path.join(t.dir, 'other-run');
    assert.equal((await esc('mine', DEMO, '--out', otherRun, '--planner', spec, '--limit', '3')).code, 0);
    const noChosen = t.write('no-chosen.txt', 'Judge {rejected} only');
    const out = path.join(t.dir, 'bad-out');
    const cases: [string[], number, RegExp][] = [
      [
        [
          'mine',
          t.write('inference.json', JSON.stringify([{ conversations: [], GT_strategy: 'Question' }])),
          '--out',
          out,
          '--planner',
          spec,
        ],
        1,
        /record 0 is not a vanilla SFT record/,
      ],
      [['mine', path.join(DEMO_DATA, 'pref_generator_demo.json'), '--out', out, '--planner', spec], 1, /not a vanilla SFT record/],
      [
        ['mine', path.join(DEMO_DATA, 'sft_generator_demo.json'), '--out', out, '--vanilla', spec],
        1,
        /record 0 has the generator \(RG\) system prompt: this is a generator SFT file, and the vanilla SFT file is needed/,
      ],
      [
        ['mine', path.join(DEMO_DATA, 'sft_planner_demo.jsonl'), '--out', out, '--vanilla', spec],
        1,
        /record 0 has the planner \(SP\) system prompt: this is a planner SFT file, and the vanilla SFT file is needed/,
      ],
      [
        ['mine', path.join(DEMO_DATA, 'sft_planner_demo.jsonl'), '--out', out, '--planner', spec],
        2,
        /this is a planner SFT file \(record 0 has the SP system prompt\)/,
      ],
      [
        [
          'mine',
          t.write(
            'tagless.json',
            JSON.stringify([
              {
                messages: [
                  { role: 'system', content: 'SYS' },
                  { role: 'user', content: 'hi' },
                  { role: 'assistant', content: 'no tag' },
                ],
              },
            ]),
          ),
          '--out',
          out,
          '--planner',
          spec,
        ],
        2,
        /none of its 1 supporter turns has a \[Strategy\] tag naming a strategy \(an untagged file\); planner pairs compare/,
      ],
      [['mine', t.write('empty.json', ''), '--out', out, '--planner', spec], 1, /empty/],
      [['mine', path.join(t.dir, 'missing.json'), '--out', out, '--planner', spec], 2, /cannot read .*no such file/],
      [['mine', DEMO, '--out', out], 2, /at least one of --planner, --generator, --vanilla/],
      [['mine', DEMO, '--planner', spec], 2, /--out <folder> is required/],
      [['mine', DEMO, '--out', out, '--planner', 'ftp://x/v1'], 2, /--planner: Invalid endpoint/],
      [['mine', DEMO, '--out', out, '--generator', 'http://h:1/v2'], 2, /--generator: Invalid endpoint/],
      [['mine', DEMO, '--out', out, '--planner', spec, '--judge', spec], 2, /--judge filters generator and vanilla pairs/],
      [['mine', DEMO, '--out', out, '--vanilla', spec, '--judge', 'embedded'], 2, /no embedded judge/],
      [['mine', DEMO, '--out', out, '--vanilla', spec, '--judge-template', noChosen], 2, /--judge-template goes with --judge/],
      [['mine', DEMO, '--out', out, '--vanilla', spec, '--judge', spec, '--judge-template', noChosen], 2, /lacks \{chosen\}/],
      [['mine', DEMO, '--out', out, '--planner', spec, '--concurrency', '0'], 2, /--concurrency must be/],
      [['mine', DEMO, '--out', DEMO, '--planner', spec], 2, /--out .* is a file/],
      [['mine', DEMO, '--out', busy, '--planner', spec], 2, /already holds planner-pairs\.json.*choose another --out folder/],
      [
        ['mine', DEMO, '--out', otherRun, '--planner', spec, '--limit', '4'],
        2,
        /mine\.checkpoint\.jsonl belongs to another run .*give a new --out folder, or move or delete mine\.checkpoint\.jsonl, planner-pairs\.json, planner-same\.json from /,
      ],
      [['mine', DEMO, '--out', out, '--planner', 'http://127.0.0.1:1/v1'], 2, /--planner: .*127\.0\.0\.1:1/],
    ];
    for (const [args, code, message] of cases) {
      const r = await esc(...args);
      assert.equal(r.code, code, `${args.join(' ')}: ${r.err.join('\n')}`);
      assert.equal(r.err.length, 1, r.err.join('\n'));
      assert.match(r.err[0]!, message);
      assert.doesNotMatch(r.err[0]!, /\n\s+at /);
    }
    // the refusal's advice works: with the files it names moved away, the other run starts over there
    for (const f of ['mine.checkpoint.jsonl', 'planner-pairs.json', 'planner-same.json']) rmSync(path.join(otherRun, f));
    const over = await esc('mine', DEMO, '--out', otherRun, '--planner', spec, '--limit', '4');
    assert.equal(over.code, 0, over.err.join('\n'));
    assert.equal(readFileSync(path.join(busy, 'planner-pairs.json'), 'utf8'), 'precious');
    assert.deepEqual(readdirSync(busy), ['planner-pairs.json']);
    assert.equal(existsSync(out), false);
    const p = await escProcess(['mine', path.join(t.dir, 'empty.json'), '--out', out, '--planner', spec]).done;
    assert.equal(p.code, 1);
    assert.equal(p.stderr.trim().split('\n').length, 1, p.stderr);
  });
});

describe('a model’s identity in checkpoints', () => {
  it('names the model and its servers (sorted, without credentials), never the API key', () => {
    const replicas = [
      { baseUrl: 'http://b:8001/v1/', model: 'm', apiKey: 'sk-secret' },
      { baseUrl: 'http://user:pw@a:8000/v1', model: 'm', apiKey: 'sk-secret' },
    ];
    const a = endpointIdentity(replicas);
    assert.equal(a, 'endpoint m at http://a:8000/v1,http://b:8001/v1');
    assert.equal(
      endpointIdentity([
        { baseUrl: 'http://a:8000/v1', model: 'm' },
        { baseUrl: 'http://b:8001/v1', model: 'm' },
      ]),
      a,
    );
    assert.notEqual(
      endpointIdentity([{ baseUrl: 'http://c:8000/v1', model: 'm' }]),
      endpointIdentity([{ baseUrl: 'http://a:8000/v1', model: 'm' }]),
    );
  });
});

describe('what a pair shows the judge', () => {
  const reply = (content: string): { role: 'assistant'; content: string } => ({ role: 'assistant', content });
  it('the placeholder is the converters’ one', () => assert.equal(PLACEHOLDER_USER, PLACEHOLDER_USER_TURN));
  it('a turn after a placeholder " ": {seeker} is the last real seeker message, no placeholder in {context}', () => {
    const f = retentionFields({
      conversations: [
        { role: 'system', content: 'SYS' },
        { role: 'user', content: 'I feel sad' },
        { role: 'assistant', content: '[Question] Why?' },
        { role: 'user', content: ' ' },
      ],
      chosen: reply('gold'),
      rejected: reply('model'),
    });
    assert.equal(f.seeker, 'I feel sad');
    assert.equal(f.context, 'Seeker: I feel sad\nSupporter: Why?');
  });
  it('a placeholder mid-dialogue is left out; a last real seeker message is {seeker} alone', () => {
    const f = retentionFields({
      conversations: [
        { role: 'user', content: 'a' },
        { role: 'assistant', content: '[Question] b' },
        { role: 'user', content: ' ' },
        { role: 'assistant', content: '[Others] c' },
        { role: 'user', content: 'd' },
      ],
      chosen: reply('gold'),
      rejected: reply('model'),
    });
    assert.deepEqual(f, { context: 'Seeker: a\nSupporter: b\nSupporter: c', seeker: 'd', chosen: 'gold', rejected: 'model' });
  });
});

describe('the judge’s answer read as the §4 verdict', () => {
  const full = JSON.stringify(verdict(true));
  it('takes the object alone or in one ``` fence; five string fields, "Yes" or "No"', () => {
    assert.deepEqual(parseVerdict(full), { verdict: verdict(true) });
    assert.deepEqual(parseVerdict(`  \`\`\`json\n${full}\n\`\`\`\n`), { verdict: verdict(true) });
    assert.deepEqual(parseVerdict(`\`\`\`\n${JSON.stringify(verdict(false))}\`\`\``), { verdict: verdict(false) });
    // extra keys are dropped, the five kept in §4 order
    const shuffled = { extra: 1, ...Object.fromEntries(Object.entries(verdict(true)).reverse()) };
    assert.deepEqual(Object.keys((parseVerdict(JSON.stringify(shuffled)) as { verdict: object }).verdict), Object.keys(verdict(true)));
  });
  it('names what is wrong with anything else', () => {
    const cases: [string, string][] = [
      ['', 'empty answer'],
      ['Yes', 'not JSON'],
      [`Here it is: ${full}`, 'not JSON'],
      ['[1]', 'not a JSON object'],
      ['{"Error Type in chosen reply": "None"}', 'no "Should the sample be retained"'],
      [JSON.stringify({ ...verdict(true), 'Should the sample be retained': 'yes' }), 'verdict neither "Yes" nor "No"'],
      [JSON.stringify({ ...verdict(true), 'Should the sample be retained': true }), 'verdict neither "Yes" nor "No"'],
      [JSON.stringify({ 'Should the sample be retained': 'No' }), 'missing fields'],
      [JSON.stringify({ ...verdict(true), 'Error Type in rejected reply': null }), 'missing fields'],
    ];
    for (const [answer, error] of cases) assert.deepEqual(parseVerdict(answer), { error }, answer);
  });
});
