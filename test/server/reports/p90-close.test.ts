/**
 * Closing SQLite's ranking worker from a script: the worker is unref'd (it never holds a hub
 * open), so close() must hold the process until the worker has closed its connection — else
 * a script awaiting it (the reports bench, a one-off rebuild) ends with its await unsettled
 * (Node's exit code 13) and nothing after it runs.
 */
import { spawn } from "node:child_process";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { expect, it } from "vitest";

it("a script awaiting the ranking worker's close() gets past it and exits 0", async () => {
  const dir = await mkdtemp(join(tmpdir(), "onevisit-p90-close-"));
  try {
    const child = spawn(
      process.execPath,
      ["--import", "tsx", fileURLToPath(new URL("./p90-close-child.ts", import.meta.url)), dir],
      {
        stdio: ["ignore", "pipe", "pipe"],
      },
    );
    let out = "";
    let err = "";
    child.stdout.on("data", (b: Buffer) => {
      out += b.toString();
    });
    child.stderr.on("data", (b: Buffer) => {
      err += b.toString();
    });
    const code = await new Promise<number | null>((resolve) => child.on("exit", (c) => resolve(c)));
    expect(err).toBe("");
    // The month was ranked (its mark cleared; the day, week and year still wait), then closed.
    expect(out).toBe("ranked day,week,year\nclosed\n");
    expect(code).toBe(0);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}, 60_000);
