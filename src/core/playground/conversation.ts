// The Playground's conversation: seeker turns and supporter turns, each supporter turn holding one or
// more candidate replies (regenerations, overrides, compare-mode lanes) and which one continues the
// dialogue. VS Code-free so that the history it feeds the models is unit-tested; persisted as JSON.

import * as z from 'zod';
import { laneResultSchema, type LaneResult } from './pipeline';
import type { DialogueTurn } from '../dialogue/types';

export type ConversationTurn =
  { id: string; speaker: 'seeker'; text: string } | { id: string; speaker: 'supporter'; candidates: LaneResult[]; selected: number };
export type SupporterTurnState = Extract<ConversationTurn, { speaker: 'supporter' }>;

const turnSchema = z.discriminatedUnion('speaker', [
  z.object({ id: z.string(), speaker: z.literal('seeker'), text: z.string() }),
  z.object({
    id: z.string(),
    speaker: z.literal('supporter'),
    candidates: z.array(laneResultSchema).min(1),
    selected: z.number().int().min(0),
  }),
]);

/** A candidate that can stand in the dialogue: finished, with text. */
export const usable = (c: LaneResult | undefined): c is LaneResult => c !== undefined && c.status === 'done' && c.reply.trim() !== '';

export class Conversation {
  private next = 1;

  constructor(readonly turns: ConversationTurn[] = []) {
    for (const t of turns) this.next = Math.max(this.next, Number(/^t(\d+)$/.exec(t.id)?.[1] ?? 0) + 1);
  }

  /** A saved conversation, or an empty one when the saved value is damaged or from another version. */
  static fromJSON(value: unknown): Conversation {
    const parsed = z.array(turnSchema).safeParse(value);
    if (!parsed.success) return new Conversation();
    // a reload interrupted whatever was running
    for (const t of parsed.data) {
      if (t.speaker !== 'supporter') continue;
      t.selected = Math.min(t.selected, t.candidates.length - 1);
      for (const c of t.candidates) if (c.status === 'planning' || c.status === 'generating') c.status = 'cancelled';
    }
    return new Conversation(parsed.data as ConversationTurn[]);
  }

  private id(): string {
    return `t${this.next++}`;
  }

  addSeeker(text: string): ConversationTurn {
    const turn: ConversationTurn = { id: this.id(), speaker: 'seeker', text };
    this.turns.push(turn);
    return turn;
  }

  addSupporter(candidates: LaneResult[]): SupporterTurnState {
    const turn: SupporterTurnState = { id: this.id(), speaker: 'supporter', candidates, selected: 0 };
    this.turns.push(turn);
    return turn;
  }

  supporter(id: string): SupporterTurnState | undefined {
    const t = this.turns.find((x) => x.id === id);
    return t?.speaker === 'supporter' ? t : undefined;
  }

  lastSupporter(): SupporterTurnState | undefined {
    for (let i = this.turns.length - 1; i >= 0; i--) {
      const t = this.turns[i]!;
      if (t.speaker === 'supporter') return t;
    }
    return undefined;
  }

  /** The dialogue as the models see it, up to (not including) `beforeId`; failed supporter turns are left out. */
  dialogue(beforeId?: string): DialogueTurn[] {
    const out: DialogueTurn[] = [];
    for (const t of this.turns) {
      if (t.id === beforeId) break;
      if (t.speaker === 'seeker') out.push({ speaker: 'seeker', text: t.text });
      else {
        const c = t.candidates[t.selected];
        if (usable(c)) out.push({ speaker: 'supporter', text: c.reply, strategy: c.strategy });
      }
    }
    return out;
  }

  clear(): void {
    this.turns.length = 0;
  }
}
