/**
 * The finish dialog's 一次性告知 list in real Chromium against a real hub: for 不予受理 the
 * clerk must tick or type at least one missing item before confirming, and the items reach
 * the ticket holder's view; for 办结 no list is shown and none is sent.
 * Needs `npx vite build` first (npm test does it).
 */
import { existsSync } from "node:fs";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Catalogue, IssuedTicket, Matter, TicketHolderView } from "../../server/src/contract/index.ts";
import { expectNoAxeViolations } from "../helpers/axe.ts";
import { launchBrowser, newPage, screenshot } from "../helpers/browser.ts";
import type { Browser, Page } from "../helpers/browser.ts";
import { holderHeader, startTestHub } from "../helpers/hub.ts";
import { recordCommands, sentSince } from "./sent-commands.ts";
import type { TestHub } from "../helpers/hub.ts";

const WAIT = { timeout: 15_000 };

let t: TestHub;
let browser: Browser;
/** A matter of series A (served at c03) with at least two required materials. */
let matter: Matter;
let c03: Page;
/** A matter of series A whose materials have English twins. */
let matterEn: Matter;

async function issue(): Promise<IssuedTicket> {
  const r = await t.issue<IssuedTicket>({ matterId: matter.id });
  if (r.status !== 201) throw new Error(`issue: ${r.status} ${JSON.stringify(r.body)}`);
  return r.body;
}

async function holderView(tk: IssuedTicket): Promise<TicketHolderView | undefined> {
  const r = await t.api<{ holder?: TicketHolderView }>(
    "GET",
    `/api/tickets/${tk.id}`,
    undefined,
    undefined,
    holderHeader(tk.holderKey),
  );
  if (r.status !== 200) throw new Error(`GET ticket: ${r.status} ${JSON.stringify(r.body)}`);
  return r.body.holder;
}

function currentNumber(page: Page): Promise<string | null> {
  return page.evaluate(() => document.querySelector('[data-testid="current-number"]')?.textContent?.trim() ?? null);
}

async function callNextExpecting(page: Page, number: string): Promise<void> {
  await page.locator(".tickets li", { hasText: number }).first().waitFor(WAIT);
  await page.locator('[data-action="call-next"]:not([disabled])').click();
  await expect.poll(() => currentNumber(page), WAIT).toBe(number);
}

/** The finish commands the page sends (socket or REST), with their fields, while `fn` runs. */
async function finishBodies(page: Page, fn: () => Promise<void>): Promise<Record<string, unknown>[]> {
  const events = recordCommands(page);
  const from = events.length;
  await fn();
  // Only the fields the REST body would carry: the socket frame also names the verb and counter.
  return sentSince(events, from, "finish").sent.map(({ body }) => {
    const { type: _t, counterId: _c, ...fields } = body;
    return fields;
  });
}

beforeAll(async () => {
  if (!existsSync(path.resolve("dist/counter-ui/index.html"))) throw new Error("dist/ is not built: run `npx vite build` first");
  t = await startTestHub();
  browser = await launchBrowser();
  const cat = (await t.api<Catalogue>("GET", "/api/hall")).body;
  const m = cat.matters.find((x) => x.queueId === "q-a" && x.materials.length >= 2);
  if (!m) throw new Error("no matter of q-a with two materials in the test catalogue");
  matter = m;
  const en = cat.matters.find((x) => x.queueId === "q-a" && x.materialsEn?.length === x.materials.length);
  if (!en) throw new Error("no matter of q-a with English materials in the test catalogue");
  matterEn = en;
  c03 = await newPage(browser, { width: 1920, height: 1080 });
  recordCommands(c03);
  await c03.goto(`${t.url}/counter?counter=c03`);
  await c03.locator("input[name=username]").fill("liuyang");
  await c03.locator("input[name=password]").fill(t.password("liuyang"));
  await c03.locator("button[type=submit]").click();
  await c03.getByTestId("sign-in").click();
  await c03.getByTestId("today").waitFor(WAIT);
});

afterAll(async () => {
  await browser?.close();
  await t?.close();
});

