/**
 * The access matrix: for every REST route, every Socket.IO view and every socket command,
 * what each kind of caller gets. It is the specification the hub is tested against
 * (test/server/http/access-matrix.test.ts walks Express's registered routes and the socket
 * lists, fails on anything without a rule here, and checks every cell against a running
 * hub) and the table docs/security.md shows. Enforcement stays where it is (http/app.ts,
 * realtime/server.ts, hall/): this file says what it must add up to.
 *
 * A cell is "allow" (access control lets it through: the reply may still be a validation or
 * state error such as 400 or 409, never 401/403) or the exact closed error code the caller
 * gets.
 */
import type { ErrorCode } from "../contract/errors.ts";

/**
 * Who calls. Staff principals act with a bearer token; "clerkOwn"/"clerkOther" are the same
 * clerk acting at the counter they hold and at a counter someone else holds.
 *
 * TODO(7.1 pairing, 7.2 ticket capability): "pairedKiosk", "pairedScreen", "pairedTerminal"
 * and "ticketHolder" are the hooks for device tokens and per-ticket capabilities. Their
 * cells below state today's behaviour (the same as an unpaired page); the merge that adds
 * pairing sets them, and the test's `credentials()` learns to make those callers.
 */
export const PRINCIPALS = [
  "anonymous",
  "foreignPage",
  "unpairedPage",
  "pairedKiosk",
  "pairedScreen",
  "pairedTerminal",
  "ticketHolder",
  "clerkOwn",
  "clerkOther",
  "supervisor",
  "admin",
] as const;
export type Principal = (typeof PRINCIPALS)[number];

/** What each principal means, for the docs. */
export const PRINCIPAL_NOTES: Record<Principal, string> = {
  anonymous: "no token, no Origin header (a device, a script, curl)",
  foreignPage: "a browser page from another origin (Origin not the hub's, publicUrl or allowedOrigins)",
  unpairedPage: "a page served by the hub, not paired (Origin = the hub), no token",
  pairedKiosk: "a kiosk page paired by an admin (device token) — wired with pairing (7.1)",
  pairedScreen: "a call or window screen paired by an admin — wired with pairing (7.1)",
  pairedTerminal: "a counter terminal paired by an admin — wired with pairing (7.1)",
  ticketHolder: "whoever holds a ticket's secret capability (its QR / phone link) — wired with 7.2",
  clerkOwn: "a clerk at the counter they hold or are assigned to",
  clerkOther: "the same clerk acting on a counter someone else holds",
  supervisor: "a supervisor (any counter, takes over)",
  admin: "an admin (everything)",
};

export type Cell = "allow" | ErrorCode;
export type Rule = Record<Principal, Cell>;

const STAFF: Principal[] = ["clerkOwn", "clerkOther", "supervisor", "admin"];
const PUBLIC: Principal[] = [
  "anonymous",
  "foreignPage",
  "unpairedPage",
  "pairedKiosk",
  "pairedScreen",
  "pairedTerminal",
  "ticketHolder",
];

function rule(f: (p: Principal) => Cell): Rule {
  return Object.fromEntries(PRINCIPALS.map((p) => [p, f(p)])) as Rule;
}

/** Anyone; a foreign page may read but not change anything (origin check). */
const open = (changes: boolean): Rule => rule((p) => (changes && p === "foreignPage" ? "ORIGIN_REFUSED" : "allow"));

/** Signed-in staff of the listed roles; others FORBIDDEN, the public UNAUTHENTICATED. */
const staff = (changes: boolean, ...roles: ("clerk" | "supervisor" | "admin")[]): Rule =>
  rule((p) => {
    if (changes && p === "foreignPage") return "ORIGIN_REFUSED";
    if (PUBLIC.includes(p)) return "UNAUTHENTICATED";
    const role = p === "clerkOwn" || p === "clerkOther" ? "clerk" : (p as "supervisor" | "admin");
    return roles.includes(role) ? "allow" : "FORBIDDEN";
  });

/** A counter action: the clerk who holds the counter, supervisors and admins anywhere. */
const counter = (changes: boolean, otherClerk: Cell = "FORBIDDEN"): Rule =>
  rule((p) => {
    if (changes && p === "foreignPage") return "ORIGIN_REFUSED";
    if (PUBLIC.includes(p)) return "UNAUTHENTICATED";
    return p === "clerkOther" ? otherClerk : "allow";
  });

