/**
 * The line protocol between the hub and a bank-card POS (银行卡 POS / MIS-POS) on a serial
 * port (pure, no I/O). It is our own, in the style of the MIS-POS "ECR" links Chinese card
 * terminals speak: framed, length-prefixed, checksummed, every frame acknowledged.
 *
 * ```
 * frame  STX | LEN (4 ASCII digits) | SEQ (1 digit) | CMD (1 letter) | DATA | ETX | CRC (4 ASCII hex)
 * ack    ACK | SEQ                   (06 3x: "frame SEQ arrived whole")
 * nak    NAK                         (15: "the frame I just got was bad, send it again")
 * ```
 * - `LEN` counts SEQ + CMD + DATA (so 2 … 4096), zero-padded decimal ("0014").
 * - `CRC` is CRC-16/CCITT-FALSE (poly 0x1021, init 0xFFFF, no reflection) over everything
 *   from the first LEN digit to ETX inclusive, as four upper-case hex digits.
 * - `DATA` holds fields separated by FS (0x1C); a batch page separates its records with
 *   RS (0x1E). Field bytes are printable ASCII (0x20–0x7E) only.
 *
 * Why ASCII inside the frame: no byte between STX and the end of the CRC can ever be STX,
 * ETX, ACK or NAK, so after line noise a receiver resynchronises on the next control byte
 * without guessing, and an ACK can never be mistaken for a byte of a frame (a binary length
 * of 0x0015 would be a NAK). It costs a few bytes per frame on a link that carries a few
 * frames per payment.
 */

export const STX = 0x02;
export const ETX = 0x03;
export const ACK = 0x06;
export const NAK = 0x15;
/** Field separator inside DATA. */
export const FS = 0x1c;
/** Record separator (batch pages). */
export const RS = 0x1e;

/** Longest SEQ+CMD+DATA accepted: a batch page of 20 records is ~1.5 kB. */
export const MAX_LEN = 4096;
/** STX + LEN + ETX + CRC around SEQ+CMD+DATA. */
const OVERHEAD = 1 + 4 + 1 + 4;

/** Command letters. Host → POS: S Q R B T C. POS → host: the same letter answers it; P progress, E error. */
export const PosCmd = {
  SALE: "S",
  /**
   * Stop a sale that has not read a card yet (the visitor pressed 取消 on the terminal's
   * screen). Answered at once, even while the sale runs: `Y` stopped (the sale's own answer
   * X1 follows), `N` too late (a card is being read) or no such running sale.
   */
  CANCEL: "C",
  QUERY: "Q",
  REFUND: "R",
  BATCH: "B",
  STATUS: "T",
  PROGRESS: "P",
  ERROR: "E",
} as const;

/**
 * Response codes of a sale or refund, two characters as on a POS slip: "00" approved, the
 * ISO 8583 codes Chinese acquirers use for refusals, X1/X2 for what happened at the POS.
 */
export const PosCode = {
  APPROVED: "00",
  DECLINED: "05",
  /** Refund: the original sale is not approved. */
  INVALID_TRANSACTION: "12",
  /** Refund: more than what is left of the sale. */
  INVALID_AMOUNT: "13",
  /** Refund: no such sale. */
  NOT_FOUND: "25",
  INSUFFICIENT_FUNDS: "51",
  EXPIRED_CARD: "54",
  WRONG_PIN: "55",
  /** The bank did not answer; the POS reversed the sale (冲正), nothing was charged. */
  BANK_TIMEOUT: "98",
  /** The visitor pressed cancel on the POS. */
  CANCELLED: "X1",
  /** No card was presented before the POS's own wait ran out. */
  CARD_TIMEOUT: "X2",
  /** The card was pulled out (or the tap lost) before the sale was complete; nothing charged. */
  CARD_REMOVED: "X3",
} as const;

/** What the POS is waiting for, in order (the terminal's screen repeats it). */
export type PosStage = "WAIT_CARD" | "READ_CARD" | "WAIT_PIN" | "ONLINE";
const STAGES: readonly PosStage[] = ["WAIT_CARD", "READ_CARD", "WAIT_PIN", "ONLINE"];

/** Why the POS refused a command outright (answer `E`). */
export type PosErrorCode = "BUSY" | "MISMATCH" | "BAD_REQUEST" | "UNKNOWN_COMMAND";
const ERROR_CODES: readonly PosErrorCode[] = ["BUSY", "MISMATCH", "BAD_REQUEST", "UNKNOWN_COMMAND"];

