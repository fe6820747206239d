import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Catalogue } from "../../../server/src/contract/catalogue.ts";
import type { HallSnapshot, IssuedTicket } from "../../../server/src/contract/events.ts";
import type { DaySummary, LiveStats } from "../../../server/src/contract/stats.ts";
import type { PublicTicket, Ticket } from "../../../server/src/contract/tickets.ts";
import { holderHeader, readIdCard, startTestHub, type TestHub } from "../../helpers/hub.ts";

/** Exactly the fields the phone page may see (contract/tickets.ts PublicTicket). */
const PUBLIC_KEYS = new Set([
  "id",
  "number",
  "queueId",
  "matterId",
  "priority",
  "status",
  "issuedAt",
  "calledAt",
  "counterId",
  "recalls",
  "position",
  "estimatedWaitSec",
  "estimateRange",
]);
const PERSONAL = [
  "idMasked",
  "staffId",
  "notes",
  "idHash",
  "source",
  "outcome",
  "rating",
  "targetCounterId",
  "arrivalAt",
  "seq",
  "day",
];

function expectPublicOnly(o: object): void {
  for (const k of Object.keys(o))
    expect(PUBLIC_KEYS.has(k) || k === "call" || k === "phoneUrl" || k === "print" || k === "holderKey", `field ${k}`).toBe(true);
  for (const k of PERSONAL) expect(o).not.toHaveProperty(k);
}

function printedCount(t: TestHub, kiosk: string): number {
  return t.hub.devices.simulators(`printer-${kiosk}`)?.printerSim?.tickets.length ?? -1;
}

/** The simulated printer parses the bytes a moment after the write resolves: wait until it
 * holds at least `atLeast` tickets (bounded), then a little longer so that an extra,
 * unwanted ticket would show up too. Returns the settled count. */
async function printedSettled(t: TestHub, kiosk: string, atLeast: number): Promise<number> {
  for (let i = 0; i < 100 && printedCount(t, kiosk) < atLeast; i++) await new Promise((r) => setTimeout(r, 20));
  await new Promise((r) => setTimeout(r, 150));
  return printedCount(t, kiosk);
}

function lastPrinted(t: TestHub, kiosk: string): string {
  return t.hub.devices.simulators(`printer-${kiosk}`)?.printerSim?.tickets.at(-1)?.lines.join("\n") ?? "";
}

