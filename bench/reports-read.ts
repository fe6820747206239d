/**
 * `npx tsx bench/reports-read.ts` — the reports' read path alone, quickly: a report reads only
 * the rollups (report_rollup), the kept p90s (report_p90), the filled days and the cases, never
 * the ticket rows. So a store holding a year's rollup and p90 rows as the full bench writes
 * them (250 days × every grouping's keys of the demo catalogue), without the million ticket
 * rows behind them, answers with the same queries over the same row counts. Used for a
 * re-measure on a quieter machine than the full `reports` bench had (which writes the
 * million rows first: ~25 minutes). Median and spread of interleaved runs, with the same-run
 * baseline of the full bench's shape: an indexed count over the year's rollup rows.
 */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { performance } from "node:perf_hooks";
import { sql } from "kysely";
import { WEEKENDS_ONLY } from "../server/src/cases/calendar.ts";
import { CaseStore } from "../server/src/cases/store.ts";
import { GROUPS, PERIODS, periodRange } from "../server/src/reports/model.ts";
import { ReportService } from "../server/src/reports/service.ts";
import { ReportStore } from "../server/src/reports/store.ts";
import { demoCatalogue } from "../server/src/seed/demo-hall.ts";
import { interleaved, showSpread } from "./lib.ts";

const cat = demoCatalogue();
const KEYS: Record<string, string[]> = {
  all: [""],
  department: cat.departments.map((d) => d.id),
  matter: cat.matters.map((m) => m.id),
  series: cat.queues.map((q) => q.id),
  counter: cat.counters.map((c) => c.id),
  clerk: cat.counters.map((c) => `s-${c.id}`),
  hour: ["9", "10", "11", "12", "13", "14", "15", "16"],
};

const dir = mkdtempSync(join(tmpdir(), "onevisit-bench-reports-read-"));
const cases = await CaseStore.open({ dataDir: dir }, Date.now());
const store = new ReportStore(cases.db, cases.engine);
const days: string[] = [];
for (let t = Date.UTC(2025, 0, 2); days.length < 250; t += 86_400_000) {
  const d = new Date(t).toISOString().slice(0, 10);
  if (WEEKENDS_ONLY.isWorkday(d)) days.push(d);
}
await cases.db.transaction().execute(async (tx) => {
  for (const d of days) {
    await sql`insert into report_days (day, tickets, filled_at) values (${d}, 4000, 0)`.execute(tx);
    for (const [dim, keys] of Object.entries(KEYS))
      for (const k of keys)
        await sql`insert into report_rollup values (${dim}, ${d}, ${k}, ${k}, 40, 34, 4, 2, 38, 30000, 34, 20000, 1, 1, 3, 5, 6)`.execute(
          tx,
        );
  }
  const periods = new Map<string, { kind: string; from: string }>();
  for (const d of days)
    for (const kind of PERIODS) periods.set(`${kind}${periodRange(kind, d).from}`, { kind, from: periodRange(kind, d).from });
  for (const p of periods.values())
    for (const [dim, keys] of Object.entries(KEYS))
      for (const metric of ["wait_s", "service_s"])
        for (const k of keys)
          await sql`insert into report_p90 values (${p.kind}, ${p.from}, ${dim}, ${metric}, ${k}, 1234)`.execute(tx);
});
const svc = new ReportService({
  store,
  dataDir: dir,
  catalogue: () => cat,
  clock: () => Date.parse("2026-01-15T02:00:00Z"),
  ticket: () => undefined,
  staffName: () => undefined,
  log: () => {},
});
const mid = days[125] as string;
const all = async () => {
  let worst = 0;
  let name = "";
  for (const p of PERIODS)
    for (const by of GROUPS) {
      const s = performance.now();
      await svc.report(p, mid, by);
      const el = performance.now() - s;
      if (el > worst) [worst, name] = [el, `${p} by ${by}`];
    }
  return { worst, name };
};
const base = async () => {
  const s = performance.now();
  await sql`select count(*) from report_rollup where dim = 'matter' and day >= '2025-01-01' and day <= '2025-12-31'`.execute(
    cases.db,
  );
  return { worst: performance.now() - s, name: "count" };
};
await all();
const r = await interleaved("reports-read", 7, { a: all, b: base }, (x) => x.worst);
console.log(`slowest of 28 reports: ${showSpread(r.figA)}; ${[...new Set(r.a.map((x) => x.name))].join(", ")}`);
console.log(`baseline count of the year's matter rollups: ${showSpread(r.figB)}`);
await cases.close();
rmSync(dir, { recursive: true, force: true });
