import { describe, expect, it } from "vitest";
import { detectLang, interpolate, pickName, translator } from "../../ui-shared/i18n.ts";

describe("ui-shared/i18n", () => {
  it("starts in Chinese, takes ?lang= over the remembered choice", () => {
    expect(detectLang("", null)).toBe("zh");
    expect(detectLang("", "en")).toBe("en");
    expect(detectLang("?lang=zh", "en")).toBe("zh");
    expect(detectLang("?kiosk=k1&lang=en", null)).toBe("en");
    expect(detectLang("?lang=fr", "xx")).toBe("zh");
  });

  it("translates with placeholders and picks the English name when asked", () => {
    const t = translator({ ahead: { zh: "前面还有 {n} 人", en: "{n} ahead" } }, "en");
    expect(t("ahead", { n: 3 })).toBe("3 ahead");
    expect(translator({ a: { zh: "前面还有 {n} 人", en: "" } }, "zh")("a", { n: 0 })).toBe("前面还有 0 人");
    expect(interpolate("{a}/{b}", { a: 1 })).toBe("1/{b}");
    expect(pickName({ name: "税务", nameEn: "Tax" }, "en")).toBe("Tax");
    expect(pickName({ name: "税务", nameEn: "" }, "en")).toBe("税务");
    expect(pickName({ name: "税务", nameEn: "Tax" }, "zh")).toBe("税务");
  });
});
