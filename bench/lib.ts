/**
 * Shared parts of the benchmarks: statistics, result rows, child processes (hub and
 * baseline servers), and the bench data folder (a demo hall grown to 195 counters and
 * 165 clerks, no daily caps, all-day hours).
 */
import { type ChildProcess, spawn } from "node:child_process";
import { cpSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { createInterface } from "node:readline";
import { hashPassword } from "../server/src/auth/passwords.ts";
import type { Catalogue, Counter } from "../server/src/contract/catalogue.ts";
import type { DeviceConfig } from "../server/src/contract/devices.ts";
import { type HubOptions, startHub } from "../server/src/app.ts";
import { type Command, type HallEvent, applyAll, events, initialState, localDay } from "../server/src/core/index.ts";
import { type ConfigData, type StaffRecord, validateConfig } from "../server/src/store/config.ts";
import { journalLine } from "../server/src/store/journal.ts";
import { parseExposition, type Sample } from "../server/src/metrics/exposition.ts";

export const ROOT = resolve(import.meta.dirname, "..");

/** One line of the results table. */
export interface Row {
  bench: string;
  metric: string;
  value: string;
  baseline: string;
  target: string;
  /** undefined: informational, no target. */
  pass?: boolean;
}

/** What a benchmark returns: its rows and free-form notes for docs/perf.md. */
export interface BenchResult {
  rows: Row[];
  notes: string[];
}

export function percentile(sorted: readonly number[], p: number): number {
  if (sorted.length === 0) return Number.NaN;
  const i = Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1));
  return sorted[i] as number;
}

export function summary(samples: readonly number[]): {
  n: number;
  p50: number;
  p95: number;
  p99: number;
  max: number;
  mean: number;
} {
  const s = [...samples].sort((a, b) => a - b);
  const mean = s.reduce((a, b) => a + b, 0) / (s.length || 1);
  return {
    n: s.length,
    p50: percentile(s, 50),
    p95: percentile(s, 95),
    p99: percentile(s, 99),
    max: s[s.length - 1] ?? Number.NaN,
    mean,
  };
}

export const ms = (v: number, digits = 2): string => `${v.toFixed(digits)} ms`;

/** A figure measured once per run over a series of runs: its median and spread. */
export interface Spread {
  runs: number[];
  median: number;
  min: number;
  max: number;
  /** Interquartile range (25th–75th percentile, nearest rank). */
  q1: number;
  q3: number;
}

export function spread(values: readonly number[]): Spread {
  const s = [...values].sort((a, b) => a - b);
  // The median of an even count is the mean of the two middle runs.
  const mid =
    s.length % 2 ? (s[(s.length - 1) / 2] as number) : ((s[s.length / 2 - 1] as number) + (s[s.length / 2] as number)) / 2;
  return {
    runs: [...values],
    median: s.length ? mid : Number.NaN,
    min: s[0] ?? Number.NaN,
    max: s[s.length - 1] ?? Number.NaN,
    q1: percentile(s, 25),
    q3: percentile(s, 75),
  };
}

/** "12.30 ms (median of 5 runs; 10.10–15.20, IQR 11.00–13.40)" — every report of a series reads the same. */
export function showSpread(x: Spread, unit: (v: number) => string = (v) => ms(v), of = "runs"): string {
  return `${unit(x.median)} (median of ${x.runs.length} ${of}; ${unit(x.min)}–${unit(x.max)}, IQR ${unit(x.q1)}–${unit(x.q3)})`;
}

/** A per-pair ratio series: "1.12× (median of 5 pairs; …)". */
export function showRatio(x: Spread): string {
  return showSpread(x, (v) => `${v.toFixed(2)}×`, "pairs");
}

/** Every run of a series, in order: "a / b / c". */
export function listRuns(x: Spread, digits = 2): string {
  return x.runs.map((v) => v.toFixed(digits)).join(" / ");
}

/** Reject when `p` has not settled within `limitMs`: no run of a series may hang the bench. */
export function bounded<T>(p: Promise<T>, limitMs: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const limit = new Promise<never>((_, rej) => {
    timer = setTimeout(() => rej(new Error(`${what} took longer than ${limitMs} ms`)), limitMs);
  });
  return Promise.race([p, limit]).finally(() => clearTimeout(timer));
}

