/**
 * Shared headless-Chromium helpers for the browser tests of the UI pages.
 *
 * Usage:
 * ```ts
 * const browser = await launchBrowser();          // beforeAll
 * const page = await newPage(browser, { width: 1080, height: 1920 });
 * await page.goto(`${hub.url}/kiosk`);
 * await screenshot(page, "kiosk-portrait");       // → test-output/screenshots/kiosk-portrait.png
 * await browser.close();                          // afterAll
 * ```
 */
import { mkdir } from "node:fs/promises";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { chromium } from "playwright-core";
import type { Browser, Page } from "playwright-core";

export type { Browser, Page } from "playwright-core";

/** Where screenshots go (git-ignored). */
export const SCREENSHOT_DIR = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "../../test-output/screenshots");

/** Chromium binary; override with CHROMIUM_PATH. */
const CHROMIUM = process.env.CHROMIUM_PATH ?? "/usr/bin/chromium";

/** Options for {@link launchBrowser}. */
export interface LaunchOptions {
  /** More Chromium switches, e.g. `--autoplay-policy=user-gesture-required` to test a
   * browser that blocks sound until a tap. */
  extraArgs?: string[];
}

/** Launches the system Chromium headless. Close it in afterAll. */
export function launchBrowser(opts: LaunchOptions = {}): Promise<Browser> {
  return chromium.launch({
    executablePath: CHROMIUM,
    args: ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking", ...(opts.extraArgs ?? [])],
  });
}

/** Options for {@link newPage}. */
export interface NewPageOptions {
  width: number;
  height: number;
  /** Browser locale (navigator.language); defaults to zh-CN. */
  locale?: string;
  /** Touch emulation (kiosk, phone). */
  hasTouch?: boolean;
  /**
   * How far the page's clock runs ahead of the hub's (ms; negative: behind). Default 3 h: a
   * hall PC's clock is not the hub's, and a page that compares its own `Date.now()` with a
   * hub timestamp (a call's time, a pause, an issuing window) must fail in every browser
   * test, not only in the one that thought of it. 0 leaves the machine's clock alone.
   */
  clockAheadMs?: number;
  /** The hub's clock now (`TestHub.now()`); default: today 10:00 Asia/Shanghai, where startTestHub starts it. */
  hubNow?: number;
}

/** The default clock skew of pages: 3 h ahead of the hub. */
export const PAGE_CLOCK_AHEAD_MS = 3 * 3600_000;

/** Today 10:00 in Asia/Shanghai, the test hub's default start (test/helpers/hub.ts). */
function hallMorning(at = Date.now()): number {
  const day = new Intl.DateTimeFormat("en-CA", { timeZone: "Asia/Shanghai" }).format(at);
  return Date.parse(`${day}T10:00:00+08:00`);
}

/**
 * Shifts the page's `Date` (now, `new Date()`, `Date()`) by `skewMs`; time still runs at its
 * real pace and timers are untouched, as on a PC whose clock is simply set wrong.
 */
function skewPageClock(skewMs: number): void {
  const RealDate = Date;
  const realNow = RealDate.now.bind(RealDate);
  function SkewedDate(this: unknown, ...args: unknown[]): Date | string {
    if (!new.target) return new RealDate(realNow() + skewMs).toString();
    return args.length === 0
      ? new RealDate(realNow() + skewMs)
      : new (RealDate as unknown as new (...a: unknown[]) => Date)(...args);
  }
  SkewedDate.prototype = RealDate.prototype;
  SkewedDate.now = () => realNow() + skewMs;
  SkewedDate.parse = RealDate.parse;
  SkewedDate.UTC = RealDate.UTC;
  (globalThis as { Date: unknown }).Date = SkewedDate;
}

/**
 * Opens a page in its own browser context (own localStorage/sessionStorage),
 * with the given viewport, its clock 3 h ahead of the hub's unless told otherwise
 * (`clockAheadMs`). Page errors are forwarded to the test log so a
 * crashing page is visible in the output.
 */
export async function newPage(browser: Browser, opts: NewPageOptions): Promise<Page> {
  const context = await browser.newContext({
    viewport: { width: opts.width, height: opts.height },
    locale: opts.locale ?? "zh-CN",
    hasTouch: opts.hasTouch ?? false,
    timezoneId: "Asia/Shanghai",
  });
  const ahead = opts.clockAheadMs ?? PAGE_CLOCK_AHEAD_MS;
  if (ahead !== 0) await context.addInitScript(skewPageClock, (opts.hubNow ?? hallMorning()) + ahead - Date.now());
  const page = await context.newPage();
  page.on("pageerror", (err) => {
    console.error(`[page error] ${page.url()}: ${err.message}`);
  });
  return page;
}

/** Writes a full-viewport PNG to test-output/screenshots/<name>.png and returns its path. */
export async function screenshot(page: Page, name: string): Promise<string> {
  await mkdir(SCREENSHOT_DIR, { recursive: true });
  const file = path.join(SCREENSHOT_DIR, `${name}.png`);
  await page.screenshot({ path: file });
  return file;
}
