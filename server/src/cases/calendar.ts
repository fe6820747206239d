/**
 * Working days (工作日) for due dates: pure date arithmetic over "YYYY-MM-DD" local dates,
 * given a `WorkCalendar` that says whether a date is a working day. The engine gets the
 * calendar injected, so it stays pure and tests can use any calendar.
 */
import type { LocalDate } from "../contract/cases.ts";

export interface WorkCalendar {
  isWorkday(date: LocalDate): boolean;
}

const DAY_MS = 86_400_000;

function toUtc(date: LocalDate): number {
  const [y, m, d] = date.split("-").map(Number) as [number, number, number];
  return Date.UTC(y, m - 1, d);
}

function fromUtc(ms: number): LocalDate {
  return new Date(ms).toISOString().slice(0, 10);
}

export function nextDay(date: LocalDate, days = 1): LocalDate {
  return fromUtc(toUtc(date) + days * DAY_MS);
}

/** Saturday and Sunday off, nothing else: the calendar of a year without published holidays. */
export const WEEKENDS_ONLY: WorkCalendar = {
  isWorkday: (date) => {
    const wd = new Date(toUtc(date)).getUTCDay();
    return wd !== 0 && wd !== 6;
  },
};

/**
 * The `n`th working day after `from` (the day of acceptance does not count, as 承诺时限
 * are reckoned); `n = 0` is `from` itself (即办件, done the same day).
 */
export function addWorkingDays(cal: WorkCalendar, from: LocalDate, n: number): LocalDate {
  let d = from;
  let left = n;
  // A year has ~250 working days; a guard keeps a calendar that never works from hanging us.
  for (let guard = 0; left > 0 && guard < 20_000; guard++) {
    d = nextDay(d);
    if (cal.isWorkday(d)) left--;
  }
  return d;
}

/** Working days in (from, to]: how long a clock stopped on `from` stayed stopped by `to`. */
export function workingDaysBetween(cal: WorkCalendar, from: LocalDate, to: LocalDate): number {
  let n = 0;
  for (let d = nextDay(from), guard = 0; d <= to && guard < 20_000; d = nextDay(d), guard++) if (cal.isWorkday(d)) n++;
  return n;
}

/** A calendar with a hall's overrides on top (a date → working day or not). */
export function withOverrides(base: WorkCalendar, overrides: readonly { date: string; workday: boolean }[] = []): WorkCalendar {
  if (overrides.length === 0) return base;
  const map = new Map(overrides.map((o) => [o.date, o.workday]));
  return { isWorkday: (date) => map.get(date) ?? base.isWorkday(date) };
}
