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
 * "pairedKiosk", "pairedScreen", "pairedTerminal" act with a device token (pairing, docs/security.md);
 * "ticketHolder" with one ticket's holder key (X-Ticket-Key, from the QR printed on it).
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
  "approver",
  "supervisor",
  "admin",
] as const;
export type Principal = (typeof PRINCIPALS)[number];

/** What each principal means, for the docs. */
export const PRINCIPAL_NOTES: Record<Principal, string> = {
  anonymous: "no token, no Origin header (a device, a script, curl)",
  foreignPage: "a browser page from another origin (Origin not the hub's, publicUrl or allowedOrigins)",
  unpairedPage: "a page served by the hub, not paired (Origin = the hub), no token",
  pairedKiosk: "a kiosk page paired by an admin (device token for kiosk k1)",
  pairedScreen: "a call or window screen paired by an admin (device token)",
  pairedTerminal: "a self-service terminal paired by an admin (device token)",
  ticketHolder: "whoever holds one ticket's holder key (its QR / phone link), acting on that ticket",
  clerkOwn: "a clerk at the counter they hold or are assigned to",
  clerkOther: "the same clerk acting on a counter someone else holds",
  approver: "a back-office approver (审批, one department's cases; holds no counter)",
  supervisor: "a supervisor (any counter, takes over)",
  admin: "an admin (everything)",
};

export type Cell = "allow" | ErrorCode;
export type Rule = Record<Principal, Cell>;

const STAFF: Principal[] = ["clerkOwn", "clerkOther", "approver", "supervisor", "admin"];
type StaffRole = "clerk" | "approver" | "supervisor" | "admin";
const ALL_ROLES: StaffRole[] = ["clerk", "approver", "supervisor", "admin"];
/** Everyone who is not signed-in staff (devices and ticket holders included). */
const PUBLIC: Principal[] = PRINCIPALS.filter((p) => !STAFF.includes(p));

function rule(f: (p: Principal) => Cell): Rule {
  return Object.fromEntries(PRINCIPALS.map((p) => [p, f(p)])) as Rule;
}

/** Anyone; a foreign page may read but not change anything (origin check). */
const open = (changes: boolean): Rule => rule((p) => (changes && p === "foreignPage" ? "ORIGIN_REFUSED" : "allow"));

/** Signed-in staff of the listed roles; others FORBIDDEN, the public UNAUTHENTICATED. */
const staff = (changes: boolean, ...roles: StaffRole[]): Rule =>
  rule((p) => {
    if (changes && p === "foreignPage") return "ORIGIN_REFUSED";
    if (PUBLIC.includes(p)) return "UNAUTHENTICATED";
    const role = p === "clerkOwn" || p === "clerkOther" ? "clerk" : (p as StaffRole);
    return roles.includes(role) ? "allow" : "FORBIDDEN";
  });

/**
 * A counter action: the clerk who holds the counter, supervisors and admins anywhere. An
 * approver holds no counter: at one a clerk holds, they are refused as another clerk is.
 */
const counter = (changes: boolean, otherClerk: Cell = "FORBIDDEN"): Rule =>
  rule((p) => {
    if (changes && p === "foreignPage") return "ORIGIN_REFUSED";
    if (PUBLIC.includes(p)) return "UNAUTHENTICATED";
    return p === "clerkOther" || p === "approver" ? otherClerk : "allow";
  });

/** Taking a number: a paired kiosk or staff; other devices may not, the public must pair first. */
const issuing = (): Rule =>
  rule((p) => {
    if (p === "foreignPage") return "ORIGIN_REFUSED";
    if (p === "pairedKiosk" || STAFF.includes(p)) return "allow";
    if (p === "pairedScreen" || p === "pairedTerminal") return "FORBIDDEN";
    return "UNAUTHENTICATED";
  });

