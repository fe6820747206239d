/**
 * The built pages run under the hub's content security policy (issue 7.16): every page is
 * opened in real Chromium, driven through what loads resources (the kiosk's QR code, a
 * call with its announcement audio, the wall's charts, the counter's sign-in), and no CSP
 * violation may be reported. Needs `npx vite build` first (npm test does it).
 */
import { existsSync } from "node:fs";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Page } from "../../helpers/browser.ts";
import { type Browser, launchBrowser, newPage } from "../../helpers/browser.ts";
import { startTestHub, type TestHub } from "../../helpers/hub.ts";

const BUILT = existsSync(path.resolve(import.meta.dirname, "../../../dist/kiosk-ui/index.html"));
const WAIT = { timeout: 15_000 };

/** Collect CSP violations the page reports (DOM event and console). */
async function watch(page: Page): Promise<string[]> {
  const seen: string[] = [];
  await page.exposeFunction("__cspViolation", (s: string) => seen.push(s));
  await page.addInitScript(() => {
    document.addEventListener("securitypolicyviolation", (e) => {
      (window as unknown as { __cspViolation(s: string): void }).__cspViolation(`${e.violatedDirective} ${e.blockedURI}`);
    });
  });
  page.on("console", (m) => {
    if (/Content Security Policy/i.test(m.text())) seen.push(m.text());
  });
  return seen;
}

describe("pages under the content security policy (issue 7.16)", () => {
  let t: TestHub;
  let browser: Browser;
  beforeAll(async () => {
    // Never skipped: `npm test` builds the pages first, and a missing build is a failure here.
    if (!BUILT) throw new Error("dist/ is not built: run `npx vite build` first");
    t = await startTestHub();
    browser = await launchBrowser();
  });
  afterAll(async () => {
    await browser?.close();
    await t?.close();
  });

  it("kiosk: taking a number shows its QR code, no violation", async () => {
    const page = await newPage(browser, { width: 1080, height: 1920, hasTouch: true });
    const seen = await watch(page);
    expect((await page.goto(`${t.url}/kiosk?kiosk=k1`))?.headers()["content-security-policy"]).toContain("script-src 'self'");
    const cat = (await t.api("GET", "/api/hall")).body as {
      matters: { id: string; departmentId: string }[];
      departments: { id: string; zoneId: string }[];
    };
    const matter = cat.matters[0] as { id: string; departmentId: string };
    const zone = cat.departments.find((d) => d.id === matter.departmentId)?.zoneId as string;
    await page.locator(`[data-zone="${zone}"]`).click(WAIT);
    await page.locator(`[data-matter="${matter.id}"]`).click(WAIT);
    await page.getByTestId("take").click(WAIT);
    const qr = page.getByTestId("phone-qr");
    await qr.waitFor(WAIT);
    await page.waitForFunction(
      () => {
        const img = document.querySelector('[data-testid="phone-qr"]') as HTMLImageElement | null;
        return !!img && img.complete && img.naturalWidth > 0;
      },
      undefined,
      WAIT,
    );
    const phoneUrl = (await qr.getAttribute("data-url")) as string;
    await page.goto(phoneUrl);
    await page.waitForLoadState("networkidle");
    expect(seen).toEqual([]);
    await page.context().close();
  });

  it("call screen, window screen and data wall draw (echarts, audio) with no violation", async () => {
    const pages: Page[] = [];
    const seen: string[] = [];
    for (const p of ["/display", "/display/window/c01", "/wall"]) {
      const page = await newPage(browser, { width: 1920, height: 1080 });
      const s = await watch(page);
      await page.goto(`${t.url}${p}`);
      pages.push(page);
      seen.push(...s.map((x) => `${p}: ${x}`));
      // Live through the violations list by reference.
      (page as unknown as { __seen: string[] }).__seen = s;
    }
    const clerk = (await t.login("zhangwei")).token;
    expect((await t.api("POST", "/api/counters/c01/sign-in", undefined, clerk)).status).toBe(200);
    expect((await t.issue({ matterId: "m-001" })).status).toBe(201);
    expect((await t.api("POST", "/api/counters/c01/call-next", undefined, clerk)).status).toBe(200);
    const wall = pages[2] as Page;
    await wall.waitForSelector("canvas", WAIT);
    await new Promise((r) => setTimeout(r, 1500));
    for (const page of pages) {
      seen.push(...(page as unknown as { __seen: string[] }).__seen);
      await page.context().close();
    }
    expect(seen).toEqual([]);
  });

  it("counter: sign in and open the counter with no violation", async () => {
    const page = await newPage(browser, { width: 1920, height: 1080 });
    const seen = await watch(page);
    await page.goto(`${t.url}/counter?counter=c02`);
    await page.locator("input[name=username]").fill("lina");
    await page.locator("input[name=password]").fill(t.password("lina"));
    await page.locator("button[type=submit]").click();
    await page.getByTestId("sign-in").click(WAIT);
    await page.getByTestId("today").waitFor(WAIT);
    expect(seen).toEqual([]);
    await page.context().close();
  });
});
