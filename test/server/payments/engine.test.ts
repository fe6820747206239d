/**
 * The payment-order engine (server/src/payments/engine.ts): the rules one by one, and a
 * property test of the whole protocol. A model hub drives the engine the way the service
 * does (order committed, then "paying", then the provider), against a model provider that
 * can be slow, lose answers, need the phone's confirmation, refuse, and notify twice; the
 * hub may crash at any point (what was not committed is gone, calls in flight are lost or
 * arrive later) and recovers by querying. Whatever the interleaving: each order is charged
 * at most once, a case's fee at most once, and once everything settles every order is
 * paid (and the provider agrees), refunded, or failed without a charge — never lost.
 */
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import type { ProviderPayment } from "../../../server/src/contract/payments.ts";
import {
  type PayCommand,
  type PayEvent,
  type PayOrder,
  type PayState,
  decide,
  isOpen,
  replay,
} from "../../../server/src/payments/engine.ts";

const T0 = Date.parse("2026-12-03T02:00:00Z");
const FEE = 2000;

function create(orderId: string, caseNo: string, extra: Partial<Extract<PayCommand, { type: "create" }>> = {}): PayCommand {
  return {
    type: "create",
    orderId,
    caseNo,
    matterName: "居民身份证换领",
    terminalId: "t1",
    method: "qr",
    provider: "sim-qr",
    amountFen: FEE,
    feeFen: FEE,
    codeHash: `code-${orderId}`,
    idempotencyKey: `key-${orderId}`,
    ...extra,
  };
}

function run(state: PayState, cmd: PayCommand, now = T0): PayState {
  const d = decide(state, cmd, now);
  if ("error" in d) throw new Error(`${d.error}: ${d.message}`);
  return d.state;
}

const empty = (): PayState => ({ orders: new Map() });
const errorOf = (state: PayState, cmd: PayCommand) => {
  const d = decide(state, cmd, T0);
  return "error" in d ? d.error : "ok";
};

