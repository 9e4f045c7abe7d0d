// Parses one record from its bytes: checks the bytes are UTF-8, and turns JSON.parse's errors into
// an exact file byte offset and a short reason, so a problem can be reported where it is in a file
// of any size.

export type ParsedRecord = { ok: true; value: unknown } | { ok: false; message: string; offset: number };

const POSITION_RE = /at position (\d+)/;
const utf8 = new TextDecoder('utf-8', { fatal: true });

/** Byte index of the first invalid UTF-8 sequence (the bytes are known to contain one). */
export function firstInvalidUtf8(bytes: Uint8Array): number {
  let i = 0;
  while (i < bytes.length) {
    const b = bytes[i]!;
    const need = b < 0x80 ? 0 : b >= 0xc2 && b <= 0xdf ? 1 : b >= 0xe0 && b <= 0xef ? 2 : b >= 0xf0 && b <= 0xf4 ? 3 : -1;
    if (need < 0) return i;
    for (let k = 1; k <= need; k++) if (i + k >= bytes.length || (bytes[i + k]! & 0xc0) !== 0x80) return i;
    // overlong 3-byte forms, UTF-16 surrogates and code points past U+10FFFF are invalid too
    if (need === 2 && ((b === 0xe0 && bytes[i + 1]! < 0xa0) || (b === 0xed && bytes[i + 1]! >= 0xa0))) return i;
    if (need === 3 && ((b === 0xf0 && bytes[i + 1]! < 0x90) || (b === 0xf4 && bytes[i + 1]! >= 0x90))) return i;
    i += need + 1;
  }
  return bytes.length;
}

/**
 * Where JSON.parse stopped, in characters. V8 gives "at position N" for some errors only; for the
 * others the shortest prefix that fails for a reason other than ending early is found by bisection.
 */
function errorPosition(text: string, message: string): number {
  const m = POSITION_RE.exec(message);
  if (m) return Number(m[1]);
  const failsInside = (k: number): boolean => {
    try {
      JSON.parse(text.slice(0, k));
      return false;
    } catch (err) {
      const msg = (err as Error).message;
      if (/end of JSON input|Unterminated/.test(msg)) return false;
      const p = POSITION_RE.exec(msg);
      return !(p && Number(p[1]) >= k);
    }
  };
  let lo = 0;
  let hi = text.length;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (failsInside(mid + 1)) hi = mid;
    else lo = mid + 1;
  }
  return lo;
}

export function parseRecord(bytes: Buffer, fileOffset: number): ParsedRecord {
  let text: string;
  try {
    text = utf8.decode(bytes);
  } catch {
    const at = firstInvalidUtf8(bytes);
    return {
      ok: false,
      message: `not valid UTF-8 (byte 0x${bytes[at]?.toString(16).padStart(2, '0') ?? '??'}): re-save the file as UTF-8`,
      offset: fileOffset + at,
    };
  }
  try {
    return { ok: true, value: JSON.parse(text) };
  } catch (err) {
    const raw = err instanceof Error ? err.message : String(err);
    const charPos = errorPosition(text, raw);
    const offset = fileOffset + Buffer.byteLength(text.slice(0, charPos), 'utf8');
    // V8 appends the position or a quote of the input; keep the reason itself
    const reason = raw
      .replace(/ at position \d+.*$/s, '')
      .replace(/ in JSON$/, '')
      .replace(/, "[\s\S]*" is not valid JSON$/, '')
      .replace(/^JSON\.parse: /, '');
    return { ok: false, message: `JSON syntax error: ${reason}`, offset };
  }
}
