/** Pure helpers of the kiosk page (tested in test/kiosk-ui/logic.test.ts). */
import type { Catalogue, LiveStats, Matter, Queue } from "../server/src/contract/index.ts";
import { absoluteUrl } from "../ui-shared/api.ts";
import { isWithinHours } from "../ui-shared/format.ts";

/** Matters whose department sits in the zone, in catalogue order. */
export function mattersOfZone(cat: Catalogue, zoneId: string): Matter[] {
  const deps = new Set(cat.departments.filter((d) => d.zoneId === zoneId).map((d) => d.id));
  return cat.matters.filter((m) => deps.has(m.departmentId));
}

/** Why the kiosk cannot issue for this queue right now, known before asking the hub. */
export function issuingBlock(
  queue: Queue | undefined,
  stats: LiveStats | null | undefined,
  nowMs: number,
  timeZone: string,
): "OUTSIDE_HOURS" | "DAILY_CAP_REACHED" | null {
  if (!queue) return null;
  if (!isWithinHours(queue.hours, nowMs, timeZone)) return "OUTSIDE_HOURS";
  const issued = stats?.queues.find((q) => q.queueId === queue.id)?.issued;
  if (queue.dailyCap > 0 && issued !== undefined && issued >= queue.dailyCap) return "DAILY_CAP_REACHED";
  return null;
}

/**
 * The 二维码清单 link of a matter: the kiosk page itself in read-only list view, which
 * a phone renders fine; absolute, on the hall's public URL when one is configured.
 */
export function materialsUrl(matterId: string, publicUrl: string, origin: string): string {
  const path = `/kiosk?matter=${encodeURIComponent(matterId)}&view=list`;
  return absoluteUrl(path, publicUrl || origin);
}

/** "/m/T123" → "T123" (also `?ticket=` for local development). */
export function ticketIdFromLocation(pathname: string, search: string): string {
  const q = new URLSearchParams(search).get("ticket");
  if (q) return q;
  const seg = pathname.split("/").filter(Boolean);
  return decodeURIComponent(seg[seg.length - 1] ?? "");
}

/**
 * The matter the 找帮办 entry takes a ticket for: the first matter of the first series a
 * help desk (counter kind "help") serves, in catalogue order, so a hall decides it by
 * ordering its catalogue (the demo lists 帮办代办综合服务 first). Null when no help
 * desk serves any matter.
 */
export function helpDeskMatter(cat: Catalogue): Matter | null {
  const served = new Set(cat.counters.filter((c) => c.kind === "help").flatMap((c) => c.profile.queueIds));
  for (const q of cat.queues) {
    if (!served.has(q.id)) continue;
    const m = cat.matters.find((x) => x.queueId === q.id);
    if (m) return m;
  }
  return null;
}
