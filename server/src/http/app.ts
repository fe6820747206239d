import { existsSync } from "node:fs";
import { join } from "node:path";
import express, { type NextFunction, type Request, type Response } from "express";
import helmet from "helmet";
import QRCode from "qrcode";
import type { ErrorBody } from "../contract/errors.ts";
import type { LoginReply } from "../contract/events.ts";
import { LoginLimited, type LoginLimits } from "../auth/login-limits.ts";
import { HasherBusyError } from "../auth/passwords.ts";
import type { TokenService } from "../auth/tokens.ts";
import type { CatalogueAdmin } from "../hall/catalogue-admin.ts";
import type { CounterActions } from "../hall/counter-actions.ts";
import type { TicketIssuer } from "../hall/issuing.ts";
import type { LiveViews } from "../hall/live-views.ts";
import type { DevicesPort, VoicePort } from "../hall/ports.ts";
import type { HallService } from "../hall/service.ts";
import { canViewCounter } from "../hall/scope.ts";
import type { Pairings } from "../pairing/engine.ts";
import { IssueGuard } from "../pairing/issue-guard.ts";
import type { IssueLimits } from "../pairing/limits.ts";
import { mountPairingRoutes } from "../pairing/routes.ts";
import type { HubMetrics } from "../metrics/metrics.ts";
import { mountMetricsRoutes } from "../metrics/routes.ts";
import { type StaffDirectory, publicStaff } from "../hall/staff.ts";
import type { ConfigStore, StaffRecord } from "../store/config.ts";
import { HallError } from "../hall/errors.ts";
import { httpStatus } from "./errors.ts";
import { ticketRoutes } from "./ticket-routes.ts";
import { caseRoutes } from "../cases/routes.ts";
import { helpdeskRoutes } from "../helpdesk/routes.ts";
import { planRoutes } from "../simulation/routes.ts";
import { alarmRoutes } from "../alarms/routes.ts";
import type { AlarmService } from "../alarms/service.ts";
import type { HelpService } from "../helpdesk/service.ts";
import { deliveryRoutes } from "../delivery/routes.ts";
import type { DeliveryService } from "../delivery/service.ts";
import type { CaseService } from "../cases/service.ts";
import { terminalRoutes } from "../terminals/routes.ts";
import { paymentRoutes } from "../payments/routes.ts";
import type { PaymentService } from "../payments/service.ts";
import type { TerminalService } from "../terminals/service.ts";
import { originAllowed } from "./origins.ts";
import { parse, schemas } from "../hall/validate.ts";
import { withOrigin } from "../hall/origin.ts";
import type { AuditLog, AuditRecord } from "../audit/service.ts";
import { maskText } from "../audit/mask.ts";
import { mountAuditRoutes } from "../audit/routes.ts";
import { mountCatalogueRoutes } from "../catalogue/routes.ts";
import { mountReportRoutes } from "../reports/routes.ts";
import type { ReportService } from "../reports/service.ts";
import { localDay } from "../core/index.ts";
import { COUNTER_VERB_NAMES, COUNTER_VERBS, counterBody, counterCommand, issueRequest, loginRequest } from "../hall/commands.ts";