describe("finish dialog: missing materials (一次性告知)", () => {
  it("不予受理 needs at least one item; the ticked materials and the typed one reach the holder", {
    timeout: 60_000,
  }, async () => {
    const tk = await issue();
    await callNextExpecting(c03, tk.number);
    await c03.keyboard.press("f");
    const dialog = c03.getByRole("dialog");
    await dialog.getByTestId("outcomes").waitFor(WAIT);
    // Nothing of the list before an outcome that needs it is picked.
    await expect(dialog.getByTestId("missing-list").count()).resolves.toBe(0);

    await dialog.locator('[data-outcome="rejected"]').click();
    const list = dialog.getByTestId("missing-list");
    await list.waitFor(WAIT);
    await expect(list.locator("legend").textContent()).resolves.toBe("缺少的材料");
    // Every required material of the matter is offered, each a labelled checkbox.
    for (const m of matter.materials) await expect(list.getByLabel(m, { exact: true }).count()).resolves.toBe(1);
    // The focus moved into the list, so the keyboard carries on there.
    await expect(c03.evaluate(() => (document.activeElement as HTMLInputElement | null)?.type)).resolves.toBe("checkbox");

    const confirm = dialog.getByTestId("finish-confirm");
    await expect(confirm.isDisabled()).resolves.toBe(true);
    await expect(dialog.getByTestId("missing-hint").textContent()).resolves.toContain("一次性告知");
    await expectNoAxeViolations(c03, "counter finish dialog with the missing list (zh)");
    await screenshot(c03, "counter-1920x1080-finish-missing");

    const [first, second] = matter.materials as [string, string];
    // Space ticks a focused checkbox (keyboard use); a click ticks the second.
    await list.getByLabel(first, { exact: true }).focus();
    await c03.keyboard.press(" ");
    await expect(confirm.isDisabled()).resolves.toBe(false);
    await list.getByLabel(second, { exact: true }).check();
    await list.locator('input[name="missingOther"]').fill("委托书需本人签字");

    const bodies = await finishBodies(c03, async () => {
      await confirm.click();
      await expect.poll(() => currentNumber(c03), WAIT).toBe(null);
    });
    const expected = [first, second, "委托书需本人签字"];
    expect(bodies).toEqual([{ outcome: "rejected", missing: expected }]);
    const holder = await holderView(tk);
    expect(holder?.outcome).toBe("rejected");
    expect(holder?.missing).toEqual(expected);
  });

  it("容缺受理 confirms with Enter from a ticked checkbox; Esc cancels without finishing", { timeout: 60_000 }, async () => {
    const tk = await issue();
    await callNextExpecting(c03, tk.number);
    await c03.keyboard.press("f");
    const dialog = c03.getByRole("dialog");
    await dialog.locator('[data-outcome="accepted_incomplete"]').click();
    await dialog.getByTestId("missing-list").waitFor(WAIT);
    // Esc leaves the dialog and the ticket stays current.
    await c03.keyboard.press("Escape");
    await dialog.waitFor({ state: "detached", ...WAIT });
    expect(await currentNumber(c03)).toBe(tk.number);

    await c03.keyboard.press("f");
    await dialog.locator('[data-outcome="accepted_incomplete"]').press("Enter");
    await dialog.getByTestId("missing-list").waitFor(WAIT);
    // Focus is on the first checkbox (moved there after the list renders): Space ticks it, Enter confirms.
    await expect.poll(() => c03.evaluate(() => (document.activeElement as HTMLInputElement | null)?.type), WAIT).toBe("checkbox");
    await c03.keyboard.press(" ");
    await c03.keyboard.press("Enter");
    await expect.poll(() => currentNumber(c03), WAIT).toBe(null);
    const holder = await holderView(tk);
    expect(holder?.outcome).toBe("accepted_incomplete");
    expect(holder?.missing).toEqual([matter.materials[0]]);
  });

  it("办结 shows no list and sends none", { timeout: 60_000 }, async () => {
    const tk = await issue();
    await callNextExpecting(c03, tk.number);
    await c03.keyboard.press("f");
    const dialog = c03.getByRole("dialog");
    await dialog.getByTestId("outcomes").waitFor(WAIT);
    await expect(dialog.getByTestId("missing-list").count()).resolves.toBe(0);
    // The first outcome (办结) has the focus: Enter finishes at once, as before.
    const bodies = await finishBodies(c03, async () => {
      await c03.keyboard.press("Enter");
      await expect.poll(() => currentNumber(c03), WAIT).toBe(null);
    });
    expect(bodies).toEqual([{ outcome: "completed" }]);
    const holder = await holderView(tk);
    expect(holder?.outcome).toBe("completed");
    expect(holder?.missing).toBeUndefined();
  });

  it("in English the list shows the English materials but sends the catalogue's Chinese wording", {
    timeout: 60_000,
  }, async () => {
    const r = await t.issue<IssuedTicket>({ matterId: matterEn.id });
    if (r.status !== 201) throw new Error(`issue: ${r.status} ${JSON.stringify(r.body)}`);
    const tk = r.body;
    await c03.getByTestId("lang").click();
    try {
      await callNextExpecting(c03, tk.number);
      await c03.keyboard.press("f");
      const dialog = c03.getByRole("dialog");
      await dialog.locator('[data-outcome="rejected"]').click();
      const list = dialog.getByTestId("missing-list");
      await expect(list.locator("legend").textContent()).resolves.toBe("Missing materials");
      const enFirst = matterEn.materialsEn?.[0] ?? "";
      await list.getByLabel(enFirst, { exact: true }).check();
      await expectNoAxeViolations(c03, "counter finish dialog with the missing list (en)");
      await dialog.getByTestId("finish-confirm").click();
      await expect.poll(() => currentNumber(c03), WAIT).toBe(null);
      expect((await holderView(tk))?.missing).toEqual([matterEn.materials[0]]);
    } finally {
      await c03.getByTestId("lang").click();
    }
  });
});
