import { rm } from "node:fs/promises";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startHub } from "../../../server/src/app.ts";
import type { IssuedTicket, KioskInput } from "../../../server/src/contract/events.ts";
import { ADMIN_PASSWORD, type TestHub, connected, expectRejected, readIdCard, startTestHub } from "../../helpers/hub.ts";
import { sleep } from "../../helpers/http.ts";

const OLD = "371426195001011234"; // born 1950: over 65
const YOUNG = "371426199001011234";

/** Pairs `role` `id` by hand through the routes, as the console and the page do. */
async function pairByHand(t: TestHub, role: string, id: string) {
  const req = await t.api<{ code: string; claimSecret: string; autoApproved: boolean }>("POST", "/api/pairings", { role, id });
  expect(req.status).toBe(201);
  return req.body;
}

describe("pairing: kiosk rooms are for the paired kiosk only", () => {
  let t: TestHub;
  beforeAll(async () => {
    t = await startTestHub();
  });
  afterAll(async () => {
    await t?.close();
  });

  it("an anonymous socket can't join a kiosk's room nor hear its card reader; public views stay open", async () => {
    const spy = t.socket();
    await connected(spy);
    const inputs: KioskInput[] = [];
    spy.on("kiosk:input", (e) => inputs.push(e));
    const ack = await spy.emitWithAck("subscribe", { view: "screen", screenId: "kiosk-k1" });
    expect(ack).toMatchObject({ ok: false, error: "FORBIDDEN" });
    expect((await spy.emitWithAck("subscribe", { view: "hall" })).ok).toBe(true);
    expect((await spy.emitWithAck("subscribe", { view: "screen", screenId: "c01" })).ok).toBe(true);
    // The real kiosk hears the card; the spy does not.
    const read = await readIdCard(t, "k1", YOUNG);
    expect(read.idToken.length).toBeGreaterThan(8);
    await sleep(200);
    expect(inputs).toEqual([]);
  });

  it("a kiosk's token opens its own room only; a screen's token opens no kiosk room", async () => {
    const k1 = t.socket({ deviceToken: await t.deviceToken("kiosk", "k1") });
    await connected(k1);
    expect((await k1.emitWithAck("subscribe", { view: "screen", screenId: "kiosk-k2" })).ok).toBe(false);
    const screen = t.socket({ deviceToken: await t.deviceToken("screen", "k1") });
    await connected(screen);
    expect((await screen.emitWithAck("subscribe", { view: "screen", screenId: "kiosk-k1" })).ok).toBe(false);
  });
});

describe("pairing: demo hall auto-pairing from the hub's own machine", () => {
  let t: TestHub;
  const logs: string[] = [];
  beforeAll(async () => {
    t = await startTestHub({ log: (l) => logs.push(l) });
  });
  afterAll(async () => {
    await t?.close();
  });

  it("approves loopback requests by itself, says so at start, and keeps one pairing per role and id", async () => {
    expect(logs.some((l) => l.includes("paired automatically"))).toBe(true);
    const claims = [];
    for (let i = 0; i < 2; i++) {
      const r = await pairByHand(t, "kiosk", "k1");
      expect(r.autoApproved).toBe(true);
      claims.push((await t.api("POST", "/api/pairings/claim", { code: r.code, claimSecret: r.claimSecret })).body);
    }
    expect(claims[0]).toMatchObject({ status: "paired", role: "kiosk", id: "k1" });
    expect(claims[1].pairingId).toBe(claims[0].pairingId);
    const file = JSON.parse(readFileSync(join(t.dataDir, "pairings.json"), "utf8"));
    expect(file.devices).toHaveLength(1);
    // Without an id there is nothing to pair as: an admin decides.
    expect((await pairByHand(t, "kiosk", undefined as unknown as string)).autoApproved).toBe(false);
  });
});

