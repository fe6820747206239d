/**
 * The supervisor's alarms and advice, as pure functions over plain data (no clock, no I/O):
 * the service (alarms/service.ts) feeds them the hall's figures and the hub's time.
 *
 * Alarms: `evaluate` compares the hall now with the catalogue's thresholds and with the
 * alarms already raised, and says which were raised and which cleared.
 *
 * Advice: per series, the arrival rate and the service time give the offered load; Erlang C
 * (core/erlang.ts) says how many counters keep the expected wait under the series' target;
 * that is compared with the counters serving it now, and counters whose own series can
 * spare them are proposed to move.
 */
import type { Advice, AdviceMove, Alarm, AlarmKind, SeriesAdvice } from "../contract/alarms.ts";
import type { Catalogue, Counter, Queue } from "../contract/catalogue.ts";
import type { CounterStatus, Instant } from "../contract/tickets.ts";
import { erlangCWait } from "../core/erlang.ts";

export const DEFAULT_PAUSE_ALARM_MIN = 15;
export const DEFAULT_IDLE_ALARM_SEC = 120;

// ---- alarms -------------------------------------------------------------------------------

/** The hall now, as far as alarms need it (from the live figures). */
export interface FloorView {
  now: Instant;
  queues: readonly { queueId: string; waiting: number; longestWaitSec: number }[];
  counters: readonly { counterId: string; status: CounterStatus | "offline"; pausedAt?: Instant }[];
}

/** What the alarms remember between evaluations. */
export interface AlarmBook {
  /** Raised and not cleared, by `<kind>:<subject>`. */
  active: ReadonlyMap<string, Alarm>;
  /** When a condition without a time of its own (a long line, an idle counter) was first seen true. */
  seen: ReadonlyMap<string, Instant>;
}

export function emptyBook(): AlarmBook {
  return { active: new Map(), seen: new Map() };
}

/** A series' thresholds, defaults applied (0 = off). */
export function queueThresholds(q: Queue): { waitMin: number; waiting: number; targetMin: number } {
  return { waitMin: q.waitAlarmMin, waiting: q.waitingAlarm ?? 0, targetMin: q.waitTargetMin ?? Math.max(1, q.waitAlarmMin / 2) };
}

/** A counter's thresholds: its own, else the hall's, else the defaults (0 = off). */
export function counterThresholds(cat: Catalogue, c: Counter): { pauseMin: number; idleSec: number } {
  return {
    pauseMin: c.pauseAlarmMin ?? cat.hall.pauseAlarmMin ?? DEFAULT_PAUSE_ALARM_MIN,
    idleSec: c.idleAlarmSec ?? cat.hall.idleAlarmSec ?? DEFAULT_IDLE_ALARM_SEC,
  };
}

type Found = Omit<Alarm, "id" | "acknowledged">;

/**
 * Raise what passed its threshold, clear what no longer holds. An alarm that holds on keeps
 * its id, its `since` and its acknowledgement; one that comes back is a new alarm.
 * `changed`: the new alarms, and the cleared ones with `clearedAt`.
 */
