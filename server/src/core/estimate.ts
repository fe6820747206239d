import type { Counter } from "../contract/catalogue.ts";
import type { Instant } from "../contract/tickets.ts";
import type { HallState } from "./state.ts";
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
