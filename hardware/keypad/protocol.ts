/**
 * Caller keypad / rating device protocol (pure, no I/O).
 *
 * Frame: `FF 68 L L 68 addr cmd data… cs 16`
 * - `FF` wake-up byte (optional on receive: some keypads omit it),
 * - `68 L L 68` start, length repeated twice; L = bytes of addr + cmd + data,
 * - `cs` = (addr + cmd + data…) mod 256, `16` end byte.
 *
 * Many keypads and rating devices share one RS-485 bus; `addr` selects the device.
 */
import iconv from "iconv-lite";

export const WAKE = 0xff;
export const START = 0x68;
export const END = 0x16;

/** Commands seen on the bus. Device → hub keys, and hub → device requests. */
export const Cmd = {
  /** Device → hub: ask the rating device for a rating. Hub → device: prompt the visitor to rate. */
  RATE: 0x0b,
  CALL: 0x0c,
  RECALL: 0x0d,
  /** Confirm key, one data byte: ConfirmCode. */
  CONFIRM: 0x0f,
  /** Rating from the rating device, one data byte 1..5. */
  RATING: 0x11,
  PAUSE: 0x12,
  TRANSFER: 0x13,
  /** Hub → device: show GB18030 text on the keypad LCD (our choice; see docs/devices.md). */
  SHOW_TEXT: 0x20,
} as const;

export const ConfirmCode = { PARK: 0x00, CALL_BACK: 0x03, NO_SHOW: 0x06 } as const;

/** Longest text payload sent to a keypad LCD: two lines of 16 half-width cells. */
export const MAX_TEXT_BYTES = 32;

/** One frame that passed every check. */
export interface KeypadFrame {
  address: number;
  cmd: number;
  data: Buffer;
}

export type KeypadKey = "call" | "recall" | "rate" | "pause" | "transfer" | "no_show" | "park" | "call_back";

/** 1 非常不满意 · 2 不满意 · 3 基本满意 · 4 满意 · 5 非常满意 (national 好差评 levels). */
export type RatingScore = 1 | 2 | 3 | 4 | 5;

export type KeypadInput = { address: number; key: KeypadKey } | { address: number; rating: RatingScore };

/** Encodes one frame, wake-up byte included. Throws RangeError on out-of-range input (a programming error). */
export function encodeFrame(address: number, cmd: number, data: Uint8Array | readonly number[] = []): Buffer {
  checkByte("address", address);
  checkByte("cmd", cmd);
  const length = 2 + data.length;
  if (length > 0xff) throw new RangeError(`payload too long: ${data.length} bytes`);
  const out = Buffer.alloc(4 + 1 + length + 2);
  out[0] = WAKE;
  out[1] = START;
  out[2] = length;
  out[3] = length;
  out[4] = START;
  out[5] = address;
  out[6] = cmd;
  let sum = address + cmd;
  for (let i = 0; i < data.length; i++) {
    const b = data[i] ?? 0;
    checkByte("data", b);
    out[7 + i] = b;
    sum += b;
  }
  out[7 + data.length] = sum & 0xff;
  out[8 + data.length] = END;
  return out;
}

function checkByte(name: string, value: number): void {
  if (!Number.isInteger(value) || value < 0 || value > 0xff) throw new RangeError(`${name} out of range: ${value}`);
}

/** Hub → keypad: show `text` on the LCD at `address`, GB18030-encoded, cut to MAX_TEXT_BYTES on a character boundary. */
export function encodeShowText(address: number, text: string): Buffer {
  return encodeFrame(address, Cmd.SHOW_TEXT, encodeLcdText(text));
}

/** Hub → rating device: prompt the visitor to rate. */
export function encodeRequestRating(address: number): Buffer {
  return encodeFrame(address, Cmd.RATE);
}

/** Hub → device: acknowledge a key frame by echoing its address and command with no data. */
export function encodeAck(frame: KeypadFrame): Buffer {
  return encodeFrame(frame.address, frame.cmd);
}

