/**
 * Issue 12's "done when" for query and print, in real Chromium with simulated ID card
 * reader and scanner: a visitor reads their ID card at terminal t1, sees their cases, prints
 * the ready certificate on a real IPP printer (CUPS's ippeveprinter) — the PDF's text
 * checked from what the printer received — cannot print it twice, and the idle reset
 * leaves nothing personal on screen or in the browser's storage. axe-clean throughout.
 */
import { existsSync } from "node:fs";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Case } from "../../server/src/contract/cases.ts";
import { expectNoAxeViolations } from "../helpers/axe.ts";
import { type Browser, launchBrowser, newPage, type Page } from "../helpers/browser.ts";
import { startTestHub, type TestHub } from "../helpers/hub.ts";
import { type IppEvePrinter, pdfText, startIppEvePrinter } from "../helpers/ippeveprinter.ts";
import { makeCase, placeCard, removeCard, setUpTerminal } from "../server/terminals/fixtures.ts";

const OWNER = { name: "王小明", idNumber: "371426199001011234", phone: "13912345678" };
const OTHER = { name: "赵六", idNumber: "37142619850505432X", phone: "13600001111" };
const WAIT = { timeout: 15_000 };

let t: TestHub;
let browser: Browser;
let printer: IppEvePrinter;
let mine: Case;
let theirs: Case;

beforeAll(async () => {
  if (!existsSync(path.resolve("dist/terminal-ui/index.html"))) throw new Error("dist/ is not built: run `npx vite build` first");
  printer = await startIppEvePrinter("OneVisit Terminal A4");
  t = await startTestHub();
  await setUpTerminal(t, { host: "localhost", port: printer.port });
  mine = await makeCase(t, OWNER);
  theirs = await makeCase(t, OTHER);
  browser = await launchBrowser();
}, 180_000);

afterAll(async () => {
  await browser?.close();
  await t?.close();
  await printer?.stop();
});

async function openTerminal(width: number, height: number): Promise<Page> {
  const page = await newPage(browser, { width, height, hasTouch: true });
  await page.clock.install();
  await page.goto(`${t.url}/terminal?terminal=t1`);
  // Opened on the hub's own machine, the demo hall pairs the page by itself.
  await page.locator(".terminal[data-live]").waitFor(WAIT);
  return page;
}