/** A command from the hub. Amounts are integer fen; days are YYYYMMDD in the POS's time zone. */
export type PosRequest =
  /** `attempt` tells a new try after a refusal (another card) from a repeat of the same try. */
  | { type: "sale"; orderId: string; amountFen: number; attempt: string }
  | { type: "query"; orderId: string }
  | { type: "refund"; orderId: string; refundId: string; amountFen: number }
  | { type: "batch"; day: string; page: number }
  | { type: "status" }
  | { type: "cancel"; orderId: string };

/** One approved sale or refund in the POS's batch (its day's journal). */
export interface PosBatchRecord {
  kind: "sale" | "refund";
  orderId: string;
  /** The sale's reference number (参考号), also on refund records. */
  refNo: string;
  amountFen: number;
  /** YYYYMMDDhhmmss, POS local time. */
  time: string;
  refundId?: string;
  refundRefNo?: string;
}

/** An answer from the POS. Times are YYYYMMDDhhmmss in the POS's local time. */
export type PosAnswer =
  | { type: "progress"; orderId: string; stage: PosStage }
  | {
      type: "sale";
      orderId: string;
      code: string;
      amountFen: number;
      refNo: string;
      /** "622202******1234": the POS never sends the full card number. */
      cardMasked: string;
      time: string;
    }
  | {
      type: "query";
      orderId: string;
      /** N not found, P in progress, A approved, D declined (the latest try). */
      state: "N" | "P" | "A" | "D";
      code: string;
      amountFen: number;
      refNo: string;
      cardMasked: string;
      time: string;
      refundedFen: number;
    }
  | { type: "refund"; orderId: string; refundId: string; code: string; amountFen: number; refundRefNo: string; time: string }
  | { type: "batch"; day: string; page: number; more: boolean; records: PosBatchRecord[] }
  | { type: "status"; state: "IDLE" | "BUSY"; orderId: string; terminalNo: string }
  /** `Y`: the sale was stopped before a card was read; `N`: too late, or no such running sale. */
  | { type: "cancel"; orderId: string; stopped: boolean }
  /** `cmd` is the letter of the refused command, `orderId` its order (empty when it has none). */
  | { type: "error"; cmd: string; code: PosErrorCode; orderId: string };

/** One frame that passed length, format and CRC checks. */
export interface PosFrame {
  seq: number;
  cmd: string;
  data: Buffer;
}

/** CRC-16/CCITT-FALSE: poly 0x1021, init 0xFFFF, not reflected, no final xor ("123456789" → 0x29B1). */
export function crc16(bytes: Uint8Array, from = 0, to = bytes.length): number {
  let crc = 0xffff;
  for (let i = from; i < to; i++) {
    crc ^= (bytes[i] ?? 0) << 8;
    for (let b = 0; b < 8; b++) crc = crc & 0x8000 ? ((crc << 1) ^ 0x1021) & 0xffff : (crc << 1) & 0xffff;
  }
  return crc;
}

function isDataByte(b: number): boolean {
  return (b >= 0x20 && b <= 0x7e) || b === FS || b === RS;
}

function isDigit(b: number): boolean {
  return b >= 0x30 && b <= 0x39;
}

function isHex(b: number): boolean {
  return isDigit(b) || (b >= 0x41 && b <= 0x46);
}

/** Wraps SEQ (0–9), CMD (one letter) and DATA in STX, LEN, ETX and CRC. Throws on what cannot be framed. */
export function encodeFrame(seq: number, cmd: string, data: Uint8Array = Buffer.alloc(0)): Buffer {
  if (!Number.isInteger(seq) || seq < 0 || seq > 9) throw new RangeError(`seq ${seq} is not 0–9`);
  if (!/^[A-Z]$/.test(cmd)) throw new RangeError(`command ${JSON.stringify(cmd)} is not one letter A–Z`);
  const len = 2 + data.length;
  if (len > MAX_LEN) throw new RangeError(`frame data of ${data.length} bytes is too long`);
  for (const b of data) if (!isDataByte(b)) throw new RangeError(`byte 0x${b.toString(16)} cannot be sent in a frame`);
  const out = Buffer.alloc(len + OVERHEAD);
  out[0] = STX;
  out.write(String(len).padStart(4, "0"), 1, "latin1");
  out[5] = 0x30 + seq;
  out[6] = cmd.charCodeAt(0);
  out.set(data, 7);
  out[7 + data.length] = ETX;
  const crc = crc16(out, 1, 8 + data.length);
  out.write(crc.toString(16).toUpperCase().padStart(4, "0"), 8 + data.length, "latin1");
  return out;
}

