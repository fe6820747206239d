/**
 * The report's charts, loaded on first use (a dynamic import from reports.tsx): only the
 * pieces of ECharts they use (echarts/core with the bar, line and pie charts, their grid,
 * tooltip and legend, the SVG renderer), so the page's own bundle stays small and the
 * charts come as one separate chunk.
 */
import { BarChart, LineChart, PieChart } from "echarts/charts";
import { GridComponent, LegendComponent, TooltipComponent } from "echarts/components";
import { type EChartsCoreOption, init, use } from "echarts/core";
import { SVGRenderer } from "echarts/renderers";

use([BarChart, LineChart, PieChart, GridComponent, LegendComponent, TooltipComponent, SVGRenderer]);

export interface ChartHandle {
  set(option: EChartsCoreOption): void;
  dispose(): void;
}

/** A chart in `el` (SVG, so it scales and prints sharply). */
export function chart(el: HTMLElement): ChartHandle {
  const c = init(el, undefined, { renderer: "svg" });
  const resize = () => c.resize();
  window.addEventListener("resize", resize);
  return {
    set: (option) => c.setOption(option, true),
    dispose: () => {
      window.removeEventListener("resize", resize);
      c.dispose();
    },
  };
}
