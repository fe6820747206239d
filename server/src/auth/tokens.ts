import { createHmac, randomBytes, timingSafeEqual } from "node:crypto";
import { EventEmitter } from "node:events";

export interface TokenClaims {
  /** Staff id. */
  sid: string;
  /** Expiry, epoch ms. */
  exp: number;
  /** Random id, so a single token can be revoked on logout. */
  jti: string;
  /** The account's session generation when the token was issued (absent in tokens from before 7.5: 0). */
  gen?: number;
  /** Issued at, epoch ms (absent in tokens from before 7.5). */
  iat?: number;
}

/** Saved state of per-account revocation: the current session generation of each account. */
export type Generations = Record<string, number>;

/** Sessions that just ended: one token (`jti`, a logout) or every token of an account (no `jti`). */
export interface SessionsEnded {
  sid: string;
  jti?: string;
}

/** A token is exactly `body.signature`, both canonical base64url, the signature 32 bytes. */
const TOKEN_SHAPE = /^([A-Za-z0-9_-]{1,2048})\.([A-Za-z0-9_-]{43})$/;

/**
 * Signed bearer tokens (HMAC-SHA256 with a key kept in the configuration), so a clerk
 * stays signed in across a hub restart. Logout revokes the token id until it expires; a
 * password reset or an account deletion moves the account to its next session generation,
 * which ends every token issued before (saved durably, so a restart does not revive them).
 * Emits `ended` after each, so open sockets of those sessions can be cut off.
 */
export class TokenService extends EventEmitter<{ ended: [SessionsEnded] }> {
  private readonly revoked = new Map<string, number>();
  private readonly generations = new Map<string, number>();
  private readonly onGenerations: (g: Generations) => Promise<void>;
  private readonly notBefore: number;

  /**
   * `revoked`: token ids logged out earlier (with their expiry), as saved by `onRevoke`, so
   * a logout holds across a hub restart. `accounts`: session generations as saved by
   * `accounts.onChange` (same reason, for password resets and deletions);
   * `accounts.notBefore`: refuse every token issued before this instant (the saved
   * generations were lost, so nobody can tell which sessions had been ended).
   */
  constructor(
    private readonly key: Buffer,
    private readonly clock: () => number,
    private readonly ttlMs = 12 * 3600_000,
    revoked: Record<string, number> = {},
    private readonly onRevoke: (revoked: Record<string, number>) => Promise<void> = async () => {},
    accounts: { generations?: Generations; onChange?: (g: Generations) => Promise<void>; notBefore?: number } = {},
  ) {
    super();
    const now = clock();
    for (const [jti, exp] of Object.entries(revoked)) if (typeof exp === "number" && exp >= now) this.revoked.set(jti, exp);
    for (const [sid, gen] of Object.entries(accounts.generations ?? {}))
      if (Number.isSafeInteger(gen) && gen > 0) this.generations.set(sid, gen);
    this.onGenerations = accounts.onChange ?? (async () => {});
    this.notBefore = accounts.notBefore ?? 0;
  }

  issue(staffId: string): string {
    const claims: TokenClaims = {
      sid: staffId,
      exp: this.clock() + this.ttlMs,
      jti: randomBytes(9).toString("base64url"),
      gen: this.generations.get(staffId) ?? 0,
      iat: this.clock(),
    };
    const body = Buffer.from(JSON.stringify(claims)).toString("base64url");
    return `${body}.${this.sign(body)}`;
  }

  /** The token's claims, or null unless it is well-formed, signed by us, unexpired and not revoked. */
  verify(token: string): TokenClaims | null {
    // Strict shape: a token with anything appended (".junk", " x", padding) is another token.
    const m = typeof token === "string" ? TOKEN_SHAPE.exec(token) : null;
    if (!m) return null;
    const body = m[1] as string;
    const sig = m[2] as string;
    const expected = Buffer.from(this.sign(body));
    const given = Buffer.from(sig);
    if (expected.length !== given.length || !timingSafeEqual(expected, given)) return null;
    const raw = Buffer.from(body, "base64url");
    // Non-canonical base64url (stray trailing bits) decodes to the same bytes: refuse it too.
    if (raw.toString("base64url") !== body) return null;
    let claims: TokenClaims;
    try {
      claims = JSON.parse(raw.toString("utf8")) as TokenClaims;
    } catch {
      return null;
    }
    if (typeof claims !== "object" || claims === null) return null;
    if (typeof claims.sid !== "string" || typeof claims.exp !== "number" || typeof claims.jti !== "string") return null;
    if (claims.exp < this.clock()) return null;
    if (this.revoked.has(claims.jti)) return null;
    if ((claims.gen ?? 0) !== (this.generations.get(claims.sid) ?? 0)) return null;
    if (this.notBefore && (claims.iat ?? 0) < this.notBefore) return null;
    return claims;
  }

  /** Revoke a token (logout); resolves once the revocation is saved. */
  async revoke(token: string): Promise<void> {
    const c = this.verify(token);
    if (!c) return;
    const next = new Map(this.revoked);
    next.set(c.jti, c.exp);
    const now = this.clock();
    for (const [jti, exp] of next) if (exp < now) next.delete(jti);
    // Saved first: a failed save (disk full) leaves the token working and answers 500.
    await this.onRevoke(Object.fromEntries(next));
    this.revoked.clear();
    for (const [k, v] of next) this.revoked.set(k, v);
    this.emit("ended", { sid: c.sid, jti: c.jti });
  }

  /**
   * End every session of an account (password reset, deletion): tokens issued before stop
   * working at once and after a restart. Resolves once saved.
   */
  async revokeAccount(staffId: string): Promise<void> {
    const next = Object.fromEntries(this.generations);
    next[staffId] = (this.generations.get(staffId) ?? 0) + 1;
    await this.onGenerations(next);
    this.generations.set(staffId, next[staffId]);
    this.emit("ended", { sid: staffId });
  }

  private sign(body: string): string {
    return createHmac("sha256", this.key).update(body).digest("base64url");
  }
}
