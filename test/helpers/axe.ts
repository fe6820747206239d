/**
 * Accessibility checks with axe-core inside the real page (the reference engine, run by the
 * browser that shows the page, so contrast is computed on what is really drawn).
 *
 * ```ts
 * await expectNoAxeViolations(page, "kiosk home zh");
 * ```
 */
import { readFileSync } from "node:fs";
import { createRequire } from "node:module";
import { expect } from "vitest";
import type { Page } from "playwright-core";

const axeSource = readFileSync(createRequire(import.meta.url).resolve("axe-core/axe.min.js"), "utf8");

/** The WCAG 2.x level A and AA rules: what the hall's pages must pass. */
const AA_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"];

export interface AxeViolation {
  id: string;
  impact: string | null;
  help: string;
  targets: string[];
}

/** Runs axe-core on the page as it is now; returns the level-AA violations. */
export async function axeViolations(page: Page): Promise<AxeViolation[]> {
  // Evaluated over the DevTools protocol rather than added as a <script>: a page whose
  // Content-Security-Policy forbids inline scripts (helmet's default) still gets checked.
  if (!(await page.evaluate(() => "axe" in window))) await page.evaluate(axeSource);
  return page.evaluate(async (tags) => {
    // biome-ignore lint/suspicious/noExplicitAny: axe is injected at run time
    const axe = (window as any).axe;
    const r = await axe.run(document, { runOnly: { type: "tag", values: tags }, resultTypes: ["violations"] });
    // biome-ignore lint/suspicious/noExplicitAny: axe result shape
    return r.violations.map((v: any) => ({
      id: v.id,
      impact: v.impact,
      help: v.help,
      // biome-ignore lint/suspicious/noExplicitAny: axe node shape
      targets: v.nodes.slice(0, 5).map((n: any) => `${n.target.join(" ")} — ${n.failureSummary ?? ""}`.slice(0, 300)),
    }));
  }, AA_TAGS);
}

/** Fails the test with every violation listed (rule, help text, the first offending nodes). */
export async function expectNoAxeViolations(page: Page, label: string): Promise<void> {
  const v = await axeViolations(page);
  expect(v, `${label}: axe-core AA violations\n${JSON.stringify(v, null, 2)}`).toEqual([]);
}
