/**
 * What-if planning: today's plan (the hall as configured, a reference day's arrivals and
 * breaks) against a changed one — windows added or removed, work profiles changed, matters
 * moved to the comprehensive windows, more visitors, a longer lunch — each simulated through
 * the engine over a few seeds; waits per hour and series (p50/p90), and per hour the windows
 * Erlang C says keep the p90 wait under a target.
 */
import type { Catalogue, Counter } from "../contract/catalogue.ts";
import { erlangC } from "../core/erlang.ts";
import { percentile } from "./accuracy.ts";
import { type LearnedHistory, withHistory } from "./history.ts";
import { meanServiceByQueue, referenceScenario, referenceShifts, withBreakRota, withLunch } from "./reference.ts";
import type { Scenario } from "./scenario.ts";
import { minutes } from "./scenario.ts";
import { simulate } from "./simulate.ts";

export interface WhatIf {
  /** New windows, each serving these series (copied weights: balanced). */
  addCounters?: { queueIds: string[]; count: number }[];
  /** Windows closed for the day. */
  removeCounters?: string[];
  /** New work profiles (which series a window serves). */
  profiles?: { counterId: string; queueIds: string[] }[];
  /** Matters whose visitors go to the comprehensive series instead of their own. */
  moveMatters?: string[];
  /** Arrivals × this (1.3 = 30 % more visitors). */
  arrivalsFactor?: number;
  /** Lunch break length in minutes (default 60). */
  lunchMin?: number;
}

export interface PlanRequest {
  day: string;
  seed: number;
  /** Average share of the counters' capacity today's visitors need. */
  load: number;
  /** Replications (seeds) per plan. */
  runs: number;
  /** The p90 wait the staffing table keeps under (minutes). */
  targetP90Min: number;
  whatIf: WhatIf;
  /**
   * Who comes when: the reference day's shape scaled to `load` (default), or arrivals and
   * service times learned from the hall's past days (`load` is then ignored).
   */
  arrivals?: "reference" | "history";
}

export interface WaitCell {
  hour: number;
  queueId: string;
  n: number;
  p50Min: number;
  p90Min: number;
}

export interface PlanResult {
  visitors: number;
  counters: number;
  meanWaitMin: number;
  p90WaitMin: number;
  cells: WaitCell[];
  /** Per hour: windows open in the plan, and windows Erlang C says the p90 target needs. */
  staffing: { hour: number; open: number; needed: number }[];
}

export interface PlanComparison {
  today: PlanResult;
  whatIf: PlanResult;
  /** The series that takes moved matters. */
  comprehensiveQueueId: string | undefined;
  /** Where the arrivals came from; with history, how many past days they were learned from. */
  arrivals: "reference" | "history";
  historyDays?: number;
}

/** The comprehensive series: the one served by the most comprehensive windows. */
export function comprehensiveQueue(cat: Catalogue): string | undefined {
  const n = new Map<string, number>();
  for (const c of cat.counters) if (c.kind === "comprehensive") for (const q of c.profile.queueIds) n.set(q, (n.get(q) ?? 0) + 1);
  let best: string | undefined;
  for (const [q, k] of n) if (best === undefined || k > (n.get(best) ?? 0)) best = q;
  return best;
}

