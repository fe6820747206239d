/**
 * Issue 11's help desk "done when", in real Chromium against a real hub: a help case is
 * opened at /helpdesk by the helper the visitor asked first (an enterprise project linking the
 * visitor's case, offered by their ID number), handed over with a reason (the former owner loses the action forms), reminded when
 * it stalls (the hub's clock moved to the next working day: the owner's page gets the push;
 * a working day later the supervisor's page gets the escalation), closed, and the ledger
 * exported as XLSX and CSV, both parsed here. axe-core checks the page in Chinese and English.
 * Needs `npx vite build` first (npm test does it).
 */
import { readFile } from "node:fs/promises";
import ExcelJS from "exceljs";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { CHINA_CALENDAR } from "../../server/src/cases/china-calendar.ts";
import { nextDay } from "../../server/src/cases/calendar.ts";
import type { Case } from "../../server/src/contract/cases.ts";
import { expectNoAxeViolations } from "../helpers/axe.ts";
import { launchBrowser, newPage, screenshot } from "../helpers/browser.ts";
import type { Browser, Page } from "../helpers/browser.ts";
import { startTestHub } from "../helpers/hub.ts";
import type { TestHub } from "../helpers/hub.ts";

const WAIT = { timeout: 20_000 };
const PHONE = "13987654321";

let t: TestHub;
let browser: Browser;

function hallDay(ms: number): string {
  return new Intl.DateTimeFormat("en-CA", { timeZone: "Asia/Shanghai" }).format(ms);
}
function nextWorkday(d: string): string {
  let x = nextDay(d);
  while (!CHINA_CALENDAR.isWorkday(x)) x = nextDay(x);
  return x;
}
/** Move the hub's clock to one minute before the local midnight that starts `day`. */
function toEveOf(day: string): void {
  t.advance(Date.parse(`${day}T00:00:00+08:00`) - 60_000 - t.now());
}

async function signIn(page: Page, username: string): Promise<void> {
  await page.locator('input[name="username"]').fill(username);
  await page.locator('input[name="password"]').fill(t.password(username));
  await page.locator('button[type="submit"]').click();
  await page.getByTestId("who").waitFor(WAIT);
}

