/**
 * The payment-order engine: pure functions over plain data, like cases/engine.ts.
 * `decide(state, command, now)` validates a command against the orders it concerns and says
 * what happens (events, or a closed error code); `apply` folds one event into an order.
 *
 *   created ──sent──▶ paying ──answer──▶ pending ──answer──▶ paid ──refund──▶ refund_pending ─▶ refunded
 *                        │                  │                  ▲                    │
 *                        └──────────────────┴──▶ failed        └─── refund failed ──┘ (or partly refunded)
 *
 * What it guarantees (the property test in test/server/payments/engine.test.ts walks it):
 * - an order is charged at most once: one order id is one provider trade (the provider
 *   answers a retry with the first outcome), and a case has at most one open or paid order;
 * - a payment code opens one order at most while that order is open or paid;
 * - the amount is the case's fee; refunds never exceed what was paid;
 * - answers are idempotent: a duplicate notification, a late query, a repeat of the same
 *   outcome make no event; a success is never lost (even one arriving after the hub gave up).
 */
import type { ErrorCode } from "../contract/errors.ts";
import type { OrderFailure, OrderStatus } from "../contract/payment-orders.ts";
import type { PayMethod, ProviderPayment, ProviderRefund } from "../contract/payments.ts";

export interface RefundRecord {
  refundId: string;
  amountFen: number;
  status: "pending" | "success" | "failed";
  reason: string;
  by: string;
  at: number;
}

export interface PayOrder {
  orderId: string;
  caseNo: string;
  /** The matter's name (printed on the receipt). */
  matterName: string;
  terminalId: string;
  method: PayMethod;
  /** The provider's name (PaymentProvider.name): recovery asks that one. */
  provider: string;
  amountFen: number;
  /** Salted hash of the payment code: never the code itself. */
  codeHash?: string;
  idempotencyKey: string;
  status: OrderStatus;
  failure?: OrderFailure;
  providerTradeNo?: string;
  /** What the provider says it charged (normally amountFen). */
  chargedFen?: number;
  paidAt?: number;
  refundedFen: number;
  refunds: RefundRecord[];
  createdAt: number;
  updatedAt: number;
  receiptPrinted: boolean;
  version: number;
}

export type PayCommand =
  | {
      type: "create";
      orderId: string;
      caseNo: string;
      matterName: string;
      terminalId: string;
      method: PayMethod;
      provider: string;
      amountFen: number;
      /** The case's fee as the hub computes it (the catalogue's, in fen). */
      feeFen: number;
      codeHash?: string;
      idempotencyKey: string;
    }
  /** About to call the provider's `pay` (committed before the call). */
  | { type: "send"; orderId: string }
  /** What `pay`, `query` or a notification said. */
  | { type: "answer"; orderId: string; answer: ProviderPayment }
  | { type: "refund"; orderId: string; refundId: string; amountFen: number; reason: string; by: string }
  | { type: "refund_answer"; orderId: string; refundId: string; answer: ProviderRefund }
  | { type: "receipt_printed"; orderId: string };

export type PayEvent =
  | { type: "created"; at: number; order: PayOrder }
  | { type: "sent"; at: number; orderId: string }
  | { type: "pending"; at: number; orderId: string; providerTradeNo?: string }
  | { type: "paid"; at: number; orderId: string; providerTradeNo?: string; chargedFen: number; paidAt: number }
  | { type: "failed"; at: number; orderId: string; failure: OrderFailure }
  | { type: "refund_requested"; at: number; orderId: string; refund: RefundRecord }
  | { type: "refund_settled"; at: number; orderId: string; refundId: string; status: "success" | "failed" }
  | { type: "receipt_printed"; at: number; orderId: string };

/** The orders a command concerns: the case's and the payment code's (the store loads them). */
export interface PayState {
  orders: ReadonlyMap<string, PayOrder>;
}

export type Rejection = { error: ErrorCode; message: string };
export type PayDecision = { state: PayState; events: PayEvent[]; order: PayOrder } | Rejection;

const reject = (error: ErrorCode, message: string): Rejection => ({ error, message });

/** Open: the provider may still charge it; the outcome is not known yet. */
export const OPEN: readonly OrderStatus[] = ["created", "paying", "pending"];
export const isOpen = (o: PayOrder): boolean => OPEN.includes(o.status);
/** Charged and not (wholly) given back. */
export const isCharged = (o: PayOrder): boolean => o.status === "paid" || o.status === "refund_pending";

