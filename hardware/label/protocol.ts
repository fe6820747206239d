/**
 * Shipping labels (邮政面单) for 100×150 mm thermal label printers speaking ESC/POS — the
 * command set the hall's ticket printers already speak, so one status protocol (DLE EOT),
 * one transport and one driver serve both (TSPL was not chosen: no decoder of it exists to
 * test our bytes against, and ESC/POS label printers are as common in China's halls).
 *
 * Pure bytes out: the waybill number as a Code 128 barcode (GS k, function B, code set B),
 * both addresses in GB18030, the label fed to its gap and cut (GS V 66).
 */
import iconv from "iconv-lite";

/** What a label shows. Phones are printed masked (隐私面单): the courier calls through the waybill. */
export interface LabelJob {
  waybillNo: string;
  courierName: string;
  recipient: { name: string; phoneMasked: string; province: string; city: string; county: string; street: string };
  sender: { name: string; phone: string; address: string };
  caseNo: string;
  paid: boolean;
  /** Printed under the barcode's own text: "2026-12-03 10:15". */
  printedAtText: string;
}

/** Columns of font A across a 100 mm label (72 mm print width is the ESC/POS norm; 48 columns). */
export const LABEL_COLUMNS = 48;

const ESC = 0x1b;
const GS = 0x1d;
const FS = 0x1c;

export const LABEL_INIT = Buffer.from([ESC, 0x40, FS, 0x26]);
/** GS V 66 n: feed n lines past the print position (to the label gap), then cut. */
export const FEED_TO_GAP_AND_CUT = Buffer.from([GS, 0x56, 0x42, 0x00]);

/** The data of a Code 128 barcode in function B: "{B" selects code set B; a literal "{" is "{{". */
export function code128Data(text: string): Buffer {
  if (!/^[\x20-\x7e]+$/.test(text)) throw new RangeError("Code 128 set B carries printable ASCII only");
  const body = Buffer.from(`{B${text.replaceAll("{", "{{")}`, "ascii");
  if (body.length > 255) throw new RangeError("barcode data too long");
  return body;
}

/**
 * GS h (height in dots), GS w (module width), GS H 2 (human-readable text below), then
 * GS k 73 n d1…dn (Code 128).
 */
export function encodeCode128(text: string, opts: { height?: number; module?: number } = {}): Buffer {
  const data = code128Data(text);
  return Buffer.concat([
    Buffer.from([GS, 0x68, opts.height ?? 120, GS, 0x77, opts.module ?? 3, GS, 0x48, 0x02]),
    Buffer.from([GS, 0x6b, 0x49, data.length]),
    data,
  ]);
}

const text = (s: string) => iconv.encode(s, "gb18030");
const align = (n: 0 | 1 | 2) => Buffer.from([ESC, 0x61, n]);
/** GS ! : width multiplier in the high nibble, height in the low one. */
const size = (w: number, h: number) => Buffer.from([GS, 0x21, ((w - 1) << 4) | (h - 1)]);
const bold = (on: boolean) => Buffer.from([ESC, 0x45, on ? 1 : 0]);
const LF = Buffer.from([0x0a]);

/** Break `s` into lines of at most `cols` columns (CJK characters are two columns wide). */
export function wrap(s: string, cols: number): string[] {
  const out: string[] = [];
  let line = "";
  let w = 0;
  for (const ch of s) {
    const cw = (ch.codePointAt(0) ?? 0) < 0x80 ? 1 : 2;
    if (w + cw > cols) {
      out.push(line);
      line = "";
      w = 0;
    }
    line += ch;
    w += cw;
  }
  if (line || !out.length) out.push(line);
  return out;
}

/** One label, from reset to cut. */
export function encodeLabel(job: LabelJob): Buffer {
  const parts: Buffer[] = [LABEL_INIT];
  const lines = (s: string, cols = LABEL_COLUMNS) => {
    for (const l of wrap(s, cols)) parts.push(text(l), LF);
  };
  const rule = () => parts.push(text("-".repeat(LABEL_COLUMNS)), LF);
  parts.push(align(1), bold(true), size(2, 2));
  lines(job.courierName, LABEL_COLUMNS / 2);
  parts.push(size(1, 1), bold(false), encodeCode128(job.waybillNo), LF);
  lines(`运单号 ${job.waybillNo}`);
  rule();
  parts.push(align(0), bold(true));
  lines(`收件人：${job.recipient.name}  ${job.recipient.phoneMasked}`);
  parts.push(size(2, 2));
  lines(`${job.recipient.province}${job.recipient.city}${job.recipient.county}`, LABEL_COLUMNS / 2);
  parts.push(size(1, 1));
  lines(job.recipient.street);
  parts.push(bold(false));
  rule();
  lines(`寄件人：${job.sender.name}  ${job.sender.phone}`);
  lines(job.sender.address);
  rule();
  lines(`办件编号：${job.caseNo}`);
  lines(`费用：${job.paid ? "到付" : "免费寄递（政府付费）"}`);
  lines(`打印时间：${job.printedAtText}`);
  parts.push(FEED_TO_GAP_AND_CUT);
  return Buffer.concat(parts);
}
