/**
 * `calls`: how long a call takes to reach the screens under a full hall's load, and how
 * much of it is the hub's own work.
 *
 * The hub runs in a child process; 220 socket.io clients run against it (150 signed-in
 * counter pages, 45 call screens and 20 kiosks in a niced load process, 5 observer screens
 * here) while 150 counters send `counter:command` at a steady rate and 20 kiosks issue over
 * REST. Latency = call-next emitted → an observer has the matching `ticket:called`
 * (performance.now() in this process). Baseline: a plain Socket.IO server in a child process
 * that broadcasts each emit to 220 clients, at the same rates, measured the same way.
 *
 * Both sides are set up once and measured in interleaved runs (hub, baseline, hub, …): the
 * verdicts read the median of the per-run p99s and of the per-pair ratios. The hub's own
 * added time per call comes from inside it: the `onevisit_command_hub_seconds` histogram of
 * GET /metrics (command handed to the hall → broadcast handed to the sockets, less the
 * journal's disk wait), scraped before and after each run.
 */
import { setPriority } from "node:os";
import { performance } from "node:perf_hooks";
import { io, type Socket } from "socket.io-client";
import type { Ack } from "../server/src/contract/errors.ts";
import type { LoginReply, TicketCalled } from "../server/src/contract/events.ts";
import type { Ticket } from "../server/src/contract/tickets.ts";
import {
  fractionAtMost,
  type HistogramDelta,
  histogramDelta,
  histogramQuantile,
  sampleValue,
} from "../server/src/metrics/exposition.ts";
import {
  BENCH_PASSWORD,
  type BenchHall,
  type BenchResult,
  type Child,
  cpuMs,
  deskToken,
  interleaved,
  listRuns,
  mixedMatters,
  ms,
  pool,
  postJson,
  prepareBenchHall,
  say,
  seriesRuns,
  scrapeMetrics,
  showRatio,
  showSpread,
  sleep,
  spawnChild,
  spread,
  summary,
} from "./lib.ts";

const SCREENS = 50;
const KIOSKS = 20;
const OBSERVERS = 5;
const COUNTERS = 150;
/** Counter commands per second over the whole hall. */
const COMMAND_RATE = 30;
/** Tickets issued per second over all kiosks. */
const ISSUE_RATE = 20;
const DURATION_MS = Number(process.env.OV_BENCH_CALLS_MS ?? 12_000);
const PAIRS = Number(process.env.OV_BENCH_PAIRS ?? 5);
/** After a run's last command: time for the last broadcasts to arrive. */
const SETTLE_MS = 1500;
const PREFILL = 2_500;

/**
 * What a counter does, command after command: call, start serving, call again (which
 * closes the one served), now and then a recall before starting. Every command is valid in
 * the state the previous one left, so none is refused (call-next while a visitor is called
 * is refused since the counter rules of issue 8).
 */
const CYCLE = ["call-next", "start", "call-next", "start", "call-next", "recall", "start"] as const;

/** The seq-th command of the series: counters in turn, each stepping through CYCLE. */
function plan(seq: number): { counter: number; type: (typeof CYCLE)[number] } {
  return { counter: seq % COUNTERS, type: CYCLE[Math.floor(seq / COUNTERS) % CYCLE.length] as (typeof CYCLE)[number] };
}

