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
