import { describe, expect, it } from "vitest";
import type { CounterState, DeviceStatus } from "../../server/src/contract/index.ts";
import {
  counterTiles,
  departmentBars,
  faultDetail,
  faultyDevices,
  previousDay,
  seriesWaiting,
  vsYesterday,
  hourlySeries,
  satisfaction,
  tileCounts,
  waitAlarms,
  warnedDevices,
  warningWords,
} from "../../display-ui/wall-model.ts";
import { catalogue, stats } from "./fixtures.ts";

function hours(values: Record<number, number>): number[] {
  return Array.from({ length: 24 }, (_, h) => values[h] ?? 0);
}

describe("display-ui/wall-model", () => {
  it("orders departments by case volume; the bar and the rate count the same outcomes; no rate before any is done", () => {
    const s = stats({
      departments: [
        { departmentId: "d1", issued: 4, done: 3, completed: 2, completionRate: 2 / 3 },
        { departmentId: "d2", issued: 9, done: 8, completed: 7, completionRate: 0.875 },
        { departmentId: "d3", issued: 5, done: 0, completed: 0, completionRate: 1 },
      ],
    });
    expect(departmentBars(catalogue(), s, "zh")).toEqual([
      { departmentId: "d2", name: "不动产登记中心", issued: 9, completed: 7, done: 8, completionPct: 87.5 },
      { departmentId: "d3", name: "税务局", issued: 5, completed: 0, done: 0, completionPct: null },
      { departmentId: "d1", name: "行政审批服务局", issued: 4, completed: 2, done: 3, completionPct: 66.7 },
    ]);
    // The bar shows what the rate counts: completed / done.
    for (const b of departmentBars(catalogue(), s, "zh")) {
      if (b.completionPct !== null) expect(b.completionPct).toBeCloseTo((b.completed / b.done) * 100, 0);
    }
    expect(departmentBars(catalogue(), s, "en", 1).map((b) => b.name)).toEqual(["Real Estate Center"]);
  });

  it("shows the hall's working hours on the hourly chart, widened to data and the current hour", () => {
    const s = stats({ arrivalsByHour: hours({ 7: 2, 9: 5 }), completionsByHour: hours({ 9: 3 }) });
    const series = hourlySeries(s, 10);
    expect(series.hours[0]).toBe("07:00");
    expect(series.hours.at(-1)).toBe("18:00");
    expect(series.arrivals.slice(0, 3)).toEqual([2, 0, 5]);
    expect(series.completions.slice(0, 3)).toEqual([0, 0, 3]);
    expect(hourlySeries(stats(), 20).hours.at(-1)).toBe("20:00");
  });

  it("colours counter tiles by the newest counter state, stats' offline winning", () => {
    const counters = new Map<string, CounterState>([
      ["c1", { id: "c1", status: "serving", ratingRequested: false, servedToday: 4, staffName: "王芳" }],
      ["c3", { id: "c3", status: "idle", ratingRequested: false, servedToday: 2 }],
    ]);
    const s = stats({
      counters: [
        { counterId: "c1", status: "calling", servedToday: 3 },
        { counterId: "c3", status: "offline", servedToday: 2 },
        { counterId: "c9", status: "paused", servedToday: 1 },
      ],
    });
    const tiles = counterTiles(catalogue(), counters, s, "zh");
    expect(tiles.map((t) => [t.number, t.status, t.servedToday])).toEqual([
      [1, "serving", 4],
      [3, "offline", 2],
      [9, "paused", 1],
    ]);
    expect(tiles[0]?.staffName).toBe("王芳");
    expect(tileCounts(tiles)).toEqual({ serving: 1, calling: 0, idle: 0, paused: 1, closed: 0, offline: 1 });
    // A counter nobody reported yet is shown closed.
    expect(counterTiles(catalogue(), new Map(), stats(), "en").map((t) => t.status)).toEqual(["closed", "closed", "closed"]);
  });

  it("computes satisfaction as the share of 4 and 5 ratings", () => {
    expect(satisfaction(stats({ ratings: [1, 0, 1, 2, 6] }))).toEqual({
      total: 10,
      shares: [10, 0, 10, 20, 60],
      satisfiedPct: 80,
    });
    expect(satisfaction(stats()).satisfiedPct).toBeNull();
  });

  it("lists devices that are not online, longest failing first", () => {
    const d = (id: string, health: DeviceStatus["health"], since: number): DeviceStatus => ({
      id,
      kind: "printer",
      health,
      since,
    });
    const devices = new Map([
      ["p1", d("p1", "online", 1)],
      ["p2", d("p2", "paper_out", 50)],
      ["p3", d("p3", "offline", 10)],
    ]);
    expect(faultyDevices(devices).map((x) => x.id)).toEqual(["p3", "p2"]);
  });

  it("lists working devices that warn of a supply running low apart from the faults, in words", () => {
    const devices = new Map<string, DeviceStatus>([
      ["a1", { id: "a1", kind: "a4", health: "online", warnings: ["MEDIA_LOW", "TONER_LOW"], since: 20 }],
      ["a2", { id: "a2", kind: "a4", health: "online", since: 5 }],
      ["a3", { id: "a3", kind: "a4", health: "paper_out", warnings: ["TONER_LOW"], since: 30 }],
      ["a4", { id: "a4", kind: "a4", health: "online", warnings: ["TONER_LOW"], since: 10 }],
    ]);
    expect(warnedDevices(devices).map((x) => x.id)).toEqual(["a4", "a1"]);
    expect(faultyDevices(devices).map((x) => x.id)).toEqual(["a3"]);
    expect(warningWords(devices.get("a1") as DeviceStatus, "zh")).toBe("纸张不足、墨粉不足");
    expect(warningWords(devices.get("a1") as DeviceStatus, "en")).toBe("paper low, toner low");
  });

  it("raises an alarm line for each queue over its wait threshold", () => {
    const s = stats({
      queues: [
        { queueId: "qa", waiting: 12, issued: 30, longestWaitSec: 31 * 60 + 5, alarm: true },
        { queueId: "qb", waiting: 2, issued: 5, longestWaitSec: 60, alarm: false },
      ],
    });
    expect(waitAlarms(catalogue(), s, "zh")).toEqual([
      { queueId: "qa", prefix: "A", name: "综合受理", waiting: 12, longestWaitMin: 31, thresholdMin: 30 },
    ]);
    expect(waitAlarms(catalogue(), stats(), "zh")).toEqual([]);
  });

  it("gives each tile its current ticket, its clerk and, while paused, the pause start", () => {
    const counters = new Map<string, CounterState>([
      ["c1", { id: "c1", status: "calling", ratingRequested: false, servedToday: 4, staffName: "王芳", currentTicketId: "t7" }],
      ["c9", { id: "c9", status: "paused", ratingRequested: false, servedToday: 1, staffName: "李强", pauseReason: "午休" }],
      ["c3", { id: "c3", status: "idle", ratingRequested: false, servedToday: 0, staffName: "赵敏" }],
    ]);
    const s = stats({
      counters: [
        { counterId: "c9", status: "paused", servedToday: 1, pausedAt: 5000 },
        // Stats a moment old: the counter has resumed since (its own state is newer).
        { counterId: "c3", status: "paused", servedToday: 0, pausedAt: 4000 },
      ],
    });
    const tiles = counterTiles(catalogue(), counters, s, "zh", (id) => (id === "t7" ? "A007" : undefined));
    expect(tiles.map((t) => [t.number, t.staffName, t.currentNumber, t.pausedAt])).toEqual([
      [1, "王芳", "A007", undefined],
      [3, "赵敏", undefined, undefined],
      [9, "李强", undefined, 5000],
    ]);
  });

  it("lists every series with its waiting count and longest wait, in prefix order", () => {
    const s = stats({
      queues: [
        { queueId: "qb", waiting: 2, issued: 5, longestWaitSec: 150, alarm: false },
        { queueId: "qa", waiting: 12, issued: 30, longestWaitSec: 31 * 60 + 5, alarm: true },
      ],
    });
    expect(seriesWaiting(catalogue(), s, "en")).toEqual([
      { queueId: "qa", prefix: "A", name: "General", waiting: 12, longestWaitMin: 31, alarm: true },
      { queueId: "qb", prefix: "B", name: "Real estate", waiting: 2, longestWaitMin: 2, alarm: false },
    ]);
  });

  it("compares with the last closed day, named 昨日 when it was yesterday", () => {
    const day = (d: string, issued: number) => ({
      day: d,
      issued,
      served: issued - 1,
      noShows: 0,
      cancelled: 0,
      avgWaitSec: 300,
      avgServiceSec: 240,
      byDepartment: [],
      byCounter: [],
    });
    expect(previousDay("2026-03-01")).toBe("2026-02-28");
    expect(vsYesterday([day("2026-11-27", 10), day("2026-11-28", 20)], "2026-11-29", "zh")).toEqual({
      label: "昨日",
      issued: 20,
      served: 19,
      avgWaitSec: 300,
      avgServiceSec: 240,
    });
    // After a weekend: the last working day, by its date.
    expect(vsYesterday([day("2026-11-27", 10)], "2026-11-30", "en")?.label).toBe("11-27");
    expect(vsYesterday([], "2026-11-29", "zh")).toBeNull();
  });

  it("words device fault reasons in the wall's language, never a bare English sentence on the Chinese wall", () => {
    expect(faultDetail("PAPER_OUT", "zh")).toBe("纸已用完");
    expect(faultDetail("ENOENT", "en")).toBe("port not found");
    expect(faultDetail("closed", "zh")).toBe("连接已断开");
    expect(faultDetail("SAM_31", "zh")).toBe("安全模块错误 31");
    expect(faultDetail("EWHATEVER", "zh")).toBe("故障代码 EWHATEVER");
    expect(faultDetail("write EPIPE on the socket", "zh")).toBe("其他原因");
    expect(faultDetail(undefined, "zh")).toBeUndefined();
  });
});
