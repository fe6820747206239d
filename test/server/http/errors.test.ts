import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { ErrorCode } from "../../../server/src/contract/errors.ts";
import type { IssuedTicket } from "../../../server/src/contract/events.ts";
import type { Ticket } from "../../../server/src/contract/tickets.ts";
import { expectRejected, hallMorning, readIdCard, startTestHub, type TestHub } from "../../helpers/hub.ts";

/**
 * Every refusal of the REST API, table-driven: the status, the closed error code, the
 * exact `{ error: { code, message } }` body, and an unchanged hall afterwards (checked by
 * `expectRejected`). The hall is set up once so each wrong state exists:
 *   c01 zhangwei  idle, nobody current          c02 lina     paused
 *   c03           closed (liuyang not in)       c04 chenjing serving ticket S
 *   c17 huanglei  idle, tax only, served nobody
 */

type Who =
  | "none"
  | "zhangwei"
  | "lina"
  | "liuyang"
  | "chenjing"
  | "huanglei"
  | "wangli"
  | "admin"
  | "revoked"
  | "forged"
  | "garbage"
  | "basic"
  | "empty"
  | "kiosk"
  | "kiosk2";

interface Case {
  name: string;
  method: string;
  path: string | (() => string);
  body?: unknown;
  as?: Who;
  status: number;
  code: ErrorCode;
}

let t: TestHub;
const tok: Partial<Record<Who, string>> = {};
/** Tickets in known states, filled by the setup. */
const ids = { waitingB: "", waitingA: "", done: "", noShow: "", serving: "", cancelled: "", usedCode: "", dupToken: "" };

function authFor(who: Who | undefined): string | { header: string } | undefined {
  switch (who) {
    case undefined:
    case "none":
      return undefined;
    case "basic":
      return { header: "Basic YWRtaW46dGVzdC1hZG1pbi1wdw==" };
    case "empty":
      return { header: "Bearer " };
    case "garbage":
      return "not-a-token";
    default:
      return tok[who];
  }
}

async function run(c: Case): Promise<void> {
  const path = typeof c.path === "function" ? c.path() : c.path;
  const body = typeof c.body === "function" ? (c.body as () => unknown)() : c.body;
  // Only a paired kiosk (or staff) may issue: issue cases run as kiosk k1 unless they say who.
  const as = c.as ?? (c.method === "POST" && path === "/api/tickets" ? "kiosk" : undefined);
  await expectRejected(t, { method: c.method, path, body, auth: authFor(as) }, c.status, c.code);
}

beforeAll(async () => {
  t = await startTestHub();
  for (const u of ["zhangwei", "lina", "liuyang", "chenjing", "huanglei", "wangli", "admin"] as const)
    tok[u] = (await t.login(u)).token;
  const revoked = (await t.login("zhangwei")).token;
  expect((await t.api("POST", "/api/auth/logout", undefined, revoked)).status).toBe(204);
  tok.revoked = revoked;
  // Same claims, signature of another token: must not verify.
  const [body] = (tok.zhangwei as string).split(".");
  tok.forged = `${body}.${(tok.admin as string).split(".")[1]}`;
  tok.kiosk = await t.deviceToken("kiosk", "k1");
  tok.kiosk2 = await t.deviceToken("kiosk", "k2");

  const issue = async (matterId: string, extra: object = {}) => {
    const r = await t.issue<IssuedTicket>({ matterId, ...extra });
    expect(r.status).toBe(201);
    return r.body.id;
  };
  const act = async (who: Who, counterId: string, action: string, b?: unknown) => {
    const r = await t.api<Ticket>("POST", `/api/counters/${counterId}/${action}`, b, tok[who]);
    expect(r.status, `${who} ${action} at ${counterId}: ${JSON.stringify(r.body)}`).toBe(200);
    return r.body;
  };
  await act("zhangwei", "c01", "sign-in");
  await act("lina", "c02", "sign-in");
  await act("chenjing", "c04", "sign-in");
  await act("huanglei", "c17", "sign-in");

  ids.done = await issue("m-001");
  expect((await act("zhangwei", "c01", "call-next")).id).toBe(ids.done);
  await act("zhangwei", "c01", "finish");
  ids.noShow = await issue("m-001");
  expect((await act("zhangwei", "c01", "call-next")).id).toBe(ids.noShow);
  await act("zhangwei", "c01", "no-show");
  ids.serving = await issue("m-001");
  expect((await act("chenjing", "c04", "call-next")).id).toBe(ids.serving);
  await act("chenjing", "c04", "start");
  await act("lina", "c02", "pause", { reason: "培训" });
  ids.waitingB = await issue("m-041");
  ids.waitingA = await issue("m-002");
  ids.cancelled = await issue("m-003");
  expect((await t.api("POST", `/api/tickets/${ids.cancelled}/cancel`, undefined, tok.zhangwei)).status).toBe(200);

  const booking = t.hub.bookings[0];
  if (!booking) throw new Error("no demo booking");
  ids.usedCode = booking.code;
  expect((await t.issue({ appointmentCode: booking.code })).status).toBe(201);

  const first = await readIdCard(t, "k1", "371426199001011234");
  await issue("m-062", { idToken: first.idToken, kioskId: "k1" });
  // Same card at another kiosk (a reader reports a card once until it has seen it gone).
  ids.dupToken = (await readIdCard(t, "k2", "371426199001011234")).idToken;
});
afterAll(async () => {
  await t?.close();
});

