/**
 * The alarms and advice engine (server/src/alarms/engine.ts), pure: alarms raised at their
 * thresholds with their since-when, kept while they hold, cleared when they stop; Erlang C
 * against published figures and an independent closed form; the advice on a small hall
 * worked out by hand.
 */
import { describe, expect, it } from "vitest";
import {
  type AlarmBook,
  acknowledge,
  activeAlarms,
  advise,
  arrivalRate,
  countersNeeded,
  emptyBook,
  evaluate,
  expectedWaitSec,
  type FloorView,
  publicAlarm,
  serviceSec,
} from "../../../server/src/alarms/engine.ts";
import type { Catalogue, Counter, Queue } from "../../../server/src/contract/catalogue.ts";
import { erlangC, erlangCWait } from "../../../server/src/core/erlang.ts";
import { mmcCatalogue } from "../../../server/src/simulation/erlang.ts";

const T0 = Date.parse("2026-12-03T10:00:00+08:00");
const MIN = 60_000;

function queue(id: string, prefix: string, extra: Partial<Queue> = {}): Queue {
  return {
    id,
    prefix,
    name: `${prefix}号段`,
    nameEn: `Series ${prefix}`,
    zoneId: "z",
    dailyCap: 0,
    hours: [],
    defaultServiceSec: 600,
    waitAlarmMin: 30,
    ...extra,
  };
}

function counter(id: string, number: number, queueIds: string[], extra: Partial<Counter> = {}): Counter {
  return {
    id,
    number,
    name: `${number}号窗口`,
    nameEn: `Counter ${number}`,
    zoneId: "z",
    kind: "standard",
    profile: { queueIds, weights: { green: 1, appointment: 1, normal: 2 } },
    ...extra,
  };
}

/** A small hall: the M/M/c runs' one (its zone "z"), with these series and counters. */
function hall(queues: Queue[], counters: Counter[], extra: Partial<Catalogue["hall"]> = {}): Catalogue {
  const base = mmcCatalogue(1);
  return { ...base, hall: { ...base.hall, ...extra }, matters: [], queues, counters };
}

/** Independent Erlang C: the closed form with factorials (small c only). */
function erlangCClosed(c: number, a: number): number {
  let sum = 0;
  let term = 1;
  for (let k = 0; k < c; k++) {
    sum += term;
    term = (term * a) / (k + 1);
  }
  const top = (term * c) / (c - a);
  return top / (sum + top);
}

describe("core/erlang as the advice counts with it", () => {
  it("matches published Erlang C figures and the closed form", () => {
    // Published tables: a = 8 on 10 servers → 0.4092; a = 2 on 3 → 4/9; M/M/1 → ρ.
    expect(erlangC(10, 8)).toBeCloseTo(0.4092, 3);
    expect(erlangC(3, 2)).toBeCloseTo(4 / 9, 12);
    expect(erlangC(1, 0.7)).toBeCloseTo(0.7, 12);
    for (const [c, a] of [
      [2, 1],
      [5, 4.5],
      [7, 5],
      [12, 9.3],
      [20, 17],
    ] as const)
      expect(erlangC(c, a)).toBeCloseTo(erlangCClosed(c, a), 10);
    // Mean wait, M/M/1: ρ·S/(1 − ρ).
    expect(erlangCWait(1, 0.5, 600)).toBeCloseTo(600, 9);
  });

  it("expected wait: Erlang C for whole counters, the line ahead shared, infinity when overloaded", () => {
    const lambda = 1 / 300; // 12 an hour
    // 3 counters, S = 600 s: a = 2, C = 4/9, W = C·S/(c − a) = 266.7 s.
    expect(expectedWaitSec(3, lambda, 600, 0)).toBeCloseTo(((4 / 9) * 600) / (3 - 2), 6);
    // Two people already waiting, shared among 3: 400 s is more than Erlang's 266.7 s.
    expect(expectedWaitSec(3, lambda, 600, 2)).toBeCloseTo(400, 6);
    expect(expectedWaitSec(2, lambda, 600, 0)).toBe(Number.POSITIVE_INFINITY);
    expect(expectedWaitSec(0, 0, 600, 0)).toBe(0);
    expect(expectedWaitSec(0, 0, 600, 1)).toBe(Number.POSITIVE_INFINITY);
    // Half a counter is one counter at half speed: M/M/1 with S' = 1200 s at λ = 1/3600.
    const half = expectedWaitSec(0.5, 1 / 3600, 600, 0);
    expect(half).toBeCloseTo(((1200 / 3600) * 1200) / (1 - 1200 / 3600), 6);
    expect(half).toBeGreaterThan(expectedWaitSec(1, 1 / 3600, 600, 0));
  });

  it("counters needed: the fewest whose expected wait is under the target", () => {
    // a = 5 (60 an hour, 300 s). c = 6: W = C(6,5)·300/1 ≈ 176 s; c = 7: ≈ 40 s.
    expect(erlangCWait(6, 5 / 6, 300)).toBeGreaterThan(60);
    expect(erlangCWait(7, 5 / 7, 300)).toBeLessThanOrEqual(60);
    expect(countersNeeded(60 / 3600, 300, 0, 60)).toBe(7);
    expect(countersNeeded(60 / 3600, 300, 0, 200)).toBe(6);
    // Nobody coming and nobody waiting: none. Ten waiting, 15 min each, 20 min target: 8.
    expect(countersNeeded(0, 300, 0, 60)).toBe(0);
    expect(countersNeeded(0, 900, 10, 1200)).toBe(8);
  });

  it("service time: today's measure blended with the default, never below a quarter of it", () => {
    expect(serviceSec({ served: 0, busySec: 0 }, 600)).toBe(600);
    expect(serviceSec({ served: 5, busySec: 5 * 300 }, 600)).toBe(450);
    expect(serviceSec({ served: 100, busySec: 100 * 10 }, 600)).toBe(150);
    expect(arrivalRate({ issued30: 6, issued60: 6 })).toBeCloseTo(6 / 1800, 12);
    expect(arrivalRate({ issued30: 0, issued60: 12 })).toBeCloseTo(12 / 3600, 12);
  });
});

