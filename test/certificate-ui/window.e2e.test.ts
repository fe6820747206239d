/**
 * Issue 11's "done when" for the window and the post, in real Chromium against a real hub:
 * a certificate is collected at the 统一出证 window by the ID card on the window's reader
 * (the progress page follows live); another is mailed — the visitor gives the address on
 * the progress page with the phone's last four digits, the window mails it, the label is
 * decoded from the label printer's bytes by npos and its barcode is the waybill shown, and
 * the courier simulator's signed callbacks take it to delivered, visible on the progress
 * page without a reload. axe-core checks each page, in Chinese and in English.
 * Needs `npx vite build` first (npm test does it).
 */
import ExcelJS from "exceljs";
import { existsSync, readFileSync } from "node:fs";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Case } from "../../server/src/contract/cases.ts";
import type { Catalogue } from "../../server/src/contract/index.ts";
import { barcodes } from "../hardware/label/barcodes.ts";
import { decodeEscPos, decodedLines } from "../hardware/printer/npos-decode.ts";
import { expectNoAxeViolations } from "../helpers/axe.ts";
import { type Browser, type Page, launchBrowser, newPage, screenshot } from "../helpers/browser.ts";
import { type TestHub, startTestHub } from "../helpers/hub.ts";

const WAIT = { timeout: 15_000 };
const WINDOW = "c43";
let t: TestHub;
let browser: Browser;
let admin: string;
let matterId = "";
let materialCount = 0;
let win: Page;
let n = 0;

function idNumber(body17: string): string {
  const w = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2];
  const sum = [...body17].reduce((s, d, i) => s + Number(d) * (w[i] ?? 0), 0);
  return body17 + "10X98765432"[sum % 11];
}

async function readyCase(id: string, phone: string): Promise<Case> {
  const a = await t.api<Case>(
    "POST",
    "/api/cases",
    {
      matterId,
      applicant: { name: "王小明", idNumber: id, phone },
      materials: Array.from({ length: materialCount }, (_, index) => ({ index, state: "received" })),
      outcome: "accepted",
    },
    admin,
    { "idempotency-key": `e2e-${++n}` },
  );
  if (a.status !== 201) throw new Error(`accept: ${a.status} ${JSON.stringify(a.body)}`);
  const r = await t.api<Case>(
    "POST",
    `/api/cases/${a.body.caseNo}/transitions`,
    { action: "certificate_ready", expectedVersion: a.body.version },
    admin,
    { "idempotency-key": `e2e-${++n}` },
  );
  return r.body;
}

async function openProgress(caseNo: string, check: string): Promise<Page> {
  const phone = await newPage(browser, { width: 390, height: 844, hasTouch: true });
  await phone.goto(`${t.url}/q/${caseNo}`);
  await phone.locator('input[name="check"]').fill(check);
  await phone.getByTestId("check-submit").click();
  await phone.getByTestId("case-view").waitFor(WAIT);
  return phone;
}

function labels(): Buffer[] {
  return t.hub.devices.simulators(`label-${WINDOW}`)?.labelSim?.labels ?? [];
}

beforeAll(async () => {
  for (const f of ["dist/certificate-ui/index.html", "dist/office-ui/progress.html"])
    if (!existsSync(path.resolve(f))) throw new Error("dist/ is not built: run `npx vite build` first");
  t = await startTestHub();
  admin = await t.adminToken();
  const cat = (await t.api<Catalogue>("GET", "/api/hall")).body;
  const m = cat.matters.find((x) => x.promisedDays === 0 && x.materials.length > 0);
  if (!m) throw new Error("no 即办件 in the demo catalogue");
  matterId = m.id;
  materialCount = m.materials.length;
  for (const [id, kind] of [
    [`idreader-${WINDOW}`, "idreader"],
    [`scanner-${WINDOW}`, "scanner"],
    [`label-${WINDOW}`, "label"],
  ] as const) {
    const r = await t.api(
      "PUT",
      `/api/devices/${id}`,
      { kind, name: `统一出证 ${kind}`, transport: { type: "sim" }, assignment: { kind: "counter", counterId: WINDOW } },
      admin,
    );
    if (r.status !== 200) throw new Error(`device ${id}: ${r.status}`);
  }
  browser = await launchBrowser();
  win = await newPage(browser, { width: 1920, height: 1080 });
  await win.goto(`${t.url}/certificates?counter=${WINDOW}`);
  await expectNoAxeViolations(win, "certificate window sign-in (zh)");
  await win.locator("input[name=username]").fill("zhuhong");
  await win.locator("input[name=password]").fill(t.password("zhuhong"));
  await win.locator("button[type=submit]").click();
  await win.getByTestId("window-ready").waitFor(WAIT);
}, 90_000);

