/**
 * The catalogue's tables as files and back: one XLSX workbook with a sheet per table, or one
 * CSV file per table. Writing goes through the shared ledger exporter (export/table.ts:
 * formula-safe cells, UTF-8 BOM, exceljs loaded on first use); reading takes exceljs for
 * workbooks and csv-parse for CSV (quoted cells with commas and line breaks, as Excel and
 * WPS write them). A CSV that is not UTF-8 is read as GB18030: what Excel on a Chinese
 * Windows saves by default.
 */
import { parse as parseCsv } from "csv-parse/sync";
import type { Catalogue } from "../contract/catalogue.ts";
import { HallError } from "../hall/errors.ts";
import { type ExportColumn, type ExportLang, toCsv, toXlsxBook } from "../export/table.ts";
import {
  type Column,
  catalogueTables,
  formatCell,
  HALL_FIELDS,
  parseCell,
  type RawCell,
  type Reason,
  type Row,
  type TableDef,
  type TableKey,
  TABLES,
  type Tables,
} from "./sheets.ts";
import { checkXlsxZip, MAX_XLSX_ENTRIES, MAX_XLSX_INFLATED } from "./zip-guard.ts";

/** The columns of a table as the exporter lays them out (the hall sheet's meaning in the file's language). */
function exportColumns(def: TableDef, lang: ExportLang): ExportColumn<Row>[] {
  return def.columns.map((c) => ({
    key: c.key,
    zh: c.zh,
    en: c.en,
    ...(c.width ? { width: c.width } : {}),
    value:
      def.key === "hall" && c.key === "label"
        ? (r: Row) => HALL_FIELDS.find((f) => f.key === r.field)?.[lang] ?? ""
        : (r: Row) => formatCell(r[c.key], c, lang),
  }));
}

/** The whole catalogue as one workbook, a sheet per table in {@link TABLES} order. */
export function catalogueXlsx(c: Catalogue, lang: ExportLang, created?: Date): Promise<Buffer> {
  const t = catalogueTables(c);
  return toXlsxBook(
    TABLES.map((def) => ({ name: def[lang], columns: exportColumns(def, lang), rows: t[def.key] })),
    lang,
    created,
  );
}

/** One table of the catalogue as CSV. */
export function catalogueCsv(c: Catalogue, table: TableKey, lang: ExportLang): string {
  const def = TABLES.find((d) => d.key === table) as TableDef;
  return toCsv(exportColumns(def, lang), catalogueTables(c)[table], lang);
}

// ---- reading ------------------------------------------------------------------------------

/** A file as sent for import. `table` names a CSV file's table when its name does not. */
export interface ImportFile {
  name: string;
  data: Buffer;
  table?: TableKey;
}

/** A problem found in a file: where (sheet as named in the file, row, column header) and why. */
export interface FileProblem {
  table?: TableKey;
  /** The sheet (or CSV file) as named in the file. */
  sheet: string;
  /** Row as the spreadsheet numbers it (the header is row 1); absent for the sheet as a whole. */
  row?: number;
  /** The column's key in {@link TABLES}. */
  column?: string;
  /** The column's header as written in the file. */
  header?: string;
  reason: Reason;
}

export interface ReadResult {
  /** Tables found in the files (those not in them are left as they are). */
  tables: Partial<Tables>;
  /** Where each row read came from. */
  origin: Map<Row, { sheet: string; row: number }>;
  /** Columns each table's file had (a column left out keeps its current values). */
  columns: Partial<Record<TableKey, Set<string>>>;
  problems: FileProblem[];
  /** Sheets and columns that were ignored (not ours). */
  ignored: string[];
}

function norm(s: string): string {
  return s.trim().toLowerCase().replace(/\s+/g, " ");
}

/** The table a sheet or file name stands for: 事项, Matters, matters, catalogue-matters.csv … */
export function tableOfName(name: string): TableDef | undefined {
  // What the export names its files (catalogue-matters-2026-12-03.csv), and a browser's " (1)".
  const base = norm(
    name
      .replace(/\.(csv|txt|xlsx)$/i, "")
      .replace(/\s*\(\d+\)$/, "")
      .replace(/[-_ ]\d{4}-\d{2}-\d{2}$/, ""),
  );
  return TABLES.find((d) => {
    const names = [d.key, d.zh, d.en].map(norm);
    return names.some((n) => base === n || base.endsWith(`-${n}`) || base.endsWith(`_${n}`) || base.endsWith(` ${n}`));
  });
}

function columnOfHeader(def: TableDef, header: string): Column | undefined {
  const h = norm(header);
  return def.columns.find((c) => [c.key, c.zh, c.en].map(norm).includes(h));
}

