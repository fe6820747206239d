import { rm, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type RunningHub, startHub } from "../../../server/src/app.ts";
import type { HubClient, TestHub } from "../../helpers/hub.ts";
import { connected, nextEvent, startTestHub } from "../../helpers/hub.ts";

/** Resolve with the reason once `s` is disconnected (or reject after `ms`). */
function disconnected(s: HubClient, ms = 3000): Promise<string> {
  if (!s.connected) return Promise.resolve("already");
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error("socket stayed connected")), ms);
    s.once("disconnect", (reason) => {
      clearTimeout(timer);
      resolve(reason);
    });
  });
}

/** A command any signed-in clerk of c01 may give; its ack says whether the session still counts. */
const pause = (s: HubClient) =>
  s.timeout(3000).emitWithAck("counter:command", { type: "pause", counterId: "c01", reason: "测试" });
const resume = (s: HubClient) => s.timeout(3000).emitWithAck("counter:command", { type: "resume", counterId: "c01" });

describe("sessions end on logout, password reset and deletion (issue 7.5)", () => {
  let t: TestHub;
  beforeAll(async () => {
    t = await startTestHub();
  });
  afterAll(async () => {
    await t?.close();
  });

  /** A fresh clerk session at c01, signed in, with a connected socket. */
  async function clerkAtC01(): Promise<{ token: string; s: HubClient }> {
    const { token } = await t.login("zhangwei");
    expect((await t.api("POST", "/api/counters/c01/sign-in", undefined, token)).status).toBe(200);
    const s = t.socket({ token });
    await connected(s);
    expect(await pause(s)).toMatchObject({ ok: true });
    expect(await resume(s)).toMatchObject({ ok: true });
    return { token, s };
  }

  it("logout disconnects the token's sockets, and a reconnect with it is refused", async () => {
    const { token, s } = await clerkAtC01();
    const other = (await t.login("zhangwei")).token;
    const kept = t.socket({ token: other });
    await connected(kept);
    const gone = disconnected(s);
    expect((await t.api("POST", "/api/auth/logout", undefined, token)).status).toBe(204);
    expect(await gone).toBe("io server disconnect");
    s.connect();
    await connected(s);
    expect(await pause(s)).toMatchObject({ ok: false, error: "UNAUTHENTICATED" });
    // The account's other session (another device) is not touched by this logout.
    expect(kept.connected).toBe(true);
    expect(await pause(kept)).toMatchObject({ ok: true });
    expect(await resume(kept)).toMatchObject({ ok: true });
  });

  it("a socket recovered after a blink (recovery skips the handshake check) cannot act after logout", async () => {
    const { token, s } = await clerkAtC01();
    // Recovery needs one broadcast with an offset before the blink.
    await s.emitWithAck("subscribe", { view: "hall" });
    const warm = nextEvent(s, "ticket:issued");
    expect((await t.issue({ matterId: "m-001" })).status).toBe(201);
    await warm;
    s.io.reconnection(false);
    const blink = disconnected(s);
    // A transport failure, not a client disconnect: the server keeps the session for recovery.
    s.io.engine.close();
    expect(["forced close", "transport close"]).toContain(await blink);
    expect((await t.api("POST", "/api/auth/logout", undefined, token)).status).toBe(204);
    s.connect();
    await connected(s);
    expect(s.recovered).toBe(true);
    expect(await pause(s)).toMatchObject({ ok: false, error: "UNAUTHENTICATED" });
  });

  it("a password reset ends every session of the account at once, and after a restart", async () => {
    const admin = await t.adminToken();
    const { token, s } = await clerkAtC01();
    const second = (await t.login("zhangwei")).token;
    const gone = disconnected(s);
    const r = await t.api<{ password: string }>("POST", "/api/staff/s-002/password", undefined, admin);
    expect(r.status).toBe(200);
    expect(await gone).toBe("io server disconnect");
    for (const old of [token, second]) expect((await t.api("GET", "/api/auth/me", undefined, old)).status).toBe(401);
    s.connect();
    await connected(s);
    expect(await pause(s)).toMatchObject({ ok: false, error: "UNAUTHENTICATED" });
    // The new password gives a working session; the admin's own session is untouched.
    const fresh = await t.login("zhangwei", r.body.password);
    expect((await t.api("GET", "/api/auth/me", undefined, fresh.token)).status).toBe(200);
    expect((await t.api("GET", "/api/auth/me", undefined, admin)).status).toBe(200);
  });

  it("deleting an account disconnects its sockets", async () => {
    const admin = await t.adminToken();
    const created = await t.api<{ staff: { id: string }; password: string }>(
      "POST",
      "/api/staff",
      { username: "temp.clerk", name: "临时", role: "clerk", counterId: "c03" },
      admin,
    );
    expect(created.status).toBe(201);
    const { token } = await t.login("temp.clerk", created.body.password);
    const s = t.socket({ token });
    await connected(s);
    const gone = disconnected(s);
    expect((await t.api("DELETE", `/api/staff/${created.body.staff.id}`, undefined, admin)).status).toBe(204);
    expect(await gone).toBe("io server disconnect");
    expect((await t.api("GET", "/api/auth/me", undefined, token)).status).toBe(401);
  });

  it("a token with anything appended is refused, over REST and the socket", async () => {
    const { token } = await t.login("liuyang");
    expect((await t.api("GET", "/api/auth/me", undefined, token)).status).toBe(200);
    const [body, sig] = token.split(".") as [string, string];
    const variants = [
      `${token}.x`,
      `${token}x`,
      `${token}=`,
      `${token}.${sig}`,
      `${body}=.${sig}`,
      `${body}.${sig}==`,
      `.${token}`,
    ];
    for (const v of variants) {
      const r = await t.api("GET", "/api/auth/me", undefined, { header: `Bearer ${v}` });
      expect({ v, status: r.status }).toEqual({ v, status: 401 });
    }
    const s = t.socket({ token: `${token}.x` });
    await connected(s);
    expect(await pause(s)).toMatchObject({ ok: false, error: "UNAUTHENTICATED" });
  });
});

