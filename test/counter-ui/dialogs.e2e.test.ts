/**
 * The counter page's dialogs in real Chromium against a real hub, clicked as a clerk
 * would: transfer (to a queue with a note, to a counter), park and call back, call a
 * specific ticket with a reason, pause and resume (seen on the window screen), no-show,
 * rating from the rating device, and a hub error in words.
 * Needs `npx vite build` first (npm test does it).
 */
import { existsSync } from "node:fs";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Catalogue, CounterView, IssuedTicket } from "../../server/src/contract/index.ts";
import { launchBrowser, newPage, screenshot } from "../helpers/browser.ts";
import type { Browser, Page } from "../helpers/browser.ts";
import { startTestHub } from "../helpers/hub.ts";
import { recordCommands, sentSince } from "./sent-commands.ts";
import type { TestHub } from "../helpers/hub.ts";

const WAIT = { timeout: 15_000 };

let t: TestHub;
let browser: Browser;
let cat: Catalogue;
let admin: string;
/** c03 (liuyang, series A only): the clerk whose dialogs are under test. */
let c03: Page;
const others: Page[] = [];

function matterIn(queueId: string): string {
  const m = cat.matters.find((x) => x.queueId === queueId);
  if (!m) throw new Error(`no matter in ${queueId}`);
  return m.id;
}

async function issueA(): Promise<IssuedTicket> {
  const r = await t.issue<IssuedTicket>({ matterId: matterIn("q-a") });
  if (r.status !== 201) throw new Error(`issue: ${r.status} ${JSON.stringify(r.body)}`);
  return r.body;
}

async function view(counterId: string): Promise<CounterView> {
  return (await t.api<CounterView>("GET", `/api/counters/${counterId}`, undefined, admin)).body;
}

const listed = (v: CounterView, number: string) => v.queues.some((q) => q.next.some((x) => x.number === number));

async function openCounter(username: string, counterId: string): Promise<Page> {
  const page = await newPage(browser, { width: 1920, height: 1080 });
  recordCommands(page);
  await page.goto(`${t.url}/counter?counter=${counterId}`);
  await page.locator("input[name=username]").fill(username);
  await page.locator("input[name=password]").fill(t.password(username));
  await page.locator("button[type=submit]").click();
  await page.getByTestId("sign-in").click();
  await page.getByTestId("today").waitFor(WAIT);
  return page;
}

/** The current ticket's number, or null; read in one go (the element may be replaced meanwhile). */
function currentNumber(page: Page): Promise<string | null> {
  return page.evaluate(() => document.querySelector('[data-testid="current-number"]')?.textContent?.trim() ?? null);
}

/** Clicks "call next" once the page lists `number`, and waits until it is the current ticket. */
async function callNextExpecting(page: Page, number: string): Promise<void> {
  await page.locator(".tickets li", { hasText: number }).first().waitFor(WAIT);
  await page.locator('[data-action="call-next"]:not([disabled])').click();
  await expect.poll(() => currentNumber(page), WAIT).toBe(number);
}

beforeAll(async () => {
  if (!existsSync(path.resolve("dist/counter-ui/index.html"))) throw new Error("dist/ is not built: run `npx vite build` first");
  t = await startTestHub();
  browser = await launchBrowser();
  cat = (await t.api<Catalogue>("GET", "/api/hall")).body;
  admin = await t.adminToken();
  c03 = await openCounter("liuyang", "c03");
});

afterAll(async () => {
  for (const p of others.splice(0)) await p.context().close();
  await browser?.close();
  await t?.close();
});

