/**
 * The payment service (缴费): the fees a visitor identified at a terminal owes, paying one
 * with a payment code (or a card, through the same provider interface), refunds, recovery
 * and the daily reconciliation.
 *
 * The order of things is what keeps money safe:
 * 1. the order is committed (created, then paying) before any provider is called;
 * 2. the provider is called with the order id as its trade number and a stable idempotency
 *    key, so a retry is answered with the first outcome and never charges twice;
 * 3. every answer (pay, query, a notification, twice or late) goes through the engine,
 *    which ignores what it already knows;
 * 4. an answer that never came (timeout, crash) is resolved by `query`: right away, then
 *    while the order stays open, and for every open order when the hub starts.
 *
 * Personal data: the payment code is hashed (salted) the moment it arrives and never
 * stored, logged or sent to a page.
 */
import { createHash, createHmac, randomBytes } from "node:crypto";
import type { Catalogue } from "../contract/catalogue.ts";
import type { PrintResult } from "../contract/events.ts";
import type {
  CancelReply,
  CardPromptStage,
  FeeDue,
  FeeList,
  Mismatch,
  PaymentOrderView,
  PaymentPrompt,
  Reconciliation,
  StartPaymentBody,
} from "../contract/payment-orders.ts";
import type { PaymentProvider, PaymentProviders, PayRequest, ProviderPayment, StatementLine } from "../contract/payments.ts";
import { localDay } from "../core/time.ts";
import { HallError } from "../hall/errors.ts";
import { type PayCommand, type PayEvent, type PayOrder, decide, isCharged, isOpen } from "./engine.ts";
import { encodePaymentReceipt, type PaymentReceiptJob } from "./receipt.ts";
import type { PayStore } from "./store.ts";

/** A case the visitor identified here may pay for (what the terminal service told us). */
export interface PayableCase {
  caseNo: string;
  matterId: string;
  matterName: string;
  matterNameEn: string;
  status: string;
}

/** How the visitor identified at the terminal. */
export type Identity = { idToken: string } | { caseNo: string; scanToken: string };

export interface PaymentServiceDeps {
  store: PayStore;
  providers: PaymentProviders;
  catalogue: () => Catalogue;
  /** The cases of the visitor identified at this terminal (throws ID_CARD_EXPIRED / UNKNOWN_CASE). */
  casesOf: (terminalId: string, who: Identity) => Promise<PayableCase[]>;
  /** Print on the terminal's receipt printer; never rejects. */
  printReceipt: (terminalId: string, jobId: string, encode: (width: 58 | 80) => Buffer) => Promise<PrintResult>;
  /** Tell the terminal's screen an order changed. */
  emit: (terminalId: string, order: PaymentOrderView) => void;
  /** Tell the terminal's screen what its card POS asks of the visitor now. */
  prompt?: (p: PaymentPrompt) => void;
  codeSalt: string;
  clock: () => number;
  log: (line: string) => void;
  /** How long one provider call may take before it counts as a timeout (default 15 s). */
  callTimeoutMs?: number;
  /**
   * How long a card payment may take (default 120 s): the visitor finds the card, types the
   * PIN, the bank answers; the POS itself gives up on a visitor who walked away (~60 s).
   */
  cardPayTimeoutMs?: number;
  /** How often an open order is queried while the visitor confirms (default 1 s). */
  pollMs?: number;
}

/** Fees of cases in these states are not due (nothing was accepted). */
const NO_FEE: ReadonlySet<string> = new Set(["not_accepted", "refused"]);

/** A payment code: 16 to 24 digits (WeChat 10–15…, Alipay 25–30…, UnionPay 62…). */
export const PAY_CODE = /^\d{16,24}$/;

/** A scanned payment code stays usable this long (real codes refresh every minute). */
export const PAY_CODE_TTL_MS = 60_000;

/** An order still open after this long is given up polling (recovery on start asks again). */
const POLL_GIVE_UP_MS = 10 * 60_000;

class Timeout extends Error {}

