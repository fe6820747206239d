/**
 * The hub in its own process for the benchmarks: `node --import tsx bench/hub-child.ts <dataDir>`.
 * Prints one JSON line `{ "url": ... }` when it listens on 127.0.0.1 (port chosen by the OS).
 * Quiet otherwise: log lines go nowhere, so logging does not count in the figures.
 */
import { startHub } from "../server/src/app.ts";

const dataDir = process.argv[2];
if (!dataDir) throw new Error("usage: hub-child.ts <dataDir>");
const hub = await startHub({ port: 0, host: "127.0.0.1", dataDir, adminPassword: "bench-admin-pw", log: () => {} });
process.stdout.write(`${JSON.stringify({ url: hub.url })}\n`);
process.once("SIGTERM", () => void hub.close().then(() => process.exit(0)));
