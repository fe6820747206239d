import { createHmac, randomBytes, timingSafeEqual } from "node:crypto";

export interface TokenClaims {
  /** Staff id. */
  sid: string;
  /** Expiry, epoch ms. */
  exp: number;
  /** Random id, so a single token can be revoked on logout. */
  jti: string;
}

/**
 * Signed bearer tokens (HMAC-SHA256 with a key kept in the configuration), so a clerk
 * stays signed in across a hub restart. Logout revokes the token id until it expires.
 */
export class TokenService {
  private readonly revoked = new Map<string, number>();

  /**
   * `revoked`: token ids logged out earlier (with their expiry), as saved by `onRevoke`, so
   * a logout holds across a hub restart.
   */
  constructor(
    private readonly key: Buffer,
    private readonly clock: () => number,
    private readonly ttlMs = 12 * 3600_000,
    revoked: Record<string, number> = {},
    private readonly onRevoke: (revoked: Record<string, number>) => Promise<void> = async () => {},
  ) {
    const now = clock();
    for (const [jti, exp] of Object.entries(revoked)) if (exp >= now) this.revoked.set(jti, exp);
  }

  issue(staffId: string): string {
    const claims: TokenClaims = { sid: staffId, exp: this.clock() + this.ttlMs, jti: randomBytes(9).toString("base64url") };
    const body = Buffer.from(JSON.stringify(claims)).toString("base64url");
    return `${body}.${this.sign(body)}`;
  }

  verify(token: string): TokenClaims | null {
    const [body, sig] = token.split(".");
    if (!body || !sig) return null;
    const expected = Buffer.from(this.sign(body));
    const given = Buffer.from(sig);
    if (expected.length !== given.length || !timingSafeEqual(expected, given)) return null;
    let claims: TokenClaims;
    try {
      claims = JSON.parse(Buffer.from(body, "base64url").toString("utf8")) as TokenClaims;
    } catch {
      return null;
    }
    if (typeof claims.sid !== "string" || typeof claims.exp !== "number" || claims.exp < this.clock()) return null;
    if (this.revoked.has(claims.jti)) return null;
    return claims;
  }

  /** Revoke a token; resolves once the revocation is saved. */
  async revoke(token: string): Promise<void> {
    const c = this.verify(token);
    if (!c) return;
    // Saved first, applied after: a failed save (disk full) answers 500 and must leave
    // the token valid, not revoked in memory only and forgotten by the next restart.
    const now = this.clock();
    const next = new Map([...this.revoked].filter(([, exp]) => exp >= now));
    next.set(c.jti, c.exp);
    await this.onRevoke(Object.fromEntries(next));
    this.revoked.clear();
    for (const [jti, exp] of next) this.revoked.set(jti, exp);
  }

  private sign(body: string): string {
    return createHmac("sha256", this.key).update(body).digest("base64url");
  }
}
