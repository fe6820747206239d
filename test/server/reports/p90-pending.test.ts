/**
 * A ranking cancelled half way leaves no stale p90 behind unannounced, on both engines
 * (embedded SQLite with its ranking worker, and a real PostgreSQL server): a day filled again
 * marks its day, week, month and year as pending (migration 12, report_days.p90_pending);
 * the report says so (`p90Pending`, no p90 shown) instead of the old figures; the hub closing
 * mid-ranking (what mount.ts's close does: the service stops, the worker's job is cancelled)
 * leaves the periods it did not reach marked; after a restart the next fill ranks them first,
 * and every p90 then equals the nearest-rank p90 of the rows, computed here.
 */
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { CaseStore } from "../../../server/src/cases/store.ts";
import type { HistoryRow } from "../../../server/src/reports/fold.ts";
import { GROUPS, PERIODS, type PeriodKind, p90, periodRange } from "../../../server/src/reports/model.ts";
import { P90Cancelled, P90Runner } from "../../../server/src/reports/p90-runner.ts";
import { ReportStore } from "../../../server/src/reports/store.ts";
import { ENGINES } from "../cases/engines.ts";
import { historyRow, serviceOf } from "./rows.ts";

function rng(seed: number) {
  let s = seed >>> 0;
  return () => {
    s = (s * 1664525 + 1013904223) >>> 0;
    return s / 2 ** 32;
  };
}

/** `n` served tickets of a day; `shift` seconds added to every wait (a day filled again differs). */
function dayRows(day: string, n: number, seed: number, shift = 0): HistoryRow[] {
  const r = rng(seed);
  return Array.from({ length: n }, (_, i) =>
    historyRow(day, i, {
      outcome: "served",
      wait: shift + Math.floor(r() * 1800),
      service: Math.floor(r() * 900),
      rating: null,
      hour: 9 + (i % 8),
    }),
  );
}

/** Monday to Wednesday of one ISO week, and a day of the month before: four periods of each kind overlap. */
const DAYS = ["2026-10-15", "2026-11-02", "2026-11-03", "2026-11-04"];
const REFILLED = "2026-11-03";

/** A store that tells the test when each period's ranking starts (to cancel at the second). */
class WatchedStore extends ReportStore {
  started: string[] = [];
  onStart?: (n: number) => void;
  override async refreshP90s(kind: PeriodKind, from: string, to: string): Promise<void> {
    const job = super.refreshP90s(kind, from, to);
    this.started.push(`${kind} ${from}`);
    this.onStart?.(this.started.length);
    await job;
  }
}

