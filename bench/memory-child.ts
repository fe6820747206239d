/**
 * Where the hub's memory goes, stage by stage, for `memory`:
 * `node --expose-gc --import tsx bench/memory-child.ts <dataDir>`.
 * Measures process.memoryUsage() (after a full GC) when node and the tsx loader are up,
 * after importing the heavy libraries one by one, after importing the hub's own modules,
 * and after startHub; prints `{ "url": …, "stages": [...] }`. Then, on each SIGUSR2, prints
 * the same measurement again (the bench connects clients in between) with V8's heap spaces.
 */
import { getHeapSpaceStatistics } from "node:v8";

interface Stage {
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
const stages: Stage[] = [measure("node + tsx loader")];
await import("zod");
stages.push(measure("+ zod"));
await import("express");
await import("helmet");
stages.push(measure("+ express, helmet"));
await import("socket.io");
stages.push(measure("+ socket.io"));
const { pinyin } = await import("pinyin-pro");
pinyin("办理");
stages.push(measure("+ pinyin-pro (dictionary loaded)"));
await import("qrcode");
await import("node-thermal-printer");
await import("serialport");
await import("iconv-lite");
stages.push(measure("+ qrcode, node-thermal-printer, serialport, iconv-lite"));
await import("prom-client");
stages.push(measure("+ prom-client"));
const { startHub } = await import("../server/src/app.ts");
stages.push(measure("+ the hub's own modules"));
const hub = await startHub({
  port: 0,
  host: "127.0.0.1",
  dataDir,
  adminPassword: "bench-admin-pw",
  log: () => {},
  ...(process.env.OV_BENCH_LOGIN_LIMITS === "off"
    ? { loginLimits: { perAddress: { points: 1e9, durationSec: 1 }, perAccountFailures: { points: 1e9, durationSec: 1 } } }
    : {}),
});
stages.push(measure("+ startHub (catalogue, journal, devices, sockets listening)"));
process.stdout.write(`${JSON.stringify({ url: hub.url, stages })}\n`);
process.on("SIGUSR2", () => {
  const spaces = Object.fromEntries(getHeapSpaceStatistics().map((s) => [s.space_name, mb(s.space_used_size)]));
  process.stdout.write(`${JSON.stringify({ ...measure("now"), spaces })}\n`);
});
process.once("SIGTERM", () => void hub.close().then(() => process.exit(0)));
