// Parses one record from its bytes and turns JSON.parse's character position into a file byte offset,
// so a syntax error can be reported exactly where it is in a file of any size.

export type ParsedRecord = { ok: true; value: unknown } | { ok: false; message: string; offset: number };

const POSITION_RE = /at position (\d+)/;

export function parseRecord(bytes: Buffer, fileOffset: number): ParsedRecord {
  const text = bytes.toString('utf8');
  try {
    return { ok: true, value: JSON.parse(text) };
  } catch (err) {
    const raw = err instanceof Error ? err.message : String(err);
    const pos = POSITION_RE.exec(raw);
    const charPos = pos ? Number(pos[1]) : text.length;
    const offset = fileOffset + Buffer.byteLength(text.slice(0, charPos), 'utf8');
    // V8 appends the position and a source excerpt; keep the reason itself.
    const reason = raw.replace(/\s*in JSON at position \d+.*$/s, '').replace(/^JSON\.parse: /, '');
    return { ok: false, message: `JSON syntax error: ${reason}`, offset };
  }
}
