/**
 * Tiny i18n: Simplified Chinese first, English second.
 *
 * ```ts
 * const MSG = { take: { zh: "取号", en: "Take a ticket" }, ahead: { zh: "前面还有 {n} 人", en: "{n} ahead" } };
 * const [lang, setLang] = useLang();
 * const t = translator(MSG, lang);
 * t("ahead", { n: 3 });              // "前面还有 3 人"
 * pickName(matter, lang);             // matter.name or matter.nameEn
 * ```
 */
import { useCallback, useLayoutEffect, useState } from "preact/hooks";

export type Lang = "zh" | "en";

/** One visible string in both languages. */
export interface Msg {
  zh: string;
  en: string;
}

/** A page's message table. */
export type MsgTable = Record<string, Msg>;

/**
 * The words for every member of a union from the contract (statuses, device kinds, case
 * actions), keys optionally prefixed (`status_accepted`): `satisfies MsgFor<CaseStatus, "status_">`
 * fails to compile when the contract gains a member the page has no words for, or the table
 * keeps one the contract dropped. Tables may join several (`MsgFor<A, "a_"> & MsgFor<B, "b_">`).
 */
export type MsgFor<K extends string, Prefix extends string = ""> = { [M in K as `${Prefix}${M}`]: Msg };

/** localStorage key of the remembered language. */
export const LANG_STORAGE_KEY = "onevisit.lang";

/** Fills `{name}` placeholders. */
export function interpolate(text: string, vars?: Record<string, string | number>): string {
  if (!vars) return text;
  return text.replace(/\{(\w+)\}/g, (whole, key: string) => {
    const v = vars[key];
    return v === undefined ? whole : String(v);
  });
}

/** Returns `t(key, vars?)` for one table and language. */
export function translator<T extends MsgTable>(
  table: T,
  lang: Lang,
): (key: keyof T & string, vars?: Record<string, string | number>) => string {
  return (key, vars) => {
    const m = table[key];
    return m ? interpolate(m[lang], vars) : key;
  };
}

/** Picks `name` or `nameEn` (falls back to `name` when the English one is empty). */
export function pickName(item: { name: string; nameEn: string }, lang: Lang): string {
  return lang === "en" && item.nameEn ? item.nameEn : item.name;
}

/**
 * The language to start with: `?lang=en|zh` in the URL wins, then the remembered
 * choice, then Chinese (the hall's language, whatever the browser says).
 */
export function detectLang(search: string, stored: string | null): Lang {
  const q = new URLSearchParams(search).get("lang");
  if (q === "en" || q === "zh") return q;
  if (stored === "en" || stored === "zh") return stored;
  return "zh";
}

function readStored(): string | null {
  try {
    return localStorage.getItem(LANG_STORAGE_KEY);
  } catch {
    return null; // storage disabled (private mode): just don't remember
  }
}

/** Preact hook: current language and a setter that remembers it in localStorage. */
export function useLang(): [Lang, (l: Lang) => void] {
  const [lang, setLangState] = useState<Lang>(() => detectLang(location.search, readStored()));
  // A layout effect, not useEffect: Preact defers useEffect to the next animation frame, and a
  // kiosk page whose timers are idle (or a test with a paused clock) would keep the old
  // <html lang> — screen readers and the CJK font choice would follow the wrong language.
  useLayoutEffect(() => {
    document.documentElement.lang = lang === "zh" ? "zh-CN" : "en";
  }, [lang]);
  const setLang = useCallback((l: Lang) => {
    try {
      localStorage.setItem(LANG_STORAGE_KEY, l);
    } catch {
      // not remembered; still switch
    }
    setLangState(l);
  }, []);
  return [lang, setLang];
}

/** Strings every page needs. */
export const COMMON = {
  reconnecting: { zh: "连接中断，正在重连…", en: "Connection lost, reconnecting…" },
  loading: { zh: "加载中…", en: "Loading…" },
  switchLang: { zh: "English", en: "中文" },
  close: { zh: "关闭", en: "Close" },
  cancel: { zh: "取消", en: "Cancel" },
  confirm: { zh: "确定", en: "OK" },
  back: { zh: "返回", en: "Back" },
  retry: { zh: "重试", en: "Retry" },
} satisfies MsgTable;
