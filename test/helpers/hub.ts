import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { type Socket, io } from "socket.io-client";
import { expect, inject } from "vitest";
import { type HubOptions, type RunningHub, startHub } from "../../server/src/app.ts";
import { ERROR_CODES, type ErrorCode } from "../../server/src/contract/errors.ts";
import type { IssueLimits } from "../../server/src/pairing/limits.ts";
import type { Principal } from "../../server/src/http/access.ts";
import type { ClientToServerEvents, HallSnapshot, LoginReply, ServerToClientEvents } from "../../server/src/contract/events.ts";
import type { CreatedAccounts } from "../../server/src/store/first-start-accounts.ts";
import { ADMIN_PASSWORD, SHARED_VOICE_SEGMENTS, copyHubTemplate, hallMorning } from "./hub-template.ts";

export { ADMIN_PASSWORD, hallMorning };

/** A typed socket.io-client socket, as the screens and counter pages hold it. */
export type HubClient = Socket<ServerToClientEvents, ClientToServerEvents>;

/** Reply of {@link TestHub.api}: the status and the parsed JSON body (text when not JSON). */
export interface ApiReply<T = unknown> {
  status: number;
  body: T;
  headers: Headers;
}

/** Options of {@link startTestHub}. */
export interface TestHubOptions {
  /**
   * Epoch ms the hub's clock starts at. Default: today 10:00 in the hall's time zone
   * (Asia/Shanghai), so every demo queue issues and no test crosses midnight.
   */
  startAt?: number;
  /** Collect the hub's log lines here (default: dropped). */
  log?: (line: string) => void;
  /** espeak-ng binary; point it at a missing file to test the no-TTS fallback. */
  espeakPath?: string;
  /** How config files are written (see HubOptions.durableWrite): make writes fail on demand. */
  durableWrite?: (path: string, data: string) => Promise<void>;
  /**
   * Rate limits. Default: so high that no test meets them (tests issue hundreds of tickets
   * from one address in a second); the rate-limit tests set real ones.
   */
  limits?: Partial<IssueLimits>;
  /** Auto-pairing of loopback pages (default: the hub's own default, on for the demo hall). */
  autoPairLoopback?: boolean;
  /** Data folder to use (a restart test starts a second hub on the first one's); kept by close(). */
  dataDir?: string;
  /** Cache of synthesised voice segments (default: one shared by all test hubs, so each renders nothing). */
  voiceSegmentCache?: string;
  /** Folder of recorded voice segments (HubOptions.voiceSegmentsDir). */
  voiceSegmentsDir?: string;
  /** Login limits (HubOptions.loginLimits); default the hub's own. */
  loginLimits?: HubOptions["loginLimits"];
  /** Logins that may wait for the password hasher (HubOptions.maxQueuedLogins). */
  maxQueuedLogins?: number;
}

/**
 * A real hub on 127.0.0.1, port 0, in a fresh temp data folder (the seeded demo hall),
 * plus the few client helpers the integration tests need.
 *
 * ```ts
 * const t = await startTestHub();
 * const r = await t.api("POST", "/api/tickets", { matterId: "m-001", kioskId: "k1" });
 * const s = t.socket({ token: (await t.login("zhangwei")).token });
 * await t.close(); // in afterAll: sockets, hub and temp folder
 * ```
 */
