/**
 * `catalogue-import`: the reference hall's import file (test/fixtures/reference-hall-catalogue.xlsx:
 * 47 departments, 1,410 matters with their materials, 150 counters) imported into a running
 * hub over HTTP, as the admin page does it: the dry run (read the workbook, check every row,
 * diff) and the apply (the same again, then save, swap in, audit). Target (issue 13): the
 * import ≤ 2 s. Baseline, same run and interleaved: the same catalogue sent as JSON to
 * `PUT /api/catalogue` (validate, save, swap in, audit), so the cost of the workbook and the
 * row-level checks reads off the difference. Before each run the demo catalogue is put back
 * (not timed), so every run replaces 108 matters with 1,410.
 */
import { readFileSync } from "node:fs";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { performance } from "node:perf_hooks";
import { startHub } from "../server/src/app.ts";
import type { Catalogue } from "../server/src/contract/catalogue.ts";
import { demoCatalogue } from "../server/src/seed/demo-hall.ts";
import { FIXTURE_XLSX, fixtureCatalogue } from "./catalogue-fixture.ts";
import { ADMIN_PASSWORD, type BenchResult, interleaved, ms, say, seriesRuns, showSpread, spread } from "./lib.ts";

const PAIRS = Number(process.env.RUNS ?? 5);
const TARGET_MS = 2000;

export async function benchCatalogueImport(): Promise<BenchResult> {
  const dataDir = await mkdtemp(join(tmpdir(), "onevisit-catalogue-import-"));
  const hub = await startHub({ port: 0, host: "127.0.0.1", dataDir, adminPassword: ADMIN_PASSWORD, log: () => {} });
  try {
    const call = async (method: string, path: string, body: unknown, token: string, headers: Record<string, string> = {}) => {
      const r = await fetch(`${hub.url}${path}`, {
        method,
        headers: { "content-type": "application/json", authorization: `Bearer ${token}`, ...headers },
        body: JSON.stringify(body),
      });
      const text = await r.text();
      if (!r.ok) throw new Error(`${method} ${path}: ${r.status} ${text.slice(0, 300)}`);
      return JSON.parse(text) as Record<string, unknown>;
    };
    const login = await fetch(`${hub.url}/api/auth/login`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ username: "admin", password: ADMIN_PASSWORD }),
    });
    const { token } = (await login.json()) as { token: string };
    const files = [{ name: "reference-hall-catalogue.xlsx", base64: readFileSync(FIXTURE_XLSX).toString("base64") }];
    const demo = demoCatalogue();
    const reference = fixtureCatalogue();
    const reset = () => call("PUT", "/api/catalogue", demo, token);
    const dryRuns: number[] = [];
    const applies: number[] = [];
    const s = await interleaved(
      "catalogue-import",
      PAIRS,
      {
        a: async () => {
          await reset();
          const t0 = performance.now();
          const dry = await call("POST", "/api/catalogue/import/dry-run", { files }, token);
          const t1 = performance.now();
          if ((dry.problems as unknown[]).length) throw new Error("the fixture has problems");
          await call("POST", "/api/catalogue/import", { files, version: dry.version }, token);
          const t2 = performance.now();
          dryRuns.push(t1 - t0);
          applies.push(t2 - t1);
          return t2 - t0;
        },
        b: async () => {
          await reset();
          const t0 = performance.now();
          await call("PUT", "/api/catalogue", reference, token);
          return performance.now() - t0;
        },
      },
      (x) => x,
    );
    const hall = (await (await fetch(`${hub.url}/api/hall`)).json()) as Catalogue;
    say(`catalogue-import: the hall holds ${hall.matters.length} matters after the last run`);
    const size = readFileSync(FIXTURE_XLSX).length;
    return {
      rows: [
        {
          bench: "catalogue-import",
          metric: `import of the reference file (${(size / 1024).toFixed(0)} KB XLSX, 1,410 matters): dry run + apply over HTTP`,
          value: showSpread(s.figA),
          baseline: `${showSpread(s.figB)} (the same catalogue as JSON, PUT /api/catalogue)`,
          target: `≤ ${TARGET_MS} ms`,
          pass: s.figA.median <= TARGET_MS,
        },
        {
          bench: "catalogue-import",
          metric: "of which the dry run / the apply",
          value: `${ms(spread(dryRuns).median, 0)} / ${ms(spread(applies).median, 0)} (medians)`,
          baseline: "—",
          target: "—",
        },
      ],
      notes: [
        `catalogue-import: a hub on the bench machine with the demo hall put back before each run (not timed); ${PAIRS} interleaved pairs. ${seriesRuns(s, { figure: "time", a: "XLSX import", b: "JSON PUT" }, 0)}; dry runs ${dryRuns.map((x) => x.toFixed(0)).join(" / ")} ms, applies ${applies.map((x) => x.toFixed(0)).join(" / ")} ms.`,
      ],
    };
  } finally {
    await hub.close();
    await rm(dataDir, { recursive: true, force: true });
  }
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const r = await benchCatalogueImport();
  for (const x of r.rows)
    console.log(
      `${x.pass === undefined ? "INFO" : x.pass ? "PASS" : "FAIL"} ${x.metric}: ${x.value} (target ${x.target}; baseline ${x.baseline})`,
    );
  for (const n of r.notes) console.log(n);
}