/** The acknowledgement of frame `seq`. */
export function encodeAck(seq: number): Buffer {
  return Buffer.from([ACK, 0x30 + (seq % 10)]);
}

/** The one-byte negative acknowledgement. */
export function encodeNak(): Buffer {
  return Buffer.from([NAK]);
}

/** What the parser found in the byte stream, in order. */
export type PosLineEvent =
  | { type: "frame"; frame: PosFrame; raw: Buffer }
  | { type: "ack"; seq: number }
  | { type: "nak" }
  /** A frame began (STX) but was broken: the receiver answers NAK. */
  | { type: "bad"; reason: "checksum" | "length" | "format" };

/**
 * Streaming parser for both directions: frames, ACKs and NAKs in one byte stream, split or
 * merged in any way. Never throws. A broken frame is reported once (`bad`) and skipped up to
 * the next control byte; stray bytes outside frames are counted and dropped.
 */
export class PosFrameParser {
  private buf: Buffer = Buffer.alloc(0);
  readonly stats = { frames: 0, bad: 0, garbageBytes: 0 };

  get pending(): number {
    return this.buf.length;
  }

  push(chunk: Uint8Array): PosLineEvent[] {
    this.buf = this.buf.length === 0 ? Buffer.from(chunk) : Buffer.concat([this.buf, chunk]);
    const out: PosLineEvent[] = [];
    for (;;) {
      const b = this.buf;
      let at = 0;
      while (at < b.length && b[at] !== STX && b[at] !== ACK && b[at] !== NAK) at++;
      if (at > 0) {
        this.stats.garbageBytes += at;
        this.buf = b.subarray(at);
        continue;
      }
      if (b.length === 0) break;
      const head = b[0];
      if (head === NAK) {
        out.push({ type: "nak" });
        this.buf = b.subarray(1);
        continue;
      }
      if (head === ACK) {
        if (b.length < 2) break;
        const s = b[1] ?? 0;
        if (isDigit(s)) {
          out.push({ type: "ack", seq: s - 0x30 });
          this.buf = b.subarray(2);
        } else {
          // An ACK whose SEQ was lost: the sender retransmits after its timeout anyway.
          this.stats.garbageBytes++;
          this.buf = b.subarray(1);
        }
        continue;
      }
      // STX: a frame. A control byte before the frame is complete means bytes were lost:
      // report it broken at once instead of waiting for bytes that belong to the next frame.
      const broken = this.controlByteWithin(b, Math.min(b.length, 5));
      if (broken > 0) {
        this.bad(out, "length", broken);
        continue;
      }
      if (b.length < 5) break;
      const lenText = b.toString("latin1", 1, 5);
      const len = /^\d{4}$/.test(lenText) ? Number(lenText) : Number.NaN;
      if (!(len >= 2 && len <= MAX_LEN)) {
        this.bad(out, "length", 1);
        continue;
      }
      const etxAt = 5 + len;
      const total = etxAt + 1 + 4;
      const cut = this.controlByteWithin(b, Math.min(b.length, etxAt));
      if (cut > 0) {
        this.bad(out, "format", cut);
        continue;
      }
      if (b.length < total) break;
      if (b[etxAt] !== ETX) {
        this.bad(out, "format", 1);
        continue;
      }
      const crcText = b.subarray(etxAt + 1, total);
      if (!crcText.every(isHex)) {
        this.bad(out, "format", etxAt + 1);
        continue;
      }
      if (Number.parseInt(crcText.toString("latin1"), 16) !== crc16(b, 1, etxAt + 1)) {
        // Skip the whole frame: nothing inside it can start another one.
        this.bad(out, "checksum", total);
        continue;
      }
      const seq = b[5] ?? 0;
      const cmd = b[6] ?? 0;
      const data = b.subarray(7, etxAt);
      if (!isDigit(seq) || cmd < 0x41 || cmd > 0x5a || !data.every(isDataByte)) {
        this.bad(out, "format", total);
        continue;
      }
      out.push({
        type: "frame",
        frame: { seq: seq - 0x30, cmd: String.fromCharCode(cmd), data: Buffer.from(data) },
        raw: Buffer.from(b.subarray(0, total)),
      });
      this.stats.frames++;
      this.buf = b.subarray(total);
    }
    return out;
  }

