/**
 * The POS driver against the POS simulator over each link environment (in-memory cable,
 * serialport's MockBinding, a kernel pty pair made by socat), and against literal bytes on
 * a socat pty, so the driver and the simulator cannot share a mistake unnoticed.
 */
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import {
  PosRefusedError,
  type PosPrompt,
  type PosStatus,
  PosTerminal,
  type PosTerminalOptions,
} from "../../../hardware/pos/driver.ts";
import { PosSimulator } from "../../../hardware/pos/simulator.ts";
import { DeviceError } from "../../../hardware/transport/link.ts";
import { SerialLink } from "../../../hardware/transport/serial.ts";
import { type PtyPair, startPtyPair } from "../../helpers/socat.ts";
import { readBytes } from "../transport/helpers.ts";
import { LINK_ENVS, type LinkEnv, collect, waitFor } from "../keypad/links.ts";

const DAY = "2026-12-03";
/** 10:00 Beijing on DAY. */
const T0 = Date.parse("2026-12-03T02:00:00Z");

async function rejection(p: Promise<unknown>): Promise<unknown> {
  try {
    await p;
  } catch (err) {
    return err;
  }
  throw new Error("expected a rejection");
}

for (const [envName, makeEnv] of LINK_ENVS) {
  describe(`pos/driver PosTerminal over ${envName}`, () => {
    let env: LinkEnv;
    let pos: PosTerminal;
    let sim: PosSimulator;
    let prompts: PosPrompt[];
    let statuses: PosStatus[];
    let now: number;

    function build(simOpts: ConstructorParameters<typeof PosSimulator>[1] = {}, posOpts: PosTerminalOptions = {}): void {
      sim = new PosSimulator(env.device, { stageMs: 15, pageSize: 2, clock: () => now, ackTimeoutMs: 250, ...simOpts });
      // No STATUS polling by default, so fault injection hits the command under test.
      pos = new PosTerminal(env.host, {
        ackTimeoutMs: 250,
        answerTimeoutMs: 1000,
        saleIdleTimeoutMs: 2000,
        pollMs: 0,
        ...posOpts,
      });
      prompts = collect(pos, "prompt");
      statuses = collect(pos, "status");
    }

    beforeEach(async () => {
      now = T0;
      env = await makeEnv();
    });

    afterEach(async () => {
      await pos.stop();
      sim.detach();
      await env.dispose();
    });

    it("is online once the POS answers STATUS, with its terminal number", async () => {
      build({ terminalNo: "87654321" });
      await pos.start();
      expect(pos.status).toEqual({ health: "online" });
      expect(await pos.info()).toEqual({ state: "idle", terminalNo: "87654321" });
    });

    it("sells: prompts card and PIN, answers approved with a reference number and a masked card", async () => {
      build();
      await pos.start();
      const r = await pos.sale("o-1", 2500, "k-1");
      expect(r).toMatchObject({ orderId: "o-1", approved: true, code: "00", amountFen: 2500, at: T0 });
      expect(r.refNo).toMatch(/^261203\d{6}$/);
      expect(r.cardMasked).toMatch(/^\d{6}\*+\d{4}$/);
      expect(prompts.map((p) => p.stage)).toEqual(["WAIT_CARD", "READ_CARD", "WAIT_PIN", "ONLINE"]);
      expect(sim.chargesOf("o-1")).toBe(1);
      expect(await pos.query("o-1")).toMatchObject({ state: "approved", refNo: r.refNo, amountFen: 2500, refundedFen: 0 });
    });

    it("cancels a sale waiting for the card (the sale ends CANCELLED, nothing charged); too late once the card is read", async () => {
      build({ manualCard: true });
      await pos.start();
      const sale = pos.sale("o-c1", 700, "k-c1");
      await waitFor(() => sim.waitingForCard, 3000, "POS waiting for the card");
      // Sent beside the running sale, not queued behind it.
      expect(await pos.cancel("o-c1")).toBe(true);
      expect(await sale).toMatchObject({ orderId: "o-c1", approved: false, code: "X1" });
      expect(await pos.query("o-c1")).toMatchObject({ state: "declined", code: "X1" });
      expect(sim.chargesOf("o-c1")).toBe(0);

      const late = pos.sale("o-c2", 700, "k-c2");
      await waitFor(() => sim.waitingForCard, 3000, "POS waiting for the card");
      sim.presentCard("approve");
      await waitFor(() => prompts.some((p) => p.orderId === "o-c2" && p.stage === "READ_CARD"), 3000, "the card read");
      expect(await pos.cancel("o-c2")).toBe(false);
      expect((await late).approved).toBe(true);
      expect(sim.chargesOf("o-c2")).toBe(1);
      // No such sale running: nothing to stop.
      expect(await pos.cancel("o-none")).toBe(false);
      expect(sim.received.filter((x) => x.startsWith("C:"))).toEqual(["C:o-c1", "C:o-c2", "C:o-none"]);
    });

    it("answers a repeated sale of a paid order with the same outcome and never charges it twice", async () => {
      build();
      await pos.start();
      const first = await pos.sale("o-2", 990, "k-2");
      const again = await pos.sale("o-2", 990, "k-2");
      const newKey = await pos.sale("o-2", 990, "k-2b");
      expect(again.refNo).toBe(first.refNo);
      expect(newKey.refNo).toBe(first.refNo);
      expect(sim.chargesOf("o-2")).toBe(1);
      expect(sim.charges).toHaveLength(1);
    });

    it("reports refusals with their codes; a new try of the same order may then succeed", async () => {
      build();
      await pos.start();
      const cases = [
        ["insufficient_funds", "51"],
        ["declined", "05"],
        ["wrong_pin", "55"],
        ["cancel", "X1"],
        ["no_card", "X2"],
        ["bank_timeout", "98"],
      ] as const;
      for (const [outcome, code] of cases) {
        sim.nextCard(outcome);
        const r = await pos.sale(`o-${outcome}`, 100, "try-1");
        expect(r, outcome).toMatchObject({ approved: false, code });
        // The same try asked again keeps its answer (no new card asked for).
        expect((await pos.sale(`o-${outcome}`, 100, "try-1")).code).toBe(code);
        expect(await pos.query(`o-${outcome}`)).toMatchObject({ state: "declined", code });
      }
      const retry = await pos.sale("o-insufficient_funds", 100, "try-2");
      expect(retry.approved).toBe(true);
      expect(sim.charges.map((c) => c.orderId)).toEqual(["o-insufficient_funds"]);
      expect(await pos.query("o-unknown")).toMatchObject({ state: "not_found" });
    });

    it("refuses the same order with another amount (MISMATCH) without touching the card", async () => {
      build();
      await pos.start();
      await pos.sale("o-3", 500, "k");
      const err = await rejection(pos.sale("o-3", 600, "k"));
      expect(err).toBeInstanceOf(PosRefusedError);
      expect((err as PosRefusedError).reason).toBe("MISMATCH");
      expect(sim.chargesOf("o-3")).toBe(1);
      expect(pos.status).toEqual({ health: "online" });
    });

    it("refunds in parts, refuses more than is left, and answers a repeated refund id with its first outcome", async () => {
      build();
      await pos.start();
      const sale = await pos.sale("o-4", 1000, "k");
      const r1 = await pos.refund("o-4", "rf-1", 300);
      expect(r1).toMatchObject({ ok: true, code: "00", amountFen: 300, refundId: "rf-1" });
      expect(await pos.refund("o-4", "rf-1", 300)).toMatchObject({ ok: true, refundRefNo: r1.refundRefNo });
      expect(await pos.refund("o-4", "rf-2", 800)).toMatchObject({ ok: false, code: "13" });
      expect(await pos.refund("o-4", "rf-3", 700)).toMatchObject({ ok: true });
      expect(await pos.refund("o-none", "rf-4", 1)).toMatchObject({ ok: false, code: "25" });
      expect(await pos.query("o-4")).toMatchObject({ state: "approved", refNo: sale.refNo, refundedFen: 1000 });
    });

    it("lists the day's batch over several pages, sales and refunds, in time order", async () => {
      build();
      await pos.start();
      await pos.sale("o-a", 100, "k");
      now += 60_000;
      await pos.sale("o-b", 200, "k");
      now += 60_000;
      await pos.refund("o-a", "rf-a", 40);
      now += 60_000;
      await pos.sale("o-c", 300, "k");
      now += 24 * 3600_000;
      await pos.sale("o-next-day", 400, "k");
      const lines = await pos.batch(DAY);
      expect(lines.map((l) => [l.kind, l.orderId, l.amountFen, l.refundId])).toEqual([
        ["sale", "o-a", 100, undefined],
        ["sale", "o-b", 200, undefined],
        ["refund", "o-a", 40, "rf-a"],
        ["sale", "o-c", 300, undefined],
      ]);
      expect(lines[0]?.at).toBe(T0);
      expect(lines[2]?.refNo).toBe(lines[0]?.refNo);
      expect(sim.received.filter((c) => c === "B")).toHaveLength(2);
    });

    it("retransmits a SALE whose ACK was lost, and the POS charges it once", async () => {
      build();
      await pos.start();
      sim.dropAcksNext(1);
      const r = await pos.sale("o-5", 700, "k");
      expect(r.approved).toBe(true);
      expect(pos.linkStats.retransmits).toBeGreaterThanOrEqual(1);
      expect(sim.stats.duplicates).toBeGreaterThanOrEqual(1);
      expect(sim.received.filter((c) => c === "S:o-5")).toHaveLength(1);
      expect(sim.chargesOf("o-5")).toBe(1);
    });

    it("resends a frame the POS NAKed for a bad checksum", async () => {
      build();
      await pos.start();
      sim.nakNext(1);
      const r = await pos.sale("o-6", 100, "k");
      expect(r.approved).toBe(true);
      expect(sim.stats.naksSent).toBe(1);
      expect(pos.linkStats.naksReceived).toBe(1);
      // At least the one after the NAK; a slow machine may add one after an ACK timeout.
      expect(pos.linkStats.retransmits).toBeGreaterThanOrEqual(1);
      expect(sim.chargesOf("o-6")).toBe(1);
    });

    it("NAKs a garbled answer and takes the POS's retransmission", async () => {
      build();
      await pos.start();
      sim.garbleNext(1);
      expect((await pos.query("o-none")).state).toBe("not_found");
      expect(pos.linkStats.naksSent).toBe(1);
      expect(sim.stats.retransmits).toBeGreaterThanOrEqual(1);
    });

    it("turns to error TIMEOUT when the POS answers nothing, and back online when it does", async () => {
      build();
      await pos.start();
      sim.injectFault("silent");
      expect(((await rejection(pos.info())) as DeviceError).code).toBe("TIMEOUT");
      const err = await rejection(pos.sale("o-7", 100, "k"));
      expect(err).toBeInstanceOf(DeviceError);
      expect((err as DeviceError).code).toBe("TIMEOUT");
      expect(pos.status).toEqual({ health: "error", detail: "TIMEOUT" });
      expect(sim.sales).toHaveLength(0);
      sim.injectFault("none");
      await pos.info();
      expect(pos.status).toEqual({ health: "online" });
    });

    it("turns to error BAD_FRAME when every answer is garbled", async () => {
      build();
      await pos.start();
      sim.injectFault("garbled");
      await rejection(pos.info());
      await rejection(pos.info());
      expect(pos.status).toEqual({ health: "error", detail: "BAD_FRAME" });
      expect(pos.linkStats.naksSent).toBeGreaterThanOrEqual(4);
    });

    it("gives up on a sale whose final answer never comes; query then finds the charge", async () => {
      build();
      await pos.start();
      sim.injectFault("hang");
      const err = await rejection(pos.sale("o-8", 100, "k"));
      expect((err as DeviceError).code).toBe("TIMEOUT");
      expect(prompts.map((p) => p.stage)).toContain("ONLINE");
      sim.injectFault("none");
      expect(await pos.query("o-8")).toMatchObject({ state: "approved" });
      // Paying again after the unknown outcome returns the charge already made.
      expect((await pos.sale("o-8", 100, "k")).approved).toBe(true);
      expect(sim.chargesOf("o-8")).toBe(1);
    });

    it("queues commands one at a time", async () => {
      build();
      await pos.start();
      const [a, b, c] = await Promise.all([pos.sale("o-9", 100, "k"), pos.query("o-9"), pos.sale("o-10", 200, "k")]);
      expect(a.approved).toBe(true);
      expect(b.state).toBe("approved");
      expect(c.approved).toBe(true);
      expect(sim.received.filter((x) => x !== "T")).toEqual(["S:o-9", "Q:o-9", "S:o-10"]);
    });

    if (envName !== "serialport MockBinding") {
      it("rejects a sale unplugged mid-payment at once; the POS finishes it; query and a retried sale find one charge", async () => {
        now = Date.now();
        sim?.detach();
        // Polling on: a first probe lost while the far end is still reopening is asked again.
        build({ manualCard: true, clock: () => now }, { pollMs: 200 });
        await pos.start();
        // The rejection is caught from the start: it comes while the test is still unplugging.
        const failed = rejection(pos.sale("o-11", 4200, "k-11"));
        await waitFor(() => sim.waitingForCard, 3000, "POS waiting for the card");
        await env.unplug?.();
        const err = await failed;
        expect(err).toBeInstanceOf(DeviceError);
        expect((err as DeviceError).code).toBe("OFFLINE");
        expect(pos.status.health).toBe("offline");
        // The visitor goes on at the POS while the cable is out.
        sim.presentCard("approve");
        await waitFor(() => sim.sales[0]?.state === "approved", 3000, "the POS to finish");
        await env.replug?.();
        await waitFor(() => pos.status.health === "online", 5000, "online after replug");
        expect(await pos.query("o-11")).toMatchObject({ state: "approved", amountFen: 4200 });
        expect((await pos.sale("o-11", 4200, "k-11")).approved).toBe(true);
        expect(sim.chargesOf("o-11")).toBe(1);
        const healths = statuses.map((s) => s.health).filter((h, i, all) => h !== all[i - 1]);
        expect(healths).toEqual(["online", "offline", "online"]);
      });

      it("joins a sale still running at the POS when asked again after a replug", async () => {
        now = Date.now();
        sim?.detach();
        // Polling on: a first probe lost while the far end is still reopening is asked again.
        build({ manualCard: true, clock: () => now }, { pollMs: 200 });
        await pos.start();
        const first = rejection(pos.sale("o-12", 100, "k"));
        await waitFor(() => sim.waitingForCard, 3000, "waiting for the card");
        await env.unplug?.();
        expect(((await first) as DeviceError).code).toBe("OFFLINE");
        await env.replug?.();
        await waitFor(() => pos.status.health === "online", 5000, "online");
        const second = pos.sale("o-12", 100, "k");
        await waitFor(() => sim.received.filter((c) => c === "S:o-12").length === 2, 3000, "the repeat SALE");
        sim.presentCard();
        expect((await second).approved).toBe(true);
        expect(sim.sales).toHaveLength(1);
        expect(sim.chargesOf("o-12")).toBe(1);
      });
    }
  });
}