describe("pairing: who may issue", () => {
  let t: TestHub;
  beforeAll(async () => {
    t = await startTestHub();
  });
  afterAll(async () => {
    await t?.close();
  });

  it("refuses an unpaired (anonymous) request, and a forged or appended device token", async () => {
    await expectRejected(
      t,
      { method: "POST", path: "/api/tickets", body: { matterId: "m-001", kioskId: "k1" } },
      401,
      "UNAUTHENTICATED",
    );
    const k1 = await t.deviceToken("kiosk", "k1");
    for (const bad of [`${k1}x`, `${k1}.x`, k1.replace(/.$/, (c) => (c === "A" ? "B" : "A"))])
      await expectRejected(
        t,
        { method: "POST", path: "/api/tickets", body: { matterId: "m-001" }, auth: bad },
        401,
        "UNAUTHENTICATED",
      );
  });

  it("a kiosk issues as itself: k1's token can't issue as k2, and a screen's token can't issue", async () => {
    const k1 = await t.deviceToken("kiosk", "k1");
    await expectRejected(
      t,
      { method: "POST", path: "/api/tickets", body: { matterId: "m-001", kioskId: "k2" }, auth: k1 },
      403,
      "FORBIDDEN",
    );
    const screen = await t.deviceToken("screen", "wall");
    await expectRejected(
      t,
      { method: "POST", path: "/api/tickets", body: { matterId: "m-001" }, auth: screen },
      403,
      "FORBIDDEN",
    );
    // Without a kioskId the token's kiosk is used (and its printer prints).
    const r = await t.api<IssuedTicket>("POST", "/api/tickets", { matterId: "m-001" }, k1);
    expect(r.status).toBe(201);
    expect(r.body.print).toMatchObject({ status: "printed", printerId: "printer-k1" });
  });

  it("an ID card reading is good at the kiosk that read it only, and once", async () => {
    const read = await readIdCard(t, "k1", YOUNG);
    await expectRejected(
      t,
      {
        method: "POST",
        path: "/api/tickets",
        body: { matterId: "m-002", kioskId: "k2", idToken: read.idToken },
        auth: await t.deviceToken("kiosk", "k2"),
      },
      403,
      "FORBIDDEN",
    );
    const ok = await t.issue<IssuedTicket>({ matterId: "m-002", kioskId: "k1", idToken: read.idToken });
    expect(ok.status).toBe(201);
    await expectRejected(
      t,
      {
        method: "POST",
        path: "/api/tickets",
        body: { matterId: "m-003", kioskId: "k1", idToken: read.idToken },
        auth: await t.deviceToken("kiosk", "k1"),
      },
      400,
      "VALIDATION_FAILED",
    );
  });

  it("green channel: the card holder's age gives it by itself; a kiosk can't ask for it otherwise; staff grant it", async () => {
    const old = await readIdCard(t, "k3", OLD);
    expect(old.green).toBe(true);
    const g = await t.issue<IssuedTicket>({ matterId: "m-001", kioskId: "k3", idToken: old.idToken });
    expect(g.status).toBe(201);
    expect(g.body.priority).toBe("green");

    const young = await readIdCard(t, "k4", YOUNG);
    expect(young.green).toBe(false);
    const k4 = await t.deviceToken("kiosk", "k4");
    await expectRejected(
      t,
      {
        method: "POST",
        path: "/api/tickets",
        body: { matterId: "m-003", kioskId: "k4", idToken: young.idToken, priority: "green" },
        auth: k4,
      },
      403,
      "FORBIDDEN",
    );
    await expectRejected(
      t,
      { method: "POST", path: "/api/tickets", body: { matterId: "m-001", priority: "green" }, auth: k4 },
      403,
      "FORBIDDEN",
    );
    await expectRejected(
      t,
      { method: "POST", path: "/api/tickets", body: { matterId: "m-001", priority: "green" } },
      401,
      "UNAUTHENTICATED",
    );
    // The refusal did not use the reading up: the young visitor still gets a normal ticket.
    const n = await t.issue<IssuedTicket>({ matterId: "m-003", kioskId: "k4", idToken: young.idToken });
    expect(n.body.priority).toBe("normal");
    const staff = await t.issue<IssuedTicket>({ matterId: "m-001", priority: "green" }, await t.adminToken());
    expect(staff.status).toBe(201);
    expect(staff.body.priority).toBe("green");
  });

  it("the age threshold is the hall's setting", async () => {
    const cat = (await t.api("GET", "/api/hall")).body;
    const put = await t.api(
      "PUT",
      "/api/catalogue",
      {
        ...cat,
        matters: cat.matters.map(({ initials: _i, ...m }: { initials?: string }) => m),
        hall: { ...cat.hall, greenChannelAge: 30 },
      },
      await t.adminToken(),
    );
    expect(put.status).toBe(200);
    const read = await readIdCard(t, "k2", YOUNG); // 36 years old
    expect(read.green).toBe(true);
  });
});

