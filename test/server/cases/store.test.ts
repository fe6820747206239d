/**
 * The case store and service against both engines: embedded SQLite and a real PostgreSQL
 * server. Migrations, case numbers, idempotency, one case per ticket, optimistic
 * concurrency, the worklist order, the figures and the public check.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { AcceptCaseBody, Case } from "../../../server/src/contract/cases.ts";
import type { Catalogue } from "../../../server/src/contract/catalogue.ts";
import { apply } from "../../../server/src/cases/engine.ts";
import type { CaseBusEvents } from "../../../server/src/cases/events.ts";
import { MIGRATIONS, migrate } from "../../../server/src/cases/migrations.ts";
import type { CaseRecord } from "../../../server/src/cases/model.ts";
import { CaseService, type TicketInfo } from "../../../server/src/cases/service.ts";
import { CaseStore } from "../../../server/src/cases/store.ts";
import { Bus } from "../../../server/src/hall/bus.ts";
import { HallError } from "../../../server/src/hall/errors.ts";
import { demoCatalogue } from "../../../server/src/seed/demo-hall.ts";
import type { StaffRecord } from "../../../server/src/store/config.ts";
import { ENGINES } from "./engines.ts";

const staff = (id: string, role: StaffRecord["role"], extra: Partial<StaffRecord> = {}): StaffRecord => ({
  id,
  username: id,
  name: `name-${id}`,
  role,
  salt: "",
  hash: "",
  ...extra,
});
const clerk = staff("s-clerk", "clerk", { counterId: "c01" });
const clerk2 = staff("s-clerk2", "clerk", { counterId: "c02" });
const approver = staff("s-appr", "approver", { departmentId: "d-market" });
const otherApprover = staff("s-appr2", "approver", { departmentId: "d-rec" });
const sup = staff("s-sup", "supervisor");

/** 2026-12-02 10:00 Shanghai, a Wednesday. */
const T0 = Date.parse("2026-12-02T02:00:00Z");
const DAY = 86_400_000;

/** m-003: 市场准入, 5 materials (the last non-essential), 3 working days. */
function body(over: Partial<AcceptCaseBody> = {}): AcceptCaseBody {
  return {
    counterId: "c01",
    matterId: "m-003",
    applicant: { name: "王小明", idNumber: "371426199001011234", phone: "13812345678" },
    materials: [0, 1, 2, 3, 4].map((index) => ({ index, state: "received" as const })),
    outcome: "accepted",
    ...over,
  };
}

async function fails(p: Promise<unknown>): Promise<string> {
  try {
    await p;
  } catch (err) {
    if (err instanceof HallError) return err.code;
    throw err;
  }
  throw new Error("expected a refusal");
}

