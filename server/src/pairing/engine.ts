import { createHash, randomBytes, randomInt, timingSafeEqual } from "node:crypto";
import { EventEmitter } from "node:events";
import { HallError } from "../hall/errors.ts";
import type { PairedDevice, PairingStore } from "./store.ts";
import { type DeviceClaims, type DeviceRole, DeviceTokens } from "./tokens.ts";

/** A code shown on an unpaired page is good for this long. */
export const PAIRING_TTL_MS = 10 * 60_000;
/** Unapproved requests kept at most (anonymous callers must not fill memory). */
const MAX_PENDING = 200;

interface Pending {
  code: string;
  claimHash: Buffer;
  role: DeviceRole;
  /** What the page asked to be (a kiosk page knows its ?kiosk=); the admin decides. */
  id?: string;
  address: string;
  createdAt: number;
  expiresAt: number;
  /** Set on approval; the page's next claim gets the token. */
  device?: PairedDevice;
}

/** `GET /api/pairings` row of a request waiting for an admin. */
export interface PendingView {
  code: string;
  role: DeviceRole;
  id?: string;
  address: string;
  createdAt: number;
  expiresAt: number;
}

export type ClaimReply =
  | { status: "pending"; expiresAt: number }
  | { status: "paired"; deviceToken: string; role: DeviceRole; id: string; pairingId: string };

export interface PairingOptions {
  store: PairingStore;
  tokenKey: Buffer;
  clock: () => number;
  /** Pair requests from the hub's own machine without an admin (the demo hall). */
  autoLoopback: boolean;
  log: (line: string) => void;
}

const sha = (s: string) => createHash("sha256").update(s).digest();

/** Addresses of the hub's own machine, as Node reports the peer of a socket. */
export function isLoopback(address: string | undefined): boolean {
  return address === "127.0.0.1" || address === "::1" || address === "::ffff:127.0.0.1";
}

/**
 * Device pairing: an unpaired page asks for a short code, an admin approves it with a
 * role and an id, the page claims its device token. Revoking a pairing refuses its token
 * at once and emits `revoked` so open sockets of that device are cut.
 */
export class Pairings extends EventEmitter<{ revoked: [DeviceClaims] }> {
  private readonly pending = new Map<string, Pending>();
  private readonly tokens: DeviceTokens;
  /** Pairing ids being revoked: refused before the write finishes. */
  private readonly revoking = new Set<string>();

  constructor(private readonly o: PairingOptions) {
    super();
    this.tokens = new DeviceTokens(o.tokenKey);
  }

  get autoLoopback(): boolean {
    return this.o.autoLoopback;
  }

  /** An unpaired page asks to be paired. */
  async request(
    role: DeviceRole,
    id: string | undefined,
    address: string,
  ): Promise<{ code: string; claimSecret: string; expiresAt: number; autoApproved: boolean }> {
    const now = this.o.clock();
    this.sweep(now);
    if (this.pending.size >= MAX_PENDING)
      throw new HallError("RATE_LIMITED", "too many pairing requests waiting; try again later");
    let code: string;
    do code = String(randomInt(0, 1_000_000)).padStart(6, "0");
    while (this.pending.has(code));
    const claimSecret = randomBytes(18).toString("base64url");
    const p: Pending = {
      code,
      claimHash: sha(claimSecret),
      role,
      address,
      createdAt: now,
      expiresAt: now + PAIRING_TTL_MS,
      ...(id ? { id } : {}),
    };
    this.pending.set(code, p);
    const autoApproved = this.o.autoLoopback && id !== undefined && isLoopback(address);
    if (autoApproved) await this.approve(code, role, id as string, "auto-loopback");
    return { code, claimSecret, expiresAt: p.expiresAt, autoApproved };
  }