describe("a password reset holds across a restart (issue 7.5)", () => {
  let hub: RunningHub | undefined;
  let dataDir = "";
  // The restarted hub runs on the test hub's clock: on the real one, the admin's token (signed
  // at the test hub's 10:00) had outlived its 12 h after 22:00 in the hall, 14:00 UTC.
  let clock: () => number = Date.now;
  afterAll(async () => {
    await hub?.close();
    if (dataDir) await rm(dataDir, { recursive: true, force: true });
  });

  it("tokens from before the reset stay refused after the hub restarts", async () => {
    const t = await startTestHub();
    dataDir = t.dataDir;
    clock = t.now;
    const old = (await t.login("lina")).token;
    const admin = await t.adminToken();
    expect((await t.api("POST", "/api/staff/s-003/password", undefined, admin)).status).toBe(200);
    await t.hub.close();
    hub = await startHub({ port: 0, host: "127.0.0.1", dataDir, clock, log: () => {} });
    const me = (token: string) => fetch(`${hub?.url}/api/auth/me`, { headers: { authorization: `Bearer ${token}` } });
    expect((await me(old)).status).toBe(401);
    expect((await me(admin)).status).toBe(200);
    expect(
      JSON.parse(await import("node:fs/promises").then((f) => f.readFile(join(dataDir, "session-generations.json"), "utf8"))),
    ).toEqual({
      "s-003": 1,
    });
  });

  it("a damaged generations file ends every earlier session (nobody can tell which were ended)", async () => {
    const before = (await (
      await fetch(`${hub?.url}/api/auth/login`, {
        method: "POST",
        headers: { "content-type": "application/json" },
        body: JSON.stringify({ username: "admin", password: "test-admin-pw" }),
      })
    ).json()) as { token: string };
    await hub?.close();
    await writeFile(join(dataDir, "session-generations.json"), "{damaged");
    const lines: string[] = [];
    hub = await startHub({ port: 0, host: "127.0.0.1", dataDir, clock, log: (l) => lines.push(l) });
    const me = (token: string) => fetch(`${hub?.url}/api/auth/me`, { headers: { authorization: `Bearer ${token}` } });
    expect((await me(before.token)).status).toBe(401);
    expect(lines.some((l) => l.includes("session-generations.json is unreadable"))).toBe(true);
    const after = (await (
      await fetch(`${hub?.url}/api/auth/login`, {
        method: "POST",
        headers: { "content-type": "application/json" },
        body: JSON.stringify({ username: "admin", password: "test-admin-pw" }),
      })
    ).json()) as { token: string };
    expect((await me(after.token)).status).toBe(200);
  });
});
