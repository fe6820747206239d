/**
 * Issue 8 (counter items 1, 9–14) in real Chromium against a real hub: a double press of
 * call-next calls one visitor and completes none; the dialogs take the focus; parked,
 * no-show and transferred-in tickets sit at the top at 1440×900; signing out shows no
 * error; the takeover flow; disabled buttons look disabled; axe-core AA on the page.
 * Needs `npx vite build` first (npm test does it).
 */
import { existsSync } from "node:fs";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Catalogue, HallSnapshot, IssuedTicket } from "../../server/src/contract/index.ts";
import { expectNoAxeViolations } from "../helpers/axe.ts";
import { launchBrowser, newPage, screenshot } from "../helpers/browser.ts";
import type { Browser, Page } from "../helpers/browser.ts";
import { startTestHub } from "../helpers/hub.ts";
import { recordCommands, sentSince } from "./sent-commands.ts";
import type { TestHub } from "../helpers/hub.ts";

const WAIT = { timeout: 15_000 };
const VIEWPORT = { width: 1440, height: 900 };

let t: TestHub;
let browser: Browser;
let cat: Catalogue;
/** c04 (chenjing): the clerk under test. */
let page: Page;
let token: string;
const C = "c04";

function matterFor(counterId: string): string {
  const q = cat.counters.find((c) => c.id === counterId)?.profile.queueIds[0];
  const m = cat.matters.find((x) => x.queueId === q);
  if (!m) throw new Error(`no matter for ${counterId}`);
  return m.id;
}

async function issue(): Promise<IssuedTicket> {
  const r = await t.issue({ matterId: matterFor(C) });
  if (r.status !== 201) throw new Error(`issue: ${r.status}`);
  return r.body;
}

async function openCounter(username: string, counterId: string): Promise<Page> {
  const p = await newPage(browser, VIEWPORT);
  recordCommands(p);
  await p.goto(`${t.url}/counter?counter=${counterId}`);
  await p.locator("input[name=username]").fill(username);
  await p.locator("input[name=password]").fill(t.password(username));
  await p.locator("button[type=submit]").click();
  await p.getByTestId("sign-in").click();
  return p;
}

function currentNumber(p: Page): Promise<string | null> {
  return p.evaluate(() => document.querySelector('[data-testid="current-number"]')?.textContent?.trim() ?? null);
}

/** c04's tickets as the hub's public state shows them. */
async function atCounter(): Promise<{ called: string[]; done: number }> {
  const s = (await t.api<HallSnapshot>("GET", "/api/state")).body;
  const called = s.active.filter((a) => a.counterId === C && a.status === "called").map((a) => a.id);
  const done = [...t.hub.hall.tickets()].filter((x) => x.counterId === C && x.status === "done").length;
  return { called, done };
}

/** Finish whatever is current at c04 and let the double-press window pass. */
async function clearCounter(): Promise<void> {
  await t.api("POST", `/api/counters/${C}/finish`, { outcome: "completed" }, token);
  await expect.poll(() => currentNumber(page), WAIT).toBe(null);
  await new Promise((r) => setTimeout(r, 1600));
}

/**
 * The call-next commands the page sends while `fn` runs (socket frames, or REST while the
 * socket is down), and the most ever in flight at once. The page's guard is "never a second
 * call while the first is in flight"; a second press after the first was answered may go
 * out, and the hub makes it the same call (its double-press window), which the callers
 * check on the hub's side.
 */
async function callNextRequests(fn: () => Promise<void>): Promise<{ sent: number; maxInFlight: number; via: Set<string> }> {
  const events = recordCommands(page);
  const from = events.length;
  await fn();
  await new Promise((r) => setTimeout(r, 400));
  const { sent, maxInFlight } = sentSince(events, from, "call-next");
  return { sent: sent.length, maxInFlight, via: new Set(sent.map((c) => c.via)) };
}

beforeAll(async () => {
  if (!existsSync(path.resolve("dist/counter-ui/index.html"))) throw new Error("dist/ is not built: run `npx vite build` first");
  t = await startTestHub();
  browser = await launchBrowser();
  cat = (await t.api<Catalogue>("GET", "/api/hall")).body;
  token = (await t.login("chenjing")).token;
  page = await openCounter("chenjing", C);
  await page.getByTestId("today").waitFor(WAIT);
});

