import type { Express, Request, RequestHandler, Response } from "express";
import { z } from "zod";
import { parse, schemas } from "../hall/validate.ts";
import type { Pairings } from "./engine.ts";
import { clientAddress } from "./issue-guard.ts";
import { type IssueLimits, Limiter } from "./limits.ts";
import { DEVICE_ROLES } from "./tokens.ts";

const role = z.enum(DEVICE_ROLES);
const code = z.string().regex(/^\d{6}$/, { message: "6 digits" });
const pairingSchemas = {
  request: z.strictObject({ role, id: schemas.id.optional() }),
  claim: z.strictObject({ code, claimSecret: z.string().min(1).max(64) }),
  approve: z.strictObject({ role, id: schemas.id }),
};

/**
 * The pairing routes: `POST /api/pairings` and `POST /api/pairings/claim` are anonymous
 * (an unpaired page has nothing else) and limited per client address; listing, approving
 * and revoking are for admins.
 */
export function mountPairingRoutes(
  app: Express,
  d: {
    pairings: Pairings;
    /** Middleware chain that lets only admins through (and sets `req.staff`). */
    admin: RequestHandler[];
    limits: Pick<IssueLimits, "pairingRequests" | "pairingClaims">;
    /** Records an approval or revocation in the audit log before the reply (issue 13). */
    audit?: (
      req: Request,
      rec: { action: "pairing.approve" | "pairing.revoke"; target: string; detail: Record<string, unknown> },
    ) => Promise<void>;
  },
): void {
  const requests = new Limiter(d.limits.pairingRequests);
  const claims = new Limiter(d.limits.pairingClaims);
  const who = (req: Request) => (req as Request & { staff?: { id: string } }).staff?.id ?? "admin";

  app.post("/api/pairings", async (req: Request, res: Response) => {
    await requests.take(clientAddress(req), res);
    const b = parse(pairingSchemas.request, req.body);
    const r = await d.pairings.request(b.role, b.id, clientAddress(req));
    res.status(201).json(r);
  });
  app.post("/api/pairings/claim", async (req: Request, res: Response) => {
    await claims.take(clientAddress(req), res);
    const b = parse(pairingSchemas.claim, req.body);
    const r = d.pairings.claim(b.code, b.claimSecret);
    res.status(r.status === "paired" ? 200 : 202).json(r);
  });
  app.get("/api/pairings", ...d.admin, (_req: Request, res: Response) => {
    res.json(d.pairings.list());
  });
  app.post("/api/pairings/:code/approve", ...d.admin, async (req: Request, res: Response) => {
    const c = parse(code, req.params.code);
    const b = parse(pairingSchemas.approve, req.body);
    const out = await d.pairings.approve(c, b.role, b.id, who(req));
    await d.audit?.(req, { action: "pairing.approve", target: `${b.role}:${b.id}`, detail: { code: c, role: b.role, id: b.id } });
    res.json(out);
  });
  app.delete("/api/pairings/:pairingId", ...d.admin, async (req: Request, res: Response) => {
    const pairingId = parse(schemas.id, req.params.pairingId);
    const was = d.pairings.list().paired.find((p) => p.pid === pairingId);
    await d.pairings.revoke(pairingId, who(req));
    await d.audit?.(req, {
      action: "pairing.revoke",
      target: was ? `${was.role}:${was.id}` : pairingId,
      detail: { pairingId, ...(was ? { role: was.role, id: was.id } : {}) },
    });
    res.status(204).end();
  });
}