const big = JSON.stringify({ note: "长".repeat(9000) });
const raw = {
  truncated: '{"matterId": "m-001"',
  notJson: "matterId=m-001",
  trailingComma: '{"a":1,}',
  singleQuotes: "{'matterId':'m-001'}",
  nullTop: "null",
};

/** Every route that reads a JSON body, with a valid caller. */
const BODY_ROUTES: { method: string; label: string; path: () => string; as?: Who }[] = [
  { method: "POST", label: "/api/tickets", path: () => "/api/tickets" },
  { method: "POST", label: "/api/tickets/:id/reprint", path: () => `/api/tickets/${ids.waitingA}/reprint`, as: "zhangwei" },
  { method: "POST", label: "/api/tickets/:id/reactivate", path: () => `/api/tickets/${ids.noShow}/reactivate`, as: "zhangwei" },
  { method: "POST", label: "/api/tickets/:id/cancel", path: () => `/api/tickets/${ids.waitingA}/cancel`, as: "zhangwei" },
  { method: "POST", label: "/api/tickets/:id/rating", path: () => `/api/tickets/${ids.done}/rating`, as: "zhangwei" },
  { method: "POST", label: "/api/auth/login", path: () => "/api/auth/login" },
  { method: "POST", label: "/api/auth/logout", path: () => "/api/auth/logout", as: "wangli" },
  ...[
    "sign-in",
    "sign-out",
    "call-next",
    "recall",
    "start",
    "finish",
    "no-show",
    "transfer",
    "park",
    "pause",
    "resume",
    "request-rating",
  ].map((a) => ({
    method: "POST",
    label: `/api/counters/c04/${a}`,
    path: () => `/api/counters/c04/${a}`,
    as: "chenjing" as Who,
  })),
  {
    method: "POST",
    label: "/api/counters/c01/call/:ticketId",
    path: () => `/api/counters/c01/call/${ids.waitingA}`,
    as: "zhangwei",
  },
  { method: "PUT", label: "/api/devices/:id", path: () => "/api/devices/printer-k9", as: "admin" },
  { method: "POST", label: "/api/devices/:id/simulate", path: () => "/api/devices/printer-k1/simulate", as: "admin" },
];

describe("http errors: malformed and oversized bodies", () => {
  const cases: Case[] = [];
  for (const r of BODY_ROUTES) {
    for (const [kind, text] of Object.entries(raw))
      cases.push({
        name: `${r.method} ${r.label} ${kind}`,
        method: r.method,
        path: r.path,
        body: text,
        as: r.as,
        status: 400,
        code: "VALIDATION_FAILED",
      });
    cases.push({
      name: `${r.method} ${r.label} 27 KB body`,
      method: r.method,
      path: r.path,
      body: big,
      as: r.as,
      status: 413,
      code: "PAYLOAD_TOO_LARGE",
    });
  }
  it.each(cases)("$name → $status $code", run);

  it("a malformed body to logout does not log out", async () => {
    await run({
      name: "",
      method: "POST",
      path: "/api/auth/logout",
      body: raw.truncated,
      as: "wangli",
      status: 400,
      code: "VALIDATION_FAILED",
    });
    expect((await t.api("GET", "/api/auth/me", undefined, tok.wangli)).status).toBe(200);
  });
});

