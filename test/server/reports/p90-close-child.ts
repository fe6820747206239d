/**
 * A script that ranks one period through SQLite's ranking worker and closes it, as a bench or
 * a one-off rebuild would (no server keeping the process alive): it must print "closed" and
 * exit 0. Run by p90-close.test.ts: `node --import tsx p90-close-child.ts <dataDir>`.
 */
import { join } from "node:path";
import { CaseStore } from "../../../server/src/cases/store.ts";
import { P90Runner } from "../../../server/src/reports/p90-runner.ts";
import { ReportStore } from "../../../server/src/reports/store.ts";

const dataDir = process.argv[2] as string;
const cases = await CaseStore.open({ dataDir }, Date.now());
const ranker = new P90Runner(join(dataDir, "cases.db"));
const store = new ReportStore(cases.db, cases.engine, ranker);
await store.replaceDay("2026-11-03", [], 1, []);
await store.refreshP90s("month", "2026-11-01", "2026-11-30");
process.stdout.write(`ranked ${(await store.pendingPeriods()).map((p) => p.kind).join(",")}\n`);
await ranker.close();
await cases.close();
process.stdout.write("closed\n");
