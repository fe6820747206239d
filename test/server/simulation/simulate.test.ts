import { describe, expect, it } from "vitest";
import { demoCatalogue } from "../../../server/src/seed/demo-hall.ts";
import { accuracy, previousEstimate } from "../../../server/src/simulation/accuracy.ts";
import { referenceScenario } from "../../../server/src/simulation/reference.ts";
import { minutes } from "../../../server/src/simulation/scenario.ts";
import { type TicketRecord, simulate } from "../../../server/src/simulation/simulate.ts";

const DAY = "2026-12-03";
const small = (seed: number, load = 0.7) => referenceScenario(demoCatalogue(), { day: DAY, seed, load });

describe("simulation/simulate", () => {
  it("is deterministic for a seed and differs between seeds", () => {
    const a = simulate(small(7));
    const b = simulate(small(7));
    const c = simulate(small(8));
    expect(a.tickets.length).toBeGreaterThan(500);
    expect(b.tickets).toEqual(a.tickets);
    expect(b.commands).toBe(a.commands);
    expect(c.tickets.map((t) => t.waitSec)).not.toEqual(a.tickets.map((t) => t.waitSec));
  });

  it("serves every ticket that came back or answered, records engine estimates, and issues only in issuing hours", () => {
    const r = simulate(small(3));
    const dayStart = r.dayStart;
    for (const t of r.tickets) {
      const m = (t.issuedAt - dayStart) / 60_000;
      expect(m).toBeGreaterThanOrEqual(minutes("08:30"));
      expect(m).toBeLessThan(minutes("16:31"));
      expect(t.estimateSec).toBeGreaterThanOrEqual(0);
      if (!t.noShow) expect(t.waitSec).toBeGreaterThanOrEqual(0);
    }
    // No-shows are called too (their wait ends at the first call).
    expect(r.tickets.filter((t) => t.noShow).length).toBeGreaterThan(0);
    expect(r.tickets.every((t) => !Number.isNaN(t.waitSec))).toBe(true);
  });

  it("lets the engine refuse tickets past a series' daily cap", () => {
    const sc = small(4, 0.9);
    sc.catalogue = { ...sc.catalogue, queues: sc.catalogue.queues.map((q) => ({ ...q, dailyCap: 20 })) };
    const r = simulate(sc);
    const perQueue = new Map<string, number>();
    for (const t of r.tickets) perQueue.set(t.queueId, (perQueue.get(t.queueId) ?? 0) + 1);
    for (const n of perQueue.values()) expect(n).toBeLessThanOrEqual(20);
    expect(r.turnedAway.dailyCap).toBeGreaterThan(0);
  });

  it("calls nobody at a counter during its break: a hall whose only counter lunches makes its visitors wait it out", () => {
    const sc = small(5, 0.3);
    const only = sc.catalogue.counters.filter((c) => c.profile.queueIds.length === 1 && c.profile.queueIds[0] === "q-m")[0];
    if (!only) throw new Error("demo hall has a utilities counter");
    sc.catalogue = { ...sc.catalogue, counters: [only] };
    sc.shifts = [
      { counterId: only.id, from: minutes("08:30"), to: minutes("17:00"), breaks: [[minutes("12:00"), minutes("13:00")]] },
    ];
    sc.arrivals = { "q-m": sc.arrivals["q-m"] ?? [] };
    sc.priority = { green: 0, appointment: 0 };
    const r = simulate(sc);
    const noon = r.dayStart + minutes("12:00") * 60_000;
    const one = r.dayStart + minutes("13:00") * 60_000;
    for (const t of r.tickets) {
      const calledAt = t.issuedAt + t.waitSec * 1000;
      expect(calledAt > noon && calledAt < one).toBe(false);
    }
    expect(r.tickets.length).toBeGreaterThan(5);
  });
});

describe("simulation/accuracy", () => {
  const rec = (estimateSec: number, waitSec: number): TicketRecord => ({
    queueId: "q",
    matterId: "m",
    priority: "normal",
    issuedAt: 0,
    estimateSec,
    waitSec,
    noShow: false,
  });

  it("computes MAE, p90 error and bias of estimate against actual wait", () => {
    const a = accuracy([rec(100, 100), rec(200, 100), rec(0, 100), rec(130, 100), rec(90, 100)]);
    expect(a.n).toBe(5);
    expect(a.meanWaitSec).toBe(100);
    expect(a.maeSec).toBe((0 + 100 + 100 + 30 + 10) / 5);
    expect(a.biasSec).toBe((0 + 100 - 100 + 30 - 10) / 5);
    expect(a.p90ErrorSec).toBe(100);
    expect(a.maeShare).toBeCloseTo(0.48, 10);
  });

  it("the engine's estimate misses by less than the previous estimator on a reference day", () => {
    const sc = small(11, 0.8);
    sc.compare = { previous: previousEstimate };
    const r = simulate(sc);
    const now = accuracy(r.tickets);
    const before = accuracy(r.tickets, "previous");
    expect(now.n).toBeGreaterThan(1000);
    expect(now.maeShare).toBeLessThan(before.maeShare * 0.8);
    expect(Math.abs(now.biasSec)).toBeLessThan(Math.abs(before.biasSec));
  });
});
