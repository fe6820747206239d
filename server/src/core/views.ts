import { PRIORITY_CLASSES, type PriorityClass } from "../contract/catalogue.ts";
import type { DaySummary, LiveStats } from "../contract/stats.ts";
import type { CounterState, EstimateRange, Instant, PublicTicket, Ticket } from "../contract/tickets.ts";
import { countBefore, issuingLeftSec, onPlannedBreak, type PoolCounter, projectedCall, serveTime } from "./estimate.ts";
import type { HallState, Lines } from "./state.ts";
import { APPOINTMENT_EARLY_MS, lineOrder } from "./state.ts";

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

/** The class a ticket competes in now: an appointment not yet due waits as a normal ticket. */
function effectiveClass(t: Ticket, now: Instant): PriorityClass {
  if (t.priority !== "appointment") return t.priority ?? "normal";
  return t.appointmentAt === undefined || now >= t.appointmentAt - APPOINTMENT_EARLY_MS ? "appointment" : "normal";
}

/**
 * Seconds a counter spends per ticket of the queue, call to finish: the live figure, never
 * below a quarter of the configured service time (see typicalServiceSec), the configured
 * one before any was measured.
 */
export function cycleSec(state: HallState, queueId: string): number {
  const configured = state.index.queues.get(queueId)?.defaultServiceSec ?? 300;
  return Math.max(state.cycleMean.get(queueId)?.sec ?? serviceSec(state, queueId), configured / 4);
}

/**
 * Seconds until the ticket is likely called: the moment its turn comes when the engine's own
 * call order is played forward from now (core/estimate.ts `projection`: each open counter
 * calls by `pickNext`'s rule and spends the series' mean cycle per visitor, around its planned
 * breaks), at least a minute (or a service, if shorter) unless a free counter takes it now.
 *
 * When nobody serves the series now (or the projection never reaches the ticket), the older
 * capacity-share formula: the counters that serve the ticket's series (its
 * pool) also serve other series and pick among classes by weighted round robin, so the wait
 * is the pool's work that comes first, shared among the pool's open counters:
 * - of every series the pool serves, the tickets of the ticket's own class that came before
 *   it, each weighed by the share of that series' open counters that are in the pool (a
 *   comprehensive window spends only part of its time on this series: by its pull squared
 *   against the other series' pulls squared);
 * - of each other class, what the round robin serves meanwhile: in proportion to the weights,
 *   at most everyone of that class waiting (a green visitor who arrives later is still served
 *   first; an appointment counts as one from 15 minutes before its slot);
 * - less one service per free counter (it takes someone at once), and per counter paused
 *   in its planned break (free when back);
 * - served at the rate of the pool's counters that are not on a planned break at each moment
 *   (`Counter.breaks`, core/estimate.ts): a wait that runs into a window's lunch lasts longer.
 * Nobody open: as if one counter will open.
 *
 * Floors, so no visitor is told "any moment" and then waits: 0 only for the first in line
 * while a counter is free; anyone with people ahead waits at least one service time (a
 * "free" counter is often a clerk away or busy with another series); the first in line at
 * busy counters waits at least a minute.
 */
export function estimatedWaitSec(state: HallState, t: Ticket, ahead: number, now: Instant = state.lastEventAt): number {
  return estimateWait(state, t, ahead, now).sec;
}

/** A wait estimate and how sure it is (see {@link EstimateRange}). */
export interface WaitEstimate extends EstimateRange {
  sec: number;
}

const SURE: WaitEstimate = { sec: 0, lowSec: 0, highSec: 0, uncertain: false };

/**
 * The interval around an estimate: the services ahead vary (about 1/√n of their sum for n of
 * them), and more so when a counter's planned break falls inside the wait, when today has
 * measured few services of the series, or when nobody serves it now. Uncertain (the phone page
 * says so and shows the range) when one of those holds for a wait of five minutes or more.
 */
function ranged(sec: number, count: number, o: { breakWithin: boolean; few: boolean; nobody: boolean }): WaitEstimate {
  const rel = Math.min(
    0.8,
    0.15 + 0.6 / Math.sqrt(count + 1) + (o.breakWithin ? 0.15 : 0) + (o.few ? 0.25 : 0) + (o.nobody ? 0.3 : 0),
  );
  const uncertain = sec >= 300 && (o.breakWithin || o.few || o.nobody || rel >= 0.45);
  return { sec, lowSec: Math.round(sec * (1 - rel)), highSec: Math.round(sec * (1 + rel)), uncertain };
}

/** Services of a series measured today below which its estimate counts as uncertain. */
const FEW_MEASURED = 10;

