/**
 * The hub in its own process for the benchmarks: `node --import tsx bench/hub-child.ts <dataDir>`.
 * Prints one JSON line `{ "url": ... }` when it listens on 127.0.0.1 (port chosen by the OS).
 * Quiet otherwise: log lines go nowhere, so logging does not count in the figures.
 * With OV_BENCH_NO_TTS=1 the hub gets a missing espeak-ng (voice off, screens use the
 * browser's speech), to show what call-time synthesis costs. With OV_BENCH_LOGIN_LIMITS=off
 * the login limits are lifted (a flood from many addresses).
 * On SIGUSR2 it prints its event-loop delay since the last SIGUSR2 (JSON, ms) and resets it.
 */
import { monitorEventLoopDelay } from "node:perf_hooks";
import { startHub } from "../server/src/app.ts";
import { childHubOptions } from "./lib.ts";

const dataDir = process.argv[2];
if (!dataDir) throw new Error("usage: hub-child.ts <dataDir>");
const hub = await startHub(childHubOptions(dataDir));
const eld = monitorEventLoopDelay({ resolution: 5 });
eld.enable();
process.stdout.write(`${JSON.stringify({ url: hub.url })}\n`);
process.on("SIGUSR2", () => {
  const p = (q: number) => eld.percentile(q) / 1e6;
  process.stdout.write(`${JSON.stringify({ eldP50: p(50), eldP99: p(99), eldMax: eld.max / 1e6 })}\n`);
  eld.reset();
});
process.once("SIGTERM", () => void hub.close().then(() => process.exit(0)));
