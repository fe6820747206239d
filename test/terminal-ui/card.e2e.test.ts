/**
 * Paying a fee by bank card at terminal t1 in real Chromium, with the simulated POS (pos-t1)
 * behind the hub: the visitor chooses 银行卡 beside the payment code, the screen shows what
 * the POS asks, in order (insert or tap the card, reading, the PIN, processing), then 缴费成功;
 * the receipt is decoded from the receipt printer's bytes by npos. A decline (insufficient
 * funds) and a cancel before the card is read say so clearly, in Chinese and in English, and
 * charge nothing. axe-clean on the card screens.
 */
import { existsSync } from "node:fs";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { PosSimulator } from "../../hardware/pos/simulator.ts";
import type { Case } from "../../server/src/contract/cases.ts";
import { expectNoAxeViolations } from "../helpers/axe.ts";
import { type Browser, launchBrowser, newPage, type Page } from "../helpers/browser.ts";
import { startTestHub, type TestHub } from "../helpers/hub.ts";
import { decodeEscPos, decodedLines } from "../hardware/printer/npos-decode.ts";
import { makeCase, placeCard, removeCard, setUpTerminal, simulatedPosT1 } from "../server/terminals/fixtures.ts";

const OWNER = { name: "王小明", idNumber: "371426199001011234", phone: "13912345678" };
const WAIT = { timeout: 15_000 };

let t: TestHub;
let browser: Browser;
const cases: Case[] = [];

beforeAll(async () => {
  if (!existsSync(path.resolve("dist/terminal-ui/index.html"))) throw new Error("dist/ is not built: run `npx vite build` first");
  t = await startTestHub();
  await setUpTerminal(t);
  const admin = await t.adminToken();
  const terminal = { kind: "terminal", terminalId: "t1" };
  for (const body of [
    { id: "printer-t1", kind: "printer", name: "终端1 凭条打印机", transport: { type: "sim" }, assignment: terminal },
    // The visitor presents the card when the test says so; each stage lasts long enough to be seen.
    simulatedPosT1({ simManualCard: true, simStageMs: 400 }),
  ]) {
    const r = await t.api("PUT", `/api/devices/${body.id}`, body, admin);
    expect(r.status, JSON.stringify(r.body)).toBe(200);
  }
  for (const matterId of ["m-080", "m-083", "m-080"]) cases.push(await makeCase(t, OWNER, { matterId, until: "accepted" }));
  browser = await launchBrowser();
}, 180_000);

afterAll(async () => {
  await browser?.close();
  await t?.close();
});

const pos = (): PosSimulator => {
  const s = t.hub.devices.simulators("pos-t1")?.posSim;
  if (!s) throw new Error("pos-t1 is not simulated");
  return s;
};
const printed = () => t.hub.devices.simulators("printer-t1")?.printerSim?.tickets ?? [];

/** The terminal page, at the fee of `c`, on the screen where the visitor chooses how to pay. */
async function atPayScreen(c: Case): Promise<Page> {
  const page = await newPage(browser, { width: 1080, height: 1920, hasTouch: true });
  await page.goto(`${t.url}/terminal?terminal=t1`);
  await page.locator(".terminal[data-live]").waitFor(WAIT);
  await page.getByTestId("section-pay").click();
  placeCard(t, OWNER);
  await page.locator(`[data-fee="${c.caseNo}"]`).waitFor(WAIT);
  await removeCard(t);
  await page.getByTestId(`pay-${c.caseNo}`).click();
  await page.getByTestId("pay-scan").waitFor(WAIT);
  return page;
}

/** Record every card prompt the page shows, in order (what the visitor saw, not what the hub sent). */
async function recordPrompts(page: Page): Promise<() => Promise<string[]>> {
  await page.evaluate(() => {
    const seen: string[] = [];
    (window as unknown as { seenPrompts: string[] }).seenPrompts = seen;
    const look = () => {
      const p = document.querySelector('[data-testid="pay-result"]')?.getAttribute("data-prompt");
      if (p && seen.at(-1) !== p) seen.push(p);
    };
    new MutationObserver(look).observe(document.body, { subtree: true, childList: true, attributes: true });
  });
  return () => page.evaluate(() => (window as unknown as { seenPrompts: string[] }).seenPrompts);
}

