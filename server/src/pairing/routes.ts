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
    res.json(await d.pairings.approve(c, b.role, b.id, who(req)));
  });
  app.delete("/api/pairings/:pairingId", ...d.admin, async (req: Request, res: Response) => {
    await d.pairings.revoke(parse(schemas.id, req.params.pairingId), who(req));
    res.status(204).end();
  });
}