/** What {@link interleaved} hands back: each side's runs in order, and the per-pair ratio of their figures. */
export interface Interleaved<R> {
  a: R[];
  b: R[];
  /** The figure of each side (e.g. its p99), one per run. */
  figA: Spread;
  figB: Spread;
  /** figure(a_i) ÷ figure(b_i) of each pair: runs next to each other in time share the machine's mood. */
  ratio: Spread;
}

/**
 * Run two sides, `a` (the thing measured) and `b` (its baseline), alternately, A B A B …,
 * for `pairs` pairs, each run bounded to `limitMs`. On a shared 2-core machine one run's
 * p99 is mostly noise; a series of interleaved runs reports the median and the spread, and
 * a verdict reads the median. `figure` picks the number compared (e.g. a run's p99).
 */
export async function interleaved<R>(
  label: string,
  pairs: number,
  sides: { a: () => Promise<R>; b: () => Promise<R> },
  figure: (r: R) => number,
  limitMs = 120_000,
): Promise<Interleaved<R>> {
  const a: R[] = [];
  const b: R[] = [];
  for (let i = 0; i < pairs; i++) {
    a.push(await bounded(sides.a(), limitMs, `${label} run A${i + 1}`));
    b.push(await bounded(sides.b(), limitMs, `${label} run B${i + 1}`));
    const fa = figure(a[i] as R);
    const fb = figure(b[i] as R);
    say(`${label}: pair ${i + 1}/${pairs}: ${fa.toPrecision(4)} vs ${fb.toPrecision(4)} (${(fa / fb).toFixed(2)}×)`);
  }
  const figA = a.map(figure);
  const figB = b.map(figure);
  return { a, b, figA: spread(figA), figB: spread(figB), ratio: spread(figA.map((x, i) => x / (figB[i] as number))) };
}

/** Every run of a series, for the notes: "p99 with print 1.00 / 2.00 ms, issue only 0.90 / 1.10 ms; per-pair ratio 1.11 / 1.82". */
export function seriesRuns(s: Interleaved<unknown>, names: { figure: string; a: string; b: string }, digits = 2): string {
  return `${names.figure} ${names.a} ${listRuns(s.figA, digits)} ms, ${names.b} ${listRuns(s.figB, digits)} ms; per-pair ratio ${listRuns(s.ratio)}`;
}

export function sleep(t: number): Promise<void> {
  return new Promise((r) => setTimeout(r, t));
}

/** The last line of the bench's own log, so a long run shows where it is. */
export function say(line: string): void {
  process.stderr.write(`[bench] ${line}\n`);
}

/** Password of every bench clerk (bench data only, on 127.0.0.1). */
export const BENCH_PASSWORD = "bench-clerk-pw";
export const ADMIN_PASSWORD = "bench-admin-pw";
export const EXTRA_COUNTERS = 150;

/** A running child process that printed a JSON "ready" line with its URL. */
export interface Child {
  url: string;
  /** The whole ready line (a child may say more than its URL, e.g. the ports it listens on). */
  ready: Record<string, unknown>;
  proc: ChildProcess;
  /** Every stdout line (for a child that reports as it goes). */
  lines: ReturnType<typeof createInterface>;
  /** The next line the child prints on stdout after its ready line. */
  nextLine(timeoutMs?: number): Promise<string>;
  kill(): Promise<void>;
}

/**
 * Spawn `node --import tsx <script>` (or other `nodeArgs`) and wait for its first stdout line, which must be
 * JSON `{ "url": ... }`. Killed with SIGKILL; also when the bench process exits.
 */
