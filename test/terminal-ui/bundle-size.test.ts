/**
 * The terminal page's budget (issue 12): ≤ 80 KB of gzipped JS, measured on the built
 * bundle (run after `vite build`, as `npm test` does): the entry and every module it preloads.
 */
import { readFileSync } from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { gzipSync } from "node:zlib";
import { describe, expect, it } from "vitest";

const DIST = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "../../dist");

describe("terminal-ui bundle budget", () => {
  it("keeps the terminal page under 80 KB of gzipped JS", () => {
    const page = readFileSync(path.join(DIST, "terminal-ui/index.html"), "utf8");
    const files = [...page.matchAll(/(?:src|href)="(\/assets\/[^"]+\.js)"/g)].map((m) => m[1] as string);
    expect(files.length).toBeGreaterThan(0);
    const bytes = files.reduce((sum, f) => sum + gzipSync(readFileSync(path.join(DIST, f))).length, 0);
    expect(bytes).toBeGreaterThan(5 * 1024);
    expect(bytes).toBeLessThanOrEqual(80 * 1024);
  });
});
