/**
 * Issue 13's "Done when", in real Chromium against a real hub: an admin imports the
 * reference hall's 1,410-matter file (the dry run shown, then applied), adds a clerk, pairs
 * a kiosk with the code its page shows, and finds every one of these actions in the audit
 * log page; the new clerk opens a counter and the advice panel moves it to a series with a
 * line, in one click; last month's report (its days' journals were in the data folder when
 * the hub started) is read and downloaded as XLSX, and its cells read back with exceljs.
 * Needs `npx vite build` first (npm test does it).
 */
import { existsSync } from "node:fs";
import path from "node:path";
import ExcelJS from "exceljs";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { FIXTURE_XLSX } from "../../bench/catalogue-fixture.ts";
import type { Catalogue } from "../../server/src/contract/catalogue.ts";
import { type Browser, launchBrowser, newPage, screenshot } from "../helpers/browser.ts";
import type { TestHub } from "../helpers/hub.ts";
import { lastMonthWeekdays, type SeededTicket, startSeededHub } from "../server/reports/history.ts";

const WAIT = { timeout: 30_000 };

let t: TestHub;
let browser: Browser;
/** Last month's hall days, journals in the data folder before the hub started. */
let seeded: SeededTicket[] = [];
let days: string[] = [];
let passwordOf: (username: string) => string;
let remove: () => Promise<void>;

