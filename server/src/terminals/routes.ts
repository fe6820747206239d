/**
 * REST routes of self-service terminals (contract/terminals.ts, docs/api.md; access rules
 * in http/access.ts). Every route needs the device token of a page paired as a terminal,
 * and acts as that terminal only: `:id` must be the token's own. Mounted by http/app.ts
 * before its 404 catch-all; the service is read at request time, so the routes exist (for
 * the access matrix) even when the app is built without one.
 */
import { type NextFunction, type Request, type Response, Router } from "express";
import { RateLimiterMemory } from "rate-limiter-flexible";
import { z } from "zod";
import { CASE_NO } from "../cases/service.ts";
import { HallError } from "../hall/errors.ts";
import { type AsTerminal, pairedTerminal } from "./guard.ts";
import type { Pairings } from "../pairing/engine.ts";
import { DEVICE_TOKEN_PREFIX } from "../pairing/tokens.ts";
import type { TokenService } from "../auth/tokens.ts";
import type { StaffDirectory } from "../hall/staff.ts";
import type { StaffRecord } from "../store/config.ts";
import type { TerminalService } from "./service.ts";
import { parse } from "../hall/validate.ts";

export interface TerminalRouteDeps {
  terminals?: TerminalService;
  pairings: Pairings;
  tokens: TokenService;
  staff: StaffDirectory;
}

const token = z.string().regex(/^[A-Za-z0-9_-]{16,64}$/, { message: "expected a token" });
const caseNo = z.string().regex(CASE_NO, { message: "expected a case number such as 371426-20261202-00042" });
const schemas = {
  cases: z.strictObject({ idToken: token }),
  one: z.union([
    z.strictObject({ scanToken: token }),
    z.strictObject({ check: z.string().regex(/^\d{4}$/, { message: "expected four digits" }) }),
  ]),
  print: z.strictObject({ caseNo, idToken: token }),
  end: z.strictObject({ idToken: token.optional() }),
  matterId: z.string().trim().min(1).max(64),
  reprint: z.strictObject({
    counterId: z.string().trim().min(1).max(64),
    terminalId: z
      .string()
      .regex(/^[A-Za-z0-9_-]{1,32}$/)
      .optional(),
    reason: z.string().trim().min(1).max(200),
  }),
};

export function terminalRoutes(d: TerminalRouteDeps): Router {
  const r = Router();
  const service = (): TerminalService => {
    if (!d.terminals) throw new HallError("NOT_FOUND", "terminals are not enabled");
    return d.terminals;
  };
  const terminal = pairedTerminal(() => d.pairings);
  // Guessing the four digits: a few tries per terminal a minute, and per case an hour.
  const perTerminal = new RateLimiterMemory({ points: 30, duration: 60 });
  const perCaseFailures = new RateLimiterMemory({ points: 10, duration: 3600 });

  r.get("/api/terminals/:id/hall", terminal, (_req, res) => {
    res.set("cache-control", "no-store").json(service().hallNow());
  });
  r.get("/api/terminals/:id/cases", terminal, async (req: AsTerminal, res) => {
    const q = parse(schemas.cases, req.query);
    res.set("cache-control", "no-store").json(await service().casesOfCard(req.terminal?.id as string, q.idToken));
  });
  r.get("/api/terminals/:id/cases/:caseNo", terminal, async (req: AsTerminal, res) => {
    const id = req.terminal?.id as string;
    const no = parse(caseNo, req.params.caseNo);
    const q = parse(schemas.one, req.query);
    res.set("cache-control", "no-store");
    if ("scanToken" in q) {
      res.json(await service().caseOfScan(id, no, q.scanToken));
      return;
    }
    try {
      await perTerminal.consume(req.terminal?.pid as string);
    } catch {
      res.set("retry-after", "60");
      throw new HallError("RATE_LIMITED", "too many look-ups; try again later");
    }
    const failures = await perCaseFailures.get(no);
    if (failures && failures.remainingPoints <= 0) throw new HallError("RATE_LIMITED", "too many wrong checks for this case");
    try {
      res.json(await service().caseOfCheck(no, q.check));
    } catch (err) {
      if (err instanceof HallError && err.code === "UNKNOWN_CASE") await perCaseFailures.penalty(no, 1);
      throw err;
    }
  });
  r.post("/api/terminals/:id/certificates", terminal, async (req: AsTerminal, res) => {
    const b = parse(schemas.print, req.body ?? {});
    res.json(await service().printCertificate(req.terminal?.id as string, b.caseNo, b.idToken));
  });
  r.post("/api/terminals/:id/guides/:matterId", terminal, async (req: AsTerminal, res) => {
    res.json(await service().printGuide(req.terminal?.id as string, parse(schemas.matterId, req.params.matterId)));
  });
  // A clerk's second copy of a self-printed certificate: staff, never a terminal.
  const clerk = (req: Request & { staff?: StaffRecord }, _res: Response, next: NextFunction) => {
    // A terminal's device token is no staff token: the copy needs a signed-in clerk.
    const m = /^Bearer (\S+)$/.exec(req.get("authorization") ?? "");
    const claims = m?.[1] && !m[1].startsWith(DEVICE_TOKEN_PREFIX) ? d.tokens.verify(m[1]) : null;
    const staff = claims ? d.staff.byId(claims.sid) : undefined;
    if (!staff) throw new HallError("UNAUTHENTICATED", "a second copy needs a signed-in clerk");
    if (!["clerk", "supervisor", "admin"].includes(staff.role)) throw new HallError("FORBIDDEN", `${staff.role} may not do this`);
    req.staff = staff;
    next();
  };
  r.post("/api/certificates/:caseNo/reprint", clerk, async (req: Request & { staff?: StaffRecord }, res) => {
    const no = parse(caseNo, req.params.caseNo);
    const b = parse(schemas.reprint, req.body ?? {});
    const s = req.staff as StaffRecord;
    res.json(
      await service().clerkReprint({ id: s.id, name: s.name, role: s.role }, no, {
        counterId: b.counterId,
        reason: b.reason,
        ...(b.terminalId ? { terminalId: b.terminalId } : {}),
      }),
    );
  });
  r.post("/api/terminals/:id/session/end", terminal, (req: AsTerminal, res) => {
    const b = parse(schemas.end, req.body ?? {});
    service().endSession(req.terminal?.id as string, b.idToken);
    res.status(204).end();
  });
  return r;
}
