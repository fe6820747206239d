/**
 * The catalogue section of the admin console in real Chromium against a real hub (issue 13):
 * a series edited in the page goes live with its diff in the audit log; an edit made while
 * another admin saved is refused as a conflict (the other admin's change stays); a CSV with
 * mistakes shows each in the dry run and cannot be applied; the workbook downloads and reads
 * back with exceljs. axe-core checks the section. Needs `npx vite build` first.
 */
import { existsSync } from "node:fs";
import { readFile } from "node:fs/promises";
import path from "node:path";
import ExcelJS from "exceljs";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { AuditPage } from "../../server/src/contract/audit.ts";
import type { Catalogue } from "../../server/src/contract/catalogue.ts";
import { expectNoAxeViolations } from "../helpers/axe.ts";
import { type Browser, launchBrowser, newPage, type Page } from "../helpers/browser.ts";
import { startTestHub, type TestHub } from "../helpers/hub.ts";

const WAIT = { timeout: 20_000 };

let t: TestHub;
let browser: Browser;

async function signIn(page: Page): Promise<void> {
  await page.goto(`${t.url}/admin`);
  await page.locator('input[name="username"]').fill("admin");
  await page.locator('input[name="password"]').fill(t.password("admin"));
  await page.locator('button[type="submit"]').click();
  await page.getByTestId("who").waitFor(WAIT);
  await page.getByTestId("tab-catalogue").click();
  await page.getByTestId("grid-matters").waitFor(WAIT);
}

const hall = async () => (await t.api<Catalogue>("GET", "/api/hall")).body;

describe("admin console: catalogue in Chromium", () => {
  beforeAll(async () => {
    if (!existsSync(path.resolve("dist/admin-ui/index.html"))) throw new Error("dist/ is not built: run `npx vite build` first");
    t = await startTestHub();
    browser = await launchBrowser();
  });
  afterAll(async () => {
    await browser?.close();
    await t?.close();
  });

  it("edits a series in the page and saves it live, audited with its diff", { timeout: 90_000 }, async () => {
    const page = await newPage(browser, { width: 1366, height: 1000 });
    await signIn(page);
    await expectNoAxeViolations(page, "admin catalogue (zh)");
    await page.getByTestId("table-series").click();
    await page.getByTestId("edit-series-q-a").click();
    await page.getByTestId("row-form").waitFor(WAIT);
    await page.locator('input[name="cell-dailyCap"]').fill("321");
    await page.locator('input[name="cell-hours"]').fill("8:30-12:00；13:30-17:30");
    await page.getByTestId("row-ok").click();
    // Not yet in the hall: the page lists the pending change first.
    await page.getByTestId("pending").waitFor(WAIT);
    await expect(page.getByTestId("changed-series").textContent()).resolves.toBe("1");
    expect((await hall()).queues.find((q) => q.id === "q-a")?.dailyCap).not.toBe(321);
    await page.getByTestId("save-catalogue").click();
    await page.getByTestId("catalogue-saved").waitFor(WAIT);
    const qa = (await hall()).queues.find((q) => q.id === "q-a");
    expect(qa?.dailyCap).toBe(321);
    expect(qa?.hours).toEqual([
      { from: "08:30", to: "12:00" },
      { from: "13:30", to: "17:30" },
    ]);
    const log = await t.api<AuditPage>("GET", "/api/audit?action=catalogue.replace", undefined, await t.adminToken());
    const paths = log.body.rows[0]?.detail.changes?.map((c) => c.path) ?? [];
    expect(paths).toContain("queues[q-a].dailyCap");
    await page.context().close();
  });

  it("refuses a save made on a catalogue another admin changed meanwhile, keeping theirs", { timeout: 90_000 }, async () => {
    const page = await newPage(browser, { width: 1366, height: 1000 });
    await signIn(page);
    await page.getByTestId("table-zones").click();
    await page.getByTestId("edit-zones-z1").click();
    await page.locator('input[name="cell-floor"]').fill("9F");
    await page.getByTestId("row-ok").click();
    await page.getByTestId("pending").waitFor(WAIT);
    // Another admin saves a notice (over the API, as another console would).
    const cat = await hall();
    const other = await t.api(
      "PUT",
      "/api/catalogue",
      { ...cat, hall: { ...cat.hall, notice: "另一位管理员的通知" } },
      await t.adminToken(),
      {
        "if-match": `"${cat.version}"`,
      },
    );
    expect(other.status).toBe(200);
    await page.getByTestId("save-catalogue").click();
    await expect(page.getByTestId("error").textContent()).resolves.toContain("其他管理员修改");
    const now = await hall();
    expect(now.hall.notice).toBe("另一位管理员的通知");
    expect(now.zones.find((z) => z.id === "z1")?.floor).not.toBe("9F");
    // The page dropped the stale edit and shows the catalogue in force.
    await page.getByTestId("pending").waitFor({ state: "detached", ...WAIT });
    await page.context().close();
  });

  it("shows every mistake of a CSV in the dry run and does not apply it; the workbook downloads", {
    timeout: 90_000,
  }, async () => {
    const page = await newPage(browser, { width: 1366, height: 1000 });
    await signIn(page);
    const before = await hall();
    const csv =
      "编号,名称,英文名称,部门,号类,法定时限（工作日）,承诺时限（工作日）,收费（元）\r\nm-001,,Lost,d-01,q-a,20,三天,0\r\n";
    await page
      .locator('input[name="catalogue-files"]')
      .setInputFiles({ name: "事项.csv", mimeType: "text/csv", buffer: Buffer.from(csv) });
    await page.getByTestId("dry-run").click();
    await page.getByTestId("import-problems").waitFor(WAIT);
    const problems = await page.getByTestId("problem").allTextContents();
    expect(problems).toEqual(
      expect.arrayContaining([
        expect.stringMatching(/^事项\.csv2名称不能为空$/),
        expect.stringMatching(/^事项\.csv2承诺时限（工作日）“三天”不是数字$/),
      ]),
    );
    await expect(page.getByTestId("problem-count").textContent()).resolves.toMatch(/发现 \d+ 个问题/);
    expect(await page.getByTestId("apply-import").isDisabled()).toBe(true);
    await expectNoAxeViolations(page, "admin catalogue dry run (zh)");
    expect((await hall()).version).toBe(before.version);

    const [dl] = await Promise.all([page.waitForEvent("download"), page.getByTestId("export-catalogue-xlsx").click()]);
    const wb = new ExcelJS.Workbook();
    await wb.xlsx.load((await readFile((await dl.path()) as string)) as unknown as ArrayBuffer);
    expect(wb.getWorksheet("事项")?.actualRowCount).toBe(before.matters.length + 1);
    expect(wb.getWorksheet("号类")?.getRow(1).getCell(1).value).toBe("编号");
    await page.context().close();
  });
});
