/**
 * A page loads the catalogue once per version (issue 9): the snapshot on every (re)connect
 * names the version only, and the page asks `GET /api/hall` again only when that version is
 * one it does not hold. Requests are counted as the browser makes them.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Catalogue, HallSnapshot } from "../../server/src/contract/index.ts";
import { type Browser, launchBrowser, newPage, type Page } from "../helpers/browser.ts";
import { startTestHub, type TestHub } from "../helpers/hub.ts";

describe("display-ui keeps the catalogue by version", () => {
  let t: TestHub;
  let browser: Browser;
  let page: Page;
  /** Requests the page made for the catalogue. */
  let catalogueRequests = 0;
  /** Snapshots the page received (over its socket). */
  let snapshots = 0;

  const notice = () => page.getByTestId("notice").locator("span").first().textContent();
  const setNotice = async (text: string) => {
    const cat = (await t.api<Catalogue>("GET", "/api/hall")).body;
    // A fresh sign-in: the clock moved a day on in between.
    const admin = (await t.login("admin")).token;
    const r = await t.api("PUT", "/api/catalogue", { ...cat, hall: { ...cat.hall, notice: text } }, admin);
    expect(r.status).toBe(200);
  };

  beforeAll(async () => {
    t = await startTestHub();
    browser = await launchBrowser();
    page = await newPage(browser, { width: 1280, height: 720 });
    page.on("request", (r) => {
      if (new URL(r.url()).pathname === "/api/hall") catalogueRequests++;
    });
    // Socket.IO starts on long-polling and upgrades: a snapshot may come either way.
    page.on("response", async (r) => {
      if (!r.url().includes("/socket.io/") || r.request().method() !== "GET") return;
      const body = await r.text().catch(() => "");
      snapshots += body.split('"hall:snapshot"').length - 1;
    });
    page.on("websocket", (ws) =>
      ws.on("framereceived", (f) => {
        if (typeof f.payload === "string" && f.payload.includes('"hall:snapshot"')) snapshots++;
      }),
    );
  }, 60_000);
  afterAll(async () => {
    await browser?.close();
    await t?.close();
  });

  it("loads it once on the first visit", async () => {
    await page.goto(`${t.url}/display`);
    await expect.poll(notice).toContain("一次办好");
    await expect.poll(() => snapshots).toBe(1);
    expect(catalogueRequests).toBe(1);
  });

  it("does not load it again for a fresh snapshot of the same version (the turn of the day)", async () => {
    t.advance(24 * 3600_000);
    // Any ticket lookup turns the day; the hub then sends every screen a new snapshot.
    await t.api("GET", "/api/tickets/none");
    await expect.poll(() => snapshots).toBe(2);
    expect((await t.api<HallSnapshot>("GET", "/api/state")).body.day).toBe(t.hub.hall.day);
    await expect.poll(notice).toContain("一次办好");
    expect(catalogueRequests).toBe(1);
  });

  it("does not load it again after a reload while the version holds", async () => {
    await page.reload();
    // The screen draws only from a snapshot joined with its catalogue.
    await expect.poll(notice).toContain("一次办好");
    expect(catalogueRequests).toBe(1);
  });

  it("takes a change from catalogue:updated without loading it", async () => {
    await setNotice("今日下午系统维护");
    await expect.poll(notice).toBe("今日下午系统维护");
    expect(catalogueRequests).toBe(1);
  });

  it("loads it once when the snapshot names a version the page does not hold", async () => {
    await page.goto("about:blank");
    await setNotice("明日正常开放");
    await page.goto(`${t.url}/display`);
    await expect.poll(notice).toBe("明日正常开放");
    expect(catalogueRequests).toBe(2);
  });
});
