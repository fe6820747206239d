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
}

/**
 * Opens a page in its own browser context (own localStorage/sessionStorage),
 * with the given viewport. Page errors are forwarded to the test log so a
 * crashing page is visible in the output.
 */
export async function newPage(browser: Browser, opts: NewPageOptions): Promise<Page> {
  const context = await browser.newContext({
    viewport: { width: opts.width, height: opts.height },
    locale: opts.locale ?? "zh-CN",
    hasTouch: opts.hasTouch ?? false,
    timezoneId: "Asia/Shanghai",
  });
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
