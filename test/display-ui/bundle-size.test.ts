/**
 * Budgets of the built display pages (run after `vite build`, as `npm test` does):
 * the call/window screen's JS ≤ 80 KB gzipped, the data wall's (with ECharts) ≤ 450 KB.
 */
import { readFileSync } from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { gzipSync } from "node:zlib";
import { describe, expect, it } from "vitest";

const DIST = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "../../dist");

/** Gzipped bytes of every script the page loads up front (entry + module preloads). */
function gzippedJs(html: string): { files: string[]; bytes: number } {
  const page = readFileSync(path.join(DIST, html), "utf8");
  const files = [...page.matchAll(/(?:src|href)="(\/assets\/[^"]+\.js)"/g)].map((m) => m[1] as string);
  const bytes = files.reduce((sum, f) => sum + gzipSync(readFileSync(path.join(DIST, f))).length, 0);
  return { files, bytes };
}

describe("display-ui bundle budgets", () => {
  it("keeps the call and window screens under 80 KB of gzipped JS, without ECharts", () => {
    const { files, bytes } = gzippedJs("display-ui/index.html");
    expect(files.length).toBeGreaterThan(0);
    expect(bytes).toBeLessThanOrEqual(80 * 1024);
    const code = files.map((f) => readFileSync(path.join(DIST, f), "utf8")).join("\n");
    expect(code).not.toMatch(/echarts/i);
  });

  it("keeps the data wall under 450 KB of gzipped JS", () => {
    const { files, bytes } = gzippedJs("display-ui/wall.html");
    expect(files.length).toBeGreaterThan(0);
    expect(bytes).toBeLessThanOrEqual(450 * 1024);
  });
});