describe("paying by bank card at the terminal in Chromium", () => {
  it("银行卡 → insert or tap → reading → PIN → processing → 缴费成功, and the receipt printed", {
    timeout: 120_000,
  }, async () => {
    const c = cases[0] as Case;
    const page = await atPayScreen(c);
    const card = page.getByTestId("pay-card");
    expect(await card.textContent()).toBe("银行卡");
    await expectNoAxeViolations(page, "terminal choose payment code or bank card");
    const seen = await recordPrompts(page);
    const before = printed().length;
    await card.click();
    const prompt = page.getByTestId("card-prompt");
    await expect.poll(() => prompt.textContent(), WAIT).toBe("请插入或挥动银行卡");
    await expect.poll(() => pos().waitingForCard, WAIT).toBe(true);
    expect(await page.getByTestId("pay-cancel").isVisible()).toBe(true);
    await expectNoAxeViolations(page, "terminal insert the bank card");
    pos().presentCard("approve");
    await expect.poll(() => prompt.textContent(), WAIT).toBe("请输入密码");
    // Once the card is read it can no longer be cancelled here.
    expect(await page.getByTestId("pay-cancel").count()).toBe(0);
    await expectNoAxeViolations(page, "terminal enter the PIN");
    await page.getByTestId("paid").waitFor(WAIT);
    expect(await page.getByTestId("paid").textContent()).toBe("缴费成功");
    // The prompts appeared in the POS's order ("connecting" only until the first prompt came).
    expect((await seen()).filter((p) => p !== "connecting")).toEqual(["insert_card", "reading_card", "enter_pin", "processing"]);
    const result = page.getByTestId("pay-result");
    await expect.poll(() => result.textContent(), WAIT).toContain("请取走缴费凭证");
    await expectNoAxeViolations(page, "terminal paid by card");

    expect(printed().length).toBe(before + 1);
    const text = decodedLines(decodeEscPos(printed().at(-1)?.bytes as Buffer)).join("\n");
    expect(text).toContain("缴费凭证");
    expect(text).toContain(c.caseNo);
    expect(text).toContain("金额：20.00 元");
    expect(text).toContain("支付方式：银行卡");
    expect(text).not.toContain(OWNER.name);
    const orderId = /PO\d{8}[0-9A-F]{12}/.exec(text)?.[0] as string;
    expect(pos().chargesOf(orderId)).toBe(1);
    await page.close();
  });

  it("insufficient funds: a clear message in Chinese and in English, nothing charged", { timeout: 120_000 }, async () => {
    const page = await atPayScreen(cases[1] as Case);
    const charges = pos().charges.length;
    await page.getByTestId("pay-card").click();
    await expect.poll(() => pos().waitingForCard, WAIT).toBe(true);
    pos().presentCard("insufficient_funds");
    await page.getByTestId("pay-failed").waitFor(WAIT);
    const result = page.getByTestId("pay-result");
    expect(await result.textContent()).toContain("缴费未成功，未扣款");
    expect(await result.textContent()).toContain("余额不足，请更换银行卡或付款方式");
    await expectNoAxeViolations(page, "terminal card declined");
    await page.getByRole("button", { name: "English" }).click();
    await expect.poll(() => result.textContent()).toContain("Insufficient funds: use another card");
    expect(await result.textContent()).toContain("nothing was charged");
    expect(pos().charges.length).toBe(charges);
    // A way back: try again offers both ways to pay.
    await page.getByRole("button", { name: "Try again" }).click();
    await page.getByTestId("pay-card").waitFor(WAIT);
    await page.close();
  });

  it("cancel before the card is read: the POS stops, the screen says so, nothing charged", { timeout: 120_000 }, async () => {
    const page = await atPayScreen(cases[2] as Case);
    const charges = pos().charges.length;
    await page.getByTestId("pay-card").click();
    await expect.poll(() => pos().waitingForCard, WAIT).toBe(true);
    await page.getByTestId("pay-cancel").click();
    await page.getByTestId("pay-failed").waitFor(WAIT);
    expect(await page.getByTestId("pay-result").textContent()).toContain("支付已取消");
    expect(pos().waitingForCard).toBe(false);
    expect(pos().charges.length).toBe(charges);
    await page.close();
  });
});