export async function spawnChild(
  script: string,
  args: string[],
  timeoutMs = 60_000,
  env: Record<string, string> = {},
  nodeArgs: string[] = ["--import", "tsx"],
): Promise<Child> {
  // OV_BENCH_PROFILE=<dir>: the hub children write a CPU profile there when they stop.
  const profile = process.env.OV_BENCH_PROFILE && script === "bench/hub-child.ts";
  const prof = profile ? ["--cpu-prof", `--cpu-prof-dir=${process.env.OV_BENCH_PROFILE}`] : [];
  const proc = spawn(process.execPath, [...prof, ...nodeArgs, join(ROOT, script), ...args], {
    cwd: ROOT,
    stdio: ["ignore", "pipe", "pipe"],
    env: { ...process.env, NODE_ENV: "production", ...env },
  });
  const killOnExit = () => proc.kill("SIGKILL");
  process.once("exit", killOnExit);
  let stderr = "";
  proc.stderr?.on("data", (b: Buffer) => {
    stderr = (stderr + b.toString()).slice(-4000);
  });
  const rl = createInterface({ input: proc.stdout as NodeJS.ReadableStream });
  const ready = await new Promise<Record<string, unknown>>((res, rej) => {
    const timer = setTimeout(() => rej(new Error(`${script} did not start in ${timeoutMs} ms: ${stderr}`)), timeoutMs);
    rl.once("line", (line) => {
      clearTimeout(timer);
      try {
        const r = JSON.parse(line) as Record<string, unknown>;
        if (typeof r.url !== "string") throw new Error("no url");
        res(r);
      } catch {
        rej(new Error(`${script}: unexpected first line ${line}\n${stderr}`));
      }
    });
    proc.once("exit", (code) => {
      clearTimeout(timer);
      rej(new Error(`${script} exited (${code}): ${stderr}`));
    });
  });
  return {
    url: ready.url as string,
    ready,
    proc,
    lines: rl,
    nextLine: (ms = 10_000) =>
      new Promise<string>((res, rej) => {
        const timer = setTimeout(() => rej(new Error(`${script}: no line in ${ms} ms`)), ms);
        rl.once("line", (line) => {
          clearTimeout(timer);
          res(line);
        });
      }),
    kill: async () => {
      process.off("exit", killOnExit);
      if (proc.exitCode !== null || proc.signalCode !== null) return;
      const gone = new Promise<void>((r) => proc.once("exit", () => r()));
      // A profiled child stops on SIGTERM (and writes its profile); the rest are killed.
      proc.kill(profile ? "SIGTERM" : "SIGKILL");
      await bounded(gone, 10_000, `${script} stopping`).catch(() => proc.kill("SIGKILL"));
      await gone;
    },
  };
}

/**
 * Options of a hub in a bench child process (bench/hub-child.ts, bench/memory-child.ts):
 * 127.0.0.1, a port chosen by the OS, no log. With OV_BENCH_NO_TTS=1 espeak-ng is missing
 * (voice off); with OV_BENCH_LOGIN_LIMITS=off the login limits are lifted (a flood from many
 * addresses, or 150 clerks signing in from one).
 */
export function childHubOptions(dataDir: string): HubOptions {
  return {
    port: 0,
    host: "127.0.0.1",
    dataDir,
    adminPassword: ADMIN_PASSWORD,
    log: () => {},
    ...(process.env.OV_BENCH_NO_TTS === "1" ? { espeakPath: "/nonexistent/espeak-ng" } : {}),
    ...(process.env.OV_BENCH_LOGIN_LIMITS === "off"
      ? {
          loginLimits: {
            perAddress: { points: 1e9, durationSec: 1 },
            perAccountFailures: { points: 1e9, durationSec: 1 },
          },
        }
      : {}),
  };
}

/** A window's simulated LED display, caller keypad and rating device, on the bus address of its number. */
export function counterDevices(counterId: string, number: number): DeviceConfig[] {
  return (["led", "keypad", "rating"] as const).map((kind) => ({
    id: `${kind}-${counterId}`,
    kind,
    name: `${number}号窗口 ${kind}`,
    transport: { type: "sim" },
    assignment: { kind: "counter", counterId, address: number },
    options: { address: number },
  }));
}

/** Queues served by the extra counters, in turn (the all-day series of the demo hall). */
const SERVED = ["q-a", "q-b", "q-c", "q-d", "q-e", "q-f", "q-g", "q-k", "q-l", "q-m"];

export interface BenchHall {
  dataDir: string;
  /** Extra clerks: username, counterId. */
  clerks: { username: string; counterId: string }[];
  catalogue: Catalogue;
  /** Matter ids of each queue, for a mixed issue load. */
  mattersByQueue: Map<string, string[]>;
  cleanup(): void;
}

/**
 * Build the bench hall once: start the hub on a fresh folder (seeds the demo hall), stop
 * it, then grow config.json: 150 more counters c101…c250 (numbers 46…195, one queue each,
 * with a simulated LED window display, keypad and rating device like the demo counters),
 * 150 clerks bench001…bench150 at them, every queue without daily cap and open all day,
 * and sim printers for kiosks k1…k20. The result passes `validateConfig`.
 */
