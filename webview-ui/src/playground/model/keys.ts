// Keyboard moves inside a group of controls: the save menu's items and a strategy chart's bars
// (one tab stop per group, arrows move between its members).
//
// DOM-free (the model/ folders are compiled and unit-tested under node).

/** Arrow keys, Home and End in a menu or a group of buttons: the index to move to (wrapping), or undefined. */
export function rovingIndex(key: string, current: number, count: number, horizontal = false): number | undefined {
  const moves: Record<string, number> = { ArrowDown: current + 1, ArrowUp: current - 1, Home: 0, End: count - 1 };
  if (horizontal) Object.assign(moves, { ArrowRight: current + 1, ArrowLeft: current - 1 });
  if (count === 0 || current < 0 || !Object.hasOwn(moves, key)) return undefined;
  return (moves[key]! + count) % count;
}