/** Rows of one sheet (header row first) into typed rows, with a problem per refused cell. */
function readGrid(def: TableDef, sheet: string, grid: { line: number; cells: RawCell[] }[], out: ReadResult): void {
  const header = grid[0];
  if (!header) {
    out.problems.push({
      table: def.key,
      sheet,
      reason: { zh: "表是空的（没有表头）", en: "the sheet is empty (no header row)" },
    });
    return;
  }
  const map: (Column | undefined)[] = header.cells.map((h) => (typeof h === "string" ? columnOfHeader(def, h) : undefined));
  header.cells.forEach((h, i) => {
    if (!map[i] && h !== null && h !== undefined && String(h).trim() !== "") out.ignored.push(`${sheet}: ${String(h)}`);
  });
  const present = new Set(map.filter((c): c is Column => c !== undefined).map((c) => c.key));
  let missing = false;
  for (const c of def.columns)
    if (!present.has(c.key) && def.identity.includes(c.key)) {
      missing = true;
      out.problems.push({
        table: def.key,
        sheet,
        row: header.line,
        column: c.key,
        reason: { zh: `缺少“${c.zh}”列`, en: `the "${c.en}" column is missing` },
      });
    }
  if (missing) return;
  const rows: Row[] = [];
  for (const g of grid.slice(1)) {
    if (g.cells.every((x) => x === null || x === undefined || String(x).trim() === "")) continue;
    const row: Row = {};
    // A short CSV line leaves its last cells empty (undefined), as an empty cell would.
    map.forEach((col, i) => {
      if (!col) return;
      const r = parseCell(g.cells[i], col);
      if (r.reason)
        out.problems.push({
          table: def.key,
          sheet,
          row: g.line,
          column: col.key,
          header: String(header.cells[i]),
          reason: r.reason,
        });
      else if (r.value !== undefined) row[col.key] = r.value;
    });
    rows.push(row);
    out.origin.set(row, { sheet, row: g.line });
  }
  if (out.tables[def.key]) {
    out.problems.push({
      table: def.key,
      sheet,
      reason: { zh: `“${def.zh}”表出现了两次`, en: `the ${def.en} table is given twice` },
    });
    return;
  }
  out.tables[def.key] = rows;
  out.columns[def.key] = present;
}

/** What exceljs holds in a cell, as a plain value (rich text, formulas' results, hyperlinks' text). */
function plain(v: unknown): RawCell {
  if (v === null || v === undefined) return undefined;
  if (typeof v === "string" || typeof v === "number" || typeof v === "boolean" || v instanceof Date) return v;
  if (typeof v === "object") {
    const o = v as { richText?: { text: string }[]; result?: unknown; text?: unknown; error?: unknown };
    if (o.richText) return o.richText.map((x) => x.text).join("");
    if ("result" in o) return plain(o.result);
    if (typeof o.text === "string") return o.text;
  }
  return String(v);
}

async function readXlsx(file: ImportFile, out: ReadResult): Promise<void> {
  const notXlsx = () =>
    out.problems.push({
      sheet: file.name,
      reason: { zh: "不是有效的 Excel（.xlsx）文件", en: "not a valid Excel (.xlsx) file" },
    });
  // A zip bomb is refused before exceljs inflates it (zip-guard.ts): the whole import, not a row.
  const zip = await checkXlsxZip(file.data);
  if (!zip.ok) {
    if (zip.tooLarge)
      throw new HallError(
        "CATALOGUE_FILE_TOO_LARGE",
        `a workbook may hold ${MAX_XLSX_ENTRIES} entries and ${MAX_XLSX_INFLATED / 1024 / 1024} MiB unpacked (${zip.what})`,
      );
    notXlsx();
    return;
  }
  const { default: ExcelJS } = await import("exceljs");
  const wb = new ExcelJS.Workbook();
  try {
    await wb.xlsx.load(file.data as unknown as ArrayBuffer);
  } catch {
    notXlsx();
    return;
  }
  for (const ws of wb.worksheets) {
    const def = tableOfName(ws.name);
    if (!def) {
      out.ignored.push(ws.name);
      continue;
    }
    const grid: { line: number; cells: RawCell[] }[] = [];
    ws.eachRow({ includeEmpty: false }, (row, line) => {
      // exceljs numbers cells from 1; `values` keeps that hole at index 0.
      const values = (row.values as unknown[]).slice(1).map(plain);
      grid.push({ line, cells: values });
    });
    readGrid(def, ws.name, grid, out);
  }
}

function decodeText(data: Buffer): string {
  try {
    return new TextDecoder("utf-8", { fatal: true }).decode(data).replace(/^\uFEFF/, "");
  } catch {
    return new TextDecoder("gb18030").decode(data);
  }
}

function readCsv(file: ImportFile, out: ReadResult): void {
  const def = file.table ? TABLES.find((d) => d.key === file.table) : tableOfName(file.name);
  if (!def) {
    out.problems.push({
      sheet: file.name,
      reason: {
        zh: `看不出“${file.name}”是哪张表：文件名请用表名，如“事项.csv”`,
        en: `cannot tell which table "${file.name}" is: name the file after its table, e.g. matters.csv`,
      },
    });
    return;
  }
  let records: { record: string[]; info: { lines: number } }[];
  try {
    records = parseCsv(decodeText(file.data), { relax_column_count: true, skip_empty_lines: true, info: true }) as never;
  } catch (e) {
    const line = (e as { lines?: number }).lines;
    out.problems.push({
      table: def.key,
      sheet: file.name,
      ...(line ? { row: line } : {}),
      reason: { zh: "CSV 格式有误（引号不成对？）", en: `malformed CSV (${(e as { code?: string }).code ?? "parse error"})` },
    });
    return;
  }
  readGrid(
    def,
    file.name,
    records.map((r, i) => ({ line: i + 1, cells: r.record })),
    out,
  );
}

/** Every table in the files, typed cell by cell. */
export async function readFiles(files: readonly ImportFile[]): Promise<ReadResult> {
  const out: ReadResult = { tables: {}, origin: new Map(), columns: {}, problems: [], ignored: [] };
  for (const f of files) {
    // A workbook is a zip file: "PK" whatever its name says.
    if (f.data[0] === 0x50 && f.data[1] === 0x4b) await readXlsx(f, out);
    else readCsv(f, out);
  }
  return out;
}