export function evaluate(cat: Catalogue, book: AlarmBook, view: FloorView): { book: AlarmBook; changed: Alarm[] } {
  const now = view.now;
  const seen = new Map<string, Instant>();
  const found = new Map<string, Found>();
  /** First time this key's condition was seen (kept while it holds). */
  const firstSeen = (key: string): Instant => {
    const at = book.seen.get(key) ?? now;
    seen.set(key, at);
    return at;
  };
  const queues = new Map(cat.queues.map((q) => [q.id, q]));
  const waiting = new Map<string, number>();
  for (const s of view.queues) {
    const q = queues.get(s.queueId);
    if (!q) continue;
    waiting.set(q.id, s.waiting);
    const th = queueThresholds(q);
    // As the wall's own alarm (core/views.ts): strictly longer than the threshold.
    if (th.waitMin > 0 && s.waiting > 0 && s.longestWaitSec > th.waitMin * 60) {
      const startedAt = now - s.longestWaitSec * 1000;
      found.set(`wait:${q.id}`, {
        kind: "wait",
        queueId: q.id,
        startedAt,
        since: startedAt + th.waitMin * 60_000,
        value: Math.floor(s.longestWaitSec / 60),
        threshold: th.waitMin,
      });
    }
    if (th.waiting > 0 && s.waiting >= th.waiting) {
      const at = firstSeen(`waiting:${q.id}`);
      found.set(`waiting:${q.id}`, {
        kind: "waiting",
        queueId: q.id,
        startedAt: at,
        since: at,
        value: s.waiting,
        threshold: th.waiting,
      });
    }
  }
  const counters = new Map(cat.counters.map((c) => [c.id, c]));
  for (const v of view.counters) {
    const c = counters.get(v.counterId);
    if (!c) continue;
    const th = counterThresholds(cat, c);
    if (v.status === "paused" && v.pausedAt !== undefined && th.pauseMin > 0 && now - v.pausedAt > th.pauseMin * 60_000) {
      found.set(`pause:${c.id}`, {
        kind: "pause",
        counterId: c.id,
        startedAt: v.pausedAt,
        since: v.pausedAt + th.pauseMin * 60_000,
        value: Math.floor((now - v.pausedAt) / 60_000),
        threshold: th.pauseMin,
      });
    }
    // Idle: signed in, nothing called, not paused, while its series have people waiting.
    if (v.status === "idle" && th.idleSec > 0 && c.profile.queueIds.some((q) => (waiting.get(q) ?? 0) > 0)) {
      const at = firstSeen(`idle:${c.id}`);
      if (now - at >= th.idleSec * 1000)
        found.set(`idle:${c.id}`, {
          kind: "idle",
          counterId: c.id,
          startedAt: at,
          since: at + th.idleSec * 1000,
          value: Math.floor((now - at) / 1000),
          threshold: th.idleSec,
        });
    }
  }
  const active = new Map<string, Alarm>();
  const changed: Alarm[] = [];
  for (const [key, f] of found) {
    const old = book.active.get(key);
    if (old) {
      active.set(key, old);
      continue;
    }
    const a: Alarm = { id: alarmId(f.kind, f.queueId ?? f.counterId ?? "", f.since), ...f, acknowledged: false };
    active.set(key, a);
    changed.push(a);
  }
  for (const [key, old] of book.active) if (!found.has(key)) changed.push({ ...old, clearedAt: now });
  return { book: { active, seen }, changed };
}

function alarmId(kind: AlarmKind, subject: string, since: Instant): string {
  return `${kind}-${subject}-${Math.round(since)}`;
}

/** The book with alarm `id` acknowledged by `by`; undefined when no active alarm has that id. */
export function acknowledge(book: AlarmBook, id: string, by: string, at: Instant): { book: AlarmBook; alarm: Alarm } | undefined {
  for (const [key, a] of book.active) {
    if (a.id !== id) continue;
    const alarm: Alarm = { ...a, acknowledged: true, ack: { by, at } };
    const active = new Map(book.active);
    active.set(key, alarm);
    return { book: { active, seen: book.seen }, alarm };
  }
  return undefined;
}

/** The active alarms, oldest first. */
export function activeAlarms(book: AlarmBook): Alarm[] {
  return [...book.active.values()].sort((a, b) => a.since - b.since || a.id.localeCompare(b.id));
}

/** An alarm as the public wall gets it: who acknowledged it is left out. */
export function publicAlarm(a: Alarm): Alarm {
  const { ack: _ack, ...rest } = a;
  return rest;
}

// ---- advice -------------------------------------------------------------------------------

/** Today's figures of one series. */
export interface SeriesFigures {
  queueId: string;
  /** Tickets issued in the last 30 and the last 60 minutes. */
  issued30: number;
  issued60: number;
  waiting: number;
  /** Tickets finished today (done or no-show after a call) and the seconds counters spent on them. */
  served: number;
  busySec: number;
}

export interface AdviceInput {
  now: Instant;
  series: readonly SeriesFigures[];
  counters: readonly { counterId: string; status: CounterStatus | "offline" }[];
}

/**
 * The default service time counts as this many tickets: a morning's first two quick
 * tickets do not make a 15-minute series look like a 1-minute one.
 */
export const SERVICE_PRIOR_TICKETS = 5;

/** Seconds per ticket: today's measure blended with the default, never below a quarter of it. */
export function serviceSec(f: Pick<SeriesFigures, "served" | "busySec">, defaultSec: number): number {
  const blended = (f.busySec + SERVICE_PRIOR_TICKETS * defaultSec) / (f.served + SERVICE_PRIOR_TICKETS);
  return Math.max(blended, defaultSec / 4);
}

