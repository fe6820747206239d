/**
 * REST routes of cases (docs/api.md, access rules in http/access.ts). Mounted by
 * http/app.ts before its 404 catch-all; the service is read at request time, so the routes
 * exist (for the access matrix) even when the app is built without one. Receipts print
 * through the hall's device port (DevicesPort.printAtCounter) handed in with the deps.
 */
import { type NextFunction, type Request, type Response, Router } from "express";
import { RateLimiterMemory } from "rate-limiter-flexible";
import { z } from "zod";
import { ACCEPTANCE_OUTCOMES, CASE_ACTIONS, CASE_STATUSES } from "../contract/cases.ts";
import type { TokenService } from "../auth/tokens.ts";
import { HallError } from "../hall/errors.ts";
import type { DevicesPort } from "../hall/ports.ts";
import { canViewCounter } from "../hall/scope.ts";
import type { HallService } from "../hall/service.ts";
import type { StaffDirectory } from "../hall/staff.ts";
import { schemas as hallSchemas, parse, idempotencyKey } from "../hall/validate.ts";
import type { StaffRecord } from "../store/config.ts";
import { caseSlipJob, encodeCaseSlip } from "./receipt.ts";
import { CASE_NO, type CaseService } from "./service.ts";

export interface CaseRouteDeps {
  cases?: CaseService;
  tokens: TokenService;
  staff: StaffDirectory;
  /** Who holds a counter (a clerk prints only at their own) and the catalogue in force. */
  hall: HallService;
  /** The counter printers, as the hall's device port offers them. */
  devices: Pick<DevicesPort, "printAtCounter">;
}

function baseUrl(req: Request): string {
  return `${req.protocol}://${req.get("host") ?? "127.0.0.1"}`;
}

const DATE = z.string().regex(/^\d{4}-\d{2}-\d{2}$/, { message: "expected YYYY-MM-DD" });
const id = z.string().trim().min(1).max(64);
const caseNo = z.string().regex(CASE_NO, { message: "expected a case number such as 371426-20261202-00042" });

export const caseSchemas = {
  accept: z.strictObject({
    ticketId: id.optional(),
    counterId: id.optional(),
    siteId: id.optional(),
    matterId: id.optional(),
    applicant: z.strictObject({
      name: z.string().trim().min(1).max(40),
      // 18-character resident ID (the last may be X); older 15-digit cards too.
      idNumber: z
        .string()
        .trim()
        .regex(/^(\d{17}[\dXx]|\d{15})$/, { message: "expected an 18-character ID number" })
        .optional(),
      phone: z
        .string()
        .trim()
        .regex(/^[\d\s-]{7,20}$/, { message: "expected a phone number" })
        .refine((p) => p.replace(/\D/g, "").length >= 7, { message: "expected a phone number" }),
    }),
    materials: z
      .array(
        z.strictObject({
          index: z.int().min(0).max(49),
          state: z.enum(["received", "missing", "deferred"]),
          promisedDate: DATE.optional(),
        }),
      )
      .max(50),
    outcome: z.enum(ACCEPTANCE_OUTCOMES as [string, ...string[]]).transform((x) => x as (typeof ACCEPTANCE_OUTCOMES)[number]),
    reason: z.string().trim().min(1).max(500).optional(),
  }),
  transition: z.strictObject({
    action: z.enum(CASE_ACTIONS as [string, ...string[]]).transform((x) => x as (typeof CASE_ACTIONS)[number]),
    expectedVersion: z.int().min(1),
    note: z.string().max(500).optional(),
    materialIndex: z.int().min(0).max(49).optional(),
    trackingNo: z
      .string()
      .trim()
      .regex(/^[A-Za-z0-9-]{4,40}$/)
      .optional(),
  }),
  worklist: z.strictObject({
    dept: id.optional(),
    status: z
      .string()
      .optional()
      .transform((s, ctx) => {
        if (!s) return undefined;
        const list = s.split(",");
        for (const x of list)
          if (!(CASE_STATUSES as readonly string[]).includes(x)) {
            ctx.addIssue({ code: "custom", message: `unknown status ${x}` });
            return z.NEVER;
          }
        return list as (typeof CASE_STATUSES)[number][];
      }),
    overdue: z.enum(["0", "1", "true", "false"]).optional(),
    limit: z.coerce.number().int().min(1).max(500).optional(),
    cursor: z
      .string()
      .regex(/^\d{1,9}$/)
      .optional(),
  }),
  stats: z.strictObject({ from: DATE.optional() }),
  publicQuery: z.strictObject({ check: z.string().regex(/^[0-9Xx]{4}$/, { message: "expected four digits" }) }),
};

type Authed = Request & { staff?: StaffRecord };

