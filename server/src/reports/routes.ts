/**
 * REST routes of /admin/reports (docs/api.md "Reports", access rules in http/access.ts):
 * reports and their exports and the 差评 follow-ups for supervisors and admins, the rebuild
 * from the journals for admins. Mounted by http/app.ts before its 404 catch-all; the
 * service is read at request time, so the routes exist (for the access matrix) even when
 * the app is built without one.
 */
import type { Express, Request, RequestHandler, Response } from "express";
import { z } from "zod";
import { CSV_TYPE, XLSX_TYPE, toCsv, toXlsx } from "../export/table.ts";
import { HallError } from "../hall/errors.ts";
import { parse } from "../hall/validate.ts";
import type { StaffRecord } from "../store/config.ts";
import { FOLLOWUP_COLUMNS, REPORT_TABLES, reportFile } from "./export.ts";
import { GROUPS, PERIODS } from "./model.ts";
import type { ReportService } from "./service.ts";

const date = z
  .string()
  .regex(/^\d{4}-\d{2}-\d{2}$/)
  .refine(
    (d) => !Number.isNaN(Date.parse(`${d}T00:00:00Z`)) && new Date(`${d}T00:00:00Z`).toISOString().startsWith(d),
    "not a date",
  );
const report = {
  period: z.enum(PERIODS).default("month"),
  date: date.optional(),
  by: z.enum(GROUPS).default("department"),
};
const lang = z.enum(["zh", "en"]).default("zh");
const status = z.enum(["open", "closed", "all"]).default("open");

export const reportSchemas = {
  report: z.strictObject(report),
  export: z.strictObject({ ...report, table: z.enum(REPORT_TABLES).default("groups"), lang }),
  followups: z.strictObject({ status }),
  followupExport: z.strictObject({ status, lang }),
  close: z.strictObject({ action: z.string().trim().min(2).max(500) }),
  rebuild: z.strictObject({ from: date.optional(), to: date.optional() }),
  ticketId: z.string().trim().min(1).max(64),
};

export function mountReportRoutes(
  app: Express,
  d: {
    reports: () => ReportService | undefined;
    /** Supervisors and admins (sets `req.staff`). */
    read: RequestHandler[];
    /** Admins only. */
    admin: RequestHandler[];
  },
): void {
  const svc = (): ReportService => {
    const s = d.reports();
    if (!s) throw new HallError("NOT_FOUND", "no reports here");
    return s;
  };
  const me = (req: Request) => {
    const s = (req as Request & { staff: StaffRecord }).staff;
    return { id: s.id, name: s.name, role: s.role };
  };
  const send = (res: Response, name: string, kind: "csv" | "xlsx", body: string | Buffer) =>
    res
      .set("content-disposition", `attachment; filename="${name}.${kind}"`)
      .set("cache-control", "no-store")
      .set("content-type", kind === "csv" ? CSV_TYPE : XLSX_TYPE)
      .send(body);

  app.get("/api/reports", ...d.read, async (req: Request, res: Response) => {
    const q = parse(reportSchemas.report, req.query);
    const s = svc();
    res.set("cache-control", "no-store").json(await s.report(q.period, q.date ?? s.today(), q.by));
  });
  for (const kind of ["csv", "xlsx"] as const) {
    app.get(`/api/reports/export.${kind}`, ...d.read, async (req: Request, res: Response) => {
      const q = parse(reportSchemas.export, req.query);
      const s = svc();
      const r = await s.report(q.period, q.date ?? s.today(), q.by);
      send(res, `report-${q.table}-${q.by}-${r.from}-${r.to}`, kind, await reportFile(r, q.table, kind, q.lang));
    });
    app.get(`/api/reports/followups/export.${kind}`, ...d.read, async (req: Request, res: Response) => {
      const q = parse(reportSchemas.followupExport, req.query);
      const s = svc();
      const rows = await s.followups(q.status);
      const body =
        kind === "csv" ? toCsv(FOLLOWUP_COLUMNS, rows, q.lang) : await toXlsx("followups", FOLLOWUP_COLUMNS, rows, q.lang);
      send(res, `followups-${q.status}-${s.today()}`, kind, body);
    });
  }
  app.get("/api/reports/followups", ...d.read, async (req: Request, res: Response) => {
    const q = parse(reportSchemas.followups, req.query);
    res.set("cache-control", "no-store").json(await svc().followups(q.status));
  });
  app.post("/api/reports/followups/:ticketId/close", ...d.read, async (req: Request, res: Response) => {
    const id = parse(reportSchemas.ticketId, req.params.ticketId);
    const b = parse(reportSchemas.close, req.body);
    res.json(await svc().closeFollowup(id, me(req), b.action));
  });
  app.post("/api/reports/rebuild", ...d.admin, async (req: Request, res: Response) => {
    const b = parse(reportSchemas.rebuild, req.body ?? {});
    const s = svc();
    const r = await s.rebuild(b.from, b.to);
    await s.recordRebuild(me(req), { ...b, days: r.days });
    res.json(r);
  });
}
