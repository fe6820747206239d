/**
 * The new pages before any case: /office's sign-in and /q/<caseNo>'s check form, in both
 * languages, served by the hub under its CSP, without axe-core violations; a bad check is
 * refused in the page before anything is asked of the hub.
 * Needs `npx vite build` first (npm test does it).
 */
import { existsSync } from "node:fs";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { expectNoAxeViolations } from "../helpers/axe.ts";
import { launchBrowser, newPage } from "../helpers/browser.ts";
import type { Browser } from "../helpers/browser.ts";
import { startTestHub } from "../helpers/hub.ts";
import type { TestHub } from "../helpers/hub.ts";

let t: TestHub;
let browser: Browser;

beforeAll(async () => {
  if (!existsSync(path.resolve("dist/office-ui/index.html"))) throw new Error("dist/ is not built: run `npx vite build` first");
  t = await startTestHub();
  browser = await launchBrowser();
}, 60_000);

afterAll(async () => {
  await browser?.close();
  await t?.close();
});

describe("office-ui pages", () => {
  for (const lang of ["zh", "en"] as const) {
    it(`/office signs in like the counter (${lang})`, { timeout: 30_000 }, async () => {
      const page = await newPage(browser, { width: 1600, height: 900 });
      const errors: string[] = [];
      page.on("pageerror", (e) => errors.push(e.message));
      const res = await page.goto(`${t.url}/office?lang=${lang}`);
      expect(res?.status()).toBe(200);
      await expect(page.locator("h1").textContent()).resolves.toBe(lang === "zh" ? "审批后台" : "Back office");
      await expect(page.evaluate(() => document.documentElement.lang)).resolves.toBe(lang === "zh" ? "zh-CN" : "en");
      await expectNoAxeViolations(page, `office sign-in (${lang})`);
      // A wrong password is said in words, in the page's language.
      await page.locator("input[name=username]").fill("gaojie");
      await page.locator("input[name=password]").fill("wrong-password");
      await page.locator("button[type=submit]").click();
      await expect(page.getByTestId("error").textContent()).resolves.toContain(
        lang === "zh" ? "用户名或密码错误" : "Wrong username",
      );
      expect(errors).toEqual([]);
      await page.close();
    });

    it(`/counter and /office share one sign-in form: labelled fields, a refusal announced (${lang})`, {
      timeout: 30_000,
    }, async () => {
      const forms: string[] = [];
      for (const path of ["/counter", "/office"]) {
        const page = await newPage(browser, { width: 1600, height: 900 });
        await page.goto(`${t.url}${path}?lang=${lang}`);
        const form = page.locator("form.login");
        await form.waitFor();
        // Each field is named by its label (what a screen reader reads out).
        await expect(page.getByLabel(lang === "zh" ? "用户名" : "Username").getAttribute("name")).resolves.toBe("username");
        await expect(page.getByLabel(lang === "zh" ? "密码" : "Password").getAttribute("type")).resolves.toBe("password");
        await expectNoAxeViolations(page, `${path} sign-in (${lang})`);
        // The same markup on both pages (one component), class names aside.
        forms.push(await form.evaluate((f) => f.innerHTML.replace(/ autofocus="[^"]*"/, "")));
        await page.locator("input[name=username]").fill("gaojie");
        await page.locator("input[name=password]").fill("wrong-password");
        await page.locator("button[type=submit]").click();
        // Said in words in an alert, which screen readers announce.
        const alert = page.getByRole("alert");
        await expect(alert.textContent()).resolves.toContain(lang === "zh" ? "用户名或密码错误" : "Wrong username");
        await page.close();
      }
      expect(forms[0]).toBe(forms[1]);
    });

    it(`/q/<caseNo> asks for the last four digits first (${lang})`, { timeout: 30_000 }, async () => {
      const page = await newPage(browser, { width: 390, height: 844, hasTouch: true });
      const asked: string[] = [];
      page.on("request", (r) => {
        if (r.url().includes("/api/public/cases/")) asked.push(r.url());
      });
      const res = await page.goto(`${t.url}/q/371426-20261202-00001?lang=${lang}`);
      expect(res?.status()).toBe(200);
      await expect(page.getByTestId("case-no").textContent()).resolves.toBe("371426-20261202-00001");
      await expectNoAxeViolations(page, `progress check form (${lang})`);
      await page.locator('input[name="check"]').fill("12a");
      await page.getByTestId("check-submit").click();
      await expect(page.getByTestId("progress-error").textContent()).resolves.toContain(lang === "zh" ? "4 位数字" : "4 digits");
      expect(asked).toEqual([]);
      await expectNoAxeViolations(page, `progress check form with an error (${lang})`);
      await page.close();
    });
  }
});
