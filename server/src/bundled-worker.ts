/**
 * A worker thread on one of the hub's own TypeScript entries (`entry`: its path under
 * server/src without the extension, e.g. "simulation/plan-worker"). Built, the entry is the
 * bundle `npm run build:server` writes next to dist/server/main.js (dist/server/<entry>.js).
 * From the sources (dev, tests) it is bundled on the spot with esbuild (the build's own
 * tool): a worker does not inherit tsx's or vitest's loader, and Node 20 applies no
 * `--import` loader to a worker's entry. The bundle goes to the worker as a data: URL, so it
 * can import no packages by name: a worker needing one (a native module) is handed its
 * resolved path in workerData and requires it from there.
 */
import { createRequire } from "node:module";
import { fileURLToPath } from "node:url";
import { Worker, type WorkerOptions } from "node:worker_threads";

export function bundledWorker(entry: string, options?: WorkerOptions): Worker {
  const here = import.meta.url;
  if (!/\.ts$/.test(here)) return new Worker(new URL(`./${entry}.js`, here), options);
  const esbuild = createRequire(here)("esbuild") as typeof import("esbuild");
  const out = esbuild.buildSync({
    entryPoints: [fileURLToPath(new URL(`./${entry}.ts`, here))],
    bundle: true,
    platform: "node",
    format: "esm",
    target: "node20",
    write: false,
    logLevel: "silent",
  });
  const code = out.outputFiles[0]?.text ?? "";
  return new Worker(new URL(`data:text/javascript,${encodeURIComponent(code)}`), options);
}
