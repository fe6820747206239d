/**
 * A payment-code (付款码) provider simulator that behaves like the real acquirers: the
 * answer may be `pending` until the visitor confirms on the phone (larger amounts, a new
 * device), it may time out after or before charging, refuse for insufficient funds, notify
 * twice, and put a line in the day's statement that does not match. It is the demo hall's
 * provider and the one the tests and the crash test pay with.
 *
 * Like a real provider it outlives the hub: its ledger is a file (written durably before
 * each answer) in the data folder, so a hub killed mid-payment and started again finds the
 * charge the provider made — which is what recovery must find.
 *
 * Fault injection by the payment code's last four digits (docs/api.md "Payment simulator"):
 *   9001  pending: the visitor must confirm on the phone (confirmed after `confirmMs`, or by `confirm()`)
 *   9002  pending, then the visitor cancels (USER_CANCELLED after `confirmMs`, or by `cancel()`)
 *   9003  INSUFFICIENT_FUNDS
 *   9004  CODE_INVALID (expired code)
 *   9005  charged, but the answer is lost (the call rejects: a timeout)
 *   9006  the call rejects before anything is charged (network down)
 *   9007  success, and the payment notification comes twice
 *   9008  success, but the statement's line is 1 fen more
 *   9009  charged, and the answer never comes (the hub may be killed meanwhile)
 *   9010  the call never arrives (hangs before charging)
 *   9011  success, but the statement leaves the line out
 *   anything else: success at once. A code used once is CODE_INVALID for any other order.
 * An order id queried before any pay reached the simulator is closed (关单): a pay arriving
 * later is refused, so "not found" stays true and the hub may record it as not charged.
 */
import { createHash } from "node:crypto";
import { closeSync, fsyncSync, openSync, readFileSync, renameSync, writeSync } from "node:fs";
import type {
  PaymentProvider,
  PayRequest,
  ProviderPayment,
  ProviderRefund,
  RefundRequest,
  StatementLine,
} from "../contract/payments.ts";
import { localDay } from "../core/time.ts";

export type SimBehaviour =
  | "success"
  | "confirm"
  | "cancel"
  | "insufficient"
  | "invalid"
  | "lost_after_charge"
  | "reject_before_charge"
  | "duplicate_notify"
  | "statement_differs"
  | "hang_after_charge"
  | "hang_before_charge"
  | "statement_missing";

const BY_SUFFIX: Record<string, SimBehaviour> = {
  "9001": "confirm",
  "9002": "cancel",
  "9003": "insufficient",
  "9004": "invalid",
  "9005": "lost_after_charge",
  "9006": "reject_before_charge",
  "9007": "duplicate_notify",
  "9008": "statement_differs",
  "9009": "hang_after_charge",
  "9010": "hang_before_charge",
  "9011": "statement_missing",
};

/** The behaviour a payment code asks of the simulator. */
export function simBehaviour(authCode: string | undefined): SimBehaviour {
  return BY_SUFFIX[(authCode ?? "").slice(-4)] ?? "success";
}

interface SimRefund {
  refundId: string;
  amountFen: number;
  at: number;
  refundNo: string;
}

interface SimOrder {
  orderId: string;
  key: string;
  amountFen: number;
  codeHash: string;
  behaviour: SimBehaviour;
  status: "pending" | "success" | "failed";
  failure?: ProviderPayment["failure"];
  tradeNo: string;
  /** When a pending order resolves by itself (the visitor confirms or gives up). */
  resolveAt?: number;
  paidAt?: number;
  refunds: SimRefund[];
}

interface Ledger {
  seq: number;
  orders: Record<string, SimOrder>;
  usedCodes: Record<string, string>;
  /**
   * Order ids the hub asked about before any pay reached us: closed (关单), so a pay that
   * arrives late cannot charge an order the hub has already recorded as not charged.
   */
  closed?: Record<string, true>;
}

export interface SimOptions {
  /** The ledger file (absent: in memory only). */
  file?: string;
  name?: string;
  clock?: () => number;
  timeZone?: string;
  /** How long the visitor takes on the phone for 9001/9002 codes (default 3 s). */
  confirmMs?: number;
  /** Delay before each answer (default 0: answers at once). */
  answerDelayMs?: number;
}

class SimError extends Error {}

export class PaymentSimulator implements PaymentProvider {
  readonly name: string;
  private ledger: Ledger = { seq: 0, orders: {}, usedCodes: {} };
  private readonly clock: () => number;
  private readonly timeZone: string;
  private readonly notifyListeners = new Set<(orderId: string) => void>();
  private readonly timers = new Set<NodeJS.Timeout>();
  /** Calls made, for tests: how many times `pay` was asked, per order. */
  readonly payCalls = new Map<string, number>();
  confirmMs: number;
  answerDelayMs: number;
  /** The next this many refund calls reject before reaching the provider (a network fault). */
  rejectRefunds = 0;

