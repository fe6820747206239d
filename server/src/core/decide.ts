import { PRIORITY_CLASSES, type PriorityClass, type WorkProfile } from "../contract/catalogue.ts";
import type { ErrorCode } from "../contract/errors.ts";
import type { Instant, Ticket } from "../contract/tickets.ts";
import { applyAll } from "./apply.ts";
import type { Command, HallEvent } from "./model.ts";
import { APPOINTMENT_EARLY_MS, type CounterRuntime, type HallState, type Lines } from "./state.ts";
import { localParts, withinWindows } from "./time.ts";
import { position, estimatedWaitSec } from "./views.ts";

export type Decision = { state: HallState; events: HallEvent[] } | { error: ErrorCode; message: string };

type Rejection = { error: ErrorCode; message: string };
const reject = (error: ErrorCode, message: string): Rejection => ({ error, message });

export { APPOINTMENT_EARLY_MS } from "./state.ts";

/**
 * The engine: validate a command against the state and say what happens. Reads the state
 * only; on success the events are folded into it with `apply` (the same code replay runs).
 */
export function decide(state: HallState, cmd: Command, now: Instant): Decision {
  const r = events(state, cmd, now);
  if ("error" in r) return r;
  return { state: applyAll(state, r), events: r };
}

/** Just the events (or the rejection) — for callers that fold them themselves. */
export function events(state: HallState, cmd: Command, now: Instant): HallEvent[] | Rejection {
  switch (cmd.type) {
    case "issue":
      return issue(state, cmd, now);
    case "signIn": {
      const c = state.counters.get(cmd.counterId);
      if (!c || !state.index.counters.has(cmd.counterId)) return reject("UNKNOWN_COUNTER", `no counter ${cmd.counterId}`);
      if (c.view.staffId === cmd.staffId) return [];
      if (c.view.staffId && !cmd.takeover) return reject("COUNTER_TAKEN", `counter ${cmd.counterId} is held by someone else`);
      const out: HallEvent[] = [];
      // One person, one counter: signing in elsewhere signs out of the old one.
      for (const [id, other] of state.counters) {
        if (other.view.staffId === cmd.staffId && id !== cmd.counterId) {
          if (other.view.currentTicketId) return reject("INVALID_TRANSITION", `finish the ticket at counter ${id} first`);
          out.push({ type: "counter.signed_out", at: now, counterId: id, staffId: cmd.staffId });
        }
      }
      // A takeover keeps the counter's ticket and state: only the person changes.
      out.push({ type: "counter.signed_in", at: now, counterId: cmd.counterId, staffId: cmd.staffId, staffName: cmd.staffName });
      return out;
    }
    case "signOut": {
      const c = openCounter(state, cmd.counterId, false);
      if ("error" in c) return c;
      if (c.view.currentTicketId) return reject("INVALID_TRANSITION", "finish the current ticket before signing out");
      return [{ type: "counter.signed_out", at: now, counterId: cmd.counterId, staffId: cmd.staffId }];
    }
    case "callNext": {
      const c = openCounter(state, cmd.counterId, true);
      if ("error" in c) return c;
      const held = calledHere(state, c);
      let out: HallEvent[];
      if (held) {
        // A called visitor may still be walking up: finishing them as "completed" would skip
        // them (their phone says 已办结). A page must decide (start, no-show, park); a
        // keypad's next key records a no-show, but only once the grace time has passed.
        const waitedMs = now - (held.calledAt ?? now);
        const graceMs = noShowGraceSec(state) * 1000;
        if (!cmd.keypad) return reject("TICKET_ALREADY_CALLED", `ticket ${held.number} is called and not started yet`);
        if (waitedMs < graceMs)
          return reject(
            "TICKET_ALREADY_CALLED",
            `ticket ${held.number} was called ${Math.floor(waitedMs / 1000)} s ago; a no-show needs ${noShowGraceSec(state)} s`,
          );
        out = [{ type: "ticket.no_show", at: now, ticketId: held.id, counterId: cmd.counterId, staffId: cmd.staffId }];
      } else out = closeCurrent(state, c, cmd.staffId, now);
      const profile = state.index.counters.get(cmd.counterId)?.profile as WorkProfile;
      const pick = pickNext(state, cmd.counterId, profile, c.credits, now);
      if (!pick) return out.length ? out : [];
      out.push({
        type: "ticket.called",
        at: now,
        ticketId: pick.ticket.id,
        counterId: cmd.counterId,
        staffId: cmd.staffId,
        mode: "next",
        credits: pick.credits,
      });
      return out;
    }
    case "callTicket": {
      const c = openCounter(state, cmd.counterId, true);
      if ("error" in c) return c;
      const t = state.tickets.get(cmd.ticketId);
      if (!t) return reject("UNKNOWN_TICKET", `no ticket ${cmd.ticketId} today`);
      if (t.id === c.view.currentTicketId) return reject("TICKET_NOT_CALLABLE", "already the current ticket; use recall");
      const held = calledHere(state, c);
      if (held) return reject("TICKET_ALREADY_CALLED", `ticket ${held.number} is called and not started yet`);
      let mode: "specific" | "callback";
      if (t.status === "waiting") {
        const served = state.index.counters.get(cmd.counterId)?.profile.queueIds.includes(t.queueId);
        if (t.targetCounterId ? t.targetCounterId !== cmd.counterId : !served)
          return reject("QUEUE_NOT_SERVED", `counter ${cmd.counterId} does not serve ticket ${t.number}`);
        mode = "specific";
      } else if (t.status === "parked") {
        mode = "callback";
      } else if (t.status === "no_show") {
        if (now - (t.noShowAt ?? 0) > state.catalogue.hall.noShowReactivateMin * 60_000)
          return reject("REACTIVATION_EXPIRED", `ticket ${t.number} missed its call too long ago`);
        mode = "callback";
      } else {
        return reject("TICKET_NOT_CALLABLE", `ticket ${t.number} is ${t.status}`);
      }
      const out = closeCurrent(state, c, cmd.staffId, now);
      out.push({
        type: "ticket.called",
        at: now,
        ticketId: t.id,
        counterId: cmd.counterId,
        staffId: cmd.staffId,
        mode,
        ...(cmd.reason ? { reason: cmd.reason } : {}),
      });
      return out;
    }
    case "recall": {
      const cur = current(state, cmd.counterId, ["called"]);
      if ("error" in cur) return cur;
      return [
        {
          type: "ticket.recalled",
          at: now,
          ticketId: cur.id,
          counterId: cmd.counterId,
          staffId: cmd.staffId,
          recall: cur.recalls + 1,
        },
      ];
    }
    case "start": {
      const cur = current(state, cmd.counterId, ["called"]);
      if ("error" in cur) return cur;
      return [{ type: "ticket.started", at: now, ticketId: cur.id, counterId: cmd.counterId, staffId: cmd.staffId }];
    }
    case "finish": {
      const cur = current(state, cmd.counterId, ["called", "serving"]);
      if ("error" in cur) return cur;
      // A completed case lacks nothing: missing items belong to 不予受理 / 容缺受理 / 转办.
      if (cmd.missing?.length && cmd.outcome === "completed")
        return reject("VALIDATION_FAILED", "missing materials go with a refused, incomplete or referred outcome");
      return [
        {
          type: "ticket.finished",
          at: now,
          ticketId: cur.id,
          counterId: cmd.counterId,
          staffId: cmd.staffId,
          outcome: cmd.outcome,
          ...(cmd.missing?.length ? { missing: [...cmd.missing] } : {}),
        },
      ];
    }
    case "noShow": {
      const cur = current(state, cmd.counterId, ["called"]);
      if ("error" in cur) return cur;
      return [{ type: "ticket.no_show", at: now, ticketId: cur.id, counterId: cmd.counterId, staffId: cmd.staffId }];
    }
    case "transfer": {
      const cur = current(state, cmd.counterId, ["called", "serving"]);
      if ("error" in cur) return cur;
      if (!cmd.toQueueId && !cmd.toCounterId) return reject("VALIDATION_FAILED", "give toQueueId or toCounterId");
      if (cmd.toQueueId && !state.index.queues.has(cmd.toQueueId)) return reject("UNKNOWN_QUEUE", `no queue ${cmd.toQueueId}`);
      if (cmd.toCounterId && !state.index.counters.has(cmd.toCounterId))
        return reject("UNKNOWN_COUNTER", `no counter ${cmd.toCounterId}`);
      if (cmd.toCounterId === cmd.counterId) return reject("VALIDATION_FAILED", "cannot transfer to the same counter");
      const priority = cmd.priority && rank(cmd.priority) < rank(cur.priority) ? cmd.priority : cur.priority;
      return [
        {
          type: "ticket.transferred",
          at: now,
          ticketId: cur.id,
          counterId: cmd.counterId,
          staffId: cmd.staffId,
          toQueueId: cmd.toQueueId ?? cur.queueId,
          ...(cmd.toCounterId ? { toCounterId: cmd.toCounterId } : {}),
          ...(cmd.note ? { note: cmd.note } : {}),
          priority,
        },
      ];
    }
    case "park": {
      const cur = current(state, cmd.counterId, ["called", "serving"]);
      if ("error" in cur) return cur;
      return [
        {
          type: "ticket.parked",
          at: now,
          ticketId: cur.id,
          counterId: cmd.counterId,
          staffId: cmd.staffId,
          ...(cmd.note ? { note: cmd.note } : {}),
        },
      ];
    }
    case "pause": {
      const c = openCounter(state, cmd.counterId, false);
      if ("error" in c) return c;
      if (c.view.status === "paused") return reject("COUNTER_PAUSED", "already paused");
      if (c.view.currentTicketId) return reject("INVALID_TRANSITION", "finish the current ticket before pausing");
      return [{ type: "counter.paused", at: now, counterId: cmd.counterId, staffId: cmd.staffId, reason: cmd.reason }];
    }
    case "resume": {
      const c = openCounter(state, cmd.counterId, false);
      if ("error" in c) return c;
      if (c.view.status !== "paused") return reject("COUNTER_NOT_PAUSED", "the counter is not paused");
      return [{ type: "counter.resumed", at: now, counterId: cmd.counterId, staffId: cmd.staffId }];
    }
    case "requestRating": {
      const c = openCounter(state, cmd.counterId, false);
      if ("error" in c) return c;
      const target = ratingTarget(state, c);
      if (!target) return reject("NO_CURRENT_TICKET", "nobody has been served here yet");
      return [{ type: "counter.rating_requested", at: now, counterId: cmd.counterId, staffId: cmd.staffId }];
    }
    case "rate": {
      let t: Ticket | undefined;
      if (cmd.ticketId) {
        t = state.tickets.get(cmd.ticketId);
        if (!t) return reject("UNKNOWN_TICKET", `no ticket ${cmd.ticketId} today`);
        // The phone rates a service that happened: only once the ticket was finished (a
        // ticket being served is rated at the counter's own rating device).
        if (t.status !== "done") return reject("INVALID_TRANSITION", "rate after being served");
      } else if (cmd.counterId) {
        const c = state.counters.get(cmd.counterId);
        if (!c) return reject("UNKNOWN_COUNTER", `no counter ${cmd.counterId}`);
        const id = ratingTarget(state, c);
        t = id ? state.tickets.get(id) : undefined;
        if (!t) return reject("NO_CURRENT_TICKET", "nobody has been served here yet");
      } else return reject("VALIDATION_FAILED", "give ticketId or counterId");
      if (t.rating !== undefined) return reject("ALREADY_RATED", `ticket ${t.number} is already rated`);
      // The phone asks why for a 差评 (a rating device has no way to say it).
      if (cmd.ticketId && cmd.score <= 2 && !cmd.reasons?.length)
        return reject("VALIDATION_FAILED", "a rating of 1 or 2 needs a reason");
      if ((cmd.reasons?.length || cmd.comment) && cmd.score > 2)
        return reject("VALIDATION_FAILED", "reasons go with a rating of 1 or 2");
      return [
        {
          type: "ticket.rated",
          at: now,
          ticketId: t.id,
          ...(cmd.counterId || t.counterId ? { counterId: cmd.counterId ?? t.counterId } : {}),
          score: cmd.score,
          ...(cmd.reasons?.length ? { reasons: [...new Set(cmd.reasons)] } : {}),
          ...(cmd.comment ? { comment: cmd.comment } : {}),
        },
      ];
    }
    case "reactivate": {
      const t = state.tickets.get(cmd.ticketId);
      if (!t) return reject("UNKNOWN_TICKET", `no ticket ${cmd.ticketId} today`);
      if (t.status !== "no_show") return reject("INVALID_TRANSITION", `ticket ${t.number} is ${t.status}`);
      if (now - (t.noShowAt ?? 0) > state.catalogue.hall.noShowReactivateMin * 60_000)
        return reject("REACTIVATION_EXPIRED", `ticket ${t.number} missed its call too long ago`);
      return [{ type: "ticket.reactivated", at: now, ticketId: t.id, by: cmd.by }];
    }
    case "cancel": {
      const t = state.tickets.get(cmd.ticketId);
      if (!t) return reject("UNKNOWN_TICKET", `no ticket ${cmd.ticketId} today`);
      if (t.status !== "waiting" && t.status !== "parked" && t.status !== "no_show")
        return reject("INVALID_TRANSITION", `ticket ${t.number} is ${t.status}`);
      return [{ type: "ticket.cancelled", at: now, ticketId: t.id, by: cmd.by }];
    }
    default: {
      const never: never = cmd;
      return reject("VALIDATION_FAILED", `unknown command ${(never as { type: string }).type}`);
    }
  }
}

