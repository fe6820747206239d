/**
 * REST routes of the help desk (docs/api.md, access rules in http/access.ts). Mounted by
 * http/app.ts before its 404 catch-all; the service is read at request time, so the routes
 * exist (for the access matrix) even when the app is built without one.
 */
import { type NextFunction, type Request, type Response, Router } from "express";
import { z } from "zod";
import type { TokenService } from "../auth/tokens.ts";
import { HELP_KINDS, HELP_STATUSES } from "../contract/helpdesk.ts";
import { CASE_NO } from "../cases/service.ts";
import { HallError } from "../hall/errors.ts";
import type { StaffDirectory } from "../hall/staff.ts";
import type { StaffRecord } from "../store/config.ts";
import { ledgerCsv, ledgerXlsx } from "./export.ts";
import { HELP_ID, HELP_ROLES, type HelpService, type LedgerFilter } from "./service.ts";
import { parse, idempotencyKey } from "../hall/validate.ts";

export interface HelpRouteDeps {
  helpdesk?: HelpService;
  tokens: TokenService;
  staff: StaffDirectory;
}

const DATE = z.string().regex(/^\d{4}-\d{2}-\d{2}$/, { message: "expected YYYY-MM-DD" });
const id = z.string().trim().min(1).max(64);
const helpId = z.string().regex(HELP_ID, { message: "expected a help case id such as HB-20261203-0001" });
const caseNo = z.string().regex(CASE_NO, { message: "expected a case number" });
const version = z.int().min(1);
const text = (max: number) => z.string().trim().min(1).max(max);

export const helpSchemas = {
  open: z.strictObject({
    kind: z.enum(HELP_KINDS as [string, ...string[]]).transform((x) => x as (typeof HELP_KINDS)[number]),
    title: text(100),
    departmentId: id.optional(),
    visitor: z.strictObject({
      name: text(40),
      phone: z
        .string()
        .trim()
        .regex(/^[\d\s-]{7,20}$/, { message: "expected a phone number" })
        .optional(),
      idNumber: z
        .string()
        .trim()
        .regex(/^(\d{17}[\dXx]|\d{15})$/, { message: "expected an 18-character ID number" })
        .optional(),
      company: text(100).optional(),
    }),
    nextStep: text(200).optional(),
    nextStepDate: DATE.optional(),
    links: z.array(caseNo).max(30).optional(),
  }),
  note: z.strictObject({
    expectedVersion: version,
    text: text(500),
    nextStep: text(200).optional(),
    nextStepDate: DATE.optional(),
  }),
  link: z.strictObject({ expectedVersion: version, caseNo }),
  transfer: z.strictObject({ expectedVersion: version, toStaffId: id, reason: text(500) }),
  close: z.strictObject({ expectedVersion: version, note: text(500) }),
  ledger: z.strictObject({
    from: DATE.optional(),
    to: DATE.optional(),
    owner: id.optional(),
    status: z.enum(HELP_STATUSES as [string, ...string[]]).optional(),
    dept: id.optional(),
    overdue: z.enum(["0", "1", "true", "false"]).optional(),
    limit: z.coerce.number().int().min(1).max(500).optional(),
    cursor: z
      .string()
      .regex(/^\d{1,9}$/)
      .optional(),
    lang: z.enum(["zh", "en"]).optional(),
  }),
  settings: z.strictObject({ remindAfterDays: z.int().min(1).max(60), escalateAfterDays: z.int().min(1).max(60) }),
};

function filter(q: z.infer<typeof helpSchemas.ledger>): LedgerFilter {
  return {
    ...(q.from ? { from: q.from } : {}),
    ...(q.to ? { to: q.to } : {}),
    ...(q.owner ? { owner: q.owner } : {}),
    ...(q.status ? { status: q.status as LedgerFilter["status"] & string } : {}),
    ...(q.dept ? { dept: q.dept } : {}),
    overdue: q.overdue === "1" || q.overdue === "true",
    ...(q.limit ? { limit: q.limit } : {}),
    ...(q.cursor ? { cursor: q.cursor } : {}),
  };
}

type Authed = Request & { staff?: StaffRecord };

