/**
 * `calls`: how long a call takes to reach the screens under a full hall's load.
 *
 * The hub runs in a child process; 220 socket.io clients run here (150 signed-in counters,
 * 50 call screens, 20 kiosks that also issue tickets over REST). Counters send
 * `counter:command` at a steady mixed rate; a few screens observe `ticket:called`. Latency
 * = call-next emitted → an observer has the matching `ticket:called` (performance.now() in
 * this process). Baseline, same run: a plain Socket.IO server in a child process that
 * broadcasts each client's emit to 220 clients, at the same rates, measured the same way.
 */
import { setPriority } from "node:os";
import { performance } from "node:perf_hooks";
import { io, type Socket } from "socket.io-client";
import type { Ack } from "../server/src/contract/errors.ts";
import type { LoginReply, TicketCalled } from "../server/src/contract/events.ts";
import type { Ticket } from "../server/src/contract/tickets.ts";
import {
  BENCH_PASSWORD,
  type BenchResult,
  type Child,
  cpuMs,
  ms,
  mixedMatters,
  pool,
  postJson,
  prepareBenchHall,
  deskToken,
  say,
  sleep,
  spawnChild,
  summary,
} from "./lib.ts";

const SCREENS = 50;
const KIOSKS = 20;
const OBSERVERS = 5;
/** Counter commands per second over the whole hall (call-next 70 %, start 20 %, recall 10 %). */
const COMMAND_RATE = 30;
/** Tickets issued per second over all kiosks. */
const ISSUE_RATE = 20;
const DURATION_MS = Number(process.env.OV_BENCH_CALLS_MS ?? 20_000);
const PREFILL = 2_500;

type Sock = Socket;

function connect(url: string, auth?: { token: string }): Promise<Sock> {
  return new Promise((res, rej) => {
    const s = io(url, { transports: ["websocket"], reconnection: false, forceNew: true, ...(auth ? { auth } : {}) });
    const timer = setTimeout(() => rej(new Error("socket connect timed out")), 15_000);
    s.once("connect", () => {
      clearTimeout(timer);
      res(s);
    });
    s.once("connect_error", (e) => {
      clearTimeout(timer);
      rej(e);
    });
  });
}

function subscribe(s: Sock, sub: unknown): Promise<void> {
  return new Promise((res, rej) => {
    s.timeout(15_000).emit("subscribe", sub, (err: Error | null, r: Ack<unknown>) => {
      if (err) rej(err);
      else if (!r.ok) rej(new Error(r.error));
      else res();
    });
  });
}

/** Open-loop schedule: `fn(i)` at `rate` per second for `durationMs`, never waiting for replies. */
async function steady(rate: number, durationMs: number, fn: (i: number) => void): Promise<void> {
  const start = performance.now();
  const period = 1000 / rate;
  const total = Math.floor((durationMs / 1000) * rate);
  for (let i = 0; i < total; i++) {
    const due = start + i * period;
    const wait = due - performance.now();
    if (wait > 0) await sleep(wait);
    fn(i);
  }
}

interface LoadResult {
  samples: number[];
  /** call-next emitted → its ack back (hub only). */
  acks: number[];
  /** Hub event-loop delay during the run (ms), when known. */
  eld?: { eldP50: number; eldP99: number; eldMax: number };
  missing: number;
  commands: number;
  errors: number;
  childCpuPct: number;
  payloadBytes: number;
}