export interface TestHub {
  hub: RunningHub;
  /** The demo accounts and their generated passwords (from the first start this hub's folder had). */
  created: CreatedAccounts | undefined;
  url: string;
  dataDir: string;
  /** The hub's clock (epoch ms). */
  now(): number;
  /**
   * Move the hub's clock forward (token expiry, reactivation windows, the turn of the day);
   * a negative `ms` steps it back, as a badly set or NTP-corrected clock would.
   */
  advance(ms: number): void;
  /** Generated password of a demo account ("admin" → the admin password). */
  password(username: string): string;
  /** Log in; the password defaults to the demo account's. Throws unless 200. */
  login(username: string, password?: string): Promise<LoginReply>;
  /** Token of the admin account (logged in once, then cached). */
  adminToken(): Promise<string>;
  /**
   * One HTTP request. `body`: an object is sent as JSON, a string is sent raw as
   * `application/json` (for malformed-JSON tests), undefined sends no body. `auth` is a
   * bearer token, or `{ header }` for a raw Authorization header. `headers` adds others
   * (e.g. a ticket's `X-Ticket-Key`).
   */
  // biome-ignore lint/suspicious/noExplicitAny: replies are untyped JSON; tests narrow with a type argument or assert on fields
  api<T = any>(
    method: string,
    path: string,
    body?: unknown,
    auth?: string | { header: string },
    headers?: Record<string, string>,
  ): Promise<ApiReply<T>>;
  /**
   * Take a number as a kiosk does (`POST /api/tickets`). Use this in tests rather than a raw
   * `api("POST", "/api/tickets")`: who may issue (paired kiosks, staff) is decided here once.
   * `auth` overrides the credentials sent.
   */
  // biome-ignore lint/suspicious/noExplicitAny: replies are untyped JSON, as with api()
  issue<T = any>(body: Record<string, unknown>, auth?: string | { header: string }): Promise<ApiReply<T>>;
  /**
   * Device token of a page paired as `role` `id`, obtained through the real routes
   * (request a code, the admin approves it, claim); paired once per hub and cached.
   */
  deviceToken(role: "kiosk" | "screen" | "terminal", id: string): Promise<string>;
  /** A socket.io-client socket over websocket; closed by `close()`. `deviceToken`: a paired device's. */
  socket(opts?: { token?: string; deviceToken?: string; autoConnect?: boolean }): HubClient;
  /** Close every socket, the hub, and remove the data folder. Safe to call twice. */
  close(): Promise<void>;
}

const UNLIMITED: IssueLimits = {
  perKiosk: { points: 1_000_000, durationSec: 1 },
  perAddress: { points: 1_000_000, durationSec: 1 },
  pairingRequests: { points: 1_000_000, durationSec: 1 },
  pairingClaims: { points: 1_000_000, durationSec: 1 },
};