describe("issue 13, done when: the hall is run from the admin console", () => {
  beforeAll(async () => {
    if (!existsSync(path.resolve("dist/admin-ui/index.html"))) throw new Error("dist/ is not built: run `npx vite build` first");
    // Last month's days happened (their journals are filled into the report history at
    // start); no loopback auto-pairing: the kiosk must be paired by the admin, with its code.
    let password: (username: string) => string;
    ({ t, seeded, days, password, remove } = await startSeededHub({
      days: (today) => lastMonthWeekdays(today).slice(0, 3),
      perDay: 40,
      clerks: [{ staffId: "s-hist-1", name: "历史甲", counterId: "c01" }],
      seed: 7,
      hub: { autoPairLoopback: false },
    }));
    passwordOf = password;
    browser = await launchBrowser();
  }, 120_000);
  afterAll(async () => {
    await browser?.close();
    await t?.close();
    await remove?.();
  });

  it("imports 1,410 matters, adds a clerk, moves a counter from the advice panel, pairs a kiosk, reads last month's report as XLSX, and sees each action in the audit log", {
    timeout: 240_000,
  }, async () => {
    const page = await newPage(browser, { width: 1366, height: 1000 });
    await page.goto(`${t.url}/admin`);
    await page.locator('input[name="username"]').fill("admin");
    await page.locator('input[name="password"]').fill(passwordOf("admin"));
    await page.locator('button[type="submit"]').click();
    await page.getByTestId("who").waitFor(WAIT);

    // ---- 1. Import the reference hall's catalogue: dry run first, then apply. ----
    await page.getByTestId("tab-catalogue").click();
    await page.locator('input[name="catalogue-files"]').setInputFiles(FIXTURE_XLSX);
    await page.getByTestId("dry-run").click();
    await page.getByTestId("import-report").waitFor(WAIT);
    // The dry run shows what would change, and changed nothing yet.
    await expect(page.getByTestId("added-matters").textContent()).resolves.toBe("1302");
    await expect(page.getByTestId("added-departments").textContent()).resolves.toBe("27");
    expect(await page.getByTestId("import-problems").count()).toBe(0);
    expect((await t.api<Catalogue>("GET", "/api/hall")).body.matters).toHaveLength(108);
    await screenshot(page, "done-when-dry-run");
    await page.getByTestId("apply-import").click();
    await page.getByTestId("import-applied").waitFor(WAIT);
    const hall = (await t.api<Catalogue>("GET", "/api/hall")).body;
    expect(hall.matters).toHaveLength(1410);
    expect(hall.departments).toHaveLength(47);
    // The page shows the catalogue in force: the matters tab counts them.
    await expect.poll(() => page.getByTestId("table-matters").textContent(), WAIT).toContain("1410");

    // ---- 2. Add a clerk at counter c07; the password is shown once and works. ----
    await page.getByTestId("tab-staff").click();
    await page.locator('input[name="new-username"]').fill("zhaolei");
    await page.locator('input[name="new-name"]').fill("赵磊");
    await page.locator('select[name="new-role"]').selectOption("clerk");
    await page.locator('select[name="new-counter"]').selectOption("c07");
    await page.getByTestId("add-staff").click();
    const shown = page.getByTestId("password-value");
    await shown.waitFor(WAIT);
    const password = (await shown.textContent()) ?? "";
    expect((await t.api("POST", "/api/auth/login", { username: "zhaolei", password })).status).toBe(200);
    await page.getByTestId("staff-zhaolei").waitFor(WAIT);

    // ---- 3. Move a counter to another series from the advice panel. ----
    // The new clerk opens c07 (their page stays open: a holder whose page is gone is
    // released); a series c07 does not serve gets a line; the panel proposes c07 for it.
    const clerkToken = (await t.login("zhaolei", password)).token;
    const clerkPage = t.socket({ token: clerkToken });
    await new Promise<void>((r) => clerkPage.once("connect", () => r()));
    expect((await t.api("POST", "/api/counters/c07/sign-in", {}, clerkToken)).status).toBe(200);
    const c07 = hall.counters.find((c) => c.id === "c07");
    const busy = hall.queues.find(
      (q) =>
        !c07?.profile.queueIds.includes(q.id) &&
        (q.hours.length === 0 || q.hours.some((h) => h.from <= "10:00" && "10:30" < h.to)) &&
        hall.matters.some((m) => m.queueId === q.id),
    );
    if (!c07 || !busy) throw new Error("the reference hall has no series issuing at 10:00 that c07 does not serve");
    const busyMatter = hall.matters.find((m) => m.queueId === busy.id)?.id as string;
    for (let i = 0; i < 12; i++) expect((await t.issue({ matterId: busyMatter })).status).toBe(201);
    await page.getByTestId("tab-floor").click();
    await page.getByTestId("advice-refresh").click();
    const proposal = page.getByTestId(`proposal-text-${busy.id}`);
    await proposal.waitFor(WAIT);
    await expect(proposal.textContent()).resolves.toContain("7号窗口");
    await page.getByTestId(`apply-${busy.id}`).click();
    await page.getByTestId("advice-applied").waitFor(WAIT);
    await expect
      .poll(
        async () => (await t.api<Catalogue>("GET", "/api/hall")).body.counters.find((c) => c.id === "c07")?.profile.queueIds,
        WAIT,
      )
      .toContain(busy.id);

    // ---- 4. Pair a kiosk: its page shows a code, the admin approves it as k9. ----
    const kiosk = await newPage(browser, { width: 1080, height: 1920, hasTouch: true });
    await kiosk.goto(`${t.url}/kiosk?kiosk=k9`);
    const codeEl = kiosk.getByTestId("pairing-code");
    await codeEl.waitFor(WAIT);
    const code = (await codeEl.getAttribute("data-code")) ?? "";
    expect(code).toMatch(/^\d{6}$/);
    await page.getByTestId("tab-pairing").click();
    await page.getByTestId(`pending-${code}`).waitFor(WAIT);
    await page.locator(`input[name="pair-id-${code}"]`).fill("k9");
    await page.getByTestId(`approve-${code}`).click();
    await page.getByTestId("paired-kiosk-k9").waitFor(WAIT);
    // The kiosk starts by itself, with the 1,410-matter catalogue.
    await kiosk.locator(".kiosk[data-live]").waitFor(WAIT);
    await kiosk.context().close();

    // ---- 5. Last month's report, downloaded as XLSX and read back. ----
    await page.getByTestId("link-reports").click();
    await page.locator("form.rp-query").waitFor(WAIT);
    await page.locator('select[name="period"]').selectOption("month");
    await page.locator('input[name="date"]').fill(days[0] as string);
    await page.locator('select[name="by"]').selectOption("series");
    await page.locator("form.rp-query button[type=submit]").click();
    await page.getByTestId("report").waitFor(WAIT);
    await expect(page.getByTestId("total").locator("td").first().textContent()).resolves.toBe(String(seeded.length));
    const [dl] = await Promise.all([page.waitForEvent("download"), page.getByTestId("export-groups-xlsx").click()]);
    const wb = new ExcelJS.Workbook();
    await wb.xlsx.readFile((await dl.path()) as string);
    const ws = wb.worksheets[0];
    if (!ws) throw new Error("the report's workbook has no sheet");
    const rows = Array.from({ length: ws.rowCount - 1 }, (_, i) => (ws.getRow(i + 2).values as unknown[]).slice(1));
    for (const q of new Set(seeded.map((x) => x.queueId))) {
      const mine = seeded.filter((x) => x.queueId === q);
      expect(rows.find((r) => r[0] === q)?.slice(2, 4), q).toEqual([
        mine.length,
        mine.filter((x) => x.outcome === "served").length,
      ]);
    }
    expect(rows.find((r) => r[1] === "合计")?.[2]).toBe(seeded.length);
    await page.goto(`${t.url}/admin`);
    await page.getByTestId("who").waitFor(WAIT);

    // ---- 6. Every action is in the audit log page, by the admin. ----
    const AUDITED: { action: string; text: string }[] = [
      { action: "catalogue.import", text: "导入事项目录" },
      { action: "staff.create", text: "新增人员" },
      { action: "pairing.approve", text: "批准配对" },
      { action: "advice.apply", text: "按建议调整窗口" },
    ];
    await page.getByTestId("tab-audit").click();
    await page.getByTestId("audit-table").waitFor(WAIT);
    for (const a of AUDITED) {
      const row = page.locator(`tr[data-action="${a.action}"]`).first();
      await row.waitFor(WAIT);
      const text = (await row.textContent()) ?? "";
      expect(text, a.action).toContain("管理员");
      expect(text, a.action).toContain(a.text);
    }
    // What each row says: the import's counts, the clerk's account, the kiosk's id.
    await expect(page.locator('tr[data-action="catalogue.import"]').first().textContent()).resolves.toContain(
      "reference-hall-catalogue.xlsx",
    );
    await expect(page.locator('tr[data-action="staff.create"]').first().textContent()).resolves.toContain("zhaolei");
    await expect(page.locator('tr[data-action="pairing.approve"]').first().textContent()).resolves.toContain("kiosk:k9");
    await screenshot(page, "done-when-audit");
    await page.context().close();
  });
});
