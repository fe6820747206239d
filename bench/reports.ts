/**
 * `reports`: a year of history (250 hall days × 4,000 tickets = 1,000,000 tickets) in the
 * case database, then every report the page can ask for — day, week, month and year, each
 * grouped by department, matter, series, counter, clerk, hour and the whole hall — timed
 * through the service as the route runs it (rollup sums, the p90s ranked in SQL, cases).
 * Target: the slowest report ≤ 300 ms, and a month's report exported to XLSX ≤ 2 s.
 * Baseline, same run and engine, interleaved with the reports: the plain indexed count of
 * the year's tickets (`select count(*) … where day between`), the floor of reading a year.
 * Each figure is the median of interleaved runs with its spread. SQLite is the target;
 * PostgreSQL (TEST_DATABASE_URL, skipped when absent) is reported beside it.
 * The year is written a day at a time through the store's own fill (batched inserts in one
 * transaction per day, rollups included), so its time is the fill's too. Its p90s are ranked
 * as the hub ranks them: on SQLite through the ranking worker (reports/p90-runner.ts, its own
 * connection on a worker thread), on PostgreSQL by the server; meanwhile this thread's event
 * loop delay is sampled (what calls and kiosks would wait on the hub).
 */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { monitorEventLoopDelay, performance } from "node:perf_hooks";
import { sql } from "kysely";
import pg from "pg";
import { CaseStore } from "../server/src/cases/store.ts";
import { WEEKENDS_ONLY } from "../server/src/cases/calendar.ts";
import type { HistoryRow } from "../server/src/reports/fold.ts";
import { reportFile } from "../server/src/reports/export.ts";
import { GROUPS, PERIODS } from "../server/src/reports/model.ts";
import { P90Runner } from "../server/src/reports/p90-runner.ts";
import { ReportService } from "../server/src/reports/service.ts";
import { ReportStore } from "../server/src/reports/store.ts";
import { demoCatalogue } from "../server/src/seed/demo-hall.ts";
import { type BenchResult, type Row, interleaved, ms, say, showSpread, spread } from "./lib.ts";

const DAYS = Number(process.env.REPORTS_BENCH_DAYS ?? 250);
const PER_DAY = 4000;
const PAIRS = 5;
const YEAR = 2025;
const PG_URL = process.env.TEST_DATABASE_URL ?? "postgres://onevisit:onevisit@127.0.0.1:5432/postgres";

function rng(seed: number) {
  let s = seed >>> 0;
  return () => {
    s = (s * 1664525 + 1013904223) >>> 0;
    return s / 2 ** 32;
  };
}

/** The working days of the bench year (weekdays from 2 January), `DAYS` of them. */
function workingDays(): string[] {
  const out: string[] = [];
  for (let t = Date.UTC(YEAR, 0, 2); out.length < DAYS; t += 86_400_000) {
    const d = new Date(t).toISOString().slice(0, 10);
    if (WEEKENDS_ONLY.isWorkday(d)) out.push(d);
  }
  return out;
}

/** One day of a busy hall: the demo catalogue's matters, 45 counters and clerks, 8–17 h. */
function day(d: string, r: () => number): HistoryRow[] {
  const cat = demoCatalogue();
  const matters = cat.matters;
  const counters = cat.counters;
  const base = Date.parse(`${d}T09:00:00+08:00`);
  return Array.from({ length: PER_DAY }, (_, i) => {
    const m = matters[Math.floor(r() * matters.length)] as (typeof matters)[number];
    const c = counters[Math.floor(r() * counters.length)] as (typeof counters)[number];
    const issued = base + Math.floor(r() * 8 * 3_600_000);
    const roll = r();
    const outcome: HistoryRow["outcome"] = roll < 0.85 ? "served" : roll < 0.95 ? "no_show" : "cancelled";
    const wait = outcome === "cancelled" ? null : Math.floor(r() * r() * 3600);
    const service = outcome === "served" ? 60 + Math.floor(r() * 1200) : null;
    const rating = outcome === "served" && r() < 0.4 ? 1 + Math.floor(r() * 5) : null;
    return {
      day: d,
      ticket_id: `${d}-${i}`,
      number: `A${i}`,
      hour: new Date(issued + 8 * 3_600_000).getUTCHours(),
      series: m.queueId,
      matter: m.id,
      department: m.departmentId,
      counter: outcome === "cancelled" ? "" : c.id,
      clerk: outcome === "cancelled" ? "" : `s-${c.id}`,
      clerk_name: outcome === "cancelled" ? "" : `clerk ${c.id}`,
      issued_at: issued,
      called_at: wait === null ? null : issued + wait * 1000,
      started_at: null,
      finished_at: service === null || wait === null ? null : issued + (wait + service) * 1000,
      outcome,
      wait_s: wait,
      service_s: service,
      rating,
      reasons: rating !== null && rating <= 2 ? "long_wait" : null,
      comment: null,
      rated_at: null,
    };
  });
}

async function pgReachable(): Promise<boolean> {
  const c = new pg.Client({ connectionString: PG_URL, connectionTimeoutMillis: 3000 });
  try {
    await c.connect();
    return true;
  } catch {
    return false;
  } finally {
    await c.end().catch(() => {});
  }
}