/** Arrivals per second: the higher of the last 30 and the last 60 minutes' rates (a rising line shows at once). */
export function arrivalRate(f: Pick<SeriesFigures, "issued30" | "issued60">): number {
  return Math.max(f.issued30 / 1800, f.issued60 / 3600);
}

/**
 * Expected wait (seconds) of a newcomer with `servers` counters' worth serving the series:
 * Erlang C at λ and mean service S, and at least the line already waiting shared among
 * them (w·S/servers). A fraction of a counter (a window shared with other series) is
 * counted as ⌈servers⌉ slower counters of the same total capacity. Infinity when more
 * arrive than can be served.
 */
export function expectedWaitSec(servers: number, lambda: number, svc: number, waiting: number): number {
  if (servers <= 0) return lambda > 0 || waiting > 0 ? Number.POSITIVE_INFINITY : 0;
  const c = Math.ceil(servers - 1e-9);
  const slower = (svc * c) / servers;
  const a = lambda * slower;
  const queueing = lambda === 0 ? 0 : a >= c ? Number.POSITIVE_INFINITY : erlangCWait(c, a / c, slower);
  return Math.max(queueing, (waiting * svc) / servers);
}

/** Most counters the advice ever asks for one series. */
const MAX_SERVERS = 500;

/** Fewest whole counters whose expected wait is at most `targetSec`. */
export function countersNeeded(lambda: number, svc: number, waiting: number, targetSec: number): number {
  if (lambda <= 0 && waiting <= 0) return 0;
  const lower = Math.max(1, Math.floor(lambda * svc), Math.ceil((waiting * svc) / targetSec) - 1);
  for (let c = lower; c <= MAX_SERVERS; c++) if (expectedWaitSec(c, lambda, svc, waiting) <= targetSec) return c;
  return MAX_SERVERS;
}

const OPEN: ReadonlySet<string> = new Set(["idle", "calling", "serving"]);
const EPS = 0.05;

interface Working {
  counter: Counter;
  status: string;
  queueIds: string[];
}

/**
 * Each series' counters' worth: every open counter serving it, for the share of its time
 * the series gets. A counter serving several series splits its time by their pull — the
 * counters each needs per open counter serving it — as the engine's longest-wait-first
 * pick roughly does; with no pull anywhere, evenly.
 */
function capacity(work: readonly Working[], needed: ReadonlyMap<string, number>): Map<string, number> {
  const open = new Map<string, number>();
  for (const w of work) if (OPEN.has(w.status)) for (const q of w.queueIds) open.set(q, (open.get(q) ?? 0) + 1);
  const pull = (q: string) => (needed.get(q) ?? 0) / Math.max(1, open.get(q) ?? 0);
  const out = new Map<string, number>();
  for (const w of work) {
    if (!OPEN.has(w.status)) continue;
    for (const [q, share] of shares(w.queueIds, pull)) out.set(q, (out.get(q) ?? 0) + share);
  }
  return out;
}

function shares(queueIds: readonly string[], pull: (q: string) => number): Map<string, number> {
  const total = queueIds.reduce((s, q) => s + pull(q), 0);
  return new Map(queueIds.map((q) => [q, total > 0 ? pull(q) / total : 1 / queueIds.length]));
}

const round1 = (x: number) => Math.round(x * 10) / 10;
const minutes = (sec: number) => (Number.isFinite(sec) ? round1(sec / 60) : null);

/**
 * Per series: how many counters it needs, how many it has, and which counters to move to it.
 * Series are served largest shortfall first; a counter is proposed once, and only when
 * every other series it serves keeps what it needs without it. Among those, the counters
 * whose series are least loaded go first, then idle ones, then those serving fewer series.
 */
