/**
 * What a report is (types shared with reports-ui/, imported there as types only) and the
 * pure arithmetic of periods: a day, the ISO week (Monday to Sunday), the month or the
 * year around a date.
 */

export const PERIODS = ["day", "week", "month", "year"] as const;
export type PeriodKind = (typeof PERIODS)[number];

/** How rows are grouped; "all" is the one total row. */
export const GROUPS = ["all", "department", "matter", "series", "counter", "clerk", "hour"] as const;
export type GroupBy = (typeof GROUPS)[number];

/** One row of a report: a group's figures over the period (seconds; null when nothing to measure). */
export interface ReportRow {
  key: string;
  /** The group's name in the catalogue now, or the clerk's name as signed in (the key when unknown). */
  name: string;
  nameEn: string;
  tickets: number;
  served: number;
  noShows: number;
  cancelled: number;
  avgWaitS: number | null;
  p90WaitS: number | null;
  avgServiceS: number | null;
  p90ServiceS: number | null;
  /** Cases (department and matter rows, and the total): accepted, finished, overdue in the period. */
  casesAccepted: number | null;
  casesFinished: number | null;
  casesOverdue: number | null;
  /** 好差评: how many ratings of 1 … 5. */
  ratings: [number, number, number, number, number];
}

export interface Report {
  period: PeriodKind;
  from: string;
  to: string;
  by: GroupBy;
  rows: ReportRow[];
  total: ReportRow;
  /** Tickets issued and served per hour of the day over the period (0–23). */
  hours: { hour: number; tickets: number; served: number }[];
  /** Per day of the period that has history: the trend. */
  days: { day: string; tickets: number; served: number; avgWaitS: number | null }[];
  /** Days of the period filled from the journals (the rest had no hall day, or are not closed yet). */
  filledDays: number;
  /**
   * The period's p90s are being ranked again (a day of it was filled since, and its ranking
   * was cancelled or has not run yet): every p90 of the report is null meanwhile.
   */
  p90Pending: boolean;
}

export type FollowupStatus = "open" | "closed";

/** A 差评 follow-up (整改): one rating of 1 or 2, to be closed with what was done. */
export interface Followup {
  ticketId: string;
  day: string;
  number: string;
  counterId: string;
  clerkId: string;
  clerkName: string;
  departmentId: string;
  matterId: string;
  score: number;
  reasons: string[];
  /** The visitor's words, masked (ID numbers, phones). */
  comment: string;
  ratedAt: number;
  /** Last day to close it (working days on the hall calendar). */
  dueDate: string;
  status: FollowupStatus;
  /** Open past its due date. */
  overdue: boolean;
  closedAt?: number;
  closedBy?: string;
  closedByName?: string;
  action?: string;
}

/** Working days a 差评 follow-up may stay open (the rating day does not count). */
export const FOLLOWUP_WORKING_DAYS = 3;

const DAY_MS = 86_400_000;
const toUtc = (d: string) => Date.parse(`${d}T00:00:00Z`);
const fromUtc = (ms: number) => new Date(ms).toISOString().slice(0, 10);

/** First and last local date of the period containing `date`. */
export function periodRange(kind: PeriodKind, date: string): { from: string; to: string } {
  const [y, m] = date.split("-").map(Number) as [number, number, number];
  switch (kind) {
    case "day":
      return { from: date, to: date };
    case "week": {
      const t = toUtc(date);
      const monday = t - ((new Date(t).getUTCDay() + 6) % 7) * DAY_MS;
      return { from: fromUtc(monday), to: fromUtc(monday + 6 * DAY_MS) };
    }
    case "month":
      return { from: fromUtc(Date.UTC(y, m - 1, 1)), to: fromUtc(Date.UTC(y, m, 0)) };
    case "year":
      return { from: `${y}-01-01`, to: `${y}-12-31` };
    default: {
      const never: never = kind;
      throw new Error(`unknown period ${String(never)}`);
    }
  }
}

/** Every local date from `from` to `to`, inclusive. */
export function daysBetween(from: string, to: string): string[] {
  const out: string[] = [];
  for (let t = toUtc(from); t <= toUtc(to); t += DAY_MS) out.push(fromUtc(t));
  return out;
}

/**
 * The p90 as the reports define it (nearest rank): the smallest value with at least 90 %
 * of the values at or below it. The SQL (store.ts) computes the same on both engines; this
 * is its reference.
 */
export function p90(values: readonly number[]): number | null {
  if (!values.length) return null;
  const s = [...values].sort((a, b) => a - b);
  return s[Math.ceil((s.length * 9) / 10) - 1] as number;
}
