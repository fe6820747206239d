import { PRIORITY_CLASSES } from "../contract/catalogue.ts";
import type { DaySummary, LiveStats } from "../contract/stats.ts";
import type { CounterState, Instant, PublicTicket, Ticket } from "../contract/tickets.ts";
import type { HallState, Lines } from "./state.ts";
import { lineOrder } from "./state.ts";

function linesOf(state: HallState, t: Ticket): Lines | undefined {
  return t.targetCounterId ? state.targeted.get(t.targetCounterId) : state.lines.get(t.queueId);
}

/** People ahead: everyone in the same line set (all classes) who would come first by arrival. */
export function position(state: HallState, t: Ticket): number {
  if (t.status !== "waiting") return 0;
  const lines = linesOf(state, t);
  if (!lines) return 0;
  let ahead = 0;
  for (const p of PRIORITY_CLASSES) {
    for (const other of lines[p]) {
      if (lineOrder(other, t) < 0) ahead++;
      else break;
    }
  }
  return ahead;
}

/** Live service time for a queue: today's weighted average, else the configured default. */
export function serviceSec(state: HallState, queueId: string): number {
  return state.serviceEwma.get(queueId) ?? state.index.queues.get(queueId)?.defaultServiceSec ?? 300;
}

/** Counters that can take this queue now (signed in, not paused), and how many of them are free. */
export function activeServers(state: HallState, queueId: string): { active: number; idle: number } {
  let active = 0;
  let idle = 0;
  for (const c of state.index.servers.get(queueId) ?? []) {
    const s = state.counters.get(c.id)?.view.status;
    if (s && s !== "closed" && s !== "paused") active++;
    if (s === "idle") idle++;
  }
  return { active, idle };
}

/**
 * The service time an estimate counts on: the live one, but never below a quarter of the
 * configured default. A run of instant finishes (tickets closed at once as mistakes or
 * duplicates) would otherwise make a long line look as if it moved in seconds: a 5th in
 * line was once told 4 s.
 */
export function typicalServiceSec(state: HallState, queueId: string): number {
  const configured = state.index.queues.get(queueId)?.defaultServiceSec ?? 300;
  return Math.max(serviceSec(state, queueId), configured / 4);
}

/**
 * Seconds until the ticket is likely called: the people ahead who will not find a free
 * counter, times the typical service time, shared among the open counters. With nobody
 * open it assumes one counter will open.
 *
 * Floors, so no visitor is told "any moment" and then waits: 0 only for the first in line
 * while a counter is free; anyone with people ahead waits at least one service time (a
 * "free" counter is often a clerk away or busy with another series); the first in line at
 * busy counters waits at least a minute.
 */
export function estimatedWaitSec(state: HallState, t: Ticket, ahead: number): number {
  if (t.status !== "waiting") return 0;
  const { active, idle } = t.targetCounterId
    ? { active: 1, idle: state.counters.get(t.targetCounterId)?.view.status === "idle" ? 1 : 0 }
    : activeServers(state, t.queueId);
  if (ahead === 0 && idle > 0) return 0;
  const svc = typicalServiceSec(state, t.queueId);
  const queued = Math.max(0, ahead + 1 - idle);
  const raw = (queued * svc) / Math.max(1, active);
  const floor = ahead > 0 ? svc : Math.min(svc, MIN_WAIT_SEC);
  return Math.round(Math.max(raw, floor));
}

/** The least a visitor first in line at busy counters is told. */
const MIN_WAIT_SEC = 60;

export function publicTicket(state: HallState, t: Ticket): PublicTicket {
  const ahead = position(state, t);
  return {
    id: t.id,
    number: t.number,
    queueId: t.queueId,
    matterId: t.matterId,
    priority: t.priority,
    status: t.status,
    issuedAt: t.issuedAt,
    ...(t.calledAt !== undefined ? { calledAt: t.calledAt } : {}),
    ...(t.counterId !== undefined ? { counterId: t.counterId } : {}),
    ...(t.targetCounterId !== undefined ? { targetCounterId: t.targetCounterId } : {}),
    recalls: t.recalls,
    position: ahead,
    estimatedWaitSec: estimatedWaitSec(state, t, ahead),
  };
}

export function counterStates(state: HallState): CounterState[] {
  return state.catalogue.counters.map((c) => ({
    ...(state.counters.get(c.id)?.view ?? { id: c.id, status: "closed", ratingRequested: false, servedToday: 0 }),
  }));
}

/** Waiting, called and serving tickets, in line order per queue. */
export function activeTickets(state: HallState): PublicTicket[] {
  const out: PublicTicket[] = [];
  const addLines = (l: Lines) => {
    const all = [...l.green, ...l.appointment, ...l.normal].sort(lineOrder);
    all.forEach((t, i) => {
      out.push({ ...publicTicket(state, t), position: i, estimatedWaitSec: estimatedWaitSec(state, t, i) });
    });
  };
  for (const l of state.lines.values()) addLines(l);
  for (const l of state.targeted.values()) addLines(l);
  for (const c of state.counters.values()) {
    const t = c.view.currentTicketId ? state.tickets.get(c.view.currentTicketId) : undefined;
    if (t) out.push(publicTicket(state, t));
  }
  return out;
}

