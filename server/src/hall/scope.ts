import type { HallState } from "../core/index.ts";
import { HallError } from "./errors.ts";
import type { StaffRecord } from "../store/config.ts";
import type { HallService } from "./service.ts";
import { canTakeOver } from "./staff.ts";

/**
 * What a clerk's role and work profile let them see and call (issue 7 item 14).
 * Supervisors and admins oversee the whole hall; a clerk works at one counter.
 */

/** A clerk sees the counter they hold now or are assigned to; supervisors and admins any. */
export function canViewCounter(staff: StaffRecord, counterId: string, hall: HallService): boolean {
  if (canTakeOver(staff.role)) return true;
  return staff.counterId === counterId || hall.counterState(counterId)?.staffId === staff.id;
}

/**
 * A clerk may call back a parked or missed ticket only where it belongs: parked at this
 * counter, of a queue this counter serves, or parked at a counter sharing a queue with this
 * one. Waiting tickets are checked by the engine (QUEUE_NOT_SERVED); supervisors are not limited.
 */
export function checkCallBack(staff: StaffRecord, counterId: string, ticketId: string, state: HallState): void {
  if (canTakeOver(staff.role)) return;
  const t = state.tickets.get(ticketId);
  if (!t || (t.status !== "parked" && t.status !== "no_show")) return;
  if (t.counterId === counterId) return;
  const mine = state.index.counters.get(counterId)?.profile.queueIds ?? [];
  if (mine.includes(t.queueId)) return;
  const theirs = t.counterId ? (state.index.counters.get(t.counterId)?.profile.queueIds ?? []) : [];
  if (theirs.some((q) => mine.includes(q))) return;
  throw new HallError("QUEUE_NOT_SERVED", `counter ${counterId} does not serve ticket ${t.number}`);
}
