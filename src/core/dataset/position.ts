// Byte offset -> line/column, for placing diagnostics in files VS Code can open as text.

export interface TextPosition {
  /** 0-based line. */
  line: number;
  /** 0-based column in UTF-16 code units (what VS Code positions count). */
  character: number;
}

export function positionAt(bytes: Buffer, offset: number): TextPosition {
  const end = Math.max(0, Math.min(offset, bytes.length));
  let line = 0;
  let lineStart = 0;
  for (let i = bytes.indexOf(0x0a); i >= 0 && i < end; i = bytes.indexOf(0x0a, i + 1)) {
    line++;
    lineStart = i + 1;
  }
  let startOfText = lineStart;
  // a UTF-8 BOM is not a character VS Code shows
  if (lineStart === 0 && bytes[0] === 0xef && bytes[1] === 0xbb && bytes[2] === 0xbf) startOfText = Math.min(3, end);
  return { line, character: bytes.subarray(startOfText, end).toString('utf8').length };
}
