/**
 * The ledger (帮办代办台账) as files: CSV (UTF-8 with a BOM so Excel reads Chinese) and XLSX
 * (exceljs). Rows are the ledger's masked rows; a cell starting with = + - @ is prefixed with
 * an apostrophe in the CSV, so a title cannot become a formula in a spreadsheet.
 */
import ExcelJS from "exceljs";
import type { HelpLedgerRow } from "../contract/helpdesk.ts";

type Lang = "zh" | "en";

const COLUMNS: { key: string; zh: string; en: string; value: (r: HelpLedgerRow) => string | number }[] = [
  { key: "id", zh: "帮办编号", en: "Help case", value: (r) => r.id },
  { key: "kind", zh: "类型", en: "Kind", value: (r) => r.kind },
  { key: "title", zh: "事项", en: "Subject", value: (r) => r.title },
  { key: "status", zh: "状态", en: "Status", value: (r) => r.status },
  { key: "department", zh: "部门", en: "Department", value: (r) => r.departmentId ?? "" },
  { key: "visitor", zh: "群众", en: "Visitor", value: (r) => r.visitorNameMasked },
  { key: "phone", zh: "电话", en: "Phone", value: (r) => r.phoneMasked ?? "" },
  { key: "company", zh: "企业", en: "Company", value: (r) => r.company ?? "" },
  { key: "owner", zh: "负责人", en: "Owner", value: (r) => r.ownerName },
  { key: "openedOn", zh: "受理日期", en: "Opened", value: (r) => r.openedOn },
  { key: "lastProgressOn", zh: "最近进展", en: "Last progress", value: (r) => r.lastProgressOn },
  { key: "nextStep", zh: "下一步", en: "Next step", value: (r) => r.nextStep ?? "" },
  { key: "nextStepDate", zh: "下一步日期", en: "Next step date", value: (r) => r.nextStepDate ?? "" },
  { key: "links", zh: "关联办件", en: "Linked cases", value: (r) => r.links },
  { key: "transfers", zh: "移交次数", en: "Transfers", value: (r) => r.transfers },
  { key: "overdue", zh: "超期未进展", en: "Stalled", value: (r) => (r.overdue ? 1 : 0) },
];

export const LEDGER_HEADERS = (lang: Lang): string[] => COLUMNS.map((c) => c[lang]);

function csvCell(v: string | number): string {
  let s = String(v);
  if (/^[=+\-@\t\r]/.test(s)) s = `'${s}`;
  return /[",\r\n]/.test(s) ? `"${s.replaceAll('"', '""')}"` : s;
}

export function ledgerCsv(rows: HelpLedgerRow[], lang: Lang): string {
  const lines = [LEDGER_HEADERS(lang).map(csvCell).join(",")];
  for (const r of rows) lines.push(COLUMNS.map((c) => csvCell(c.value(r))).join(","));
  return `\uFEFF${lines.join("\r\n")}\r\n`;
}

export async function ledgerXlsx(rows: HelpLedgerRow[], lang: Lang): Promise<Buffer> {
  const wb = new ExcelJS.Workbook();
  wb.creator = "OneVisit";
  const ws = wb.addWorksheet(lang === "zh" ? "帮办代办台账" : "Help desk ledger");
  ws.columns = COLUMNS.map((c) => ({ header: c[lang], key: c.key, width: c.key === "title" ? 30 : 14 }));
  for (const r of rows) ws.addRow(Object.fromEntries(COLUMNS.map((c) => [c.key, c.value(r)])));
  ws.getRow(1).font = { bold: true };
  return Buffer.from(await wb.xlsx.writeBuffer());
}