export function helpdeskRoutes(d: HelpRouteDeps): Router {
  const r = Router();
  const service = (): HelpService => {
    if (!d.helpdesk) throw new HallError("NOT_FOUND", "the help desk is not enabled");
    return d.helpdesk;
  };
  /** Signed-in staff of `roles` (approvers run no help desk). */
  const auth =
    (...roles: string[]) =>
    (req: Authed, _res: Response, next: NextFunction) => {
      const m = /^Bearer (.+)$/.exec(req.get("authorization") ?? "");
      const claims = m?.[1] ? d.tokens.verify(m[1]) : null;
      const staff = claims ? d.staff.byId(claims.sid) : undefined;
      if (!staff) throw new HallError("UNAUTHENTICATED", "sign in first");
      if (!roles.includes(staff.role)) throw new HallError("FORBIDDEN", "not for your role");
      req.staff = staff;
      next();
    };
  const helpers = auth(...HELP_ROLES);
  const me = (req: Authed) => req.staff as StaffRecord;

  r.get("/api/helpdesk/cases", helpers, async (req: Authed, res) => {
    const { rows: _rows, ...ledger } = await service().ledger(me(req), filter(parse(helpSchemas.ledger, req.query)));
    res.json(ledger);
  });
  r.get("/api/helpdesk/ledger.csv", helpers, async (req: Authed, res) => {
    const q = parse(helpSchemas.ledger, req.query);
    const rows = await service().exportRows(me(req), filter(q));
    res
      .set("content-type", "text/csv; charset=utf-8")
      .set("content-disposition", `attachment; filename="helpdesk-ledger-${service().today()}.csv"`)
      .set("cache-control", "no-store")
      .send(ledgerCsv(rows, q.lang ?? "zh"));
  });
  r.get("/api/helpdesk/ledger.xlsx", helpers, async (req: Authed, res) => {
    const q = parse(helpSchemas.ledger, req.query);
    const rows = await service().exportRows(me(req), filter(q));
    res
      .set("content-type", "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")
      .set("content-disposition", `attachment; filename="helpdesk-ledger-${service().today()}.xlsx"`)
      .set("cache-control", "no-store")
      .send(await ledgerXlsx(rows, q.lang ?? "zh"));
  });
  // Whom a help case may be handed over to (the page's select): helpers and supervisors.
  r.get("/api/helpdesk/helpers", helpers, (_req, res) => {
    res.json(
      d.staff
        .list()
        .filter((x) => x.role === "clerk" || x.role === "supervisor")
        .map((x) => ({ id: x.id, name: x.name, role: x.role })),
    );
  });
  r.get("/api/helpdesk/reminders", helpers, async (req: Authed, res) => {
    res.json(await service().reminders(me(req)));
  });
  r.get("/api/helpdesk/settings", helpers, async (_req, res) => {
    res.json(await service().settings());
  });
  r.put("/api/helpdesk/settings", auth("supervisor", "admin"), async (req: Authed, res) => {
    res.json(await service().saveSettings(me(req), parse(helpSchemas.settings, req.body)));
  });
  r.post("/api/helpdesk/cases", helpers, async (req: Authed, res) => {
    const key = idempotencyKey(req.get("idempotency-key"));
    res.status(201).json(await service().open(me(req), parse(helpSchemas.open, req.body), key));
  });
  r.get("/api/helpdesk/cases/:id", helpers, async (req: Authed, res) => {
    res.json(await service().get(me(req), parse(helpId, req.params.id)));
  });
  r.post("/api/helpdesk/cases/:id/notes", helpers, async (req: Authed, res) => {
    const key = idempotencyKey(req.get("idempotency-key"));
    const b = parse(helpSchemas.note, req.body);
    res.json(
      await service().note(
        me(req),
        parse(helpId, req.params.id),
        {
          expectedVersion: b.expectedVersion,
          text: b.text,
          ...(b.nextStep ? { nextStep: b.nextStep } : {}),
          ...(b.nextStepDate ? { nextStepDate: b.nextStepDate } : {}),
        },
        key,
      ),
    );
  });
  r.post("/api/helpdesk/cases/:id/links", helpers, async (req: Authed, res) => {
    const key = idempotencyKey(req.get("idempotency-key"));
    res.json(await service().link(me(req), parse(helpId, req.params.id), parse(helpSchemas.link, req.body), key));
  });
  r.post("/api/helpdesk/cases/:id/transfer", helpers, async (req: Authed, res) => {
    const key = idempotencyKey(req.get("idempotency-key"));
    res.json(await service().transfer(me(req), parse(helpId, req.params.id), parse(helpSchemas.transfer, req.body), key));
  });
  r.post("/api/helpdesk/cases/:id/close", helpers, async (req: Authed, res) => {
    const key = idempotencyKey(req.get("idempotency-key"));
    res.json(await service().close(me(req), parse(helpId, req.params.id), parse(helpSchemas.close, req.body), key));
  });
  return r;
}
