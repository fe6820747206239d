import { pinyin } from "pinyin-pro";
import type { Catalogue } from "../contract/catalogue.ts";

/**
 * Add pinyin initials to every matter ("不动产登记" → "bdcdj") so the kiosk can search by
 * them without shipping a pinyin dictionary to the browser.
 */
export function withInitials(c: Catalogue): Catalogue {
  return {
    ...c,
    matters: c.matters.map((m) => ({
      ...m,
      initials: pinyin(m.name, { pattern: "first", toneType: "none", type: "array", nonZh: "removed" }).join("").toLowerCase(),
    })),
  };
}
