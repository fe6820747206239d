/**
 * Barcode / QR scanners in serial (or USB-CDC virtual COM) mode: each code is sent as
 * one line ending in CR, LF or CRLF (pure, no I/O).
 */
import iconv from "iconv-lite";

const CR = 0x0d;
const LF = 0x0a;

export interface LineDecoderOptions {
  /** Longest code in bytes; longer lines are dropped whole. Default 2048 (a QR code holds up to ~2.9 kB). */
  maxLength?: number;
  /** Byte encoding the scanner is set to. Chinese scanners ship set to GBK more often than UTF-8. Default utf8. */
  encoding?: "utf8" | "gb18030";
  /** Hears every dropped over-long line. */
  onOverflow?: (droppedBytes: number) => void;
}

/**
 * Streaming line splitter: feed chunks, get complete codes. Bytes are only decoded once
 * a line is complete, so a multi-byte character split across chunks survives. Empty lines
 * (the LF of a CRLF that arrives in its own chunk) are skipped; control characters (GS
 * separators, AIM prefixes' STX, NUL) are stripped.
 */
export class LineDecoder {
  private parts: Buffer[] = [];
  private length = 0;
  private overflowing = false;
  private dropped = 0;
  private readonly maxLength: number;
  private readonly encoding: "utf8" | "gb18030";
  readonly stats = { lines: 0, overflows: 0 };

  constructor(private readonly options: LineDecoderOptions = {}) {
    this.maxLength = options.maxLength ?? 2048;
    this.encoding = options.encoding ?? "utf8";
  }

  push(chunk: Uint8Array | string): string[] {
    const bytes = typeof chunk === "string" ? Buffer.from(chunk, "utf8") : Buffer.from(chunk);
    const out: string[] = [];
    let start = 0;
    for (let i = 0; i < bytes.length; i++) {
      const b = bytes[i];
      if (b !== CR && b !== LF) continue;
      this.append(bytes.subarray(start, i));
      start = i + 1;
      const line = this.take();
      if (line !== undefined) out.push(line);
    }
    this.append(bytes.subarray(start));
    return out;
  }

  /** Drops a partial line (after the link went down, say). */
  reset(): void {
    this.parts = [];
    this.length = 0;
    this.overflowing = false;
    this.dropped = 0;
  }

  private append(bytes: Buffer): void {
    if (bytes.length === 0) return;
    if (this.overflowing || this.length + bytes.length > this.maxLength) {
      // Keep no bytes of an over-long line: holding them would let a stuck scanner grow memory without end.
      if (!this.overflowing) this.dropped = this.length;
      this.overflowing = true;
      this.dropped += bytes.length;
      this.parts = [];
      this.length = 0;
      return;
    }
    this.parts.push(Buffer.from(bytes));
    this.length += bytes.length;
  }

  private take(): string | undefined {
    if (this.overflowing) {
      this.stats.overflows++;
      this.options.onOverflow?.(this.dropped);
      this.reset();
      return undefined;
    }
    const raw = Buffer.concat(this.parts);
    this.parts = [];
    this.length = 0;
    const text = Array.from(iconv.decode(raw, this.encoding))
      .filter((ch) => !isControl(ch))
      .join("")
      .trim();
    if (text.length === 0) return undefined;
    this.stats.lines++;
    return text;
  }
}

/** C0 controls and DEL; written as a predicate because control characters in a regex trip the linter. */
function isControl(ch: string): boolean {
  const c = ch.charCodeAt(0);
  return c < 0x20 || c === 0x7f;
}
