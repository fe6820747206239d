/**
 * The call screen in real Chromium against the real hub: the big panel and the voice name
 * the same ticket at every moment, each call is said twice (or as configured), queued calls
 * are listed as 即将叫号, and a browser that blocks sound gets a small corner notice, never
 * a cover over the calls.
 */
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { io, type Socket } from "socket.io-client";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { CHIME_SAMPLE_RATE, chimeWav } from "../../hardware/voice/tts.ts";
import { type RunningHub, startHub } from "../../server/src/app.ts";
import type { Catalogue, Counter, IssuedTicket, LoginReply, TicketCalled } from "../../server/src/contract/index.ts";
import { type Browser, launchBrowser, newPage, type Page } from "../helpers/browser.ts";
import { observeSound, openCallScreen, type SoundEvent, soundLog, voicePlays } from "./sound-observer.ts";

const ADMIN_PASSWORD = "call-screen-e2e-admin";
const CHIME = "/api/voice/chime.wav";

let hub: RunningHub;
let browser: Browser;
let dataDir: string;
let token: string;
let cat: Catalogue;
let socket: Socket;
/** audioUrl → ticket number, from the hub's own `ticket:called` events. */
const clipNumber = new Map<string, string>();
/** When the hub made each call (CallInfo.at), by ticket number. */
const calledAt = new Map<string, number>();