describe("pairing: revocation", () => {
  let t: TestHub;
  beforeAll(async () => {
    t = await startTestHub();
  });
  afterAll(async () => {
    await t?.close();
  });

  it("a revoked kiosk token is refused at once and its socket is cut", async () => {
    const token = await t.deviceToken("kiosk", "k6");
    const sock = t.socket({ deviceToken: token });
    await connected(sock);
    expect((await sock.emitWithAck("subscribe", { view: "screen", screenId: "kiosk-k6" })).ok).toBe(true);
    const cut = new Promise<string>((res) => sock.once("disconnect", (reason) => res(reason)));
    const list = await t.api<{ paired: { pid: string; role: string; id: string }[] }>(
      "GET",
      "/api/pairings",
      undefined,
      await t.adminToken(),
    );
    const pid = list.body.paired.find((d) => d.role === "kiosk" && d.id === "k6")?.pid as string;
    expect(pid).toBeTruthy();
    expect((await t.api("DELETE", `/api/pairings/${pid}`, undefined, await t.adminToken())).status).toBe(204);
    expect(await cut).toBe("io server disconnect");
    await expectRejected(
      t,
      { method: "POST", path: "/api/tickets", body: { matterId: "m-001" }, auth: token },
      401,
      "UNAUTHENTICATED",
    );
    // A new socket with the revoked token is anonymous: no kiosk room.
    const again = t.socket({ deviceToken: token });
    await connected(again);
    expect((await again.emitWithAck("subscribe", { view: "screen", screenId: "kiosk-k6" })).ok).toBe(false);
    expect(
      (await t.api("GET", "/api/pairings", undefined, await t.adminToken())).body.paired.some(
        (d: { pid: string }) => d.pid === pid,
      ),
    ).toBe(false);
    await expectRejected(t, { method: "DELETE", path: `/api/pairings/${pid}`, auth: await t.adminToken() }, 404, "NOT_FOUND");
  });
});

describe("pairing: the flow with an admin (no auto-pairing)", () => {
  let t: TestHub;
  beforeAll(async () => {
    t = await startTestHub({ autoPairLoopback: false });
  });
  afterAll(async () => {
    await t?.close();
  });

  it("code → pending → approved by an admin → the page claims its token; only admins approve", async () => {
    const req = await pairByHand(t, "kiosk", "k7");
    expect(req.autoApproved).toBe(false);
    expect(req.code).toMatch(/^\d{6}$/);
    const pending = await t.api("POST", "/api/pairings/claim", { code: req.code, claimSecret: req.claimSecret });
    expect(pending.status).toBe(202);
    expect(pending.body.status).toBe("pending");
    // Someone who saw the code but not the secret gets nothing.
    await expectRejected(
      t,
      { method: "POST", path: "/api/pairings/claim", body: { code: req.code, claimSecret: "guess" } },
      404,
      "NOT_FOUND",
    );
    const list = await t.api("GET", "/api/pairings", undefined, await t.adminToken());
    expect(list.body.pending).toEqual([expect.objectContaining({ code: req.code, role: "kiosk", id: "k7" })]);
    expect(JSON.stringify(list.body)).not.toContain(req.claimSecret);
    const clerk = (await t.login("zhangwei")).token;
    await expectRejected(
      t,
      { method: "POST", path: `/api/pairings/${req.code}/approve`, body: { role: "kiosk", id: "k7" }, auth: clerk },
      403,
      "FORBIDDEN",
    );
    await expectRejected(
      t,
      { method: "POST", path: `/api/pairings/${req.code}/approve`, body: { role: "vip", id: "k7" }, auth: await t.adminToken() },
      400,
      "VALIDATION_FAILED",
    );
    await expectRejected(
      t,
      { method: "POST", path: "/api/pairings/000000/approve", body: { role: "kiosk", id: "k7" }, auth: await t.adminToken() },
      404,
      "NOT_FOUND",
    );
    const ok = await t.api("POST", `/api/pairings/${req.code}/approve`, { role: "kiosk", id: "k2" }, await t.adminToken());
    expect(ok.status).toBe(200);
    const claim = await t.api("POST", "/api/pairings/claim", { code: req.code, claimSecret: req.claimSecret });
    expect(claim.status).toBe(200);
    // The admin decides the id: the page asked for k7, it is k2.
    expect(claim.body).toMatchObject({ status: "paired", role: "kiosk", id: "k2" });
    const r = await t.api<IssuedTicket>("POST", "/api/tickets", { matterId: "m-001" }, claim.body.deviceToken);
    expect(r.status).toBe(201);
    expect(r.body.print).toMatchObject({ printerId: "printer-k2" });
    // Kept durably, revocations too.
    const file = JSON.parse(readFileSync(join(t.dataDir, "pairings.json"), "utf8"));
    expect(file.devices).toEqual([expect.objectContaining({ role: "kiosk", id: "k2", pid: claim.body.pairingId })]);
  });

  it("refuses bad pairing requests with VALIDATION_FAILED", async () => {
    for (const body of [{}, { role: "admin" }, { role: "kiosk", id: "" }, { role: "kiosk", extra: 1 }])
      await expectRejected(t, { method: "POST", path: "/api/pairings", body }, 400, "VALIDATION_FAILED");
  });
});