describe("http errors: schema violations (wrong types, unknown fields, missing fields)", () => {
  const v = (name: string, method: string, path: string | (() => string), body: unknown, as?: Who): Case => ({
    name,
    method,
    path,
    body,
    as,
    status: 400,
    code: "VALIDATION_FAILED",
  });
  const c04 = (a: string) => `/api/counters/c04/${a}`;
  const cases: Case[] = [
    // issue
    v("issue: empty object", "POST", "/api/tickets", {}),
    v("issue: no body", "POST", "/api/tickets", undefined),
    v("issue: array", "POST", "/api/tickets", []),
    v("issue: matterId number", "POST", "/api/tickets", { matterId: 1 }),
    v("issue: matterId empty", "POST", "/api/tickets", { matterId: "" }),
    v("issue: matterId blank", "POST", "/api/tickets", { matterId: "   " }),
    v("issue: matterId too long", "POST", "/api/tickets", { matterId: "m".repeat(65) }),
    v("issue: unknown field", "POST", "/api/tickets", { matterId: "m-001", name: "王小明" }),
    v("issue: bad priority", "POST", "/api/tickets", { matterId: "m-001", priority: "vip" }),
    v("issue: bad lang", "POST", "/api/tickets", { matterId: "m-001", lang: "fr" }),
    v("issue: kioskId object", "POST", "/api/tickets", { matterId: "m-001", kioskId: { id: "k1" } }),
    v("issue: appointmentCode number", "POST", "/api/tickets", { appointmentCode: 12 }),
    v("issue: appointment priority without code", "POST", "/api/tickets", { matterId: "m-001", priority: "appointment" }),
    v("issue: unknown idToken", "POST", "/api/tickets", { matterId: "m-001", idToken: "never-issued" }),
    v("issue: idToken empty", "POST", "/api/tickets", { matterId: "m-001", idToken: "" }),
    // reprint
    v("reprint: no kioskId", "POST", () => `/api/tickets/${ids.waitingA}/reprint`, {}, "zhangwei"),
    v("reprint: kioskId number", "POST", () => `/api/tickets/${ids.waitingA}/reprint`, { kioskId: 1 }, "zhangwei"),
    v("reprint: unknown field", "POST", () => `/api/tickets/${ids.waitingA}/reprint`, { kioskId: "k1", copies: 2 }, "zhangwei"),
    v(
      "reprint: empty requestId",
      "POST",
      () => `/api/tickets/${ids.waitingA}/reprint`,
      { kioskId: "k1", requestId: "" },
      "zhangwei",
    ),
    v("reprint: bad lang", "POST", () => `/api/tickets/${ids.waitingA}/reprint`, { kioskId: "k1", lang: "de" }, "zhangwei"),
    // visitor actions take no body
    v("reactivate: unknown field", "POST", () => `/api/tickets/${ids.noShow}/reactivate`, { by: "staff" }, "zhangwei"),
    v("cancel: unknown field", "POST", () => `/api/tickets/${ids.waitingA}/cancel`, { reason: "x" }, "zhangwei"),
    // rating
    v("rating: missing score", "POST", () => `/api/tickets/${ids.done}/rating`, {}, "zhangwei"),
    v("rating: 0", "POST", () => `/api/tickets/${ids.done}/rating`, { score: 0 }, "zhangwei"),
    v("rating: 6", "POST", () => `/api/tickets/${ids.done}/rating`, { score: 6 }, "zhangwei"),
    v("rating: 4.5", "POST", () => `/api/tickets/${ids.done}/rating`, { score: 4.5 }, "zhangwei"),
    v("rating: string", "POST", () => `/api/tickets/${ids.done}/rating`, { score: "5" }, "zhangwei"),
    v("rating: unknown field", "POST", () => `/api/tickets/${ids.done}/rating`, { score: 5, stars: 5 }, "zhangwei"),
    v("rating: 2 without a reason", "POST", () => `/api/tickets/${ids.done}/rating`, { score: 2 }, "zhangwei"),
    v("rating: unknown reason", "POST", () => `/api/tickets/${ids.done}/rating`, { score: 1, reasons: ["x"] }, "zhangwei"),
    v("reprint: no requestId", "POST", () => `/api/tickets/${ids.waitingA}/reprint`, { kioskId: "k1" }, "zhangwei"),
    // login
    v("login: empty", "POST", "/api/auth/login", {}),
    v("login: no password", "POST", "/api/auth/login", { username: "admin" }),
    v("login: password number", "POST", "/api/auth/login", { username: "admin", password: 123456 }),
    v("login: empty username", "POST", "/api/auth/login", { username: "", password: "x" }),
    v("login: unknown field", "POST", "/api/auth/login", { username: "admin", password: "test-admin-pw", remember: true }),
    // counter actions without a body
    ...["sign-in", "sign-out", "call-next", "recall", "start", "no-show", "resume", "request-rating"].map((a) =>
      v(`${a}: unknown field`, "POST", c04(a), { force: true }, "chenjing"),
    ),
    v("finish: bad outcome", "POST", c04("finish"), { outcome: "great" }, "chenjing"),
    v("finish: outcome number", "POST", c04("finish"), { outcome: 1 }, "chenjing"),
    v("finish: unknown field", "POST", c04("finish"), { outcome: "completed", rating: 5 }, "chenjing"),
    v("transfer: no target", "POST", c04("transfer"), {}, "chenjing"),
    v("transfer: note only", "POST", c04("transfer"), { note: "x" }, "chenjing"),
    v("transfer: toQueueId number", "POST", c04("transfer"), { toQueueId: 3 }, "chenjing"),
    v("transfer: bad priority", "POST", c04("transfer"), { toQueueId: "q-a", priority: "vip" }, "chenjing"),
    v("transfer: note too long", "POST", c04("transfer"), { toQueueId: "q-a", note: "x".repeat(201) }, "chenjing"),
    v("transfer: unknown field", "POST", c04("transfer"), { toQueueId: "q-a", urgent: true }, "chenjing"),
    v("transfer: to the same counter", "POST", c04("transfer"), { toCounterId: "c04" }, "chenjing"),
    v("park: note number", "POST", c04("park"), { note: 5 }, "chenjing"),
    v("park: note too long", "POST", c04("park"), { note: "x".repeat(201) }, "chenjing"),
    v("park: unknown field", "POST", c04("park"), { minutes: 5 }, "chenjing"),
    v("call: reason number", "POST", () => `/api/counters/c01/call/${ids.waitingA}`, { reason: 1 }, "zhangwei"),
    v("call: reason too long", "POST", () => `/api/counters/c01/call/${ids.waitingA}`, { reason: "x".repeat(201) }, "zhangwei"),
    v("call: unknown field", "POST", () => `/api/counters/c01/call/${ids.waitingA}`, { priority: "green" }, "zhangwei"),
    v("pause: no reason", "POST", "/api/counters/c01/pause", {}, "zhangwei"),
    v("pause: no body", "POST", "/api/counters/c01/pause", undefined, "zhangwei"),
    v("pause: empty reason", "POST", "/api/counters/c01/pause", { reason: "" }, "zhangwei"),
    v("pause: blank reason", "POST", "/api/counters/c01/pause", { reason: "   " }, "zhangwei"),
    v("pause: reason number", "POST", "/api/counters/c01/pause", { reason: 1 }, "zhangwei"),
    v("pause: reason too long", "POST", "/api/counters/c01/pause", { reason: "x".repeat(101) }, "zhangwei"),
    v("pause: unknown field", "POST", "/api/counters/c01/pause", { reason: "午休", until: "13:30" }, "zhangwei"),
    // ids in the path
    v("ticket id too long", "GET", `/api/tickets/${"x".repeat(65)}`, undefined),
    v("counter id too long", "POST", `/api/counters/${"c".repeat(65)}/call-next`, undefined, "zhangwei"),
    // devices
    v("device: empty", "PUT", "/api/devices/printer-k9", {}, "admin"),
    v(
      "device: bad kind",
      "PUT",
      "/api/devices/printer-k9",
      { kind: "toaster", name: "x", transport: { type: "sim" }, assignment: { kind: "kiosk", kioskId: "k9" } },
      "admin",
    ),
    v(
      "device: serial without path",
      "PUT",
      "/api/devices/printer-k9",
      { kind: "printer", name: "x", transport: { type: "serial", baudRate: 9600 }, assignment: { kind: "kiosk", kioskId: "k9" } },
      "admin",
    ),
    v(
      "device: tcp port out of range",
      "PUT",
      "/api/devices/printer-k9",
      {
        kind: "printer",
        name: "x",
        transport: { type: "tcp", host: "127.0.0.1", port: 70000 },
        assignment: { kind: "kiosk", kioskId: "k9" },
      },
      "admin",
    ),
    v(
      "device: unknown field",
      "PUT",
      "/api/devices/printer-k9",
      { kind: "printer", name: "x", transport: { type: "sim" }, assignment: { kind: "kiosk", kioskId: "k9" }, color: "red" },
      "admin",
    ),
    v(
      "device: options object value",
      "PUT",
      "/api/devices/printer-k9",
      {
        kind: "printer",
        name: "x",
        transport: { type: "sim" },
        assignment: { kind: "kiosk", kioskId: "k9" },
        options: { a: { b: 1 } },
      },
      "admin",
    ),
    v("device: array body", "PUT", "/api/devices/printer-k9", [], "admin"),
    v("simulate: bad fault", "POST", "/api/devices/printer-k1/simulate", { fault: "fire" }, "admin"),
    v("simulate: no fault", "POST", "/api/devices/printer-k1/simulate", {}, "admin"),
    v("simulate: unknown field", "POST", "/api/devices/printer-k1/simulate", { fault: "ok", extra: 1 }, "admin"),
    v("simulate: paper out on a window display", "POST", "/api/devices/led-c01/simulate", { fault: "paper_out" }, "admin"),
    // queries
    v("stats/days: bad from", "GET", "/api/stats/days?from=2024-1-1", undefined),
    v("stats/days: bad to", "GET", "/api/stats/days?to=yesterday", undefined),
    v("stats/days: unknown key", "GET", "/api/stats/days?limit=5", undefined),
    v("qr: no text", "GET", "/api/qr.svg", undefined),
    v("qr: empty text", "GET", "/api/qr.svg?text=", undefined),
    v("qr: text too long", "GET", `/api/qr.svg?text=${"a".repeat(1001)}`, undefined),
    v("qr: unknown key", "GET", "/api/qr.svg?text=a&size=9", undefined),
  ];
  it.each(cases)("$name → 400", run);
});

