/**
 * Queueing theory to check the simulator against: Erlang C for M/M/c (Poisson arrivals,
 * exponential service, c servers, one FIFO line), and the M/M/c scenario itself run through
 * the real engine (one series, one matter, c counters that serve only it, normal tickets).
 */
import type { Catalogue, Counter } from "../contract/catalogue.ts";
import { erlangCWait } from "../core/erlang.ts";
import { NO_SHOWS_NONE, type Scenario } from "./scenario.ts";
import { simulate } from "./simulate.ts";

// The formula itself is the core's (also what the supervisor's advice counts with).
export { erlangC, erlangCWait } from "../core/erlang.ts";

/** A one-series hall with `c` counters for the M/M/c runs. */
export function mmcCatalogue(c: number): Catalogue {
  const counters: Counter[] = [];
  for (let i = 1; i <= c; i++)
    counters.push({
      id: `w${i}`,
      number: i,
      name: `${i}号窗口`,
      nameEn: `Window ${i}`,
      zoneId: "z",
      kind: "standard",
      profile: { queueIds: ["q"], weights: { green: 1, appointment: 1, normal: 1 } },
    });
  return {
    hall: {
      id: "mmc",
      name: "M/M/c",
      nameEn: "M/M/c",
      address: "",
      timeZone: "Asia/Shanghai",
      noShowReactivateMin: 30,
      publicUrl: "",
      notice: "",
      noticeEn: "",
    },
    zones: [{ id: "z", name: "区", nameEn: "Zone", floor: "1F" }],
    departments: [{ id: "d", name: "部门", nameEn: "Department", zoneId: "z" }],
    matters: [
      {
        id: "m",
        name: "事项",
        nameEn: "Matter",
        departmentId: "d",
        queueId: "q",
        materials: [],
        legalDays: 0,
        promisedDays: 0,
        feeYuan: 0,
      },
    ],
    queues: [
      {
        id: "q",
        prefix: "A",
        name: "队列",
        nameEn: "Queue",
        zoneId: "z",
        dailyCap: 0,
        hours: [],
        defaultServiceSec: 60,
        waitAlarmMin: 0,
      },
    ],
    counters,
  };
}

export interface MmcOptions {
  c: number;
  rho: number;
  /** Expected customers per replication. */
  customers: number;
  replications: number;
  seed: number;
  /** Share of each replication's time discarded as warm-up (the line starts empty). */
  warmup?: number;
  meanServiceSec?: number;
}

export interface MmcResult {
  c: number;
  rho: number;
  /** Erlang C mean wait (seconds). */
  theory: number;
  /** Simulated mean wait (seconds): mean of the replications' means. */
  simulated: number;
  /** Standard error of `simulated` from the spread of the replications. */
  stdError: number;
  /** (simulated − theory) / theory. */
  relError: number;
  /** Little's law: time-average number waiting L against λ·W measured in the same window. */
  littleL: number;
  littleLambdaW: number;
  customers: number;
}

export function mmcScenario(o: MmcOptions, rep: number): Scenario {
  const mean = o.meanServiceSec ?? 60;
  const lambdaPerSec = (o.rho * o.c) / mean;
  const horizonMin = o.customers / lambdaPerSec / 60;
  const cat = mmcCatalogue(o.c);
  return {
    catalogue: cat,
    day: "2026-01-05",
    seed: o.seed * 1000 + rep,
    arrivalsFrom: 0,
    bucketMin: horizonMin,
    arrivals: { q: [o.customers] },
    service: { m: { meanSec: mean, cv: 1, dist: "exponential" } },
    defaultCv: 1,
    priority: { green: 0, appointment: 0 },
    behaviour: NO_SHOWS_NONE,
    // Counters open from the start until the line is empty after the last arrival.
    shifts: cat.counters.map((c) => ({ counterId: c.id, from: 0, to: horizonMin, breaks: [] })),
    estimates: false,
  };
}

export function runMmc(o: MmcOptions): MmcResult {
  const means: number[] = [];
  let lSum = 0;
  let lwSum = 0;
  let n = 0;
  const warm = o.warmup ?? 0.1;
  for (let rep = 0; rep < o.replications; rep++) {
    const sc = mmcScenario(o, rep);
    const r = simulate(sc);
    const horizonMs = sc.bucketMin * 60_000;
    const t0 = r.dayStart + horizonMs * warm;
    const t1 = r.dayStart + horizonMs;
    let sum = 0;
    let count = 0;
    for (const t of r.tickets) {
      if (t.issuedAt < t0 || t.issuedAt >= t1) continue;
      sum += t.waitSec;
      count++;
    }
    const w = sum / count;
    means.push(w);
    n += count;
    // L over [t0, t1] against λ·W of the arrivals in that window.
    lSum += r.waitingArea(t0, t1) / (t1 - t0);
    lwSum += (count / ((t1 - t0) / 1000)) * w;
  }
  const simulated = means.reduce((a, b) => a + b, 0) / means.length;
  const variance = means.reduce((a, b) => a + (b - simulated) ** 2, 0) / Math.max(1, means.length - 1);
  const theory = erlangCWait(o.c, o.rho, o.meanServiceSec ?? 60);
  return {
    c: o.c,
    rho: o.rho,
    theory,
    simulated,
    stdError: Math.sqrt(variance / means.length),
    relError: (simulated - theory) / theory,
    littleL: lSum / o.replications,
    littleLambdaW: lwSum / o.replications,
    customers: n,
  };
}
