/**
 * The hub answers while SQLite ranks a large year's p90s: a real hub (embedded SQLite), a
 * year of 200,000 tickets written into its report history, its periods re-ranked as the
 * nightly fill does; a health request and a number taken at the kiosk are answered while
 * the ranking worker says (its own progress flag) that the job is still running. Then the
 * hub closes mid-ranking and the database is left unlocked.
 */
import { join } from "node:path";
import Database from "better-sqlite3";
import { expectUnlocked } from "./rows.ts";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { PROGRESS } from "../../../server/src/reports/p90-runner.ts";
import { startTestHub, type TestHub } from "../../helpers/hub.ts";

const ROWS = 200_000;
const turn = () => new Promise<void>((r) => setImmediate(r));

/** A year of tickets (days counted back from 2026-11-30) written through a second connection. */
function seed(file: string): void {
  const db = new Database(file);
  try {
    db.pragma("busy_timeout = 10000");
    db.prepare(
      `insert into report_tickets (day, ticket_id, number, hour, series, matter, department, counter, clerk,
        clerk_name, issued_at, outcome, wait_s, service_s)
      select date('2026-11-30', '-' || cast(i / 800 as text) || ' days'), 't' || i, 'A', 9 + i % 8, 'q-' || (i % 3),
        'm-' || (i % 108), 'd-' || (i % 9), 'c' || (i % 45), 's-' || (i % 45), 'x', 0, 'served',
        (i * 7919) % 1800, (i * 104729) % 900
      from (with recursive s(i) as (select 0 union all select i + 1 from s where i < ?) select i from s)`,
    ).run(ROWS - 1);
  } finally {
    db.close();
  }
}

describe("the hub while SQLite ranks a year of p90s", () => {
  let t: TestHub;
  beforeAll(async () => {
    t = await startTestHub();
    await t.hub.reports.ready;
    // The kiosk is paired now (through the routes), so the number below is one request.
    expect((await t.issue({ matterId: "m-001" })).status).toBe(201);
    seed(join(t.dataDir, "cases.db"));
  }, 120_000);
  afterAll(async () => {
    await t?.close();
  });

  it("answers a health request and takes a number while the ranking runs, and closes cleanly mid-job", async () => {
    const progress = t.hub.reports.ranking;
    if (!progress) throw new Error("no ranking worker on SQLite");
    let done = false;
    const before = Atomics.load(progress, PROGRESS.started);
    // What the nightly fill of 2026-11-30 does: rank its day, week, month and year.
    const ranked = t.hub.reports.service.refreshPeriods(["2026-11-30"]).finally(() => {
      done = true;
    });
    // Wait (loop turns, not time) for the year: the job with the most rows, after day, week, month.
    const inYear = () =>
      Atomics.load(progress, PROGRESS.started) === before + 4 &&
      Atomics.load(progress, PROGRESS.job) !== 0 &&
      Atomics.load(progress, PROGRESS.ranked) >= 1;
    while (!done && !inYear()) await turn();
    expect(done).toBe(false);
    const job = Atomics.load(progress, PROGRESS.job);
    const health = await t.api<{ ok: boolean }>("GET", "/api/health");
    expect(health.status).toBe(200);
    expect(health.body.ok).toBe(true);
    const taken = await t.issue({ matterId: "m-001" });
    expect(taken.status).toBe(201);
    expect(taken.body.number).toEqual(expect.any(String));
    // The job answered nothing yet: the same job is running, not all its rankings done.
    expect(done).toBe(false);
    expect(Atomics.load(progress, PROGRESS.job)).toBe(job);
    expect(Atomics.load(progress, PROGRESS.ranked)).toBeLessThan(14);
    await ranked;
    // The year's kept p90 of all waits is there (the worker wrote it).
    const db = new Database(join(t.dataDir, "cases.db"), { readonly: true });
    try {
      const row = db
        .prepare(
          "select value from report_p90 where period = 'year' and start = '2026-01-01' and dim = 'all' and metric = 'wait_s'",
        )
        .get() as { value: number } | undefined;
      expect(row?.value).toBeGreaterThan(0);
    } finally {
      db.close();
    }
    // Closing during a ranking: the job is cancelled, the hub closes, nothing stays locked.
    const again = t.hub.reports.service.refreshPeriods(["2026-11-30"]).catch(() => undefined);
    while (Atomics.load(progress, PROGRESS.ranked) < 1) await turn();
    await t.hub.close();
    await again;
    expectUnlocked(join(t.dataDir, "cases.db"));
  }, 120_000);
});
