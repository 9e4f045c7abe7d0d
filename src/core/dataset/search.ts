// Full-text search over records' text values (not field names), substring or regular expression,
// with or without case. A cheap test on the raw JSON bytes of each record rules most records out
// before the few candidates are parsed, which keeps a 200 MB search within a couple of seconds.

import { escapeRegex } from '../util/regex';

export interface SearchQuery {
  text: string;
  regex: boolean;
  caseSensitive: boolean;
}

export interface CompiledSearch {
  /** Fast pre-test on a record's raw JSON text; false means it cannot match. */
  mayMatch(rawJson: string): boolean;
  /** The real test on the record's text values. */
  matches(record: unknown): boolean;
  /** Occurrences in the record's text values (for the match count). */
  count(record: unknown): number;
}

/**
 * Regex sources for how a text appears inside JSON string literals: escaped as JSON.stringify writes
 * it, and ASCII-only with \uXXXX escapes per UTF-16 unit, as Python (\u00e9) or Java (\u00E9) write it.
 */
function jsonForms(text: string): string[] {
  const plain = JSON.stringify(text).slice(1, -1);
  const forms = [escapeRegex(plain)];
  if (!/[^\x20-\x7e]/.test(plain)) return forms;
  let ascii = '';
  for (let i = 0; i < plain.length; i++) {
    const code = plain.charCodeAt(i);
    if (code >= 0x20 && code <= 0x7e) ascii += escapeRegex(plain[i]!);
    else {
      ascii +=
        '\\\\u' +
        code
          .toString(16)
          .padStart(4, '0')
          .replace(/[a-f]/g, (d) => `[${d}${d.toUpperCase()}]`);
    }
  }
  forms.push(ascii);
  return forms;
}

/** Throws a SyntaxError with a readable message for an invalid regular expression. */
export function compileSearch(q: SearchQuery): CompiledSearch {
  const flags = q.caseSensitive ? 'gu' : 'giu';
  const real = q.regex ? new RegExp(q.text, flags) : new RegExp(escapeRegex(q.text), flags);
  // A regex can match across escapes in ways the raw text does not show, and case folding of
  // \uXXXX-escaped letters cannot be seen in raw text: no pre-test for those.
  const nonAscii = [...q.text].some((c) => c.charCodeAt(0) > 0x7f);
  const pre = q.regex || (nonAscii && !q.caseSensitive) ? undefined : new RegExp(jsonForms(q.text).join('|'), q.caseSensitive ? '' : 'i');
  const textOf = (record: unknown): string => collectText(record, []).join('\n');
  return {
    mayMatch: (raw) => (pre ? pre.test(raw) : true),
    matches: (record) => {
      real.lastIndex = 0;
      return real.test(textOf(record));
    },
    count: (record) => {
      let n = 0;
      const t = textOf(record);
      real.lastIndex = 0;
      for (let m = real.exec(t); m; m = real.exec(t)) {
        n++;
        if (m[0].length === 0) real.lastIndex++;
      }
      return n;
    },
  };
}

/** Every string value in a JSON value, in document order (keys excluded). Iterative: any nesting depth. */
export function collectText(value: unknown, out: string[]): string[] {
  const stack: unknown[] = [value];
  while (stack.length > 0) {
    const v = stack.pop();
    if (typeof v === 'string') out.push(v);
    else if (v !== null && typeof v === 'object') {
      const children = Array.isArray(v) ? v : Object.values(v);
      for (let i = children.length - 1; i >= 0; i--) stack.push(children[i]);
    }
  }
  return out;
}
