/**
 * Issue 12's "done when" for payment, in real Chromium with simulated devices: at terminal
 * t1 a visitor opens 自助缴费, reads their ID card, sees the fee of their accepted case
 * (20.00 元), shows their phone's payment code to the terminal's scanner, confirms on the
 * phone, and sees 缴费成功; the receipt is decoded from the receipt printer's bytes by an
 * independent ESC/POS parser (npos). A failed payment (insufficient funds) says so in
 * Chinese and English and charges nothing. axe-clean on the new screens.
 */
import { existsSync } from "node:fs";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Case } from "../../server/src/contract/cases.ts";
import type { PaymentSimulator } from "../../server/src/payments/simulator.ts";
import { expectNoAxeViolations } from "../helpers/axe.ts";
import { type Browser, launchBrowser, newPage, type Page } from "../helpers/browser.ts";
import { startTestHub, type TestHub } from "../helpers/hub.ts";
import { decodeEscPos, decodedLines } from "../hardware/printer/npos-decode.ts";
import { makeCase, placeCard, removeCard, setUpTerminal } from "../server/terminals/fixtures.ts";

const OWNER = { name: "王小明", idNumber: "371426199001011234", phone: "13912345678" };
const WAIT = { timeout: 15_000 };

let t: TestHub;
let browser: Browser;
let sim: PaymentSimulator;
let mine: Case;
let second: Case;

beforeAll(async () => {
  if (!existsSync(path.resolve("dist/terminal-ui/index.html"))) throw new Error("dist/ is not built: run `npx vite build` first");
  t = await startTestHub();
  await setUpTerminal(t);
  const r = await t.api(
    "PUT",
    "/api/devices/printer-t1",
    {
      id: "printer-t1",
      kind: "printer",
      name: "终端1 凭条打印机",
      transport: { type: "sim" },
      assignment: { kind: "terminal", terminalId: "t1" },
      options: { paperWidthMm: 80 },
    },
    await t.adminToken(),
  );
  expect(r.status).toBe(200);
  const s = t.hub.payments.simulator;
  if (!s) throw new Error("no payment simulator");
  sim = s;
  sim.confirmMs = Number.POSITIVE_INFINITY;
  mine = await makeCase(t, OWNER, { matterId: "m-080", until: "accepted" });
  second = await makeCase(t, OWNER, { matterId: "m-083", until: "accepted" });
  browser = await launchBrowser();
}, 180_000);

afterAll(async () => {
  await browser?.close();
  await t?.close();
});

async function openTerminal(): Promise<Page> {
  const page = await newPage(browser, { width: 1080, height: 1920, hasTouch: true });
  await page.goto(`${t.url}/terminal?terminal=t1`);
  await page.locator(".terminal[data-live]").waitFor(WAIT);
  return page;
}

const printed = () => t.hub.devices.simulators("printer-t1")?.printerSim?.tickets ?? [];
const scan = (code: string) => t.hub.devices.simulators("scanner-t1")?.scannerSim?.scan(code);

describe("paying a fee at the terminal in Chromium", () => {
  it("ID card → the fee → the phone's payment code → confirmed on the phone → 缴费成功, and the receipt printed", {
    timeout: 120_000,
  }, async () => {
    const page = await openTerminal();
    await page.getByTestId("section-pay").click();
    await expect.poll(() => page.locator(".t-prompt").textContent()).toContain("刷身份证");
    placeCard(t, OWNER);
    const fee = page.locator(`[data-fee="${mine.caseNo}"]`);
    await fee.waitFor(WAIT);
    await removeCard(t);
    expect(await fee.textContent()).toContain("居民身份证换领");
    expect(await fee.locator(".t-amount").textContent()).toContain("20.00 元");
    expect(await page.locator(`[data-fee="${second.caseNo}"] .t-amount`).textContent()).toContain("10.00 元");
    await expectNoAxeViolations(page, "terminal fees");

    await page.getByTestId(`pay-${mine.caseNo}`).click();
    await expect.poll(() => page.getByTestId("pay-scan").textContent()).toContain("请打开手机上的付款码");
    await expectNoAxeViolations(page, "terminal scan the payment code");
    const before = printed().length;
    // A code that needs the phone's confirmation (…9001).
    const code = `13456789012${String(Date.now() % 1000).padStart(3, "0")}9001`;
    await scan(code);
    const result = page.getByTestId("pay-result");
    await expect.poll(() => result.getAttribute("data-status"), WAIT).toBe("pending");
    expect(await result.textContent()).toContain("请在手机上确认支付");
    // The code stayed in the hub: the page never had it.
    expect(await page.content()).not.toContain(code);
    const pending = sim.charges().length;
    const open = sim.pendingOrders();
    expect(open).toHaveLength(1);
    // The visitor confirms on the phone.
    sim.confirm(open[0] as string);
    await page.getByTestId("paid").waitFor(WAIT);
    expect(await page.getByTestId("paid").textContent()).toBe("缴费成功");
    expect(sim.charges().length).toBe(pending + 1);
    await expect.poll(() => result.textContent(), WAIT).toContain("请取走缴费凭证");
    await expectNoAxeViolations(page, "terminal paid");

    // The receipt, read back from the printer's bytes by npos.
    expect(printed().length).toBe(before + 1);
    const text = decodedLines(decodeEscPos(printed().at(-1)?.bytes as Buffer)).join("\n");
    expect(text).toContain("缴费凭证");
    expect(text).toContain(mine.caseNo);
    expect(text).toContain("金额：20.00 元");
    expect(text).toContain("支付方式：付款码");
    expect(text).toContain(open[0] as string);
    expect(text).not.toContain(OWNER.name);

    // Back to the fees: this one is paid now.
    await page.getByRole("button", { name: "待缴费用" }).click();
    await expect.poll(() => page.locator(`[data-fee="${mine.caseNo}"]`).getAttribute("data-state"), WAIT).toBe("paid");
    await page.close();
  });

  it("insufficient funds: a clear message in Chinese and in English, nothing charged", { timeout: 120_000 }, async () => {
    const page = await openTerminal();
    await page.getByTestId("section-pay").click();
    placeCard(t, OWNER);
    await page.locator(`[data-fee="${second.caseNo}"]`).waitFor(WAIT);
    await removeCard(t);
    await page.getByTestId(`pay-${second.caseNo}`).click();
    await page.getByTestId("pay-scan").waitFor(WAIT);
    const charges = sim.charges().length;
    await scan(`28765432109${String(Date.now() % 1000).padStart(3, "0")}9003`);
    await page.getByTestId("pay-failed").waitFor(WAIT);
    const result = page.getByTestId("pay-result");
    expect(await result.textContent()).toContain("缴费未成功，未扣款");
    expect(await result.textContent()).toContain("余额不足");
    await page.getByRole("button", { name: "English" }).click();
    await expect.poll(() => result.textContent()).toContain("Insufficient funds");
    expect(await result.textContent()).toContain("nothing was charged");
    expect(sim.charges().length).toBe(charges);
    await page.close();
  });
});