/** A visitor's action on their ticket: its holder (the key) or staff. */
const holderOnly = (): Rule =>
  rule((p) => {
    if (p === "foreignPage") return "ORIGIN_REFUSED";
    return p === "ticketHolder" || STAFF.includes(p) ? "allow" : "TICKET_KEY_REQUIRED";
  });

/** A self-service terminal's own routes: the paired terminal only. */
const terminalOnly = (changes: boolean): Rule =>
  rule((p) => {
    if (changes && p === "foreignPage") return "ORIGIN_REFUSED";
    if (p === "pairedTerminal") return "allow";
    if (p === "pairedKiosk" || p === "pairedScreen" || STAFF.includes(p)) return "FORBIDDEN";
    return "UNAUTHENTICATED";
  });

/** Every REST route as Express registers it (`METHOD path`). */
export const REST_ACCESS: Record<string, Rule> = {
  "GET /api/health": open(false),
  "GET /api/hall": open(false),
  "GET /api/state": open(false),
  "GET /api/stats/live": open(false),
  "GET /api/stats/days": open(false),
  "POST /api/tickets": issuing(),
  "GET /api/tickets/:id": open(false),
  "POST /api/tickets/:id/reprint": holderOnly(),
  "POST /api/tickets/:id/reactivate": holderOnly(),
  "POST /api/tickets/:id/cancel": holderOnly(),
  "POST /api/tickets/:id/rating": holderOnly(),
  "GET /api/qr.svg": open(false),
  "GET /api/voice/:file": open(false),
  "POST /api/auth/login": open(true),
  "POST /api/auth/logout": staff(true, ...ALL_ROLES),
  "GET /api/auth/me": staff(false, ...ALL_ROLES),
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
  // Asking for one's counter back: its own clerk (a clerk at someone else's counter is refused).
  "POST /api/counters/:id/hand-back-request": counter(true),
  // Giving a counter back: its holder, supervisors and admins.
  "POST /api/counters/:id/hand-back": counter(true),
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
  // Pairing: any page may ask for a code and claim it with its secret; admins decide.
  "POST /api/pairings": open(true),
  "POST /api/pairings/claim": open(true),
  "GET /api/pairings": staff(false, "admin"),
  // Cases (issue 10). Figures for the wall are public aggregates; the progress page needs the
  // case number and the check digits (a wrong check is UNKNOWN_CASE, rate-limited). Any staff
  // reads cases (approvers only their department's, FORBIDDEN otherwise); approvers do not
  // accept; which steps each role may take is checked per action (service.ts).
  "GET /api/cases/stats": open(false),
  "GET /api/public/cases/:caseNo": open(false),
  "POST /api/cases": staff(true, "clerk", "supervisor", "admin"),
  "GET /api/cases": staff(false, ...ALL_ROLES),
  "GET /api/cases/:caseNo": staff(false, ...ALL_ROLES),
  "POST /api/cases/:caseNo/transitions": staff(true, ...ALL_ROLES),
  // A case's receipt, printed at a counter: counter staff (a clerk only at their own counter,
  // checked against the case; an unknown case is a 404 for everyone).
  "POST /api/cases/:caseNo/receipt": staff(true, "clerk", "supervisor", "admin"),
  // Help desk (issue 11, 帮办代办): run by clerks (the helpers), supervisors and admins; approvers
  // (back office) are FORBIDDEN. Who acts on one help case (its owner, or a supervisor) is the
  // engine's rule (NOT_HELP_OWNER); the ledger and its exports are masked; supervisors set
  // the reminder intervals.
  "GET /api/helpdesk/cases": staff(false, "clerk", "supervisor", "admin"),
  "GET /api/helpdesk/ledger.csv": staff(false, "clerk", "supervisor", "admin"),
  "GET /api/helpdesk/ledger.xlsx": staff(false, "clerk", "supervisor", "admin"),
  "GET /api/helpdesk/helpers": staff(false, "clerk", "supervisor", "admin"),
  "GET /api/helpdesk/reminders": staff(false, "clerk", "supervisor", "admin"),
  "GET /api/helpdesk/settings": staff(false, "clerk", "supervisor", "admin"),
  "PUT /api/helpdesk/settings": staff(true, "supervisor", "admin"),
  "POST /api/helpdesk/cases": staff(true, "clerk", "supervisor", "admin"),
  "GET /api/helpdesk/cases/:id": staff(false, "clerk", "supervisor", "admin"),
  "POST /api/helpdesk/cases/:id/notes": staff(true, "clerk", "supervisor", "admin"),
  "POST /api/helpdesk/cases/:id/links": staff(true, "clerk", "supervisor", "admin"),
  "POST /api/helpdesk/cases/:id/transfer": staff(true, "clerk", "supervisor", "admin"),
  "POST /api/helpdesk/cases/:id/close": staff(true, "clerk", "supervisor", "admin"),
  // Certificate window and post (issue 11). The window's staff find and hand over certificates
  // and mail them (a clerk only at the window they hold, checked by the service); the
  // visitor gives an address with the last four digits of the phone (wrong = UNKNOWN_CASE,
  // rate-limited); the courier's callback carries an HMAC of its body instead of a token
  // (nobody else gets past it); status files and the ledger are the office's.
  "GET /api/certificates/find": staff(false, "clerk", "supervisor", "admin"),
  "POST /api/certificates/:caseNo/collect": staff(true, "clerk", "supervisor", "admin"),
  "PUT /api/cases/:caseNo/postal": staff(true, "clerk", "supervisor", "admin"),
  "PUT /api/public/cases/:caseNo/postal": open(true),
  "POST /api/postal/:caseNo/mail": staff(true, "clerk", "supervisor", "admin"),
  "POST /api/postal/:caseNo/label": staff(true, "clerk", "supervisor", "admin"),
  "POST /api/postal/:caseNo/track": staff(true, "clerk", "supervisor", "admin"),
  "POST /api/postal/status-import": staff(true, "supervisor", "admin"),
  "POST /api/postal/callback": rule((p) => (p === "foreignPage" ? "ORIGIN_REFUSED" : "UNAUTHENTICATED")),
  "GET /api/postal/ledger": staff(false, "supervisor", "admin"),
  // Self-service terminals (issue 12): only the page paired as that very terminal (its
  // device token; another terminal's id is FORBIDDEN, see terminals/routes.ts). Staff and
  // other devices are refused; the visitor proves who they are at the terminal itself (the
  // ID card read there, the receipt scanned there, or the case number + phone digits).
  "GET /api/terminals/:id/hall": terminalOnly(false),
  "GET /api/terminals/:id/cases": terminalOnly(false),
  "GET /api/terminals/:id/cases/:caseNo": terminalOnly(false),
  "POST /api/terminals/:id/certificates": terminalOnly(true),
  "POST /api/terminals/:id/guides/:matterId": terminalOnly(true),
  "POST /api/terminals/:id/session/end": terminalOnly(true),
  // A second copy of a self-printed certificate needs a clerk (issue 12): window staff only,
  // at the window they hold (checked by the service), recorded; never a terminal.
  "POST /api/certificates/:caseNo/reprint": staff(true, "clerk", "supervisor", "admin"),
  // Self-service payment (issue 12, 缴费): the terminal paired as :id lists the fees of the
  // visitor identified there and pays them (the payment code stays in the hub); refunds, the
  // day's orders and the reconciliation against the providers' statements are the office's
  // (supervisors, admins): money goes back only on a person's decision.
  "GET /api/terminals/:id/fees": terminalOnly(false),
  "POST /api/terminals/:id/payments": terminalOnly(true),
  "GET /api/terminals/:id/payments/:orderId": terminalOnly(false),
  "POST /api/terminals/:id/payments/:orderId/receipt": terminalOnly(true),
  // Card payments (issue 12): the visitor stops the POS before the card is read.
  "POST /api/terminals/:id/payments/:orderId/cancel": terminalOnly(true),
  "GET /api/payments": staff(false, "supervisor", "admin"),
  "GET /api/payments/reconciliation": staff(false, "supervisor", "admin"),
  "GET /api/payments/:orderId": staff(false, "supervisor", "admin"),
  "POST /api/payments/:orderId/refunds": staff(true, "supervisor", "admin"),
  "POST /api/pairings/:code/approve": staff(true, "admin"),
  "DELETE /api/pairings/:pairingId": staff(true, "admin"),
  // Admin console and audit log (issue 13). The audit log names staff, their addresses and
  // every change: admins only (supervisors' own takeovers are in it). Changing an account
  // (role, counter, disable) is for admins, like creating one. The /admin page itself is
  // open like every page; it signs in and shows each role only what these rules allow.
  "PATCH /api/staff/:id": staff(true, "admin"),
  // A test ticket on a printer: paper and ink, for whoever may change devices.
  "POST /api/devices/:id/test-print": staff(true, "admin"),
  "GET /api/audit": staff(false, "admin"),
  "GET /api/audit/verify": staff(false, "admin"),
  "GET /api/audit/export.csv": staff(false, "admin"),
  "GET /api/audit/export.xlsx": staff(false, "admin"),
  "GET /admin": open(false),
  // The hub's measurements (docs/api.md): admins only, from any address (no loopback pass).
  "GET /metrics": staff(false, "admin"),
  "GET /": open(false),
  "GET /kiosk": open(false),
  "GET /m/*rest": open(false),
  "GET /counter": open(false),
  "GET /display": open(false),
  "GET /display/window/:counterId": open(false),
  "GET /wall": open(false),
  // Pages only: the back office signs in like the counter, the progress page asks for the
  // last four digits before the case routes answer anything.
  "GET /office": open(false),
  "GET /q/:caseNo": open(false),
  // The help desk page signs in like the back office.
  "GET /helpdesk": open(false),
  // The 统一出证 window's page signs in like the counter.
  "GET /certificates": open(false),
  // The terminal page pairs itself before any terminal route answers.
  "GET /terminal": open(false),
  // What-if planning (issue 14, simulation/): the page signs in like the back office; the
  // simulation (bounded work, run on the hub) for supervisors and admins only.
  "GET /admin/plan": open(false),
  "POST /api/plan/simulate": staff(true, "supervisor", "admin"),
  // Alarms and advice (issue 13, alarms/): the floor is run by supervisors and admins; an
  // acknowledgement and an applied advice (counters moved) are audited.
  "GET /api/alarms": staff(false, "supervisor", "admin"),
  "POST /api/alarms/:id/ack": staff(true, "supervisor", "admin"),
  "GET /api/advice": staff(false, "supervisor", "admin"),
  "POST /api/advice/apply": staff(true, "supervisor", "admin"),
  // Catalogue import and export (issue 13, catalogue/): the whole catalogue as XLSX or one
  // table as CSV, and the import's dry run and apply, for admins (who may PUT it anyway).
  "GET /api/catalogue/export.xlsx": staff(false, "admin"),
  "GET /api/catalogue/export.csv": staff(false, "admin"),
  "POST /api/catalogue/import/dry-run": staff(true, "admin"),
  "POST /api/catalogue/import": staff(true, "admin"),
  // Reports (issue 13, reports/): the hall's figures name counters and clerks, so supervisors
  // and admins read them and close 差评 follow-ups; approvers are refused (their department's
  // work is the back office's worklist, not the hall's report). Rebuilding the history from
  // the journals: admins. The page signs in like the console.
  "GET /admin/reports": open(false),
  "GET /api/reports": staff(false, "supervisor", "admin"),
  "GET /api/reports/export.csv": staff(false, "supervisor", "admin"),
  "GET /api/reports/export.xlsx": staff(false, "supervisor", "admin"),
  "GET /api/reports/followups": staff(false, "supervisor", "admin"),
  "GET /api/reports/followups/export.csv": staff(false, "supervisor", "admin"),
  "GET /api/reports/followups/export.xlsx": staff(false, "supervisor", "admin"),
  "POST /api/reports/followups/:ticketId/close": staff(true, "supervisor", "admin"),
  "POST /api/reports/rebuild": staff(true, "admin"),
};

