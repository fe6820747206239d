/**
 * The counter actions the audit log keeps — sign-in and sign-out, takeovers, hand-backs,
 * calls out of order with their reason — recorded where every counter command passes (the
 * counter page's REST and socket, a caller keypad): around `CounterActions.run`, the way
 * metrics/ times it. The row is committed before `run` resolves, so the clerk's page (or
 * the keypad) is never told "done" for an action the log does not hold. Routine verbs
 * (call-next, finish, no-show …) are the journal's, not the audit log's.
 */
import type { CounterAction, CounterActionResult } from "../hall/counter-actions.ts";
import type { StaffRecord } from "../store/config.ts";
import { maskText } from "./mask.ts";
import type { AuditLog, AuditRecord } from "./service.ts";

export function auditCounterActions(
  target: { run(staff: StaffRecord, action: CounterAction): Promise<CounterActionResult> },
  audit: AuditLog,
  holder: (counterId: string) => { id?: string; name?: string },
): void {
  const run = target.run.bind(target);
  target.run = async (staff, action) => {
    const before = holder(action.counterId);
    const r = await run(staff, action);
    const rec = counterRecord(staff, action, before, r);
    if (rec) await audit.record(rec);
    return r;
  };
}

function counterRecord(
  staff: StaffRecord,
  a: CounterAction,
  before: { id?: string; name?: string },
  r: CounterActionResult,
): AuditRecord | undefined {
  const actor = { id: staff.id, name: staff.name, role: staff.role };
  const target = a.counterId;
  switch (a.type) {
    case "sign-in":
      return before.id && before.id !== staff.id
        ? { actor, action: "counter.takeover", target, detail: { from: before.name ?? before.id, fromId: before.id } }
        : { actor, action: "counter.sign-in", target };
    case "sign-out":
      return { actor, action: "counter.sign-out", target };
    case "hand-back":
      return { actor, action: "counter.hand-back", target, detail: { to: r.counter.staffName ?? r.counter.staffId ?? "" } };
    case "call":
      return {
        actor,
        action: "counter.call-out-of-order",
        target,
        detail: { ticket: r.ticket?.number ?? a.ticketId, ...(a.reason ? { reason: maskText(a.reason) } : {}) },
      };
    default:
      return undefined;
  }
}
