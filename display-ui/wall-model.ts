/**
 * The data wall's figures, derived from the catalogue, the live stats, the counters' states
 * and the devices' health. Pure: the wall page only draws what these functions return.
 */
import type {
  Catalogue,
  CounterState,
  CounterStatus,
  DaySummary,
  DeviceStatus,
  LiveStats,
} from "../server/src/contract/index.ts";
import type { Lang, MsgTable } from "../ui-shared/i18n.ts";
import { translator } from "../ui-shared/i18n.ts";
import { shortCounterName } from "./window-view.ts";

/** One bar group of the per-department chart. */
export interface DepartmentBar {
  departmentId: string;
  name: string;
  issued: number;
  /** 办结: completed or accepted_incomplete — the outcomes the rate counts. */
  completed: number;
  /** Finished with any outcome (the rate's denominator). */
  done: number;
  /** 办结率 = completed / done, 0..100, one decimal; null while nothing is finished
   * (shown as "—", never as 100 %). */
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
      completed: d.completed,
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
  /** The ticket being called or served there. */
  currentNumber?: string;
  /** When the counter paused (epoch ms), while paused. */
  pausedAt?: number;
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
  numberOf: (ticketId: string) => string | undefined = () => undefined,
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
        currentNumber: state?.currentTicketId ? numberOf(state.currentTicketId) : undefined,
        // The pause start comes with the stats; it only counts while the counter's own
        // (newer) state still says paused.
        pausedAt: status === "paused" ? l?.pausedAt : undefined,
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

/** Devices that still work but warn of a supply running low (toner, paper), oldest warning first. */
export function warnedDevices(devices: ReadonlyMap<string, DeviceStatus>): DeviceStatus[] {
  return [...devices.values()]
    .filter((d) => d.health === "online" && (d.warnings?.length ?? 0) > 0)
    .sort((a, b) => a.since - b.since || a.id.localeCompare(b.id));
}

/** A device's warnings in words, joined for the wall (、 in Chinese). */
export function warningWords(d: DeviceStatus, lang: Lang): string {
  return (d.warnings ?? []).map((w) => faultDetail(w, lang) ?? w).join(lang === "zh" ? "、" : ", ");
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

/** One ticket series (queue) on the wall: how many wait and the longest wait. */
export interface SeriesWaiting {
  queueId: string;
  prefix: string;
  name: string;
  waiting: number;
  longestWaitMin: number;
  alarm: boolean;
}

/** Every series, in prefix order (the order visitors know from their tickets). */
export function seriesWaiting(cat: Catalogue, stats: LiveStats, lang: Lang): SeriesWaiting[] {
  const live = new Map(stats.queues.map((q) => [q.queueId, q]));
  return [...cat.queues]
    .sort((a, b) => a.prefix.localeCompare(b.prefix))
    .map((q) => {
      const l = live.get(q.id);
      return {
        queueId: q.id,
        prefix: q.prefix,
        name: lang === "zh" ? q.name : q.nameEn || q.name,
        waiting: l?.waiting ?? 0,
        longestWaitMin: Math.floor((l?.longestWaitSec ?? 0) / 60),
        alarm: l?.alarm ?? false,
      };
    });
}

/** A figure of the last closed day, next to today's KPI. */
export interface VsYesterday {
  /** "昨日" when the summary is of yesterday, else its date ("11-27"). */
  label: string;
  issued: number;
  served: number;
  avgWaitSec: number;
  avgServiceSec: number;
}

/** The day before `day` (YYYY-MM-DD, calendar arithmetic, no time zone involved). */
export function previousDay(day: string): string {
  const [y, m, d] = day.split("-").map(Number) as [number, number, number];
  return new Date(Date.UTC(y, m - 1, d - 1)).toISOString().slice(0, 10);
}

const VS_MSG = {
  yesterday: { zh: "昨日", en: "Yesterday" },
} satisfies MsgTable;

/** The latest closed day before `today` among `days` (a week of summaries), or null. */
export function vsYesterday(days: readonly DaySummary[], today: string, lang: Lang): VsYesterday | null {
  const last = days
    .filter((d) => d.day < today)
    .sort((a, b) => a.day.localeCompare(b.day))
    .at(-1);
  if (!last) return null;
  return {
    label: last.day === previousDay(today) ? translator(VS_MSG, lang)("yesterday") : last.day.slice(5),
    issued: last.issued,
    served: last.served,
    avgWaitSec: last.avgWaitSec,
    avgServiceSec: last.avgServiceSec,
  };
}

/** Device fault reasons in words: drivers report short codes (ENOENT, PAPER_OUT …). */
const DETAIL_MSG = {
  CONNECTING: { zh: "正在连接", en: "connecting" },
  CLOSED: { zh: "连接已断开", en: "link closed" },
  UNPLUGGED: { zh: "线缆已拔出", en: "cable unplugged" },
  EOF: { zh: "连接已断开", en: "link closed" },
  ENOENT: { zh: "找不到设备端口", en: "port not found" },
  ENODEV: { zh: "设备已拔出", en: "device removed" },
  EACCES: { zh: "无权访问端口", en: "port access denied" },
  EBUSY: { zh: "端口被占用", en: "port busy" },
  EIO: { zh: "读写错误", en: "I/O error" },
  EBADF: { zh: "端口已失效", en: "port no longer valid" },
  ECONNREFUSED: { zh: "设备拒绝连接", en: "connection refused" },
  ECONNRESET: { zh: "连接被重置", en: "connection reset" },
  ETIMEDOUT: { zh: "连接超时", en: "connection timed out" },
  EHOSTUNREACH: { zh: "网络不可达", en: "host unreachable" },
  ENETUNREACH: { zh: "网络不可达", en: "network unreachable" },
  TIMEOUT: { zh: "设备无响应", en: "no response" },
  WRITE_TIMEOUT: { zh: "发送超时", en: "write timed out" },
  BAD_FRAME: { zh: "数据异常", en: "garbled data" },
  PAPER_OUT: { zh: "纸已用完", en: "out of paper" },
  PAPER_NEAR_END: { zh: "纸将用完", en: "paper low" },
  COVER_OPEN: { zh: "机盖未关", en: "cover open" },
  PRINTER_OFFLINE: { zh: "打印机脱机", en: "printer offline" },
  OFFLINE: { zh: "离线", en: "offline" },
  ERROR: { zh: "设备故障", en: "device error" },
  OPEN: { zh: "已连接", en: "connected" },
  "PORT CLOSED": { zh: "端口已关闭", en: "port closed" },
  "DEVICE NODE GONE": { zh: "设备已拔出", en: "device removed" },
  // A4 printers (IPP printer-state-reasons, issue 12)
  MEDIA_EMPTY: { zh: "纸盒无纸", en: "paper tray empty" },
  MEDIA_JAM: { zh: "卡纸", en: "paper jam" },
  TONER_LOW: { zh: "墨粉不足", en: "toner low" },
  MEDIA_LOW: { zh: "纸张不足", en: "paper low" },
  TONER_EMPTY: { zh: "墨粉用尽", en: "out of toner" },
  STOPPED: { zh: "打印机已停止", en: "printer stopped" },
} satisfies MsgTable;

/**
 * A device's fault reason for the wall, in the page's language. Known codes are words; an
 * unknown code (a driver's new one) is shown as a code, after a word in the page's
 * language, never as a bare English sentence on the Chinese wall.
 */
export function faultDetail(detail: string | undefined, lang: Lang): string | undefined {
  if (!detail) return undefined;
  const key = detail.trim().toUpperCase() as keyof typeof DETAIL_MSG;
  if (key in DETAIL_MSG) return DETAIL_MSG[key][lang];
  const sam = /^SAM_([0-9A-F]{2})$/.exec(key);
  if (sam) return lang === "zh" ? `安全模块错误 ${sam[1]}` : `security module error ${sam[1]}`;
  const code = /^[A-Z0-9_]{2,24}$/.test(key) ? key : undefined;
  if (lang === "zh") return code ? `故障代码 ${code}` : "其他原因";
  return code ? `code ${code}` : "other cause";
}
