// Byte offset -> line/column, for placing diagnostics in files VS Code can open as text.

export interface TextPosition {
  /** 0-based line. */
  line: number;
  /** 0-based column in UTF-16 code units (what VS Code positions count). */
  character: number;
}

/** Maps byte offsets to positions; the line table is built once, so many problems cost little. */
export class PositionMapper {
  private readonly lineStarts: number[] = [0];

  constructor(private readonly bytes: Buffer) {
    for (let i = bytes.indexOf(0x0a); i >= 0; i = bytes.indexOf(0x0a, i + 1)) this.lineStarts.push(i + 1);
  }

  positionAt(offset: number): TextPosition {
    const end = Math.max(0, Math.min(offset, this.bytes.length));
    let lo = 0;
    let hi = this.lineStarts.length - 1;
    while (lo < hi) {
      const mid = (lo + hi + 1) >> 1;
      if (this.lineStarts[mid]! <= end) lo = mid;
      else hi = mid - 1;
    }
    let start = this.lineStarts[lo]!;
    // a UTF-8 BOM is not a character VS Code shows
    if (start === 0 && this.bytes[0] === 0xef && this.bytes[1] === 0xbb && this.bytes[2] === 0xbf) start = Math.min(3, end);
    return { line: lo, character: this.bytes.subarray(start, end).toString('utf8').length };
  }
}

export function positionAt(bytes: Buffer, offset: number): TextPosition {
  return new PositionMapper(bytes).positionAt(offset);
}
