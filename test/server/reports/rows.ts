/**
 * What the store-level report tests share: a history row laid out the same way for every
 * test (the i-th ticket of a day over 3 series, 5 matters, 2 departments, 4 counters and
 * clerks), and a report service on a store alone (the demo hall's catalogue, a fixed clock,
 * no live tickets or staff names, no audit, a silent log).
 */
import Database from "better-sqlite3";
import type { HistoryRow } from "../../../server/src/reports/fold.ts";
import { ReportService } from "../../../server/src/reports/service.ts";
import type { ReportStore } from "../../../server/src/reports/store.ts";
import { demoCatalogue } from "../../../server/src/seed/demo-hall.ts";

/** The series the rows spread over: the i-th ticket is in SERIES[i % 3]. */
export const SERIES = ["q-a", "q-b", "q-c"];

/** The i-th ticket of a day: issued a second after the one before it from 09:00 Shanghai. */
export function historyRow(
  day: string,
  i: number,
  o: { outcome: HistoryRow["outcome"]; wait: number | null; service: number | null; hour: number; rating: number | null },
): HistoryRow {
  const issued = Date.parse(`${day}T01:00:00Z`) + i * 1000;
  return {
    day,
    ticket_id: `${day}-t${i}`,
    number: `A${String(i + 1).padStart(3, "0")}`,
    hour: o.hour,
    series: SERIES[i % 3] as string,
    matter: `m-00${i % 5}`,
    department: i % 2 ? "d-1" : "d-2",
    counter: `c0${1 + (i % 4)}`,
    clerk: `s-${1 + (i % 4)}`,
    clerk_name: `clerk ${1 + (i % 4)}`,
    issued_at: issued,
    called_at: o.wait === null ? null : issued + o.wait * 1000,
    started_at: null,
    finished_at: o.service === null || o.wait === null ? null : issued + (o.wait + o.service) * 1000,
    outcome: o.outcome,
    wait_s: o.wait,
    service_s: o.service,
    rating: o.rating,
    reasons: o.rating !== null && o.rating <= 2 ? "slow" : null,
    comment: null,
    rated_at: null,
  };
}

export function serviceOf(store: ReportStore, dataDir: string, now: string): ReportService {
  return new ReportService({
    store,
    dataDir,
    catalogue: demoCatalogue,
    clock: () => Date.parse(now),
    ticket: () => undefined,
    staffName: () => undefined,
    log: () => {},
  });
}

/** Nothing holds the SQLite database locked: a fresh connection that will not wait takes the write lock (throws otherwise). */
export function expectUnlocked(file: string): void {
  const probe = new Database(file);
  try {
    probe.pragma("busy_timeout = 0");
    probe.exec("begin immediate");
    probe.exec("commit");
  } finally {
    probe.close();
  }
}
