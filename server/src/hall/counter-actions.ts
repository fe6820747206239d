import type { PriorityClass } from "../contract/catalogue.ts";
import type { CounterView, HandBackRequest } from "../contract/events.ts";
import type { CounterCommand } from "../contract/requests.ts";
import type { CounterState, Outcome, Ticket } from "../contract/tickets.ts";
import type { Command } from "../core/index.ts";
import { HallError } from "./errors.ts";
import type { StaffRecord } from "../store/config.ts";
import { Presence } from "./presence.ts";
import { checkCallBack } from "./scope.ts";
import type { HallService } from "./service.ts";
import { counterView } from "./snapshot.ts";
import { canTakeOver } from "./staff.ts";

/** A counter command (contract/requests.ts names every verb once), or the caller keypad's next key. */
export type CounterAction =
  | CounterCommand
  /** The caller keypad's next key: it has no finish key, so see `callNext.keypad` in the engine. */
  | { type: "keypad-next"; counterId: string };

export interface CounterActionResult {
  ticket: Ticket | null;
  counter: CounterState;
}

export interface CounterActionsOptions {
  clock?: () => number;
  log?: (line: string) => void;
}

/** Presses of call-next at one counter closer together than this are one press (a double click, F1 F1). */
export const CALL_REPEAT_MS = 1500;
export const DEFAULT_HOLDER_IDLE_SEC = 300;

interface LastCall {
  requestId: string | undefined;
  at: number;
  reply: Promise<CounterActionResult>;
}

/**
 * Counter commands as clerks give them — from the counter page (REST or socket) or a
 * caller keypad — checked against who may act where, then run by the engine.
 * A clerk acts only at the counter they signed in at; supervisors and admins anywhere,
 * after confirming a takeover.
 *
 * Takeover flow: a supervisor signs in at a held counter with `takeover: true` (the page
 * asks them to confirm first). The clerk it was taken from (or the counter's assigned clerk)
 * sees who holds it and may ask for it back (`hand-back-request`); the holder sees the
 * request and gives it back (`hand-back`), which signs the clerk in again, keeping the
 * current ticket. A holder whose browser closed is released after the hall's idle time.
 */
export class CounterActions {
  readonly presence = new Presence();
  private readonly clock: () => number;
  private readonly lastCall = new Map<string, LastCall>();
  private readonly handBacks = new Map<string, HandBackRequest>();
  /** counterId → the staff member a takeover displaced there. */
  private readonly displaced = new Map<string, string>();

  constructor(
    private readonly hall: HallService,
    private readonly opts: CounterActionsOptions = {},
  ) {
    this.clock = opts.clock ?? Date.now;
  }

  async run(staff: StaffRecord, a: CounterAction): Promise<CounterActionResult> {
    const now = this.clock();
    const state = this.hall.engineState();
    const rt = state.counters.get(a.counterId);
    if (!rt || !state.index.counters.has(a.counterId)) throw new HallError("UNKNOWN_COUNTER", `no counter ${a.counterId}`);
    this.presence.touched(staff.id, now);
    const privileged = canTakeOver(staff.role);
    const holder = rt.view.staffId;
    if (a.type === "hand-back-request") return this.requestHandBack(staff, a.counterId, now);
    let takeover = false;
    if (a.type === "sign-in") {
      if (holder && holder !== staff.id) {
        if (privileged && a.takeover) takeover = true;
        else if (this.isOwn(staff, a.counterId) && this.holderAway(a.counterId, now)) takeover = true;
        else
          throw new HallError(
            "COUNTER_TAKEN",
            privileged
              ? `counter ${a.counterId} is held by ${rt.view.staffName ?? holder}: confirm with takeover: true`
              : `counter ${a.counterId} is held by ${rt.view.staffName ?? holder}`,
          );
      }
    } else if (holder !== staff.id) {
      if (!holder) throw new HallError("COUNTER_CLOSED", `sign in at counter ${a.counterId} first`);
      if (!privileged) throw new HallError("FORBIDDEN", `counter ${a.counterId} is held by someone else`);
    }
    if (a.type === "call-next" || a.type === "keypad-next") return this.callOnce(staff, a, now);
    // Anything else done at the counter ends the double-press window of the last call.
    this.lastCall.delete(a.counterId);
    if (a.type === "hand-back") return this.handBack(a.counterId);
    const r = await this.exec(staff, a, takeover);
    if (a.type === "sign-in" || a.type === "sign-out") this.afterSignInOut(a.counterId, holder);
    return r;
  }

