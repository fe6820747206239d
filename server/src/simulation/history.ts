/**
 * Scenarios learned from the hall's own past days (the per-day journals in DATA_DIR/journal):
 * arrivals per series per quarter hour (the mean over the days), each matter's service time
 * as a lognormal fitted to its start-to-finish times, and the share of green-channel and
 * appointment visitors. The planner and `npm run simulate -- --history DIR` simulate with
 * them instead of the reference day's shape. Figures only: no ticket, person or ID leaves here.
 */
import { readdir, readFile } from "node:fs/promises";
import { join } from "node:path";
import type { PriorityClass } from "../contract/catalogue.ts";
import type { ArrivalProfile } from "../core/estimate.ts";
import { type HallEvent, localParts } from "../core/index.ts";
import type { Scenario, ServiceTime } from "./scenario.ts";

export interface LearnedHistory {
  /** Days learned from. */
  days: number;
  /** Minutes after local midnight where the first bucket begins. */
  arrivalsFrom: number;
  bucketMin: number;
  /** Mean visitors per series per bucket over the days. */
  arrivals: Record<string, number[]>;
  /** Fitted per matter that had enough services. */
  service: Record<string, ServiceTime>;
  priority: { green: number; appointment: number };
  /** Tickets issued over all the days. */
  tickets: number;
}

/** Services of a matter needed before its lognormal is fitted (fewer: the configured time is used). */
export const MIN_SERVICES_TO_FIT = 20;

/**
 * Maximum-likelihood lognormal: μ and σ² are the mean and variance of the logarithms; the
 * distribution's mean is e^(μ + σ²/2) and its coefficient of variation √(e^σ² − 1).
 */
export function fitLognormal(samples: readonly number[]): ServiceTime | undefined {
  const xs = samples.filter((x) => x > 0 && Number.isFinite(x));
  if (xs.length < 2) return undefined;
  let mu = 0;
  for (const x of xs) mu += Math.log(x);
  mu /= xs.length;
  let v = 0;
  for (const x of xs) v += (Math.log(x) - mu) ** 2;
  v /= xs.length - 1;
  return { meanSec: Math.exp(mu + v / 2), cv: Math.sqrt(Math.expm1(v)) };
}

/** Learn arrivals, service times and the priority mix from whole days of journal events. */
export function learnHistory(days: readonly (readonly HallEvent[])[], timeZone: string, bucketMin = 15): LearnedHistory {
  const perDay = Math.ceil((24 * 60) / bucketMin);
  const counts = new Map<string, number[]>();
  const byClass: Record<PriorityClass, number> = { green: 0, appointment: 0, normal: 0 };
  const durations = new Map<string, number[]>();
  let tickets = 0;
  let first = perDay;
  let last = -1;
  for (const events of days) {
    const matterOf = new Map<string, string>();
    const startedAt = new Map<string, number>();
    for (const e of events) {
      if (e.type === "ticket.issued") {
        const p = localParts(e.at, timeZone);
        const b = Math.floor((p.hour * 60 + p.minute) / bucketMin);
        let row = counts.get(e.ticket.queueId);
        if (!row) {
          row = new Array<number>(perDay).fill(0);
          counts.set(e.ticket.queueId, row);
        }
        row[b] = (row[b] ?? 0) + 1;
        first = Math.min(first, b);
        last = Math.max(last, b);
        byClass[e.ticket.priority]++;
        tickets++;
        matterOf.set(e.ticket.id, e.ticket.matterId);
      } else if (e.type === "ticket.started") startedAt.set(e.ticketId, e.at);
      else if (e.type === "ticket.finished") {
        const s = startedAt.get(e.ticketId);
        const m = matterOf.get(e.ticketId);
        if (s === undefined || m === undefined) continue;
        startedAt.delete(e.ticketId);
        const l = durations.get(m) ?? [];
        l.push((e.at - s) / 1000);
        durations.set(m, l);
      }
    }
  }
  const n = Math.max(1, days.length);
  const arrivals: Record<string, number[]> = {};
  if (last >= first) for (const [q, row] of counts) arrivals[q] = row.slice(first, last + 1).map((c) => c / n);
  const service: Record<string, ServiceTime> = {};
  for (const [m, l] of durations) {
    if (l.length < MIN_SERVICES_TO_FIT) continue;
    const fit = fitLognormal(l);
    if (fit) service[m] = fit;
  }
  return {
    days: days.length,
    arrivalsFrom: last >= first ? first * bucketMin : 0,
    bucketMin,
    arrivals,
    service,
    priority: tickets
      ? { green: byClass.green / tickets, appointment: byClass.appointment / tickets }
      : { green: 0, appointment: 0 },
    tickets,
  };
}

/** The learned arrivals as the estimator takes them (core/estimate.ts `useArrivalProfile`). */
export function arrivalProfileOf(h: LearnedHistory): ArrivalProfile {
  const { green, appointment } = h.priority;
  return {
    fromMin: h.arrivalsFrom,
    bucketMin: h.bucketMin,
    perQueue: h.arrivals,
    priority: { green, appointment, normal: Math.max(0, 1 - green - appointment) },
  };
}

/** A scenario with the learned arrivals, service times and priority mix in place of its own. */
export function withHistory(sc: Scenario, h: LearnedHistory): Scenario {
  // The learned arrivals are per series: each series' matters in equal shares again.
  const { matterMix: _mix, ...rest } = sc;
  return {
    ...rest,
    arrivalsFrom: h.arrivalsFrom,
    bucketMin: h.bucketMin,
    arrivals: h.arrivals,
    service: { ...sc.service, ...h.service },
    priority: h.priority,
  };
}

/**
 * The events of the last `maxDays` days before `beforeDay` (closed days: today's journal is
 * being written), read without touching the files (the hub owns them): a line that does not
 * parse is skipped, not repaired.
 */
export async function readPastDays(journalDir: string, beforeDay: string, maxDays: number): Promise<HallEvent[][]> {
  let names: string[];
  try {
    names = await readdir(journalDir);
  } catch {
    return [];
  }
  const days = names
    .filter((f) => /^\d{4}-\d{2}-\d{2}\.jsonl$/.test(f) && f.slice(0, 10) < beforeDay)
    .map((f) => f.slice(0, 10))
    .sort()
    .slice(-maxDays);
  const out: HallEvent[][] = [];
  for (const day of days) {
    let text: string;
    try {
      text = await readFile(join(journalDir, `${day}.jsonl`), "utf8");
    } catch {
      continue;
    }
    const events: HallEvent[] = [];
    for (const line of text.split("\n")) {
      const tab = line.indexOf("\t");
      const json = tab >= 0 ? line.slice(0, tab) : line;
      if (!json) continue;
      try {
        events.push(JSON.parse(json) as HallEvent);
      } catch {
        // A damaged line: the hub's own replay reports it; the history does without it.
      }
    }
    out.push(events);
  }
  return out;
}