export function waitingCount(l: Lines | undefined): number {
  return l ? l.green.length + l.appointment.length + l.normal.length : 0;
}

export function liveStats(state: HallState, now: Instant, offline: ReadonlySet<string> = new Set()): LiveStats {
  const a = state.agg;
  const zonesWaiting: Record<string, number> = {};
  const queues = state.catalogue.queues.map((q) => {
    const l = state.lines.get(q.id);
    let waiting = waitingCount(l);
    let oldest: number | undefined;
    for (const p of PRIORITY_CLASSES) {
      const h = l?.[p][0];
      if (h && (oldest === undefined || h.arrivalAt < oldest)) oldest = h.arrivalAt;
    }
    for (const tl of state.targeted.values()) {
      for (const p of PRIORITY_CLASSES) {
        for (const t of tl[p]) {
          if (t.queueId !== q.id) continue;
          waiting++;
          if (oldest === undefined || t.arrivalAt < oldest) oldest = t.arrivalAt;
        }
      }
    }
    zonesWaiting[q.zoneId] = (zonesWaiting[q.zoneId] ?? 0) + waiting;
    const longestWaitSec = oldest === undefined ? 0 : Math.max(0, Math.round((now - oldest) / 1000));
    return {
      queueId: q.id,
      waiting,
      issued: state.seq.get(q.id) ?? 0,
      longestWaitSec,
      alarm: q.waitAlarmMin > 0 && longestWaitSec > q.waitAlarmMin * 60,
    };
  });
  const ratingsTotal = a.ratings.reduce((s, n) => s + n, 0);
  return {
    day: state.day,
    at: now,
    issued: a.issued,
    served: a.served,
    waiting: queues.reduce((s, q) => s + q.waiting, 0),
    noShows: a.noShows,
    avgWaitSec: a.waitCount ? Math.round(a.waitMs / a.waitCount / 1000) : 0,
    avgServiceSec: a.serviceCount ? Math.round(a.serviceMs / a.serviceCount / 1000) : 0,
    arrivalsByHour: [...a.arrivalsByHour],
    completionsByHour: [...a.completionsByHour],
    departments: state.catalogue.departments.map((d) => {
      const s = a.byDepartment.get(d.id) ?? { issued: 0, done: 0, completed: 0 };
      return {
        departmentId: d.id,
        issued: s.issued,
        done: s.done,
        completed: s.completed,
        completionRate: s.done ? s.completed / s.done : 1,
      };
    }),
    queues,
    counters: state.catalogue.counters.map((c) => {
      const rt = state.counters.get(c.id);
      const v = rt?.view;
      return {
        counterId: c.id,
        status: offline.has(c.id) ? "offline" : (v?.status ?? "closed"),
        servedToday: v?.servedToday ?? 0,
        ...(v?.status === "paused" && rt?.pausedAt !== undefined ? { pausedAt: rt.pausedAt } : {}),
      };
    }),
    ratings: [...a.ratings] as LiveStats["ratings"],
    ratingReasons: { ...a.ratingReasons },
    satisfaction: ratingsTotal ? ((a.ratings[3] ?? 0) + (a.ratings[4] ?? 0)) / ratingsTotal : 1,
    zonesWaiting,
  };
}

/** A closed day's report, from its folded state. */
export function daySummary(state: HallState): DaySummary {
  const a = state.agg;
  return {
    day: state.day,
    issued: a.issued,
    served: a.served,
    noShows: a.noShows,
    cancelled: a.cancelled,
    avgWaitSec: a.waitCount ? Math.round(a.waitMs / a.waitCount / 1000) : 0,
    avgServiceSec: a.serviceCount ? Math.round(a.serviceMs / a.serviceCount / 1000) : 0,
    byDepartment: [...a.byDepartment].map(([departmentId, s]) => ({
      departmentId,
      issued: s.issued,
      done: s.done,
      completionRate: s.done ? s.completed / s.done : 1,
    })),
    byCounter: [...state.counters]
      .filter(([, c]) => c.view.servedToday > 0 || c.ratingCount > 0)
      .map(([counterId, c]) => ({
        counterId,
        served: c.view.servedToday,
        avgServiceSec: c.view.servedToday ? Math.round(c.serviceMs / c.view.servedToday / 1000) : 0,
        avgRating: c.ratingCount ? c.ratingSum / c.ratingCount : null,
      })),
    ratings: [...a.ratings] as LiveStats["ratings"],
    ratingReasons: { ...a.ratingReasons },
  };
}
