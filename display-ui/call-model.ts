/**
 * The call screen's figures and sentences, derived from the hall state. Pure.
 */
import type { CallInfo, Catalogue, LiveStats, PublicTicket } from "../server/src/contract/index.ts";
import type { Lang, MsgTable } from "../ui-shared/i18n.ts";
import { pickName, translator } from "../ui-shared/i18n.ts";

const CALL_MSG = {
  sentence: { zh: "请 {number} 号 到 {n}号窗口 办理", en: "Number {number}, please go to counter {n}" },
  speech: { zh: "请 {number} 号，到 {n} 号窗口办理", en: "Number {number}, please go to counter {n}" },
} satisfies MsgTable;

/** Calls for the screen, newest first: all of them, or one zone's (`?zone=`). */
export function callsFor(recent: readonly CallInfo[], zoneId: string | null, limit: number): CallInfo[] {
  return recent
    .filter((c) => zoneId === null || c.zoneId === zoneId)
    .slice()
    .sort((a, b) => b.at - a.at)
    .slice(0, limit);
}

/** What the call screen shows: the call on the big panel, the calls queued for
 * announcement (即将叫号) and the recent calls below. */
export interface CallBoard {
  now: CallInfo | undefined;
  upcoming: CallInfo[];
  recent: CallInfo[];
}

/**
 * Lays out the call screen. The big panel shows the call being announced (`current`), so
 * the panel and the voice always name the same ticket; before the first announcement it
 * shows the newest known call. Calls not announced yet are listed as upcoming, never as
 * the current one; a ticket appears in one place only.
 */
export function callBoard(
  recent: readonly CallInfo[],
  zoneId: string | null,
  current: CallInfo | null,
  pending: readonly CallInfo[],
  recentLimit: number,
): CallBoard {
  const inZone = (c: CallInfo): boolean => zoneId === null || c.zoneId === zoneId;
  const upcoming = pending.filter(inZone);
  const all = callsFor(recent, zoneId, recent.length);
  const queued = new Set(upcoming.map((c) => c.ticketId));
  const now = current && inZone(current) ? current : all.find((c) => !queued.has(c.ticketId));
  const taken = new Set(queued);
  if (now) taken.add(now.ticketId);
  return { now, upcoming, recent: all.filter((c) => !taken.has(c.ticketId)).slice(0, recentLimit) };
}

/** How many times each call is said: `?repeat=N` on the page's URL wins, then the hall's
 * `announceRepeat`, then 2 (halls say each call twice). Clamped to 1..5. */
export function announceRepeat(search: string, hallSetting: number | undefined): number {
  const q = new URLSearchParams(search).get("repeat");
  const fromUrl = q === null || q.trim() === "" ? Number.NaN : Number(q);
  const n = Number.isFinite(fromUrl) ? fromUrl : (hallSetting ?? 2);
  return Number.isFinite(n) ? Math.min(5, Math.max(1, Math.floor(n))) : 2;
}

/** Merges a new call into the recent list (newest first, one entry per ticket, at most `max`). */
export function addCall(recent: readonly CallInfo[], call: CallInfo, max = 20): CallInfo[] {
  return [call, ...recent.filter((c) => c.ticketId !== call.ticketId)].slice(0, max);
}

/** "请 A001 号 到 3号窗口 办理" / "Number A001, please go to counter 3". */
export function callSentence(call: Pick<CallInfo, "number" | "counterNumber">, lang: Lang): string {
  return translator(CALL_MSG, lang)("sentence", { number: call.number, n: call.counterNumber });
}

const ZH_DIGITS = ["零", "一", "二", "三", "四", "五", "六", "七", "八", "九"];

/**
 * What the browser's speech synthesis says when the hub has no TTS. Ticket digits are read
 * one by one (A001 → "A 零零一", as halls announce them), the counter number as a number.
 */
export function speechSentence(call: Pick<CallInfo, "number" | "counterNumber">): string {
  const spoken = [...call.number].map((ch) => (/[0-9]/.test(ch) ? ZH_DIGITS[Number(ch)] : ` ${ch} `)).join("");
  return translator(CALL_MSG, "zh")("speech", { number: spoken.trim(), n: call.counterNumber });
}

/** Waiting count of one zone as shown on the call screen. */
export interface ZoneWaiting {
  zoneId: string;
  name: string;
  floor: string;
  waiting: number;
}

/**
 * Waiting per zone: from the live stats when they carry the zone, else counted from the
 * active tickets (a zone screen's room may carry tickets but no stats). `zoneId` limits to one.
 */
export function zoneWaiting(
  cat: Catalogue,
  stats: LiveStats | null,
  active: Iterable<PublicTicket>,
  zoneId: string | null,
  lang: Lang,
): ZoneWaiting[] {
  const queueZone = new Map(cat.queues.map((q) => [q.id, q.zoneId]));
  const counted = new Map<string, number>();
  for (const t of active) {
    if (t.status !== "waiting") continue;
    const z = queueZone.get(t.queueId);
    if (z) counted.set(z, (counted.get(z) ?? 0) + 1);
  }
  return cat.zones
    .filter((z) => zoneId === null || z.id === zoneId)
    .map((z) => ({
      zoneId: z.id,
      name: pickName(z, lang),
      floor: z.floor,
      waiting: stats?.zonesWaiting[z.id] ?? counted.get(z.id) ?? 0,
    }));
}
