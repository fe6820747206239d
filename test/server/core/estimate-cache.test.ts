/**
 * The estimate's shortcut (core/estimate.ts `projectedCall`): a probe — the ticket a kiosk is
 * about to issue — is answered from the kept projection's tail for its line instead of a
 * projection of its own, and a projection serves later states for up to a second while only
 * tickets are issued. Checked against the probe's own projection (`probeProjection`, what the
 * estimator did before) on a simulated reference day and in a burst of issues.
 */
import { describe, expect, it } from "vitest";
import type { PriorityClass } from "../../../server/src/contract/catalogue.ts";
import type { Ticket } from "../../../server/src/contract/tickets.ts";
import { probeProjection, projectedCall, useArrivalProfile } from "../../../server/src/core/estimate.ts";
import {
  activeTickets,
  cycleSec,
  decide,
  estimatedWaitSec,
  type HallState,
  initialState,
  position,
} from "../../../server/src/core/index.ts";
import { demoCatalogue } from "../../../server/src/seed/demo-hall.ts";
import { referenceScenario } from "../../../server/src/simulation/reference.ts";
import { localMidnight } from "../../../server/src/simulation/scenario.ts";
import { simulate } from "../../../server/src/simulation/simulate.ts";

const DAY = "2026-12-03";

/** Every counter of the hall signed in at `at`; returns a command runner that throws on a refusal. */
function openHall(state: HallState, at: number): (cmd: Parameters<typeof decide>[1], now: number) => void {
  const run = (cmd: Parameters<typeof decide>[1], now: number) => {
    const d = decide(state, cmd, now);
    if ("error" in d) throw new Error(`${cmd.type}: ${d.error}`);
  };
  state.catalogue.counters.forEach((c, i) => {
    run({ type: "signIn", counterId: c.id, staffId: `s${i}`, staffName: `s${i}`, takeover: false }, at);
  });
  return run;
}

function probeOf(state: HallState, queueId: string, priority: PriorityClass, now: number, n: number): Ticket {
  return {
    id: `probe-${n}`,
    number: "P000",
    seq: (state.seq.get(queueId) ?? 0) + 1,
    day: state.day,
    queueId,
    matterId: "m",
    priority,
    status: "waiting",
    issuedAt: now,
    arrivalAt: now,
    recalls: 0,
    transfers: 0,
    notes: [],
    source: "test",
  };
}

/** The shortcut's figure and the probe's own projection, same state, same instant. */
function both(state: HallState, t: Ticket, now: number): { cached?: number; full?: number } {
  const cycle = (q: string) => cycleSec(state, q);
  const full = probeProjection(state, now, cycle, t);
  const cached = projectedCall(state, now, cycle, t)?.sec;
  return { ...(cached !== undefined ? { cached } : {}), ...(full !== undefined ? { full } : {}) };
}

describe("the probe's estimate from the kept projection", () => {
  it("is the probe's own projection, at every 10th issue of a reference day", { timeout: 60_000 }, () => {
    const sc = referenceScenario(demoCatalogue(), { day: DAY, seed: 7, load: 0.8 });
    let n = 0;
    const diffs: number[] = [];
    let compared = 0;
    sc.beforeIssue = (state, now, queueId) => {
      if (n++ % 10 !== 0) return;
      for (const p of ["normal", "green"] as const) {
        const r = both(state, probeOf(state, queueId, p, now, n), now);
        expect(r.cached === undefined).toBe(r.full === undefined);
        if (r.cached === undefined || r.full === undefined) continue;
        compared++;
        diffs.push(Math.abs(r.cached - r.full));
      }
    };
    simulate(sc);
    expect(compared).toBeGreaterThan(200);
    // Exact but for a projection kept from an issue under a second before (only issues since):
    // then the newcomers' pace differs by that one ticket and the clock by under a second.
    diffs.sort((a, b) => a - b);
    const exact = diffs.filter((d) => d < 1e-6).length;
    expect(exact / compared).toBeGreaterThan(0.95);
    expect(diffs.at(-1)).toBeLessThan(1);
  });

  it("stays with the probe's own projection through a burst of issues (one projection for all of them)", () => {
    const cat = demoCatalogue();
    const state = initialState(cat, DAY);
    const at = localMidnight(DAY, cat.hall.timeZone) + 10 * 3_600_000;
    const run = openHall(state, at - 3_600_000);
    const matter = cat.matters[0];
    if (!matter) throw new Error("demo hall has no matter");
    // A line first, called by the windows now and then, so the counters are busy.
    let id = 0;
    for (let i = 0; i < 60; i++)
      run(
        { type: "issue", ticketId: `a${id++}`, matterId: matter.id, priority: i % 9 === 0 ? "green" : "normal", source: "test" },
        at - 1_800_000 + i * 20_000,
      );
    cat.counters.forEach((c, i) => {
      run({ type: "callNext", counterId: c.id, staffId: `s${i}` }, at - 60_000);
    });
    const worst: number[] = [];
    // 100 issues within a second: past the tails' newcomers, where the pace goes on.
    for (let i = 0; i < 100; i++) {
      const now = at + i * 10;
      const r = both(state, probeOf(state, matter.queueId, "normal", now, i), now);
      expect(r.full).toBeDefined();
      expect(r.cached).toBeDefined();
      worst.push(Math.abs((r.cached as number) - (r.full as number)) / Math.max(60, r.full as number));
      run({ type: "issue", ticketId: `b${id++}`, matterId: matter.id, priority: "normal", source: "test" }, now);
    }
    // The first 65 are the tails' own newcomers (one, then 64 from the 2nd): the same as the
    // probe's projection (the newcomer pace of the series moves by one ticket each). Beyond
    // them the line's pace goes on in a straight line where the windows actually call in
    // waves: within 15 % (measured 10 %), and only for more than 65 tickets of one series
    // within a second.
    expect(Math.max(...worst.slice(0, 65))).toBeLessThan(0.01);
    expect(Math.max(...worst)).toBeLessThan(0.15);
  });
});

