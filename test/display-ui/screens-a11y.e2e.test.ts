/**
 * The hall screens as a visitor across the hall and a manager see them, in real Chromium
 * against the real hub: axe-core finds no WCAG 2.1 AA violation (call screen, window
 * screen, data wall; Chinese and English; several states), the flashing number keeps
 * ≥ 4.5:1 contrast at every moment of its animation, zone names are whole and the waiting
 * strip is ≥ 40 px on a 1080p panel, and the wall shows what a director asks for.
 */
import { mkdir, mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { previousDay } from "../../display-ui/wall-model.ts";
import { type RunningHub, startHub } from "../../server/src/app.ts";
import type { Catalogue, DaySummary, HallSnapshot, LoginReply } from "../../server/src/contract/index.ts";
import { expectNoAxeViolations } from "../helpers/axe.ts";
import { type Browser, launchBrowser, newPage, type Page } from "../helpers/browser.ts";

const ADMIN_PASSWORD = "screens-a11y-admin";

let hub: RunningHub;
let browser: Browser;
let dataDir: string;
let token: string;
let cat: Catalogue;
let yesterday: string;

async function api<T>(method: string, url: string, body?: unknown, auth = token): Promise<T> {
  const res = await fetch(hub.url + url, {
    method,
    headers: { "content-type": "application/json", ...(auth ? { authorization: `Bearer ${auth}` } : {}) },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const text = await res.text();
  if (!res.ok) throw new Error(`${method} ${url} → ${res.status} ${text}`);
  return (text ? JSON.parse(text) : null) as T;
}

async function issue(queueId: string): Promise<void> {
  const m = cat.matters.find((x) => x.queueId === queueId);
  if (!m) throw new Error(`no matter for ${queueId}`);
  // Taken with the admin's token (the help desk): only a paired kiosk or staff may issue.
  await api("POST", "/api/tickets", { matterId: m.id });
}

/** Contrast of an element's text against what is drawn behind it, with every opacity and
 * translucent background on the way composited, as a visitor's eye gets it. */
function contrastOf(page: Page, selector: string): Promise<number> {
  return page.evaluate((sel) => {
    type RGBA = [number, number, number, number];
    const parse = (c: string): RGBA => {
      const m = /rgba?\(([^)]+)\)/.exec(c);
      if (!m?.[1]) return [0, 0, 0, 0];
      const p = m[1]
        .split(/[ ,/]+/)
        .filter(Boolean)
        .map(Number);
      return [p[0] ?? 0, p[1] ?? 0, p[2] ?? 0, p[3] ?? 1];
    };
    const over = (top: RGBA, under: RGBA): RGBA => {
      const a = top[3];
      return [top[0] * a + under[0] * (1 - a), top[1] * a + under[1] * (1 - a), top[2] * a + under[2] * (1 - a), 1];
    };
    const el = document.querySelector(sel);
    if (!el) return -1;
    const chain: Element[] = [];
    for (let e: Element | null = el; e; e = e.parentElement) chain.push(e);
    let bg: RGBA = [255, 255, 255, 1];
    for (const e of [...chain].reverse()) bg = over(parse(getComputedStyle(e).backgroundColor), bg);
    let opacity = 1;
    for (const e of chain) opacity *= Number(getComputedStyle(e).opacity);
    const fg = parse(getComputedStyle(el).color);
    const seen = over([fg[0], fg[1], fg[2], fg[3] * opacity], bg);
    const lum = (c: RGBA): number => {
      const ch = (v: number): number => {
        const s = v / 255;
        return s <= 0.03928 ? s / 12.92 : ((s + 0.055) / 1.055) ** 2.4;
      };
      return 0.2126 * ch(c[0]) + 0.7152 * ch(c[1]) + 0.0722 * ch(c[2]);
    };
    const [hi, lo] = [lum(seen), lum(bg)].sort((a, b) => b - a) as [number, number];
    return (hi + 0.05) / (lo + 0.05);
  }, selector);
}

/** Pauses every running animation at `fraction` of its cycle. */
function seekAnimations(page: Page, fraction: number): Promise<number> {
  return page.evaluate((f) => {
    const all = document.getAnimations();
    for (const a of all) {
      const d = Number(a.effect?.getComputedTiming().duration ?? 0);
      a.pause();
      a.currentTime = d * f;
    }
    return all.length;
  }, fraction);
}

beforeAll(async () => {
  dataDir = await mkdtemp(path.join(tmpdir(), "onevisit-a11y-"));
  // The last closed day, as the hub would have summarised it at midnight.
  const today = new Intl.DateTimeFormat("en-CA", { timeZone: "Asia/Shanghai" }).format(new Date());
  yesterday = previousDay(today);
  const summary: DaySummary = {
    day: yesterday,
    issued: 321,
    served: 298,
    noShows: 9,
    cancelled: 4,
    avgWaitSec: 12 * 60 + 5,
    avgServiceSec: 6 * 60 + 30,
    byDepartment: [],
    byCounter: [],
  };
  hub = await startHub({ port: 0, host: "127.0.0.1", dataDir, adminPassword: ADMIN_PASSWORD, log: () => {} });
  // Written after the first start: a data folder with summaries but no config.json is not a
  // new hall, and the hub refuses it. Summaries are read when asked for.
  await mkdir(path.join(dataDir, "summaries"), { recursive: true });
  await writeFile(path.join(dataDir, "summaries", `${yesterday}.json`), JSON.stringify(summary));
  cat = await api<Catalogue>("GET", "/api/hall", undefined, "");
  token = (await api<LoginReply>("POST", "/api/auth/login", { username: "admin", password: ADMIN_PASSWORD }, "")).token;
  browser = await launchBrowser({ extraArgs: ["--autoplay-policy=no-user-gesture-required"] });
});

afterAll(async () => {
  await browser?.close();
  await hub?.close();
  if (dataDir) await rm(dataDir, { recursive: true, force: true });
});

describe("display-ui screens: accessibility and legibility", () => {
  it("call screen: 0 axe AA violations in zh and en, idle, calling and with sound blocked", async () => {
    for (const lang of ["zh", "en"]) {
      const p = await newPage(browser, { width: 1920, height: 1080 });
      await p.goto(`${hub.url}/display?lang=${lang}`);
      await p.getByTestId("now-calling").waitFor();
      await expectNoAxeViolations(p, `call screen ${lang} idle`);
      await p.context().close();
    }
    const counter = cat.counters.find((c) => c.profile.queueIds.length === 1 && c.profile.queueIds[0] === "q-a");
    if (!counter) throw new Error("demo hall changed");
    await api("POST", `/api/counters/${counter.id}/sign-in`, {});
    await issue("q-a");
    const pages: Page[] = [];
    for (const lang of ["zh", "en"]) {
      const p = await newPage(browser, { width: 1920, height: 1080 });
      await p.goto(`${hub.url}/display?lang=${lang}`);
      await p.getByTestId("now-calling").waitFor();
      pages.push(p);
    }
    await api("POST", `/api/counters/${counter.id}/call-next`, {});
    for (const [i, p] of pages.entries()) {
      await p.locator(".cs-call.flashing").waitFor();
      await expectNoAxeViolations(p, `call screen ${i ? "en" : "zh"} calling`);
      await p.context().close();
    }
    const strict = await launchBrowser({ extraArgs: ["--autoplay-policy=user-gesture-required"] });
    try {
      const p = await newPage(strict, { width: 1920, height: 1080 });
      await p.goto(`${hub.url}/display`);
      await p.getByTestId("enable-sound").waitFor();
      await expectNoAxeViolations(p, "call screen zh sound blocked");
    } finally {
      await strict.close();
    }
  }, 240_000);

  it("the flashing number keeps ≥ 4.5:1 contrast through its animation; the frame pulses instead", {
    timeout: 240_000,
  }, async () => {
    const snap = await api<HallSnapshot>("GET", "/api/state", undefined, "");
    const calling = snap.counters.find((c) => c.status === "calling");
    if (!calling) throw new Error("the previous test leaves a calling counter");
    const p = await newPage(browser, { width: 1920, height: 1080 });
    await p.goto(`${hub.url}/display`);
    const call = p.locator(".cs-call.flashing");
    await call.waitFor();
    const w = await newPage(browser, { width: 1280, height: 400 });
    await w.goto(`${hub.url}/display/window/${calling.id}`);
    await w.locator(".ws-number.flashing").waitFor();
    const frames: string[] = [];
    for (const f of [0, 0.25, 0.5, 0.75]) {
      expect(await seekAnimations(p, f)).toBeGreaterThan(0);
      await seekAnimations(w, f);
      for (const sel of ['[data-testid="newest-number"]', '[data-testid="newest-counter"]']) {
        const c = await contrastOf(p, sel);
        expect(c, `${sel} at ${f * 100}% of the flash`).toBeGreaterThanOrEqual(4.5);
      }
      const wc = await contrastOf(w, '[data-testid="window-number"]');
      expect(wc, `window number at ${f * 100}% of the flash`).toBeGreaterThanOrEqual(4.5);
      frames.push(await call.evaluate((el) => getComputedStyle(el).borderTopColor));
    }
    // The flash is still there: on the frame.
    expect(new Set(frames).size).toBeGreaterThan(1);
    await p.context().close();
    await w.context().close();
  });

  it("call screen: whole zone names and ≥ 40 px waiting strip on a 1080p panel, zh and en", { timeout: 240_000 }, async () => {
    for (const lang of ["zh", "en"] as const) {
      const p = await newPage(browser, { width: 1920, height: 1080 });
      await p.goto(`${hub.url}/display?lang=${lang}`);
      await p.getByTestId("zone-waiting").waitFor();
      const items = await p.locator('[data-testid="zone-waiting"] .cs-zone-item').evaluateAll((els) =>
        els.map((el) => {
          const r = el.getBoundingClientRect();
          const name = el.querySelector(".cs-zone-name") as HTMLElement;
          return {
            text: name.textContent ?? "",
            clipped: name.scrollWidth > name.clientWidth + 1 || el.scrollWidth > el.clientWidth + 1,
            inside: r.left >= 0 && r.right <= innerWidth && r.top >= 0 && r.bottom <= innerHeight,
          };
        }),
      );
      expect(items).toHaveLength(cat.zones.length);
      for (const [i, z] of cat.zones.entries()) {
        const item = items[i];
        expect(item?.text).toContain(lang === "zh" ? z.name : z.nameEn);
        expect(item?.clipped, `${z.name} clipped`).toBe(false);
        expect(item?.inside, `${z.name} off screen`).toBe(true);
      }
      // Every piece of text in the strip: ≥ 40 px.
      const sizes = await p
        .locator('[data-testid="zone-waiting"] *')
        .evaluateAll((els) =>
          els
            .filter((el) => [...el.childNodes].some((n) => n.nodeType === 3 && (n.textContent ?? "").trim()))
            .map((el) => Number.parseFloat(getComputedStyle(el).fontSize)),
        );
      expect(sizes.length).toBeGreaterThan(cat.zones.length);
      expect(Math.min(...sizes)).toBeGreaterThanOrEqual(40);
      // The strip leaves the call panel room: the number is whole on screen.
      const num = await p.locator(".cs-now").boundingBox();
      expect(num?.height ?? 0).toBeGreaterThan(1080 * 0.4);
      await p.context().close();
    }
  });

  it("window screen: 0 axe AA violations in zh and en, calling, idle and paused", { timeout: 240_000 }, async () => {
    const snap = await api<HallSnapshot>("GET", "/api/state", undefined, "");
    const calling = snap.counters.find((c) => c.status === "calling");
    if (!calling) throw new Error("no calling counter");
    for (const lang of ["zh", "en"]) {
      const p = await newPage(browser, { width: 1280, height: 400 });
      await p.goto(`${hub.url}/display/window/${calling.id}?lang=${lang}`);
      await p.getByTestId("window-number").waitFor();
      await expectNoAxeViolations(p, `window screen ${lang} calling`);
      await p.context().close();
    }
    await api("POST", `/api/counters/${calling.id}/finish`, {});
    for (const lang of ["zh", "en"]) {
      const p = await newPage(browser, { width: 1280, height: 400 });
      await p.goto(`${hub.url}/display/window/${calling.id}?lang=${lang}`);
      await expect.poll(() => p.getByTestId("window-screen").getAttribute("data-mode")).toBe("idle");
      await expectNoAxeViolations(p, `window screen ${lang} idle`);
      await p.context().close();
    }
    await api("POST", `/api/counters/${calling.id}/pause`, { reason: "午休" });
    const p = await newPage(browser, { width: 1280, height: 400 });
    await p.goto(`${hub.url}/display/window/${calling.id}`);
    await expect.poll(() => p.getByTestId("window-screen").getAttribute("data-mode")).toBe("paused");
    await expectNoAxeViolations(p, "window screen zh paused");
    await p.context().close();
  });

  it("wall: tiles with clerk, ticket and pause length; series waits; vs yesterday; faults in Chinese; 0 axe AA violations", async () => {
    // A counter calling, one paused (from the previous test), a printer out of paper.
    for (const q of ["q-b", "q-c", "q-d"]) await issue(q);
    const clerk = hub.created?.staff.find((s) => s.counterId);
    if (!clerk?.counterId) throw new Error("no demo clerk");
    const clerkToken = (
      await api<LoginReply>("POST", "/api/auth/login", { username: clerk.username, password: clerk.password }, "")
    ).token;
    await api("POST", `/api/counters/${clerk.counterId}/sign-in`, {}, clerkToken);
    const called = await api<{ number: string } | null>("POST", `/api/counters/${clerk.counterId}/call-next`, {}, clerkToken);
    await api("POST", "/api/devices/printer-k2/simulate", { fault: "paper_out" });
    let snap = await api<HallSnapshot>("GET", "/api/state", undefined, "");
    let paused = snap.counters.find((c) => c.status === "paused");
    if (!paused) {
      // Run alone: pause the admin's own counter.
      const own = cat.counters.find((c) => c.profile.queueIds.length === 1 && c.profile.queueIds[0] === "q-a");
      if (!own) throw new Error("demo hall changed");
      await api("POST", `/api/counters/${own.id}/sign-in`, {});
      await api("POST", `/api/counters/${own.id}/pause`, { reason: "午休" });
      snap = await api<HallSnapshot>("GET", "/api/state", undefined, "");
      paused = snap.counters.find((c) => c.status === "paused");
    }
    if (!paused) throw new Error("no paused counter");

    for (const lang of ["zh", "en"] as const) {
      const p = await newPage(browser, { width: 1920, height: 1080 });
      await p.goto(`${hub.url}/wall?lang=${lang}`);
      await p.locator('[data-testid="counter-map"] .tile').first().waitFor();
      // The clerk and the ticket called at their counter, not only the counter's name.
      const tile = p.locator(`[data-counter="${clerk.counterId}"]`);
      if (called) {
        await expect.poll(() => tile.getByTestId("tile-doing").textContent()).toContain(called.number);
      }
      expect(await tile.getByTestId("tile-staff").textContent()).toBe(
        snap.counters.find((c) => c.id === clerk.counterId)?.staffName,
      );
      // A paused counter shows how long it has been paused (m:ss), counting up.
      const pausedTile = p.locator(`[data-counter="${paused.id}"]`).getByTestId("tile-doing");
      await expect.poll(() => pausedTile.textContent()).toMatch(lang === "zh" ? /^暂停 \d+:\d\d$/ : /^Pause \d+:\d\d$/);
      // Tile text is not cut: what is written fits its box.
      const cut = await p
        .locator('[data-testid="counter-map"] .tile-staff, [data-testid="counter-map"] .tile-doing')
        .evaluateAll((els) => els.filter((e) => e.scrollWidth > e.clientWidth + 1).map((e) => e.textContent));
      expect(cut).toEqual([]);
      // Every series, with its waiting count and longest wait.
      const rows = p.getByTestId("series-waiting").locator("tbody tr");
      expect(await rows.count()).toBe(cat.queues.length);
      const cells = await rows.evaluateAll((trs) =>
        trs.map((tr) => [
          tr.getAttribute("data-queue"),
          tr.querySelector(".series-waiting")?.textContent,
          tr.querySelector(".series-longest")?.textContent,
        ]),
      );
      // All of them visible inside their panel, none cut off at the bottom.
      const outside = await p.getByTestId("series-waiting").evaluate((table) => {
        const body = (table.closest(".panel-body") as HTMLElement).getBoundingClientRect();
        return [...table.querySelectorAll("tbody tr")]
          .filter((tr) => tr.getBoundingClientRect().bottom > body.bottom + 1)
          .map((tr) => tr.getAttribute("data-queue"));
      });
      expect(outside).toEqual([]);
      const waitingRows = cells.filter((c) => Number(c[1]) > 0);
      expect(waitingRows.length).toBeGreaterThanOrEqual(2);
      for (const c of waitingRows) expect(c[2]).toMatch(lang === "zh" ? /^\d+ 分钟$/ : /^\d+ min$/);
      for (const c of cells.filter((x) => Number(x[1]) === 0)) expect(c[2]).toBe("—");
      // Today next to the last closed day.
      expect(await p.getByTestId("kpi-issued-vs").textContent()).toBe(lang === "zh" ? "昨日 321" : "Yesterday 321");
      expect(await p.getByTestId("kpi-avg-wait-vs").textContent()).toBe(lang === "zh" ? "昨日 12:05" : "Yesterday 12:05");
      // The printer fault, in the wall's language.
      const fault = p.locator('[data-device="printer-k2"]');
      await fault.waitFor();
      const text = (await fault.textContent()) ?? "";
      if (lang === "zh") {
        expect(text).toContain("缺纸");
        // Nothing English but the device's id and the time.
        expect(text.replace("printer-k2", "")).not.toMatch(/[A-Za-z]/);
      } else {
        expect(text).toContain("Out of paper");
      }
      await p.waitForTimeout(300); // chart draw
      await expectNoAxeViolations(p, `wall ${lang}`);
      await p.context().close();
    }
    await api("POST", "/api/devices/printer-k2/simulate", { fault: "ok" });
  }, 240_000);
});
