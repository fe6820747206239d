/**
 * ESC/POS for queue tickets on 58 mm and 80 mm thermal printers: pure bytes in and out.
 *
 * Layout commands (alignment, size, bold, cut) come from node-thermal-printer's EPSON
 * command set. Text and the QR code are encoded here: the library encodes text through a
 * single-byte code page (Chinese only as EUC-CN, which has no rare characters such as 䶮)
 * and its QR store command counts UTF-16 units instead of bytes, which corrupts any
 * non-ASCII payload. All text is GB18030, which Chinese thermal printers print in their
 * Chinese (Kanji) mode.
 */
import iconv from "iconv-lite";
import { PrinterTypes, ThermalPrinter } from "node-thermal-printer";
import { DeviceError } from "../transport/link.ts";

export type PaperWidth = 58 | 80;

/** Characters per line in font A: 384 dots / 12 and 576 dots / 12. */
export const COLUMNS: Record<PaperWidth, number> = { 58: 32, 80: 48 };

/** What the kiosk prints for one queue ticket. */
export interface TicketPrintJob {
  /** Idempotence key: a retried job with the same id is printed at most once. */
  jobId: string;
  hallName: string;
  /** The queue number, e.g. "A023". */
  number: string;
  matterName: string;
  zoneName: string;
  floor: string;
  /** People waiting before this ticket. */
  ahead: number;
  estimatedWaitMin: number;
  /**
   * The estimate as the screens word it ("约 10 分钟", "超过 2 小时"); printed instead of
   * `estimatedWaitMin` when given, so paper and screen never disagree.
   */
  estimatedWaitText?: string;
  /** Issue time already formatted for the hall's locale. */
  issuedAtText: string;
  /** Where the visitor follows the queue on a phone. */
  qrUrl: string;
  /** Required materials; the first three are printed. */
  materials: string[];
  lang: "zh" | "en";
  footer?: string;
}

export interface EncodeOptions {
  width: PaperWidth;
}

// ---------------------------------------------------------------- raw commands

/** ESC @: reset modes. */
export const INIT = Buffer.from([0x1b, 0x40]);
/** FS &: Chinese (Kanji) mode on, so bytes >= 0x81 are read as GB18030 multi-byte characters. */
export const CHINESE_MODE_ON = Buffer.from([0x1c, 0x26]);
/** FS .: Chinese mode off. */
export const CHINESE_MODE_OFF = Buffer.from([0x1c, 0x2e]);

/** DLE EOT n, real-time status: answered at once, even mid-job or while offline. */
export const STATUS_REQUEST_PRINTER = Buffer.from([0x10, 0x04, 0x01]);
export const STATUS_REQUEST_OFFLINE = Buffer.from([0x10, 0x04, 0x02]);
export const STATUS_REQUEST_PAPER = Buffer.from([0x10, 0x04, 0x04]);

/** The `n` of DLE EOT n: 1 printer, 2 offline cause, 4 roll paper sensor. */
export type StatusRequest = 1 | 2 | 4;

export function statusRequest(n: StatusRequest): Buffer {
  return Buffer.from([0x10, 0x04, n]);
}

/** One DLE EOT answer, read as the health flags it carries. */
export interface PrinterStatusBits {
  online: boolean;
  paperOut: boolean;
  paperNearEnd: boolean;
  coverOpen: boolean;
  error: boolean;
}

export const HEALTHY: PrinterStatusBits = Object.freeze({
  online: true,
  paperOut: false,
  paperNearEnd: false,
  coverOpen: false,
  error: false,
});

/**
 * Read the answer to DLE EOT n. Flags a given `n` does not report keep their healthy
 * value, so answers can be combined with {@link mergeStatus}. Every answer has bit 1 and
 * bit 4 set and bits 0 and 7 clear; anything else is a garbled byte (BAD_FRAME).
 */