afterAll(async () => {
  await browser?.close();
  await t?.close();
});

describe("counter page: call-next double press (issue 8.1)", () => {
  it("a double click within 50 ms calls exactly one visitor and completes none", async () => {
    const a = await issue();
    await issue();
    await page.locator(".tickets li", { hasText: a.number }).first().waitFor(WAIT);
    const before = await atCounter();
    const btn = page.locator('[data-action="call-next"]');
    // Time the two clicks where they land, in the page.
    await page.evaluate(() => {
      const w = window as unknown as { clicks: number[] };
      w.clicks = [];
      document.addEventListener("click", (e) => w.clicks.push(e.timeStamp), { capture: true });
    });
    // Two clicks 20 ms apart, fired inside the page (a loaded test machine would space
    // playwright's own clicks too far apart to be a double click).
    const { sent, maxInFlight, via } = await callNextRequests(() =>
      page.evaluate(async () => {
        const b = document.querySelector<HTMLButtonElement>('[data-action="call-next"]');
        b?.click();
        await new Promise((r) => setTimeout(r, 20));
        b?.click();
      }),
    );
    const clicks = await page.evaluate(() => (window as unknown as { clicks: number[] }).clicks);
    // The second click may land on a button already disabled (then no click event): either way
    // any two were within 50 ms, and never two requests were in flight at once.
    expect(clicks.length).toBeGreaterThanOrEqual(1);
    if (clicks.length === 2) expect((clicks[1] ?? 0) - (clicks[0] ?? 0)).toBeLessThan(50);
    await expect.poll(() => currentNumber(page), WAIT).toBe(a.number);
    // Never two calls in flight from the page; at most the second press after the answer.
    expect(maxInFlight).toBe(1);
    expect(sent).toBeLessThanOrEqual(2);
    // The page's commands go over its socket's typed counter:command (REST is for integrations).
    expect([...via]).toEqual(["socket"]);
    const after = await atCounter();
    expect(after.called).toEqual([a.id]);
    expect(after.done).toBe(before.done);
    // The button stays off while a visitor is only called.
    await expect(btn.isDisabled()).resolves.toBe(true);
  });

  it("F1 F1 within 50 ms calls exactly one visitor and completes none", async () => {
    await clearCounter();
    const before = await atCounter();
    const next = (await t.api<HallSnapshot>("GET", "/api/state")).body.active.find(
      (x) => x.status === "waiting" && cat.counters.find((c) => c.id === C)?.profile.queueIds.includes(x.queueId),
    );
    if (!next) throw new Error("nobody waiting");
    const { sent, maxInFlight } = await callNextRequests(async () => {
      // Both presses go out in the same task: well within 50 ms of each other.
      await page.evaluate(() => {
        for (let i = 0; i < 2; i++) window.dispatchEvent(new KeyboardEvent("keydown", { key: "F1", bubbles: true }));
      });
    });
    await expect.poll(() => currentNumber(page), WAIT).toBe(next.number);
    // Never two calls in flight from the page; at most the second press after the answer.
    expect(maxInFlight).toBe(1);
    expect(sent).toBeLessThanOrEqual(2);
    const after = await atCounter();
    expect(after.called).toEqual([next.id]);
    expect(after.done).toBe(before.done);
  });

  it("even two presses the page does send (no in-flight guard) become one call at the hub", async () => {
    await clearCounter();
    const a = await issue();
    await page.locator(".tickets li", { hasText: a.number }).first().waitFor(WAIT);
    const before = await atCounter();
    const replies = await page.evaluate(
      async ({ url, tok }) => {
        const one = (id: string) =>
          fetch(url, {
            method: "POST",
            headers: { "content-type": "application/json", authorization: `Bearer ${tok}` },
            body: JSON.stringify({ requestId: id }),
          }).then(async (r) => ({ status: r.status, id: r.status === 200 ? (await r.json()).id : null }));
        return Promise.all([one("x1"), one("x2")]);
      },
      { url: `${t.url}/api/counters/${C}/call-next`, tok: token },
    );
    expect(replies.map((r) => r.status)).toEqual([200, 200]);
    expect(replies[0]?.id).toBe(replies[1]?.id);
    const after = await atCounter();
    expect(after.called).toHaveLength(1);
    expect(after.done).toBe(before.done);
  });
});