  /** Forget a partial frame (the link went down: its rest will never come). */
  reset(): void {
    this.buf = Buffer.alloc(0);
  }

  /** Index of the first STX/ACK/NAK (or an ETX, which only ends frames) in b[1, end), else 0. */
  private controlByteWithin(b: Buffer, end: number): number {
    for (let i = 1; i < end; i++) {
      const c = b[i];
      if (c === STX || c === ACK || c === NAK || c === ETX) return i;
    }
    return 0;
  }

  private bad(out: PosLineEvent[], reason: "checksum" | "length" | "format", drop: number): void {
    this.stats.bad++;
    out.push({ type: "bad", reason });
    this.buf = this.buf.subarray(drop);
  }
}

// ---- messages -------------------------------------------------------------------------

const FIELD_TEXT = /^[\x20-\x7e]*$/;
/** Order, refund and attempt ids: printable ASCII without spaces, 1–64 characters. */
const ID = /^[\x21-\x7e]{1,64}$/;

/** Whether `id` can be sent as an order, refund or attempt id. */
export function isPosId(id: string): boolean {
  return ID.test(id);
}

function joinFields(fields: readonly string[]): Buffer {
  for (const f of fields) if (!FIELD_TEXT.test(f)) throw new RangeError(`field ${JSON.stringify(f)} is not printable ASCII`);
  return Buffer.from(fields.join("\x1c"), "latin1");
}

function fen(n: number): string {
  if (!Number.isSafeInteger(n) || n < 0 || n > 999_999_999_999) throw new RangeError(`amount ${n} is not integer fen`);
  return String(n);
}

function id(s: string): string {
  if (!ID.test(s)) throw new RangeError(`id ${JSON.stringify(s)} is not 1–64 printable ASCII characters`);
  return s;
}

function parseFen(s: string | undefined): number | null {
  if (s === undefined || !/^\d{1,12}$/.test(s)) return null;
  return Number(s);
}

/** A frame's CMD and DATA, before SEQ and framing (the link layer adds those). */
export interface PosBody {
  cmd: string;
  data: Buffer;
}

/** CMD and DATA of a command of the hub. Throws RangeError for ids or amounts the protocol cannot carry. */
export function requestBody(req: PosRequest): PosBody {
  switch (req.type) {
    case "sale":
      return { cmd: PosCmd.SALE, data: joinFields([id(req.orderId), fen(req.amountFen), id(req.attempt)]) };
    case "query":
      return { cmd: PosCmd.QUERY, data: joinFields([id(req.orderId)]) };
    case "refund":
      return { cmd: PosCmd.REFUND, data: joinFields([id(req.orderId), id(req.refundId), fen(req.amountFen)]) };
    case "batch":
      if (!/^\d{8}$/.test(req.day)) throw new RangeError(`day ${req.day} is not YYYYMMDD`);
      if (!Number.isInteger(req.page) || req.page < 0 || req.page > 9999) throw new RangeError(`page ${req.page} is not 0–9999`);
      return { cmd: PosCmd.BATCH, data: joinFields([req.day, String(req.page)]) };
    case "status":
      return { cmd: PosCmd.STATUS, data: Buffer.alloc(0) };
    case "cancel":
      return { cmd: PosCmd.CANCEL, data: joinFields([id(req.orderId)]) };
    default: {
      const never: never = req;
      return never;
    }
  }
}

/** A whole command frame. */
export function encodeRequest(seq: number, req: PosRequest): Buffer {
  const b = requestBody(req);
  return encodeFrame(seq, b.cmd, b.data);
}

/** Decodes a command frame (the POS side); null when it is not a well-formed command. */
export function decodeRequest(frame: PosFrame): PosRequest | null {
  const f = frame.data.toString("latin1").split("\x1c");
  switch (frame.cmd) {
    case PosCmd.SALE: {
      const [orderId = "", amount, attempt = ""] = f;
      const amountFen = parseFen(amount);
      if (f.length !== 3 || !ID.test(orderId) || !ID.test(attempt) || amountFen === null) return null;
      return { type: "sale", orderId, amountFen, attempt };
    }
    case PosCmd.QUERY: {
      const [orderId = ""] = f;
      return f.length === 1 && ID.test(orderId) ? { type: "query", orderId } : null;
    }
    case PosCmd.REFUND: {
      const [orderId = "", refundId = "", amount] = f;
      const amountFen = parseFen(amount);
      if (f.length !== 3 || !ID.test(orderId) || !ID.test(refundId) || amountFen === null) return null;
      return { type: "refund", orderId, refundId, amountFen };
    }
    case PosCmd.BATCH: {
      const [day = "", page = ""] = f;
      if (f.length !== 2 || !/^\d{8}$/.test(day) || !/^\d{1,4}$/.test(page)) return null;
      return { type: "batch", day, page: Number(page) };
    }
    case PosCmd.STATUS:
      return frame.data.length === 0 ? { type: "status" } : null;
    case PosCmd.CANCEL: {
      const [orderId = ""] = f;
      return f.length === 1 && ID.test(orderId) ? { type: "cancel", orderId } : null;
    }
    default:
      return null;
  }
}