export interface HttpDeps {
  hall: HallService;
  config: ConfigStore;
  staff: StaffDirectory;
  tokens: TokenService;
  actions: CounterActions;
  issuer: TicketIssuer;
  devices: DevicesPort;
  catalogueAdmin: CatalogueAdmin;
  announcer: VoicePort;
  /** Snapshot and live figures (the hall's queries with device and voice state). */
  views: LiveViews;
  /** Built pages (vite build output); absent in API-only tests. */
  distDir: string;
  /** The hall's journals: the planner learns arrivals from past days there. */
  journalDir?: string;
  clock: () => number;
  log: (line: string) => void;
  startedAt: number;
  /** Login throttling per address and account (absent: none, for API-only tests). */
  loginLimits?: LoginLimits;
  /** Device pairing (kiosks, screens, terminals). */
  pairings: Pairings;
  limits: IssueLimits;
  /** GET /metrics and the issue timer (absent in API-only tests). */
  metrics?: HubMetrics;
  /** Cases (cases/); absent in API-only tests: the routes exist and answer NOT_FOUND. */
  cases?: CaseService;
  /** Help desk (helpdesk/); absent in API-only tests: the routes exist and answer NOT_FOUND. */
  helpdesk?: HelpService;
  /** The certificate window and the post (delivery/); absent in API-only tests. */
  delivery?: DeliveryService;
  /** Self-service terminals (terminals/); absent in API-only tests: the routes answer NOT_FOUND. */
  terminals?: TerminalService;
  /** The audit log (audit/, issue 13); absent in API-only tests: nothing is recorded, its routes answer NOT_FOUND. */
  audit?: AuditLog;
  /** Payments (payments/, 缴费); absent in API-only tests: the routes answer NOT_FOUND. */
  payments?: PaymentService;
  /** Alarms and advice for the supervisor (alarms/, issue 13); absent in API-only tests: the routes answer NOT_FOUND. */
  alarms?: AlarmService;
  /** Reports (reports/, issue 13); absent in API-only tests: the routes answer NOT_FOUND. */
  reports?: ReportService;
}

type Authed = Request & { staff?: StaffRecord };

function baseUrl(req: Request): string {
  return `${req.protocol}://${req.get("host") ?? "127.0.0.1"}`;
}

const SAFE_METHODS = new Set(["GET", "HEAD", "OPTIONS"]);

/**
 * Standard headers, and a content security policy the built pages run under: scripts and
 * styles from the hub only (Preact's inline styles are set through the CSSOM, which CSP
 * allows; 'unsafe-inline' styles stay for the style attributes echarts writes), images
 * from the hub and data: URLs (QR codes, Vite-inlined icons), audio from /api/voice,
 * Socket.IO to the hub itself. The hall runs on plain HTTP on its LAN: no HSTS, no
 * upgrade-insecure-requests (it would break every page there).
 */
const HELMET: Parameters<typeof helmet>[0] = {
  contentSecurityPolicy: {
    useDefaults: true,
    directives: {
      "default-src": ["'self'"],
      "script-src": ["'self'"],
      "style-src": ["'self'", "'unsafe-inline'"],
      "img-src": ["'self'", "data:", "blob:"],
      "media-src": ["'self'", "blob:", "data:"],
      "font-src": ["'self'", "data:"],
      "connect-src": ["'self'"],
      "worker-src": ["'self'", "blob:"],
      "frame-ancestors": ["'self'"],
      "upgrade-insecure-requests": null,
    },
  },
  strictTransportSecurity: false,
};

/**
 * A request the client got wrong, as raised by body-parser, the router or `send` (unknown
 * Content-Encoding, bad gzip, a bad charset, a malformed %-escape, a path outside the
 * static folder): a 4xx with a closed code, never a 500.
 */
function clientMistake(err: unknown): HallError | undefined {
  const e = err as { status?: unknown; statusCode?: unknown; type?: unknown; code?: unknown };
  const status = typeof e.status === "number" ? e.status : typeof e.statusCode === "number" ? e.statusCode : 0;
  if (e.type === "encoding.unsupported" || e.type === "charset.unsupported")
    return new HallError("UNSUPPORTED_ENCODING", "unsupported content encoding or charset");
  // zlib: a body that says gzip/deflate/br but is not.
  if (typeof e.code === "string" && e.code.startsWith("Z_"))
    return new HallError("VALIDATION_FAILED", "body is not valid compressed data");
  if (status === 415) return new HallError("UNSUPPORTED_ENCODING", "unsupported media type");
  if (status === 413) return new HallError("PAYLOAD_TOO_LARGE", "request body too large");
  // send refuses paths that leave the folder with 403; the file is simply not there for us.
  if (status === 403 || status === 404) return new HallError("NOT_FOUND", "not found");
  if (status >= 400 && status < 500) return new HallError("VALIDATION_FAILED", "malformed request");
  return undefined;
}