describe("payment engine: the rules", () => {
  it("the amount must be the case's fee, in whole fen, and a free case has nothing to pay", () => {
    expect(errorOf(empty(), create("A", "c1", { amountFen: 1999 }))).toBe("PAYMENT_AMOUNT_MISMATCH");
    expect(errorOf(empty(), create("A", "c1", { amountFen: 20.5 }))).toBe("VALIDATION_FAILED");
    expect(errorOf(empty(), create("A", "c1", { amountFen: 0 }))).toBe("VALIDATION_FAILED");
    expect(errorOf(empty(), create("A", "c1", { feeFen: 0, amountFen: 1 }))).toBe("NO_FEE_DUE");
    expect(errorOf(empty(), create("A", "c1"))).toBe("ok");
  });

  it("one live order per case; a code opens one order; a failed order frees both", () => {
    let s = run(empty(), create("A", "c1"));
    expect(errorOf(s, create("B", "c1"))).toBe("PAYMENT_IN_PROGRESS");
    expect(errorOf(s, create("B", "c2", { codeHash: "code-A" }))).toBe("PAYMENT_CODE_USED");
    s = run(s, { type: "send", orderId: "A" });
    s = run(s, { type: "answer", orderId: "A", answer: { status: "failed", failure: "INSUFFICIENT_FUNDS" } });
    expect(s.orders.get("A")).toMatchObject({ status: "failed", failure: "INSUFFICIENT_FUNDS" });
    expect(errorOf(s, create("B", "c1", { codeHash: "code-A" }))).toBe("ok");
    s = run(s, create("B", "c1"));
    s = run(s, { type: "send", orderId: "B" });
    s = run(s, { type: "answer", orderId: "B", answer: { status: "success", amountFen: FEE, providerTradeNo: "T1" } });
    expect(errorOf(s, create("C", "c1"))).toBe("FEE_ALREADY_PAID");
  });

  it("pending, then success; a duplicate notification and a late failure change nothing", () => {
    let s = run(run(empty(), create("A", "c1")), { type: "send", orderId: "A" });
    s = run(s, { type: "answer", orderId: "A", answer: { status: "pending", providerTradeNo: "T1" } });
    expect(s.orders.get("A")?.status).toBe("pending");
    const paid = decide(
      s,
      { type: "answer", orderId: "A", answer: { status: "success", amountFen: FEE, paidAt: T0 + 5 } },
      T0 + 9,
    );
    if ("error" in paid) throw new Error(paid.error);
    expect(paid.events.map((e) => e.type)).toEqual(["paid"]);
    expect(paid.order).toMatchObject({ status: "paid", chargedFen: FEE, paidAt: T0 + 5, providerTradeNo: "T1" });
    for (const answer of [
      { status: "success", amountFen: FEE },
      { status: "failed", failure: "DECLINED" },
      { status: "pending" },
      { status: "not_found" },
    ] as ProviderPayment[]) {
      const again = decide(paid.state, { type: "answer", orderId: "A", answer }, T0 + 10);
      expect("error" in again ? again.error : again.events).toEqual([]);
    }
  });

  it("a success arriving after the hub gave up is still recorded (money is never lost)", () => {
    let s = run(run(empty(), create("A", "c1")), { type: "send", orderId: "A" });
    s = run(s, { type: "answer", orderId: "A", answer: { status: "not_found" } });
    expect(s.orders.get("A")).toMatchObject({ status: "failed", failure: "NOT_CHARGED" });
    s = run(s, { type: "answer", orderId: "A", answer: { status: "success", amountFen: FEE } });
    expect(s.orders.get("A")).toMatchObject({ status: "paid", chargedFen: FEE });
    expect(s.orders.get("A")?.failure).toBeUndefined();
  });

  it("refunds: only of a paid order, never more than is left, the same refund id once", () => {
    let s = run(run(empty(), create("A", "c1")), { type: "send", orderId: "A" });
    const refund = (refundId: string, amountFen: number): PayCommand => ({
      type: "refund",
      orderId: "A",
      refundId,
      amountFen,
      reason: "重复缴费",
      by: "s-admin",
    });
    expect(errorOf(s, refund("R1", 100))).toBe("ORDER_NOT_PAID");
    s = run(s, { type: "answer", orderId: "A", answer: { status: "success", amountFen: FEE } });
    expect(errorOf(s, refund("R1", FEE + 1))).toBe("REFUND_EXCEEDS_PAYMENT");
    s = run(s, refund("R1", 500));
    expect(s.orders.get("A")?.status).toBe("refund_pending");
    expect(decide(s, refund("R1", 500), T0)).toMatchObject({ events: [] });
    expect(errorOf(s, refund("R2", 100))).toBe("ORDER_NOT_PAID");
    s = run(s, { type: "refund_answer", orderId: "A", refundId: "R1", answer: { status: "success" } });
    expect(s.orders.get("A")).toMatchObject({ status: "paid", refundedFen: 500 });
    expect(errorOf(s, refund("R2", FEE - 499))).toBe("REFUND_EXCEEDS_PAYMENT");
    s = run(s, refund("R2", FEE - 500));
    s = run(s, { type: "refund_answer", orderId: "A", refundId: "R2", answer: { status: "failed" } });
    expect(s.orders.get("A")).toMatchObject({ status: "paid", refundedFen: 500 });
    s = run(s, refund("R3", FEE - 500));
    s = run(s, { type: "refund_answer", orderId: "A", refundId: "R3", answer: { status: "success" } });
    expect(s.orders.get("A")).toMatchObject({ status: "refunded", refundedFen: FEE });
    expect(errorOf(s, create("B", "c1"))).toBe("FEE_ALREADY_PAID");
  });
});

/**
 * The model provider: keyed by order id (the trade number), it charges an order at most
 * once whatever arrives twice; a pay may need the phone's confirmation; a query of an order
 * it never saw closes that trade number (关单), so a pay arriving later is refused.
 */
class ModelProvider {
  readonly orders = new Map<
    string,
    { status: "pending" | "success" | "failed"; behaviour: Behaviour; refunds: Map<string, number> }
  >();
  readonly closed = new Set<string>();
  /** Every time money was taken, per order (must never exceed 1). */
  readonly charges = new Map<string, number>();

  pay(orderId: string, behaviour: Behaviour): ProviderPayment {
    const prior = this.orders.get(orderId);
    if (prior) return this.view(orderId);
    if (this.closed.has(orderId)) return { status: "failed", failure: "CODE_INVALID" };
    const status = behaviour === "declined" ? "failed" : behaviour === "confirm" ? "pending" : "success";
    this.orders.set(orderId, { status, behaviour, refunds: new Map() });
    if (status === "success") this.charges.set(orderId, (this.charges.get(orderId) ?? 0) + 1);
    return this.view(orderId);
  }

  query(orderId: string): ProviderPayment {
    if (!this.orders.has(orderId)) {
      this.closed.add(orderId);
      return { status: "not_found" };
    }
    return this.view(orderId);
  }

  confirm(orderId: string): void {
    const o = this.orders.get(orderId);
    if (o?.status !== "pending") return;
    o.status = "success";
    this.charges.set(orderId, (this.charges.get(orderId) ?? 0) + 1);
  }