export async function prepareBenchHall(): Promise<BenchHall> {
  const dataDir = mkdtempSync(join(tmpdir(), "ov-bench-"));
  const hub = await startHub({ port: 0, host: "127.0.0.1", dataDir, adminPassword: ADMIN_PASSWORD, log: () => {} });
  await hub.close();
  const file = join(dataDir, "config.json");
  const data = JSON.parse(readFileSync(file, "utf8")) as ConfigData;
  const cat = data.catalogue;
  for (const q of cat.queues) {
    q.dailyCap = 0;
    q.hours = [];
  }
  const zoneOf = new Map(cat.queues.map((q) => [q.id, q.zoneId]));
  const clerks: BenchHall["clerks"] = [];
  const hashes = await Promise.all(Array.from({ length: EXTRA_COUNTERS }, () => hashPassword(BENCH_PASSWORD)));
  for (let i = 0; i < EXTRA_COUNTERS; i++) {
    const id = `c${101 + i}`;
    const number = cat.counters.length + 1;
    const queueId = SERVED[i % SERVED.length] as string;
    const counter: Counter = {
      id,
      number,
      name: `${number}号窗口 压测`,
      nameEn: `Window ${number} Bench`,
      zoneId: zoneOf.get(queueId) as string,
      kind: "standard",
      profile: { queueIds: [queueId], weights: { green: 1, appointment: 1, normal: 2 } },
    };
    cat.counters.push(counter);
    data.devices.push(...counterDevices(id, number));
    const username = `bench${String(i + 1).padStart(3, "0")}`;
    const staff: StaffRecord = {
      id: `s-b${String(i + 1).padStart(3, "0")}`,
      username,
      name: `压测${i + 1}`,
      role: "clerk",
      counterId: id,
      ...(hashes[i] as { salt: string; hash: string }),
    };
    data.staff.push(staff);
    clerks.push({ username, counterId: id });
  }
  for (let k = 5; k <= 20; k++) {
    const printer: DeviceConfig = {
      id: `printer-k${k}`,
      kind: "printer",
      name: `${k}号自助取号机 热敏打印机`,
      transport: { type: "sim" },
      assignment: { kind: "kiosk", kioskId: `k${k}` },
      options: { paperWidthMm: 80 },
    };
    data.devices.push(printer);
  }
  const problems = validateConfig(data);
  if (problems.length) throw new Error(`bench config is invalid:\n${problems.join("\n")}`);
  writeFileSync(file, JSON.stringify(data, null, 2));
  const mattersByQueue = new Map<string, string[]>();
  for (const m of cat.matters) mattersByQueue.set(m.queueId, [...(mattersByQueue.get(m.queueId) ?? []), m.id]);
  return { dataDir, clerks, catalogue: cat, mattersByQueue, cleanup: () => rmSync(dataDir, { recursive: true, force: true }) };
}

/** A copy of a prepared data folder (config only, no journal), for a run that must start empty. */
export function copyDataDir(from: string): { dir: string; cleanup(): void } {
  const dir = mkdtempSync(join(tmpdir(), "ov-bench-copy-"));
  cpSync(join(from, "config.json"), join(dir, "config.json"));
  return { dir, cleanup: () => rmSync(dir, { recursive: true, force: true }) };
}

/** Matter ids spread over the all-day queues (mixed issuing load). */
export function mixedMatters(h: BenchHall): string[] {
  const out: string[] = [];
  for (const q of SERVED) out.push(...(h.mattersByQueue.get(q) ?? []).slice(0, 3));
  return out;
}

export async function postJson<T>(url: string, body: unknown, token?: string): Promise<{ status: number; body: T }> {
  const r = await fetch(url, {
    method: "POST",
    headers: { "content-type": "application/json", ...(token ? { authorization: `Bearer ${token}` } : {}) },
    body: JSON.stringify(body),
  });
  const text = await r.text();
  return { status: r.status, body: (text ? JSON.parse(text) : undefined) as T };
}

/**
 * A staff (admin) token of a bench hub: tickets are taken as the help desk does, since
 * only a paired kiosk or staff may issue, and staff are not rate-limited (a kiosk's limit
 * would only measure the limiter).
 */