/** Express 5 app: the REST API under /api and the built pages. */
export function createHttpApp(d: HttpDeps): express.Express {
  const app = express();
  app.disable("x-powered-by");
  app.set("etag", false);
  app.use(helmet(HELMET));
  // Where each request came from, for the audit log (hall/origin.ts); req.ip is the socket's
  // address: the hub trusts no proxy header.
  app.use((req, _res, next) => withOrigin({ ip: req.ip ?? req.socket.remoteAddress ?? "?", via: "http" }, next));
  // A foreign page must not drive the hub from a browser on the hall network (issue 7.16).
  app.use((req, _res, next) => {
    if (SAFE_METHODS.has(req.method)) return next();
    if (!originAllowed(req.get("origin"), req.get("host"), d.config.data.catalogue.hall))
      throw new HallError("ORIGIN_REFUSED", "requests from this origin are not allowed");
    next();
  });
  // A whole catalogue (1,400 matters with their materials) is large; everything else is small.
  app.use("/api/catalogue", express.json({ limit: "4mb" }));
  // The courier's callback is signed over its raw bytes; status files come as CSV.
  app.use("/api/postal/callback", express.raw({ type: () => true, limit: "16kb" }));
  app.use("/api/postal/status-import", express.text({ type: ["text/csv", "text/plain"], limit: "2mb" }));
  app.use("/api", express.json({ limit: "16kb" }));

  const auth = (req: Authed, _res: Response, next: NextFunction) => {
    const h = req.get("authorization") ?? "";
    const m = /^Bearer (.+)$/.exec(h);
    const claims = m?.[1] ? d.tokens.verify(m[1]) : null;
    const staff = claims ? d.staff.byId(claims.sid) : undefined;
    if (!staff || staff.disabled) throw new HallError("UNAUTHENTICATED", "sign in first");
    req.staff = staff;
    next();
  };
  const role =
    (...roles: StaffRecord["role"][]) =>
    (req: Authed, _res: Response, next: NextFunction) => {
      if (!req.staff || !roles.includes(req.staff.role)) throw new HallError("FORBIDDEN", "not allowed for your role");
      next();
    };
  mountMetricsRoutes(app, { metrics: d.metrics, admin: [auth, role("admin")] });
  /**
   * One audit row for a staff action, committed before the route answers (an acknowledged
   * change always has its row; a row that cannot be written makes the request fail).
   */
  const audit = async (req: Authed, rec: Omit<AuditRecord, "actor">) => {
    const s = req.staff as StaffRecord;
    await d.audit?.record({ actor: { id: s.id, name: s.name, role: s.role }, ...rec });
  };

  // ---- public ----
  app.get("/api/health", (_req, res) => {
    const st = d.devices.statuses();
    res.json({
      ok: true,
      // The hub's clock (epoch ms): pages measure the hub's timestamps against it, not their PC's.
      now: d.clock(),
      day: d.hall.day,
      events: d.hall.eventCount,
      uptimeSec: Math.round((d.clock() - d.startedAt) / 1000),
      devices: { online: st.filter((s) => s.health === "online").length, total: st.length },
      voice: d.announcer.available,
    });
  });
  app.get("/api/hall", (req, res) => {
    const c = d.hall.clientCatalogue();
    // Pages and integrations revalidate with the version instead of loading it again.
    const etag = `"${c.version ?? ""}"`;
    res.set({ etag, "cache-control": "no-cache" });
    if (c.version && req.get("if-none-match") === etag) res.status(304).end();
    else res.json(c);
  });
  app.get("/api/state", (_req, res) => {
    res.json(d.views.snapshot());
  });
  app.get("/api/stats/live", (_req, res) => {
    res.json(d.views.liveStats());
  });
  app.get("/api/stats/days", async (req, res) => {
    const q = parse(schemas.days, req.query);
    res.json(await d.hall.summaries(q.from, q.to));
  });

  // Only a paired kiosk (as itself) or staff may take a number; see pairing/issue-guard.ts.
  const issueGuard = new IssueGuard(
    d.pairings,
    (token) => {
      const c = d.tokens.verify(token);
      return c ? d.staff.byId(c.sid)?.id : undefined;
    },
    d.limits,
  );
  app.post("/api/tickets", async (req, res) => {
    const by = await issueGuard.authorize(req, res);
    const b = parse(issueRequest, req.body);
    const kioskId = IssueGuard.kioskIdFor(by, b.kioskId);
    const t = await d.issuer.issue({ ...b, ...(kioskId !== undefined ? { kioskId } : {}), by: by.kind }, baseUrl(req));
    res.status(201).json(t);
  });
  // The visitor's ticket: progress, and the holder-only actions (ticket-routes.ts).
  app.use(ticketRoutes(d));

  app.get("/api/qr.svg", async (req, res) => {
    const q = parse(schemas.qr, req.query);
    let svg: string;
    try {
      svg = await QRCode.toString(q.text, { type: "svg", errorCorrectionLevel: "M", margin: 1 });
    } catch {
      // The only way it fails for a valid string: too much data for the largest QR code.
      throw new HallError("VALIDATION_FAILED", "text is too long for a QR code");
    }
    res.type("image/svg+xml").set("cache-control", "public, max-age=86400").send(svg);
  });
  app.get("/api/voice/:file", async (req, res) => {
    const name = req.params.file;
    if (!/^([0-9a-f]{32}|chime)\.wav$/.test(name)) throw new HallError("NOT_FOUND", "no such audio");
    let file: string | undefined;
    try {
      file = await d.announcer.file(name);
    } catch {
      throw new HallError("DEVICE_ERROR", "speech synthesis failed");
    }
    if (!file) throw new HallError("NOT_FOUND", "no such audio");
    res.type("audio/wav").set("cache-control", "public, max-age=86400").sendFile(file);
  });

  // ---- staff ----
  app.post("/api/auth/login", async (req, res) => {
    const b = parse(loginRequest, req.body);
    let s: StaffRecord | null;
    try {
      await d.loginLimits?.attempt(req.ip ?? req.socket.remoteAddress ?? "?", b.username);
      s = await d.staff.login(b.username, b.password);
    } catch (err) {
      // Throttled before any hashing; a full hashing queue is the same answer, briefly.
      if (err instanceof LoginLimited || err instanceof HasherBusyError) {
        res.set("retry-after", String(err instanceof LoginLimited ? err.retryAfterSec : 1));
        throw new HallError("RATE_LIMITED", "too many login attempts; try again later");
      }
      throw err;
    }
    if (!s) {
      await d.loginLimits?.failed(b.username);
      // The name as typed (masked: people type phone and ID numbers into the wrong box);
      // the account's id when it exists, so an admin filters one account's failures.
      const known = d.config.data.staff.find((x) => x.username === b.username);
      await d.audit?.record({
        actor: { ...(known ? { id: known.id, role: known.role } : {}), name: maskText(b.username, 40) },
        action: "auth.login-failed",
        ...(known?.disabled ? { detail: { disabled: true } } : {}),
      });
      throw new HallError("BAD_CREDENTIALS", "wrong username or password");
    }
    await d.loginLimits?.succeeded(b.username);
    await d.audit?.record({ actor: { id: s.id, name: s.name, role: s.role }, action: "auth.login" });
    const reply: LoginReply = { token: d.tokens.issue(s.id), staff: publicStaff(s), counterId: s.counterId ?? null };
    res.json(reply);
  });
  app.post("/api/auth/logout", auth, async (req, res) => {
    await d.tokens.revoke((req.get("authorization") ?? "").slice(7));
    await audit(req, { action: "auth.logout" });
    res.status(204).end();
  });
  app.get("/api/auth/me", auth, (req: Authed, res) => {
    const s = req.staff as StaffRecord;
    res.json({ staff: publicStaff(s), counterId: s.counterId ?? null });
  });

  app.get("/api/counters/:id", auth, (req: Authed, res) => {
    const id = parse(schemas.id, req.params.id);
    const v = d.actions.view(req.staff as StaffRecord, id);
    if (!v) throw new HallError("UNKNOWN_COUNTER", "no such counter");
    // A clerk sees only their own counter: the view holds masked IDs, notes and staff ids.
    if (!canViewCounter(req.staff as StaffRecord, id, d.hall))
      throw new HallError("FORBIDDEN", "a clerk sees only their own counter");
    res.json(v);
  });
  // Every counter verb, one route each; bodies and replies from the one table (hall/commands.ts).
  for (const verb of COUNTER_VERB_NAMES) {
    const path = verb === "call" ? "call/:ticketId" : verb;
    app.post(`/api/counters/:id/${path}`, auth, async (req: Authed, res) => {
      const counterId = parse(schemas.id, req.params.id);
      const ticketId = verb === "call" ? parse(schemas.id, req.params.ticketId) : undefined;
      const body = parse(counterBody[verb], req.body ?? {});
      const r = await d.actions.run(req.staff as StaffRecord, counterCommand(verb, counterId, body, ticketId));
      if (COUNTER_VERBS[verb].reply === "counter") res.json(r.counter);
      else if (r.ticket) res.json(r.ticket);
      else res.status(204).end();
    });
  }

  app.put("/api/catalogue", auth, role("admin"), async (req, res) => {
    const before = d.config.data.catalogue;
    // If-Match: the version the admin's page made the change on (a stale one is a conflict).
    const ifMatch = req.get("if-match")?.replace(/^(W\/)?"(.*)"$/, "$2");
    const after = await d.catalogueAdmin.replace(req.body, ifMatch);
    await audit(req, { action: "catalogue.replace", change: { before, after } });
    res.json(d.hall.clientCatalogue());
  });
  app.put("/api/counters/:id/profile", auth, role("admin", "supervisor"), async (req, res) => {
    const profile = parse(schemas.profile, req.body);
    const id = parse(schemas.id, req.params.id);
    const before = d.config.data.catalogue.counters.find((c) => c.id === id)?.profile;
    await d.catalogueAdmin.setProfile(id, profile);
    await audit(req, { action: "counter.profile", target: id, change: { before, after: profile } });
    res.json(d.hall.clientCatalogue().counters.find((c) => c.id === req.params.id));
  });

  app.get("/api/staff", auth, role("admin"), (_req, res) => {
    res.json(d.staff.list());
  });
  app.post("/api/staff", auth, role("admin"), async (req, res) => {
    const b = parse(schemas.newStaff, req.body);
    const made = await d.staff.create(b);
    await audit(req, { action: "staff.create", target: made.staff.id, change: { before: undefined, after: b } });
    res.status(201).json(made);
  });
  // Name, role, counter assignment, department, disabled (issue 13). Disabling ends the
  // account's sessions and signs it out of its counters.
  app.patch("/api/staff/:id", auth, role("admin"), async (req: Authed, res) => {
    const id = parse(schemas.id, req.params.id);
    const u = parse(schemas.staffUpdate, req.body);
    const r = await d.staff.update(id, u, req.staff as StaffRecord);
    if (r.after.disabled && !r.before.disabled) await d.tokens.revokeAccount(id);
    await audit(req, { action: "staff.update", target: id, change: { before: r.before, after: r.after } });
    res.json(r.after);
  });
  app.post("/api/staff/:id/password", auth, role("admin"), async (req, res) => {
    parse(schemas.empty, req.body ?? {});
    const id = parse(schemas.id, req.params.id);
    if (!d.staff.byId(id)) throw new HallError("NOT_FOUND", `no staff ${id}`);
    // Sessions end first: a reset that answers 500 must not leave a stolen token working.
    await d.tokens.revokeAccount(id);
    const r = await d.staff.resetPassword(id);
    // The new password is in the reply only, never in the log.
    await audit(req, { action: "staff.password-reset", target: id, detail: { username: r.staff.username } });
    res.json(r);
  });
  app.delete("/api/staff/:id", auth, role("admin"), async (req: Authed, res) => {
    const id = parse(schemas.id, req.params.id);
    const gone = d.staff.byId(id);
    await d.staff.remove(id, req.staff as StaffRecord);
    await d.tokens.revokeAccount(id);
    await audit(req, {
      action: "staff.remove",
      target: id,
      ...(gone ? { detail: { username: gone.username, name: gone.name, role: gone.role } } : {}),
    });
    res.status(204).end();
  });

  app.get("/api/devices", auth, role("admin", "supervisor"), (_req, res) => {
    res.json(d.devices.list());
  });
  app.put("/api/devices/:id", auth, role("admin"), async (req, res) => {
    const id = parse(schemas.id, req.params.id);
    const body = typeof req.body === "object" && req.body ? { ...req.body, id } : req.body;
    const before = d.config.data.devices.find((x) => x.id === id);
    const out = await d.devices.put(body);
    const after = d.config.data.devices.find((x) => x.id === id);
    await audit(req, { action: "device.put", target: id, change: { before, after } });
    res.json(out);
  });
  app.delete("/api/devices/:id", auth, role("admin"), async (req, res) => {
    const id = parse(schemas.id, req.params.id);
    const before = d.config.data.devices.find((x) => x.id === id);
    if (!(await d.devices.remove(id))) throw new HallError("UNKNOWN_DEVICE", "no such device");
    await audit(req, { action: "device.remove", target: id, change: { before, after: undefined } });
    res.status(204).end();
  });
  // A test ticket (issue 13): the hall's name, the time, "TEST" for a number, and a QR code
  // of the hub's address, so the paper, the cutter, the Chinese font and the QR are all seen.
  app.post("/api/devices/:id/test-print", auth, role("admin"), async (req, res) => {
    parse(schemas.empty, req.body ?? {});
    const id = parse(schemas.id, req.params.id);
    const hall = d.config.data.catalogue.hall;
    const now = d.clock();
    const at = new Intl.DateTimeFormat("zh-CN", { timeZone: hall.timeZone, dateStyle: "short", timeStyle: "medium" }).format(now);
    const result = await d.devices.testPrint(id, {
      jobId: `test-${id}-${now}`,
      hallName: hall.name,
      number: "TEST",
      matterName: "测试打印 Test print",
      zoneName: id,
      floor: "",
      ahead: 0,
      estimatedWaitMin: 0,
      estimatedWaitText: "—",
      issuedAtText: at,
      qrUrl: hall.publicUrl || baseUrl(req),
      materials: [],
      lang: "zh",
    });
    await audit(req, {
      action: "device.test-print",
      target: id,
      detail: { result: result.status, ...("error" in result ? { error: result.error } : {}) },
    });
    res.json(result);
  });
  app.post("/api/devices/:id/simulate", auth, role("admin"), async (req, res) => {
    const b = parse(schemas.simulate, req.body);
    const id = parse(schemas.id, req.params.id);
    const st = d.devices.simulate(id, b.fault);
    await audit(req, { action: "device.simulate", target: id, detail: { fault: b.fault } });
    res.json(st);
  });

  app.use(caseRoutes(d));
  app.use(alarmRoutes(d));
  app.use(helpdeskRoutes(d));
  app.use(deliveryRoutes(d));
  app.use(terminalRoutes(d));
  app.use(paymentRoutes(d));
  mountPairingRoutes(app, {
    pairings: d.pairings,
    admin: [auth, role("admin")],
    limits: d.limits,
    audit: (req, rec) => audit(req, rec),
  });
  mountAuditRoutes(app, {
    audit: () => d.audit,
    admin: [auth, role("admin")],
    timeZone: () => d.config.data.catalogue.hall.timeZone,
    today: () => localDay(d.clock(), d.config.data.catalogue.hall.timeZone),
  });
  // Catalogue import and export (catalogue/, issue 13).
  mountCatalogueRoutes(app, {
    admin: [auth, role("admin")],
    catalogue: () => ({ catalogue: d.config.data.catalogue, version: d.hall.clientCatalogue().version ?? "" }),
    inUse: (c) => d.catalogueAdmin.inUse(c),
    replace: async (c, version) => {
      await d.catalogueAdmin.replace(c, version);
    },
    audit: (req, rec) => audit(req, rec),
    today: () => localDay(d.clock(), d.config.data.catalogue.hall.timeZone),
  });
  // Reports (reports/, issue 13): supervisors and admins; the rebuild for admins.
  mountReportRoutes(app, {
    reports: () => d.reports,
    read: [auth, role("supervisor", "admin")],
    admin: [auth, role("admin")],
  });
  // What-if planning (simulation/, issue 14): supervisors and admins.
  app.use(
    planRoutes({
      tokens: d.tokens,
      staff: d.staff,
      catalogue: () => d.config.data.catalogue,
      day: () => d.hall.day,
      ...(d.journalDir ? { journalDir: d.journalDir } : {}),
    }),
  );

  app.use("/api", (_req, _res) => {
    throw new HallError("NOT_FOUND", "no such route");
  });

  // ---- pages ----
  const page = (file: string) => (_req: Request, res: Response) => {
    const p = join(d.distDir, file);
    if (!existsSync(p)) {
      res.status(503).type("text/plain; charset=utf-8").send("页面尚未构建 / pages not built: run `npm run build:ui`");
      return;
    }
    res.set("cache-control", "no-cache").sendFile(p);
  };
  app.get("/", (_req, res) => res.redirect("/kiosk"));
  app.get("/kiosk", page("kiosk-ui/index.html"));
  app.get("/m/*rest", page("kiosk-ui/phone.html"));
  app.get("/counter", page("counter-ui/index.html"));
  app.get(["/display", "/display/window/:counterId"], page("display-ui/index.html"));
  app.get("/wall", page("display-ui/wall.html"));
  app.get("/office", page("office-ui/index.html"));
  app.get("/q/:caseNo", page("office-ui/progress.html"));
  app.get("/helpdesk", page("helpdesk-ui/index.html"));
  app.get("/certificates", page("certificate-ui/index.html"));
  app.get("/terminal", page("terminal-ui/index.html"));
  app.get("/admin", page("admin-ui/index.html"));
  app.get("/admin/plan", page("plan-ui/index.html"));
  app.get("/admin/reports", page("reports-ui/index.html"));
  app.use("/assets", express.static(join(d.distDir, "assets"), { immutable: true, maxAge: "1y", fallthrough: false }));

  // ---- errors: only closed codes reach the client ----
  app.use((err: unknown, _req: Request, res: Response, _next: NextFunction) => {
    let e: HallError;
    if (err instanceof HallError) e = err;
    else if ((err as { type?: string }).type === "entity.too.large")
      e = new HallError("PAYLOAD_TOO_LARGE", "request body too large");
    else if ((err as { type?: string }).type === "entity.parse.failed")
      e = new HallError("VALIDATION_FAILED", "body is not valid JSON");
    else if ((err as { status?: number }).status === 404) e = new HallError("NOT_FOUND", "not found");
    else if (clientMistake(err)) e = clientMistake(err) as HallError;
    else {
      d.log(`http: ${(err as Error)?.stack ?? String(err)}`);
      e = new HallError("INTERNAL", "internal error");
    }
    const body: ErrorBody = { error: { code: e.code, message: e.message } };
    res.status(httpStatus(e.code)).json(body);
  });
  return app;
}