async function hubRun(tts: boolean): Promise<LoadResult> {
  say("calls: preparing the bench hall (195 counters, 165 clerks)");
  const hall = await prepareBenchHall();
  let child: Child | undefined;
  let load: Child | undefined;
  const sockets: Sock[] = [];
  try {
    // 150 clerks sign in from this one address; in a hall each has a PC of its own, so the
    // per-address login limit is lifted here (OV_BENCH_LOGIN_LIMITS=off).
    child = await spawnChild("bench/hub-child.ts", [hall.dataDir], 60_000, {
      OV_BENCH_LOGIN_LIMITS: "off",
      ...(tts ? {} : { OV_BENCH_NO_TTS: "1" }),
    });
    const url = child.url;
    const matters = mixedMatters(hall);
    const desk = await deskToken(url);
    say(`calls: hub at ${url}; issuing ${PREFILL} tickets before the run`);
    await pool(
      Array.from({ length: PREFILL }, (_, i) => i),
      20,
      async (i) => {
        const r = await postJson(`${url}/api/tickets`, { matterId: matters[i % matters.length] }, desk);
        if (r.status !== 201) throw new Error(`prefill issue failed: ${r.status} ${JSON.stringify(r.body)}`);
      },
    );
    say("calls: signing in 150 clerks");
    const tokens = new Map<string, string>();
    await pool(hall.clerks, 8, async (c) => {
      const login = await postJson<LoginReply>(`${url}/api/auth/login`, { username: c.username, password: BENCH_PASSWORD });
      if (login.status !== 200) throw new Error(`login ${c.username}: ${login.status}`);
      const s = await postJson(`${url}/api/counters/${c.counterId}/sign-in`, {}, login.body.token);
      if (s.status !== 200) throw new Error(`sign-in ${c.counterId}: ${s.status} ${JSON.stringify(s.body)}`);
      tokens.set(c.counterId, login.body.token);
    });
    say("calls: connecting 215 listening clients (niced child) and 150 senders + 5 observers here");
    load = await spawnChild("bench/load-clients.ts", [url, "hub", "150", String(SCREENS - OBSERVERS), String(KIOSKS)]);
    setPriority(load.proc.pid as number, 10);
    // The counters' commands go out on sockets that do not subscribe: the counter pages'
    // subscriptions are in the load process, so the fan-out is still 220 per event.
    const counters: { id: string; s: Sock }[] = [];
    await pool(hall.clerks, 20, async (c) => {
      const s = await connect(url, { token: tokens.get(c.counterId) as string });
      sockets.push(s);
      counters.push({ id: c.counterId, s });
    });
    const screens: Sock[] = [];
    for (let i = 0; i < OBSERVERS; i++) {
      const s = await connect(url);
      sockets.push(s);
      await subscribe(s, { view: "hall" });
      screens.push(s);
    }
    counters.sort((a, b) => a.id.localeCompare(b.id));
    // First sighting of each called ticket per observer.
    const seen = Array.from({ length: OBSERVERS }, () => new Map<string, number>());
    let payloadBytes = 0;
    screens.slice(0, OBSERVERS).forEach((s, k) => {
      s.on("ticket:called", (e: TicketCalled) => {
        const t = performance.now();
        const m = seen[k] as Map<string, number>;
        if (!m.has(e.ticket.id)) m.set(e.ticket.id, t);
        if (!payloadBytes) payloadBytes = JSON.stringify(e).length;
      });
    });
    await sleep(500);

    const sent = new Map<string, number>();
    const acks: number[] = [];
    let errors = 0;
    let commands = 0;
    child.proc.kill("SIGUSR2");
    await child.nextLine();
    const cpu0 = cpuMs(child.proc.pid as number);
    const wall0 = performance.now();
    say(
      `calls: hub run${tts ? "" : " with voice synthesis off"}, ${COMMAND_RATE} commands/s and ${ISSUE_RATE} issues/s for ${DURATION_MS / 1000} s`,
    );
    const commandLoad = steady(COMMAND_RATE, DURATION_MS, (i) => {
      const c = counters[(i * 37) % counters.length] as { id: string; s: Sock };
      const r = i % 10;
      const type = r < 7 ? "call-next" : r < 9 ? "start" : "recall";
      const t0 = performance.now();
      commands++;
      c.s.emit("counter:command", { type, counterId: c.id }, (ack: Ack<{ ticket: Ticket | null }>) => {
        if (!ack.ok) {
          // start/recall on a counter with nothing current is refused; only call-next must work.
          if (type === "call-next") errors++;
          return;
        }
        if (type === "call-next" && ack.data.ticket) {
          sent.set(ack.data.ticket.id, t0);
          acks.push(performance.now() - t0);
        }
      });
    });
    const issueLoad = steady(ISSUE_RATE, DURATION_MS, (i) => {
      void postJson(`${url}/api/tickets`, { matterId: matters[(i * 7) % matters.length], kioskId: `k${(i % KIOSKS) + 1}` }, desk)
        .then((r) => {
          if (r.status !== 201) errors++;
        })
        .catch(() => errors++);
    });
    await Promise.all([commandLoad, issueLoad]);
    child.proc.kill("SIGUSR2");
    const eld = JSON.parse(await child.nextLine()) as LoadResult["eld"];
    await sleep(3000);
    const cpu1 = cpuMs(child.proc.pid as number);
    const wall1 = performance.now();
    const { samples, missing } = latencies(sent, seen);
    return {
      samples,
      acks,
      ...(eld ? { eld } : {}),
      missing,
      commands,
      errors,
      childCpuPct: ((cpu1 - cpu0) / (wall1 - wall0)) * 100,
      payloadBytes: payloadBytes || 600,
    };
  } finally {
    for (const s of sockets) s.disconnect();
    await load?.kill();
    await child?.kill();
    hall.cleanup();
  }
}

