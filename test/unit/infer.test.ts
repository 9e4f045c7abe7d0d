// `esc infer` against a stand-in OpenAI-compatible server in this process: the paper's requests byte
// for byte in each mode (expected bodies written out by hand from FORMATS.md §7), records in file
// order whatever the concurrency, retries on 500s and on a stalled answer, a refused endpoint named in
// one line, a killed run resumed without losing or duplicating a turn, replicas sharing the calls, the
// embedded models offline on the demo file, bad inputs, and the output read by `esc eval`.

import * as assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import * as path from 'node:path';
import { after, describe, it } from 'node:test';
import { bracketResponse, bracketStrategy } from '../../src/core/runs/paperRequests';
import type { Body, Message } from '../fixtures/openaiStandIn';
import { DEMO_DATA, REPO_ROOT, sharedData, tempDir, threeTurnDialogue } from './helpers';
import { esc, escProcess, lastUser, manyTurns, readJson, RG, SP, useStandIn } from './runsFixtures';

const t = tempDir();
after(() => t.dispose());

/** Two dialogues, four supporter turns: a placeholder " " user turn, a tag followed by two spaces, a reply with trailing space. */
const TINY = [
  {
    messages: [
      { role: 'system', content: 'SYS-V' },
      { role: 'user', content: 'Hi, I feel low.' },
      { role: 'assistant', content: '[Question] Why do you feel low?' },
      { role: 'user', content: 'I lost my job.' },
      { role: 'assistant', content: '[Reflection of feelings]  That sounds hard. ' },
      { role: 'user', content: ' ' },
      { role: 'assistant', content: '[Providing Suggestions] Maybe talk to a friend.' },
    ],
  },
  {
    messages: [
      { role: 'system', content: 'SYS-V' },
      { role: 'user', content: 'Hello' },
      { role: 'assistant', content: '[Others] Hi there.' },
    ],
  },
];
const tinyFile = t.write('tiny.json', JSON.stringify(TINY, null, 2));

const U1 = { role: 'user', content: 'Hi, I feel low.' };
const U2 = { role: 'user', content: 'I lost my job.' };
const U3 = { role: 'user', content: ' ' };
const UH = { role: 'user', content: 'Hello' };
const A1 = { role: 'assistant', content: 'Why do you feel low?' };
const A2 = { role: 'assistant', content: 'That sounds hard.' };
const body = (model: string, messages: Message[]): Body => ({ model, messages, temperature: 0.7, top_p: 0.95 });

describe('the released scripts’ bracket helpers', () => {
  it('take the text between the first [ and the first ], and what follows the first ] stripped', () => {
    assert.equal(bracketStrategy('[Question] How are you?'), 'Question');
    assert.equal(bracketStrategy('[ question ]x'), ' question ');
    assert.equal(bracketStrategy('no tag here'), null);
    assert.equal(bracketStrategy('only [open'), null);
    assert.equal(bracketStrategy('a] then [b]'), ''); // Python's s[s.find('[')+1:s.find(']')] = s[3:1] = ''
    assert.equal(bracketResponse('[Question]  How are you? \n'), 'How are you?');
    assert.equal(bracketResponse('  no tag  '), '  no tag  ');
    assert.equal(bracketResponse('[Others]\u00a0hi\u001f'), 'hi'); // both are Python whitespace
    assert.equal(bracketResponse('[Others]\ufeffhi'), '\ufeffhi'); // U+FEFF is not
  });
});

