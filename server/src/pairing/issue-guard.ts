import type { Request, Response } from "express";
import { HallError } from "../hall/errors.ts";
import type { Pairings } from "./engine.ts";
import { type IssueLimits, Limiter } from "./limits.ts";
import { DEVICE_TOKEN_PREFIX } from "./tokens.ts";

/** Who is taking a number: a paired kiosk, or signed-in staff (help desk, green channel). */
export type IssuingParty = { kind: "kiosk"; kioskId: string; pid: string } | { kind: "staff"; staffId: string };

/** The peer address as the socket reports it; forwarded headers are not trusted (no proxy in front). */
export function clientAddress(req: Request): string {
  return req.socket.remoteAddress ?? "unknown";
}

/**
 * Who may issue (`POST /api/tickets`): a paired kiosk's device token, whose kiosk id is
 * the ticket's kiosk, or a staff token. Kiosks are limited per pairing and per client
 * address; staff are not (signed in, accountable, and the help desk must not be stopped by
 * a busy kiosk on the same network).
 */
export class IssueGuard {
  private readonly perKiosk: Limiter;
  private readonly perAddress: Limiter;

  constructor(
    private readonly pairings: Pairings,
    /** The staff id behind a staff bearer token, if it is valid. */
    private readonly staffOf: (token: string) => string | undefined,
    limits: Pick<IssueLimits, "perKiosk" | "perAddress">,
  ) {
    this.perKiosk = new Limiter(limits.perKiosk);
    this.perAddress = new Limiter(limits.perAddress);
  }

  async authorize(req: Request, res: Response): Promise<IssuingParty> {
    const m = /^Bearer (\S+)$/.exec(req.get("authorization") ?? "");
    const token = m?.[1];
    if (token && !token.startsWith(DEVICE_TOKEN_PREFIX)) {
      const staffId = this.staffOf(token);
      if (staffId) return { kind: "staff", staffId };
    }
    // Counted before the token is checked: guessing tokens costs points too.
    await this.perAddress.take(clientAddress(req), res);
    if (!token) throw new HallError("UNAUTHENTICATED", "only a paired kiosk or signed-in staff may issue tickets");
    const device = this.pairings.verify(token);
    if (!device) throw new HallError("UNAUTHENTICATED", "this device is not paired (or its pairing was revoked)");
    if (device.role !== "kiosk") throw new HallError("FORBIDDEN", `a ${device.role} does not issue tickets`);
    await this.perKiosk.take(device.pid, res);
    return { kind: "kiosk", kioskId: device.id, pid: device.pid };
  }

  /** A kiosk issues as itself: its token decides the kiosk id; a different one in the body is refused. */
  static kioskIdFor(party: IssuingParty, bodyKioskId: string | undefined): string | undefined {
    if (party.kind === "staff") return bodyKioskId;
    if (bodyKioskId !== undefined && bodyKioskId !== party.kioskId)
      throw new HallError("FORBIDDEN", `this kiosk is paired as ${party.kioskId}, not ${bodyKioskId}`);
    return party.kioskId;
  }
}
