/**
 * The data wall's two ECharts charts, tree-shaken: only the bar and line charts, the grid,
 * tooltip and legend components and the canvas renderer are bundled.
 */
import { BarChart, LineChart } from "echarts/charts";
import { GridComponent, LegendComponent, TooltipComponent } from "echarts/components";
import * as echarts from "echarts/core";
import { CanvasRenderer } from "echarts/renderers";
import type { DepartmentBar } from "./wall-model.ts";

echarts.use([BarChart, LineChart, GridComponent, LegendComponent, TooltipComponent, CanvasRenderer]);

export type WallChart = echarts.ECharts;

const TEXT = "#cbd5e1";
const AXIS = "#334155";

/** Creates a chart in `el`; call `dispose()` when the element goes away. */
export function createChart(el: HTMLElement): WallChart {
  return echarts.init(el, undefined, { renderer: "canvas" });
}

/** The page's font stack, so chart labels match the rest of the wall (CJK glyphs included). */
function fontFamily(): string {
  return getComputedStyle(document.body).fontFamily || "sans-serif";
}

/** Font size that scales with the screen (1920×1080 → 16 px, 3840×2160 → 32 px). */
export function chartFont(): number {
  return Math.round(Math.max(12, window.innerHeight / 68));
}

/** Per-department case volume and completions (bars) and completion rate (line, right
 * axis). The completions bar counts exactly what the rate counts; a department with
 * nothing finished has no rate point, and its tooltip says `labels.none`, never 100 %. */
export function departmentOption(
  bars: readonly DepartmentBar[],
  labels: { cases: string; done: string; rate: string; none: string; overdue?: string },
): echarts.EChartsCoreOption {
  // Case bars carry their overdue count: a third, red bar (the wall's alarm colour).
  const overdue = bars.map((b) => (b as { overdue?: number }).overdue);
  const overdueSeries =
    labels.overdue && overdue.every((n) => typeof n === "number")
      ? [{ name: labels.overdue, type: "bar", data: overdue, itemStyle: { color: "#f87171" }, barMaxWidth: chartFont() * 2 }]
      : [];
  const f = chartFont();
  return {
    // No sweep-in on first draw (a wall is looked at, not watched load); quick updates.
    animationDuration: 0,
    animationDurationUpdate: 300,
    textStyle: { color: TEXT, fontSize: f, fontFamily: fontFamily() },
    tooltip: { trigger: "axis", textStyle: { fontSize: f } },
    legend: { top: 0, textStyle: { color: TEXT, fontSize: f }, itemWidth: f * 1.5, itemHeight: f * 0.8 },
    grid: { left: f * 0.5, right: f * 0.5, top: f * 2.6, bottom: f * 0.5, containLabel: true },
    xAxis: {
      type: "category",
      data: bars.map((b) => b.name),
      // Names like 行政审批服务局建设项目科 differ at the end: wrap them, never cut them.
      axisLabel: {
        color: TEXT,
        fontSize: f * 0.8,
        lineHeight: f * 0.95,
        interval: 0,
        // The department panel is about 0.4 of the wall's width.
        width: Math.max(f * 3, ((window.innerWidth * 0.4) / Math.max(1, bars.length)) * 0.9),
        overflow: "break",
      },
      axisLine: { lineStyle: { color: AXIS } },
    },
    yAxis: [
      {
        type: "value",
        minInterval: 1,
        axisLabel: { color: TEXT, fontSize: f * 0.85 },
        splitLine: { lineStyle: { color: AXIS } },
      },
      {
        type: "value",
        min: 0,
        max: 100,
        axisLabel: { color: TEXT, fontSize: f * 0.85, formatter: "{value}%" },
        splitLine: { show: false },
      },
    ],
    series: [
      { name: labels.cases, type: "bar", data: bars.map((b) => b.issued), itemStyle: { color: "#38bdf8" }, barMaxWidth: f * 2 },
      {
        name: labels.done,
        type: "bar",
        data: bars.map((b) => b.completed),
        itemStyle: { color: "#34d399" },
        barMaxWidth: f * 2,
      },
      ...overdueSeries,
      {
        name: labels.rate,
        type: "line",
        yAxisIndex: 1,
        data: bars.map((b) => b.completionPct),
        connectNulls: false,
        tooltip: { valueFormatter: (v: unknown) => (typeof v === "number" ? `${v}%` : labels.none) },
        itemStyle: { color: "#fbbf24" },
        lineStyle: { width: f / 6 },
        symbolSize: f / 2,
      },
    ],
  };
}

/** Arrivals and completions per hour. */
export function hourlyOption(
  series: { hours: string[]; arrivals: number[]; completions: number[] },
  labels: { arrivals: string; completions: string },
): echarts.EChartsCoreOption {
  const f = chartFont();
  const line = (name: string, data: number[], color: string) => ({
    name,
    type: "line",
    data,
    smooth: true,
    itemStyle: { color },
    lineStyle: { width: f / 6 },
    symbolSize: f / 2,
    areaStyle: { color, opacity: 0.12 },
  });
  return {
    // No sweep-in on first draw (a wall is looked at, not watched load); quick updates.
    animationDuration: 0,
    animationDurationUpdate: 300,
    textStyle: { color: TEXT, fontSize: f, fontFamily: fontFamily() },
    tooltip: { trigger: "axis", textStyle: { fontSize: f } },
    legend: { top: 0, textStyle: { color: TEXT, fontSize: f }, itemWidth: f * 1.5, itemHeight: f * 0.8 },
    grid: { left: f * 0.5, right: f, top: f * 2.6, bottom: f * 0.5, containLabel: true },
    xAxis: {
      type: "category",
      boundaryGap: false,
      data: series.hours,
      axisLabel: { color: TEXT, fontSize: f * 0.85 },
      axisLine: { lineStyle: { color: AXIS } },
    },
    yAxis: {
      type: "value",
      minInterval: 1,
      axisLabel: { color: TEXT, fontSize: f * 0.85 },
      splitLine: { lineStyle: { color: AXIS } },
    },
    series: [line(labels.arrivals, series.arrivals, "#38bdf8"), line(labels.completions, series.completions, "#34d399")],
  };
}
