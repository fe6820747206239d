/**
 * Builds the reports module for the composition root: its store on the case database (the
 * case module's migrations 10 and 11 created its tables), live 差评 follow-ups from the
 * hall's journalled events, the closed day filled at midnight, and the days not filled yet
 * filled in the background from start (`ready`).
 */
import type { AuditLog } from "../audit/service.ts";
import type { CaseStore } from "../cases/store.ts";
import type { Catalogue } from "../contract/catalogue.ts";
import type { HallService } from "../hall/service.ts";
import type { StaffDirectory } from "../hall/staff.ts";
import { ReportService } from "./service.ts";
import { ReportStore } from "./store.ts";

export interface ReportModule {
  service: ReportService;
  /** Settles when the days not filled at start are (a failure is logged, not thrown). */
  ready: Promise<void>;
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
  const service = new ReportService({
    store: new ReportStore(o.cases.db, o.cases.engine),
    dataDir: o.dataDir,
    catalogue: o.catalogue,
    clock: o.clock,
    ticket: (id) => o.hall.ticket(id),
    staffName: (id) => o.staff.byId(id)?.name,
    audit: o.audit,
    log: o.log,
  });
  const failed = (what: string) => (err: unknown) => o.log(`reports: ${what} failed: ${(err as Error).message}`);
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
    async close() {
      o.hall.bus.off(key);
      // A fill still waiting for its day's summary stops waiting (the next start fills it).
      service.stop();
      await pending;
    },
  };
}
