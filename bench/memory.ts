/**
 * `memory`: the hub's resident memory with the demo hall and with the reference-scale hall
 * (bench/reference-hall.ts), and where it goes. The hub starts in a child
 * (bench/memory-child.ts) on a data folder seeded before (a restart, as in a hall every
 * morning: the first start's password hashing is not counted), which reports
 * process.memoryUsage() after a full GC at each stage of its start; then 195 screens
 * subscribe to the hall (each gets the snapshot) and it reports again.
 * Two ways to run the same code: under tsx (the TypeScript loader `npm start` used until
 * now), and as one esbuild bundle under plain node, as `npm start` now runs the hub
 * (`npm run build:server`). In the bundle every module is loaded before the first stage,
 * so its stages only show the total; the tsx run shows where the memory goes.
 */
import { execFileSync } from "node:child_process";
import { mkdirSync, readFileSync, rmSync } from "node:fs";
import { join } from "node:path";
import {
  type BenchResult,
  type Child,
  ROOT,
  type Row,
  deskToken,
  listRuns,
  say,
  showSpread,
  sleep,
  spawnChild,
  spread,
} from "./lib.ts";
import type { Stage } from "./memory-child.ts";
import { prepareHall, REFERENCE } from "./reference-hall.ts";

const SCREENS = 195;
const LIMIT_MB = 150;
/**
 * Runs of the bundle per hall: one run's RSS moves by ±15 MB between identical runs (where
 * V8 last compacted, what the allocator kept), so the verdict takes the median of several.
 */
const RUNS = Number(process.env.OV_BENCH_MEMORY_RUNS ?? 5);

/**
 * The hub (and this probe) as one ESM file. It sits below server/ so that packages resolve
 * as from the sources, inside an ignored folder; app.ts finds its pages two folders up,
 * which here is server/ (no pages: not needed to measure memory).
 */
function bundle(): { script: string; cleanup(): void } {
  const dir = join(ROOT, "server/node_modules/.bench-build");
  mkdirSync(dir, { recursive: true });
  const out = join(dir, "memory-child.js");
  execFileSync(
    join(ROOT, "node_modules/.bin/esbuild"),
    [
      "bench/memory-child.ts",
      "--bundle",
      "--platform=node",
      "--format=esm",
      "--packages=external",
      "--target=node20",
      `--outfile=${out}`,
      "--log-level=warning",
    ],
    { cwd: ROOT },
  );
  return {
    script: "server/node_modules/.bench-build/memory-child.js",
    cleanup: () => rmSync(dir, { recursive: true, force: true }),
  };
}

/**
 * The node flags `npm start` runs the hub with (package.json), so the bundle is measured
 * as it runs: `--max-semi-space-size` caps V8's young generation, which otherwise grows to
 * 2 × 16 MB of resident semi-spaces under the hall's traffic and keeps them.
 */
export function startFlags(): string[] {
  const pkg = JSON.parse(readFileSync(join(ROOT, "package.json"), "utf8")) as { scripts: { start: string } };
  const m = /\bnode((?:\s+--[\w-]+(?:=\S+)?)*)\s+dist\/server\/main\.js/.exec(pkg.scripts.start);
  if (!m) throw new Error(`package.json start does not run node dist/server/main.js: ${pkg.scripts.start}`);
  return (m[1] ?? "").split(/\s+/).filter(Boolean);
}

interface Measured {
  stages: Stage[];
  withScreens: Stage & { spaces: Record<string, number> };
  snapshotKb: number;
  catalogueKb: number;
}

async function measure(dataDir: string, script: string, nodeArgs: string[]): Promise<Measured> {
  let hub: Child | undefined;
  let load: Child | undefined;
  try {
    hub = await spawnChild(script, [dataDir], 90_000, {}, nodeArgs);
    const stages = hub.ready.stages as Stage[];
    const desk = await deskToken(hub.url);
    const size = async (path: string) =>
      (await (await fetch(`${hub?.url}${path}`, { headers: { authorization: `Bearer ${desk}` } })).arrayBuffer()).byteLength /
      1024;
    const snapshotKb = await size("/api/state");
    const catalogueKb = await size("/api/hall");
    load = await spawnChild("bench/load-clients.ts", [hub.url, "hub", "0", String(SCREENS), "0"], 120_000);
    await sleep(1000);
    hub.proc.kill("SIGUSR2");
    const withScreens = JSON.parse(await hub.nextLine(30_000)) as Measured["withScreens"];
    return { stages, withScreens, snapshotKb, catalogueKb };
  } finally {
    await load?.kill();
    await hub?.kill();
  }
}

