/**
 * The help desk service and store against both engines (embedded SQLite and a real
 * PostgreSQL server): opening, ownership, transfers, idempotency, the chain's progress from
 * the case store, the ledger's filters, and reminders that are sent once, also across a
 * store reopened (a restarted hub).
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { AcceptCaseBody } from "../../../server/src/contract/cases.ts";
import type { HelpReminder } from "../../../server/src/contract/helpdesk.ts";
import { CHINA_CALENDAR } from "../../../server/src/cases/china-calendar.ts";
import type { CaseBusEvents } from "../../../server/src/cases/events.ts";
import { CaseService } from "../../../server/src/cases/service.ts";
import { CaseStore } from "../../../server/src/cases/store.ts";
import { Bus } from "../../../server/src/hall/bus.ts";
import { HallError } from "../../../server/src/hall/errors.ts";
import type { HelpBusEvents } from "../../../server/src/helpdesk/events.ts";
import { overdueCutoff } from "../../../server/src/helpdesk/engine.ts";
import { HelpService } from "../../../server/src/helpdesk/service.ts";
import { HelpStore } from "../../../server/src/helpdesk/store.ts";
import { demoCatalogue } from "../../../server/src/seed/demo-hall.ts";
import type { StaffRecord } from "../../../server/src/store/config.ts";
import { ENGINES } from "../cases/engines.ts";

const staff = (id: string, role: StaffRecord["role"], extra: Partial<StaffRecord> = {}): StaffRecord => ({
  id,
  username: id,
  name: `name-${id}`,
  role,
  salt: "",
  hash: "",
  ...extra,
});
const helper = staff("s-help", "clerk", { counterId: "c01" });
const helper2 = staff("s-help2", "clerk", { counterId: "c02" });
const approver = staff("s-appr", "approver", { departmentId: "d-market" });
const sup = staff("s-sup", "supervisor");
const admin = staff("s-admin", "admin");
const ALL = [helper, helper2, approver, sup, admin];

/** 2026-12-02 10:00 Shanghai, a Wednesday. */
const T0 = Date.parse("2026-12-02T02:00:00Z");
const DAY = 86_400_000;

async function fails(p: Promise<unknown>): Promise<string> {
  try {
    await p;
  } catch (err) {
    if (err instanceof HallError) return err.code;
    throw err;
  }
  throw new Error("expected a refusal");
}

const accept = (n: number): AcceptCaseBody => ({
  counterId: "c01",
  matterId: "m-003",
  applicant: { name: `申请人${n}`, phone: "13812345678" },
  materials: [0, 1, 2, 3, 4].map((index) => ({ index, state: "received" as const })),
  outcome: "accepted",
});