export function parseStatus(n: StatusRequest, byte: number): PrinterStatusBits {
  if ((byte & 0x93) !== 0x12) {
    throw new DeviceError("BAD_FRAME", `status ${n}: 0x${byte.toString(16).padStart(2, "0")}`);
  }
  switch (n) {
    case 1:
      return { ...HEALTHY, online: (byte & 0x08) === 0 };
    case 2:
      return {
        ...HEALTHY,
        coverOpen: (byte & 0x04) !== 0,
        paperOut: (byte & 0x20) !== 0,
        error: (byte & 0x40) !== 0,
      };
    case 4:
      return { ...HEALTHY, paperNearEnd: (byte & 0x0c) !== 0, paperOut: (byte & 0x60) !== 0 };
    default: {
      const never: never = n;
      throw new DeviceError("BAD_FRAME", `unknown status request ${String(never)}`);
    }
  }
}

/** Combine answers: a problem reported by any of them counts. */
export function mergeStatus(...parts: PrinterStatusBits[]): PrinterStatusBits {
  return parts.reduce(
    (a, b) => ({
      online: a.online && b.online,
      paperOut: a.paperOut || b.paperOut,
      paperNearEnd: a.paperNearEnd || b.paperNearEnd,
      coverOpen: a.coverOpen || b.coverOpen,
      error: a.error || b.error,
    }),
    HEALTHY,
  );
}

/** The DLE EOT answer a printer in the given state sends (for simulators and tests). */
export function statusByte(n: StatusRequest, s: PrinterStatusBits): number {
  let b = 0x12;
  switch (n) {
    case 1:
      if (!s.online) b |= 0x08;
      break;
    case 2:
      if (s.coverOpen) b |= 0x04;
      if (s.paperOut) b |= 0x20;
      if (s.error) b |= 0x40;
      break;
    case 4:
      if (s.paperNearEnd) b |= 0x0c;
      if (s.paperOut) b |= 0x60;
      break;
    default: {
      const never: never = n;
      throw new Error(`unknown status request ${String(never)}`);
    }
  }
  return b;
}

// ---------------------------------------------------------------- text

/** GB18030 bytes of `text`. */
export function encodeText(text: string): Buffer {
  return iconv.encode(text, "gb18030");
}

/**
 * Print columns taken by `text` in font A: ASCII is half width; every character that
 * GB18030 encodes in 2 or 4 bytes (CJK, full-width punctuation) prints full width.
 */
export function displayWidth(text: string): number {
  let w = 0;
  for (const ch of text) w += charWidth(ch);
  return w;
}

function charWidth(ch: string): number {
  const cp = ch.codePointAt(0) ?? 0;
  if (cp < 0x20) return 0;
  return cp < 0x80 ? 1 : 2;
}

/**
 * Break `text` into lines of at most `columns` display columns. Latin words are kept
 * whole when they fit on a line; CJK text breaks between any two characters.
 */
export function wrapText(text: string, columns: number): string[] {
  const lines: string[] = [];
  for (const paragraph of text.split("\n")) {
    const first = lines.length;
    let line = "";
    let width = 0;
    const push = () => {
      lines.push(line.trimEnd());
      line = "";
      width = 0;
    };
    // Tokens: a run of non-space ASCII (a word), a run of spaces, or one wide character.
    for (const token of paragraph.match(/[!-~]+| +|[^ -~]/gu) ?? []) {
      const tw = displayWidth(token);
      if (token.startsWith(" ")) {
        if (width > 0 && width + tw <= columns) {
          line += token;
          width += tw;
        } else if (width > 0) {
          push();
        }
        continue;
      }
      if (width + tw > columns && width > 0) push();
      if (tw <= columns) {
        line += token;
        width += tw;
        continue;
      }
      // A word longer than a whole line is split wherever it has to be.
      for (const ch of token) {
        const cw = charWidth(ch);
        if (width + cw > columns) push();
        line += ch;
        width += cw;
      }
    }
    if (line.trimEnd().length > 0 || lines.length === first) push();
  }
  return lines;
}

// ---------------------------------------------------------------- QR code

const GS_K = [0x1d, 0x28, 0x6b] as const;

/**
 * GS ( k: select model 2, set the module size, error correction M, store the UTF-8
 * payload and print it. The store command's pL/pH is the payload's byte length + 3.
 */
