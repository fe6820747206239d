/**
 * The ledger (帮办代办台账) as files: CSV (UTF-8 with a BOM so Excel reads Chinese) and XLSX
 * (exceljs), laid out by the shared export/table.ts (formula-safe). Rows are the ledger's
 * masked rows.
 */
import type { HelpLedgerRow } from "../contract/helpdesk.ts";
import { type ExportColumn, type ExportLang, exportHeaders, toCsv, toXlsx } from "../export/table.ts";

type Lang = ExportLang;

const COLUMNS: ExportColumn<HelpLedgerRow>[] = [
  { key: "id", zh: "帮办编号", en: "Help case", value: (r) => r.id },
  { key: "kind", zh: "类型", en: "Kind", value: (r) => r.kind },
  { key: "title", zh: "事项", en: "Subject", value: (r) => r.title, width: 30 },
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

export const LEDGER_HEADERS = (lang: Lang): string[] => exportHeaders(COLUMNS, lang);

export function ledgerCsv(rows: HelpLedgerRow[], lang: Lang): string {
  return toCsv(COLUMNS, rows, lang);
}

export function ledgerXlsx(rows: HelpLedgerRow[], lang: Lang): Promise<Buffer> {
  return toXlsx(lang === "zh" ? "帮办代办台账" : "Help desk ledger", COLUMNS, rows, lang);
}
