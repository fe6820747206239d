import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { MAX_SUBSCRIPTIONS } from "../../../server/src/realtime/server.ts";
import { connected, startTestHub, type TestHub } from "../../helpers/hub.ts";

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe("realtime subscriptions: no snapshot amplification (issue 7.11)", () => {
  let t: TestHub;
  beforeAll(async () => {
    t = await startTestHub();
  });
  afterAll(async () => {
    await t?.close();
  });

  it("the same subscription sent 50 times gives one snapshot, and every ack is ok", async () => {
    const s = t.socket();
    await connected(s);
    let snapshots = 0;
    s.on("hall:snapshot", () => snapshots++);
    const acks = await Promise.all(Array.from({ length: 50 }, () => s.emitWithAck("subscribe", { view: "hall" })));
    for (const a of acks) expect(a).toEqual({ ok: true, data: { rooms: ["hall", "stats"] } });
    await sleep(300);
    expect(snapshots).toBe(1);
    s.disconnect();
  });

  it(`a socket holds at most ${MAX_SUBSCRIPTIONS} distinct subscriptions, then TOO_MANY_SUBSCRIPTIONS`, async () => {
    const s = t.socket();
    await connected(s);
    let snapshots = 0;
    s.on("hall:snapshot", () => snapshots++);
    for (let i = 0; i < MAX_SUBSCRIPTIONS; i++)
      expect(await s.emitWithAck("subscribe", { view: "zone", zoneId: `z${i}` })).toMatchObject({ ok: true });
    const over = await s.emitWithAck("subscribe", { view: "zone", zoneId: "one-too-many" });
    expect(over).toEqual({ ok: false, error: "TOO_MANY_SUBSCRIPTIONS", message: expect.any(String) });
    // Repeating one it already holds is still fine.
    expect(await s.emitWithAck("subscribe", { view: "zone", zoneId: "z0" })).toMatchObject({ ok: true });
    await sleep(300);
    expect(snapshots).toBe(MAX_SUBSCRIPTIONS);
    s.disconnect();
  });
});
