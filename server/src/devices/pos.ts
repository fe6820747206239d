import { type PosQueryResult, type PosSaleResult, PosTerminal, type PosTerminalOptions } from "../../../hardware/pos/driver.ts";
import { PosCode, type PosStage, isPosId } from "../../../hardware/pos/protocol.ts";
import { type PosSimJournal, PosSimulator } from "../../../hardware/pos/simulator.ts";
import type { CardPromptStage } from "../contract/payment-orders.ts";
import type {
  PayFailure,
  PaymentProvider,
  PayRequest,
  ProviderPayment,
  ProviderRefund,
  RefundRequest,
  StatementLine,
} from "../contract/payments.ts";
import { HallError } from "../hall/errors.ts";
import type { DeviceModule } from "./lifecycle.ts";

/**
 * A self-service terminal's bank-card POS (银行卡 POS) on a serial port, speaking the line
 * protocol of hardware/pos/ (docs/devices.md). It serves one terminal
 * (`assignment: { kind: "terminal", terminalId }`) and is that terminal's payment provider
 * for `method: "card"` (`DeviceManager.posProvider(terminalId)`). Health: `online` while the
 * POS answers its STATUS probe, `offline` when the cable is out (the port reopens by itself),
 * `error` TIMEOUT / BAD_FRAME when the port is there but the POS does not answer sensibly.
 *
 * Options (all optional): `ackTimeoutMs` (500), `answerTimeoutMs` (3000), `saleTimeoutMs`
 * (silence allowed during a sale, 90000), `pollMs` (5000), `utcOffsetMinutes` (480); for a
 * simulated POS `simStageMs` (each of card, read, PIN, bank; 600) and `simManualCard`.
 *
 * A simulated POS keeps its journal in the data folder (`pos-sim-<deviceId>.json`, written
 * durably before each answer, through `hooks.simFile`): a real POS outlives the hub, so a
 * hub killed mid-payment finds, on restart, what the POS did meanwhile.
 */
export const posModule: DeviceModule = {
  create(ctx) {
    const { cfg } = ctx;
    const terminalId = ctx.terminalId;
    if (terminalId === undefined) throw new Error("a POS serves a self-service terminal");
    const num = (key: string): number | undefined => {
      const v = cfg.options?.[key];
      return v === undefined ? undefined : Number(v);
    };
    const { link, plug } = ctx.link();
    const kept = plug ? ctx.hooks.simFile?.(`pos-sim-${cfg.id}.json`) : undefined;
    const restore = kept ? readJournal(kept.read(), (line) => ctx.hooks.log(`pos ${cfg.id}: ${line}`)) : undefined;
    const sim = plug
      ? new PosSimulator(plug.device, {
          stageMs: num("simStageMs") ?? 600,
          manualCard: cfg.options?.simManualCard === true,
          terminalNo: "10000001",
          ...(restore ? { restore } : {}),
          ...(kept ? { persist: (j: PosSimJournal) => kept.write(JSON.stringify(j)) } : {}),
        })
      : undefined;
    const opts: PosTerminalOptions = {};
    const ack = num("ackTimeoutMs");
    const answer = num("answerTimeoutMs");
    const idle = num("saleTimeoutMs");
    const poll = num("pollMs");
    const offset = num("utcOffsetMinutes");
    if (ack !== undefined) opts.ackTimeoutMs = ack;
    if (answer !== undefined) opts.answerTimeoutMs = answer;
    if (idle !== undefined) opts.saleIdleTimeoutMs = idle;
    if (poll !== undefined) opts.pollMs = poll;
    if (offset !== undefined) opts.utcOffsetMinutes = offset;
    const pos = new PosTerminal(link, opts);
    pos.on("status", (s) => ctx.report(s));
    pos.on("prompt", (p) => ctx.hooks.terminalPosPrompt?.(terminalId, p.orderId, p.stage));
    ctx.onClose(() => link.close());
    ctx.onClose(() => plug?.device.close());
    ctx.onClose(() => sim?.detach());
    ctx.onClose(() => pos.stop());
    return {
      sims: { posSim: sim },
      payments: posPaymentProvider(`pos:${cfg.id}`, pos),
      async start() {
        if (plug) await plug.device.open();
        await link.open();
        await pos.start();
        ctx.report(pos.status);
      },
    };
  },
};

function readJournal(text: string | undefined, log: (line: string) => void): PosSimJournal | undefined {
  if (text === undefined) return undefined;
  try {
    const j = JSON.parse(text) as PosSimJournal;
    if (Array.isArray(j.sales) && Array.isArray(j.charges)) return j;
  } catch {
    // Written by rename, so never half a file; anything else is not ours to guess at.
  }
  log("simulated journal unreadable; starting an empty one");
  return undefined;
}

