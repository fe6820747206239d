import { createHmac, randomBytes, timingSafeEqual } from "node:crypto";

/**
 * The visitor's capability for one ticket (issue 7.2). Ticket ids are public — screens and
 * `GET /api/state` show them — so acting on a ticket (cancel, reactivate, rate, reprint)
 * needs a second secret that only the paper ticket and the issuing kiosk's reply carry.
 *
 * It is derived, not stored: HMAC(subkey, ticketId) with a subkey derived from the hub's
 * token key, so it survives restarts and needs no journal field, and a leaked key opens one
 * ticket only. The subkey's label keeps it apart from every other use of the token key.
 */
export class TicketKeys {
  private readonly subkey: Buffer;

  constructor(tokenKey: string) {
    this.subkey = createHmac("sha256", Buffer.from(tokenKey, "base64")).update("ticket-key").digest();
  }

  /** 22 base64url characters (132 bits): short enough for a QR code, far beyond guessing. */
  keyFor(ticketId: string): string {
    return createHmac("sha256", this.subkey).update(ticketId).digest("base64url").slice(0, 22);
  }

  /** Constant-time check; anything but the exact key (missing, padded, other ticket's) is false. */
  verify(ticketId: string, key: string | undefined): boolean {
    if (typeof key !== "string" || key.length !== 22) return false;
    const want = Buffer.from(this.keyFor(ticketId));
    const got = Buffer.from(key);
    return got.length === want.length && timingSafeEqual(got, want);
  }
}

const DAY_MS = 86_400_000;
/** Three base-36 characters hold day numbers up to 46,655 (the year 2097). */
const TAG_LEN = 3;
const ID_LEN = TAG_LEN + 8;

/**
 * A new ticket id that names its local day (3 base-36 characters of days since 1970) before
 * 8 random characters. At midnight the day's tickets leave the hall's memory; the day in
 * the id lets the hub tell a phone "the hall has closed for that day" instead of "no such
 * ticket", with no index to store and none lost on restart.
 */
export function newTicketId(day: string, random: () => string = () => randomBytes(6).toString("base64url")): string {
  const n = Math.round(Date.parse(`${day}T00:00:00Z`) / DAY_MS);
  return n.toString(36).padStart(TAG_LEN, "0") + random();
}

/** The local day (YYYY-MM-DD) a ticket id was issued for, or undefined for ids without one. */
export function dayOfTicketId(id: string): string | undefined {
  if (id.length !== ID_LEN || !/^[0-9a-z]{3}/.test(id)) return undefined;
  const n = Number.parseInt(id.slice(0, TAG_LEN), 36);
  // Before 2020 or unparsable: not one of ours.
  if (!Number.isFinite(n) || n < 18_262) return undefined;
  return new Date(n * DAY_MS).toISOString().slice(0, 10);
}
