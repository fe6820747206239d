/**
 * The p90 ranking off the hub's thread (SQLite: a worker with its own connection; PostgreSQL:
 * its server). The kept p90s are the same as the in-thread ranking's; while a large ranking
 * runs, the hub's own connection answers and its event loop turns (seen against the worker's
 * progress flag, not a clock); closing during a job leaves the period's p90s all old or all
 * new and the database unlocked.
 */
import { join } from "node:path";
import { expectUnlocked } from "./rows.ts";
import { type Kysely, sql } from "kysely";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { CaseStore } from "../../../server/src/cases/store.ts";
import type { GroupBy } from "../../../server/src/reports/model.ts";
import { P90Cancelled, P90Runner, PROGRESS } from "../../../server/src/reports/p90-runner.ts";
import { type ReportDb, ReportStore } from "../../../server/src/reports/store.ts";
import { ENGINES } from "../cases/engines.ts";

const DIMS: GroupBy[] = ["all", "department", "matter", "series", "counter", "clerk", "hour"];
const METRICS = ["wait_s", "service_s"] as const;

/**
 * `n` history rows spread over the days of 2026 from November back (200 a day), values
 * scattered by multiplying primes (the same rows on both engines), some without a wait or a
 * service time.
 */
async function seed(db: Kysely<ReportDb>, engine: "sqlite" | "postgres", n: number): Promise<void> {
  const numbers =
    engine === "sqlite"
      ? sql`with recursive s(i) as (select 0 union all select i + 1 from s where i < ${n - 1}) select i from s`
      : sql`select generate_series(0, ${n - 1}) as i`;
  await sql`insert into report_tickets (day, ticket_id, number, hour, series, matter, department, counter, clerk,
      clerk_name, issued_at, called_at, started_at, finished_at, outcome, wait_s, service_s, rating, reasons)
    select to_day, 't' || cast(i as text), 'A' || cast(i % 1000 as text), 9 + i % 8, 'q-' || cast(i % 3 as text),
      'm-' || cast(i % 7 as text), 'd-' || cast(i % 2 as text), 'c' || cast(i % 11 as text), 's-' || cast(i % 13 as text),
      'clerk', 0, null, null, null, 'served',
      case when i % 6 = 5 then null else (i * 7919) % 1800 end,
      case when i % 4 = 3 then null else (i * 104729) % 900 end, null, null
    from (select i, ${dayExpr(engine)} as to_day from (${numbers}) n) x`.execute(db);
}

/** Day number i / 200 counted back from 2026-11-30 (up to ~330 days: all in 2026). */
function dayExpr(engine: "sqlite" | "postgres") {
  return engine === "sqlite"
    ? sql`date('2026-11-30', '-' || cast(i / 200 as text) || ' days')`
    : sql`to_char(date '2026-11-30' - cast(i / 200 as integer), 'YYYY-MM-DD')`;
}

async function kept(db: Kysely<ReportDb>, period: string, from: string): Promise<string[]> {
  const r = await sql<{ dim: string; metric: string; key: string; value: unknown }>`select dim, metric, key, value
    from report_p90 where period = ${period} and start = ${from}`.execute(db);
  return r.rows.map((x) => `${x.dim} ${x.metric} ${x.key} ${Number(x.value)}`).sort();
}

/** Wait for the next turn of the event loop (after pending I/O callbacks). */
const turn = () => new Promise<void>((r) => setImmediate(r));

describe.each(ENGINES)("p90 ranking off the hub's thread on $name", (engine) => {
  let loc: Awaited<ReturnType<typeof engine.fresh>>;
  let cases: CaseStore;
  let inThread: ReportStore;
  let ranker: P90Runner | undefined;
  let store: ReportStore;

  beforeAll(async () => {
    loc = await engine.fresh();
    cases = await CaseStore.open(
      { dataDir: loc.dataDir, ...(loc.databaseUrl ? { databaseUrl: loc.databaseUrl, schema: loc.schema } : {}) },
      Date.now(),
    );
    inThread = new ReportStore(cases.db, cases.engine);
    // What mount.ts does: a worker for SQLite, none for PostgreSQL.
    ranker = cases.engine === "sqlite" ? new P90Runner(join(loc.dataDir, "cases.db")) : undefined;
    store = new ReportStore(cases.db, cases.engine, ranker);
    await seed(inThread.db, engine.name, 20_000);
  }, 120_000);
  afterAll(async () => {
    await ranker?.close();
    await cases?.close();
    await loc?.drop();
  });

  it("keeps the same p90s as the in-thread ranking, equal to the ranking over the range", async () => {
    for (const [period, from, to] of [
      ["month", "2026-11-01", "2026-11-30"],
      ["year", "2026-01-01", "2026-12-31"],
    ] as const) {
      await inThread.refreshP90s(period, from, to);
      const before = await kept(inThread.db, period, from);
      await sql`delete from report_p90 where period = ${period}`.execute(inThread.db);
      await store.refreshP90s(period, from, to);
      const after = await kept(inThread.db, period, from);
      expect(after.length).toBeGreaterThan(DIMS.length * METRICS.length);
      expect(after).toEqual(before);
      for (const by of DIMS)
        for (const metric of METRICS)
          expect(await store.keptP90s(period, from, by, metric), `${period} ${by} ${metric}`).toEqual(
            await inThread.p90s(by, metric, from, to),
          );
    }
    // Ranking the same period again replaces its rows (no duplicates).
    const month = await kept(inThread.db, "month", "2026-11-01");
    await store.refreshP90s("month", "2026-11-01", "2026-11-30");
    expect(await kept(inThread.db, "month", "2026-11-01")).toEqual(month);
  }, 120_000);
});