/** What the POS asks of the visitor, in the contract's words (the screen's prompts). */
export function cardPromptStage(stage: PosStage): CardPromptStage {
  switch (stage) {
    case "WAIT_CARD":
      return "insert_card";
    case "READ_CARD":
      return "reading_card";
    case "WAIT_PIN":
      return "enter_pin";
    case "ONLINE":
      return "processing";
    default: {
      const never: never = stage;
      return never;
    }
  }
}

/** Why a POS response code refused a payment, in the contract's words. */
function failureOf(code: string): PayFailure {
  switch (code) {
    case PosCode.INSUFFICIENT_FUNDS:
      return "INSUFFICIENT_FUNDS";
    case PosCode.CARD_REMOVED:
      return "CARD_REMOVED";
    case PosCode.CANCELLED:
    case PosCode.CARD_TIMEOUT:
      return "USER_CANCELLED";
    default:
      return "DECLINED";
  }
}

function paymentOf(r: PosSaleResult | PosQueryResult): ProviderPayment {
  const approved = "approved" in r ? r.approved : r.state === "approved";
  if (!approved) return { status: "failed", failure: failureOf(r.code) };
  return {
    status: "success",
    providerTradeNo: r.refNo,
    amountFen: r.amountFen,
    ...("refundedFen" in r ? { refundedFen: r.refundedFen } : {}),
    ...(r.at !== undefined ? { paidAt: r.at } : {}),
  };
}

function checkId(what: string, id: string): void {
  if (!isPosId(id)) throw new HallError("VALIDATION_FAILED", `${what} must be 1–64 printable ASCII characters for the POS`);
}

function checkFen(amountFen: number): void {
  if (!Number.isSafeInteger(amountFen) || amountFen <= 0)
    throw new HallError("VALIDATION_FAILED", "amountFen must be a positive integer");
}

/**
 * The POS as a {@link PaymentProvider}: pay → SALE (waits for card, PIN and bank), query →
 * QUERY, refund → REFUND, statement → every page of BATCH. The order id is the POS's order
 * number and the idempotency key its "attempt": a repeated pay of an order is answered with
 * that order's outcome, never charged again. A rejection (OFFLINE, TIMEOUT, BAD_FRAME, or the
 * POS refusing BUSY / MISMATCH) leaves the outcome to `query`.
 */
export function posPaymentProvider(name: string, pos: PosTerminal): PaymentProvider {
  return {
    name,
    async pay(req: PayRequest): Promise<ProviderPayment> {
      if (req.method !== "card") throw new HallError("VALIDATION_FAILED", "the POS takes bank cards only");
      checkFen(req.amountFen);
      checkId("orderId", req.orderId);
      checkId("idempotencyKey", req.idempotencyKey);
      return paymentOf(await pos.sale(req.orderId, req.amountFen, req.idempotencyKey));
    },
    async cancelPayment(orderId: string): Promise<boolean> {
      checkId("orderId", orderId);
      return pos.cancel(orderId);
    },
    async query(orderId: string): Promise<ProviderPayment> {
      checkId("orderId", orderId);
      const r = await pos.query(orderId);
      if (r.state === "not_found") return { status: "not_found" };
      if (r.state === "in_progress") return { status: "pending" };
      return paymentOf(r);
    },
    async refund(req: RefundRequest): Promise<ProviderRefund> {
      checkFen(req.amountFen);
      checkId("orderId", req.orderId);
      checkId("refundId", req.refundId);
      // The reason stays with the hub: the POS line carries ASCII only and prints no reason.
      const r = await pos.refund(req.orderId, req.refundId, req.amountFen);
      return r.ok ? { status: "success", providerRefundNo: r.refundRefNo } : { status: "failed" };
    },
    async statement(day: string): Promise<StatementLine[]> {
      if (!/^\d{4}-\d{2}-\d{2}$/.test(day)) throw new HallError("VALIDATION_FAILED", "day must be YYYY-MM-DD");
      const lines = await pos.batch(day);
      return lines.map((l) => ({
        orderId: l.orderId,
        // Refund lines carry the sale's reference number too, so both match the order.
        providerTradeNo: l.refNo,
        kind: l.kind === "sale" ? "pay" : "refund",
        amountFen: l.amountFen,
        at: l.at,
        ...(l.refundId ? { refundId: l.refundId } : {}),
      }));
    },
  };
}
