/** The terminal page's pure parts (tested in test/terminal-ui/logic.test.ts). */

/** Back to the start, everything personal forgotten, after this long without a touch. */
export const IDLE_MS = 60_000;

export type Section = "query" | "print" | "hall" | "guides";

/**
 * The start screen's sections, in order. A later section (缴费 payment) is one more entry
 * here, its screen one more branch of the page's switch.
 */
export const SECTIONS: readonly { id: Section; title: "query" | "print" | "hall" | "guides"; hint: `${Section}Hint` }[] = [
  { id: "query", title: "query", hint: "queryHint" },
  { id: "print", title: "print", hint: "printHint" },
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
