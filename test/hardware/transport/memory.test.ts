import { describe, expect, it } from "vitest";
import { createMemoryLinkPair } from "../../../hardware/transport/memory.ts";
import { readBytes, recordStates } from "./helpers.ts";

describe("hardware/transport createMemoryLinkPair", () => {
  it("delivers what one end writes to the other, both ways, asynchronously", async () => {
    const pair = createMemoryLinkPair({ id: "m" });
    await pair.host.open();
    await pair.device.open();
    let syncDelivered = false;
    pair.device.on("data", () => {
      syncDelivered = true;
    });
    const got = readBytes(pair.device, 3, 1000);
    await pair.host.write(Buffer.from([1, 2, 3]));
    expect(syncDelivered).toBe(false);
    expect(await got).toEqual(Buffer.from([1, 2, 3]));
    const back = readBytes(pair.host, 1, 1000);
    await pair.device.write(Buffer.from([9]));
    expect(await back).toEqual(Buffer.from([9]));
  });

  it("unplug closes both ends and rejects writes; replug reopens them", async () => {
    const pair = createMemoryLinkPair({ id: "m" });
    await pair.host.open();
    await pair.device.open();
    const states = recordStates(pair.host);
    pair.unplug();
    expect(pair.host.state).toBe("closed");
    expect(pair.device.state).toBe("closed");
    await expect(pair.host.write(Buffer.from([1]))).rejects.toMatchObject({ code: "OFFLINE" });
    pair.replug();
    expect(states.map((s) => [s.state, s.detail])).toEqual([
      ["closed", "UNPLUGGED"],
      ["connecting", undefined],
      ["open", undefined],
    ]);
    const got = readBytes(pair.device, 1, 1000);
    await pair.host.write(Buffer.from([7]));
    expect(await got).toEqual(Buffer.from([7]));
  });

  it("drops bytes in flight when the cable is pulled", async () => {
    const pair = createMemoryLinkPair();
    await pair.host.open();
    await pair.device.open();
    const seen: Buffer[] = [];
    pair.device.on("data", (b: Buffer) => seen.push(b));
    await pair.host.write(Buffer.from([1]));
    pair.unplug();
    pair.replug();
    await new Promise((r) => setTimeout(r, 20));
    expect(seen).toEqual([]);
  });

  it("stays closed after close(), even on replug", async () => {
    const pair = createMemoryLinkPair();
    await pair.host.open();
    await pair.host.close();
    pair.unplug();
    pair.replug();
    expect(pair.host.state).toBe("closed");
  });

  it("can stand for a one-way (usblp-like) link", () => {
    expect(createMemoryLinkPair({ duplex: false }).host.duplex).toBe(false);
  });
});