describe('esc infer', () => {
  const server = useStandIn();

  it('decoupled: the planner request, then the generator request with the raw answer filled in; §5 records in file order', async () => {
    const planner = server.route('dec-sp', () => ({ content: ' Question' }));
    const generator = server.route('dec-rg', (b) => ({ content: `reply to: ${lastUser(b)}` }));
    const out = path.join(t.dir, 'dec.json');
    const r = await esc(
      'infer',
      tinyFile,
      '--out',
      out,
      '--mode',
      'decoupled',
      '--planner',
      `${planner}#sp`,
      '--generator',
      `${generator}#rg`,
      '--concurrency',
      '1',
    );
    assert.equal(r.code, 0, r.err.join('\n'));
    assert.deepEqual(server.bodies.get('dec-sp'), [
      body('sp', [
        { role: 'system', content: SP },
        { role: 'user', content: 'seeker: Hi, I feel low.\n' },
      ]),
      body('sp', [
        { role: 'system', content: SP },
        { role: 'user', content: 'seeker: Hi, I feel low.\nsupporter: Why do you feel low?\nseeker: I lost my job.\n' },
      ]),
      body('sp', [
        { role: 'system', content: SP },
        {
          role: 'user',
          content:
            'seeker: Hi, I feel low.\nsupporter: Why do you feel low?\nseeker: I lost my job.\nsupporter: That sounds hard.\nseeker:  \n',
        },
      ]),
      body('sp', [
        { role: 'system', content: SP },
        { role: 'user', content: 'seeker: Hello\n' },
      ]),
    ]);
    assert.deepEqual(server.bodies.get('dec-rg'), [
      body('rg', [{ role: 'system', content: RG(' Question') }, U1]),
      body('rg', [{ role: 'system', content: RG(' Question') }, U1, A1, U2]),
      body('rg', [{ role: 'system', content: RG(' Question') }, U1, A1, U2, A2, U3]),
      body('rg', [{ role: 'system', content: RG(' Question') }, UH]),
    ]);
    // no max_tokens, no seed, no stream flag: the raw bodies hold exactly these keys
    for (const raw of server.raw.get('dec-rg')!) {
      assert.deepEqual(Object.keys(JSON.parse(raw) as object), ['model', 'messages', 'temperature', 'top_p']);
    }
    assert.deepEqual(readJson(out), [
      {
        conversations: [U1],
        GT_strategy: 'Question',
        predict_strategy: ' Question',
        GT_content: 'Why do you feel low?',
        predict_content: 'reply to: Hi, I feel low.',
      },
      {
        conversations: [U1, A1, U2],
        GT_strategy: 'Reflection of feelings',
        predict_strategy: ' Question',
        GT_content: 'That sounds hard.',
        predict_content: 'reply to: I lost my job.',
      },
      {
        conversations: [U1, A1, U2, A2, U3],
        GT_strategy: 'Providing Suggestions',
        predict_strategy: ' Question',
        GT_content: 'Maybe talk to a friend.',
        predict_content: 'reply to:  ',
      },
      {
        conversations: [UH],
        GT_strategy: 'Others',
        predict_strategy: ' Question',
        GT_content: 'Hi there.',
        predict_content: 'reply to: Hello',
      },
    ]);
    assert.equal(existsSync(`${out}.checkpoint.jsonl`), false, 'the checkpoint is removed once the output is written');
  });

  it('vanilla: the file’s own messages before each turn; strategy and content split from the answer (null without a bracket)', async () => {
    const answers: Record<string, string> = {
      'Hi, I feel low.': '[Question]  Are you ok? ',
      'I lost my job.': 'I am sorry.',
      ' ': '[Self-disclosure] Me too.',
      Hello: '[Others]Hi!',
    };
    const vanilla = server.route('van', (b) => ({ content: answers[lastUser(b)] }));
    const out = path.join(t.dir, 'van.json');
    const r = await esc('infer', tinyFile, '--out', out, '--mode', 'vanilla', '--vanilla', `${vanilla}#vm`, '--concurrency', '1');
    assert.equal(r.code, 0, r.err.join('\n'));
    const S = { role: 'system', content: 'SYS-V' };
    const T1 = { role: 'assistant', content: '[Question] Why do you feel low?' };
    const T2 = { role: 'assistant', content: '[Reflection of feelings]  That sounds hard. ' };
    assert.deepEqual(server.bodies.get('van'), [
      body('vm', [S, U1]),
      body('vm', [S, U1, T1, U2]),
      body('vm', [S, U1, T1, U2, T2, U3]),
      body('vm', [S, UH]),
    ]);
    assert.deepEqual(readJson(out), [
      {
        conversations: [S, U1],
        GT_strategy: 'Question',
        predict_strategy: 'Question',
        GT_content: 'Why do you feel low?',
        predict_content: 'Are you ok?',
      },
      {
        conversations: [S, U1, T1, U2],
        GT_strategy: 'Reflection of feelings',
        predict_strategy: null,
        GT_content: 'That sounds hard.',
        predict_content: 'I am sorry.',
      },
      {
        conversations: [S, U1, T1, U2, T2, U3],
        GT_strategy: 'Providing Suggestions',
        predict_strategy: 'Self-disclosure',
        GT_content: 'Maybe talk to a friend.',
        predict_content: 'Me too.',
      },
      { conversations: [S, UH], GT_strategy: 'Others', predict_strategy: 'Others', GT_content: 'Hi there.', predict_content: 'Hi!' },
    ]);
  });

  it('generator-gold: the gold strategy fills the generator prompt; no planner call', async () => {
    const generator = server.route('gold-rg', (b) => ({ content: `r ${lastUser(b)}` }));
    const out = path.join(t.dir, 'gold.json');
    const r = await esc(
      'infer',
      tinyFile,
      '--out',
      out,
      '--mode',
      'generator-gold',
      '--generator',
      `${generator}#rg`,
      '--concurrency',
      '1',
    );
    assert.equal(r.code, 0, r.err.join('\n'));
    assert.deepEqual(server.bodies.get('gold-rg'), [
      body('rg', [{ role: 'system', content: RG('Question') }, U1]),
      body('rg', [{ role: 'system', content: RG('Reflection of feelings') }, U1, A1, U2]),
      body('rg', [{ role: 'system', content: RG('Providing Suggestions') }, U1, A1, U2, A2, U3]),
      body('rg', [{ role: 'system', content: RG('Others') }, UH]),
    ]);
    const records = readJson(out) as { predict_strategy: string; GT_strategy: string; predict_content: string }[];
    assert.deepEqual(
      records.map((x) => [x.GT_strategy, x.predict_strategy, x.predict_content]),
      [
        ['Question', 'Question', 'r Hi, I feel low.'],
        ['Reflection of feelings', 'Reflection of feelings', 'r I lost my job.'],
        ['Providing Suggestions', 'Providing Suggestions', 'r  '],
        ['Others', 'Others', 'r Hello'],
      ],
    );
  });

  describe('generator-gold refuses a file without gold strategies, up front (exit 2, nothing written, no call)', () => {
    // the why and the what-instead of every refusal, written out here rather than imported
    const WHY_INSTEAD =
      'generator-gold fills the generator’s prompt with each supporter turn’s gold strategy, read from the "[Strategy] reply" tag of a vanilla SFT file’s assistant turns (FORMATS.md §2); ';
    const PASS = 'pass the tagged vanilla SFT file of the split instead (as esc convert esconv writes it, e.g. ESC_sft_test.json)';
    const dialogue = threeTurnDialogue;
    const untagged = ['Why do you feel low?', 'That sounds hard.', 'Maybe talk to a friend.'] as const;

    const refused = async (route: string, file: string, expected: string, ...extra: string[]): Promise<void> => {
      const generator = server.route(route, () => ({ content: 'should not be asked' }));
      const out = path.join(t.dir, `${route}-out.json`);
      const r = await esc('infer', file, '--out', out, '--mode', 'generator-gold', '--generator', `${generator}#rg`, ...extra);
      assert.equal(r.code, 2, r.err.join('\n'));
      assert.deepEqual(r.err, [`esc infer: ${file}: ${expected}`]);
      assert.deepEqual(r.out, []);
      assert.equal(existsSync(out), false, 'no output');
      assert.equal(existsSync(`${out}.checkpoint.jsonl`), false, 'no checkpoint');
      assert.equal(server.bodies.get(route), undefined, 'no model was asked');
    };

    it('a vanilla-shaped file whose assistant turns carry no tag', async () => {
      const file = t.write('gold-none.json', JSON.stringify(dialogue([...untagged])));
      await refused(
        'gold-none',
        file,
        `none of its 3 supporter turns has a [Strategy] tag naming a strategy (an untagged file); ${WHY_INSTEAD}${PASS}`,
      );
    });

    it('a planner or a generator SFT file (told by its system prompt)', async () => {
      await refused(
        'gold-sp',
        path.join(DEMO_DATA, 'sft_planner_demo.jsonl'),
        `this is a planner SFT file (record 0 has the SP system prompt): its assistant turns are strategy names, not tagged replies; ${WHY_INSTEAD}${PASS}`,
      );
      await refused(
        'gold-rg-file',
        path.join(DEMO_DATA, 'sft_generator_demo.json'),
        `this is a generator SFT file (record 0 has the RG system prompt): its assistant turns are replies without a [Strategy] tag; ${WHY_INSTEAD}${PASS}`,
      );
    });

    it('a file where some turns lack a strategy tag (an unknown bracket counts as none): how many, and the first; --limit does not skip the check', async () => {
      const file = t.write(
        'gold-some.json',
        JSON.stringify([
          ...(dialogue(['[Question] Why do you feel low?', '[Reflection of feelings] That sounds hard.', '[Others] Okay.']) as unknown[]),
          ...(dialogue(['[Question] Why?', 'That sounds very hard, and I am here with you for it.', '[sic] Maybe talk.']) as unknown[]),
        ]),
      );
      await refused(
        'gold-some',
        file,
        `2 of its 6 supporter turns have no [Strategy] tag naming a strategy, the first in record 1 (message 4: "That sounds very hard, and I am here wit…"); ${WHY_INSTEAD}tag those turns, or ${PASS}`,
        '--limit',
        '3',
      );
    });

    it('the same dialogue tagged still runs, each gold strategy in the generator prompt', async () => {
      const file = t.write(
        'gold-tagged.json',
        JSON.stringify(dialogue(['[Question] Why do you feel low?', '[Reflection of feelings] That sounds hard.', '[ others ] Okay.'])),
      );
      const generator = server.route('gold-tagged', (b) => ({ content: `r ${lastUser(b)}` }));
      const out = path.join(t.dir, 'gold-tagged-out.json');
      const r = await esc('infer', file, '--out', out, '--mode', 'generator-gold', '--generator', `${generator}#rg`, '--concurrency', '1');
      assert.equal(r.code, 0, r.err.join('\n'));
      assert.deepEqual(
        server.bodies.get('gold-tagged')!.map((b) => b.messages[0]!.content),
        [RG('Question'), RG('Reflection of feelings'), RG(' others ')],
      );
      assert.deepEqual(
        (readJson(out) as { GT_strategy: string; predict_strategy: string; predict_content: string }[]).map((x) => [
          x.GT_strategy,
          x.predict_strategy,
          x.predict_content,
        ]),
        [
          ['Question', 'Question', 'r Hi, I feel low.'],
          ['Reflection of feelings', 'Reflection of feelings', 'r I lost my job.'],
          [' others ', ' others ', 'r Yes.'],
        ],
      );
    });

    it('the other modes still take an untagged file (they need no gold strategy)', async () => {
      const file = t.write('gold-none-vanilla.json', JSON.stringify(dialogue([...untagged])));
      const vanilla = server.route('gold-none-vm', () => ({ content: '[Question] ok' }));
      const out = path.join(t.dir, 'gold-none-vm-out.json');
      const r = await esc('infer', file, '--out', out, '--mode', 'vanilla', '--vanilla', `${vanilla}#vm`);
      assert.equal(r.code, 0, r.err.join('\n'));
      assert.equal((readJson(out) as unknown[]).length, 3);
    });
  });

  it('keeps file order with 8 calls in flight and random delays', async () => {
    const file = manyTurns(t, 'order.json', 40);
    const vanilla = server.route('order', (b) => ({ content: `[Question] reply ${lastUser(b)}`, delayMs: Math.floor(Math.random() * 40) }));
    const out = path.join(t.dir, 'order-out.json');
    const r = await esc('infer', file, '--out', out, '--mode', 'vanilla', '--vanilla', `${vanilla}#vm`, '--concurrency', '8');
    assert.equal(r.code, 0, r.err.join('\n'));
    const records = readJson(out) as { predict_content: string; GT_content: string }[];
    assert.deepEqual(
      records.map((x) => [x.GT_content, x.predict_content]),
      Array.from({ length: 40 }, (_, k) => [`gold ${k}`, `reply seeker ${k}`]),
    );
    assert.equal(server.maxInFlight.get('order'), 8, 'eight calls at once, never more');
    assert.ok(
      r.err.some((l) => /^esc infer: 40\/40 turns · [\d.]+ calls\/s · ETA/.test(l)),
      r.err.join('\n'),
    );
  });

  it('retries 500s and completes', async () => {
    const file = manyTurns(t, 'flaky.json', 12);
    // every third turn fails twice with HTTP 500 before it is answered
    const vanilla = server.route('flaky', (b, seen) => {
      const k = Number(/\d+/.exec(lastUser(b))![0]);
      return k % 3 === 0 && seen < 2 ? { status: 500 } : { content: `[Others] ok ${k}` };
    });
    const out = path.join(t.dir, 'flaky-out.json');
    const r = await esc('infer', file, '--out', out, '--mode', 'vanilla', '--vanilla', `${vanilla}#vm`);
    assert.equal(r.code, 0, r.err.join('\n'));
    assert.equal(server.bodies.get('flaky')!.length, 12 + 4 * 2);
    assert.deepEqual(
      (readJson(out) as { predict_content: string }[]).map((x) => x.predict_content),
      Array.from({ length: 12 }, (_, k) => `ok ${k}`),
    );
  });

  it('retries a call whose connection the server cut (a crash mid-call) and completes', async () => {
    const file = manyTurns(t, 'dropped.json', 8);
    // every fourth turn: the first try's connection is cut without an answer
    const vanilla = server.route('dropped', (b, seen) => {
      const k = Number(/\d+/.exec(lastUser(b))![0]);
      return k % 4 === 0 && seen === 0 ? { drop: true } : { content: `[Others] ok ${k}` };
    });
    const out = path.join(t.dir, 'dropped-out.json');
    const r = await esc('infer', file, '--out', out, '--mode', 'vanilla', '--vanilla', `${vanilla}#vm`);
    assert.equal(r.code, 0, r.err.join('\n'));
    assert.equal(server.bodies.get('dropped')!.length, 8 + 2, 'the two cut calls asked again, nothing else');
    assert.deepEqual(
      (readJson(out) as { predict_content: string }[]).map((x) => x.predict_content),
      Array.from({ length: 8 }, (_, k) => `ok ${k}`),
    );
  });

  it('times out a stalled answer and retries it', async () => {
    const file = manyTurns(t, 'stall.json', 3);
    const vanilla = server.route('stall', (b, seen) =>
      lastUser(b) === 'seeker 1' && seen === 0 ? { stall: true } : { content: `[Others] ${lastUser(b)}` },
    );
    const out = path.join(t.dir, 'stall-out.json');
    const r = await esc('infer', file, '--out', out, '--mode', 'vanilla', '--vanilla', `${vanilla}#vm`, '--timeout', '0.3');
    assert.equal(r.code, 0, r.err.join('\n'));
    assert.equal(server.bodies.get('stall')!.length, 4);
    assert.deepEqual(
      (readJson(out) as { predict_content: string }[]).map((x) => x.predict_content),
      ['seeker 0', 'seeker 1', 'seeker 2'],
    );
  });

  it('a refused endpoint: retried, then one line naming it, exit 1, finished turns kept', async () => {
    const closed = createServer();
    await new Promise<void>((resolve) => closed.listen(0, '127.0.0.1', resolve));
    const port = (closed.address() as AddressInfo).port;
    await new Promise<void>((resolve) => closed.close(() => resolve()));
    const out = path.join(t.dir, 'refused.json');
    const r = await esc(
      'infer',
      tinyFile,
      '--out',
      out,
      '--mode',
      'vanilla',
      '--vanilla',
      `http://127.0.0.1:${port}/v1#vm`,
      '--retries',
      '1',
    );
    assert.equal(r.code, 1);
    const errors = r.err.filter((l) => !/turns ·/.test(l));
    assert.equal(errors.length, 1, r.err.join('\n'));
    assert.match(
      errors[0]!,
      new RegExp(
        `^esc infer: the vanilla model at http://127\\.0\\.0\\.1:${port}/v1 failed after 2 attempts: Could not connect .*connection refused`,
      ),
    );
    assert.doesNotMatch(errors[0]!, /\n/);
    assert.equal(existsSync(out), false);
  });

  it('a killed run resumes: complete, in order, no duplicates, only in-flight calls repeated', async () => {
    const n = 60;
    const file = manyTurns(t, 'kill.json', n);
    const planner = server.route('kill-sp', (b) => ({
      content: /seeker (\d+)/.exec(lastUser(b))![1]! === '7' ? 'Others' : 'Question',
      delayMs: 15,
    }));
    const generator = server.route('kill-rg', (b) => ({ content: `reply ${lastUser(b)}`, delayMs: 15 }));
    const out = path.join(t.dir, 'kill-out.json');
    const args = [
      'infer',
      file,
      '--out',
      out,
      '--mode',
      'decoupled',
      '--planner',
      `${planner}#sp`,
      '--generator',
      `${generator}#rg`,
      '--concurrency',
      '4',
    ];
    const first = escProcess(args);
    const cp = `${out}.checkpoint.jsonl`;
    for (;;) {
      await new Promise((r) => setTimeout(r, 10));
      const records = existsSync(cp)
        ? readFileSync(cp, 'utf8')
            .split('\n')
            .filter((l) => l.includes('"record"')).length
        : 0;
      if (records >= 15) break;
    }
    first.child.kill('SIGKILL');
    const killed = await first.done;
    assert.equal(killed.signal, 'SIGKILL');
    assert.equal(existsSync(out), false);
    const second = await escProcess(args).done;
    assert.equal(second.code, 0, second.stderr);
    assert.match(second.stderr, /resumed/);
    const records = readJson(out) as { GT_content: string; predict_content: string; predict_strategy: string }[];
    assert.deepEqual(
      records.map((x) => [x.GT_content, x.predict_strategy, x.predict_content]),
      Array.from({ length: n }, (_, k) => [`gold ${k}`, k === 7 ? 'Others' : 'Question', `reply seeker ${k}`]),
    );
    assert.equal(existsSync(cp), false);
    // every request is distinct (one per turn and role); repeats are the calls cut off by the kill
    for (const route of ['kill-sp', 'kill-rg']) {
      const raws = server.raw.get(route)!;
      assert.equal(new Set(raws).size, n, route);
    }
    const repeats = server.raw.get('kill-sp')!.length + server.raw.get('kill-rg')!.length - 2 * n;
    assert.ok(repeats <= 4, `${repeats} calls repeated; at most the 4 in flight may be`);
  });

  it('Ctrl-C stops with exit 130 and keeps the finished turns; a checkpoint of another run is refused (exit 2)', async () => {
    const file = manyTurns(t, 'sigint.json', 200);
    const vanilla = server.route('sigint', (b) => ({ content: `[Others] ${lastUser(b)}`, delayMs: 20 }));
    const out = path.join(t.dir, 'sigint-out.json');
    const run = escProcess(['infer', file, '--out', out, '--mode', 'vanilla', '--vanilla', `${vanilla}#vm`, '--concurrency', '2']);
    const cp = `${out}.checkpoint.jsonl`;
    while (
      !existsSync(cp) ||
      readFileSync(cp, 'utf8')
        .split('\n')
        .filter((l) => l.includes('"record"')).length < 5
    ) {
      await new Promise((r) => setTimeout(r, 10));
    }
    run.child.kill('SIGINT');
    const stopped = await run.done;
    assert.equal(stopped.code, 130, stopped.stderr);
    assert.match(stopped.stderr, /interrupted; finished turns are kept in .*sigint-out\.json\.checkpoint\.jsonl/);
    assert.ok(
      readFileSync(cp, 'utf8')
        .split('\n')
        .filter((l) => l.includes('"record"')).length >= 5,
    );
    // the same output with another mode would mix two runs' answers
    const other = await esc('infer', file, '--out', out, '--mode', 'generator-gold', '--generator', `${vanilla}#vm`);
    assert.equal(other.code, 2);
    assert.match(other.err.join('\n'), /checkpoint\.jsonl belongs to another run/);
  });

  it(
    'the real test split: one vanilla request per supporter turn, each the file’s messages before it, records in order',
    { skip: sharedData.skip },
    async () => {
      const file = sharedData.file('ESC_sft_test.json');
      const dialogues = (JSON.parse(readFileSync(file, 'utf8')) as { messages: Message[] }[]).map((r) => r.messages);
      const expected = dialogues.flatMap((m) => m.flatMap((x, k) => (x.role === 'assistant' ? [m.slice(0, k)] : [])));
      const vanilla = server.route('real', (b) => ({ content: `[Question] ${b.messages.length}` }));
      const out = path.join(t.dir, 'real-out.json');
      const r = await esc('infer', file, '--out', out, '--mode', 'vanilla', '--vanilla', `${vanilla}#vm`, '--concurrency', '32');
      assert.equal(r.code, 0, r.err.join('\n'));
      const seen = server.bodies.get('real')!.map((b) => JSON.stringify(b.messages));
      assert.deepEqual(seen.sort(), expected.map((m) => JSON.stringify(m)).sort());
      const records = readJson(out) as { conversations: Message[]; predict_content: string }[];
      assert.equal(records.length, expected.length);
      records.forEach((x, k) => {
        assert.deepEqual(x.conversations, expected[k]);
        assert.equal(x.predict_content, String(expected[k]!.length));
      });
    },
  );

  it('--limit N: the first N supporter turns only (the output folder is created)', async () => {
    const vanilla = server.route('limit', (b) => ({ content: `[Others] ${lastUser(b)}` }));
    const out = path.join(t.dir, 'nested', 'limit-out.json');
    const r = await esc('infer', tinyFile, '--out', out, '--mode', 'vanilla', '--vanilla', `${vanilla}#vm`, '--limit', '2');
    assert.equal(r.code, 0, r.err.join('\n'));
    assert.deepEqual(
      (readJson(out) as { GT_content: string }[]).map((x) => x.GT_content),
      ['Why do you feel low?', 'That sounds hard.'],
    );
    assert.equal(server.bodies.get('limit')!.length, 2);
  });

  it('spreads calls over replicas', async () => {
    const file = manyTurns(t, 'replicas.json', 24);
    const a = server.route('rep-a', (b) => ({ content: `[Others] a ${lastUser(b)}`, delayMs: 5 }));
    const b = server.route('rep-b', (x) => ({ content: `[Others] b ${lastUser(x)}`, delayMs: 5 }));
    const out = path.join(t.dir, 'replicas-out.json');
    const r = await esc('infer', file, '--out', out, '--mode', 'vanilla', '--vanilla', `${a}#vm,${b}#vm`, '--json');
    assert.equal(r.code, 0, r.err.join('\n'));
    const na = server.bodies.get('rep-a')!.length;
    const nb = server.bodies.get('rep-b')!.length;
    assert.equal(na + nb, 24);
    assert.ok(na >= 8 && nb >= 8, `${na} / ${nb}`);
    assert.deepEqual((JSON.parse(r.out.join('\n')) as { replica_calls: { vanilla: number[] } }).replica_calls.vanilla, [na, nb]);
  });

  it('is read by esc eval (accuracy by hand: the planner always says Question, gold is Question once in four)', async () => {
    const planner = server.route('eval-sp', () => ({ content: 'Question' }));
    const generator = server.route('eval-rg', () => ({ content: 'Why do you feel low?' }));
    const out = path.join(t.dir, 'eval.json');
    const r = await esc('infer', tinyFile, '--out', out, '--planner', `${planner}#sp`, '--generator', `${generator}#rg`);
    assert.equal(r.code, 0, r.err.join('\n'));
    const e = await esc('eval', out, '--json');
    assert.equal(e.code, 0, e.err.join('\n'));
    const run = (JSON.parse(e.out.join('\n')) as { runs: { records: number; strategy: { accuracy: number; error_ratio: number } }[] })
      .runs[0]!;
    assert.equal(run.records, 4);
    assert.equal(run.strategy.accuracy, 0.25);
    assert.equal(run.strategy.error_ratio, 0);
  });

  it('bad input: one line, exit 1 or 2, no stack trace', async () => {
    const out = path.join(t.dir, 'bad-out.json');
    const tinyBefore = readFileSync(tinyFile, 'utf8');
    const cases: [string[], number, RegExp][] = [
      [
        ['infer', t.write('inference.json', JSON.stringify([{ conversations: [], GT_strategy: 'Question' }])), '--out', out],
        1,
        /record 0 is not a vanilla SFT record/,
      ],
      [
        ['infer', path.join(DEMO_DATA, 'sft_generator_demo.json'), '--out', out],
        1,
        /record 0 has the generator \(RG\) system prompt: this is a generator SFT file/,
      ],
      [
        ['infer', path.join(DEMO_DATA, 'sft_planner_demo.jsonl'), '--out', out],
        1,
        /record 0 has the planner \(SP\) system prompt: this is a planner SFT file/,
      ],
      [['infer', t.write('truncated.json', JSON.stringify(TINY).slice(0, 80)), '--out', out], 1, /truncated\.json: /],
      [['infer', t.write('empty.json', ''), '--out', out], 1, /empty/],
      [['infer', path.join(t.dir, 'missing.json'), '--out', out], 2, /cannot read .*no such file/],
      [['infer', tinyFile, '--out', out, '--planner', 'ftp://x/v1'], 2, /--planner: Invalid endpoint/],
      [['infer', tinyFile, '--out', out, '--generator', 'http://h:1/v2'], 2, /--generator: Invalid endpoint .*\/v1/],
      [['infer', tinyFile, '--out', out, '--mode', 'joint'], 2, /--mode must be/],
      [['infer', tinyFile, '--out', out, '--concurrency', '0'], 2, /--concurrency must be/],
      [['infer', tinyFile], 2, /--out <file> is required/],
      [['infer', tinyFile, '--out', tinyFile], 1, /is the input file itself; choose another output/],
    ];
    for (const [args, code, message] of cases) {
      const r = await esc(...args);
      assert.equal(r.code, code, `${args.join(' ')}: ${r.err.join('\n')}`);
      assert.equal(r.err.length, 1, r.err.join('\n'));
      assert.match(r.err[0]!, message);
      assert.doesNotMatch(r.err[0]!, /\n\s+at /);
    }
    assert.equal(readFileSync(tinyFile, 'utf8'), tinyBefore, 'the input is never written to');
    // and as a process: one line on stderr
    const p = await escProcess(['infer', path.join(t.dir, 'empty.json'), '--out', out]).done;
    assert.equal(p.code, 1);
    assert.equal(p.stderr.trim().split('\n').length, 1, p.stderr);
  });
});

