/**
 * The admin console in real Chromium against a real hub (issue 13): an admin signs in at
 * /admin, resets a clerk's password (shown once: the clerk signs in with it, the old one
 * fails, and the password is gone from the page once closed), approves the pairing code an
 * unpaired kiosk page shows (the kiosk then starts), sees both in the audit log, and
 * exports it as CSV (parsed here). The device board follows a printer's paper-out live. A
 * supervisor sees only the device board. axe-core checks the page in Chinese and English.
 * Needs `npx vite build` first (npm test does it).
 */
import { existsSync } from "node:fs";
import { readFile } from "node:fs/promises";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { expectNoAxeViolations } from "../helpers/axe.ts";
import { type Browser, launchBrowser, newPage, type Page, screenshot } from "../helpers/browser.ts";
import { startTestHub, type TestHub } from "../helpers/hub.ts";

const WAIT = { timeout: 20_000 };

let t: TestHub;
let browser: Browser;

async function signIn(page: Page, username: string, password = t.password(username)): Promise<void> {
  await page.locator('input[name="username"]').fill(username);
  await page.locator('input[name="password"]').fill(password);
  await page.locator('button[type="submit"]').click();
  await page.getByTestId("who").waitFor(WAIT);
}

describe("admin console in Chromium", () => {
  beforeAll(async () => {
    if (!existsSync(path.resolve("dist/admin-ui/index.html"))) throw new Error("dist/ is not built: run `npx vite build` first");
    t = await startTestHub({ autoPairLoopback: false });
    browser = await launchBrowser();
  });
  afterAll(async () => {
    await browser?.close();
    await t?.close();
  });

  it("resets a clerk's password, approves a pairing code, and finds both in the audit log and its CSV", {
    timeout: 150_000,
  }, async () => {
    const page = await newPage(browser, { width: 1366, height: 1000 });
    await page.goto(`${t.url}/admin`);
    await expect(page.locator("h1").textContent()).resolves.toBe("大厅管理");
    await expectNoAxeViolations(page, "admin sign-in (zh)");
    await signIn(page, "admin");

    // Staff: reset 张伟's password; it is shown once.
    await page.getByTestId("staff-zhangwei").waitFor(WAIT);
    await expectNoAxeViolations(page, "admin staff (zh)");
    const oldPassword = t.password("zhangwei");
    await page.getByTestId("reset-zhangwei").click();
    const shown = page.getByTestId("password-value");
    await shown.waitFor(WAIT);
    const newPassword = (await shown.textContent()) ?? "";
    expect(newPassword.length).toBeGreaterThanOrEqual(8);
    expect(newPassword).not.toBe(oldPassword);
    await expect(page.getByTestId("new-password").textContent()).resolves.toContain("只显示这一次");
    expect((await t.api("POST", "/api/auth/login", { username: "zhangwei", password: oldPassword })).status).toBe(401);
    expect((await t.api("POST", "/api/auth/login", { username: "zhangwei", password: newPassword })).status).toBe(200);
    // Closed, it is gone from the page and never comes back (the hub keeps only its hash).
    await page.getByTestId("new-password").getByRole("button").click();
    expect(await page.getByTestId("password-value").count()).toBe(0);
    expect(await page.content()).not.toContain(newPassword);

    // Pairing: an unpaired kiosk page shows its code; the admin approves it in the console.
    const kiosk = await newPage(browser, { width: 1080, height: 1920, hasTouch: true });
    await kiosk.goto(`${t.url}/kiosk?kiosk=k9`);
    const codeEl = kiosk.getByTestId("pairing-code");
    await codeEl.waitFor(WAIT);
    const code = (await codeEl.getAttribute("data-code")) ?? "";
    expect(code).toMatch(/^\d{6}$/);
    await page.getByTestId("tab-pairing").click();
    await page.getByTestId(`pending-${code}`).waitFor(WAIT);
    await expectNoAxeViolations(page, "admin pairing (zh)");
    await page.locator(`input[name="pair-id-${code}"]`).fill("k9");
    await page.getByTestId(`approve-${code}`).click();
    await page.getByTestId("approved").waitFor(WAIT);
    await page.getByTestId("paired-kiosk-k9").waitFor(WAIT);
    // The kiosk claims its token by itself and starts.
    await kiosk.locator(".kiosk[data-live]").waitFor(WAIT);
    await kiosk.context().close();

    // Audit log: both actions, with who and from where.
    await page.getByTestId("tab-audit").click();
    await page.getByTestId("audit-table").waitFor(WAIT);
    const reset = page.locator('tr[data-action="staff.password-reset"]');
    await reset.first().waitFor(WAIT);
    await expect(reset.first().textContent()).resolves.toMatch(/管理员.*重置密码/);
    await expect(reset.first().textContent()).resolves.toContain("zhangwei");
    const approve = page.locator('tr[data-action="pairing.approve"]');
    await expect(approve.first().textContent()).resolves.toContain("kiosk:k9");
    await expect(approve.first().textContent()).resolves.toContain("127.0.0.1");
    await expectNoAxeViolations(page, "admin audit (zh)");
    // Filtered to one action.
    await page.locator('select[name="action"]').selectOption("pairing.approve");
    await page.getByTestId("audit-search").click();
    await expect.poll(() => page.locator("tr[data-action]").count(), WAIT).toBe(1);
    await page.locator('select[name="action"]').selectOption("");
    await page.getByTestId("audit-search").click();
    await expect.poll(() => page.locator('tr[data-action="staff.password-reset"]').count(), WAIT).toBe(1);
    await page.getByTestId("verify").click();
    await expect(page.getByTestId("chain").textContent()).resolves.toMatch(/校验通过/);

    // Export as CSV: the browser downloads it; the file holds both rows and no password.
    const [dl] = await Promise.all([page.waitForEvent("download"), page.getByTestId("export-csv").click()]);
    const csv = (await readFile((await dl.path()) as string, "utf8")).replace(/^\uFEFF/, "");
    const lines = csv.trim().split("\r\n");
    expect(lines[0]?.split(",").slice(0, 6)).toEqual(["序号", "时间", "操作人", "账号编号", "角色", "操作"]);
    expect(lines.some((l) => l.includes("staff.password-reset") && l.includes("zhangwei"))).toBe(true);
    expect(lines.some((l) => l.includes("pairing.approve") && l.includes("kiosk:k9"))).toBe(true);
    expect(csv).not.toContain(newPassword);
    // The export itself is in the log.
    await page.getByTestId("audit-search").click();
    await page.locator('tr[data-action="audit.export"]').first().waitFor(WAIT);

    // English.
    await page.getByTestId("lang").click();
    await expect(page.locator("h1").textContent()).resolves.toBe("Hall administration");
    await expect(page.locator('tr[data-action="pairing.approve"]').first().textContent()).resolves.toContain(
      "Approved a pairing",
    );
    await expectNoAxeViolations(page, "admin audit (en)");
    await screenshot(page, "admin-audit-en");

    // The device board follows a printer's health live.
    await page.getByTestId("tab-devices").click();
    await page.getByTestId("device-table").waitFor(WAIT);
    const devices = await t.api<{ id: string; kind: string }[]>("GET", "/api/devices", undefined, await t.adminToken());
    const printer = devices.body.find((d) => d.kind === "printer");
    if (!printer) throw new Error("the demo hall has no printer");
    await expect(page.getByTestId(`health-${printer.id}`).textContent()).resolves.toBe("Online");
    expect(
      (await t.api("POST", `/api/devices/${printer.id}/simulate`, { fault: "paper_out" }, await t.adminToken())).status,
    ).toBe(200);
    await expect.poll(() => page.getByTestId(`health-${printer.id}`).textContent(), WAIT).toMatch(/^Out of paper since/);
    await expectNoAxeViolations(page, "admin devices (en)");
    // A test print on a printer out of paper says so; refilled, it prints.
    await page.getByTestId(`test-print-${printer.id}`).click();
    await expect.poll(() => page.getByTestId("test-print-result").textContent(), WAIT).toMatch(/test print failed \(PAPER_OUT\)/);
    expect((await t.api("POST", `/api/devices/${printer.id}/simulate`, { fault: "ok" }, await t.adminToken())).status).toBe(200);
    await expect.poll(() => page.getByTestId(`health-${printer.id}`).textContent(), WAIT).toBe("Online");
    await page.getByTestId(`test-print-${printer.id}`).click();
    await expect.poll(() => page.getByTestId("test-print-result").textContent(), WAIT).toMatch(/printed a test ticket/);
    await page.context().close();
  });

  it("lets a supervisor move a counter to another series (audited with its diff) and see the device board only", {
    timeout: 90_000,
  }, async () => {
    const page = await newPage(browser, { width: 1366, height: 1000 });
    await page.goto(`${t.url}/admin`);
    await signIn(page, "wangli");
    expect(await page.getByTestId("tab-audit").count()).toBe(0);
    expect(await page.getByTestId("tab-staff").count()).toBe(0);
    expect(await page.getByTestId("tab-pairing").count()).toBe(0);
    // Counters: open one more series at counter c07 (it serves A only).
    await page.getByTestId("counter-table").waitFor(WAIT);
    const before = (await page.getByTestId("queues-c07").textContent()) ?? "";
    expect(before).not.toContain("B 不动产登记");
    await page.getByTestId("edit-profile-c07").click();
    await page.getByTestId("profile-form").waitFor(WAIT);
    await expectNoAxeViolations(page, "admin counters as supervisor (zh)");
    await page.locator('input[name="queue-q-b"]').check();
    await page.getByTestId("save-profile").click();
    await expect(page.getByTestId("profile-saved").textContent()).resolves.toContain("B 不动产登记");
    await expect.poll(() => page.getByTestId("queues-c07").textContent(), WAIT).toContain("B 不动产登记");
    const hall = await t.api<{ counters: { id: string; profile: { queueIds: string[] } }[] }>("GET", "/api/hall");
    expect(hall.body.counters.find((c) => c.id === "c07")?.profile.queueIds).toContain("q-b");
    const audit = await t.api<{
      rows: { actorName: string; target?: string; detail: { changes?: { path: string; after?: unknown }[] } }[];
    }>("GET", "/api/audit?action=counter.profile", undefined, await t.adminToken());
    expect(audit.body.rows[0]).toMatchObject({ actorName: "王丽", target: "c07" });
    expect(audit.body.rows[0]?.detail.changes?.[0]?.path).toBe("queueIds");
    expect(audit.body.rows[0]?.detail.changes?.[0]?.after).toContain("q-b");

    await page.getByTestId("tab-devices").click();
    await page.getByTestId("device-table").waitFor(WAIT);
    // No edit buttons for a supervisor.
    expect(await page.getByTestId("save-device").count()).toBe(0);
    await expectNoAxeViolations(page, "admin devices as supervisor (zh)");
    await page.context().close();
  });
});
