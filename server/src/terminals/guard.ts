/**
 * The guard of every `/api/terminals/:id/…` route (terminals/, payments/): only the page
 * paired as that very terminal gets past. A staff token is a person, not a terminal
 * (FORBIDDEN); no or a revoked pairing is UNAUTHENTICATED; a kiosk's or a screen's pairing,
 * or another terminal's, is FORBIDDEN.
 */
import type { NextFunction, Request, Response } from "express";
import { HallError } from "../hall/errors.ts";
import type { Pairings } from "../pairing/engine.ts";
import { DEVICE_TOKEN_PREFIX } from "../pairing/tokens.ts";

export type AsTerminal = Request & { terminal?: { id: string; pid: string } };

export function pairedTerminal(pairings: () => Pairings) {
  return (req: AsTerminal, _res: Response, next: NextFunction): void => {
    const m = /^Bearer (\S+)$/.exec(req.get("authorization") ?? "");
    const t = m?.[1];
    const device = t?.startsWith(DEVICE_TOKEN_PREFIX) ? pairings().verify(t) : null;
    if (!device) {
      if (t && !t.startsWith(DEVICE_TOKEN_PREFIX)) throw new HallError("FORBIDDEN", "only a paired terminal");
      throw new HallError("UNAUTHENTICATED", "this terminal is not paired (or its pairing was revoked)");
    }
    if (device.role !== "terminal") throw new HallError("FORBIDDEN", `a ${device.role} is not a terminal`);
    if (req.params.id !== device.id) throw new HallError("FORBIDDEN", `this terminal is paired as ${device.id}`);
    req.terminal = { id: device.id, pid: device.pid };
    next();
  };
}
