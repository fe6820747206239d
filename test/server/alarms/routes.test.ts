/**
 * Alarms and advice on a running hub, over fetch and socket.io-client: who may join the
 * floor and the wall (every cell of ALARM_VIEW_ACCESS that can be played here), a counter
 * paused too long raising an alarm that reaches a supervisor's socket and the wall's (the
 * wall's without names), its acknowledgement audited, its clearing on resume; the advice for
 * a series with a line and no counters, applied: the counters serve it at once, the change
 * is in the audit log with its diff, a stale apply is refused; clerks and the public are
 * refused every route.
 */
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ALARM_SUBSCRIPTION_VIEWS } from "../../../server/src/alarms/socket.ts";
import type { Advice, Alarm, AlarmSnapshot } from "../../../server/src/contract/alarms.ts";
import type { AuditPage } from "../../../server/src/contract/audit.ts";
import type { Catalogue } from "../../../server/src/contract/catalogue.ts";
import type { Ticket } from "../../../server/src/contract/tickets.ts";
import { ALARM_VIEW_ACCESS, type Principal } from "../../../server/src/http/access.ts";
import { connectAs, type HubClient, nextEvent, socketCallers, startTestHub, type TestHub } from "../../helpers/hub.ts";

let t: TestHub;
const sockets: HubClient[] = [];
const WAIT = 5000;

const connect = (token?: string, origin?: string) =>
  connectAs(t.url, { ...(token ? { token } : {}), ...(origin ? { origin } : {}) }, sockets);

async function joined(token: string | undefined, view: "floor" | "wall"): Promise<{ s: HubClient; snapshot: AlarmSnapshot }> {
  const s = await connect(token);
  if (s === "ORIGIN_REFUSED") throw new Error("refused");
  const snap = nextEvent(s, "alarms:snapshot", () => true, WAIT);
  const ack = await s.timeout(WAIT).emitWithAck("alarms:subscribe", { view });
  expect(ack.ok).toBe(true);
  return { s, snapshot: await snap };
}

