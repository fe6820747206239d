/**
 * REST routes of the audit log (docs/api.md, access rules in http/access.ts): the page's
 * search, the exports and the chain check, for admins. Mounted by http/app.ts before its
 * 404 catch-all; the log is read at request time, so the routes exist (for the access
 * matrix) even when the app is built without one.
 */
import type { Express, Request, RequestHandler, Response } from "express";
import { z } from "zod";
import { AUDIT_ACTIONS } from "../contract/audit.ts";
import { HallError } from "../hall/errors.ts";
import { parse } from "../hall/validate.ts";
import type { StaffRecord } from "../store/config.ts";
import { auditCsv, auditXlsx } from "./export.ts";
import type { AuditLog } from "./service.ts";

/** An instant: epoch ms, or an ISO 8601 date-time with its offset (2026-12-03T08:00:00+08:00). */
const instant = z.union([
  z
    .string()
    .regex(/^\d{1,15}$/)
    .transform(Number),
  z.iso.datetime({ offset: true }).transform((s) => Date.parse(s)),
]);
const FAMILIES = [...new Set(AUDIT_ACTIONS.map((a) => `${a.split(".")[0]}.`))];
const filters = {
  actor: z.string().trim().min(1).max(64).optional(),
  action: z.enum([...AUDIT_ACTIONS, ...FAMILIES] as [string, ...string[]]).optional(),
  from: instant.optional(),
  to: instant.optional(),
  q: z.string().trim().min(1).max(100).optional(),
};
export const auditSchemas = {
  list: z.strictObject({
    ...filters,
    before: z
      .string()
      .regex(/^\d{1,12}$/)
      .transform(Number)
      .optional(),
    limit: z
      .string()
      .regex(/^\d{1,3}$/)
      .transform(Number)
      .pipe(z.number().int().min(1).max(500))
      .optional(),
  }),
  export: z.strictObject({ ...filters, lang: z.enum(["zh", "en"]).optional() }),
};

type Filters = z.infer<typeof auditSchemas.export>;
const query = (q: Filters) => ({
  ...(q.actor ? { actorId: q.actor } : {}),
  ...(q.action ? { action: q.action } : {}),
  ...(q.from !== undefined ? { from: q.from } : {}),
  ...(q.to !== undefined ? { to: q.to } : {}),
  ...(q.q ? { text: q.q } : {}),
});

export function mountAuditRoutes(
  app: Express,
  d: {
    audit: () => AuditLog | undefined;
    /** Middleware chain that lets only admins through (and sets `req.staff`). */
    admin: RequestHandler[];
    timeZone: () => string;
    today: () => string;
  },
): void {
  const log = (): AuditLog => {
    const a = d.audit();
    if (!a) throw new HallError("NOT_FOUND", "no audit log here");
    return a;
  };
  const me = (req: Request) => (req as Request & { staff: StaffRecord }).staff;

  app.get("/api/audit", ...d.admin, async (req: Request, res: Response) => {
    const q = parse(auditSchemas.list, req.query);
    res
      .set("cache-control", "no-store")
      .json(await log().query({ ...query(q), limit: q.limit ?? 100, ...(q.before !== undefined ? { before: q.before } : {}) }));
  });
  app.get("/api/audit/verify", ...d.admin, async (_req: Request, res: Response) => {
    res.set("cache-control", "no-store").json(await log().verify());
  });
  for (const kind of ["csv", "xlsx"] as const) {
    app.get(`/api/audit/export.${kind}`, ...d.admin, async (req: Request, res: Response) => {
      const q = parse(auditSchemas.export, req.query);
      const { rows, truncated } = await log().exportRows(query(q));
      // Who took a copy of the log, and of what, is itself in the log (before the file leaves).
      const s = me(req);
      await log().record({
        actor: { id: s.id, name: s.name, role: s.role },
        action: "audit.export",
        detail: { format: kind, rows: rows.length, filters: { ...q, lang: undefined }, ...(truncated ? { truncated } : {}) },
      });
      const lang = q.lang ?? "zh";
      const name = `audit-log-${d.today()}.${kind}`;
      res.set("content-disposition", `attachment; filename="${name}"`).set("cache-control", "no-store");
      if (kind === "csv") res.set("content-type", "text/csv; charset=utf-8").send(auditCsv(rows, lang, d.timeZone()));
      else
        res
          .set("content-type", "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")
          .send(await auditXlsx(rows, lang, d.timeZone()));
    });
  }
}