const PROTECTED: { method: string; path: string; body?: unknown }[] = [
  { method: "POST", path: "/api/auth/logout" },
  { method: "GET", path: "/api/auth/me" },
  { method: "GET", path: "/api/counters/c01" },
  ...["sign-in", "sign-out", "call-next", "recall", "start", "finish", "no-show", "resume", "request-rating"].map((a) => ({
    method: "POST",
    path: `/api/counters/c01/${a}`,
  })),
  { method: "POST", path: "/api/counters/c01/transfer", body: { toQueueId: "q-b" } },
  { method: "POST", path: "/api/counters/c01/park", body: {} },
  { method: "POST", path: "/api/counters/c01/pause", body: { reason: "x" } },
  { method: "POST", path: "/api/counters/c01/call/anything", body: {} },
  { method: "GET", path: "/api/devices" },
  {
    method: "PUT",
    path: "/api/devices/printer-k1",
    body: { kind: "printer", name: "x", transport: { type: "sim" }, assignment: { kind: "kiosk", kioskId: "k1" } },
  },
  { method: "DELETE", path: "/api/devices/printer-k1" },
  { method: "POST", path: "/api/devices/printer-k1/simulate", body: { fault: "paper_out" } },
  // Issuing needs a paired kiosk or staff; pairing is run by admins.
  { method: "POST", path: "/api/tickets", body: { matterId: "m-001" } },
  { method: "GET", path: "/api/pairings" },
  { method: "POST", path: "/api/pairings/123456/approve", body: { role: "kiosk", id: "k9" } },
  { method: "DELETE", path: "/api/pairings/p-none" },
];

