/**
 * `issue`: taking numbers with the fsync'd journal.
 * - Throughput over REST: 50 POST /api/tickets in flight from here to the hub in a child
 *   process (no kioskId, so no printing: the printer has its own benchmark). Baseline, same
 *   run: a plain node:http server answering the same requests the same way.
 * - Throughput of `HallService.run` in this process, 50 in flight. Baseline: the journal
 *   alone (append + group-commit fdatasync of one event per call).
 * - Cost per ticket when today's journal already holds 50,000 engine-made events, against an
 *   empty day, by both methods (same process, same method, the two days alternated).
 */
import { performance } from "node:perf_hooks";
import type { Catalogue } from "../server/src/contract/catalogue.ts";
import { localDay } from "../server/src/core/index.ts";
import { HallService } from "../server/src/hall/service.ts";
import { Journal } from "../server/src/store/journal.ts";
import {
  type BenchResult,
  copyDataDir,
  generateDay,
  mixedMatters,
  pool,
  prepareBenchHall,
  deskToken,
  interleaved,
  say,
  showRatio,
  spawnChild,
  writeJournal,
} from "./lib.ts";

const IN_FLIGHT = 50;
const REST_TICKETS = 5_000;
const SERVICE_TICKETS = 10_000;
const WARMUP = 500;
const FULL_DAY = 50_000;
const PAIRS = 3;

/** Tickets per second for `n` calls of `fn` with IN_FLIGHT at a time. */
async function rate(n: number, fn: (i: number) => Promise<void>): Promise<number> {
  const t0 = performance.now();
  await pool(
    Array.from({ length: n }, (_, i) => i),
    IN_FLIGHT,
    (_, i) => fn(i),
  );
  return n / ((performance.now() - t0) / 1000);
}

/** `desk`: the bearer sent with each issue (a staff token for the hub; any text for the plain baseline). */
async function restRate(url: string, matters: string[], n: number, offset: number, desk: string): Promise<number> {
  return rate(n, async (i) => {
    const r = await fetch(`${url}/api/tickets`, {
      method: "POST",
      headers: { "content-type": "application/json", authorization: `Bearer ${desk}` },
      body: JSON.stringify({ matterId: matters[(i + offset) % matters.length] }),
    });
    await r.arrayBuffer();
    if (r.status !== 201) throw new Error(`issue failed: ${r.status}`);
  });
}

/** REST throughput of a hub started on `dataDir` (warm-up first, on the same hub). */
async function hubRest(dataDir: string, matters: string[]): Promise<number> {
  const child = await spawnChild("bench/hub-child.ts", [dataDir]);
  try {
    // Only a paired kiosk or staff may issue: the bench issues as the help desk (staff).
    const desk = await deskToken(child.url);
    await restRate(child.url, matters, WARMUP, 0, desk);
    return await restRate(child.url, matters, REST_TICKETS, WARMUP, desk);
  } finally {
    await child.kill();
  }
}

async function serviceRate(dataDir: string, catalogue: Catalogue, matters: string[], n: number): Promise<number> {
  const svc = await HallService.open({ dataDir, catalogue, clock: Date.now, log: () => {} });
  try {
    const tag = Math.random().toString(36).slice(2, 8);
    return await rate(n, async (i) => {
      const r = await svc.run({
        type: "issue",
        ticketId: `b-${tag}-${i}`,
        matterId: matters[i % matters.length] as string,
        priority: "normal",
        source: "bench",
      });
      if (!r.ok) throw new Error(`issue refused: ${r.error}`);
    });
  } finally {
    await svc.close();
  }
}