for (const engine of ENGINES) {
  describe(`helpdesk store on ${engine.name}`, () => {
    let loc: Awaited<ReturnType<typeof engine.fresh>>;
    let store: CaseStore;
    let now = T0;
    const cat = demoCatalogue();
    const reminders: HelpReminder[] = [];
    let cases: CaseService;
    let help: HelpService;
    const build = (s: CaseStore) => {
      const bus = new Bus<HelpBusEvents>();
      bus.on(reminders, "help.reminded", (r) => reminders.push(r));
      return new HelpService({
        store: new HelpStore(s.db, s.engine),
        catalogue: () => cat,
        clock: () => now,
        idSalt: "salt",
        staffById: (id) => ALL.find((x) => x.id === id),
        bus,
      });
    };
    const openStore = () =>
      CaseStore.open(
        { dataDir: loc.dataDir, ...(loc.databaseUrl ? { databaseUrl: loc.databaseUrl, schema: loc.schema as string } : {}) },
        now,
      );

    beforeAll(async () => {
      loc = await engine.fresh();
      store = await openStore();
      cases = new CaseService({
        store,
        catalogue: () => cat,
        clock: () => now,
        idSalt: "salt",
        ticket: () => undefined,
        counterHolder: () => undefined,
        bus: new Bus<CaseBusEvents>(),
      });
      help = build(store);
    });
    afterAll(async () => {
      await store?.close();
      await loc?.drop();
    });

    it("opens a help case owned by the helper asked first, with an ID kept only masked; a retry gets the same one", async () => {
      const body = {
        kind: "individual" as const,
        title: "不动产登记咨询",
        visitor: { name: "王小明", phone: "138-1234-5678", idNumber: "371426199001011234" },
        nextStep: "预约评估",
        nextStepDate: "2026-12-04",
      };
      const a = await help.open(helper, body, "k1");
      expect(a.id).toBe("HB-20261202-0001");
      expect(a.owner.staffId).toBe(helper.id);
      expect(a.visitor).toEqual({ name: "王小明", phone: "13812345678", idMasked: "3714**********1234" });
      expect(JSON.stringify(await new HelpStore(store.db, store.engine).get(a.id))).not.toContain("371426199001011234");
      expect((await help.open(helper, body, "k1")).id).toBe(a.id);
      expect(await fails(help.open(helper, { ...body, title: "别的" }, "k1"))).toBe("IDEMPOTENCY_KEY_REUSED");
      expect(await fails(help.open(approver, body, "k2"))).toBe("FORBIDDEN");
    });

    it("offers the visitor's own cases (same ID number) for linking, and no one else's", async () => {
      const mine = await cases.accept(
        sup,
        { ...accept(9), applicant: { name: "吴九", phone: "13800009999", idNumber: "37142619800101999X" } },
        "v1",
      );
      await cases.accept(
        sup,
        { ...accept(8), applicant: { name: "郑十", phone: "13800008888", idNumber: "371426198001018888" } },
        "v2",
      );
      const h = await help.open(
        helper,
        { kind: "project", title: "吴九的事", visitor: { name: "吴九", idNumber: "37142619800101999x" } },
        "v3",
      );
      expect(h.visitorCases?.map((c) => [c.caseNo, c.status])).toEqual([[mine.caseNo, "accepted"]]);
      const linked = await help.link(helper, h.id, { expectedVersion: 1, caseNo: mine.caseNo }, "v4");
      expect(linked.visitorCases).toEqual([]);
      expect(linked.links.map((l) => l.caseNo)).toEqual([mine.caseNo]);
      // Without an ID number there is nothing to match on.
      const anon = await help.open(helper, { kind: "individual", title: "咨询", visitor: { name: "吴九" } }, "v5");
      expect(anon.visitorCases).toBeUndefined();
    });

    it("only the owner or a supervisor acts; transfer needs a reason and is recorded", async () => {
      const a = await help.open(helper, { kind: "individual", title: "社保转移", visitor: { name: "李四" } }, "t1");
      expect(await fails(help.note(helper2, a.id, { expectedVersion: 1, text: "我来" }, "n1"))).toBe("NOT_HELP_OWNER");
      expect(await fails(help.transfer(helper, a.id, { expectedVersion: 1, toStaffId: helper2.id, reason: " " }, "x1"))).toBe(
        "VALIDATION_FAILED",
      );
      expect(await fails(help.transfer(helper, a.id, { expectedVersion: 1, toStaffId: approver.id, reason: "x" }, "x2"))).toBe(
        "VALIDATION_FAILED",
      );
      const t = await help.transfer(
        helper,
        a.id,
        { expectedVersion: 1, toStaffId: helper2.id, reason: "专业对口，移交李娜" },
        "x3",
      );
      expect(t.owner.staffId).toBe(helper2.id);
      expect(t.transfers[0]).toMatchObject({
        from: { staffId: helper.id },
        to: { staffId: helper2.id },
        reason: "专业对口，移交李娜",
      });
      expect(await fails(help.note(helper, a.id, { expectedVersion: 2, text: "x" }, "n2"))).toBe("NOT_HELP_OWNER");
      const n = await help.note(sup, a.id, { expectedVersion: 2, text: "主管督办", nextStep: "补材料" }, "n3");
      expect(n.nextStep).toBe("补材料");
      const c = await help.close(helper2, a.id, { expectedVersion: 3, note: "已办结" }, "c1");
      expect(c.status).toBe("closed");
      expect(await fails(help.note(helper2, a.id, { expectedVersion: 4, text: "x" }, "n4"))).toBe("HELP_CASE_CLOSED");
      const events = await new HelpStore(store.db, store.engine).events(a.id);
      expect(events.map((e) => e.type)).toEqual(["help.opened", "help.transferred", "help.noted", "help.closed"]);
    });

    it("an enterprise project links its chain of cases and shows each link's status", async () => {
      const c1 = await cases.accept(sup, accept(1), "a1");
      const c2 = await cases.accept(sup, accept(2), "a2");
      const p = await help.open(
        helper,
        {
          kind: "project",
          title: "企业开办一链办理",
          visitor: { name: "赵六", company: "平原县某某有限公司" },
          links: [c1.caseNo],
        },
        "p1",
      );
      expect(await fails(help.link(helper, p.id, { expectedVersion: 1, caseNo: "371426-20261202-99999" }, "l0"))).toBe(
        "UNKNOWN_CASE",
      );
      const l = await help.link(helper, p.id, { expectedVersion: 1, caseNo: c2.caseNo }, "l1");
      expect(l.links.map((x) => [x.caseNo, x.status])).toEqual([
        [c1.caseNo, "accepted"],
        [c2.caseNo, "accepted"],
      ]);
      expect(l.chain).toEqual({ done: 0, total: 2 });
      const appr = staff("s-appr", "approver", { departmentId: c1.departmentId });
      const taken = await cases.transition(appr, c1.caseNo, { action: "take", expectedVersion: 1 }, "t1");
      await cases.transition(appr, c1.caseNo, { action: "approve", expectedVersion: taken.version }, "t2");
      const after = await help.get(helper, p.id);
      expect(after.links[0]?.status).toBe("approved");
      expect(after.chain).toEqual({ done: 1, total: 2 });
    });

    it("reminds the owner after the configured working days without progress, the supervisor after more; once, also after a restart", async () => {
      const h = await help.open(helper, { kind: "individual", title: "公积金提取", visitor: { name: "孙七" } }, "r1");
      await new HelpStore(store.db, store.engine).saveSettings({ remindAfterDays: 2, escalateAfterDays: 1 });
      reminders.length = 0;
      // Wed 12-02 opened; Thu 12-03 = 1 working day: nothing yet.
      now = T0 + DAY;
      expect((await help.sweep()).filter((r) => r.helpId === h.id)).toEqual([]);
      // Fri 12-04 = 2: the owner.
      now = T0 + 2 * DAY;
      const first = (await help.sweep()).filter((r) => r.helpId === h.id);
      expect(first).toMatchObject([{ level: 1, ownerId: helper.id, idleWorkingDays: 2 }]);
      expect((await help.sweep()).filter((r) => r.helpId === h.id)).toEqual([]);
      // Reminded once, not yet due the next level: the sweep's query does not even return it.
      const hs = new HelpStore(store.db, store.engine);
      expect(
        await hs.stalled(overdueCutoff("2026-12-04", 2, CHINA_CALENDAR), overdueCutoff("2026-12-04", 3, CHINA_CALENDAR)),
      ).not.toContain(h.id);
      expect((await help.reminders(helper)).map((r) => r.helpId)).toContain(h.id);
      expect((await help.reminders(helper2)).map((r) => r.helpId)).not.toContain(h.id);
      // Sat and Sun do not count; Mon 12-07 = 3: the supervisor too.
      now = T0 + 4 * DAY;
      expect((await help.sweep()).filter((r) => r.helpId === h.id)).toEqual([]);
      now = T0 + 5 * DAY;
      expect((await help.sweep()).filter((r) => r.helpId === h.id)).toMatchObject([{ level: 2 }]);
      expect((await help.reminders(sup)).map((r) => r.helpId)).toContain(h.id);
      // A restarted hub (store reopened, a new service) sends nothing again.
      await store.close();
      store = await openStore();
      help = build(store);
      expect((await help.sweep()).filter((r) => r.helpId === h.id)).toEqual([]);
      expect(reminders.filter((r) => r.helpId === h.id).map((r) => r.level)).toEqual([1, 2]);
      // Progress restarts the stall clock.
      const n = await help.note(helper, h.id, { expectedVersion: 3, text: "已电话联系" }, "r2");
      expect(n.reminderLevel).toBe(0);
      expect((await help.reminders(helper)).map((r) => r.helpId)).not.toContain(h.id);
      await new HelpStore(store.db, store.engine).saveSettings({ remindAfterDays: 3, escalateAfterDays: 2 });
    });

    it("the ledger filters by date range, owner, status, department and overdue, masked", async () => {
      now = T0 + 5 * DAY;
      const all = await help.ledger(sup, { limit: 500 });
      expect(all.total).toBe(all.items.length);
      expect(all.items.every((r) => !r.visitorNameMasked.includes("小明") && !JSON.stringify(r).includes("13812345678"))).toBe(
        true,
      );
      const mine = await help.ledger(sup, { owner: helper2.id });
      expect(mine.items.length).toBeGreaterThan(0);
      expect(mine.items.every((r) => r.ownerId === helper2.id)).toBe(true);
      const closed = await help.ledger(sup, { status: "closed" });
      expect(closed.items.map((r) => r.status)).toEqual(closed.items.map(() => "closed"));
      expect(closed.total).toBe(1);
      const later = await help.ledger(sup, { from: "2026-12-03" });
      expect(later.total).toBe(0);
      const day = await help.ledger(sup, { from: "2026-12-02", to: "2026-12-02" });
      expect(day.total).toBe(all.total);
      // Remind after 3 days: everything opened on Wed 12-02 and untouched since is overdue on Mon 12-07.
      const overdue = await help.ledger(sup, { overdue: true });
      expect(overdue.items.length).toBeGreaterThan(0);
      expect(overdue.items.every((r) => r.overdue && r.status === "open" && r.lastProgressOn <= "2026-12-02")).toBe(true);
      const page = await help.ledger(sup, { limit: 1 });
      expect(page.items).toHaveLength(1);
      expect(page.next).toBe("1");
    });
  });
}