  /** The counter page's view of a counter, for `staff`: what they may do there now included. */
  view(staff: StaffRecord, counterId: string): CounterView | undefined {
    const state = this.hall.engineState();
    const now = this.clock();
    const held = state.counters.get(counterId)?.view.staffId;
    const v = counterView(state, counterId, now, held === staff.id || canTakeOver(staff.role));
    if (!v) return undefined;
    const hb = this.handBacks.get(counterId);
    return { ...v, ...(hb ? { handBack: { ...hb } } : {}), ...(this.holderAway(counterId, now) ? { holderAway: true } : {}) };
  }

  /**
   * Sign out holders whose browser has been gone for the hall's idle time (a counter with a
   * ticket at it stays held, but its own clerk may then sign in over them). Returns the
   * counters released. Called every few seconds by the composition root.
   */
  async releaseAway(): Promise<string[]> {
    const now = this.clock();
    const out: string[] = [];
    for (const [id, c] of this.hall.engineState().counters) {
      const s = c.view.staffId;
      if (!s || c.view.currentTicketId || !this.holderAway(id, now)) continue;
      const r = await this.hall.run({ type: "signOut", counterId: id, staffId: s });
      if (!r.ok) continue;
      this.afterSignInOut(id, s);
      this.opts.log?.(`counter ${id}: released (holder's page closed for ${this.idleSec()} s)`);
      out.push(id);
    }
    return out;
  }

  private idleSec(): number {
    return this.hall.catalogue().hall.holderIdleSec ?? DEFAULT_HOLDER_IDLE_SEC;
  }

  private holderAway(counterId: string, now: number): boolean {
    const s = this.hall.counterState(counterId)?.staffId;
    return !!s && this.presence.away(s, now, this.idleSec() * 1000);
  }

  /** The counter's own clerk: assigned to it, or the one a takeover displaced there. */
  private isOwn(staff: StaffRecord, counterId: string): boolean {
    return staff.counterId === counterId || this.displaced.get(counterId) === staff.id;
  }

  private afterSignInOut(counterId: string, before: string | undefined): void {
    const after = this.hall.counterState(counterId)?.staffId;
    this.lastCall.delete(counterId);
    if (after !== before) this.handBacks.delete(counterId);
    if (after && before && after !== before) {
      if (this.displaced.get(counterId) === after) this.displaced.delete(counterId);
      else this.displaced.set(counterId, before);
    }
  }

  private requestHandBack(staff: StaffRecord, counterId: string, now: number): CounterActionResult {
    const rt = this.hall.engineState().counters.get(counterId);
    const holder = rt?.view.staffId;
    if (!rt || !holder) throw new HallError("COUNTER_CLOSED", `nobody holds counter ${counterId}: sign in`);
    if (holder === staff.id) throw new HallError("INVALID_TRANSITION", "you already hold this counter");
    if (!this.isOwn(staff, counterId)) throw new HallError("FORBIDDEN", `counter ${counterId} is not yours to ask for`);
    this.handBacks.set(counterId, { staffId: staff.id, staffName: staff.name, at: now });
    // No engine event: the bus tells the counter's pages to refetch their view.
    this.hall.bus.emit("counter.changed", counterId);
    return { ticket: null, counter: { ...rt.view } };
  }

  private async handBack(counterId: string): Promise<CounterActionResult> {
    const req = this.handBacks.get(counterId);
    if (!req) throw new HallError("INVALID_TRANSITION", "nobody asked for this counter back");
    const before = this.hall.counterState(counterId)?.staffId;
    // Signing the clerk in over the holder keeps the counter's ticket: only the person changes.
    const r = await this.hall.run({ type: "signIn", counterId, staffId: req.staffId, staffName: req.staffName, takeover: true });
    if (!r.ok) throw new HallError(r.error, r.message);
    this.afterSignInOut(counterId, before);
    const after = this.hall.engineState().counters.get(counterId);
    return {
      ticket: null,
      counter: { ...(after?.view ?? { id: counterId, status: "closed", ratingRequested: false, servedToday: 0 }) },
    };
  }