function encodeRecord(r: PosBatchRecord): string[] {
  return [r.kind === "sale" ? "S" : "R", id(r.orderId), r.refNo, fen(r.amountFen), r.time, r.refundId ?? "", r.refundRefNo ?? ""];
}

/** CMD and DATA of an answer of the POS (simulator, tests). */
export function answerBody(a: PosAnswer): PosBody {
  switch (a.type) {
    case "progress":
      return { cmd: PosCmd.PROGRESS, data: joinFields([id(a.orderId), a.stage]) };
    case "sale":
      return { cmd: PosCmd.SALE, data: joinFields([id(a.orderId), a.code, fen(a.amountFen), a.refNo, a.cardMasked, a.time]) };
    case "query":
      return {
        cmd: PosCmd.QUERY,
        data: joinFields([id(a.orderId), a.state, a.code, fen(a.amountFen), a.refNo, a.cardMasked, a.time, fen(a.refundedFen)]),
      };
    case "refund":
      return {
        cmd: PosCmd.REFUND,
        data: joinFields([id(a.orderId), id(a.refundId), a.code, fen(a.amountFen), a.refundRefNo, a.time]),
      };
    case "batch": {
      const head = joinFields([a.day, String(a.page), a.more ? "1" : "0"]);
      const records = a.records.map((r) => Buffer.concat([Buffer.from([RS]), joinFields(encodeRecord(r))]));
      return { cmd: PosCmd.BATCH, data: Buffer.concat([head, ...records]) };
    }
    case "status":
      return { cmd: PosCmd.STATUS, data: joinFields([a.state, a.orderId, a.terminalNo]) };
    case "cancel":
      return { cmd: PosCmd.CANCEL, data: joinFields([id(a.orderId), a.stopped ? "Y" : "N"]) };
    case "error":
      return { cmd: PosCmd.ERROR, data: joinFields([a.cmd, a.code, a.orderId]) };
    default: {
      const never: never = a;
      return never;
    }
  }
}

/** A whole answer frame. */
export function encodeAnswer(seq: number, a: PosAnswer): Buffer {
  const b = answerBody(a);
  return encodeFrame(seq, b.cmd, b.data);
}

const CODE = /^[0-9A-Z]{2}$/;
const TIME = /^(\d{14})?$/;

function decodeRecord(text: string): PosBatchRecord | null {
  const [kind, orderId = "", refNo = "", amount, time = "", refundId = "", refundRefNo = "", ...rest] = text.split("\x1c");
  const amountFen = parseFen(amount);
  if (rest.length > 0 || (kind !== "S" && kind !== "R") || !ID.test(orderId) || amountFen === null || !/^\d{14}$/.test(time))
    return null;
  if (kind === "S") return { kind: "sale", orderId, refNo, amountFen, time };
  if (!ID.test(refundId)) return null;
  return { kind: "refund", orderId, refNo, amountFen, time, refundId, refundRefNo };
}

