/**
 * `led`: one dead window display on the RS-485 bus must delay the other displays' updates
 * by at most one request timeout. LedBus (the hub's driver, default 300 ms timeout, 1 retry)
 * over LedSimulator: 20 live displays get a new call text every 400 ms for 8 rounds; the run
 * is made without a dead display (baseline, same run) and with display 21 dead (setDead),
 * which is updated every round too. Added delay = median over rounds of the round's slowest
 * live update with the dead display − the same without, in units of the timeout (the
 * all-rounds worst case is reported too; it carries the machine's timer jitter).
 */
import { performance } from "node:perf_hooks";
import { windowDisplay } from "../hardware/led/protocol.ts";
import { createSimulatedLedBus } from "../hardware/led/simulator.ts";
import { type BenchResult, interleaved, listRuns, ms, say, showSpread, sleep, spread, summary } from "./lib.ts";

const LIVE = 20;
const DEAD_ADDRESS = 21;
const ROUNDS = 8;
const PERIOD_MS = 400;
const TIMEOUT_MS = 300;
/** Answer time of a live display (a short FC16 exchange on a fast bus). */
const ANSWER_MS = 5;

async function scenario(withDead: boolean): Promise<{ all: number[]; perRound: number[] }> {
  const { bus, sim } = createSimulatedLedBus(undefined, { timeoutMs: TIMEOUT_MS });
  sim.slowMs = ANSWER_MS;
  if (withDead) sim.setDead(DEAD_ADDRESS);
  await bus.start();
  const all: number[] = [];
  const perRound: number[] = [];
  try {
    for (let round = 0; round < ROUNDS; round++) {
      const t0 = performance.now();
      const updates: Promise<number>[] = [];
      const show = (address: number) => {
        const d = windowDisplay({
          counterNumber: address,
          state: "calling",
          lang: "zh",
          ticketNumber: `A${String(round * 100 + address).padStart(3, "0")}`,
        });
        return bus.setText(address, d.text, d.style);
      };
      // The dead display is updated first: the worst place for it in the queue.
      if (withDead) show(DEAD_ADDRESS).catch(() => {});
      for (let a = 1; a <= LIVE; a++) updates.push(show(a).then(() => performance.now() - t0));
      const lat = await Promise.all(updates);
      all.push(...lat);
      perRound.push(Math.max(...lat));
      const left = PERIOD_MS - (performance.now() - t0);
      if (left > 0) await sleep(left);
    }
    if (withDead && sim.texts.has(DEAD_ADDRESS)) throw new Error("the dead display answered");
    for (let a = 1; a <= LIVE; a++)
      if (!sim.texts.get(a)?.includes(`A${String((ROUNDS - 1) * 100 + a).padStart(3, "0")}`))
        throw new Error(`display ${a} missed its last text`);
  } finally {
    await bus.close();
  }
  return { all, perRound };
}

const PAIRS = 3;

export async function benchLed(): Promise<BenchResult> {
  say(`led: ${LIVE} live displays, ${ROUNDS} rounds, with and without a dead display (timeout ${TIMEOUT_MS} ms), ${PAIRS} pairs`);
  // The figure of a run: its median round's slowest live update.
  const s = await interleaved(
    "led",
    PAIRS,
    { a: () => scenario(true), b: () => scenario(false) },
    (r) => summary(r.perRound).p50,
  );
  // In timeouts, per pair: the median round, and the worst update of all rounds.
  const added = spread(s.figA.runs.map((d, i) => (d - (s.figB.runs[i] as number)) / TIMEOUT_MS));
  const worst = spread(s.a.map((d, i) => (summary(d.all).max - summary((s.b[i] as { all: number[] }).all).max) / TIMEOUT_MS));
  const t = (v: number) => `${v.toFixed(2)} timeouts`;
  return {
    rows: [
      {
        bench: "led",
        metric: "delay a dead display adds to a round of updates (median round)",
        value: `${showSpread(added, t, "pairs")}`,
        baseline: `${ms(s.figB.median, 0)} (no dead display)`,
        target: "≤ 1 timeout",
        pass: added.median <= 1,
      },
      {
        bench: "led",
        metric: "same, worst update of all rounds",
        value: `${showSpread(worst, t, "pairs")}`,
        baseline: `${ms(spread(s.b.map((r) => summary(r.all).max)).median, 0)} (no dead display)`,
        target: "≤ 1 timeout",
        pass: worst.median <= 1,
      },
    ],
    notes: [
      `led: LedBus + LedSimulator, timeout ${TIMEOUT_MS} ms, live displays answer in ${ANSWER_MS} ms, ${LIVE} updates per round every ${PERIOD_MS} ms, ${ROUNDS} rounds per run, ${PAIRS} interleaved pairs (dead display, then none). Worst live update per round, first pair: without a dead display ${s.b[0]?.perRound.map((x) => x.toFixed(0)).join(", ")} ms; with display ${DEAD_ADDRESS} dead ${s.a[0]?.perRound.map((x) => x.toFixed(0)).join(", ")} ms. Added delay per pair (median round) ${listRuns(added)} timeouts, worst update ${listRuns(worst)} timeouts. The first round pays the dead display's first timeout; after its retry it is offline and only probed with backoff (1 s, 2 s …), one timeout per probe.`,
    ],
  };
}
