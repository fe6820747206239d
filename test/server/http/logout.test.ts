import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { type RunningHub, startHub } from "../../../server/src/app.ts";
import { jsonApi } from "../../helpers/http.ts";

describe("http logout", () => {
  let hub: RunningHub | undefined;
  let dataDir = "";
  const api = jsonApi(() => hub?.url ?? "");
  const boot = async () => {
    hub = await startHub({ port: 0, host: "127.0.0.1", dataDir, adminPassword: "logout-admin-pw", log: () => {} });
  };
  afterAll(async () => {
    await hub?.close();
    await rm(dataDir, { recursive: true, force: true });
  });

  it("a logged-out token stays refused after a hub restart, while other tokens keep working", async () => {
    dataDir = await mkdtemp(join(tmpdir(), "onevisit-logout-"));
    await boot();
    const login = () => api<{ token: string }>("POST", "/api/auth/login", { username: "admin", password: "logout-admin-pw" });
    const out = (await login()).body.token;
    const kept = (await login()).body.token;
    expect((await api("POST", "/api/auth/logout", undefined, out)).status).toBe(204);
    expect((await api("GET", "/api/auth/me", undefined, out)).status).toBe(401);

    await hub?.close();
    await boot();
    expect((await api("GET", "/api/auth/me", undefined, out)).status).toBe(401);
    expect((await api("GET", "/api/auth/me", undefined, kept)).status).toBe(200);
  });

  it("starts with a damaged revocation file (only those logouts are forgotten)", async () => {
    await hub?.close();
    await writeFile(join(dataDir, "revoked-tokens.json"), "{not json");
    await boot();
    expect((await api("GET", "/api/health")).status).toBe(200);
  });
});