describe("http errors: authentication", () => {
  const cases: Case[] = [];
  for (const who of ["none", "garbage", "empty", "basic", "forged", "revoked"] as const)
    for (const r of PROTECTED)
      cases.push({ name: `${r.method} ${r.path} as ${who}`, ...r, as: who, status: 401, code: "UNAUTHENTICATED" });
  it.each(cases)("$name → 401", run);

  const login = (username: string, password: string): Case => ({
    name: `login ${username}/${password}`,
    method: "POST",
    path: "/api/auth/login",
    body: { username, password },
    status: 401,
    code: "BAD_CREDENTIALS",
  });
  it.each([
    login("admin", "wrong"),
    login("nobody", "test-admin-pw"),
    login("zhangwei", "test-admin-pw"),
    login("ADMIN", "test-admin-pw"),
  ])("$name → 401 BAD_CREDENTIALS", run);

  it("wrong username and wrong password give the same message", async () => {
    const a = await t.api("POST", "/api/auth/login", { username: "admin", password: "wrong" });
    const b = await t.api("POST", "/api/auth/login", { username: "nobody", password: "wrong" });
    expect(a.body).toEqual(b.body);
  });
});

describe("http errors: roles and counters held by others", () => {
  const devices = PROTECTED.filter((r) => r.path.startsWith("/api/devices"));
  const cases: Case[] = [
    ...devices.map((r) => ({
      name: `clerk ${r.method} ${r.path}`,
      ...r,
      as: "zhangwei" as Who,
      status: 403,
      code: "FORBIDDEN" as ErrorCode,
    })),
    ...devices
      .filter((r) => r.method !== "GET")
      .map((r) => ({
        name: `supervisor ${r.method} ${r.path}`,
        ...r,
        as: "wangli" as Who,
        status: 403,
        code: "FORBIDDEN" as ErrorCode,
      })),
    // zhangwei is signed in at c01; c04 is chenjing's and has a ticket being served.
    ...["sign-out", "call-next", "recall", "start", "finish", "no-show", "resume", "request-rating"].map((a) => ({
      name: `clerk at another clerk's counter: ${a}`,
      method: "POST",
      path: `/api/counters/c04/${a}`,
      as: "zhangwei" as Who,
      status: 403,
      code: "FORBIDDEN" as ErrorCode,
    })),
    {
      name: "clerk at another clerk's counter: transfer",
      method: "POST",
      path: "/api/counters/c04/transfer",
      body: { toQueueId: "q-b" },
      as: "zhangwei",
      status: 403,
      code: "FORBIDDEN",
    },
    {
      name: "clerk at another clerk's counter: park",
      method: "POST",
      path: "/api/counters/c04/park",
      body: {},
      as: "zhangwei",
      status: 403,
      code: "FORBIDDEN",
    },
    {
      name: "clerk at another clerk's counter: pause",
      method: "POST",
      path: "/api/counters/c04/pause",
      body: { reason: "x" },
      as: "zhangwei",
      status: 403,
      code: "FORBIDDEN",
    },
    {
      name: "clerk at another clerk's counter: call",
      method: "POST",
      path: () => `/api/counters/c04/call/${ids.waitingA}`,
      body: {},
      as: "zhangwei",
      status: 403,
      code: "FORBIDDEN",
    },
    {
      name: "clerk at a paused clerk's counter",
      method: "POST",
      path: "/api/counters/c02/resume",
      as: "zhangwei",
      status: 403,
      code: "FORBIDDEN",
    },
    {
      name: "clerk cannot take over a held counter",
      method: "POST",
      path: "/api/counters/c04/sign-in",
      as: "zhangwei",
      status: 409,
      code: "COUNTER_TAKEN",
    },
    {
      name: "clerk cannot take over a paused counter",
      method: "POST",
      path: "/api/counters/c02/sign-in",
      as: "huanglei",
      status: 409,
      code: "COUNTER_TAKEN",
    },
    {
      name: "a clerk serving a ticket cannot move counters",
      method: "POST",
      path: "/api/counters/c03/sign-in",
      as: "chenjing",
      status: 409,
      code: "INVALID_TRANSITION",
    },
  ];
  it.each(cases)("$name → $status $code", run);
});

