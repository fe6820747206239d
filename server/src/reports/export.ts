/**
 * Every table of /admin/reports as a file, through the shared ledger exporter
 * (export/table.ts): the report's groups (with the total as the last row), its hours, its
 * days and its 好差评 distribution, and the 差评 follow-ups. Seconds stay seconds (numbers a
 * spreadsheet can add up); the headers say so.
 */
import { type ExportColumn, type ExportLang, toCsv, toXlsx } from "../export/table.ts";
import type { Followup, Report, ReportRow } from "./model.ts";

export const REPORT_TABLES = ["groups", "hours", "days", "ratings"] as const;
export type ReportTable = (typeof REPORT_TABLES)[number];

const num = (v: number | null) => (v === null ? "" : v);

/** What a p90 cell says while the period is ranked again (Report.p90Pending). */
const PENDING = { zh: "计算中", en: "computing" } as const;

const GROUP_COLUMNS = (lang: ExportLang, pending: boolean): ExportColumn<ReportRow>[] => [
  { key: "key", zh: "编号", en: "Key", value: (r) => r.key },
  { key: "name", zh: "名称", en: "Name", value: (r) => (lang === "zh" ? r.name : r.nameEn), width: 24 },
  { key: "tickets", zh: "取号", en: "Tickets", value: (r) => r.tickets },
  { key: "served", zh: "办结", en: "Served", value: (r) => r.served },
  { key: "noShows", zh: "过号", en: "No-shows", value: (r) => r.noShows },
  { key: "cancelled", zh: "取消", en: "Cancelled", value: (r) => r.cancelled },
  { key: "avgWait", zh: "平均等候(秒)", en: "Avg wait (s)", value: (r) => num(r.avgWaitS) },
  { key: "p90Wait", zh: "90%等候(秒)", en: "p90 wait (s)", value: (r) => (pending ? PENDING[lang] : num(r.p90WaitS)) },
  { key: "avgService", zh: "平均办理(秒)", en: "Avg service (s)", value: (r) => num(r.avgServiceS) },
  { key: "p90Service", zh: "90%办理(秒)", en: "p90 service (s)", value: (r) => (pending ? PENDING[lang] : num(r.p90ServiceS)) },
  { key: "casesAccepted", zh: "受理办件", en: "Cases accepted", value: (r) => num(r.casesAccepted) },
  { key: "casesFinished", zh: "办结办件", en: "Cases finished", value: (r) => num(r.casesFinished) },
  { key: "casesOverdue", zh: "超期办件", en: "Cases overdue", value: (r) => num(r.casesOverdue) },
  ...([1, 2, 3, 4, 5] as const).map(
    (s): ExportColumn<ReportRow> => ({ key: `r${s}`, zh: `${s}星`, en: `${s}★`, value: (r) => r.ratings[s - 1] ?? 0 }),
  ),
];

type Hour = Report["hours"][number];
const HOUR_COLUMNS: ExportColumn<Hour>[] = [
  { key: "hour", zh: "时段", en: "Hour", value: (r) => `${String(r.hour).padStart(2, "0")}:00` },
  { key: "tickets", zh: "取号", en: "Tickets", value: (r) => r.tickets },
  { key: "served", zh: "办结", en: "Served", value: (r) => r.served },
];

type Day = Report["days"][number];
const DAY_COLUMNS: ExportColumn<Day>[] = [
  { key: "day", zh: "日期", en: "Date", value: (r) => r.day },
  { key: "tickets", zh: "取号", en: "Tickets", value: (r) => r.tickets },
  { key: "served", zh: "办结", en: "Served", value: (r) => r.served },
  { key: "avgWait", zh: "平均等候(秒)", en: "Avg wait (s)", value: (r) => num(r.avgWaitS) },
];

type Rating = { score: number; count: number };
const RATING_COLUMNS: ExportColumn<Rating>[] = [
  { key: "score", zh: "评分", en: "Score", value: (r) => r.score },
  { key: "count", zh: "次数", en: "Ratings", value: (r) => r.count },
];

export const FOLLOWUP_COLUMNS: ExportColumn<Followup>[] = [
  { key: "day", zh: "日期", en: "Date", value: (r) => r.day },
  { key: "number", zh: "号码", en: "Ticket", value: (r) => r.number },
  { key: "counter", zh: "窗口", en: "Counter", value: (r) => r.counterId },
  { key: "clerk", zh: "工作人员", en: "Clerk", value: (r) => r.clerkName || r.clerkId },
  { key: "department", zh: "部门", en: "Department", value: (r) => r.departmentId },
  { key: "score", zh: "评分", en: "Score", value: (r) => r.score },
  { key: "reasons", zh: "原因", en: "Reasons", value: (r) => r.reasons.join(", ") },
  { key: "comment", zh: "群众留言", en: "Comment", value: (r) => r.comment, width: 30 },
  { key: "due", zh: "整改期限", en: "Due", value: (r) => r.dueDate },
  { key: "status", zh: "状态", en: "Status", value: (r) => (r.status === "closed" ? "closed" : r.overdue ? "overdue" : "open") },
  { key: "closedBy", zh: "整改人", en: "Closed by", value: (r) => r.closedByName ?? "" },
  { key: "action", zh: "整改措施", en: "What was done", value: (r) => r.action ?? "", width: 40 },
];

/** One table of a report as CSV or XLSX. */
export async function reportFile(
  report: Report,
  table: ReportTable,
  kind: "csv" | "xlsx",
  lang: ExportLang,
): Promise<string | Buffer> {
  const sheet = `${report.from}..${report.to}`;
  const out = <R>(columns: ExportColumn<R>[], rows: R[]) =>
    kind === "csv" ? Promise.resolve(toCsv(columns, rows, lang)) : toXlsx(sheet.slice(0, 31), columns, rows, lang);
  switch (table) {
    case "groups":
      return out(GROUP_COLUMNS(lang, report.p90Pending), [...report.rows, report.total]);
    case "hours":
      return out(HOUR_COLUMNS, report.hours);
    case "days":
      return out(DAY_COLUMNS, report.days);
    case "ratings":
      return out(
        RATING_COLUMNS,
        report.total.ratings.map((count, i) => ({ score: i + 1, count })),
      );
    default: {
      const never: never = table;
      throw new Error(`unknown table ${String(never)}`);
    }
  }
}
