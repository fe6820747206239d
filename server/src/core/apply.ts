import type { Ticket } from "../contract/tickets.ts";
import type { HallEvent } from "./model.ts";
import { type HallState, type Lines, callInfo, emptyLines, insertInLine, removeFromLine } from "./state.ts";
import { localHour } from "./time.ts";

const RECENT_CALLS = 20;
/** Weight of the newest service time in the live estimate. */
const EWMA_ALPHA = 0.2;
/** Call-to-finish times: a plain mean of the first 100, then the newest weighs 1 %. */
const CYCLE_MIN_ALPHA = 0.01;

function cycle(state: HallState, t: Ticket, at: number): void {
  if (t.calledAt === undefined) return;
  const sec = (at - t.calledAt) / 1000;
  const prev = state.cycleMean.get(t.queueId);
  if (!prev) {
    state.cycleMean.set(t.queueId, { sec, n: 1 });
    return;
  }
  prev.n++;
  prev.sec += Math.max(1 / prev.n, CYCLE_MIN_ALPHA) * (sec - prev.sec);
}

function lineFor(state: HallState, t: Ticket): Ticket[] {
  let lines: Lines | undefined;
  if (t.targetCounterId) {
    lines = state.targeted.get(t.targetCounterId);
    if (!lines) {
      lines = emptyLines();
      state.targeted.set(t.targetCounterId, lines);
    }
  } else {
    lines = state.lines.get(t.queueId);
    if (!lines) {
      lines = emptyLines();
      state.lines.set(t.queueId, lines);
    }
  }
  return lines[t.priority];
}

function leaveLine(state: HallState, t: Ticket): void {
  if (t.status === "waiting") removeFromLine(lineFor(state, t), t);
}

function enterLine(state: HallState, t: Ticket): void {
  t.status = "waiting";
  insertInLine(lineFor(state, t), t);
}

function dept(state: HallState, t: Ticket) {
  const id = state.index.matters.get(t.matterId)?.departmentId ?? "?";
  let d = state.agg.byDepartment.get(id);
  if (!d) {
    d = { issued: 0, done: 0, completed: 0 };
    state.agg.byDepartment.set(id, d);
  }
  return d;
}

function must(state: HallState, ticketId: string): Ticket {
  const t = state.tickets.get(ticketId);
  // Events only exist after decide accepted them, so a miss means a corrupt journal.
  if (!t) throw new Error(`journal refers to unknown ticket ${ticketId}`);
  return t;
}

function counterRt(state: HallState, counterId: string) {
  let c = state.counters.get(counterId);
  if (!c) {
    // A counter removed from the catalogue since: keep replaying its history.
    c = {
      view: { id: counterId, status: "closed", ratingRequested: false, servedToday: 0 },
      credits: { green: 0, appointment: 0, normal: 0 },
      serviceMs: 0,
      ratingSum: 0,
      ratingCount: 0,
      noShows: 0,
    };
    state.counters.set(counterId, c);
  }
  return c;
}

function releaseCounter(state: HallState, counterId: string, ticketId: string): void {
  const c = counterRt(state, counterId);
  if (c.view.currentTicketId === ticketId) {
    c.view.currentTicketId = undefined;
    if (c.view.status === "calling" || c.view.status === "serving") c.view.status = "idle";
  }
}

function pushCall(state: HallState, t: Ticket, counterId: string, at: number, recall: number): void {
  state.recentCalls.unshift(callInfo(state, t.id, t.number, counterId, at, recall));
  if (state.recentCalls.length > RECENT_CALLS) state.recentCalls.length = RECENT_CALLS;
}

/**
 * A fresh ticket with every field present from the start, in one order. Tickets gain
 * calledAt, counterId, outcome … as they move on; objects that grow field by field change
 * hidden class at each step and make every store slow (a third of replay time, measured).
 */