function issue(state: HallState, cmd: Extract<Command, { type: "issue" }>, now: Instant): HallEvent[] | Rejection {
  const matter = state.index.matters.get(cmd.matterId);
  if (!matter) return reject("UNKNOWN_MATTER", `no matter ${cmd.matterId}`);
  const queue = state.index.queues.get(matter.queueId);
  if (!queue) return reject("UNKNOWN_QUEUE", `matter ${matter.id} has no queue`);
  if (state.tickets.has(cmd.ticketId)) return reject("VALIDATION_FAILED", "ticket id already used");
  if (!withinWindows(localParts(now, state.catalogue.hall.timeZone), queue.hours))
    return reject("OUTSIDE_HOURS", `${queue.name} issues tickets only ${queue.hours.map((h) => `${h.from}-${h.to}`).join(", ")}`);
  const last = state.seq.get(queue.id) ?? 0;
  if (queue.dailyCap > 0 && last >= queue.dailyCap)
    return reject("DAILY_CAP_REACHED", `${queue.name}: today's ${queue.dailyCap} tickets are all taken`);
  if (cmd.idHash && state.idKeys.has(`${cmd.idHash}|${matter.id}`))
    return reject("DUPLICATE_ID_TICKET", "this ID card already has a ticket for this matter today");
  if (cmd.priority === "appointment" && cmd.appointmentAt === undefined)
    return reject("VALIDATION_FAILED", "an appointment ticket needs its slot time");
  if (cmd.bookingCode !== undefined && state.bookingsUsed.has(cmd.bookingCode))
    return reject("BOOKING_USED", "this booking has already been used");
  const seq = last + 1;
  const ticket: Ticket = {
    id: cmd.ticketId,
    number: `${queue.prefix}${String(seq).padStart(3, "0")}`,
    seq,
    day: state.day,
    queueId: queue.id,
    matterId: matter.id,
    priority: cmd.priority,
    status: "waiting",
    issuedAt: now,
    arrivalAt: now,
    ...(cmd.appointmentAt !== undefined ? { appointmentAt: cmd.appointmentAt } : {}),
    recalls: 0,
    transfers: 0,
    notes: [],
    ...(cmd.idMasked ? { idMasked: cmd.idMasked } : {}),
    ...(cmd.lang ? { lang: cmd.lang } : {}),
    source: cmd.source,
  };
  // What the ticket is told now (it is in no line yet: the estimator counts it after everyone),
  // kept so the data wall can show how far today's estimates were from the waits.
  ticket.issueEstimateSec = estimatedWaitSec(state, ticket, position(state, ticket), now);
  return [
    {
      type: "ticket.issued",
      at: now,
      ticket,
      ...(cmd.idHash ? { idHash: cmd.idHash } : {}),
      ...(cmd.bookingCode !== undefined ? { bookingCode: cmd.bookingCode } : {}),
    },
  ];
}