async function baselineRun(payloadBytes: number): Promise<LoadResult> {
  const child = await spawnChild("bench/raw-io-child.ts", []);
  let load: Child | undefined;
  const sockets: Sock[] = [];
  try {
    load = await spawnChild("bench/load-clients.ts", [child.url, "raw", "150", String(SCREENS - OBSERVERS), String(KIOSKS)]);
    setPriority(load.proc.pid as number, 10);
    const senders: Sock[] = [];
    await pool(
      Array.from({ length: 150 }, (_, i) => i),
      20,
      async () => {
        const s = await connect(child.url);
        sockets.push(s);
        senders.push(s);
      },
    );
    const observers: Sock[] = [];
    for (let i = 0; i < OBSERVERS; i++) {
      const s = await connect(child.url);
      sockets.push(s);
      await new Promise<void>((r) => s.emit("join", {}, () => r()));
      observers.push(s);
    }
    const seen = observers.map(() => new Map<string, number>());
    observers.forEach((s, k) => {
      s.on("called", (e: { id: string }) => {
        const t = performance.now();
        const m = seen[k] as Map<string, number>;
        if (!m.has(e.id)) m.set(e.id, t);
      });
    });
    await sleep(500);
    const pad = "x".repeat(Math.max(0, payloadBytes - 40));
    const sent = new Map<string, number>();
    let commands = 0;
    const cpu0 = cpuMs(child.proc.pid as number);
    const wall0 = performance.now();
    say("calls: baseline run (plain Socket.IO, 220 in the room), same rates");
    const commandLoad = steady(COMMAND_RATE, DURATION_MS, (i) => {
      const id = `c${i}`;
      commands++;
      if (i % 10 < 7) sent.set(id, performance.now());
      (senders[(i * 37) % senders.length] as Sock).emit("cmd", { id, pad }, () => {});
    });
    const issueLoad = steady(ISSUE_RATE, DURATION_MS, (i) => {
      (senders[i % KIOSKS] as Sock).emit("cmd", { id: `k${i}`, pad }, () => {});
    });
    await Promise.all([commandLoad, issueLoad]);
    await sleep(3000);
    const cpu1 = cpuMs(child.proc.pid as number);
    const wall1 = performance.now();
    const { samples, missing } = latencies(sent, seen);
    return {
      samples,
      acks: [],
      missing,
      commands,
      errors: 0,
      childCpuPct: ((cpu1 - cpu0) / (wall1 - wall0)) * 100,
      payloadBytes,
    };
  } finally {
    for (const s of sockets) s.disconnect();
    await load?.kill();
    await child.kill();
  }
}