export function feeFen(feeYuan: number): number {
  // The one place yuan become fen: the catalogue keeps yuan (a number with at most 2 decimals).
  return Math.round(feeYuan * 100);
}

export function orderView(o: PayOrder): PaymentOrderView {
  return {
    orderId: o.orderId,
    caseNo: o.caseNo,
    terminalId: o.terminalId,
    method: o.method,
    provider: o.provider,
    amountFen: o.amountFen,
    status: o.status,
    ...(o.failure ? { failure: o.failure } : {}),
    ...(o.providerTradeNo ? { providerTradeNo: o.providerTradeNo } : {}),
    ...(o.paidAt !== undefined ? { paidAt: o.paidAt } : {}),
    refundedFen: o.refundedFen,
    refunds: o.refunds.map((r) => ({ ...r })),
    createdAt: o.createdAt,
    updatedAt: o.updatedAt,
    receiptPrinted: o.receiptPrinted,
  };
}

export class PaymentService {
  private readonly locks = new Map<string, Promise<unknown>>();
  /** Payment codes scanned at a terminal, behind tokens (the page never sees the code). */
  private readonly codes = new Map<string, { terminalId: string; code: string; exp: number }>();
  private readonly polling = new Set<string>();
  /** Card orders under way, by order id → terminal: only their POS prompts reach a screen. */
  private readonly cardOrders = new Map<string, string>();
  private readonly timers = new Set<NodeJS.Timeout>();
  private closed = false;

  constructor(private readonly d: PaymentServiceDeps) {}

  /** Run `fn` alone for `key` (an order, a case): its answers are applied one at a time. */
  private async lock<T>(key: string, fn: () => Promise<T>): Promise<T> {
    const prev = this.locks.get(key) ?? Promise.resolve();
    const run = prev.then(fn, fn);
    const tail = run.catch(() => {});
    this.locks.set(key, tail);
    try {
      return await run;
    } finally {
      if (this.locks.get(key) === tail) this.locks.delete(key);
    }
  }

  private hashCode(code: string): string {
    return createHmac("sha256", this.d.codeSalt).update(`paycode:${code}`).digest("base64url");
  }

  private provider(name: string): PaymentProvider | undefined {
    return this.d.providers.all().find((p) => p.name === name);
  }

  private async call<T>(p: Promise<T>, ms = this.d.callTimeoutMs ?? 15_000): Promise<T> {
    let timer: NodeJS.Timeout | undefined;
    try {
      return await Promise.race([
        p,
        new Promise<never>((_, rej) => {
          timer = setTimeout(() => rej(new Timeout(`no answer within ${ms} ms`)), ms);
        }),
      ]);
    } finally {
      clearTimeout(timer);
    }
  }

  /**
   * The terminal's scanner read something that looks like a payment code: keep it behind a
   * token for that terminal. Returns the token (the screen gets it, never the code).
   */
  payCodeScanned(terminalId: string, code: string): string {
    const now = this.d.clock();
    for (const [k, v] of this.codes) if (v.exp < now || v.terminalId === terminalId) this.codes.delete(k);
    const token = randomBytes(16).toString("base64url");
    this.codes.set(token, { terminalId, code, exp: now + PAY_CODE_TTL_MS });
    return token;
  }

  /** The idle reset: forget the codes scanned here. */
  endSession(terminalId: string): void {
    for (const [k, v] of this.codes) if (v.terminalId === terminalId) this.codes.delete(k);
  }

  private feeOf(matterId: string): number {
    const m = this.d.catalogue().matters.find((x) => x.id === matterId);
    return m ? feeFen(m.feeYuan) : 0;
  }

