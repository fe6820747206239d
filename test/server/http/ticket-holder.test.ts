import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startHub } from "../../../server/src/app.ts";
import type { HallSnapshot, IssuedTicket } from "../../../server/src/contract/events.ts";
import type { DaySummary, LiveStats } from "../../../server/src/contract/stats.ts";
import type { Ticket } from "../../../server/src/contract/tickets.ts";
import { TicketKeys, dayOfTicketId } from "../../../server/src/hall/ticket-keys.ts";
import { connected, expectRejected, hallMorning, holderHeader, startTestHub, type TestHub } from "../../helpers/hub.ts";

/** Issue 7.2 / 7.13 / 7.17 and 8.5 / 8.6: the visitor's ticket belongs to whoever holds it. */

function printedCount(t: TestHub, kiosk: string): number {
  return t.hub.devices.simulators(`printer-${kiosk}`)?.printerSim?.tickets.length ?? -1;
}

/** Wait until the simulated printer has parsed what was sent, then a little longer so an
 * unwanted extra ticket would show up too. */
async function printedSettled(t: TestHub, kiosk: string, atLeast: number): Promise<number> {
  for (let i = 0; i < 250 && printedCount(t, kiosk) < atLeast; i++) await new Promise((r) => setTimeout(r, 20));
  await new Promise((r) => setTimeout(r, 200));
  return printedCount(t, kiosk);
}

