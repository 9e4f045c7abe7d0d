// zod schemas for every record layout in FORMATS.md, chosen per detected layout (kind, tag style,
// sharegpt or TRL). Validation reports each problem with its JSON path inside the record.
// checkRecord runs the same schemas as a check compiled from them (fastCheck.ts) and asks the zod
// runtime for the problems only of records that check rejects, so a full pass over a large file stays cheap.

import * as z from 'zod';
import { isStrategyLabel, splitStrategyTag } from '../strategies';
import { likelyPromptKind, strategyOfGeneratorPrompt } from '../prompts';
import { ESCONV_SPEAKER_NAMES, speakerSide } from './esconv';
import { fastCheck, type FastCheck } from './fastCheck';
import type { DatasetKind } from './kinds';
import { ROLE_TAGS, toChatMessage, type TagStyle } from './messages';
import { recordShape, type RecordLayout } from './classify';

const text = z.string();

function messageSchema(tags: TagStyle) {
  const t = ROLE_TAGS[tags];
  const roles = Object.values(t.roles) as [string, ...string[]];
  return z.looseObject({ [t.key]: z.enum(roles), [t.text]: text });
}

type Ctx = z.core.$RefinementCtx<unknown[]>;

const issue = (ctx: Ctx, path: (string | number)[], message: string): void => {
  ctx.addIssue({ code: 'custom', path, message });
};

/** Checks turn order: optional system, then user/assistant alternating, ending on an assistant turn. */
function checkTurnOrder(list: unknown[], ctx: Ctx, textKey: string): void {
  const msgs = list.map(toChatMessage);
  if (msgs.some((m) => m === undefined)) return; // element errors are reported by the element schema
  let i = msgs[0]?.role === 'system' ? 1 : 0;
  if (i >= msgs.length) {
    issue(ctx, [], 'the conversation has no user or assistant turn');
    return;
  }
  let expected: 'user' | 'assistant' = 'user';
  for (; i < msgs.length; i++) {
    const m = msgs[i]!;
    if (m.role === 'system') {
      issue(ctx, [i], 'a system message may only come first');
      return;
    }
    if (m.role !== expected) {
      issue(ctx, [i], `expected a ${expected} turn here (turns must alternate user/assistant; use " " as a placeholder user turn)`);
      return;
    }
    expected = expected === 'user' ? 'assistant' : 'user';
  }
  if (msgs[msgs.length - 1]!.role !== 'assistant') issue(ctx, [msgs.length - 1, textKey], 'the conversation must end on an assistant turn');
}

function chatArray(tags: TagStyle, kind: 'sft-vanilla' | 'sft-planner' | 'sft-generator') {
  const textKey = ROLE_TAGS[tags].text;
  return z
    .array(messageSchema(tags))
    .min(2, 'needs at least a user turn and an assistant turn')
    .superRefine((list, ctx) => {
      checkTurnOrder(list, ctx, textKey);
      const msgs = list.map(toChatMessage);
      if (kind === 'sft-vanilla') {
        msgs.forEach((m, i) => {
          if (m?.role !== 'assistant') return;
          const tag = splitStrategyTag(m.content);
          if (!tag) issue(ctx, [i, textKey], 'assistant reply lacks a leading [Strategy] tag');
          else if (!tag.normalized) issue(ctx, [i, textKey], `unknown strategy tag [${tag.tag}]`);
        });
      } else if (kind === 'sft-planner') {
        const body = msgs[0]?.role === 'system' ? msgs.slice(1) : msgs;
        if (body.length !== 2) {
          issue(ctx, [], `a planner sample has one user turn (the flattened history) and one assistant turn, found ${body.length} turns`);
        }
        const last = msgs[msgs.length - 1];
        if (last?.role === 'assistant' && !isStrategyLabel(last.content.trim())) {
          issue(
            ctx,
            [msgs.length - 1, textKey],
            `the planner's answer must be a strategy name, got ${JSON.stringify(last.content.slice(0, 60))}`,
          );
        }
      } else if (msgs[0]?.role === 'system') {
        checkGeneratorPrompt(msgs[0].content, ctx, [0, textKey]);
      }
    });
}

function checkGeneratorPrompt(system: string, ctx: Ctx, path: (string | number)[]): void {
  const s = strategyOfGeneratorPrompt(system);
  if (s === undefined) {
    issue(ctx, path, 'the generator system prompt does not name the reference strategy ("…reference response strategy is X.")');
  } else if (!isStrategyLabel(s)) issue(ctx, path, `the generator system prompt names an unknown strategy ${JSON.stringify(s)}`);
}

