import type { PriorityClass } from "../contract/catalogue.ts";
import type { CounterSocketCommand } from "../contract/events.ts";
import type { CounterState, Outcome, Ticket } from "../contract/tickets.ts";
import type { Command } from "../core/index.ts";
import { ApiError } from "../http/errors.ts";
import type { StaffRecord } from "../store/config.ts";
import { checkCallBack } from "./scope.ts";
import type { HallService } from "./service.ts";
import { canTakeOver } from "./staff.ts";

export type CounterAction =
  | CounterSocketCommand
  | { type: "sign-in"; counterId: string }
  | { type: "sign-out"; counterId: string };

export interface CounterActionResult {
  ticket: Ticket | null;
  counter: CounterState;
}

/**
 * Counter commands as clerks give them — from the counter page (REST or socket) or a
 * caller keypad — checked against who may act where, then run by the engine.
 * A clerk acts only at the counter they signed in at; supervisors and admins anywhere.
 */
export class CounterActions {
  constructor(private readonly hall: HallService) {}

  async run(staff: StaffRecord, a: CounterAction): Promise<CounterActionResult> {
    const state = this.hall.state;
    const rt = state.counters.get(a.counterId);
    if (!rt || !state.index.counters.has(a.counterId)) throw new ApiError("UNKNOWN_COUNTER", `no counter ${a.counterId}`);
    const privileged = canTakeOver(staff.role);
    if (a.type !== "sign-in" && rt.view.staffId !== staff.id) {
      if (!rt.view.staffId) throw new ApiError("COUNTER_CLOSED", `sign in at counter ${a.counterId} first`);
      if (!privileged) throw new ApiError("FORBIDDEN", `counter ${a.counterId} is held by someone else`);
    }
    if (a.type === "call") checkCallBack(staff, a.counterId, a.ticketId, state);
    const cmd = this.toCommand(staff, a, privileged);
    const before = rt.view.currentTicketId;
    const r = await this.hall.run(cmd);
    if (!r.ok) throw new ApiError(r.error, r.message);
    const after = this.hall.state.counters.get(a.counterId);
    // The ticket the action was about: the one called, or the one that was current.
    let ticketId: string | undefined;
    switch (a.type) {
      case "call-next":
      case "call":
        ticketId = r.events.find((e) => e.type === "ticket.called")?.ticketId;
        break;
      case "recall":
      case "start":
      case "finish":
      case "no-show":
      case "park":
      case "transfer":
        ticketId = before;
        break;
      default:
        ticketId = undefined;
    }
    const ticket = ticketId ? this.hall.state.tickets.get(ticketId) : undefined;
    return { ticket: ticket ? { ...ticket, notes: [...ticket.notes] } : null, counter: { ...(after?.view ?? rt.view) } };
  }

  private toCommand(staff: StaffRecord, a: CounterAction, privileged: boolean): Command {
    const base = { counterId: a.counterId, staffId: staff.id };
    switch (a.type) {
      case "sign-in":
        return { type: "signIn", ...base, staffName: staff.name, takeover: privileged };
      case "sign-out":
        return { type: "signOut", ...base };
      case "call-next":
        return { type: "callNext", ...base };
      case "recall":
        return { type: "recall", ...base };
      case "start":
        return { type: "start", ...base };
      case "finish":
        return { type: "finish", ...base, outcome: a.outcome ?? ("completed" as Outcome) };
      case "no-show":
        return { type: "noShow", ...base };
      case "park":
        return { type: "park", ...base, ...(a.note ? { note: a.note } : {}) };
      case "call":
        return { type: "callTicket", ...base, ticketId: a.ticketId, ...(a.reason ? { reason: a.reason } : {}) };
      case "pause":
        return { type: "pause", ...base, reason: a.reason };
      case "resume":
        return { type: "resume", ...base };
      case "request-rating":
        return { type: "requestRating", ...base };
      case "transfer":
        return {
          type: "transfer",
          ...base,
          ...(a.toQueueId ? { toQueueId: a.toQueueId } : {}),
          ...(a.toCounterId ? { toCounterId: a.toCounterId } : {}),
          ...(a.note ? { note: a.note } : {}),
          ...(a.priority ? { priority: a.priority as PriorityClass } : {}),
        };
      default: {
        const never: never = a;
        throw new ApiError("VALIDATION_FAILED", `unknown action ${(never as { type: string }).type}`);
      }
    }
  }
}
