import { describe, expect, it } from "vitest";
import { ageOnDay, greenByAge } from "../../../server/src/hall/green-channel.ts";

describe("hall/green channel by age", () => {
  it("reads the birth date from digits 7–14 of an 18-digit ID number", () => {
    expect(ageOnDay("371426196011291234", "2026-11-29")).toBe(66);
    expect(ageOnDay("371426196111291234", "2026-11-28")).toBe(64);
    expect(ageOnDay("37142619611129123X", "2026-11-29")).toBe(65);
  });

  it("gives the green channel from the threshold's birthday on", () => {
    expect(greenByAge("371426196111291234", "2026-11-28", 65)).toBe(false);
    expect(greenByAge("371426196111291234", "2026-11-29", 65)).toBe(true);
    expect(greenByAge("371426199001011234", "2026-11-29", 65)).toBe(false);
    expect(greenByAge("371426199001011234", "2026-11-29", 30)).toBe(true);
  });

  it("never grants it for numbers without a valid birth date", () => {
    for (const bad of ["371426610101123", "371426195002301234", "37142619501301123", "ABCDEF195001011234", ""])
      expect(greenByAge(bad, "2026-11-29", 0)).toBe(false);
  });
});
