import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import type { Catalogue } from "../../../server/src/contract/catalogue.ts";
import { ERROR_CODES } from "../../../server/src/contract/errors.ts";
import type { HallSnapshot, IssuedTicket, TicketCalled, TicketProgress } from "../../../server/src/contract/events.ts";
import type { LiveStats } from "../../../server/src/contract/stats.ts";
import type { Ticket } from "../../../server/src/contract/tickets.ts";
import { connected, fingerprint, type HubClient, nextEvent, startTestHub, type TestHub } from "../../helpers/hub.ts";

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Record every event of the given names a socket receives, in order. */
function record(s: HubClient, names: string[]): { name: string; payload: unknown }[] {
  const got: { name: string; payload: unknown }[] = [];
  s.onAny((name: string, payload: unknown) => {
    if (names.includes(name)) got.push({ name, payload });
  });
  return got;
}

describe("realtime (socket.io)", () => {
  let t: TestHub;
  let clerk: string;
  const open: HubClient[] = [];

  /** A connected socket, disconnected after the test. */
  async function client(token?: string): Promise<HubClient> {
    const s = t.socket(token ? { token } : {});
    open.push(s);
    await connected(s);
    return s;
  }

  const issue = async (matterId = "m-001"): Promise<IssuedTicket> => {
    const r = await t.issue<IssuedTicket>({ matterId });
    expect(r.status).toBe(201);
    return r.body;
  };
  /** Call everything waiting at c01 so each test starts from empty lines. */
  const drain = async () => {
    for (let i = 0; i < 50; i++) {
      // A called visitor is started first: call-next never closes a called ticket.
      await t.api("POST", "/api/counters/c01/start", undefined, clerk);
      if ((await t.api("POST", "/api/counters/c01/call-next", undefined, clerk)).status === 204) break;
    }
    await t.api("POST", "/api/counters/c01/finish", undefined, clerk);
  };

  beforeAll(async () => {
    t = await startTestHub();
    clerk = (await t.login("zhangwei")).token;
    expect((await t.api("POST", "/api/counters/c01/sign-in", undefined, clerk)).status).toBe(200);
  });
  afterEach(async () => {
    for (const s of open.splice(0)) s.disconnect();
    await drain();
  });
  afterAll(async () => {
    await t?.close();
  });

  it("subscribe {view:'hall'} acks the rooms and sends the snapshot", async () => {
    const s = await client();
    const snap = nextEvent(s, "hall:snapshot");
    const ack = await s.emitWithAck("subscribe", { view: "hall" });
    expect(ack).toEqual({ ok: true, data: { rooms: ["hall", "stats"] } });
    const body = (await snap) as HallSnapshot;
    const rest = (await t.api<HallSnapshot>("GET", "/api/state")).body;
    expect(body.day).toBe(rest.day);
    expect(body.counters).toEqual(rest.counters);
    // The catalogue is named by its version, not sent: GET /api/hall serves that version.
    expect(body).not.toHaveProperty("catalogue");
    expect(body.catalogueVersion).toBe((await t.api<Catalogue>("GET", "/api/hall")).body.version);
    expect(body.catalogueVersion).toMatch(/^[\w-]{16}$/);
    expect(body.voice).toBe(true);
    expect(s.recovered).toBe(false);
  });

  it("other views join their own rooms too", async () => {
    const s = await client();
    // A counter page: its counter's room and the rooms of the queues it serves (its deltas).
    const served = (await t.api<Catalogue>("GET", "/api/hall")).body.counters.find((c) => c.id === "c01")?.profile.queueIds;
    expect(served?.length).toBeGreaterThan(0);
    expect(await s.emitWithAck("subscribe", { view: "counter", counterId: "c01" })).toEqual({
      ok: true,
      data: { rooms: ["hall", "counter:c01", ...(served ?? []).map((q) => `queue:${q}`)] },
    });
    expect(await s.emitWithAck("subscribe", { view: "zone", zoneId: "z1" })).toEqual({
      ok: true,
      data: { rooms: ["hall", "stats"] },
    });
    expect(await s.emitWithAck("subscribe", { view: "screen", screenId: "c01" })).toEqual({
      ok: true,
      data: { rooms: ["hall", "stats", "screen:c01"] },
    });
    // A kiosk's own room is for that paired kiosk only (it carries ID card readings).
    const kiosk = t.socket({ deviceToken: await t.deviceToken("kiosk", "k1") });
    open.push(kiosk);
    await connected(kiosk);
    expect(await kiosk.emitWithAck("subscribe", { view: "screen", screenId: "kiosk-k1" })).toEqual({
      ok: true,
      data: { rooms: ["hall", "stats", "screen:kiosk-k1"] },
    });
  });

  it("a bad subscription is refused with VALIDATION_FAILED", async () => {
    const s = await client();
    for (const bad of [
      { view: "everything" },
      { view: "counter" },
      { view: "hall", extra: 1 },
      { view: "ticket", ticketId: "" },
      "hall",
      null,
    ]) {
      const ack = await s.emitWithAck("subscribe", bad as never);
      expect(ack).toEqual({ ok: false, error: "VALIDATION_FAILED", message: expect.any(String) });
    }
  });

  it("sends per-item deltas: issued, called (with audio), updated, counter, stats", async () => {
    const s = await client();
    await s.emitWithAck("subscribe", { view: "hall" });
    const issuedEv = nextEvent(s, "ticket:issued");
    const a = await issue();
    expect(await issuedEv).toEqual({ ...a, phoneUrl: undefined, print: undefined, holderKey: undefined } as never);

    const calledEv = nextEvent(s, "ticket:called", (e) => e.ticket.id === a.id);
    const called = await t.api<Ticket>("POST", "/api/counters/c01/call-next", undefined, clerk);
    expect(called.body.id).toBe(a.id);
    const ev = (await calledEv) as TicketCalled;
    expect(ev.ticket).toMatchObject({ id: a.id, number: a.number, status: "called", counterId: "c01" });
    expect(ev.call).toMatchObject({
      ticketId: a.id,
      number: a.number,
      counterId: "c01",
      counterNumber: 1,
      zoneId: "z1",
      recall: 0,
    });
    expect(ev.audioUrl).toMatch(/^\/api\/voice\/[0-9a-f]{32}\.wav$/);
    // The counter's new state rides along: one broadcast per call.
    expect(ev.counter).toMatchObject({ id: "c01", status: "calling", currentTicketId: a.id });

    // The announcement is a real WAV (espeak-ng is installed here and in CI).
    const wav = await fetch(`${t.url}${ev.audioUrl}`);
    expect(wav.status).toBe(200);
    expect(wav.headers.get("content-type")).toContain("audio/wav");
    const bytes = Buffer.from(await wav.arrayBuffer());
    expect(bytes.subarray(0, 4).toString("ascii")).toBe("RIFF");
    expect(bytes.subarray(8, 12).toString("ascii")).toBe("WAVE");
    expect(bytes.length).toBeGreaterThan(4000);

    const recallEv = nextEvent(s, "ticket:called", (e) => e.ticket.id === a.id && e.call.recall === 1);
    await t.api("POST", "/api/counters/c01/recall", undefined, clerk);
    expect((await recallEv).ticket.recalls).toBe(1);

    const updated = nextEvent(s, "ticket:updated", (x) => x.id === a.id && x.status === "serving");
    const serving = nextEvent(s, "counter:updated", (c) => c.id === "c01" && c.status === "serving");
    await t.api("POST", "/api/counters/c01/start", undefined, clerk);
    await updated;
    await serving;

    const done = nextEvent(s, "ticket:updated", (x) => x.id === a.id && x.status === "done");
    const idle = nextEvent(s, "counter:updated", (c) => c.id === "c01" && c.status === "idle" && c.servedToday >= 1);
    await t.api("POST", "/api/counters/c01/finish", { outcome: "completed" }, clerk);
    await done;
    await idle;
  });

  it("stats:live follows a change within 1 s", async () => {
    const s = await client();
    await s.emitWithAck("subscribe", { view: "hall" });
    await sleep(300); // let any earlier stats burst pass
    const issued = (await t.api<LiveStats>("GET", "/api/stats/live")).body.issued;
    const ev = nextEvent(s, "stats:live", (x) => x.issued === issued + 1, 1000);
    const started = Date.now();
    await issue();
    const stats = (await ev) as LiveStats;
    expect(Date.now() - started).toBeLessThan(1000);
    expect(stats.waiting).toBeGreaterThanOrEqual(1);
    expect(stats.queues.find((q) => q.queueId === "q-a")?.waiting).toBeGreaterThanOrEqual(1);
  });

  it("a {view:'ticket'} subscriber gets ticket:progress (no snapshot, no hall deltas) as people ahead are called", async () => {
    const ahead1 = await issue();
    const ahead2 = await issue();
    const mine = await issue();
    expect(mine.position).toBe(2);
    const s = await client();
    const got = record(s, ["hall:snapshot", "ticket:issued", "ticket:called", "ticket:progress"]);
    const first = nextEvent(s, "ticket:progress");
    expect(await s.emitWithAck("subscribe", { view: "ticket", ticketId: mine.id })).toEqual({
      ok: true,
      data: { rooms: [`ticket:${mine.id}`] },
    });
    expect((await first).ticket).toMatchObject({ id: mine.id, status: "waiting", position: 2 });

    let moved = nextEvent(s, "ticket:progress", (p) => p.ticket.position === 1);
    expect((await t.api<Ticket>("POST", "/api/counters/c01/call-next", undefined, clerk)).body.id).toBe(ahead1.id);
    const p1 = (await moved) as TicketProgress;
    expect(p1.ticket).toMatchObject({ id: mine.id, status: "waiting", position: 1 });
    expect(p1.call).toBeUndefined();

    moved = nextEvent(s, "ticket:progress", (p) => p.ticket.position === 0 && p.ticket.status === "waiting");
    await t.api("POST", "/api/counters/c01/start", undefined, clerk);
    expect((await t.api<Ticket>("POST", "/api/counters/c01/call-next", undefined, clerk)).body.id).toBe(ahead2.id);
    await moved;

    const mineCalled = nextEvent(s, "ticket:progress", (p) => p.ticket.status === "called");
    await t.api("POST", "/api/counters/c01/start", undefined, clerk);
    await t.api("POST", "/api/counters/c01/call-next", undefined, clerk);
    const p3 = (await mineCalled) as TicketProgress;
    expect(p3.call).toMatchObject({ ticketId: mine.id, counterId: "c01", counterNumber: 1 });

    await issue(); // a hall delta the phone page must not get
    await sleep(200);
    expect(got.filter((g) => g.name !== "ticket:progress")).toEqual([]);
    for (const g of got) expect((g.payload as TicketProgress).ticket.id).toBe(mine.id);
    // Public view only on the phone.
    expect(p3.ticket).not.toHaveProperty("staffId");
    expect(p3.ticket).not.toHaveProperty("notes");
  });

  describe("counter:command", () => {
    it("runs a command for the token's owner and acks the ticket and the counter", async () => {
      const a = await issue();
      const s = await client(clerk);
      await s.emitWithAck("subscribe", { view: "counter", counterId: "c01" });
      const calledEv = nextEvent(s, "ticket:called", (e) => e.ticket.id === a.id);
      const r = await s.emitWithAck("counter:command", { type: "call-next", counterId: "c01" });
      expect(r.ok).toBe(true);
      if (!r.ok) return;
      expect(r.data.ticket).toMatchObject({ id: a.id, status: "called", counterId: "c01" });
      expect(r.data.counter).toMatchObject({ id: "c01", status: "calling", currentTicketId: a.id });
      await calledEv;
      const st = await s.emitWithAck("counter:command", { type: "start", counterId: "c01" });
      expect(st).toMatchObject({ ok: true, data: { ticket: { id: a.id, status: "serving" }, counter: { status: "serving" } } });
      const fin = await s.emitWithAck("counter:command", { type: "finish", counterId: "c01", outcome: "referred" });
      expect(fin).toMatchObject({
        ok: true,
        data: { ticket: { id: a.id, status: "done", outcome: "referred" }, counter: { status: "idle" } },
      });
      const empty = await s.emitWithAck("counter:command", { type: "call-next", counterId: "c01" });
      expect(empty).toMatchObject({ ok: true, data: { ticket: null, counter: { status: "idle" } } });
      const p = await s.emitWithAck("counter:command", { type: "pause", counterId: "c01", reason: "午休" });
      expect(p).toMatchObject({ ok: true, data: { ticket: null, counter: { status: "paused", pauseReason: "午休" } } });
      const res = await s.emitWithAck("counter:command", { type: "resume", counterId: "c01" });
      expect(res).toMatchObject({ ok: true, data: { counter: { status: "idle" } } });
    });

    it("refuses with closed error codes and changes nothing", async () => {
      await issue(); // someone waiting, so a wrongly accepted call-next would show
      const other = (await t.login("lina")).token;
      expect((await t.api("POST", "/api/counters/c02/sign-in", undefined, other)).status).toBe(200);
      const anon = await client();
      const bad = await client("forged.token");
      const mine = await client(clerk);
      const cases: [HubClient, unknown, string][] = [
        [anon, { type: "call-next", counterId: "c01" }, "UNAUTHENTICATED"],
        [bad, { type: "call-next", counterId: "c01" }, "UNAUTHENTICATED"],
        [mine, { type: "fly", counterId: "c01" }, "VALIDATION_FAILED"],
        [mine, { type: "call-next" }, "VALIDATION_FAILED"],
        [mine, { type: "call-next", counterId: "c01", extra: true }, "VALIDATION_FAILED"],
        [mine, { type: "pause", counterId: "c01" }, "VALIDATION_FAILED"],
        [mine, { type: "finish", counterId: "c01", outcome: "great" }, "VALIDATION_FAILED"],
        [mine, { type: "call", counterId: "c01" }, "VALIDATION_FAILED"],
        [mine, "call-next", "VALIDATION_FAILED"],
        [mine, null, "VALIDATION_FAILED"],
        [mine, { type: "recall", counterId: "c01" }, "NO_CURRENT_TICKET"],
        [mine, { type: "resume", counterId: "c01" }, "COUNTER_NOT_PAUSED"],
        [mine, { type: "call-next", counterId: "c02" }, "FORBIDDEN"],
        [mine, { type: "call-next", counterId: "c03" }, "COUNTER_CLOSED"],
        [mine, { type: "call-next", counterId: "c99" }, "UNKNOWN_COUNTER"],
        [mine, { type: "call", counterId: "c01", ticketId: "nope" }, "UNKNOWN_TICKET"],
      ];
      for (const [s, payload, code] of cases) {
        const before = await fingerprint(t);
        const ack = (await s.emitWithAck("counter:command", payload as never)) as unknown as Record<string, unknown>;
        expect({ payload, ack }).toEqual({ payload, ack: { ok: false, error: code, message: expect.any(String) } });
        expect(ERROR_CODES).toContain(ack.error);
        expect(await fingerprint(t), JSON.stringify(payload)).toEqual(before);
      }
      await t.api("POST", "/api/counters/c02/sign-out", undefined, other);
    });

    it("a token that has expired no longer works over the socket", async () => {
      const s = await client(clerk);
      expect(await s.emitWithAck("counter:command", { type: "resume", counterId: "c01" })).toMatchObject({
        ok: false,
        error: "COUNTER_NOT_PAUSED",
      });
      // The token is checked at the handshake; a socket that connects after expiry is anonymous.
      t.advance(12 * 3600_000 + 60_000);
      try {
        const late = await client(clerk);
        expect(await late.emitWithAck("counter:command", { type: "call-next", counterId: "c01" })).toMatchObject({
          ok: false,
          error: "UNAUTHENTICATED",
        });
      } finally {
        t.advance(-(12 * 3600_000 + 60_000));
      }
    });
  });

  it("connection state recovery: a blink replays the missed ticket:issued instead of a new snapshot", async () => {
    const s = await client();
    const snap = nextEvent(s, "hall:snapshot");
    await s.emitWithAck("subscribe", { view: "hall" });
    await snap;
    // Connection state recovery needs one packet with an offset before the blink.
    const warm = nextEvent(s, "ticket:issued");
    await issue();
    await warm;

    const got = record(s, ["hall:snapshot", "ticket:issued"]);
    s.io.reconnection(false);
    const down = new Promise<string>((r) => s.once("disconnect", (reason) => r(reason)));
    s.io.engine.close();
    expect(["forced close", "transport close"]).toContain(await down);
    expect(s.connected).toBe(false);

    const missed = await issue("m-002");
    s.io.reconnection(true);
    const up = new Promise<void>((r) => s.once("connect", () => r()));
    s.connect();
    await up;
    expect(s.recovered).toBe(true);
    // The missed event may arrive with the reconnection itself: look in the record.
    for (let i = 0; i < 50 && !got.some((g) => (g.payload as { id: string }).id === missed.id); i++) await sleep(20);
    // Live deltas keep flowing to the recovered socket's rooms without subscribing again.
    const after = nextEvent(s, "ticket:issued");
    const next = await issue("m-003");
    expect((await after).id).toBe(next.id);
    await sleep(100);
    expect(got.map((g) => g.name)).toEqual(["ticket:issued", "ticket:issued"]);
    expect(got.map((g) => (g.payload as { id: string }).id)).toEqual([missed.id, next.id]);
  });
});
