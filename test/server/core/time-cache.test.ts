import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { localHour, localParts } from "../../../server/src/core/time.ts";

/** Straight from Intl, no cache: the reference the fast path must agree with. */
function reference(now: number, timeZone: string) {
  const f = new Intl.DateTimeFormat("en-CA", {
    timeZone,
    year: "numeric",
    month: "2-digit",
    day: "2-digit",
    hour: "2-digit",
    minute: "2-digit",
    hourCycle: "h23",
  });
  const p = Object.fromEntries(f.formatToParts(now).map((x) => [x.type, x.value]));
  return { day: `${p.year}-${p.month}-${p.day}`, hour: Number(p.hour), minute: Number(p.minute) };
}

describe("core/time localParts (cached zone offset)", () => {
  it("agrees with Intl for any instant in zones with and without daylight saving and odd offsets", () => {
    const zones = ["Asia/Shanghai", "Europe/Berlin", "America/New_York", "Asia/Kolkata", "Asia/Kathmandu", "Australia/Lord_Howe"];
    fc.assert(
      fc.property(fc.integer({ min: Date.UTC(2020, 0, 1), max: Date.UTC(2035, 0, 1) }), fc.constantFrom(...zones), (now, tz) => {
        expect(localParts(now, tz)).toEqual(reference(now, tz));
      }),
      { numRuns: 3000 },
    );
  });

  it("is right across a daylight-saving change, minute by minute", () => {
    // Europe/Berlin springs forward at 01:00 UTC on 2026-03-29.
    const start = Date.UTC(2026, 2, 29, 0, 0);
    for (let m = 0; m < 180; m++) {
      const now = start + m * 60_000 + 30_000;
      expect(localParts(now, "Europe/Berlin")).toEqual(reference(now, "Europe/Berlin"));
    }
  });
});

describe("core/time localHour", () => {
  it("equals the hour of localParts for any instant", () => {
    fc.assert(
      fc.property(
        fc.integer({ min: Date.UTC(2020, 0, 1), max: Date.UTC(2035, 0, 1) }),
        fc.constantFrom("Asia/Shanghai", "America/New_York", "Asia/Kathmandu"),
        (now, tz) => {
          expect(localHour(now, tz)).toBe(localParts(now, tz).hour);
        },
      ),
      { numRuns: 2000 },
    );
  });
});
