import { pinyin } from "pinyin-pro";
import type { Catalogue } from "../contract/catalogue.ts";

/**
 * Pinyin of a name, one entry per character (`Array.from(name)`): toneless, "ü" written
 * "v" as visitors type it, letters and digits as themselves (lower case), "" for
 * punctuation. pinyin-pro reads each character in its word, so 银行 gives "hang".
 */
export function pinyinOf(name: string): string[] {
  const chars = Array.from(name);
  const all = pinyin(name, { type: "all", toneType: "none" });
  // pinyin-pro gives one item per character; should a future version not, fall back to
  // reading characters one by one rather than misaligning every later character.
  const items = all.length === chars.length ? all : chars.map((c) => pinyin(c, { type: "all", toneType: "none" })[0]);
  return chars.map((c, i) => {
    const item = items[i];
    if (item?.isZh && item.pinyin) return item.pinyin.replaceAll("ü", "v");
    return /^[A-Za-z0-9]$/.test(c) ? c.toLowerCase() : "";
  });
}

/**
 * Add pinyin to every matter and synonym for the kiosk search: initials ("不动产登记" →
 * "bdcdj") and full pinyin per character, so the kiosk can search and offer candidates
 * without shipping a pinyin dictionary to the browser. Computed once per catalogue load.
 */
export function withInitials(c: Catalogue): Catalogue {
  return {
    ...c,
    matters: c.matters.map((m) => ({
      ...m,
      initials: pinyin(m.name, { pattern: "first", toneType: "none", type: "array", nonZh: "removed" }).join("").toLowerCase(),
      pinyin: pinyinOf(m.name),
    })),
    ...(c.synonyms ? { synonyms: c.synonyms.map((s) => ({ ...s, pinyin: pinyinOf(s.word) })) } : {}),
  };
}
