/**
 * The simulator's tables as text (markdown), shared by `npm run simulate`, the benchmark and
 * docs/simulation.md: plans side by side, the estimator's accuracy on reference days, and
 * the Erlang C validation.
 */
import type { Catalogue } from "../contract/catalogue.ts";
import type { ArrivalProfile } from "../core/estimate.ts";
import { type Accuracy, accuracy, previousEstimate } from "./accuracy.ts";
import type { MmcResult } from "./erlang.ts";
import type { PlanComparison } from "./plan.ts";
import { arrivalProfileOf, learnHistory } from "./history.ts";
import { referenceScenario } from "./reference.ts";
import { simulate } from "./simulate.ts";

const f1 = (x: number) => (Number.isFinite(x) ? x.toFixed(1) : "–");

export function planTables(p: PlanComparison, cat: Catalogue): string {
  const name = (q: string) => {
    const x = cat.queues.find((y) => y.id === q);
    return x ? `${x.prefix} ${x.name}` : q;
  };
  const out: string[] = [];
  out.push("| | today | what if |", "|---|---|---|");
  out.push(`| visitors | ${Math.round(p.today.visitors)} | ${Math.round(p.whatIf.visitors)} |`);
  out.push(`| windows | ${p.today.counters} | ${p.whatIf.counters} |`);
  out.push(`| mean wait (min) | ${f1(p.today.meanWaitMin)} | ${f1(p.whatIf.meanWaitMin)} |`);
  out.push(`| p90 wait (min) | ${f1(p.today.p90WaitMin)} | ${f1(p.whatIf.p90WaitMin)} |`, "");
  out.push("| hour | open today | needed today | open what-if | needed what-if |", "|---|---|---|---|---|");
  for (const s of p.today.staffing) {
    const w = p.whatIf.staffing.find((x) => x.hour === s.hour);
    out.push(`| ${s.hour}:00 | ${s.open} | ${s.needed} | ${w?.open ?? "–"} | ${w?.needed ?? "–"} |`);
  }
  out.push(
    "",
    "| hour | series | today n | today p50 | today p90 | what-if n | what-if p50 | what-if p90 |",
    "|---|---|---|---|---|---|---|---|",
  );
  const keys = new Set([...p.today.cells, ...p.whatIf.cells].map((c) => `${c.hour}|${c.queueId}`));
  for (const k of [...keys].sort((a, b) => Number(a.split("|")[0]) - Number(b.split("|")[0]) || a.localeCompare(b))) {
    const [h, q] = k.split("|") as [string, string];
    const a = p.today.cells.find((c) => c.hour === Number(h) && c.queueId === q);
    const b = p.whatIf.cells.find((c) => c.hour === Number(h) && c.queueId === q);
    out.push(
      `| ${h}:00 | ${name(q)} | ${f1(a?.n ?? Number.NaN)} | ${f1(a?.p50Min ?? Number.NaN)} | ${f1(a?.p90Min ?? Number.NaN)} | ${f1(b?.n ?? Number.NaN)} | ${f1(b?.p50Min ?? Number.NaN)} | ${f1(b?.p90Min ?? Number.NaN)} |`,
    );
  }
  return out.join("\n");
}

export interface AccuracyRow {
  seed: number;
  load: number;
  now: Accuracy;
  previous: Accuracy;
}

/**
 * Past days for the reference days' estimator: simulated with other seeds (never the seeds
 * evaluated), the arrival profile learned from their journals by history.ts as the hub would
 * from its own past days.
 */
export const PAST_SEEDS = [101, 102, 103, 104, 105, 106, 107, 108, 109, 110];

/** The arrival profile learned from simulated past days of the reference hall at `load`. */
export function learnedReferenceProfile(
  cat: Catalogue,
  day: string,
  load: number,
  seeds: readonly number[] = PAST_SEEDS,
): ArrivalProfile {
  const days = seeds.map((seed) => {
    const sc = referenceScenario(cat, { day, seed, load });
    sc.estimates = false;
    sc.recordEvents = true;
    return simulate(sc).events ?? [];
  });
  return arrivalProfileOf(learnHistory(days, cat.hall.timeZone));
}

/**
 * The estimate's accuracy on reference days: today's estimator and the previous one, same
 * tickets. The hub's estimator gets the arrival profile learned from simulated past days
 * ({@link PAST_SEEDS}) unless `profile` is false.
 */
export function accuracyRows(
  cat: Catalogue,
  day: string,
  seeds: readonly number[],
  loads: readonly number[],
  o: { profile?: boolean } = {},
): AccuracyRow[] {
  const rows: AccuracyRow[] = [];
  for (const load of loads) {
    const profile = o.profile === false ? undefined : learnedReferenceProfile(cat, day, load);
    for (const seed of seeds) {
      const sc = referenceScenario(cat, { day, seed, load });
      sc.compare = { previous: previousEstimate };
      if (profile) sc.arrivalProfile = profile;
      const r = simulate(sc);
      rows.push({ seed, load, now: accuracy(r.tickets), previous: accuracy(r.tickets, "previous") });
    }
  }
  return rows;
}

export function accuracyTable(rows: readonly AccuracyRow[]): string {
  const out = [
    "| load | seed | tickets | mean wait (s) | MAE (s) | MAE / mean | p90 error (s) | bias (s) | wait in range | uncertain | previous MAE / mean | previous bias (s) |",
    "|---|---|---|---|---|---|---|---|---|---|---|---|",
  ];
  const pct = (x: number) => (Number.isFinite(x) ? `${(x * 100).toFixed(0)} %` : "–");
  for (const r of rows)
    out.push(
      `| ${r.load} | ${r.seed} | ${r.now.n} | ${r.now.meanWaitSec.toFixed(0)} | ${r.now.maeSec.toFixed(0)} | ${pct(r.now.maeShare)} | ${r.now.p90ErrorSec.toFixed(0)} | ${r.now.biasSec.toFixed(0)} | ${pct(r.now.inRange)} | ${pct(r.now.uncertain)} | ${pct(r.previous.maeShare)} | ${r.previous.biasSec.toFixed(0)} |`,
    );
  return out.join("\n");
}

export function erlangTable(rows: readonly MmcResult[]): string {
  const out = [
    "| c | ρ | Erlang C Wq (s) | simulated Wq (s) | difference | std. error | L (time average) | λ·W | customers |",
    "|---|---|---|---|---|---|---|---|---|",
  ];
  for (const r of rows)
    out.push(
      `| ${r.c} | ${r.rho} | ${r.theory.toFixed(2)} | ${r.simulated.toFixed(2)} | ${(r.relError * 100).toFixed(1)} % | ${((r.stdError / r.theory) * 100).toFixed(1)} % | ${r.littleL.toFixed(3)} | ${r.littleLambdaW.toFixed(3)} | ${r.customers} |`,
    );
  return out.join("\n");
}
