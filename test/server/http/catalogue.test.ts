import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Catalogue, Counter } from "../../../server/src/contract/catalogue.ts";
import { type TestHub, connected, expectRejected, nextEvent, startTestHub } from "../../helpers/hub.ts";

describe("http catalogue administration", () => {
  let t: TestHub;
  let admin: string;
  beforeAll(async () => {
    t = await startTestHub();
    admin = await t.adminToken();
  });
  afterAll(() => t.close());

  it("moves a counter to another queue while the hall runs, and the counter then calls from it", async () => {
    const sock = t.socket();
    await connected(sock);
    await new Promise((r) => sock.emit("subscribe", { view: "hall" }, r));
    const hall = (await t.api<Catalogue>("GET", "/api/hall")).body;
    const c05 = hall.counters.find((c) => c.id === "c05") as Counter;
    const matter = hall.matters.find(
      (m) => !c05.profile.queueIds.includes(m.queueId) && m.queueId !== "q-h" && m.queueId !== "q-j",
    );
    if (!matter) throw new Error("demo hall has no matter outside c05's queues");
    const issued = await t.issue({ matterId: matter.id });
    expect(issued.status).toBe(201);

    const updated = nextEvent(sock, "catalogue:updated");
    const r = await t.api<Counter>(
      "PUT",
      "/api/counters/c05/profile",
      {
        queueIds: [matter.queueId],
        weights: { green: 1, appointment: 1, normal: 3 },
      },
      admin,
    );
    expect(r.status).toBe(200);
    expect(r.body.profile.queueIds).toEqual([matter.queueId]);
    expect((await updated).counters.find((c) => c.id === "c05")?.profile.queueIds).toEqual([matter.queueId]);
    expect((await t.api<Catalogue>("GET", "/api/hall")).body.counters.find((c) => c.id === "c05")?.profile.weights.normal).toBe(
      3,
    );

    expect((await t.api("POST", "/api/counters/c05/sign-in", {}, admin)).status).toBe(200);
    const called = await t.api("POST", "/api/counters/c05/call-next", {}, admin);
    expect(called.status).toBe(200);
    expect(called.body.id).toBe(issued.body.id);
    await t.api("POST", "/api/counters/c05/finish", {}, admin);
    await t.api("POST", "/api/counters/c05/sign-out", {}, admin);
  });

  it("keeps the change across a restart (it is in config.json)", async () => {
    const raw = JSON.parse(await (await import("node:fs/promises")).readFile(`${t.dataDir}/config.json`, "utf8"));
    expect(raw.catalogue.counters.find((c: Counter) => c.id === "c05").profile.weights.normal).toBe(3);
  });

  it("rejects an invalid catalogue, a removed queue still in use, and non-admins, changing nothing", async () => {
    const hall = (await t.api<Catalogue>("GET", "/api/hall")).body;
    const broken = { ...hall, matters: hall.matters.map((m, i) => (i === 0 ? { ...m, queueId: "q-nope" } : m)) };
    await expectRejected(t, { method: "PUT", path: "/api/catalogue", body: broken, auth: admin }, 400, "VALIDATION_FAILED");
    await expectRejected(
      t,
      {
        method: "PUT",
        path: "/api/counters/c05/profile",
        body: { queueIds: [], weights: { green: 1, appointment: 1, normal: 1 } },
        auth: admin,
      },
      400,
      "VALIDATION_FAILED",
    );
    await expectRejected(
      t,
      {
        method: "PUT",
        path: "/api/counters/c99/profile",
        body: { queueIds: ["q-a"], weights: { green: 1, appointment: 1, normal: 1 } },
        auth: admin,
      },
      404,
      "UNKNOWN_COUNTER",
    );

    // A waiting ticket in q-b: its queue cannot disappear today.
    const mB = hall.matters.find((m) => m.queueId === "q-b");
    expect((await t.issue({ matterId: mB?.id })).status).toBe(201);
    const withoutB = {
      ...hall,
      queues: hall.queues.filter((q) => q.id !== "q-b"),
      matters: hall.matters.filter((m) => m.queueId !== "q-b"),
      counters: hall.counters
        .map((c) => ({ ...c, profile: { ...c.profile, queueIds: c.profile.queueIds.filter((q) => q !== "q-b") } }))
        .filter((c) => c.profile.queueIds.length > 0),
    };
    for (const m of withoutB.matters) delete (m as { initials?: string }).initials;
    await expectRejected(t, { method: "PUT", path: "/api/catalogue", body: withoutB, auth: admin }, 409, "INVALID_TRANSITION");

    const clerk = (await t.login("zhangwei")).token;
    await expectRejected(t, { method: "PUT", path: "/api/catalogue", body: hall, auth: clerk }, 403, "FORBIDDEN");
    await expectRejected(
      t,
      {
        method: "PUT",
        path: "/api/counters/c05/profile",
        body: { queueIds: ["q-a"], weights: { green: 1, appointment: 1, normal: 1 } },
        auth: clerk,
      },
      403,
      "FORBIDDEN",
    );
  });

  it("accepts the catalogue it serves back (initials are derived, not stored)", async () => {
    const hall = (await t.api<Catalogue>("GET", "/api/hall")).body;
    const plain = {
      ...hall,
      matters: hall.matters.map(({ initials: _i, ...m }) => m),
      hall: { ...hall.hall, notice: "今日系统演示" },
    };
    const r = await t.api<Catalogue>("PUT", "/api/catalogue", plain, admin);
    expect(r.status).toBe(200);
    expect(r.body.hall.notice).toBe("今日系统演示");
    expect(r.body.matters[0]?.initials).toMatch(/^[a-z]+$/);
  });

  it("round-trips: the document GET /api/hall serves is accepted verbatim by PUT /api/catalogue", async () => {
    const served = (await t.api<Catalogue>("GET", "/api/hall")).body;
    // Exactly what an integrator reads, sent back untouched: derived keys (initials, pinyin,
    // the version) included.
    const r = await t.api<Catalogue>("PUT", "/api/catalogue", served, admin);
    expect(r.status, JSON.stringify(r.body)).toBe(200);
    const again = (await t.api<Catalogue>("GET", "/api/hall")).body;
    expect(again).toEqual(served);
  });
});
