/**
 * Payment orders (缴费, issue 12): what the terminal page and staff pages see of the hub's
 * payment service (server/src/payments/). The provider interface itself is contract/payments.ts.
 * Amounts are integers in fen. Docs: docs/api.md "Payments".
 *
 * Terminal (device token of the page paired as terminal :id):
 *   GET  /api/terminals/:id/fees?idToken=… | ?caseNo=…&scanToken=…   → FeeList
 *   POST /api/terminals/:id/payments     StartPaymentBody → PaymentOrderView (202 while pending)
 *   GET  /api/terminals/:id/payments/:orderId                          → PaymentOrderView
 *   POST /api/terminals/:id/payments/:orderId/receipt                  → { print: PrintResult }
 *   POST /api/terminals/:id/payments/:orderId/cancel                   → CancelReply (card, before the card is read)
 * Staff (supervisor, admin):
 *   GET  /api/payments?day=YYYY-MM-DD                                  → PaymentOrderView[]
 *   POST /api/payments/:orderId/refunds  RefundBody                    → PaymentOrderView
 *   GET  /api/payments/reconciliation?day=YYYY-MM-DD                   → Reconciliation
 * Socket.IO: the terminal's screen room gets `payment:order` (PaymentOrderView) on each change,
 * and `payment:prompt` (PaymentPrompt) while its card POS asks the visitor for something.
 */
import type { PayFailure, PayMethod } from "./payments.ts";

export type OrderStatus = "created" | "paying" | "pending" | "paid" | "failed" | "refund_pending" | "refunded";

/** Why an order failed: the provider's reason, or the hub's own "the provider never saw it". */
export type OrderFailure = PayFailure | "NOT_CHARGED";

export interface FeeDue {
  caseNo: string;
  matterId: string;
  matterName: string;
  matterNameEn: string;
  /** The matter's fee in fen. */
  amountFen: number;
  /** "due" (nothing paid), "paying" (an order is open), "paid". */
  state: "due" | "paying" | "paid";
  /** The open or paid order, when there is one. */
  orderId?: string;
}

export interface FeeList {
  fees: FeeDue[];
}

export interface StartPaymentBody {
  caseNo: string;
  /** Must equal the case's fee (a page showing a stale fee is refused, not charged). */
  amountFen: number;
  method: PayMethod;
  /** How the visitor identified here: the card read (idToken) or the receipt scanned (scanToken). */
  idToken?: string;
  scanToken?: string;
  /** The payment code as the terminal's scanner delivered it (a `pay_code` input's token) … */
  payToken?: string;
  /** … or the code itself (a terminal whose scanner types into the page). Never logged or stored. */
  authCode?: string;
  /** Chosen by the page once per attempt: a retry of the same POST returns the same order. */
  requestId: string;
}

export interface RefundView {
  refundId: string;
  amountFen: number;
  status: "pending" | "success" | "failed";
  reason: string;
  by: string;
  at: number;
}

export interface PaymentOrderView {
  orderId: string;
  caseNo: string;
  terminalId: string;
  method: PayMethod;
  provider: string;
  amountFen: number;
  status: OrderStatus;
  failure?: OrderFailure;
  providerTradeNo?: string;
  paidAt?: number;
  refundedFen: number;
  refunds: RefundView[];
  createdAt: number;
  updatedAt: number;
  /** Whether the receipt was printed. */
  receiptPrinted: boolean;
}

/**
 * What the terminal's bank-card POS asks of the visitor now, in order: insert or tap the card,
 * the card being read, the PIN, the bank deciding. `pos_offline`: the POS stopped answering
 * mid-payment (unplugged, switched off): the outcome is unknown until it answers again; the
 * hub asks it then (never charging twice) and the order says how it ended.
 */
export type CardPromptStage = "insert_card" | "reading_card" | "enter_pin" | "processing" | "pos_offline";

export interface PaymentPrompt {
  terminalId: string;
  orderId: string;
  stage: CardPromptStage;
}

/** `cancelled: false`: too late (the card is being read): the order ends as the bank decides. */
export interface CancelReply {
  cancelled: boolean;
  order: PaymentOrderView;
}

export interface RefundBody {
  amountFen: number;
  reason: string;
  /** The staff page's key for this refund: a retry returns the same refund. */
  requestId: string;
}

export type MismatchKind = "missing_at_provider" | "missing_at_hub" | "amount_differs" | "status_differs";

export interface Mismatch {
  kind: MismatchKind;
  orderId: string;
  lineKind: "pay" | "refund";
  refundId?: string;
  hubFen?: number;
  providerFen?: number;
  provider: string;
}

export interface Reconciliation {
  day: string;
  /** Lines and orders that agree. */
  matched: number;
  hubTotalFen: number;
  providerTotalFen: number;
  mismatches: Mismatch[];
}
