/**
 * A discrete-event simulation of a hall day that drives the real queue engine: every issue,
 * call, recall, start, finish, no-show, pause and sign-in is a `decide` command folded with
 * the engine's own `apply`, so who is called next (work profiles, priority round robin,
 * appointments, caps, issuing hours) is exactly what the hub would do. The simulator only
 * decides what people do: when visitors come, how long their matters take, when clerks
 * pause. The estimate printed on each ticket is the engine's own `publicTicket`.
 */
import type { Matter, PriorityClass } from "../contract/catalogue.ts";
import type { EstimateRange, Instant } from "../contract/tickets.ts";
import { type Command, type HallEvent, type HallState, decide, initialState, publicTicket } from "../core/index.ts";
import { useArrivalProfile } from "../core/estimate.ts";
import { EventHeap } from "./heap.ts";
import { type Rng, rng } from "./random.ts";
import { type Scenario, type ServiceTime, localMidnight } from "./scenario.ts";

/** One visitor's ticket as the simulation saw it. */
export interface TicketRecord {
  queueId: string;
  matterId: string;
  priority: PriorityClass;
  issuedAt: Instant;
  /** What the ticket said at issue (seconds), when the scenario records estimates. */
  estimateSec: number;
  /** First call minus issue (seconds); NaN when never called. */
  waitSec: number;
  noShow: boolean;
  /** The `compare` estimators' figures, by name. */
  alt?: Record<string, number>;
  /** The interval the ticket was given with its estimate. */
  range?: EstimateRange;
}

export interface SimResult {
  dayStart: Instant;
  tickets: TicketRecord[];
  /** Arrivals the engine refused a ticket (outside issuing hours, daily cap reached). */
  turnedAway: { outsideHours: number; dailyCap: number };
  /** Commands the engine decided. */
  commands: number;
  /** Last event of the day. */
  endAt: Instant;
  /** The day's events as the hub's journal would hold them (when the scenario asks for them). */
  events?: HallEvent[];
  /** ∫ waiting(t) dt in ticket·ms (tickets waiting: issued and not yet called). */
  waitingArea: (from: Instant, to: Instant) => number;
}

type Ev =
  | { k: "arrive"; q: number }
  | { k: "shiftStart"; c: number }
  | { k: "shiftEnd"; c: number }
  | { k: "breakStart"; c: number; until: number }
  | { k: "breakEnd"; c: number }
  | { k: "start"; c: number; t: string }
  | { k: "finish"; c: number; t: string }
  | { k: "recall"; c: number; t: string; left: number }
  | { k: "return"; t: string };

interface Clerk {
  id: string;
  staffId: string;
  phase: "off" | "idle" | "busy" | "paused" | "done";
  shiftEndAt: Instant;
  pendingBreakUntil: Instant;
  breakUntil: Instant;
  /** The ticket this counter works on (called, then serving). */
  ticket?: string;
}

interface Visitor {
  rec: TicketRecord;
  service: ServiceTime;
  noShow: boolean;
  returns: boolean;
}

const MIN = 60_000;

