/**
 * Issue 13's "done when" for reports, in real Chromium against a real hub: last month's
 * hall days are journals in the data folder before the hub starts (filled into the history
 * at start); an admin opens /admin/reports, reads last month's report per series, sees the
 * charts drawn, downloads the month as XLSX and the file's cells (read back with exceljs)
 * are the seeded figures; a supervisor closes a 差评 follow-up and the audit log shows it;
 * a month whose p90s are being ranked again says "计算中" in their cells (and the route says
 * `p90Pending`) until the ranking is done; the shared staff frame (ui-shared/staff-shell.tsx)
 * names who is signed in and signing out revokes the token on the hub. axe-core checks the
 * page in Chinese and English.
 * Needs `npx vite build` first.
 */
import { existsSync } from "node:fs";
import path from "node:path";
import Database from "better-sqlite3";
import ExcelJS from "exceljs";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { AuditPage } from "../../server/src/contract/audit.ts";
import type { Report } from "../../server/src/reports/model.ts";
import { expectNoAxeViolations } from "../helpers/axe.ts";
import { type Browser, type Page, launchBrowser, newPage } from "../helpers/browser.ts";
import type { TestHub } from "../helpers/hub.ts";
import { lastMonthWeekdays, type SeededTicket, startSeededHub } from "../server/reports/history.ts";

const WAIT = { timeout: 60_000 };
let t: TestHub;
let browser: Browser;
let seeded: SeededTicket[] = [];
let days: string[] = [];

let password: (u: string) => string;
let remove: () => Promise<void>;

beforeAll(async () => {
  if (!existsSync(path.resolve("dist/reports-ui/index.html"))) throw new Error("dist/ is not built: run `npx vite build` first");
  const h = await startSeededHub({
    days: (today) => lastMonthWeekdays(today).slice(0, 5),
    perDay: 80,
    clerks: [
      { staffId: "s-hist-1", name: "历史甲", counterId: "c01" },
      { staffId: "s-hist-2", name: "历史乙", counterId: "c02" },
    ],
    seed: 3,
  });
  ({ t, seeded, days, password, remove } = h);
  browser = await launchBrowser();
}, 120_000);

afterAll(async () => {
  await browser?.close();
  await t?.close();
  await remove?.();
});

async function signIn(page: Page, username: string): Promise<void> {
  await page.locator('input[name="username"]').fill(username);
  await page.locator('input[name="password"]').fill(password(username));
  await page.locator('button[type="submit"]').click();
}