describe("http the visitor's ticket: holder key, reprints, ratings, closed days", () => {
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

  const issue = async (body: Record<string, unknown> = { matterId: "m-001" }): Promise<IssuedTicket> => {
    const r = await t.issue<IssuedTicket>(body);
    expect(r.status).toBe(201);
    expect(r.body.holderKey).toMatch(/^[A-Za-z0-9_-]{22}$/);
    return r.body;
  };
  /** Empty c01's lines (finishing whatever it holds) so the next call is the next ticket issued. */
  const drain = async () => {
    // A call-next never closes a called ticket (issue 8.1): finish each one called.
    await t.api("POST", "/api/counters/c01/finish", {}, clerk);
    for (let i = 0; i < 60; i++) {
      if ((await t.api("POST", "/api/counters/c01/call-next", undefined, clerk)).status === 204) break;
      await t.api("POST", "/api/counters/c01/finish", {}, clerk);
    }
  };
  /** A fresh ticket called at c01. */
  const called = async (body: Record<string, unknown> = { matterId: "m-001" }): Promise<IssuedTicket> => {
    await drain();
    const tk = await issue(body);
    const c = await t.api<Ticket>("POST", "/api/counters/c01/call-next", undefined, clerk);
    expect(c.body.id).toBe(tk.id);
    return tk;
  };

  it("the phone link carries the key in its fragment, and the key is the ticket's own", async () => {
    const a = await issue();
    const b = await issue();
    expect(a.phoneUrl).toBe(`${t.url}/m/${a.id}#k=${a.holderKey}`);
    expect(a.holderKey).not.toBe(b.holderKey);
    // Derived, not stored: the same after a restart (same secret), so a printed QR keeps working.
    expect(new TicketKeys(t.hub.config.data.secrets.tokenKey).keyFor(a.id)).toBe(a.holderKey);
    // The id names its day, so a closed day's ticket can be told from an unknown one.
    expect(dayOfTicketId(a.id)).toBe(t.hub.hall.day);
  });

  it("cancel, reactivate, rating and reprint without the key are refused and change nothing", async () => {
    const waiting = await issue({ matterId: "m-001", kioskId: "k1" });
    const other = await issue();
    const cases: [string, unknown][] = [
      [`/api/tickets/${waiting.id}/cancel`, undefined],
      [`/api/tickets/${waiting.id}/reactivate`, undefined],
      [`/api/tickets/${waiting.id}/rating`, { score: 5 }],
      [`/api/tickets/${waiting.id}/reprint`, { kioskId: "k1", requestId: "r1" }],
    ];
    const printed = printedCount(t, "k1");
    for (const [path, body] of cases) {
      await expectRejected(t, { method: "POST", path, body }, 403, "TICKET_KEY_REQUIRED");
      // Another ticket's key, a key with something appended, an empty one: all refused.
      for (const key of [other.holderKey, `${waiting.holderKey}x`, "", waiting.holderKey.slice(1)])
        await expectRejected(t, { method: "POST", path, body, headers: holderHeader(key) }, 403, "TICKET_KEY_REQUIRED");
      // A bearer token that is no staff member's is no substitute.
      await expectRejected(t, { method: "POST", path, body, auth: "not-a-token" }, 403, "TICKET_KEY_REQUIRED");
    }
    expect(await printedSettled(t, "k1", printed)).toBe(printed);
    // The visitor's own key works; so does staff.
    const c = await t.api("POST", `/api/tickets/${waiting.id}/cancel`, undefined, undefined, holderHeader(waiting.holderKey));
    expect(c.status).toBe(200);
    expect(c.body.status).toBe("cancelled");
    const byStaff = await t.api("POST", `/api/tickets/${other.id}/cancel`, undefined, clerk);
    expect(byStaff.status).toBe(200);
    expect(byStaff.body.status).toBe("cancelled");
  });

  it("a wrong key on GET is refused; without a key GET shows the public progress only", async () => {
    const a = await issue();
    const other = await issue();
    const pub = await t.api(`GET`, `/api/tickets/${a.id}`);
    expect(pub.status).toBe(200);
    expect(pub.body).not.toHaveProperty("holder");
    await expectRejected(
      t,
      { method: "GET", path: `/api/tickets/${a.id}`, headers: holderHeader(other.holderKey) },
      403,
      "TICKET_KEY_REQUIRED",
    );
    const own = await t.api("GET", `/api/tickets/${a.id}`, undefined, undefined, holderHeader(a.holderKey));
    expect(own.body.holder).toEqual({ lang: "zh" });
  });

  it("the key is never in /api/state, snapshots, the ticket room or any broadcast", async () => {
    const hall = t.socket();
    const room = t.socket();
    const seen: string[] = [];
    await Promise.all([connected(hall), connected(room)]);
    hall.onAny((name: string, payload: unknown) => seen.push(`${name} ${JSON.stringify(payload)}`));
    room.onAny((name: string, payload: unknown) => seen.push(`${name} ${JSON.stringify(payload)}`));
    await hall.emitWithAck("subscribe", { view: "hall" });
    await drain();
    const tk = await issue({ matterId: "m-001", kioskId: "k2", lang: "en" });
    await room.emitWithAck("subscribe", { view: "ticket", ticketId: tk.id });
    await hall.emitWithAck("subscribe", { view: "screen", screenId: "kiosk-k2" });
    expect((await t.api<Ticket>("POST", "/api/counters/c01/call-next", undefined, clerk)).body.id).toBe(tk.id);
    await t.api("POST", "/api/counters/c01/finish", { outcome: "rejected", missing: ["补正材料：房屋租赁合同原件"] }, clerk);
    await t.api("POST", `/api/tickets/${tk.id}/rating`, { score: 5 }, undefined, holderHeader(tk.holderKey));
    await new Promise((r) => setTimeout(r, 400));
    expect(seen.some((s) => s.startsWith("ticket:progress"))).toBe(true);
    expect(seen.some((s) => s.startsWith("hall:snapshot"))).toBe(true);
    expect(seen.some((s) => s.startsWith("ticket:issued") && s.includes(tk.id))).toBe(true);
    for (const s of seen) expect(s).not.toContain(tk.holderKey);
    // Outcome details are the holder's too: not in the broadcasts either.
    for (const s of seen) expect(s).not.toContain("房屋租赁合同原件");
    const state = await t.api("GET", "/api/state");
    expect(JSON.stringify(state.body)).not.toContain(tk.holderKey);
    const pub = await t.api("GET", `/api/tickets/${tk.id}`);
    expect(JSON.stringify(pub.body)).not.toContain(tk.holderKey);
    expect(pub.body).not.toHaveProperty("holder");
    hall.disconnect();
    room.disconnect();
  });

  it("a rating is refused before the ticket was served, accepted once after, and refused again", async () => {
    await drain();
    const tk = await issue();
    const key = holderHeader(tk.holderKey);
    const rate = { method: "POST", path: `/api/tickets/${tk.id}/rating`, body: { score: 5 }, headers: key };
    await expectRejected(t, rate, 409, "INVALID_TRANSITION"); // waiting
    expect((await t.api<Ticket>("POST", "/api/counters/c01/call-next", undefined, clerk)).body.id).toBe(tk.id);
    await expectRejected(t, rate, 409, "INVALID_TRANSITION"); // called
    await t.api("POST", "/api/counters/c01/start", undefined, clerk);
    // Being served is not yet served: the phone rates a finished service.
    await expectRejected(t, rate, 409, "INVALID_TRANSITION");
    await t.api("POST", "/api/counters/c01/finish", { outcome: "completed" }, clerk);
    const ok = await t.api("POST", rate.path, rate.body, undefined, key);
    expect(ok.status).toBe(200);
    await expectRejected(t, rate, 409, "ALREADY_RATED");
    await expectRejected(t, { ...rate, body: { score: 1, reasons: ["slow"] } }, 409, "ALREADY_RATED");
  });

  it("a rating of 1 or 2 needs a reason; the reasons are counted in the live stats", async () => {
    const tk = await called();
    await t.api("POST", "/api/counters/c01/finish", { outcome: "completed" }, clerk);
    const key = holderHeader(tk.holderKey);
    const path = `/api/tickets/${tk.id}/rating`;
    await expectRejected(t, { method: "POST", path, body: { score: 2 }, headers: key }, 400, "VALIDATION_FAILED");
    await expectRejected(t, { method: "POST", path, body: { score: 1, reasons: [] }, headers: key }, 400, "VALIDATION_FAILED");
    await expectRejected(
      t,
      { method: "POST", path, body: { score: 1, reasons: ["rude"] }, headers: key },
      400,
      "VALIDATION_FAILED",
    );
    await expectRejected(
      t,
      { method: "POST", path, body: { score: 2, reasons: ["other"], comment: "长".repeat(201) }, headers: key },
      400,
      "VALIDATION_FAILED",
    );
    // Reasons belong to a low rating only.
    await expectRejected(
      t,
      { method: "POST", path, body: { score: 5, reasons: ["slow"] }, headers: key },
      400,
      "VALIDATION_FAILED",
    );
    const before = (await t.api<LiveStats>("GET", "/api/stats/live")).body.ratingReasons;
    const r = await t.api("POST", path, { score: 2, reasons: ["long_wait", "other"], comment: "等了一个多小时" }, undefined, key);
    expect(r.status).toBe(200);
    const after = (await t.api<LiveStats>("GET", "/api/stats/live")).body.ratingReasons;
    expect(after).toEqual({ ...before, long_wait: before.long_wait + 1, other: before.other + 1 });
    const kept = t.hub.hall.ticket(tk.id);
    expect(kept).toMatchObject({ rating: 2, ratingReasons: ["long_wait", "other"], ratingComment: "等了一个多小时" });
    const own = await t.api("GET", `/api/tickets/${tk.id}`, undefined, undefined, key);
    expect(own.body.holder.rating).toBe(2);
  });

  it("the clerk's finish carries the outcome and the missing materials to the holder only", async () => {
    const tk = await called({ matterId: "m-001", lang: "en" });
    await expectRejected(
      t,
      { method: "POST", path: "/api/counters/c01/finish", body: { outcome: "completed", missing: ["公司章程"] }, auth: clerk },
      400,
      "VALIDATION_FAILED",
    );
    await expectRejected(
      t,
      { method: "POST", path: "/api/counters/c01/finish", body: { outcome: "rejected", missing: [""] }, auth: clerk },
      400,
      "VALIDATION_FAILED",
    );
    const f = await t.api(
      "POST",
      "/api/counters/c01/finish",
      { outcome: "accepted_incomplete", missing: ["公司章程", "住所使用证明"] },
      clerk,
    );
    expect(f.status).toBe(200);
    const own = await t.api("GET", `/api/tickets/${tk.id}`, undefined, undefined, holderHeader(tk.holderKey));
    expect(own.body.status).toBe("done");
    expect(own.body.holder).toEqual({ lang: "en", outcome: "accepted_incomplete", missing: ["公司章程", "住所使用证明"] });
    const staff = await t.api("GET", `/api/tickets/${tk.id}`, undefined, clerk);
    expect(staff.body.holder.outcome).toBe("accepted_incomplete");
    const pub = await t.api("GET", `/api/tickets/${tk.id}`);
    expect(pub.body).not.toHaveProperty("holder");
    expect(JSON.stringify(pub.body)).not.toContain("accepted_incomplete");
  });

  it("the finish command over the socket takes the missing items too", async () => {
    const tk = await called();
    const s = t.socket({ token: clerk });
    await connected(s);
    const ack = await s.emitWithAck("counter:command", {
      type: "finish",
      counterId: "c01",
      outcome: "rejected",
      missing: ["股东主体资格证明"],
    });
    expect(ack.ok).toBe(true);
    const own = await t.api("GET", `/api/tickets/${tk.id}`, undefined, undefined, holderHeader(tk.holderKey));
    expect(own.body.holder).toMatchObject({ outcome: "rejected", missing: ["股东主体资格证明"] });
    s.disconnect();
  });

  it("reprint needs a requestId: without one nothing prints", async () => {
    const tk = await issue({ matterId: "m-001", kioskId: "k3" });
    const printed = await printedSettled(t, "k3", 1);
    for (let i = 0; i < 5; i++)
      await expectRejected(
        t,
        { method: "POST", path: `/api/tickets/${tk.id}/reprint`, body: { kioskId: "k3" }, headers: holderHeader(tk.holderKey) },
        400,
        "VALIDATION_FAILED",
      );
    expect(await printedSettled(t, "k3", printed)).toBe(printed);
  });

  it("50 identical reprints print once; a storm of distinct ones prints at most 3, then 429 with Retry-After", async () => {
    const tk = await issue({ matterId: "m-001", kioskId: "k4" });
    const key = holderHeader(tk.holderKey);
    const base = await printedSettled(t, "k4", 1);
    const path = `/api/tickets/${tk.id}/reprint`;
    const same = await Promise.all(
      Array.from({ length: 50 }, () => t.api("POST", path, { kioskId: "k4", requestId: "lost-it" }, undefined, key)),
    );
    expect(new Set(same.map((r) => r.status))).toEqual(new Set([200]));
    expect(await printedSettled(t, "k4", base + 1)).toBe(base + 1);

    const storm = await Promise.all(
      Array.from({ length: 50 }, (_, i) => t.api("POST", path, { kioskId: "k4", requestId: `storm-${i}` }, undefined, key)),
    );
    const ok = storm.filter((r) => r.status === 200);
    const limited = storm.filter((r) => r.status === 429);
    // "lost-it" was the first of three.
    expect(ok).toHaveLength(2);
    expect(limited).toHaveLength(48);
    for (const r of limited) {
      expect(r.body.error.code).toBe("RATE_LIMITED");
      expect(Number(r.headers.get("retry-after"))).toBeGreaterThan(0);
    }
    expect(await printedSettled(t, "k4", base + 3)).toBe(base + 3);
    // A repeat of an accepted request is still answered (not a new print, not limited).
    const again = await t.api("POST", path, { kioskId: "k4", requestId: "lost-it" }, undefined, key);
    expect(again.status).toBe(200);
    await expectRejected(
      t,
      { method: "POST", path, body: { kioskId: "k4", requestId: "one-more" }, headers: key },
      429,
      "RATE_LIMITED",
    );
    // Staff at the desk may still print it for the visitor.
    const staff = await t.api("POST", path, { kioskId: "k4", requestId: "desk-1" }, clerk);
    expect(staff.status).toBe(200);
    expect(staff.body.print).toEqual({ status: "printed", printerId: "printer-k4" });
    expect(await printedSettled(t, "k4", base + 4)).toBe(base + 4);
  });
});

