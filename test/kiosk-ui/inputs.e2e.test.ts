/**
 * The kiosk's two readers in real Chromium against a real hub: an ID card on the
 * simulated reader (masked on screen, ticket issued with it, duplicates refused, the
 * number never reaching the browser) and booking codes (scanned, or typed on the
 * on-screen keyboard). Needs `npx vite build` first (npm test does it).
 */
import { existsSync } from "node:fs";
import path from "node:path";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import type { Catalogue, Matter } from "../../server/src/contract/index.ts";
import { isWithinHours } from "../../ui-shared/format.ts";
import { launchBrowser, newPage, screenshot } from "../helpers/browser.ts";
import type { Browser, Page } from "../helpers/browser.ts";
import { startTestHub } from "../helpers/hub.ts";
import type { TestHub } from "../helpers/hub.ts";

const WAIT = { timeout: 15_000 };
const ID_NUMBER = "371428199001011234";
const MASKED = "3714**********1234";
const NAME = "王小明";

let t: TestHub;
let browser: Browser;
let cat: Catalogue;
let matter: Matter;
/** Pages of the running test: closed after each, so no stale kiosk-k1 screen reacts to the next test's scans. */
const pages: Page[] = [];

/** The simulated devices of kiosk k1. */
function sims() {
  const id = t.hub.devices.simulators("idreader-k1")?.idSim;
  const scanner = t.hub.devices.simulators("scanner-k1")?.scannerSim;
  if (!id || !scanner) throw new Error("kiosk k1 has no simulated ID reader or scanner");
  return { id, scanner };
}

function placeCard(): void {
  sims().id.placeCard({
    name: NAME,
    sexCode: "1",
    nationCode: "01",
    birthDate: "19900101",
    address: "山东省德州市平原县龙门街道",
    idNumber: ID_NUMBER,
    issuer: "平原县公安局",
    validFrom: "20200101",
    validTo: "20400101",
  });
}

/**
 * Takes the card away and waits until the reader has polled it absent (the driver
 * forgets a card after two empty polls), so putting it back counts as a new read.
 */
async function removeCardAndWaitAbsent(): Promise<void> {
  const sim = sims().id;
  const finds = () => sim.received.filter((c) => c === "FIND_CARD").length;
  sim.removeCard();
  const before = finds();
  await expect.poll(finds, { timeout: 5000, interval: 100 }).toBeGreaterThanOrEqual(before + 3);
}

/** Opens kiosk k1 and waits until its screen room is joined (reader input reaches it). */
async function openKiosk(beforeLoad?: (page: Page) => void): Promise<Page> {
  const page = await newPage(browser, { width: 1080, height: 1920, hasTouch: true });
  pages.push(page);
  beforeLoad?.(page);
  await page.goto(`${t.url}/kiosk?kiosk=k1`);
  await page.locator(".kiosk[data-live]").waitFor(WAIT);
  await page.locator(".zone").first().waitFor(WAIT);
  return page;
}

async function openMatter(page: Page, m: Matter): Promise<void> {
  const zoneId = cat.departments.find((d) => d.id === m.departmentId)?.zoneId ?? "";
  await page.locator(`[data-zone="${zoneId}"]`).click();
  await page.locator(`[data-matter="${m.id}"]`).click();
  await page.getByTestId("take").waitFor(WAIT);
}

/** Ticket id from the phone link of the ticket screen (/m/<id>). */
async function issuedTicketId(page: Page): Promise<string> {
  const url = (await page.getByTestId("phone-qr").getAttribute("data-url")) ?? "";
  // The phone link is /m/<id>#k=<holder key>: the id is the path, the key its fragment.
  return decodeURIComponent((url.split("/m/")[1] ?? "").split("#")[0] ?? "");
}

beforeAll(async () => {
  if (!existsSync(path.resolve("dist/kiosk-ui/index.html"))) throw new Error("dist/ is not built: run `npx vite build` first");
  t = await startTestHub();
  browser = await launchBrowser();
  cat = (await t.api<Catalogue>("GET", "/api/hall")).body;
  // The page checks issuing hours against the browser's own clock (the real one).
  const now = Date.now();
  const found = cat.matters.find((m) => {
    const q = cat.queues.find((x) => x.id === m.queueId);
    return (
      q && q.dailyCap > 20 && isWithinHours(q.hours, now, cat.hall.timeZone) && isWithinHours(q.hours, t.now(), cat.hall.timeZone)
    );
  });
  if (!found) throw new Error("no demo matter issues now");
  matter = found;
});

afterEach(async () => {
  for (const p of pages.splice(0)) await p.context().close();
});

afterAll(async () => {
  await browser?.close();
  await t?.close();
});

