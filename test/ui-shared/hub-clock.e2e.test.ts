/**
 * Pages run on PCs whose clocks are not the hub's. The browser helper runs every page 3 h
 * ahead of the hub by default (test/helpers/browser.ts); here the pages that measure the
 * hub's timestamps show what the hub's clock says: the counter's time with the current
 * visitor, the wall's pause time, the phone's "updated at". Needs `npx vite build` first.
 */
import { existsSync } from "node:fs";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { IssuedTicket } from "../../server/src/contract/index.ts";
import { formatClock } from "../../ui-shared/format.ts";
import { type Browser, launchBrowser, newPage, PAGE_CLOCK_AHEAD_MS } from "../helpers/browser.ts";
import { startTestHub, type TestHub } from "../helpers/hub.ts";

const WAIT = { timeout: 15_000 };

describe("pages measure the hub's timestamps on the hub's clock, not their PC's", () => {
  let t: TestHub;
  let browser: Browser;
  let clerk: string;
  beforeAll(async () => {
    if (!existsSync(path.resolve("dist/counter-ui/index.html")))
      throw new Error("dist/ is not built: run `npx vite build` first");
    t = await startTestHub();
    browser = await launchBrowser();
    clerk = (await t.login("zhangwei")).token;
  }, 60_000);
  afterAll(async () => {
    await browser?.close();
    await t?.close();
  });

  it("the helper runs pages 3 h ahead of the hub by default", async () => {
    const p = await newPage(browser, { width: 800, height: 600, hubNow: t.now() });
    await p.goto(`${t.url}/api/health`);
    const ahead = (await p.evaluate(() => Date.now())) - t.now();
    expect(Math.abs(ahead - PAGE_CLOCK_AHEAD_MS)).toBeLessThan(60_000);
    // `new Date()` agrees with `Date.now()`, and a date built from a value is that value.
    // biome-ignore lint/complexity/useDateNow: `new Date()` itself is what is checked
    const built = await p.evaluate(() => [new Date().getTime() - Date.now(), new Date(0).getTime(), Date() !== ""]);
    expect(built[0]).toBeLessThan(1000);
    expect(built[1]).toBe(0);
    await p.context().close();
  });

  it("counter: the time with the current visitor counts from the call (not 3 h)", { timeout: 60_000 }, async () => {
    const p = await newPage(browser, { width: 1440, height: 900 });
    await p.goto(`${t.url}/counter?counter=c01`);
    await p.locator("input[name=username]").fill("zhangwei");
    await p.locator("input[name=password]").fill(t.password("zhangwei"));
    await p.locator("button[type=submit]").click();
    await p.getByTestId("sign-in").click();
    const tk = (await t.issue<IssuedTicket>({ matterId: "m-001" })).body;
    await expect.poll(() => t.api("POST", "/api/counters/c01/call-next", undefined, clerk).then((r) => r.status), WAIT).toBe(200);
    await expect.poll(() => p.getByTestId("current-number").textContent(), WAIT).toBe(tk.number);
    await expect.poll(() => p.getByTestId("current-for").textContent(), WAIT).toMatch(/^0:\d\d$/);
    await p.context().close();
  });

  it("wall: a counter paused just now shows a pause of seconds", { timeout: 60_000 }, async () => {
    expect((await t.api("POST", "/api/counters/c01/finish", {}, clerk)).status).toBeLessThan(300);
    expect((await t.api("POST", "/api/counters/c01/pause", { reason: "培训" }, clerk)).status).toBeLessThan(300);
    const p = await newPage(browser, { width: 1920, height: 1080 });
    await p.goto(`${t.url}/wall`);
    const tile = p.locator('[data-counter="c01"]').getByTestId("tile-doing");
    await expect.poll(() => tile.textContent(), WAIT).toMatch(/^暂停 0:\d\d$/);
    // The wall's clock is the hall's (the hub's), not the PC's 3 h later.
    const shown = await p.locator(".wall-clock").textContent();
    expect(shown?.slice(0, 2)).toBe(formatClock(t.now(), "Asia/Shanghai").slice(0, 2));
    await p.context().close();
  });

  it("phone: 'updated at' is on the hub's clock, beside the hub's issue time", { timeout: 60_000 }, async () => {
    const tk = (await t.issue<IssuedTicket>({ matterId: "m-001" })).body;
    const p = await newPage(browser, { width: 390, height: 844, hasTouch: true });
    await p.goto(tk.phoneUrl);
    const hubHour = formatClock(t.now(), "Asia/Shanghai").slice(0, 2);
    await expect.poll(() => p.locator(".updated").textContent(), WAIT).toContain(` ${hubHour}:`);
    await p.context().close();
  });
});