describe("alarms and advice on a running hub", () => {
  let sup = "";
  let clerk = "";
  let approver = "";
  let admin = "";

  beforeAll(async () => {
    t = await startTestHub();
    sup = (await t.login("wangli")).token;
    clerk = (await t.login("zhangwei")).token;
    approver = (await t.login("gaojie")).token;
    admin = await t.adminToken();
  });
  afterAll(async () => {
    for (const s of sockets) s.disconnect();
    await t?.close();
  });

  it("has one rule per alarm view, and the hub keeps every cell it can play", async () => {
    expect([...ALARM_SUBSCRIPTION_VIEWS].sort()).toEqual(Object.keys(ALARM_VIEW_ACCESS).sort());
    const callers = socketCallers(t.url, { clerk, approver, supervisor: sup, admin });
    const mismatches: string[] = [];
    for (const view of ALARM_SUBSCRIPTION_VIEWS) {
      for (const [p, c] of Object.entries(callers)) {
        const want = ALARM_VIEW_ACCESS[view]?.[p as Principal];
        const s = await connect(c.token, c.origin);
        let got: string;
        if (s === "ORIGIN_REFUSED") got = s;
        else {
          const ack = await s.timeout(WAIT).emitWithAck("alarms:subscribe", { view } as never);
          got = ack.ok ? "allow" : ack.error;
          s.disconnect();
        }
        if (got !== want) mismatches.push(`${view} as ${p}: want ${want}, got ${got}`);
      }
    }
    expect(mismatches).toEqual([]);
    // Anything else is refused with a closed code.
    const s = await connect(sup);
    if (s === "ORIGIN_REFUSED") throw new Error("refused");
    expect(await s.timeout(WAIT).emitWithAck("alarms:subscribe", { view: "office" } as never)).toMatchObject({
      ok: false,
      error: "VALIDATION_FAILED",
    });
  });

  it("a counter paused too long raises an alarm on the supervisor's socket and the wall; acknowledged (audited); cleared on resume", async () => {
    const floor = await joined(sup, "floor");
    const wall = await joined(undefined, "wall");
    expect(floor.snapshot.alarms).toEqual([]);
    // The clerk's counter page stays open (a holder whose page is gone is released after 5 minutes).
    if ((await connect(clerk)) === "ORIGIN_REFUSED") throw new Error("refused");
    expect((await t.api("POST", "/api/counters/c01/sign-in", {}, clerk)).status).toBe(200);
    expect((await t.api("POST", "/api/counters/c01/pause", { reason: "张伟去医院复查" }, clerk)).status).toBe(200);
    const pausedAt = t.now();
    const raisedFloor = nextEvent(floor.s, "alarm:changed", (a) => a.kind === "pause", WAIT);
    const raisedWall = nextEvent(wall.s, "alarm:changed", (a) => a.kind === "pause", WAIT);
    // 15 minutes is the default: 14 is not too long, 16 is.
    t.advance(14 * 60_000);
    expect((await t.api<AlarmSnapshot>("GET", "/api/alarms", undefined, sup)).body.alarms).toEqual([]);
    t.advance(2 * 60_000);
    const a = await raisedFloor;
    expect(a).toMatchObject({ kind: "pause", counterId: "c01", threshold: 15, acknowledged: false });
    expect(a.startedAt).toBeGreaterThanOrEqual(pausedAt - 1000);
    expect(a.startedAt).toBeLessThanOrEqual(pausedAt);
    expect(a.since).toBe(a.startedAt + 15 * 60_000);
    expect(a.id).toBe(`pause-c01-${a.since}`);
    const w = await raisedWall;
    expect(w).toEqual(a);
    // The wall is public: neither the clerk nor the pause reason rides on its alarms.
    expect(JSON.stringify(w)).not.toMatch(/张伟|医院/);
    // The same in the supervisor's list; the wall's own late joiner gets it in its snapshot.
    expect((await t.api<AlarmSnapshot>("GET", "/api/alarms", undefined, sup)).body.alarms.map((x) => x.id)).toEqual([a.id]);
    expect((await joined(undefined, "wall")).snapshot.alarms.map((x) => x.id)).toEqual([a.id]);

    // A clerk may not acknowledge; a supervisor does, and the log holds it before the reply.
    expect((await t.api("POST", `/api/alarms/${a.id}/ack`, {}, clerk)).body.error.code).toBe("FORBIDDEN");
    expect((await t.api("POST", "/api/alarms/pause-c99-1/ack", {}, sup)).body.error.code).toBe("UNKNOWN_ALARM");
    const ackFloor = nextEvent(floor.s, "alarm:changed", (x) => x.id === a.id && x.acknowledged, WAIT);
    const ackWall = nextEvent(wall.s, "alarm:changed", (x) => x.id === a.id && x.acknowledged, WAIT);
    const acked = await t.api<Alarm>("POST", `/api/alarms/${a.id}/ack`, {}, sup);
    expect(acked.status).toBe(200);
    expect(acked.body).toMatchObject({ id: a.id, acknowledged: true, ack: { by: "王丽" } });
    expect((await ackFloor).ack?.by).toBe("王丽");
    const wAck = await ackWall;
    expect(wAck.ack).toBeUndefined();
    expect(JSON.stringify(wAck)).not.toContain("王丽");
    const audit = await t.api<AuditPage>("GET", "/api/audit?action=alarm.acknowledge", undefined, admin);
    expect(audit.body.rows[0]).toMatchObject({
      actorName: "王丽",
      action: "alarm.acknowledge",
      target: a.id,
      detail: { kind: "pause", counterId: "c01" },
    });

    // Resumed: cleared everywhere.
    const clearedFloor = nextEvent(floor.s, "alarm:changed", (x) => x.id === a.id && x.clearedAt !== undefined, WAIT);
    const clearedWall = nextEvent(wall.s, "alarm:changed", (x) => x.id === a.id && x.clearedAt !== undefined, WAIT);
    expect((await t.api("POST", "/api/counters/c01/resume", {}, clerk)).status).toBe(200);
    await clearedFloor;
    await clearedWall;
    expect((await t.api<AlarmSnapshot>("GET", "/api/alarms", undefined, sup)).body.alarms).toEqual([]);
    expect((await t.api("POST", "/api/counters/c01/sign-out", {}, clerk)).status).toBe(200);
  });

  it("advises counters for a series with a line, and applying moves them live (audited with the diff); stale advice is refused", async () => {
    const cat = (await t.api<Catalogue>("GET", "/api/hall")).body;
    const matterB = cat.matters.find((m) => m.queueId === "q-b")?.id as string;
    for (let i = 0; i < 10; i++) expect((await t.issue({ matterId: matterB })).status).toBe(201);
    // Two clerks at counters of series A (nobody waits there): the spare ones.
    const liuyang = (await t.login("liuyang")).token;
    const chenjing = (await t.login("chenjing")).token;
    expect((await t.api("POST", "/api/counters/c03/sign-in", {}, liuyang)).status).toBe(200);
    expect((await t.api("POST", "/api/counters/c04/sign-in", {}, chenjing)).status).toBe(200);

    const advice = await t.api<Advice>("GET", "/api/advice", undefined, sup);
    expect(advice.status).toBe(200);
    const b = advice.body.series.find((s) => s.queueId === "q-b");
    // 10 waiting, 15 min each, target 20 min (half of B's 40-minute alarm): 8 counters; none open.
    expect(b).toMatchObject({ waiting: 10, serviceSec: 900, targetMin: 20, needed: 8, servers: 0, expectedWaitMin: null });
    expect(b?.arrivalsPerHour).toBe(20);
    expect(b?.moves).toEqual([
      { counterId: "c03", from: ["q-a"], to: ["q-b"] },
      { counterId: "c04", from: ["q-a"], to: ["q-b"] },
    ]);
    expect(b?.short).toBe(6);
    expect(advice.body.series[0]?.queueId).toBe("q-b");

    const body = { queueId: "q-b", moves: b?.moves.map((m) => ({ counterId: m.counterId, from: m.from })) };
    // Neither a clerk nor the public, nor a foreign page, may apply it; nothing changes.
    expect((await t.api("POST", "/api/advice/apply", body, clerk)).body.error.code).toBe("FORBIDDEN");
    expect((await t.api("POST", "/api/advice/apply", body)).body.error.code).toBe("UNAUTHENTICATED");
    expect((await t.api("POST", "/api/advice/apply", body, sup, { origin: "http://evil.example" })).body.error.code).toBe(
      "ORIGIN_REFUSED",
    );
    expect((await t.api("POST", "/api/advice/apply", { queueId: "q-b", moves: [] }, sup)).status).toBe(400);
    expect(
      (await t.api("POST", "/api/advice/apply", { queueId: "q-zz", moves: [{ counterId: "c03", from: ["q-a"] }] }, sup)).body
        .error.code,
    ).toBe("UNKNOWN_QUEUE");
    const unchanged = (await t.api<Catalogue>("GET", "/api/hall")).body;
    expect(unchanged.counters.find((c) => c.id === "c03")?.profile.queueIds).toEqual(["q-a"]);

    const watcher = await connect(sup);
    if (watcher === "ORIGIN_REFUSED") throw new Error("refused");
    expect((await watcher.timeout(WAIT).emitWithAck("subscribe", { view: "hall" })).ok).toBe(true);
    const updated = nextEvent(watcher, "catalogue:updated", () => true, WAIT);
    const applied = await t.api("POST", "/api/advice/apply", body, sup);
    expect(applied.status).toBe(200);
    expect(applied.body).toEqual({
      queueId: "q-b",
      counters: [
        { counterId: "c03", queueIds: ["q-b"] },
        { counterId: "c04", queueIds: ["q-b"] },
      ],
    });
    // Live: the pages get the new catalogue, and c03's next call is a B ticket.
    expect((await updated).counters.find((c) => c.id === "c04")?.profile.queueIds).toEqual(["q-b"]);
    const called = await t.api<Ticket>("POST", "/api/counters/c03/call-next", {}, liuyang);
    expect(called.status).toBe(200);
    expect(called.body.queueId).toBe("q-b");
    // The weights stay what they were.
    const after = (await t.api<Catalogue>("GET", "/api/hall")).body;
    expect(after.counters.find((c) => c.id === "c03")?.profile.weights).toEqual(
      cat.counters.find((c) => c.id === "c03")?.profile.weights,
    );

    const audit = await t.api<AuditPage>("GET", "/api/audit?action=advice.apply", undefined, admin);
    expect(audit.body.rows).toHaveLength(1);
    expect(audit.body.rows[0]).toMatchObject({ actorName: "王丽", target: "q-b", detail: { counters: ["c03", "c04"] } });
    expect(audit.body.rows[0]?.detail.changes).toEqual([
      { path: "counters[c03].profile.queueIds", before: ["q-a"], after: ["q-b"] },
      { path: "counters[c04].profile.queueIds", before: ["q-a"], after: ["q-b"] },
    ]);

    // The same advice again: the counters no longer serve what it saw.
    const stale = await t.api("POST", "/api/advice/apply", body, sup);
    expect(stale.status).toBe(409);
    expect(stale.body.error.code).toBe("ADVICE_STALE");
    expect((await t.api<AuditPage>("GET", "/api/audit?action=advice.apply", undefined, admin)).body.rows).toHaveLength(1);
    // The advice now counts them for B.
    const again = (await t.api<Advice>("GET", "/api/advice", undefined, sup)).body.series.find((s) => s.queueId === "q-b");
    expect(again?.counters).toEqual(["c03", "c04"]);
    expect(again?.servers).toBe(2);
  });

  it("refuses every route to clerks, approvers and the public", async () => {
    for (const [method, path] of [
      ["GET", "/api/alarms"],
      ["GET", "/api/advice"],
      ["POST", "/api/alarms/pause-c01-1/ack"],
    ] as const) {
      const body = method === "POST" ? {} : undefined;
      expect((await t.api(method, path, body, clerk)).body.error.code, path).toBe("FORBIDDEN");
      expect((await t.api(method, path, body, approver)).body.error.code, path).toBe("FORBIDDEN");
      expect((await t.api(method, path, body)).body.error.code, path).toBe("UNAUTHENTICATED");
      expect((await t.api(method, path, body, admin)).status, path).toBeLessThan(500);
    }
  });
});