describe("http a ticket of a closed day (the hall's midnight)", () => {
  let t: TestHub;
  afterAll(async () => {
    await t?.close();
  });

  it("answers 410 TICKET_DAY_CLOSED on the phone's routes after midnight; an unknown id stays 404", async () => {
    t = await startTestHub();
    const clerk = (await t.login("zhangwei")).token;
    await t.api("POST", "/api/counters/c01/sign-in", undefined, clerk);
    const tk = (await t.issue<IssuedTicket>({ matterId: "m-001" })).body;
    const rated = (await t.issue<IssuedTicket>({ matterId: "m-001" })).body;
    const served = await t.api<Ticket>("POST", "/api/counters/c01/call-next", undefined, clerk);
    expect(served.body.id).toBe(tk.id);
    await t.api("POST", "/api/counters/c01/finish", {}, clerk);
    expect((await t.api<Ticket>("POST", "/api/counters/c01/call-next", undefined, clerk)).body.id).toBe(rated.id);
    await t.api("POST", "/api/counters/c01/finish", { outcome: "rejected" }, clerk);
    await t.api(
      "POST",
      `/api/tickets/${rated.id}/rating`,
      { score: 1, reasons: ["not_done", "attitude"] },
      undefined,
      holderHeader(rated.holderKey),
    );
    const waiting = (await t.issue<IssuedTicket>({ matterId: "m-062" })).body;
    const day = t.hub.hall.day;
    expect((await t.api("GET", `/api/tickets/${waiting.id}`)).status).toBe(200);

    t.advance(24 * 60 * 60_000);
    const key = holderHeader(waiting.holderKey);
    // The first request after midnight turns the day (no 15 s tick needed).
    const first = await t.api("GET", `/api/tickets/${waiting.id}`);
    expect([first.status, first.body.error?.code]).toEqual([410, "TICKET_DAY_CLOSED"]);
    await expectRejected(t, { method: "GET", path: `/api/tickets/${waiting.id}` }, 410, "TICKET_DAY_CLOSED");
    expect(t.hub.hall.day).not.toBe(day);
    await expectRejected(t, { method: "GET", path: `/api/tickets/${waiting.id}`, headers: key }, 410, "TICKET_DAY_CLOSED");
    await expectRejected(
      t,
      { method: "POST", path: `/api/tickets/${waiting.id}/cancel`, headers: key },
      410,
      "TICKET_DAY_CLOSED",
    );
    await expectRejected(
      t,
      { method: "POST", path: `/api/tickets/${waiting.id}/reprint`, body: { kioskId: "k1", requestId: "x" }, headers: key },
      410,
      "TICKET_DAY_CLOSED",
    );
    // Still the holder's: without the key the action is refused before the day is looked at.
    await expectRejected(t, { method: "POST", path: `/api/tickets/${waiting.id}/cancel` }, 403, "TICKET_KEY_REQUIRED");
    // A made-up id is no closed-day ticket.
    await expectRejected(t, { method: "GET", path: "/api/tickets/no-such-ticket" }, 404, "UNKNOWN_TICKET");

    // The closed day's summary counts the low rating's reasons.
    let summary: DaySummary | undefined;
    for (let i = 0; i < 50 && !summary; i++) {
      summary = (await t.api<DaySummary[]>("GET", `/api/stats/days?from=${day}&to=${day}`)).body[0];
      if (!summary) await new Promise((r) => setTimeout(r, 50));
    }
    expect(summary?.ratings).toEqual([1, 0, 0, 0, 0]);
    expect(summary?.ratingReasons).toMatchObject({ not_done: 1, attitude: 1, long_wait: 0 });
    const state = (await t.api<HallSnapshot>("GET", "/api/state")).body;
    expect(state.day).not.toBe(day);
  });
});

