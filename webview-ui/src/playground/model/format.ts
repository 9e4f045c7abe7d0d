// Numbers as the Playground shows them.
//
// DOM-free (the model/ folders are compiled and unit-tested under node).

/** "1.2 ms" below a second (embedded models answer in milliseconds), "3.45 s" above. */
export function formatMs(ms: number): string {
  return ms < 1000 ? `${ms.toFixed(1)} ms` : `${(ms / 1000).toFixed(2)} s`;
}

export function formatPct(p: number): string {
  return `${(p * 100).toFixed(1)}%`;
}

/** A bar's length for a probability: at least a sliver, so a strategy at 0.01% still shows its colour. */
export function barLength(p: number): string {
  return `max(2px, ${(Math.min(1, Math.max(0, p)) * 100).toFixed(2)}%)`;
}
