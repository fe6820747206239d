/**
 * What the per-counter window screen shows for a counter state: the on-screen twin of the
 * LED window display above the counter. Pure, so every state's text is unit-tested.
 */
import type { Counter, CounterState } from "../server/src/contract/index.ts";
import type { Lang, MsgTable } from "../ui-shared/i18n.ts";
import { pickName, translator } from "../ui-shared/i18n.ts";

export const WINDOW_MSG = {
  counterN: { zh: "{n}号窗口", en: "Counter {n}" },
  connecting: { zh: "连接中…", en: "Connecting…" },
  staff: { zh: "工作人员：{name}", en: "Staff: {name}" },
  calling: { zh: "请 {number} 号到{n}号窗口办理", en: "{number}, please come to counter {n}" },
  serving: { zh: "正在办理", en: "Now serving" },
  welcome: { zh: "欢迎光临", en: "Welcome" },
  paused: { zh: "暂停服务", en: "Service paused" },
  reason: { zh: "原因：{reason}", en: "Reason: {reason}" },
  closed: { zh: "暂停服务", en: "Closed" },
  goElsewhere: { zh: "请到其他窗口办理", en: "Please go to another counter" },
} satisfies MsgTable;

export type WindowMode = "calling" | "serving" | "idle" | "paused" | "closed" | "unknown";

/** Everything the window screen draws. */
export interface WindowView {
  mode: WindowMode;
  /** "3号窗口" / "Counter 3". */
  title: string;
  /** The counter's name in the page's language. */
  name: string;
  /** The ticket number when calling or serving. */
  number?: string;
  /** The big line under/instead of the number. */
  line: string;
  /** A second, smaller line (pause reason, staff name). */
  detail?: string;
  /** The number flashes while the counter is calling. */
  flash: boolean;
}

/** The counter's label: "3号窗口" / "Counter 3". */
export function counterLabel(counterNumber: number, lang: Lang): string {
  return translator(WINDOW_MSG, lang)("counterN", { n: counterNumber });
}

/**
 * The counter's name without a leading "3号窗口" / "Window 3" / "Counter 3" (halls often
 * name counters that way; the screens show the number separately).
 */
export function shortCounterName(counter: Pick<Counter, "number" | "name" | "nameEn">, lang: Lang): string {
  const name = pickName(counter, lang);
  const n = counter.number;
  const prefix = new RegExp(`^\\s*(?:${n}\\s*号窗口|(?:window|counter)\\s*${n}\\b)[\\s:：·-]*`, "i");
  const short = name.replace(prefix, "");
  return short || name;
}

/**
 * Derives the window screen from the catalogue counter, its live state and the number of
 * its current ticket (undefined when the ticket is not known yet).
 */
export function windowView(
  counter: Counter,
  state: CounterState | undefined,
  currentNumber: string | undefined,
  lang: Lang,
): WindowView {
  const t = translator(WINDOW_MSG, lang);
  const base = { title: counterLabel(counter.number, lang), name: shortCounterName(counter, lang), flash: false };
  if (!state) return { ...base, mode: "unknown", line: t("connecting") };
  const staff = state.staffName ? t("staff", { name: state.staffName }) : undefined;
  const welcome: WindowView = { ...base, mode: "idle", line: t("welcome"), detail: staff };
  switch (state.status) {
    case "calling":
      if (!currentNumber) return welcome;
      return {
        ...base,
        mode: "calling",
        number: currentNumber,
        line: t("calling", { number: currentNumber, n: counter.number }),
        flash: true,
        detail: staff,
      };
    case "serving":
      return { ...base, mode: "serving", number: currentNumber, line: t("serving"), detail: staff };
    case "idle":
      return welcome;
    case "paused":
      return {
        ...base,
        mode: "paused",
        line: t("paused"),
        detail: state.pauseReason ? t("reason", { reason: state.pauseReason }) : undefined,
      };
    case "closed":
      return { ...base, mode: "closed", line: t("closed"), detail: t("goElsewhere") };
    default: {
      const never: never = state.status;
      return { ...base, mode: "unknown", line: String(never) };
    }
  }
}

/** The counter id of a `/display/window/:counterId` path; null for any other path. */
export function windowRoute(pathname: string): string | null {
  const m = /^\/display\/window\/([^/]+)\/?$/.exec(pathname);
  if (!m?.[1]) return null;
  try {
    return decodeURIComponent(m[1]);
  } catch {
    return m[1];
  }
}
