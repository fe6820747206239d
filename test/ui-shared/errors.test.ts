import { describe, expect, it } from "vitest";
import { ERROR_CODES } from "../../server/src/contract/errors.ts";
import { errorMessage } from "../../ui-shared/errors.ts";

describe("ui-shared/errors error-code messages", () => {
  it("has its own zh and en sentence for every hub error code", () => {
    const internalZh = errorMessage("INTERNAL", "zh");
    for (const code of ERROR_CODES) {
      const zh = errorMessage(code, "zh");
      const en = errorMessage(code, "en");
      expect(zh, code).toMatch(/[\u4e00-\u9fff]/);
      expect(en, code).toMatch(/^[\x20-\x7e’]+$/);
      if (code !== "INTERNAL") expect(zh, code).not.toBe(internalZh);
    }
  });

  it("says plainly when the daily cap is reached or it is outside hours", () => {
    expect(errorMessage("DAILY_CAP_REACHED", "zh")).toContain("今日号源已取完");
    expect(errorMessage("OUTSIDE_HOURS", "en")).toContain("not issued at this time");
    expect(errorMessage("NETWORK", "zh")).toContain("无法连接");
  });

  it("falls back to the internal-error sentence for an unknown code", () => {
    expect(errorMessage("SOMETHING_NEW", "en")).toBe(errorMessage("INTERNAL", "en"));
  });
});
