import { describe, expect, it } from "vitest";
import {
  DEFAULT_STYLE,
  decodeDisplayRegisters,
  decodeStyle,
  encodeDisplayText,
  encodeStyle,
  fitDisplayText,
  MAX_TEXT_BYTES,
  windowDisplay,
} from "../../../hardware/led/protocol.ts";

describe("hardware/led/protocol encodeDisplayText", () => {
  it("packs ASCII two bytes per register, big-endian, after style and length", () => {
    // "A001" = 41 30 30 31
    expect(encodeDisplayText("A001")).toEqual([0x0000, 4, 0x4130, 0x3031]);
  });

  it("pads an odd last byte with 0x00", () => {
    // "A01" = 41 30 31
    expect(encodeDisplayText("A01")).toEqual([0x0000, 3, 0x4130, 0x3100]);
  });

  it("encodes hanzi as GB18030 (GB2312) double bytes", () => {
    // 请 C7EB, 到 B5BD, 3 33, 号 BAC5, 窗 B4B0, 口 BFDA
    expect(encodeDisplayText("请到3号窗口")).toEqual([0x0000, 11, 0xc7eb, 0xb5bd, 0x33ba, 0xc5b4, 0xb0bf, 0xda00]);
  });

  it("encodes the style flags in register 0", () => {
    expect(encodeStyle({ colour: "red", blink: false, scroll: false })).toBe(0x0000);
    expect(encodeStyle({ colour: "green", blink: false, scroll: false })).toBe(0x0001);
    expect(encodeStyle({ colour: "amber", blink: true, scroll: true })).toBe(0x0302);
    expect(encodeDisplayText("A", { colour: "green", blink: true, scroll: false })).toEqual([0x0101, 1, 0x4100]);
    expect(decodeStyle(0x0302)).toEqual({ colour: "amber", blink: true, scroll: true });
  });

  it("refuses a text longer than the display memory", () => {
    expect(() => encodeDisplayText("字".repeat(MAX_TEXT_BYTES / 2 + 1))).toThrow(RangeError);
    expect(encodeDisplayText("字".repeat(MAX_TEXT_BYTES / 2))).toHaveLength(2 + MAX_TEXT_BYTES / 2);
  });

  it("fitDisplayText cuts on whole characters", () => {
    const fitted = fitDisplayText(`A${"字".repeat(40)}`);
    // 1 + 2*31 = 63 bytes; one more hanzi would make 65.
    expect(fitted).toBe(`A${"字".repeat(31)}`);
  });
});

describe("hardware/led/protocol decodeDisplayRegisters", () => {
  it("round-trips mixed text", () => {
    for (const text of ["", "A001 请到3号窗口", "3号窗口 欢迎您", "暂停服务", "B120 to counter 12", "𠀀"]) {
      expect(decodeDisplayRegisters(encodeDisplayText(text, DEFAULT_STYLE))).toBe(text);
    }
  });

  it("rejects a length register that overruns the registers", () => {
    expect(() => decodeDisplayRegisters([0, 5, 0x4130])).toThrow(RangeError);
  });
});

describe("hardware/led/protocol windowDisplay", () => {
  it("makes the calling, idle and paused texts", () => {
    expect(windowDisplay({ counterNumber: 3, ticketNumber: "A001", state: "calling", lang: "zh" })).toEqual({
      text: "A001 请到3号窗口",
      style: { colour: "red", blink: true, scroll: false },
    });
    expect(windowDisplay({ counterNumber: 3, state: "idle", lang: "zh" }).text).toBe("3号窗口 欢迎您");
    expect(windowDisplay({ counterNumber: 12, state: "paused", lang: "zh" }).text).toBe("暂停服务");
    expect(windowDisplay({ counterNumber: 12, ticketNumber: "B120", state: "calling", lang: "en" }).text).toBe(
      "B120 to counter 12",
    );
    expect(windowDisplay({ counterNumber: 12, state: "idle", lang: "en" }).style.colour).toBe("green");
  });
});
