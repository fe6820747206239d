import { io } from "socket.io-client";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { connected, expectRejected, fingerprint, startTestHub, type TestHub } from "../../helpers/hub.ts";

describe("security headers and origins (issue 7.16)", () => {
  let t: TestHub;
  /** A paired kiosk's token: only a paired kiosk or staff may take a number. */
  let kiosk: string;
  beforeAll(async () => {
    t = await startTestHub();
    kiosk = await t.deviceToken("kiosk", "k1");
  });
  afterAll(async () => {
    await t?.close();
  });

  const post = (path: string, origin: string | undefined, body: unknown = { matterId: "m-001" }) =>
    fetch(`${t.url}${path}`, {
      method: "POST",
      headers: {
        "content-type": "application/json",
        ...(path === "/api/tickets" ? { authorization: `Bearer ${kiosk}` } : {}),
        ...(origin ? { origin } : {}),
      },
      body: JSON.stringify(body),
    });

  it("pages and the API carry a CSP and the standard headers (no HSTS on the hall's plain HTTP)", async () => {
    for (const path of ["/api/health", "/kiosk", "/api/nope"]) {
      const r = await fetch(`${t.url}${path}`);
      const csp = r.headers.get("content-security-policy") ?? "";
      expect(csp, path).toContain("default-src 'self'");
      expect(csp).toContain("script-src 'self'");
      expect(csp).toContain("object-src 'none'");
      expect(csp).toContain("frame-ancestors 'self'");
      expect(csp).not.toContain("upgrade-insecure-requests");
      expect(r.headers.get("x-content-type-options")).toBe("nosniff");
      expect(r.headers.get("x-frame-options")).toBe("SAMEORIGIN");
      expect(r.headers.get("referrer-policy")).toBe("no-referrer");
      expect(r.headers.get("strict-transport-security")).toBeNull();
      expect(r.headers.get("x-powered-by")).toBeNull();
    }
  });

  it("a state-changing request from a foreign page is refused with 403 ORIGIN_REFUSED and changes nothing", async () => {
    const before = await fingerprint(t);
    for (const origin of ["http://evil.example", "null", "http://127.0.0.1:1", "file://", "http://127.0.0.1.evil.example"]) {
      const r = await post("/api/tickets", origin);
      expect({ origin, status: r.status, body: await r.json() }).toEqual({
        origin,
        status: 403,
        body: { error: { code: "ORIGIN_REFUSED", message: expect.any(String) } },
      });
    }
    const login = await post("/api/auth/login", "http://evil.example", { username: "admin", password: t.password("admin") });
    expect(login.status).toBe(403);
    expect(await fingerprint(t)).toEqual(before);
    // Reading stays open to any page (screens elsewhere may show the hall).
    expect((await fetch(`${t.url}/api/state`, { headers: { origin: "http://evil.example" } })).status).toBe(200);
  });

  it("the hub's own origin, no Origin (devices, scripts), publicUrl and allowedOrigins are accepted", async () => {
    expect((await post("/api/tickets", t.url)).status).toBe(201);
    expect((await post("/api/tickets", undefined)).status).toBe(201);
    await t.hub.config.update((d) => {
      d.catalogue.hall.publicUrl = "http://hall.example:8080/m";
      d.catalogue.hall.allowedOrigins = ["http://portal.example"];
    });
    expect((await post("/api/tickets", "http://hall.example:8080")).status).toBe(201);
    expect((await post("/api/tickets", "http://portal.example")).status).toBe(201);
    expect((await post("/api/tickets", "https://portal.example")).status).toBe(403);
    await expectRejected(
      t,
      {
        method: "PUT",
        path: "/api/catalogue",
        body: { hall: { allowedOrigins: ["not an origin"] } },
        auth: await t.adminToken(),
      },
      400,
      "VALIDATION_FAILED",
    );
  });

  it("Socket.IO connections from a foreign origin are refused; the hub's own and none are accepted", async () => {
    const foreign = io(t.url, {
      transports: ["websocket"],
      forceNew: true,
      reconnection: false,
      extraHeaders: { origin: "http://evil.example" },
    });
    const refused = await new Promise<string>((resolve) => {
      foreign.once("connect", () => resolve("connected"));
      foreign.once("connect_error", (e) => resolve(`refused: ${e.message}`));
    });
    foreign.disconnect();
    expect(refused).toMatch(/^refused/);
    const polling = io(t.url, {
      transports: ["polling"],
      forceNew: true,
      reconnection: false,
      extraHeaders: { origin: "http://evil.example" },
    });
    const refusedPolling = await new Promise<string>((resolve) => {
      polling.once("connect", () => resolve("connected"));
      polling.once("connect_error", () => resolve("refused"));
    });
    polling.disconnect();
    expect(refusedPolling).toBe("refused");
    const own = io(t.url, { transports: ["websocket"], forceNew: true, reconnection: false, extraHeaders: { origin: t.url } });
    await connected(own);
    own.disconnect();
    const device = t.socket();
    await connected(device);
  });
});