function sftSchema(layout: RecordLayout, kind: 'sft-vanilla' | 'sft-planner' | 'sft-generator') {
  const tags = layout.tags ?? 'role/content';
  const key = layout.conversationKey ?? 'messages';
  const shape: Record<string, z.ZodType> = { [key]: chatArray(tags, kind) };
  if (layout.tags === 'from/value') shape.system = text.optional();
  const schema = z.looseObject(shape);
  if (kind !== 'sft-generator') return schema;
  // sharegpt files may carry the generator prompt in a `system` column instead of a first message
  return schema.superRefine((r, ctx) => {
    const first = toChatMessage((r[key] as unknown[])[0]);
    const system = first?.role === 'system' ? undefined : (r as Record<string, unknown>).system;
    if (typeof system === 'string') checkGeneratorPrompt(system, ctx as unknown as Ctx, ['system']);
    else if (first?.role !== 'system') {
      issue(ctx as unknown as Ctx, [key], 'a generator sample needs the system prompt that names its strategy');
    }
  });
}

const remainedSchema = z.looseObject({
  'Should the sample be retained': z.enum(['Yes', 'No']),
  'Error Type in chosen reply': text.optional(),
  'Explanation for chosen reply error': text.optional(),
  'Error Type in rejected reply': text.optional(),
  'Explanation for rejected reply error': text.optional(),
});

function pairSchema(layout: RecordLayout, kind: 'pref-planner' | 'pref-generator' | 'pref-vanilla') {
  const tags = layout.tags ?? 'role/content';
  const msg = messageSchema(tags);
  const textKey = ROLE_TAGS[tags].text;
  const side =
    layout.pairLayout === 'trl'
      ? z.union([text, z.array(msg).min(1)])
      : msg.refine((m) => toChatMessage(m)?.role === 'assistant', { message: 'chosen/rejected must be assistant messages' });
  const prompt = layout.pairLayout === 'trl' ? z.union([text, z.array(msg).min(1)]) : z.array(msg).min(1, 'the conversation is empty');
  const shape: Record<string, z.ZodType> = {
    [layout.conversationKey ?? 'conversations']: prompt,
    chosen: side,
    rejected: side,
    remained: remainedSchema.optional(),
  };
  return z.looseObject(shape).superRefine((r, ctx) => {
    const c = ctx as unknown as Ctx;
    for (const which of ['chosen', 'rejected'] as const) {
      const value = (r as Record<string, unknown>)[which];
      const content = typeof value === 'string' ? value : Array.isArray(value) ? undefined : toChatMessage(value)?.content;
      if (content === undefined) continue;
      const path = typeof value === 'string' ? [which] : [which, textKey];
      if (kind === 'pref-planner' && !isStrategyLabel(content.trim())) {
        issue(c, path, `a planner pair's ${which} side must be a strategy name, got ${JSON.stringify(content.slice(0, 60))}`);
      }
      if (kind === 'pref-vanilla' && !splitStrategyTag(content)?.normalized) {
        issue(c, path, `a vanilla pair's ${which} reply must start with a [Strategy] tag`);
      }
    }
    if (kind === 'pref-generator') {
      const convo = (r as Record<string, unknown>)[layout.conversationKey ?? 'conversations'];
      const first = Array.isArray(convo) ? toChatMessage(convo[0]) : undefined;
      if (first?.role === 'system' && likelyPromptKind(first.content) === 'generator') {
        checkGeneratorPrompt(first.content, c, [layout.conversationKey ?? 'conversations', 0, textKey]);
      }
    }
  });
}

const esconvTurn = z
  .looseObject({
    speaker: z.enum(ESCONV_SPEAKER_NAMES),
    annotation: z.looseObject({ strategy: text.optional(), feedback: z.union([text, z.number()]).optional() }).optional(),
    content: text,
  })
  .superRefine((t, ctx) => {
    if (speakerSide(t.speaker) === 'supporter' && typeof t.annotation?.strategy !== 'string') {
      ctx.addIssue({ code: 'custom', path: ['annotation', 'strategy'], message: 'a supporter turn needs annotation.strategy' });
    }
  });