  refund(orderId: string, refundId: string, amountFen: number): "success" | "failed" {
    const o = this.orders.get(orderId);
    if (o?.status !== "success") return "failed";
    if (o.refunds.has(refundId)) return "success";
    const left = FEE - [...o.refunds.values()].reduce((a, b) => a + b, 0);
    if (amountFen > left) return "failed";
    o.refunds.set(refundId, amountFen);
    return "success";
  }

  view(orderId: string): ProviderPayment {
    const o = this.orders.get(orderId);
    if (!o) return { status: "not_found" };
    if (o.status === "failed") return { status: "failed", failure: "INSUFFICIENT_FUNDS", providerTradeNo: `T-${orderId}` };
    if (o.status === "pending") return { status: "pending", providerTradeNo: `T-${orderId}` };
    return { status: "success", amountFen: FEE, providerTradeNo: `T-${orderId}`, paidAt: T0 };
  }
}

type Behaviour = "success" | "confirm" | "declined";

/** A call on its way: the request may not have reached the provider yet; its answer may be lost. */
interface InFlight {
  orderId: string;
  behaviour: Behaviour;
  reached: boolean;
  answer?: ProviderPayment;
  /** Sent by a hub that died since: its answer has nowhere to go. */
  orphan?: boolean;
}

type Step =
  | { kind: "scan"; caseIx: number; behaviour: Behaviour }
  /** The request of an in-flight call reaches the provider. */
  | { kind: "reach"; ix: number }
  /** The answer comes back (or is lost: a timeout). */
  | { kind: "answer"; ix: number; lost: boolean }
  /** The page (or the hub's own retry) sends pay again with the same order id. */
  | { kind: "retry"; ix: number }
  | { kind: "confirm"; ix: number }
  /** The provider's notification, once or twice. */
  | { kind: "notify"; ix: number; times: number }
  | { kind: "query"; ix: number }
  | { kind: "refund"; ix: number; amountFen: number }
  /** The hub dies: what was not committed is gone; calls in flight keep going without it. */
  | { kind: "crash" };

const step: fc.Arbitrary<Step> = fc.oneof(
  fc.record({
    kind: fc.constant("scan" as const),
    caseIx: fc.integer({ min: 0, max: 1 }),
    behaviour: fc.constantFrom<Behaviour>("success", "confirm", "declined"),
  }),
  fc.record({ kind: fc.constant("reach" as const), ix: fc.nat(20) }),
  fc.record({ kind: fc.constant("answer" as const), ix: fc.nat(20), lost: fc.boolean() }),
  fc.record({ kind: fc.constant("retry" as const), ix: fc.nat(20) }),
  fc.record({ kind: fc.constant("confirm" as const), ix: fc.nat(20) }),
  fc.record({ kind: fc.constant("notify" as const), ix: fc.nat(20), times: fc.integer({ min: 1, max: 2 }) }),
  fc.record({ kind: fc.constant("query" as const), ix: fc.nat(20) }),
  fc.record({ kind: fc.constant("refund" as const), ix: fc.nat(20), amountFen: fc.integer({ min: 1, max: FEE + 10 }) }),
  fc.constant({ kind: "crash" as const }),
);

/** The model hub: the engine's state as committed (the database) and the journal of events. */
class ModelHub {
  state: PayState = { orders: new Map() };
  readonly log: PayEvent[] = [];
  inFlight: InFlight[] = [];
  private n = 0;
  private now = T0;

  constructor(readonly provider: ModelProvider) {}

  /** decide + commit; a refusal changes nothing. */
  exec(cmd: PayCommand): boolean {
    const d = decide(this.state, cmd, ++this.now);
    if ("error" in d) return false;
    this.state = d.state;
    this.log.push(...d.events);
    return true;
  }

  order(ix: number): PayOrder | undefined {
    const all = [...this.state.orders.values()];
    return all.length ? all[ix % all.length] : undefined;
  }

  scan(caseIx: number, behaviour: Behaviour): void {
    const orderId = `O${++this.n}`;
    if (!this.exec(create(orderId, `case-${caseIx}`))) return;
    if (!this.exec({ type: "send", orderId })) throw new Error("send refused");
    this.inFlight.push({ orderId, behaviour, reached: false });
  }

  answer(a: { orderId: string; answer: ProviderPayment }): void {
    this.exec({ type: "answer", orderId: a.orderId, answer: a.answer });
  }

  recover(): void {
    for (const o of [...this.state.orders.values()]) {
      if (isOpen(o)) this.answer({ orderId: o.orderId, answer: this.provider.query(o.orderId) });
      for (const r of o.refunds.filter((x) => x.status === "pending"))
        this.exec({
          type: "refund_answer",
          orderId: o.orderId,
          refundId: r.refundId,
          answer: { status: this.provider.refund(o.orderId, r.refundId, r.amountFen) },
        });
    }
  }
}