describe("a line longer than a projection plays, issued in a burst", () => {
  it("gives every waiting ticket an estimate, later in line never sooner", () => {
    const cat = demoCatalogue();
    const state = initialState(cat, DAY);
    const at = localMidnight(DAY, cat.hall.timeZone) + 10 * 3_600_000;
    const matter = cat.matters[0];
    if (!matter) throw new Error("demo hall has no matter");
    const run = openHall(state, at - 3_600_000);
    // 700, then 20 more two seconds later (a fresh projection) with every ticket's estimate
    // read after each: the projections stop after 300 calls, the line's tail is remade as the
    // line grows, and tickets in line when a tail was made but beyond its calls go at its pace.
    for (let i = 0; i < 700; i++)
      run({ type: "issue", ticketId: `t${i}`, matterId: matter.id, priority: "normal", source: "test" }, at + i);
    for (let i = 700; i < 720; i++) {
      run({ type: "issue", ticketId: `t${i}`, matterId: matter.id, priority: "normal", source: "test" }, at + 2000 + i);
      activeTickets(state);
    }
    const mine = activeTickets(state).filter((t) => t.queueId === matter.queueId && t.status === "waiting");
    expect(mine.length).toBe(720);
    for (let i = 1; i < mine.length; i++) {
      const [a, b] = [mine[i - 1]?.estimatedWaitSec as number, mine[i]?.estimatedWaitSec as number];
      expect(Number.isFinite(b)).toBe(true);
      expect(b).toBeGreaterThanOrEqual(a);
    }
  });
});

describe("newcomers by the hall's arrival profile", () => {
  it("makes a normal ticket wait longer when the profile expects a rush (its green visitors go first)", () => {
    const cat = demoCatalogue();
    const state = initialState(cat, DAY);
    const midnight = localMidnight(DAY, cat.hall.timeZone);
    const matter = cat.matters[0];
    if (!matter) throw new Error("demo hall has no matter");
    const run = openHall(state, midnight + 8.5 * 3_600_000);
    for (let i = 0; i < 50; i++)
      run(
        { type: "issue", ticketId: `t${i}`, matterId: matter.id, priority: i < 5 ? "green" : "normal", source: "test" },
        midnight + 9 * 3_600_000 + i * 1000,
      );
    const last = state.tickets.get("t49") as Ticket;
    const at = midnight + 9 * 3_600_000 + 60_000;
    const estimate = (perBucket: number) => {
      useArrivalProfile(state, {
        fromMin: 8 * 60,
        bucketMin: 15,
        perQueue: { [matter.queueId]: new Array(40).fill(perBucket) },
        priority: { green: 0.1, appointment: 0, normal: 0.9 },
      });
      return estimatedWaitSec(state, last, position(state, last), at);
    };
    const quiet = estimate(0);
    const rush = estimate(300);
    // Today's share of green visitors (5 of 50) of the newcomers the profile expects (scaled
    // down by how today compares with it so far) go before it.
    expect(rush).toBeGreaterThan(quiet * 1.1);
    // Nobody expected: the line as it is.
    expect(estimate(0)).toBe(quiet);
  });
});