export async function startTestHub(opts: TestHubOptions = {}): Promise<TestHub> {
  // A hub that would first-start on an empty folder with the shared options starts on a
  // copy of the run's first-started folder instead (hub-template.ts): same hall, no
  // per-hub password hashing. Not when the test controls the first start (its writes,
  // its clock) or brings its own folder.
  const template = opts.dataDir || opts.durableWrite || opts.startAt !== undefined ? undefined : inject("hubTemplate");
  const fromTemplate = template && template.startAt === hallMorning() ? template : undefined;
  const dataDir =
    opts.dataDir ?? (fromTemplate ? await copyHubTemplate(fromTemplate) : await mkdtemp(join(tmpdir(), "onevisit-hub-")));
  let offset = (opts.startAt ?? hallMorning()) - Date.now();
  const clock = () => Date.now() + offset;
  const hub = await startHub({
    port: 0,
    host: "127.0.0.1",
    dataDir,
    adminPassword: ADMIN_PASSWORD,
    clock,
    log: opts.log ?? (() => {}),
    ...(opts.espeakPath ? { espeakPath: opts.espeakPath } : {}),
    ...(opts.durableWrite ? { durableWrite: opts.durableWrite } : {}),
    limits: { ...UNLIMITED, ...opts.limits },
    ...(opts.autoPairLoopback !== undefined ? { autoPairLoopback: opts.autoPairLoopback } : {}),
    voiceSegmentCache: opts.voiceSegmentCache ?? SHARED_VOICE_SEGMENTS,
    ...(opts.voiceSegmentsDir ? { voiceSegmentsDir: opts.voiceSegmentsDir } : {}),
    ...(opts.loginLimits ? { loginLimits: opts.loginLimits } : {}),
    ...(opts.maxQueuedLogins !== undefined ? { maxQueuedLogins: opts.maxQueuedLogins } : {}),
  });
  const devices = new Map<string, Promise<string>>();
  const sockets: HubClient[] = [];
  let admin: { token: string; at: number } | undefined;
  let closed: Promise<void> | undefined;

  const api = async <T>(
    method: string,
    path: string,
    body?: unknown,
    auth?: string | { header: string },
    extra: Record<string, string> = {},
  ): Promise<ApiReply<T>> => {
    const headers: Record<string, string> = { ...extra };
    if (typeof auth === "string") headers.authorization = `Bearer ${auth}`;
    else if (auth) headers.authorization = auth.header;
    let payload: string | undefined;
    if (body !== undefined) {
      headers["content-type"] = "application/json";
      payload = typeof body === "string" ? body : JSON.stringify(body);
    }
    const res = await fetch(`${hub.url}${path}`, { method, headers, ...(payload !== undefined ? { body: payload } : {}) });
    const text = await res.text();
    const json = (res.headers.get("content-type") ?? "").includes("json");
    return { status: res.status, body: (json && text ? JSON.parse(text) : text) as T, headers: res.headers };
  };

  const password = (username: string): string => {
    if (username === "admin") return ADMIN_PASSWORD;
    const s = created?.staff.find((x) => x.username === username);
    if (!s) throw new Error(`no demo account ${username}`);
    return s.password;
  };

  const created = hub.created ?? fromTemplate?.created;
  const t: TestHub = {
    hub,
    created,
    url: hub.url,
    dataDir,
    now: clock,
    advance: (ms) => {
      offset += ms;
    },
    password,
    api,
    login: async (username, pw) => {
      const r = await api<LoginReply>("POST", "/api/auth/login", { username, password: pw ?? password(username) });
      if (r.status !== 200) throw new Error(`login ${username}: ${r.status} ${JSON.stringify(r.body)}`);
      return r.body;
    },
    // A kiosk issues with its own device token; without a kioskId the help desk (staff) does,
    // so such tickets stay unprinted as before.
    issue: async (body, auth) => {
      const kioskId = typeof body.kioskId === "string" ? body.kioskId : undefined;
      const cred = auth ?? (kioskId ? await t.deviceToken("kiosk", kioskId) : await t.adminToken());
      return api("POST", "/api/tickets", body, cred);
    },
    deviceToken: (role, id) => {
      const key = `${role}:${id}`;
      let p = devices.get(key);
      if (!p) {
        p = (async () => {
          const r = await api<{ code: string; claimSecret: string; autoApproved: boolean }>("POST", "/api/pairings", {
            role,
            id,
          });
          if (r.status !== 201) throw new Error(`pairing request ${key}: ${r.status} ${JSON.stringify(r.body)}`);
          if (!r.body.autoApproved) {
            const a = await api("POST", `/api/pairings/${r.body.code}/approve`, { role, id }, await t.adminToken());
            if (a.status !== 200) throw new Error(`approve ${key}: ${a.status} ${JSON.stringify(a.body)}`);
          }
          const c = await api<{ deviceToken?: string }>("POST", "/api/pairings/claim", {
            code: r.body.code,
            claimSecret: r.body.claimSecret,
          });
          if (c.status !== 200 || !c.body.deviceToken) throw new Error(`claim ${key}: ${c.status} ${JSON.stringify(c.body)}`);
          return c.body.deviceToken;
        })();
        devices.set(key, p);
        p.catch(() => devices.delete(key));
      }
      return p;
    },
    adminToken: async () => {
      // Tests move the clock by days: sign in again well before the 12 h token lifetime ends.
      if (!admin || clock() - admin.at > 6 * 3600_000 || clock() < admin.at)
        admin = { token: (await t.login("admin")).token, at: clock() };
      return admin.token;
    },
    socket: (o = {}) => {
      const s: HubClient = io(hub.url, {
        transports: ["websocket"],
        forceNew: true,
        reconnectionDelay: 50,
        reconnectionDelayMax: 200,
        autoConnect: o.autoConnect ?? true,
        auth: { ...(o.token ? { token: o.token } : {}), ...(o.deviceToken ? { deviceToken: o.deviceToken } : {}) },
      });
      sockets.push(s);
      return s;
    },
    close: () => {
      closed ??= (async () => {
        for (const s of sockets) s.disconnect();
        await hub.close();
        if (!opts.dataDir) await rm(dataDir, { recursive: true, force: true });
      })();
      return closed;
    },
  };
  return t;
}