describe("counter page: dialogs, lists, looks (issue 8.10, 8.11, 8.14)", () => {
  it("the finish dialog takes the focus: Esc cancels, Enter confirms 办结", async () => {
    // The visitor the previous test called (from the page's own fetch) is current here too.
    await page.locator('[data-action="start"]:not([disabled])').waitFor(WAIT);
    await page.keyboard.press("s");
    await page.locator(".current.c-serving").waitFor(WAIT);
    await page.keyboard.press("f");
    const dialog = page.getByRole("dialog");
    await dialog.waitFor(WAIT);
    await expect.poll(() => page.evaluate(() => document.activeElement?.getAttribute("data-outcome")), WAIT).toBe("completed");
    await expectNoAxeViolations(page, "counter, finish dialog open");
    await page.keyboard.press("Escape");
    await dialog.waitFor({ state: "detached", ...WAIT });
    expect(await currentNumber(page)).not.toBeNull();
    await page.keyboard.press("f");
    await dialog.waitFor(WAIT);
    await expect.poll(() => page.evaluate(() => document.activeElement?.getAttribute("data-outcome")), WAIT).toBe("completed");
    await page.keyboard.press("Enter");
    await expect.poll(() => currentNumber(page), WAIT).toBe(null);
  });

  it("idle: the disabled 办结 looks disabled (grey, not green) and 等候 0 人 is not alarm red", async () => {
    const finish = page.locator('[data-action="finish"]');
    await expect(finish.isDisabled()).resolves.toBe(true);
    const look = await finish.evaluate((el) => {
      const cs = getComputedStyle(el);
      return { bg: cs.backgroundColor, border: cs.borderStyle, cursor: cs.cursor };
    });
    expect(look).toEqual({ bg: "rgb(233, 237, 242)", border: "dashed", cursor: "not-allowed" });
    const zero = page.locator(".queue .count", { hasText: "等候 0 人" }).first();
    await zero.waitFor(WAIT);
    const color = await zero.evaluate((el) => getComputedStyle(el).color);
    expect(["rgb(217, 72, 15)", "rgb(185, 58, 11)"]).not.toContain(color);
  });

  it("axe-core: no AA violations signed in, and with a called ticket", async () => {
    await expectNoAxeViolations(page, "counter, idle");
    await new Promise((r) => setTimeout(r, 1600));
    await issue();
    await page.locator('[data-action="call-next"]:not([disabled])').click();
    await expect.poll(() => currentNumber(page), WAIT).not.toBeNull();
    await expectNoAxeViolations(page, "counter, ticket called");
    // The enabled 办结 is green, the disabled call-next is not the primary blue.
    await expect(page.locator('[data-action="finish"]').evaluate((el) => getComputedStyle(el).backgroundColor)).resolves.toBe(
      "rgb(21, 128, 61)",
    );
    await expect(page.locator('[data-action="call-next"]').evaluate((el) => getComputedStyle(el).backgroundColor)).resolves.toBe(
      "rgb(233, 237, 242)",
    );
  });

  it("X within the grace time asks first; park asks for a note; both lists and a transferred-in ticket are at the top at 1440×900", async () => {
    // No-show of the called ticket, confirmed with Enter.
    const called = await currentNumber(page);
    await page.keyboard.press("x");
    await page.getByTestId("no-show-confirm").waitFor(WAIT);
    await expect.poll(() => page.evaluate(() => document.activeElement?.getAttribute("data-testid")), WAIT).toBe("no-show-yes");
    await page.keyboard.press("Enter");
    await page
      .getByTestId("no-shows")
      .locator("li", { hasText: called ?? "?" })
      .waitFor(WAIT);

    // Park with a note typed into the focused field.
    await new Promise((r) => setTimeout(r, 1600));
    const p = await issue();
    await page.locator(".tickets li", { hasText: p.number }).first().waitFor(WAIT);
    await page.locator('[data-action="call-next"]:not([disabled])').click();
    await expect.poll(() => currentNumber(page), WAIT).toBe(p.number);
    await page.keyboard.press("p");
    await page.getByRole("dialog").waitFor(WAIT);
    // The dialog moves the focus into its note field after it is shown: type only once it has
    // (typed earlier, the keys land on the page and the ticket is parked without the note).
    await expect.poll(() => page.evaluate(() => document.activeElement?.getAttribute("name")), WAIT).toBe("note");
    await page.keyboard.type("去复印身份证");
    await page.keyboard.press("Enter");
    await page.getByTestId("parked").locator("li", { hasText: "去复印身份证" }).waitFor(WAIT);

    // Plenty waiting in the lists below, and a ticket transferred here from another counter with a note.
    for (let i = 0; i < 12; i++) await issue();
    const other = (await t.login("zhangwei")).token;
    await t.api("POST", "/api/counters/c01/sign-in", {}, other);
    const tr = await t.issue({ matterId: matterFor("c01") });
    await t.api("POST", `/api/counters/c01/call/${tr.body.id}`, {}, other);
    const moved = await t.api("POST", "/api/counters/c01/transfer", { toCounterId: C, note: "材料已核验，请直接受理" }, other);
    expect(moved.status).toBe(200);
    const tin = page.getByTestId("transferred-in");
    await tin.locator("li", { hasText: "材料已核验" }).waitFor(WAIT);
    await expect(tin.locator(".tag").first().textContent()).resolves.toBe("转入");

    for (const id of ["transferred-in", "parked", "no-shows"]) {
      const box = await page.getByTestId(id).boundingBox();
      expect(box, id).not.toBeNull();
      if (!box) continue;
      expect(box.y, id).toBeGreaterThanOrEqual(0);
      expect(box.y + box.height, `${id} fits in 900 px`).toBeLessThanOrEqual(VIEWPORT.height);
      expect(box.x + box.width, id).toBeLessThanOrEqual(VIEWPORT.width);
    }
    // No scrolling happened to get there.
    expect(await page.evaluate(() => window.scrollY)).toBe(0);
    await screenshot(page, "counter-1440x900-lists");
  });
});

