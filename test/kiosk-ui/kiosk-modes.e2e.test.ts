/**
 * Kiosk modes in real Chromium against a real hub (real clock): large text and the 60 s
 * idle reset (Playwright's fake clock), issuing hours said before the button, and a
 * daily cap, both seen ahead from the live stats and answered by the hub.
 * Needs `npx vite build` first (npm test does it).
 */
import { existsSync } from "node:fs";
import { mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import type { Catalogue, Matter, Queue } from "../../server/src/contract/index.ts";
import { startHub } from "../../server/src/app.ts";
import { formatHours, isWithinHours } from "../../ui-shared/format.ts";
import { launchBrowser, newPage, screenshot } from "../helpers/browser.ts";
import type { Browser, Page } from "../helpers/browser.ts";

const WAIT = { timeout: 15_000 };
const CAPPED_QUEUE = "q-k";

type Hub = Awaited<ReturnType<typeof startHub>>;
let hub: Hub;
let dataDir: string;
let browser: Browser;
let cat: Catalogue;
const pages: Page[] = [];

function start(port: number): Promise<Hub> {
  return startHub({ port, host: "127.0.0.1", dataDir, adminPassword: "test-admin-pw", log: () => {} });
}

let staffToken: string | undefined;
/** Tickets taken over REST here come from the help desk (staff): only a paired kiosk or staff may issue. */
async function staff(): Promise<string> {
  if (!staffToken) {
    const res = await fetch(`${hub.url}/api/auth/login`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ username: "admin", password: "test-admin-pw" }),
    });
    staffToken = ((await res.json()) as { token: string }).token;
  }
  return staffToken;
}

async function post(route: string, body: unknown): Promise<{ status: number; body: { error?: { code: string } } }> {
  const auth = route === "/api/tickets" ? await staff() : undefined;
  const res = await fetch(hub.url + route, {
    method: "POST",
    headers: { "content-type": "application/json", ...(auth ? { authorization: `Bearer ${auth}` } : {}) },
    body: JSON.stringify(body),
  });
  return { status: res.status, body: (await res.json()) as { error?: { code: string } } };
}

async function openKiosk(kioskId: string, setup?: (page: Page) => Promise<void>): Promise<Page> {
  const page = await newPage(browser, { width: 1080, height: 1920, hasTouch: true });
  pages.push(page);
  await setup?.(page);
  await page.goto(`${hub.url}/kiosk?kiosk=${kioskId}`);
  await page.locator(".zone").first().waitFor(WAIT);
  return page;
}

async function openMatter(page: Page, m: Matter): Promise<void> {
  const zoneId = cat.departments.find((d) => d.id === m.departmentId)?.zoneId ?? "";
  await page.locator(`[data-zone="${zoneId}"]`).click();
  await page.locator(`[data-matter="${m.id}"]`).click();
  await page.locator(".matter-view h1").waitFor(WAIT);
}

function fontPx(page: Page, selector: string): Promise<number> {
  return page
    .locator(selector)
    .first()
    .evaluate((el) => Number.parseFloat(getComputedStyle(el).fontSize));
}

function firstMatterOf(queueId: string): Matter {
  const m = cat.matters.find((x) => x.queueId === queueId);
  if (!m) throw new Error(`no matter in ${queueId}`);
  return m;
}

beforeAll(async () => {
  if (!existsSync(path.resolve("dist/kiosk-ui/index.html"))) throw new Error("dist/ is not built: run `npx vite build` first");
  dataDir = await mkdtemp(path.join(tmpdir(), "onevisit-kiosk-modes-"));
  hub = await start(0);
  browser = await launchBrowser();
  cat = (await (await fetch(`${hub.url}/api/hall`)).json()) as Catalogue;
});

afterEach(async () => {
  for (const p of pages.splice(0)) await p.context().close();
});

afterAll(async () => {
  await browser?.close();
  await hub?.close();
  if (dataDir) await rm(dataDir, { recursive: true, force: true });
});

describe("kiosk large text and idle reset", () => {
  it("enlarges the text, keeps it while the visitor is active, and resets to normal at 60 s idle", {
    timeout: 60_000,
  }, async () => {
    const page = await openKiosk("k2", (p) => p.clock.install());
    const toggle = page.getByTestId("large-text");
    const normalZone = await fontPx(page, ".zone .name");
    const normalTitle = await fontPx(page, "h2");

    await toggle.click();
    await expect(toggle.getAttribute("aria-pressed")).resolves.toBe("true");
    expect(await fontPx(page, ".zone .name")).toBeGreaterThan(normalZone * 1.2);
    expect(await fontPx(page, "h2")).toBeGreaterThan(normalTitle * 1.2);

    // Still large on the next screens, while the visitor is using the kiosk.
    const matter = firstMatterOf("q-a");
    await openMatter(page, matter);
    await expect(page.locator(".kiosk.large").count()).resolves.toBe(1);
    await screenshot(page, "kiosk-1080x1920-large-text");

    // Half a minute without a touch is not idle yet…
    await page.clock.fastForward("00:30");
    await expect(page.locator(".matter-view").count()).resolves.toBe(1);
    await expect(toggle.getAttribute("aria-pressed")).resolves.toBe("true");
    // …a full minute is: back to the start, in normal text, for the next visitor.
    await page.clock.fastForward("00:31");
    await page.locator(".zones").waitFor(WAIT);
    await expect(page.locator(".matter-view").count()).resolves.toBe(0);
    await expect(toggle.getAttribute("aria-pressed")).resolves.toBe("false");
    expect(await fontPx(page, ".zone .name")).toBe(normalZone);
  });

  it("returns from the ticket screen and forgets an ID card after 60 s idle", { timeout: 60_000 }, async () => {
    const page = await openKiosk("k2", (p) => p.clock.install());
    const matter = firstMatterOf("q-a");
    await openMatter(page, matter);
    await page.getByTestId("take").click();
    await page.getByTestId("issued").waitFor(WAIT);
    await page.clock.fastForward("01:01");
    await page.locator(".zones").waitFor(WAIT);
    await expect(page.getByTestId("issued").count()).resolves.toBe(0);

    // A card read by a visitor who then walks away is not handed to the next one.
    await page.locator(".kiosk[data-live]").waitFor(WAIT);
    const sim = hub.devices.simulators("idreader-k2")?.idSim;
    if (!sim) throw new Error("kiosk k2 has no simulated ID reader");
    sim.placeCard({
      name: "李四",
      sexCode: "2",
      nationCode: "01",
      birthDate: "19850505",
      address: "山东省德州市平原县桃园街道",
      idNumber: "37142819850505002X",
      issuer: "平原县公安局",
      validFrom: "20150101",
      validTo: "20350101",
    });
    await page.getByTestId("id-banner").waitFor(WAIT);
    sim.removeCard();
    await page.clock.fastForward("01:01");
    await page.getByTestId("id-banner").waitFor({ state: "detached", ...WAIT });
  });
});