function connect(url: string, auth?: { token: string }): Promise<Socket> {
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

/** Open-loop schedule: `fn(i)` at `rate` per second for `durationMs`, never waiting for replies. */
async function steady(rate: number, durationMs: number, fn: (i: number) => void): Promise<void> {
  const start = performance.now();
  const period = 1000 / rate;
  const total = Math.floor((durationMs / 1000) * rate);
  for (let i = 0; i < total; i++) {
    const wait = start + i * period - performance.now();
    if (wait > 0) await sleep(wait);
    fn(i);
  }
}

/** First sighting of each id per observer. */
function watch<P>(observers: Socket[], event: string, idOf: (payload: P) => string): Map<string, number>[] {
  const seen = observers.map(() => new Map<string, number>());
  observers.forEach((s, k) => {
    s.on(event, (p: P) => {
      const t = performance.now();
      const m = seen[k] as Map<string, number>;
      const id = idOf(p);
      if (!m.has(id)) m.set(id, t);
    });
  });
  return seen;
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

interface RunResult {
  samples: number[];
  p50: number;
  p99: number;
  missing: number;
  commands: number;
  errors: number;
  cpuPct: number;
  /** Hub only: call-next emitted → its ack back. */
  acks?: number[];
  /** Hub only, from its GET /metrics over the run. */
  inside?: {
    own: HistogramDelta;
    added: HistogramDelta;
    broadcast: HistogramDelta;
    whole: HistogramDelta;
    fsync: HistogramDelta;
    eldP99: number;
  };
  /** Baseline only: its broadcasts inside Socket.IO's emit (ms). */
  emit?: { emits: number; emitP50: number; emitP99: number };
}

interface Side {
  child: Child;
  run(): Promise<RunResult>;
  close(): Promise<void>;
}

function result(
  sent: Map<string, number>,
  seen: Map<string, number>[],
  extra: Omit<RunResult, "samples" | "p50" | "p99" | "missing">,
): RunResult {
  const { samples, missing } = latencies(sent, seen);
  const s = summary(samples);
  return { samples, p50: s.p50, p99: s.p99, missing, ...extra };
}

/** The hub side, set up once: 2,500 tickets waiting, 150 clerks signed in, 220 clients in the hall room. */
async function hubSide(hall: BenchHall): Promise<Side & { payloadBytes(): number }> {
  // 150 clerks sign in from this one address; in a hall each has a PC of its own, so the
  // per-address login limit is lifted here (OV_BENCH_LOGIN_LIMITS=off).
  const child = await spawnChild("bench/hub-child.ts", [hall.dataDir], 60_000, { OV_BENCH_LOGIN_LIMITS: "off" });
  const url = child.url;
  const sockets: Socket[] = [];
  let load: Child | undefined;
  try {
    const matters = mixedMatters(hall);
    const desk = await deskToken(url);
    say(`calls: hub at ${url}; issuing ${PREFILL} tickets before the runs`);
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
    load = await spawnChild("bench/load-clients.ts", [url, "hub", String(COUNTERS), String(SCREENS - OBSERVERS), String(KIOSKS)]);
    setPriority(load.proc.pid as number, 10);
    // The counters' commands go out on sockets that do not subscribe: the counter pages'
    // subscriptions are in the load process, so the fan-out is still 220 per event.
    const counters: { id: string; s: Socket }[] = [];
    await pool(hall.clerks, 20, async (c) => {
      const s = await connect(url, { token: tokens.get(c.counterId) as string });
      sockets.push(s);
      counters.push({ id: c.counterId, s });
    });
    counters.sort((a, b) => a.id.localeCompare(b.id));
    const observers: Socket[] = [];
    for (let i = 0; i < OBSERVERS; i++) {
      const s = await connect(url);
      sockets.push(s);
      const r = (await s.timeout(15_000).emitWithAck("subscribe", { view: "hall" })) as Ack<unknown>;
      if (!r.ok) throw new Error(`subscribe: ${r.error}`);
      observers.push(s);
    }
    let payloadBytes = 0;
    observers[0]?.on("ticket:called", (e: TicketCalled) => {
      payloadBytes ||= JSON.stringify(e).length;
    });
    const seen = watch(observers, "ticket:called", (e: TicketCalled) => e.ticket.id);
    await sleep(500);
    let seq = 0;
    return {
      child,
      payloadBytes: () => payloadBytes || 600,
      run: async () => {
        for (const m of seen) m.clear();
        const sent = new Map<string, number>();
        const acks: number[] = [];
        let errors = 0;
        let commands = 0;
        const before = await scrapeMetrics(url, desk);
        const cpu0 = cpuMs(child.proc.pid as number);
        const wall0 = performance.now();
        const commandLoad = steady(COMMAND_RATE, DURATION_MS, () => {
          const { counter, type } = plan(seq++);
          const c = counters[counter] as { id: string; s: Socket };
          const t0 = performance.now();
          commands++;
          c.s.emit("counter:command", { type, counterId: c.id }, (ack: Ack<{ ticket: Ticket | null }>) => {
            if (!ack.ok) {
              errors++;
              return;
            }
            if (type === "call-next" && ack.data.ticket) {
              sent.set(ack.data.ticket.id, t0);
              acks.push(performance.now() - t0);
            }
          });
        });
        const issueLoad = steady(ISSUE_RATE, DURATION_MS, (i) => {
          void postJson(
            `${url}/api/tickets`,
            { matterId: matters[(i * 7) % matters.length], kioskId: `k${(i % KIOSKS) + 1}` },
            desk,
          )
            .then((r) => {
              if (r.status !== 201) errors++;
            })
            .catch(() => errors++);
        });
        await Promise.all([commandLoad, issueLoad]);
        await sleep(SETTLE_MS);
        const cpuPct = ((cpuMs(child.proc.pid as number) - cpu0) / (performance.now() - wall0)) * 100;
        const after = await scrapeMetrics(url, desk);
        const call = { command: "call-next" };
        return result(sent, seen, {
          commands,
          errors,
          cpuPct,
          acks,
          inside: {
            own: histogramDelta(before, after, "onevisit_command_hub_seconds", call),
            added: histogramDelta(before, after, "onevisit_command_added_seconds", call),
            broadcast: histogramDelta(before, after, "onevisit_broadcast_seconds"),
            whole: histogramDelta(before, after, "onevisit_command_seconds", call),
            fsync: histogramDelta(before, after, "onevisit_journal_fsync_seconds"),
            // Reset by the scrape before the run: the delay during the run.
            eldP99: sampleValue(after, "onevisit_event_loop_delay_seconds", { quantile: "0.99" }) * 1000,
          },
        });
      },
      close: async () => {
        for (const s of sockets) s.disconnect();
        await load?.kill();
        await child.kill();
      },
    };
  } catch (err) {
    for (const s of sockets) s.disconnect();
    await load?.kill();
    await child.kill();
    throw err;
  }
}

/** The baseline side: a plain Socket.IO server, the same 220 clients in its room, set up once. */
async function baselineSide(payloadBytes: () => number): Promise<Side> {
  const child = await spawnChild("bench/raw-io-child.ts", []);
  const sockets: Socket[] = [];
  let load: Child | undefined;
  try {
    load = await spawnChild("bench/load-clients.ts", [
      child.url,
      "raw",
      String(COUNTERS),
      String(SCREENS - OBSERVERS),
      String(KIOSKS),
    ]);
    setPriority(load.proc.pid as number, 10);
    const senders: Socket[] = [];
    await pool(
      Array.from({ length: COUNTERS }, (_, i) => i),
      20,
      async () => {
        const s = await connect(child.url);
        sockets.push(s);
        senders.push(s);
      },
    );
    const observers: Socket[] = [];
    for (let i = 0; i < OBSERVERS; i++) {
      const s = await connect(child.url);
      sockets.push(s);
      await s.timeout(15_000).emitWithAck("join", {});
      observers.push(s);
    }
    const seen = watch(observers, "called", (e: { id: string }) => e.id);
    await sleep(500);
    let seq = 0;
    return {
      child,
      run: async () => {
        for (const m of seen) m.clear();
        const pad = "x".repeat(Math.max(0, payloadBytes() - 40));
        const sent = new Map<string, number>();
        let commands = 0;
        // Its emit timings start again with the run (SIGUSR2 prints and resets them).
        child.proc.kill("SIGUSR2");
        await child.nextLine(60_000);
        const cpu0 = cpuMs(child.proc.pid as number);
        const wall0 = performance.now();
        // The same schedule as the hub's: every command is broadcast once; those in a
        // call-next's place are timed.
        const commandLoad = steady(COMMAND_RATE, DURATION_MS, () => {
          const n = seq++;
          const { counter, type } = plan(n);
          const id = `c${n}`;
          commands++;
          if (type === "call-next") sent.set(id, performance.now());
          (senders[counter] as Socket).emit("cmd", { id, pad }, () => {});
        });
        const issueLoad = steady(ISSUE_RATE, DURATION_MS, (i) => {
          (senders[i % KIOSKS] as Socket).emit("cmd", { id: `k${seq}-${i}`, pad }, () => {});
        });
        await Promise.all([commandLoad, issueLoad]);
        await sleep(SETTLE_MS);
        const cpuPct = ((cpuMs(child.proc.pid as number) - cpu0) / (performance.now() - wall0)) * 100;
        child.proc.kill("SIGUSR2");
        const emit = JSON.parse(await child.nextLine(60_000)) as NonNullable<RunResult["emit"]>;
        return result(sent, seen, { commands, errors: 0, cpuPct, emit });
      },
      close: async () => {
        for (const s of sockets) s.disconnect();
        await load?.kill();
        await child.kill();
      },
    };
  } catch (err) {
    for (const s of sockets) s.disconnect();
    await load?.kill();
    await child.kill();
    throw err;
  }
}

export async function benchCalls(): Promise<BenchResult> {
  say(`calls: preparing the bench hall (195 counters, 165 clerks)`);
  const hall = await prepareBenchHall();
  let hub: Awaited<ReturnType<typeof hubSide>> | undefined;
  let base: Side | undefined;
  try {
    hub = await hubSide(hall);
    const h = hub;
    base = await baselineSide(() => h.payloadBytes());
    const b = base;
    say(
      `calls: ${PAIRS} interleaved pairs of ${DURATION_MS / 1000} s runs, ${COMMAND_RATE} commands/s and ${ISSUE_RATE} issues/s`,
    );
    const s = await interleaved("calls", PAIRS, { a: () => h.run(), b: () => b.run() }, (r) => r.p99, DURATION_MS + 60_000);
    const inside = s.a.map((r) => r.inside as NonNullable<RunResult["inside"]>);
    const ownP99 = inside.map((x) => histogramQuantile(x.own, 0.99) * 1000);
    const wholeP99 = inside.map((x) => histogramQuantile(x.whole, 0.99) * 1000);
    const fsyncP99 = inside.map((x) => histogramQuantile(x.fsync, 0.99) * 1000);
    const own = spread(ownP99);
    const addedP99 = inside.map((x) => histogramQuantile(x.added, 0.99) * 1000);
    const added = spread(addedP99);
    const addedWithin1ms = inside.map((x) => fractionAtMost(x.added, 0.001) * 100);
    const bcast = spread(inside.map((x) => histogramQuantile(x.broadcast, 0.99) * 1000));
    const rawEmit = spread(s.b.map((r) => r.emit?.emitP99 ?? 0));
    const within1ms = inside.map((x) => fractionAtMost(x.own, 0.001) * 100);
    const missing = s.a.reduce((n, r) => n + r.missing, 0);
    const errors = s.a.reduce((n, r) => n + r.errors, 0);
    const calls = inside.reduce((n, x) => n + x.own.count, 0);
    const p50 = spread(s.a.map((r) => r.p50));
    const bp50 = spread(s.b.map((r) => r.p50));
    return {
      rows: [
        {
          bench: "calls",
          metric: "call-next → screen, p50",
          value: showSpread(p50),
          baseline: ms(bp50.median),
          target: "—",
        },
        {
          bench: "calls",
          metric: "call-next → screen, p99",
          value: showSpread(s.figA),
          baseline: ms(s.figB.median),
          target: "≤ 10 ms",
          pass: s.figA.median <= 10 && missing === 0,
        },
        {
          bench: "calls",
          metric: "p99 vs raw Socket.IO (per-pair ratio)",
          value: showRatio(s.ratio),
          baseline: "1×",
          target: "≤ 1.5×",
          pass: s.ratio.median <= 1.5,
        },
        {
          bench: "calls",
          metric: "hub's own time per call (inside the hub, no disk wait), p99",
          value: showSpread(own, (v) => ms(v, 3)),
          baseline: `${ms(spread(wholeP99).median)} with the journal's fsync`,
          target: "≤ 1 ms",
          pass: own.median <= 1,
        },
        {
          bench: "calls",
          metric: "hub-added time per call: the above less Socket.IO's emit (one encode, a write per socket), p99",
          value: showSpread(added, (v) => ms(v, 3)),
          baseline: `${ms(own.median, 3)} with Socket.IO's emit`,
          target: "≤ 1 ms",
          pass: added.median <= 1,
        },
        {
          bench: "calls",
          metric: "one broadcast inside Socket.IO's emit (220 sockets in the hall room), p99",
          value: showSpread(bcast, (v) => ms(v, 3)),
          baseline: `${ms(rawEmit.median, 3)} (raw Socket.IO, same room)`,
          target: "—",
        },
      ],
      notes: [
        `calls: ${PAIRS} interleaved pairs (hub, baseline, hub, …) of ${DURATION_MS / 1000} s runs on one hub and one baseline server set up once; ${COMMAND_RATE} counter commands/s (counters in turn, each cycling call-next, start, call-next, start, call-next, recall, start: 3 in 7 are calls) and ${ISSUE_RATE} tickets/s from ${KIOSKS} kiosks (printed); 220 sockets in the hall room (150 counter pages, ${SCREENS - OBSERVERS} screens and ${KIOSKS} kiosks in a niced load process, ${OBSERVERS} observer screens here) plus 150 unsubscribed sockets sending the commands; ${PREFILL} tickets waiting at the start. Over the series: ${calls} calls, ${missing} never seen by an observer, ${errors} refused commands or failed issues.`,
        `calls, per run (hub): p50 ${listRuns(p50)} ms, samples ${s.a.map((r) => r.samples.length).join(" / ")}, ack p99 ${s.a.map((r) => summary(r.acks ?? []).p99.toFixed(2)).join(" / ")} ms, CPU ${s.a.map((r) => r.cpuPct.toFixed(0)).join(" / ")} % of a core. Baseline (plain Socket.IO, ${hub.payloadBytes()}-byte payload, one broadcast per emit): p50 ${listRuns(bp50)} ms, CPU ${s.b.map((r) => r.cpuPct.toFixed(0)).join(" / ")} %. ${seriesRuns(s, { figure: "p99", a: "hub", b: "baseline" })}.`,
        `calls, inside the hub (GET /metrics, histograms with an edge at 1 ms, scraped before and after each run): own time per call p99 ${listRuns(own, 3)} ms, share of calls ≤ 1 ms ${within1ms.map((v) => v.toFixed(1)).join(" / ")} %; with the journal's disk wait p99 ${wholeP99.map((v) => v.toFixed(2)).join(" / ")} ms; journal fsync p99 ${fsyncP99.map((v) => v.toFixed(2)).join(" / ")} ms; event-loop delay p99 ${inside.map((v) => v.eldP99.toFixed(1)).join(" / ")} ms. Hub-added (own time less the time inside Socket.IO's emit) p99 ${listRuns(added, 3)} ms, share ≤ 1 ms ${addedWithin1ms.map((v) => v.toFixed(1)).join(" / ")} %; one broadcast inside Socket.IO's emit p99 ${listRuns(bcast, 3)} ms (all broadcasts: hall room, stats room, counters), raw Socket.IO's emit to its hall room p99 ${listRuns(rawEmit, 3)} ms.`,
      ],
    };
  } finally {
    await hub?.close();
    await base?.close();
    hall.cleanup();
  }
}