describe("alarms/engine evaluate", () => {
  const cat = hall(
    [queue("qa", "A", { waitAlarmMin: 30, waitingAlarm: 5 }), queue("qb", "B", { waitAlarmMin: 20 })],
    [counter("c1", 1, ["qa"]), counter("c2", 2, ["qb"], { pauseAlarmMin: 5, idleAlarmSec: 0 }), counter("c3", 3, ["qa", "qb"])],
  );
  const view = (now: number, over: Partial<FloorView> = {}): FloorView => ({
    now,
    queues: [
      { queueId: "qa", waiting: 0, longestWaitSec: 0 },
      { queueId: "qb", waiting: 0, longestWaitSec: 0 },
    ],
    counters: [
      { counterId: "c1", status: "closed" },
      { counterId: "c2", status: "closed" },
      { counterId: "c3", status: "closed" },
    ],
    ...over,
  });
  const step = (book: AlarmBook, v: FloorView) => evaluate(cat, book, v);

  it("a pause too long: raised once past the counter's threshold (hall default otherwise), since then, cleared on resume", () => {
    const paused = (now: number) =>
      view(now, {
        counters: [
          { counterId: "c1", status: "paused", pausedAt: T0 },
          { counterId: "c2", status: "paused", pausedAt: T0 },
          { counterId: "c3", status: "idle" },
        ],
      });
    let r = step(emptyBook(), paused(T0 + 5 * MIN));
    expect(r.changed).toEqual([]);
    r = step(r.book, paused(T0 + 5 * MIN + 1000));
    // c2 has its own 5 minutes; c1 the default 15.
    expect(r.changed).toEqual([
      {
        id: `pause-c2-${T0 + 5 * MIN}`,
        kind: "pause",
        counterId: "c2",
        startedAt: T0,
        since: T0 + 5 * MIN,
        value: 5,
        threshold: 5,
        acknowledged: false,
      },
    ]);
    r = step(r.book, paused(T0 + 15 * MIN + 1000));
    expect(r.changed.map((a) => [a.id, a.since])).toEqual([[`pause-c1-${T0 + 15 * MIN}`, T0 + 15 * MIN]]);
    // Still paused: nothing new, the same alarms.
    const again = step(r.book, paused(T0 + 20 * MIN));
    expect(again.changed).toEqual([]);
    expect(activeAlarms(again.book).map((a) => a.id)).toEqual([`pause-c2-${T0 + 5 * MIN}`, `pause-c1-${T0 + 15 * MIN}`]);
    // c1 resumes: its alarm clears (the last delta carries clearedAt).
    const resumed = step(again.book, view(T0 + 21 * MIN, { counters: [{ counterId: "c2", status: "paused", pausedAt: T0 }] }));
    expect(resumed.changed).toEqual([{ ...r.changed[0], clearedAt: T0 + 21 * MIN }]);
    expect(activeAlarms(resumed.book).map((a) => a.counterId)).toEqual(["c2"]);
  });

  it("a hall may set its own pause threshold, or turn it off (0)", () => {
    const v = view(T0 + 9 * MIN, { counters: [{ counterId: "c1", status: "paused", pausedAt: T0 }] });
    expect(evaluate(hall(cat.queues, cat.counters, { pauseAlarmMin: 8 }), emptyBook(), v).changed).toHaveLength(1);
    expect(evaluate(hall(cat.queues, cat.counters, { pauseAlarmMin: 0 }), emptyBook(), v).changed).toEqual([]);
  });

  it("idle while its series wait: after the idle threshold from when it was first seen, not when its series are empty", () => {
    const v = (now: number, waitingB: number) =>
      view(now, {
        queues: [
          { queueId: "qa", waiting: 0, longestWaitSec: 0 },
          { queueId: "qb", waiting: waitingB, longestWaitSec: waitingB ? 30 : 0 },
        ],
        counters: [
          // c1 serves only A (nobody waits there); c2 turned the idle alarm off.
          { counterId: "c1", status: "idle" },
          { counterId: "c2", status: "idle" },
          { counterId: "c3", status: "idle" },
        ],
      });
    let r = step(emptyBook(), v(T0, 2));
    expect(r.changed).toEqual([]);
    r = step(r.book, v(T0 + 119_000, 2));
    expect(r.changed).toEqual([]);
    r = step(r.book, v(T0 + 120_000, 2));
    expect(r.changed.map((a) => [a.kind, a.counterId, a.startedAt, a.since])).toEqual([["idle", "c3", T0, T0 + 120_000]]);
    // The line emptied: cleared, and the clock starts again next time.
    r = step(r.book, v(T0 + 130_000, 0));
    expect(r.changed.map((a) => [a.counterId, a.clearedAt])).toEqual([["c3", T0 + 130_000]]);
    r = step(r.book, v(T0 + 140_000, 1));
    r = step(r.book, v(T0 + 200_000, 1));
    expect(r.changed).toEqual([]);
    r = step(r.book, v(T0 + 260_000, 1));
    expect(r.changed.map((a) => a.id)).toEqual([`idle-c3-${T0 + 260_000}`]);
  });

  it("a series: longest wait past waitAlarmMin (since the moment it passed), people waiting at waitingAlarm", () => {
    const v = (now: number, waitingA: number, longestA: number) =>
      view(now, {
        queues: [
          { queueId: "qa", waiting: waitingA, longestWaitSec: longestA },
          { queueId: "qb", waiting: 0, longestWaitSec: 0 },
        ],
      });
    let r = step(emptyBook(), v(T0, 4, 30 * 60));
    expect(r.changed).toEqual([]);
    r = step(r.book, v(T0 + 1000, 5, 30 * 60 + 1));
    expect(r.changed.map((a) => [a.kind, a.queueId, a.startedAt, a.since, a.value, a.threshold])).toEqual([
      ["wait", "qa", T0 + 1000 - (30 * 60 + 1) * 1000, T0, 30, 30],
      ["waiting", "qa", T0 + 1000, T0 + 1000, 5, 5],
    ]);
    // The longest waiter is called, the next one has also waited too long: still the same alarm.
    const held = step(r.book, v(T0 + 2000, 4, 31 * 60));
    expect(held.changed.map((a) => [a.kind, a.clearedAt])).toEqual([["waiting", T0 + 2000]]);
    expect(activeAlarms(held.book).map((a) => a.id)).toEqual([r.changed[0]?.id]);
  });

  it("acknowledging keeps the alarm until it clears; the wall's copy has no names", () => {
    const v = view(T0 + 16 * MIN, { counters: [{ counterId: "c1", status: "paused", pausedAt: T0 }] });
    const r = step(emptyBook(), v);
    const id = r.changed[0]?.id as string;
    expect(acknowledge(r.book, "pause-c9-1", "王丽", T0)).toBeUndefined();
    const acked = acknowledge(r.book, id, "王丽", T0 + 17 * MIN);
    expect(acked?.alarm).toMatchObject({ id, acknowledged: true, ack: { by: "王丽", at: T0 + 17 * MIN } });
    const later = step(acked?.book as AlarmBook, { ...v, now: T0 + 18 * MIN });
    expect(later.changed).toEqual([]);
    expect(activeAlarms(later.book)[0]?.ack?.by).toBe("王丽");
    const wall = publicAlarm(activeAlarms(later.book)[0] as never);
    expect(wall.acknowledged).toBe(true);
    expect(JSON.stringify(wall)).not.toContain("王丽");
  });
});