describe("terminal page in Chromium", () => {
  it("a visitor reads their ID card, sees their cases, prints the certificate once on a real IPP printer; the idle reset forgets them", {
    timeout: 120_000,
  }, async () => {
    const page = await openTerminal(1080, 1920);
    await expect.poll(() => page.getByTestId("card-hint").textContent()).toContain("请将身份证放在读卡区");
    await expectNoAxeViolations(page, "terminal home (portrait)");

    placeCard(t, OWNER);
    const card = page.locator(`[data-case="${mine.caseNo}"]`);
    await card.waitFor(WAIT);
    await removeCard(t);
    expect(await card.locator(".t-status").textContent()).toBe("证照已制作");
    expect(await page.locator("#cases-title").textContent()).toContain("3714**********1234");
    expect(await page.locator(`[data-case="${theirs.caseNo}"]`).count()).toBe(0);
    expect(await page.locator("body").textContent()).not.toContain(OWNER.idNumber);
    await expectNoAxeViolations(page, "terminal cases");

    await page.getByTestId(`print-${mine.caseNo}`).click();
    // ippeveprinter takes its time per job: the page waits for the job to complete.
    await expect.poll(() => page.getByTestId("notice").textContent(), { timeout: 60_000 }).toContain("打印完成");
    const docs = printer.documents();
    expect(docs).toHaveLength(1);
    const text = pdfText(docs[0] as string);
    expect(text).toContain(mine.caseNo);
    expect(text).toContain("王小明");
    expect(text).toContain("企业注销登记");
    expect(text).toContain("本打印件仅打印一次");
    // Printed once: the button is gone, a second request is refused with its code.
    await expect.poll(() => card.locator(".t-note").textContent()).toContain("已自助打印");
    expect(await page.getByTestId(`print-${mine.caseNo}`).count()).toBe(0);

    // 60 s without a touch: back to the start, nothing personal on screen or in storage.
    await page.clock.fastForward(61_000);
    await expect.poll(() => page.locator(".terminal").getAttribute("data-screen")).toBe("home");
    const body = (await page.locator("body").textContent()) ?? "";
    expect(body).not.toContain(mine.caseNo);
    expect(body).not.toContain("3714");
    const stored = await page.evaluate(() => ({
      local: Object.keys(localStorage).map((k) => `${k}=${localStorage.getItem(k)}`),
      session: Object.keys(sessionStorage),
    }));
    expect(stored.session).toEqual([]);
    expect(stored.local.every((x) => x.startsWith("onevisit.device.terminal.t1="))).toBe(true);
    expect(stored.local.join()).not.toContain(mine.caseNo);
    await page.context().close();
  });

  it("landscape, English and large text: the hall now and a matter's guide", { timeout: 60_000 }, async () => {
    const page = await openTerminal(1920, 1080);
    await page.getByRole("button", { name: "English" }).click();
    await page.getByTestId("large").click();
    expect(await page.locator(".terminal").getAttribute("class")).toContain("large");
    await page.getByTestId("section-hall").click();
    await page.locator('[data-queue="A"]').waitFor(WAIT);
    expect(await page.locator("#hall-title").textContent()).toBe("Hall now");
    await expectNoAxeViolations(page, "terminal hall now (landscape, English, large)");
    await page.getByTestId("home").click();
    await page.getByTestId("section-guides").click();
    await page.locator('[data-matter="m-001"]').click();
    await page.locator("#guide-title").waitFor(WAIT);
    expect(await page.locator(".t-guide").textContent()).toContain("Required materials");
    await expectNoAxeViolations(page, "terminal guide");
    await page.context().close();
  });

  it("a jam mid-page and an offline printer: a clear message on screen, nothing counted, the retry prints", {
    timeout: 90_000,
  }, async () => {
    // The terminal's A4 printer becomes the simulated one, whose faults can be injected.
    const admin = await t.adminToken();
    const put = await t.api(
      "PUT",
      "/api/devices/a4-t1",
      {
        kind: "a4",
        name: "终端1 A4 打印机",
        transport: { type: "sim" },
        assignment: { kind: "terminal", terminalId: "t1" },
        options: { pollMs: 1000 },
      },
      admin,
    );
    expect(put.status).toBe(200);
    const sim = () => t.hub.devices.simulators("a4-t1")?.a4Sim;
    const fault = async (f: string) =>
      expect((await t.api("POST", "/api/devices/a4-t1/simulate", { fault: f }, admin)).status).toBe(200);
    const second = await makeCase(t, OWNER);
    const page = await openTerminal(1080, 1920);
    placeCard(t, OWNER);
    await page.locator(`[data-case="${second.caseNo}"]`).waitFor(WAIT);
    await removeCard(t);

    await fault("jam");
    await page.getByTestId(`print-${second.caseNo}`).click();
    await expect.poll(() => page.getByTestId("notice").textContent(), WAIT).toContain("卡纸");
    expect(await page.getByTestId("notice").textContent()).toContain("不计次数");
    expect(await page.getByTestId("notice").getAttribute("role")).toBe("alert");
    await expectNoAxeViolations(page, "terminal print error");
    expect(sim()?.printed).toHaveLength(0);

    await fault("ok");
    await fault("unplug");
    await page.getByTestId(`print-${second.caseNo}`).click();
    await expect.poll(() => page.getByTestId("notice").textContent(), WAIT).toContain("打印机离线");

    await fault("ok");
    await page.getByTestId(`print-${second.caseNo}`).click();
    await expect.poll(() => page.getByTestId("notice").textContent(), WAIT).toContain("打印完成");
    expect(sim()?.printed).toHaveLength(1);
    expect(pdfText(sim()?.printed[0] as Buffer)).toContain(second.caseNo);
    await page.context().close();
  });

  it("a case number with the wrong phone digits is refused with the hub's message", { timeout: 60_000 }, async () => {
    const page = await openTerminal(1080, 1920);
    await page.getByTestId("section-query").click();
    await page.getByTestId("case-no").fill(theirs.caseNo);
    await page.getByTestId("check").fill("0000");
    await page.getByTestId("lookup").click();
    await expect.poll(() => page.getByTestId("notice").textContent()).toContain("没有找到这个办件");
    await page.getByTestId("check").fill("1111");
    await page.getByTestId("lookup").click();
    await page.locator(`[data-case="${theirs.caseNo}"]`).waitFor(WAIT);
    await expectNoAxeViolations(page, "terminal query");
    await page.context().close();
  });
});
