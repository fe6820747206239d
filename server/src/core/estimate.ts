import { type Counter, PRIORITY_CLASSES, type PriorityClass } from "../contract/catalogue.ts";
import type { Instant, Ticket } from "../contract/tickets.ts";
import { APPOINTMENT_EARLY_MS, type HallState, type Lines, lineOrder } from "./state.ts";
import { localParts, minutesOf } from "./time.ts";

/**
 * Capacity over time for the wait estimate: the counters of a ticket's pool open and close
 * through the day by their break plans (`Counter.breaks`, the catalogue's 午休 rota), so the
 * work ahead of a ticket is served at a rate that changes at known instants. Without a plan
 * the rate is constant and this is work ÷ servers, the estimator's old formula.
 */

/** One open counter of a pool and the share of its time the ticket's series gets. */
export interface PoolCounter {
  counter: Counter;
  share: number;
}

export interface ServeTime {
  /** Seconds until the pool has done `work` counter-seconds. */
  sec: number;
  /** A planned break of a pool counter begins or ends within that time. */
  breakWithin: boolean;
}

const plans = new WeakMap<Counter, [number, number][]>();

/** The counter's breaks as [from, to) minutes after local midnight, parsed once per catalogue entry. */
function plan(c: Counter): [number, number][] {
  let p = plans.get(c);
  if (!p) {
    p = (c.breaks ?? []).map((b) => [minutesOf(b.from), minutesOf(b.to)] as [number, number]).sort((a, b) => a[0] - b[0]);
    plans.set(c, p);
  }
  return p;
}

/** Minutes after local midnight, with the seconds (zone offsets are whole minutes). */
function localMinute(state: HallState, at: Instant): number {
  const p = localParts(at, state.catalogue.hall.timeZone);
  return p.hour * 60 + p.minute + (((at % 60_000) + 60_000) % 60_000) / 60_000;
}

/** Is the counter inside one of its planned breaks at `now`? */
export function onPlannedBreak(state: HallState, c: Counter, now: Instant): boolean {
  const p = plan(c);
  return p.length > 0 && onBreak(p, localMinute(state, now));
}

function onBreak(p: readonly [number, number][], m: number): boolean {
  for (const [f, t] of p) if (m >= f && m < t) return true;
  return false;
}

/**
 * How long the pool takes for `work` counter-seconds from `now`: the rate at any moment is the
 * sum of the shares of the counters not on a planned break. A paused counter inside a planned
 * break is back at its end; one paused outside any plan is counted as working (a clerk away for
 * a moment is back before most of the line is through). `fallbackRate` is used when nobody
 * would ever serve (the caller's "one counter will open").
 */
export function serveTime(
  state: HallState,
  pool: readonly PoolCounter[],
  work: number,
  now: Instant,
  fallbackRate: number,
  lateMin: number,
): ServeTime {
  let planned = false;
  for (const x of pool) if (plan(x.counter).length) planned = true;
  if (!planned) {
    let rate = 0;
    for (const x of pool) rate += x.share;
    return { sec: work / (rate > 0 ? rate : fallbackRate), breakWithin: false };
  }
  const m0 = localMinute(state, now);
  // Each counter's breaks from now on. A break still ahead starts late by `lateMin` (at most
  // half its length): a clerk busy when it comes finishes that visitor first.
  const spans = pool.map((x) =>
    plan(x.counter).map(([f, t]): [number, number] => (f > m0 ? [Math.min(f + lateMin, (f + t) / 2), t] : [f, t])),
  );
  // Instants (minutes) where some pool counter's availability changes, ahead of now.
  const cuts = new Set<number>();
  for (const p of spans) for (const [f, t] of p) for (const v of [f, t]) if (v > m0) cuts.add(v);
  const edges = [...cuts].sort((a, b) => a - b);
  const rateAt = (m: number): number => {
    let r = 0;
    pool.forEach((x, i) => {
      if (!onBreak(spans[i] as [number, number][], m)) r += x.share;
    });
    return r;
  };
  let left = work;
  let at = m0;
  let breakWithin = false;
  for (const e of edges) {
    // Mid-segment: availability is constant inside it. Nothing left to serve still needs a
    // counter there to call the ticket.
    const rate = rateAt((at + e) / 2);
    const span = (e - at) * 60;
    if (rate > 0 && rate * span >= left) return { sec: (at - m0) * 60 + left / rate, breakWithin };
    left -= rate * span;
    at = e;
    breakWithin = true;
  }
  const rate = rateAt(at + 1);
  return { sec: (at - m0) * 60 + left / (rate > 0 ? rate : fallbackRate), breakWithin };
}

