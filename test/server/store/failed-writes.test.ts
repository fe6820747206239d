/**
 * A configuration write that fails (a full disk) must change nothing: the request answers
 * 500, memory keeps the old configuration, and the next successful write does not carry
 * the failed change to disk either. The hub's file writer is injected and fails on demand.
 */
import { readFile } from "node:fs/promises";
import { join } from "node:path";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import type { Catalogue } from "../../../server/src/contract/catalogue.ts";
import type { ConfigData } from "../../../server/src/store/config.ts";
import { writeFileDurable } from "../../../server/src/store/durable-file.ts";
import { type TestHub, startTestHub } from "../../helpers/hub.ts";

let failing = false;
const writes: string[] = [];
async function write(path: string, data: string): Promise<void> {
  if (failing) throw Object.assign(new Error("ENOSPC: no space left on device, write"), { code: "ENOSPC" });
  writes.push(path);
  await writeFileDurable(path, data);
}

let t: TestHub;
let admin: string;
beforeAll(async () => {
  t = await startTestHub({ durableWrite: write });
  admin = await t.adminToken();
});
afterAll(async () => {
  await t.close();
});
beforeEach(() => {
  failing = false;
});

async function onDisk(): Promise<ConfigData> {
  return JSON.parse(await readFile(join(t.dataDir, "config.json"), "utf8")) as ConfigData;
}

/** A write that succeeds afterwards, so the file is rewritten from memory. */
async function successfulWrite(username: string): Promise<void> {
  failing = false;
  const r = await t.api("POST", "/api/staff", { username, name: "临时", role: "clerk" }, admin);
  expect(r.status).toBe(201);
}

async function failingRequest(method: string, path: string, body?: unknown, token = admin): Promise<void> {
  failing = true;
  const r = await t.api(method, path, body, token);
  failing = false;
  expect({ status: r.status, code: r.body?.error?.code }).toEqual({ status: 500, code: "INTERNAL" });
}

describe("store/config a failed write changes nothing", () => {
  it("staff add: not listed, cannot log in, and not saved by the next write", async () => {
    await failingRequest("POST", "/api/staff", { username: "ghost", name: "鬼", role: "clerk" });
    expect((await t.api("GET", "/api/staff", undefined, admin)).body.map((s: { username: string }) => s.username)).not.toContain(
      "ghost",
    );
    await successfulWrite("after-add");
    const disk = await onDisk();
    expect(disk.staff.map((s) => s.username)).toContain("after-add");
    expect(disk.staff.map((s) => s.username)).not.toContain("ghost");
  });

  it("staff delete: still listed, still signs in, and still on disk after the next write", async () => {
    const id = t.hub.config.data.staff.find((s) => s.username === "zhangwei")?.id as string;
    await failingRequest("DELETE", `/api/staff/${id}`);
    expect(t.hub.config.data.staff.some((s) => s.id === id)).toBe(true);
    await t.login("zhangwei");
    await successfulWrite("after-delete");
    expect((await onDisk()).staff.some((s) => s.id === id)).toBe(true);
  });

  it("password reset: the old password still works, before and after the next write", async () => {
    const id = t.hub.config.data.staff.find((s) => s.username === "zhangwei")?.id as string;
    const before = (await onDisk()).staff.find((s) => s.id === id);
    await failingRequest("POST", `/api/staff/${id}/password`, {});
    await t.login("zhangwei");
    await successfulWrite("after-reset");
    expect((await onDisk()).staff.find((s) => s.id === id)).toEqual(before);
    await t.login("zhangwei");
  });

  it("catalogue change: the hall keeps the old catalogue, in memory, for clients and on disk", async () => {
    const cat = (await t.api<Catalogue>("GET", "/api/hall")).body;
    const changed = { ...cat, hall: { ...cat.hall, name: "改名失败的大厅" } };
    // The served catalogue carries derived initials, which a PUT does not take.
    for (const m of changed.matters as (Catalogue["matters"][number] & { initials?: string })[]) delete m.initials;
    await failingRequest("PUT", "/api/catalogue", changed);
    expect(t.hub.config.data.catalogue.hall.name).toBe(cat.hall.name);
    expect(t.hub.hall.catalogue().hall.name).toBe(cat.hall.name);
    expect((await t.api<Catalogue>("GET", "/api/hall")).body.hall.name).toBe(cat.hall.name);
    await successfulWrite("after-catalogue");
    expect((await onDisk()).catalogue.hall.name).toBe(cat.hall.name);
  });

  it("work profile change: the counter keeps its profile", async () => {
    const c01 = t.hub.config.data.catalogue.counters.find((c) => c.id === "c01");
    await failingRequest("PUT", "/api/counters/c01/profile", {
      queueIds: c01?.profile.queueIds,
      weights: { green: 7, appointment: 5, normal: 3 },
    });
    expect(t.hub.config.data.catalogue.counters.find((c) => c.id === "c01")?.profile).toEqual(c01?.profile);
    expect(t.hub.hall.counter("c01")?.profile).toEqual(c01?.profile);
    await successfulWrite("after-profile");
    expect((await onDisk()).catalogue.counters.find((c) => c.id === "c01")?.profile).toEqual(c01?.profile);
  });

  it("device add and remove: the device list and the running devices stay as they were", async () => {
    const before = JSON.stringify(t.hub.config.data.devices);
    const running = t.hub.devices.list().length;
    await failingRequest("PUT", "/api/devices/printer-new", {
      kind: "printer",
      name: "新打印机",
      transport: { type: "sim" },
      assignment: { kind: "kiosk", kioskId: "k9" },
    });
    const existing = t.hub.config.data.devices[0]?.id as string;
    await failingRequest("DELETE", `/api/devices/${existing}`);
    expect(JSON.stringify(t.hub.config.data.devices)).toBe(before);
    expect(t.hub.devices.list()).toHaveLength(running);
    expect(t.hub.devices.list().some((d) => d.id === existing)).toBe(true);
    await successfulWrite("after-devices");
    expect(JSON.stringify((await onDisk()).devices)).toBe(before);
  });

  it("logout: the token stays valid, and the next saved logout does not include it", async () => {
    const a = (await t.login("zhangwei")).token;
    await failingRequest("POST", "/api/auth/logout", {}, a);
    expect((await t.api("GET", "/api/auth/me", undefined, a)).status).toBe(200);
    const b = (await t.login("zhangwei")).token;
    failing = false;
    expect((await t.api("POST", "/api/auth/logout", {}, b)).status).toBeLessThan(300);
    expect((await t.api("GET", "/api/auth/me", undefined, b)).status).toBe(401);
    expect((await t.api("GET", "/api/auth/me", undefined, a)).status).toBe(200);
    const saved = JSON.parse(await readFile(join(t.dataDir, "revoked-tokens.json"), "utf8")) as Record<string, number>;
    expect(Object.keys(saved)).toHaveLength(1);
  });
});