  /** What the visitor identified here owes (and what is paid or being paid). */
  async fees(terminalId: string, who: Identity): Promise<FeeList> {
    const cases = (await this.d.casesOf(terminalId, who)).filter((c) => !NO_FEE.has(c.status) && this.feeOf(c.matterId) > 0);
    const orders = await this.d.store.ofCases(cases.map((c) => c.caseNo));
    const fees: FeeDue[] = cases.map((c) => {
      const mine = orders.filter((o) => o.caseNo === c.caseNo);
      const paid = mine.find((o) => isCharged(o) || o.status === "refunded");
      const open = mine.find(isOpen);
      const o = paid ?? open;
      return {
        caseNo: c.caseNo,
        matterId: c.matterId,
        matterName: c.matterName,
        matterNameEn: c.matterNameEn,
        amountFen: this.feeOf(c.matterId),
        state: paid ? "paid" : open ? "paying" : "due",
        ...(o ? { orderId: o.orderId } : {}),
      };
    });
    return { fees };
  }

  /** Start paying a case's fee here; answers once the provider gave its first answer. */
  async start(terminalId: string, b: StartPaymentBody): Promise<PaymentOrderView> {
    const key = createHash("sha256").update(`${terminalId}\n${b.requestId}`).digest("base64url");
    const again = await this.d.store.byKey(key);
    if (again) {
      if (again.terminalId !== terminalId || again.caseNo !== b.caseNo)
        throw new HallError("VALIDATION_FAILED", "this requestId was used for another payment");
      return orderView(again);
    }
    const who: Identity = b.idToken
      ? { idToken: b.idToken }
      : b.scanToken
        ? { caseNo: b.caseNo, scanToken: b.scanToken }
        : (() => {
            throw new HallError("VALIDATION_FAILED", "idToken or scanToken is needed");
          })();
    const cases = await this.d.casesOf(terminalId, who);
    const c = cases.find((x) => x.caseNo === b.caseNo);
    if (!c) throw new HallError("NOT_CASE_OWNER", "the visitor identified here is not the applicant of this case");
    if (NO_FEE.has(c.status)) throw new HallError("NO_FEE_DUE", `case ${c.caseNo} is ${c.status}`);
    let authCode: string | undefined;
    if (b.method === "qr") {
      if (b.payToken) {
        const s = this.codes.get(b.payToken);
        if (!s || s.terminalId !== terminalId || s.exp < this.d.clock())
          throw new HallError("PAYMENT_CODE_EXPIRED", "scan the payment code again");
        authCode = s.code;
      } else authCode = b.authCode;
      if (!authCode || !PAY_CODE.test(authCode)) throw new HallError("VALIDATION_FAILED", "a payment code is 16 to 24 digits");
    }
    const provider = this.d.providers.forPayment(b.method, terminalId);
    if (!provider) throw new HallError("PAYMENT_METHOD_UNAVAILABLE", `no ${b.method} provider at ${terminalId}`);
    const codeHash = authCode ? this.hashCode(authCode) : undefined;
    const orderId = `PO${localDay(this.d.clock(), this.d.catalogue().hall.timeZone).replaceAll("-", "")}${randomBytes(6).toString("hex").toUpperCase()}`;
    // 1. The order, committed before the provider hears of it; then "paying", committed too.
    const created = await this.lock(`case:${b.caseNo}`, async () => {
      const state = await this.d.store.state(b.caseNo, codeHash);
      const d = decide(
        state,
        {
          type: "create",
          orderId,
          caseNo: b.caseNo,
          matterName: c.matterName,
          terminalId,
          method: b.method,
          provider: provider.name,
          amountFen: b.amountFen,
          feeFen: this.feeOf(c.matterId),
          ...(codeHash ? { codeHash } : {}),
          idempotencyKey: key,
        },
        this.d.clock(),
      );
      if ("error" in d) throw new HallError(d.error, d.message);
      try {
        await this.d.store.commit(state, d.state.orders, d.events);
      } catch (err) {
        // The same request raced itself (a double tap): the first one's order is the answer.
        const first = await this.d.store.byKey(key);
        if (first) return first;
        throw err;
      }
      return d.order;
    });
    if (created.orderId !== orderId) return orderView(created);
    const sending = await this.run(orderId, { type: "send", orderId });
    this.d.log(`payments: order ${orderId} (${b.caseNo}, ${b.amountFen} fen, ${provider.name}) sent`);
    // 2. The provider, with the order id and a key that stays the same for every retry.
    const req: PayRequest = {
      orderId,
      idempotencyKey: key,
      amountFen: sending.amountFen,
      method: b.method,
      ...(authCode ? { authCode } : {}),
      subject: `${c.matterName} ${c.caseNo}`,
    };
    if (b.method === "card") {
      // A card payment lasts as long as the visitor takes at the POS: the page follows it by
      // its prompts and `payment:order`, and may cancel it until a card is read.
      this.cardOrders.set(orderId, terminalId);
      void this.charge(provider, req, sending).catch((err: Error) => this.d.log(`payments: order ${orderId}: ${err.message}`));
      return orderView(sending);
    }
    return orderView(await this.charge(provider, req, sending));
  }