/** GB18030 bytes of `text`, without splitting a multi-byte character at the cut. */
export function encodeLcdText(text: string, maxBytes = MAX_TEXT_BYTES): Buffer {
  const clean = Array.from(text, (ch) => (isControl(ch) ? " " : ch)).join("");
  let bytes = iconv.encode(clean, "gb18030");
  if (bytes.length <= maxBytes) return bytes;
  // Drop whole characters from the end until it fits, so the LCD never shows half a glyph.
  const chars = Array.from(clean);
  while (chars.length > 0 && bytes.length > maxBytes) {
    chars.pop();
    bytes = iconv.encode(chars.join(""), "gb18030");
  }
  return bytes;
}

export function decodeLcdText(data: Uint8Array): string {
  return iconv.decode(Buffer.from(data), "gb18030");
}

/** Maps a frame to a key press or a rating; null for anything else (hub-bound echoes, unknown commands). */
export function decodeKey(frame: KeypadFrame): KeypadInput | null {
  const address = frame.address;
  switch (frame.cmd) {
    case Cmd.CALL:
      return { address, key: "call" };
    case Cmd.RECALL:
      return { address, key: "recall" };
    case Cmd.RATE:
      return { address, key: "rate" };
    case Cmd.PAUSE:
      return { address, key: "pause" };
    case Cmd.TRANSFER:
      return { address, key: "transfer" };
    case Cmd.CONFIRM: {
      const code = frame.data[0];
      if (frame.data.length !== 1) return null;
      if (code === ConfirmCode.NO_SHOW) return { address, key: "no_show" };
      if (code === ConfirmCode.PARK) return { address, key: "park" };
      if (code === ConfirmCode.CALL_BACK) return { address, key: "call_back" };
      return null;
    }
    case Cmd.RATING: {
      const score = frame.data[0];
      if (frame.data.length !== 1 || score === undefined || !isRatingScore(score)) return null;
      return { address, rating: score };
    }
    default:
      return null;
  }
}

export function isRatingScore(n: number): n is RatingScore {
  return n === 1 || n === 2 || n === 3 || n === 4 || n === 5;
}

/** Key → the command (and data) a keypad sends for it; used by the simulator and tests. */
export function keyToCommand(key: KeypadKey): { cmd: number; data: number[] } {
  switch (key) {
    case "call":
      return { cmd: Cmd.CALL, data: [] };
    case "recall":
      return { cmd: Cmd.RECALL, data: [] };
    case "rate":
      return { cmd: Cmd.RATE, data: [] };
    case "pause":
      return { cmd: Cmd.PAUSE, data: [] };
    case "transfer":
      return { cmd: Cmd.TRANSFER, data: [] };
    case "no_show":
      return { cmd: Cmd.CONFIRM, data: [ConfirmCode.NO_SHOW] };
    case "park":
      return { cmd: Cmd.CONFIRM, data: [ConfirmCode.PARK] };
    case "call_back":
      return { cmd: Cmd.CONFIRM, data: [ConfirmCode.CALL_BACK] };
    default: {
      const never: never = key;
      throw new RangeError(`unknown key ${String(never)}`);
    }
  }
}

export type FrameErrorKind = "bad_checksum" | "bad_end" | "bad_length" | "garbage";

export interface FrameError {
  kind: FrameErrorKind;
  /** The bytes that were rejected (a candidate frame, or skipped noise). */
  bytes: Buffer;
}

/** Counters of what the parser threw away, for diagnostics and device health. */
export interface FrameParserStats {
  frames: number;
  badChecksum: number;
  badEnd: number;
  badLength: number;
  /** Bytes skipped while looking for a start byte (wake-up bytes not included). */
  garbageBytes: number;
}

/**
 * Streaming frame parser: feed it chunks as they arrive, get whole frames back.
 * Never throws on bad input: bad frames are counted and reported through `onError`,
 * and the parser resyncs on the next `68 L L 68` header.
 */