/** Today's scenario and the what-if's, with the same arrivals before the changes. */
export function scenarios(cat: Catalogue, r: PlanRequest, history?: LearnedHistory): { today: Scenario; whatIf: Scenario } {
  const reference = referenceScenario(cat, { day: r.day, seed: r.seed, load: r.load });
  const today = history ? withHistory(reference, history) : reference;
  // Each matter's expected visitors: its queue's arrivals shared evenly among its matters.
  const perMatter = new Map<string, number>();
  const mattersIn = new Map<string, number>();
  for (const m of today.catalogue.matters) mattersIn.set(m.queueId, (mattersIn.get(m.queueId) ?? 0) + 1);
  for (const m of today.catalogue.matters) {
    const total = (today.arrivals[m.queueId] ?? []).reduce((a, b) => a + b, 0);
    perMatter.set(m.id, total / (mattersIn.get(m.queueId) ?? 1));
  }
  today.matterMix = Object.fromEntries(perMatter);

  const w = r.whatIf;
  let counters: Counter[] = today.catalogue.counters.map((c) => ({
    ...c,
    profile: { ...c.profile, queueIds: [...c.profile.queueIds] },
  }));
  const removed = new Set(w.removeCounters ?? []);
  counters = counters.filter((c) => !removed.has(c.id));
  for (const p of w.profiles ?? []) {
    const c = counters.find((x) => x.id === p.counterId);
    if (c && p.queueIds.length) c.profile.queueIds = [...p.queueIds];
  }
  let next = Math.max(0, ...today.catalogue.counters.map((c) => c.number)) + 1;
  for (const add of w.addCounters ?? []) {
    for (let i = 0; i < add.count; i++) {
      const number = next++;
      counters.push({
        id: `plan-${number}`,
        number,
        name: `${number}号窗口（计划）`,
        nameEn: `Window ${number} (planned)`,
        zoneId: today.catalogue.counters[0]?.zoneId ?? "",
        kind: add.queueIds.length > 1 ? "comprehensive" : "standard",
        profile: { queueIds: [...add.queueIds], weights: { green: 1, appointment: 1, normal: 2 } },
      });
    }
  }
  const target = comprehensiveQueue(today.catalogue);
  const moved = new Set(target ? (w.moveMatters ?? []) : []);
  const arrivals: Record<string, number[]> = {};
  const factor = w.arrivalsFactor ?? 1;
  for (const [q, profile] of Object.entries(today.arrivals)) arrivals[q] = profile.map((x) => x * factor);
  const matters = today.catalogue.matters.map((m) => {
    if (!moved.has(m.id) || !target || m.queueId === target) return m;
    // The matter's visitors now take the comprehensive series' tickets.
    const share = 1 / (mattersIn.get(m.queueId) ?? 1);
    const from = today.arrivals[m.queueId] ?? [];
    arrivals[m.queueId] = (arrivals[m.queueId] ?? []).map((x, i) => x - (from[i] ?? 0) * share * factor);
    arrivals[target] = (arrivals[target] ?? []).map((x, i) => x + (from[i] ?? 0) * share * factor);
    return { ...m, queueId: target };
  });
  // New windows follow the reference rota; a longer lunch stretches every counter's lunch.
  counters = withBreakRota(counters, 60);
  if (w.lunchMin !== undefined) counters = withLunch(counters, w.lunchMin);
  const catalogue: Catalogue = { ...today.catalogue, counters, matters };
  const shifts = referenceShifts(counters, minutes("08:30"), minutes("17:00"));
  return { today, whatIf: { ...today, catalogue, arrivals, shifts } };
}

/** Smallest c whose M/M/c p90 wait is under `targetSec` (P(W > t) = C·e^{−(cμ−λ)t}). */
export function windowsFor(lambdaPerSec: number, meanServiceSec: number, targetSec: number): number {
  if (lambdaPerSec <= 0) return 0;
  const a = lambdaPerSec * meanServiceSec;
  for (let c = Math.max(1, Math.floor(a)); c < 1000; c++) {
    if (c <= a) continue;
    const tail = erlangC(c, a) * Math.exp(-(c / meanServiceSec - lambdaPerSec) * targetSec);
    if (tail <= 0.1) return c;
  }
  return 1000;
}

