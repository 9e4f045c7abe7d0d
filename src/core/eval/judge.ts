// The LLM judge of responses (FORMATS.md, "Metrics the paper reports"): four criteria, each scored
// 0-5 by its own call. This module is the pure part: the rubric templates and their placeholders,
// what each turn of an inference record gives them, the answer's parsing and the averages. The calls
// themselves (concurrency, retries, checkpoint) are core/runs/judgeRun.ts.

import { readFile } from 'node:fs/promises';
import * as path from 'node:path';
import { JUDGE_CRITERIA, type JudgeCriterion } from './judgeCriteria';

export { JUDGE_CRITERIA, type JudgeCriterion };

export const JUDGE_PLACEHOLDERS = ['context', 'seeker', 'reference', 'response'] as const;
export type JudgeFields = Record<(typeof JUDGE_PLACEHOLDERS)[number], string>;

export type Rubrics = Record<JudgeCriterion, string>;

/** A rubric folder that cannot be used: the CLI's exit 2, with this one-line reason. */
export class RubricError extends Error {}

/** The four templates of a folder (`<criterion>.txt`), each required to use all four placeholders. */
export async function readRubrics(folder: string): Promise<Rubrics> {
  const rubrics: Partial<Rubrics> = {};
  for (const c of JUDGE_CRITERIA) {
    const file = path.join(folder, `${c}.txt`);
    let text: string;
    try {
      text = await readFile(file, 'utf8');
    } catch (err) {
      const code = (err as NodeJS.ErrnoException).code;
      throw new RubricError(`rubric ${file} cannot be read (${code ?? (err as Error).message}); a rubric folder holds ${rubricNames()}`);
    }
    const absent = JUDGE_PLACEHOLDERS.filter((p) => !text.includes(`{${p}}`));
    if (absent.length > 0) {
      throw new RubricError(
        `rubric ${file} lacks the placeholder${absent.length > 1 ? 's' : ''} ${absent.map((p) => `{${p}}`).join(', ')}`,
      );
    }
    rubrics[c] = text;
  }
  return rubrics as Rubrics;
}

const rubricNames = (): string => JUDGE_CRITERIA.map((c) => `${c}.txt`).join(', ');

/**
 * The prompt: every placeholder replaced in one pass, so a dialogue that itself contains "{response}"
 * is not substituted again.
 */
export const fillRubric = (template: string, fields: JudgeFields): string =>
  template.replace(/\{(context|seeker|reference|response)\}/g, (_, name: keyof JudgeFields) => fields[name]);

const isMessage = (m: unknown): m is { role: string; content: string } =>
  typeof m === 'object' &&
  m !== null &&
  typeof (m as { role?: unknown }).role === 'string' &&
  typeof (m as { content?: unknown }).content === 'string';

/**
 * What a turn gives the rubric. The record's `conversations` is the history before the turn (a
 * vanilla record's also starts with the system prompt, which is not dialogue and is left out): its
 * last seeker message is `seeker`, and everything before that, one `Seeker: …` / `Supporter: …` line
 * per message, is `context`.
 */
export function judgeFields(record: Record<string, unknown>): JudgeFields {
  const dialogue = (Array.isArray(record.conversations) ? record.conversations : []).filter(isMessage).filter((m) => m.role !== 'system');
  let seeker = '';
  let before = dialogue;
  const last = dialogue[dialogue.length - 1];
  if (last?.role === 'user') {
    seeker = last.content;
    before = dialogue.slice(0, -1);
  }
  const context = before.map((m) => `${m.role === 'user' ? 'Seeker' : 'Supporter'}: ${m.content}`).join('\n');
  return { context, seeker, reference: String(record.GT_content ?? ''), response: String(record.predict_content ?? '') };
}

/**
 * A judge's answer as a score: the trimmed answer must be the number alone (a full match of
 * `[0-5](\.\d+)?`, and at most 5: "5.5" is off the scale); anything else is undefined (missing).
 */
export function parseJudgeScore(answer: string): number | undefined {
  const t = answer.trim();
  if (!/^[0-5](\.\d+)?$/.test(t)) return undefined;
  const x = Number(t);
  return x <= 5 ? x : undefined;
}

export interface JudgeScores {
  /** Averages on the 0-5 scale over the scores that parsed; null when none did. */
  empathy: number | null;
  fluency: number | null;
  helpfulness: number | null;
  professionalism: number | null;
  /** Answers (over all criteria) that were not a number alone, left out of the averages. */
  missing: number;
}

/** The run's judge scores from every answer, keyed by criterion. */
export function averageJudgeAnswers(answers: Record<JudgeCriterion, readonly string[]>): JudgeScores {
  let missing = 0;
  const avg = (list: readonly string[]): number | null => {
    let sum = 0;
    let n = 0;
    for (const a of list) {
      const x = parseJudgeScore(a);
      if (x === undefined) missing++;
      else {
        sum += x;
        n++;
      }
    }
    return n > 0 ? sum / n : null;
  };
  const [empathy, fluency, helpfulness, professionalism] = JUDGE_CRITERIA.map((c) => avg(answers[c]));
  return {
    empathy: empathy ?? null,
    fluency: fluency ?? null,
    helpfulness: helpfulness ?? null,
    professionalism: professionalism ?? null,
    missing,
  };
}