export function advise(cat: Catalogue, input: AdviceInput): Advice {
  const figures = new Map(input.series.map((s) => [s.queueId, s]));
  const status = new Map(input.counters.map((c) => [c.counterId, c.status]));
  const load = new Map<string, { lambda: number; svc: number; waiting: number; target: number; measured: number }>();
  const needed = new Map<string, number>();
  for (const q of cat.queues) {
    const f = figures.get(q.id) ?? { queueId: q.id, issued30: 0, issued60: 0, waiting: 0, served: 0, busySec: 0 };
    const l = {
      lambda: arrivalRate(f),
      svc: serviceSec(f, q.defaultServiceSec),
      waiting: f.waiting,
      target: queueThresholds(q).targetMin * 60,
      measured: f.served,
    };
    load.set(q.id, l);
    needed.set(q.id, countersNeeded(l.lambda, l.svc, l.waiting, l.target));
  }
  const work: Working[] = cat.counters.map((c) => ({
    counter: c,
    status: status.get(c.id) ?? "closed",
    queueIds: [...c.profile.queueIds],
  }));
  const before = capacity(work, needed);
  const shortfall = (q: string, cap: ReadonlyMap<string, number>) => (needed.get(q) ?? 0) - (cap.get(q) ?? 0);
  const order = cat.queues.map((q) => q.id).sort((a, b) => shortfall(b, before) - shortfall(a, before) || a.localeCompare(b));
  const moved = new Set<string>();
  const result: SeriesAdvice[] = [];
  for (const q of order) {
    const l = load.get(q) as { lambda: number; svc: number; waiting: number; target: number; measured: number };
    const moves: AdviceMove[] = [];
    let cap = capacity(work, needed);
    const capNow = before.get(q) ?? 0;
    while (shortfall(q, cap) > EPS) {
      const pick = bestDonor(q, work, cap, needed, load, moved);
      if (!pick) break;
      moves.push({ counterId: pick.counter.id, from: [...pick.queueIds], to: [q] });
      moved.add(pick.counter.id);
      pick.queueIds = [q];
      cap = capacity(work, needed);
    }
    const after = cap.get(q) ?? 0;
    result.push({
      queueId: q,
      arrivalsPerHour: round1(l.lambda * 3600),
      serviceSec: Math.round(l.svc),
      measured: l.measured,
      waiting: l.waiting,
      targetMin: round1(l.target / 60),
      counters: work.filter((w) => OPEN.has(w.status) && w.counter.profile.queueIds.includes(q)).map((w) => w.counter.id),
      servers: round1(capNow),
      needed: needed.get(q) ?? 0,
      expectedWaitMin: minutes(expectedWaitSec(capNow, l.lambda, l.svc, l.waiting)),
      moves,
      expectedWaitAfterMin: minutes(expectedWaitSec(after, l.lambda, l.svc, l.waiting)),
      short: Math.max(0, Math.ceil(shortfall(q, cap) - EPS)),
    });
  }
  const rank = new Map(order.map((q, i) => [q, i]));
  result.sort((a, b) => (rank.get(a.queueId) ?? 0) - (rank.get(b.queueId) ?? 0));
  return { at: input.now, series: result };
}

/** The open counter that best moves to series `q`, or none that can be spared. */
function bestDonor(
  q: string,
  work: readonly Working[],
  cap: ReadonlyMap<string, number>,
  needed: ReadonlyMap<string, number>,
  load: ReadonlyMap<string, { lambda: number; svc: number }>,
  moved: ReadonlySet<string>,
): Working | undefined {
  const open = new Map<string, number>();
  for (const w of work) if (OPEN.has(w.status)) for (const x of w.queueIds) open.set(x, (open.get(x) ?? 0) + 1);
  const pull = (x: string) => (needed.get(x) ?? 0) / Math.max(1, open.get(x) ?? 0);
  let best: { w: Working; busiest: number } | undefined;
  for (const w of work) {
    if (!OPEN.has(w.status) || moved.has(w.counter.id)) continue;
    const share = shares(w.queueIds, pull);
    if (1 - (share.get(q) ?? 0) < EPS) continue;
    let spare = true;
    // How loaded the counter's other series are (offered load per counter's worth): the least loaded give first.
    let busiest = 0;
    for (const x of w.queueIds) {
      if (x === q) continue;
      const left = (cap.get(x) ?? 0) - (share.get(x) ?? 0);
      if (left < (needed.get(x) ?? 0) - EPS) spare = false;
      const lx = load.get(x);
      const offered = lx ? lx.lambda * lx.svc : 0;
      busiest = Math.max(busiest, offered / Math.max(left, EPS));
    }
    if (!spare) continue;
    if (!best || better({ w, busiest }, best)) best = { w, busiest };
  }
  return best?.w;
}

function better(a: { w: Working; busiest: number }, b: { w: Working; busiest: number }): boolean {
  if (Math.abs(a.busiest - b.busiest) > 1e-9) return a.busiest < b.busiest;
  const idle = (x: Working) => (x.status === "idle" ? 0 : 1);
  if (idle(a.w) !== idle(b.w)) return idle(a.w) < idle(b.w);
  if (a.w.queueIds.length !== b.w.queueIds.length) return a.w.queueIds.length < b.w.queueIds.length;
  return a.w.counter.number < b.w.counter.number;
}
