// `esc eval --judge` against a stand-in OpenAI-compatible server in this process: the exact request of
// one turn and criterion (a user rubric folder with its own wording), number-only answers parsed and
// the others counted as missing, averages computed by hand, a 500 retried, a failed run rerun without
// repeating a finished call, the shipped rubrics filled, and bad rubric folders refused in one line.

import * as assert from 'node:assert/strict';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import * as path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { fillRubric, judgeFields, parseJudgeScore } from '../../src/core/eval/judge';
import { tempDir } from './helpers';
import { esc } from './runsFixtures';

const t = tempDir();
after(() => t.dispose());

interface Seen {
  /** The path asked: runs of one test tell their requests apart by their base URL. */
  path: string;
  raw: string;
  headers: IncomingHttpHeaders;
  content: string;
}
/** Decides each answer from the prompt: a status (not 200) or the text the judge answers. */
type Answer = (content: string, seenBefore: number) => { status?: number; text?: string };

class StandIn {
  private server!: Server;
  url = '';
  answer: Answer = () => ({ text: '3' });
  seen: Seen[] = [];

  async start(): Promise<void> {
    this.server = createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (c: Buffer) => chunks.push(c));
      req.on('end', () => {
        const raw = Buffer.concat(chunks).toString('utf8');
        const content = (JSON.parse(raw) as { messages: { content: string }[] }).messages[0]!.content;
        const seenBefore = this.seen.filter((s) => s.content === content).length;
        this.seen.push({ path: req.url ?? '', raw, headers: req.headers, content });
        const a = this.answer(content, seenBefore);
        if (a.status) {
          res.writeHead(a.status, { 'content-type': 'application/json' }).end('{"object":"error","message":"no"}');
          return;
        }
        const body = {
          id: 'x',
          object: 'chat.completion',
          choices: [{ index: 0, message: { role: 'assistant', content: a.text }, finish_reason: 'stop' }],
        };
        res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify(body));
      });
    });
    await new Promise<void>((resolve) => this.server.listen(0, '127.0.0.1', resolve));
    this.url = `http://127.0.0.1:${(this.server.address() as AddressInfo).port}/v1#judge-m`;
  }

  async close(): Promise<void> {
    this.server.closeAllConnections();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }
}

const server = new StandIn();
before(() => server.start());
after(() => server.close());

/** Record k: two earlier messages, the seeker's message and the two contents, all tagged with k. */
const record = (k: number): Record<string, unknown> => ({
  conversations: [
    { role: 'user', content: `hi ${k}` },
    { role: 'assistant', content: `hello ${k}` },
    { role: 'user', content: `I am sad ${k}` },
  ],
  GT_strategy: 'Question',
  predict_strategy: 'Question',
  GT_content: `ref ${k}`,
  predict_content: `resp ${k}`,
});
const inferenceFile = (name: string, n: number): string => t.write(name, JSON.stringify(Array.from({ length: n }, (_, k) => record(k))));

/** A rubric folder whose prompts say which criterion and turn they are: "E|<context>|<seeker>|<reference>|<response>". */
function rubricFolder(name: string, texts?: Partial<Record<string, string>>): string {
  const dir = path.join(t.dir, name);
  mkdirSync(dir, { recursive: true });
  for (const c of ['empathy', 'fluency', 'helpfulness', 'professionalism']) {
    writeFileSync(path.join(dir, `${c}.txt`), texts?.[c] ?? `${c[0]!.toUpperCase()}|{context}|{seeker}|{reference}|{response}`);
  }
  return dir;
}
/** The criterion letter and turn of a prompt of rubricFolder's. */
const callOf = (content: string): string => `${content[0]}${/\|resp (\d+)$/.exec(content)![1]}`;

interface JudgeOut {
  runs: { file: string; judge?: Record<string, number | null> }[];
}