export async function deskToken(url: string): Promise<string> {
  const r = await postJson<{ token: string }>(`${url}/api/auth/login`, { username: "admin", password: ADMIN_PASSWORD });
  if (r.status !== 200) throw new Error(`bench login failed: ${r.status}`);
  return r.body.token;
}

/** The hub's own measurements, read from its `GET /metrics` as an admin. */
export async function scrapeMetrics(url: string, adminToken: string): Promise<Sample[]> {
  const r = await fetch(`${url}/metrics`, { headers: { authorization: `Bearer ${adminToken}` } });
  if (r.status !== 200) throw new Error(`GET /metrics: ${r.status}`);
  return parseExposition(await r.text());
}

/** Run `fn` over `items` with at most `limit` in flight. */
export async function pool<T>(items: readonly T[], limit: number, fn: (item: T, i: number) => Promise<void>): Promise<void> {
  let next = 0;
  const worker = async () => {
    while (next < items.length) {
      const i = next++;
      await fn(items[i] as T, i);
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker));
}

/** CPU time (user + system, ms) a process has used so far, from /proc (Linux). */
export function cpuMs(pid: number): number {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, "utf8");
    // Fields after the command name (which may hold spaces, so split after the last ')').
    const f = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
    return ((Number(f[11]) + Number(f[12])) * 1000) / 100;
  } catch {
    return Number.NaN;
  }
}

/**
 * A busy day made by the engine itself (so every event is valid and replays to a sane
 * state): counters sign in, tickets are issued over the all-day queues, and served —
 * called, started and finished, one in ten a no-show — keeping about 200 waiting, until
 * `count` events exist. Returns the events in journal order.
 */
export function generateDay(catalogue: Catalogue, count: number, end: number): HallEvent[] {
  const day = localDay(end, catalogue.hall.timeZone);
  const state = initialState(catalogue, day);
  const out: HallEvent[] = [];
  // One millisecond per command, ending at `end`: a day that happened just now.
  let now = end - count;
  const run = (cmd: Command): boolean => {
    const r = events(state, cmd, now++);
    if (!Array.isArray(r)) return false;
    applyAll(state, r);
    out.push(...r);
    return true;
  };
  const counters = catalogue.counters.filter((c) => c.profile.queueIds.every((q) => SERVED.includes(q)));
  counters.forEach((c, i) => {
    if (!run({ type: "signIn", counterId: c.id, staffId: `s-gen${i}`, staffName: `Gen ${i}`, takeover: false }))
      throw new Error(`cannot sign in at ${c.id}`);
  });
  const matters = catalogue.matters.filter((m) => SERVED.includes(m.queueId)).map((m) => m.id);
  let ticket = 0;
  const issue = () => {
    const priority = ticket % 10 === 0 ? "green" : "normal";
    if (
      !run({
        type: "issue",
        ticketId: `gen-${ticket}`,
        matterId: matters[(ticket * 7) % matters.length] as string,
        priority,
        source: "k1",
      })
    )
      throw new Error("generated issue was refused");
    ticket++;
  };
  for (let i = 0; i < 200; i++) issue();
  let k = 0;
  while (out.length < count) {
    issue();
    const c = counters[k++ % counters.length] as Counter;
    const staffId = state.counters.get(c.id)?.view.staffId as string;
    if (!run({ type: "callNext", counterId: c.id, staffId })) continue;
    if (!state.counters.get(c.id)?.view.currentTicketId) continue;
    if (k % 10 === 0) run({ type: "noShow", counterId: c.id, staffId });
    else {
      run({ type: "start", counterId: c.id, staffId });
      run({ type: "finish", counterId: c.id, staffId, outcome: "completed" });
    }
  }
  return out.slice(0, count);
}

/** Write `events` as today's journal of `dataDir` (the hub's JSONL format). */
export function writeJournal(dataDir: string, events: readonly HallEvent[]): string {
  const first = events[0];
  if (!first) throw new Error("no events");
  const dir = join(dataDir, "journal");
  mkdirSync(dir, { recursive: true });
  const day = (first.type === "ticket.issued" ? first.ticket.day : undefined) ?? dayOfEvents(events);
  const path = join(dir, `${day}.jsonl`);
  writeFileSync(path, events.map(journalLine).join(""));
  return path;
}

function dayOfEvents(events: readonly HallEvent[]): string {
  for (const e of events) if (e.type === "ticket.issued") return e.ticket.day;
  throw new Error("no ticket.issued event to date the journal by");
}
