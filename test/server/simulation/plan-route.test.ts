import { mkdir, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { LiveStats } from "../../../server/src/contract/stats.ts";
import { demoCatalogue } from "../../../server/src/seed/demo-hall.ts";
import type { PlanComparison } from "../../../server/src/simulation/plan.ts";
import { referenceScenario } from "../../../server/src/simulation/reference.ts";
import { simulate } from "../../../server/src/simulation/simulate.ts";
import { journalLine } from "../../../server/src/store/journal.ts";
import { startTestHub } from "../../helpers/hub.ts";
import type { TestHub } from "../../helpers/hub.ts";

let t: TestHub;
let sup: string;

beforeAll(async () => {
  t = await startTestHub();
  sup = (await t.login("wangli")).token;
}, 60_000);
afterAll(async () => {
  await t?.close();
});

describe("POST /api/plan/simulate", () => {
  it("answers today's plan and the what-if, deterministic for a seed", { timeout: 120_000 }, async () => {
    const body = { load: 0.7, runs: 1, seed: 3, whatIf: { removeCounters: ["c12", "c13"], lunchMin: 90 } };
    const r1 = await t.api<PlanComparison>("POST", "/api/plan/simulate", body, sup);
    expect(r1.status).toBe(200);
    expect(r1.body.whatIf.counters).toBe(r1.body.today.counters - 2);
    expect(r1.body.whatIf.meanWaitMin).toBeGreaterThan(r1.body.today.meanWaitMin);
    // A longer lunch: fewer windows open at 12:00 in the what-if's staffing table.
    const noon = (p: PlanComparison["today"]) => p.staffing.find((s) => s.hour === 12)?.open ?? -1;
    expect(noon(r1.body.whatIf)).toBeLessThan(noon(r1.body.today));
    const r2 = await t.api<PlanComparison>("POST", "/api/plan/simulate", body, sup);
    expect(r2.body).toEqual(r1.body);
  });

  it("refuses unknown windows, series and matters, and plans too large to simulate", async () => {
    const bad = async (whatIf: object, extra: object = {}) =>
      t.api<{ error: { code: string } }>("POST", "/api/plan/simulate", { runs: 1, whatIf, ...extra }, sup);
    expect((await bad({ removeCounters: ["nope"] })).body.error.code).toBe("UNKNOWN_COUNTER");
    expect((await bad({ addCounters: [{ queueIds: ["q-zz"], count: 1 }] })).body.error.code).toBe("UNKNOWN_QUEUE");
    expect((await bad({ moveMatters: ["m-nope"] })).body.error.code).toBe("UNKNOWN_MATTER");
    expect((await bad({ arrivalsFactor: 50 })).status).toBe(400);
    const huge = await bad({ arrivalsFactor: 2 }, { load: 1.5, runs: 3 });
    expect(huge.status).toBe(400);
    expect(huge.body.error.code).toBe("VALIDATION_FAILED");
  });

  it("runs in a worker thread: the hub keeps answering while a what-if simulates", { timeout: 120_000 }, async () => {
    let planned = false;
    const plan = t
      .api<PlanComparison>("POST", "/api/plan/simulate", { load: 1, runs: 3, seed: 5, whatIf: { arrivalsFactor: 1.3 } }, sup)
      .finally(() => {
        planned = true;
      });
    // Requests sent one after another while the plan runs: on the hub's own thread the plan
    // would hold every one of them until it finished (at most one could slip in before it).
    let answeredMeanwhile = 0;
    while (!planned) {
      const h = await t.api("GET", "/api/health");
      expect(h.status).toBe(200);
      if (!planned) answeredMeanwhile++;
    }
    const r = await plan;
    expect(r.status).toBe(200);
    expect(r.body.whatIf.visitors).toBeGreaterThan(r.body.today.visitors);
    expect(answeredMeanwhile).toBeGreaterThanOrEqual(3);
  });

  it("simulates with arrivals learned from the hall's past days when asked", { timeout: 120_000 }, async () => {
    const today = (await t.api<LiveStats>("GET", "/api/stats/live")).body.day;
    const past = [3, 2, 1].map((n) => {
      const [y, m, d] = today.split("-").map(Number) as [number, number, number];
      return new Date(Date.UTC(y, m - 1, d - n)).toISOString().slice(0, 10);
    });
    let issued = 0;
    await mkdir(join(t.dataDir, "journal"), { recursive: true });
    for (const [i, day] of past.entries()) {
      const sc = referenceScenario(demoCatalogue(), { day, seed: 40 + i, load: 0.3 });
      sc.estimates = false;
      sc.recordEvents = true;
      const r = simulate(sc);
      issued += r.tickets.length;
      await writeFile(join(t.dataDir, "journal", `${day}.jsonl`), (r.events ?? []).map(journalLine).join(""));
    }
    const body = { runs: 1, seed: 2, load: 1.2, arrivals: "history", whatIf: {} };
    const r = await t.api<PlanComparison>("POST", "/api/plan/simulate", body, sup);
    expect(r.status).toBe(200);
    expect(r.body.arrivals).toBe("history");
    expect(r.body.historyDays).toBe(3);
    // Today's visitors are the history's mean day (load 0.3), not the reference day at load 1.2.
    const mean = issued / past.length;
    expect(r.body.today.visitors).toBeGreaterThan(mean * 0.85);
    expect(r.body.today.visitors).toBeLessThan(mean * 1.15);
    const reference = await t.api<PlanComparison>("POST", "/api/plan/simulate", { ...body, arrivals: "reference" }, sup);
    expect(reference.body.arrivals).toBe("reference");
    expect(reference.body.today.visitors).toBeGreaterThan(mean * 2.5);
  });
});
