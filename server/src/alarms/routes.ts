/**
 * REST routes of the alarms and the advice (docs/api.md, access rules in http/access.ts):
 * supervisors and admins. Acknowledging an alarm and applying advice are recorded in the
 * audit log before the reply. Mounted by http/app.ts; the service is read at request time,
 * so the routes exist (for the access matrix) even when the app is built without one.
 */
import { type NextFunction, type Request, type Response, Router } from "express";
import { z } from "zod";
import type { TokenService } from "../auth/tokens.ts";
import type { AuditLog } from "../audit/service.ts";
import { HallError } from "../hall/errors.ts";
import type { StaffDirectory } from "../hall/staff.ts";
import { parse, schemas } from "../hall/validate.ts";
import type { StaffRecord } from "../store/config.ts";
import type { AlarmService } from "./service.ts";
import { FLOOR_ROLES } from "./socket.ts";

export interface AlarmRouteDeps {
  alarms?: AlarmService;
  tokens: TokenService;
  staff: StaffDirectory;
  audit?: AuditLog;
}

const id = z.string().trim().min(1).max(64);
export const adviceApplySchema = z.strictObject({
  queueId: id,
  moves: z
    .array(z.strictObject({ counterId: id, from: z.array(id).min(1).max(100) }))
    .min(1)
    .max(50),
});

type Authed = Request & { staff?: StaffRecord };

export function alarmRoutes(d: AlarmRouteDeps): Router {
  const r = Router();
  const alarms = (): AlarmService => {
    if (!d.alarms) throw new HallError("NOT_FOUND", "alarms are not enabled");
    return d.alarms;
  };
  const floor = (req: Authed, _res: Response, next: NextFunction) => {
    const token = /^Bearer (.+)$/.exec(req.get("authorization") ?? "")?.[1];
    const sid = token ? d.tokens.verify(token)?.sid : undefined;
    req.staff = sid ? d.staff.byId(sid) : undefined;
    if (!req.staff || req.staff.disabled) throw new HallError("UNAUTHENTICATED", "sign in first");
    if (!FLOOR_ROLES.includes(req.staff.role)) throw new HallError("FORBIDDEN", "for supervisors and admins");
    next();
  };
  const actor = (req: Authed) => {
    const s = req.staff as StaffRecord;
    return { id: s.id, name: s.name, role: s.role };
  };

  r.get("/api/alarms", floor, (_req, res) => {
    // As of now, not of the last tick.
    alarms().evaluate();
    res.json(alarms().snapshot());
  });
  r.post("/api/alarms/:id/ack", floor, async (req: Authed, res) => {
    parse(schemas.empty, req.body ?? {});
    const a = alarms().alarm(parse(id, req.params.id));
    // Recorded first: an acknowledgement the log does not hold is never shown as done.
    await d.audit?.record({
      actor: actor(req),
      action: "alarm.acknowledge",
      target: a.id,
      detail: { kind: a.kind, ...(a.queueId ? { queueId: a.queueId } : {}), ...(a.counterId ? { counterId: a.counterId } : {}) },
    });
    res.json(alarms().acknowledge(a.id, (req.staff as StaffRecord).name));
  });
  r.get("/api/advice", floor, (_req, res) => {
    res.json(alarms().advice());
  });
  r.post("/api/advice/apply", floor, async (req: Authed, res) => {
    const body = parse(adviceApplySchema, req.body);
    const out = await alarms().apply(body);
    await d.audit?.record({
      actor: actor(req),
      action: "advice.apply",
      target: body.queueId,
      detail: { counters: out.before.counters.map((c) => c.id) },
      change: { before: out.before, after: out.after },
    });
    res.json(out.applied);
  });
  return r;
}