describe("http errors: unknown ids and routes", () => {
  const nf = (name: string, method: string, path: string | (() => string), code: ErrorCode, body?: unknown, as?: Who): Case => ({
    name,
    method,
    path,
    body,
    as,
    status: 404,
    code,
  });
  const cases: Case[] = [
    nf("GET ticket", "GET", "/api/tickets/no-such-ticket", "UNKNOWN_TICKET"),
    nf(
      "reprint",
      "POST",
      "/api/tickets/no-such-ticket/reprint",
      "UNKNOWN_TICKET",
      { kioskId: "k1", requestId: "r1" },
      "zhangwei",
    ),
    nf("reactivate", "POST", "/api/tickets/no-such-ticket/reactivate", "UNKNOWN_TICKET", undefined, "zhangwei"),
    nf("cancel", "POST", "/api/tickets/no-such-ticket/cancel", "UNKNOWN_TICKET", undefined, "zhangwei"),
    nf("rating", "POST", "/api/tickets/no-such-ticket/rating", "UNKNOWN_TICKET", { score: 5 }, "zhangwei"),
    nf("issue: unknown matter", "POST", "/api/tickets", "UNKNOWN_MATTER", { matterId: "m-999", kioskId: "k1" }),
    nf("issue: unknown appointment code", "POST", "/api/tickets", "BOOKING_NOT_FOUND", { appointmentCode: "YY00000000" }),
    nf("GET counter", "GET", "/api/counters/c99", "UNKNOWN_COUNTER", undefined, "zhangwei"),
    ...["sign-in", "sign-out", "call-next", "recall", "start", "finish", "no-show", "resume", "request-rating"].map((a) =>
      nf(`counter ${a}`, "POST", `/api/counters/c99/${a}`, "UNKNOWN_COUNTER", undefined, "wangli"),
    ),
    nf("counter transfer", "POST", "/api/counters/c99/transfer", "UNKNOWN_COUNTER", { toQueueId: "q-a" }, "admin"),
    nf("counter park", "POST", "/api/counters/c99/park", "UNKNOWN_COUNTER", {}, "admin"),
    nf("counter pause", "POST", "/api/counters/c99/pause", "UNKNOWN_COUNTER", { reason: "x" }, "admin"),
    nf("counter call", "POST", () => `/api/counters/c99/call/${ids.waitingA}`, "UNKNOWN_COUNTER", {}, "admin"),
    nf("call an unknown ticket", "POST", "/api/counters/c01/call/no-such-ticket", "UNKNOWN_TICKET", {}, "zhangwei"),
    nf("transfer to an unknown queue", "POST", "/api/counters/c04/transfer", "UNKNOWN_QUEUE", { toQueueId: "q-zz" }, "chenjing"),
    nf(
      "transfer to an unknown counter",
      "POST",
      "/api/counters/c04/transfer",
      "UNKNOWN_COUNTER",
      { toCounterId: "c99" },
      "chenjing",
    ),
    nf("delete an unknown device", "DELETE", "/api/devices/no-such-device", "UNKNOWN_DEVICE", undefined, "admin"),
    nf("simulate an unknown device", "POST", "/api/devices/no-such-device/simulate", "UNKNOWN_DEVICE", { fault: "ok" }, "admin"),
    nf(
      "device on an unknown counter",
      "PUT",
      "/api/devices/led-c99",
      "UNKNOWN_COUNTER",
      { kind: "led", name: "x", transport: { type: "sim" }, assignment: { kind: "counter", counterId: "c99", address: 99 } },
      "admin",
    ),
    nf("voice: unknown call", "GET", `/api/voice/${"0".repeat(32)}.wav`, "NOT_FOUND"),
    nf("voice: bad name", "GET", "/api/voice/..%2Fconfig.json", "NOT_FOUND"),
    nf("voice: not a wav", "GET", "/api/voice/chime.mp3", "NOT_FOUND"),
    nf("unknown route", "GET", "/api/nope", "NOT_FOUND"),
    nf("unknown route (POST)", "POST", "/api/tickets/x/unknown", "NOT_FOUND", {}),
    nf("unknown method", "DELETE", "/api/tickets", "NOT_FOUND"),
    nf("login is POST only", "GET", "/api/auth/login", "NOT_FOUND"),
    nf("unknown nested route", "GET", "/api/counters", "NOT_FOUND", undefined, "admin"),
  ];
  it.each(cases)("$name → 404 $code", run);
});