describe("counter page: paused, takeover, sign out (issue 8.9, 8.13, 8.12)", () => {
  it("a supervisor confirms a takeover; the clerk sees who holds it, asks for it back and gets it", async () => {
    const boss = await newPage(browser, VIEWPORT);
    await boss.goto(`${t.url}/counter?counter=${C}`);
    await boss.locator("input[name=username]").fill("wangli");
    await boss.locator("input[name=password]").fill(t.password("wangli"));
    await boss.locator("button[type=submit]").click();
    await boss.getByTestId("sign-in").click();
    await boss.getByTestId("takeover-confirm").waitFor(WAIT);
    await expect(boss.getByTestId("takeover-confirm").textContent()).resolves.toContain("陈静");
    await boss.getByTestId("takeover-yes").click();
    await boss.getByTestId("today").waitFor(WAIT);

    const held = page.getByTestId("held-by");
    await held.waitFor(WAIT);
    await expect(held.textContent()).resolves.toContain("王丽");
    await expect(page.locator('[data-action="call-next"]').isDisabled()).resolves.toBe(true);
    await page.getByTestId("ask-back").click();
    await boss.getByTestId("hand-back-asked").waitFor(WAIT);
    await expect(boss.getByTestId("hand-back-asked").textContent()).resolves.toContain("陈静");
    await boss.getByTestId("hand-back").click();
    await held.waitFor({ state: "detached", ...WAIT });
    expect(t.hub.hall.counterState(C)?.staffName).toBe("陈静");
    await boss.context().close();
  });

  it("signing out goes back to the login form without an error", async () => {
    // Nothing current, or sign-out is refused.
    await t.api("POST", `/api/counters/${C}/finish`, {}, token);
    await expect.poll(() => currentNumber(page), WAIT).toBe(null);
    // Start from no message at all, so any toast below comes from signing out.
    const old = page.getByTestId("error");
    if ((await old.count()) > 0) await old.getByRole("button").click();
    await page.locator("button.logout").click();
    await page.locator("input[name=username]").waitFor(WAIT);
    await new Promise((r) => setTimeout(r, 800));
    expect(await page.evaluate(() => document.querySelector('[data-testid="error"]')?.textContent ?? null)).toBeNull();
    expect(await page.locator("body").textContent()).not.toContain("请先登录");
  });
});