afterAll(async () => {
  await browser?.close();
  await t?.close();
});

describe("the 统一出证 window and the post, in the browser", () => {
  it("a certificate is collected at the window by the ID card on the window's reader", { timeout: 90_000 }, async () => {
    const id = idNumber("37142619900101123");
    const c = await readyCase(id, "13800001234");
    const phone = await openProgress(c.caseNo, "1234");
    await expect(phone.getByTestId("case-status").textContent()).resolves.toBe("证照已制作，待领取");

    const sim = t.hub.devices.simulators(`idreader-${WINDOW}`)?.idSim;
    if (!sim) throw new Error("no reader at the window");
    sim.placeCard({
      name: "王小明",
      sexCode: "1",
      nationCode: "01",
      birthDate: "19900101",
      address: "山东省德州市平原县龙门街道",
      idNumber: id,
      issuer: "平原县公安局",
      validFrom: "20200101",
      validTo: "20400101",
    });
    const card = win.getByTestId(`match-${c.caseNo}`);
    await card.waitFor(WAIT);
    sim.removeCard();
    await expect(win.getByTestId("reading").textContent()).resolves.toContain(`3714**********${id.slice(-4)}`);
    await expect(win.content()).resolves.not.toContain(id);
    await expectNoAxeViolations(win, "certificate window, card read (zh)");
    await card.getByTestId("collect-submit").click();
    await expect.poll(() => card.getAttribute("data-status"), WAIT).toBe("collected");
    await expect(card.getByTestId("collected-by").textContent()).resolves.toContain(`3714**********${id.slice(-4)}`);
    await screenshot(win, "certificates-1920x1080-collected");
    // The progress page follows without a reload.
    await expect.poll(() => phone.getByTestId("case-status").textContent(), WAIT).toBe("已领取");
    await expect(phone.getByTestId("collected").textContent()).resolves.toContain("43");
    await expectNoAxeViolations(phone, "progress page, collected (zh)");
    const stored = (await t.api<Case>("GET", `/api/cases/${c.caseNo}`, undefined, admin)).body;
    expect(stored.collection).toMatchObject({ kind: "applicant", counterId: WINDOW });
    await phone.close();
  });

  it("another is mailed: address on the progress page, label decoded from the printer's bytes, delivered through the courier simulator", {
    timeout: 120_000,
  }, async () => {
    const c = await readyCase(idNumber("37142619880808456"), "13900005678");
    const phone = await openProgress(c.caseNo, "5678");
    await phone.getByTestId("postal-open").click();
    const form = phone.getByTestId("postal-form");
    await form.locator('input[name="phone4"]').fill("5678");
    await form.locator('input[name="recipient"]').fill("王小明");
    await form.locator('input[name="recipientPhone"]').fill("13900005678");
    await form.locator('input[name="street"]').fill("龙门街道中心路12号院3号楼");
    await expectNoAxeViolations(phone, "progress page, postal address form (zh)");
    await form.getByTestId("address-save").click();
    await expect.poll(() => phone.getByTestId("postal-status").getAttribute("data-postal"), WAIT).toBe("requested");
    // Masked on the public page: never the full phone or street.
    const shown = (await phone.getByTestId("postal-status").textContent()) ?? "";
    expect(shown).toContain("139****5678");
    expect(shown).not.toContain("中心路12号院3号楼");

    await win.locator('input[name="code"]').fill(c.caseNo);
    await win.getByTestId("find").click();
    const card = win.getByTestId(`match-${c.caseNo}`);
    await card.waitFor(WAIT);
    const before = labels().length;
    await card.getByTestId("mail-submit").click();
    await card.getByTestId("mail-result").waitFor(WAIT);
    await expect(card.getByTestId("mail-result").getAttribute("data-label")).resolves.toBe("printed");
    const waybillNo = ((await card.getByTestId("waybill").textContent()) ?? "").trim();
    expect(waybillNo).toMatch(/^[A-Z0-9]{8,}$/);
    await expect.poll(() => labels().length, WAIT).toBe(before + 1);
    const items = decodeEscPos(labels().at(-1) as Buffer);
    expect(barcodes(items)).toEqual([waybillNo]);
    const text = decodedLines(items).join("\n");
    expect(text).toContain("山东省德州市平原县");
    expect(text).toContain("龙门街道中心路12号院3号楼");
    expect(text).toContain("平原县市民服务中心");
    await expectNoAxeViolations(win, "certificate window, mailed (zh)");

    await expect.poll(() => phone.getByTestId("postal-text").textContent(), WAIT).toBe("已寄出");
    await expect(phone.getByTestId("postal-waybill").textContent()).resolves.toBe(waybillNo);
    const courier = t.hub.delivery.courierSim;
    if (!courier) throw new Error("no courier simulator");
    await courier.advance(waybillNo, "in_transit");
    await expect.poll(() => phone.getByTestId("postal-text").textContent(), WAIT).toBe("运输中");
    await courier.advance(waybillNo, "delivered");
    await expect.poll(() => phone.getByTestId("postal-text").textContent(), WAIT).toBe("已签收");
    await expect.poll(() => phone.getByTestId("case-status").textContent(), WAIT).toBe("已送达");
    await screenshot(phone, "progress-390x844-delivered");

    // English, on both pages.
    await phone.getByTestId("lang").click();
    await expect.poll(() => phone.getByTestId("postal-text").textContent(), WAIT).toBe("Delivered");
    await expectNoAxeViolations(phone, "progress page, delivered (en)");
    await win.getByTestId("lang").click();
    await expect.poll(() => win.locator("h1").textContent(), WAIT).toBe("Certificate window");
    await expectNoAxeViolations(win, "certificate window (en)");
    await phone.close();
  });

  it("a supervisor reads the day's postal ledger and exports it as CSV and XLSX", { timeout: 60_000 }, async () => {
    const sup = await newPage(browser, { width: 1920, height: 1080 });
    await sup.goto(`${t.url}/certificates?counter=c44`);
    await sup.locator("input[name=username]").fill("wangli");
    await sup.locator("input[name=password]").fill(t.password("wangli"));
    await sup.locator("button[type=submit]").click();
    await sup.getByTestId("ledger").waitFor(WAIT);
    await sup.getByTestId("ledger-show").click();
    await expect.poll(() => sup.getByTestId("ledger-row").count(), WAIT).toBe(1);
    await expect(sup.getByTestId("ledger-totals").textContent()).resolves.toContain("寄出 1 件");
    await expect(sup.getByTestId("ledger-row").textContent()).resolves.toContain("王**");
    await expectNoAxeViolations(sup, "certificate page, postal ledger (zh)");
    const download = sup.waitForEvent("download");
    await sup.getByTestId("ledger-csv").click();
    const file = await (await download).path();
    const raw = readFileSync(file);
    expect([...raw.subarray(0, 3)]).toEqual([0xef, 0xbb, 0xbf]);
    const csv = raw.subarray(3).toString("utf8");
    expect(csv.split("\r\n")[0]).toBe("日期,部门,办件编号,事项,运单号,快递,收件人,地区,费用,状态,寄出时间,面单已打印");
    expect(csv).toContain("delivered");
    expect(csv).not.toContain("13900005678");
    // The same ledger as an Excel workbook, read back by exceljs.
    const xdownload = sup.waitForEvent("download");
    await sup.getByTestId("ledger-xlsx").click();
    const xfile = await (await xdownload).path();
    const wb = new ExcelJS.Workbook();
    await wb.xlsx.load(new Uint8Array(readFileSync(xfile)).buffer);
    const ws = wb.worksheets[0];
    expect(ws?.getRow(1).getCell(1).value).toBe("日期");
    expect(ws?.rowCount).toBe(2);
    expect(ws?.getRow(2).getCell(7).value).toBe("王**");
    expect(ws?.getRow(2).getCell(10).value).toBe("delivered");
    await sup.close();
  });
});
