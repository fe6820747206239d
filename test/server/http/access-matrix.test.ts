/**
 * The generated role × route × view test (issue 7, "Done when"): every REST route Express
 * has registered, every Socket.IO view and every socket command must have a rule in
 * server/src/http/access.ts, and every cell of that table is checked against a running hub.
 */
import { readFileSync } from "node:fs";
import { join } from "node:path";
import type express from "express";
import { io } from "socket.io-client";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Catalogue } from "../../../server/src/contract/catalogue.ts";
import type { IssuedTicket } from "../../../server/src/contract/events.ts";
import {
  COMMAND_ACCESS,
  type Cell,
  PRINCIPALS,
  type Principal,
  REST_ACCESS,
  renderAccessMatrix,
  VIEW_ACCESS,
} from "../../../server/src/http/access.ts";
import { createHttpApp, type HttpDeps } from "../../../server/src/http/app.ts";
import { DEFAULT_LIMITS } from "../../../server/src/pairing/limits.ts";
import { COMMAND_TYPES, SUBSCRIPTION_VIEWS } from "../../../server/src/realtime/server.ts";
import { type HubClient, startTestHub, type TestHub } from "../../helpers/hub.ts";

/**
 * `METHOD path` of every route registered on the app (Express 5: app.router.stack), also
 * inside routers mounted without a path (`app.use(router)`, as the ticket routes are).
 */
function registeredRoutes(app: express.Express): string[] {
  interface Layer {
    route?: { path: string | string[]; methods: Record<string, boolean> };
    handle?: { stack?: Layer[] };
    matchers?: unknown[];
  }
  const out: string[] = [];
  const walk = (stack: Layer[]) => {
    for (const layer of stack) {
      if (layer.route) {
        const paths = Array.isArray(layer.route.path) ? layer.route.path : [layer.route.path];
        for (const m of Object.keys(layer.route.methods)) for (const p of paths) out.push(`${m.toUpperCase()} ${p}`);
      } else if (layer.handle?.stack) walk(layer.handle.stack);
    }
  };
  walk((app as unknown as { router: { stack: Layer[] } }).router.stack);
  return out;
}

/** How the test acts as each principal. */
interface Caller {
  /** Staff bearer token. */
  token?: string;
  /** A paired device's token (sent as the bearer over REST, `auth.deviceToken` on sockets). */
  deviceToken?: string;
  /** A ticket holder: the ticket they hold and its key (X-Ticket-Key). */
  holds?: { ticketId: string; key: string };
  origin?: string;
  /** The counter this caller acts on (own, someone else's, any for supervisors/admins). */
  counterId: string;
  /** Log in again for a request that ends the session (logout). */
  fresh?: () => Promise<string>;
}

interface Sample {
  path: string;
  body?: unknown;
  /** The request ends the caller's session: use a fresh token. */
  fresh?: boolean;
}

