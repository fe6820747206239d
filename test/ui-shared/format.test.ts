import { describe, expect, it } from "vitest";
import {
  formatClock,
  formatClockSeconds,
  formatDate,
  formatDuration,
  formatHours,
  formatWait,
  isWithinHours,
  localDay,
  localMinutes,
  WAIT_CAP_MIN,
  waitMinutes,
} from "../../ui-shared/format.ts";

// 2024-05-06T01:30:00Z = 09:30 in Shanghai (UTC+8, no DST).
const MORNING = Date.UTC(2024, 4, 6, 1, 30, 0);
// 2024-05-06T16:10:00Z = 00:10 on the 7th in Shanghai, still the 6th in UTC.
const AFTER_MIDNIGHT = Date.UTC(2024, 4, 6, 16, 10, 5);

describe("ui-shared/format in the hall time zone", () => {
  it("formats the clock in Asia/Shanghai whatever the process zone", () => {
    expect(formatClock(MORNING, "Asia/Shanghai")).toBe("09:30");
    expect(formatClock(MORNING, "UTC")).toBe("01:30");
    expect(formatClockSeconds(AFTER_MIDNIGHT, "Asia/Shanghai")).toBe("00:10:05");
  });

  it("gives the local day across UTC midnight", () => {
    expect(localDay(AFTER_MIDNIGHT, "Asia/Shanghai")).toBe("2024-05-07");
    expect(localDay(AFTER_MIDNIGHT, "UTC")).toBe("2024-05-06");
    expect(localMinutes(AFTER_MIDNIGHT, "Asia/Shanghai")).toBe(10);
  });

  it("writes the date in Chinese and English", () => {
    expect(formatDate(MORNING, "zh", "Asia/Shanghai")).toContain("2024年5月6日");
    expect(formatDate(MORNING, "zh", "Asia/Shanghai")).toContain("星期一");
    expect(formatDate(MORNING, "en", "Asia/Shanghai")).toContain("May 6");
  });

  it("says 'any moment' under a minute and rounds up to 5 minutes below the hour", () => {
    expect(formatWait(0, "zh")).toBe("即将叫号");
    expect(formatWait(30, "en")).toBe("any moment");
    expect(formatWait(Number.NaN, "zh")).toBe("即将叫号");
    expect(formatWait(61, "zh")).toBe("约 5 分钟");
    expect(formatWait(300, "zh")).toBe("约 5 分钟");
    expect(formatWait(301, "zh")).toBe("约 10 分钟");
    expect(formatWait(600, "en")).toBe("about 10 min");
    expect(formatWait(56 * 60, "zh")).toBe("约 1 小时");
    expect(formatWait(3600, "en")).toBe("about 1 hour");
  });

  it("rounds to 10 minutes from one to two hours, and caps beyond two hours", () => {
    expect(formatWait(64 * 60, "zh")).toBe("约 1 小时");
    expect(formatWait(65 * 60, "zh")).toBe("约 1 小时 10 分");
    expect(formatWait(80 * 60, "zh")).toBe("约 1 小时 20 分");
    expect(formatWait(90 * 60, "en")).toBe("about 1 h 30 min");
    expect(formatWait(120 * 60, "zh")).toBe("约 2 小时");
    expect(formatWait(120 * 60, "en")).toBe("about 2 hours");
    expect(formatWait(121 * 60, "zh")).toBe("超过 2 小时");
    expect(formatWait(9 * 3600, "en")).toBe("over 2 hours");
    // The printer's figure is the same rounding.
    expect([30, 61, 301, 65 * 60, 5 * 3600].map(waitMinutes)).toEqual([0, 5, 10, 70, WAIT_CAP_MIN]);
  });

  it("formats staff durations as m:ss and h:mm:ss", () => {
    expect(formatDuration(65)).toBe("1:05");
    expect(formatDuration(3725)).toBe("1:02:05");
    expect(formatDuration(-3)).toBe("0:00");
  });

  it("checks issuing windows in hall time, the end minute included (as the hub does)", () => {
    const hours = [
      { from: "08:30", to: "12:00" },
      { from: "13:30", to: "17:00" },
    ];
    expect(isWithinHours(hours, MORNING, "Asia/Shanghai")).toBe(true); // 09:30
    expect(isWithinHours(hours, MORNING, "UTC")).toBe(false); // 01:30
    expect(isWithinHours(hours, Date.UTC(2024, 4, 6, 4, 0), "Asia/Shanghai")).toBe(true); // 12:00
    expect(isWithinHours(hours, Date.UTC(2024, 4, 6, 4, 1), "Asia/Shanghai")).toBe(false); // 12:01
    expect(isWithinHours([{ from: "00:00", to: "23:59" }], Date.UTC(2024, 4, 6, 15, 59, 30), "Asia/Shanghai")).toBe(true); // 23:59:30
    expect(isWithinHours(hours, Date.UTC(2024, 4, 6, 5, 30), "Asia/Shanghai")).toBe(true); // 13:30
    expect(isWithinHours([], AFTER_MIDNIGHT, "Asia/Shanghai")).toBe(true);
    expect(formatHours(hours)).toBe("08:30–12:00, 13:30–17:00");
  });
});