describe("http errors: wrong state (409)", () => {
  const c = (name: string, path: string | (() => string), as: Who, code: ErrorCode, body?: unknown, method = "POST"): Case => ({
    name,
    method,
    path,
    body,
    as,
    status: 409,
    code,
  });
  const cases: Case[] = [
    // c01: signed in, nobody current
    ...["recall", "start", "finish", "no-show"].map((a) =>
      c(`idle counter: ${a}`, `/api/counters/c01/${a}`, "zhangwei", "NO_CURRENT_TICKET"),
    ),
    c("idle counter: transfer", "/api/counters/c01/transfer", "zhangwei", "NO_CURRENT_TICKET", { toQueueId: "q-b" }),
    c("idle counter: park", "/api/counters/c01/park", "zhangwei", "NO_CURRENT_TICKET", { note: "x" }),
    c("idle counter: resume", "/api/counters/c01/resume", "zhangwei", "COUNTER_NOT_PAUSED"),
    // c02: paused
    c("paused counter: call-next", "/api/counters/c02/call-next", "lina", "COUNTER_PAUSED"),
    c("paused counter: call", () => `/api/counters/c02/call/${ids.waitingA}`, "lina", "COUNTER_PAUSED", {}),
    c("paused counter: pause again", "/api/counters/c02/pause", "lina", "COUNTER_PAUSED", { reason: "x" }),
    // c03: closed
    ...["sign-out", "call-next", "recall", "start", "finish", "no-show", "resume", "request-rating"].map((a) =>
      c(`closed counter: ${a}`, `/api/counters/c03/${a}`, "liuyang", "COUNTER_CLOSED"),
    ),
    c("closed counter: pause", "/api/counters/c03/pause", "liuyang", "COUNTER_CLOSED", { reason: "x" }),
    c("closed counter: call", () => `/api/counters/c03/call/${ids.waitingA}`, "liuyang", "COUNTER_CLOSED", {}),
    c("closed counter, supervisor: call-next", "/api/counters/c03/call-next", "wangli", "COUNTER_CLOSED"),
    // c04: serving
    c("serving: recall", "/api/counters/c04/recall", "chenjing", "INVALID_TRANSITION"),
    c("serving: start again", "/api/counters/c04/start", "chenjing", "INVALID_TRANSITION"),
    c("serving: no-show", "/api/counters/c04/no-show", "chenjing", "INVALID_TRANSITION"),
    c("serving: pause", "/api/counters/c04/pause", "chenjing", "INVALID_TRANSITION", { reason: "x" }),
    c("serving: sign-out", "/api/counters/c04/sign-out", "chenjing", "INVALID_TRANSITION"),
    c("serving: call the current ticket", () => `/api/counters/c04/call/${ids.serving}`, "chenjing", "TICKET_NOT_CALLABLE", {}),
    // c17: tax only, nobody served yet
    c(
      "call a ticket of a queue the counter does not serve",
      () => `/api/counters/c17/call/${ids.waitingB}`,
      "huanglei",
      "QUEUE_NOT_SERVED",
      {},
    ),
    c("call a done ticket", () => `/api/counters/c17/call/${ids.done}`, "huanglei", "TICKET_NOT_CALLABLE", {}),
    c("call a cancelled ticket", () => `/api/counters/c17/call/${ids.cancelled}`, "huanglei", "TICKET_NOT_CALLABLE", {}),
    c(
      "call a ticket being served elsewhere",
      () => `/api/counters/c01/call/${ids.serving}`,
      "zhangwei",
      "TICKET_NOT_CALLABLE",
      {},
    ),
    c("request-rating before anyone was served", "/api/counters/c17/request-rating", "huanglei", "NO_CURRENT_TICKET"),
    // visitors
    c("reactivate a waiting ticket", () => `/api/tickets/${ids.waitingA}/reactivate`, "zhangwei", "INVALID_TRANSITION"),
    c("reactivate a done ticket", () => `/api/tickets/${ids.done}/reactivate`, "zhangwei", "INVALID_TRANSITION"),
    c("cancel a done ticket", () => `/api/tickets/${ids.done}/cancel`, "zhangwei", "INVALID_TRANSITION"),
    c("cancel a ticket being served", () => `/api/tickets/${ids.serving}/cancel`, "zhangwei", "INVALID_TRANSITION"),
    c("cancel twice", () => `/api/tickets/${ids.cancelled}/cancel`, "zhangwei", "INVALID_TRANSITION"),
    c("rate a waiting ticket", () => `/api/tickets/${ids.waitingA}/rating`, "zhangwei", "INVALID_TRANSITION", { score: 5 }),
    c("rate a cancelled ticket", () => `/api/tickets/${ids.cancelled}/rating`, "zhangwei", "INVALID_TRANSITION", { score: 1 }),
    c("reprint a done ticket", () => `/api/tickets/${ids.done}/reprint`, "zhangwei", "INVALID_TRANSITION", {
      kioskId: "k1",
      requestId: "r1",
    }),
    c("reprint a cancelled ticket", () => `/api/tickets/${ids.cancelled}/reprint`, "zhangwei", "INVALID_TRANSITION", {
      kioskId: "k1",
      requestId: "r1",
    }),
    c("issue with a used appointment code", "/api/tickets", "kiosk", "BOOKING_USED", () => ({
      appointmentCode: ids.usedCode,
    })),
    // The second reading was at k2: its token is good there only.
    c("issue twice with one ID card for one matter", "/api/tickets", "kiosk2", "DUPLICATE_ID_TICKET", () => ({
      matterId: "m-062",
      idToken: ids.dupToken,
      kioskId: "k2",
    })),
  ];
  it.each(cases)("$name → 409 $code", run);

  it("nothing was printed by the refused reprints and issues", async () => {
    const before = t.hub.devices.simulators("printer-k1")?.printerSim?.tickets.length;
    await run(
      c("reprint a done ticket", () => `/api/tickets/${ids.done}/reprint`, "zhangwei", "INVALID_TRANSITION", {
        kioskId: "k1",
        requestId: "r1",
      }),
    );
    await run({
      name: "",
      method: "POST",
      path: "/api/tickets",
      body: { matterId: "m-999", kioskId: "k1" },
      status: 404,
      code: "UNKNOWN_MATTER",
    });
    await run({
      name: "",
      method: "POST",
      path: "/api/tickets",
      body: { matterId: "m-001", kioskId: "k1", lang: "fr" },
      status: 400,
      code: "VALIDATION_FAILED",
    });
    await new Promise((r) => setTimeout(r, 150));
    expect(t.hub.devices.simulators("printer-k1")?.printerSim?.tickets.length).toBe(before);
  });
});

