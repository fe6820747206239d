/**
 * `printer`: kiosk press → ticket bytes at the printer, with 20 kiosks pressing at once.
 *
 * Three processes, as in a hall: the hub (bench/hub-child.ts), its 20 kiosk printers as
 * network printers on TCP (bench/printer-sims-child.ts: ESC/POS simulators, which decode
 * each ticket off the hub's CPU), and the kiosks pressing (here). Latency = POST
 * /api/tickets sent → the ticket's cut command (GS V) arrived at that kiosk's printer, both
 * stamped with process.hrtime (CLOCK_MONOTONIC, one clock for the machine). Baseline: the
 * same bursts without kioskId (issue only, nothing printed), timed to the reply. The two
 * are interleaved run by run; the verdicts read the median of the per-run p99s and of the
 * per-pair ratios.
 */
import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import type { DeviceStatus } from "../server/src/contract/devices.ts";
import type { IssuedTicket } from "../server/src/contract/events.ts";
import { histogramDelta, histogramQuantile } from "../server/src/metrics/exposition.ts";
import type { ConfigData } from "../server/src/store/config.ts";
import {
  type BenchResult,
  type Child,
  deskToken,
  interleaved,
  seriesRuns,
  mixedMatters,
  ms,
  postJson,
  prepareBenchHall,
  say,
  scrapeMetrics,
  showRatio,
  showSpread,
  sleep,
  spawnChild,
  summary,
} from "./lib.ts";

const KIOSKS = 20;
/** Bursts of 20 simultaneous presses per run. */
const BURSTS = 15;
const PAIRS = Number(process.env.OV_BENCH_PAIRS ?? 5);

const now = () => process.hrtime.bigint();
const msSince = (t0: bigint, t1: bigint) => Number(t1 - t0) / 1e6;

interface RunResult {
  p99: number;
  samples: number[];
  failed: number;
  wrong: number;
  /** Hub side, from GET /metrics: POST /api/tickets received → reply sent, p99 (ms). */
  hubP99: number;
}

