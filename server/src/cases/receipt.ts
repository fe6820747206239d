/**
 * The two slips a counter prints when it accepts or refuses a case, as ESC/POS bytes on the
 * counter's thermal printer (58 or 80 mm), with the ticket printer's own building blocks:
 * GB18030 text in Chinese mode and the QR code command whose length counts bytes.
 *
 * - 受理回执 (acceptance receipt): the case number large enough to read out, the matter,
 *   the due date, the materials still owed under 容缺受理 with the date each was promised,
 *   and a QR code to the public progress page `/q/<caseNo>`.
 * - 一次性告知书 (one-time notice) for a refusal: the reason and everything missing in one
 *   list, never cut short, so the visitor needs one more visit at most.
 *
 * Pure: the caller formats dates in the hall's time zone and masks personal data; nothing
 * here knows a clock or a case store. Only masked personal data is ever passed in — the
 * slip leaves the hall in the visitor's pocket.
 */
import { PrinterTypes, ThermalPrinter } from "node-thermal-printer";
import type { Case } from "../contract/cases.ts";
import type { Catalogue } from "../contract/catalogue.ts";
import {
  CHINESE_MODE_ON,
  COLUMNS,
  INIT,
  type PaperWidth,
  displayWidth,
  encodeQr,
  encodeText,
  wrapText,
} from "../../../hardware/printer/protocol.ts";

/** A material still owed under 容缺受理, with the date the applicant promised it. */
export interface OwedMaterial {
  name: string;
  /** Already formatted ("2026-12-09"); absent when no date was promised. */
  promisedText?: string;
}

interface SlipCommon {
  /** Idempotence key: the same slip retried prints once. */
  jobId: string;
  hallName: string;
  matterName: string;
  /** "3号窗口 综合受理" — where it happened. */
  counterText: string;
  /** Who accepted or refused (staff name, not personal data of the applicant). */
  staffName: string;
  /** When, formatted in the hall's time zone. */
  atText: string;
  /** The applicant as masked for print ("王*明"); absent to leave it off. */
  applicantMasked?: string;
  lang: "zh" | "en";
}

/** 受理回执: a case accepted (受理) or accepted while materials follow (容缺受理). */
export interface AcceptanceReceiptJob extends SlipCommon {
  kind: "receipt";
  caseNo: string;
  deferred: boolean;
  /** The promised completion date (承诺办结日期), formatted; "当场办结" style text for 即办件. */
  dueText: string;
  /** 承诺时限 in working days (0 = on the spot). */
  promisedDays: number;
  owed: OwedMaterial[];
  /** Absolute URL of the progress page, `<publicUrl>/q/<caseNo>`: the QR code's content. */
  progressUrl: string;
}

/** 一次性告知书: a refusal, with its reason and every missing material. */
export interface RefusalNoticeJob extends SlipCommon {
  kind: "refusal";
  /** The refused case's number when the store keeps refusals too. */
  caseNo?: string;
  reason: string;
  missing: string[];
}

export type CaseSlipJob = AcceptanceReceiptJob | RefusalNoticeJob;

interface Labels {
  receiptTitle: string;
  noticeTitle: string;
  caseNo: string;
  matter: string;
  applicant: string;
  outcome: string;
  accepted: string;
  deferred: string;
  due: string;
  promised(days: number): string;
  owedTitle: string;
  owedBy(date: string): string;
  scan: string;
  counter: string;
  staff: string;
  at: string;
  reason: string;
  missingTitle: string;
  noticeNote: string;
  keep: string;
}