describe("http the holder key across a hub restart", () => {
  it("a key printed before a restart still opens the ticket after it (derived, nothing stored)", async () => {
    const dataDir = await mkdtemp(join(tmpdir(), "onevisit-key-"));
    const clock = () => hallMorning();
    const opts = { port: 0, host: "127.0.0.1", dataDir, adminPassword: "pw-key-test", clock, log: () => {} };
    try {
      let hub = await startHub(opts);
      // Taken at the help desk (staff): only a paired kiosk or staff may issue.
      const login = await fetch(`${hub.url}/api/auth/login`, {
        method: "POST",
        headers: { "content-type": "application/json" },
        body: JSON.stringify({ username: "admin", password: "pw-key-test" }),
      });
      const { token } = (await login.json()) as { token: string };
      const issued = await fetch(`${hub.url}/api/tickets`, {
        method: "POST",
        headers: { "content-type": "application/json", authorization: `Bearer ${token}` },
        body: JSON.stringify({ matterId: "m-001" }),
      });
      expect(issued.status).toBe(201);
      const tk = (await issued.json()) as IssuedTicket;
      await hub.close();
      hub = await startHub(opts);
      try {
        const wrong = await fetch(`${hub.url}/api/tickets/${tk.id}/cancel`, {
          method: "POST",
          headers: { "x-ticket-key": "A".repeat(22) },
        });
        expect(wrong.status).toBe(403);
        const ok = await fetch(`${hub.url}/api/tickets/${tk.id}/cancel`, {
          method: "POST",
          headers: { "x-ticket-key": tk.holderKey },
        });
        expect(ok.status).toBe(200);
        expect(((await ok.json()) as Ticket).status).toBe("cancelled");
      } finally {
        await hub.close();
      }
    } finally {
      await rm(dataDir, { recursive: true, force: true });
    }
  });
});