describe('esc eval --judge', () => {
  it('sends one request per turn and criterion: model, one user message with the filled rubric, temperature 0', async () => {
    process.env.ESC_API_KEY = 'sk-test';
    server.seen = [];
    server.answer = () => ({ text: '3' });
    const file = inferenceFile('one.json', 1);
    const r = await esc('eval', file, '--json', '--judge', server.url, '--rubrics', rubricFolder('r1'));
    delete process.env.ESC_API_KEY;
    assert.equal(r.code, 0, r.err.join('\n'));
    assert.equal(server.seen.length, 4);
    const empathy = server.seen.find((s) => s.content.startsWith('E|'))!;
    assert.deepEqual(JSON.parse(empathy.raw), {
      model: 'judge-m',
      messages: [{ role: 'user', content: 'E|Seeker: hi 0\nSupporter: hello 0|I am sad 0|ref 0|resp 0' }],
      temperature: 0,
    });
    assert.equal(empathy.headers.authorization, 'Bearer sk-test');
    const out = JSON.parse(r.out.join('\n')) as JudgeOut;
    assert.deepEqual(out.runs[0]!.judge, { empathy: 3, fluency: 3, helpfulness: 3, professionalism: 3, missing: 0 });
    assert.ok(!existsSync(`${file}.judge.checkpoint.jsonl`), 'the checkpoint is removed once every answer is in');
  });

  it('sends the judge its own key: $ESC_JUDGE_API_KEY before $ESC_API_KEY', async () => {
    process.env.ESC_API_KEY = 'sk-roles';
    process.env.ESC_JUDGE_API_KEY = 'sk-judge';
    server.seen = [];
    server.answer = () => ({ text: '3' });
    const r = await esc('eval', inferenceFile('own-key.json', 1), '--json', '--judge', server.url, '--rubrics', rubricFolder('r-key'));
    delete process.env.ESC_API_KEY;
    delete process.env.ESC_JUDGE_API_KEY;
    assert.equal(r.code, 0, r.err.join('\n'));
    assert.deepEqual(
      server.seen.map((s) => s.headers.authorization),
      Array<string>(4).fill('Bearer sk-judge'),
    );
  });

  it('parses number-only answers, counts the rest as missing and leaves them out of the averages', async () => {
    server.seen = [];
    // empathy per turn: "4", " 3.5 ", "5.0" parse; "four", "6", "4/5", "" do not (the empty one is
    // retried by the client first, as any empty answer, which costs this test a few seconds)
    const empathy = ['4', ' 3.5 ', '5.0', 'four', '6', '4/5', ''];
    const fluency = ['3', '3', '3', '3', '3', '3', '3'];
    const helpfulness = ['0', '5', '2.25', '1', '0', '5', '4'];
    const professionalism = ['5', 'Score: 5', '4', '4', '4', '4', '4'];
    const table: Record<string, string[]> = { E: empathy, F: fluency, H: helpfulness, P: professionalism };
    server.answer = (content) => {
      const call = callOf(content);
      return { text: table[call[0]!]![Number(call.slice(1))] };
    };
    const file = inferenceFile('seven.json', 7);
    const r = await esc('eval', file, '--json', '--judge', server.url, '--rubrics', rubricFolder('r1'), '--concurrency', '3');
    assert.equal(r.code, 0, r.err.join('\n'));
    // 28 calls, the empty answer's 4 more times (5 attempts in all, the client's default)
    assert.equal(server.seen.length, 32);
    const judge = (JSON.parse(r.out.join('\n')) as JudgeOut).runs[0]!.judge!;
    // by hand: (4 + 3.5 + 5) / 3; 21 / 7; (0+5+2.25+1+0+5+4) / 7 = 17.25 / 7; (5+4*5) / 6 = 25 / 6
    assert.ok(Math.abs(judge.empathy! - 12.5 / 3) < 1e-12);
    assert.equal(judge.fluency, 3);
    assert.ok(Math.abs(judge.helpfulness! - 17.25 / 7) < 1e-12);
    assert.ok(Math.abs(judge.professionalism! - 25 / 6) < 1e-12);
    assert.equal(judge.missing, 5);

    // the same answers as a table (an unparsable "x" in place of the empty answer, to skip its retries)
    empathy[6] = 'x';
    const table2 = await esc('eval', file, '--judge', server.url, '--rubrics', rubricFolder('r1'));
    assert.equal(table2.code, 0);
    const header = table2.out[0]!.trim().split(/\s+/);
    assert.deepEqual(header.slice(-5), ['empathy', 'fluency', 'helpfulness', 'professionalism', 'judge_missing']);
    assert.deepEqual(table2.out[1]!.trim().split(/\s+/).slice(-5), ['4.17', '3.00', '2.46', '4.17', '5']);
  });

  it('without --judge the run has no judge and the table no judge columns', async () => {
    const file = inferenceFile('plain.json', 2);
    const seen = server.seen.length;
    const j = await esc('eval', file, '--json');
    assert.equal(j.code, 0);
    assert.ok(!('judge' in (JSON.parse(j.out.join('\n')) as JudgeOut).runs[0]!));
    const tab = await esc('eval', file);
    assert.ok(!tab.out[0]!.includes('empathy'));
    assert.equal(server.seen.length, seen);
  });

  it('retries a 500 and then takes the answer', async () => {
    server.seen = [];
    server.answer = (content, before) => (content.startsWith('F|') && before === 0 ? { status: 500 } : { text: '2' });
    const r = await esc('eval', inferenceFile('retry.json', 1), '--json', '--judge', server.url, '--rubrics', rubricFolder('r1'));
    assert.equal(r.code, 0, r.err.join('\n'));
    assert.equal(server.seen.length, 5);
    assert.equal((JSON.parse(r.out.join('\n')) as JudgeOut).runs[0]!.judge!.fluency, 2);
  });

  it('a run stopped by a failing call is rerun without repeating any finished call', async () => {
    server.seen = [];
    const file = inferenceFile('resume.json', 4);
    const rubrics = rubricFolder('r1');
    // the 7th call fails for good (400 is not retried); one call at a time, so what finished is exact
    server.answer = (content) => (callOf(content) === 'H1' ? { status: 400 } : { text: '4' });
    const first = await esc('eval', file, '--json', '--judge', server.url, '--rubrics', rubrics, '--concurrency', '1');
    assert.equal(first.code, 1);
    assert.equal(first.err.filter((l) => !/judge \d+\/\d+ calls/.test(l)).length, 1, first.err.join('\n'));
    assert.match(first.err.at(-1)!, /the judge at http:\/\/127\.0\.0\.1:\d+\/v1 failed: .*checkpoint/);
    assert.ok(existsSync(`${file}.judge.checkpoint.jsonl`));
    const finished = server.seen.map((s) => callOf(s.content)).filter((c) => c !== 'H1');
    assert.deepEqual(finished, ['E0', 'F0', 'H0', 'P0', 'E1', 'F1']);

    server.seen = [];
    server.answer = () => ({ text: '4' });
    const second = await esc('eval', file, '--json', '--judge', server.url, '--rubrics', rubrics, '--concurrency', '1');
    assert.equal(second.code, 0, second.err.join('\n'));
    const asked = server.seen.map((s) => callOf(s.content));
    assert.deepEqual(asked, ['H1', 'P1', 'E2', 'F2', 'H2', 'P2', 'E3', 'F3', 'H3', 'P3']);
    assert.deepEqual((JSON.parse(second.out.join('\n')) as JudgeOut).runs[0]!.judge, {
      empathy: 4,
      fluency: 4,
      helpfulness: 4,
      professionalism: 4,
      missing: 0,
    });
    assert.ok(!existsSync(`${file}.judge.checkpoint.jsonl`));
  });

  it('at concurrency 4, the rerun asks exactly what the stopped run did not write to its checkpoint', async () => {
    const file = inferenceFile('resume4.json', 6);
    const rubrics = rubricFolder('r1');
    server.answer = (content) => (callOf(content) === 'P2' ? { status: 400 } : { text: '1' });
    const first = await esc('eval', file, '--json', '--judge', server.url, '--rubrics', rubrics, '--concurrency', '4');
    assert.equal(first.code, 1);
    const lines = readFileSync(`${file}.judge.checkpoint.jsonl`, 'utf8').trim().split('\n');
    const written = lines.slice(1).map((l) => {
      const e = JSON.parse(l) as { i: number; c: string };
      return `${e.c[0]!.toUpperCase()}${e.i}`;
    });
    assert.ok(!written.includes('P2'));
    // requests the first run cut short may still reach the server late: they are let in first, then
    // only the rerun's requests are counted (the same base URL: the checkpoint names where the model is)
    server.answer = () => ({ text: '1' });
    await new Promise((resolve) => setTimeout(resolve, 300));
    server.seen = [];
    const second = await esc('eval', file, '--json', '--judge', server.url, '--rubrics', rubrics, '--concurrency', '4');
    assert.equal(second.code, 0, second.err.join('\n'));
    const asked = server.seen.map((s) => callOf(s.content)).sort();
    const all = [0, 1, 2, 3, 4, 5].flatMap((k) => ['E', 'F', 'H', 'P'].map((c) => `${c}${k}`));
    assert.deepEqual(asked, all.filter((c) => !written.includes(c)).sort());
    assert.equal(written.length + asked.length, 24);
  });

  it('fills the shipped rubrics (media/judge) with the turn', async () => {
    server.seen = [];
    server.answer = () => ({ text: '5' });
    const r = await esc('eval', inferenceFile('shipped.json', 1), '--json', '--judge', server.url);
    assert.equal(r.code, 0, r.err.join('\n'));
    assert.equal(server.seen.length, 4);
    for (const s of server.seen) {
      for (const part of ['Seeker: hi 0\nSupporter: hello 0', 'I am sad 0', 'ref 0', 'resp 0']) assert.ok(s.content.includes(part));
      assert.ok(!/\{(context|seeker|reference|response)\}/.test(s.content));
      assert.match(s.content, /number only/);
    }
    const names = server.seen.map((s) => /Quality: (\w+)/.exec(s.content)![1]).sort();
    assert.deepEqual(names, ['EMPATHY', 'FLUENCY', 'HELPFULNESS', 'PROFESSIONALISM']);
  });

  it('refuses a rubric missing a placeholder, and a missing folder, in one line (exit 2)', async () => {
    const seen = server.seen.length;
    const file = inferenceFile('bad.json', 1);
    const lacking = rubricFolder('r-lacking', { fluency: 'F|{context}|{seeker}|{response}' });
    const a = await esc('eval', file, '--judge', server.url, '--rubrics', lacking);
    assert.equal(a.code, 2);
    assert.deepEqual(a.err, [`esc eval: rubric ${path.join(lacking, 'fluency.txt')} lacks the placeholder {reference}`]);
    const b = await esc('eval', file, '--judge', server.url, '--rubrics', path.join(t.dir, 'nowhere'));
    assert.equal(b.code, 2);
    assert.equal(b.err.length, 1);
    assert.match(b.err[0]!, /^esc eval: rubric .*nowhere.empathy\.txt cannot be read \(ENOENT\)/);
    const c = await esc('eval', file, '--rubrics', lacking);
    assert.equal(c.code, 2);
    assert.deepEqual(c.err, ['esc eval: --rubrics goes with --judge SPEC']);
    assert.equal(server.seen.length, seen);
  });
});