  constructor(private readonly o: SimOptions = {}) {
    this.name = o.name ?? "sim-qr";
    this.clock = o.clock ?? Date.now;
    this.timeZone = o.timeZone ?? "Asia/Shanghai";
    this.confirmMs = o.confirmMs ?? 3000;
    this.answerDelayMs = o.answerDelayMs ?? 0;
    if (o.file) {
      try {
        this.ledger = JSON.parse(readFileSync(o.file, "utf8")) as Ledger;
      } catch (err) {
        if ((err as NodeJS.ErrnoException).code !== "ENOENT") throw err;
      }
    }
  }

  /** The provider's asynchronous payment notification (支付结果通知): the hub queries on it. */
  onNotify(listener: (orderId: string) => void): () => void {
    this.notifyListeners.add(listener);
    return () => this.notifyListeners.delete(listener);
  }

  /** Written durably before the answer leaves: the provider remembers what it charged. */
  private save(): void {
    const file = this.o.file;
    if (!file) return;
    const tmp = `${file}.tmp`;
    const fd = openSync(tmp, "w");
    try {
      writeSync(fd, JSON.stringify(this.ledger));
      fsyncSync(fd);
    } finally {
      closeSync(fd);
    }
    renameSync(tmp, file);
  }

  private async delay(): Promise<void> {
    if (this.answerDelayMs > 0) await new Promise((r) => setTimeout(r, this.answerDelayMs));
  }

  private notify(orderId: string, times = 1, afterMs = 0): void {
    for (let i = 0; i < times; i++) {
      const t = setTimeout(
        () => {
          this.timers.delete(t);
          for (const l of this.notifyListeners) l(orderId);
        },
        afterMs + i * 20,
      );
      t.unref();
      this.timers.add(t);
    }
  }

  /** A pending order whose time came: the visitor confirmed (or cancelled) on the phone. */
  private settle(o: SimOrder): void {
    if (o.status !== "pending" || o.resolveAt === undefined || this.clock() < o.resolveAt) return;
    this.finishPending(o, o.behaviour === "cancel" ? "cancel" : "confirm", o.resolveAt);
  }

  private finishPending(o: SimOrder, how: "confirm" | "cancel", at: number): void {
    if (how === "confirm") {
      o.status = "success";
      o.paidAt = at;
    } else {
      o.status = "failed";
      o.failure = "USER_CANCELLED";
    }
    delete o.resolveAt;
    this.save();
  }

  private view(o: SimOrder): ProviderPayment {
    this.settle(o);
    const refunded = o.refunds.reduce((s, r) => s + r.amountFen, 0);
    return {
      status: o.status,
      providerTradeNo: o.tradeNo,
      ...(o.status === "success" ? { amountFen: o.amountFen, paidAt: o.paidAt as number, refundedFen: refunded } : {}),
      ...(o.failure ? { failure: o.failure } : {}),
    };
  }

  async pay(req: PayRequest): Promise<ProviderPayment> {
    this.payCalls.set(req.orderId, (this.payCalls.get(req.orderId) ?? 0) + 1);
    await this.delay();
    const prior = this.ledger.orders[req.orderId];
    // The same order again (a retry): the first outcome, never a second charge.
    if (prior) return this.view(prior);
    if (this.ledger.closed?.[req.orderId]) return { status: "failed", failure: "CODE_INVALID" };
    const behaviour = simBehaviour(req.authCode);
    if (behaviour === "reject_before_charge") throw new SimError("simulated network failure before the charge");
    if (behaviour === "hang_before_charge") return new Promise<never>(() => {});
    if (!Number.isSafeInteger(req.amountFen) || req.amountFen <= 0) throw new SimError("bad amount");
    const codeHash = createHash("sha256")
      .update(req.authCode ?? "")
      .digest("base64url");
    const now = this.clock();
    const tradeNo = `SIM${localDay(now, this.timeZone).replaceAll("-", "")}${String(++this.ledger.seq).padStart(8, "0")}`;
    const o: SimOrder = {
      orderId: req.orderId,
      key: req.idempotencyKey,
      amountFen: req.amountFen,
      codeHash,
      behaviour,
      status: "success",
      tradeNo,
      refunds: [],
    };
    const usedBy = this.ledger.usedCodes[codeHash];
    if (!req.authCode || !/^\d{16,24}$/.test(req.authCode) || usedBy) {
      o.status = "failed";
      o.failure = "CODE_INVALID";
    } else if (behaviour === "insufficient") {
      o.status = "failed";
      o.failure = "INSUFFICIENT_FUNDS";
    } else if (behaviour === "invalid") {
      o.status = "failed";
      o.failure = "CODE_INVALID";
    } else if (behaviour === "confirm" || behaviour === "cancel") {
      o.status = "pending";
      o.resolveAt = now + this.confirmMs;
    } else {
      o.paidAt = now;
    }
    // A code is spent once it was presented with a valid request (as real codes are).
    if (!usedBy && req.authCode) this.ledger.usedCodes[codeHash] = req.orderId;
    this.ledger.orders[req.orderId] = o;
    this.save();
    if (o.status === "pending" && Number.isFinite(this.confirmMs)) this.notify(req.orderId, 1, this.confirmMs);
    if (behaviour === "duplicate_notify") this.notify(req.orderId, 2);
    if (behaviour === "lost_after_charge") throw new SimError("simulated timeout after the charge");
    if (behaviour === "hang_after_charge") return new Promise<never>(() => {});
    return this.view(o);
  }

