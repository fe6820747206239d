/**
 * The data wall's figures, derived from the catalogue, the live stats, the counters' states
 * and the devices' health. Pure: the wall page only draws what these functions return.
 */
import type { Catalogue, CounterState, CounterStatus, DeviceStatus, LiveStats } from "../server/src/contract/index.ts";
import type { Lang } from "../ui-shared/i18n.ts";
import { shortCounterName } from "./window-view.ts";

/** One bar group of the per-department chart. */
export interface DepartmentBar {
  departmentId: string;
  name: string;
  issued: number;
  done: number;
  /** 0..100, one decimal; null while nothing is done (no rate to show yet). */
  completionPct: number | null;
}

/** Departments by case volume (办件量), largest first, at most `limit`; ties by name. */
export function departmentBars(cat: Catalogue, stats: LiveStats, lang: Lang, limit = 12): DepartmentBar[] {
  const names = new Map(cat.departments.map((d) => [d.id, lang === "zh" ? d.name : d.nameEn]));
  return stats.departments
    .map((d) => ({
      departmentId: d.departmentId,
      name: names.get(d.departmentId) ?? d.departmentId,
      issued: d.issued,
      done: d.done,
      completionPct: d.done === 0 ? null : Math.round(d.completionRate * 1000) / 10,
    }))
    .sort((a, b) => b.issued - a.issued || b.done - a.done || a.name.localeCompare(b.name))
    .slice(0, limit);
}

/** The hours shown on the hourly chart: the hall's day (8..18) widened to any hour that
 * has data and to the current hour. */
export function hourRange(stats: LiveStats, currentHour: number): { from: number; to: number } {
  let from = 8;
  let to = 18;
  for (let h = 0; h < 24; h++) {
    if ((stats.arrivalsByHour[h] ?? 0) > 0 || (stats.completionsByHour[h] ?? 0) > 0) {
      from = Math.min(from, h);
      to = Math.max(to, h);
    }
  }
  from = Math.min(from, currentHour);
  to = Math.max(to, currentHour);
  return { from, to };
}

/** Hour labels and the two series of the hourly line chart. */
export function hourlySeries(
  stats: LiveStats,
  currentHour: number,
): { hours: string[]; arrivals: number[]; completions: number[] } {
  const { from, to } = hourRange(stats, currentHour);
  const hours: string[] = [];
  const arrivals: number[] = [];
  const completions: number[] = [];
  for (let h = from; h <= to; h++) {
    hours.push(`${String(h).padStart(2, "0")}:00`);
    arrivals.push(stats.arrivalsByHour[h] ?? 0);
    completions.push(stats.completionsByHour[h] ?? 0);
  }
  return { hours, arrivals, completions };
}

export type TileStatus = CounterStatus | "offline";

/** One tile of the counter map. */
export interface CounterTile {
  counterId: string;
  number: number;
  name: string;
  zoneId: string;
  status: TileStatus;
  servedToday: number;
  staffName?: string;
}

/**
 * The counter map: every catalogue counter, in number order. The counter's own state (from
 * `counter:updated`, newer than the last stats) decides the status, except that stats'
 * "offline" (the hub lost the counter's devices/client) wins.
 */
export function counterTiles(
  cat: Catalogue,
  counters: ReadonlyMap<string, CounterState>,
  stats: LiveStats,
  lang: Lang,
): CounterTile[] {
  const live = new Map(stats.counters.map((c) => [c.counterId, c]));
  return [...cat.counters]
    .sort((a, b) => a.number - b.number)
    .map((c) => {
      const state = counters.get(c.id);
      const l = live.get(c.id);
      const status: TileStatus = l?.status === "offline" ? "offline" : (state?.status ?? l?.status ?? "closed");
      return {
        counterId: c.id,
        number: c.number,
        name: shortCounterName(c, lang),
        zoneId: c.zoneId,
        status,
        servedToday: Math.max(state?.servedToday ?? 0, l?.servedToday ?? 0),
        staffName: state?.staffName,
      };
    });
}

/** How many tiles have each status (the map's legend). */
export function tileCounts(tiles: readonly CounterTile[]): Record<TileStatus, number> {
  const counts: Record<TileStatus, number> = { serving: 0, calling: 0, idle: 0, paused: 0, closed: 0, offline: 0 };
  for (const t of tiles) counts[t.status]++;
  return counts;
}

/** Satisfaction figures: total ratings, per-score shares (0..100) and the satisfied share. */
export function satisfaction(stats: LiveStats): {
  total: number;
  shares: [number, number, number, number, number];
  satisfiedPct: number | null;
} {
  const total = stats.ratings.reduce((a, b) => a + b, 0);
  const pct = (n: number): number => (total === 0 ? 0 : Math.round((n / total) * 1000) / 10);
  const [r1, r2, r3, r4, r5] = stats.ratings;
  return {
    total,
    shares: [pct(r1), pct(r2), pct(r3), pct(r4), pct(r5)],
    satisfiedPct: total === 0 ? null : Math.round(((r4 + r5) / total) * 1000) / 10,
  };
}

/** Devices that are not online, longest-failing first. */
export function faultyDevices(devices: ReadonlyMap<string, DeviceStatus>): DeviceStatus[] {
  return [...devices.values()].filter((d) => d.health !== "online").sort((a, b) => a.since - b.since || a.id.localeCompare(b.id));
}

/** One wait alarm: a queue whose longest wait passed its threshold. */
export interface WaitAlarm {
  queueId: string;
  prefix: string;
  name: string;
  waiting: number;
  longestWaitMin: number;
  thresholdMin: number;
}

/** Queues in alarm (LiveStats.queues[].alarm), longest wait first. */
export function waitAlarms(cat: Catalogue, stats: LiveStats, lang: Lang): WaitAlarm[] {
  const queues = new Map(cat.queues.map((q) => [q.id, q]));
  return stats.queues
    .filter((q) => q.alarm)
    .map((q) => {
      const def = queues.get(q.queueId);
      return {
        queueId: q.queueId,
        prefix: def?.prefix ?? "",
        name: def ? (lang === "zh" ? def.name : def.nameEn) : q.queueId,
        waiting: q.waiting,
        longestWaitMin: Math.floor(q.longestWaitSec / 60),
        thresholdMin: def?.waitAlarmMin ?? 0,
      };
    })
    .sort((a, b) => b.longestWaitMin - a.longestWaitMin || a.prefix.localeCompare(b.prefix));
}