/** Left to refund: paid, minus refunded, minus refunds under way. */
export function refundable(o: PayOrder): number {
  const charged = o.chargedFen ?? 0;
  const held = o.refunds.filter((r) => r.status !== "failed").reduce((s, r) => s + r.amountFen, 0);
  return Math.max(0, charged - held);
}

export function decide(state: PayState, cmd: PayCommand, now: number): PayDecision {
  const r = events(state, cmd, now);
  if ("error" in r) return r;
  const orders = new Map(state.orders);
  for (const e of r) {
    const id = e.type === "created" ? e.order.orderId : e.orderId;
    orders.set(id, apply(orders.get(id), e));
  }
  const order = orders.get(cmd.orderId) as PayOrder;
  return { state: { orders }, events: r, order };
}

function events(state: PayState, cmd: PayCommand, now: number): PayEvent[] | Rejection {
  if (cmd.type === "create") return create(state, cmd, now);
  const o = state.orders.get(cmd.orderId);
  if (!o) return reject("UNKNOWN_ORDER", `no order ${cmd.orderId}`);
  switch (cmd.type) {
    case "send":
      if (o.status === "created") return [{ type: "sent", at: now, orderId: o.orderId }];
      // A retry of a send already made: the provider answers it with the first outcome.
      return [];
    case "answer":
      return answer(o, cmd.answer, now);
    case "refund":
      return refund(o, cmd, now);
    case "refund_answer": {
      const r = o.refunds.find((x) => x.refundId === cmd.refundId);
      if (!r) return reject("UNKNOWN_ORDER", `no refund ${cmd.refundId}`);
      if (r.status !== "pending" || cmd.answer.status === "pending") return [];
      return [{ type: "refund_settled", at: now, orderId: o.orderId, refundId: r.refundId, status: cmd.answer.status }];
    }
    case "receipt_printed":
      return o.receiptPrinted ? [] : [{ type: "receipt_printed", at: now, orderId: o.orderId }];
    default: {
      const never: never = cmd;
      return reject("VALIDATION_FAILED", `unknown command ${(never as { type: string }).type}`);
    }
  }
}

function create(state: PayState, cmd: Extract<PayCommand, { type: "create" }>, now: number): PayEvent[] | Rejection {
  if (state.orders.has(cmd.orderId)) return reject("VALIDATION_FAILED", `order ${cmd.orderId} exists`);
  if (!Number.isSafeInteger(cmd.amountFen) || cmd.amountFen <= 0)
    return reject("VALIDATION_FAILED", "the amount is a positive integer of fen");
  if (cmd.feeFen <= 0) return reject("NO_FEE_DUE", `case ${cmd.caseNo} has no fee`);
  if (cmd.amountFen !== cmd.feeFen)
    return reject("PAYMENT_AMOUNT_MISMATCH", `the fee of ${cmd.caseNo} is ${cmd.feeFen} fen, not ${cmd.amountFen}`);
  for (const o of state.orders.values()) {
    if (o.caseNo === cmd.caseNo && (isCharged(o) || o.status === "refunded"))
      // A refunded fee is settled too: paying again is a clerk's decision, not the terminal's.
      return reject("FEE_ALREADY_PAID", `case ${cmd.caseNo} is paid (${o.orderId})`);
    if (o.caseNo === cmd.caseNo && isOpen(o))
      return reject("PAYMENT_IN_PROGRESS", `case ${cmd.caseNo} has an open order ${o.orderId}`);
    if (cmd.codeHash && o.codeHash === cmd.codeHash && o.status !== "failed")
      return reject("PAYMENT_CODE_USED", `the payment code was used for ${o.orderId}`);
  }
  const order: PayOrder = {
    orderId: cmd.orderId,
    caseNo: cmd.caseNo,
    matterName: cmd.matterName,
    terminalId: cmd.terminalId,
    method: cmd.method,
    provider: cmd.provider,
    amountFen: cmd.amountFen,
    ...(cmd.codeHash ? { codeHash: cmd.codeHash } : {}),
    idempotencyKey: cmd.idempotencyKey,
    status: "created",
    refundedFen: 0,
    refunds: [],
    createdAt: now,
    updatedAt: now,
    receiptPrinted: false,
    version: 0,
  };
  return [{ type: "created", at: now, order }];
}

