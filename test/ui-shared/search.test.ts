import { describe, expect, it } from "vitest";
import { matchesMatter, searchMatters } from "../../ui-shared/search.ts";

const BDC = { name: "不动产登记", nameEn: "Real-estate registration", initials: "bdcdj" };
const SB = { name: "社保卡申领", nameEn: "Social security card", initials: "sbksl" };
const DB = { name: "个人独资企业登记", nameEn: "Sole proprietorship registration", initials: "grdzqydj" };
const NOINI = { name: "护照办理", nameEn: "Passport" };

describe("ui-shared/search pinyin-initials match", () => {
  it("finds 不动产登记 by its initials 'bdc'", () => {
    expect(matchesMatter(BDC, "bdc")).toBe(true);
    expect(matchesMatter(BDC, "BDC")).toBe(true);
    expect(matchesMatter(SB, "bdc")).toBe(false);
  });

  it("matches the Chinese name and the English name, case-insensitive", () => {
    expect(matchesMatter(BDC, "登记")).toBe(true);
    expect(matchesMatter(BDC, "real estate")).toBe(true);
    expect(matchesMatter(SB, "SOCIAL")).toBe(true);
    expect(matchesMatter(NOINI, "pass")).toBe(true);
    expect(matchesMatter(NOINI, "hz")).toBe(false);
  });

  it("ranks prefix matches first and keeps everything on an empty query", () => {
    expect(searchMatters([BDC, DB, SB], "g").map((m) => m.name)).toEqual(["个人独资企业登记", "不动产登记"]);
    expect(searchMatters([SB, BDC], "bdc").map((m) => m.name)).toEqual(["不动产登记"]);
    expect(searchMatters([DB, BDC], "登记").map((m) => m.name)).toEqual(["个人独资企业登记", "不动产登记"]);
    expect(searchMatters([DB, BDC, SB], "  ")).toHaveLength(3);
    expect(searchMatters([DB, BDC, SB], "zzz")).toEqual([]);
  });
});