async function api<T>(method: string, url: string, body?: unknown): Promise<T> {
  const res = await fetch(hub.url + url, {
    method,
    headers: { "content-type": "application/json", ...(token ? { authorization: `Bearer ${token}` } : {}) },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const text = await res.text();
  if (!res.ok) throw new Error(`${method} ${url} → ${res.status} ${text}`);
  return (text ? JSON.parse(text) : null) as T;
}

function counterFor(queueId: string, skip = 0): Counter {
  const c = cat.counters.filter((x) => x.profile.queueIds.length === 1 && x.profile.queueIds[0] === queueId)[skip];
  if (!c) throw new Error(`no dedicated counter for ${queueId}`);
  return c;
}

async function issue(queueId: string): Promise<IssuedTicket> {
  const m = cat.matters.find((x) => x.queueId === queueId);
  if (!m) throw new Error(`no matter for ${queueId}`);
  return api<IssuedTicket>("POST", "/api/tickets", { matterId: m.id });
}

/** Signs the admin in at each counter in turn: the admin holds one counter at a time, so
 * three counters are run by three demo clerks. */
async function clerkTokens(n: number): Promise<{ counterId: string; token: string }[]> {
  const out: { counterId: string; token: string }[] = [];
  for (const s of hub.created?.staff ?? []) {
    if (!s.counterId || out.length >= n) continue;
    const r = await api<LoginReply>("POST", "/api/auth/login", { username: s.username, password: s.password });
    out.push({ counterId: s.counterId, token: r.token });
  }
  return out;
}

async function asClerk<T>(clerkToken: string, url: string): Promise<T> {
  const res = await fetch(hub.url + url, {
    method: "POST",
    headers: { "content-type": "application/json", authorization: `Bearer ${clerkToken}` },
    body: "{}",
  });
  const text = await res.text();
  if (!res.ok) throw new Error(`POST ${url} → ${res.status} ${text}`);
  return (text ? JSON.parse(text) : null) as T;
}

beforeAll(async () => {
  dataDir = await mkdtemp(path.join(tmpdir(), "onevisit-callscreen-"));
  hub = await startHub({ port: 0, host: "127.0.0.1", dataDir, adminPassword: ADMIN_PASSWORD, log: () => {} });
  cat = await api<Catalogue>("GET", "/api/hall");
  token = (await api<LoginReply>("POST", "/api/auth/login", { username: "admin", password: ADMIN_PASSWORD })).token;
  socket = io(hub.url, { path: "/socket.io", transports: ["websocket"] });
  socket.on("ticket:called", (e: TicketCalled) => {
    if (e.audioUrl) clipNumber.set(e.audioUrl, e.call.number);
    calledAt.set(e.call.number, e.call.at);
  });
  await new Promise<void>((resolve) => socket.emit("subscribe", { view: "hall" }, () => resolve()));
  // As the hall's screens run it (docs/screens.md): sound without a tap.
  browser = await launchBrowser({ extraArgs: ["--autoplay-policy=no-user-gesture-required"] });
});

afterAll(async () => {
  socket?.disconnect();
  await browser?.close();
  await hub?.close();
  if (dataDir) await rm(dataDir, { recursive: true, force: true });
});

/** Whether the last voice clip that started has ended (or was cut off) since. */
function lastVoiceEnded(log: readonly SoundEvent[]): boolean {
  const last = voicePlays(log).at(-1);
  return last !== undefined && log.some((e) => e.type === "end" && e.src === last.src && e.t >= last.t);
}

/** The number a clip names: the hub's TTS file of a call, or a speech text's digits. */
function numberOfClip(src: string): string | undefined {
  return clipNumber.get(src);
}

describe("display-ui call screen: panel and voice in step", () => {
  it("three calls within 200 ms: the panel always shows the ticket being announced, each said twice", async () => {
    const clerks = await clerkTokens(3);
    expect(clerks).toHaveLength(3);
    const page = await newPage(browser, { width: 1920, height: 1080 });
    // This browser plays sound without a tap (the kiosk flag); no corner notice.
    expect(await openCallScreen(page, `${hub.url}/display`)).toBe("allowed");
    expect(await page.getByTestId("enable-sound").count()).toBe(0);

    // One waiting ticket for each clerk's counter, then three calls within 200 ms.
    const numbers: string[] = [];
    for (const c of clerks) {
      await asClerk(c.token, `/api/counters/${c.counterId}/sign-in`);
      const counter = cat.counters.find((x) => x.id === c.counterId);
      const q = counter?.profile.queueIds[0];
      if (!q) throw new Error("clerk counter without queue");
      await issue(q);
    }
    const calls = await Promise.all(
      clerks.map((c) => asClerk<{ number: string }>(c.token, `/api/counters/${c.counterId}/call-next`)),
    );
    for (const c of calls) numbers.push(c.number);
    // The hub made the three calls within 200 ms of each other.
    await expect.poll(() => numbers.every((n) => calledAt.has(n))).toBe(true);
    const at = numbers.map((n) => calledAt.get(n) ?? 0);
    expect(Math.max(...at) - Math.min(...at)).toBeLessThan(200);

    // While the first is announced, the other two are listed as 即将叫号, not on the panel.
    await expect.poll(() => page.getByTestId("upcoming-calls").locator("li[data-number]").count(), { timeout: 3000 }).toBe(2);
    const first = await page.getByTestId("newest-number").textContent();
    const upcoming = await page
      .getByTestId("upcoming-calls")
      .locator("li[data-number]")
      .evaluateAll((els) => els.map((e) => e.getAttribute("data-number")));
    expect(new Set([first, ...upcoming])).toEqual(new Set(numbers));

    // Wait until every call has been said twice (3 × (chime + 2 clips)).
    await expect
      .poll(async () => voicePlays(await soundLog(page)).length, { timeout: 60_000, interval: 250 })
      .toBeGreaterThanOrEqual(6);
    // … and the last saying is over: every moment of it is in the log.
    await expect.poll(async () => lastVoiceEnded(await soundLog(page)), { timeout: 20_000 }).toBe(true);
    const log = await soundLog(page);
    const voices = voicePlays(log);
    const heard = voices.map((v) => numberOfClip(v.src) ?? `?${v.src}`);
    // Said twice each, in the order the panel took them.
    const panelOrder = log
      .filter((e): e is Extract<SoundEvent, { type: "panel" }> => e.type === "panel" && e.number !== null)
      .map((e) => e.number);
    const order = panelOrder.slice(-3);
    expect(new Set(order)).toEqual(new Set(numbers));
    expect(heard).toEqual([order[0], order[0], order[1], order[1], order[2], order[2]]);

    // At every voice start, the panel shows that ticket.
    for (const v of voices) expect(v.panel, `clip ${v.src} started under panel ${v.panel}`).toBe(numberOfClip(v.src));
    // At every chime start, the panel already shows the call it introduces (the next voice clip).
    const plays = log.filter((e): e is Extract<SoundEvent, { type: "play" }> => e.type === "play" && !e.muted);
    plays.forEach((p, i) => {
      if (p.src !== CHIME) return;
      const next = plays.slice(i + 1).find((x) => x.src !== CHIME);
      if (next) expect(p.panel, "chime started before the panel moved").toBe(numberOfClip(next.src));
    });
    // At every sampled moment (10 ms) and at every panel change, an audible voice clip
    // names the ticket on the panel.
    const moments = log.filter(
      (e): e is Extract<SoundEvent, { type: "sample" | "panel" }> => e.type === "sample" || e.type === "panel",
    );
    expect(moments.length).toBeGreaterThan(6);
    let checked = 0;
    for (const m of moments) {
      const clip = m.playing;
      if (!clip || clip === CHIME) continue;
      const shown = m.type === "panel" ? m.number : m.panel;
      if (shown !== numberOfClip(clip) && process.env.DEBUG_SOUND) {
        console.log(
          JSON.stringify(
            log.filter((e) => Math.abs(e.t - m.t) < 1500),
            null,
            0,
          ),
        );
      }
      expect(shown, `at ${m.t.toFixed(0)} ms the panel showed ${shown} while ${clip} played`).toBe(numberOfClip(clip));
      checked++;
    }
    expect(checked).toBeGreaterThan(0);
    // Once announced, calls move to 最近叫号 and 即将叫号 is empty.
    await expect.poll(() => page.getByTestId("upcoming-calls").locator("li[data-number]").count()).toBe(0);
    const recent = await page
      .getByTestId("recent-calls")
      .locator("li")
      .evaluateAll((els) => els.map((e) => e.getAttribute("data-number")));
    expect(recent.slice(0, 2)).toEqual([order[1], order[0]]);

    for (const c of clerks) {
      await asClerk(c.token, `/api/counters/${c.counterId}/finish`);
      await asClerk(c.token, `/api/counters/${c.counterId}/sign-out`);
    }
    await page.context().close();
  }, 120_000);

  it("says a call once with ?repeat=1 (the URL overrides the hall's announceRepeat)", async () => {
    const counter = counterFor("q-b");
    await api("POST", `/api/counters/${counter.id}/sign-in`, {});
    const page = await newPage(browser, { width: 1280, height: 720 });
    await openCallScreen(page, `${hub.url}/display?repeat=1`);
    const ticket = await issue("q-b");
    const next = await issue("q-b");
    await api("POST", `/api/counters/${counter.id}/call-next`, {});
    await expect.poll(() => page.getByTestId("newest-number").textContent()).toBe(ticket.number);
    await expect.poll(async () => voicePlays(await soundLog(page)).length, { timeout: 20_000 }).toBe(1);
    // The next call's chime starts only once this announcement is over, second saying
    // included if there were one: by then, this call was said once.
    await api("POST", `/api/counters/${counter.id}/finish`, {});
    await api("POST", `/api/counters/${counter.id}/call-next`, {});
    const chimeAfter = (log: SoundEvent[]): boolean => {
      const first = log.findIndex((e) => e.type === "play" && !e.muted && e.src !== CHIME);
      return first >= 0 && log.slice(first).some((e) => e.type === "play" && !e.muted && e.src === CHIME);
    };
    await expect.poll(async () => chimeAfter(await soundLog(page)), { timeout: 20_000 }).toBe(true);
    const log = await soundLog(page);
    const nextChime = log.findLastIndex((e) => e.type === "play" && !e.muted && e.src === CHIME);
    expect(voicePlays(log.slice(0, nextChime)).map((v) => numberOfClip(v.src))).toEqual([ticket.number]);
    expect(await page.getByTestId("newest-number").textContent()).toBe(next.number);
    await api("POST", `/api/counters/${counter.id}/finish`, {});
    await page.context().close();
  }, 60_000);

  it("a chime that goes on does not hold the number: it is cut off and the voice follows", async () => {
    // A wrong chime file, the hall's chime 20 times over (27 s): the page used to wait for
    // its end, capped only at its length + 1.5 s, while the visitor waited for their number.
    const pcm = chimeWav().subarray(44);
    const long = Buffer.concat([wavHeader(CHIME_SAMPLE_RATE, pcm.length * 20), ...Array.from({ length: 20 }, () => pcm)]);
    expect((long.length - 44) / 2 / CHIME_SAMPLE_RATE).toBeGreaterThan(25);
    const counter = counterFor("q-d");
    await api("POST", `/api/counters/${counter.id}/sign-in`, {});
    const page = await newPage(browser, { width: 1280, height: 720 });
    let served = 0;
    await page.route(`**${CHIME}`, (route) => {
      served++;
      return route.fulfill({ status: 200, contentType: "audio/wav", body: long });
    });
    await openCallScreen(page, `${hub.url}/display?repeat=1`);
    const ticket = await issue("q-d");
    await api("POST", `/api/counters/${counter.id}/call-next`, {});
    // Heard well before the long chime could have ended (the poll gives up at 15 s of its 27).
    await expect.poll(async () => voicePlays(await soundLog(page)).length, { timeout: 15_000 }).toBe(1);
    const log = await soundLog(page);
    const voice = voicePlays(log)[0];
    expect(numberOfClip(voice?.src ?? "")).toBe(ticket.number);
    expect(voice?.panel).toBe(ticket.number);
    // The long chime was served and heard, and never again once the voice started.
    expect(served).toBeGreaterThan(0);
    const chimeStart = log.findIndex((e) => e.type === "play" && !e.muted && e.src === CHIME);
    const voiceStart = log.findIndex((e) => e.type === "play" && !e.muted && e.src !== CHIME);
    expect(chimeStart).toBeGreaterThanOrEqual(0);
    expect(log.slice(chimeStart, voiceStart).some((e) => e.type === "sample" && e.playing === CHIME)).toBe(true);
    expect(log.slice(voiceStart).some((e) => e.type === "sample" && e.playing === CHIME)).toBe(false);
    await api("POST", `/api/counters/${counter.id}/finish`, {});
    await api("POST", `/api/counters/${counter.id}/sign-out`, {});
    await page.context().close();
  }, 60_000);
});

describe("display-ui call screen when the browser blocks sound", () => {
  let strict: Browser;
  beforeAll(async () => {
    strict = await launchBrowser({ extraArgs: ["--autoplay-policy=user-gesture-required"] });
  });
  afterAll(async () => {
    await strict?.close();
  });

  async function openBlocked(): Promise<Page> {
    const page = await newPage(strict, { width: 1920, height: 1080 });
    await observeSound(page);
    await page.goto(`${hub.url}/display`);
    await page.getByTestId("now-calling").waitFor();
    return page;
  }

  it("shows a small corner notice, never a cover, and still shows each call", async () => {
    const counter = counterFor("q-c");
    await api("POST", `/api/counters/${counter.id}/sign-in`, {});
    const page = await openBlocked();
    const notice = page.getByTestId("enable-sound");
    await notice.waitFor({ timeout: 5000 });
    const ticket = await issue("q-c");
    await api("POST", `/api/counters/${counter.id}/call-next`, {});
    await expect.poll(() => page.getByTestId("newest-number").textContent(), { timeout: 10_000 }).toBe(ticket.number);

    // Small: under 3 % of the screen, in the header's right-hand corner.
    const box = await notice.boundingBox();
    if (!box) throw new Error("notice not laid out");
    expect(box.width * box.height).toBeLessThan(1920 * 1080 * 0.03);
    expect(box.y + box.height).toBeLessThanOrEqual(1080 * 0.1);
    expect(box.x + box.width).toBeGreaterThan(1920 * 0.6);
    // Nothing covers the calls: the element on top at the number's, the counter's and the
    // screen's centre is the call screen's own content.
    const covered = await page.evaluate(() => {
      const ids = ["newest-number", "newest-counter", "recent-calls", "zone-waiting"];
      const points = ids.map((id) => {
        const r = document.querySelector(`[data-testid="${id}"]`)?.getBoundingClientRect();
        return r ? { id, x: r.x + r.width / 2, y: r.y + Math.min(r.height / 2, 20) } : { id, x: -1, y: -1 };
      });
      points.push({ id: "centre", x: innerWidth / 2, y: innerHeight / 2 });
      return points
        .filter((p) => {
          const top = document.elementFromPoint(p.x, p.y);
          const full = [...document.querySelectorAll("body *")].some((el) => {
            const r = el.getBoundingClientRect();
            const cs = getComputedStyle(el);
            return (
              (cs.position === "fixed" || cs.position === "absolute") &&
              r.width >= innerWidth * 0.9 &&
              r.height >= innerHeight * 0.9
            );
          });
          return !top || top.closest('[data-testid="enable-sound"]') !== null || full;
        })
        .map((p) => p.id);
    });
    expect(covered).toEqual([]);
    // Nothing was heard (blocked), nothing was spoken.
    expect(voicePlays(await soundLog(page))).toEqual([]);

    // A click on the notice enables sound: the notice goes, the next call is heard.
    await notice.click();
    await expect.poll(() => notice.count()).toBe(0);
    await api("POST", `/api/counters/${counter.id}/finish`, {});
    const next = await issue("q-c");
    await api("POST", `/api/counters/${counter.id}/call-next`, {});
    // It takes the panel once the previous call's silent turn (2.5 s) is over.
    await expect.poll(() => page.getByTestId("newest-number").textContent(), { timeout: 10_000 }).toBe(next.number);
    await expect
      .poll(async () => voicePlays(await soundLog(page)).map((v) => numberOfClip(v.src)), { timeout: 20_000 })
      .toContain(next.number);
    await api("POST", `/api/counters/${counter.id}/finish`, {});
    await page.context().close();
  }, 60_000);
});

/** A 44-byte header of a mono 16-bit PCM WAV. */
function wavHeader(rate: number, dataBytes: number): Buffer {
  const h = Buffer.alloc(44);
  h.write("RIFF", 0, "ascii");
  h.writeUInt32LE(36 + dataBytes, 4);
  h.write("WAVEfmt ", 8, "ascii");
  h.writeUInt32LE(16, 16);
  h.writeUInt16LE(1, 20);
  h.writeUInt16LE(1, 22);
  h.writeUInt32LE(rate, 24);
  h.writeUInt32LE(rate * 2, 28);
  h.writeUInt16LE(2, 32);
  h.writeUInt16LE(16, 34);
  h.write("data", 36, "ascii");
  h.writeUInt32LE(dataBytes, 40);
  return h;
}