describe.each(ENGINES)("case store on $name", (engine) => {
  let loc: Awaited<ReturnType<typeof engine.fresh>>;
  let store: CaseStore;
  let svc: CaseService;
  let now = T0;
  const tickets = new Map<string, TicketInfo>();
  const holders = new Map([
    ["c01", clerk.id],
    ["c02", clerk2.id],
  ]);
  const published: string[] = [];
  let catalogue: Catalogue;
  let keyN = 0;
  const key = () => `k-${keyN++}`;

  beforeAll(async () => {
    loc = await engine.fresh();
    store = await CaseStore.open(
      { dataDir: loc.dataDir, ...(loc.databaseUrl ? { databaseUrl: loc.databaseUrl, schema: loc.schema as string } : {}) },
      now,
    );
    catalogue = demoCatalogue();
    const bus = new Bus<CaseBusEvents>();
    bus.on(published, "case.accepted", (c) => published.push(`accepted ${c.caseNo}`));
    bus.on(published, "case.transitioned", (c, t) => published.push(`${t.action} ${c.caseNo}`));
    svc = new CaseService({
      store,
      catalogue: () => catalogue,
      clock: () => now,
      idSalt: "salt",
      ticket: (id) => tickets.get(id),
      counterHolder: (id) => holders.get(id),
      bus,
    });
  });
  afterAll(async () => {
    await store?.close();
    await loc?.drop();
  });

  it("migrations are versioned and run once", async () => {
    expect(store.engine).toBe(engine.name);
    expect(await migrate(store.db, store.engine, now)).toEqual([]);
    const rows = await store.db.selectFrom("case_migrations").selectAll().execute();
    expect(rows.map((r) => r.version)).toEqual(MIGRATIONS.map((m) => m.version));
    // A second store on the same database finds it migrated.
    const again = await CaseStore.open(
      { dataDir: loc.dataDir, ...(loc.databaseUrl ? { databaseUrl: loc.databaseUrl, schema: loc.schema as string } : {}) },
      now,
    );
    expect(await again.allCaseNumbers()).toEqual([]);
    await again.close();
  });

  it("accepts with a dated number under the county's code, due on the working-day calendar", async () => {
    const c = await svc.accept(clerk, body(), key());
    expect(c.caseNo).toBe("371426-20261202-00001");
    expect(c).toMatchObject({
      status: "accepted",
      version: 1,
      acceptedOn: "2026-12-02",
      dueDate: "2026-12-07",
      siteId: "pingyuan",
    });
    expect(c.applicant).toEqual({ name: "王小明", idMasked: "3714**********1234", phone: "13812345678" });
    expect(JSON.stringify(c)).not.toContain("371426199001011234");
    const second = await svc.accept(clerk, body(), key());
    expect(second.caseNo).toBe("371426-20261202-00002");
    expect(published).toContain(`accepted ${c.caseNo}`);
    // The stored record keeps only the hash and the mask of the ID number.
    const raw = await store.db.selectFrom("cases").select("doc").where("case_no", "=", c.caseNo).executeTakeFirstOrThrow();
    expect(raw.doc).not.toContain("199001011234");
  });

  it("a retried write (same Idempotency-Key) returns the first answer; the key with another body is refused", async () => {
    const k = key();
    const first = await svc.accept(clerk, body(), k);
    const before = (await store.allCaseNumbers()).length;
    const again = await svc.accept(clerk, body(), k);
    expect(again).toEqual(first);
    expect((await store.allCaseNumbers()).length).toBe(before);
    expect(await fails(svc.accept(clerk, body({ matterId: "m-001" }), k))).toBe("IDEMPOTENCY_KEY_REUSED");
    // Keys are per staff member: another clerk's identical key is another request.
    const other = await svc.accept(clerk2, body({ counterId: "c02" }), k);
    expect(other.caseNo).not.toBe(first.caseNo);
    const tk = key();
    const took = await svc.transition(approver, first.caseNo, { action: "take", expectedVersion: 1 }, tk);
    expect(await svc.transition(approver, first.caseNo, { action: "take", expectedVersion: 1 }, tk)).toEqual(took);
    expect((await store.get(first.caseNo))?.version).toBe(2);
  });

  it("one ticket, one case: a second acceptance is refused and nothing changes", async () => {
    tickets.set("t-1", { id: "t-1", number: "A001", matterId: "m-003", status: "serving", counterId: "c01" });
    const c = await svc.accept(clerk, body({ ticketId: "t-1", matterId: undefined }), key());
    expect(c).toMatchObject({ ticketId: "t-1", ticketNumber: "A001", matterId: "m-003" });
    const count = (await store.allCaseNumbers()).length;
    expect(await fails(svc.accept(clerk, body({ ticketId: "t-1" }), key()))).toBe("CASE_ALREADY_ACCEPTED");
    expect((await store.allCaseNumbers()).length).toBe(count);
    // Two acceptances of one ticket at once: exactly one wins.
    tickets.set("t-2", { id: "t-2", number: "A002", matterId: "m-003", status: "serving", counterId: "c01" });
    const both = await Promise.allSettled([
      svc.accept(clerk, body({ ticketId: "t-2" }), key()),
      svc.accept(clerk, body({ ticketId: "t-2" }), key()),
    ]);
    expect(both.filter((r) => r.status === "fulfilled")).toHaveLength(1);
    const lost = both.find((r) => r.status === "rejected") as PromiseRejectedResult;
    expect((lost.reason as HallError).code).toBe("CASE_ALREADY_ACCEPTED");
    // A ticket served at another counter is not this clerk's to accept.
    tickets.set("t-3", { id: "t-3", number: "A003", matterId: "m-003", status: "serving", counterId: "c02" });
    expect(await fails(svc.accept(clerk, body({ ticketId: "t-3" }), key()))).toBe("UNKNOWN_TICKET");
    expect(await fails(svc.accept(clerk, body({ counterId: "c02" }), key()))).toBe("FORBIDDEN");
    expect(await fails(svc.accept(approver, body(), key()))).toBe("FORBIDDEN");
  });

  it("concurrent acceptances get consecutive numbers, none twice", async () => {
    const before = new Set(await store.allCaseNumbers());
    const made = await Promise.all(Array.from({ length: 40 }, () => svc.accept(clerk, body(), key())));
    const nos = made.map((c) => c.caseNo);
    expect(new Set(nos).size).toBe(40);
    for (const no of nos) expect(before.has(no)).toBe(false);
    const seqs = (await store.allCaseNumbers()).map((n) => Number(n.slice(-5))).sort((a, b) => a - b);
    expect(seqs).toEqual(seqs.map((_, i) => i + 1));
  });

  it("two people acting at once: one wins, the other gets CASE_CONFLICT; illegal steps are refused, state unchanged", async () => {
    const c = await svc.accept(clerk, body(), key());
    const r = await Promise.allSettled([
      svc.transition(approver, c.caseNo, { action: "take", expectedVersion: 1 }, key()),
      svc.transition(sup, c.caseNo, { action: "take", expectedVersion: 1 }, key()),
    ]);
    expect(r.filter((x) => x.status === "fulfilled")).toHaveLength(1);
    expect(((r.find((x) => x.status === "rejected") as PromiseRejectedResult).reason as HallError).code).toBe("CASE_CONFLICT");
    const mid = (await store.get(c.caseNo)) as CaseRecord;
    expect(mid.version).toBe(2);
    expect(await fails(svc.transition(approver, c.caseNo, { action: "collect", expectedVersion: 2 }, key()))).toBe("FORBIDDEN");
    expect(await fails(svc.transition(sup, c.caseNo, { action: "collect", expectedVersion: 2 }, key()))).toBe(
      "ILLEGAL_TRANSITION",
    );
    expect(await fails(svc.transition(otherApprover, c.caseNo, { action: "approve", expectedVersion: 2 }, key()))).toBe(
      "FORBIDDEN",
    );
    expect(await fails(svc.transition(sup, "371426-20261202-99999", { action: "take", expectedVersion: 1 }, key()))).toBe(
      "UNKNOWN_CASE",
    );
    expect(await store.get(c.caseNo)).toEqual(mid);
    // The rest of the life: correction (clock stops), resubmission, approval, certificate, post.
    let v = mid.version;
    const step = async (who: StaffRecord, action: Parameters<CaseService["transition"]>[2]["action"], extra = {}) => {
      const out = await svc.transition(who, c.caseNo, { action, expectedVersion: v, ...extra }, key());
      v = out.version;
      return out;
    };
    await step(approver, "request_correction", { note: "营业执照照片不清晰" });
    now += 7 * DAY; // a week passes in correction: the due date moves with it
    const back = await step(clerk, "resubmit");
    expect(back.dueDate).toBe("2026-12-14");
    await step(approver, "approve");
    await step(approver, "certificate_ready");
    await step(clerk, "mail", { trackingNo: "EMS1234567890" });
    const done = await step(clerk, "deliver");
    expect(done.transitions.map((t) => t.action)).toEqual([
      "accept",
      "take",
      "request_correction",
      "resubmit",
      "approve",
      "certificate_ready",
      "mail",
      "deliver",
    ]);
    // The stored events replay to the stored case.
    let replayed: CaseRecord | undefined;
    for (const e of await store.events(c.caseNo)) replayed = apply(replayed, e);
    expect(replayed).toEqual(await store.get(c.caseNo));
    now = T0;
  });

  it("worklist: open cases of a department, overdue first; approvers see only theirs", async () => {
    const rec = await svc.accept(clerk, body({ matterId: "m-020" }), key());
    now = T0 + 30 * DAY; // everything accepted on T0 is overdue now
    const fresh = await svc.accept(clerk, body(), key());
    const list = await svc.worklist(approver, {});
    expect(list.items.length).toBeGreaterThan(2);
    expect(list.items.every((x) => x.departmentId === "d-market")).toBe(true);
    const firstFresh = list.items.findIndex((x) => x.caseNo === fresh.caseNo);
    expect(list.items.slice(0, firstFresh).every((x) => x.overdue)).toBe(true);
    expect(list.items.slice(firstFresh).every((x) => !x.overdue)).toBe(true);
    expect(list.items.some((x) => x.caseNo === rec.caseNo)).toBe(false);
    expect(await fails(svc.worklist(approver, { dept: "d-rec" }))).toBe("FORBIDDEN");
    const overdue = await svc.worklist(sup, { overdue: true });
    expect(overdue.items.length).toBeGreaterThan(0);
    expect(overdue.items.every((x) => x.overdue)).toBe(true);
    const page = await svc.worklist(sup, { limit: 2 });
    expect(page.items).toHaveLength(2);
    const next = await svc.worklist(sup, { limit: 2, cursor: page.next as string });
    expect(next.items[0]?.caseNo).not.toBe(page.items[0]?.caseNo);
    now = T0;
  });

  it("figures per department: 办件量, 办结率 = finished ÷ due, overdue", async () => {
    await svc.accept(clerk, body({ outcome: "not_accepted", reason: "不属于本县管辖", materials: [] }), key());
    now = T0 + 30 * DAY;
    const s = await svc.stats();
    now = T0;
    const market = s.departments.find((d) => d.departmentId === "d-market");
    expect(market).toBeDefined();
    const count = await store.db
      .selectFrom("cases")
      .select((eb) => eb.fn.countAll<number>().as("n"))
      .where("department_id", "=", "d-market")
      .where("outcome", "<>", "not_accepted")
      .executeTakeFirstOrThrow();
    expect(market?.accepted).toBe(Number(count.n));
    expect(market?.notAccepted).toBe(1);
    expect(market?.finished).toBeGreaterThanOrEqual(1);
    expect(market?.due).toBe((market?.finished ?? 0) + (market?.overdue ?? 0));
    expect(market?.completionRate).toBeCloseTo((market?.finished ?? 0) / (market?.due ?? 1));
    expect(s.total.accepted).toBe(s.departments.reduce((a, d) => a + d.accepted, 0));
    expect((await svc.stats("2027-06-01")).departments).toEqual([]);
  });

  it("the public view needs the last four digits of the phone or ID number and shows masked data only", async () => {
    const c: Case = await svc.accept(clerk, body(), key());
    const p = await svc.publicCase(c.caseNo, "5678");
    expect(p.applicant).toEqual({ nameMasked: "王**", idMasked: "3714**********1234", phoneMasked: "138****5678" });
    expect(JSON.stringify(p)).not.toContain("13812345678");
    expect(JSON.stringify(p)).not.toContain("王小明");
    expect(JSON.stringify(p)).not.toContain("name-s-clerk");
    expect((await svc.publicCase(c.caseNo, "1234")).caseNo).toBe(c.caseNo);
    expect(await fails(svc.publicCase(c.caseNo, "0000"))).toBe("UNKNOWN_CASE");
    expect(await fails(svc.publicCase("371426-20261202-99999", "5678"))).toBe("UNKNOWN_CASE");
  });
});