export function runPlan(sc: Scenario, runs: number, targetP90Min: number): PlanResult {
  const byCell = new Map<string, number[]>();
  const all: number[] = [];
  for (let i = 0; i < runs; i++) {
    const r = simulate({ ...sc, seed: sc.seed + i, estimates: false });
    for (const t of r.tickets) {
      if (Number.isNaN(t.waitSec)) continue;
      const hour = Math.floor((t.issuedAt - r.dayStart) / 3_600_000);
      const key = `${hour}|${t.queueId}`;
      const l = byCell.get(key) ?? [];
      l.push(t.waitSec / 60);
      byCell.set(key, l);
      all.push(t.waitSec / 60);
    }
  }
  const cells: WaitCell[] = [];
  for (const [key, l] of byCell) {
    const [h, q] = key.split("|") as [string, string];
    l.sort((a, b) => a - b);
    cells.push({ hour: Number(h), queueId: q, n: l.length / runs, p50Min: percentile(l, 50), p90Min: percentile(l, 90) });
  }
  cells.sort((a, b) => a.hour - b.hour || a.queueId.localeCompare(b.queueId));
  all.sort((a, b) => a - b);
  // Staffing: per hour and series, Erlang C on that hour's arrivals; summed over series.
  const svc = meanServiceByQueue(sc.catalogue, sc.service);
  const staffing: PlanResult["staffing"] = [];
  const perHour = 60 / sc.bucketMin;
  const hours = new Set<number>();
  for (const profile of Object.values(sc.arrivals)) {
    for (let i = 0; i < profile.length; i++) hours.add(Math.floor((sc.arrivalsFrom + i * sc.bucketMin) / 60));
  }
  for (const hour of [...hours].sort((a, b) => a - b)) {
    let needed = 0;
    for (const [q, profile] of Object.entries(sc.arrivals)) {
      let n = 0;
      profile.forEach((x, i) => {
        if (Math.floor((sc.arrivalsFrom + i * sc.bucketMin) / 60) === hour) n += x;
      });
      // A partial hour (issuing starts at :30) is scaled to a full hour's rate.
      const buckets = profile.filter((_, i) => Math.floor((sc.arrivalsFrom + i * sc.bucketMin) / 60) === hour).length;
      const rate = buckets ? (n * perHour) / buckets / 3600 : 0;
      needed += windowsFor(rate, svc.get(q) ?? 300, targetP90Min * 60);
    }
    const mid = hour * 60 + 30;
    const open = sc.shifts.filter((s) => s.from <= mid && s.to > mid && !s.breaks.some(([f, t]) => f <= mid && t > mid)).length;
    staffing.push({ hour, open, needed });
  }
  return {
    visitors: all.length / runs,
    counters: sc.catalogue.counters.length,
    meanWaitMin: all.length ? all.reduce((a, b) => a + b, 0) / all.length : 0,
    p90WaitMin: percentile(all, 90),
    cells,
    staffing,
  };
}

/** Expected visitors of a scenario (the sum of its arrival profile). */
export function expectedVisitors(sc: Scenario): number {
  return Object.values(sc.arrivals).reduce((a, p) => a + p.reduce((x, y) => x + y, 0), 0);
}

/** A plan asks for more simulated visitors than a request may (both plans, every seed). */
export class PlanTooLarge extends Error {}

/**
 * Both plans, simulated. `maxVisitors` bounds the work (the hub's requests): beyond it the
 * plan is refused with PlanTooLarge before anything runs.
 */
export function comparePlans(cat: Catalogue, r: PlanRequest, history?: LearnedHistory, maxVisitors = Infinity): PlanComparison {
  const useHistory = r.arrivals === "history" && history !== undefined && history.tickets > 0;
  const s = scenarios(cat, r, useHistory ? history : undefined);
  const expected = (expectedVisitors(s.today) + expectedVisitors(s.whatIf)) * r.runs;
  if (expected > maxVisitors)
    throw new PlanTooLarge(`plan too large: ${Math.round(expected)} visitors to simulate, at most ${maxVisitors}`);
  return {
    today: runPlan(s.today, r.runs, r.targetP90Min),
    whatIf: runPlan(s.whatIf, r.runs, r.targetP90Min),
    comprehensiveQueueId: comprehensiveQueue(cat),
    arrivals: useHistory ? "history" : "reference",
    ...(useHistory ? { historyDays: history.days } : {}),
  };
}
