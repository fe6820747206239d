/**
 * `login`: ticket issuing while a login flood runs (issue 7.10).
 * A hub in a child process with its login limits lifted (as if the flood came from many
 * addresses: the worst case, every attempt costs an scrypt), issuing over REST at
 * IN_FLIGHT requests in flight; runs without and with FLOOD wrong-password logins kept in
 * flight, interleaved A/B on the same hub. Per run: the issuing p99; the row is the median
 * of the per-pair ratios (flood ÷ quiet), with their spread.
 * Target: issuing p99 under a login flood ≤ 2× without.
 */
import { performance } from "node:perf_hooks";
import {
  type BenchResult,
  deskToken,
  interleaved,
  mixedMatters,
  ms,
  pool,
  prepareBenchHall,
  seriesRuns,
  showRatio,
  spawnChild,
  summary,
} from "./lib.ts";

const IN_FLIGHT = 10;
const TICKETS = 600;
const WARMUP = 200;
const FLOOD = 32;
const PAIRS = 5;

async function issueLatencies(url: string, matters: string[], n: number, offset: number, desk: string): Promise<number[]> {
  const lat: number[] = [];
  await pool(
    Array.from({ length: n }, (_, i) => i),
    IN_FLIGHT,
    async (i) => {
      const t0 = performance.now();
      const r = await fetch(`${url}/api/tickets`, {
        method: "POST",
        headers: { "content-type": "application/json", authorization: `Bearer ${desk}` },
        body: JSON.stringify({ matterId: matters[(i + offset) % matters.length] }),
      });
      await r.arrayBuffer();
      if (r.status !== 201) throw new Error(`issue failed: ${r.status}`);
      lat.push(performance.now() - t0);
    },
  );
  return lat;
}

/** Keep `FLOOD` wrong-password logins in flight until `stop()`; counts the answers. */
function flood(url: string, usernames: string[]): { stop(): Promise<Record<number, number>> } {
  let running = true;
  const statuses: Record<number, number> = {};
  let k = 0;
  const worker = async () => {
    while (running) {
      const username = usernames[k++ % usernames.length] as string;
      try {
        const r = await fetch(`${url}/api/auth/login`, {
          method: "POST",
          headers: { "content-type": "application/json" },
          body: JSON.stringify({ username, password: "not-the-password" }),
        });
        await r.arrayBuffer();
        statuses[r.status] = (statuses[r.status] ?? 0) + 1;
      } catch {
        statuses[0] = (statuses[0] ?? 0) + 1;
      }
    }
  };
  const all = Array.from({ length: FLOOD }, worker);
  return {
    stop: async () => {
      running = false;
      await Promise.all(all);
      return statuses;
    },
  };
}

export async function benchLoginFlood(): Promise<BenchResult> {
  const hall = await prepareBenchHall();
  const matters = mixedMatters(hall);
  const child = await spawnChild("bench/hub-child.ts", [hall.dataDir], 60_000, { OV_BENCH_LOGIN_LIMITS: "off" });
  try {
    // Only a paired kiosk or staff may issue: the bench issues as the help desk (staff).
    const desk = await deskToken(child.url);
    await issueLatencies(child.url, matters, WARMUP, 0, desk);
    const answered: Record<number, number> = {};
    let floodSeconds = 0;
    let r = 0;
    const withFlood = async () => {
      const f = flood(
        child.url,
        hall.clerks.map((c) => c.username),
      );
      // Let the flood fill the hashing queue before measuring.
      await new Promise((res) => setTimeout(res, 300));
      const t0 = performance.now();
      const p99 = summary(await issueLatencies(child.url, matters, TICKETS, r * 7 + 3, desk)).p99;
      floodSeconds += (performance.now() - t0) / 1000;
      for (const [st, n] of Object.entries(await f.stop())) answered[Number(st)] = (answered[Number(st)] ?? 0) + n;
      return p99;
    };
    const quiet = async () => summary(await issueLatencies(child.url, matters, TICKETS, r++ * 7, desk)).p99;
    const s = await interleaved("login", PAIRS, { a: withFlood, b: quiet }, (p99) => p99);
    const attempts = Object.values(answered).reduce((a, b) => a + b, 0);
    return {
      rows: [
        {
          bench: "login",
          metric: `REST issuing p99 under a login flood (${FLOOD} logins in flight) ÷ without`,
          value: `${showRatio(s.ratio)}; p99 ${ms(s.figA.median)} vs ${ms(s.figB.median)}`,
          baseline: `${ms(s.figB.median)} p99 (no flood)`,
          target: "≤ 2×",
          pass: s.ratio.median <= 2,
        },
      ],
      notes: [
        `login: ${PAIRS} interleaved pairs on one child hub (login limits lifted, as from many addresses), ${TICKETS} REST issues per run at ${IN_FLIGHT} in flight after ${WARMUP} warm-up; ${seriesRuns(s, { figure: "issuing p99", a: "with flood", b: "without" }, 1)} (each pair: flood first, then quiet). Flood answers: ${Object.entries(
          answered,
        )
          .map(([s, n]) => `${n}× ${s}`)
          .join(
            ", ",
          )} (${(attempts / Math.max(floodSeconds, 0.001)).toFixed(0)} /s; 429 = hashing queue full). Passwords are checked on one worker thread with a bounded queue (64), off libuv's pool that the journal's fdatasync uses.`,
      ],
    };
  } finally {
    await child.kill();
    hall.cleanup();
  }
}
