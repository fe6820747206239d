import { type ChildProcess, spawn } from "node:child_process";
import { existsSync } from "node:fs";
import { mkdtemp, rm, unlink } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";

/**
 * A pair of connected kernel ptys made by socat: what is written to `pathA` can be read
 * at `pathB` and back, like two serial ports joined by a null-modem cable.
 *
 * ```ts
 * const pair = await startPtyPair();
 * const link = new SerialLink({ id: "p1", path: pair.pathA, baudRate: 9600 });
 * await pair.unplug();   // kill socat: both ends get EIO, the links disappear
 * await pair.replug();   // start socat again with the same link paths
 * await pair.dispose();  // in afterAll/afterEach
 * ```
 */
export interface PtyPair {
  /** Symlink to the first pty (inside a fresh temp dir). */
  readonly pathA: string;
  /** Symlink to the second pty. */
  readonly pathB: string;
  /** Whether socat is running. */
  readonly running: boolean;
  /** Kill socat (like pulling the cable) and wait until it has exited and the links are gone. */
  unplug(): Promise<void>;
  /** Start socat again on the same link paths and wait for both links. */
  replug(): Promise<void>;
  /** Kill socat and remove the temp dir. Safe to call twice. */
  dispose(): Promise<void>;
}

/** Options of {@link startPtyPair}. */
export interface PtyPairOptions {
  /** How long to wait for socat to create both links (default 5000 ms). */
  timeoutMs?: number;
}

/** Start `socat -d -d pty,raw,echo=0,link=A pty,raw,echo=0,link=B` in a new temp dir. */
export async function startPtyPair(opts: PtyPairOptions = {}): Promise<PtyPair> {
  const timeoutMs = opts.timeoutMs ?? 5000;
  const dir = await mkdtemp(join(tmpdir(), "onevisit-pty-"));
  const pathA = join(dir, "ttyA");
  const pathB = join(dir, "ttyB");
  let child: ChildProcess | undefined;
  let stderr = "";

  const start = async () => {
    // socat leaves its links behind when it is killed hard; stale ones would fool the wait below.
    await Promise.all([unlink(pathA).catch(() => {}), unlink(pathB).catch(() => {})]);
    stderr = "";
    const proc = spawn("socat", ["-d", "-d", `pty,raw,echo=0,link=${pathA}`, `pty,raw,echo=0,link=${pathB}`], {
      stdio: ["ignore", "ignore", "pipe"],
    });
    child = proc;
    proc.stderr?.on("data", (d: Buffer) => {
      stderr = (stderr + d.toString()).slice(-2000);
    });
    proc.on("error", () => {});
    const deadline = Date.now() + timeoutMs;
    while (!(existsSync(pathA) && existsSync(pathB))) {
      if (proc.exitCode !== null || proc.signalCode !== null) {
        throw new Error(`socat exited early: ${stderr}`);
      }
      if (Date.now() > deadline) {
        await stop();
        throw new Error(`socat links did not appear in ${timeoutMs} ms: ${stderr}`);
      }
      await new Promise((r) => setTimeout(r, 20));
    }
  };

  const stop = async () => {
    const proc = child;
    child = undefined;
    if (proc && proc.exitCode === null && proc.signalCode === null) {
      const exited = new Promise<void>((resolve) => proc.once("exit", () => resolve()));
      proc.kill("SIGTERM");
      const timer = setTimeout(() => proc.kill("SIGKILL"), 2000);
      await exited;
      clearTimeout(timer);
    }
    await Promise.all([unlink(pathA).catch(() => {}), unlink(pathB).catch(() => {})]);
  };

  await start();
  return {
    pathA,
    pathB,
    get running() {
      return child !== undefined && child.exitCode === null && child.signalCode === null;
    },
    unplug: stop,
    replug: async () => {
      if (child) await stop();
      await start();
    },
    dispose: async () => {
      await stop();
      await rm(dir, { recursive: true, force: true });
    },
  };
}
