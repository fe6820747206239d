/**
 * A workbook is a zip file, and a zip can hold far more than it weighs: a few kilobytes of
 * deflated zeros inflate to gigabytes, and exceljs would inflate them all in the hub's
 * memory. Before a workbook reaches exceljs its central directory (the zip's table of
 * contents, PKWARE APPNOTE 4.3.12–4.3.16) is read here: too many entries, or more inflated
 * bytes in all than a catalogue can need, and the file is refused. The sizes a directory
 * declares could lie, so every entry is then inflated here once with a ceiling of its
 * declared size (zlib stops at `maxOutputLength` instead of filling memory): what exceljs
 * is handed inflates to no more than what was checked.
 *
 * The bounds: the reference hall's catalogue (test/fixtures/reference-hall-catalogue.xlsx,
 * 1,410 matters, 11 sheets) is 26 entries inflating to 2.4 MB (2,469,376 bytes) from a
 * 260 KB file. 64 MiB is 27 times that — a county's catalogue ten times the size fits with
 * room to spare — and 1,000 entries is 38 times its count. Beyond that the file is not a
 * catalogue.
 */
import { promisify } from "node:util";
import { inflateRaw } from "node:zlib";

/** Inflated bytes a workbook may hold in all (see above). */
export const MAX_XLSX_INFLATED = 64 * 1024 * 1024;
/** Entries (files and folders) a workbook may hold. */
export const MAX_XLSX_ENTRIES = 1000;

const inflate = promisify(inflateRaw);

export type ZipVerdict =
  | { ok: true; entries: number; inflated: number }
  /** Beyond a bound: `what` says which (for the message; the file is not echoed). */
  | { ok: false; tooLarge: true; what: string }
  /** Not a zip this reader can follow (truncated, ZIP64, offsets out of the file). */
  | { ok: false; tooLarge: false; what: string };

const EOCD = 0x06054b50;
const CENTRAL = 0x02014b50;
const LOCAL = 0x04034b50;

function bad(what: string): ZipVerdict {
  return { ok: false, tooLarge: false, what };
}

/** The end-of-central-directory record: last in the file, before a comment of up to 64 KiB. */
function findEnd(buf: Buffer): number {
  for (let i = buf.length - 22; i >= Math.max(0, buf.length - 22 - 0xffff); i--) if (buf.readUInt32LE(i) === EOCD) return i;
  return -1;
}

/** Check a workbook's zip before it is unpacked (see the file's comment). */
export async function checkXlsxZip(
  buf: Buffer,
  limits = { inflated: MAX_XLSX_INFLATED, entries: MAX_XLSX_ENTRIES },
): Promise<ZipVerdict> {
  const end = findEnd(buf);
  if (end < 0) return bad("no end of central directory");
  const count = buf.readUInt16LE(end + 10);
  const size = buf.readUInt32LE(end + 12);
  const start = buf.readUInt32LE(end + 16);
  // 0xFFFF / 0xFFFFFFFF: ZIP64, which no spreadsheet of a catalogue's size needs.
  if (count === 0xffff || start === 0xffffffff) return bad("ZIP64");
  if (count > limits.entries) return { ok: false, tooLarge: true, what: `${count} entries` };
  if (start + size > end) return bad("central directory out of the file");
  const entries: { method: number; compressed: number; inflated: number; local: number }[] = [];
  let total = 0;
  let p = start;
  for (let i = 0; i < count; i++) {
    if (p + 46 > end || buf.readUInt32LE(p) !== CENTRAL) return bad("central directory truncated");
    const e = {
      method: buf.readUInt16LE(p + 10),
      compressed: buf.readUInt32LE(p + 20),
      inflated: buf.readUInt32LE(p + 24),
      local: buf.readUInt32LE(p + 42),
    };
    if (e.compressed === 0xffffffff || e.inflated === 0xffffffff || e.local === 0xffffffff) return bad("ZIP64");
    total += e.inflated;
    if (total > limits.inflated) return { ok: false, tooLarge: true, what: `more than ${limits.inflated} bytes inflated` };
    entries.push(e);
    p += 46 + buf.readUInt16LE(p + 28) + buf.readUInt16LE(p + 30) + buf.readUInt16LE(p + 32);
  }
  // The declared sizes add up: now each entry's data, inflated no further than it declares.
  for (const e of entries) {
    if (e.local + 30 > buf.length || buf.readUInt32LE(e.local) !== LOCAL) return bad("local header out of the file");
    const from = e.local + 30 + buf.readUInt16LE(e.local + 26) + buf.readUInt16LE(e.local + 28);
    if (from + e.compressed > buf.length) return bad("entry data out of the file");
    const data = buf.subarray(from, from + e.compressed);
    if (e.method === 0) {
      if (e.compressed !== e.inflated) return bad("stored entry of two sizes");
      continue;
    }
    // Other methods (bzip2, LZMA …) are not in a workbook; exceljs refuses them itself.
    if (e.method !== 8) continue;
    try {
      const out = await inflate(data, { maxOutputLength: Math.max(1, e.inflated) });
      if (out.length !== e.inflated) return bad("an entry inflates to another size than it declares");
    } catch (err) {
      if ((err as { code?: string }).code === "ERR_BUFFER_TOO_LARGE")
        return { ok: false, tooLarge: true, what: "an entry inflates beyond its declared size" };
      return bad("an entry does not inflate");
    }
  }
  return { ok: true, entries: count, inflated: total };
}
