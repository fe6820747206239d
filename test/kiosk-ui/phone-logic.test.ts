import { describe, expect, it } from "vitest";
import { keyFromHash, materialsIn, missingIn, outcomeNeedsMaterials, ratingReady } from "../../kiosk-ui/phone-logic.ts";

const matter = {
  materials: ["公司章程", "法定代表人身份证"],
  materialsEn: ["Articles of association", "Legal representative's ID card"],
};

describe("kiosk-ui/phone-logic", () => {
  it("reads the holder key from the link's fragment only when it looks like one", () => {
    expect(keyFromHash("#k=AbCdEfGhIjKlMnOpQrStUv")).toBe("AbCdEfGhIjKlMnOpQrStUv");
    expect(keyFromHash("")).toBeUndefined();
    expect(keyFromHash("#k=")).toBeUndefined();
    expect(keyFromHash("#k=<script>")).toBeUndefined();
  });

  it("shows English materials on English pages when the catalogue has a full list", () => {
    expect(materialsIn(matter, "en")).toEqual(matter.materialsEn);
    expect(materialsIn(matter, "zh")).toEqual(matter.materials);
    expect(materialsIn({ materials: ["a", "b"], materialsEn: ["A"] }, "en")).toEqual(["a", "b"]);
    expect(materialsIn({ materials: ["a"] }, "en")).toEqual(["a"]);
  });

  it("translates missing items of the matter's list by position and keeps the clerk's own words", () => {
    expect(missingIn(matter, ["法定代表人身份证", "情况说明"], "en")).toEqual(["Legal representative's ID card", "情况说明"]);
    expect(missingIn(matter, ["法定代表人身份证"], "zh")).toEqual(["法定代表人身份证"]);
    expect(missingIn(undefined, ["x"], "en")).toEqual(["x"]);
  });

  it("asks for materials only after a refusal or an incomplete acceptance", () => {
    expect(outcomeNeedsMaterials("rejected")).toBe(true);
    expect(outcomeNeedsMaterials("accepted_incomplete")).toBe(true);
    expect(outcomeNeedsMaterials("completed")).toBe(false);
    expect(outcomeNeedsMaterials("referred")).toBe(false);
  });

  it("a rating of 1 or 2 is ready only with a reason and a comment within 200 characters", () => {
    expect(ratingReady(null, [], "")).toBe(false);
    expect(ratingReady(4, [], "")).toBe(true);
    expect(ratingReady(2, [], "")).toBe(false);
    expect(ratingReady(2, ["slow"], "")).toBe(true);
    expect(ratingReady(1, ["other"], "x".repeat(201))).toBe(false);
  });
});
