/**
 * The audit log as files: CSV (UTF-8 with a BOM so Excel reads Chinese) and XLSX (exceljs).
 * A cell starting with = + - @ (or a tab or CR) gets an apostrophe in the CSV, so a name or
 * reason somebody typed cannot become a formula in a spreadsheet; XLSX cells are written as
 * strings, which Excel never evaluates. Times are in the hall's time zone.
 */
import type { AuditEntry } from "../contract/audit.ts";
import { type ExportColumn, type ExportLang, toCsv, toXlsx } from "../export/table.ts";

function localTime(at: number, timeZone: string): string {
  const p = Object.fromEntries(
    new Intl.DateTimeFormat("en-CA", {
      timeZone,
      year: "numeric",
      month: "2-digit",
      day: "2-digit",
      hour: "2-digit",
      minute: "2-digit",
      second: "2-digit",
      hourCycle: "h23",
    })
      .formatToParts(at)
      .map((x) => [x.type, x.value]),
  );
  return `${p.year}-${p.month}-${p.day} ${p.hour}:${p.minute}:${p.second}`;
}

function detailText(e: AuditEntry): string {
  return Object.keys(e.detail).length ? JSON.stringify(e.detail) : "";
}

/** The columns, with times in the hall's time zone. */
function columns(timeZone: string): ExportColumn<AuditEntry>[] {
  return [
    { key: "seq", zh: "序号", en: "Seq", width: 8, value: (e) => e.seq },
    { key: "time", zh: "时间", en: "Time", width: 20, value: (e) => localTime(e.at, timeZone) },
    { key: "actor", zh: "操作人", en: "Actor", width: 14, value: (e) => e.actorName },
    { key: "actorId", zh: "账号编号", en: "Staff id", width: 14, value: (e) => e.actorId ?? "" },
    { key: "role", zh: "角色", en: "Role", width: 10, value: (e) => e.actorRole ?? "" },
    { key: "action", zh: "操作", en: "Action", width: 24, value: (e) => e.action },
    { key: "target", zh: "对象", en: "Target", width: 14, value: (e) => e.target ?? "" },
    { key: "ip", zh: "来源地址", en: "From", width: 16, value: (e) => e.ip ?? "" },
    { key: "via", zh: "方式", en: "Via", width: 8, value: (e) => e.via ?? "" },
    { key: "detail", zh: "详情", en: "Details", width: 60, value: (e) => detailText(e) },
    { key: "hash", zh: "校验值", en: "Hash", width: 20, value: (e) => e.hash },
  ];
}

/** The shared ledger exporter (export/table.ts) lays the file out: BOM, formula safety, exceljs. */
export function auditCsv(rows: AuditEntry[], lang: ExportLang, timeZone: string): string {
  return toCsv(columns(timeZone), rows, lang);
}

export function auditXlsx(rows: AuditEntry[], lang: ExportLang, timeZone: string): Promise<Buffer> {
  return toXlsx(lang === "zh" ? "操作日志" : "Audit log", columns(timeZone), rows, lang);
}
