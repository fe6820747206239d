/**
 * One way to turn a ledger (台账) into a file, shared by every feature that exports one
 * (the help desk's 帮办代办台账, the post's 寄递台账): CSV in UTF-8 with a byte-order mark (so
 * Excel reads the Chinese without an import dialog) and XLSX (exceljs). Rows are already
 * masked by the caller; this module only lays them out.
 *
 * Formula safety: a cell starting with = + - @ (or a tab / carriage return, which some
 * spreadsheets strip before parsing) gets an apostrophe in the CSV, so a visitor's text can
 * never become a formula; XLSX cells are written as plain strings or numbers, never formulas.
 */

export type ExportLang = "zh" | "en";

/** One column: its header in both languages and how to read a row's cell. */
export interface ExportColumn<R> {
  key: string;
  zh: string;
  en: string;
  value: (r: R) => string | number;
  /** XLSX column width in characters (default 14). */
  width?: number;
}

export function exportHeaders<R>(columns: readonly ExportColumn<R>[], lang: ExportLang): string[] {
  return columns.map((c) => c[lang]);
}

export function csvCell(v: string | number): string {
  let s = String(v);
  // Numbers are numbers (a negative count stays -2); only text can smuggle a formula.
  if (typeof v === "string" && /^[=+\-@\t\r]/.test(s)) s = `'${s}`;
  return /[",\r\n]/.test(s) ? `"${s.replaceAll('"', '""')}"` : s;
}

/** CSV (RFC 4180, CRLF) with a UTF-8 byte-order mark. */
export function toCsv<R>(columns: readonly ExportColumn<R>[], rows: readonly R[], lang: ExportLang): string {
  const lines = [exportHeaders(columns, lang).map(csvCell).join(",")];
  for (const r of rows) lines.push(columns.map((c) => csvCell(c.value(r))).join(","));
  return `\uFEFF${lines.join("\r\n")}\r\n`;
}

/** A one-sheet workbook: bold header row, then one row per record. */
export function toXlsx<R>(
  sheetName: string,
  columns: readonly ExportColumn<R>[],
  rows: readonly R[],
  lang: ExportLang,
): Promise<Buffer> {
  return toXlsxBook([{ name: sheetName, columns, rows }], lang);
}

/** One sheet of {@link toXlsxBook}. */
export interface XlsxSheet<R> {
  name: string;
  columns: readonly ExportColumn<R>[];
  rows: readonly R[];
}

/**
 * A workbook of several sheets laid out like {@link toXlsx} (the catalogue: one per table).
 * `created` pins the file's creation date (a fixture generated twice stays the same).
 */
export async function toXlsxBook<R>(sheets: readonly XlsxSheet<R>[], lang: ExportLang, created?: Date): Promise<Buffer> {
  // exceljs is loaded on the first export, not at start (~28 MB of RSS a hub rarely needs).
  const { default: ExcelJS } = await import("exceljs");
  const wb = new ExcelJS.Workbook();
  wb.creator = "OneVisit";
  if (created) {
    wb.created = created;
    wb.modified = created;
  }
  for (const s of sheets) {
    const ws = wb.addWorksheet(s.name);
    ws.columns = s.columns.map((c) => ({ header: c[lang], key: c.key, width: c.width ?? 14 }));
    for (const r of s.rows) ws.addRow(Object.fromEntries(s.columns.map((c) => [c.key, c.value(r)])));
    ws.getRow(1).font = { bold: true };
    // The header stays in view while a long ledger scrolls.
    ws.views = [{ state: "frozen", ySplit: 1 }];
  }
  return Buffer.from(await wb.xlsx.writeBuffer());
}

export const XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet";
export const CSV_TYPE = "text/csv; charset=utf-8";
