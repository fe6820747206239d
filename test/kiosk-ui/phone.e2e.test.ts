/**
 * The phone page in real Chromium (issue 8.5, 8.6, 7.2, 7.17): the outcome and what is
 * missing, ratings with reasons, the ticket's language, the closed day — each state
 * checked with axe-core. Needs `npx vite build` first (npm test does it).
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { IssuedTicket, Ticket } from "../../server/src/contract/index.ts";
import { expectNoAxeViolations } from "../helpers/axe.ts";
import { type Browser, type Page, launchBrowser, newPage, screenshot } from "../helpers/browser.ts";
import { startTestHub, type TestHub } from "../helpers/hub.ts";

const WAIT = { timeout: 15_000 };

describe("phone page in Chromium", () => {
  let t: TestHub;
  let browser: Browser;
  let clerk: string;

  beforeAll(async () => {
    t = await startTestHub();
    browser = await launchBrowser();
    clerk = (await t.login("zhangwei")).token;
    expect((await t.api("POST", "/api/counters/c01/sign-in", undefined, clerk)).status).toBe(200);
  }, 60_000);
  afterAll(async () => {
    await browser?.close();
    await t?.close();
  });

  const drain = async () => {
    for (let i = 0; i < 60; i++) if ((await t.api("POST", "/api/counters/c01/call-next", undefined, clerk)).status === 204) break;
    await t.api("POST", "/api/counters/c01/finish", {}, clerk);
  };
  /** A ticket taken, called and finished at c01 with this outcome (and missing items). */
  const served = async (body: Record<string, unknown>, finish: Record<string, unknown>): Promise<IssuedTicket> => {
    await drain();
    const r = await t.issue<IssuedTicket>(body);
    expect(r.status).toBe(201);
    expect((await t.api<Ticket>("POST", "/api/counters/c01/call-next", undefined, clerk)).body.id).toBe(r.body.id);
    expect((await t.api("POST", "/api/counters/c01/finish", finish, clerk)).status).toBe(200);
    return r.body;
  };
  const phone = async (url: string): Promise<Page> => {
    const p = await newPage(browser, { width: 390, height: 844, hasTouch: true });
    await p.goto(url);
    return p;
  };

  it("shows 不予受理 and the missing materials to the holder; without the key only that it ended", async () => {
    const tk = await served({ matterId: "m-001" }, { outcome: "rejected", missing: ["公司章程", "住所使用证明"] });
    const p = await phone(tk.phoneUrl);
    await expect.poll(() => p.getByTestId("status").textContent(), WAIT).toBe("不予受理");
    await expect(p.getByTestId("outcome").getAttribute("data-outcome")).resolves.toBe("rejected");
    await expect(p.getByTestId("missing").locator("li").allTextContents()).resolves.toEqual(["公司章程", "住所使用证明"]);
    // The key left the address bar (kept for this ticket in the browser).
    expect(p.url()).not.toContain("#k=");
    await expectNoAxeViolations(p, "phone rejected zh");
    await screenshot(p, "phone-390x844-rejected");
    await p.context().close();

    // The public link (no key, a fresh browser): no outcome, no rating, a hint instead.
    const anon = await phone(`${t.url}/m/${tk.id}`);
    await expect.poll(() => anon.getByTestId("status").textContent(), WAIT).toBe("办理结束");
    expect(await anon.getByTestId("outcome").count()).toBe(0);
    expect(await anon.getByTestId("rating").count()).toBe(0);
    await anon.getByTestId("no-key").waitFor(WAIT);
    await expectNoAxeViolations(anon, "phone done without key");
    await anon.context().close();
  });

  it("容缺受理 without a list shows the matter's materials to check; 已办结 shows no list", async () => {
    const incomplete = await served({ matterId: "m-004" }, { outcome: "accepted_incomplete" });
    const p = await phone(incomplete.phoneUrl);
    await expect.poll(() => p.getByTestId("status").textContent(), WAIT).toBe("容缺受理");
    await expect(p.getByTestId("missing").locator("li").allTextContents()).resolves.toEqual([
      "个体工商户登记申请书",
      "经营者身份证",
      "经营场所使用证明",
    ]);
    await expectNoAxeViolations(p, "phone accepted_incomplete zh");
    await p.context().close();

    const done = await served({ matterId: "m-001" }, { outcome: "completed" });
    const q = await phone(done.phoneUrl);
    await expect.poll(() => q.getByTestId("status").textContent(), WAIT).toBe("已办结");
    expect(await q.getByTestId("missing").count()).toBe(0);
    await q.context().close();
  });

  it("rating: empty stars until chosen; 2 stars asks for a reason and sends it with the comment", async () => {
    const tk = await served({ matterId: "m-001" }, { outcome: "completed" });
    const p = await phone(tk.phoneUrl);
    await p.getByTestId("rating").waitFor(WAIT);
    // Nothing is pre-selected: every star is empty and unchecked.
    for (let s = 1; s <= 5; s++) {
      await expect(p.getByTestId(`star-${s}`).getAttribute("aria-checked")).resolves.toBe("false");
      await expect(p.getByTestId(`star-${s}`).textContent()).resolves.toContain("☆");
    }
    expect(await p.getByTestId("send-rating").count()).toBe(0);
    await expectNoAxeViolations(p, "phone rating empty");

    await p.getByTestId("star-2").click();
    await expect(p.getByTestId("star-2").getAttribute("aria-checked")).resolves.toBe("true");
    await expect(p.getByTestId("star-1").textContent()).resolves.toContain("★");
    await expect(p.getByTestId("star-3").textContent()).resolves.toContain("☆");
    await p.getByTestId("reasons").waitFor(WAIT);
    // No reason yet: it cannot be sent.
    await expect(p.getByTestId("send-rating").isDisabled()).resolves.toBe(true);
    await p.getByTestId("reason-long_wait").check();
    await p.getByTestId("reason-not_done").check();
    await p.getByTestId("comment").fill("叫号后窗口没人，等了很久");
    await expect(p.getByTestId("send-rating").isDisabled()).resolves.toBe(false);
    await expectNoAxeViolations(p, "phone rating low with reasons");
    await screenshot(p, "phone-390x844-rating-low");
    await p.getByTestId("send-rating").click();
    await p.getByTestId("thanks").waitFor(WAIT);
    expect(t.hub.hall.ticket(tk.id)).toMatchObject({
      rating: 2,
      ratingReasons: ["long_wait", "not_done"],
      ratingComment: "叫号后窗口没人，等了很久",
    });
    await expectNoAxeViolations(p, "phone rated");
    await p.context().close();
  });

  it("a 5-star rating needs no reason", async () => {
    const tk = await served({ matterId: "m-001" }, { outcome: "completed" });
    const p = await phone(tk.phoneUrl);
    await p.getByTestId("star-5").click();
    expect(await p.getByTestId("reasons").count()).toBe(0);
    await p.getByTestId("send-rating").click();
    await p.getByTestId("thanks").waitFor(WAIT);
    expect(t.hub.hall.ticket(tk.id)?.rating).toBe(5);
    await p.context().close();
  });

  it("an English ticket opens an English page, with English materials and what is missing", async () => {
    await drain();
    const waiting = (await t.issue<IssuedTicket>({ matterId: "m-001", lang: "en" })).body;
    // A Chinese browser: the ticket's language wins.
    const w = await phone(waiting.phoneUrl);
    await expect.poll(() => w.getByTestId("status").textContent(), WAIT).toBe("Waiting");
    await expect(w.locator("html").getAttribute("lang")).resolves.toBe("en");
    await expect(w.locator(".materials li").first().textContent()).resolves.toBe("Company registration (filing) application");
    await expectNoAxeViolations(w, "phone waiting en");
    await w.context().close();

    const tk = await served(
      { matterId: "m-001", lang: "en" },
      { outcome: "accepted_incomplete", missing: ["公司章程", "另附说明"] },
    );
    const p = await phone(tk.phoneUrl);
    await expect.poll(() => p.getByTestId("status").textContent(), WAIT).toBe("Accepted, materials to follow");
    // A material of the list has its English twin; the clerk's own words stay as written.
    await expect(p.getByTestId("missing").locator("li").allTextContents()).resolves.toEqual([
      "Articles of association",
      "另附说明",
    ]);
    await expectNoAxeViolations(p, "phone accepted_incomplete en");
    await screenshot(p, "phone-390x844-incomplete-en");
    await p.context().close();
  });

  it("keeps the catalogue by version, as the other pages do: a reload revalidates it (304) instead of loading it again", async () => {
    const tk = (await t.issue<IssuedTicket>({ matterId: "m-001" })).body;
    const p = await newPage(browser, { width: 390, height: 844, hasTouch: true });
    const asked: { revalidated: boolean; status: number }[] = [];
    p.on("response", (r) => {
      if (new URL(r.url()).pathname === "/api/hall")
        asked.push({ revalidated: r.request().headers()["if-none-match"] !== undefined, status: r.status() });
    });
    await p.goto(tk.phoneUrl);
    // The matter's name comes from the catalogue.
    await expect.poll(() => p.locator("main").textContent(), WAIT).toContain("企业设立登记");
    expect(asked).toEqual([{ revalidated: false, status: 200 }]);
    await p.reload();
    await expect.poll(() => p.locator("main").textContent(), WAIT).toContain("企业设立登记");
    expect(asked).toEqual([
      { revalidated: false, status: 200 },
      { revalidated: true, status: 304 },
    ]);
    await p.context().close();
  });

  it("after the hall's midnight the open page tells the visitor the hall has closed, in both languages", async () => {
    await drain();
    const tk = (await t.issue<IssuedTicket>({ matterId: "m-062" })).body;
    const p = await phone(tk.phoneUrl);
    await p.getByTestId("ahead").waitFor(WAIT);
    t.advance(24 * 60 * 60_000);
    // The hub's day tick (every 15 s) turns the day; do it now rather than wait.
    expect(t.hub.hall.rotateIfNeeded()).toBe(true);
    await p.getByTestId("closed").waitFor(WAIT);
    await expect(p.getByTestId("closed").locator("h1").textContent()).resolves.toBe("今日已闭厅");
    await expect(p.getByTestId("closed").textContent()).resolves.toContain("下一个工作日");
    await expectNoAxeViolations(p, "phone closed zh");
    await screenshot(p, "phone-390x844-closed");
    await p.getByTestId("lang").click();
    await expect(p.getByTestId("closed").locator("h1").textContent()).resolves.toBe("The hall has closed for the day");
    await expectNoAxeViolations(p, "phone closed en");
    await p.context().close();

    // Opening the link the next day says the same.
    const again = await phone(tk.phoneUrl);
    await again.getByTestId("closed").waitFor(WAIT);
    await again.context().close();
  });
});