  /** Call `pay` and record its answer; an answer that never came is asked for, then polled. */
  private async charge(provider: PaymentProvider, req: PayRequest, sending: PayOrder): Promise<PayOrder> {
    const { orderId } = req;
    let answer: ProviderPayment | undefined;
    try {
      answer = await this.call(
        provider.pay(req),
        req.method === "card" ? (this.d.cardPayTimeoutMs ?? 120_000) : (this.d.callTimeoutMs ?? 15_000),
      );
    } catch (err) {
      // The outcome is unknown (a timeout, the network, the POS unplugged): ask before anything else.
      this.d.log(`payments: order ${orderId}: pay did not answer (${(err as Error).message}); querying`);
      answer = await this.call(provider.query(orderId)).catch(() => undefined);
      // Still nothing from the POS: the visitor is told, and polling (then recovery) finds the outcome.
      if (!answer) this.cardPrompt(sending.terminalId, orderId, "pos_offline");
    }
    const o = answer ? await this.run(orderId, { type: "answer", orderId, answer }) : sending;
    if (isOpen(o)) this.poll(orderId);
    return o;
  }

  /** The terminal's card POS asks the visitor for something: only for its own card order under way. */
  cardPrompt(terminalId: string, orderId: string, stage: CardPromptStage): void {
    if (this.cardOrders.get(orderId) !== terminalId) return;
    this.d.prompt?.({ terminalId, orderId, stage });
  }

  /**
   * The visitor pressed 取消 while the POS waits for the card: stop the sale (the POS says
   * whether it still could). A cancelled order fails as USER_CANCELLED, nothing charged.
   */
  async cancel(terminalId: string, orderId: string): Promise<CancelReply> {
    const o = await this.d.store.get(orderId);
    if (!o || o.terminalId !== terminalId) throw new HallError("UNKNOWN_ORDER", "no such order here");
    if (!isOpen(o)) return { cancelled: false, order: orderView(o) };
    const p = this.provider(o.provider);
    if (!p?.cancelPayment) throw new HallError("VALIDATION_FAILED", "this payment is cancelled on the phone, not here");
    const cancelled = await this.call(p.cancelPayment(orderId)).catch((err: Error) => {
      this.d.log(`payments: cancel of ${orderId}: ${err.message}`);
      return false;
    });
    this.d.log(`payments: order ${orderId}: cancel ${cancelled ? "accepted" : "too late"}`);
    // Stopped: the POS's answer (cancelled) is on its way; asking settles the order now.
    const after = cancelled ? await this.resolve(orderId).catch(() => undefined) : undefined;
    return { cancelled, order: orderView(after ?? (await this.d.store.get(orderId)) ?? o) };
  }

  /** Apply one command to one order, alone, and tell whoever cares. */
  private async run(orderId: string, cmd: PayCommand): Promise<PayOrder> {
    return this.lock(`order:${orderId}`, async () => {
      const o = await this.d.store.get(orderId);
      if (!o) throw new HallError("UNKNOWN_ORDER", `no order ${orderId}`);
      const state = { orders: new Map([[orderId, o]]) };
      const d = decide(state, cmd, this.d.clock());
      if ("error" in d) throw new HallError(d.error, d.message);
      await this.d.store.commit(state, d.state.orders, d.events);
      if (d.events.length > 0) this.changed(d.order, d.events);
      return d.order;
    });
  }

