/**
 * Times and durations in the hall's time zone (catalogue.hall.timeZone), never the
 * browser's: a kiosk or phone set to another zone still shows hall time.
 */
import type { IssuingWindow } from "../server/src/contract/index.ts";
import type { Lang } from "./i18n.ts";

/** Fallback when the catalogue has not arrived yet. */
export const DEFAULT_TIME_ZONE = "Asia/Shanghai";

const fmtCache = new Map<string, Intl.DateTimeFormat>();
function fmt(key: string, make: () => Intl.DateTimeFormat): Intl.DateTimeFormat {
  let f = fmtCache.get(key);
  if (!f) {
    f = make();
    fmtCache.set(key, f);
  }
  return f;
}

function parts(ms: number, timeZone: string): Record<string, string> {
  const f = fmt(
    `parts|${timeZone}`,
    () =>
      new Intl.DateTimeFormat("en-CA", {
        timeZone,
        year: "numeric",
        month: "2-digit",
        day: "2-digit",
        hour: "2-digit",
        minute: "2-digit",
        second: "2-digit",
        hourCycle: "h23",
      }),
  );
  const out: Record<string, string> = {};
  for (const p of f.formatToParts(ms)) out[p.type] = p.value;
  return out;
}

/** "14:05" in the hall zone. */
export function formatClock(ms: number, timeZone: string = DEFAULT_TIME_ZONE): string {
  const p = parts(ms, timeZone);
  return `${p.hour}:${p.minute}`;
}

/** "14:05:09" in the hall zone. */
export function formatClockSeconds(ms: number, timeZone: string = DEFAULT_TIME_ZONE): string {
  const p = parts(ms, timeZone);
  return `${p.hour}:${p.minute}:${p.second}`;
}

/** Local date "YYYY-MM-DD" in the hall zone (the ticket day). */
export function localDay(ms: number, timeZone: string = DEFAULT_TIME_ZONE): string {
  const p = parts(ms, timeZone);
  return `${p.year}-${p.month}-${p.day}`;
}

/** Minutes since local midnight in the hall zone. */
export function localMinutes(ms: number, timeZone: string = DEFAULT_TIME_ZONE): number {
  const p = parts(ms, timeZone);
  return Number(p.hour) * 60 + Number(p.minute);
}

/** "2024年5月6日 星期一" / "Mon, May 6, 2024" in the hall zone. */
export function formatDate(ms: number, lang: Lang, timeZone: string = DEFAULT_TIME_ZONE): string {
  const f = fmt(
    `date|${lang}|${timeZone}`,
    () =>
      new Intl.DateTimeFormat(lang === "zh" ? "zh-CN" : "en-US", {
        timeZone,
        year: "numeric",
        month: lang === "zh" ? "long" : "short",
        day: "numeric",
        weekday: lang === "zh" ? "long" : "short",
      }),
  );
  return f.format(ms);
}

/** Beyond this, an estimate says "over 2 hours" rather than a figure (see {@link formatWait}). */
export const WAIT_CAP_MIN = 120;

/**
 * Estimated wait for visitors, rounded as halls announce it, the same on the kiosk screen,
 * the printed ticket and the phone page:
 * - under a minute: "即将叫号" / "any moment" (the hub says 0 only to the first in line
 *   at a free counter, and never less than one service time to anyone with people ahead);
 * - under an hour: up to the next 5 minutes, "约 5 分钟", "约 10 分钟" (a visitor called
 *   a little early is served; one called later than told gives up);
 * - one to two hours: to the nearest 10 minutes, "约 1 小时 20 分";
 * - over two hours: "超过 2 小时" / "over 2 hours". So far ahead the estimate is mostly
 *   guesswork (counters pause, close for lunch, open late), and a precise figure would
 *   promise more than the hub knows; the phone page updates it as the line moves.
 */
export function formatWait(sec: number, lang: Lang): string {
  const zh = lang === "zh";
  if (!Number.isFinite(sec) || sec < 60) return zh ? "即将叫号" : "any moment";
  const exact = sec / 60;
  if (exact > WAIT_CAP_MIN) return zh ? "超过 2 小时" : "over 2 hours";
  if (exact <= 60) {
    const min = Math.ceil(exact / 5) * 5;
    if (min < 60) return zh ? `约 ${min} 分钟` : `about ${min} min`;
    return zh ? "约 1 小时" : "about 1 hour";
  }
  const tens = Math.round(exact / 10) * 10;
  const h = Math.floor(tens / 60);
  const m = tens % 60;
  if (zh) return m ? `约 ${h} 小时 ${m} 分` : `约 ${h} 小时`;
  return m ? `about ${h} h ${m} min` : `about ${h} hour${h > 1 ? "s" : ""}`;
}

/** Whole minutes of an estimate as {@link formatWait} rounds it (the printer's figure). */
export function waitMinutes(sec: number): number {
  if (!Number.isFinite(sec) || sec < 60) return 0;
  const exact = sec / 60;
  if (exact > WAIT_CAP_MIN) return WAIT_CAP_MIN;
  if (exact <= 60) return Math.ceil(exact / 5) * 5;
  return Math.round(exact / 10) * 10;
}

/** Compact duration for staff: "4:05" (m:ss) or "1:04:05". */
export function formatDuration(sec: number): string {
  const s = Math.max(0, Math.round(sec));
  const h = Math.floor(s / 3600);
  const m = Math.floor((s % 3600) / 60);
  const ss = String(s % 60).padStart(2, "0");
  return h ? `${h}:${String(m).padStart(2, "0")}:${ss}` : `${m}:${ss}`;
}

function toMinutes(hhmm: string): number {
  const [h, m] = hhmm.split(":");
  return Number(h) * 60 + Number(m ?? 0);
}

/** Whether a queue issues tickets now (empty `hours` = always). `to` is exclusive. */
export function isWithinHours(hours: readonly IssuingWindow[], nowMs: number, timeZone: string = DEFAULT_TIME_ZONE): boolean {
  if (hours.length === 0) return true;
  const now = localMinutes(nowMs, timeZone);
  // `to` counts to the end of its minute, as the hub checks it (00:00–23:59 is all day).
  return hours.some((w) => now >= toMinutes(w.from) && now <= toMinutes(w.to));
}

/** Issuing hours as text: "08:30–12:00, 13:30–17:00". */
export function formatHours(hours: readonly IssuingWindow[]): string {
  return hours.map((w) => `${w.from}–${w.to}`).join(", ");
}