/** Resolve with the next `event` on `socket` that passes `accept`; reject after `timeoutMs`. */
export function nextEvent<E extends keyof ServerToClientEvents>(
  socket: HubClient,
  event: E,
  accept: (payload: Parameters<ServerToClientEvents[E]>[0]) => boolean = () => true,
  timeoutMs = 2000,
): Promise<Parameters<ServerToClientEvents[E]>[0]> {
  return new Promise((resolve, reject) => {
    const on = (p: Parameters<ServerToClientEvents[E]>[0]) => {
      if (!accept(p)) return;
      clearTimeout(timer);
      (socket.off as (e: string, f: unknown) => void)(event, on);
      resolve(p);
    };
    const timer = setTimeout(() => {
      (socket.off as (e: string, f: unknown) => void)(event, on);
      reject(new Error(`no ${String(event)} within ${timeoutMs} ms`));
    }, timeoutMs);
    (socket.on as (e: string, f: unknown) => void)(event, on);
  });
}

/** Resolve once the socket is connected (or reject after `timeoutMs`). */
export function connected(socket: HubClient, timeoutMs = 3000): Promise<void> {
  if (socket.connected) return Promise.resolve();
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error("socket did not connect")), timeoutMs);
    socket.once("connect", () => {
      clearTimeout(timer);
      resolve();
    });
  });
}

/**
 * The principals of the access matrix (server/src/http/access.ts) a socket test can play
 * with demo accounts: anonymous, a foreign page, an unpaired page, a clerk, an approver, a
 * supervisor and an admin (their tokens given), each as `connectAs` takes it.
 */
export function socketCallers(
  url: string,
  tokens: { clerk: string; approver: string; supervisor: string; admin: string },
): Partial<Record<Principal, { token?: string; origin?: string }>> {
  return {
    anonymous: {},
    foreignPage: { origin: "http://evil.example" },
    unpairedPage: { origin: url },
    clerkOwn: { token: tokens.clerk, origin: url },
    approver: { token: tokens.approver, origin: url },
    supervisor: { token: tokens.supervisor, origin: url },
    admin: { token: tokens.admin, origin: url },
  };
}

/**
 * A socket as one caller would open it (a staff token, a browser page's Origin), without
 * reconnecting; "ORIGIN_REFUSED" when the hub refuses the handshake. `keep` collects the
 * sockets for the test's afterAll.
 */
export function connectAs(
  url: string,
  c: { token?: string; origin?: string },
  keep: HubClient[] = [],
): Promise<HubClient | "ORIGIN_REFUSED"> {
  return new Promise((resolve) => {
    const s: HubClient = io(url, {
      transports: ["websocket"],
      forceNew: true,
      reconnection: false,
      auth: c.token ? { token: c.token } : {},
      ...(c.origin ? { extraHeaders: { origin: c.origin } } : {}),
    });
    keep.push(s);
    s.once("connect", () => resolve(s));
    s.once("connect_error", () => resolve("ORIGIN_REFUSED"));
  });
}

/** What a rejected request must leave untouched: the live picture, the journal length,
 * the device list and the bookings. */
export interface HallFingerprint {
  active: HallSnapshot["active"];
  counters: HallSnapshot["counters"];
  issued: number;
  events: number;
  devices: string;
  appointments: string;
}