const scoreValue = z.union([text, z.number(), z.null()]);
const esconvSchema = z.looseObject({
  experience_type: text.optional(),
  emotion_type: text.optional(),
  problem_type: text.optional(),
  situation: text.optional(),
  survey_score: z
    .looseObject({ seeker: z.record(z.string(), scoreValue).optional(), supporter: z.record(z.string(), scoreValue).optional() })
    .optional(),
  dialog: z.array(esconvTurn).min(1, 'the dialogue has no turns'),
});

function inferenceSchema(layout: RecordLayout) {
  return z.looseObject({
    conversations: z.array(messageSchema(layout.tags ?? 'role/content')),
    GT_strategy: text,
    // null when the model's answer named no strategy (FORMATS.md §7: `esc infer` writes it so)
    predict_strategy: text.nullable(),
    GT_content: text,
    predict_content: text,
  });
}

const errorStatsSchema = z.looseObject({
  'Contains Empathy Error': z.enum(['Yes', 'No']),
  'Error Type': z.union([text, z.null()]).optional(),
  'Brief Explanation': z.union([text, z.null()]).optional(),
  'Improvement Suggestion': z.union([text, z.null()]).optional(),
  user_input: text.optional(),
  strategy: text.optional(),
  response: text,
});

/** The schema every record of a file with this layout must satisfy. */
export function schemaFor(kind: DatasetKind, layout: RecordLayout): z.ZodType {
  switch (kind) {
    case 'esconv':
      return esconvSchema;
    case 'sft-vanilla':
    case 'sft-planner':
    case 'sft-generator':
      return sftSchema(layout, kind);
    case 'pref-planner':
    case 'pref-generator':
    case 'pref-vanilla':
      return pairSchema(layout, kind);
    case 'inference':
      return inferenceSchema(layout);
    case 'error-stats':
      return errorStatsSchema;
  }
}

/** `[12].messages[3].content` style path; keys that are not identifiers are quoted. */
export function formatJsonPath(path: readonly PropertyKey[]): string {
  let out = '';
  for (const seg of path) {
    if (typeof seg === 'number') out += `[${seg}]`;
    else if (typeof seg === 'string' && /^[A-Za-z_$][\w$]*$/.test(seg)) out += `.${seg}`;
    else out += `[${JSON.stringify(String(seg))}]`;
  }
  return out;
}

export interface RecordIssue {
  /** JSON path inside the record, starting with `.` or `[` (empty for the record itself). */
  path: string;
  message: string;
}

/** Plain-language reasons for zod's issues (a missing field says "missing", not "received undefined"). */
export function recordIssues(error: z.ZodError): RecordIssue[] {
  return error.issues.map((iss) => {
    let message = iss.message;
    if (iss.code === 'invalid_type' && /received undefined$/.test(message)) {
      const key = iss.path[iss.path.length - 1];
      message = `missing field ${JSON.stringify(String(key))} (expected ${iss.expected})`;
    } else if (iss.code === 'invalid_union') {
      message = 'value has the wrong type (expected a string or a list of messages)';
    }
    return { path: formatJsonPath(iss.path), message };
  });
}

const NO_ISSUES: readonly RecordIssue[] = Object.freeze([]);

interface CompiledSchema {
  schema: z.ZodType;
  /** The same schema as a yes/no check that builds nothing. */
  fast: FastCheck;
}

// One entry per kind and shape seen (a handful): the schemas are built and compiled once per process.
const compiled = new Map<string, CompiledSchema>();

function compiledFor(kind: DatasetKind, value: unknown): CompiledSchema {
  // Layout details (tag style, TRL or sharegpt) may differ per record; the kind may not.
  const shape = recordShape(value);
  const key = `${kind}|${shape.conversationKey}|${shape.tags}|${shape.pairLayout}`;
  let entry = compiled.get(key);
  if (!entry) {
    const schema = schemaFor(kind, { ...shape, kind });
    compiled.set(key, (entry = { schema, fast: fastCheck(schema) }));
  }
  return entry;
}

/** The problems of one record checked as `kind` (empty when it is valid), as the zod runtime words them. */
export function checkRecord(kind: DatasetKind, value: unknown): readonly RecordIssue[] {
  const { schema, fast } = compiledFor(kind, value);
  if (fast(value)) return NO_ISSUES;
  const result = schema.safeParse(value);
  return result.success ? NO_ISSUES : recordIssues(result.error);
}
