/**
 * End to end in real Chromium against a real hub started in-process: kiosk → counter →
 * phone, printer failure → e-ticket, English, and a hub restart under open pages.
 * Needs `npx vite build` first (npm test does it).
 */
import { existsSync } from "node:fs";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Catalogue, IssuedTicket, LoginReply, Matter } from "../../server/src/contract/index.ts";
import { startHub } from "../../server/src/app.ts";
import { isWithinHours } from "../../ui-shared/format.ts";
import { launchBrowser, newPage, screenshot } from "../helpers/browser.ts";
import type { Browser, Page } from "../helpers/browser.ts";

const ADMIN_PASSWORD = "e2e-admin-pass";
const COUNTER_ID = "c01";
const WAIT = { timeout: 15_000 };

type Hub = Awaited<ReturnType<typeof startHub>>;
let hub: Hub;
let dataDir: string;
let port: number;
let browser: Browser;
let cat: Catalogue;
let matter: Matter;
let adminToken: string;

function start(p: number): Promise<Hub> {
  return startHub({ port: p, host: "127.0.0.1", dataDir, adminPassword: ADMIN_PASSWORD, log: () => {} });
}

async function api<T>(method: string, route: string, body?: unknown, token?: string): Promise<T> {
  const res = await fetch(hub.url + route, {
    method,
    headers: { "content-type": "application/json", ...(token ? { authorization: `Bearer ${token}` } : {}) },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const text = await res.text();
  if (!res.ok) throw new Error(`${method} ${route} → ${res.status} ${text}`);
  return (text ? JSON.parse(text) : null) as T;
}

/** Walks the kiosk from the start screen to the ticket screen by clicking. */
async function takeTicketOnKiosk(page: Page, shotPrefix?: string): Promise<{ number: string; phoneUrl: string }> {
  const zoneId = cat.departments.find((d) => d.id === matter.departmentId)?.zoneId ?? "";
  await page.locator(`[data-zone="${zoneId}"]`).click();
  await page.locator(`[data-matter="${matter.id}"]`).click();
  await page.getByTestId("take").waitFor(WAIT);
  if (shotPrefix) await screenshot(page, `${shotPrefix}-matter`);
  await page.getByTestId("take").click();
  await page.getByTestId("issued").waitFor(WAIT);
  const number = (await page.getByTestId("number").textContent())?.trim() ?? "";
  const phoneUrl = (await page.getByTestId("phone-qr").getAttribute("data-url")) ?? "";
  return { number, phoneUrl };
}

async function openCounter(): Promise<Page> {
  const page = await newPage(browser, { width: 1920, height: 1080 });
  await page.goto(`${hub.url}/counter?counter=${COUNTER_ID}`);
  await page.locator("input[name=username]").fill("admin");
  await page.locator("input[name=password]").fill(ADMIN_PASSWORD);
  await page.locator("button[type=submit]").click();
  await page.getByTestId("sign-in").click();
  await page.getByTestId("today").waitFor(WAIT);
  return page;
}

beforeAll(async () => {
  if (!existsSync(path.resolve("dist/kiosk-ui/index.html")) || !existsSync(path.resolve("dist/counter-ui/index.html"))) {
    throw new Error("dist/ is not built: run `npx vite build` first");
  }
  dataDir = await mkdtemp(path.join(tmpdir(), "onevisit-ui-e2e-"));
  hub = await start(0);
  port = Number(new URL(hub.url).port);
  browser = await launchBrowser();
  cat = await api<Catalogue>("GET", "/api/hall");
  const counter = cat.counters.find((c) => c.id === COUNTER_ID);
  const now = Date.now();
  const open = cat.queues.filter((q) => counter?.profile.queueIds.includes(q.id) && (q.dailyCap === 0 || q.dailyCap > 20));
  const found = cat.matters.find((m) => open.some((q) => q.id === m.queueId && isWithinHours(q.hours, now, cat.hall.timeZone)));
  if (!found) throw new Error("the demo hall has no matter that counter c01 serves and issues now");
  matter = found;
  adminToken = (await api<LoginReply>("POST", "/api/auth/login", { username: "admin", password: ADMIN_PASSWORD })).token;
});

afterAll(async () => {
  await browser?.close();
  await hub?.close();
  if (dataDir) await rm(dataDir, { recursive: true, force: true });
});

describe("kiosk → counter → phone in Chromium", () => {
  let first: { number: string; phoneUrl: string };
  let counterPage: Page;

  it("takes a ticket on the kiosk by clicking, and the counter's queue shows it", async () => {
    const kiosk = await newPage(browser, { width: 1080, height: 1920, hasTouch: true });
    await kiosk.goto(`${hub.url}/kiosk?kiosk=k1`);
    await kiosk.locator(".zone").first().waitFor(WAIT);
    await screenshot(kiosk, "kiosk-1080x1920-home");
    first = await takeTicketOnKiosk(kiosk, "kiosk-1080x1920");
    expect(first.number).toMatch(/^[A-Z]{1,2}\d{3}$/);
    expect(first.phoneUrl).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/m\/.+/);
    await expect(kiosk.getByTestId("ahead").textContent()).resolves.toContain("前面还有 0 人");
    await screenshot(kiosk, "kiosk-1080x1920-ticket");
    await kiosk.context().close();

    counterPage = await openCounter();
    await counterPage.locator(".tickets li", { hasText: first.number }).waitFor(WAIT);
  });

  it("the clerk calls it by clicking and the phone page says called, with the counter", async () => {
    await counterPage.locator('[data-action="call-next"]').click();
    await expect.poll(() => counterPage.getByTestId("current-number").textContent(), WAIT).toBe(first.number);
    await screenshot(counterPage, "counter-1920x1080");

    const phone = await newPage(browser, { width: 390, height: 844, hasTouch: true });
    await phone.goto(first.phoneUrl);
    const called = phone.getByTestId("called");
    await called.waitFor(WAIT);
    const c01 = cat.counters.find((c) => c.id === COUNTER_ID);
    await expect(called.textContent()).resolves.toContain(`${c01?.number} 号窗口`);
    await expect(phone.getByTestId("status").textContent()).resolves.toBe("已叫号");
    await screenshot(phone, "phone-390x844-called");
    await phone.context().close();
  });

  it("finishes with an outcome and calls the next by keyboard shortcut (F, then F1)", async () => {
    const second = await api<IssuedTicket>("POST", "/api/tickets", { matterId: matter.id }, adminToken);
    const phone = await newPage(browser, { width: 390, height: 844 });
    await phone.goto(second.phoneUrl);
    await phone.getByTestId("ahead").waitFor(WAIT);
    await screenshot(phone, "phone-390x844-waiting");

    await counterPage.locator(".tickets li", { hasText: second.number }).waitFor(WAIT);
    await counterPage.keyboard.press("s");
    await expect.poll(() => counterPage.locator(".current.c-serving").count(), WAIT).toBe(1);
    await counterPage.keyboard.press("f");
    await counterPage.locator('[data-outcome="accepted_incomplete"]').click();
    // 容缺受理 asks what is still missing (一次性告知) before it can be confirmed.
    await counterPage.getByTestId("missing-list").locator('input[name="missingOther"]').fill("补交公司章程");
    await counterPage.getByTestId("finish-confirm").click();
    await expect.poll(() => counterPage.getByTestId("served").textContent(), WAIT).toBe("1");
    await counterPage.keyboard.press("F1");
    await expect.poll(() => counterPage.getByTestId("current-number").textContent(), WAIT).toBe(second.number);
    // The phone page follows live over the socket, without a reload.
    await expect.poll(() => phone.getByTestId("status").textContent(), WAIT).toBe("已叫号");
    await phone.context().close();
  });

  it("shows the e-ticket with a reprint button when the kiosk printer fails", async () => {
    await api("POST", "/api/devices/printer-k1/simulate", { fault: "paper_out" }, adminToken);
    const kiosk = await newPage(browser, { width: 1920, height: 1080, hasTouch: true });
    await kiosk.goto(`${hub.url}/kiosk?kiosk=k1`);
    await kiosk.locator(".zone").first().waitFor(WAIT);
    await screenshot(kiosk, "kiosk-1920x1080-home");
    const t = await takeTicketOnKiosk(kiosk, "kiosk-1920x1080");
    const failed = kiosk.getByTestId("print-failed");
    await failed.waitFor(WAIT);
    await expect(failed.textContent()).resolves.toContain("电子号票");
    await expect(kiosk.getByTestId("phone-qr").getAttribute("src")).resolves.toContain("/api/qr.svg?text=");
    await screenshot(kiosk, "kiosk-1920x1080-eticket");
    expect(t.number).not.toBe("");

    await api("POST", "/api/devices/printer-k1/simulate", { fault: "ok" }, adminToken);
    await kiosk.getByTestId("reprint").click();
    await failed.waitFor({ state: "detached", ...WAIT });
    await kiosk.context().close();
  });

  it("switches to English and remembers it", async () => {
    const kiosk = await newPage(browser, { width: 1080, height: 1920 });
    await kiosk.goto(`${hub.url}/kiosk`);
    await kiosk.locator(".zone").first().waitFor(WAIT);
    await kiosk.getByTestId("lang").click();
    await kiosk.getByText("Choose a service zone").waitFor(WAIT);
    const zone = cat.zones[0];
    await expect(kiosk.locator(".zone .name").first().textContent()).resolves.toBe(zone?.nameEn);
    await kiosk.reload();
    await kiosk.getByText("Choose a service zone").waitFor(WAIT);
    await screenshot(kiosk, "kiosk-1080x1920-english");
    await kiosk.context().close();
  });

  it("recovers by itself when the hub restarts under an open counter and phone page", { timeout: 60_000 }, async () => {
    const third = await api<IssuedTicket>("POST", "/api/tickets", { matterId: matter.id }, adminToken);
    const phone = await newPage(browser, { width: 390, height: 844 });
    await phone.goto(third.phoneUrl);
    await phone.getByTestId("ahead").waitFor(WAIT);
    await counterPage.locator(".tickets li", { hasText: third.number }).waitFor(WAIT);
    // Both pages are live before the hub goes away, so the banner below is the restart's.
    await phone.getByTestId("reconnecting").waitFor({ state: "detached", timeout: 15_000 });
    await counterPage.getByTestId("reconnecting").waitFor({ state: "detached", timeout: 15_000 });

    await hub.close();
    await counterPage.getByTestId("reconnecting").waitFor(WAIT);
    await phone.getByTestId("reconnecting").waitFor(WAIT);

    hub = await start(port);
    await counterPage.getByTestId("reconnecting").waitFor({ state: "detached", timeout: 20_000 });
    await phone.getByTestId("reconnecting").waitFor({ state: "detached", timeout: 20_000 });

    // Current data from the new hub: a ticket issued after the restart appears live…
    const fourth = await api<IssuedTicket>("POST", "/api/tickets", { matterId: matter.id }, adminToken);
    await counterPage.locator(".tickets li", { hasText: fourth.number }).waitFor(WAIT);
    // …and the phone page follows its ticket being called on the new hub.
    await api("POST", `/api/counters/${COUNTER_ID}/start`, {}, adminToken);
    await api("POST", `/api/counters/${COUNTER_ID}/finish`, { outcome: "completed" }, adminToken);
    await api("POST", `/api/counters/${COUNTER_ID}/call/${third.id}`, { reason: "e2e" }, adminToken);
    await expect.poll(() => phone.getByTestId("status").textContent(), WAIT).toBe("已叫号");
    await expect.poll(() => counterPage.getByTestId("current-number").textContent(), WAIT).toBe(third.number);
    await phone.context().close();
  });
});
