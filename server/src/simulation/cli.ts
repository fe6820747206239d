/**
 * `npm run simulate -- [options]`: the planner's tables on the command line, for the demo
 * hall (or the hall in `--config data/config.json`).
 *
 *   --load 0.8           today's visitors as a share of the windows' capacity
 *   --arrivals 30        what if: visitors +30 % (negative: fewer)
 *   --add q-b:2          what if: two more windows serving series q-b (q-a+q-b:1 for several)
 *   --remove c12,c13     what if: these windows closed
 *   --profile c05=q-a+q-b  what if: window c05 serves these series
 *   --move m-001         what if: this matter goes to the comprehensive windows
 *   --lunch 90           what if: a 90-minute lunch
 *   --target 15          p90 wait the staffing table keeps under (minutes)
 *   --runs 2 --seed 1    seeds per plan, first seed
 *   --counters 150       the hall grown to 150 windows (the reference hall)
 *   --history data/journal  arrivals and service times learned from the last 20 days there
 *   --accuracy           the wait estimate's accuracy on reference days instead
 *   --erlang             the M/M/c validation table instead (takes minutes)
 */
import { readFileSync } from "node:fs";
import type { Catalogue } from "../contract/catalogue.ts";
import { demoCatalogue } from "../seed/demo-hall.ts";
import { type MmcResult, runMmc } from "./erlang.ts";
import { learnHistory, readPastDays } from "./history.ts";
import { comparePlans, type WhatIf } from "./plan.ts";
import { scaledCatalogue } from "./reference.ts";
import { accuracyRows, accuracyTable, erlangTable, planTables } from "./report.ts";

/**
 * The M/M/c grid of docs/simulation.md: 20 replications each, run lengths chosen so the
 * standard error is about 2 % (heavy traffic needs millions of visitors for that).
 */
export const ERLANG_GRID: { c: number; rho: number; customers: number; replications: number }[] = [
  { c: 1, rho: 0.5, customers: 5_000, replications: 20 },
  { c: 1, rho: 0.8, customers: 20_000, replications: 20 },
  { c: 1, rho: 0.95, customers: 150_000, replications: 20 },
  { c: 2, rho: 0.7, customers: 10_000, replications: 20 },
  { c: 5, rho: 0.8, customers: 20_000, replications: 20 },
  { c: 10, rho: 0.9, customers: 100_000, replications: 20 },
  { c: 20, rho: 0.9, customers: 100_000, replications: 20 },
  { c: 50, rho: 0.9, customers: 100_000, replications: 20 },
  { c: 50, rho: 0.95, customers: 150_000, replications: 20 },
];

function arg(name: string): string | undefined {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 ? process.argv[i + 1] : undefined;
}

async function main(): Promise<void> {
  const path = arg("config");
  let cat: Catalogue = path ? (JSON.parse(readFileSync(path, "utf8")) as { catalogue: Catalogue }).catalogue : demoCatalogue();
  const n = Number(arg("counters") ?? 0);
  if (n > 0) cat = scaledCatalogue(cat, n);
  const day = new Intl.DateTimeFormat("en-CA", { timeZone: cat.hall.timeZone }).format(Date.now());
  if (process.argv.includes("--erlang")) {
    const rows: MmcResult[] = [];
    for (const g of ERLANG_GRID) {
      rows.push(runMmc({ ...g, seed: 1 }));
      console.error(`c=${g.c} ρ=${g.rho} done`);
    }
    console.log(erlangTable(rows));
    return;
  }
  if (process.argv.includes("--accuracy")) {
    console.log(accuracyTable(accuracyRows(cat, day, [1, 2, 3, 4, 5], [Number(arg("load") ?? 0.8)])));
    return;
  }
  const w: WhatIf = {};
  const pct = Number(arg("arrivals") ?? 0);
  if (pct) w.arrivalsFactor = 1 + pct / 100;
  if (arg("lunch")) w.lunchMin = Number(arg("lunch"));
  const add = arg("add");
  if (add) {
    const [qs, count] = add.split(":");
    w.addCounters = [{ queueIds: (qs ?? "").split("+"), count: Number(count ?? 1) }];
  }
  if (arg("remove")) w.removeCounters = (arg("remove") ?? "").split(",");
  if (arg("move")) w.moveMatters = (arg("move") ?? "").split(",");
  const prof = arg("profile");
  if (prof) {
    const [counterId, qs] = prof.split("=");
    w.profiles = [{ counterId: counterId ?? "", queueIds: (qs ?? "").split("+") }];
  }
  const dir = arg("history");
  const history = dir ? learnHistory(await readPastDays(dir, day, 20), cat.hall.timeZone) : undefined;
  if (history) console.error(`history: ${history.tickets} tickets over ${history.days} days`);
  const p = comparePlans(
    cat,
    {
      day,
      seed: Number(arg("seed") ?? 1),
      load: Number(arg("load") ?? 0.8),
      runs: Number(arg("runs") ?? 2),
      targetP90Min: Number(arg("target") ?? 15),
      whatIf: w,
      arrivals: history ? "history" : "reference",
    },
    history,
  );
  console.log(planTables(p, cat));
}

await main();