  /**
   * call-next made idempotent: a repeat of the same request id, or any press at the same
   * counter within {@link CALL_REPEAT_MS}, gets the first press's reply instead of a second
   * call. The entry is set before the first await so concurrent presses see it.
   */
  private async callOnce(
    staff: StaffRecord,
    a: Extract<CounterAction, { type: "call-next" | "keypad-next" }>,
    now: number,
  ): Promise<CounterActionResult> {
    const requestId = a.type === "call-next" ? a.requestId : undefined;
    const prev = this.lastCall.get(a.counterId);
    const sameRequest = requestId !== undefined && prev?.requestId === requestId;
    if (prev && (sameRequest || now - prev.at < CALL_REPEAT_MS)) {
      try {
        const r = await prev.reply;
        // A second press is the same call only while that call still stands: once its ticket
        // left the counter (cancelled by the visitor, transferred, finished elsewhere) the
        // press is a new one, or the clerk would be shown a ticket that is gone.
        if (sameRequest || this.hall.counterState(a.counterId)?.currentTicketId === r.ticket?.id) return r;
      } catch {
        // the first press was refused: this one is decided on its own
      }
    }
    const entry: LastCall = { requestId, at: now, reply: this.exec(staff, a, false) };
    this.lastCall.set(a.counterId, entry);
    try {
      const r = await entry.reply;
      // Nobody was waiting: nothing to repeat, and someone may arrive a moment later.
      if (!r.ticket && this.lastCall.get(a.counterId) === entry) this.lastCall.delete(a.counterId);
      return r;
    } catch (e) {
      if (this.lastCall.get(a.counterId) === entry) this.lastCall.delete(a.counterId);
      throw e;
    }
  }

  private async exec(staff: StaffRecord, a: CounterAction, takeover: boolean): Promise<CounterActionResult> {
    const rt = this.hall.engineState().counters.get(a.counterId);
    if (a.type === "call") checkCallBack(staff, a.counterId, a.ticketId, this.hall.engineState());
    const cmd = this.toCommand(staff, a, takeover);
    const before = rt?.view.currentTicketId;
    const r = await this.hall.run(cmd);
    if (!r.ok) throw new HallError(r.error, r.message);
    const after = this.hall.engineState().counters.get(a.counterId);
    // The ticket the action was about: the one called, or the one that was current.
    let ticketId: string | undefined;
    switch (a.type) {
      case "call-next":
      case "keypad-next":
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
    const ticket = ticketId ? this.hall.ticket(ticketId) : undefined;
    return {
      ticket: ticket ? { ...ticket, notes: [...ticket.notes] } : null,
      counter: { ...(after?.view ?? rt?.view ?? { id: a.counterId, status: "closed", ratingRequested: false, servedToday: 0 }) },
    };
  }

  private toCommand(staff: StaffRecord, a: CounterAction, takeover: boolean): Command {
    const base = { counterId: a.counterId, staffId: staff.id };
    switch (a.type) {
      case "sign-in":
        return { type: "signIn", ...base, staffName: staff.name, takeover };
      case "sign-out":
        return { type: "signOut", ...base };
      case "call-next":
        return { type: "callNext", ...base };
      case "keypad-next":
        return { type: "callNext", ...base, keypad: true };
      case "recall":
        return { type: "recall", ...base };
      case "start":
        return { type: "start", ...base };
      case "finish":
        return {
          type: "finish",
          ...base,
          outcome: a.outcome ?? ("completed" as Outcome),
          ...(a.missing?.length ? { missing: a.missing } : {}),
        };
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
      case "hand-back-request":
      case "hand-back":
        throw new HallError("VALIDATION_FAILED", `${a.type} is not an engine command`);
      default: {
        const never: never = a;
        throw new HallError("VALIDATION_FAILED", `unknown action ${(never as { type: string }).type}`);
      }
    }
  }
}
