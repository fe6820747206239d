/**
 * The payment receipt (缴费凭证) a terminal prints when a fee is paid, as ESC/POS bytes for
 * its thermal receipt printer (58 or 80 mm): GB18030 text in Chinese mode, with the ticket
 * printer's building blocks. No personal data: the case number, the matter, the amount, the
 * order and the provider's trade number are what a visitor shows when asking about it.
 * Pure: the caller formats the time in the hall's zone.
 */
import { PrinterTypes, ThermalPrinter } from "node-thermal-printer";
import { CHINESE_MODE_ON, COLUMNS, INIT, type PaperWidth, encodeText, wrapText } from "../../../hardware/printer/protocol.ts";

export interface PaymentReceiptJob {
  hallName: string;
  caseNo: string;
  matterName: string;
  amountFen: number;
  method: "qr" | "card";
  orderId: string;
  providerTradeNo?: string;
  /** "2026-12-03 10:15", in the hall's time zone. */
  paidText: string;
  terminalId: string;
  lang: "zh" | "en";
}

/** "20.00": fen as yuan with two decimals, by integer arithmetic (never a float). */
export function yuanText(fen: number): string {
  const sign = fen < 0 ? "-" : "";
  const a = Math.abs(fen);
  return `${sign}${Math.floor(a / 100)}.${String(a % 100).padStart(2, "0")}`;
}

const LABELS = {
  zh: {
    title: "缴费凭证",
    caseNo: "办件编号：",
    matter: "事项：",
    amount: "金额：",
    method: { qr: "支付方式：付款码", card: "支付方式：银行卡" },
    order: "订单号：",
    trade: "交易号：",
    at: "时间：",
    terminal: "终端：",
    keep: "请妥善保管本凭证",
  },
  en: {
    title: "Payment receipt",
    caseNo: "Case no.: ",
    matter: "Matter: ",
    amount: "Amount: ",
    method: { qr: "Paid by: payment code", card: "Paid by: bank card" },
    order: "Order: ",
    trade: "Trade no.: ",
    at: "Time: ",
    terminal: "Terminal: ",
    keep: "Please keep this receipt",
  },
} as const;

export function encodePaymentReceipt(job: PaymentReceiptJob, opts: { width: PaperWidth }): Buffer {
  const cols = COLUMNS[opts.width];
  const l = LABELS[job.lang];
  const p = new ThermalPrinter({ type: PrinterTypes.EPSON, interface: "", width: cols });
  const lines = (text: string, columns = cols) => {
    for (const line of wrapText(text, columns)) {
      p.add(encodeText(line));
      p.newLine();
    }
  };
  const rule = () => lines("-".repeat(cols));
  p.add(INIT);
  p.add(CHINESE_MODE_ON);
  p.alignCenter();
  p.bold(true);
  p.setTextSize(1, 1);
  lines(job.hallName, Math.floor(cols / 2));
  lines(l.title, Math.floor(cols / 2));
  p.setTextSize(0, 0);
  p.bold(false);
  rule();
  p.alignLeft();
  lines(`${l.caseNo}${job.caseNo}`);
  lines(`${l.matter}${job.matterName}`);
  p.bold(true);
  lines(job.lang === "zh" ? `${l.amount}${yuanText(job.amountFen)} 元` : `${l.amount}CNY ${yuanText(job.amountFen)}`);
  p.bold(false);
  lines(l.method[job.method]);
  lines(`${l.order}${job.orderId}`);
  if (job.providerTradeNo) lines(`${l.trade}${job.providerTradeNo}`);
  lines(`${l.at}${job.paidText}`);
  lines(`${l.terminal}${job.terminalId}`);
  rule();
  p.alignCenter();
  lines(l.keep);
  p.cut();
  return Buffer.from(p.getBuffer());
}