/** The holder's header for a ticket's key (from the issue reply's `holderKey`). */
export function holderHeader(key: string): Record<string, string> {
  return { "x-ticket-key": key };
}

export async function fingerprint(t: TestHub): Promise<HallFingerprint> {
  const [s, h] = await Promise.all([t.api<HallSnapshot>("GET", "/api/state"), t.api<{ events: number }>("GET", "/api/health")]);
  return {
    active: s.body.active,
    counters: s.body.counters,
    issued: s.body.stats.issued,
    events: h.body.events,
    devices: JSON.stringify(t.hub.config.data.devices),
    appointments: JSON.stringify(t.hub.config.data.appointments),
  };
}

/**
 * Send a request that must be refused: asserts the status, that the body is exactly
 * `{ error: { code, message } }` with `code` from the closed list, and that the hall
 * (active tickets, counters, issued count, journal length) is the same afterwards.
 */
export async function expectRejected(
  t: TestHub,
  req: {
    method: string;
    path: string;
    body?: unknown;
    auth?: string | { header: string };
    headers?: Record<string, string>;
  },
  status: number,
  code: ErrorCode,
): Promise<string> {
  const before = await fingerprint(t);
  const r = await t.api<{ error: { code: string; message: string } }>(req.method, req.path, req.body, req.auth, req.headers);
  const label = `${req.method} ${req.path} ${typeof req.body === "string" ? req.body.slice(0, 40) : JSON.stringify(req.body ?? null).slice(0, 80)}`;
  expect({ label, status: r.status, code: r.body?.error?.code }).toEqual({ label, status, code });
  expect(Object.keys(r.body)).toEqual(["error"]);
  expect(Object.keys(r.body.error).sort()).toEqual(["code", "message"]);
  expect(typeof r.body.error.message).toBe("string");
  expect(ERROR_CODES).toContain(r.body.error.code);
  expect(r.headers.get("content-type") ?? "").toContain("application/json");
  const after = await fingerprint(t);
  expect(after, `${label} changed the hall`).toEqual(before);
  return r.body.error.message;
}

/**
 * Put an ID card on kiosk `kioskId`'s simulated reader and return what the kiosk screen
 * gets (`kiosk:input`): the short-lived idToken to issue with and the masked number.
 * A reader reports the same card once until it has polled it absent (about a second), so
 * read the same number again at another kiosk.
 */
export async function readIdCard(
  t: TestHub,
  kioskId: string,
  idNumber: string,
  name = "王小明",
): Promise<{ idToken: string; masked: string; name: string; green: boolean }> {
  // Only the kiosk paired as kioskId may hear its reader.
  const screen = t.socket({ deviceToken: await t.deviceToken("kiosk", kioskId) });
  try {
    await connected(screen);
    const joined = await screen.emitWithAck("subscribe", { view: "screen", screenId: `kiosk-${kioskId}` });
    if (!joined.ok) throw new Error(`kiosk ${kioskId} screen: ${joined.error}`);
    const input = nextEvent(screen, "kiosk:input", (e) => e.kind === "id_card", 5000);
    const sim = t.hub.devices.simulators(`idreader-${kioskId}`)?.idSim;
    if (!sim) throw new Error(`no simulated ID reader at kiosk ${kioskId}`);
    sim.placeCard({
      name,
      sexCode: "1",
      nationCode: "01",
      birthDate: idNumber.slice(6, 14),
      address: "山东省德州市平原县龙门街道",
      idNumber,
      issuer: "平原县公安局",
      validFrom: "20200101",
      validTo: "20400101",
    });
    const e = await input;
    sim.removeCard();
    if (e.kind !== "id_card") throw new Error("unexpected kiosk input");
    return { idToken: e.idToken, masked: e.masked, name: e.name, green: e.green === true };
  } finally {
    screen.disconnect();
  }
}