/** A foreign page cannot even open a socket: every socket cell is ORIGIN_REFUSED for it. */
const socketOpen = (): Rule => rule((p) => (p === "foreignPage" ? "ORIGIN_REFUSED" : "allow"));
const socketCounter = (): Rule =>
  rule((p) => {
    if (p === "foreignPage") return "ORIGIN_REFUSED";
    if (PUBLIC.includes(p)) return "UNAUTHENTICATED";
    return p === "clerkOther" || p === "approver" ? "FORBIDDEN" : "allow";
  });

/** `subscribe {view}`: which rooms a caller may join. */
export const VIEW_ACCESS: Record<string, Rule> = {
  hall: socketOpen(),
  counter: socketOpen(),
  zone: socketOpen(),
  // A kiosk's screen room (screenId "kiosk-k1") carries ID card readings with their issuing
  // tokens: only the kiosk paired as k1 joins it; likewise "terminal-t1" only the terminal
  // paired as t1 (issue 12, pairing/socket.ts; tested in test/server/terminals/). Other
  // screen ids stay open.
  screen: rule((p) => (p === "foreignPage" ? "ORIGIN_REFUSED" : p === "pairedKiosk" ? "allow" : "FORBIDDEN")),
  // A ticket's progress is public (number, position, wait); the holder's part is never broadcast.
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

/** `cases:subscribe {view}`: the back office's rooms (staff) and one case's progress (case number + check). */
export const CASE_VIEW_ACCESS: Record<string, Rule> = {
  office: rule((p) => (p === "foreignPage" ? "ORIGIN_REFUSED" : PUBLIC.includes(p) ? "UNAUTHENTICATED" : "allow")),
  case: socketOpen(),
};

/** `helpdesk:subscribe {view}` (issue 11): the desk's rooms, for clerks, supervisors and admins. */
export const HELPDESK_VIEW_ACCESS: Record<string, Rule> = {
  desk: rule((p) =>
    p === "foreignPage" ? "ORIGIN_REFUSED" : PUBLIC.includes(p) ? "UNAUTHENTICATED" : p === "approver" ? "FORBIDDEN" : "allow",
  ),
};

/**
 * `certificates:subscribe {counterId}`: the window's scanner and ID card lookups (issue 11) —
 * the clerk holding that window, supervisors and admins.
 */
export const CERTIFICATE_VIEW_ACCESS: Record<string, Rule> = {
  window: socketCounter(),
};

/**
 * `alarms:subscribe {view}` (issue 13): the supervisors' floor (alarms with who acknowledged
 * them) and the wall's (the same alarms without names: open, as the wall is).
 */
export const ALARM_VIEW_ACCESS: Record<string, Rule> = {
  floor: staff(true, "supervisor", "admin"),
  wall: socketOpen(),
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
    approver: "approver",
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
    "",
    table("`cases:subscribe` view", CASE_VIEW_ACCESS, (k) => `\`${k}\``),
    "",
    table("`helpdesk:subscribe` view", HELPDESK_VIEW_ACCESS, (k) => `\`${k}\``),
    table("`certificates:subscribe`", CERTIFICATE_VIEW_ACCESS, (k) => `\`${k}\``),
    "",
    table("`alarms:subscribe` view", ALARM_VIEW_ACCESS, (k) => `\`${k}\``),
  ].join("\n");
}
