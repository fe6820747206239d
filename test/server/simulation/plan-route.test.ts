import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { PlanComparison } from "../../../server/src/simulation/plan.ts";
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
});
