// Shared set-up for the tests of the runs (`esc infer`, `esc mine`, `esc eval --judge` and their
// workers): the CLI in this process or as a child, the stand-in server's lifecycle, small dialogue
// files, and the paper's prompts written out from FORMATS.md §3 (not imported from src/, so the tests
// check the product against the spec rather than against itself).

import { spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import * as path from 'node:path';
import { after, before } from 'node:test';
import { main } from '../../src/cli';
import { StandIn, type Body } from '../fixtures/openaiStandIn';
import { REPO_ROOT, type TempDir } from './helpers';

/** The built CLI. */
export const CLI = path.join(REPO_ROOT, 'out', 'src', 'cli.js');

/** `esc` in this process (a stand-in server here answers while it runs); stdout and stderr as lines. */
export async function esc(...args: string[]): Promise<{ code: number; out: string[]; err: string[] }> {
  const out: string[] = [];
  const err: string[] = [];
  const code = await main(args, { out: (l) => out.push(l), err: (l) => err.push(l) });
  return { code, out, err };
}

/** The built CLI as a child process (asynchronous, so a server in this process can answer it). */
export function escProcess(args: string[]): {
  child: ReturnType<typeof spawn>;
  done: Promise<{ code: number | null; signal: string | null; stderr: string }>;
} {
  const child = spawn(process.execPath, [CLI, ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
  let stderr = '';
  child.stdout!.resume();
  child.stderr!.on('data', (d: Buffer) => (stderr += d.toString()));
  const done = new Promise<{ code: number | null; signal: string | null; stderr: string }>((resolve) =>
    child.on('close', (code, signal) => resolve({ code, signal, stderr })),
  );
  return { child, done };
}

/** A stand-in OpenAI-compatible server, started before the enclosing suite's tests and closed after them. */
export function useStandIn(): StandIn {
  const server = new StandIn();
  before(() => server.start());
  after(() => server.close());
  return server;
}

/** The last message of a request: the one that differs from turn to turn. */
export const lastUser = (b: Body): string => b.messages[b.messages.length - 1]!.content;
export const readJson = (file: string): unknown => JSON.parse(readFileSync(file, 'utf8'));

/** A vanilla dialogue file of `n` one-turn records in `t`, seeker k saying "seeker k". */
export function manyTurns(t: TempDir, name: string, n: number): string {
  const records = Array.from({ length: n }, (_, k) => ({
    messages: [
      { role: 'system', content: 'SYS-V' },
      { role: 'user', content: `seeker ${k}` },
      { role: 'assistant', content: `[Others] gold ${k}` },
    ],
  }));
  return t.write(name, JSON.stringify(records));
}

// The paper's prompts, copied from FORMATS.md §3.

/** The strategy planner's system prompt. */
export const SP =
  "You are an emotional strategy identifier. Based on the seeker's questions, as well as the conversation between the seeker and the supporter, please provide the supporter with reference emotional strategies.\nThe strategies include:Question, Restatement or Paraphrasing, Reflection of feelings, Self-disclosure, Affirmation and Reassurance, Providing Suggestions, Information, Others. Specially, your response should consist of only one part: the reply strategy.\nThe conversation is as follows:\n";
/** The response generator's system prompt for `strategy`. */
export const RG = (strategy: string): string =>
  "You are a psychologist with a professional background in psychology and mental health, providing empathic responses to help seekers' psychological problems and completing psychological counseling.\nYour response should flow naturally, avoid being too long or too short, avoid using overly instructional language, and make sure your response fits the client's needs and context. You will be provided with a reference response strategy, and you are to generate reply content based on that strategy. For example, the format of response: <your reply content>. The strategies include:Question, Restatement or Paraphrasing, Reflection of feelings, Self-disclosure, Affirmation and Reassurance, Providing Suggestions, Information, Others. Your current reference response strategy is " +
  strategy +
  '.\nThe conversation is as follows:\n';
