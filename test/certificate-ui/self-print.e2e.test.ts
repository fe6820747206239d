/**
 * Issue 12's print-once end to end with the window (real Chromium, simulated devices): a
 * visitor prints their certificate at terminal t1, which hands it over — the progress page
 * says it was collected by self-print, the 统一出证 window finds it collected and will not
 * hand it over again — and the clerk at the window prints a second copy (补打) with a
 * reason, on the terminal's A4 printer, the copy's PDF text checked from what the printer
 * received; and the wall's device panel shows the terminal printer's toner-low warning.
 * Needs `npx vite build` first (npm test does it).
 */
import { existsSync } from "node:fs";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Case } from "../../server/src/contract/cases.ts";
import { expectNoAxeViolations } from "../helpers/axe.ts";
import { type Browser, launchBrowser, newPage } from "../helpers/browser.ts";
import { startTestHub, type TestHub } from "../helpers/hub.ts";
import { pdfText } from "../helpers/ippeveprinter.ts";
import { makeCase, placeCard, removeCard, setUpTerminal } from "../server/terminals/fixtures.ts";

const OWNER = { name: "王小明", idNumber: "371426199001011234", phone: "13912345678" };
const WAIT = { timeout: 15_000 };

let t: TestHub;
let browser: Browser;
let mine: Case;

function a4() {
  const s = t.hub.devices.simulators("a4-t1")?.a4Sim;
  if (!s) throw new Error("no simulated A4 printer at t1");
  return s;
}

beforeAll(async () => {
  for (const f of ["dist/terminal-ui/index.html", "dist/certificate-ui/index.html", "dist/office-ui/progress.html"])
    if (!existsSync(path.resolve(f))) throw new Error("dist/ is not built: run `npx vite build` first");
  t = await startTestHub();
  await setUpTerminal(t);
  mine = await makeCase(t, OWNER);
  browser = await launchBrowser();
}, 180_000);

afterAll(async () => {
  await browser?.close();
  await t?.close();
});

describe("self-print at the terminal, then a clerk's copy at the window", () => {
  it("the print hands the certificate over; the window sees it collected and prints a recorded second copy", {
    timeout: 150_000,
  }, async () => {
    // The visitor at terminal t1.
    const term = await newPage(browser, { width: 1080, height: 1920, hasTouch: true });
    await term.goto(`${t.url}/terminal?terminal=t1`);
    await term.locator(".terminal[data-live]").waitFor(WAIT);
    placeCard(t, OWNER);
    await term.locator(`[data-case="${mine.caseNo}"]`).waitFor(WAIT);
    await removeCard(t);
    await term.getByTestId(`print-${mine.caseNo}`).click();
    await expect.poll(() => term.getByTestId("notice").textContent(), { timeout: 60_000 }).toContain("打印完成");
    expect(a4().printed).toHaveLength(1);
    await term.close();

    // The progress page: collected, by self-print.
    const phone = await newPage(browser, { width: 390, height: 844, hasTouch: true });
    await phone.goto(`${t.url}/q/${mine.caseNo}`);
    await phone.locator('input[name="check"]').fill("5678");
    await phone.getByTestId("check-submit").click();
    await phone.getByTestId("case-view").waitFor(WAIT);
    await expect.poll(() => phone.getByTestId("case-status").textContent(), WAIT).toBe("已领取");
    await expect(phone.getByTestId("collected").textContent()).resolves.toContain("自助终端自助打印");
    await expect(phone.locator('[data-testid="timeline"] li[data-action="collect"]').textContent()).resolves.toContain(
      "自助终端",
    );
    await expectNoAxeViolations(phone, "progress page, self-printed (zh)");
    await phone.close();

    // The clerk at window c43.
    const win = await newPage(browser, { width: 1920, height: 1080 });
    await win.goto(`${t.url}/certificates?counter=c43`);
    await win.locator("input[name=username]").fill("zhuhong");
    await win.locator("input[name=password]").fill(t.password("zhuhong"));
    await win.locator("button[type=submit]").click();
    await win.getByTestId("window-ready").waitFor(WAIT);
    await win.locator('input[name="code"]').fill(mine.caseNo);
    await win.getByTestId("find").click();
    const card = win.getByTestId(`match-${mine.caseNo}`);
    await card.waitFor(WAIT);
    expect(await card.getAttribute("data-status")).toBe("collected");
    await expect(card.getByTestId("collected-by").textContent()).resolves.toContain("自助终端 t1");
    // Collected once: no hand-over form, only the copy.
    expect(await card.getByTestId("collect-form").count()).toBe(0);
    await card.locator('input[name="copyReason"]').fill("原件污损");
    await expectNoAxeViolations(win, "certificate window, copy form (zh)");
    await card.getByTestId("copy-terminal").click();
    await expect.poll(() => card.getByTestId("copy-done").getAttribute("data-copy"), WAIT).toBe("2");
    expect(a4().printed).toHaveLength(2);
    const text = pdfText(a4().printed[1] as Buffer);
    expect(text).toContain(mine.caseNo);
    expect(text).toContain("补打（第 2 份）");
    expect(text).toContain("朱红");
    // The wall's device panel: the terminal's printer low on toner, still working (amber, not a fault).
    const wall = await newPage(browser, { width: 1920, height: 1080 });
    await wall.goto(`${t.url}/wall`);
    await wall.getByTestId("device-faults").waitFor(WAIT);
    const r = await t.api("POST", "/api/devices/a4-t1/simulate", { fault: "toner_low" }, await t.adminToken());
    expect(r.status).toBe(200);
    const warned = wall.locator('[data-testid="device-faults"] li.warn[data-device="a4-t1"]');
    await warned.waitFor(WAIT);
    await expect(warned.getAttribute("data-warnings")).resolves.toBe("TONER_LOW");
    await expect(warned.textContent()).resolves.toContain("墨粉不足");
    await expectNoAxeViolations(wall, "wall, a device warning (zh)");
    await t.api("POST", "/api/devices/a4-t1/simulate", { fault: "ok" }, await t.adminToken());
    await warned.waitFor({ state: "detached", timeout: 15_000 });
    await wall.close();
    // Still collected once.
    const stored = (await t.api<Case>("GET", `/api/cases/${mine.caseNo}`, undefined, await t.adminToken())).body;
    expect(stored.transitions.filter((x) => x.action === "collect")).toHaveLength(1);
    await win.close();
  });
});