  private changed(o: PayOrder, events: readonly PayEvent[]): void {
    if (!isOpen(o)) this.cardOrders.delete(o.orderId);
    this.d.emit(o.terminalId, orderView(o));
    for (const e of events) {
      if (e.type === "paid") {
        this.d.log(`payments: order ${o.orderId} paid (${o.chargedFen} fen)`);
        void this.printReceipt(o.terminalId, o.orderId).catch((err: Error) =>
          this.d.log(`payments: receipt of ${o.orderId}: ${err.message}`),
        );
      }
      if (e.type === "failed") this.d.log(`payments: order ${o.orderId} failed (${e.failure})`);
    }
  }

  /** Ask the provider about an open order until it settles (the visitor confirming on the phone). */
  private poll(orderId: string): void {
    if (this.polling.has(orderId) || this.closed) return;
    this.polling.add(orderId);
    const started = this.d.clock();
    const tick = () => {
      const t = setTimeout(async () => {
        this.timers.delete(t);
        if (this.closed) return;
        const o = await this.resolve(orderId).catch(() => undefined);
        if (o && !isOpen(o)) {
          this.polling.delete(orderId);
          return;
        }
        if (this.d.clock() - started > POLL_GIVE_UP_MS) {
          this.polling.delete(orderId);
          this.d.log(`payments: order ${orderId} still open; recovery asks again on the next start`);
          return;
        }
        tick();
      }, this.d.pollMs ?? 1000);
      t.unref();
      this.timers.add(t);
    };
    tick();
  }

  /** Ask the order's provider where it stands, and record it. */
  async resolve(orderId: string): Promise<PayOrder | undefined> {
    const o = await this.d.store.get(orderId);
    if (!o) return undefined;
    const p = this.provider(o.provider);
    if (!p) return o;
    if (isOpen(o)) {
      const answer = await this.call(p.query(orderId));
      return this.run(orderId, { type: "answer", orderId, answer });
    }
    return o;
  }

  /** The provider's notification (支付结果通知): the truth is what `query` says, so ask. */
  notified(orderId: string): void {
    this.resolve(orderId).catch((err: Error) => this.d.log(`payments: notification of ${orderId}: ${err.message}`));
  }

  /**
   * On start: every order whose outcome was not recorded is resolved by its provider —
   * charged ones become paid, ones the provider never saw fail as not charged, refunds
   * under way are asked again (by the same refund id: never twice).
   */
  async recover(): Promise<{ resolved: number; open: number }> {
    const list = await this.d.store.unsettled();
    let resolved = 0;
    for (const o of list) {
      try {
        const p = this.provider(o.provider);
        if (!p) {
          this.d.log(`payments: order ${o.orderId}: provider ${o.provider} is not configured; left open`);
          continue;
        }
        if (isOpen(o)) {
          const after = await this.run(o.orderId, {
            type: "answer",
            orderId: o.orderId,
            answer: await this.call(p.query(o.orderId)),
          });
          if (isOpen(after)) this.poll(o.orderId);
          else resolved++;
        }
        for (const r of o.refunds.filter((x) => x.status === "pending")) {
          const answer = await this.call(
            p.refund({ orderId: o.orderId, refundId: r.refundId, amountFen: r.amountFen, reason: r.reason }),
          );
          await this.run(o.orderId, { type: "refund_answer", orderId: o.orderId, refundId: r.refundId, answer });
          resolved++;
        }
      } catch (err) {
        this.d.log(`payments: recovery of ${o.orderId}: ${(err as Error).message}`);
      }
    }
    const open = (await this.d.store.unsettled()).length;
    this.d.log(`payments: recovery resolved ${resolved} of ${list.length} unsettled orders${open ? `, ${open} still open` : ""}`);
    return { resolved, open };
  }

  /** An order as its terminal may see it. */
  async order(terminalId: string, orderId: string): Promise<PaymentOrderView> {
    const o = await this.d.store.get(orderId);
    if (!o || o.terminalId !== terminalId) throw new HallError("UNKNOWN_ORDER", "no such order here");
    return orderView(o);
  }