describe("kiosk issuing hours and daily cap", () => {
  it("says plainly, before the button, when a queue is outside its issuing hours (and the hub agrees)", async () => {
    // H 车管 and J 公共资源交易 issue 08:30–11:30 and 13:30–17:00 hall time; the assertion
    // follows the real Asia/Shanghai clock so the test holds at any hour.
    for (const queueId of ["q-h", "q-j"]) {
      const queue = cat.queues.find((q) => q.id === queueId) as Queue;
      expect(queue.hours.length).toBeGreaterThan(0);
      const matter = firstMatterOf(queueId);
      const page = await openKiosk("k3");
      const inside = isWithinHours(queue.hours, Date.now(), cat.hall.timeZone);
      const zoneId = cat.departments.find((d) => d.id === matter.departmentId)?.zoneId ?? "";
      await page.locator(`[data-zone="${zoneId}"]`).click();
      const item = page.locator(`[data-matter="${matter.id}"]`);
      await item.waitFor(WAIT);
      // In the list already, before opening the matter.
      await expect(item.getByTestId("matter-blocked").count()).resolves.toBe(inside ? 0 : 1);
      await item.click();
      await page.locator(".matter-view h1").waitFor(WAIT);
      if (inside) {
        await page.getByTestId("take").waitFor(WAIT);
        await expect(page.getByTestId("blocked").count()).resolves.toBe(0);
      } else {
        const blocked = page.getByTestId("blocked");
        await blocked.waitFor(WAIT);
        await expect(blocked.textContent()).resolves.toContain(`不在取号时间（${formatHours(queue.hours)}）`);
        await expect(page.getByTestId("take").count()).resolves.toBe(0);
        await screenshot(page, `kiosk-1080x1920-outside-hours-${queueId}`);
      }
      const r = await post("/api/tickets", { matterId: matter.id });
      if (inside) expect(r.status).toBe(201);
      else expect({ status: r.status, code: r.body.error?.code }).toEqual({ status: 409, code: "OUTSIDE_HOURS" });
    }
  });

  it("shows a reached daily cap ahead, and the hub's DAILY_CAP_REACHED in words", { timeout: 60_000 }, async () => {
    // Write the cap into the hall's configuration, as an administrator would, and restart.
    const port = hub.port;
    await hub.close();
    const file = path.join(dataDir, "config.json");
    const config = JSON.parse(await readFile(file, "utf8")) as { catalogue: Catalogue };
    const q = config.catalogue.queues.find((x) => x.id === CAPPED_QUEUE);
    if (!q) throw new Error(`no queue ${CAPPED_QUEUE}`);
    q.dailyCap = 1;
    await writeFile(file, JSON.stringify(config, null, 2));
    hub = await start(port);
    cat = (await (await fetch(`${hub.url}/api/hall`)).json()) as Catalogue;
    expect(cat.queues.find((x) => x.id === CAPPED_QUEUE)?.dailyCap).toBe(1);

    const matter = firstMatterOf(CAPPED_QUEUE);
    expect(isWithinHours(cat.queues.find((x) => x.id === CAPPED_QUEUE)?.hours ?? [], Date.now(), cat.hall.timeZone)).toBe(true);
    // A kiosk waiting on the matter while the last ticket of the day goes elsewhere.
    const watching = await openKiosk("k3");
    await watching.locator(".kiosk[data-live]").waitFor(WAIT);
    await openMatter(watching, matter);
    await watching.getByTestId("take").waitFor(WAIT);
    expect((await post("/api/tickets", { matterId: matter.id })).status).toBe(201);
    // The live stats close the matter on the open kiosk, before anyone presses.
    const blocked = watching.getByTestId("blocked");
    await blocked.waitFor(WAIT);
    await expect(blocked.textContent()).resolves.toContain("今日号源已取完");
    await expect(watching.getByTestId("take").count()).resolves.toBe(0);
    await screenshot(watching, "kiosk-1080x1920-cap-reached");

    // A kiosk without its live connection cannot know: the hub refuses, the kiosk says why.
    const offline = await openKiosk("k4", async (p) => {
      await p.route("**/socket.io/**", (route) => route.abort());
    });
    await openMatter(offline, matter);
    await offline.getByTestId("take").click();
    const error = offline.getByTestId("error");
    await error.waitFor(WAIT);
    await expect(error.textContent()).resolves.toContain("该事项今日号源已取完");
    await expect(offline.getByTestId("issued").count()).resolves.toBe(0);
  });
});
