import type { Response } from "express";
import { RateLimiterMemory, RateLimiterRes } from "rate-limiter-flexible";
import { HallError } from "../hall/errors.ts";

/** `points` requests per `durationSec` seconds. */
export interface RateLimit {
  points: number;
  durationSec: number;
}

/** Limits of the issuing desk and of the pairing routes. */
export interface IssueLimits {
  /** Tickets one paired kiosk may take (a visitor every 2 s is already a crowd). */
  perKiosk: RateLimit;
  /** Tickets one client address may take with device tokens or none (several kiosks can share a NAT). */
  perAddress: RateLimit;
  /** Pairing requests (codes) one address may ask for. */
  pairingRequests: RateLimit;
  /** Claims (polls) one address may make. */
  pairingClaims: RateLimit;
}

export const DEFAULT_LIMITS: IssueLimits = {
  perKiosk: { points: 30, durationSec: 60 },
  perAddress: { points: 120, durationSec: 60 },
  pairingRequests: { points: 10, durationSec: 60 },
  pairingClaims: { points: 120, durationSec: 60 },
};

/**
 * `ISSUE_LIMIT_PER_KIOSK=30` / `ISSUE_LIMIT_PER_ADDRESS=120` (tickets per minute) override
 * the defaults; anything else than a positive integer is refused at start.
 */
export function limitsFromEnv(env: NodeJS.ProcessEnv): Partial<IssueLimits> {
  const out: Partial<IssueLimits> = {};
  const read = (name: string): number | undefined => {
    const v = env[name];
    if (v === undefined || v === "") return undefined;
    const n = Number(v);
    if (!Number.isInteger(n) || n < 1) throw new Error(`${name} must be a positive integer (tickets per minute), got ${v}`);
    return n;
  };
  const k = read("ISSUE_LIMIT_PER_KIOSK");
  const a = read("ISSUE_LIMIT_PER_ADDRESS");
  if (k) out.perKiosk = { points: k, durationSec: 60 };
  if (a) out.perAddress = { points: a, durationSec: 60 };
  return out;
}

/** One limiter: `take(key, res)` consumes a point or throws RATE_LIMITED with Retry-After set. */
export class Limiter {
  private readonly rl: RateLimiterMemory;

  constructor(limit: RateLimit) {
    this.rl = new RateLimiterMemory({ points: limit.points, duration: limit.durationSec });
  }

  async take(key: string, res: Response): Promise<void> {
    try {
      await this.rl.consume(key);
    } catch (err) {
      if (!(err instanceof RateLimiterRes)) throw err;
      res.set("retry-after", String(Math.max(1, Math.ceil(err.msBeforeNext / 1000))));
      throw new HallError("RATE_LIMITED", "too many requests; try again later");
    }
  }
}
