/**
 * End to end: the real hub in-process, the built pages (dist/) in headless Chromium.
 * A ticket issued and called over REST shows up on the call screen (and is announced),
 * on the counter's window screen, and on the data wall, without reloads.
 */
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type RunningHub, startHub } from "../../server/src/app.ts";
import type { Catalogue, Counter, HallSnapshot, IssuedTicket, LoginReply, Ticket } from "../../server/src/contract/index.ts";
import { speechSentence } from "../../display-ui/call-model.ts";
import { type Browser, launchBrowser, newPage, type Page, screenshot } from "../helpers/browser.ts";
import { startTestHub, type TestHub } from "../helpers/hub.ts";
import { observeSound, openCallScreen, soundLog, voicePlays } from "./sound-observer.ts";

const ADMIN_PASSWORD = "display-e2e-admin";

let hub: RunningHub;
let browser: Browser;
let dataDir: string;
let token: string;
let cat: Catalogue;
/** Demo staff passwords, handed out on the first start of the data folder. */
let created: RunningHub["created"];

async function api<T>(method: string, url: string, body?: unknown): Promise<{ status: number; data: T }> {
  const res = await fetch(hub.url + url, {
    method,
    headers: { "content-type": "application/json", ...(token ? { authorization: `Bearer ${token}` } : {}) },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const text = await res.text();
  if (!res.ok) throw new Error(`${method} ${url} → ${res.status} ${text}`);
  return { status: res.status, data: (text ? JSON.parse(text) : null) as T };
}

/** A matter of `queueId` (any). */
function matterOf(queueId: string): string {
  const m = cat.matters.find((x) => x.queueId === queueId);
  if (!m) throw new Error(`no matter for ${queueId}`);
  return m.id;
}

/** A counter whose only queue is `queueId`, so call-next takes exactly our tickets. */
function dedicatedCounter(queueId: string, skip = 0): Counter {
  const list = cat.counters.filter((c) => c.profile.queueIds.length === 1 && c.profile.queueIds[0] === queueId);
  const c = list[skip];
  if (!c) throw new Error(`no dedicated counter for ${queueId}`);
  return c;
}

/** Issued with the current staff token (the help desk): only a paired kiosk or staff may issue. */
async function issue(queueId: string): Promise<IssuedTicket> {
  return (await api<IssuedTicket>("POST", "/api/tickets", { matterId: matterOf(queueId) })).data;
}

async function callNext(counterId: string): Promise<Ticket> {
  // A visitor still only called there is started first: call-next never closes a called ticket.
  await api("POST", `/api/counters/${counterId}/start`, {}).catch(() => undefined);
  const r = await api<Ticket>("POST", `/api/counters/${counterId}/call-next`, {});
  expect(r.status).toBe(200);
  return r.data;
}

/** Opens the call screen, tapping the "enable sound" corner notice if the browser blocks autoplay. */
async function openDisplay(p: Page, query = ""): Promise<void> {
  await openCallScreen(p, `${hub.url}/display${query}`);
}

const text = (p: Page, testId: string) => p.getByTestId(testId).first().textContent({ timeout: 5000 });

beforeAll(async () => {
  dataDir = await mkdtemp(path.join(tmpdir(), "onevisit-display-"));
  hub = await startHub({ port: 0, host: "127.0.0.1", dataDir, adminPassword: ADMIN_PASSWORD, log: () => {} });
  created = hub.created;
  cat = (await api<Catalogue>("GET", "/api/hall")).data;
  token = (await api<LoginReply>("POST", "/api/auth/login", { username: "admin", password: ADMIN_PASSWORD })).data.token;
  browser = await launchBrowser();
});

afterAll(async () => {
  await browser?.close();
  await hub?.close();
  if (dataDir) await rm(dataDir, { recursive: true, force: true });
});

describe("display-ui screens against the real hub", () => {
  it("shows and announces a call, mirrors it on the window screen, and moves the wall without reloads", async () => {
    const queueId = "q-a";
    const counter = dedicatedCounter(queueId);
    const otherZone = cat.zones.find((z) => z.id !== counter.zoneId);
    if (!otherZone) throw new Error("demo hall has one zone");
    await api("POST", `/api/counters/${counter.id}/sign-in`, {});
    const snap = (await api<HallSnapshot>("GET", "/api/state")).data;

    const display = await newPage(browser, { width: 1920, height: 1080 });
    await observeSound(display);
    const voiceRequests: string[] = [];
    display.on("request", (r) => {
      const u = new URL(r.url());
      if (u.pathname.startsWith("/api/voice/")) voiceRequests.push(u.pathname);
    });
    await openDisplay(display);
    const zoneScreen = await newPage(browser, { width: 1280, height: 720 });
    await openDisplay(zoneScreen, `?zone=${otherZone.id}`);
    const windowScreen = await newPage(browser, { width: 1280, height: 400 });
    await windowScreen.goto(`${hub.url}/display/window/${counter.id}`);
    await expect.poll(() => windowScreen.getByTestId("window-screen").getAttribute("data-mode")).toBe("idle");
    const wall = await newPage(browser, { width: 1920, height: 1080 });
    await wall.goto(`${hub.url}/wall`);
    await wall.getByTestId("kpi-served").waitFor();
    const servedBefore = Number(await text(wall, "kpi-served"));
    const issuedBefore = Number(await text(wall, "kpi-issued"));

    const ticket = await issue(queueId);
    await expect.poll(() => text(wall, "kpi-issued")).toBe(String(issuedBefore + 1));
    const called = await callNext(counter.id);
    expect(called.number).toBe(ticket.number);

    // Call screen: the number and the counter, large.
    await expect.poll(() => text(display, "newest-number")).toBe(ticket.number);
    expect(await text(display, "newest-counter")).toBe(`${counter.number}号窗口`);

    // Announced: chime, then the hub's WAV (or the browser's speech on a hub without TTS),
    // said twice, under a panel showing that ticket.
    const heard = async (): Promise<(string | null)[]> => {
      const log = await soundLog(display);
      return snap.voice ? voicePlays(log).map((v) => v.panel) : log.flatMap((e) => (e.type === "speak" ? [e.panel] : []));
    };
    await expect.poll(heard, { timeout: 20_000 }).toEqual([ticket.number, ticket.number]);
    // The zone screen of another zone does not show it, seconds after the hall's screen did.
    expect(await zoneScreen.getByTestId("newest-call").count()).toBe(0);
    expect(voiceRequests).toContain("/api/voice/chime.wav");
    if (snap.voice) {
      await expect
        .poll(() => voiceRequests.some((u) => /^\/api\/voice\/[0-9a-f]{32}\.wav$/.test(u)), { timeout: 15_000 })
        .toBe(true);
    }

    // Window screen: the number, flashing while calling.
    await expect.poll(() => text(windowScreen, "window-number")).toBe(ticket.number);
    expect(await windowScreen.getByTestId("window-screen").getAttribute("data-mode")).toBe("calling");
    // A recall is announced again.
    await api("POST", `/api/counters/${counter.id}/recall`, {});
    await expect.poll(heard, { timeout: 30_000 }).toEqual([ticket.number, ticket.number, ticket.number, ticket.number]);

    // Wall: served count and the counter tile move after finish, no reload.
    const tile = wall.locator(`[data-counter="${counter.id}"]`);
    await expect.poll(() => tile.getAttribute("data-status")).toBe("calling");
    await api("POST", `/api/counters/${counter.id}/finish`, { outcome: "completed" });
    await expect.poll(() => text(wall, "kpi-served"), { timeout: 3000 }).toBe(String(servedBefore + 1));
    await expect.poll(() => tile.getAttribute("data-status")).toBe("idle");
    await expect.poll(() => windowScreen.getByTestId("window-screen").getAttribute("data-mode")).toBe("idle");
    expect(await text(windowScreen, "window-line")).toBe("欢迎光临");

    // A paused counter: 暂停服务 with the reason on its window screen. Its LED is unplugged
    // first, so the pause's LED update fails: the fault reaches the wall (device:status)
    // and the counter's tile turns offline.
    const led = `led-${counter.id}`;
    await api("POST", `/api/devices/${led}/simulate`, { fault: "unplug" });
    await api("POST", `/api/counters/${counter.id}/pause`, { reason: "午休" });
    await expect.poll(() => windowScreen.getByTestId("window-screen").getAttribute("data-mode")).toBe("paused");
    expect(await windowScreen.textContent("body")).toContain("原因：午休");
    await expect.poll(() => wall.locator(`[data-device="${led}"]`).count(), { timeout: 5000 }).toBe(1);
    await expect.poll(() => tile.getAttribute("data-status")).toBe("offline");
    await api("POST", `/api/devices/${led}/simulate`, { fault: "ok" });
    await api("POST", `/api/counters/${counter.id}/resume`, {});
    await expect.poll(() => wall.locator(`[data-device="${led}"]`).count(), { timeout: 5000 }).toBe(0);
    await expect.poll(() => tile.getAttribute("data-status")).toBe("idle");

    for (const p of [display, zoneScreen, windowScreen, wall]) await p.context().close();
  }, 150_000);

  it("shows each of ~20 calls on the call screen; prints the REST-to-DOM latency p95", async () => {
    const queueId = "q-c";
    const counter = dedicatedCounter(queueId);
    await api("POST", `/api/counters/${counter.id}/sign-in`, {});
    const display = await newPage(browser, { width: 1920, height: 1080 });
    await openDisplay(display);

    const latencies: number[] = [];
    for (let i = 0; i < 20; i++) {
      const ticket = await issue(queueId);
      // Arm an observer for this number before the call; it records the wall-clock time
      // (same machine as the test) at which the number appears on the screen: on the big
      // panel, or listed as 即将叫号 while earlier calls are still being announced.
      await display.evaluate((number) => {
        const w = window as unknown as { __seen?: Record<string, Promise<number>> };
        w.__seen ??= {};
        w.__seen[number] = new Promise<number>((resolve) => {
          const check = (): boolean => {
            const el = document.querySelector('[data-testid="newest-number"]');
            const queued = document.querySelector(`[data-testid="upcoming-calls"] li[data-number="${number}"]`);
            if (el?.textContent === number || queued) {
              resolve(performance.timeOrigin + performance.now());
              return true;
            }
            return false;
          };
          if (check()) return;
          const mo = new MutationObserver(() => {
            if (check()) mo.disconnect();
          });
          mo.observe(document.body, { subtree: true, childList: true, characterData: true });
        });
      }, ticket.number);
      const sentAt = performance.timeOrigin + performance.now();
      const called = await callNext(counter.id);
      expect(called.number).toBe(ticket.number);
      const seenAt = await display.evaluate(
        (number) =>
          Promise.race([
            (window as unknown as { __seen: Record<string, Promise<number>> }).__seen[number] as Promise<number>,
            new Promise<number>((r) => setTimeout(() => r(-1), 5000)),
          ]),
        ticket.number,
      );
      expect(seenAt, `call ${ticket.number} never appeared`).toBeGreaterThan(0);
      latencies.push(seenAt - sentAt);
    }
    latencies.sort((a, b) => a - b);
    const p95 = latencies[Math.ceil(latencies.length * 0.95) - 1] ?? Number.NaN;
    const p50 = latencies[Math.floor(latencies.length / 2)] ?? Number.NaN;
    console.log(
      `[display-ui] call → call screen DOM over ${latencies.length} calls: p50 ${p50.toFixed(1)} ms, p95 ${p95.toFixed(1)} ms`,
    );
    expect(latencies).toHaveLength(20);
    // The admin holds one counter at a time: leave this one free.
    await api("POST", `/api/counters/${counter.id}/finish`, {});
    await display.context().close();
  });

  it("recovers by itself after the hub restarts under an open page", async () => {
    const display = await newPage(browser, { width: 1280, height: 720 });
    await openDisplay(display);
    const port = hub.port;
    await hub.close();
    await expect.poll(() => display.getByTestId("reconnecting").isVisible(), { timeout: 10_000 }).toBe(true);
    hub = await startHub({ port, host: "127.0.0.1", dataDir, adminPassword: ADMIN_PASSWORD, log: () => {} });
    token = (await api<LoginReply>("POST", "/api/auth/login", { username: "admin", password: ADMIN_PASSWORD })).data.token;
    await expect.poll(() => display.getByTestId("reconnecting").isVisible(), { timeout: 15_000 }).toBe(false);
    const counter = dedicatedCounter("q-d");
    await api("POST", `/api/counters/${counter.id}/sign-in`, {});
    const ticket = await issue("q-d");
    await callNext(counter.id);
    await expect.poll(() => text(display, "newest-number")).toBe(ticket.number);
    await api("POST", `/api/counters/${counter.id}/finish`, {});
    await api("POST", `/api/counters/${counter.id}/sign-out`, {});
    await display.context().close();
  });

  it("takes screenshots of every screen at its sizes", async () => {
    // Some life in the hall first: tickets in several queues, the demo clerks calling at
    // their own counters (one staff member holds one counter at a time).
    for (const q of ["q-a", "q-b", "q-c", "q-d", "q-e", "q-f"]) for (let i = 0; i < 3; i++) await issue(q);
    const adminToken = token;
    for (const clerk of (created?.staff ?? []).filter((s) => s.counterId)) {
      token = (await api<LoginReply>("POST", "/api/auth/login", { username: clerk.username, password: clerk.password })).data
        .token;
      await api("POST", `/api/counters/${clerk.counterId}/sign-in`, {});
      const r = await api<Ticket | null>("POST", `/api/counters/${clerk.counterId}/call-next`, {});
      if (r.data && clerk.counterId && Number(clerk.counterId.slice(1)) % 2 === 0) {
        await api("POST", `/api/counters/${clerk.counterId}/start`, {});
      }
    }
    token = adminToken;
    await api("POST", "/api/devices/printer-k2/simulate", { fault: "paper_out" });
    const winCounter = cat.counters.find((c) => c.id === created?.staff.find((s) => s.counterId)?.counterId);
    if (!winCounter) throw new Error("no clerk counter");

    const shots: { name: string; url: string; width: number; height: number }[] = [
      { name: "display-1920x1080", url: "/display", width: 1920, height: 1080 },
      { name: "display-3840x2160", url: "/display", width: 3840, height: 2160 },
      { name: `display-window-${winCounter.id}-1280x400`, url: `/display/window/${winCounter.id}`, width: 1280, height: 400 },
      { name: "wall-1920x1080", url: "/wall", width: 1920, height: 1080 },
      { name: "wall-3840x2160", url: "/wall", width: 3840, height: 2160 },
    ];
    for (const s of shots) {
      const p = await newPage(browser, { width: s.width, height: s.height });
      if (s.url === "/display") await openDisplay(p);
      else await p.goto(hub.url + s.url);
      // Content drawn: a number on the call/window screens, the counter map on the wall.
      if (s.url === "/display") await p.getByTestId("newest-number").waitFor();
      else if (s.url === "/wall") await p.locator('[data-testid="counter-map"] .tile').first().waitFor();
      else await p.getByTestId("window-number").waitFor();
      await p.waitForTimeout(800); // chart animation
      // Freeze the flashing number at full strength so the picture shows it.
      await p.addStyleTag({ content: ".flashing, .flashing * { animation: none !important; }" });
      await screenshot(p, s.name);
      await p.context().close();
    }
    await api("POST", "/api/devices/printer-k2/simulate", { fault: "ok" });
  }, 150_000);
});

describe("display-ui call screen on a hub without TTS", () => {
  let quiet: TestHub;

  beforeAll(async () => {
    quiet = await startTestHub({ espeakPath: path.join(tmpdir(), "onevisit-no-espeak-ng", "espeak-ng") });
  });

  afterAll(async () => {
    await quiet?.close();
  });

  it("announces with the browser's speech synthesis when calls carry no audioUrl", async () => {
    const auth = await quiet.adminToken();
    const post = async <T>(url: string, body: unknown): Promise<T> => {
      const res = await quiet.api<T>("POST", url, body, auth);
      expect(res.status, `${url} → ${res.status}`).toBeLessThan(300);
      return res.body;
    };
    const state = (await quiet.api<HallSnapshot>("GET", "/api/state")).body;
    expect(state.voice).toBe(false);
    const qcat = (await quiet.api<Catalogue>("GET", "/api/hall")).body;
    const counter = qcat.counters.find((c) => c.profile.queueIds.length === 1 && c.profile.queueIds[0] === "q-a");
    const matter = qcat.matters.find((m) => m.queueId === "q-a");
    if (!counter || !matter) throw new Error("demo hall changed");
    await post(`/api/counters/${counter.id}/sign-in`, {});

    const p = await newPage(browser, { width: 1280, height: 720 });
    const voiceRequests: string[] = [];
    p.on("request", (r) => {
      const u = new URL(r.url());
      if (/^\/api\/voice\/[0-9a-f]{32}\.wav$/.test(u.pathname)) voiceRequests.push(u.pathname);
    });
    await openCallScreen(p, `${quiet.url}/display`);

    // Issued at the help desk (staff): only a paired kiosk or staff may issue.
    const ticket = await post<IssuedTicket>("/api/tickets", { matterId: matter.id });
    await post(`/api/counters/${counter.id}/call-next`, {});
    await expect.poll(() => p.getByTestId("newest-number").textContent()).toBe(ticket.number);
    // Spoken by the browser, with the panel on that ticket.
    await expect
      .poll(async () => (await soundLog(p)).flatMap((e) => (e.type === "speak" ? [[e.text, e.panel]] : [])), { timeout: 20_000 })
      .toContainEqual([speechSentence({ number: ticket.number, counterNumber: counter.number }), ticket.number]);
    expect(voiceRequests).toEqual([]);
    await p.context().close();
  });
});