export async function benchIssue(): Promise<BenchResult> {
  const hall = await prepareBenchHall();
  const matters = mixedMatters(hall);
  const dirs: { cleanup(): void }[] = [];
  const fresh = (events?: ReturnType<typeof generateDay>) => {
    const d = copyDataDir(hall.dataDir);
    dirs.push(d);
    if (events) writeJournal(d.dir, events);
    return d.dir;
  };
  try {
    say(`issue: generating a ${FULL_DAY}-event day with the engine`);
    const day = generateDay(hall.catalogue, FULL_DAY, Date.now());

    say("issue: baselines (plain HTTP server, bare journal)");
    const http = await spawnChild("bench/raw-http-child.ts", []);
    let httpRate: number;
    try {
      // The same request, bearer header included, to a server that checks nothing.
      await restRate(http.url, matters, WARMUP, 0, "baseline");
      httpRate = await restRate(http.url, matters, REST_TICKETS, 0, "baseline");
    } finally {
      await http.kill();
    }
    const jdir = fresh();
    const journal = new Journal(`${jdir}/journal`, localDay(Date.now(), hall.catalogue.hall.timeZone));
    const sample = day.find((e) => e.type === "ticket.issued");
    const journalRate = await rate(SERVICE_TICKETS, () => journal.append([sample as NonNullable<typeof sample>]));
    await journal.close();

    say(`issue: HallService.run in-process, 50k events vs empty day, ${PAIRS} interleaved pairs`);
    await serviceRate(fresh(), hall.catalogue, matters, WARMUP * 4);
    // Figures are costs per ticket (1 / rate): the ratio full ÷ empty is the target's.
    const perTicket = (rate: number) => 1 / rate;
    const svc = await interleaved(
      "issue service",
      PAIRS,
      {
        a: () => serviceRate(fresh(day), hall.catalogue, matters, SERVICE_TICKETS),
        b: () => serviceRate(fresh(), hall.catalogue, matters, SERVICE_TICKETS),
      },
      perTicket,
    );
    say(`issue: REST to a child hub, 50k events vs empty day, ${PAIRS} interleaved pairs`);
    const rest = await interleaved(
      "issue REST",
      PAIRS,
      { a: () => hubRest(fresh(day), matters), b: () => hubRest(fresh(), matters) },
      perTicket,
    );
    const restEmpty = rest.b;
    const restFull = rest.a;
    const svcEmpty = svc.b;
    const svcFull = svc.a;
    const rE = 1 / rest.figB.median;
    const rF = 1 / rest.figA.median;
    const sE = 1 / svc.figB.median;
    const sF = 1 / svc.figA.median;
    const perS = (x: number) => `${x.toFixed(0)} /s`;
    const us = (x: number) => `${(1e6 / x).toFixed(0)} µs`;
    return {
      rows: [
        {
          bench: "issue",
          metric: `REST POST /api/tickets, ${IN_FLIGHT} in flight (empty day, median of ${PAIRS} runs)`,
          value: perS(rE),
          baseline: `${perS(httpRate)} (plain HTTP)`,
          target: "≥ 1000 /s",
          pass: rE >= 1000,
        },
        {
          bench: "issue",
          metric: "HallService.run, in-process (empty day)",
          value: perS(sE),
          baseline: `${perS(journalRate)} (journal alone)`,
          target: "—",
        },
        {
          bench: "issue",
          metric: "cost per ticket @ 50k events ÷ empty day (REST)",
          value: `${showRatio(rest.ratio)} (${us(rF)} vs ${us(rE)})`,
          baseline: "1× (empty day)",
          target: "≤ 1.2×",
          pass: rest.ratio.median <= 1.2,
        },
        {
          bench: "issue",
          metric: "cost per ticket @ 50k events ÷ empty day (HallService.run)",
          value: `${showRatio(svc.ratio)} (${us(sF)} vs ${us(sE)})`,
          baseline: "1× (empty day)",
          target: "≤ 1.2×",
          pass: svc.ratio.median <= 1.2,
        },
      ],
      notes: [
        `issue: REST ${REST_TICKETS} tickets per run after ${WARMUP} warm-up, mixed matters over 10 queues (daily caps off in the bench hall); empty day ${restEmpty.map((x) => x.toFixed(0)).join(" / ")} /s, with ${FULL_DAY} events ${restFull.map((x) => x.toFixed(0)).join(" / ")} /s; plain node:http baseline ${httpRate.toFixed(0)} /s. HallService.run ${SERVICE_TICKETS} per run: empty ${svcEmpty.map((x) => x.toFixed(0)).join(" / ")} /s, with ${FULL_DAY} events ${svcFull.map((x) => x.toFixed(0)).join(" / ")} /s; bare journal (append + fdatasync, group commit) ${journalRate.toFixed(0)} /s. Cost per ticket = 1 / throughput at ${IN_FLIGHT} in flight.`,
      ],
    };
  } finally {
    for (const d of dirs) d.cleanup();
    hall.cleanup();
  }
}
