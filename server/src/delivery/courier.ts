/**
 * The courier, behind an adapter: assign a waybill (with an idempotency key: the same key
 * returns the same waybill, so a request that timed out is retried without a second
 * parcel), track one, cancel one. The simulator stands in for EMS/SF in the demo and the
 * tests, with fault injection (timeouts) and status pushes to the hub's callback route.
 */
import { createHmac } from "node:crypto";
import type { CourierCallback, PostalAddressBody } from "../contract/delivery.ts";
import type { Instant } from "../contract/tickets.ts";

export interface WaybillRequest {
  idempotencyKey: string;
  caseNo: string;
  to: PostalAddressBody;
  from: { name: string; phone: string; address: string };
  paid: boolean;
}

export interface CourierAdapter {
  readonly name: string;
  /** Resolves with the waybill; rejects with CourierTimeout when it did not answer in time. */
  assign(req: WaybillRequest, timeoutMs: number): Promise<{ waybillNo: string }>;
  track(waybillNo: string): Promise<{ status: CourierCallback["status"] | "sent"; at: Instant } | undefined>;
  cancel(waybillNo: string): Promise<boolean>;
}

export class CourierTimeout extends Error {
  constructor() {
    super("courier did not answer");
    this.name = "CourierTimeout";
  }
}

/** Hex HMAC-SHA256 of the raw body: what the courier sends as X-Courier-Signature. */
export function signCallback(secret: string, rawBody: string | Buffer): string {
  return createHmac("sha256", secret).update(rawBody).digest("hex");
}

interface SimParcel {
  waybillNo: string;
  caseNo: string;
  status: "sent" | CourierCallback["status"] | "cancelled";
  at: Instant;
}

/**
 * An in-process courier. `timeouts(n)`: the next n assignments are made but their answer
 * is lost (as a network timeout would lose it) — the retry with the same key must get the
 * same waybill. `advance()` moves a parcel on and tells the hub through `push`.
 */
export class CourierSimulator implements CourierAdapter {
  readonly name = "邮政EMS（模拟）";
  readonly parcels = new Map<string, SimParcel>();
  readonly byKey = new Map<string, string>();
  /** Assign calls received (retries included). */
  calls = 0;
  #lostAnswers = 0;
  #seq = 0;
  #events = 0;

  constructor(
    private readonly clock: () => number,
    /** Deliver a status callback (the hub's callback route, or straight to the service). */
    private readonly push?: (cb: CourierCallback) => Promise<void>,
  ) {}

  timeouts(n: number): void {
    this.#lostAnswers = n;
  }

  async assign(req: WaybillRequest): Promise<{ waybillNo: string }> {
    this.calls++;
    let no = this.byKey.get(req.idempotencyKey);
    if (!no) {
      // 13 characters like an EMS number: two letters, nine digits, CN.
      no = `EA${String(100_000_000 + ++this.#seq * 7919).slice(-9)}CN`;
      this.byKey.set(req.idempotencyKey, no);
      this.parcels.set(no, { waybillNo: no, caseNo: req.caseNo, status: "sent", at: this.clock() });
    }
    if (this.#lostAnswers > 0) {
      this.#lostAnswers--;
      throw new CourierTimeout();
    }
    return { waybillNo: no };
  }

  async track(waybillNo: string) {
    const p = this.parcels.get(waybillNo);
    return p && p.status !== "cancelled" ? { status: p.status, at: p.at } : undefined;
  }

  async cancel(waybillNo: string): Promise<boolean> {
    const p = this.parcels.get(waybillNo);
    if (p?.status !== "sent") return false;
    p.status = "cancelled";
    return true;
  }

  /** Move a parcel on without telling anyone (a callback the hub never got). */
  moveSilently(waybillNo: string, status: CourierCallback["status"]): void {
    const p = this.parcels.get(waybillNo);
    if (!p) throw new Error(`no parcel ${waybillNo}`);
    p.status = status;
    p.at = this.clock();
  }

  /** Move a parcel on and push the news (the same event id twice is a duplicate the hub ignores). */
  async advance(waybillNo: string, status: CourierCallback["status"], eventId?: string): Promise<CourierCallback> {
    const p = this.parcels.get(waybillNo);
    if (!p) throw new Error(`no parcel ${waybillNo}`);
    p.status = status;
    p.at = this.clock();
    const cb: CourierCallback = { eventId: eventId ?? `sim-${++this.#events}`, waybillNo, status, at: p.at };
    await this.push?.(cb);
    return cb;
  }
}
