// How a file's problems are said, in one plain sentence, wherever they are shown: the Datasets view's
// tooltip, ESC: Validate Dataset's notification and the viewer's banner. A file that is not a list of
// records says so ("The file is not a JSON array or JSON Lines: …"), never "0 of 0 records invalid";
// invalid records are counted as they are listed (the viewer marks them, it does not hide them).

export interface ProblemCounts {
  /** Records read. */
  records: number;
  /** Records that are invalid (a record cut off by the end of the file included). */
  invalid: number;
  /** Problems found, at least as many as listed. */
  problemCount: number;
  /** The first problems, in file order. */
  problems: readonly { index?: number; message: string }[];
}

const n = (x: number): string => x.toLocaleString('en-US');
const plural = (count: number, word: string): string => `${n(count)} ${word}${count === 1 ? '' : 's'}`;
const lowerFirst = (s: string): string => (/^[A-Z][a-z]/.test(s) ? s[0]!.toLowerCase() + s.slice(1) : s);

/** One sentence for the file's problems, or undefined when it has none. */
export function problemsSentence(c: ProblemCounts): string | undefined {
  if (c.problemCount === 0 && c.invalid === 0) return undefined;
  const fileLevel = c.problems.find((p) => p.index === undefined || p.index >= c.records);
  if (c.records === 0 && fileLevel) {
    // nothing could be read as records: what the file is instead
    if (/^The file is empty/.test(fileLevel.message)) return 'The file is empty: it has no records.';
    // "The top level is …": said as what the file is not; any other reason (encoding, …) is its own sentence
    return /^The top level/.test(fileLevel.message)
      ? `The file is not a JSON array or JSON Lines: ${lowerFirst(fileLevel.message)}`
      : fileLevel.message;
  }
  const parts: string[] = [];
  const total = c.records + (fileLevel?.index !== undefined ? 1 : 0);
  if (c.invalid > 0) parts.push(`${n(c.invalid)} of ${plural(total, 'record')} ${c.invalid === 1 ? 'is' : 'are'} invalid`);
  const other = c.problemCount - c.invalid;
  if (fileLevel) parts.push(lowerFirst(fileLevel.message).replace(/\.$/, ''));
  else if (other > 0) parts.push(`${plural(other, 'syntax problem')} between records`);
  const sentence = parts.join('; ');
  return sentence[0]!.toUpperCase() + sentence.slice(1).replace(/\.$/, '') + '.';
}
