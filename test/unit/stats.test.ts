// `esc stats --json` against a straightforward reference computation, on every real and demo file.

import * as assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import * as path from 'node:path';
import { describe, it } from 'node:test';
import { distribution } from '../../src/core/dataset/stats';
import { DEMO_DATA, REPO_ROOT, sharedData, SHARED_DATA } from './helpers';

const STRATS = [
  'Question',
  'Restatement or Paraphrasing',
  'Reflection of feelings',
  'Self-disclosure',
  'Affirmation and Reassurance',
  'Providing Suggestions',
  'Information',
  'Others',
];
type Counts = Record<string, number>;
type Msg = { role?: string; content?: string; from?: string; value?: string };

const load = (file: string): Record<string, unknown>[] => {
  const text = readFileSync(file, 'utf8').replace(/^\ufeff/, '');
  return file.endsWith('.jsonl')
    ? text
        .split('\n')
        .filter((l) => l.trim())
        .map((l) => JSON.parse(l))
    : JSON.parse(text);
};
const text = (m: Msg): string => m.content ?? m.value ?? '';
const role = (m: Msg): string => ({ human: 'user', gpt: 'assistant' })[m.from ?? ''] ?? m.role ?? m.from ?? '';
const reply = (x: unknown): string => (typeof x === 'string' ? x : Array.isArray(x) ? text(x[x.length - 1] as Msg) : text(x as Msg));
const tag = (s: string): string | undefined => /^\[([^\]]+)\]/.exec(s)?.[1];
const conditioned = (msgs: Msg[], r: Record<string, unknown>): string | undefined => {
  const sys = msgs[0] && role(msgs[0]) === 'system' ? text(msgs[0]) : (r.system as string | undefined);
  return sys ? /reference response strategy is ([^\n]+?)\.\n/.exec(sys)?.[1] : undefined;
};

/** The reference: counts computed the plain way, kind by kind, without the product's code. */
function reference(kind: string, records: Record<string, unknown>[]): { strategies: Record<string, Counts>; turns: number[] } {
  const zero = (): Counts => Object.fromEntries(STRATS.map((s) => [s, 0]));
  const other: Counts = {};
  const bump = (c: Counts, label: string | undefined): void => {
    if (label === undefined) return;
    if (STRATS.includes(label)) c[label]!++;
    else other[label] = (other[label] ?? 0) + 1;
  };
  const turns: number[] = [];
  const a = zero();
  const b = zero();
  const matrix: Record<string, Counts> = Object.fromEntries(STRATS.map((s) => [s, zero()]));
  for (const r of records) {
    const msgs = ((r.messages ?? r.conversations ?? r.prompt) as Msg[] | undefined) ?? [];
    const body = msgs.filter((m) => role(m) !== 'system');
    if (kind === 'esconv') {
      const dialog = r.dialog as { speaker: string; annotation: { strategy?: string } }[];
      turns.push(dialog.length);
      for (const t of dialog) if (t.speaker === 'supporter' || t.speaker === 'listener') bump(a, t.annotation.strategy);
    } else if (kind === 'sft-vanilla') {
      turns.push(body.length);
      for (const m of body) if (role(m) === 'assistant') bump(a, tag(text(m)));
    } else if (kind === 'sft-planner') {
      turns.push(
        text(body[0]!)
          .split('\n')
          .filter((l) => /^(seeker|supporter): /.test(l)).length,
      );
      bump(a, text(body[body.length - 1]!).trim());
    } else if (kind === 'sft-generator') {
      turns.push(body.length - 1);
      bump(a, conditioned(msgs, r));
    } else if (kind === 'pref-planner') {
      const c = reply(r.chosen).trim();
      const j = reply(r.rejected).trim();
      bump(a, c);
      bump(b, j);
      if (STRATS.includes(c) && STRATS.includes(j)) matrix[c]![j]!++;
    } else if (kind === 'pref-vanilla') {
      bump(a, tag(reply(r.chosen)));
      bump(b, tag(reply(r.rejected)));
    } else if (kind === 'pref-generator') {
      bump(a, conditioned(msgs, r));
      bump(b, conditioned(msgs, r));
    } else if (kind === 'inference') {
      bump(a, r.GT_strategy as string);
      bump(b, r.predict_strategy as string);
    } else if (kind === 'error-stats') {
      bump(a, r.strategy as string);
    }
  }
  const strategies: Record<string, Counts> =
    kind === 'inference'
      ? { gold: a, predicted: b }
      : kind.startsWith('pref')
        ? { chosen: a, rejected: b }
        : kind === 'error-stats'
          ? { responses: a }
          : { turns: a };
  if (kind === 'pref-planner') Object.assign(strategies, { matrix });
  strategies.other = other;
  return { strategies, turns };
}

// the real files (skipped, with the reason, when ../shared/data is not beside the clone) and every demo file
const files = [
  ...['ESC_sft_test.json', 'ESC_sft_val.json', 'FailedESConv.json'].map((f) => ({
    file: path.join(SHARED_DATA, f),
    skip: sharedData.skip,
  })),
  ...readdirSync(DEMO_DATA)
    .filter((f) => /\.jsonl?$/.test(f))
    .map((f) => ({ file: path.join(DEMO_DATA, f), skip: false as const })),
];

describe('esc stats --json', () => {
  for (const { file, skip } of files) {
    it(`equals the reference computation on ${path.basename(file)}`, { skip }, () => {
      const r = spawnSync(process.execPath, [path.join(REPO_ROOT, 'out', 'src', 'cli.js'), 'stats', file, '--json'], { encoding: 'utf8' });
      assert.equal(r.status, 0, r.stderr || r.stdout);
      const out = JSON.parse(r.stdout) as {
        kind: string;
        records: number;
        invalid: number;
        strategies: Record<string, Counts>;
        turns: { median: number; max: number; count: number };
      };
      const records = load(file);
      assert.equal(out.records, records.length);
      assert.equal(out.invalid, 0);
      const ref = reference(out.kind, records);
      assert.deepEqual(out.strategies, ref.strategies);
      if (!out.kind.startsWith('pref') && out.kind !== 'inference' && out.kind !== 'error-stats') {
        const sorted = [...ref.turns].sort((x, y) => x - y);
        assert.equal(out.turns.count, sorted.length);
        assert.equal(out.turns.max, sorted[sorted.length - 1]);
      }
    });
  }

  it('names the kinds the spec asks for on the real files', { skip: sharedData.skip }, () => {
    const r = spawnSync(
      process.execPath,
      [path.join(REPO_ROOT, 'out', 'src', 'cli.js'), 'stats', path.join(SHARED_DATA, 'FailedESConv.json'), '--json'],
      { encoding: 'utf8' },
    );
    const out = JSON.parse(r.stdout) as { strategies: { turns: Counts; other: Counts } };
    assert.deepEqual(Object.keys(out.strategies.turns), STRATS);
    assert.deepEqual(out.strategies.other, { 'Direct Guidance': 11, 'Approval and Reassurance': 7, Restatement: 3 });
  });
});

describe('distribution', () => {
  it('median, mean and histogram bins that cover every value', () => {
    const d = distribution([1, 2, 3, 4, 100]);
    assert.equal(d.median, 3);
    assert.equal(d.mean, 22);
    assert.equal(
      d.histogram.counts.reduce((a, b) => a + b, 0),
      5,
    );
    assert.ok(d.histogram.edges[0]! <= 1 && d.histogram.edges.at(-1)! > 100);
    assert.equal(distribution([2, 4]).median, 3);
    assert.equal(distribution([]).count, 0);
  });
});