  async orderForStaff(orderId: string): Promise<PaymentOrderView> {
    const o = await this.d.store.get(orderId);
    if (!o) throw new HallError("UNKNOWN_ORDER", "no such order");
    return orderView(o);
  }

  /** Refund (part of) a paid order; a retry with the same requestId is the same refund. */
  async refund(
    orderId: string,
    b: { amountFen: number; reason: string; requestId: string },
    by: string,
  ): Promise<PaymentOrderView> {
    const refundId = `RF${createHash("sha256").update(`${orderId}\n${b.requestId}`).digest("hex").slice(0, 20).toUpperCase()}`;
    const o = await this.run(orderId, { type: "refund", orderId, refundId, amountFen: b.amountFen, reason: b.reason, by });
    const r = o.refunds.find((x) => x.refundId === refundId);
    if (r?.status !== "pending") return orderView(o);
    const p = this.provider(o.provider);
    if (!p) throw new HallError("PAYMENT_METHOD_UNAVAILABLE", `provider ${o.provider} is not configured`);
    // Committed as refund_pending first: a crash here is finished by recovery, same refund id.
    const answer = await this.call(p.refund({ orderId, refundId, amountFen: r.amountFen, reason: r.reason })).catch(
      (err: Error) => {
        this.d.log(`payments: refund ${refundId}: ${err.message}; recovery asks again`);
        return undefined;
      },
    );
    if (!answer) return orderView(o);
    this.d.log(`payments: refund ${refundId} of ${orderId} (${r.amountFen} fen): ${answer.status}`);
    return orderView(await this.run(orderId, { type: "refund_answer", orderId, refundId, answer }));
  }

  private dayBounds(day: string): [number, number] {
    const tz = this.d.catalogue().hall.timeZone;
    // The hall's day in its zone: find the first instant whose local day is `day` (zones move by whole minutes).
    const guess = Date.parse(`${day}T00:00:00Z`);
    let from = guess - 14 * 3600_000;
    while (localDay(from, tz) < day) from += 15 * 60_000;
    let to = from + 20 * 3600_000;
    while (localDay(to, tz) === day) to += 15 * 60_000;
    return [from, to];
  }

  async list(day: string): Promise<PaymentOrderView[]> {
    const [from, to] = this.dayBounds(day);
    return (await this.d.store.touched(from, to)).map(orderView);
  }