export function simulate(sc: Scenario): SimResult {
  const cat = sc.catalogue;
  const r: Rng = rng(sc.seed);
  const state: HallState = initialState(cat, sc.day);
  if (sc.arrivalProfile) useArrivalProfile(state, sc.arrivalProfile);
  const dayStart = localMidnight(sc.day, cat.hall.timeZone);
  const heap = new EventHeap<Ev>();
  const at = (min: number) => dayStart + min * MIN;
  let commands = 0;
  let now = dayStart;

  const journal: HallEvent[] | undefined = sc.recordEvents ? [] : undefined;
  const run = (cmd: Command): HallEvent[] => {
    commands++;
    const d = decide(state, cmd, now);
    if ("error" in d) {
      throw new Error(`simulation: engine refused ${cmd.type}: ${d.error} ${d.message}`);
    }
    if (journal) for (const e of d.events) journal.push(e);
    return d.events;
  };

  // Waiting count and its time integral, for Little's law: steps recorded as (instant, count).
  const stepAt: number[] = [dayStart];
  const stepCount: number[] = [0];
  let waiting = 0;
  const setWaiting = (n: number) => {
    waiting = n;
    if (stepAt[stepAt.length - 1] === now) stepCount[stepCount.length - 1] = n;
    else {
      stepAt.push(now);
      stepCount.push(n);
    }
  };

  // Arrivals: per queue, a Poisson process whose rate is constant within each bucket.
  const queues = cat.queues.map((q) => q.id);
  const mattersOf = new Map<string, Matter[]>();
  for (const m of cat.matters) {
    const l = mattersOf.get(m.queueId) ?? [];
    l.push(m);
    mattersOf.set(m.queueId, l);
  }
  const bucketMs = sc.bucketMin * MIN;
  const firstBucket = at(sc.arrivalsFrom);
  const nextArrival = (qi: number, from: Instant): Instant | undefined => {
    const profile = sc.arrivals[queues[qi] as string] ?? [];
    let t = from;
    // The bucket is counted, not recomputed from t: (end − first) / length may round to just
    // below the next bucket's index and never move on.
    let b = Math.max(0, Math.floor((t - firstBucket) / bucketMs));
    for (; b < profile.length; b++) {
      const n = profile[b] ?? 0;
      const end = firstBucket + (b + 1) * bucketMs;
      if (n > 0 && t < end) {
        const cand = t + r.exp(bucketMs / n);
        if (cand < end) return cand;
      }
      // Memoryless: restart at the bucket's end with the next bucket's rate.
      t = Math.max(t, end);
    }
    return undefined;
  };
  for (let qi = 0; qi < queues.length; qi++) {
    const t = nextArrival(qi, firstBucket);
    if (t !== undefined) heap.push(t, { k: "arrive", q: qi });
  }

  const clerks: Clerk[] = [];
  const clerkOf = new Map<string, number>();
  for (const s of sc.shifts) {
    if (!state.index.counters.has(s.counterId) || clerkOf.has(s.counterId)) continue;
    const ci = clerks.length;
    clerks.push({
      id: s.counterId,
      staffId: `sim-${s.counterId}`,
      phase: "off",
      shiftEndAt: at(s.to),
      pendingBreakUntil: 0,
      breakUntil: 0,
      ticket: undefined,
    });
    clerkOf.set(s.counterId, ci);
    heap.push(at(s.from), { k: "shiftStart", c: ci });
    heap.push(at(s.to), { k: "shiftEnd", c: ci });
    for (const [bf, bt] of s.breaks) if (bt > bf) heap.push(at(bf), { k: "breakStart", c: ci, until: at(bt) });
  }

  const visitors = new Map<string, Visitor>();
  const tickets: TicketRecord[] = [];
  const turnedAway = { outsideHours: 0, dailyCap: 0 };
  let ticketNo = 0;

  const serviceOf = (m: Matter): ServiceTime =>
    sc.service[m.id] ?? {
      meanSec: state.index.queues.get(m.queueId)?.defaultServiceSec ?? 300,
      cv: sc.defaultCv,
    };

  const onCalled = (evs: HallEvent[]): void => {
    for (const e of evs) {
      if (e.type !== "ticket.called") continue;
      const v = visitors.get(e.ticketId);
      if (v && Number.isNaN(v.rec.waitSec)) v.rec.waitSec = (e.at - v.rec.issuedAt) / 1000;
      setWaiting(waiting - 1);
    }
  };

  /** The counter is free: pause, sign out or call the next visitor. */
  const free = (ci: number): void => {
    const c = clerks[ci] as Clerk;
    c.ticket = undefined;
    if (c.pendingBreakUntil > now) {
      run({ type: "pause", counterId: c.id, staffId: c.staffId, reason: "break" });
      c.phase = "paused";
      c.breakUntil = c.pendingBreakUntil;
      c.pendingBreakUntil = 0;
      heap.push(c.breakUntil, { k: "breakEnd", c: ci });
      return;
    }
    c.pendingBreakUntil = 0;
    call(ci);
  };

  const call = (ci: number): boolean => {
    const c = clerks[ci] as Clerk;
    const evs = run({ type: "callNext", counterId: c.id, staffId: c.staffId });
    const called = evs.find((e) => e.type === "ticket.called");
    onCalled(evs);
    if (called?.type !== "ticket.called") {
      if (now >= c.shiftEndAt) {
        // Past the end of the shift with nobody left to serve here: go home.
        run({ type: "signOut", counterId: c.id, staffId: c.staffId });
        c.phase = "done";
      } else c.phase = "idle";
      return false;
    }
    c.phase = "busy";
    c.ticket = called.ticketId;
    const v = visitors.get(called.ticketId) as Visitor;
    if (v.noShow) {
      heap.push(now + sc.behaviour.recallEverySec * 1000, { k: "recall", c: ci, t: called.ticketId, left: sc.behaviour.recalls });
    } else {
      const walk = sc.behaviour.walkSec > 0 ? r.exp(sc.behaviour.walkSec * 1000) : 0;
      heap.push(now + walk, { k: "start", c: ci, t: called.ticketId });
    }
    return true;
  };

  /** A ticket became callable in a queue: the first idle counter that serves it calls. */
  const wake = (queueId: string): void => {
    for (const counter of state.index.servers.get(queueId) ?? []) {
      const ci = clerkOf.get(counter.id);
      if (ci === undefined || (clerks[ci] as Clerk).phase !== "idle") continue;
      if (call(ci)) return;
    }
  };

  const arrive = (qi: number): void => {
    const queueId = queues[qi] as string;
    const next = nextArrival(qi, now);
    if (next !== undefined) heap.push(next, { k: "arrive", q: qi });
    const ms = mattersOf.get(queueId);
    if (!ms?.length) return;
    const m = ms[sc.matterMix ? r.pick(ms.map((x) => sc.matterMix?.[x.id] ?? 0)) : Math.floor(r.next() * ms.length)] as Matter;
    const u = r.next();
    const priority: PriorityClass =
      u < sc.priority.green ? "green" : u < sc.priority.green + sc.priority.appointment ? "appointment" : "normal";
    const id = `s${++ticketNo}`;
    const cmd: Command = {
      type: "issue",
      ticketId: id,
      matterId: m.id,
      priority,
      source: "simulation",
      // A booked visitor comes up to 20 minutes before the slot.
      ...(priority === "appointment" ? { appointmentAt: now + Math.round(r.next() * 20 * MIN) } : {}),
    };
    commands++;
    sc.beforeIssue?.(state, now, queueId);
    const d = decide(state, cmd, now);
    const noShow = r.next() < sc.behaviour.noShow;
    const returns = noShow && r.next() < sc.behaviour.returnShare;
    if ("error" in d) {
      if (d.error === "DAILY_CAP_REACHED") turnedAway.dailyCap++;
      else if (d.error === "OUTSIDE_HOURS") turnedAway.outsideHours++;
      else throw new Error(`simulation: engine refused issue: ${d.error} ${d.message}`);
      return;
    }
    if (journal) for (const e of d.events) journal.push(e);
    const t = state.tickets.get(id);
    if (!t) return;
    const rec: TicketRecord = {
      queueId,
      matterId: m.id,
      priority,
      issuedAt: now,
      estimateSec: Number.NaN,
      waitSec: Number.NaN,
      noShow,
    };
    if (sc.estimates) {
      const view = publicTicket(state, t);
      rec.estimateSec = view.estimatedWaitSec;
      if (view.estimateRange) rec.range = view.estimateRange;
      if (sc.compare) {
        rec.alt = {};
        for (const [name, f] of Object.entries(sc.compare)) rec.alt[name] = f(state, t, view.position);
      }
    }
    tickets.push(rec);
    visitors.set(id, { rec, service: serviceOf(m), noShow, returns });
    setWaiting(waiting + 1);
    wake(queueId);
  };

  for (;;) {
    const top = heap.pop();
    if (!top) break;
    now = Math.round(top.at);
    const e = top.item;
    switch (e.k) {
      case "arrive":
        arrive(e.q);
        break;
      case "shiftStart": {
        const c = clerks[e.c] as Clerk;
        run({ type: "signIn", counterId: c.id, staffId: c.staffId, staffName: c.staffId, takeover: false });
        c.phase = "idle";
        call(e.c);
        break;
      }
      case "shiftEnd": {
        const c = clerks[e.c] as Clerk;
        // An idle clerk goes home now; a busy one after the visitor (see `call`).
        if (c.phase === "idle") {
          run({ type: "signOut", counterId: c.id, staffId: c.staffId });
          c.phase = "done";
        } else if (c.phase === "paused") {
          run({ type: "resume", counterId: c.id, staffId: c.staffId });
          run({ type: "signOut", counterId: c.id, staffId: c.staffId });
          c.phase = "done";
        }
        break;
      }
      case "breakStart": {
        const c = clerks[e.c] as Clerk;
        if (c.phase === "idle") {
          run({ type: "pause", counterId: c.id, staffId: c.staffId, reason: "break" });
          c.phase = "paused";
          c.breakUntil = e.until;
          heap.push(e.until, { k: "breakEnd", c: e.c });
        } else if (c.phase === "busy") c.pendingBreakUntil = e.until;
        break;
      }
      case "breakEnd": {
        const c = clerks[e.c] as Clerk;
        if (c.phase !== "paused" || c.breakUntil !== now) break;
        run({ type: "resume", counterId: c.id, staffId: c.staffId });
        c.phase = "idle";
        call(e.c);
        break;
      }
      case "start": {
        const c = clerks[e.c] as Clerk;
        run({ type: "start", counterId: c.id, staffId: c.staffId });
        const v = visitors.get(e.t) as Visitor;
        const s = v.service;
        const sec = s.dist === "exponential" ? r.exp(s.meanSec) : r.lognormal(s.meanSec, s.cv);
        heap.push(now + Math.max(1, sec * 1000), { k: "finish", c: e.c, t: e.t });
        break;
      }
      case "finish": {
        const c = clerks[e.c] as Clerk;
        run({ type: "finish", counterId: c.id, staffId: c.staffId, outcome: "completed" });
        free(e.c);
        break;
      }
      case "recall": {
        const c = clerks[e.c] as Clerk;
        if (e.left > 0) {
          run({ type: "recall", counterId: c.id, staffId: c.staffId });
          heap.push(now + sc.behaviour.recallEverySec * 1000, { k: "recall", c: e.c, t: e.t, left: e.left - 1 });
          break;
        }
        run({ type: "noShow", counterId: c.id, staffId: c.staffId });
        const v = visitors.get(e.t) as Visitor;
        if (v.returns) {
          const back = r.exp(sc.behaviour.returnAfterSec * 1000);
          if (back < cat.hall.noShowReactivateMin * MIN) heap.push(now + back, { k: "return", t: e.t });
        }
        free(e.c);
        break;
      }
      case "return": {
        const evs = run({ type: "reactivate", ticketId: e.t, by: "simulation" });
        if (evs.length) {
          const v = visitors.get(e.t) as Visitor;
          // Back in line; this time they answer the call.
          v.noShow = false;
          setWaiting(waiting + 1);
          wake(state.tickets.get(e.t)?.queueId ?? "");
        }
        break;
      }
      default: {
        const never: never = e;
        throw new Error(`unknown simulation event ${(never as { k: string }).k}`);
      }
    }
  }

  const waitingArea = (from: Instant, to: Instant): number => {
    let area = 0;
    for (let i = 0; i < stepAt.length; i++) {
      const a = Math.max(from, stepAt[i] as number);
      const b = Math.min(to, i + 1 < stepAt.length ? (stepAt[i + 1] as number) : now);
      if (b > a) area += (b - a) * (stepCount[i] as number);
    }
    return area;
  };
  return { dayStart, tickets, turnedAway, commands, endAt: now, waitingArea, ...(journal ? { events: journal } : {}) };
}
