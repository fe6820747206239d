/** Pure helpers of the office and progress pages (unit-tested without a browser). */
import type { CaseAction, CaseMaterial, CaseStatus } from "../server/src/contract/cases.ts";

/** The case number of `/q/<caseNo>` (decoded; "" when the path has none). */
export function caseNoFromPath(pathname: string): string {
  const m = /^\/q\/([^/?#]+)/.exec(pathname);
  if (!m?.[1]) return "";
  try {
    return decodeURIComponent(m[1]);
  } catch {
    return m[1];
  }
}

/** Four digits, the last of an ID number may be X. */
export function isCheck(s: string): boolean {
  return /^\d{3}[\dX]$/.test(s);
}

/** Materials still owed: missing or deferred and not handed in since. */
export function owedMaterials(ms: readonly CaseMaterial[]): CaseMaterial[] {
  return ms.filter((m) => m.state !== "received" && m.receivedAt === undefined);
}

/** "2026-12-02 10:15" in the hall's time zone. */
export function localDateTime(at: number, timeZone: string): string {
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

/** The back office's buttons for a case in `status` (the contract's lifecycle, office part). */
export function officeActions(status: CaseStatus): CaseAction[] {
  switch (status) {
    case "accepted":
      return ["take"];
    case "in_review":
      return ["approve", "request_correction", "refuse"];
    case "correction":
      return ["resubmit"];
    case "approved":
      return ["certificate_ready"];
    default:
      return [];
  }
}

/** Actions that need a note (what to correct, why refused). */
export function needsNote(a: CaseAction): boolean {
  return a === "request_correction" || a === "refuse";
}