describe('esc infer with the embedded models (offline)', () => {
  const demo = path.join(DEMO_DATA, 'sft_vanilla_demo.json');
  const models = path.join(REPO_ROOT, 'dist', 'models', 'default');
  const skip = existsSync(path.join(models, 'manifest.json')) ? false : 'the default embedded models are built by `npm run build`';
  // the number of supporter turns, counted here from the file
  const turns = (JSON.parse(readFileSync(demo, 'utf8')) as { messages: Message[] }[]).flatMap((r) =>
    r.messages.filter((m) => m.role === 'assistant'),
  );

  for (const mode of ['decoupled', 'vanilla', 'generator-gold']) {
    it(`${mode} on the demo file`, { skip }, async () => {
      const out = path.join(t.dir, `embedded-${mode}.json`);
      const r = await esc('infer', demo, '--out', out, '--mode', mode, '--json');
      assert.equal(r.code, 0, r.err.join('\n'));
      const records = readJson(out) as { GT_content: string; predict_strategy: string | null; predict_content: string }[];
      assert.equal(records.length, turns.length);
      records.forEach((x, k) => {
        assert.equal(x.GT_content, turns[k]!.content.slice(turns[k]!.content.indexOf(']') + 1).trim());
        assert.ok(x.predict_content.length > 0);
      });
      const e = await esc('eval', out, '--json');
      assert.equal(e.code, 0, e.err.join('\n'));
    });
  }
});
