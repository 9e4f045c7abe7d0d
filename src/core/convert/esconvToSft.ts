// ESConv raw dialogues -> the DecoupledESC training layouts (FORMATS.md §2-3): vanilla joint SFT,
// strategy-planner SFT and response-generator SFT, with the paper's exact prompts.
//
// Turn handling, as read off the released SFT files: consecutive seeker turns are joined with "\n";
// where the supporter speaks twice in a row a placeholder user turn " " is inserted; supporter turns
// before the seeker's first turn and seeker turns after the supporter's last turn have no
// counterpart in a user->assistant sample and are dropped. Off-list and loosely written strategy labels
// are mapped (strategies.ts) and counted in the report, never silently.

import { speakerSide } from '../formats/esconv';
import { flatHistoryLine } from '../formats/flatHistory';
import type { ChatMessage } from '../formats/messages';
import { generatorSystemPrompt, PLANNER_SYSTEM_PROMPT, VANILLA_SYSTEM_PROMPT } from '../prompts';
import { normalizeStrategy, splitStrategyTag, type Strategy } from '../strategies';

export interface EsconvTurn {
  speaker: string;
  annotation?: { strategy?: string; feedback?: string | number };
  content: string;
}

export interface EsconvDialogue {
  emotion_type?: string;
  problem_type?: string;
  situation?: string;
  dialog: EsconvTurn[];
}

export const PLACEHOLDER_USER_TURN = ' ';

/** One supporter turn in context: the alternating history before it, and its strategy and text. */
export interface SupporterTurn {
  dialogue: number;
  /** Index of the supporter turn in the raw `dialog` array. */
  rawTurn: number;
  /** user/assistant history before this turn (assistant turns tagged as in vanilla SFT). */
  history: ChatMessage[];
  strategy: Strategy;
  /** The label as written in the raw data. */
  label: string;
  text: string;
}

export interface ConversionReport {
  dialogues: number;
  supporterTurns: number;
  /** Labels not written exactly as one of the eight (off-list or loose: "question"), mapped, by label. */
  mapped: Record<string, number>;
  /** Supporter turns whose label names no strategy (skipped), by label. */
  unmapped: Record<string, number>;
  droppedLeadingSupporterTurns: number;
  droppedTrailingSeekerTurns: number;
}

export const tagged = (strategy: string, text: string): string => `[${strategy}] ${text}`;

/** Walks each dialogue once and yields every supporter turn with the alternating history before it. */
export function supporterTurns(dialogues: readonly EsconvDialogue[], report?: ConversionReport): SupporterTurn[] {
  const out: SupporterTurn[] = [];
  dialogues.forEach((d, di) => {
    const history: ChatMessage[] = [];
    let pendingSeeker: string[] = [];
    let seenSeeker = false;
    d.dialog.forEach((turn, ti) => {
      if (speakerSide(turn.speaker) !== 'supporter') {
        pendingSeeker.push(turn.content);
        seenSeeker = true;
        return;
      }
      if (!seenSeeker) {
        if (report) report.droppedLeadingSupporterTurns++;
        return;
      }
      const label = turn.annotation?.strategy ?? '';
      const norm = normalizeStrategy(label);
      if (!norm) {
        // skipped whole; the seeker's words stay pending for the next supporter turn
        if (report) report.unmapped[label] = (report.unmapped[label] ?? 0) + 1;
        return;
      }
      history.push({ role: 'user', content: pendingSeeker.length > 0 ? pendingSeeker.join('\n') : PLACEHOLDER_USER_TURN });
      pendingSeeker = [];
      if (report) {
        report.supporterTurns++;
        // a loosely written label ("question", "[Others]") is mapped too, so it is counted like an off-list one
        if (norm.match !== 'exact') report.mapped[label] = (report.mapped[label] ?? 0) + 1;
      }
      out.push({ dialogue: di, rawTurn: ti, history: history.slice(), strategy: norm.strategy, label, text: turn.content });
      history.push({ role: 'assistant', content: tagged(norm.strategy, turn.content) });
    });
    if (report && pendingSeeker.length > 0) report.droppedTrailingSeekerTurns += pendingSeeker.length;
  });
  return out;
}

export function emptyReport(dialogues: number): ConversionReport {
  return { dialogues, supporterTurns: 0, mapped: {}, unmapped: {}, droppedLeadingSupporterTurns: 0, droppedTrailingSeekerTurns: 0 };
}

const untag = (m: ChatMessage): ChatMessage =>
  m.role === 'assistant' ? { role: 'assistant', content: splitStrategyTag(m.content)?.text ?? m.content } : m;

/** "seeker: …\nsupporter: …\n" — the planner's view of the history (placeholder turns left out). */
export function flattenHistory(history: readonly ChatMessage[]): string {
  return history
    .filter((m) => !(m.role === 'user' && m.content === PLACEHOLDER_USER_TURN))
    .map((m) => flatHistoryLine(m.role === 'user' ? 'seeker' : 'supporter', untag(m).content))
    .join('');
}

export function plannerMessages(turn: SupporterTurn): ChatMessage[] {
  return [
    { role: 'system', content: PLANNER_SYSTEM_PROMPT },
    { role: 'user', content: flattenHistory(turn.history) },
  ];
}

export function generatorMessages(turn: SupporterTurn, strategy: string = turn.strategy): ChatMessage[] {
  return [{ role: 'system', content: generatorSystemPrompt(strategy) }, ...turn.history.map(untag)];
}

export function vanillaMessages(turn: SupporterTurn): ChatMessage[] {
  return [{ role: 'system', content: VANILLA_SYSTEM_PROMPT }, ...turn.history];
}

/** One vanilla SFT record per dialogue: the whole conversation, ending on the last supporter turn. */
export function toVanillaSft(dialogues: readonly EsconvDialogue[], report = emptyReport(dialogues.length)): { messages: ChatMessage[] }[] {
  const turns = supporterTurns(dialogues, report);
  const last = new Map<number, SupporterTurn>();
  for (const t of turns) last.set(t.dialogue, t);
  return [...last.values()].map((t) => ({ messages: [...vanillaMessages(t), { role: 'assistant', content: tagged(t.strategy, t.text) }] }));
}

/** One planner SFT record per supporter turn. */
export function toPlannerSft(dialogues: readonly EsconvDialogue[], report = emptyReport(dialogues.length)): { messages: ChatMessage[] }[] {
  return supporterTurns(dialogues, report).map((t) => ({ messages: [...plannerMessages(t), { role: 'assistant', content: t.strategy }] }));
}

/** One generator SFT record per supporter turn. */
export function toGeneratorSft(
  dialogues: readonly EsconvDialogue[],
  report = emptyReport(dialogues.length),
): { messages: ChatMessage[] }[] {
  return supporterTurns(dialogues, report).map((t) => ({ messages: [...generatorMessages(t), { role: 'assistant', content: t.text }] }));
}