export async function benchPrinter(): Promise<BenchResult> {
  const hall = await prepareBenchHall();
  let sims: Child | undefined;
  let hub: Child | undefined;
  try {
    sims = await spawnChild("bench/printer-sims-child.ts", [String(KIOSKS)]);
    const ports = sims.ready.ports as number[];
    // The kiosks' printers k1…k20 become network printers in the printer process.
    const file = join(hall.dataDir, "config.json");
    const data = JSON.parse(readFileSync(file, "utf8")) as ConfigData;
    for (let k = 1; k <= KIOSKS; k++) {
      const d = data.devices.find((x) => x.id === `printer-k${k}`);
      if (!d) throw new Error(`the bench hall has no printer-k${k}`);
      d.transport = { type: "tcp", host: "127.0.0.1", port: ports[k - 1] as number };
    }
    writeFileSync(file, JSON.stringify(data, null, 2));

    // Tickets as the printers report them, by ticket id (from the QR's /m/<id>#k=<key>).
    const cuts = new Map<string, { cutAt: bigint; qr: string[] }>();
    const waiting = new Map<string, () => void>();
    sims.lines.on("line", (line: string) => {
      const t = JSON.parse(line) as { k: number; cutAt: string; qr: string[] };
      const id = /\/m\/([^#/]+)#/.exec(t.qr[0] ?? "")?.[1];
      if (!id) return;
      cuts.set(id, { cutAt: BigInt(t.cutAt), qr: t.qr });
      waiting.get(id)?.();
    });
    const printedTicket = (id: string) =>
      new Promise<{ cutAt: bigint; qr: string[] }>((res, rej) => {
        const have = cuts.get(id);
        if (have) return res(have);
        const timer = setTimeout(() => rej(new Error(`ticket ${id} never reached its printer`)), 10_000);
        waiting.set(id, () => {
          clearTimeout(timer);
          waiting.delete(id);
          res(cuts.get(id) as { cutAt: bigint; qr: string[] });
        });
      });

    hub = await spawnChild("bench/hub-child.ts", [hall.dataDir]);
    const url = hub.url;
    const desk = await deskToken(url);
    for (let i = 0; ; i++) {
      const list = (
        await fetch(`${url}/api/devices`, { headers: { authorization: `Bearer ${desk}` } }).then(
          (r) => r.json() as Promise<{ id: string; status: DeviceStatus }[]>,
        )
      ).filter((d) => /^printer-k\d+$/.test(d.id) && Number(d.id.slice(9)) <= KIOSKS);
      if (list.length === KIOSKS && list.every((d) => d.status.health === "online")) break;
      if (i > 100) throw new Error(`printers not online: ${list.map((d) => `${d.id}=${d.status.health}`).join(", ")}`);
      await sleep(100);
    }
    const matters = mixedMatters(hall);
    let issued = 0;

    const burst = async (print: boolean, out: number[], counts: { failed: number; wrong: number }) => {
      await Promise.all(
        Array.from({ length: KIOSKS }, async (_, k) => {
          const body = { matterId: matters[issued++ % matters.length], ...(print ? { kioskId: `k${k + 1}` } : {}) };
          const t0 = now();
          const r = await postJson<IssuedTicket>(`${url}/api/tickets`, body, desk);
          const replied = now();
          if (r.status !== 201 || (print && r.body.print.status !== "printed")) {
            counts.failed++;
            return;
          }
          if (!print) {
            out.push(msSince(t0, replied));
            return;
          }
          const p = await printedTicket(r.body.id);
          // The QR is the phone link with the holder key in its fragment: /m/<id>#k=<key>.
          if (!p.qr.some((q) => q.endsWith(`/m/${r.body.id}#k=${r.body.holderKey}`)) || p.cutAt < t0) counts.wrong++;
          else out.push(msSince(t0, p.cutAt));
        }),
      );
    };
    const run = async (print: boolean): Promise<RunResult> => {
      const samples: number[] = [];
      const counts = { failed: 0, wrong: 0 };
      const before = await scrapeMetrics(url, desk);
      for (let i = 0; i < BURSTS; i++) await burst(print, samples, counts);
      const after = await scrapeMetrics(url, desk);
      const hubP99 =
        histogramQuantile(histogramDelta(before, after, "onevisit_issue_seconds", { print: print ? "yes" : "no" }), 0.99) * 1000;
      return { p99: summary(samples).p99, samples, ...counts, hubP99 };
    };

    say(`printer: warm-up, then ${PAIRS} interleaved pairs of ${BURSTS} bursts of ${KIOSKS} kiosks pressing at once`);
    await run(true);
    await run(false);
    const s = await interleaved("printer", PAIRS, { a: () => run(true), b: () => run(false) }, (r) => r.p99);
    const failed = s.a.reduce((n, r) => n + r.failed, 0) + s.b.reduce((n, r) => n + r.failed, 0);
    const wrong = s.a.reduce((n, r) => n + r.wrong, 0);
    return {
      rows: [
        {
          bench: "printer",
          metric: `press → ticket bytes at printer, p99 (${KIOSKS} kiosks at once)`,
          value: showSpread(s.figA),
          baseline: `${ms(s.figB.median)} (issue, no print)`,
          target: "≤ 50 ms",
          pass: s.figA.median <= 50 && failed === 0 && wrong === 0,
        },
        {
          bench: "printer",
          metric: "press → printer p99 ÷ issue-only p99 (per-pair ratio)",
          value: showRatio(s.ratio),
          baseline: "1×",
          target: "≤ 1.5×",
          pass: s.ratio.median <= 1.5 && failed === 0 && wrong === 0,
        },
      ],
      notes: [
        `printer: hub, printers and kiosks in three processes; the kiosks' printers are ESC/POS simulators behind TCP sockets (network printers) in bench/printer-sims-child.ts, driven by the hub's real driver (status question, node-thermal-printer layout, GB18030, QR). ${PAIRS} interleaved pairs after a warm-up pair; a run is ${BURSTS} bursts of ${KIOSKS} simultaneous POST /api/tickets (${BURSTS * KIOSKS} samples), with kioskId k1…k20 (printed) or without (issue only). ${failed} failed, ${wrong} printed with a wrong QR.`,
        `printer, per run: ${seriesRuns(s, { figure: "p99", a: "press → cut at the printer", b: "issue only (reply)" })}; p50 ${s.a.map((r) => summary(r.samples).p50.toFixed(2)).join(" / ")} ms and ${s.b.map((r) => summary(r.samples).p50.toFixed(2)).join(" / ")} ms. Inside the hub (GET /metrics, onevisit_issue_seconds, request → reply): p99 with print ${s.a.map((r) => r.hubP99.toFixed(2)).join(" / ")} ms, without ${s.b.map((r) => r.hubP99.toFixed(2)).join(" / ")} ms.`,
      ],
    };
  } finally {
    await hub?.kill();
    await sims?.kill();
    hall.cleanup();
  }
}
