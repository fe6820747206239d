/**
 * Builds the audit log for the composition root: its store on the case database (the case
 * module's migrations created its table) and the hook around the counter actions.
 */
import type { CaseStore } from "../cases/store.ts";
import type { CounterActions } from "../hall/counter-actions.ts";
import type { HallService } from "../hall/service.ts";
import { auditCounterActions } from "./hooks.ts";
import { AuditLog } from "./service.ts";
import { AuditStore } from "./store.ts";

export interface AuditModule {
  log: AuditLog;
  close(): Promise<void>;
}

export function mountAudit(o: {
  cases: CaseStore;
  clock: () => number;
  actions: CounterActions;
  hall: HallService;
}): AuditModule {
  const log = new AuditLog(new AuditStore(o.cases.db, o.cases.engine), o.clock);
  auditCounterActions(o.actions, log, (counterId) => {
    const c = o.hall.counterState(counterId);
    return { ...(c?.staffId ? { id: c.staffId } : {}), ...(c?.staffName ? { name: c.staffName } : {}) };
  });
  return {
    log,
    // The database closes after us: rows being written land first.
    close: () => log.drain(),
  };
}