const LABELS: Record<CaseSlipJob["lang"], Labels> = {
  zh: {
    receiptTitle: "受理回执",
    noticeTitle: "一次性告知书",
    caseNo: "办件编号：",
    matter: "事项：",
    applicant: "申请人：",
    outcome: "受理结果：",
    accepted: "受理",
    deferred: "容缺受理",
    due: "承诺办结：",
    promised: (d) => (d === 0 ? "即办件" : `承诺时限 ${d} 个工作日`),
    owedTitle: "尚需补交的材料：",
    owedBy: (date) => `（承诺 ${date} 前补交）`,
    scan: "扫码查询办理进度（需输入申请人手机号或身份证号后四位）",
    counter: "受理窗口：",
    staff: "受理人：",
    at: "时间：",
    reason: "不予受理原因：",
    missingTitle: "请备齐以下全部材料后再来办理：",
    noticeNote: "以上为需补齐的全部材料，一次性告知。",
    keep: "请妥善保管本回执",
  },
  en: {
    receiptTitle: "Acceptance receipt",
    noticeTitle: "One-time notice",
    caseNo: "Case no.: ",
    matter: "Matter: ",
    applicant: "Applicant: ",
    outcome: "Outcome: ",
    accepted: "Accepted",
    deferred: "Accepted, materials to follow",
    due: "Due: ",
    promised: (d) => (d === 0 ? "done on the spot" : `promised in ${d} working day${d === 1 ? "" : "s"}`),
    owedTitle: "Still to bring:",
    owedBy: (date) => ` (by ${date})`,
    scan: "Scan to follow the case (last four digits of the applicant's phone or ID number)",
    counter: "Counter: ",
    staff: "Clerk: ",
    at: "Time: ",
    reason: "Reason: ",
    missingTitle: "Please bring ALL of the following next time:",
    noticeNote: "This is the complete list, told at once.",
    keep: "Please keep this receipt",
  },
};

/** Encode one slip, from reset to cut. */
export function encodeCaseSlip(job: CaseSlipJob, opts: { width: PaperWidth }): Buffer {
  const cols = COLUMNS[opts.width];
  const l = LABELS[job.lang];
  // The library only builds command bytes (alignment, size, bold, cut); text and QR are ours.
  const p = new ThermalPrinter({ type: PrinterTypes.EPSON, interface: "", width: cols });
  const size = (w: number, h: number) => p.setTextSize(w - 1, h - 1);
  const lines = (text: string, columns = cols) => {
    for (const line of wrapText(text, columns)) {
      p.add(encodeText(line));
      p.newLine();
    }
  };
  const rule = () => lines("-".repeat(cols));

  p.add(INIT);
  p.add(CHINESE_MODE_ON);
  p.alignCenter();
  p.bold(true);
  size(2, 2);
  lines(job.hallName, Math.floor(cols / 2));
  lines(job.kind === "receipt" ? l.receiptTitle : l.noticeTitle, Math.floor(cols / 2));
  size(1, 1);
  p.bold(false);

  if (job.caseNo) {
    p.newLine();
    lines(l.caseNo);
    // As large as fits: the clerk and the visitor read it out over the counter.
    const mul = Math.max(1, Math.min(2, Math.floor(cols / Math.max(1, displayWidth(job.caseNo)))));
    p.bold(true);
    size(mul, mul);
    lines(job.caseNo, Math.floor(cols / mul));
    size(1, 1);
    p.bold(false);
  }
  rule();

  p.alignLeft();
  lines(`${l.matter}${job.matterName}`);
  if (job.applicantMasked) lines(`${l.applicant}${job.applicantMasked}`);

  if (job.kind === "receipt") {
    lines(`${l.outcome}${job.deferred ? l.deferred : l.accepted}`);
    p.bold(true);
    lines(`${l.due}${job.dueText}`);
    p.bold(false);
    lines(`(${l.promised(job.promisedDays)})`);
    if (job.owed.length > 0) {
      rule();
      p.bold(true);
      lines(l.owedTitle);
      p.bold(false);
      for (const [i, m] of job.owed.entries()) lines(`${i + 1}. ${m.name}${m.promisedText ? l.owedBy(m.promisedText) : ""}`);
    }
  } else {
    p.bold(true);
    lines(l.reason);
    p.bold(false);
    lines(job.reason);
    rule();
    p.bold(true);
    lines(l.missingTitle);
    p.bold(false);
    // Every item, never the first few: the notice is only worth anything when complete.
    for (const [i, m] of job.missing.entries()) lines(`${i + 1}. ${m}`);
    lines(l.noticeNote);
  }
  rule();
  lines(`${l.counter}${job.counterText}`);
  lines(`${l.staff}${job.staffName}`);
  lines(`${l.at}${job.atText}`);

  if (job.kind === "receipt") {
    p.newLine();
    p.alignCenter();
    p.add(encodeQr(job.progressUrl, opts.width === 80 ? 6 : 5));
    p.newLine();
    lines(l.scan);
    lines(l.keep);
  }
  p.cut();
  return Buffer.from(p.getBuffer());
}

