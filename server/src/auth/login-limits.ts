import { RateLimiterMemory, RateLimiterRes } from "rate-limiter-flexible";

/** How many logins the hub accepts before answering 429 with Retry-After. */
export interface LoginLimitOptions {
  /** Attempts per client address per window (a whole office may share one address). */
  perAddress?: { points: number; durationSec: number };
  /** Failed attempts per account per window, from anywhere (slows password guessing). */
  perAccountFailures?: { points: number; durationSec: number };
}

export const DEFAULT_LOGIN_LIMITS: Required<LoginLimitOptions> = {
  perAddress: { points: 120, durationSec: 60 },
  perAccountFailures: { points: 10, durationSec: 15 * 60 },
};

/** Refused by a login limit: wait `retryAfterSec` seconds. */
export class LoginLimited extends Error {
  constructor(readonly retryAfterSec: number) {
    super("too many login attempts");
    this.name = "LoginLimited";
  }
}

/**
 * Login throttling with rate-limiter-flexible (atomic in-memory counters): every attempt
 * counts against its address; failed ones also against the account. A success clears the
 * account's failures. Checked before the password is hashed, so a flood costs no scrypt.
 */
export class LoginLimits {
  private readonly byAddress: RateLimiterMemory;
  private readonly byAccount: RateLimiterMemory;
  private readonly accountPoints: number;

  constructor(opts: LoginLimitOptions = {}) {
    const a = opts.perAddress ?? DEFAULT_LOGIN_LIMITS.perAddress;
    const f = opts.perAccountFailures ?? DEFAULT_LOGIN_LIMITS.perAccountFailures;
    this.byAddress = new RateLimiterMemory({ keyPrefix: "login-ip", points: a.points, duration: a.durationSec });
    this.byAccount = new RateLimiterMemory({ keyPrefix: "login-user", points: f.points, duration: f.durationSec });
    this.accountPoints = f.points;
  }

  /** Count an attempt from `address` for `username`; throws LoginLimited when over a limit. */
  async attempt(address: string, username: string): Promise<void> {
    const failures = await this.byAccount.get(username);
    if (failures && failures.consumedPoints >= this.accountPoints) throw new LoginLimited(retryAfter(failures));
    try {
      await this.byAddress.consume(address);
    } catch (err) {
      if (err instanceof RateLimiterRes) throw new LoginLimited(retryAfter(err));
      throw err;
    }
  }

  async failed(username: string): Promise<void> {
    try {
      await this.byAccount.consume(username);
    } catch (err) {
      // Over the limit now: the next attempt is refused by `attempt`.
      if (!(err instanceof RateLimiterRes)) throw err;
    }
  }

  async succeeded(username: string): Promise<void> {
    await this.byAccount.delete(username);
  }
}

function retryAfter(r: RateLimiterRes): number {
  return Math.max(1, Math.ceil(r.msBeforeNext / 1000));
}