describe("p90 ranking of a large year in SQLite's worker", () => {
  const sqlite = ENGINES.find((e) => e.name === "sqlite");
  if (!sqlite) throw new Error("no sqlite engine");
  let loc: Awaited<ReturnType<typeof sqlite.fresh>>;
  let cases: CaseStore;
  let inThread: ReportStore;
  const ROWS = 200_000;
  const YEAR = ["year", "2026-01-01", "2026-12-31"] as const;

  beforeAll(async () => {
    loc = await sqlite.fresh();
    cases = await CaseStore.open({ dataDir: loc.dataDir }, Date.now());
    inThread = new ReportStore(cases.db, cases.engine);
    await seed(inThread.db, "sqlite", ROWS);
  }, 120_000);
  afterAll(async () => {
    await cases?.close();
    await loc?.drop();
  });

  it("leaves the hub's loop and connection free while it ranks", async () => {
    const ranker = new P90Runner(join(loc.dataDir, "cases.db"));
    const store = new ReportStore(cases.db, cases.engine, ranker);
    try {
      let done = false;
      const job = store.refreshP90s(...YEAR).finally(() => {
        done = true;
      });
      // Turns of this thread's loop until the worker has ranked its first grouping.
      let turns = 0;
      while (!done && Atomics.load(ranker.progress, PROGRESS.ranked) < 1) {
        await turn();
        turns++;
      }
      expect(done).toBe(false);
      const runningJob = Atomics.load(ranker.progress, PROGRESS.job);
      expect(runningJob).toBeGreaterThan(0);
      // The hub's own connection answers (a read and a write) while the job is still running.
      expect(await store.filledBetween("2026-01-01", "2026-12-31")).toBe(0);
      await store.replaceDay("2025-12-31", [], 1, []);
      expect(await store.filledBetween("2025-12-01", "2025-12-31")).toBe(1);
      for (let i = 0; i < 100; i++) await turn();
      expect(done).toBe(false);
      expect(Atomics.load(ranker.progress, PROGRESS.job)).toBe(runningJob);
      expect(Atomics.load(ranker.progress, PROGRESS.ranked)).toBeLessThan(DIMS.length * METRICS.length);
      expect(turns).toBeGreaterThan(0);
      await job;
      expect(Atomics.load(ranker.progress, PROGRESS.job)).toBe(0);
      for (const by of ["all", "clerk", "hour"] as const)
        expect(await store.keptP90s("year", "2026-01-01", by, "wait_s")).toEqual(
          await inThread.p90s(by, "wait_s", "2026-01-01", "2026-12-31"),
        );
    } finally {
      await ranker.close();
    }
  }, 120_000);

  it("closing during a job leaves the period's p90s all old or all new, and the database unlocked", async () => {
    await inThread.refreshP90s(...YEAR);
    const old = await kept(inThread.db, "year", "2026-01-01");
    // New values: every wait longer, so every wait p90 changes.
    await sql`update report_tickets set wait_s = wait_s + 5000`.execute(inThread.db);
    const ranker = new P90Runner(join(loc.dataDir, "cases.db"));
    const store = new ReportStore(cases.db, cases.engine, ranker);
    const job = store.refreshP90s(...YEAR).then(
      () => "ranked",
      (err: Error) => (err instanceof P90Cancelled ? "cancelled" : err.message),
    );
    const queued = store.refreshP90s("month", "2026-11-01", "2026-11-30").then(
      () => "ranked",
      (err: Error) => (err instanceof P90Cancelled ? "cancelled" : err.message),
    );
    while (Atomics.load(ranker.progress, PROGRESS.ranked) < 1) await turn();
    await ranker.close();
    const outcome = await job;
    expect(outcome).toBe("cancelled");
    expect(await queued).toBe("cancelled");
    expect(await kept(inThread.db, "year", "2026-01-01")).toEqual(old);
    // A closed runner refuses new jobs.
    await expect(store.refreshP90s(...YEAR)).rejects.toBeInstanceOf(P90Cancelled);
    // Nothing is left locked: a fresh connection that will not wait takes the write lock.
    expectUnlocked(join(loc.dataDir, "cases.db"));
    // And the year ranked again (a new runner) gets the new values, all of them.
    const again = new P90Runner(join(loc.dataDir, "cases.db"));
    try {
      await new ReportStore(cases.db, cases.engine, again).refreshP90s(...YEAR);
      const now = await kept(inThread.db, "year", "2026-01-01");
      expect(now).not.toEqual(old);
      expect(await inThread.keptP90s("year", "2026-01-01", "all", "wait_s")).toEqual(
        await inThread.p90s("all", "wait_s", "2026-01-01", "2026-12-31"),
      );
    } finally {
      await again.close();
    }
  }, 120_000);
});
