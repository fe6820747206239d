/**
 * Payments (issue 12, 自助缴费): the one interface every payment provider is reached through.
 *
 * Two kinds of provider stand behind it: the payment-code acquirer (付款码, the visitor's phone
 * shows a code the terminal's scanner reads) and the bank-card POS on the terminal's serial port
 * (its driver speaks to the card terminal, which speaks to the bank). The hub's payment service
 * does not know which it holds: it writes the order first, then calls `pay`, and resolves any
 * order left open (a crash, a timeout) with `query`. Every amount is an integer in fen (分),
 * never a float of yuan.
 */

/** How the visitor pays: a payment code shown on the phone, or a bank card at the POS. */
export type PayMethod = "qr" | "card";

/** Why a provider refused a payment (the visitor sees a sentence for each). */
export type PayFailure =
  | "INSUFFICIENT_FUNDS"
  /** The payment code is expired, used or unreadable. */
  | "CODE_INVALID"
  /** The visitor cancelled on the phone or at the POS, or did not confirm in time. */
  | "USER_CANCELLED"
  /** The bank or the card refused (wrong PIN, blocked card …). */
  | "DECLINED"
  /** The bank card was pulled out (or the tap lost) before the POS finished. */
  | "CARD_REMOVED";

export interface PayRequest {
  /** The hub's order id: the provider's "out trade no"; one order is charged at most once. */
  orderId: string;
  /** Sent with every retry of the same payment; the provider answers a retry with the first outcome. */
  idempotencyKey: string;
  /** Integer fen, > 0. */
  amountFen: number;
  method: PayMethod;
  /** The payment code (付款码) read from the phone; payment-code payments only. Never logged. */
  authCode?: string;
  /** What the payment is for, as printed on the visitor's bill (matter name, case number). */
  subject: string;
}

/**
 * The provider's answer to `pay` or `query`. `pending`: the visitor must still confirm on the
 * phone (or enter the PIN): ask again with `query`. `not_found` (query only): the provider
 * never saw this order, so it was not charged and may be paid afresh with the same key.
 */
export interface ProviderPayment {
  status: "pending" | "success" | "failed" | "not_found";
  /** The provider's own transaction number, once it has one. */
  providerTradeNo?: string;
  /** What was charged (success), in fen. */
  amountFen?: number;
  /** Refunded so far, in fen. */
  refundedFen?: number;
  failure?: PayFailure;
  /** Epoch ms of the charge (success). */
  paidAt?: number;
}

export interface RefundRequest {
  orderId: string;
  /** The hub's refund id, also the idempotency key of the refund. */
  refundId: string;
  /** Integer fen, > 0, no more than what is left of the payment. */
  amountFen: number;
  reason: string;
}

export interface ProviderRefund {
  status: "pending" | "success" | "failed";
  providerRefundNo?: string;
}

/** One line of a provider's daily statement (对账单), for the day's reconciliation. */
export interface StatementLine {
  orderId: string;
  providerTradeNo: string;
  kind: "pay" | "refund";
  /** Integer fen, positive for both kinds. */
  amountFen: number;
  /** Epoch ms. */
  at: number;
  /** The refund's id, for refund lines. */
  refundId?: string;
}

/**
 * A payment provider. Any method may reject (network down, timeout, the POS unplugged): the
 * caller then knows nothing about the outcome and must `query` before it pays again.
 */
export interface PaymentProvider {
  /** A short stable name recorded on each order ("sim-qr", "pos:pos-t1" …). */
  readonly name: string;
  pay(req: PayRequest): Promise<ProviderPayment>;
  query(orderId: string): Promise<ProviderPayment>;
  refund(req: RefundRequest): Promise<ProviderRefund>;
  /** The statement of one hall day (YYYY-MM-DD, Asia/Shanghai). */
  statement(day: string): Promise<StatementLine[]>;
  /**
   * Stop a payment the visitor has not gone through yet (a card POS before any card is read).
   * True: stopped, the payment's outcome will be a USER_CANCELLED failure; false: too late.
   * Absent: the provider cannot be stopped from the hub (the visitor cancels on the phone).
   */
  cancelPayment?(orderId: string): Promise<boolean>;
}

/**
 * Where the payment service finds its providers: the payment-code provider is the hall's;
 * the card provider is the POS of the terminal the visitor stands at (absent when that
 * terminal has no POS configured).
 */
export interface PaymentProviders {
  forPayment(method: PayMethod, terminalId: string): PaymentProvider | undefined;
  /** Every provider, for recovery on restart and for the daily reconciliation (by `name`). */
  all(): PaymentProvider[];
}