describe("http public routes (kiosk, phone, screens)", () => {
  let t: TestHub;
  let clerk: string;

  beforeAll(async () => {
    t = await startTestHub();
    clerk = (await t.login("zhangwei")).token;
    expect((await t.api("POST", "/api/counters/c01/sign-in", undefined, clerk)).status).toBe(200);
  });
  afterAll(async () => {
    await t?.close();
  });

  /** Call the next ticket at c01 (the all-service window) and return it. */
  async function callNext(): Promise<Ticket> {
    // A visitor still only called is started first: call-next never closes a called ticket.
    await t.api("POST", "/api/counters/c01/start", undefined, clerk);
    const r = await t.api<Ticket>("POST", "/api/counters/c01/call-next", undefined, clerk);
    expect(r.status).toBe(200);
    return r.body;
  }

  it("GET /api/health reports the day, the journal length, devices and voice", async () => {
    const r = await t.api("GET", "/api/health");
    expect(r.status).toBe(200);
    expect(r.body).toMatchObject({ ok: true, devices: { online: 174, total: 174 }, voice: true });
    expect(r.body.day).toMatch(/^\d{4}-\d{2}-\d{2}$/);
    expect(r.body.day).toBe(t.hub.hall.day);
    expect(typeof r.body.events).toBe("number");
    expect(r.body.uptimeSec).toBeGreaterThanOrEqual(0);
  });

  it("GET /api/hall returns the demo catalogue with pinyin initials on every matter", async () => {
    const r = await t.api<Catalogue>("GET", "/api/hall");
    expect(r.status).toBe(200);
    expect(r.body.zones).toHaveLength(7);
    expect(r.body.matters).toHaveLength(108);
    expect(r.body.queues).toHaveLength(12);
    expect(r.body.counters).toHaveLength(45);
    for (const m of r.body.matters) expect(m.initials, m.id).toMatch(/^[a-z]+$/);
    // 企业设立登记 → q y s l d j
    expect(r.body.matters.find((m) => m.id === "m-001")?.initials).toBe("qysldj");
  });

  it("GET /api/state returns the snapshot a screen draws from", async () => {
    const r = await t.api<HallSnapshot>("GET", "/api/state");
    expect(r.status).toBe(200);
    expect(Object.keys(r.body).sort()).toEqual([
      "active",
      "catalogueVersion",
      "counters",
      "day",
      "devices",
      "recentCalls",
      "stats",
      "voice",
    ]);
    expect(r.body.day).toBe(t.hub.hall.day);
    expect(r.body.counters).toHaveLength(45);
    expect(r.body.counters.find((c) => c.id === "c01")).toMatchObject({ status: "idle", staffName: "张伟" });
    // 160, and the 3 统一出证 windows' ID reader, scanner and label printer (issue 11), and terminal t1's ID reader, scanner, A4 printer card POS and receipt printer (issue 12).
    expect(r.body.devices).toHaveLength(174);
    expect(r.body.voice).toBe(true);
    expect(r.body.catalogueVersion).toBe((await t.api<Catalogue>("GET", "/api/hall")).body.version);
  });

  it("POST /api/tickets issues a numbered ticket, prints it at kiosk k1 and shows up in the state", async () => {
    const printed = printedCount(t, "k1");
    const before = (await t.api<HallSnapshot>("GET", "/api/state")).body;
    const r = await t.issue<IssuedTicket>({ matterId: "m-001", kioskId: "k1" });
    expect(r.status).toBe(201);
    expect(r.body).toMatchObject({ queueId: "q-a", matterId: "m-001", status: "waiting", priority: "normal", recalls: 0 });
    expect(r.body.id).toMatch(/^\S+$/);
    expect(r.body.number).toMatch(/^A\d{3}$/);
    expect(r.body.position).toBe(before.active.filter((a) => a.queueId === "q-a" && a.status === "waiting").length);
    expect(Number.isInteger(r.body.estimatedWaitSec) && r.body.estimatedWaitSec >= 0).toBe(true);
    const { phoneUrl: _u, print: _p, holderKey: _k, ...view } = r.body;
    expect((await t.api("GET", `/api/tickets/${r.body.id}`)).body).toEqual(view);
    expect(r.body.phoneUrl).toBe(`${t.url}/m/${r.body.id}#k=${r.body.holderKey}`);
    expect(r.body.print).toEqual({ status: "printed", printerId: "printer-k1" });
    expectPublicOnly(r.body);
    expect(await printedSettled(t, "k1", printed + 1)).toBe(printed + 1);
    expect(lastPrinted(t, "k1")).toContain(r.body.number);

    const after = (await t.api<HallSnapshot>("GET", "/api/state")).body;
    expect(after.stats.issued).toBe(before.stats.issued + 1);
    expect(after.active.map((a) => a.id)).toContain(r.body.id);
  });

  it("numbers follow each other within a queue and the line position grows", async () => {
    const a = await t.issue<IssuedTicket>({ matterId: "m-062" });
    const b = await t.issue<IssuedTicket>({ matterId: "m-063", lang: "en" });
    expect([a.status, b.status]).toEqual([201, 201]);
    expect(a.body.queueId).toBe("q-d");
    expect(Number(b.body.number.slice(1))).toBe(Number(a.body.number.slice(1)) + 1);
    expect(b.body.position).toBe(a.body.position + 1);
    // No kiosk, no printer.
    expect(a.body.print).toEqual({ status: "none" });
  });

  it("a green-channel ticket granted by staff is issued with its priority", async () => {
    const r = await t.issue<IssuedTicket>({ matterId: "m-001", priority: "green", kioskId: "k2" }, await t.adminToken());
    expect(r.status).toBe(201);
    expect(r.body.priority).toBe("green");
    expect(r.body.print.status).toBe("printed");
  });

  it("a printer out of paper fails the print but never the ticket, and a reprint works after refill", async () => {
    const admin = await t.adminToken();
    const s = await t.api("POST", "/api/devices/printer-k3/simulate", { fault: "paper_out" }, admin);
    expect(s.status).toBe(200);
    const printed = printedCount(t, "k3");
    const r = await t.issue<IssuedTicket>({ matterId: "m-001", kioskId: "k3" });
    expect(r.status).toBe(201);
    expect(r.body.print).toMatchObject({ status: "failed", printerId: "printer-k3", error: "PAPER_OUT" });
    expect(await printedSettled(t, "k3", printed)).toBe(printed);
    expect((await t.api("GET", `/api/tickets/${r.body.id}`)).body.status).toBe("waiting");

    expect((await t.api("POST", "/api/devices/printer-k3/simulate", { fault: "ok" }, admin)).status).toBe(200);
    const again = await t.api(
      "POST",
      `/api/tickets/${r.body.id}/reprint`,
      { kioskId: "k3", requestId: "refill-1" },
      undefined,
      holderHeader(r.body.holderKey),
    );
    expect(again.status).toBe(200);
    expect(again.body.print).toEqual({ status: "printed", printerId: "printer-k3" });
    expect(await printedSettled(t, "k3", printed + 1)).toBe(printed + 1);
    expect(lastPrinted(t, "k3")).toContain(r.body.number);
  });

  it("GET /api/tickets/:id gives the public view only, even for a ticket issued by ID card", async () => {
    const read = await readIdCard(t, "k1", "371426199001011234");
    expect(read.masked).toBe("3714**********1234");
    expect(read.name).toBe("王**");

    const r = await t.issue<IssuedTicket>({ matterId: "m-062", kioskId: "k1", idToken: read.idToken });
    expect(r.status).toBe(201);
    expectPublicOnly(r.body);
    expect(JSON.stringify(r.body)).not.toContain("1234");
    // The hub does keep the masked number for staff.
    expect(t.hub.hall.ticket(r.body.id)?.idMasked).toBe("3714**********1234");

    const g = await t.api<PublicTicket>("GET", `/api/tickets/${r.body.id}`);
    expect(g.status).toBe(200);
    expectPublicOnly(g.body);
    expect(g.body).toMatchObject({ id: r.body.id, number: r.body.number, status: "waiting", position: r.body.position });

    // Served tickets stay free of personal fields (staffId, notes, outcome, rating).
    // c01 serves every queue: call until it is ours (a handful of tickets are ahead).
    let calledId = "";
    for (let i = 0; i < 20 && calledId !== r.body.id; i++) calledId = (await callNext()).id;
    expect(calledId).toBe(r.body.id);
    const called = await t.api("GET", `/api/tickets/${r.body.id}`);
    expect(called.body.status).toBe("called");
    expect(called.body.call).toMatchObject({ ticketId: r.body.id, counterId: "c01", counterNumber: 1, number: r.body.number });
    expectPublicOnly(called.body);
    await t.api("POST", "/api/counters/c01/finish", { outcome: "completed" }, clerk);
    await t.api("POST", `/api/tickets/${r.body.id}/rating`, { score: 4 }, undefined, holderHeader(r.body.holderKey));
    const done = await t.api("GET", `/api/tickets/${r.body.id}`);
    expect(done.body.status).toBe("done");
    expectPublicOnly(done.body);
  });

  it("reprint with the same requestId twice prints once; a new requestId prints again", async () => {
    const r = await t.issue<IssuedTicket>({ matterId: "m-041", kioskId: "k1" });
    const key = holderHeader(r.body.holderKey);
    const n = await printedSettled(t, "k1", 1);
    const a = await t.api("POST", `/api/tickets/${r.body.id}/reprint`, { kioskId: "k1", requestId: "req-7" }, undefined, key);
    const b = await t.api("POST", `/api/tickets/${r.body.id}/reprint`, { kioskId: "k1", requestId: "req-7" }, undefined, key);
    expect([a.status, b.status]).toEqual([200, 200]);
    expect(a.body).toEqual({ print: { status: "printed", printerId: "printer-k1" } });
    expect(b.body).toEqual({ print: { status: "printed", printerId: "printer-k1" } });
    expect(await printedSettled(t, "k1", n + 1)).toBe(n + 1);
    expect(lastPrinted(t, "k1")).toContain(r.body.number);
    const c = await t.api(
      "POST",
      `/api/tickets/${r.body.id}/reprint`,
      { kioskId: "k1", requestId: "req-8", lang: "en" },
      undefined,
      key,
    );
    expect(c.status).toBe(200);
    expect(await printedSettled(t, "k1", n + 2)).toBe(n + 2);
    // A kiosk without a printer: nothing to print on.
    const none = await t.api("POST", `/api/tickets/${r.body.id}/reprint`, { kioskId: "k-none", requestId: "x" }, undefined, key);
    expect(none.body).toEqual({ print: { status: "none" } });
  });

  it("cancel gives the ticket up and takes it out of the line", async () => {
    const r = await t.issue<IssuedTicket>({ matterId: "m-090" });
    expect(r.status).toBe(201);
    const c = await t.api<PublicTicket>(
      "POST",
      `/api/tickets/${r.body.id}/cancel`,
      undefined,
      undefined,
      holderHeader(r.body.holderKey),
    );
    expect(c.status).toBe(200);
    expect(c.body).toMatchObject({ id: r.body.id, status: "cancelled", position: 0, estimatedWaitSec: 0 });
    expectPublicOnly(c.body);
    const s = (await t.api<HallSnapshot>("GET", "/api/state")).body;
    expect(s.active.map((a) => a.id)).not.toContain(r.body.id);
  });

  it("a no-show ticket can be reactivated by the visitor and waits again", async () => {
    // Drain c01's lines so the next call is ours.
    for (let i = 0; i < 30; i++) {
      await t.api("POST", "/api/counters/c01/start", undefined, clerk);
      if ((await t.api("POST", "/api/counters/c01/call-next", undefined, clerk)).status === 204) break;
    }
    const r = await t.issue<IssuedTicket>({ matterId: "m-001" });
    expect((await callNext()).id).toBe(r.body.id);
    const ns = await t.api<Ticket>("POST", "/api/counters/c01/no-show", undefined, clerk);
    expect(ns.body).toMatchObject({ id: r.body.id, status: "no_show" });
    const re = await t.api<PublicTicket>(
      "POST",
      `/api/tickets/${r.body.id}/reactivate`,
      undefined,
      undefined,
      holderHeader(r.body.holderKey),
    );
    expect(re.status).toBe(200);
    expect(re.body).toMatchObject({ id: r.body.id, status: "waiting" });
    expectPublicOnly(re.body);
    expect((await t.api<HallSnapshot>("GET", "/api/state")).body.active.map((a) => a.id)).toContain(r.body.id);
  });

  it("a served visitor rates the service once (好差评)", async () => {
    for (let i = 0; i < 30; i++) {
      await t.api("POST", "/api/counters/c01/start", undefined, clerk);
      if ((await t.api("POST", "/api/counters/c01/call-next", undefined, clerk)).status === 204) break;
    }
    const r = await t.issue<IssuedTicket>({ matterId: "m-001" });
    expect((await callNext()).id).toBe(r.body.id);
    await t.api("POST", "/api/counters/c01/start", undefined, clerk);
    await t.api("POST", "/api/counters/c01/finish", {}, clerk);
    const before = (await t.api<LiveStats>("GET", "/api/stats/live")).body.ratings[4];
    const rated = await t.api<PublicTicket>(
      "POST",
      `/api/tickets/${r.body.id}/rating`,
      { score: 5 },
      undefined,
      holderHeader(r.body.holderKey),
    );
    expect(rated.status).toBe(200);
    expect(rated.body).toMatchObject({ id: r.body.id, status: "done" });
    expectPublicOnly(rated.body);
    expect((await t.api<LiveStats>("GET", "/api/stats/live")).body.ratings[4]).toBe(before + 1);
    const again = await t.api(
      "POST",
      `/api/tickets/${r.body.id}/rating`,
      { score: 1, reasons: ["slow"] },
      undefined,
      holderHeader(r.body.holderKey),
    );
    expect(again.status).toBe(409);
    expect(again.body.error.code).toBe("ALREADY_RATED");
  });

  it("an appointment code issues an appointment ticket once; the second use is refused", async () => {
    const booking = t.hub.bookings[0];
    expect(booking).toBeDefined();
    const code = booking?.code as string;
    const r = await t.issue<IssuedTicket>({ appointmentCode: code, kioskId: "k4" });
    expect(r.status).toBe(201);
    expect(r.body).toMatchObject({ priority: "appointment", matterId: booking?.matterId, status: "waiting" });
    expect(r.body.print.status).toBe("printed");
    const issued = (await t.api<HallSnapshot>("GET", "/api/state")).body.stats.issued;
    const again = await t.issue({ appointmentCode: code, kioskId: "k4" });
    expect(again.status).toBe(409);
    expect(again.body.error.code).toBe("BOOKING_USED");
    expect((await t.api<HallSnapshot>("GET", "/api/state")).body.stats.issued).toBe(issued);
    expect(t.hub.config.data.appointments.find((a) => a.code === code)?.usedByTicketId).toBe(r.body.id);
  });

  it("GET /api/stats/live reports the day's figures", async () => {
    const r = await t.api<LiveStats>("GET", "/api/stats/live");
    expect(r.status).toBe(200);
    const s = (await t.api<HallSnapshot>("GET", "/api/state")).body;
    expect(r.body.day).toBe(s.day);
    expect(r.body.issued).toBe(s.stats.issued);
    expect(r.body.issued).toBeGreaterThanOrEqual(10);
    expect(r.body.served).toBeGreaterThanOrEqual(2);
    expect(r.body.queues).toHaveLength(12);
    expect(r.body.counters).toHaveLength(45);
    expect(r.body.departments.length).toBe(20);
    expect(r.body.arrivalsByHour.reduce((a, b) => a + b, 0)).toBe(r.body.issued);
    expect(r.body.ratings.reduce((a, b) => a + b, 0)).toBeGreaterThanOrEqual(2);
  });

  it("GET /api/qr.svg renders the text as an SVG QR code", async () => {
    const r = await fetch(`${t.url}/api/qr.svg?text=${encodeURIComponent(`${t.url}/m/abc`)}`);
    expect(r.status).toBe(200);
    expect(r.headers.get("content-type")).toContain("image/svg+xml");
    const svg = await r.text();
    expect(svg.startsWith("<svg")).toBe(true);
    expect(svg).toContain("<path");
    const other = await (await fetch(`${t.url}/api/qr.svg?text=other`)).text();
    expect(other).not.toBe(svg);
  });

  it("GET /api/voice/chime.wav serves a WAV file", async () => {
    const r = await fetch(`${t.url}/api/voice/chime.wav`);
    expect(r.status).toBe(200);
    expect(r.headers.get("content-type")).toContain("audio/wav");
    const b = Buffer.from(await r.arrayBuffer());
    expect(b.subarray(0, 4).toString("ascii")).toBe("RIFF");
    expect(b.subarray(8, 12).toString("ascii")).toBe("WAVE");
    expect(b.length).toBeGreaterThan(1000);
  });

  it("unknown routes under /api are 404 NOT_FOUND", async () => {
    const r = await t.api("GET", "/api/nope");
    expect(r.status).toBe(404);
    expect(r.body).toEqual({ error: { code: "NOT_FOUND", message: expect.any(String) } });
  });
});

