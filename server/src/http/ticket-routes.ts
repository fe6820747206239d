import { Router, type Request, type Response } from "express";
import type { PublicTicket, Ticket, TicketHolderView } from "../contract/tickets.ts";
import { localParts } from "../core/index.ts";
import { dayOfTicketId } from "../hall/ticket-keys.ts";
import type { HttpDeps } from "./app.ts";
import { HallError } from "../hall/errors.ts";
import { parse, schemas } from "../hall/validate.ts";
import { ratingRequest, reprintRequest } from "../hall/commands.ts";

/** The header the phone page (and the issuing kiosk) sends the ticket's holder key in. */
export const TICKET_KEY_HEADER = "x-ticket-key";

/**
 * The visitor's own ticket: public progress for anyone (screens know the id), the private
 * part and every action only for the ticket's holder — the key from the printed QR code
 * or the issuing reply — or for staff (issue 7.2, 7.13, 7.17).
 */
export function ticketRoutes(d: HttpDeps): Router {
  const r = Router();

  /** Who acts: the ticket's holder, or staff; anyone else is refused before anything runs. */
  const staffOf = (req: Request) => {
    const m = /^Bearer (.+)$/.exec(req.get("authorization") ?? "");
    const claims = m?.[1] ? d.tokens.verify(m[1]) : null;
    return claims ? d.staff.byId(claims.sid) : undefined;
  };
  const isStaff = (req: Request): boolean => Boolean(staffOf(req));
  const holder = (req: Request, ticketId: string): { staff: boolean } => {
    const key = req.get(TICKET_KEY_HEADER);
    if (key !== undefined && d.issuer.keys.verify(ticketId, key)) return { staff: false };
    if (isStaff(req)) return { staff: true };
    throw new HallError(
      "TICKET_KEY_REQUIRED",
      key === undefined ? "send the ticket's key from its phone link (X-Ticket-Key)" : "this key does not open this ticket",
    );
  };

  /** Today's ticket, or why not: a ticket of a closed day is gone for good (410), not unknown. */
  const find = (ticketId: string): Readonly<Ticket> => {
    // Turn the day first: after midnight the old day's tickets must not answer as live.
    d.hall.rotateIfNeeded();
    const t = d.hall.ticket(ticketId);
    if (t) return t;
    const day = dayOfTicketId(ticketId);
    if (day && day < d.hall.day)
      throw new HallError("TICKET_DAY_CLOSED", `the hall has closed for ${day}: a ticket is valid on its own day only`);
    throw new HallError("UNKNOWN_TICKET", "no such ticket today");
  };

  const view = (ticketId: string) => d.hall.publicTicket(ticketId) as PublicTicket;

  r.get("/api/tickets/:id", (req, res) => {
    const id = parse(schemas.id, req.params.id);
    // A wrong key is refused rather than ignored: the phone must learn its link is broken.
    const own = req.get(TICKET_KEY_HEADER) !== undefined ? holder(req, id) : isStaff(req) ? { staff: true } : null;
    const t = find(id);
    const call = d.hall.currentCall(t.id);
    const priv: TicketHolderView | undefined = own
      ? {
          lang: t.lang ?? "zh",
          ...(t.outcome ? { outcome: t.outcome } : {}),
          ...(t.missing ? { missing: [...t.missing] } : {}),
          ...(t.rating !== undefined ? { rating: t.rating } : {}),
        }
      : undefined;
    res.json({ ...view(t.id), ...(call ? { call } : {}), ...(priv ? { holder: priv } : {}) });
  });

  r.post("/api/tickets/:id/reprint", async (req, res) => {
    const id = parse(schemas.id, req.params.id);
    const who = holder(req, id);
    const b = parse(reprintRequest, req.body);
    find(id);
    try {
      const print = await d.issuer.reprint(id, b.kioskId, b.requestId, b.lang, baseUrl(req), who.staff);
      // Reprints are audited (issue 13): by staff (named) or by the ticket's holder.
      const s = who.staff ? staffOf(req) : undefined;
      await d.audit?.record({
        actor: s ? { id: s.id, name: s.name, role: s.role } : { name: "visitor" },
        action: "ticket.reprint",
        target: find(id).number,
        detail: { ticketId: id, ...(b.kioskId ? { kioskId: b.kioskId } : {}), print: print.status },
      });
      res.json({ print });
    } catch (err) {
      if (err instanceof HallError && err.code === "RATE_LIMITED") res.set("retry-after", String(secondsToMidnight(d)));
      throw err;
    }
  });

  const visitor = (type: "reactivate" | "cancel") => async (req: Request, res: Response) => {
    const ticketId = parse(schemas.id, req.params.id);
    const who = holder(req, ticketId);
    parse(schemas.empty, req.body ?? {});
    find(ticketId);
    const out = await d.hall.run({ type, ticketId, by: who.staff ? "staff" : "visitor" });
    if (!out.ok) throw new HallError(out.error, out.message);
    res.json(view(ticketId));
  };
  r.post("/api/tickets/:id/reactivate", visitor("reactivate"));
  r.post("/api/tickets/:id/cancel", visitor("cancel"));

  r.post("/api/tickets/:id/rating", async (req, res) => {
    const ticketId = parse(schemas.id, req.params.id);
    holder(req, ticketId);
    const b = parse(ratingRequest, req.body);
    find(ticketId);
    const out = await d.hall.run({
      type: "rate",
      ticketId,
      score: b.score,
      ...(b.reasons?.length ? { reasons: b.reasons } : {}),
      ...(b.comment ? { comment: b.comment } : {}),
    });
    if (!out.ok) throw new HallError(out.error, out.message);
    res.json(view(ticketId));
  });

  return r;
}

function baseUrl(req: Request): string {
  return `${req.protocol}://${req.get("host") ?? "127.0.0.1"}`;
}

/** Reprints are counted per local day: the limit lifts at the hall's midnight. */
function secondsToMidnight(d: HttpDeps): number {
  const now = d.clock();
  const p = localParts(now, d.hall.catalogue().hall.timeZone);
  const left = (24 * 60 - (p.hour * 60 + p.minute)) * 60 - Math.floor((now % 60_000) / 1000);
  return Math.max(1, left);
}