async function benchEngine(name: "sqlite" | "postgres"): Promise<{ rows: Row[]; notes: string[] }> {
  const dir = mkdtempSync(join(tmpdir(), "onevisit-bench-reports-"));
  const schema = `bench_reports_${process.pid}`;
  const cases = await CaseStore.open(
    name === "postgres" ? { dataDir: dir, databaseUrl: PG_URL, schema } : { dataDir: dir },
    Date.now(),
  );
  // What reports/mount.ts gives the hub: SQLite ranks in the worker, PostgreSQL on its server.
  const ranker = cases.engine === "sqlite" ? new P90Runner(join(dir, "cases.db")) : undefined;
  try {
    const store = new ReportStore(cases.db, cases.engine, ranker);
    const svc = new ReportService({
      store,
      dataDir: dir,
      catalogue: demoCatalogue,
      clock: () => Date.parse(`${YEAR + 1}-01-15T02:00:00Z`),
      ticket: () => undefined,
      staffName: () => undefined,
      log: () => {},
    });
    const days = workingDays();
    const r = rng(1);
    const t0 = performance.now();
    for (const [i, d] of days.entries()) {
      await store.replaceDay(d, day(d, r), 0, []);
      if ((i + 1) % 50 === 0) say(`reports (${name}): ${i + 1}/${days.length} days written`);
    }
    const fillS = (performance.now() - t0) / 1000;
    const total = DAYS * PER_DAY;
    say(`reports (${name}): ${total} tickets in ${fillS.toFixed(1)} s`);
    // The year's periods ranked once, as a rebuild does after filling its days.
    // The hub's worker is running long before a fill ranks anything; here it starts on the
    // first job (from the sources, esbuild bundles it on this thread first): start it with an
    // empty period so that start is not counted as the ranking's.
    await store.refreshP90s("day", "1999-01-01", "1999-01-01");
    const loop = monitorEventLoopDelay({ resolution: 10 });
    loop.enable();
    const t1 = performance.now();
    await svc.refreshPeriods(days);
    const rankS = (performance.now() - t1) / 1000;
    loop.disable();
    // Nanoseconds; the histogram's floor is its resolution (10 ms).
    const loopMs = { p99: loop.percentile(99) / 1e6, max: loop.max / 1e6 };
    say(
      `reports (${name}): p90s of every period ranked in ${rankS.toFixed(1)} s (${ranker ? "worker thread" : "server"}); event loop delay meanwhile p99 ${loopMs.p99.toFixed(0)} ms, max ${loopMs.max.toFixed(0)} ms`,
    );
    const mid = days[Math.floor(days.length / 2)] as string;

    /** Every report once; the slowest and the year-by-clerk one (the most groups over the most rows). */
    const allReports = async () => {
      let worst = 0;
      let worstName = "";
      for (const p of PERIODS)
        for (const by of GROUPS) {
          const s = performance.now();
          await svc.report(p, mid, by);
          const el = performance.now() - s;
          if (el > worst) {
            worst = el;
            worstName = `${p} by ${by}`;
          }
        }
      return { worst, worstName };
    };
    const baseline = async () => {
      const s = performance.now();
      await sql`select count(*) as n from report_tickets where day >= ${`${YEAR}-01-01`} and day <= ${`${YEAR}-12-31`}`.execute(
        cases.db,
      );
      return { worst: performance.now() - s, worstName: "count" };
    };
    await allReports(); // warm the caches once: a hub answers many reports, not one
    const series = await interleaved(`reports (${name})`, PAIRS, { a: allReports, b: baseline }, (x) => x.worst);
    const worstNames = [...new Set(series.a.map((x) => x.worstName))].join(", ");

    const exportRuns: number[] = [];
    for (let i = 0; i < PAIRS; i++) {
      const s = performance.now();
      const rep = await svc.report("month", mid, "matter");
      await reportFile(rep, "groups", "xlsx", "zh");
      exportRuns.push(performance.now() - s);
    }
    const exp = spread(exportRuns);
    const target = name === "sqlite";
    return {
      rows: [
        {
          bench: "reports",
          metric: `slowest report over ${total.toLocaleString("en")} tickets (${name}; ${worstNames})`,
          value: showSpread(series.figA),
          baseline: `indexed count of the year: ${showSpread(series.figB)}`,
          target: target ? "≤ 300 ms" : "(reported)",
          ...(target ? { pass: series.figA.median <= 300 } : {}),
        },
        {
          bench: "reports",
          metric: `month by matter → XLSX (${name})`,
          value: showSpread(exp),
          baseline: "",
          target: target ? "≤ 2 s" : "(reported)",
          ...(target ? { pass: exp.median <= 2000 } : {}),
        },
      ],
      notes: [
        `reports (${name}): a year of ${total.toLocaleString("en")} tickets filled day by day in ${fillS.toFixed(1)} s (rows and rollups), the p90s of its ${DAYS} days, weeks, months and year ranked in ${rankS.toFixed(1)} s ${ranker ? "in the ranking worker (as the hub does)" : "by the server"}, the hub's event loop delayed meanwhile by at most ${loopMs.max.toFixed(0)} ms (p99 ${loopMs.p99.toFixed(0)} ms); every report (${PERIODS.length} periods × ${GROUPS.length} groupings) per run, slowest of each run: ${series.figA.runs.map((v) => ms(v, 1)).join(" / ")}; baseline count: ${series.figB.runs.map((v) => ms(v, 1)).join(" / ")}.`,
      ],
    };
  } finally {
    await ranker?.close();
    if (name === "postgres") await sql`drop schema if exists ${sql.raw(schema)} cascade`.execute(cases.db).catch(() => {});
    await cases.close();
    rmSync(dir, { recursive: true, force: true });
  }
}

export async function benchReports(): Promise<BenchResult> {
  const rows: Row[] = [];
  const notes: string[] = [];
  for (const name of ["sqlite", "postgres"] as const) {
    if (name === "postgres" && !(await pgReachable())) {
      notes.push(`reports: PostgreSQL not reachable at ${PG_URL}; SQLite only.`);
      continue;
    }
    const r = await benchEngine(name);
    rows.push(...r.rows);
    notes.push(...r.notes);
  }
  return { rows, notes };
}
