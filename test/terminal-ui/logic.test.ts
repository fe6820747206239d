import { describe, expect, it } from "vitest";
import { CASE_NO as HUB_CASE_NO } from "../../server/src/cases/service.ts";
import { CASE_NO, IDLE_MS, keypadInput, orderOpen, SECTIONS } from "../../terminal-ui/logic.ts";
import { T } from "../../terminal-ui/messages.ts";

describe("terminal-ui logic", () => {
  it("keeps the screen of an order still under way (the visitor confirms on the phone) from the idle reset", () => {
    for (const s of ["created", "paying", "pending"] as const) expect(orderOpen(s)).toBe(true);
    for (const s of ["paid", "failed", "refund_pending", "refunded"] as const) expect(orderOpen(s)).toBe(false);
  });
  it("types on the keypad, deletes with ⌫, and stops at the field's length", () => {
    expect(keypadInput("37", "1", 21)).toBe("371");
    expect(keypadInput("371", "⌫", 21)).toBe("37");
    expect(keypadInput("", "⌫", 4)).toBe("");
    expect(keypadInput("1234", "5", 4)).toBe("1234");
  });

  it("checks case numbers as the hub does", () => {
    for (const s of ["371426-20261203-00001", "371426-20261203-1234567", "371426-2026120-00001", "x", ""])
      expect(CASE_NO.test(s), s).toBe(HUB_CASE_NO.test(s));
  });

  it("resets after 60 s and names every section in both languages", () => {
    expect(IDLE_MS).toBe(60_000);
    expect(SECTIONS.map((s) => s.id)).toEqual(["query", "print", "pay", "hall", "guides"]);
    for (const s of SECTIONS) {
      expect(T[s.title].zh).toBeTruthy();
      expect(T[s.hint].en).toBeTruthy();
    }
  });
});
