/** The terminal page's pure parts (tested in test/terminal-ui/logic.test.ts). */
import type { OrderStatus } from "../server/src/contract/payment-orders.ts";

/** Back to the start, everything personal forgotten, after this long without a touch. */
export const IDLE_MS = 60_000;

/**
 * Dispatched on window when the visitor acts at the terminal's own devices (the card POS asks
 * for the PIN): they are busy there, not gone, so the idle reset starts again.
 */
export const ACTIVITY_EVENT = "terminal-activity";

/**
 * An order still under way: the visitor is confirming on their phone or at the POS. Its
 * screen must not be reset for being idle (the page polls it every 2 s and counts each poll
 * of an open order as activity); it ends paid or failed within the provider's own timeout,
 * and the idle reset runs from then.
 */
export function orderOpen(status: OrderStatus): boolean {
  return status === "created" || status === "paying" || status === "pending";
}

export type Section = "query" | "print" | "pay" | "hall" | "guides";

/**
 * The start screen's sections, in order. A later section (缴费 payment) is one more entry
 * here, its screen one more branch of the page's switch.
 */
export const SECTIONS: readonly { id: Section; title: Section; hint: `${Section}Hint` }[] = [
  { id: "query", title: "query", hint: "queryHint" },
  { id: "print", title: "print", hint: "printHint" },
  { id: "pay", title: "pay", hint: "payHint" },
  { id: "hall", title: "hall", hint: "hallHint" },
  { id: "guides", title: "guides", hint: "guidesHint" },
];

/** 371426-20261203-00001, as the hub numbers cases. */
export const CASE_NO = /^\d{6}-\d{8}-\d{5,7}$/;

/** One key of the on-screen keypad applied to a field (⌫ deletes), capped at `max` characters. */
export function keypadInput(value: string, key: string, max: number): string {
  if (key === "⌫") return value.slice(0, -1);
  if (value.length >= max) return value;
  return value + key;
}

/** "20.00": fen as yuan with two decimals, by integer arithmetic (the hub's amounts are fen). */
export function yuan(fen: number): string {
  return `${Math.floor(fen / 100)}.${String(fen % 100).padStart(2, "0")}`;
}

/** A fresh id for one payment attempt: a retry of the same POST returns the same order. */
export function newRequestId(): string {
  const a = new Uint8Array(12);
  crypto.getRandomValues(a);
  return `pay-${Array.from(a, (b) => b.toString(16).padStart(2, "0")).join("")}`;
}