/** Seconds until the series stops issuing today (its issuing hours; none: never). */
export function issuingLeftSec(state: HallState, queueId: string, now: Instant): number {
  const hours = state.index.queues.get(queueId)?.hours ?? [];
  if (hours.length === 0) return Number.POSITIVE_INFINITY;
  const m = localMinute(state, now);
  let left = 0;
  // `to` is inclusive to the minute (core/time.ts withinWindows).
  for (const w of hours)
    if (m >= minutesOf(w.from) && m < minutesOf(w.to) + 1) left = Math.max(left, (minutesOf(w.to) + 1 - m) * 60);
  return left;
}

/**
 * The engine's own call order, played forward: every open counter of the hall calls by
 * `pickNext`'s rule (its work profile, its weighted round robin credits, the longest-waiting
 * ticket of each class, appointments from 15 minutes before their slot) and spends the series'
 * mean cycle on each visitor, going on and coming back from its planned breaks. A ticket's
 * estimate is the moment its turn comes in that order. Deterministic for a sequence of
 * states, and only what the hub knows now: the mean cycles measured today (never the actual
 * service times), and newcomers at the rate the hall's arrival profile (learned from past
 * days, {@link useArrivalProfile}) or else the last hour's pace expects (they only matter where
 * a class goes before the ticket or takes turns in a window's round robin). One projection
 * serves every ticket of a state, and later states for a second while only normal tickets
 * are issued ({@link REUSE_MS}); a probe (a ticket not yet in line) and tickets issued since
 * are answered from their line's tail ({@link projectedCall}). Measured on the reference days:
 * MAE 27 → 23.7 % of the mean wait (median of five days) against the capacity-share formula
 * it replaces, 22.6 % with the learned profile (docs/simulation.md).
 */
export interface Projection {
  /** Seconds from `now` until each projected ticket is called. */
  callSec: Map<string, number>;
  /** Calls before each ticket's, counted at the counters that call it (its "people ahead"). */
  before: Map<string, number>;
  /** Tickets whose projected wait crosses a planned break of the counter that calls them. */
  breakWithin: Set<string>;
  /** Stopped after MAX_CALLS calls with tickets left. */
  cut: boolean;
  /** Seconds from now of its last call. */
  endSec: number;
  /** How many tickets at the front of each line the projection took. */
  takenIn: Map<readonly Ticket[], number>;
  probe?: Ticket;
  probeLine?: readonly Ticket[];
}

interface ProjCounter {
  c: Counter;
  lines: Lines[];
  credits: Record<PriorityClass, number>;
  free: number;
  calls: number;
}

/**
 * What the estimate of one ticket needs from a projection: seconds from now until it is
 * called, the calls before it at the counters that call it, and whether a planned break falls
 * inside its wait.
 */
export interface ProjectedCall {
  sec: number;
  before: number;
  breakWithin: boolean;
}

/**
 * A projection kept for later states of the hall: the state's own (every ticket waiting then),
 * and per line the "tail" — that line with {@link TAIL} newcomers appended, computed when a
 * ticket beyond the state's projection (a probe, or one issued since) is first asked about.
 */
