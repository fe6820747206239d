/**
 * The back office's worklist in real Chromium: overdue cases first and marked, the
 * approver's department only, and the wall counting the same overdue case.
 * Needs `npx vite build` first (npm test does it).
 */
import { existsSync } from "node:fs";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Case } from "../../server/src/contract/cases.ts";
import type { Catalogue, Matter } from "../../server/src/contract/index.ts";
import { expectNoAxeViolations } from "../helpers/axe.ts";
import { launchBrowser, newPage } from "../helpers/browser.ts";
import type { Browser } from "../helpers/browser.ts";
import { startTestHub } from "../helpers/hub.ts";
import type { TestHub } from "../helpers/hub.ts";

const WAIT = { timeout: 15_000 };
let t: TestHub;
let browser: Browser;

async function accept(m: Matter, name: string, key: string): Promise<Case> {
  const r = await t.api<Case>(
    "POST",
    "/api/cases",
    {
      counterId: "c03",
      matterId: m.id,
      applicant: { name, phone: "13800001111" },
      materials: m.materials.map((_, index) => ({ index, state: "received" })),
      outcome: "accepted",
    },
    (await t.login("wangli")).token,
    { "idempotency-key": key },
  );
  if (r.status !== 201) throw new Error(`accept: ${r.status} ${JSON.stringify(r.body)}`);
  return r.body;
}

beforeAll(async () => {
  if (!existsSync(path.resolve("dist/office-ui/index.html"))) throw new Error("dist/ is not built: run `npx vite build` first");
  t = await startTestHub();
  browser = await launchBrowser();
}, 60_000);

afterAll(async () => {
  await browser?.close();
  await t?.close();
});

describe("office worklist", () => {
  it("lists an overdue case first, marked, though it was accepted last", { timeout: 90_000 }, async () => {
    const cat = (await t.api<Catalogue>("GET", "/api/hall")).body;
    const slow = cat.matters.find((m) => m.departmentId === "d-market" && m.promisedDays === 15) as Matter;
    const quick = cat.matters.find((m) => m.departmentId === "d-market" && m.promisedDays === 1) as Matter;
    const other = cat.matters.find((m) => m.departmentId === "d-social" && m.promisedDays > 0) as Matter;
    const a = await accept(slow, "甲", "wl-a");
    const b = await accept(quick, "乙", "wl-b");
    const c = await accept(other, "丙", "wl-c");
    // Twelve days on: the one-working-day case is past due, the fifteen-day one is not.
    t.advance(12 * 86_400_000);

    const office = await newPage(browser, { width: 1600, height: 900 });
    await office.goto(`${t.url}/office`);
    await office.locator("input[name=username]").fill("gaojie");
    await office.locator("input[name=password]").fill(t.password("gaojie"));
    await office.locator("button[type=submit]").click();
    const rows = office.locator("[data-testid=worklist] tbody tr");
    await expect.poll(() => rows.count(), WAIT).toBe(2);
    // The approver sees only the market-access department: 丙's case is not there.
    expect(await rows.evaluateAll((trs) => trs.map((r) => r.getAttribute("data-case")))).toEqual([b.caseNo, a.caseNo]);
    await expect(rows.nth(0).getAttribute("class")).resolves.toContain("overdue");
    await expect(rows.nth(0).textContent()).resolves.toContain("超期");
    await expect(rows.nth(1).textContent()).resolves.not.toContain("超期");
    expect(await office.locator(`tr[data-case="${c.caseNo}"]`).count()).toBe(0);
    await expectNoAxeViolations(office, "office worklist with an overdue case");

    const wall = await newPage(browser, { width: 1920, height: 1080 });
    await wall.goto(`${t.url}/wall`);
    await expect.poll(() => wall.getByTestId("case-overdue").textContent(), WAIT).toBe("1");
    await expect(
      wall.locator('[data-testid="case-departments"] tr[data-department="d-market"] .case-overdue').textContent(),
    ).resolves.toBe("1");
    await office.close();
    await wall.close();
  });
});
