/**
 * The live hub learns the hall's arrival profile from its past days' journals (in a worker)
 * and its wait estimates use it, today and after the day turns.
 */
import { mkdir, mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { demoCatalogue } from "../../../server/src/seed/demo-hall.ts";
import { referenceScenario } from "../../../server/src/simulation/reference.ts";
import { simulate } from "../../../server/src/simulation/simulate.ts";
import { journalLine } from "../../../server/src/store/journal.ts";
import { startTestHub } from "../../helpers/hub.ts";

describe("the live estimate's arrival profile", () => {
  it("is learned from the past days at start and kept over the day's turn; none without past days", {
    timeout: 120_000,
  }, async () => {
    const logs: string[] = [];
    const dataDir = await mkdtemp(join(tmpdir(), "onevisit-profile-"));
    const first = await startTestHub({ dataDir, log: (l) => logs.push(l) });
    await first.hub.arrivals.learned();
    // A fresh hall has no past: estimates go by the last hour's pace, and no worker was started.
    expect(first.hub.hall.expectsArrivals).toBe(false);
    expect(logs.some((l) => l.includes("arrivals expected"))).toBe(false);
    const today = first.hub.hall.day;
    await first.close();

    await mkdir(join(dataDir, "journal"), { recursive: true });
    for (const n of [2, 1]) {
      const [y, m, d] = today.split("-").map(Number) as [number, number, number];
      const day = new Date(Date.UTC(y, m - 1, d - n)).toISOString().slice(0, 10);
      const sc = referenceScenario(demoCatalogue(), { day, seed: 60 + n, load: 0.3 });
      sc.estimates = false;
      sc.recordEvents = true;
      await writeFile(join(dataDir, "journal", `${day}.jsonl`), (simulate(sc).events ?? []).map(journalLine).join(""));
    }
    const t = await startTestHub({ dataDir, log: (l) => logs.push(l) });
    try {
      await t.hub.arrivals.learned();
      expect(t.hub.hall.expectsArrivals).toBe(true);
      expect(logs.some((l) => /arrivals expected as on the hall's past days \(\d+ series\)/.test(l))).toBe(true);
      // The next day: the profile is learned again (today's journal is now a past day) and kept.
      t.advance(24 * 3600_000);
      // The hall turns its day within its 15 s check; a request makes it look at once.
      expect((await t.api("GET", "/api/state")).status).toBe(200);
      await expect.poll(() => t.hub.hall.day, { timeout: 30_000 }).not.toBe(today);
      await t.hub.arrivals.learned();
      expect(t.hub.hall.expectsArrivals).toBe(true);
    } finally {
      await t.close();
      await rm(dataDir, { recursive: true, force: true });
    }
  });
});