describe("pos/driver against literal bytes on a socat pty", () => {
  let pair: PtyPair;
  let host: SerialLink;
  let far: SerialLink;
  let pos: PosTerminal;

  beforeEach(async () => {
    pair = await startPtyPair();
    host = new SerialLink({ id: "hub", path: pair.pathA, baudRate: 9600 });
    far = new SerialLink({ id: "far", path: pair.pathB, baudRate: 9600 });
    await host.open();
    await far.open();
    await waitFor(() => host.state === "open" && far.state === "open", 3000, "pty open");
    pos = new PosTerminal(host, { ackTimeoutMs: 300, answerTimeoutMs: 2000, pollMs: 0 });
  });

  afterEach(async () => {
    await pos.stop();
    await host.close();
    await far.close();
    await pair.dispose();
  });

  const latin = (s: string) => Buffer.from(s, "latin1");

  /** A STATUS answer, seq 0, its CRC computed outside this code base (Python's binascii.crc_hqx). */
  const STATUS_ANSWER = latin("\x0200160TIDLE\x1c\x1c12345678\x030C3F");

  it("sends STATUS as the documented bytes, ACKs the answer and reads it", async () => {
    const sent = readBytes(far, 12, 3000);
    const info = pos.info();
    expect(await sent).toEqual(latin("\x0200020T\x037D1D"));
    const acked = readBytes(far, 2, 3000);
    await far.write(Buffer.concat([latin("\x060"), STATUS_ANSWER]));
    expect(await info).toEqual({ state: "idle", terminalNo: "12345678" });
    expect(await acked).toEqual(latin("\x060"));
  });

  it("sends the very same SALE frame again after a NAK, then waits for the final answer", async () => {
    const first = readBytes(far, 27, 3000);
    const sale = pos.sale("po-0001", 2500, "k1");
    const frame = await first;
    // The first frame of this driver, so SEQ 0 (docs/devices.md shows the same SALE with SEQ 1).
    expect(frame).toEqual(latin("\x0200170Spo-0001\x1c2500\x1ck1\x03C2AC"));
    const again = readBytes(far, 27, 3000);
    await far.write(Buffer.from([0x15]));
    expect(await again).toEqual(frame);
    await far.write(latin("\x060"));
    // Final answer, exactly as docs/devices.md shows it (seq 3 on the POS's side).
    const acked = readBytes(far, 2, 3000);
    await far.write(latin("\x0200653Spo-0001\x1c00\x1c2500\x1c261203000001\x1c622202*********0123\x1c20261203101500\x039230"));
    expect(await sale).toEqual({
      orderId: "po-0001",
      approved: true,
      code: "00",
      amountFen: 2500,
      refNo: "261203000001",
      cardMasked: "622202*********0123",
      at: Date.parse("2026-12-03T02:15:00Z"),
    });
    expect(await acked).toEqual(latin("\x063"));
  });

  it("NAKs an answer with a bad checksum and takes the good retransmission", async () => {
    const sent = readBytes(far, 12, 3000);
    const info = pos.info();
    await sent;
    const nak = readBytes(far, 1, 3000);
    const bad = Buffer.from(STATUS_ANSWER);
    bad[bad.length - 1] = 0x45; // CRC 0C3F → 0C3E
    await far.write(Buffer.concat([latin("\x060"), bad]));
    expect(await nak).toEqual(Buffer.from([0x15]));
    await far.write(STATUS_ANSWER);
    expect(await info).toMatchObject({ terminalNo: "12345678" });
  });
});
