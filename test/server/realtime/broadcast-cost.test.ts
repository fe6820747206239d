/**
 * What a broadcast costs the hub, as behaviour: a packet for many sockets is encoded once
 * (not once per socket), and the snapshot sent on subscribing is one shared picture while
 * nothing happens in the hall, a new one as soon as something does. Real hub, real
 * socket.io clients; the counts come from the hub's own Socket.IO encoder and Realtime.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Catalogue } from "../../../server/src/contract/catalogue.ts";
import type { HallSnapshot, IssuedTicket, TicketCalled } from "../../../server/src/contract/events.ts";
import { connected, type HubClient, nextEvent, startTestHub, type TestHub } from "../../helpers/hub.ts";

const SOCKETS = 12;

describe("realtime: broadcasts are encoded once, snapshots are shared", () => {
  let t: TestHub;
  let clerk: string;
  const open: HubClient[] = [];
  /** Packets the hub's Socket.IO encoder encoded, by event name. */
  const encoded = new Map<string, number>();

  async function subscribed(n: number): Promise<{ sockets: HubClient[]; snapshots: Promise<HallSnapshot>[] }> {
    const sockets: HubClient[] = [];
    const snapshots: Promise<HallSnapshot>[] = [];
    for (let i = 0; i < n; i++) {
      const s = t.socket();
      open.push(s);
      await connected(s);
      sockets.push(s);
    }
    // All at once, as the screens of a hall do when the hub comes back.
    await Promise.all(
      sockets.map((s) => {
        snapshots.push(nextEvent(s, "hall:snapshot") as Promise<HallSnapshot>);
        return s.emitWithAck("subscribe", { view: "hall" });
      }),
    );
    return { sockets, snapshots };
  }

  beforeAll(async () => {
    t = await startTestHub();
    clerk = (await t.login("zhangwei")).token;
    expect((await t.api("POST", "/api/counters/c01/sign-in", undefined, clerk)).status).toBe(200);
    const encoder = (t.hub.realtime.io.of("/").adapter as unknown as { encoder: { encode(p: unknown): unknown[] } }).encoder;
    const encode = encoder.encode.bind(encoder);
    encoder.encode = (packet: unknown) => {
      const name = (packet as { data?: unknown[] }).data?.[0];
      if (typeof name === "string") encoded.set(name, (encoded.get(name) ?? 0) + 1);
      return encode(packet);
    };
  });
  afterAll(async () => {
    for (const s of open) s.disconnect();
    await t?.close();
  });

  it(`a call reaches ${SOCKETS} screens as one encoded packet`, async () => {
    const { sockets } = await subscribed(SOCKETS);
    const issued = await t.issue<IssuedTicket>({ matterId: "m-001" });
    expect(issued.status).toBe(201);
    const before = encoded.get("ticket:called") ?? 0;
    const seen = sockets.map((s) => nextEvent(s, "ticket:called") as Promise<TicketCalled>);
    expect((await t.api("POST", "/api/counters/c01/call-next", undefined, clerk)).status).toBe(200);
    const calls = await Promise.all(seen);
    for (const c of calls) expect(c.ticket.id).toBe(issued.body.id);
    expect((encoded.get("ticket:called") ?? 0) - before).toBe(1);
    expect((await t.api("POST", "/api/counters/c01/start", undefined, clerk)).status).toBe(200);
    expect((await t.api("POST", "/api/counters/c01/finish", undefined, clerk)).status).toBe(200);
  });

  it("a counter page gets the deltas of the queues it serves, not the whole hall's", async () => {
    const cat = (await t.api<Catalogue>("GET", "/api/hall")).body;
    const matterQueue = new Map(cat.matters.map((m) => [m.id, m.queueId]));
    // A counter that does not serve every queue, a matter in a queue it serves and one in a queue it does not.
    const counter = cat.counters.find((c) => c.profile.queueIds.length < cat.queues.length) as Catalogue["counters"][number];
    const servedMatter = cat.matters.find((m) => counter.profile.queueIds.includes(m.queueId))?.id as string;
    const otherMatter = cat.matters.find((m) => !counter.profile.queueIds.includes(m.queueId))?.id as string;
    expect([counter, servedMatter, otherMatter].every(Boolean)).toBe(true);

    const page = t.socket();
    open.push(page);
    await connected(page);
    await page.emitWithAck("subscribe", { view: "counter", counterId: counter.id });
    const [screen] = (await subscribed(1)).sockets as [HubClient];
    const pageGot: string[] = [];
    page.on("ticket:issued", (tk) => pageGot.push(tk.id));
    const screenGot: string[] = [];
    screen.on("ticket:issued", (tk) => screenGot.push(tk.id));

    const other = await t.issue<IssuedTicket>({ matterId: otherMatter });
    const mine = await t.issue<IssuedTicket>({ matterId: servedMatter });
    expect(matterQueue.get(otherMatter)).not.toBe(mine.body.queueId);
    // Deltas arrive in order on a connection: once the page has the served queue's ticket,
    // the other queue's (sent before it) would have come already, had it been sent.
    for (let i = 0; i < 250 && (pageGot.length < 1 || screenGot.length < 2); i++) await new Promise((r) => setTimeout(r, 20));
    expect(screenGot).toEqual([other.body.id, mine.body.id]);
    expect(pageGot).toEqual([mine.body.id]);
  });

  it("screens subscribing while nothing happens share one snapshot; the next event makes a new one", async () => {
    const rt = t.hub.realtime;
    // Something happens first, so the burst below starts from a fresh picture.
    const first = await t.issue<IssuedTicket>({ matterId: "m-001" });
    const built = rt.snapshotsBuilt;
    const a = await subscribed(SOCKETS);
    const snaps = await Promise.all(a.snapshots);
    // One picture serves them all (a second one only if the burst outlasts the 250 ms a
    // picture may serve on a loaded machine); before, each subscription built its own.
    const burst = rt.snapshotsBuilt - built;
    expect(burst).toBeGreaterThanOrEqual(1);
    expect(burst).toBeLessThan(SOCKETS / 2);
    for (const s of snaps) expect(s.active.map((x) => x.id)).toContain(first.body.id);
    expect(new Set(snaps.map((s) => JSON.stringify(s))).size).toBeLessThanOrEqual(burst);

    // An event drops the shared picture: a screen subscribing after it sees the new ticket.
    const second = await t.issue<IssuedTicket>({ matterId: "m-001" });
    const b = await subscribed(1);
    const [late] = await Promise.all(b.snapshots);
    expect(rt.snapshotsBuilt - built).toBe(burst + 1);
    expect(late?.active.map((x) => x.id)).toEqual(expect.arrayContaining([first.body.id, second.body.id]));
  });
});
