import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import type { HallEvent } from "../../../server/src/core/index.ts";
import { demoCatalogue } from "../../../server/src/seed/demo-hall.ts";
import { fitLognormal, learnHistory, readPastDays } from "../../../server/src/simulation/history.ts";
import { rng } from "../../../server/src/simulation/random.ts";
import { referenceScenario } from "../../../server/src/simulation/reference.ts";
import { simulate } from "../../../server/src/simulation/simulate.ts";
import { journalLine } from "../../../server/src/store/journal.ts";

const DAYS = 20;
const day = (i: number) => `2026-11-${String(i + 1).padStart(2, "0")}`;

/** Twenty simulated days of the demo hall: the history the hub's journals would hold. */
function simulatedHistory() {
  const scenarios = Array.from({ length: DAYS }, (_, i) => {
    const sc = referenceScenario(demoCatalogue(), { day: day(i), seed: 100 + i, load: 0.6 });
    sc.estimates = false;
    sc.recordEvents = true;
    return sc;
  });
  return { scenarios, events: scenarios.map((sc) => simulate(sc).events ?? []) };
}

describe("simulation/history", () => {
  it("fits a lognormal's mean and spread back from its own draws", () => {
    const r = rng(5);
    const xs = Array.from({ length: 20_000 }, () => r.lognormal(300, 0.6));
    const fit = fitLognormal(xs);
    expect(fit?.meanSec).toBeGreaterThan(300 * 0.97);
    expect(fit?.meanSec).toBeLessThan(300 * 1.03);
    expect(fit?.cv).toBeGreaterThan(0.6 * 0.95);
    expect(fit?.cv).toBeLessThan(0.6 * 1.05);
    expect(fitLognormal([42])).toBeUndefined();
  });

  it("learns back the arrival profile, service times and priority mix the history was simulated from", {
    timeout: 120_000,
  }, () => {
    const { scenarios, events } = simulatedHistory();
    const truth = scenarios[0] as (typeof scenarios)[number];
    const h = learnHistory(events, truth.catalogue.hall.timeZone);
    expect(h.days).toBe(DAYS);
    expect(h.bucketMin).toBe(15);
    expect(h.arrivalsFrom).toBe(truth.arrivalsFrom);
    // Per series and quarter hour: a Poisson mean learned over 20 days is within 4 standard
    // errors (√(λ/20)) of the profile, plus a hair for empty buckets.
    let buckets = 0;
    for (const [q, profile] of Object.entries(truth.arrivals)) {
      const learned = h.arrivals[q] ?? [];
      profile.forEach((lambda, b) => {
        const got = learned[b] ?? 0;
        expect(Math.abs(got - lambda), `${q} bucket ${b}: ${got} vs ${lambda}`).toBeLessThanOrEqual(
          4 * Math.sqrt(lambda / DAYS) + 0.05,
        );
        buckets++;
      });
      // Nothing learned outside the issuing hours the profile covers.
      expect(learned.length).toBeLessThanOrEqual(profile.length);
      // The day's total per series, tighter.
      const total = profile.reduce((a, b) => a + b, 0);
      const got = learned.reduce((a, b) => a + b, 0);
      expect(Math.abs(got - total)).toBeLessThanOrEqual(4 * Math.sqrt(total / DAYS) + 0.05);
    }
    expect(buckets).toBeGreaterThan(300);
    // Service: each well-sampled matter's lognormal comes back (mean within 4 standard errors, spread within 20 %).
    let fitted = 0;
    for (const [m, truthSvc] of Object.entries(truth.service)) {
      const got = h.service[m];
      if (!got) continue;
      const n = events.flat().filter((e) => e.type === "ticket.issued" && e.ticket.matterId === m).length;
      if (n < 150) continue;
      fitted++;
      expect(Math.abs(got.meanSec - truthSvc.meanSec) / truthSvc.meanSec, m).toBeLessThanOrEqual(
        (4 * truthSvc.cv) / Math.sqrt(n),
      );
      expect(Math.abs(got.cv - truthSvc.cv) / truthSvc.cv, m).toBeLessThanOrEqual(0.2);
    }
    expect(fitted).toBeGreaterThan(20);
    expect(h.priority.green).toBeCloseTo(truth.priority.green, 2);
    expect(h.priority.appointment).toBeCloseTo(truth.priority.appointment, 1);
  });

  it("reads past days from journal files as the hub writes them, skipping today and damaged lines", async () => {
    const dir = await mkdtemp(join(tmpdir(), "onevisit-history-"));
    try {
      const sc = referenceScenario(demoCatalogue(), { day: "2026-11-30", seed: 1, load: 0.3 });
      sc.estimates = false;
      sc.recordEvents = true;
      const evs = simulate(sc).events as HallEvent[];
      const text = evs.map(journalLine).join("");
      await writeFile(join(dir, "2026-11-30.jsonl"), `${text}{"broken\t00000000\n`);
      await writeFile(join(dir, "2026-12-01.jsonl"), text);
      await writeFile(join(dir, "notes.txt"), "not a journal");
      const days = await readPastDays(dir, "2026-12-01", 20);
      expect(days).toHaveLength(1);
      expect(days[0]).toEqual(evs);
      expect(await readPastDays(join(dir, "missing"), "2026-12-01", 20)).toEqual([]);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});