function shaped(src: Ticket): Ticket {
  return {
    id: src.id,
    number: src.number,
    seq: src.seq,
    day: src.day,
    queueId: src.queueId,
    matterId: src.matterId,
    priority: src.priority,
    status: src.status,
    issuedAt: src.issuedAt,
    arrivalAt: src.arrivalAt,
    appointmentAt: src.appointmentAt,
    targetCounterId: src.targetCounterId,
    counterId: src.counterId,
    staffId: src.staffId,
    calledAt: src.calledAt,
    startedAt: src.startedAt,
    finishedAt: src.finishedAt,
    noShowAt: src.noShowAt,
    parkedAt: src.parkedAt,
    recalls: src.recalls,
    transfers: src.transfers,
    notes: [...src.notes],
    outcome: src.outcome,
    missing: src.missing,
    rating: src.rating,
    ratingReasons: src.ratingReasons,
    ratingComment: src.ratingComment,
    lang: src.lang,
    idMasked: src.idMasked,
    source: src.source,
    issueEstimateSec: src.issueEstimateSec,
  };
}

/**
 * Fold one event into the state, in place (see HallState for why). Used both live and when
 * replaying the journal, so the two cannot drift apart.
 */
export function apply(state: HallState, e: HallEvent): HallState {
  state.eventCount++;
  state.lastEventAt = e.at;
  switch (e.type) {
    case "ticket.issued": {
      const t = shaped(e.ticket);
      state.tickets.set(t.id, t);
      state.seq.set(t.queueId, Math.max(state.seq.get(t.queueId) ?? 0, t.seq));
      if (e.idHash) state.idKeys.add(`${e.idHash}|${t.matterId}`);
      if (e.bookingCode) state.bookingsUsed.set(e.bookingCode, t.id);
      insertInLine(lineFor(state, t), t);
      state.agg.issued++;
      state.agg.issuedByClass[t.priority]++;
      const h = localHour(e.at, state.catalogue.hall.timeZone);
      state.agg.arrivalsByHour[h] = (state.agg.arrivalsByHour[h] ?? 0) + 1;
      dept(state, t).issued++;
      break;
    }
    case "ticket.called": {
      const t = must(state, e.ticketId);
      leaveLine(state, t);
      // Called back after missing the call: it no longer counts as a no-show.
      if (t.status === "no_show") state.agg.noShows--;
      if (t.calledAt === undefined) {
        state.agg.waitMs += e.at - t.issuedAt;
        state.agg.waitCount++;
        if (t.issueEstimateSec !== undefined) {
          const wait = (e.at - t.issuedAt) / 1000;
          const est = state.agg.estimate;
          est.n++;
          est.waitSec += wait;
          est.absErrSec += Math.abs(t.issueEstimateSec - wait);
          est.errSec += t.issueEstimateSec - wait;
        }
      }
      t.status = "called";
      t.calledAt = e.at;
      t.counterId = e.counterId;
      t.staffId = e.staffId;
      t.targetCounterId = undefined;
      if (e.reason) t.notes.push(e.reason);
      const c = counterRt(state, e.counterId);
      c.view.currentTicketId = t.id;
      c.view.status = "calling";
      c.view.ratingRequested = false;
      if (e.credits) c.credits = { ...e.credits };
      pushCall(state, t, e.counterId, e.at, 0);
      break;
    }
    case "ticket.recalled": {
      const t = must(state, e.ticketId);
      t.recalls++;
      t.status = "called";
      pushCall(state, t, e.counterId, e.at, t.recalls);
      break;
    }
    case "ticket.started": {
      const t = must(state, e.ticketId);
      t.status = "serving";
      t.startedAt = e.at;
      counterRt(state, e.counterId).view.status = "serving";
      break;
    }
    case "ticket.finished": {
      const t = must(state, e.ticketId);
      t.status = "done";
      t.finishedAt = e.at;
      t.outcome = e.outcome;
      if (e.missing) t.missing = [...e.missing];
      const c = counterRt(state, e.counterId);
      releaseCounter(state, e.counterId, t.id);
      c.lastTicketId = t.id;
      c.view.servedToday++;
      const serviceMs = e.at - (t.startedAt ?? t.calledAt ?? e.at);
      c.serviceMs += serviceMs;
      state.agg.served++;
      state.agg.serviceMs += serviceMs;
      state.agg.serviceCount++;
      const h = localHour(e.at, state.catalogue.hall.timeZone);
      state.agg.completionsByHour[h] = (state.agg.completionsByHour[h] ?? 0) + 1;
      const d = dept(state, t);
      d.done++;
      if (e.outcome === "completed" || e.outcome === "accepted_incomplete") d.completed++;
      const prev = state.serviceEwma.get(t.queueId);
      const sec = serviceMs / 1000;
      state.serviceEwma.set(t.queueId, prev === undefined ? sec : prev + EWMA_ALPHA * (sec - prev));
      cycle(state, t, e.at);
      break;
    }
    case "ticket.no_show": {
      const t = must(state, e.ticketId);
      t.status = "no_show";
      t.noShowAt = e.at;
      cycle(state, t, e.at);
      releaseCounter(state, e.counterId, t.id);
      counterRt(state, e.counterId).noShows++;
      state.agg.noShows++;
      break;
    }
    case "ticket.reactivated": {
      const t = must(state, e.ticketId);
      if (t.status === "no_show") state.agg.noShows--;
      t.noShowAt = undefined;
      enterLine(state, t);
      break;
    }
    case "ticket.transferred": {
      const t = must(state, e.ticketId);
      releaseCounter(state, e.counterId, t.id);
      t.queueId = e.toQueueId;
      t.targetCounterId = e.toCounterId;
      t.priority = e.priority;
      t.transfers++;
      t.startedAt = undefined;
      if (e.note) t.notes.push(e.note);
      enterLine(state, t);
      break;
    }
    case "ticket.parked": {
      const t = must(state, e.ticketId);
      t.status = "parked";
      t.parkedAt = e.at;
      if (e.note) t.notes.push(e.note);
      releaseCounter(state, e.counterId, t.id);
      break;
    }
    case "ticket.cancelled": {
      const t = must(state, e.ticketId);
      leaveLine(state, t);
      t.status = "cancelled";
      state.agg.cancelled++;
      break;
    }
    case "ticket.rated": {
      const t = must(state, e.ticketId);
      t.rating = e.score;
      state.agg.ratings[e.score - 1] = (state.agg.ratings[e.score - 1] ?? 0) + 1;
      if (e.reasons) {
        t.ratingReasons = [...e.reasons];
        for (const r of e.reasons) state.agg.ratingReasons[r] = (state.agg.ratingReasons[r] ?? 0) + 1;
      }
      if (e.comment) t.ratingComment = e.comment;
      const counterId = e.counterId ?? t.counterId;
      if (counterId) {
        const c = counterRt(state, counterId);
        c.ratingSum += e.score;
        c.ratingCount++;
        c.view.lastRating = e.score;
        c.view.ratingRequested = false;
      }
      break;
    }
    case "counter.signed_in": {
      const c = counterRt(state, e.counterId);
      c.view.staffId = e.staffId;
      c.view.staffName = e.staffName;
      if (c.view.status === "closed") {
        const cur = c.view.currentTicketId ? state.tickets.get(c.view.currentTicketId) : undefined;
        c.view.status = cur?.status === "serving" ? "serving" : cur ? "calling" : "idle";
      }
      break;
    }
    case "counter.signed_out": {
      const c = counterRt(state, e.counterId);
      c.view.staffId = undefined;
      c.view.staffName = undefined;
      c.view.status = "closed";
      c.view.pauseReason = undefined;
      c.pausedAt = undefined;
      break;
    }
    case "counter.paused": {
      const c = counterRt(state, e.counterId);
      c.view.status = "paused";
      c.view.pauseReason = e.reason;
      c.pausedAt = e.at;
      break;
    }
    case "counter.resumed": {
      const c = counterRt(state, e.counterId);
      c.view.status = c.view.currentTicketId ? "serving" : "idle";
      c.view.pauseReason = undefined;
      c.pausedAt = undefined;
      break;
    }
    case "counter.rating_requested": {
      counterRt(state, e.counterId).view.ratingRequested = true;
      break;
    }
    default: {
      const never: never = e;
      throw new Error(`unknown event ${(never as { type: string }).type}`);
    }
  }
  return state;
}

export function applyAll(state: HallState, events: readonly HallEvent[]): HallState {
  for (const e of events) apply(state, e);
  return state;
}