describe("kiosk ID card in Chromium", () => {
  it("shows the masked card, issues with it, refuses a second ticket, and never receives the number", {
    timeout: 60_000,
  }, async () => {
    // Everything the browser receives, from the first request on: HTTP bodies and
    // socket frames (the websocket transport; polling frames are HTTP responses).
    const bodies: Promise<string>[] = [];
    const frames: string[] = [];
    const page = await openKiosk((p) => {
      p.on("response", (r) => bodies.push(r.text().catch(() => "")));
      p.on("websocket", (ws) => {
        ws.on("framereceived", (f) => frames.push(typeof f.payload === "string" ? f.payload : f.payload.toString("utf8")));
      });
    });

    placeCard();
    const banner = page.getByTestId("id-banner");
    await banner.waitFor(WAIT);
    await expect(banner.textContent()).resolves.toContain(MASKED);
    await expect(banner.textContent()).resolves.toContain("王**");
    await screenshot(page, "kiosk-1080x1920-idcard");

    await openMatter(page, matter);
    // The card stays remembered while the visitor browses.
    await expect(banner.textContent()).resolves.toContain(MASKED);
    await page.getByTestId("take").click();
    await page.getByTestId("issued").waitFor(WAIT);
    await expect(page.getByTestId("id-on-ticket").textContent()).resolves.toContain(MASKED);
    const ticketId = await issuedTicketId(page);
    // Issued *with* the card: the hub keeps the masked number on the ticket.
    expect(t.hub.hall.ticket(ticketId)?.idMasked).toBe(MASKED);
    await screenshot(page, "kiosk-1080x1920-idcard-ticket");
    await page.getByTestId("done").click();

    // The same card again, same matter: the hub says no, the kiosk says why.
    await removeCardAndWaitAbsent();
    placeCard();
    await banner.waitFor(WAIT);
    await openMatter(page, matter);
    await page.getByTestId("take").click();
    const error = page.getByTestId("error");
    await error.waitFor(WAIT);
    await expect(error.textContent()).resolves.toContain("此身份证今天已取过该事项的号");
    await expect(page.getByTestId("issued").count()).resolves.toBe(0);
    sims().id.removeCard();

    const dom = await page.content();
    expect(dom).not.toContain(ID_NUMBER);
    expect(dom).not.toContain(NAME);
    const texts = await Promise.all(bodies);
    expect(texts.length).toBeGreaterThan(3);
    expect(frames.some((f) => f.includes("kiosk:input"))).toBe(true);
    for (const text of [...texts, ...frames]) {
      expect(text).not.toContain(ID_NUMBER);
      expect(text).not.toContain(NAME);
    }
  });
});

describe("kiosk booking codes in Chromium", () => {
  it("issues the appointment ticket when a booking code is scanned, and refuses it the second time", {
    timeout: 60_000,
  }, async () => {
    const booking = t.hub.bookings[0];
    if (!booking) throw new Error("the demo hub has no booking today");
    const page = await openKiosk();

    await sims().scanner.scan(booking.code);
    await page.getByTestId("issued").waitFor(WAIT);
    await expect(page.getByTestId("priority").getAttribute("data-priority")).resolves.toBe("appointment");
    await expect(page.getByTestId("priority").textContent()).resolves.toBe("预约优先");
    const bookedMatter = cat.matters.find((m) => m.id === booking.matterId);
    const prefix = cat.queues.find((q) => q.id === bookedMatter?.queueId)?.prefix ?? "?";
    await expect(page.getByTestId("number").textContent()).resolves.toMatch(new RegExp(`^${prefix}\\d{3}$`));
    expect(t.hub.hall.ticket(await issuedTicketId(page))?.priority).toBe("appointment");
    await screenshot(page, "kiosk-1080x1920-appointment");
    await page.getByTestId("done").click();

    // An unknown code first (the scanner ignores the same code twice within 1.5 s,
    // another code in between resets that), then the used one.
    const error = page.getByTestId("error");
    await sims().scanner.scan("YY000000XX");
    await expect.poll(() => error.textContent(), WAIT).toContain("没有找到这个预约码");
    await sims().scanner.scan(booking.code);
    await expect.poll(() => error.textContent(), WAIT).toContain("已使用");
    await expect(page.getByTestId("issued").count()).resolves.toBe(0);
  });

  it("takes a booking code typed on the on-screen keyboard", { timeout: 60_000 }, async () => {
    const booking = t.hub.bookings[1];
    if (!booking) throw new Error("the demo hub has fewer than two bookings today");
    const page = await openKiosk();

    const typeCode = async (code: string) => {
      await page.getByTestId("booking-entry").click();
      await page.getByTestId("booking").waitFor(WAIT);
      for (const ch of code) await page.locator(`.booking [data-key="${ch}"]`).click();
      await expect(page.getByTestId("booking-code").inputValue()).resolves.toBe(code);
      await page.getByTestId("booking-submit").click();
    };

    await typeCode(booking.code);
    await page.getByTestId("issued").waitFor(WAIT);
    await expect(page.getByTestId("priority").getAttribute("data-priority")).resolves.toBe("appointment");
    await page.getByTestId("done").click();

    await typeCode(booking.code);
    const error = page.getByTestId("error");
    await error.waitFor(WAIT);
    await expect(error.textContent()).resolves.toContain("已使用");
    await screenshot(page, "kiosk-1080x1920-booking-used");
  });
});
