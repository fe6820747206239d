import { createHmac, timingSafeEqual } from "node:crypto";

/** What a paired page may be. */
export const DEVICE_ROLES = ["kiosk", "screen", "terminal"] as const;
export type DeviceRole = (typeof DEVICE_ROLES)[number];

/** What a device token says: the role and id an admin approved, and the pairing it came from. */
export interface DeviceClaims {
  role: DeviceRole;
  id: string;
  /** Pairing id: revoking it refuses the token at once. */
  pid: string;
}

/** Device tokens start with this, so a bearer token is told apart from a staff token without trying both. */
export const DEVICE_TOKEN_PREFIX = "dev1.";

/**
 * Signed device tokens. The key is derived from the hall's token key (HMAC(tokenKey,
 * "device-token")) so a staff token can never pass as a device token or the reverse, and
 * no second secret has to be kept. Device tokens do not expire: a kiosk stays paired
 * until an admin revokes it; whether the pairing still stands is the engine's question.
 */
export class DeviceTokens {
  private readonly key: Buffer;

  constructor(tokenKey: Buffer) {
    this.key = createHmac("sha256", tokenKey).update("device-token").digest();
  }

  sign(c: DeviceClaims): string {
    const body = Buffer.from(JSON.stringify({ r: c.role, i: c.id, p: c.pid })).toString("base64url");
    return `${DEVICE_TOKEN_PREFIX}${body}.${this.mac(body)}`;
  }

  /** The claims of a well-formed, correctly signed token; null otherwise (nothing appended, nothing missing). */
  read(token: string): DeviceClaims | null {
    if (!token.startsWith(DEVICE_TOKEN_PREFIX)) return null;
    const parts = token.slice(DEVICE_TOKEN_PREFIX.length).split(".");
    if (parts.length !== 2) return null;
    const [body, sig] = parts as [string, string];
    const expected = Buffer.from(this.mac(body));
    const given = Buffer.from(sig);
    if (expected.length !== given.length || !timingSafeEqual(expected, given)) return null;
    try {
      const raw = JSON.parse(Buffer.from(body, "base64url").toString("utf8")) as { r?: unknown; i?: unknown; p?: unknown };
      if (!DEVICE_ROLES.includes(raw.r as DeviceRole) || typeof raw.i !== "string" || typeof raw.p !== "string") return null;
      return { role: raw.r as DeviceRole, id: raw.i, pid: raw.p };
    } catch {
      return null;
    }
  }

  private mac(body: string): string {
    return createHmac("sha256", this.key).update(body).digest("base64url");
  }
}