describe("alarms/engine advise", () => {
  // B needs counters; A has more than it needs; C has nobody coming.
  const cat = hall(
    [queue("qa", "A", { waitAlarmMin: 30 }), queue("qb", "B", { waitTargetMin: 10 }), queue("qc", "C")],
    [
      counter("c1", 1, ["qb"]),
      counter("c2", 2, ["qa"]),
      counter("c3", 3, ["qa"]),
      counter("c4", 4, ["qc"]),
      counter("c5", 5, ["qa", "qc"]),
      counter("c6", 6, ["qb"]),
      counter("c7", 7, ["qc"]),
    ],
  );
  const counters = [
    { counterId: "c1", status: "serving" as const },
    { counterId: "c2", status: "idle" as const },
    { counterId: "c3", status: "serving" as const },
    { counterId: "c4", status: "idle" as const },
    { counterId: "c5", status: "idle" as const },
    { counterId: "c6", status: "closed" as const },
    { counterId: "c7", status: "paused" as const },
  ];
  const series = [
    // B: 6 in the last half hour (12 an hour), 10 min each → a = 2; 2 waiting; target 10 min.
    { queueId: "qb", issued30: 6, issued60: 6, waiting: 2, served: 0, busySec: 0 },
    // A: 3 in the hour (a = 0.5); target 15 min (half of 30).
    { queueId: "qa", issued30: 1, issued60: 3, waiting: 0, served: 0, busySec: 0 },
  ];

  it("counts what each series needs and has, and moves spare counters, least loaded first", () => {
    const a = advise(cat, { now: T0, series, counters });
    const b = a.series.find((s) => s.queueId === "qb");
    // B: 2 counters → λ ≥ μ·c: overloaded; 3 → max(Erlang 266.7 s, 2·600/3 = 400 s) ≤ 600 s.
    expect(b).toMatchObject({ arrivalsPerHour: 12, serviceSec: 600, waiting: 2, targetMin: 10, needed: 3, servers: 1 });
    expect(b?.counters).toEqual(["c1"]);
    expect(b?.expectedWaitMin).toBeNull();
    // c4 first (its series C has nobody coming), then c2 (idle, A keeps c3 and c5: A needs 1).
    expect(b?.moves).toEqual([
      { counterId: "c4", from: ["qc"], to: ["qb"] },
      { counterId: "c2", from: ["qa"], to: ["qb"] },
    ]);
    expect(b?.expectedWaitAfterMin).toBeCloseTo(400 / 60, 1);
    expect(b?.short).toBe(0);
    // The series short of counters comes first; A and C need nothing.
    expect(a.series[0]?.queueId).toBe("qb");
    expect(a.series.find((s) => s.queueId === "qa")).toMatchObject({ needed: 1, servers: 3, moves: [], short: 0 });
    expect(a.series.find((s) => s.queueId === "qc")).toMatchObject({ needed: 0, moves: [] });
  });

  it("never takes a counter a series still needs; says how many are missing", () => {
    // A now busy: 12 an hour of 10-minute tickets needs 3 counters, exactly what it has.
    const busyA = series.map((s) => (s.queueId === "qa" ? { ...s, issued30: 6, issued60: 6 } : s));
    const a = advise(cat, { now: T0, series: busyA, counters });
    const b = a.series.find((s) => s.queueId === "qb");
    expect(a.series.find((s) => s.queueId === "qa")?.needed).toBe(3);
    // Only c4 can go (C has no visitors); c5 shares A's work; A keeps c2, c3, c5.
    expect(b?.moves.map((m) => m.counterId)).toEqual(["c4"]);
    expect(b?.short).toBe(1);
    expect(a.series.find((s) => s.queueId === "qa")?.moves).toEqual([]);
  });

  it("closed and paused counters neither count nor move; a quiet hall gets no advice", () => {
    const quiet = advise(cat, { now: T0, series: [], counters });
    expect(quiet.series.every((s) => s.moves.length === 0 && s.short === 0 && s.needed === 0)).toBe(true);
    const a = advise(cat, { now: T0, series, counters });
    const moved = a.series.flatMap((s) => s.moves.map((m) => m.counterId));
    expect(moved).not.toContain("c6");
    expect(moved).not.toContain("c7");
    expect(a.series.find((s) => s.queueId === "qc")?.counters).toEqual(["c4", "c5"]);
  });
});