/** Every REST route as Express registers it (`METHOD path`). */
export const REST_ACCESS: Record<string, Rule> = {
  "GET /api/health": open(false),
  "GET /api/hall": open(false),
  "GET /api/state": open(false),
  "GET /api/stats/live": open(false),
  "GET /api/stats/days": open(false),
  // TODO(7.3): issuing will need a paired kiosk or staff; the pairing merge sets these cells.
  "POST /api/tickets": open(true),
  "GET /api/tickets/:id": open(false),
  // TODO(7.2, 7.13): visitor actions will need the ticket's capability (ticketHolder) or staff.
  "POST /api/tickets/:id/reprint": open(true),
  "POST /api/tickets/:id/reactivate": open(true),
  "POST /api/tickets/:id/cancel": open(true),
  "POST /api/tickets/:id/rating": open(true),
  "GET /api/qr.svg": open(false),
  "GET /api/voice/:file": open(false),
  "POST /api/auth/login": open(true),
  "POST /api/auth/logout": staff(true, "clerk", "supervisor", "admin"),
  "GET /api/auth/me": staff(false, "clerk", "supervisor", "admin"),
  "GET /api/counters/:id": counter(false),
  // Signing in at a counter someone holds is refused by the engine, not by role.
  "POST /api/counters/:id/sign-in": counter(true, "COUNTER_TAKEN"),
  "POST /api/counters/:id/sign-out": counter(true),
  "POST /api/counters/:id/call-next": counter(true),
  "POST /api/counters/:id/recall": counter(true),
  "POST /api/counters/:id/start": counter(true),
  "POST /api/counters/:id/finish": counter(true),
  "POST /api/counters/:id/no-show": counter(true),
  "POST /api/counters/:id/transfer": counter(true),
  "POST /api/counters/:id/park": counter(true),
  "POST /api/counters/:id/call/:ticketId": counter(true),
  "POST /api/counters/:id/pause": counter(true),
  "POST /api/counters/:id/resume": counter(true),
  "POST /api/counters/:id/request-rating": counter(true),
  "PUT /api/catalogue": staff(true, "admin"),
  "PUT /api/counters/:id/profile": staff(true, "supervisor", "admin"),
  "GET /api/staff": staff(false, "admin"),
  "POST /api/staff": staff(true, "admin"),
  "POST /api/staff/:id/password": staff(true, "admin"),
  "DELETE /api/staff/:id": staff(true, "admin"),
  "GET /api/devices": staff(false, "supervisor", "admin"),
  "PUT /api/devices/:id": staff(true, "admin"),
  "DELETE /api/devices/:id": staff(true, "admin"),
  "POST /api/devices/:id/simulate": staff(true, "admin"),
  "GET /": open(false),
  "GET /kiosk": open(false),
  "GET /m/*rest": open(false),
  "GET /counter": open(false),
  "GET /display": open(false),
  "GET /display/window/:counterId": open(false),
  "GET /wall": open(false),
};

/** A foreign page cannot even open a socket: every socket cell is ORIGIN_REFUSED for it. */
const socketOpen = (): Rule => rule((p) => (p === "foreignPage" ? "ORIGIN_REFUSED" : "allow"));
const socketCounter = (): Rule =>
  rule((p) => {
    if (p === "foreignPage") return "ORIGIN_REFUSED";
    if (PUBLIC.includes(p)) return "UNAUTHENTICATED";
    return p === "clerkOther" ? "FORBIDDEN" : "allow";
  });

/** `subscribe {view}`: which rooms a caller may join. */
export const VIEW_ACCESS: Record<string, Rule> = {
  hall: socketOpen(),
  counter: socketOpen(),
  zone: socketOpen(),
  // TODO(7.1): `screen` with screenId "kiosk-*" (card readings) becomes pairedKiosk-only.
  screen: socketOpen(),
  // TODO(7.2): a ticket's room may need its capability (ticketHolder).
  ticket: socketOpen(),
};

/** `counter:command {type}` over the socket (token from the handshake, checked per command). */
export const COMMAND_ACCESS: Record<string, Rule> = {
  "call-next": socketCounter(),
  recall: socketCounter(),
  start: socketCounter(),
  finish: socketCounter(),
  "no-show": socketCounter(),
  park: socketCounter(),
  call: socketCounter(),
  pause: socketCounter(),
  resume: socketCounter(),
  "request-rating": socketCounter(),
  transfer: socketCounter(),
};

/** Staff principals, for the docs' grouping. */
export const STAFF_PRINCIPALS = STAFF;

/** The matrix as markdown tables (docs/security.md holds this text; a test keeps them equal). */
export function renderAccessMatrix(): string {
  const short: Record<Principal, string> = {
    anonymous: "anon",
    foreignPage: "foreign page",
    unpairedPage: "unpaired page",
    pairedKiosk: "kiosk¹",
    pairedScreen: "screen¹",
    pairedTerminal: "terminal¹",
    ticketHolder: "ticket holder¹",
    clerkOwn: "clerk (own)",
    clerkOther: "clerk (other)",
    supervisor: "supervisor",
    admin: "admin",
  };
  const cell = (c: Cell) => (c === "allow" ? "✓" : `\`${c}\``);
  const table = (title: string, rows: Record<string, Rule>, label: (k: string) => string) => {
    const out = [
      `| ${title} | ${PRINCIPALS.map((p) => short[p]).join(" | ")} |`,
      `|---|${PRINCIPALS.map(() => "---").join("|")}|`,
    ];
    for (const [k, r] of Object.entries(rows)) out.push(`| ${label(k)} | ${PRINCIPALS.map((p) => cell(r[p])).join(" | ")} |`);
    return out.join("\n");
  };
  return [
    table("REST route", REST_ACCESS, (k) => `\`${k}\``),
    "",
    table("`subscribe` view", VIEW_ACCESS, (k) => `\`${k}\``),
    "",
    table("`counter:command` type", COMMAND_ACCESS, (k) => `\`${k}\``),
  ].join("\n");
}
