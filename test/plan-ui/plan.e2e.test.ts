/**
 * Issue 14's "done when" for planning, in real Chromium against a real hub: a supervisor
 * signs in at /admin/plan, asks what 30 % more visitors and two more real-estate windows
 * would do, and sees today's plan and the what-if side by side (waits per hour and series,
 * windows per hour); a clerk is told the page is not for them. axe-core checks the page in
 * Chinese and English. Needs `npx vite build` first (npm test does it).
 */
import { existsSync } from "node:fs";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { expectNoAxeViolations } from "../helpers/axe.ts";
import { launchBrowser, newPage } from "../helpers/browser.ts";
import type { Browser, Page } from "../helpers/browser.ts";
import { startTestHub } from "../helpers/hub.ts";
import type { TestHub } from "../helpers/hub.ts";

const WAIT = { timeout: 60_000 };
let t: TestHub;
let browser: Browser;

beforeAll(async () => {
  if (!existsSync(path.resolve("dist/plan-ui/index.html"))) throw new Error("dist/ is not built: run `npx vite build` first");
  t = await startTestHub();
  browser = await launchBrowser();
}, 60_000);

afterAll(async () => {
  await browser?.close();
  await t?.close();
});

async function signIn(page: Page, username: string): Promise<void> {
  await page.locator('input[name="username"]').fill(username);
  await page.locator('input[name="password"]').fill(t.password(username));
  await page.locator('button[type="submit"]').click();
}

const num = async (page: Page, id: string) => Number(await page.getByTestId(id).textContent());

describe("/admin/plan in Chromium", () => {
  it("tells a clerk the page is for supervisors and admins", { timeout: 60_000 }, async () => {
    const page = await newPage(browser, { width: 1280, height: 900 });
    await page.goto(`${t.url}/admin/plan?lang=zh`);
    await signIn(page, "zhangwei");
    await expect(page.getByRole("status").textContent({ timeout: 20_000 })).resolves.toContain("仅限值班长和管理员");
    expect(await page.locator("form.whatif").count()).toBe(0);
    await page.close();
  });

  it("runs a what-if for a supervisor and shows it beside today's plan", { timeout: 180_000 }, async () => {
    const page = await newPage(browser, { width: 1600, height: 1000 });
    const errors: string[] = [];
    page.on("pageerror", (e) => errors.push(e.message));
    const res = await page.goto(`${t.url}/admin/plan?lang=zh`);
    expect(res?.status()).toBe(200);
    await expectNoAxeViolations(page, "plan sign-in (zh)");
    await signIn(page, "wangli");
    await page.locator("form.whatif").waitFor(WAIT);
    await page.locator('input[name="arrivals"]').fill("30");
    await page.locator('input[name="addCount"]').fill("2");
    await page.locator('select[name="addSeries"]').selectOption(["q-b"]);
    await page.locator("form.whatif button[type=submit]").click();
    await page.getByTestId("whatif").waitFor(WAIT);
    // Both plans side by side.
    const today = page.getByTestId("today");
    const whatIf = page.getByTestId("whatif");
    const a = await today.boundingBox();
    const b = await whatIf.boundingBox();
    expect(a && b && b.x > a.x + a.width / 2 && Math.abs(b.y - a.y) < 5).toBe(true);
    await expect(today.locator("h2").textContent()).resolves.toBe("今日计划");
    await expect(whatIf.locator("h2").textContent()).resolves.toBe("假如方案");
    // Two windows more, about 30 % more visitors, and per hour and series p50/p90 rows.
    expect(await num(page, "whatif-counters")).toBe((await num(page, "today-counters")) + 2);
    const ratio = (await num(page, "whatif-visitors")) / (await num(page, "today-visitors"));
    expect(ratio).toBeGreaterThan(1.15);
    expect(ratio).toBeLessThan(1.45);
    expect(await page.getByTestId("today-cells").locator("tbody tr").count()).toBeGreaterThan(20);
    expect(await page.getByTestId("whatif-cells").locator("tbody tr").count()).toBeGreaterThan(20);
    await expect(page.getByTestId("whatif-cells").textContent()).resolves.toContain("B 不动产登记");
    // More visitors with only real estate reinforced: the hall as a whole waits longer.
    expect(await num(page, "whatif-mean")).toBeGreaterThan(await num(page, "today-mean"));
    await expectNoAxeViolations(page, "plan results (zh)");
    await page.locator("button.lang").click();
    await expect(today.locator("h2").textContent()).resolves.toBe("Today's plan");
    await expectNoAxeViolations(page, "plan results (en)");
    expect(errors).toEqual([]);
    await page.close();
  });
});