describe("help desk in Chromium: opened, handed over, reminded, closed, exported", () => {
  beforeAll(async () => {
    t = await startTestHub();
    browser = await launchBrowser();
  });
  afterAll(async () => {
    await browser?.close();
    await t?.close();
  });

  it("runs a help case from the first ask to the ledger export", async () => {
    const sup = (await t.login("wangli")).token;
    // The matter the enterprise needs, accepted as a case beforehand (the chain's first link).
    const accepted = await t.api<Case>(
      "POST",
      "/api/cases",
      {
        matterId: "m-003",
        applicant: { name: "赵小明", phone: PHONE, idNumber: "371426199001011234" },
        materials: [0, 1, 2, 3, 4].map((index) => ({ index, state: "received" })),
        outcome: "accepted",
      },
      sup,
      { "idempotency-key": "e2e-case-1" },
    );
    expect(accepted.status).toBe(201);
    const caseNo = accepted.body.caseNo;
    expect((await t.api("PUT", "/api/helpdesk/settings", { remindAfterDays: 1, escalateAfterDays: 1 }, sup)).status).toBe(200);

    // 张伟 is asked first: he opens the help case and owns it.
    const a = await newPage(browser, { width: 1280, height: 1000 });
    await a.goto(`${t.url}/helpdesk`);
    await expectNoAxeViolations(a, "helpdesk login (zh)");
    await signIn(a, "zhangwei");
    const form = a.getByTestId("new-case");
    await form.locator('select[name="kind"]').selectOption("project");
    await form.locator('input[name="title"]').fill("企业开办一链办理");
    await form.locator('input[name="visitorName"]').fill("赵小明");
    await form.locator('input[name="phone"]').fill(PHONE);
    await form.locator('input[name="idNumber"]').fill("371426199001011234");
    await form.locator('input[name="company"]').fill("平原县示例有限公司");
    await form.locator('input[name="nextStep"]').fill("陪同办理税务登记");
    await a.getByTestId("open-case").click();
    const view = a.getByTestId("help-case");
    await view.waitFor(WAIT);
    // The visitor's case (found by their ID number) is offered; linking it starts the chain.
    await view.getByTestId("visitor-cases").getByText(caseNo).waitFor(WAIT);
    await view.getByTestId("link-visitor-case").click();
    const helpId = (await view.getAttribute("data-id")) as string;
    expect(helpId).toMatch(/^HB-\d{8}-\d{4}$/);
    await expect.poll(() => a.getByTestId("case-owner").textContent(), WAIT).toBe("张伟");
    await expect.poll(() => a.getByTestId("chain-link").getAttribute("data-status"), WAIT).toBe("accepted");
    expect(await view.textContent()).toContain("3714**********1234");
    expect(await view.textContent()).not.toContain("371426199001011234");
    await a.locator('[data-testid="ledger-row"]', { hasText: helpId }).waitFor(WAIT);
    await expectNoAxeViolations(a, "helpdesk with a help case (zh)");

    // A progress note with the next step and its date.
    await view.locator('input[name="note"]').fill("已核对材料，缺营业场所证明");
    await view.locator('input[name="noteNext"]').fill("补交场所证明");
    const due = nextWorkday(hallDay(t.now()));
    await view.locator('input[name="noteDate"]').fill(due);
    await view.getByTestId("add-note").click();
    await expect.poll(() => a.getByTestId("notes").textContent(), WAIT).toContain("已核对材料，缺营业场所证明");
    expect(await a.getByTestId("case-next").textContent()).toBe(`补交场所证明 (${due})`);

    // Handed over to 李娜 with a reason: recorded, and 张伟 no longer gets the forms.
    await view.locator('select[name="transferTo"]').selectOption({ label: "李娜" });
    await view.locator('input[name="reason"]').fill("张伟调岗，移交李娜继续跟进");
    await view.getByTestId("transfer").click();
    await expect.poll(() => a.getByTestId("case-owner").textContent(), WAIT).toBe("李娜");
    expect(await a.getByTestId("transfers").textContent()).toContain("张伟调岗，移交李娜继续跟进");
    await a.getByTestId("not-owner").waitFor(WAIT);
    expect(await view.getByTestId("add-note").count()).toBe(0);
    // The hub refuses him too, whatever a page shows.
    const v = Number(await view.getAttribute("data-version"));
    const refused = await t.api(
      "POST",
      `/api/helpdesk/cases/${helpId}/notes`,
      { expectedVersion: v, text: "我再看看" },
      (await t.login("zhangwei")).token,
      { "idempotency-key": "e2e-refused" },
    );
    expect([refused.status, refused.body.error.code]).toEqual([403, "NOT_HELP_OWNER"]);

    // No progress: at the next working day the owner, 李娜, is reminded on her page (English).
    const d0 = hallDay(t.now());
    const d1 = nextWorkday(d0);
    const d2 = nextWorkday(d1);
    toEveOf(d1);
    const b = await newPage(browser, { width: 1280, height: 1000 });
    await b.goto(`${t.url}/helpdesk?lang=en`);
    await signIn(b, "lina");
    await b.locator('[data-testid="ledger-row"]', { hasText: helpId }).waitFor(WAIT);
    expect(await b.getByTestId("reminders").locator('[data-testid="reminder"]').count()).toBe(0);
    t.advance(120_000);
    const reminder = b.getByTestId("reminders").locator('[data-testid="reminder"]', { hasText: helpId });
    await reminder.waitFor(WAIT);
    expect(await reminder.getAttribute("data-level")).toBe("1");
    expect(await reminder.textContent()).toContain("no progress for 1 working day(s)");
    await expectNoAxeViolations(b, "helpdesk with a reminder (en)");
    await screenshot(b, "helpdesk-reminded-en");

    // A working day later still nothing: the supervisor's page gets the escalation.
    toEveOf(d2);
    const c = await newPage(browser, { width: 1280, height: 1000 });
    await c.goto(`${t.url}/helpdesk`);
    await signIn(c, "wangli");
    // The supervisor's page shows the intervals set above.
    await expect.poll(() => c.getByTestId("settings").locator('input[name="remindAfterDays"]').inputValue(), WAIT).toBe("1");
    t.advance(120_000);
    const escalated = c.getByTestId("reminders").locator('[data-testid="reminder"]', { hasText: helpId });
    await escalated.waitFor(WAIT);
    expect(await escalated.getAttribute("data-level")).toBe("2");
    expect(await escalated.textContent()).toContain("已提请主管督办");

    // 李娜 signs in again (her session from yesterday evening has ended), closes the help case.
    await b.goto(`${t.url}/helpdesk?lang=en`);
    if ((await b.locator('input[name="username"]').count()) === 0) {
      await b.evaluate(() => sessionStorage.clear());
      await b.reload();
    }
    await signIn(b, "lina");
    await b.getByTestId("reminders").locator('[data-testid="reminder"]', { hasText: helpId }).locator("button").click();
    const bv = b.getByTestId("help-case");
    await bv.waitFor(WAIT);
    await expectNoAxeViolations(b, "a help case with its owner's forms (en)");
    await bv.locator('input[name="closeNote"]').fill("All three licences issued");
    await bv.getByTestId("close-case").click();
    await expect.poll(() => b.getByTestId("case-status").textContent(), WAIT).toBe("Closed");
    expect(await b.getByTestId("case-close-note").textContent()).toBe("All three licences issued");
    expect(await bv.getByTestId("close-case").count()).toBe(0);
    // The ledger filtered to closed cases of the owner shows it.
    await b.locator('select[name="status"]').selectOption("closed");
    await b.locator('[data-testid="ledger-row"]', { hasText: helpId }).waitFor(WAIT);

    // Exports: the files the browser downloads, parsed.
    const [xlsxDl] = await Promise.all([b.waitForEvent("download"), b.getByTestId("export-xlsx").click()]);
    const wb = new ExcelJS.Workbook();
    await wb.xlsx.load((await readFile((await xlsxDl.path()) as string)) as unknown as ArrayBuffer);
    const ws = wb.worksheets[0];
    if (!ws) throw new Error("no worksheet");
    const header = (ws.getRow(1).values as unknown[]).slice(1);
    expect(header).toContain("Help case");
    const rows: Record<string, unknown>[] = [];
    ws.eachRow((row, i) => {
      if (i === 1) return;
      const vals = (row.values as unknown[]).slice(1);
      rows.push(Object.fromEntries(header.map((h, j) => [String(h), vals[j]])));
    });
    const xrow = rows.find((r) => r["Help case"] === helpId);
    expect(xrow).toMatchObject({
      Status: "closed",
      Owner: "李娜",
      Visitor: "赵**",
      Phone: "139****4321",
      Transfers: 1,
      "Linked cases": 1,
    });
    expect(rows.every((r) => r.Status === "closed")).toBe(true);
    const [csvDl] = await Promise.all([b.waitForEvent("download"), b.getByTestId("export-csv").click()]);
    const csv = (await readFile((await csvDl.path()) as string, "utf8")).replace(/^\uFEFF/, "");
    const lines = csv.trim().split("\r\n");
    const cols = (lines[0] as string).split(",");
    const line = lines.find((l) => l.startsWith(`${helpId},`));
    if (!line) throw new Error(`no CSV line for ${helpId}`);
    const rec = Object.fromEntries(line.split(",").map((x, i) => [cols[i], x]));
    expect(rec).toMatchObject({
      Status: "closed",
      Owner: "李娜",
      Visitor: "赵**",
      Phone: "139****4321",
      Subject: "企业开办一链办理",
    });
    expect(csv).not.toContain(PHONE);
    expect(csv).not.toContain("371426199001011234");
    await screenshot(b, "helpdesk-closed-en");
  }, 120_000);
});
