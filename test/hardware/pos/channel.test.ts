/**
 * The POS link layer on a hand-made link whose writes the test completes (or never does),
 * for what real ports do now and then: a write callback that never comes after the port
 * was pulled, an ACK that arrives before the write's callback.
 */
import { EventEmitter } from "node:events";
import { describe, expect, it } from "vitest";
import { PosChannel } from "../../../hardware/pos/channel.ts";
import { DeviceError, type ByteLink, type LinkState } from "../../../hardware/transport/link.ts";

class HandLink extends EventEmitter implements ByteLink {
  readonly id = "hand";
  readonly duplex = true;
  state: LinkState = "open";
  readonly writes: { bytes: Buffer; done: () => void }[] = [];
  async open(): Promise<void> {}
  async close(): Promise<void> {}
  write(data: Uint8Array): Promise<void> {
    return new Promise((resolve) => this.writes.push({ bytes: Buffer.from(data), done: resolve }));
  }
  setState(state: LinkState): void {
    this.state = state;
    this.emit("state", state, state === "open" ? undefined : "EIO");
  }
}

async function settled<T>(p: Promise<T>): Promise<{ ok: true; value: T } | { ok: false; err: unknown }> {
  return p.then(
    (value) => ({ ok: true as const, value }),
    (err: unknown) => ({ ok: false as const, err }),
  );
}

const tick = () => new Promise((r) => setImmediate(r));

describe("pos/channel", () => {
  it("does not wedge on a write whose callback never comes: the link dropping fails it OFFLINE, the next frame goes out", async () => {
    const link = new HandLink();
    const ch = new PosChannel(link, { ackTimeoutMs: 50 });
    const first = settled(ch.send("T"));
    await tick();
    expect(link.writes).toHaveLength(1);
    // The port is pulled while the write is pending; its callback never comes.
    link.setState("closed");
    const r = await first;
    expect(r.ok).toBe(false);
    expect(!r.ok && r.err instanceof DeviceError && r.err.code).toBe("OFFLINE");
    link.setState("open");
    const second = settled(ch.send("Q", Buffer.from("o-1")));
    await tick();
    expect(link.writes).toHaveLength(2);
    link.writes[1]?.done();
    link.emit("data", Buffer.from([0x06, 0x31]));
    expect(await second).toEqual({ ok: true, value: undefined });
    ch.detach();
  });

  it("takes an ACK that arrives before the write's callback", async () => {
    const link = new HandLink();
    const ch = new PosChannel(link, { ackTimeoutMs: 50 });
    const sent = settled(ch.send("T"));
    await tick();
    link.emit("data", Buffer.from([0x06, 0x30]));
    expect(await sent).toEqual({ ok: true, value: undefined });
    // The late callback changes nothing.
    link.writes[0]?.done();
    await tick();
    expect(ch.stats).toMatchObject({ sent: 1, retransmits: 0 });
    ch.detach();
  });

  it("retransmits the same bytes after NAK and gives up with BAD_FRAME when it is always NAKed", async () => {
    const link = new HandLink();
    const ch = new PosChannel(link, { ackTimeoutMs: 50, retries: 3 });
    const sent = settled(ch.send("T"));
    for (let i = 0; i < 4; i++) {
      await tick();
      link.writes[i]?.done();
      link.emit("data", Buffer.from([0x15]));
    }
    const r = await sent;
    expect(!r.ok && r.err instanceof DeviceError && r.err.code).toBe("BAD_FRAME");
    expect(new Set(link.writes.map((w) => w.bytes.toString("hex")))).toEqual(new Set([link.writes[0]?.bytes.toString("hex")]));
    expect(link.writes).toHaveLength(4);
    ch.detach();
  });
});