/** {@link estimatedWaitSec} with its interval. */
export function estimateWait(state: HallState, t: Ticket, ahead: number, now: Instant = state.lastEventAt): WaitEstimate {
  if (t.status !== "waiting") return SURE;
  const svc = cycleSec(state, t.queueId);
  const few = (state.cycleMean.get(t.queueId)?.n ?? 0) < FEW_MEASURED;
  if (t.targetCounterId) {
    const idle = state.counters.get(t.targetCounterId)?.view.status === "idle" ? 1 : 0;
    if (ahead === 0 && idle > 0) return SURE;
    const sec = floored(Math.max(0, ahead + 1 - idle) * svc, svc, ahead);
    return ranged(sec, ahead + 1, { breakWithin: false, few, nobody: false });
  }
  if (ahead === 0) {
    // The first in line with a counter free for its series is called now.
    for (const c of state.index.servers.get(t.queueId) ?? []) if (state.counters.get(c.id)?.view.status === "idle") return SURE;
  }
  let open = false;
  for (const c of state.index.servers.get(t.queueId) ?? []) {
    const s = state.counters.get(c.id)?.view.status;
    if (s && s !== "closed") {
      open = true;
      break;
    }
  }
  if (open) {
    // The engine's call order played forward (core/estimate.ts `projectedCall`).
    const at = projectedCall(state, now, (q) => cycleSec(state, q), t);
    if (at !== undefined)
      return ranged(Math.round(Math.max(at.sec, Math.min(svc, MIN_WAIT_SEC))), at.before + 1, {
        breakWithin: at.breakWithin,
        few,
        nobody: false,
      });
  }
  // Backlog per open server of a series (seconds): how hard that series pulls on a shared counter.
  const pull = new Map<string, number>();
  const pullOf = (q: string): number => {
    let v = pull.get(q);
    if (v === undefined) {
      const open = activeServers(state, q).active;
      v = (waitingCount(state.lines.get(q)) * cycleSec(state, q)) / Math.max(1, open);
      pull.set(q, v);
    }
    return v;
  };
  // The pool: open counters serving this series, each counted by the share of its time this
  // series gets (all of it for a dedicated window; for a comprehensive one, its pull against
  // the other series' pulls).
  const pool: (PoolCounter & { idle: boolean; returning: boolean })[] = [];
  const own = Math.max(pullOf(t.queueId), 1);
  for (const c of state.index.servers.get(t.queueId) ?? []) {
    const s = state.counters.get(c.id)?.view.status;
    // A paused counter is a clerk on a break: back at the end of its planned break, or (no
    // plan) before most of the line is through. A signed-out one is not counted.
    if (!s || s === "closed") continue;
    let total = 0;
    // Squared: a shared window calls the longest-waiting ticket among its series, so the series
    // that pull hardest get more than a proportional part of it (measured: 27.7 → 27.0 % MAE).
    for (const q of c.profile.queueIds) total += (q === t.queueId ? own : pullOf(q)) ** 2;
    const share = total > 0 ? own ** 2 / total : 1 / c.profile.queueIds.length;
    pool.push({ counter: c, share, idle: s === "idle", returning: s === "paused" && onPlannedBreak(state, c, now) });
  }
  const nobody = pool.length === 0;
  const lines = state.lines.get(t.queueId);
  if (!lines) return ranged(floored(svc, svc, ahead), 1, { breakWithin: false, few, nobody });
  // A probe (the terminals' "a newcomer now") is in no line and comes after everyone.
  const listed = state.tickets.get(t.id) === t;
  const isAhead = (a: Ticket) => !listed || lineOrder(a, t) < 0;
  const countAhead = (line: readonly Ticket[]) => (listed ? countBefore(line, t) : line.length);
  // Appointments not yet due compete as normal tickets (in arrival order).
  let dueAppt = 0;
  let dueApptBefore = 0;
  let earlyAppt = 0;
  let earlyApptBefore = 0;
  for (const a of lines.appointment) {
    if (a === t) continue;
    const before = isAhead(a);
    if (effectiveClass(a, now) === "appointment") {
      dueAppt++;
      if (before) dueApptBefore++;
    } else {
      earlyAppt++;
      if (before) earlyApptBefore++;
    }
  }
  const waiting: Record<PriorityClass, number> = {
    green: lines.green.length - (listed && t.priority === "green" ? 1 : 0),
    appointment: dueAppt,
    normal: lines.normal.length - (listed && t.priority === "normal" ? 1 : 0) + earlyAppt,
  };
  /** The wait competing in class `mine` from `from` seconds on (an appointment becomes due). */
  const waitAs = (mine: PriorityClass, from: number): WaitEstimate => {
    // A window whose weight for this class is 0 takes it only when nobody else waits there:
    // it counts with half its share (measured on the reference days: none at all tells the
    // certificate windows' appointments hours too long, a full share an hour too short).
    const sub = pool.map((x) => (x.counter.profile.weights[mine] > 0 ? x : { ...x, share: x.share / 2 }));
    let servers = 0;
    let idle = 0;
    let idleLater = 0;
    const weights: Record<PriorityClass, number> = { green: 0, appointment: 0, normal: 0 };
    for (const x of sub) {
      servers += x.share;
      if (x.idle) idle++;
      // Back from its break, the clerk is free: like an idle counter, later.
      if (x.returning) idleLater += x.share;
      for (const p of PRIORITY_CLASSES) weights[p] += x.counter.profile.weights[p];
    }
    if (nobody) {
      // Nobody open: one counter will open.
      servers = 1;
      for (const p of PRIORITY_CLASSES) weights[p] = 1;
    }
    // Tickets of its own class before it, itself included.
    const before =
      1 +
      (mine === "green"
        ? countAhead(lines.green)
        : mine === "appointment"
          ? dueApptBefore
          : countAhead(lines.normal) + earlyApptBefore);
    // Meanwhile the round robin serves the other classes in proportion to their weights.
    let count = before;
    for (const p of PRIORITY_CLASSES) {
      if (p === mine || weights[p] === 0) continue;
      // The pool's counters are at different points of their rounds: the first of its class
      // is taken by whichever counter's round reaches the class next, so the interleave
      // counts from the second on.
      count += weights[mine] === 0 ? waiting[p] : Math.min(waiting[p], ((before - 1) * weights[p]) / weights[mine]);
    }
    // Visitors of a higher class who arrive while this one waits go first too: of what the pool
    // serves meanwhile, that share (today's) comes from them, so the count grows by 1 / (1 − share).
    // A class of weight 0 is served only when nobody else waits: every other class is higher.
    const rank = PRIORITY_CLASSES.indexOf(mine);
    let higher = 0;
    for (let i = 0; i < PRIORITY_CLASSES.length; i++) {
      const p = PRIORITY_CLASSES[i] as PriorityClass;
      if (p !== mine && weights[p] > 0 && (i < rank || weights[mine] === 0)) higher += state.agg.issuedByClass[p];
    }
    const share = state.agg.issued > 0 ? Math.min(weights[mine] === 0 ? 0.8 : 0.5, higher / state.agg.issued) : 0;
    // The work ahead, served as the pool's counters go on and come back from their planned breaks.
    const at = now + from * 1000;
    const serve = (sh: number) =>
      serveTime(state, sub, Math.max(0, count / (1 - sh) - idle - idleLater) * svc, at, servers, svc / 120);
    let served = serve(share);
    // Nobody new comes once the series stops issuing: only the part of the wait before then
    // brings higher-class newcomers.
    const left = issuingLeftSec(state, t.queueId, at);
    if (share > 0 && left < served.sec) served = serve(share * Math.max(0, left / served.sec));
    return ranged(floored(from + served.sec, svc, ahead), count, { breakWithin: served.breakWithin, few, nobody });
  };
  const mine = effectiveClass(t, now);
  const asIs = waitAs(mine, 0);
  if (t.priority !== "appointment" || mine === "appointment" || t.appointmentAt === undefined) return asIs;
  // An appointment not yet due waits as a normal ticket until 15 minutes before its slot, then
  // goes ahead: whichever comes first.
  const due = waitAs("appointment", Math.max(0, (t.appointmentAt - APPOINTMENT_EARLY_MS - now) / 1000));
  return due.sec < asIs.sec ? due : asIs;
}

