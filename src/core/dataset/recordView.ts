// A record as the viewer draws it: turns with speaker and strategy, pairs with chosen and rejected
// sides, inference with gold and predicted, error annotations as fields. Computed next to the data
// (core), so the webview only renders and never interprets dataset layouts itself.

import { chatBody, conditionedStrategy, conversationMessages, lastAssistantText, plannerHistoryOf } from '../formats/accessors';
import { esconvTurns, speakerSide } from '../formats/esconv';
import { isFlatHistory, readFlatHistory } from '../formats/flatHistory';
import type { DatasetKind } from '../formats/kinds';
import { isObject, replyText, systemPromptOf, type ChatMessage } from '../formats/messages';
import { splitStrategyTag } from '../strategies';

export interface TurnView {
  speaker: 'seeker' | 'supporter';
  text: string;
  /** Strategy as written (tag or annotation). */
  strategy?: string;
  feedback?: string;
  /** A " " user turn inserted where the supporter spoke twice. */
  placeholder?: boolean;
}

export interface SideView {
  text: string;
  strategy?: string;
}

export type RecordView =
  | { layout: 'dialogue'; meta: [string, string][]; system?: string; turns: TurnView[]; answer?: string; conditioned?: string }
  | {
      layout: 'pair';
      pairKind: 'planner' | 'generator' | 'vanilla';
      system?: string;
      context: TurnView[];
      conditioned?: string;
      chosen: SideView;
      rejected: SideView;
      remained: [string, string][];
    }
  | { layout: 'inference'; context: TurnView[]; gold: SideView; predicted: SideView }
  | { layout: 'card'; fields: [string, string][] };

const str = (v: unknown): string | undefined => (typeof v === 'string' ? v : typeof v === 'number' ? String(v) : undefined);

/** A flattened planner history as turns; text before the first turn line is shown as the seeker's. */
function historyTurns(flattened: string): TurnView[] {
  const { lead, turns } = readFlatHistory(flattened);
  return lead === undefined ? turns : [{ speaker: 'seeker', text: lead }, ...turns];
}

function chatTurns(msgs: ChatMessage[], tagged: boolean): TurnView[] {
  return msgs
    .filter((m) => m.role !== 'system')
    .map((m): TurnView => {
      if (m.role === 'user') return { speaker: 'seeker', text: m.content, ...(m.content === ' ' ? { placeholder: true } : {}) };
      const tag = tagged ? splitStrategyTag(m.content) : undefined;
      return tag ? { speaker: 'supporter', text: tag.text, strategy: tag.tag } : { speaker: 'supporter', text: m.content };
    });
}

function side(text: string, tagged: boolean): SideView {
  const tag = tagged ? splitStrategyTag(text) : undefined;
  return tag ? { text: tag.text, strategy: tag.tag } : { text };
}

export function recordView(kind: DatasetKind, record: unknown): RecordView | undefined {
  if (!isObject(record)) return undefined;
  const r = record;
  switch (kind) {
    case 'esconv': {
      const meta: [string, string][] = [];
      for (const key of ['emotion_type', 'problem_type', 'experience_type', 'situation']) {
        const v = str(r[key]);
        if (v !== undefined) meta.push([key.replace('_type', '').replace('_', ' '), v]);
      }
      const seeker = isObject(r.survey_score) && isObject(r.survey_score.seeker) ? r.survey_score.seeker : undefined;
      if (seeker) for (const [k, v] of Object.entries(seeker)) if (str(v) !== undefined) meta.push([k.replace(/_/g, ' '), str(v)!]);
      const turns = esconvTurns(r).map((t): TurnView => {
        const supporter = speakerSide(t.speaker) === 'supporter';
        const ann = isObject(t.annotation) ? t.annotation : {};
        return {
          speaker: supporter ? 'supporter' : 'seeker',
          text: str(t.content) ?? '',
          ...(supporter && str(ann.strategy) !== undefined ? { strategy: str(ann.strategy) } : {}),
          ...(!supporter && str(ann.feedback) !== undefined ? { feedback: str(ann.feedback) } : {}),
        };
      });
      return { layout: 'dialogue', meta, turns };
    }
    case 'sft-vanilla':
    case 'sft-planner':
    case 'sft-generator': {
      const msgs = conversationMessages(r);
      const system = systemPromptOf(msgs, r);
      if (kind === 'sft-planner') {
        const body = chatBody(msgs);
        const answer = lastAssistantText(body)?.trim();
        return { layout: 'dialogue', meta: [], system, turns: historyTurns(plannerHistoryOf(body) ?? ''), answer };
      }
      const conditioned = kind === 'sft-generator' ? conditionedStrategy(msgs, r) : undefined;
      const turns = chatTurns(msgs, kind === 'sft-vanilla');
      if (conditioned !== undefined && turns.length > 0) turns[turns.length - 1]!.strategy = conditioned;
      return { layout: 'dialogue', meta: [], system, turns, conditioned };
    }
    case 'pref-planner':
    case 'pref-generator':
    case 'pref-vanilla': {
      const msgs = conversationMessages(r);
      const system = systemPromptOf(msgs, r);
      const pairKind = kind === 'pref-planner' ? 'planner' : kind === 'pref-generator' ? 'generator' : 'vanilla';
      const chosenText = replyText(r.chosen) ?? '';
      const rejectedText = replyText(r.rejected) ?? '';
      let context: TurnView[];
      let chosen: SideView;
      let rejected: SideView;
      let conditioned: string | undefined;
      if (pairKind === 'planner') {
        const history = plannerHistoryOf(msgs) ?? '';
        context = isFlatHistory(history) ? historyTurns(history) : chatTurns(msgs, false);
        chosen = { text: chosenText.trim(), strategy: chosenText.trim() };
        rejected = { text: rejectedText.trim(), strategy: rejectedText.trim() };
      } else if (pairKind === 'vanilla') {
        context = chatTurns(msgs, true);
        chosen = side(chosenText, true);
        rejected = side(rejectedText, true);
      } else {
        conditioned = conditionedStrategy(msgs, r);
        context = chatTurns(msgs, false);
        chosen = { text: chosenText, strategy: conditioned };
        rejected = { text: rejectedText, strategy: conditioned };
      }
      const remained: [string, string][] = isObject(r.remained)
        ? Object.entries(r.remained).flatMap(([k, v]) => (str(v) === undefined ? [] : [[k, str(v)!] as [string, string]]))
        : [];
      return { layout: 'pair', pairKind, system, context, conditioned, chosen, rejected, remained };
    }
    case 'inference':
      return {
        layout: 'inference',
        context: chatTurns(conversationMessages(r), false),
        gold: { text: str(r.GT_content) ?? '', strategy: str(r.GT_strategy) },
        predicted: { text: str(r.predict_content) ?? '', strategy: str(r.predict_strategy) },
      };
    case 'error-stats':
      return {
        layout: 'card',
        fields: Object.entries(r).flatMap(([k, v]) => (str(v) === undefined ? [] : [[k, str(v)!] as [string, string]])),
      };
  }
}