describe("pairing: rate limits", () => {
  let t: TestHub;
  beforeAll(async () => {
    t = await startTestHub({
      limits: {
        perKiosk: { points: 3, durationSec: 60 },
        perAddress: { points: 5, durationSec: 60 },
        pairingRequests: { points: 4, durationSec: 60 },
      },
    });
  });
  afterAll(async () => {
    await t?.close();
  });

  it("a paired kiosk gets 429 RATE_LIMITED with Retry-After past its limit; staff are not limited", async () => {
    const k1 = await t.deviceToken("kiosk", "k1");
    for (let i = 0; i < 3; i++) expect((await t.api("POST", "/api/tickets", { matterId: "m-001" }, k1)).status).toBe(201);
    const r = await t.api("POST", "/api/tickets", { matterId: "m-001" }, k1);
    expect(r.status).toBe(429);
    expect(r.body).toEqual({ error: { code: "RATE_LIMITED", message: expect.any(String) } });
    const after = Number(r.headers.get("retry-after"));
    expect(after).toBeGreaterThan(0);
    expect(after).toBeLessThanOrEqual(60);
    const admin = await t.adminToken();
    for (let i = 0; i < 8; i++) expect((await t.api("POST", "/api/tickets", { matterId: "m-001" }, admin)).status).toBe(201);
  });

  it("one client address is limited across kiosks and anonymous attempts", async () => {
    // 4 kiosk requests so far from this address (3 issued, 1 refused by the kiosk limit); one more fits.
    const k2 = await t.deviceToken("kiosk", "k2");
    expect((await t.api("POST", "/api/tickets", { matterId: "m-001" }, k2)).status).toBe(201);
    const r = await t.api("POST", "/api/tickets", { matterId: "m-001" });
    expect(r.status).toBe(429);
    expect(r.headers.get("retry-after")).toMatch(/^\d+$/);
  });

  it("pairing requests are limited per address", async () => {
    const codes: number[] = [];
    for (let i = 0; i < 4; i++) codes.push((await t.api("POST", "/api/pairings", { role: "screen", id: `s${i}` })).status);
    // 2 were used by deviceToken() above.
    expect(codes.filter((s) => s === 429).length).toBeGreaterThan(0);
  });
});

describe("bookings", () => {
  let t: TestHub;
  beforeAll(async () => {
    t = await startTestHub();
  });
  afterAll(async () => {
    await t?.close();
  });

  it("demo booking codes are random, 10 unambiguous characters", () => {
    expect(t.hub.bookings.length).toBe(5);
    for (const b of t.hub.bookings) expect(b.code).toMatch(/^[2-9A-HJKMNP-Z]{10}$/);
    expect(new Set(t.hub.bookings.map((b) => b.code)).size).toBe(5);
  });

  it("10 concurrent uses of one code give exactly one ticket", async () => {
    const code = t.hub.bookings[0]?.code as string;
    const before = (await t.api("GET", "/api/state")).body.stats.issued;
    const replies = await Promise.all(
      Array.from({ length: 10 }, (_, i) => t.issue({ appointmentCode: code, kioskId: `k${(i % 5) + 1}` })),
    );
    expect(replies.filter((r) => r.status === 201)).toHaveLength(1);
    for (const r of replies.filter((x) => x.status !== 201)) expect(r.body.error.code).toBe("BOOKING_USED");
    expect((await t.api("GET", "/api/state")).body.stats.issued).toBe(before + 1);
  });

  it("a used code stays used after a restart (the journal says so), and typed in lower case it is the same code", async () => {
    const code = t.hub.bookings[1]?.code as string;
    expect((await t.issue({ appointmentCode: code.toLowerCase(), kioskId: "k1" })).status).toBe(201);
    await t.hub.close();
    // Forget the booking list's own marker: only the journal may decide.
    const cfgFile = join(t.dataDir, "config.json");
    const cfg = JSON.parse(readFileSync(cfgFile, "utf8"));
    for (const a of cfg.appointments) delete a.usedByTicketId;
    const { writeFileSync } = await import("node:fs");
    writeFileSync(cfgFile, JSON.stringify(cfg));
    const again = await startHub({
      port: 0,
      host: "127.0.0.1",
      dataDir: t.dataDir,
      adminPassword: ADMIN_PASSWORD,
      clock: t.now,
      log: () => {},
    });
    try {
      expect(again.bookings.map((b) => b.code)).not.toContain(code);
      const login = await fetch(`${again.url}/api/auth/login`, {
        method: "POST",
        headers: { "content-type": "application/json" },
        body: JSON.stringify({ username: "admin", password: ADMIN_PASSWORD }),
      });
      const { token } = (await login.json()) as { token: string };
      const r = await fetch(`${again.url}/api/tickets`, {
        method: "POST",
        headers: { "content-type": "application/json", authorization: `Bearer ${token}` },
        body: JSON.stringify({ appointmentCode: code }),
      });
      expect(r.status).toBe(409);
      expect(((await r.json()) as { error: { code: string } }).error.code).toBe("BOOKING_USED");
    } finally {
      await again.close();
      await rm(t.dataDir, { recursive: true, force: true });
    }
  });
});
