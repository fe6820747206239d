import { afterEach, describe, expect, it } from "vitest";
import type { LedBus, LedDisplayStatus, LedLinkState } from "../../../hardware/led/bus.ts";
import { createSimulatedLedBus, type LedSimulator } from "../../../hardware/led/simulator.ts";
import { DeviceError } from "../../../hardware/transport/link.ts";
import { sleep, waitFor } from "./wait.ts";

// The scheduler's behaviour on the in-memory simulator; the same LedBus over a real pty
// with modbus-serial's server is in modbus-rtu.test.ts.

let bus: LedBus | undefined;
afterEach(async () => {
  await bus?.close();
  bus = undefined;
});

async function setup(): Promise<{ bus: LedBus; sim: LedSimulator; statuses: LedDisplayStatus[]; links: LedLinkState[] }> {
  const made = createSimulatedLedBus(undefined, {
    timeoutMs: 80,
    retries: 1,
    probeBackoff: { initialMs: 150, maxMs: 600 },
    reopenBackoff: { initialMs: 50, maxMs: 200 },
  });
  bus = made.bus;
  const statuses: LedDisplayStatus[] = [];
  const links: LedLinkState[] = [];
  made.bus.on("status", (s) => statuses.push(s));
  made.bus.on("link", (s) => links.push(s));
  await made.bus.start();
  return { ...made, statuses, links };
}

async function rejection(p: Promise<unknown>): Promise<DeviceError> {
  try {
    await p;
  } catch (e) {
    expect(e).toBeInstanceOf(DeviceError);
    return e as DeviceError;
  }
  throw new Error("expected a rejection");
}

describe("hardware/led/bus LedBus", () => {
  it("writes the text to the addressed display and reports it online", async () => {
    const { bus, sim, statuses } = await setup();
    await bus.setText(3, "A001 请到3号窗口", { colour: "red", blink: true, scroll: false });
    expect(sim.texts.get(3)).toBe("A001 请到3号窗口");
    expect(sim.styles.get(3)).toEqual({ colour: "red", blink: true, scroll: false });
    expect(statuses).toEqual([{ address: 3, online: true }]);
  });

  it("keeps only the newest text per display while the bus is busy", async () => {
    const { bus, sim } = await setup();
    sim.slowMs = 30;
    const first = bus.setText(1, "one");
    const superseded = [bus.setText(1, "two"), bus.setText(1, "three")];
    const other = bus.setText(2, "other");
    await Promise.all([first, ...superseded, other]);
    expect(sim.texts.get(1)).toBe("three");
    expect(sim.texts.get(2)).toBe("other");
    // "one" was already on the wire; "two" was never sent.
    expect(sim.attempts.map((a) => a.address)).toEqual([1, 1, 2]);
  });

  it("lets a dead display delay another display's update by at most one timeout", async () => {
    const { bus, sim, statuses } = await setup();
    sim.setDead(9);
    const dead = bus.setText(9, "dead");
    const live = bus.setText(3, "live");
    await live;
    const before3 = sim.attempts.findIndex((a) => a.address === 3);
    expect(sim.attempts.slice(0, before3).filter((a) => a.address === 9)).toHaveLength(1);

    expect((await rejection(dead)).code).toBe("TIMEOUT");
    // One try and one retry, then offline.
    expect(sim.attempts.filter((a) => a.address === 9)).toHaveLength(2);
    expect(statuses).toContainEqual({ address: 9, online: false, detail: "no answer" });

    // Offline now: new texts for it are refused at once (and kept), others flow.
    expect((await rejection(bus.setText(9, "later"))).code).toBe("OFFLINE");
    for (let i = 0; i < 5; i++) {
      const from = sim.attempts.length;
      const started = Date.now();
      await bus.setText(3, `update ${i}`);
      const between = sim.attempts.slice(from);
      expect(between.filter((a) => a.address === 9).length).toBeLessThanOrEqual(1);
      expect(between.filter((a) => a.address === 3)).toHaveLength(1);
      // Generous: one timeout (80 ms) plus scheduling, far below two retries' worth of waits.
      expect(Date.now() - started).toBeLessThan(1000);
      await sleep(60);
    }
  });

  it("probes an offline display with backoff and shows its newest text when it answers again", async () => {
    const { bus, sim, statuses } = await setup();
    sim.setDead(9);
    await rejection(bus.setText(9, "first"));
    await rejection(bus.setText(9, "newest"));
    await sleep(700);
    const probes = sim.attempts.filter((a) => a.address === 9).length - 2;
    // Backoff 150, 300, 600 ms: at most a handful of probes in 700 ms, not one per timeout.
    expect(probes).toBeGreaterThanOrEqual(1);
    expect(probes).toBeLessThanOrEqual(4);
    sim.setDead(9, false);
    await waitFor(() => statuses.some((s) => s.address === 9 && s.online), 3000, "display 9 back online");
    expect(sim.texts.get(9)).toBe("newest");
  });

  it("reports the bus down on unplug, reopens, and resends the newest texts", async () => {
    const { bus, sim, statuses, links } = await setup();
    await bus.setText(3, "before");
    sim.unplug();
    expect(links).toEqual(["up", "down"]);
    expect(statuses).toContainEqual({ address: 3, online: false, detail: "bus down" });
    expect((await rejection(bus.setText(3, "while down"))).code).toBe("OFFLINE");
    await sleep(150);
    sim.replug();
    await waitFor(() => sim.texts.get(3) === "while down", 2000, "text resent after replug");
    expect(links).toEqual(["up", "down", "up"]);
    expect(bus.displayOnline(3)).toBe(true);
    await bus.setText(3, "after");
    expect(sim.texts.get(3)).toBe("after");
  });

  it("never leaves an unhandled rejection for fire-and-forget callers", async () => {
    const { bus, sim } = await setup();
    const unhandled: unknown[] = [];
    const onUnhandled = (reason: unknown) => unhandled.push(reason);
    process.on("unhandledRejection", onUnhandled);
    try {
      sim.setDead(5);
      void bus.setText(5, "x");
      void bus.setText(0, "bad address");
      void bus.setText(4, "字".repeat(100));
      await sleep(400);
      void bus.setText(5, "offline now");
      await sleep(50);
    } finally {
      process.off("unhandledRejection", onUnhandled);
    }
    expect(unhandled).toEqual([]);
    expect(bus.displayOnline(5)).toBe(false);
  });

  it("rejects a bad address and a too long text with ERROR without touching the bus", async () => {
    const { bus, sim } = await setup();
    expect((await rejection(bus.setText(248, "x"))).code).toBe("ERROR");
    expect((await rejection(bus.setText(1, "字".repeat(33)))).code).toBe("ERROR");
    expect(sim.attempts).toEqual([]);
  });
});
