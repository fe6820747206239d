/**
 * How far the wait a ticket was given at issue is from the wait it had (until first called):
 * mean absolute error, 90th percentile of the absolute error and bias (estimate − actual,
 * positive = told too long), against the mean wait.
 */
import type { Ticket } from "../contract/tickets.ts";
import { activeServers, type HallState, typicalServiceSec } from "../core/index.ts";
import type { TicketRecord } from "./simulate.ts";

export interface Accuracy {
  n: number;
  meanWaitSec: number;
  maeSec: number;
  p90ErrorSec: number;
  biasSec: number;
  /** MAE as a share of the mean wait (the target is ≤ 0.2). */
  maeShare: number;
  /** Share of the waits inside the interval given with the estimate (NaN without intervals). */
  inRange: number;
  /** Share of the estimates flagged uncertain. */
  uncertain: number;
}

export function percentile(sorted: readonly number[], p: number): number {
  if (sorted.length === 0) return Number.NaN;
  const i = Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1));
  return sorted[i] as number;
}

/** Accuracy of the estimate recorded on each ticket (or of a `compare` estimator by name). */
export function accuracy(tickets: readonly TicketRecord[], estimator?: string): Accuracy {
  const errs: number[] = [];
  let wait = 0;
  let abs = 0;
  let bias = 0;
  let ranged = 0;
  let inside = 0;
  let unsure = 0;
  for (const t of tickets) {
    const est = estimator ? t.alt?.[estimator] : t.estimateSec;
    if (est === undefined || Number.isNaN(est) || Number.isNaN(t.waitSec)) continue;
    if (!estimator && t.range) {
      ranged++;
      // A minute's slack either side: the phone shows whole minutes, rounded to five.
      if (t.waitSec >= t.range.lowSec - 60 && t.waitSec <= t.range.highSec + 60) inside++;
      if (t.range.uncertain) unsure++;
    }
    const e = est - t.waitSec;
    errs.push(Math.abs(e));
    wait += t.waitSec;
    abs += Math.abs(e);
    bias += e;
  }
  const n = errs.length;
  errs.sort((a, b) => a - b);
  const meanWaitSec = n ? wait / n : 0;
  const maeSec = n ? abs / n : 0;
  return {
    n,
    meanWaitSec,
    maeSec,
    p90ErrorSec: percentile(errs, 90),
    biasSec: n ? bias / n : 0,
    maeShare: meanWaitSec > 0 ? maeSec / meanWaitSec : 0,
    inRange: ranged ? inside / ranged : Number.NaN,
    uncertain: n ? unsure / n : 0,
  };
}

/**
 * The estimator the engine had before the simulator measured it (kept to show the gain):
 * people ahead in the same series who will not find a free counter, times the service time,
 * over every open counter that serves the series — as if each gave it all its time.
 */
export function previousEstimate(state: HallState, t: Ticket, ahead: number): number {
  if (t.status !== "waiting") return 0;
  const { active, idle } = t.targetCounterId
    ? { active: 1, idle: state.counters.get(t.targetCounterId)?.view.status === "idle" ? 1 : 0 }
    : activeServers(state, t.queueId);
  if (ahead === 0 && idle > 0) return 0;
  const svc = typicalServiceSec(state, t.queueId);
  const queued = Math.max(0, ahead + 1 - idle);
  const raw = (queued * svc) / Math.max(1, active);
  const floor = ahead > 0 ? svc : Math.min(svc, 60);
  return Math.round(Math.max(raw, floor));
}