describe("http errors: time-dependent refusals", () => {
  it("a no-show past the reactivation window is refused, to the visitor and to the clerk", async () => {
    t.advance(31 * 60_000);
    await run({
      name: "",
      method: "POST",
      path: `/api/tickets/${ids.noShow}/reactivate`,
      as: "zhangwei",
      status: 409,
      code: "REACTIVATION_EXPIRED",
    });
    await run({
      name: "",
      method: "POST",
      path: `/api/counters/c01/call/${ids.noShow}`,
      body: {},
      as: "zhangwei",
      status: 409,
      code: "REACTIVATION_EXPIRED",
    });
  });

  it("vehicle and trading series issue only in office hours", async () => {
    t.advance(hallMorning(t.now()) + 2 * 3600_000 - t.now()); // 12:00, lunch break
    await run({
      name: "",
      method: "POST",
      path: "/api/tickets",
      body: { matterId: "m-096", kioskId: "k1" },
      status: 409,
      code: "OUTSIDE_HOURS",
    });
    const q = t.hub.hall.matter("m-096")?.queueId;
    expect(q === "q-h" || q === "q-j").toBe(true);
    // All-day series still issue.
    expect((await t.issue({ matterId: "m-001" })).status).toBe(201);
  });
});

describe("http errors: expired tokens", () => {
  let h: TestHub;
  beforeAll(async () => {
    // Start at 08:00 so 12 h later is still the same hall day.
    h = await startTestHub({ startAt: hallMorning() - 2 * 3600_000 });
  });
  afterAll(async () => {
    await h?.close();
  });

  it("a token past its 12 h lifetime is UNAUTHENTICATED everywhere; a new login works", async () => {
    const clerk = (await h.login("zhangwei")).token;
    const admin = (await h.login("admin")).token;
    expect((await h.api("POST", "/api/counters/c01/sign-in", undefined, clerk)).status).toBe(200);
    expect((await h.issue({ matterId: "m-001" })).status).toBe(201);
    h.advance(12 * 3600_000 + 60_000);
    for (const r of PROTECTED) await expectRejected(h, { ...r, auth: clerk }, 401, "UNAUTHENTICATED");
    await expectRejected(h, { method: "GET", path: "/api/devices", auth: admin }, 401, "UNAUTHENTICATED");
    const fresh = (await h.login("zhangwei")).token;
    const called = await h.api<Ticket>("POST", "/api/counters/c01/call-next", undefined, fresh);
    expect(called.status).toBe(200);
    expect(called.body.number).toBe("A001");
  });
});