describe("/admin/reports in Chromium", () => {
  it("an admin reads last month's report, sees the charts and downloads it as XLSX", { timeout: 180_000 }, async () => {
    const page = await newPage(browser, { width: 1500, height: 1000 });
    const errors: string[] = [];
    page.on("pageerror", (e) => errors.push(e.message));
    const res = await page.goto(`${t.url}/admin/reports?lang=zh`);
    expect(res?.status()).toBe(200);
    await signIn(page, "admin");
    await page.locator("form.rp-query").waitFor(WAIT);
    await page.locator('select[name="period"]').selectOption("month");
    await page.locator('input[name="date"]').fill(days[0] as string);
    await page.locator('select[name="by"]').selectOption("series");
    await page.locator("form.rp-query button[type=submit]").click();
    await page.getByTestId("report").waitFor(WAIT);
    await expect(page.getByTestId("report").locator("h2").textContent()).resolves.toContain(`已统计 ${days.length} 天`);
    // The total row: every seeded ticket.
    await expect(page.getByTestId("total").locator("td").first().textContent()).resolves.toBe(String(seeded.length));
    // The charts are drawn (ECharts' SVG, with bars for the hours).
    for (const id of ["chart-hours", "chart-days", "chart-ratings"]) {
      // Attached, not "visible": the first path of a chart is a grid line, a box of no height.
      await page
        .locator(`[data-testid="${id}"][data-ready="1"] svg path`)
        .first()
        .waitFor({ state: "attached", ...WAIT });
    }
    expect(await page.locator('[data-testid="chart-hours"] svg path').count()).toBeGreaterThan(8);
    await expectNoAxeViolations(page, "reports (zh)");

    // The month as XLSX, opened back with exceljs.
    const [dl] = await Promise.all([page.waitForEvent("download"), page.getByTestId("export-groups-xlsx").click()]);
    expect(dl.suggestedFilename()).toMatch(/^report-groups-series-.*\.xlsx$/);
    const wb = new ExcelJS.Workbook();
    await wb.xlsx.readFile((await dl.path()) as string);
    const ws = wb.worksheets[0];
    if (!ws) throw new Error("no sheet");
    const header = (ws.getRow(1).values as unknown[]).slice(1);
    expect(header.slice(0, 6)).toEqual(["编号", "名称", "取号", "办结", "过号", "取消"]);
    const byKey = new Map<string, unknown[]>();
    for (let i = 2; i <= ws.rowCount; i++) {
      const v = (ws.getRow(i).values as unknown[]).slice(1);
      byKey.set(String(v[0] ?? ""), v);
    }
    for (const q of new Set(seeded.map((s) => s.queueId))) {
      const mine = seeded.filter((s) => s.queueId === q);
      const row = byKey.get(q);
      expect(row?.slice(2, 6)).toEqual([
        mine.length,
        mine.filter((s) => s.outcome === "served").length,
        mine.filter((s) => s.outcome === "no_show").length,
        mine.filter((s) => s.outcome === "cancelled").length,
      ]);
    }
    const total = [...byKey.values()].find((v) => v[1] === "合计");
    expect(total?.[2]).toBe(seeded.length);

    await page.locator("button.lang").click();
    await expect(page.locator("h1").textContent()).resolves.toBe("Reports");
    await expectNoAxeViolations(page, "reports (en)");
    expect(errors).toEqual([]);
    await page.close();
  });

  it("a month whose p90s are ranked again says 计算中 until they are, then shows them", { timeout: 120_000 }, async () => {
    const sup = (await t.login("wangli", password("wangli"))).token;
    const month = `/api/reports?period=month&date=${days[0]}&by=series`;
    const ranked = (await t.api<Report>("GET", month, undefined, sup)).body;
    expect(ranked.p90Pending).toBe(false);
    expect(ranked.total.p90WaitS).toEqual(expect.any(Number));
    // As a ranking cancelled by the hub closing leaves them: the days marked, the old p90s kept.
    const db = new Database(path.join(t.dataDir, "cases.db"));
    try {
      db.pragma("busy_timeout = 10000");
      db.prepare("update report_days set p90_pending = 15 where day = ?").run(days[0]);
    } finally {
      db.close();
    }
    const pending = (await t.api<Report>("GET", month, undefined, sup)).body;
    expect(pending.p90Pending).toBe(true);
    expect(pending.total.p90WaitS).toBeNull();
    expect(pending.total.tickets).toBe(ranked.total.tickets);

    const page = await newPage(browser, { width: 1500, height: 1000 });
    await page.goto(`${t.url}/admin/reports?lang=zh`);
    await signIn(page, "wangli");
    await page.locator("form.rp-query").waitFor(WAIT);
    await page.locator('input[name="date"]').fill(days[0] as string);
    await page.locator('select[name="by"]').selectOption("series");
    await page.locator("form.rp-query button[type=submit]").click();
    await page.getByTestId("p90-pending").waitFor(WAIT);
    // The total row: tickets, served, no-shows, cancelled, avg wait, then the p90 wait.
    const cells = page.getByTestId("total").locator("td");
    await expect(cells.nth(5).textContent()).resolves.toBe("计算中");
    await expect(cells.nth(7).textContent()).resolves.toBe("计算中");
    await expectNoAxeViolations(page, "reports, p90s pending (zh)");

    // The next fill ranks the marked periods first (here: a fill of no new day).
    await t.hub.reports.service.refreshPeriods([]);
    const again = (await t.api<Report>("GET", month, undefined, sup)).body;
    expect(again.p90Pending).toBe(false);
    expect(again.total.p90WaitS).toBe(ranked.total.p90WaitS);
    await page.locator("form.rp-query button[type=submit]").click();
    await page.getByTestId("p90-pending").waitFor({ state: "detached", ...WAIT });
    await expect(cells.nth(5).textContent()).resolves.not.toBe("计算中");
    await expect(cells.nth(5).textContent()).resolves.toMatch(/\d/);
    await page.close();
  });

  it("the staff frame says who is signed in, and signing out ends the session on the hub too", { timeout: 60_000 }, async () => {
    const page = await newPage(browser, { width: 1500, height: 1000 });
    await page.goto(`${t.url}/admin/reports?lang=zh`);
    // Signed out: the sign-in card, no one named, no sign-out button.
    await page.locator('input[name="username"]').waitFor(WAIT);
    expect(await page.getByTestId("who").count()).toBe(0);
    expect(await page.getByTestId("sign-out").count()).toBe(0);
    await signIn(page, "wangli");
    await page.locator("form.rp-query").waitFor(WAIT);
    await expect(page.getByTestId("who").textContent()).resolves.toBe("王丽");
    const token = (await page.evaluate(() => sessionStorage.getItem("onevisit.admin.token"))) as string;
    expect((await t.api("GET", "/api/reports/followups", undefined, token)).status).toBe(200);
    await page.getByTestId("sign-out").click();
    await page.locator('input[name="username"]').waitFor(WAIT);
    expect(await page.locator("form.rp-query").count()).toBe(0);
    // The token is revoked on the hub, not only forgotten by the page.
    await expect.poll(async () => (await t.api("GET", "/api/reports/followups", undefined, token)).status, WAIT).toBe(401);
    await page.close();
  });

  it("a supervisor closes a 差评 follow-up and the audit log shows it", { timeout: 120_000 }, async () => {
    const low = seeded.filter((s) => s.rating !== null && s.rating <= 2);
    expect(low.length).toBeGreaterThan(0);
    const page = await newPage(browser, { width: 1500, height: 1000 });
    await page.goto(`${t.url}/admin/reports?lang=zh`);
    await signIn(page, "wangli");
    const rows = page.locator('[data-testid="followups"] tbody tr');
    await expect.poll(() => rows.count(), WAIT).toBe(low.length);
    // Last month's are past their three working days: marked overdue.
    expect(await page.locator('[data-testid="followups"] tr.overdue').count()).toBe(low.length);
    const first = rows.first();
    const ticketId = (await first.getAttribute("data-ticket")) as string;
    await first.locator("textarea").fill("已约谈窗口人员，电话回访群众");
    await first.locator("button[type=submit]").click();
    await expect.poll(() => rows.count(), WAIT).toBe(low.length - 1);
    await expectNoAxeViolations(page, "follow-ups (zh)");
    await page.close();

    const audit = await t.api<AuditPage>("GET", "/api/audit?action=followup.close", undefined, await t.adminToken());
    expect(audit.body.rows).toHaveLength(1);
    expect(audit.body.rows[0]).toMatchObject({ actorName: "王丽", actorRole: "supervisor", detail: { ticketId } });
    // And in the console's audit log page.
    const admin = await newPage(browser, { width: 1500, height: 1000 });
    await admin.goto(`${t.url}/admin?lang=zh`);
    await signIn(admin, "admin");
    await admin.getByTestId("tab-audit").click();
    await admin.locator('tr[data-action="followup.close"]').first().waitFor(WAIT);
    await expect(admin.locator('tr[data-action="followup.close"]').first().textContent()).resolves.toContain("差评整改办结");
    await admin.close();
  });
});
