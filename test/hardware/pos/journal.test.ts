/**
 * The simulated POS's journal outlives the process it runs in, as a real POS's does: every
 * sale begun, each stage and each outcome is handed to `persist` (and awaited) before the POS
 * answers, and a new simulator built from what was persisted carries on. This is what lets
 * the hub's crash test kill the hub (and the simulator in it) mid-payment and still find,
 * on restart, what the POS did (test/server/payments/card-crash.test.ts).
 */
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { type PosPrompt, PosTerminal } from "../../../hardware/pos/driver.ts";
import { type PosSimJournal, PosSimulator } from "../../../hardware/pos/simulator.ts";
import { type LinkEnv, collect, memoryEnv, waitFor } from "../keypad/links.ts";

describe("pos/simulator journal kept through persist and restore", () => {
  let env: LinkEnv;
  let sim: PosSimulator;
  let pos: PosTerminal;
  let prompts: PosPrompt[];
  /** The "disk": every journal persisted, in order. */
  let disk: PosSimJournal[];

  function boot(opts: { manualCard?: boolean; restore?: PosSimJournal } = {}): void {
    sim = new PosSimulator(env.device, {
      stageMs: 30,
      ackTimeoutMs: 250,
      ...opts,
      persist: async (j) => {
        // Slow storage: an answer that overtook its write would be seen here.
        await new Promise((r) => setTimeout(r, 5));
        disk.push(j);
      },
    });
    pos = new PosTerminal(env.host, { ackTimeoutMs: 250, answerTimeoutMs: 1000, saleIdleTimeoutMs: 3000, pollMs: 0 });
    prompts = collect(pos, "prompt");
  }
  /** The process dies: nothing but what was persisted is left. */
  async function kill(): Promise<PosSimJournal> {
    sim.detach();
    await pos.stop();
    const last = disk.at(-1);
    if (!last) throw new Error("nothing was persisted");
    return structuredClone(last);
  }

  beforeEach(async () => {
    env = await memoryEnv();
    disk = [];
  });
  afterEach(async () => {
    sim.detach();
    await pos.stop();
    await env.dispose();
  });

  it("persists the outcome before answering: the approved sale is on disk when the hub hears of it", async () => {
    boot();
    await pos.start();
    const r = await pos.sale("o-1", 2000, "k-1");
    expect(r.approved).toBe(true);
    const onDisk = disk.at(-1)?.sales.find((s) => s.orderId === "o-1");
    expect(onDisk).toMatchObject({ state: "approved", refNo: r.refNo, amountFen: 2000 });
    expect(disk.at(-1)?.charges).toEqual([{ orderId: "o-1", amountFen: 2000, refNo: r.refNo }]);
    // Every stage went to disk before its prompt went to the hub.
    const stages = disk.flatMap((j) => j.sales.filter((s) => s.orderId === "o-1").map((s) => s.stage));
    expect(new Set(stages)).toEqual(new Set(["WAIT_CARD", "READ_CARD", "WAIT_PIN", "ONLINE"]));
  });

  it("after a restart: an approved sale is still approved, a repeat is not charged again, reference numbers go on", async () => {
    boot();
    await pos.start();
    const first = await pos.sale("o-2", 1500, "k-2");
    boot({ restore: await kill() });
    await pos.start();
    expect(await pos.query("o-2")).toMatchObject({ state: "approved", refNo: first.refNo, amountFen: 1500 });
    expect((await pos.sale("o-2", 1500, "k-2")).refNo).toBe(first.refNo);
    expect(sim.chargesOf("o-2")).toBe(1);
    const next = await pos.sale("o-3", 100, "k-3");
    expect(next.refNo).not.toBe(first.refNo);
  });

  it("a sale killed while the PIN is asked carries on after the restart and is charged once", async () => {
    boot({ manualCard: true });
    await pos.start();
    const lost = pos.sale("o-4", 3000, "k-4").catch((e: Error) => e);
    await waitFor(() => sim.waitingForCard, 3000, "waiting for the card");
    sim.presentCard("approve");
    await waitFor(() => disk.at(-1)?.sales.find((s) => s.orderId === "o-4")?.stage === "WAIT_PIN", 3000, "the PIN stage on disk");
    const journal = await kill();
    await lost;
    expect(journal.sales.find((s) => s.orderId === "o-4")).toMatchObject({ state: "in_progress", outcome: "approve" });
    boot({ restore: journal });
    await pos.start();
    await waitFor(() => sim.sales.find((s) => s.orderId === "o-4")?.state === "approved", 3000, "the resumed sale");
    expect(await pos.query("o-4")).toMatchObject({ state: "approved", amountFen: 3000 });
    expect(sim.chargesOf("o-4")).toBe(1);
    expect(disk.at(-1)?.charges.filter((c) => c.orderId === "o-4")).toHaveLength(1);
  });

  it("a sale killed while waiting for the card ends as no card (X2) after the restart, nothing charged", async () => {
    boot({ manualCard: true });
    await pos.start();
    const lost = pos.sale("o-5", 800, "k-5").catch((e: Error) => e);
    // Killed once the POS's "insert card" reached this process: a frame still on the line
    // would be read by the next process and counted as its prompt.
    await waitFor(
      () =>
        sim.waitingForCard &&
        disk.some((j) => j.sales.some((s) => s.orderId === "o-5")) &&
        prompts.some((p) => p.orderId === "o-5"),
      3000,
      "waiting",
    );
    const journal = await kill();
    await lost;
    boot({ manualCard: true, restore: journal });
    await pos.start();
    expect(await pos.query("o-5")).toMatchObject({ state: "declined", code: "X2" });
    expect(sim.chargesOf("o-5")).toBe(0);
    expect(prompts).toEqual([]);
  });
});
