// Hashed word n-gram features of a dialogue context, for the embedded strategy planner: the last
// seeker turn weighted most, earlier turns less, plus turn-position features. Deterministic (FNV-1a).

export const FEATURE_BITS = 18;
export const FEATURE_DIM = 1 << FEATURE_BITS;

export interface SparseVector {
  indices: Uint32Array;
  values: Float32Array;
}

/** 32-bit FNV-1a of a string: the same bucket on every machine and run. */
export function fnv1a(text: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) {
    h ^= text.charCodeAt(i);
    h = Math.imul(h, 0x01000193) >>> 0;
  }
  return h >>> 0;
}

const tokens = (text: string): string[] => text.toLowerCase().match(/[a-z0-9']+|[?!]/g) ?? [];

export interface ContextTurn {
  speaker: 'seeker' | 'supporter';
  text: string;
}

/** Weight of a turn by its distance from the reply (0 = the last turn). */
const recency = (distance: number): number => 1 / (1 + distance);

export function contextFeatures(turns: readonly ContextTurn[]): SparseVector {
  const acc = new Map<number, number>();
  const add = (key: string, w: number): void => {
    const i = fnv1a(key) & (FEATURE_DIM - 1);
    acc.set(i, (acc.get(i) ?? 0) + w);
  };
  add('bias', 1);
  const n = turns.length;
  add(`turns:${Math.min(n, 20)}`, 1);
  add(`position:${n < 4 ? 'opening' : n < 12 ? 'middle' : 'late'}`, 1);
  const lastSupporter = [...turns].reverse().find((t) => t.speaker === 'supporter');
  if (lastSupporter) add(`prev-supporter-question:${/\?\s*$/.test(lastSupporter.text)}`, 1);
  turns.forEach((t, idx) => {
    const w = recency(n - 1 - idx);
    if (w < 0.15) return;
    const words = tokens(t.text);
    const role = t.speaker[0];
    for (let i = 0; i < words.length; i++) {
      add(`${role}1:${words[i]}`, w);
      if (i + 1 < words.length) add(`${role}2:${words[i]} ${words[i + 1]}`, w);
    }
    if (idx === n - 1) add(`last:${t.speaker}`, 1);
  });
  // L2-normalise so long contexts do not dominate
  let norm = 0;
  for (const v of acc.values()) norm += v * v;
  norm = Math.sqrt(norm) || 1;
  const entries = [...acc.entries()].sort((a, b) => a[0] - b[0]);
  return { indices: Uint32Array.from(entries.map((e) => e[0])), values: Float32Array.from(entries.map((e) => e[1] / norm)) };
}
