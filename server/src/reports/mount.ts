/**
 * Builds the reports module for the composition root: its store on the case database (the
 * case module's migrations 10 and 11 created its tables), live 差评 follow-ups from the
 * hall's journalled events, the closed day filled at midnight, and the days not filled yet
 * filled in the background from start (`ready`).
 */
import { join } from "node:path";
import type { AuditLog } from "../audit/service.ts";
import type { CaseStore } from "../cases/store.ts";
import type { Catalogue } from "../contract/catalogue.ts";
import type { HallService } from "../hall/service.ts";
import type { StaffDirectory } from "../hall/staff.ts";
import { P90Cancelled, P90Runner } from "./p90-runner.ts";
import { ReportService } from "./service.ts";
import { ReportStore } from "./store.ts";

export interface ReportModule {
  service: ReportService;
  /** Settles when the days not filled at start are (a failure is logged, not thrown). */
  ready: Promise<void>;
  /** SQLite's ranking worker's progress (see p90-runner.ts PROGRESS); absent on PostgreSQL. */
  ranking?: Int32Array;
  close(): Promise<void>;
}

export function mountReports(o: {
  cases: CaseStore;
  hall: HallService;
  staff: StaffDirectory;
  audit: AuditLog;
  dataDir: string;
  catalogue: () => Catalogue;
  clock: () => number;
  log: (line: string) => void;
}): ReportModule {
  // SQLite ranks in a worker thread on its own connection to cases.db (the case store's
  // file in the data folder); PostgreSQL ranks on its server while the loop awaits.
  const ranker = o.cases.engine === "sqlite" ? new P90Runner(join(o.dataDir, "cases.db")) : undefined;
  const service = new ReportService({
    store: new ReportStore(o.cases.db, o.cases.engine, ranker),
    dataDir: o.dataDir,
    catalogue: o.catalogue,
    clock: o.clock,
    ticket: (id) => o.hall.ticket(id),
    staffName: (id) => o.staff.byId(id)?.name,
    audit: o.audit,
    log: o.log,
  });
  const failed = (what: string) => (err: unknown) => {
    // A ranking cancelled by close() is the hub stopping, not a failure: its periods' days stay
    // marked (report_days.p90_pending), their reports say the p90s are pending, and the next
    // fill (fillMissing at the next start at the latest) ranks them first.
    if (!(err instanceof P90Cancelled)) o.log(`reports: ${what} failed: ${(err as Error).message}`);
  };
  let pending: Promise<unknown> = Promise.resolve();
  const track = (p: Promise<unknown>) => {
    pending = Promise.all([pending, p.catch(() => {})]);
  };
  const key = {};
  o.hall.bus.on(key, "hall.events", (events) => track(service.onEvents(events).catch(failed("a follow-up"))));
  o.hall.bus.on(key, "hall.day", (_day, closed) => {
    // The day that closed (not always the day before the new one: the clock can move on by
    // days); any older gap is filled after it.
    track(
      service
        .fillWhenClosed(closed)
        .then(() => service.fillMissing())
        .catch(failed(`filling ${closed}`)),
    );
  });
  const ready = service.fillMissing().then(() => undefined, failed("filling closed days"));
  track(ready);
  return {
    service,
    ready,
    ...(ranker ? { ranking: ranker.progress } : {}),
    async close() {
      o.hall.bus.off(key);
      // A fill still waiting for its day's summary stops waiting (the next start fills it);
      // the running ranking is cancelled (it writes nothing), the queued ones refused; the
      // fills around them settle, then the worker's connection is closed.
      service.stop();
      await Promise.all([ranker?.close(), pending]);
    },
  };
}