function openCounter(state: HallState, counterId: string, mustBeActive: boolean): CounterRuntime | Rejection {
  const c = state.counters.get(counterId);
  if (!c || !state.index.counters.has(counterId)) return reject("UNKNOWN_COUNTER", `no counter ${counterId}`);
  if (c.view.status === "closed") return reject("COUNTER_CLOSED", `nobody is signed in at counter ${counterId}`);
  if (mustBeActive && c.view.status === "paused") return reject("COUNTER_PAUSED", `counter ${counterId} is paused`);
  return c;
}

function current(state: HallState, counterId: string, allowed: Ticket["status"][]): Ticket | Rejection {
  const c = openCounter(state, counterId, false);
  if ("error" in c) return c;
  const t = c.view.currentTicketId ? state.tickets.get(c.view.currentTicketId) : undefined;
  if (!t) return reject("NO_CURRENT_TICKET", "no current ticket at this counter");
  if (!allowed.includes(t.status)) return reject("INVALID_TRANSITION", `ticket ${t.number} is ${t.status}`);
  return t;
}

/** The hall's grace time (seconds) before a called visitor may be recorded as a no-show by the next call. */
export function noShowGraceSec(state: HallState): number {
  return state.catalogue.hall.noShowGraceSec ?? DEFAULT_NO_SHOW_GRACE_SEC;
}