describe("payment engine: any interleaving of retries, crashes and provider answers", () => {
  it("charges each order at most once, each case at most once, and ends every order settled", () => {
    fc.assert(
      fc.property(fc.array(step, { minLength: 5, maxLength: 80, size: "max" }), (steps) => {
        const provider = new ModelProvider();
        const hub = new ModelHub(provider);
        for (const s of steps) {
          const f = hub.inFlight.length ? hub.inFlight[("ix" in s ? s.ix : 0) % hub.inFlight.length] : undefined;
          switch (s.kind) {
            case "scan":
              hub.scan(s.caseIx, s.behaviour);
              break;
            case "reach":
              if (f && !f.reached) {
                f.reached = true;
                f.answer = provider.pay(f.orderId, f.behaviour);
              }
              break;
            case "answer":
              if (f?.reached) {
                hub.inFlight = hub.inFlight.filter((x) => x !== f);
                if (f.orphan) break;
                if (!s.lost && f.answer) hub.answer({ orderId: f.orderId, answer: f.answer });
                // A lost answer: the hub asks (as the service does after a timeout).
                else hub.answer({ orderId: f.orderId, answer: provider.query(f.orderId) });
              }
              break;
            case "retry": {
              const o = hub.order(s.ix);
              if (o && isOpen(o) && o.status !== "created")
                hub.answer({ orderId: o.orderId, answer: provider.pay(o.orderId, "success") });
              break;
            }
            case "confirm": {
              const o = hub.order(s.ix);
              if (o) provider.confirm(o.orderId);
              break;
            }
            case "notify": {
              const o = hub.order(s.ix);
              if (o) for (let i = 0; i < s.times; i++) hub.answer({ orderId: o.orderId, answer: provider.query(o.orderId) });
              break;
            }
            case "query": {
              const o = hub.order(s.ix);
              if (o) hub.answer({ orderId: o.orderId, answer: provider.query(o.orderId) });
              break;
            }
            case "refund": {
              const o = hub.order(s.ix);
              if (!o) break;
              const refundId = `R${o.orderId}-${o.refunds.length}`;
              if (
                hub.exec({ type: "refund", orderId: o.orderId, refundId, amountFen: s.amountFen, reason: "test", by: "s" }) &&
                s.amountFen % 3 !== 0 // some refund answers are lost until recovery
              )
                hub.exec({
                  type: "refund_answer",
                  orderId: o.orderId,
                  refundId,
                  answer: { status: provider.refund(o.orderId, refundId, s.amountFen) },
                });
              break;
            }
            case "crash":
              // Answers to the dead hub are lost; requests still on the wire may arrive later
              // (before or after recovery's query: "reach" steps deliver them).
              hub.inFlight = hub.inFlight.filter((x) => !x.reached).map((x) => ({ ...x, orphan: true }));
              hub.recover();
              break;
          }
          // Always: an order is charged at most once; a case's fee at most once (unrefunded).
          for (const c of provider.charges.values()) expect(c).toBeLessThanOrEqual(1);
          const byCase = new Map<string, number>();
          for (const o of hub.state.orders.values())
            if (provider.charges.get(o.orderId)) byCase.set(o.caseNo, (byCase.get(o.caseNo) ?? 0) + 1);
          for (const n of byCase.values()) expect(n).toBeLessThanOrEqual(1);
        }
        // Settle: late requests arrive, the phones confirm, one last crash and recovery.
        for (const f of hub.inFlight) if (!f.reached) provider.pay(f.orderId, f.behaviour);
        hub.inFlight = [];
        for (const o of hub.state.orders.values()) provider.confirm(o.orderId);
        hub.recover();
        for (const o of hub.state.orders.values()) {
          const p = provider.orders.get(o.orderId);
          const charged = provider.charges.get(o.orderId) ?? 0;
          expect(["paid", "failed", "refunded"]).toContain(o.status);
          if (o.status === "failed") expect(charged).toBe(0);
          else {
            expect(charged).toBe(1);
            expect(o.chargedFen).toBe(FEE);
            const refunded = [...(p?.refunds.values() ?? [])].reduce((a, b) => a + b, 0);
            expect(o.refundedFen).toBe(refunded);
            expect(o.refundedFen).toBeLessThanOrEqual(FEE);
            expect(o.status === "refunded").toBe(refunded === FEE);
          }
        }
        // Nothing charged that the hub does not know of.
        for (const id of provider.charges.keys()) expect(hub.state.orders.has(id)).toBe(true);
        // The journal folds into the very same orders.
        expect(replay(hub.log)).toEqual(hub.state.orders);
      }),
      { numRuns: 400 },
    );
  });
});