  async query(orderId: string): Promise<ProviderPayment> {
    await this.delay();
    const o = this.ledger.orders[orderId];
    if (o) return this.view(o);
    this.ledger.closed = { ...this.ledger.closed, [orderId]: true };
    this.save();
    return { status: "not_found" };
  }

  async refund(req: RefundRequest): Promise<ProviderRefund> {
    await this.delay();
    if (this.rejectRefunds > 0) {
      this.rejectRefunds--;
      throw new SimError("simulated network failure before the refund");
    }
    const o = this.ledger.orders[req.orderId];
    if (!o) return { status: "failed" };
    this.settle(o);
    const prior = o.refunds.find((r) => r.refundId === req.refundId);
    if (prior) return { status: "success", providerRefundNo: prior.refundNo };
    const left = o.amountFen - o.refunds.reduce((s, r) => s + r.amountFen, 0);
    if (o.status !== "success" || req.amountFen <= 0 || req.amountFen > left) return { status: "failed" };
    const refundNo = `SIMR${String(++this.ledger.seq).padStart(8, "0")}`;
    o.refunds.push({ refundId: req.refundId, amountFen: req.amountFen, at: this.clock(), refundNo });
    this.save();
    return { status: "success", providerRefundNo: refundNo };
  }

  async statement(day: string): Promise<StatementLine[]> {
    await this.delay();
    const lines: StatementLine[] = [];
    for (const o of Object.values(this.ledger.orders)) {
      this.settle(o);
      if (o.status === "success" && o.paidAt !== undefined && localDay(o.paidAt, this.timeZone) === day) {
        if (o.behaviour !== "statement_missing")
          lines.push({
            orderId: o.orderId,
            providerTradeNo: o.tradeNo,
            kind: "pay",
            amountFen: o.amountFen + (o.behaviour === "statement_differs" ? 1 : 0),
            at: o.paidAt,
          });
      }
      for (const r of o.refunds)
        if (localDay(r.at, this.timeZone) === day)
          lines.push({
            orderId: o.orderId,
            providerTradeNo: o.tradeNo,
            kind: "refund",
            amountFen: r.amountFen,
            at: r.at,
            refundId: r.refundId,
          });
    }
    return lines.sort((a, b) => a.at - b.at);
  }

  // Control, for tests and the demo.

  /** The visitor confirms on the phone now. */
  confirm(orderId: string): boolean {
    const o = this.ledger.orders[orderId];
    if (o?.status !== "pending") return false;
    this.finishPending(o, "confirm", this.clock());
    this.notify(orderId);
    return true;
  }

  /** The visitor cancels on the phone now. */
  cancel(orderId: string): boolean {
    const o = this.ledger.orders[orderId];
    if (o?.status !== "pending") return false;
    this.finishPending(o, "cancel", this.clock());
    this.notify(orderId);
    return true;
  }

  /** Orders waiting for the visitor's confirmation on the phone. */
  pendingOrders(): string[] {
    return Object.values(this.ledger.orders)
      .filter((o) => (this.settle(o), o.status === "pending"))
      .map((o) => o.orderId);
  }

  /** What the provider charged (success), per order: the tests' "charged at most once". */
  charges(): { orderId: string; amountFen: number; refundedFen: number }[] {
    return Object.values(this.ledger.orders)
      .map((o) => (this.settle(o), o))
      .filter((o) => o.status === "success")
      .map((o) => ({ orderId: o.orderId, amountFen: o.amountFen, refundedFen: o.refunds.reduce((s, r) => s + r.amountFen, 0) }));
  }

  close(): void {
    for (const t of this.timers) clearTimeout(t);
    this.timers.clear();
    this.notifyListeners.clear();
  }
}
