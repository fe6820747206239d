/**
 * Where the hub's memory goes, stage by stage, for `memory`:
 * `node --expose-gc --import tsx bench/memory-child.ts <dataDir>`.
 * Measures process.memoryUsage() (after a full GC) when node and the tsx loader are up,
 * after importing the heavy libraries one by one, after importing the hub's own modules,
 * and after startHub; prints `{ "url": …, "stages": [...] }`. Then, on each SIGUSR2, prints
 * the same measurement again (the bench connects clients in between) with V8's heap spaces.
 */
import { getHeapSpaceStatistics } from "node:v8";

export interface Stage {
  stage: string;
  rss: number;
  heapUsed: number;
  heapTotal: number;
  external: number;
  arrayBuffers: number;
}

const gc = (globalThis as { gc?: () => void }).gc;
const mb = (b: number) => Math.round((b / 2 ** 20) * 10) / 10;
function measure(stage: string): Stage {
  gc?.();
  gc?.();
  const m = process.memoryUsage();
  return {
    stage,
    rss: mb(m.rss),
    heapUsed: mb(m.heapUsed),
    heapTotal: mb(m.heapTotal),
    external: mb(m.external),
    arrayBuffers: mb(m.arrayBuffers),
  };
}

const dataDir = process.argv[2];
if (!dataDir) throw new Error("usage: memory-child.ts <dataDir>");
const stages: Stage[] = [measure("node (+ tsx loader when run by tsx)")];
// The libraries one by one, in about the order the hub loads them.
const STEPS: [string, string[]][] = [
  ["+ zod", ["zod"]],
  ["+ express, helmet", ["express", "helmet"]],
  ["+ socket.io", ["socket.io"]],
  ["+ pinyin-pro (its dictionary)", ["pinyin-pro"]],
  ["+ qrcode, node-thermal-printer, serialport, iconv-lite", ["qrcode", "node-thermal-printer", "serialport", "iconv-lite"]],
  ["+ prom-client", ["prom-client"]],
];
for (const [label, modules] of STEPS) {
  for (const m of modules) await import(m);
  stages.push(measure(label));
}
const [{ startHub }, { childHubOptions }] = await Promise.all([import("../server/src/app.ts"), import("./lib.ts")]);
stages.push(measure("+ the hub's own modules"));
const hub = await startHub(childHubOptions(dataDir));
stages.push(measure("+ startHub (catalogue, journal, devices, sockets listening)"));
process.stdout.write(`${JSON.stringify({ url: hub.url, stages })}\n`);
process.on("SIGUSR2", () => {
  const spaces = Object.fromEntries(getHeapSpaceStatistics().map((s) => [s.space_name, mb(s.space_used_size)]));
  process.stdout.write(`${JSON.stringify({ ...measure("now"), spaces })}\n`);
});
process.once("SIGTERM", () => void hub.close().then(() => process.exit(0)));
