/**
 * The floor section (现场) of /admin in real Chromium against a real hub (issue 13): a
 * supervisor sees a counter's too-long pause appear live (and the data wall shows it in its
 * band), acknowledges it, opens the advice for a series with a line and no counters, applies
 * it with one click and sees the counters moved (the hub's catalogue says so too). axe-core
 * checks the section in Chinese and English. Needs `npx vite build` first (npm test does it).
 */
import { existsSync } from "node:fs";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Catalogue } from "../../server/src/contract/catalogue.ts";
import { expectNoAxeViolations } from "../helpers/axe.ts";
import { type Browser, launchBrowser, newPage, screenshot } from "../helpers/browser.ts";
import { startTestHub, type TestHub } from "../helpers/hub.ts";

const WAIT = { timeout: 20_000 };

let t: TestHub;
let browser: Browser;

describe("admin floor section in Chromium", () => {
  beforeAll(async () => {
    if (!existsSync(path.resolve("dist/admin-ui/index.html"))) throw new Error("dist/ is not built: run `npx vite build` first");
    t = await startTestHub();
    browser = await launchBrowser();
  });
  afterAll(async () => {
    await browser?.close();
    await t?.close();
  });

  it("shows an alarm live, acknowledges it, applies the advice and sees the counters moved", { timeout: 150_000 }, async () => {
    const page = await newPage(browser, { width: 1366, height: 1000 });
    await page.goto(`${t.url}/admin`);
    await page.locator('input[name="username"]').fill("wangli");
    await page.locator('input[name="password"]').fill(t.password("wangli"));
    await page.locator('button[type="submit"]').click();
    await page.getByTestId("who").waitFor(WAIT);
    await page.getByTestId("tab-floor").click();
    await page.getByTestId("no-alarms").waitFor(WAIT);
    await page.getByTestId("no-advice").waitFor(WAIT);
    await expectNoAxeViolations(page, "admin floor, quiet (zh)");
    const wall = await newPage(browser, { width: 1920, height: 1080 });
    await wall.goto(`${t.url}/wall`);
    await wall.getByTestId("kpi-served").waitFor(WAIT);
    expect(await wall.getByTestId("wall-alarms").count()).toBe(0);

    // A clerk pauses counter 1; 16 minutes later the supervisor sees it without reloading.
    const clerk = (await t.login("zhangwei")).token;
    // The clerk's counter page stays open (a holder whose page is gone is released after 5 minutes).
    const clerkPage = t.socket({ token: clerk });
    await new Promise<void>((r) => clerkPage.once("connect", () => r()));
    expect((await t.api("POST", "/api/counters/c01/sign-in", {}, clerk)).status).toBe(200);
    expect((await t.api("POST", "/api/counters/c01/pause", { reason: "休息" }, clerk)).status).toBe(200);
    t.advance(16 * 60_000);
    const row = page.locator('tr[data-kind="pause"]');
    await row.waitFor(WAIT);
    await expect(row.locator("td").first().textContent()).resolves.toMatch(/^1号窗口 暂停 1[6-9] 分钟（超过 15 分钟）$/);
    // …and the wall shows it in its band, without the clerk's name or the reason.
    const band = wall.getByTestId("wall-alarms");
    await band.waitFor(WAIT);
    await expect(band.textContent()).resolves.toMatch(/告警 1.*1号窗口 暂停 \d+ 分钟/);
    await expect(band.textContent()).resolves.not.toMatch(/张伟|休息/);
    await expectNoAxeViolations(wall, "wall with its alarm band (zh)");
    await screenshot(wall, "wall-alarm-band");
    await expectNoAxeViolations(page, "admin floor, alarm (zh)");

    // Acknowledged: it stays, saying who acknowledged it.
    await row.getByRole("button", { name: /确认告警/ }).click();
    await expect.poll(() => row.locator("td").nth(2).textContent(), WAIT).toMatch(/^王丽 已于 \d\d:\d\d 确认$/);
    expect(await row.getByRole("button").count()).toBe(0);

    // Series B: ten people wait and no counter serves it; two clerks sit at A's counters.
    const cat = (await t.api<Catalogue>("GET", "/api/hall")).body;
    const matterB = cat.matters.find((m) => m.queueId === "q-b")?.id as string;
    for (let i = 0; i < 10; i++) expect((await t.issue({ matterId: matterB })).status).toBe(201);
    for (const [u, c] of [
      ["liuyang", "c03"],
      ["chenjing", "c04"],
    ] as const)
      expect((await t.api("POST", `/api/counters/${c}/sign-in`, {}, (await t.login(u)).token)).status).toBe(200);
    await page.getByTestId("advice-refresh").click();
    const proposal = page.getByTestId("proposal-text-q-b");
    await proposal.waitFor(WAIT);
    await expect(proposal.textContent()).resolves.toBe("为 B 不动产登记 再开 2 个窗口：3号窗口、4号窗口 从现在起办理 B");
    await expect(page.getByTestId("short-q-b").textContent()).resolves.toContain("仍缺 6 个窗口");
    await expect(page.getByTestId("serving-q-b").textContent()).resolves.toBe("0 (无)");
    await expectNoAxeViolations(page, "admin floor, advice (zh)");
    await screenshot(page, "admin-floor-zh");

    await page.getByTestId("apply-q-b").click();
    await expect(page.getByTestId("advice-applied").textContent()).resolves.toBe(
      "已调整：3号窗口、4号窗口 现在办理 B 不动产登记",
    );
    // The advice recomputed: B is served by the moved counters now.
    await expect.poll(() => page.getByTestId("serving-q-b").textContent(), WAIT).toBe("2 (3号窗口、4号窗口)");
    const hall = (await t.api<Catalogue>("GET", "/api/hall")).body;
    expect(hall.counters.filter((c) => c.profile.queueIds.join() === "q-b").map((c) => c.id)).toEqual(
      expect.arrayContaining(["c03", "c04"]),
    );
    // The counters tab shows it too.
    await page.getByTestId("tab-counters").click();
    await expect.poll(() => page.getByTestId("queues-c03").textContent(), WAIT).toBe("B 不动产登记");

    // English.
    await page.getByTestId("tab-floor").click();
    await page.getByTestId("lang").click();
    await expect
      .poll(() => row.locator("td").first().textContent(), WAIT)
      .toMatch(/^Counter 1 paused for \d+ min \(over 15 min\)$/);
    await expectNoAxeViolations(page, "admin floor (en)");
    await wall.context().close();
    await page.context().close();
  });
});
