import { existsSync } from "node:fs";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { expectNoAxeViolations } from "../helpers/axe.ts";
import { type Browser, launchBrowser, newPage, screenshot } from "../helpers/browser.ts";
import { type TestHub, startTestHub } from "../helpers/hub.ts";

const WAIT = { timeout: 15_000 };

/**
 * An unpaired kiosk in real Chromium: it shows its pairing code, an admin approves it over
 * REST, and the page goes on to the kiosk's start screen with its own room joined.
 * (Auto-pairing of loopback pages is off here, as in a real hall.)
 */
describe("kiosk pairing in Chromium", () => {
  let t: TestHub;
  let browser: Browser;
  beforeAll(async () => {
    if (!existsSync(path.resolve("dist/kiosk-ui/index.html"))) throw new Error("dist/ is not built: run `npx vite build` first");
    t = await startTestHub({ autoPairLoopback: false });
    browser = await launchBrowser();
  });
  afterAll(async () => {
    await browser?.close();
    await t?.close();
  });

  it("shows the code (zh, then en), proceeds once an admin approves it, and is refused again after a revoke", {
    timeout: 90_000,
  }, async () => {
    const page = await newPage(browser, { width: 1080, height: 1920, hasTouch: true });
    await page.goto(`${t.url}/kiosk?kiosk=k1`);
    const codeEl = page.getByTestId("pairing-code");
    await codeEl.waitFor(WAIT);
    const code = (await codeEl.getAttribute("data-code")) ?? "";
    expect(code).toMatch(/^\d{6}$/);
    await expect(page.locator(".pairing h1").textContent()).resolves.toBe("本机尚未配对");
    await expectNoAxeViolations(page, "kiosk pairing screen zh");
    await screenshot(page, "kiosk-1080x1920-pairing-zh");
    await page.getByTestId("lang").click();
    await expect(page.locator(".pairing h1").textContent()).resolves.toBe("This device is not paired yet");
    await expectNoAxeViolations(page, "kiosk pairing screen en");
    // No kiosk room before approval: the zones are not there.
    expect(await page.locator(".zone").count()).toBe(0);

    const admin = await t.adminToken();
    const pending = await t.api("GET", "/api/pairings", undefined, admin);
    expect(pending.body.pending).toEqual([expect.objectContaining({ code, role: "kiosk", id: "k1" })]);
    expect((await t.api("POST", `/api/pairings/${code}/approve`, { role: "kiosk", id: "k1" }, admin)).status).toBe(200);

    // The page claims its token by itself and joins its kiosk room (data-live).
    await page.locator(".kiosk[data-live]").waitFor(WAIT);
    await page.locator(".zone").first().waitFor(WAIT);
    const stored = await page.evaluate(() => localStorage.getItem("onevisit.device.kiosk.k1"));
    expect(stored).toMatch(/^dev1\./);

    // A reload keeps the pairing.
    await page.reload();
    await page.locator(".kiosk[data-live]").waitFor(WAIT);

    // Revoked: the hub cuts the socket and the page shows a new code.
    const list = await t.api<{ paired: { pid: string; id: string }[] }>("GET", "/api/pairings", undefined, admin);
    const pid = list.body.paired.find((d) => d.id === "k1")?.pid;
    expect((await t.api("DELETE", `/api/pairings/${pid}`, undefined, admin)).status).toBe(204);
    await page.getByTestId("pairing-code").waitFor(WAIT);
    expect(await page.evaluate(() => localStorage.getItem("onevisit.device.kiosk.k1"))).toBeNull();
    await page.context().close();
  });
});

/** The green channel on the kiosk: no tick any more; a card whose holder is 65 or older shows it and gets it. */
describe("kiosk green channel in Chromium (demo hall, auto-paired)", () => {
  let t: TestHub;
  let browser: Browser;
  beforeAll(async () => {
    t = await startTestHub();
    browser = await launchBrowser();
  });
  afterAll(async () => {
    await browser?.close();
    await t?.close();
  });

  it("has no green tick; an older visitor's card shows 绿色通道 and the ticket is green", { timeout: 90_000 }, async () => {
    const page = await newPage(browser, { width: 1080, height: 1920, hasTouch: true });
    await page.goto(`${t.url}/kiosk?kiosk=k2`);
    await page.locator(".kiosk[data-live]").waitFor(WAIT);
    const cat = (await t.api("GET", "/api/hall")).body;
    const m = cat.matters.find((x: { id: string }) => x.id === "m-001");
    const zoneId = cat.departments.find((d: { id: string }) => d.id === m.departmentId)?.zoneId;
    await page.locator(`[data-zone="${zoneId}"]`).click();
    await page.locator('[data-matter="m-001"]').click();
    await page.getByTestId("take").waitFor(WAIT);
    expect(await page.locator('.take input[type="checkbox"]').count()).toBe(0);
    expect(await page.getByTestId("green-channel").count()).toBe(0);

    t.hub.devices.simulators("idreader-k2")?.idSim?.placeCard({
      name: "李老汉",
      sexCode: "1",
      nationCode: "01",
      birthDate: "19500101",
      address: "山东省德州市平原县龙门街道",
      idNumber: "371426195001011234",
      issuer: "平原县公安局",
      validFrom: "20200101",
      validTo: "20400101",
    });
    await page.getByTestId("green-channel").waitFor(WAIT);
    await expect(page.getByTestId("green-channel").textContent()).resolves.toContain("绿色通道");
    await expectNoAxeViolations(page, "kiosk matter with green channel");
    await page.getByTestId("take").click();
    await page.getByTestId("issued").waitFor(WAIT);
    const active = (await t.api("GET", "/api/state")).body.active as { priority: string; source?: string }[];
    expect(active.filter((x) => x.priority === "green")).toHaveLength(1);
    await page.context().close();
  });
});

/**
 * The kiosk PC's clock and the hub's are not the same clock. A kiosk running hours ahead once
 * took every fresh code for expired (it compared the hub's expiresAt with its own time) and
 * asked for new ones in a loop until the hub rate-limited it: it never paired.
 */
describe("kiosk pairing with a clock ahead of the hub's", () => {
  let t: TestHub;
  let browser: Browser;
  beforeAll(async () => {
    if (!existsSync(path.resolve("dist/kiosk-ui/index.html"))) throw new Error("dist/ is not built: run `npx vite build` first");
    // The hub's clock 3 h behind the browser's (the pairing code lives 10 min).
    t = await startTestHub({ startAt: Date.now() - 3 * 3600_000 });
    browser = await launchBrowser();
  });
  afterAll(async () => {
    await browser?.close();
    await t?.close();
  });

  it("pairs (loopback demo) with one code and starts serving", { timeout: 60_000 }, async () => {
    const page = await newPage(browser, { width: 1080, height: 1920, hasTouch: true });
    let asked = 0;
    page.on("request", (r) => {
      if (r.method() === "POST" && new URL(r.url()).pathname === "/api/pairings") asked++;
    });
    await page.goto(`${t.url}/kiosk?kiosk=k1`);
    await page.locator(".kiosk[data-live]").waitFor(WAIT);
    await page.locator(".zone").first().waitFor(WAIT);
    expect(asked).toBe(1);
  });
});