describe("http GET /api/stats/days", () => {
  let t: TestHub;
  beforeAll(async () => {
    t = await startTestHub();
  });
  afterAll(async () => {
    await t?.close();
  });

  it("summarises a closed day after the turn of the day", async () => {
    const day1 = t.hub.hall.day;
    for (const m of ["m-001", "m-002", "m-054"]) expect((await t.issue({ matterId: m })).status).toBe(201);
    expect((await t.api<DaySummary[]>("GET", "/api/stats/days")).body).toEqual([]);

    t.advance(24 * 3600_000);
    // The next command turns the day; numbering starts again.
    const r = await t.issue<IssuedTicket>({ matterId: "m-001" });
    expect(r.body.number).toBe("A001");
    const day2 = t.hub.hall.day;
    expect(day2).not.toBe(day1);

    let days: DaySummary[] = [];
    for (let i = 0; i < 40 && days.length === 0; i++) {
      days = (await t.api<DaySummary[]>("GET", "/api/stats/days")).body;
      if (days.length === 0) await new Promise((res) => setTimeout(res, 50));
    }
    expect(days).toHaveLength(1);
    expect(days[0]).toMatchObject({ day: day1, issued: 3, served: 0 });
    expect((await t.api<DaySummary[]>("GET", `/api/stats/days?from=${day1}&to=${day1}`)).body).toHaveLength(1);
    expect((await t.api<DaySummary[]>("GET", `/api/stats/days?from=${day2}`)).body).toEqual([]);
    expect((await t.api<DaySummary[]>("GET", `/api/stats/days?to=2000-01-01`)).body).toEqual([]);
    expect((await t.api<LiveStats>("GET", "/api/stats/live")).body).toMatchObject({ day: day2, issued: 1 });
  });
});