describe("access matrix: every route, view and command has a rule, and the hub keeps it", () => {
  // Only the routes are read here: the app is built from stubs (limits are read at build time).
  const app = createHttpApp({ distDir: "/nonexistent", limits: DEFAULT_LIMITS } as unknown as HttpDeps);
  const routes = registeredRoutes(app);

  it("every registered REST route has a rule, and every rule a route", () => {
    expect(routes.length).toBeGreaterThan(40);
    expect(routes.filter((r) => !REST_ACCESS[r])).toEqual([]);
    expect(Object.keys(REST_ACCESS).filter((r) => !routes.includes(r))).toEqual([]);
  });

  it("every Socket.IO view and counter command has a rule, and every rule exists", () => {
    expect([...SUBSCRIPTION_VIEWS].sort()).toEqual(Object.keys(VIEW_ACCESS).sort());
    expect([...COMMAND_TYPES].sort()).toEqual(Object.keys(COMMAND_ACCESS).sort());
  });

  it("docs/security.md shows this very matrix", () => {
    const doc = readFileSync(join(import.meta.dirname, "../../../docs/security.md"), "utf8");
    const start = doc.indexOf("\n", doc.indexOf("<!-- access-matrix:start"));
    const end = doc.indexOf("<!-- access-matrix:end -->");
    expect(start).toBeGreaterThan(0);
    expect(doc.slice(start, end).trim()).toBe(renderAccessMatrix().trim());
  });

  it("every rule names every principal", () => {
    for (const table of [REST_ACCESS, VIEW_ACCESS, COMMAND_ACCESS])
      for (const [k, r] of Object.entries(table)) expect(Object.keys(r).sort(), k).toEqual([...PRINCIPALS].sort());
  });

  describe("against a running hub", () => {
    let t: TestHub;
    let ticketId = "";
    let zoneId = "";
    const callers = new Map<Principal, Caller | undefined>();
    const sockets: HubClient[] = [];

    beforeAll(async () => {
      t = await startTestHub();
      const cat = (await t.api<Catalogue>("GET", "/api/hall")).body;
      zoneId = cat.zones[0]?.id as string;
      const tokens: Record<string, string> = {};
      for (const [u, c] of [
        ["zhangwei", "c01"],
        ["lina", "c02"],
        ["liuyang", "c03"],
        ["chenjing", "c04"],
      ] as const) {
        tokens[u] = (await t.login(u)).token;
        expect((await t.api("POST", `/api/counters/${c}/sign-in`, undefined, tokens[u])).status).toBe(200);
      }
      const sup = (await t.login("wangli")).token;
      const admin = await t.adminToken();
      ticketId = (await t.issue<IssuedTicket>({ matterId: "m-001" })).body.id;
      const own = t.url;
      const relogin = (u: string) => async () => (await t.login(u)).token;
      callers.set("anonymous", { counterId: "c01" });
      callers.set("foreignPage", { origin: "http://evil.example", counterId: "c01" });
      callers.set("unpairedPage", { origin: own, counterId: "c01" });
      callers.set("pairedKiosk", { deviceToken: await t.deviceToken("kiosk", "k1"), origin: own, counterId: "c01" });
      callers.set("pairedScreen", { deviceToken: await t.deviceToken("screen", "s1"), origin: own, counterId: "c01" });
      callers.set("pairedTerminal", { deviceToken: await t.deviceToken("terminal", "t1"), origin: own, counterId: "c01" });
      // The holder acts on a ticket of their own, so the other callers' ticket stays waiting.
      const held = (await t.issue<IssuedTicket>({ matterId: "m-001" })).body;
      callers.set("ticketHolder", { holds: { ticketId: held.id, key: held.holderKey }, origin: own, counterId: "c01" });
      callers.set("clerkOwn", { token: tokens.zhangwei, origin: own, counterId: "c01", fresh: relogin("zhangwei") });
      callers.set("clerkOther", { token: tokens.zhangwei, origin: own, counterId: "c02", fresh: relogin("zhangwei") });
      // An approver holds no counter: they act on c02, which lina holds (as clerkOther does).
      callers.set("approver", {
        token: (await t.login("gaojie")).token,
        origin: own,
        counterId: "c02",
        fresh: relogin("gaojie"),
      });
      callers.set("supervisor", { token: sup, origin: own, counterId: "c03", fresh: relogin("wangli") });
      callers.set("admin", { token: admin, origin: own, counterId: "c04", fresh: relogin("admin") });
    });
    afterAll(async () => {
      for (const s of sockets) s.disconnect();
      await t?.close();
    });

    /** A request for each route that passes validation where that matters for the rule. */
    const sample = (route: string, c: Caller): Sample => {
      const id = c.counterId;
      const path = route
        .split(" ")[1]
        ?.replace("/api/counters/:id/call/:ticketId", `/api/counters/${id}/call/${ticketId}`)
        .replace("/api/counters/:id", `/api/counters/${id}`)
        .replace("/api/tickets/:id", `/api/tickets/${c.holds?.ticketId ?? "no-such-ticket"}`)
        .replace("/api/terminals/:id/cases/:caseNo", "/api/terminals/t1/cases/371426-20261202-00001")
        .replace("/api/terminals/:id/guides/:matterId", "/api/terminals/t1/guides/no-such-matter")
        .replace("/api/terminals/:id", "/api/terminals/t1")
        .replace("/api/pairings/:code", "/api/pairings/000000")
        .replace("/api/pairings/:pairingId", "/api/pairings/no-such-pairing")
        .replace("/api/voice/:file", "/api/voice/0123456789abcdef0123456789abcdef.wav")
        .replace("/api/staff/:id", "/api/staff/s-none")
        .replace("/api/devices/:id", "/api/devices/no-such-device")
        .replace("/m/*rest", "/m/no-such-ticket")
        .replace("/display/window/:counterId", "/display/window/c01") as string;
      const bodies: Record<string, Sample> = {
        "GET /api/qr.svg": { path: "/api/qr.svg?text=hello" },
        "POST /api/auth/logout": { path, fresh: true },
        "POST /api/counters/:id/finish": { path, body: {} },
        "POST /api/counters/:id/transfer": { path, body: { toQueueId: "q-a" } },
        "POST /api/counters/:id/park": { path, body: {} },
        "POST /api/counters/:id/call/:ticketId": { path, body: {} },
        "POST /api/counters/:id/pause": { path, body: { reason: "矩阵" } },
        "POST /api/tickets/:id/rating": { path, body: { score: 5 } },
        // The smallest plan: the walk checks access, not the simulation (tested on its own).
        "POST /api/plan/simulate": { path, body: { runs: 1, load: 0.1 } },
      };
      return bodies[route] ?? { path, ...(route.startsWith("GET") ? {} : { body: {} }) };
    };

    const verdict = (status: number, code: string | undefined): Cell | "allow?" => {
      if (status === 401 || status === 403 || status === 429) return (code ?? `HTTP ${status}`) as Cell;
      return status < 500 ? "allow" : (`HTTP ${status}` as Cell);
    };

    // Every route × every principal, one request after the other: ~1,000 requests (an XLSX
    // export among them), 15–20 s alone, a minute when the machine is busy with browser tests.
    it("REST: every cell", { timeout: 180_000 }, async () => {
      const mismatches: string[] = [];
      for (const route of routes) {
        const method = route.split(" ")[0] as string;
        for (const p of PRINCIPALS) {
          const c = callers.get(p);
          if (!c) continue;
          const s = sample(route, c);
          const token = s.fresh && c.fresh ? await c.fresh() : c.token;
          const headers: Record<string, string> = {};
          if (token ?? c.deviceToken) headers.authorization = `Bearer ${token ?? c.deviceToken}`;
          if (c.holds) headers["x-ticket-key"] = c.holds.key;
          if (c.origin) headers.origin = c.origin;
          if (s.body !== undefined) headers["content-type"] = "application/json";
          const r = await fetch(`${t.url}${s.path}`, {
            method,
            headers,
            redirect: "manual",
            ...(s.body !== undefined ? { body: JSON.stringify(s.body) } : {}),
          });
          const text = await r.text();
          let code: string | undefined;
          try {
            code = (JSON.parse(text) as { error?: { code?: string } }).error?.code;
          } catch {
            code = undefined;
          }
          const want = REST_ACCESS[route]?.[p] as Cell;
          const got = verdict(r.status, code);
          const ok = want === "allow" ? got === "allow" : code === want;
          if (!ok) mismatches.push(`${route} as ${p}: want ${want}, got ${r.status} ${code ?? ""}`);
        }
      }
      expect(mismatches).toEqual([]);
    });

    /** A socket as principal `c`, or the connect error's message. */
    const connect = (c: Caller): Promise<HubClient | string> =>
      new Promise((resolve) => {
        const s: HubClient = io(t.url, {
          transports: ["websocket"],
          forceNew: true,
          reconnection: false,
          auth: { ...(c.token ? { token: c.token } : {}), ...(c.deviceToken ? { deviceToken: c.deviceToken } : {}) },
          ...(c.origin ? { extraHeaders: { origin: c.origin } } : {}),
        });
        sockets.push(s);
        s.once("connect", () => resolve(s));
        s.once("connect_error", () => resolve("ORIGIN_REFUSED"));
      });

    it("Socket.IO: every view and command cell", async () => {
      const mismatches: string[] = [];
      const viewSample = (v: string, c: Caller): Record<string, string> => {
        switch (v) {
          case "counter":
            return { view: v, counterId: c.counterId };
          case "zone":
            return { view: v, zoneId };
          case "screen":
            return { view: v, screenId: "kiosk-k1" };
          case "ticket":
            return { view: v, ticketId };
          default:
            return { view: v };
        }
      };
      const commandSample = (type: string, c: Caller): Record<string, string> => {
        const base = { type, counterId: c.counterId };
        if (type === "call") return { ...base, ticketId };
        if (type === "pause") return { ...base, reason: "矩阵" };
        if (type === "transfer") return { ...base, toQueueId: "q-a" };
        return base;
      };
      for (const p of PRINCIPALS) {
        const c = callers.get(p);
        if (!c) continue;
        const s = await connect(c);
        const check = async (label: string, want: Cell, send: (s: HubClient) => Promise<{ ok: boolean; error?: string }>) => {
          let got: string;
          if (typeof s === "string") got = s;
          else {
            const ack = await send(s);
            got =
              ack.ok || !["UNAUTHENTICATED", "FORBIDDEN", "ORIGIN_REFUSED"].includes(ack.error ?? "")
                ? "allow"
                : (ack.error as string);
            if (want !== "allow" && !ack.ok && ack.error === want) got = want;
          }
          if (got !== want) mismatches.push(`${label} as ${p}: want ${want}, got ${got}`);
        };
        for (const v of SUBSCRIPTION_VIEWS)
          await check(`subscribe ${v}`, VIEW_ACCESS[v]?.[p] as Cell, (x) =>
            x.timeout(3000).emitWithAck("subscribe", viewSample(v, c) as never),
          );
        for (const type of COMMAND_TYPES)
          await check(`counter:command ${type}`, COMMAND_ACCESS[type]?.[p] as Cell, (x) =>
            x.timeout(3000).emitWithAck("counter:command", commandSample(type, c) as never),
          );
      }
      expect(mismatches).toEqual([]);
    });

    it("acts as every principal (no cell is left unchecked)", () => {
      expect(PRINCIPALS.filter((p) => !callers.get(p))).toEqual([]);
    });
  });
});