interface Base {
  events: number;
  issued: number;
  /** Green and appointment tickets issued by then: one issued since goes ahead of others. */
  ahead: number;
  waiting: number;
  now: Instant;
  /** The state's projection, made when a ticket waiting then is first asked about (an issue alone needs only its line's tail). */
  p?: Projection;
  /** Length of each line when the base was made (tickets beyond it were issued since). */
  lengths: Map<readonly Ticket[], number>;
  tails: Map<readonly Ticket[], Tail>;
}

interface Tail {
  p: Projection;
  now: Instant;
  /** The line's length when the tail was made: its newcomers stand at that index and on. */
  length: number;
  ghosts: Ticket[];
}

const bases = new WeakMap<HallState, Base>();

/**
 * How long a projection serves later states in which only tickets were issued. Projecting is
 * the estimate's cost (≈ 0.5 ms at 150 windows, up to {@link MAX_CALLS} calls); done after every
 * event, it made each issue 16× dearer on a busy day (bench/issue.ts). An issue only adds a
 * ticket at the end of a line, which the projection's tails already hold, so for a second the
 * kept projection answers with the time that has passed taken off: an estimate stale by at
 * most a second (phone pages, the display and the kiosk show minutes). Any other event (a
 * call, a finish, a pause) makes a fresh one. The estimate then depends on when the projection
 * was last made, not only on the state; what a ticket was told at issue is journaled with it,
 * so a replay gives the same figures.
 */
const REUSE_MS = 1000;

/** Newcomers a line's tail projection plays after its last ticket at most; beyond them, their pace. */
const TAIL = 64;

function waitingTotal(state: HallState): number {
  let n = 0;
  for (const l of state.lines.values()) n += l.green.length + l.appointment.length + l.normal.length;
  for (const l of state.targeted.values()) n += l.green.length + l.appointment.length + l.normal.length;
  return n;
}

function aheadIssued(state: HallState): number {
  return state.agg.issuedByClass.green + state.agg.issuedByClass.appointment;
}

function baseOf(state: HallState, now: Instant): Base {
  const hit = bases.get(state);
  const waiting = waitingTotal(state);
  if (hit && now >= hit.now && now - hit.now <= REUSE_MS) {
    // Only normal tickets issued since (each adds one event, one ticket issued and one
    // waiting): they come after everyone. A green or appointment ticket may go before
    // tickets waiting: a fresh projection.
    const issued = state.agg.issued - hit.issued;
    if (state.eventCount - hit.events === issued && waiting - hit.waiting === issued && aheadIssued(state) === hit.ahead)
      return hit;
  }
  const lengths = new Map<readonly Ticket[], number>();
  for (const l of state.lines.values()) for (const c of PRIORITY_CLASSES) lengths.set(l[c], l[c].length);
  const b: Base = {
    events: state.eventCount,
    issued: state.agg.issued,
    ahead: aheadIssued(state),
    waiting,
    now,
    lengths,
    tails: new Map(),
  };
  bases.set(state, b);
  return b;
}

/**
 * When `t` is likely called: a ticket waiting when the kept projection was made is looked up
 * in it; one issued since, or a probe (a ticket being issued, not in line yet: it comes after
 * everyone), in its line's tail — the projection with newcomers appended to that line, each
 * played exactly as the engine would call a ticket issued now (the first of them is the
 * probe's own projection: test/server/core/estimate-cache.test.ts). An appointment gets a
 * projection of its own (its slot decides when it goes ahead). Undefined when the projection
 * never reaches it (nobody serves it).
 */