export class FrameParser {
  private buf: Buffer = Buffer.alloc(0);
  readonly stats: FrameParserStats = { frames: 0, badChecksum: 0, badEnd: 0, badLength: 0, garbageBytes: 0 };

  constructor(private readonly onError?: (err: FrameError) => void) {}

  /** Bytes held back waiting for the rest of a frame. */
  get pending(): number {
    return this.buf.length;
  }

  push(chunk: Uint8Array): KeypadFrame[] {
    this.buf = this.buf.length === 0 ? Buffer.from(chunk) : Buffer.concat([this.buf, chunk]);
    return this.drain();
  }

  /**
   * Gives up on the partial frame at the head of the buffer (call after the bus has been
   * idle for a while): a garbage `68` followed by a large length would otherwise swallow
   * the next good frame until enough bytes arrive.
   */
  expire(): KeypadFrame[] {
    if (this.buf.length === 0) return [];
    this.reject("bad_length", 1);
    const frames = this.drain();
    if (this.buf.length > 0 && frames.length === 0) {
      // Still stuck on another partial header: the bus is idle, so nothing more is coming for it.
      return this.expire();
    }
    return frames;
  }

  reset(): void {
    this.buf = Buffer.alloc(0);
  }

  private drain(): KeypadFrame[] {
    const frames: KeypadFrame[] = [];
    for (;;) {
      this.skipToStart();
      const b = this.buf;
      if (b.length < 4) break;
      const len = b[1] ?? 0;
      if (b[3] !== START) {
        // A 68 without the `68 L L 68` shape is noise, not a damaged frame.
        this.skipGarbage(1);
        continue;
      }
      if (b[2] !== len || len < 2) {
        this.reject("bad_length", 1);
        continue;
      }
      const total = 4 + len + 2;
      if (b.length < total) break;
      if (b[total - 1] !== END) {
        // The frame may have been cut short and the next one started inside it: drop only
        // `68 L L` and rescan from the second 68 on, which may itself start a real frame.
        this.reject("bad_end", 3);
        continue;
      }
      let sum = 0;
      for (let i = 4; i < 4 + len; i++) sum += b[i] ?? 0;
      if ((sum & 0xff) !== b[4 + len]) {
        // Header, length and end byte agree: this was a whole frame with a corrupted body.
        this.reject("bad_checksum", total);
        continue;
      }
      frames.push({ address: b[4] ?? 0, cmd: b[5] ?? 0, data: Buffer.from(b.subarray(6, 4 + len)) });
      this.stats.frames++;
      this.buf = b.subarray(total);
    }
    return frames;
  }

  private skipToStart(): void {
    let i = 0;
    while (i < this.buf.length && this.buf[i] !== START) i++;
    this.skipGarbage(i);
  }

  private skipGarbage(count: number): void {
    if (count === 0) return;
    const skipped = this.buf.subarray(0, count);
    this.buf = this.buf.subarray(count);
    const noise = skipped.filter((b) => b !== WAKE).length;
    if (noise === 0) return;
    this.stats.garbageBytes += noise;
    this.onError?.({ kind: "garbage", bytes: Buffer.from(skipped) });
  }

  private reject(kind: Exclude<FrameErrorKind, "garbage">, drop: number): void {
    if (kind === "bad_checksum") this.stats.badChecksum++;
    else if (kind === "bad_end") this.stats.badEnd++;
    else this.stats.badLength++;
    const bytes = Buffer.from(this.buf.subarray(0, drop));
    this.buf = this.buf.subarray(drop);
    this.onError?.({ kind, bytes });
  }
}

/** C0 controls and DEL; written as a predicate because control characters in a regex trip the linter. */
function isControl(ch: string): boolean {
  const c = ch.charCodeAt(0);
  return c < 0x20 || c === 0x7f;
}