/** "王**": the surname, then one star per further character (what a slip may carry). */
export function maskName(name: string): string {
  const chars = Array.from(name.trim());
  if (chars.length === 0) return "";
  return chars[0] + "*".repeat(Math.max(1, chars.length - 1));
}

/** "2026-12-02 10:15" in the hall's time zone, whatever the machine's zone is. */
function localDateTime(at: number, timeZone: string): string {
  const parts = new Intl.DateTimeFormat("en-CA", {
    timeZone,
    year: "numeric",
    month: "2-digit",
    day: "2-digit",
    hour: "2-digit",
    minute: "2-digit",
    hourCycle: "h23",
  }).formatToParts(at);
  const v = (t: string) => parts.find((p) => p.type === t)?.value ?? "";
  return `${v("year")}-${v("month")}-${v("day")} ${v("hour")}:${v("minute")}`;
}

/**
 * The slip a case calls for: the 受理回执 for 受理 / 容缺受理, the 一次性告知书 for 不予受理.
 * `origin` is where visitors' phones reach the hub (the hall's publicUrl, else the address
 * the counter used), so the QR code opens the progress page.
 */
export function caseSlipJob(
  c: Case,
  cat: Pick<Catalogue, "hall" | "counters">,
  opts: { origin: string; lang: "zh" | "en"; jobId: string },
): CaseSlipJob {
  const en = opts.lang === "en";
  const counter = c.counterId ? cat.counters.find((x) => x.id === c.counterId) : undefined;
  const common = {
    jobId: opts.jobId,
    hallName: en && cat.hall.nameEn ? cat.hall.nameEn : cat.hall.name,
    matterName: en && c.matterNameEn ? c.matterNameEn : c.matterName,
    counterText: counter ? (en && counter.nameEn ? counter.nameEn : counter.name) : (c.counterId ?? c.siteId),
    staffName: c.acceptedBy.name,
    atText: localDateTime(c.acceptedAt, cat.hall.timeZone),
    applicantMasked: maskName(c.applicant.name),
    lang: opts.lang,
  };
  const itemName = (m: Case["materials"][number]) => (en && m.nameEn ? m.nameEn : m.name);
  if (c.outcome === "not_accepted") {
    return {
      ...common,
      kind: "refusal",
      caseNo: c.caseNo,
      reason: c.refusalReason ?? "",
      missing: c.materials.filter((m) => m.state !== "received").map(itemName),
    };
  }
  return {
    ...common,
    kind: "receipt",
    caseNo: c.caseNo,
    deferred: c.outcome === "accepted_deferred",
    dueText: c.dueDate ?? c.acceptedOn,
    promisedDays: c.promisedDays,
    owed: c.materials
      .filter((m) => m.state !== "received" && m.receivedAt === undefined)
      .map((m) => ({ name: itemName(m), ...(m.promisedDate ? { promisedText: m.promisedDate } : {}) })),
    progressUrl: `${opts.origin.replace(/\/+$/, "")}${c.progressPath}`,
  };
}
