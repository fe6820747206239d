/**
 * The postal ledger (寄递台账) as files, laid out by the shared export/table.ts like the help
 * desk's ledger: CSV (UTF-8 with a BOM) and XLSX. The rows are the ledger's, already masked
 * (recipient's surname only, no phone, no street).
 */
import type { PostalLedger, PostalLedgerRow } from "../contract/delivery.ts";
import { type ExportColumn, type ExportLang, toCsv, toXlsx } from "../export/table.ts";

function columns(timeZone: string): ExportColumn<PostalLedgerRow>[] {
  const time = new Intl.DateTimeFormat("sv-SE", { timeZone, dateStyle: "short", timeStyle: "short" });
  return [
    { key: "day", zh: "日期", en: "Day", value: (r) => r.day, width: 12 },
    { key: "department", zh: "部门", en: "Department", value: (r) => r.departmentId },
    { key: "caseNo", zh: "办件编号", en: "Case", value: (r) => r.caseNo, width: 24 },
    { key: "matter", zh: "事项", en: "Matter", value: (r) => r.matterName, width: 30 },
    { key: "waybill", zh: "运单号", en: "Waybill", value: (r) => r.waybillNo, width: 16 },
    { key: "courier", zh: "快递", en: "Courier", value: (r) => r.courier },
    { key: "recipient", zh: "收件人", en: "Recipient", value: (r) => r.recipientMasked },
    { key: "county", zh: "地区", en: "Area", value: (r) => r.county },
    { key: "fee", zh: "费用", en: "Fee", value: (r) => (r.paid ? "到付" : "免费") },
    // The status keyword (sent, in_transit, delivered, returned): what the courier's files use too.
    { key: "status", zh: "状态", en: "Status", value: (r) => r.status },
    { key: "mailedAt", zh: "寄出时间", en: "Mailed at", value: (r) => time.format(r.mailedAt), width: 18 },
    { key: "label", zh: "面单已打印", en: "Label printed", value: (r) => (r.labelPrinted ? "是" : "否") },
  ];
}

export function postalLedgerCsv(l: PostalLedger, lang: ExportLang, timeZone: string): string {
  return toCsv(columns(timeZone), l.rows, lang);
}

export function postalLedgerXlsx(l: PostalLedger, lang: ExportLang, timeZone: string): Promise<Buffer> {
  return toXlsx(lang === "zh" ? `寄递台账 ${l.day}` : `Postal ledger ${l.day}`, columns(timeZone), l.rows, lang);
}