  /**
   * The day's reconciliation (对账) against every provider's statement: each pay and refund
   * line the hub recorded is matched with the provider's by order (and refund) id; whatever
   * is on one side only, or differs in amount, is listed.
   */
  async reconcile(day: string): Promise<Reconciliation> {
    const [from, to] = this.dayBounds(day);
    const orders = (await this.d.store.touched(from, to)).filter(
      (o) => o.paidAt !== undefined && o.paidAt >= from && o.paidAt < to,
    );
    const refunds = (await this.d.store.refundsSettled(from, to)).filter((r) => r.status === "success");
    const byId = new Map((await this.d.store.touched(from, to)).map((o) => [o.orderId, o]));
    type Line = { key: string; orderId: string; kind: "pay" | "refund"; refundId?: string; fen: number; provider: string };
    const hub = new Map<string, Line>();
    for (const o of orders)
      if (o.chargedFen !== undefined)
        hub.set(`pay:${o.orderId}`, {
          key: `pay:${o.orderId}`,
          orderId: o.orderId,
          kind: "pay",
          fen: o.chargedFen,
          provider: o.provider,
        });
    for (const r of refunds) {
      const o = byId.get(r.orderId) ?? (await this.d.store.get(r.orderId));
      hub.set(`refund:${r.refundId}`, {
        key: `refund:${r.refundId}`,
        orderId: r.orderId,
        kind: "refund",
        refundId: r.refundId,
        fen: r.amountFen,
        provider: o?.provider ?? "",
      });
    }
    const theirs = new Map<string, Line>();
    for (const p of this.d.providers.all()) {
      let lines: StatementLine[];
      try {
        lines = await this.call(p.statement(day));
      } catch (err) {
        throw new HallError("PAYMENT_METHOD_UNAVAILABLE", `the statement of ${p.name} is unavailable: ${(err as Error).message}`);
      }
      for (const l of lines) {
        const key = l.kind === "pay" ? `pay:${l.orderId}` : `refund:${l.refundId ?? l.orderId}`;
        theirs.set(key, {
          key,
          orderId: l.orderId,
          kind: l.kind,
          ...(l.refundId ? { refundId: l.refundId } : {}),
          fen: l.amountFen,
          provider: p.name,
        });
      }
    }
    const mismatches: Mismatch[] = [];
    let matched = 0;
    for (const h of hub.values()) {
      const t = theirs.get(h.key);
      const base = {
        orderId: h.orderId,
        lineKind: h.kind,
        ...(h.refundId ? { refundId: h.refundId } : {}),
        provider: h.provider,
      };
      if (!t) mismatches.push({ kind: "missing_at_provider", ...base, hubFen: h.fen });
      else if (t.fen !== h.fen) mismatches.push({ kind: "amount_differs", ...base, hubFen: h.fen, providerFen: t.fen });
      else matched++;
    }
    for (const t of theirs.values())
      if (!hub.has(t.key))
        mismatches.push({
          kind: "missing_at_hub",
          orderId: t.orderId,
          lineKind: t.kind,
          ...(t.refundId ? { refundId: t.refundId } : {}),
          providerFen: t.fen,
          provider: t.provider,
        });
    const sum = (m: Map<string, Line>) => [...m.values()].reduce((s, l) => s + (l.kind === "pay" ? l.fen : -l.fen), 0);
    return { day, matched, hubTotalFen: sum(hub), providerTotalFen: sum(theirs), mismatches };
  }

  private paidText(at: number): string {
    const parts = new Intl.DateTimeFormat("en-CA", {
      timeZone: this.d.catalogue().hall.timeZone,
      year: "numeric",
      month: "2-digit",
      day: "2-digit",
      hour: "2-digit",
      minute: "2-digit",
      hourCycle: "h23",
    }).formatToParts(at);
    const v = (t: string) => parts.find((p) => p.type === t)?.value ?? "";
    return `${v("year")}-${v("month")}-${v("day")} ${v("hour")}:${v("minute")}`;
  }

  /** Print (or print again) the receipt of a paid order on its terminal's receipt printer. */
  async printReceipt(terminalId: string, orderId: string, lang: "zh" | "en" = "zh"): Promise<{ print: PrintResult }> {
    const o = await this.d.store.get(orderId);
    if (!o || o.terminalId !== terminalId) throw new HallError("UNKNOWN_ORDER", "no such order here");
    if (!isCharged(o) && o.status !== "refunded") throw new HallError("ORDER_NOT_PAID", "only a paid order has a receipt");
    const cat = this.d.catalogue();
    const job: PaymentReceiptJob = {
      hallName: lang === "en" && cat.hall.nameEn ? cat.hall.nameEn : cat.hall.name,
      caseNo: o.caseNo,
      matterName: o.matterName,
      amountFen: o.chargedFen ?? o.amountFen,
      method: o.method,
      orderId: o.orderId,
      ...(o.providerTradeNo ? { providerTradeNo: o.providerTradeNo } : {}),
      paidText: this.paidText(o.paidAt ?? o.updatedAt),
      terminalId,
      lang,
    };
    const print = await this.d.printReceipt(terminalId, `pay-${orderId}`, (width) => encodePaymentReceipt(job, { width }));
    if (print.status === "printed") await this.run(orderId, { type: "receipt_printed", orderId });
    else this.d.log(`payments: receipt of ${orderId}: ${print.status === "failed" ? print.error : "no receipt printer"}`);
    return { print };
  }

  close(): void {
    this.closed = true;
    for (const t of this.timers) clearTimeout(t);
    this.timers.clear();
  }
}
