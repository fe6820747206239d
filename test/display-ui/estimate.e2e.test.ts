/**
 * Issue 14 on the visitors' and managers' pages, in real Chromium against a real hub: the
 * phone page says when a wait estimate is uncertain (nobody serving the series yet, few
 * served today) and shows a range, in Chinese and English, and a plain estimate once the
 * series has a measured pace; the data wall shows how far today's estimates were from the
 * waits (the hub's live figures). Needs `npx vite build` first (npm test does it).
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { IssuedTicket, LiveStats } from "../../server/src/contract/index.ts";
import { formatDuration } from "../../ui-shared/format.ts";
import { expectNoAxeViolations } from "../helpers/axe.ts";
import { type Browser, type Page, launchBrowser, newPage } from "../helpers/browser.ts";
import { startTestHub, type TestHub } from "../helpers/hub.ts";

const WAIT = { timeout: 15_000 };
/** A utilities matter: series q-m, served by the all-service windows c01/c02 and window c45. */
const UTILITY = "m-085";

let t: TestHub;
let browser: Browser;

beforeAll(async () => {
  t = await startTestHub();
  browser = await launchBrowser();
}, 60_000);
afterAll(async () => {
  await browser?.close();
  await t?.close();
});

async function phone(url: string): Promise<Page> {
  const p = await newPage(browser, { width: 390, height: 844, hasTouch: true });
  await p.goto(url);
  return p;
}

describe("wait estimate on the phone page and the data wall", () => {
  it("says uncertain with a range, then a plain estimate; the wall shows today's accuracy", { timeout: 300_000 }, async () => {
    const cat = (await t.api("GET", "/api/hall")).body as { matters: { id: string; queueId: string }[] };
    const matter = cat.matters.find((m) => m.queueId === "q-m")?.id ?? UTILITY;
    // Nobody serves the utilities yet: the third in line is told a range and that it is uncertain.
    const take = async (lang: "zh" | "en") => {
      const r = await t.issue<IssuedTicket>({ matterId: matter, lang });
      expect(r.status).toBe(201);
      return r.body;
    };
    await take("zh");
    const zh = await take("zh");
    const en = await take("en");
    const pz = await phone(zh.phoneUrl);
    const wz = pz.getByTestId("wait");
    await expect.poll(() => wz.getAttribute("data-uncertain"), WAIT).toBe("1");
    await expect(wz.locator(".k").textContent()).resolves.toBe("预计等候（不确定）");
    await expect(wz.locator(".v").textContent()).resolves.toMatch(/^约 \d+–\d+ 分钟$/);
    await expect(pz.getByTestId("wait-uncertain").textContent()).resolves.toContain("可能有出入");
    await expectNoAxeViolations(pz, "phone uncertain estimate (zh)");
    await pz.context().close();
    const pe = await phone(en.phoneUrl);
    const we = pe.getByTestId("wait");
    await expect.poll(() => we.locator(".k").textContent(), WAIT).toBe("Estimated wait (uncertain)");
    await expect(we.locator(".v").textContent()).resolves.toMatch(/^about \d+–\d+ min$/);
    await expectNoAxeViolations(pe, "phone uncertain estimate (en)");
    await pe.context().close();

    // A clerk serves a dozen utilities visitors, a minute each: the series now has a pace.
    const clerk = (await t.login("zhangwei")).token;
    expect((await t.api("POST", "/api/counters/c01/sign-in", undefined, clerk)).status).toBe(200);
    for (let i = 0; i < 12; i++) {
      if (i >= 3) await take("zh");
      const called = await t.api("POST", "/api/counters/c01/call-next", undefined, clerk);
      expect(called.status).toBe(200);
      t.advance(60_000);
      expect((await t.api("POST", "/api/counters/c01/finish", { outcome: "completed" }, clerk)).status).toBe(200);
    }
    const line: IssuedTicket[] = [];
    for (let i = 0; i < 6; i++) line.push(await take("zh"));
    const last = line.at(-1) as IssuedTicket;
    const pc = await phone(last.phoneUrl);
    const wc = pc.getByTestId("wait");
    await expect.poll(() => wc.locator(".k").textContent(), WAIT).toBe("预计等候");
    expect(await wc.getAttribute("data-uncertain")).toBeNull();
    await expect(wc.locator(".v").textContent()).resolves.toMatch(/^约 \d+ 分钟$/);
    expect(await pc.getByTestId("wait-uncertain").count()).toBe(0);
    await pc.context().close();

    // The wall: today's estimates against the waits the called visitors had.
    const live = (await t.api<LiveStats>("GET", "/api/stats/live")).body;
    const acc = live.estimateAccuracy;
    expect(acc?.n).toBe(12);
    const wall = await newPage(browser, { width: 1920, height: 1080 });
    await wall.goto(`${t.url}/wall?lang=zh`);
    await expect
      .poll(() => wall.getByTestId("kpi-estimate").textContent(), WAIT)
      .toBe(`误差 ±${formatDuration(acc?.maeSec ?? -1)}`);
    const vs = await wall.getByTestId("kpi-estimate-vs").textContent();
    expect(vs).toContain("偏差");
    expect(vs).toContain("12 人");
    await expectNoAxeViolations(wall, "wall with estimate accuracy");
    await wall.close();
  });
});