export function projectedCall(
  state: HallState,
  now: Instant,
  cycle: (queueId: string) => number,
  t: Ticket,
): ProjectedCall | undefined {
  const b = baseOf(state, now);
  const listed = state.tickets.get(t.id) === t;
  const elapsed = (now - b.now) / 1000;
  const found = (p: Projection, id: string, from: Instant): ProjectedCall | undefined => {
    const at = p.callSec.get(id);
    if (at === undefined) return undefined;
    return {
      sec: Math.max(0, at - (now - from) / 1000),
      before: p.before.get(id) ?? 0,
      breakWithin: p.breakWithin.has(id),
    };
  };
  const stateProjection = (): Projection => {
    if (!b.p) b.p = project(state, b.now, cycle);
    return b.p;
  };
  const cls = (t.priority ?? "normal") as PriorityClass;
  const lines = t.targetCounterId ? state.targeted.get(t.targetCounterId) : state.lines.get(t.queueId);
  const line = lines?.[cls];
  if (!line) return undefined;
  const place = listed ? countBefore(line, t) : line.length;
  const atBase = b.lengths.get(line);
  if (t.targetCounterId || atBase === undefined || place < atBase) {
    // Waiting when the base was made: in the state's projection, or beyond its calls at its
    // line's pace.
    if (!listed) return undefined;
    const p = stateProjection();
    const hit = found(p, t.id, b.now);
    if (hit) return hit;
    const sec = paced(p, line, place + 1);
    return sec === undefined ? undefined : { sec: Math.max(0, sec - elapsed), before: place, breakWithin: false };
  }
  if (cls === "appointment") {
    const own = project(state, now, cycle, listed ? undefined : t, listed ? t : undefined);
    const hit = found(own, t.id, now);
    if (hit) return hit;
    const sec = paced(own, own.probeLine ?? line, place + 1);
    return sec === undefined ? undefined : { sec, before: place, breakWithin: false };
  }
  let tail = b.tails.get(line);
  if (!tail || (place - tail.length >= tail.ghosts.length && tail.ghosts.length < TAIL)) {
    // The line's newcomers, after everyone waiting now (issued at this instant, in order): one
    // (the probe's own projection), and 64 when a second issue for the line comes before any
    // other event (a burst, a benchmark), so the next ones are lookups.
    const size = tail ? TAIL : 1;
    const ghosts = Array.from(
      { length: size },
      (_, i) =>
        ({
          id: `\u0000tail${i}`,
          queueId: t.queueId,
          priority: cls,
          arrivalAt: now,
          issuedAt: now,
          seq: Number.MAX_SAFE_INTEGER - size + i,
          status: "waiting",
        }) as Ticket,
    );
    tail = { p: project(state, now, cycle, undefined, undefined, ghosts), now, length: line.length, ghosts };
    b.tails.set(line, tail);
  }
  if (listed && place < tail.length) {
    const hit = found(tail.p, t.id, tail.now);
    if (hit) return hit;
  }
  const k = place - tail.length;
  const n = tail.ghosts.length;
  // A ticket in line when the tail was made that it did not reach (cut): its line's pace below.
  const ghost = k >= 0 ? (tail.ghosts[Math.min(k, n - 1)] as Ticket) : undefined;
  const hit = ghost ? found(tail.p, ghost.id, tail.now) : undefined;
  if (hit && k < n) return hit;
  if (hit && n > 1) {
    // Beyond the tail's newcomers (a burst of more than TAIL tickets for one line within a
    // second): at the pace they were called.
    const first = tail.p.callSec.get((tail.ghosts[0] as Ticket).id) ?? 0;
    const gap = (hit.sec + (now - tail.now) / 1000 - first) / (n - 1);
    return { ...hit, sec: hit.sec + (k - n + 1) * gap, before: hit.before + k - n + 1 };
  }
  const sec = paced(tail.p, tail.p.probeLine ?? line, place + 1);
  return sec === undefined ? undefined : { sec: Math.max(0, sec - (now - tail.now) / 1000), before: place, breakWithin: false };
}

/**
 * Seconds until the `place`-th of a line is called when the projection stopped after
 * {@link MAX_CALLS} calls before it (so a line of thousands costs no more than a few hundred
 * steps): its place × the time per ticket of that line so far. Undefined when the projection
 * took nobody of its line (nobody serves it) or was not cut.
 */
function paced(p: Projection, line: readonly Ticket[], place: number): number | undefined {
  if (!p.cut) return undefined;
  const taken = p.takenIn.get(line) ?? 0;
  if (taken === 0 || p.endSec <= 0) return undefined;
  return p.endSec * Math.max(1, place / taken);
}

