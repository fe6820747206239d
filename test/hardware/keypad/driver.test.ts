import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { type InputDeviceStatus, type KeyEvent, KeypadBus, type RatingEvent } from "../../../hardware/keypad/driver.ts";
import { encodeFrame } from "../../../hardware/keypad/protocol.ts";
import { KeypadSimulator } from "../../../hardware/keypad/simulator.ts";
import { DeviceError } from "../../../hardware/transport/link.ts";
import { LINK_ENVS, type LinkEnv, collect, sleep, waitFor } from "./links.ts";

for (const [envName, makeEnv] of LINK_ENVS) {
  describe(`keypad/driver KeypadBus over ${envName}`, () => {
    let env: LinkEnv;
    let bus: KeypadBus;
    let sim: KeypadSimulator;
    let keys: KeyEvent[];
    let ratings: RatingEvent[];

    beforeEach(async () => {
      env = await makeEnv();
      // repeatWindowMs 0: tests press the same key on purpose; the window has its own test.
      bus = new KeypadBus(env.host, { repeatWindowMs: 0 });
      sim = new KeypadSimulator(env.device);
      keys = collect(bus, "key");
      ratings = collect(bus, "rating");
    });

    afterEach(async () => {
      bus.detach();
      sim.detach();
      await env.dispose();
    });

    it("emits keys from several addresses sharing the bus", async () => {
      await sim.press(3, "call");
      await sim.press(7, "no_show");
      await sim.press(3, "transfer");
      await waitFor(() => keys.length === 3, 3000, "three keys");
      expect(keys).toEqual([
        { address: 3, key: "call" },
        { address: 7, key: "no_show" },
        { address: 3, key: "transfer" },
      ]);
    });

    it("emits ratings with their score", async () => {
      await sim.rate(12, 5);
      await sim.rate(12, 1);
      await waitFor(() => ratings.length === 2, 3000, "two ratings");
      expect(ratings).toEqual([
        { address: 12, score: 5 },
        { address: 12, score: 1 },
      ]);
    });

    it("acknowledges each key by echoing address and command", async () => {
      await sim.press(4, "recall");
      await waitFor(() => sim.acks.length === 1, 3000, "ack");
      expect(sim.acks[0]).toEqual({ address: 4, cmd: 0x0d, data: Buffer.alloc(0) });
    });

    it("shows Chinese text on the addressed keypad", async () => {
      await bus.showText(5, "请A0012号");
      await bus.showText(6, "暂停服务");
      await waitFor(() => sim.texts.length === 2, 3000, "texts");
      expect(sim.lastText(5)).toBe("请A0012号");
      expect(sim.lastText(6)).toBe("暂停服务");
    });

    it("asks the rating device to prompt", async () => {
      await bus.requestRating(21);
      await waitFor(() => sim.ratingRequests.length === 1, 3000, "rating request");
      expect(sim.ratingRequests).toEqual([21]);
    });

    it("survives garbage and a corrupted frame, then decodes the next key", async () => {
      await sim.sendGarbage();
      await sim.sendRaw(Buffer.from([0xff, 0x68, 0x02, 0x02, 0x68, 0x03, 0x0c, 0x55, 0x16]));
      await sim.press(3, "pause");
      await waitFor(() => keys.length === 1, 3000, "key after garbage");
      expect(keys).toEqual([{ address: 3, key: "pause" }]);
      expect(bus.stats.badChecksum).toBe(1);
      expect(bus.stats.garbageBytes).toBeGreaterThan(0);
    });

    it("reassembles a key sent one byte at a time", async () => {
      for (const b of encodeFrame(9, 0x0f, [0x03])) {
        await sim.sendRaw(Buffer.from([b]));
        await sleep(2);
      }
      await waitFor(() => keys.length === 1, 3000, "split key");
      expect(keys).toEqual([{ address: 9, key: "call_back" }]);
    });

    if (canUnplug(envName)) {
      it("reports unplug and replug, rejects writes while down, and resumes", async () => {
        const statuses = collect<InputDeviceStatus>(bus, "status");
        await env.unplug?.();
        await waitFor(() => statuses.some((s) => s.health === "offline"), 3000, "offline status");
        expect(bus.status.health).toBe("offline");
        await expect(bus.showText(1, "x")).rejects.toBeInstanceOf(DeviceError);
        await env.replug?.();
        await waitFor(() => bus.status.health === "online", 5000, "online again");
        expect(statuses.at(-1)).toEqual({ health: "online" });
        await sim.press(2, "call");
        await waitFor(() => keys.length === 1, 3000, "key after replug");
        expect(keys).toEqual([{ address: 2, key: "call" }]);
      });
    }
  });
}

function canUnplug(envName: string): boolean {
  return envName !== "serialport MockBinding";
}

describe("keypad/driver repeats and echoes", () => {
  it("drops a resend of the same key within the repeat window, keeps it after", async () => {
    const env = LINK_ENVS[0];
    if (!env) throw new Error("no memory env");
    const { host, device, dispose } = await env[1]();
    let now = 1000;
    const bus = new KeypadBus(host, { repeatWindowMs: 300, now: () => now });
    const sim = new KeypadSimulator(device);
    const keys = collect<KeyEvent>(bus, "key");
    await sim.press(3, "call");
    await waitFor(() => keys.length === 1, 3000, "first key");
    now += 100;
    await sim.press(3, "call");
    await sim.press(4, "call");
    await waitFor(() => keys.length === 2, 3000, "other address");
    now += 400;
    await sim.press(3, "call");
    await waitFor(() => keys.length === 3, 3000, "after window");
    expect(keys.map((k) => k.address)).toEqual([3, 4, 3]);
    bus.detach();
    await dispose();
  });

  it("ignores its own rating prompt heard back on an echoing adapter", async () => {
    const env = LINK_ENVS[0];
    if (!env) throw new Error("no memory env");
    const { host, device, dispose } = await env[1]();
    const bus = new KeypadBus(host, { repeatWindowMs: 0 });
    const keys = collect<KeyEvent>(bus, "key");
    // The device end plays an echoing RS-485 adapter: it sends back whatever the hub wrote.
    device.on("data", (chunk: Buffer) => void device.write(chunk));
    await bus.requestRating(8);
    await sleep(50);
    const sim = new KeypadSimulator(device);
    await sim.press(8, "recall");
    await waitFor(() => keys.length >= 1, 3000, "recall");
    await sleep(30);
    expect(keys).toEqual([{ address: 8, key: "recall" }]);
    bus.detach();
    await dispose();
  });
});