describe("alarms across a restart", () => {
  it("are raised again from the journal's state, with the same id, unacknowledged", async () => {
    const dataDir = await mkdtemp(join(tmpdir(), "onevisit-alarms-"));
    try {
      const a = await startTestHub({ dataDir });
      const pw = a.password("wangli");
      const clerk = (await a.login("zhangwei")).token;
      const sup = (await a.login("wangli")).token;
      expect((await a.api("POST", "/api/counters/c01/sign-in", {}, clerk)).status).toBe(200);
      expect((await a.api("POST", "/api/counters/c01/pause", { reason: "休息" }, clerk)).status).toBe(200);
      a.advance(20 * 60_000);
      const before = (await a.api<AlarmSnapshot>("GET", "/api/alarms", undefined, sup)).body.alarms;
      expect(before.map((x) => x.kind)).toEqual(["pause"]);
      expect((await a.api("POST", `/api/alarms/${before[0]?.id}/ack`, {}, sup)).status).toBe(200);
      const now = a.now();
      await a.close();

      const b = await startTestHub({ dataDir, startAt: now + 1000 });
      try {
        const sup2 = (await b.login("wangli", pw)).token;
        const after = (await b.api<AlarmSnapshot>("GET", "/api/alarms", undefined, sup2)).body.alarms;
        expect(after).toEqual([{ ...before[0], acknowledged: false }]);
      } finally {
        await b.close();
      }
    } finally {
      await rm(dataDir, { recursive: true, force: true });
    }
  });
});
