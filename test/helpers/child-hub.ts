import { type ChildProcess, spawn } from "node:child_process";
import { readFile } from "node:fs/promises";
import { resolve } from "node:path";

const ROOT = resolve(import.meta.dirname, "../..");

/** Options of {@link startChildHub} and {@link runChildHub}. */
export interface ChildHubOptions {
  dataDir: string;
  /** ADMIN_PASSWORD (only used by the hub on the first start of a data folder). */
  adminPassword?: string;
  /** Extra environment variables. */
  env?: Record<string, string>;
  /** How long to wait for the "/api/health" line (default 20 s: tsx compiles on start). */
  timeoutMs?: number;
}

/** How a child hub ended. */
export interface ChildExit {
  code: number | null;
  signal: NodeJS.Signals | null;
}

/**
 * The real hub (`server/src/main.ts`) in its own process, so a test can SIGKILL it the way
 * a power cut or the OOM killer would and start it again on the same data folder.
 */
export interface ChildHub {
  /** `http://127.0.0.1:<port>` as printed by the hub. */
  readonly url: string;
  readonly port: number;
  readonly dataDir: string;
  readonly pid: number;
  /**
   * Accounts made on the first start of a data folder (username → password), read from the
   * file the hub names (its stdout here is not a terminal); empty otherwise.
   */
  readonly accounts: ReadonlyMap<string, string>;
  /** Everything the hub printed so far. */
  stdout(): string;
  stderr(): string;
  /** Whether the process is still running. */
  readonly running: boolean;
  /** Resolves when the process has exited. */
  readonly exited: Promise<ChildExit>;
  /** SIGKILL (no shutdown code runs) and wait until the process is gone. */
  kill9(): Promise<ChildExit>;
  /** SIGTERM (graceful close), SIGKILL after `graceMs` (default 5 s); waits for the exit. Safe to call twice. */
  stop(graceMs?: number): Promise<ChildExit>;
}

/** The hub exited before it printed its URL (e.g. a bad configuration). */
export class ChildHubExited extends Error {
  constructor(
    readonly exit: ChildExit,
    readonly stdout: string,
    readonly stderr: string,
  ) {
    super(`hub exited (code ${exit.code}, signal ${exit.signal}) before it was ready:\n${stderr || stdout}`);
    this.name = "ChildHubExited";
  }
}

function spawnHub(opts: ChildHubOptions): ChildProcess {
  // Start it the way `npm start` does: vitest's NODE_ENV=test must not leak into the hub.
  const { NODE_ENV: _, VITEST: __, ...inherited } = process.env;
  return spawn(process.execPath, ["--import", "tsx", "server/src/main.ts"], {
    cwd: ROOT,
    env: {
      ...inherited,
      PORT: "0",
      HOST: "127.0.0.1",
      DATA_DIR: opts.dataDir,
      ...(opts.adminPassword ? { ADMIN_PASSWORD: opts.adminPassword } : {}),
      ...opts.env,
    },
    stdio: ["ignore", "pipe", "pipe"],
  });
}

/** Parse the "First start: accounts created" block: `  username  password  role …`. */
function parseAccounts(out: string): Map<string, string> {
  const accounts = new Map<string, string>();
  const at = out.indexOf("First start: accounts created");
  if (at === -1) return accounts;
  for (const line of out.slice(at).split("\n").slice(1)) {
    const m = /^ {2}(\S+)\s+(\S+)/.exec(line);
    if (!m?.[1] || !m[2]) break;
    accounts.set(m[1], m[2]);
  }
  return accounts;
}

/** Start the hub on a free port and wait until it prints its health URL. */
export async function startChildHub(opts: ChildHubOptions): Promise<ChildHub> {
  const timeoutMs = opts.timeoutMs ?? 20_000;
  const proc = spawnHub(opts);
  let out = "";
  let err = "";
  let running = true;
  const exited = new Promise<ChildExit>((res) => {
    proc.once("exit", (code, signal) => {
      running = false;
      res({ code, signal });
    });
  });
  proc.stdout?.on("data", (d: Buffer) => {
    out += d.toString();
  });
  proc.stderr?.on("data", (d: Buffer) => {
    err += d.toString();
  });

  const url = await new Promise<string>((res, rej) => {
    const timer = setTimeout(() => {
      cleanup();
      proc.kill("SIGKILL");
      rej(new Error(`hub did not print its URL within ${timeoutMs} ms:\n${out}\n${err}`));
    }, timeoutMs);
    const onData = () => {
      const m = /(http:\/\/[^\s/]+)\/api\/health/.exec(out);
      if (m?.[1]) {
        cleanup();
        res(m[1]);
      }
    };
    const onExit = (code: number | null, signal: NodeJS.Signals | null) => {
      cleanup();
      // Let the pipes drain so the error message is complete.
      setTimeout(() => rej(new ChildHubExited({ code, signal }, out, err)), 50);
    };
    const cleanup = () => {
      clearTimeout(timer);
      proc.stdout?.off("data", onData);
      proc.off("exit", onExit);
    };
    proc.stdout?.on("data", onData);
    proc.once("exit", onExit);
  });
  // The accounts block is printed in the same console.log as the URL lines. Our stdout is
  // a pipe, not a terminal, so the hub puts the passwords in a file and prints its path.
  await new Promise((r) => setImmediate(r));
  const file = /they are in (\S+) \(readable/.exec(out)?.[1];
  const accounts = parseAccounts(file ? await readFile(file, "utf8") : out);
  // The hub does not repeat a password it was given in ADMIN_PASSWORD; the caller knows it.
  if (accounts.has("admin") && opts.adminPassword) accounts.set("admin", opts.adminPassword);

  const kill9 = async (): Promise<ChildExit> => {
    if (running) proc.kill("SIGKILL");
    return exited;
  };
  return {
    url,
    port: Number(new URL(url).port),
    dataDir: opts.dataDir,
    pid: proc.pid ?? -1,
    accounts,
    stdout: () => out,
    stderr: () => err,
    get running() {
      return running;
    },
    exited,
    kill9,
    stop: async (graceMs = 5000) => {
      if (!running) return exited;
      proc.kill("SIGTERM");
      const timer = setTimeout(() => proc.kill("SIGKILL"), graceMs);
      const e = await exited;
      clearTimeout(timer);
      return e;
    },
  };
}

/**
 * Start the hub and expect it to exit by itself (a start that must fail). Kills it and
 * rejects if it is still running after `timeoutMs`.
 */
export async function runChildHub(opts: ChildHubOptions): Promise<ChildExit & { stdout: string; stderr: string }> {
  const timeoutMs = opts.timeoutMs ?? 20_000;
  const proc = spawnHub(opts);
  let out = "";
  let err = "";
  proc.stdout?.on("data", (d: Buffer) => {
    out += d.toString();
  });
  proc.stderr?.on("data", (d: Buffer) => {
    err += d.toString();
  });
  return new Promise((res, rej) => {
    const timer = setTimeout(() => {
      proc.kill("SIGKILL");
      rej(new Error(`hub still running after ${timeoutMs} ms:\n${out}\n${err}`));
    }, timeoutMs);
    // "close" waits for the pipes too, so nothing the hub printed is lost.
    proc.once("close", (code, signal) => {
      clearTimeout(timer);
      res({ code, signal, stdout: out, stderr: err });
    });
  });
}