function answer(o: PayOrder, a: ProviderPayment, now: number): PayEvent[] | Rejection {
  const trade = a.providerTradeNo ? { providerTradeNo: a.providerTradeNo } : {};
  switch (a.status) {
    case "success":
      // Paid once: a duplicate notification or a later query changes nothing. A success
      // after the hub gave up on the order (failed) is still money taken: never lose it.
      if (isCharged(o) || o.status === "refunded") return [];
      return [
        {
          type: "paid",
          at: now,
          orderId: o.orderId,
          ...trade,
          chargedFen: a.amountFen ?? o.amountFen,
          paidAt: a.paidAt ?? now,
        },
      ];
    case "pending":
      if (o.status === "created" || o.status === "paying") return [{ type: "pending", at: now, orderId: o.orderId, ...trade }];
      return [];
    case "failed":
      if (!isOpen(o)) return [];
      return [{ type: "failed", at: now, orderId: o.orderId, failure: a.failure ?? "DECLINED" }];
    case "not_found":
      // The provider never saw it (the hub stopped before the call reached it): not charged.
      if (!isOpen(o)) return [];
      return [{ type: "failed", at: now, orderId: o.orderId, failure: "NOT_CHARGED" }];
    default: {
      const never: never = a.status;
      return reject("VALIDATION_FAILED", `unknown answer ${String(never)}`);
    }
  }
}

function refund(o: PayOrder, cmd: Extract<PayCommand, { type: "refund" }>, now: number): PayEvent[] | Rejection {
  const prior = o.refunds.find((r) => r.refundId === cmd.refundId);
  if (prior) return []; // the same refund asked again
  if (!Number.isSafeInteger(cmd.amountFen) || cmd.amountFen <= 0)
    return reject("VALIDATION_FAILED", "the amount is a positive integer of fen");
  if (o.status !== "paid") return reject("ORDER_NOT_PAID", `order ${o.orderId} is ${o.status}`);
  const left = refundable(o);
  if (cmd.amountFen > left)
    return reject("REFUND_EXCEEDS_PAYMENT", `${cmd.amountFen} fen asked, ${left} fen left to refund of ${o.orderId}`);
  return [
    {
      type: "refund_requested",
      at: now,
      orderId: o.orderId,
      refund: { refundId: cmd.refundId, amountFen: cmd.amountFen, status: "pending", reason: cmd.reason, by: cmd.by, at: now },
    },
  ];
}

export function apply(o: PayOrder | undefined, e: PayEvent): PayOrder {
  if (e.type === "created") return e.order;
  if (!o) throw new Error(`event ${e.type} of an unknown order ${e.orderId}`);
  const base = { ...o, updatedAt: e.at, version: o.version + 1 };
  switch (e.type) {
    case "sent":
      return { ...base, status: "paying" };
    case "pending":
      return { ...base, status: "pending", ...(e.providerTradeNo ? { providerTradeNo: e.providerTradeNo } : {}) };
    case "paid": {
      const { failure: _, ...rest } = base;
      return {
        ...rest,
        status: "paid",
        chargedFen: e.chargedFen,
        paidAt: e.paidAt,
        ...(e.providerTradeNo ? { providerTradeNo: e.providerTradeNo } : {}),
      };
    }
    case "failed":
      return { ...base, status: "failed", failure: e.failure };
    case "refund_requested":
      return { ...base, status: "refund_pending", refunds: [...o.refunds, e.refund] };
    case "refund_settled": {
      const refunds = o.refunds.map((r) => (r.refundId === e.refundId ? { ...r, status: e.status } : r));
      const refundedFen = refunds.filter((r) => r.status === "success").reduce((s, r) => s + r.amountFen, 0);
      const stillPending = refunds.some((r) => r.status === "pending");
      const status: OrderStatus = stillPending
        ? "refund_pending"
        : refundedFen >= (o.chargedFen ?? o.amountFen)
          ? "refunded"
          : "paid";
      return { ...base, refunds, refundedFen, status };
    }
    case "receipt_printed":
      return { ...base, receiptPrinted: true };
    default: {
      const never: never = e;
      throw new Error(`unknown event ${(never as { type: string }).type}`);
    }
  }
}

/** Rebuild orders from their events (an audit; the property test holds it equal to the live state). */
export function replay(events: readonly PayEvent[]): Map<string, PayOrder> {
  const m = new Map<string, PayOrder>();
  for (const e of events) {
    const id = e.type === "created" ? e.order.orderId : e.orderId;
    m.set(id, apply(m.get(id), e));
  }
  return m;
}