export async function benchMemory(): Promise<BenchResult> {
  const rows: Row[] = [];
  const notes: string[] = [];
  const built = bundle();
  try {
    for (const scale of ["demo", "reference"] as const) {
      say(`memory: ${scale} hall`);
      const hall = await prepareHall(scale);
      try {
        // Under tsx once: its stages show where the memory goes (the bundle loads every module first).
        const tsx = await measure(hall.dataDir, "bench/memory-child.ts", ["--expose-gc", "--import", "tsx"]);
        const nodeRuns: Measured[] = [];
        for (let i = 0; i < RUNS; i++) {
          say(`memory: ${scale} hall, bundle run ${i + 1}/${RUNS}`);
          nodeRuns.push(await measure(hall.dataDir, built.script, ["--expose-gc", ...startFlags()]));
        }
        const rss = spread(nodeRuns.map((m) => m.withScreens.rss));
        // The run nearest the median explains the figure in the notes.
        const node = nodeRuns.reduce((a, b) =>
          Math.abs(b.withScreens.rss - rss.median) < Math.abs(a.withScreens.rss - rss.median) ? b : a,
        );
        const mb = (v: number) => `${v.toFixed(0)} MB`;
        const label =
          scale === "demo"
            ? "demo hall (20 departments, 108 matters, 45 counters)"
            : `reference hall (${REFERENCE.departments} departments, ${REFERENCE.matters} matters, ${REFERENCE.counters} counters)`;
        rows.push({
          bench: "memory",
          metric: `hub RSS, ${label}, ${SCREENS} screens connected (under tsx, as npm start ran until now)`,
          value: mb(tsx.withScreens.rss),
          baseline: `${mb((tsx.stages[0] as Stage).rss)} (runtime alone)`,
          target: "—",
        });
        rows.push({
          bench: "memory",
          metric: `hub RSS, ${label}, ${SCREENS} screens connected (esbuild bundle under node, as npm start runs now)`,
          value: showSpread(rss, mb),
          baseline: `${mb((node.stages[0] as Stage).rss)} (runtime alone)`,
          target: `≤ ${LIMIT_MB} MB`,
          pass: rss.median <= LIMIT_MB,
        });
        notes.push(`memory, ${scale} hall, bundle: RSS with ${SCREENS} screens per run ${listRuns(rss, 0)} MB.`);
        for (const [how, m, bundled] of [
          ["under tsx, as npm start ran until now", tsx, false],
          ["esbuild bundle under node, as npm start runs now (the run nearest the median)", node, true],
        ] as const) {
          let prev = 0;
          const steps = m.stages.map((s) => {
            const d = `${s.stage} ${prev ? "+" : ""}${(s.rss - prev).toFixed(0)}`;
            prev = s.rss;
            return d;
          });
          const w = m.withScreens;
          notes.push(
            `memory, ${scale} hall, ${how}${bundled ? ` (node ${startFlags().join(" ")})` : ""}: RSS by stage (MB, after a full GC): ${steps.join("; ")}; + ${SCREENS} screens subscribed: ${w.rss.toFixed(0)} (heap used ${w.heapUsed.toFixed(0)} of ${w.heapTotal.toFixed(0)}, external ${w.external.toFixed(0)}, array buffers ${w.arrayBuffers.toFixed(0)}; V8 spaces: ${Object.entries(
              w.spaces,
            )
              .filter(([, v]) => v >= 1)
              .map(([k, v]) => `${k} ${v.toFixed(0)}`)
              .join(
                ", ",
              )}). GET /api/state (the per-connect snapshot) ${m.snapshotKb.toFixed(0)} KB, GET /api/hall ${m.catalogueKb.toFixed(0)} KB.`,
          );
        }
      } finally {
        hall.cleanup();
      }
    }
  } finally {
    built.cleanup();
  }
  return { rows, notes };
}
