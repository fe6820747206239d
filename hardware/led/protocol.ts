/**
 * LED window display (LED 条屏) register map — pure, no I/O.
 *
 * Each display is a Modbus RTU slave (address 1..247) on a shared RS-485 bus. One text is
 * one FC16 "write multiple registers" starting at holding register 0:
 *
 * | register | meaning                                                               |
 * |----------|-----------------------------------------------------------------------|
 * | 0        | style flags: bits 0-1 colour (0 red, 1 green, 2 amber), bit 8 blink,  |
 * |          | bit 9 scroll; other bits 0                                            |
 * | 1        | text length in bytes (0..MAX_TEXT_BYTES)                              |
 * | 2..      | text as GB18030 bytes, two per register, big-endian (first byte high),|
 * |          | an odd last byte padded with 0x00                                     |
 *
 * GB18030 because the controllers sold for Chinese halls take GB2312 and GB18030 is its
 * superset (ASCII stays one byte, common hanzi two bytes, identical to GB2312).
 */
import iconv from "iconv-lite";

/** 64 bytes = 32 hanzi, two lines of a 16-character window display; 34 registers per frame. */
export const MAX_TEXT_BYTES = 64;
export const TEXT_ENCODING = "gb18030";
export const REG_STYLE = 0;
export const REG_LENGTH = 1;
export const REG_TEXT = 2;
/** Modbus RTU slave addresses a display may use (0 is broadcast, 248+ reserved). */
export const MIN_ADDRESS = 1;
export const MAX_ADDRESS = 247;

export type LedColour = "red" | "green" | "amber";

/** How the display shows its text. */
export interface DisplayStyle {
  colour: LedColour;
  blink: boolean;
  scroll: boolean;
}

export const DEFAULT_STYLE: DisplayStyle = { colour: "red", blink: false, scroll: false };

const COLOUR_CODES: Record<LedColour, number> = { red: 0, green: 1, amber: 2 };
const BLINK_BIT = 1 << 8;
const SCROLL_BIT = 1 << 9;

export function encodeStyle(style: DisplayStyle): number {
  return COLOUR_CODES[style.colour] | (style.blink ? BLINK_BIT : 0) | (style.scroll ? SCROLL_BIT : 0);
}

export function decodeStyle(flags: number): DisplayStyle {
  const code = flags & 0b11;
  const colour: LedColour = code === 1 ? "green" : code === 2 ? "amber" : "red";
  return { colour, blink: (flags & BLINK_BIT) !== 0, scroll: (flags & SCROLL_BIT) !== 0 };
}

export function isValidAddress(address: number): boolean {
  return Number.isInteger(address) && address >= MIN_ADDRESS && address <= MAX_ADDRESS;
}

/** Bytes the text takes on the display. */
export function displayByteLength(text: string): number {
  return iconv.encode(text, TEXT_ENCODING).length;
}

/**
 * Registers for one FC16 write starting at register 0.
 * @throws RangeError when the text needs more than MAX_TEXT_BYTES bytes.
 */
export function encodeDisplayText(text: string, style: DisplayStyle = DEFAULT_STYLE): number[] {
  const bytes = iconv.encode(text, TEXT_ENCODING);
  if (bytes.length > MAX_TEXT_BYTES) {
    throw new RangeError(`display text is ${bytes.length} bytes, max ${MAX_TEXT_BYTES}`);
  }
  const regs = [encodeStyle(style), bytes.length];
  for (let i = 0; i < bytes.length; i += 2) {
    regs.push(((bytes[i] ?? 0) << 8) | (bytes[i + 1] ?? 0));
  }
  return regs;
}

/** Inverse of encodeDisplayText, for the simulator and tests; ignores registers past the length. */
export function decodeDisplayRegisters(regs: readonly number[]): string {
  const length = regs[REG_LENGTH] ?? 0;
  if (length > MAX_TEXT_BYTES || length > (regs.length - REG_TEXT) * 2) {
    throw new RangeError(`display length register ${length} does not fit ${regs.length} registers`);
  }
  const bytes = Buffer.alloc(length);
  for (let i = 0; i < length; i++) {
    const reg = regs[REG_TEXT + (i >> 1)] ?? 0;
    bytes[i] = i % 2 === 0 ? reg >> 8 : reg & 0xff;
  }
  return iconv.decode(bytes, TEXT_ENCODING);
}

/** Cuts a text to whole characters that fit MAX_TEXT_BYTES (never splits a hanzi). */
export function fitDisplayText(text: string): string {
  let out = "";
  for (const ch of text) {
    if (displayByteLength(out + ch) > MAX_TEXT_BYTES) break;
    out += ch;
  }
  return out;
}

export type WindowState = "calling" | "idle" | "paused";

/** What a counter's window display should show. */
export interface WindowDisplayInput {
  counterNumber: number;
  /** Required for "calling"; ignored otherwise. */
  ticketNumber?: string;
  state: WindowState;
  lang: "zh" | "en";
}

/**
 * The text and style of a window display for a counter state:
 * calling "A001 请到3号窗口" (red, blinking), idle "3号窗口 欢迎您" (green),
 * paused "暂停服务" (amber).
 */
export function windowDisplay(input: WindowDisplayInput): { text: string; style: DisplayStyle } {
  const n = input.counterNumber;
  const zh = input.lang === "zh";
  switch (input.state) {
    case "calling": {
      const ticket = input.ticketNumber ?? "";
      const text = zh ? `${ticket} 请到${n}号窗口` : `${ticket} to counter ${n}`;
      return { text: fitDisplayText(text), style: { colour: "red", blink: true, scroll: false } };
    }
    case "idle":
      return { text: zh ? `${n}号窗口 欢迎您` : `Counter ${n} welcome`, style: { colour: "green", blink: false, scroll: false } };
    case "paused":
      return { text: zh ? "暂停服务" : "Closed", style: { colour: "amber", blink: false, scroll: false } };
    default: {
      const never: never = input.state;
      throw new Error(`unknown window state ${String(never)}`);
    }
  }
}
