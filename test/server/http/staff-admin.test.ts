import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { StaffPublic } from "../../../server/src/contract/catalogue.ts";
import { type TestHub, expectRejected, startTestHub } from "../../helpers/hub.ts";

describe("http staff administration", () => {
  let t: TestHub;
  let admin: string;
  beforeAll(async () => {
    t = await startTestHub();
    admin = await t.adminToken();
  });
  afterAll(() => t.close());

  it("creates a clerk whose generated password works once shown, and lists the account without any hash", async () => {
    const r = await t.api<{ staff: StaffPublic; password: string }>(
      "POST",
      "/api/staff",
      { username: "liming", name: "李明", role: "clerk", counterId: "c07" },
      admin,
    );
    expect(r.status).toBe(201);
    expect(r.body.staff).toMatchObject({ username: "liming", name: "李明", role: "clerk" });
    expect(r.body.password).toMatch(/^[A-Za-z0-9]{12}$/);
    const login = await t.api("POST", "/api/auth/login", { username: "liming", password: r.body.password });
    expect(login.status).toBe(200);
    expect(login.body.counterId).toBe("c07");
    const list = await t.api<Record<string, unknown>[]>("GET", "/api/staff", undefined, admin);
    const row = list.body.find((s) => s.username === "liming");
    expect(row).toEqual({ id: r.body.staff.id, username: "liming", name: "李明", role: "clerk", counterId: "c07" });
    expect(JSON.stringify(list.body)).not.toMatch(/hash|salt/);
    // Persisted: in config.json with a hash, never the password.
    const raw = await (await import("node:fs/promises")).readFile(`${t.dataDir}/config.json`, "utf8");
    expect(raw).toContain('"username": "liming"');
    expect(raw).not.toContain(r.body.password);
  });

  it("resets a password: the old one stops working, the new one works", async () => {
    const list = (await t.api<StaffPublic[]>("GET", "/api/staff", undefined, admin)).body;
    const id = list.find((s) => s.username === "zhangwei")?.id as string;
    const old = t.password("zhangwei");
    const r = await t.api<{ password: string }>("POST", `/api/staff/${id}/password`, {}, admin);
    expect(r.status).toBe(200);
    expect((await t.api("POST", "/api/auth/login", { username: "zhangwei", password: old })).status).toBe(401);
    expect((await t.api("POST", "/api/auth/login", { username: "zhangwei", password: r.body.password })).status).toBe(200);
  });

  it("removes an account (its token stops working) but never the last admin or yourself", async () => {
    const created = await t.api<{ staff: StaffPublic; password: string }>(
      "POST",
      "/api/staff",
      { username: "temp1", name: "临时", role: "supervisor" },
      admin,
    );
    const token = (await t.login("temp1", created.body.password)).token;
    expect((await t.api("GET", "/api/auth/me", undefined, token)).status).toBe(200);
    expect((await t.api("DELETE", `/api/staff/${created.body.staff.id}`, undefined, admin)).status).toBe(204);
    expect((await t.api("GET", "/api/auth/me", undefined, token)).status).toBe(401);
    const adminId = (await t.api<StaffPublic[]>("GET", "/api/staff", undefined, admin)).body.find((s) => s.username === "admin")
      ?.id as string;
    await expectRejected(t, { method: "DELETE", path: `/api/staff/${adminId}`, auth: admin }, 409, "INVALID_TRANSITION");
  });

  it("rejects bad input and non-admins, changing nothing", async () => {
    const before = (await t.api<StaffPublic[]>("GET", "/api/staff", undefined, admin)).body.length;
    await expectRejected(
      t,
      { method: "POST", path: "/api/staff", body: { username: "zhangwei", name: "重名", role: "clerk" }, auth: admin },
      400,
      "VALIDATION_FAILED",
    );
    await expectRejected(
      t,
      { method: "POST", path: "/api/staff", body: { username: "X Y", name: "坏名", role: "clerk" }, auth: admin },
      400,
      "VALIDATION_FAILED",
    );
    await expectRejected(
      t,
      { method: "POST", path: "/api/staff", body: { username: "nobody", name: "无", role: "boss" }, auth: admin },
      400,
      "VALIDATION_FAILED",
    );
    await expectRejected(
      t,
      {
        method: "POST",
        path: "/api/staff",
        body: { username: "nocounter", name: "无", role: "clerk", counterId: "c99" },
        auth: admin,
      },
      404,
      "UNKNOWN_COUNTER",
    );
    await expectRejected(t, { method: "POST", path: "/api/staff/s-nope/password", body: {}, auth: admin }, 404, "NOT_FOUND");
    const clerk = (await t.login("lina")).token;
    await expectRejected(t, { method: "GET", path: "/api/staff", auth: clerk }, 403, "FORBIDDEN");
    await expectRejected(
      t,
      { method: "POST", path: "/api/staff", body: { username: "sneaky", name: "偷", role: "admin" }, auth: clerk },
      403,
      "FORBIDDEN",
    );
    expect((await t.api<StaffPublic[]>("GET", "/api/staff", undefined, admin)).body.length).toBe(before);
  });
});
