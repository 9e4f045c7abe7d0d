// The hand-written corpus the Playground's default embedded models are trained on
// (demo/sources/dialogues/, joined with demo/data/esconv_demo.json by scripts/build.mjs): valid ESConv
// files, large and varied enough for the retrieval bank to answer the common cases.

import * as assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import * as path from 'node:path';
import { describe, it } from 'node:test';
import { validateFile } from '../../src/core/dataset/validate';
import { STRATEGIES } from '../../src/core/strategies';
import { REPO_ROOT } from './helpers';

interface Dialogue {
  experience_type: string;
  emotion_type: string;
  problem_type: string;
  situation: string;
  dialog: { speaker: string; annotation: { strategy?: string; feedback?: string }; content: string }[];
}

const DIR = path.join(REPO_ROOT, 'demo', 'sources', 'dialogues');
const files = readdirSync(DIR)
  .filter((f) => f.endsWith('.json'))
  .sort();
const dialogues = files.flatMap((f) => JSON.parse(readFileSync(path.join(DIR, f), 'utf8')) as Dialogue[]);
const supporter = dialogues.flatMap((d) => d.dialog.filter((t) => t.speaker === 'supporter'));

describe('demo corpus (demo/sources/dialogues)', () => {
  it('every file is valid ESConv', async () => {
    assert.ok(files.length >= 5, `${files.length} files`);
    for (const f of files) {
      const report = await validateFile(path.join(DIR, f));
      assert.equal(report.kind, 'esconv', f);
      assert.ok(report.valid, `${f}: ${JSON.stringify(report.problems.slice(0, 3))}`);
    }
  });

  it('holds several dozen dialogues of 10-22 turns, each with its metadata, a greeting or an opening and a closing', () => {
    assert.ok(dialogues.length >= 40, `${dialogues.length} dialogues`);
    for (const d of dialogues) {
      const where = d.situation;
      assert.ok(d.dialog.length >= 10 && d.dialog.length <= 22, `${where}: ${d.dialog.length} turns`);
      for (const key of ['experience_type', 'emotion_type', 'problem_type', 'situation'] as const) assert.ok(d[key], `${where}: ${key}`);
      assert.equal(d.dialog[0]!.speaker, 'seeker', `${where} starts with the seeker`);
      const last = d.dialog.at(-1)!;
      assert.equal(last.speaker, 'supporter', `${where} ends with the supporter`);
      assert.equal(last.annotation.strategy, 'Others', `${where} ends with a closing line`);
    }
  });

  it('covers the common problem types', () => {
    const types = new Set(dialogues.map((d) => d.problem_type));
    for (const t of [
      'job crisis',
      'breakup with partner',
      'academic pressure',
      'loneliness',
      'grief',
      'health worries',
      'problems with friends',
    ]) {
      assert.ok(types.has(t), t);
    }
    assert.ok(dialogues.filter((d) => d.problem_type === 'job crisis').length >= 8);
  });

  it('represents every strategy well, in replies that are never repeated', () => {
    const counts = new Map<string, number>();
    for (const t of supporter) counts.set(t.annotation.strategy!, (counts.get(t.annotation.strategy!) ?? 0) + 1);
    for (const s of STRATEGIES) assert.ok((counts.get(s) ?? 0) >= 40, `${s}: ${counts.get(s) ?? 0}`);
    const texts = supporter.map((t) => t.content.trim().toLowerCase());
    const repeated = texts.filter((t, i) => texts.indexOf(t) !== i);
    assert.deepEqual(repeated, [], 'no supporter reply is copied between dialogues');
  });
});