export function caseRoutes(d: CaseRouteDeps): Router {
  const r = Router();
  const service = (): CaseService => {
    if (!d.cases) throw new HallError("NOT_FOUND", "cases are not enabled");
    return d.cases;
  };
  const auth = (req: Authed, _res: Response, next: NextFunction) => {
    const m = /^Bearer (.+)$/.exec(req.get("authorization") ?? "");
    const claims = m?.[1] ? d.tokens.verify(m[1]) : null;
    const staff = claims ? d.staff.byId(claims.sid) : undefined;
    if (!staff) throw new HallError("UNAUTHENTICATED", "sign in first");
    req.staff = staff;
    next();
  };
  // Guessing the check digits: a few tries per address per minute, and per case per hour,
  // whatever the address (10,000 combinations stay out of reach).
  const perAddress = new RateLimiterMemory({ points: 30, duration: 60 });
  const perCaseFailures = new RateLimiterMemory({ points: 20, duration: 3600 });

  r.get("/api/cases/stats", async (req, res) => {
    const q = parse(caseSchemas.stats, req.query);
    res.json(await service().stats(q.from));
  });
  r.get("/api/public/cases/:caseNo", async (req, res) => {
    try {
      await perAddress.consume(req.ip ?? req.socket.remoteAddress ?? "?");
    } catch {
      res.set("retry-after", "60");
      throw new HallError("RATE_LIMITED", "too many look-ups; try again later");
    }
    const no = parse(caseNo, req.params.caseNo);
    const q = parse(caseSchemas.publicQuery, req.query);
    const failures = await perCaseFailures.get(no);
    if (failures && failures.remainingPoints <= 0) throw new HallError("RATE_LIMITED", "too many wrong checks for this case");
    try {
      res.set("cache-control", "no-store").json(await service().publicCase(no, q.check));
    } catch (err) {
      if (err instanceof HallError && err.code === "UNKNOWN_CASE") await perCaseFailures.penalty(no, 1);
      throw err;
    }
  });
  r.post("/api/cases", auth, async (req: Authed, res) => {
    const staff = req.staff as StaffRecord;
    if (staff.role === "approver") throw new HallError("FORBIDDEN", "cases are accepted at a counter or a front desk");
    const key = idempotencyKey(req.get("idempotency-key"));
    const body = parse(caseSchemas.accept, req.body);
    res.status(201).json(await service().accept(staff, body, key));
  });
  r.get("/api/cases", auth, async (req: Authed, res) => {
    const q = parse(caseSchemas.worklist, req.query);
    res.json(
      await service().worklist(req.staff as StaffRecord, {
        ...(q.dept ? { dept: q.dept } : {}),
        ...(q.status ? { status: q.status } : {}),
        overdue: q.overdue === "1" || q.overdue === "true",
        ...(q.limit ? { limit: q.limit } : {}),
        ...(q.cursor ? { cursor: q.cursor } : {}),
      }),
    );
  });
  r.get("/api/cases/:caseNo", auth, async (req: Authed, res) => {
    res.json(await service().get(req.staff as StaffRecord, parse(caseNo, req.params.caseNo)));
  });
  // The counter prints a case's 受理回执 (or, refused, its 一次性告知书) on its own printer;
  // the press's requestId makes a retried request print once. Counter staff only: approvers
  // have no counter printer.
  r.post("/api/cases/:caseNo/receipt", auth, async (req: Authed, res) => {
    const staff = req.staff as StaffRecord;
    if (!["clerk", "supervisor", "admin"].includes(staff.role)) throw new HallError("FORBIDDEN", "not allowed for your role");
    const no = parse(hallSchemas.id, req.params.caseNo);
    const b = parse(hallSchemas.caseReceipt, req.body ?? {});
    if (!d.cases) throw new HallError("UNKNOWN_CASE", "no such case");
    // The service's own rules: an unknown case answers UNKNOWN_CASE.
    const c = await d.cases.get(staff, no);
    const counterId = b.counterId ?? c.counterId;
    if (!counterId) throw new HallError("VALIDATION_FAILED", "counterId: the case was not accepted at a counter");
    if (!canViewCounter(staff, counterId, d.hall)) throw new HallError("FORBIDDEN", "a clerk prints only at their own counter");
    const cat = d.hall.catalogue();
    const job = caseSlipJob(c, cat, {
      origin: cat.hall.publicUrl || baseUrl(req),
      lang: b.lang ?? "zh",
      jobId: `case-${no}-${b.requestId}`,
    });
    const print = await d.devices.printAtCounter(counterId, job.jobId, (width) => encodeCaseSlip(job, { width }));
    res.json({ print });
  });
  r.post("/api/cases/:caseNo/transitions", auth, async (req: Authed, res) => {
    const key = idempotencyKey(req.get("idempotency-key"));
    const no = parse(caseNo, req.params.caseNo);
    const body = parse(caseSchemas.transition, req.body);
    res.json(await service().transition(req.staff as StaffRecord, no, body, key));
  });
  return r;
}
