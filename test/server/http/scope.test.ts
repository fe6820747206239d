import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Catalogue } from "../../../server/src/contract/catalogue.ts";
import type { IssuedTicket } from "../../../server/src/contract/events.ts";
import { expectRejected, startTestHub, type TestHub } from "../../helpers/hub.ts";

describe("clerks act and look within their counter's scope (issue 7.14)", () => {
  let t: TestHub;
  let zhang: string;
  let li: string;
  let cat: Catalogue;
  beforeAll(async () => {
    t = await startTestHub();
    cat = (await t.api<Catalogue>("GET", "/api/hall")).body;
    zhang = (await t.login("zhangwei")).token;
    li = (await t.login("lina")).token;
    expect((await t.api("POST", "/api/counters/c01/sign-in", undefined, zhang)).status).toBe(200);
    expect((await t.api("POST", "/api/counters/c02/sign-in", undefined, li)).status).toBe(200);
  });
  afterAll(async () => {
    await t?.close();
  });

  it("GET /api/counters/:id: a clerk sees their own counter only; supervisors and admins any", async () => {
    expect((await t.api("GET", "/api/counters/c01", undefined, zhang)).status).toBe(200);
    await expectRejected(t, { method: "GET", path: "/api/counters/c02", auth: zhang }, 403, "FORBIDDEN");
    await expectRejected(t, { method: "GET", path: "/api/counters/c03", auth: zhang }, 403, "FORBIDDEN");
    const sup = (await t.login("wangli")).token;
    expect((await t.api("GET", "/api/counters/c02", undefined, sup)).status).toBe(200);
    expect((await t.api("GET", "/api/counters/c02", undefined, await t.adminToken())).status).toBe(200);
  });

  it("a clerk signed in at a counter they are not assigned to sees that counter", async () => {
    const liu = (await t.login("liuyang")).token;
    const free = cat.counters.find((c) => !["c01", "c02", "c03", "c04"].includes(c.id) && c.id !== "c11")?.id as string;
    expect((await t.api("GET", `/api/counters/${free}`, undefined, liu)).status).toBe(403);
    expect((await t.api("POST", `/api/counters/${free}/sign-in`, undefined, liu)).status).toBe(200);
    expect((await t.api("GET", `/api/counters/${free}`, undefined, liu)).status).toBe(200);
    expect((await t.api("GET", "/api/counters/c03", undefined, liu)).status).toBe(200);
  });

  it("a clerk cannot call back a ticket parked at a counter whose queues theirs doesn't serve", async () => {
    // c12 serves q-b only; c04 serves q-a only; c01 (comprehensive) serves both.
    const zhao = (await t.login("zhaomin")).token;
    const chen = (await t.login("chenjing")).token;
    expect((await t.api("POST", "/api/counters/c12/sign-in", undefined, zhao)).status).toBe(200);
    expect((await t.api("POST", "/api/counters/c04/sign-in", undefined, chen)).status).toBe(200);
    const matter = cat.matters.find((m) => m.queueId === "q-b")?.id as string;
    const issued = await t.issue({ matterId: matter });
    expect(issued.status).toBe(201);
    const tk = issued.body as IssuedTicket;
    expect((await t.api("POST", `/api/counters/c12/call/${tk.id}`, {}, zhao)).status).toBe(200);
    expect((await t.api("POST", "/api/counters/c12/park", { note: "缺材料" }, zhao)).status).toBe(200);

    await expectRejected(
      t,
      { method: "POST", path: `/api/counters/c04/call/${tk.id}`, body: {}, auth: chen },
      409,
      "QUEUE_NOT_SERVED",
    );
    const s = t.socket({ token: chen });
    const ack = await s.timeout(3000).emitWithAck("counter:command", { type: "call", counterId: "c04", ticketId: tk.id });
    expect(ack).toMatchObject({ ok: false, error: "QUEUE_NOT_SERVED" });
    s.disconnect();
    // A counter serving the ticket's queue may call it back, and so may a supervisor anywhere.
    expect((await t.api("POST", `/api/counters/c01/call/${tk.id}`, {}, zhang)).status).toBe(200);
    expect((await t.api("POST", "/api/counters/c01/park", {}, zhang)).status).toBe(200);
    const sup = (await t.login("wangli")).token;
    expect((await t.api("POST", `/api/counters/c04/call/${tk.id}`, {}, sup)).status).toBe(200);
  });
});
