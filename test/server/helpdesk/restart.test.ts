/**
 * Reminders are idempotent across a restart of the hub: a help case reminded before the
 * restart is not reminded again by the restarted hub's sweep, while one that fell due during
 * the downtime is (which shows the sweep ran over both).
 */
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { nextDay } from "../../../server/src/cases/calendar.ts";
import { CHINA_CALENDAR } from "../../../server/src/cases/china-calendar.ts";
import type { HelpCase, HelpReminder } from "../../../server/src/contract/helpdesk.ts";
import { startTestHub, type TestHub } from "../../helpers/hub.ts";

function nextWorkday(d: string): string {
  let x = nextDay(d);
  while (!CHINA_CALENDAR.isWorkday(x)) x = nextDay(x);
  return x;
}
const hallDay = (ms: number) => new Intl.DateTimeFormat("en-CA", { timeZone: "Asia/Shanghai" }).format(ms);

describe("help desk reminders across a hub restart", () => {
  const hubs: TestHub[] = [];
  let dataDir = "";
  afterAll(async () => {
    for (const h of hubs) await h.close();
    if (dataDir) await rm(dataDir, { recursive: true, force: true });
  });

  it("reminds once per stall, whatever the restarts", async () => {
    dataDir = await mkdtemp(join(tmpdir(), "onevisit-helpdesk-restart-"));
    const t1 = await startTestHub({ dataDir });
    hubs.push(t1);
    const sup = (await t1.login("wangli")).token;
    // The restarted hub keeps the accounts (their passwords are handed out at the first start only).
    const pw = t1.password("zhangwei");
    expect((await t1.api("PUT", "/api/helpdesk/settings", { remindAfterDays: 1, escalateAfterDays: 10 }, sup)).status).toBe(200);
    const open = async (t: TestHub, title: string) => {
      const r = await t.api<HelpCase>(
        "POST",
        "/api/helpdesk/cases",
        { kind: "individual", title, visitor: { name: "周八" } },
        (await t.login("zhangwei", pw)).token,
        { "idempotency-key": `open-${title}` },
      );
      expect(r.status).toBe(201);
      return r.body;
    };
    const a = await open(t1, "A");
    const d1 = nextWorkday(hallDay(t1.now()));
    t1.advance(Date.parse(`${d1}T00:00:30+08:00`) - t1.now());
    const get = async (t: TestHub, id: string) =>
      (await t.api<HelpCase>("GET", `/api/helpdesk/cases/${id}`, undefined, (await t.login("zhangwei", pw)).token)).body;
    await expect.poll(async () => (await get(t1, a.id)).reminderLevel, { timeout: 15_000 }).toBe(1);
    const aBefore = await get(t1, a.id);
    const b = await open(t1, "B");
    const stoppedAt = t1.now();
    await t1.close();

    // The next working day: B is due its first reminder, A its second only after 10 more.
    const d2 = nextWorkday(d1);
    expect(Date.parse(`${d2}T00:00:30+08:00`)).toBeGreaterThan(stoppedAt);
    const t2 = await startTestHub({ dataDir, startAt: Date.parse(`${d2}T00:00:30+08:00`) });
    hubs.push(t2);
    await expect.poll(async () => (await get(t2, b.id)).reminderLevel, { timeout: 15_000 }).toBe(1);
    // The sweep reads stalled help cases oldest first: A was decided before B, and nothing happened to it.
    const aAfter = await get(t2, a.id);
    expect([aAfter.version, aAfter.reminderLevel]).toEqual([aBefore.version, 1]);
    const mine = (
      await t2.api<HelpReminder[]>("GET", "/api/helpdesk/reminders", undefined, (await t2.login("zhangwei", pw)).token)
    ).body;
    expect(mine.map((r) => [r.helpId, r.level]).sort()).toEqual([
      [a.id, 1],
      [b.id, 1],
    ]);
  }, 90_000);
});