describe.each(ENGINES)("p90s left stale by a cancelled ranking, on $name", (engine) => {
  let loc: Awaited<ReturnType<typeof engine.fresh>>;
  /** Every row now in the history, by day (what the p90s must be ranked over). */
  const history = new Map<string, HistoryRow[]>();
  let oldYearWait: number | null = null;

  const open = () =>
    CaseStore.open(
      { dataDir: loc.dataDir, ...(loc.databaseUrl ? { databaseUrl: loc.databaseUrl, schema: loc.schema } : {}) },
      Date.now(),
    );
  /** The hub's reports as mount.ts builds them: a worker on SQLite, none on PostgreSQL. */
  const build = (cases: CaseStore) => {
    const ranker = cases.engine === "sqlite" ? new P90Runner(join(loc.dataDir, "cases.db")) : undefined;
    const store = new WatchedStore(cases.db, cases.engine, ranker);
    return { ranker, store, service: serviceOf(store, loc.dataDir, "2026-12-01T02:00:00Z") };
  };
  /** The nearest-rank p90 of the waits of a period, from the rows written. */
  const expected = (kind: PeriodKind, metric: "wait_s" | "service_s") => {
    const { from, to } = periodRange(kind, REFILLED);
    const values = [...history.entries()]
      .filter(([d]) => d >= from && d <= to)
      .flatMap(([, rows]) => rows.map((r) => r[metric] as number));
    return p90(values);
  };

  beforeAll(async () => {
    loc = await engine.fresh();
  });
  afterAll(async () => {
    await loc?.drop();
  });

  it("marks the periods of a day filled again, says their p90s are pending, and keeps the marks through a cancel", async () => {
    const cases = await open();
    const { ranker, store, service } = build(cases);
    try {
      for (const [i, d] of DAYS.entries()) {
        const rows = dayRows(d, 120, i + 1);
        history.set(d, rows);
        await store.replaceDay(d, rows, 1, []);
      }
      // Just filled: every period of those days is pending until ranked.
      expect((await store.pendingPeriods()).length).toBeGreaterThan(0);
      expect((await service.report("year", REFILLED, "all")).p90Pending).toBe(true);
      await service.refreshPeriods(DAYS);
      expect(await store.pendingPeriods()).toEqual([]);
      const year = await service.report("year", REFILLED, "all");
      expect(year.p90Pending).toBe(false);
      expect(year.total.p90WaitS).toBe(expected("year", "wait_s"));
      oldYearWait = year.total.p90WaitS;

      // The day is filled again with waits an hour longer: its four periods need ranking.
      const again = dayRows(REFILLED, 150, 99, 3600);
      history.set(REFILLED, again);
      await store.replaceDay(REFILLED, again, 2, []);
      expect((await store.pendingPeriods()).map((p) => `${p.kind} ${p.from}`).sort()).toEqual(
        PERIODS.map((k) => `${k} ${periodRange(k, REFILLED).from}`).sort(),
      );
      for (const kind of PERIODS) {
        const r = await service.report(kind, REFILLED, "department");
        expect(r.p90Pending, kind).toBe(true);
        // The old figures are not shown as if they were the period's.
        expect(r.total.p90WaitS, kind).toBeNull();
        expect(r.rows.every((x) => x.p90WaitS === null && x.p90ServiceS === null)).toBe(true);
        // The other figures are there: they come from the rollups, written with the fill.
        expect(r.total.tickets, kind).toBeGreaterThanOrEqual(150);
      }
      // The month before is not touched by it.
      expect((await service.report("month", "2026-10-15", "all")).p90Pending).toBe(false);

      // The nightly ranking starts (day, week, month, year) and the hub closes as the second
      // begins: what mount.ts's close() does, the service stopped and the worker's job cancelled.
      let closing: Promise<void> | undefined;
      store.started = [];
      store.onStart = (n) => {
        if (n !== 2) return;
        service.stop();
        closing = ranker?.close();
      };
      await expect(service.refreshPeriods([REFILLED])).rejects.toBeInstanceOf(P90Cancelled);
      await closing;
      expect(store.started).toEqual([`day ${REFILLED}`, `week ${periodRange("week", REFILLED).from}`]);
      // The day was ranked before the close; the month and year were never reached.
      const left = (await store.pendingPeriods()).map((p) => p.kind);
      expect(left).not.toContain("day");
      expect(left).toEqual(expect.arrayContaining(["month", "year"]));
      expect((await service.report("day", REFILLED, "all")).total.p90WaitS).toBe(expected("day", "wait_s"));
      const stale = await service.report("year", REFILLED, "all");
      expect(stale.p90Pending).toBe(true);
      expect(stale.total.p90WaitS).toBeNull();
      // What the year keeps is still the old ranking (nothing half-written, nothing cleared).
      expect((await store.keptP90s("year", "2026-01-01", "all", "wait_s")).get("")).toBe(oldYearWait);
    } finally {
      await ranker?.close();
      await cases.close();
    }
  }, 120_000);

  it("after a restart, the next fill ranks the pending periods first and every p90 is right", async () => {
    const cases = await open();
    const { ranker, store, service } = build(cases);
    try {
      expect((await store.pendingPeriods()).length).toBeGreaterThanOrEqual(2);
      // What the hub does at start: fill the closed days not filled yet (none here) and rank.
      expect(await service.fillMissing()).toEqual([]);
      expect(store.started.length).toBeGreaterThanOrEqual(2);
      expect(store.started).toEqual(expect.arrayContaining([`year 2026-01-01`, `month 2026-11-01`]));
      expect(await store.pendingPeriods()).toEqual([]);
      for (const kind of PERIODS) {
        const { from, to } = periodRange(kind, REFILLED);
        const r = await service.report(kind, REFILLED, "all");
        expect(r.p90Pending, kind).toBe(false);
        expect(r.total.p90WaitS, kind).toBe(expected(kind, "wait_s"));
        expect(r.total.p90ServiceS, kind).toBe(expected(kind, "service_s"));
        for (const by of GROUPS)
          for (const metric of ["wait_s", "service_s"] as const)
            expect(await store.keptP90s(kind, from, by, metric), `${kind} ${by} ${metric}`).toEqual(
              await store.p90s(by, metric, from, to),
            );
      }
      // The year really was ranked again: the hour-longer waits moved its p90.
      expect((await service.report("year", REFILLED, "all")).total.p90WaitS).not.toBe(oldYearWait);
    } finally {
      await ranker?.close();
      await cases.close();
    }
  }, 120_000);
});
