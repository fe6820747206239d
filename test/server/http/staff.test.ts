import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Catalogue } from "../../../server/src/contract/catalogue.ts";
import type { DeviceConfig, DeviceStatus } from "../../../server/src/contract/devices.ts";
import type { CounterView, HallSnapshot, IssuedTicket, LoginReply } from "../../../server/src/contract/events.ts";
import type { CounterState, PublicTicket, Ticket } from "../../../server/src/contract/tickets.ts";
import { startTestHub, type TestHub } from "../../helpers/hub.ts";

type DeviceRow = DeviceConfig & { status: DeviceStatus };

describe("http staff routes (counter pages, admin)", () => {
  let t: TestHub;
  let matterOf: (queueId: string) => string;
  /** Tokens by username. */
  const tok: Record<string, string> = {};

  beforeAll(async () => {
    t = await startTestHub();
    const cat = (await t.api<Catalogue>("GET", "/api/hall")).body;
    matterOf = (q) => cat.matters.find((m) => m.queueId === q)?.id as string;
    for (const u of ["yangfan", "zhaomin", "huanglei", "wangli"]) tok[u] = (await t.login(u)).token;
  });
  afterAll(async () => {
    await t?.close();
  });

  const post = <T = Ticket>(path: string, user: string, body?: unknown) => t.api<T>("POST", path, body, tok[user]);
  const issue = async (queueId: string): Promise<IssuedTicket> => {
    const r = await t.issue<IssuedTicket>({ matterId: matterOf(queueId) });
    expect(r.status).toBe(201);
    return r.body;
  };

  describe("auth", () => {
    it("login returns a token, the public staff record and the default counter", async () => {
      const r = await t.api<LoginReply>("POST", "/api/auth/login", { username: "yangfan", password: t.password("yangfan") });
      expect(r.status).toBe(200);
      expect(r.body.counterId).toBe("c11");
      expect(r.body.staff).toEqual({ id: expect.any(String), username: "yangfan", name: "杨帆", role: "clerk" });
      expect(r.body.token).toMatch(/^[\w-]+\.[\w-]+$/);
      const admin = await t.login("admin");
      expect(admin).toMatchObject({ counterId: null, staff: { username: "admin", role: "admin" } });
    });

    it("me answers for the token's owner; logout revokes only that token", async () => {
      const a = await t.login("zhaomin");
      const other = tok.zhaomin as string;
      const me = await t.api("GET", "/api/auth/me", undefined, a.token);
      expect(me.status).toBe(200);
      expect(me.body).toEqual({ staff: a.staff, counterId: "c12" });
      expect(JSON.stringify(me.body)).not.toMatch(/hash|salt/);
      const out = await t.api("POST", "/api/auth/logout", undefined, a.token);
      expect(out.status).toBe(204);
      expect(out.body).toBe("");
      const after = await t.api("GET", "/api/auth/me", undefined, a.token);
      expect(after.status).toBe(401);
      expect(after.body.error.code).toBe("UNAUTHENTICATED");
      expect((await t.api("GET", "/api/auth/me", undefined, other)).status).toBe(200);
    });
  });

  describe("a clerk's day at window 11 (不动产)", () => {
    it("sign-in opens the counter (idempotent), and the counter view shows it", async () => {
      const r = await post<CounterState>("/api/counters/c11/sign-in", "yangfan");
      expect(r.status).toBe(200);
      expect(r.body).toMatchObject({ id: "c11", status: "idle", staffName: "杨帆", ratingRequested: false, servedToday: 0 });
      const again = await post<CounterState>("/api/counters/c11/sign-in", "yangfan");
      expect(again.body).toEqual(r.body);
      const v = await t.api<CounterView>("GET", "/api/counters/c11", undefined, tok.yangfan);
      expect(v.status).toBe(200);
      expect(v.body.counter).toEqual(r.body);
      expect(v.body.current).toBeNull();
      expect(v.body.queues.map((q) => q.queueId)).toEqual(["q-b"]);
      expect(v.body.today).toEqual({ served: 0, avgServiceSec: 0, avgRating: null, noShows: 0 });
    });

    it("call-next answers 204 with no body when nobody waits", async () => {
      const r = await post("/api/counters/c11/call-next", "yangfan");
      expect(r.status).toBe(204);
      expect(r.body).toBe("");
    });

    it("call-next → recall → start → finish with an outcome", async () => {
      const a = await issue("q-b");
      const called = await post("/api/counters/c11/call-next", "yangfan");
      expect(called.status).toBe(200);
      expect(called.body).toMatchObject({ id: a.id, number: a.number, status: "called", counterId: "c11", recalls: 0 });
      expect(called.body.staffId).toBeTruthy();
      const snap = (await t.api<HallSnapshot>("GET", "/api/state")).body;
      expect(snap.counters.find((c) => c.id === "c11")).toMatchObject({ status: "calling", currentTicketId: a.id });
      expect(snap.recentCalls[0]).toMatchObject({ ticketId: a.id, counterId: "c11", number: a.number });
      const recall = await post("/api/counters/c11/recall", "yangfan");
      expect(recall.body).toMatchObject({ id: a.id, status: "called", recalls: 1 });
      expect((await t.api<PublicTicket>("GET", `/api/tickets/${a.id}`)).body.recalls).toBe(1);
      const start = await post("/api/counters/c11/start", "yangfan");
      expect(start.body).toMatchObject({ id: a.id, status: "serving" });
      expect((await t.api<CounterView>("GET", "/api/counters/c11", undefined, tok.yangfan)).body.counter.status).toBe("serving");
      const fin = await post("/api/counters/c11/finish", "yangfan", { outcome: "accepted_incomplete" });
      expect(fin.status).toBe(200);
      expect(fin.body).toMatchObject({ id: a.id, status: "done", outcome: "accepted_incomplete" });
      const v = (await t.api<CounterView>("GET", "/api/counters/c11", undefined, tok.yangfan)).body;
      expect(v.counter).toMatchObject({ status: "idle", servedToday: 1 });
      expect(v.counter.currentTicketId).toBeUndefined();
      expect(v.today.served).toBe(1);
    });

    it("request-rating asks the last visitor to rate", async () => {
      const r = await post<CounterState>("/api/counters/c11/request-rating", "yangfan");
      expect(r.status).toBe(200);
      expect(r.body).toMatchObject({ id: "c11", ratingRequested: true });
    });

    it("no-show moves the called ticket to the counter's no-shows", async () => {
      const a = await issue("q-b");
      expect((await post("/api/counters/c11/call-next", "yangfan")).body.id).toBe(a.id);
      const r = await post("/api/counters/c11/no-show", "yangfan");
      expect(r.body).toMatchObject({ id: a.id, status: "no_show" });
      const v = (await t.api<CounterView>("GET", "/api/counters/c11", undefined, tok.yangfan)).body;
      expect(v.noShows.map((x) => x.id)).toContain(a.id);
      expect(v.today.noShows).toBe(1);
      expect(v.counter.status).toBe("idle");
    });

    it("transfer to a queue keeps the visitor's arrival time (ahead of later arrivals there)", async () => {
      const moved = await issue("q-b");
      const later = await issue("q-c");
      expect((await post("/api/counters/c11/call-next", "yangfan")).body.id).toBe(moved.id);
      const r = await post("/api/counters/c11/transfer", "yangfan", { toQueueId: "q-c", note: "一链办理：契税" });
      expect(r.status).toBe(200);
      expect(r.body).toMatchObject({ id: moved.id, status: "waiting", queueId: "q-c", transfers: 1 });
      expect(r.body.notes).toContain("一链办理：契税");
      expect((await t.api<PublicTicket>("GET", `/api/tickets/${moved.id}`)).body.position).toBe(0);
      expect((await post("/api/counters/c17/sign-in", "huanglei")).status).toBe(200);
      expect((await post("/api/counters/c17/call-next", "huanglei")).body.id).toBe(moved.id);
      // A called visitor is started before the next call (call-next never closes a called one).
      await post("/api/counters/c17/start", "huanglei");
      expect((await post("/api/counters/c17/call-next", "huanglei")).body.id).toBe(later.id);
      await post("/api/counters/c17/finish", "huanglei");
    });

    it("transfer to a counter: only that counter calls it", async () => {
      const a = await issue("q-b");
      expect((await post("/api/counters/c11/call-next", "yangfan")).body.id).toBe(a.id);
      const r = await post("/api/counters/c11/transfer", "yangfan", { toCounterId: "c12" });
      expect(r.body).toMatchObject({ id: a.id, status: "waiting", targetCounterId: "c12" });
      // c11 serves q-b too, but the ticket is meant for c12.
      expect((await post("/api/counters/c11/call-next", "yangfan")).status).toBe(204);
      expect((await post("/api/counters/c12/sign-in", "zhaomin")).status).toBe(200);
      const c = await post("/api/counters/c12/call-next", "zhaomin");
      expect(c.body).toMatchObject({ id: a.id, counterId: "c12", status: "called" });
      await post("/api/counters/c12/finish", "zhaomin");
    });

    it("park, serve someone else, then call the parked visitor back", async () => {
      const a = await issue("q-b");
      const b = await issue("q-b");
      expect((await post("/api/counters/c11/call-next", "yangfan")).body.id).toBe(a.id);
      await post("/api/counters/c11/start", "yangfan");
      const parked = await post("/api/counters/c11/park", "yangfan", { note: "去复印身份证" });
      expect(parked.body).toMatchObject({ id: a.id, status: "parked" });
      expect(parked.body.notes).toContain("去复印身份证");
      const v = (await t.api<CounterView>("GET", "/api/counters/c11", undefined, tok.yangfan)).body;
      expect(v.parked.map((x) => x.id)).toEqual([a.id]);
      expect((await post("/api/counters/c11/call-next", "yangfan")).body.id).toBe(b.id);
      await post("/api/counters/c11/start", "yangfan");
      const back = await post(`/api/counters/c11/call/${a.id}`, "yangfan", {});
      expect(back.status).toBe(200);
      expect(back.body).toMatchObject({ id: a.id, status: "called", counterId: "c11" });
      // Calling someone else closes the ticket being served, as call-next does.
      expect((await t.api<PublicTicket>("GET", `/api/tickets/${b.id}`)).body.status).toBe("done");
      expect((await t.api<CounterView>("GET", "/api/counters/c11", undefined, tok.yangfan)).body.parked).toEqual([]);
      await post("/api/counters/c11/finish", "yangfan", { outcome: "completed" });
    });

    it("call a specific waiting ticket out of turn, recording why", async () => {
      const first = await issue("q-b");
      const urgent = await issue("q-b");
      const r = await post(`/api/counters/c11/call/${urgent.id}`, "yangfan", { reason: "孕妇优先" });
      expect(r.status).toBe(200);
      expect(r.body).toMatchObject({ id: urgent.id, status: "called", counterId: "c11" });
      expect(r.body.notes).toContain("孕妇优先");
      expect((await t.api<PublicTicket>("GET", `/api/tickets/${first.id}`)).body).toMatchObject({
        status: "waiting",
        position: 0,
      });
      await post("/api/counters/c11/finish", "yangfan");
      expect((await post("/api/counters/c11/call-next", "yangfan")).body.id).toBe(first.id);
      await post("/api/counters/c11/finish", "yangfan");
    });

    it("pause with a reason, then resume", async () => {
      const p = await post<CounterState>("/api/counters/c11/pause", "yangfan", { reason: "午休" });
      expect(p.status).toBe(200);
      expect(p.body).toMatchObject({ id: "c11", status: "paused", pauseReason: "午休" });
      const snap = (await t.api<HallSnapshot>("GET", "/api/state")).body;
      expect(snap.counters.find((c) => c.id === "c11")?.status).toBe("paused");
      const r = await post<CounterState>("/api/counters/c11/resume", "yangfan");
      expect(r.body).toMatchObject({ id: "c11", status: "idle" });
      expect(r.body.pauseReason).toBeUndefined();
    });

    it("signing in at another counter signs out of the old one", async () => {
      const r = await post<CounterState>("/api/counters/c13/sign-in", "yangfan");
      expect(r.body).toMatchObject({ id: "c13", status: "idle", staffName: "杨帆" });
      const snap = (await t.api<HallSnapshot>("GET", "/api/state")).body;
      expect(snap.counters.find((c) => c.id === "c11")).toMatchObject({ status: "closed" });
      expect(snap.counters.find((c) => c.id === "c11")?.staffId).toBeUndefined();
      expect((await post<CounterState>("/api/counters/c11/sign-in", "yangfan")).body.status).toBe("idle");
    });

    it("a supervisor may take over a counter a clerk holds; the ticket stays", async () => {
      const a = await issue("q-b");
      expect((await post("/api/counters/c11/call-next", "yangfan")).body.id).toBe(a.id);
      // Without the confirmation the page asks for, a supervisor's sign-in is refused.
      expect((await post("/api/counters/c11/sign-in", "wangli")).body).toMatchObject({ error: { code: "COUNTER_TAKEN" } });
      const r = await post<CounterState>("/api/counters/c11/sign-in", "wangli", { takeover: true });
      expect(r.status).toBe(200);
      expect(r.body).toMatchObject({ id: "c11", staffName: "王丽", currentTicketId: a.id, status: "calling" });
      const fin = await post("/api/counters/c11/finish", "wangli");
      expect(fin.body).toMatchObject({ id: a.id, status: "done" });
    });

    it("sign-out closes the counter", async () => {
      const r = await post<CounterState>("/api/counters/c11/sign-out", "wangli");
      expect(r.status).toBe(200);
      expect(r.body).toMatchObject({ id: "c11", status: "closed" });
      expect(r.body.staffId).toBeUndefined();
    });
  });

  describe("devices (admin)", () => {
    const cfg = {
      kind: "printer",
      name: "5号自助取号机 热敏打印机",
      transport: { type: "sim" },
      assignment: { kind: "kiosk", kioskId: "k5" },
      options: { paperWidthMm: 58 },
    };

    it("admins and supervisors list devices with their status", async () => {
      const admin = await t.adminToken();
      const r = await t.api<DeviceRow[]>("GET", "/api/devices", undefined, admin);
      expect(r.status).toBe(200);
      expect(r.body).toHaveLength(174);
      const p = r.body.find((d) => d.id === "printer-k1");
      expect(p).toMatchObject({ kind: "printer", transport: { type: "sim" }, assignment: { kind: "kiosk", kioskId: "k1" } });
      expect(p?.status).toMatchObject({ id: "printer-k1", kind: "printer", health: "online" });
      const sup = await t.api<DeviceRow[]>("GET", "/api/devices", undefined, tok.wangli);
      expect(sup.status).toBe(200);
      expect(sup.body).toHaveLength(174);
    });

    it("PUT adds a device, PUT again replaces it, DELETE removes it", async () => {
      const admin = await t.adminToken();
      const put = await t.api<DeviceRow>("PUT", "/api/devices/printer-k5", cfg, admin);
      expect(put.status).toBe(200);
      expect(put.body).toMatchObject({ ...cfg, id: "printer-k5", status: { id: "printer-k5", kind: "printer" } });
      expect(t.hub.config.data.devices.some((d) => d.id === "printer-k5")).toBe(true);
      let list = (await t.api<DeviceRow[]>("GET", "/api/devices", undefined, admin)).body;
      expect(list).toHaveLength(175);

      const renamed = await t.api<DeviceRow>("PUT", "/api/devices/printer-k5", { ...cfg, name: "五号机" }, admin);
      expect(renamed.body.name).toBe("五号机");
      list = (await t.api<DeviceRow[]>("GET", "/api/devices", undefined, admin)).body;
      expect(list).toHaveLength(175);
      expect(list.find((d) => d.id === "printer-k5")?.name).toBe("五号机");

      // The new kiosk printer prints tickets.
      const issued = await t.issue<IssuedTicket>({ matterId: matterOf("q-a"), kioskId: "k5" });
      expect(issued.body.print).toEqual({ status: "printed", printerId: "printer-k5" });

      const del = await t.api("DELETE", "/api/devices/printer-k5", undefined, admin);
      expect(del.status).toBe(204);
      list = (await t.api<DeviceRow[]>("GET", "/api/devices", undefined, admin)).body;
      expect(list).toHaveLength(174);
      expect(t.hub.config.data.devices.some((d) => d.id === "printer-k5")).toBe(false);
    });

    it("simulate injects faults into simulated devices and clears them", async () => {
      const admin = await t.adminToken();
      const out = await t.api<DeviceStatus>("POST", "/api/devices/printer-k2/simulate", { fault: "paper_out" }, admin);
      expect(out.status).toBe(200);
      expect(out.body).toMatchObject({ id: "printer-k2", kind: "printer" });
      let health = "";
      for (let i = 0; i < 50 && health !== "paper_out"; i++) {
        const l = (await t.api<DeviceRow[]>("GET", "/api/devices", undefined, admin)).body;
        health = l.find((d) => d.id === "printer-k2")?.status.health ?? "";
        if (health !== "paper_out") await new Promise((r) => setTimeout(r, 20));
      }
      expect(health).toBe("paper_out");
      expect((await t.api("POST", "/api/devices/printer-k2/simulate", { fault: "ok" }, admin)).status).toBe(200);
      for (let i = 0; i < 50 && health !== "online"; i++) {
        const l = (await t.api<DeviceRow[]>("GET", "/api/devices", undefined, admin)).body;
        health = l.find((d) => d.id === "printer-k2")?.status.health ?? "";
        if (health !== "online") await new Promise((r) => setTimeout(r, 20));
      }
      expect(health).toBe("online");
      expect((await t.api("POST", "/api/devices/scanner-k2/simulate", { fault: "unplug" }, admin)).status).toBe(200);
      expect((await t.api("POST", "/api/devices/scanner-k2/simulate", { fault: "ok" }, admin)).status).toBe(200);
    });
  });
});