/** The probe's own projection, played to its call (what {@link projectedCall} stands in for; for tests). */
export function probeProjection(
  state: HallState,
  now: Instant,
  cycle: (queueId: string) => number,
  probe: Ticket,
): number | undefined {
  const p = project(state, now, cycle, probe);
  return p.callSec.get(probe.id) ?? paced(p, p.probeLine ?? [], (p.probeLine ?? []).length);
}

/** Tickets of a sorted line that come before `t` in line order (lines are kept sorted: binary search). */
export function countBefore(line: readonly Ticket[], t: Ticket): number {
  let lo = 0;
  let hi = line.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (lineOrder(line[mid] as Ticket, t) < 0) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

/** Calls a projection plays at most (see {@link projectedCallSec}). */
const MAX_CALLS = 300;

/**
 * Plays the call order forward from `now`. `probe` (a ticket not in line yet) or `ghosts`
 * (newcomers of one line) are appended to their line, and the play stops when the last of
 * them is called; `stopAt` (a ticket in line) stops it at that ticket's call.
 */
function project(
  state: HallState,
  now: Instant,
  cycle: (queueId: string) => number,
  probe?: Ticket,
  stopAt?: Ticket,
  ghosts?: readonly Ticket[],
): Projection {
  const added = probe ? [probe] : (ghosts ?? []);
  const last = stopAt ?? added[added.length - 1];
  const from = new Map<readonly Ticket[], number>();
  const out: Projection = {
    callSec: new Map(),
    before: new Map(),
    breakWithin: new Set(),
    cut: false,
    endSec: 0,
    takenIn: from,
    ...(probe ? { probe } : {}),
  };
  const m0 = localMinute(state, now);
  const toMin = (at: number) => m0 + (at - now) / 60_000;
  const fromMin = (m: number) => now + (m - m0) * 60_000;
  /** The first instant ≥ at when the counter is not on a planned break. */
  const available = (c: Counter, at: number): number => {
    const p = plan(c);
    if (!p.length) return at;
    let m = toMin(at);
    for (const [f, t] of p) if (m >= f && m < t) m = t;
    return m === toMin(at) ? at : fromMin(m);
  };
  // Lines with the probe (or the newcomers) added at its end (they came after everyone).
  let probeLines: Lines | undefined;
  const first = added[0];
  if (first) {
    const l = state.lines.get(first.queueId) ?? { green: [], appointment: [], normal: [] };
    const cls = (first.priority ?? "normal") as PriorityClass;
    probeLines = { ...l, [cls]: [...l[cls], ...added] };
    out.probeLine = probeLines[cls];
  }
  const linesOf = (q: string) => (probeLines && first?.queueId === q ? probeLines : state.lines.get(q));
  const counters: ProjCounter[] = [];
  for (const c of state.catalogue.counters) {
    const rt = state.counters.get(c.id);
    const s = rt?.view.status;
    if (!rt || !s || s === "closed") continue;
    const lines: Lines[] = [];
    const tl = state.targeted.get(c.id);
    if (tl) lines.push(tl);
    for (const q of c.profile.queueIds) {
      const l = linesOf(q);
      if (l) lines.push(l);
    }
    // A clerk paused outside any planned break is back after about one service.
    let free = s === "paused" && !onPlannedBreak(state, c, now) ? now + cycle(c.profile.queueIds[0] ?? "") * 1000 : now;
    const cur = rt.view.currentTicketId ? state.tickets.get(rt.view.currentTicketId) : undefined;
    if (cur) {
      const cy = cycle(cur.queueId) * 1000;
      // The visitor at the counter: the mean cycle from the call, and at least a part of it
      // from now (one who has taken long already is not about to leave).
      free = Math.max((cur.calledAt ?? now) + cy, now + cy * REMAINING_SHARE);
    }
    counters.push({ c, lines, credits: { ...rt.credits }, free: available(c, free), calls: 0 });
  }
  // Newcomers arrive at the hall's pace of the last hour (this hour's arrivals and the part of
  // the last one still inside it), shared out by the series' part of today's tickets and the
  // class's part of the hall's (measured: the last hour rather than the day so far, 24.6 →
  // 23.2 %: the morning rush is not the quiet first half hour), until the series stops issuing. Each stream is a line
  // of its own, after everyone waiting: a green newcomer goes before a waiting normal ticket,
  // a normal newcomer only takes its turns in the round robin (measured: normal newcomers
  // too, 26.5 → 24.6 % — they keep the windows that take appointments only when nobody else
  // waits busy).
  const shareOf = (p: PriorityClass) => (state.agg.issued > 0 ? state.agg.issuedByClass[p] / state.agg.issued : 0);
  const streams = new Map<string, Stream[]>();
  const hr = Math.floor(m0 / 60);
  const frac = m0 / 60 - hr;
  const recentPerMin = ((state.agg.arrivalsByHour[hr] ?? 0) + (state.agg.arrivalsByHour[hr - 1] ?? 0) * (1 - frac)) / 60;
  const profile = profiles.get(state);
  for (const [q, queue] of state.index.queues) {
    const n = state.seq.get(q) ?? 0;
    const row = profile?.perQueue[q];
    let perMinAt: (at: number) => number;
    let edgeAfter: (at: number) => number = () => Number.POSITIVE_INFINITY;
    if (profile && row) {
      // The hall's day as past days had it, scaled by how today compares so far.
      const bucketOf = (m: number) => Math.floor((m - profile.fromMin) / profile.bucketMin);
      let expected = 0;
      const b0 = bucketOf(m0);
      for (let b = 0; b < Math.min(b0, row.length); b++) expected += row[b] ?? 0;
      if (b0 >= 0 && b0 < row.length)
        expected += ((row[b0] ?? 0) * (m0 - profile.fromMin - b0 * profile.bucketMin)) / profile.bucketMin;
      const scale = (n + PROFILE_PRIOR) / (expected + PROFILE_PRIOR);
      perMinAt = (at) => ((row[bucketOf(toMin(at))] ?? 0) / profile.bucketMin) * scale;
      edgeAfter = (at) => fromMin(profile.fromMin + (bucketOf(toMin(at)) + 1) * profile.bucketMin);
    } else {
      if (n < MIN_ISSUED_FOR_PACE) continue;
      const open = queue.hours.length ? Math.min(...queue.hours.map((h) => minutesOf(h.from))) : m0 - 60;
      const ranMin = m0 - open;
      if (ranMin < 15) continue;
      const r = recentPerMin * (n / Math.max(1, state.agg.issued));
      perMinAt = () => r;
    }
    const until = now + issuingLeftSec(state, q, now) * 1000;
    const out: Stream[] = [];
    for (const p of PRIORITY_CLASSES) {
      const share = state.agg.issued >= MIN_ISSUED_FOR_PACE || !profile ? shareOf(p) : profile.priority[p];
      if (share <= 0) continue;
      const v: Stream = { queueId: q, cls: p, perMin: (at) => perMinAt(at) * share, edgeAfter, next: now, until };
      const r0 = v.perMin(now);
      if (r0 > 0) v.next = now + 60_000 / r0 / 2;
      else advance(v);
      if (v.next < until) out.push(v);
    }
    if (out.length) streams.set(q, out);
  }
  const taken = new Set<Ticket>();
  const heap = new MinHeap<ProjCounter>((a, b) => a.free - b.free);
  for (const x of counters) heap.push(x);
  // Where each line's untaken part starts: green and normal lines are taken from the front,
  // appointments mostly so (a due one may go before an earlier one not yet due).
  const firstFree = (line: readonly Ticket[]): Ticket | undefined => {
    let i = from.get(line) ?? 0;
    while (i < line.length && taken.has(line[i] as Ticket)) i++;
    from.set(line, i);
    return line[i];
  };
  const dueAt = (t: Ticket) =>
    t.appointmentAt === undefined ? Number.NEGATIVE_INFINITY : t.appointmentAt - APPOINTMENT_EARLY_MS;
  const headAppt = (line: readonly Ticket[], at: number, due: boolean): Ticket | undefined => {
    if (!firstFree(line)) return undefined;
    for (let i = from.get(line) ?? 0; i < line.length; i++) {
      const t = line[i] as Ticket;
      if (!taken.has(t) && dueAt(t) <= at === due) return t;
    }
    return undefined;
  };
  let left = 0;
  for (const l of state.lines.values()) left += l.green.length + l.appointment.length + l.normal.length;
  for (const l of state.targeted.values()) left += l.green.length + l.appointment.length + l.normal.length;
  left += added.length;
  let guard = left * 16 + counters.length * 16 + 64;
  let calls = 0;
  while (left > 0 && guard-- > 0) {
    if (calls >= MAX_CALLS) {
      out.cut = true;
      break;
    }
    const x = heap.pop();
    if (!x) break;
    const at = x.free;
    const cand: Record<PriorityClass, Ticket | undefined> = { green: undefined, appointment: undefined, normal: undefined };
    let nextDue = Number.POSITIVE_INFINITY;
    const virtual: Partial<Record<PriorityClass, Stream>> = {};
    for (const q of x.c.profile.queueIds)
      for (const v of streams.get(q) ?? [])
        if (v.next < v.until) {
          if (v.next > at) nextDue = Math.min(nextDue, v.next);
          else if (!virtual[v.cls] || (virtual[v.cls] as Stream).next > v.next) virtual[v.cls] = v;
        }
    for (const l of x.lines) {
      cand.green = olderOf(cand.green, firstFree(l.green));
      cand.appointment = olderOf(cand.appointment, headAppt(l.appointment, at, true));
      cand.normal = olderOf(cand.normal, olderOf(firstFree(l.normal), headAppt(l.appointment, at, false)));
    }
    const fresh = (p: PriorityClass) => !cand[p] && virtual[p] !== undefined;
    for (const p of PRIORITY_CLASSES) if (fresh(p)) cand[p] = NEWCOMER;
    const w = x.c.profile.weights;
    const eligible = PRIORITY_CLASSES.filter((p) => cand[p] && w[p] > 0);
    let cls: PriorityClass | undefined;
    if (eligible.length === 0) cls = PRIORITY_CLASSES.find((p) => cand[p]);
    else {
      let total = 0;
      for (const p of eligible) {
        x.credits[p] += w[p];
        total += w[p];
      }
      let best = eligible[0] as PriorityClass;
      for (const p of eligible) if (x.credits[p] > x.credits[best]) best = p;
      x.credits[best] -= total;
      cls = best;
    }
    let pick = cls ? cand[cls] : undefined;
    if (pick === NEWCOMER) {
      // A newcomer takes this counter's time; it is nobody anyone asked about.
      const v = virtual[cls as PriorityClass] as Stream;
      advance(v);
      x.free = available(x.c, at + cycle(v.queueId) * 1000);
      heap.push(x);
      pick = undefined;
      continue;
    }
    if (!pick) {
      // Nothing for this counter now: it looks again when an appointment of its lines falls due.
      for (const l of x.lines)
        for (let i = from.get(l.appointment) ?? 0; i < l.appointment.length; i++) {
          const t = l.appointment[i] as Ticket;
          if (!taken.has(t) && dueAt(t) > at) nextDue = Math.min(nextDue, dueAt(t));
        }
      if (Number.isFinite(nextDue)) {
        x.free = available(x.c, nextDue);
        heap.push(x);
      }
      continue;
    }
    taken.add(pick);
    left--;
    out.callSec.set(pick.id, (at - now) / 1000);
    out.endSec = (at - now) / 1000;
    calls++;
    out.before.set(pick.id, x.calls);
    if (at !== now && plan(x.c).some(([f, t]) => f < toMin(at) && t > m0)) out.breakWithin.add(pick.id);
    x.calls++;
    if (pick === last) break;
    x.free = available(x.c, at + cycle(pick.queueId) * 1000);
    heap.push(x);
  }
  // The fronts taken, up to date (they move on lazily as lines are looked at).
  for (const l of [...from.keys()]) firstFree(l);
  return out;
}

interface Stream {
  queueId: string;
  cls: PriorityClass;
  /** Expected newcomers per minute at an instant. */
  perMin: (at: number) => number;
  /** The next instant after `at` where the rate may change. */
  edgeAfter: (at: number) => number;
  next: number;
  until: number;
}

/** The stream's next newcomer: one interval on at the rate of the moment, or where the rate is back above 0. */
function advance(v: Stream): void {
  let at = v.next;
  for (let i = 0; i < 200 && at < v.until; i++) {
    const r = v.perMin(at);
    if (r > 0) {
      v.next = at + 60_000 / r;
      return;
    }
    at = v.edgeAfter(at);
  }
  v.next = Number.POSITIVE_INFINITY;
}

/**
 * The visitors per series per bucket a hall expects over its day (learned from past days'
 * journals: simulation/history.ts), handed to the estimator as data with
 * {@link useArrivalProfile}.
 */
export interface ArrivalProfile {
  /** Minutes after local midnight where the first bucket begins. */
  fromMin: number;
  bucketMin: number;
  /** Expected visitors per series per bucket. */
  perQueue: Record<string, number[]>;
  /** Share of each class among the visitors (used until today has issued a few tickets). */
  priority: Record<PriorityClass, number>;
}

const profiles = new WeakMap<HallState, ArrivalProfile>();

/** From now on the estimates of `state`'s hall expect newcomers by this profile instead of the last hour's pace. */
export function useArrivalProfile(state: HallState, profile: ArrivalProfile | undefined): void {
  if (profile) profiles.set(state, profile);
  else profiles.delete(state);
  bases.delete(state);
}

/**
 * Visitors that weigh the profile's expectation against today's count when scaling it (measured:
 * 5, 30 or no scaling at all are within 0.2 % of each other on the reference days).
 */
const PROFILE_PRIOR = 30;

/** Tickets a series must have issued today before its pace counts. */
const MIN_ISSUED_FOR_PACE = 5;

/** Stands for a newcomer of a stream among a counter's candidates. */
const NEWCOMER = { id: "\u0000newcomer", arrivalAt: Number.POSITIVE_INFINITY, issuedAt: Number.POSITIVE_INFINITY } as Ticket;

/** Of a busy counter's mean cycle, the least still counted from now. */
const REMAINING_SHARE = 0.3;

function olderOf(a: Ticket | undefined, b: Ticket | undefined): Ticket | undefined {
  if (!a) return b;
  if (!b) return a;
  return a.arrivalAt < b.arrivalAt || (a.arrivalAt === b.arrivalAt && a.issuedAt <= b.issuedAt) ? a : b;
}

/** A binary min-heap (the counters by the instant they are next free). */
class MinHeap<T> {
  private a: T[] = [];
  constructor(private less: (x: T, y: T) => number) {}
  push(x: T): void {
    const a = this.a;
    a.push(x);
    let i = a.length - 1;
    while (i > 0) {
      const p = (i - 1) >> 1;
      if (this.less(a[i] as T, a[p] as T) >= 0) break;
      [a[i], a[p]] = [a[p] as T, a[i] as T];
      i = p;
    }
  }
  pop(): T | undefined {
    const a = this.a;
    const top = a[0];
    const last = a.pop();
    if (a.length && last !== undefined) {
      a[0] = last;
      let i = 0;
      for (;;) {
        const l = 2 * i + 1;
        const r = l + 1;
        let m = i;
        if (l < a.length && this.less(a[l] as T, a[m] as T) < 0) m = l;
        if (r < a.length && this.less(a[r] as T, a[m] as T) < 0) m = r;
        if (m === i) break;
        [a[i], a[m]] = [a[m] as T, a[i] as T];
        i = m;
      }
    }
    return top;
  }
}
