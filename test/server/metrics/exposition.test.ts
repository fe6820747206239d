import { describe, expect, it } from "vitest";
import { fractionAtMost, histogramDelta, histogramQuantile, parseExposition } from "../../../server/src/metrics/exposition.ts";

const page = (b: [string, number][], count: number, sum: number) =>
  [
    "# HELP x_seconds test",
    "# TYPE x_seconds histogram",
    ...b.map(([le, n]) => `x_seconds_bucket{le="${le}",command="call-next"} ${n}`),
    `x_seconds_sum{command="call-next"} ${sum}`,
    `x_seconds_count{command="call-next"} ${count}`,
    "",
  ].join("\n");

describe("metrics/exposition", () => {
  it("a histogram over an interval is the difference of two scrapes, and its quantile interpolates as Prometheus does", () => {
    const before = parseExposition(
      page(
        [
          ["0.001", 10],
          ["0.002", 10],
          ["+Inf", 10],
        ],
        10,
        0.005,
      ),
    );
    // 100 more: 90 at or below 1 ms, 10 between 1 and 2 ms.
    const after = parseExposition(
      page(
        [
          ["0.001", 100],
          ["0.002", 110],
          ["+Inf", 110],
        ],
        110,
        0.105,
      ),
    );
    const h = histogramDelta(before, after, "x_seconds", { command: "call-next" });
    expect(h.count).toBe(100);
    expect(h.sum).toBeCloseTo(0.1);
    expect(fractionAtMost(h, 0.001)).toBe(0.9);
    // Rank 50 of 90 in (0, 1 ms]; rank 99 is 9 of 10 in (1, 2 ms].
    expect(histogramQuantile(h, 0.5)).toBeCloseTo(0.0005556, 6);
    expect(histogramQuantile(h, 0.99)).toBeCloseTo(0.0019, 6);
    expect(histogramQuantile({ buckets: [], count: 0, sum: 0 }, 0.99)).toBeNaN();
  });

  it("refuses what a scraper would refuse: a sample without TYPE, a line of another format", () => {
    expect(() => parseExposition("y 1\n")).toThrow(/without TYPE/);
    expect(() => parseExposition('# TYPE y gauge\ny{a="1"} 1 2 3\n')).toThrow(/not an exposition line/);
    expect(parseExposition('# TYPE y gauge\ny{a="q\\"x"} 2\n')).toEqual([{ name: "y", labels: { a: 'q"x' }, value: 2 }]);
  });
});