  /** An admin approves the code shown on a page, as `role` `id`. */
  async approve(code: string, role: DeviceRole, id: string, by: string): Promise<PairedDevice> {
    this.sweep(this.o.clock());
    const p = this.pending.get(code);
    if (!p || p.device)
      throw new HallError("NOT_FOUND", "no pairing request with this code waiting (expired or already approved)");
    // Demo hall: every fresh browser on the hub's machine asks again; one pairing per role
    // and id is enough (revoking it cuts them all), and pairings.json does not grow per page.
    const reuse =
      by === "auto-loopback"
        ? this.o.store.data.devices.find((d) => d.approvedBy === by && d.role === role && d.id === id && this.valid(d.pid))
        : undefined;
    if (reuse) {
      p.device = reuse;
      return reuse;
    }
    const device: PairedDevice = {
      pid: `p-${randomBytes(6).toString("base64url")}`,
      role,
      id,
      pairedAt: this.o.clock(),
      approvedBy: by,
    };
    await this.o.store.update((d) => {
      d.devices.push(device);
    });
    p.device = device;
    this.o.log(`pairing: ${role} ${id} paired (${device.pid}, approved by ${by}, from ${p.address})`);
    return device;
  }

  /** The page asks whether its code was approved; the secret proves it is the page that asked. */
  claim(code: string, claimSecret: string): ClaimReply {
    this.sweep(this.o.clock());
    const p = this.pending.get(code);
    const given = sha(claimSecret);
    if (!p || !timingSafeEqual(p.claimHash, given))
      throw new HallError("NOT_FOUND", "no pairing request with this code (expired?); ask for a new code");
    if (!p.device) return { status: "pending", expiresAt: p.expiresAt };
    const d = p.device;
    if (!this.valid(d.pid)) throw new HallError("NOT_FOUND", "this pairing was revoked; ask for a new code");
    return {
      status: "paired",
      deviceToken: this.tokens.sign({ role: d.role, id: d.id, pid: d.pid }),
      role: d.role,
      id: d.id,
      pairingId: d.pid,
    };
  }

  /** Revoke a pairing: its token is refused from now on, its sockets are cut. */
  async revoke(pid: string, by: string): Promise<void> {
    const d = this.o.store.data.devices.find((x) => x.pid === pid);
    if (!d || this.revoking.has(pid)) throw new HallError("NOT_FOUND", "no such pairing");
    this.revoking.add(pid);
    try {
      await this.o.store.update((f) => {
        f.devices = f.devices.filter((x) => x.pid !== pid);
        f.revoked.push({ ...d, revokedAt: this.o.clock(), revokedBy: by });
      });
    } catch (err) {
      this.revoking.delete(pid);
      throw err;
    }
    this.revoking.delete(pid);
    this.o.log(`pairing: ${d.role} ${d.id} unpaired (${pid}, by ${by})`);
    this.emit("revoked", { role: d.role, id: d.id, pid });
  }

  /** The claims of a device token whose pairing still stands; null for anything else. */
  verify(token: string): DeviceClaims | null {
    const c = this.tokens.read(token);
    if (!c) return null;
    return this.valid(c.pid) ? c : null;
  }

  /** Whether pairing `pid` still stands (sockets check this on every kiosk subscription). */
  valid(pid: string): boolean {
    return !this.revoking.has(pid) && this.o.store.data.devices.some((d) => d.pid === pid);
  }

  list(): { pending: PendingView[]; paired: PairedDevice[] } {
    this.sweep(this.o.clock());
    const pending = [...this.pending.values()]
      .filter((p) => !p.device)
      .map(({ code, role, id, address, createdAt, expiresAt }) => ({
        code,
        role,
        address,
        createdAt,
        expiresAt,
        ...(id ? { id } : {}),
      }));
    return { pending, paired: this.o.store.data.devices.filter((d) => !this.revoking.has(d.pid)) };
  }

  private sweep(now: number): void {
    for (const [k, p] of this.pending) if (p.expiresAt < now) this.pending.delete(k);
  }
}