describe("counter dialogs in Chromium", () => {
  it("transfers to another queue with a note: the other counter lists it and sees the note", { timeout: 60_000 }, async () => {
    const tk = await issueA();
    await callNextExpecting(c03, tk.number);

    await c03.locator('[data-action="transfer"]').click();
    const form = c03.getByTestId("transfer-form");
    await form.waitFor(WAIT);
    await form.locator('input[name="mode"][value="queue"]').check();
    await form.locator('select[name="toQueue"]').selectOption("q-c");
    await form.locator('input[name="note"]').fill("一链办理：请核定契税");
    await screenshot(c03, "counter-1920x1080-transfer-dialog");
    await form.locator('button[type="submit"]').click();
    await form.waitFor({ state: "detached", ...WAIT });
    await expect.poll(() => currentNumber(c03), WAIT).toBe(null);

    // Tax counter c17 (series C) has it in its list, live and over REST.
    const c17 = await openCounter("huanglei", "c17");
    others.push(c17);
    // Transferred in: listed once, at the top, with its note and the 转入 tag.
    const tin = c17.getByTestId("transferred-in").locator("li", { hasText: tk.number });
    await tin.waitFor(WAIT);
    await expect(tin.textContent()).resolves.toContain("一链办理：请核定契税");
    await expect(tin.locator(".tag").textContent()).resolves.toBe("转入");
    expect(listed(await view("c17"), tk.number)).toBe(true);
    expect(listed(await view("c03"), tk.number)).toBe(false);
    // Calling it there shows the note to the next clerk.
    await callNextExpecting(c17, tk.number);
    await expect(c17.locator(".current .notes").textContent()).resolves.toContain("一链办理：请核定契税");
  });

  it("transfers to a specific counter: only that counter lists it", { timeout: 60_000 }, async () => {
    const tk = await issueA();
    await callNextExpecting(c03, tk.number);
    const c04 = await openCounter("chenjing", "c04");
    others.push(c04);

    await c03.keyboard.press("t");
    const form = c03.getByTestId("transfer-form");
    await form.waitFor(WAIT);
    await form.locator('input[name="mode"][value="counter"]').check();
    await form.locator('select[name="toCounter"]').selectOption("c04");
    await form.locator('input[name="note"]').fill("请陈静办理");
    await form.locator('button[type="submit"]').click();
    await expect.poll(() => currentNumber(c03), WAIT).toBe(null);

    await c04.locator(".tickets li", { hasText: tk.number }).waitFor(WAIT);
    expect(listed(await view("c04"), tk.number)).toBe(true);
    // c03 serves the same series but the ticket is no longer its to call.
    expect(listed(await view("c03"), tk.number)).toBe(false);
    await expect(c03.locator(".tickets li", { hasText: tk.number }).count()).resolves.toBe(0);
    await callNextExpecting(c04, tk.number);
  });

  it("transfers to a counter of another series: that counter lists it too", { timeout: 60_000 }, async () => {
    const tk = await issueA();
    await callNextExpecting(c03, tk.number);
    const c17 = others[0];
    if (!c17) throw new Error("the c17 page of the first test is gone");

    await c03.locator('[data-action="transfer"]').click();
    const form = c03.getByTestId("transfer-form");
    await form.locator('input[name="mode"][value="counter"]').check();
    await form.locator('select[name="toCounter"]').selectOption("c17");
    await form.locator('button[type="submit"]').click();
    await expect.poll(() => currentNumber(c03), WAIT).toBe(null);

    await c17.locator(".tickets li", { hasText: tk.number }).waitFor(WAIT);
    expect(listed(await view("c17"), tk.number)).toBe(true);
    expect(listed(await view("c03"), tk.number)).toBe(false);
    // Nobody else of series C can take it: it waits for c17 only.
    expect(t.hub.hall.ticket(tk.id)?.targetCounterId).toBe("c17");
  });

  it("parks the current ticket and calls it back from the parked list", async () => {
    const tk = await issueA();
    await callNextExpecting(c03, tk.number);
    await c03.locator('[data-action="park"]').click();
    // Park asks for an optional note; Enter with none parks.
    await c03.getByRole("dialog").locator('input[name="note"]').press("Enter");
    const parked = c03.getByTestId("parked");
    await parked.locator("li", { hasText: tk.number }).waitFor(WAIT);
    await expect.poll(() => currentNumber(c03), WAIT).toBe(null);

    await parked.locator(`[data-callback="${tk.number}"]`).click();
    await expect.poll(() => currentNumber(c03), WAIT).toBe(tk.number);
    await parked.waitFor({ state: "detached", ...WAIT });
  });

  it("calls a specific ticket from the queue list with a reason, out of line", async () => {
    // Finish the called-back ticket first (F, then an outcome).
    await c03.keyboard.press("f");
    await c03.locator('[data-outcome="completed"]').click();
    await expect.poll(() => currentNumber(c03), WAIT).toBe(null);

    const first = await issueA();
    const second = await issueA();
    await c03.locator(`[data-call="${second.number}"]`).click();
    const dialog = c03.getByRole("dialog");
    await dialog.waitFor(WAIT);
    // A reason is required: OK stays disabled until one is typed or picked.
    await expect(dialog.locator('button[type="submit"]').isDisabled()).resolves.toBe(true);
    await dialog.getByRole("button", { name: "老弱病残孕优先" }).click();
    await expect.poll(() => currentNumber(c03), WAIT).toBe(second.number);
    await expect(c03.locator(".current .notes").textContent()).resolves.toContain("老弱病残孕优先");
    // The one who was skipped is still first in line.
    await expect(c03.locator(".tickets li").first().textContent()).resolves.toContain(first.number);
    await c03.keyboard.press("f");
    await c03.locator('[data-outcome="completed"]').click();
    await expect.poll(() => currentNumber(c03), WAIT).toBe(null);
  });

  it("pauses with a reason (the window screen says 暂停服务), explains F1 while paused, and resumes", {
    timeout: 60_000,
  }, async () => {
    const screen = await newPage(browser, { width: 1280, height: 400 });
    others.push(screen);
    await screen.goto(`${t.url}/display/window/c03`);
    await screen.getByTestId("window-screen").waitFor(WAIT);

    await c03.locator('[data-action="pause-resume"]').click();
    const dialog = c03.getByRole("dialog");
    await dialog.locator('input[name="reason"]').fill("窗口培训");
    await dialog.locator('button[type="submit"]').click();
    const status = c03.getByTestId("counter-status");
    await expect.poll(() => status.textContent(), WAIT).toBe("暂停服务 · 窗口培训");
    await expect.poll(() => screen.getByTestId("window-screen").getAttribute("data-mode"), WAIT).toBe("paused");
    await expect(screen.getByTestId("window-line").textContent()).resolves.toBe("暂停服务");
    await expect(c03.locator('[data-action="call-next"]').isDisabled()).resolves.toBe(true);

    // F1 out of habit: nothing is sent (the hub's allowed list has no call-next), and the
    // clerk reads why; the hint no longer says 按 F1 叫下一位.
    const events = recordCommands(c03);
    const from = events.length;
    await expect.poll(() => c03.getByTestId("hint").textContent(), WAIT).toContain("按 B 恢复服务");
    await expect(c03.getByTestId("hint").textContent()).resolves.not.toContain("F1");
    await c03.keyboard.press("F1");
    await c03.locator(".notice", { hasText: "按 B 恢复服务" }).waitFor(WAIT);
    await new Promise((r) => setTimeout(r, 300));
    expect(sentSince(events, from, "call-next").sent).toEqual([]);

    await c03.locator('[data-action="pause-resume"]').click();
    await expect.poll(() => status.textContent(), WAIT).toBe("空闲");
    // What the page does send is seen: the resume went out, over the socket.
    expect(sentSince(events, from, "resume").sent.map((c) => c.via)).toEqual(["socket"]);
    await expect.poll(() => screen.getByTestId("window-screen").getAttribute("data-mode"), WAIT).not.toBe("paused");
  });

  it("marks a no-show and lists it under 过号", async () => {
    // The ticket skipped in the previous test is the next in line.
    const next = (await view("c03")).queues.flatMap((q) => q.next)[0];
    if (!next) throw new Error("nobody waiting at c03");
    await callNextExpecting(c03, next.number);
    await c03.locator('[data-action="no-show"]').click();
    // Just called: the page asks before recording a no-show.
    await c03.getByTestId("no-show-yes").click();
    await c03.getByTestId("no-shows").locator("li", { hasText: next.number }).waitFor(WAIT);
    await expect.poll(() => currentNumber(c03), WAIT).toBe(null);
    expect((await view("c03")).noShows.map((x) => x.number)).toContain(next.number);
  });

  it("asks for a rating and shows it when the rating device rates", async () => {
    const tk = await issueA();
    await callNextExpecting(c03, tk.number);
    await c03.locator('[data-action="start"]').click();
    await c03.locator(".current.c-serving").waitFor(WAIT);
    await c03.locator('[data-action="request-rating"]').click();
    await c03.getByTestId("rating-waiting").waitFor(WAIT);

    const keypad = t.hub.devices.simulators("rating-c03")?.keypadSim;
    if (!keypad) throw new Error("counter c03 has no simulated rating device");
    const number = cat.counters.find((c) => c.id === "c03")?.number ?? 0;
    await keypad.rate(number as 1, 5);
    const last = c03.getByTestId("last-rating");
    await last.waitFor(WAIT);
    await expect(last.textContent()).resolves.toBe("最近评价：5 星");
    await c03.getByTestId("rating-waiting").waitFor({ state: "detached", ...WAIT });
    expect(t.hub.hall.ticket(tk.id)?.rating).toBe(5);
  });
});
