/**
 * POST /api/plan/simulate — the what-if planner on the hub (supervisors and admins; access
 * rule in http/access.ts). The simulations run in a worker thread (plan-runner.ts), one plan
 * at a time, so the hub keeps answering while a plan runs; the work per request is still
 * bounded (at most 3 seeds, a capped number of simulated visitors).
 */
import { type NextFunction, type Request, type Response, Router } from "express";
import { z } from "zod";
import type { TokenService } from "../auth/tokens.ts";
import type { Catalogue } from "../contract/catalogue.ts";
import { HallError } from "../hall/errors.ts";
import type { StaffDirectory } from "../hall/staff.ts";
import { parse } from "../hall/validate.ts";
import type { PlanRequest } from "./plan.ts";
import { PlanRunner } from "./plan-runner.ts";

export interface PlanRouteDeps {
  tokens: TokenService;
  staff: StaffDirectory;
  /** The hall as configured now. */
  catalogue: () => Catalogue;
  /** Today's local date (the plan is for a day like today). */
  day: () => string;
  /** The hall's journals (DATA_DIR/journal): arrivals learned from past days. Absent: reference days only. */
  journalDir?: string;
  /** Where plans run (a worker thread); one is made when absent. */
  runner?: PlanRunner;
}

/** Visitors simulated per request at most (both plans, every seed). */
export const MAX_SIMULATED_VISITORS = 30_000;

const id = z.string().trim().min(1).max(64);
const ids = (max: number) => z.array(id).max(max);

export const planSchema = z.strictObject({
  load: z.number().min(0.1).max(1.5).default(0.8),
  runs: z.int().min(1).max(3).default(2),
  seed: z.int().min(0).max(1_000_000).default(1),
  targetP90Min: z.number().min(1).max(240).default(15),
  arrivals: z.enum(["reference", "history"]).default("reference"),
  whatIf: z
    .strictObject({
      addCounters: z
        .array(z.strictObject({ queueIds: ids(50).min(1), count: z.int().min(1).max(30) }))
        .max(10)
        .optional(),
      removeCounters: ids(300).optional(),
      profiles: z
        .array(z.strictObject({ counterId: id, queueIds: ids(50).min(1) }))
        .max(100)
        .optional(),
      moveMatters: ids(50).optional(),
      arrivalsFactor: z.number().min(0.2).max(2).optional(),
      lunchMin: z.int().min(0).max(180).optional(),
    })
    .default({}),
});

export function planRoutes(d: PlanRouteDeps): Router {
  const r = Router();
  const auth = (req: Request, _res: Response, next: NextFunction) => {
    const m = /^Bearer (.+)$/.exec(req.get("authorization") ?? "");
    const claims = m?.[1] ? d.tokens.verify(m[1]) : null;
    const staff = claims ? d.staff.byId(claims.sid) : undefined;
    if (!staff) throw new HallError("UNAUTHENTICATED", "sign in first");
    if (staff.role !== "supervisor" && staff.role !== "admin") throw new HallError("FORBIDDEN", "for supervisors and admins");
    next();
  };
  const runner = d.runner ?? new PlanRunner();
  r.post("/api/plan/simulate", auth, async (req, res) => {
    const body = parse(planSchema, req.body);
    const cat = d.catalogue();
    const counters = new Set(cat.counters.map((c) => c.id));
    const queues = new Set(cat.queues.map((q) => q.id));
    const matters = new Set(cat.matters.map((m) => m.id));
    const w = body.whatIf;
    for (const c of [...(w.removeCounters ?? []), ...(w.profiles ?? []).map((p) => p.counterId)])
      if (!counters.has(c)) throw new HallError("UNKNOWN_COUNTER", `no counter ${c}`);
    for (const q of [...(w.addCounters ?? []).flatMap((a) => a.queueIds), ...(w.profiles ?? []).flatMap((p) => p.queueIds)])
      if (!queues.has(q)) throw new HallError("UNKNOWN_QUEUE", `no queue ${q}`);
    for (const m of w.moveMatters ?? []) if (!matters.has(m)) throw new HallError("UNKNOWN_MATTER", `no matter ${m}`);
    const request: PlanRequest = { day: d.day(), ...body, whatIf: w };
    const a = await runner.run({
      catalogue: cat,
      request,
      maxVisitors: MAX_SIMULATED_VISITORS,
      ...(d.journalDir ? { journalDir: d.journalDir } : {}),
    });
    if (!a.ok) {
      if (a.tooLarge) throw new HallError("VALIDATION_FAILED", a.message);
      throw new Error(`plan failed: ${a.message}`);
    }
    if (!("result" in a)) throw new Error("plan worker answered another job");
    res.json(a.result);
  });
  return r;
}