function floored(raw: number, svc: number, ahead: number): number {
  const floor = ahead > 0 ? svc : Math.min(svc, MIN_WAIT_SEC);
  return Math.round(Math.max(raw, floor));
}

/** The least a visitor first in line at busy counters is told. */
const MIN_WAIT_SEC = 60;

/** The estimate as a public ticket carries it: the range only while it waits. */
function waitFields(e: WaitEstimate): Pick<PublicTicket, "estimatedWaitSec" | "estimateRange"> {
  // The key is always there (undefined when sure), so an override in activeTickets replaces it.
  if (e === SURE) return { estimatedWaitSec: e.sec, estimateRange: undefined };
  return { estimatedWaitSec: e.sec, estimateRange: { lowSec: e.lowSec, highSec: e.highSec, uncertain: e.uncertain } };
}

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
    ...waitFields(estimateWait(state, t, ahead)),
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
      out.push({ ...publicTicket(state, t), position: i, ...waitFields(estimateWait(state, t, i)) });
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
    estimateAccuracy: {
      n: a.estimate.n,
      meanWaitSec: a.estimate.n ? Math.round(a.estimate.waitSec / a.estimate.n) : 0,
      maeSec: a.estimate.n ? Math.round(a.estimate.absErrSec / a.estimate.n) : 0,
      biasSec: a.estimate.n ? Math.round(a.estimate.errSec / a.estimate.n) : 0,
    },
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