export async function benchCalls(): Promise<BenchResult> {
  const hub = await hubRun(true);
  const base = await baselineRun(hub.payloadBytes);
  const quiet = await hubRun(false);
  const q = summary(quiet.samples);
  const qa = summary(quiet.acks);
  const h = summary(hub.samples);
  const b = summary(base.samples);
  const ratio = h.p99 / b.p99;
  const a = summary(hub.acks);
  const eld = hub.eld
    ? `; hub event-loop delay p50 ${ms(hub.eld.eldP50)}, p99 ${ms(hub.eld.eldP99)}, max ${ms(hub.eld.eldMax)}`
    : "";
  return {
    rows: [
      {
        bench: "calls",
        metric: "call-next → screen, p50",
        value: ms(h.p50),
        baseline: ms(b.p50),
        target: "—",
      },
      {
        bench: "calls",
        metric: "call-next → screen, p99",
        value: ms(h.p99),
        baseline: ms(b.p99),
        target: "≤ 10 ms",
        pass: h.p99 <= 10 && hub.missing === 0,
      },
      {
        bench: "calls",
        metric: "p99 vs raw Socket.IO",
        value: `${ratio.toFixed(2)}×`,
        baseline: "1×",
        target: "≤ 2×",
        pass: ratio <= 2,
      },
      {
        bench: "calls",
        metric: "same load, voice synthesis off (diagnostic), p99",
        value: ms(q.p99),
        baseline: ms(b.p99),
        target: "—",
      },
    ],
    notes: [
      `calls: ${hub.commands} counter commands (${COMMAND_RATE}/s: 70 % call-next, 20 % start, 10 % recall) and ${ISSUE_RATE} tickets/s from ${KIOSKS} kiosks for ${DURATION_MS / 1000} s, 220 sockets in the hall room (150 counter pages, ${SCREENS - OBSERVERS} screens and ${KIOSKS} kiosks in a niced load process, ${OBSERVERS} observer screens here) plus 150 unsubscribed sockets that send the counter commands, ${PREFILL} tickets waiting at the start; ${h.n} samples (${OBSERVERS} observer screens × calls), ${hub.missing} calls never seen by an observer, ${hub.errors} failed requests. Hub: p50 ${ms(h.p50)}, p95 ${ms(h.p95)}, p99 ${ms(h.p99)}, max ${ms(h.max)}; call-next ack p50 ${ms(a.p50)}, p99 ${ms(a.p99)}${eld}; hub process CPU ${hub.childCpuPct.toFixed(0)} % of one core. Baseline (plain Socket.IO, ${base.payloadBytes}-byte payload, one broadcast per emit): p50 ${ms(b.p50)}, p95 ${ms(b.p95)}, p99 ${ms(b.p99)}, max ${ms(b.max)}, ${base.missing} missing; server CPU ${base.childCpuPct.toFixed(0)} %.`,
      `calls, diagnostic: the same hub run with espeak-ng pointed at a missing file (no WAV per call; screens fall back to browser speech): p50 ${ms(q.p50)}, p95 ${ms(q.p95)}, p99 ${ms(q.p99)}, ${quiet.missing} missing; ack p50 ${ms(qa.p50)}, p99 ${ms(qa.p99)}${quiet.eld ? `; event-loop delay p50 ${ms(quiet.eld.eldP50)}, p99 ${ms(quiet.eld.eldP99)}` : ""}; hub CPU ${quiet.childCpuPct.toFixed(0)} %.`,
    ],
  };
}

/** Send → first sighting, per observer; a call an observer never saw counts as missing. */
function latencies(sent: Map<string, number>, seen: Map<string, number>[]): { samples: number[]; missing: number } {
  const samples: number[] = [];
  let missing = 0;
  for (const [id, t0] of sent) {
    for (const m of seen) {
      const t = m.get(id);
      if (t === undefined) missing++;
      else samples.push(t - t0);
    }
  }
  return { samples, missing };
}