/** Decodes an answer frame (the hub side); null when it is not a well-formed answer. */
export function decodeAnswer(frame: PosFrame): PosAnswer | null {
  const text = frame.data.toString("latin1");
  const f = text.split("\x1c");
  switch (frame.cmd) {
    case PosCmd.PROGRESS: {
      const [orderId = "", stage = ""] = f;
      if (f.length !== 2 || !ID.test(orderId) || !STAGES.includes(stage as PosStage)) return null;
      return { type: "progress", orderId, stage: stage as PosStage };
    }
    case PosCmd.SALE: {
      const [orderId = "", code = "", amount, refNo = "", cardMasked = "", time = ""] = f;
      const amountFen = parseFen(amount);
      if (f.length !== 6 || !ID.test(orderId) || !CODE.test(code) || amountFen === null || !TIME.test(time)) return null;
      return { type: "sale", orderId, code, amountFen, refNo, cardMasked, time };
    }
    case PosCmd.QUERY: {
      const [orderId = "", state = "", code = "", amount, refNo = "", cardMasked = "", time = "", refunded] = f;
      const amountFen = parseFen(amount);
      const refundedFen = parseFen(refunded);
      if (f.length !== 8 || !ID.test(orderId) || !["N", "P", "A", "D"].includes(state)) return null;
      if ((code !== "" && !CODE.test(code)) || amountFen === null || refundedFen === null || !TIME.test(time)) return null;
      return {
        type: "query",
        orderId,
        state: state as "N" | "P" | "A" | "D",
        code,
        amountFen,
        refNo,
        cardMasked,
        time,
        refundedFen,
      };
    }
    case PosCmd.REFUND: {
      const [orderId = "", refundId = "", code = "", amount, refundRefNo = "", time = ""] = f;
      const amountFen = parseFen(amount);
      if (f.length !== 6 || !ID.test(orderId) || !ID.test(refundId) || !CODE.test(code) || amountFen === null) return null;
      if (!TIME.test(time)) return null;
      return { type: "refund", orderId, refundId, code, amountFen, refundRefNo, time };
    }
    case PosCmd.BATCH: {
      const [headText = "", ...recordTexts] = text.split("\x1e");
      const [day = "", page = "", more = "", ...rest] = headText.split("\x1c");
      if (rest.length > 0 || !/^\d{8}$/.test(day) || !/^\d{1,4}$/.test(page) || (more !== "0" && more !== "1")) return null;
      const records: PosBatchRecord[] = [];
      for (const r of recordTexts) {
        const rec = decodeRecord(r);
        if (!rec) return null;
        records.push(rec);
      }
      return { type: "batch", day, page: Number(page), more: more === "1", records };
    }
    case PosCmd.STATUS: {
      const [state = "", orderId = "", terminalNo = ""] = f;
      if (f.length !== 3 || (state !== "IDLE" && state !== "BUSY")) return null;
      return { type: "status", state, orderId, terminalNo };
    }
    case PosCmd.CANCEL: {
      const [orderId = "", stopped = ""] = f;
      if (f.length !== 2 || !ID.test(orderId) || (stopped !== "Y" && stopped !== "N")) return null;
      return { type: "cancel", orderId, stopped: stopped === "Y" };
    }
    case PosCmd.ERROR: {
      const [cmd = "", code = "", orderId = ""] = f;
      if (f.length !== 3 || !/^[A-Z]$/.test(cmd) || !ERROR_CODES.includes(code as PosErrorCode)) return null;
      return { type: "error", cmd, code: code as PosErrorCode, orderId };
    }
    default:
      return null;
  }
}

/**
 * A card number as a POS slip shows it: the first 6 (the bank's BIN) and last 4 digits,
 * the rest starred ("6222021234567890123" → "622202*********0123").
 */
export function maskCardNumber(pan: string): string {
  const digits = pan.replace(/\D/g, "");
  if (digits.length <= 10) return "*".repeat(digits.length);
  return `${digits.slice(0, 6)}${"*".repeat(digits.length - 10)}${digits.slice(-4)}`;
}

/** "YYYYMMDDhhmmss" in a zone `offsetMinutes` east of UTC (Beijing +480, no DST) → epoch ms; NaN if malformed. */
export function posTimeToEpoch(time: string, offsetMinutes: number): number {
  const m = /^(\d{4})(\d{2})(\d{2})(\d{2})(\d{2})(\d{2})$/.exec(time);
  if (!m) return Number.NaN;
  const [, y, mo, d, h, mi, s] = m.map(Number) as [number, number, number, number, number, number, number];
  return Date.UTC(y, mo - 1, d, h, mi, s) - offsetMinutes * 60_000;
}

/** Epoch ms → "YYYYMMDDhhmmss" in a zone `offsetMinutes` east of UTC. */
export function epochToPosTime(ms: number, offsetMinutes: number): string {
  const t = new Date(ms + offsetMinutes * 60_000);
  const p = (n: number, w = 2) => String(n).padStart(w, "0");
  return `${p(t.getUTCFullYear(), 4)}${p(t.getUTCMonth() + 1)}${p(t.getUTCDate())}${p(t.getUTCHours())}${p(t.getUTCMinutes())}${p(t.getUTCSeconds())}`;
}