export function encodeQr(payload: string, moduleSize: number): Buffer {
  const data = Buffer.from(payload, "utf8");
  const storeLen = data.length + 3;
  if (storeLen > 7092) throw new RangeError("QR payload too long");
  return Buffer.concat([
    Buffer.from([...GS_K, 0x04, 0x00, 0x31, 0x41, 0x32, 0x00]), // model 2
    Buffer.from([...GS_K, 0x03, 0x00, 0x31, 0x43, moduleSize]), // module size in dots
    Buffer.from([...GS_K, 0x03, 0x00, 0x31, 0x45, 0x31]), // error correction M (15 %)
    Buffer.from([...GS_K, storeLen & 0xff, storeLen >> 8, 0x31, 0x50, 0x30]), // store
    data,
    Buffer.from([...GS_K, 0x03, 0x00, 0x31, 0x51, 0x30]), // print
  ]);
}

// ---------------------------------------------------------------- ticket

interface Labels {
  ahead(n: number): string;
  wait(min: number): string;
  waitText(text: string): string;
  issued: string;
  scan: string;
  materials: string;
}

const LABELS: Record<TicketPrintJob["lang"], Labels> = {
  zh: {
    ahead: (n) => `前面还有 ${n} 人`,
    wait: (min) => `预计等候 ${min} 分钟`,
    waitText: (text) => `预计等候 ${text}`,
    issued: "取号时间：",
    scan: "扫码查看排队进度",
    materials: "请准备以下材料：",
  },
  en: {
    ahead: (n) => (n === 1 ? "1 person ahead of you" : `${n} people ahead of you`),
    wait: (min) => `Estimated wait: ${min} min`,
    waitText: (text) => `Estimated wait: ${text}`,
    issued: "Issued: ",
    scan: "Scan to follow the queue",
    materials: "Please prepare:",
  },
};

const MAX_MATERIALS = 3;

/** Encode one queue ticket, from reset to cut. */
export function encodeTicket(job: TicketPrintJob, opts: EncodeOptions): Buffer {
  const cols = COLUMNS[opts.width];
  const labels = LABELS[job.lang];
  // No interface: the library is only used to build command bytes, never to send them.
  const p = new ThermalPrinter({ type: PrinterTypes.EPSON, interface: "", width: cols });
  // node-thermal-printer's setTextSize(a, b) writes GS ! with `a` in the high nibble, which
  // ESC/POS reads as the width; this helper keeps width and height the right way round.
  const size = (widthMul: number, heightMul: number) => p.setTextSize(widthMul - 1, heightMul - 1);
  const lines = (text: string, columns: number) => {
    for (const line of wrapText(text, columns)) {
      p.add(encodeText(line));
      p.newLine();
    }
  };

  p.add(INIT);
  p.add(CHINESE_MODE_ON);

  p.alignCenter();
  p.bold(true);
  size(2, 2);
  lines(job.hallName, Math.floor(cols / 2));
  size(1, 1);
  p.bold(false);
  p.newLine();

  const mul = Math.max(1, Math.min(6, Math.floor(cols / Math.max(1, displayWidth(job.number)))));
  p.bold(true);
  size(mul, mul);
  lines(job.number, Math.floor(cols / mul));
  size(1, 1);

  size(1, 2);
  lines(job.matterName, cols);
  size(1, 1);
  p.bold(false);
  lines(`${job.zoneName}  ${job.floor}`, cols);
  lines("-".repeat(cols), cols);

  p.alignLeft();
  lines(labels.ahead(job.ahead), cols);
  lines(job.estimatedWaitText ? labels.waitText(job.estimatedWaitText) : labels.wait(job.estimatedWaitMin), cols);
  lines(`${labels.issued}${job.issuedAtText}`, cols);
  p.newLine();

  p.alignCenter();
  p.add(encodeQr(job.qrUrl, opts.width === 80 ? 6 : 5));
  p.newLine();
  lines(labels.scan, cols);

  const materials = job.materials.slice(0, MAX_MATERIALS);
  if (materials.length > 0) {
    p.alignLeft();
    lines("-".repeat(cols), cols);
    p.bold(true);
    lines(labels.materials, cols);
    p.bold(false);
    for (const [i, m] of materials.entries()) lines(`${i + 1}. ${m}`, cols);
  }

  if (job.footer) {
    p.alignCenter();
    p.newLine();
    lines(job.footer, cols);
  }

  p.cut();
  return Buffer.from(p.getBuffer());
}