describe('judge answers and prompts', () => {
  it('takes only a number alone on the 0-5 scale', () => {
    const cases: [string, number | undefined][] = [
      ['4', 4],
      [' 3.5 ', 3.5],
      ['5.0', 5],
      ['0', 0],
      ['\n2.25\n', 2.25],
      ['four', undefined],
      ['6', undefined],
      ['4/5', undefined],
      ['', undefined],
      ['5.5', undefined],
      ['-1', undefined],
      ['05', undefined],
      ['4.', undefined],
      ['.5', undefined],
      ['Score: 4', undefined],
      ['4 out of 5', undefined],
    ];
    for (const [answer, expected] of cases) assert.equal(parseJudgeScore(answer), expected, JSON.stringify(answer));
  });

  it('fills every placeholder once: a dialogue that contains "{response}" is not substituted again', () => {
    const fields = judgeFields({
      conversations: [
        { role: 'system', content: 'You are a supporter.' },
        { role: 'user', content: 'say {response}' },
        { role: 'assistant', content: 'ok' },
        { role: 'user', content: 'again {seeker}' },
      ],
      GT_content: 'gold',
      predict_content: 'pred',
    });
    assert.deepEqual(fields, {
      context: 'Seeker: say {response}\nSupporter: ok',
      seeker: 'again {seeker}',
      reference: 'gold',
      response: 'pred',
    });
    assert.equal(
      fillRubric('[{context}] [{seeker}] [{reference}] [{response}] {other}', fields),
      '[Seeker: say {response}\nSupporter: ok] [again {seeker}] [gold] [pred] {other}',
    );
  });
});