export const DEFAULT_NO_SHOW_GRACE_SEC = 60;

/** The counter's current ticket when it is called but not started. */
function calledHere(state: HallState, c: CounterRuntime): Ticket | undefined {
  const t = c.view.currentTicketId ? state.tickets.get(c.view.currentTicketId) : undefined;
  return t?.status === "called" ? t : undefined;
}

/** Calling the next ticket closes the one being served: caller keypads have no finish key. */
function closeCurrent(state: HallState, c: CounterRuntime, staffId: string, now: Instant): HallEvent[] {
  const t = c.view.currentTicketId ? state.tickets.get(c.view.currentTicketId) : undefined;
  if (!t) return [];
  return [{ type: "ticket.finished", at: now, ticketId: t.id, counterId: c.view.id, staffId, outcome: "completed", auto: true }];
}

/** What a counter's rating device rates: the visitor being served, else the last one served
 * (a visitor who is only being called has not been served yet). */
function ratingTarget(state: HallState, c: CounterRuntime): string | undefined {
  const cur = c.view.currentTicketId ? state.tickets.get(c.view.currentTicketId) : undefined;
  return cur?.status === "serving" ? cur.id : c.lastTicketId;
}

function rank(p: PriorityClass): number {
  return PRIORITY_CLASSES.indexOf(p);
}

function appointmentDue(t: Ticket, now: Instant): boolean {
  return t.appointmentAt === undefined || now >= t.appointmentAt - APPOINTMENT_EARLY_MS;
}

/** Oldest eligible ticket of a line (targeted lines: any; queue lines: skip none). */
function head(line: Ticket[], now: Instant, dueOnly: boolean | "notDue"): Ticket | undefined {
  if (dueOnly === false) return line[0];
  for (const t of line) {
    const due = appointmentDue(t, now);
    if (dueOnly === true ? due : !due) return t;
  }
  return undefined;
}

function older(a: Ticket | undefined, b: Ticket | undefined): Ticket | undefined {
  if (!a) return b;
  if (!b) return a;
  return a.arrivalAt < b.arrivalAt || (a.arrivalAt === b.arrivalAt && a.issuedAt <= b.issuedAt) ? a : b;
}

/** The candidate of each class: the longest-waiting ticket across the counter's lines.
 * An appointment not yet due competes as a normal ticket. */
export function candidates(
  state: HallState,
  counterId: string,
  profile: WorkProfile,
  now: Instant,
): Record<PriorityClass, Ticket | undefined> {
  const out: Record<PriorityClass, Ticket | undefined> = { green: undefined, appointment: undefined, normal: undefined };
  const all: Lines[] = [];
  const t = state.targeted.get(counterId);
  if (t) all.push(t);
  for (const q of profile.queueIds) {
    const l = state.lines.get(q);
    if (l) all.push(l);
  }
  for (const l of all) {
    out.green = older(out.green, head(l.green, now, false));
    out.appointment = older(out.appointment, head(l.appointment, now, true));
    out.normal = older(out.normal, older(head(l.normal, now, false), head(l.appointment, now, "notDue")));
  }
  return out;
}

/**
 * Smooth weighted round robin over the classes that have someone waiting: each eligible
 * class earns its weight, the richest is served and pays the total. Over any window the
 * classes are served in proportion to their weights, and no class with weight > 0 starves.
 * A weight of 0 means "only when nobody else waits".
 */
export function pickNext(
  state: HallState,
  counterId: string,
  profile: WorkProfile,
  credits: Record<PriorityClass, number>,
  now: Instant,
): { ticket: Ticket; credits: Record<PriorityClass, number> } | undefined {
  const cand = candidates(state, counterId, profile, now);
  const eligible = PRIORITY_CLASSES.filter((p) => cand[p] && profile.weights[p] > 0);
  if (eligible.length === 0) {
    const fallback = PRIORITY_CLASSES.find((p) => cand[p]);
    return fallback ? { ticket: cand[fallback] as Ticket, credits: { ...credits } } : undefined;
  }
  const next = { ...credits };
  let total = 0;
  for (const p of eligible) {
    next[p] += profile.weights[p];
    total += profile.weights[p];
  }
  let best = eligible[0] as PriorityClass;
  for (const p of eligible) if (next[p] > next[best]) best = p;
  next[best] -= total;
  return { ticket: cand[best] as Ticket, credits: next };
}
