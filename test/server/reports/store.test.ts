/**
 * The reports' store on both engines (embedded SQLite and a real PostgreSQL server): a day
 * replaced as a whole (filling twice gives the same figures), the rollups' sums, the p90s
 * ranked in SQL against the same values computed here, and the follow-ups' open-once and
 * close-once rules.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { CaseStore } from "../../../server/src/cases/store.ts";
import type { HistoryRow } from "../../../server/src/reports/fold.ts";
import { p90 } from "../../../server/src/reports/model.ts";
import { type NewFollowup, ReportStore } from "../../../server/src/reports/store.ts";
import { ENGINES } from "../cases/engines.ts";
import { historyRow, SERIES, serviceOf } from "./rows.ts";

/** A seeded generator: the same rows on both engines. */
function rng(seed: number) {
  let s = seed >>> 0;
  return () => {
    s = (s * 1664525 + 1013904223) >>> 0;
    return s / 2 ** 32;
  };
}

const OUTCOMES: HistoryRow["outcome"][] = ["served", "served", "served", "no_show", "cancelled", "left"];

function rows(day: string, n: number, seed: number): HistoryRow[] {
  const r = rng(seed);
  return Array.from({ length: n }, (_, i) => {
    const outcome = OUTCOMES[Math.floor(r() * OUTCOMES.length)] as HistoryRow["outcome"];
    const called = outcome === "served" || outcome === "no_show";
    const wait = called ? Math.floor(r() * 1800) : null;
    const service = outcome === "served" ? Math.floor(r() * 900) : null;
    const rating = outcome === "served" && r() < 0.5 ? 1 + Math.floor(r() * 5) : null;
    return historyRow(day, i, { outcome, wait, service, rating, hour: 9 + Math.floor(r() * 8) });
  });
}

const followup = (ticketId: string): NewFollowup => ({
  ticketId,
  day: "2026-11-03",
  number: "A001",
  counterId: "c01",
  clerkId: "s-1",
  clerkName: "clerk 1",
  departmentId: "d-1",
  matterId: "m-001",
  score: 1,
  reasons: ["slow"],
  comment: "",
  ratedAt: Date.parse("2026-11-03T03:00:00Z"),
  dueDate: "2026-11-06",
});

describe.each(ENGINES)("report store on $name", (engine) => {
  let loc: Awaited<ReturnType<typeof engine.fresh>>;
  let cases: CaseStore;
  let store: ReportStore;
  const days = ["2026-11-02", "2026-11-03", "2026-11-04"];
  const data = new Map(days.map((d, i) => [d, rows(d, 300 + i * 37, 11 + i)]));

  beforeAll(async () => {
    loc = await engine.fresh();
    cases = await CaseStore.open(
      { dataDir: loc.dataDir, ...(loc.databaseUrl ? { databaseUrl: loc.databaseUrl, schema: loc.schema } : {}) },
      Date.now(),
    );
    store = new ReportStore(cases.db, cases.engine);
    for (const [d, r] of data) await store.replaceDay(d, r, 1, []);
  }, 60_000);
  afterAll(async () => {
    await cases?.close();
    await loc?.drop();
  });

  const all = () => [...data.values()].flat();

  it("sums a range per group from the rollups", async () => {
    const got = await store.sums("series", "2026-11-01", "2026-11-30");
    for (const s of SERIES) {
      const mine = all().filter((r) => r.series === s);
      const g = got.find((x) => x.key === s);
      expect(g).toMatchObject({
        tickets: mine.length,
        served: mine.filter((r) => r.outcome === "served").length,
        noShows: mine.filter((r) => r.outcome === "no_show").length,
        cancelled: mine.filter((r) => r.outcome === "cancelled").length,
        waitN: mine.filter((r) => r.wait_s !== null).length,
        waitSum: mine.reduce((a, r) => a + (r.wait_s ?? 0), 0),
        serviceSum: mine.reduce((a, r) => a + (r.service_s ?? 0), 0),
      });
      expect(g?.ratings).toEqual([1, 2, 3, 4, 5].map((n) => mine.filter((r) => r.rating === n).length));
    }
    const hours = await store.sums("hour", "2026-11-03", "2026-11-03");
    expect(hours.reduce((a, h) => a + h.tickets, 0)).toBe(data.get("2026-11-03")?.length);
    const perDay = await store.sums("all", "2026-11-01", "2026-11-30", true);
    expect(perDay.map((d) => [d.day, d.tickets]).sort()).toEqual(days.map((d) => [d, data.get(d)?.length]));
  });

  it("ranks the p90 in SQL exactly as the nearest-rank definition says", async () => {
    for (const [from, to] of [
      ["2026-11-01", "2026-11-30"],
      ["2026-11-03", "2026-11-04"],
      ["2026-11-02", "2026-11-02"],
    ] as const) {
      const inRange = all().filter((r) => r.day >= from && r.day <= to);
      for (const by of ["series", "clerk", "hour", "all"] as const) {
        for (const metric of ["wait_s", "service_s"] as const) {
          const got = await store.p90s(by, metric, from, to);
          const keys = new Set(inRange.map((r) => (by === "all" ? "" : String(r[by]))));
          for (const k of keys) {
            const values = inRange
              .filter((r) => by === "all" || String(r[by]) === k)
              .map((r) => r[metric])
              .filter((v): v is number => v !== null);
            expect(got.get(k) ?? null, `${engine.name} ${by}=${k} ${metric} ${from}..${to}`).toBe(p90(values));
          }
        }
      }
    }
    // What a report reads: the same ranking kept per calendar period.
    await store.refreshP90s("month", "2026-11-01", "2026-11-30");
    for (const by of ["series", "clerk", "hour", "all"] as const)
      for (const metric of ["wait_s", "service_s"] as const)
        expect(await store.keptP90s("month", "2026-11-01", by, metric)).toEqual(
          await store.p90s(by, metric, "2026-11-01", "2026-11-30"),
        );
    expect((await store.keptP90s("month", "2026-11-01", "all", "wait_s")).size).toBe(1);
    // The definition itself, on values small enough to check by hand.
    expect(p90([5, 1, 4, 2, 3, 10, 9, 8, 7, 6])).toBe(9);
    expect(p90([1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11])).toBe(10);
    expect(p90([42])).toBe(42);
  });

  it("replaces a day as a whole: filling it again gives the new rows only", async () => {
    const again = rows("2026-11-03", 50, 99);
    await store.replaceDay("2026-11-03", again, 2, []);
    await store.replaceDay("2026-11-03", again, 3, []);
    const t = await store.sums("all", "2026-11-03", "2026-11-03");
    expect(t[0]?.tickets).toBe(50);
    expect((await store.sums("clerk", "2026-11-03", "2026-11-03")).reduce((a, x) => a + x.tickets, 0)).toBe(50);
    expect(await store.filledBetween("2026-11-01", "2026-11-30")).toBe(3);
    const p = await store.p90s("all", "wait_s", "2026-11-03", "2026-11-03");
    expect(p.get("")).toBe(p90(again.map((r) => r.wait_s).filter((v): v is number => v !== null)));
    data.set("2026-11-03", again);
  });

  it("opens a follow-up once and closes it once", async () => {
    expect(await store.openFollowup(followup("t-1"))).toBe(true);
    expect(await store.openFollowup({ ...followup("t-1"), score: 2 })).toBe(false);
    // A day's fill opens the missing ones and leaves existing ones as they are.
    await store.replaceDay("2026-11-04", data.get("2026-11-04") ?? [], 4, [followup("t-1"), followup("t-2")]);
    expect((await store.followups("open", 10)).map((f) => f.ticketId).sort()).toEqual(["t-1", "t-2"]);
    expect(await store.closeFollowup("t-1", { id: "s-sup", name: "王丽" }, "已约谈窗口人员", 5)).toBe(true);
    expect(await store.closeFollowup("t-1", { id: "s-sup2", name: "李强" }, "again", 6)).toBe(false);
    const f = await store.followup("t-1");
    expect(f).toMatchObject({
      status: "closed",
      closedBy: "s-sup",
      closedByName: "王丽",
      action: "已约谈窗口人员",
      closedAt: 5,
      score: 1,
    });
    // Refilling the day does not reopen a closed one.
    await store.replaceDay("2026-11-04", data.get("2026-11-04") ?? [], 7, [followup("t-1")]);
    expect((await store.followup("t-1"))?.status).toBe("closed");
    expect((await store.followups("open", 10)).map((f) => f.ticketId)).toEqual(["t-2"]);
  });

  it("counts cases accepted, finished and overdue in the period per department", async () => {
    const sh = (local: string) => Date.parse(`${local}+08:00`);
    const kase = (no: string, dept: string, acceptedOn: string, due: string | null, finishedAt: number | null) => ({
      case_no: no,
      ticket_id: null,
      department_id: dept,
      matter_id: "m-001",
      site_id: "s1",
      status: finishedAt === null ? "accepted" : "finished",
      outcome: "accepted",
      accepted_at: sh(`${acceptedOn}T10:00:00`),
      accepted_on: acceptedOn,
      due_date: due,
      finished_at: finishedAt,
      version: 1,
      applicant_name: "x",
      matter_name: "x",
      assignee_name: null,
      id_hash: null,
      doc: "{}",
    });
    await cases.db
      .insertInto("cases")
      .values([
        // Accepted and finished in November, in time.
        kase("n1", "d-1", "2026-11-02", "2026-11-05", sh("2026-11-05T16:00:00")),
        // Due on the 10th, finished the 11th (23:30 on the 10th UTC is the 11th in Shanghai): overdue.
        kase("n2", "d-1", "2026-11-03", "2026-11-10", Date.parse("2026-11-10T17:30:00Z")),
        // Due in November, still open on 2026-12-01: overdue.
        kase("n3", "d-2", "2026-11-20", "2026-11-25", null),
        // Accepted in October, finished on 1 November just after midnight in Shanghai.
        kase("o1", "d-2", "2026-10-28", "2026-11-02", sh("2026-11-01T00:05:00")),
        // Accepted and finished in December: not November's.
        kase("d1", "d-1", "2026-12-01", "2026-12-04", sh("2026-12-01T11:00:00")),
      ])
      .execute();
    const svc = serviceOf(store, loc.dataDir, "2026-12-01T04:00:00Z");
    const r = await svc.report("month", "2026-11-15", "department");
    expect(r.total).toMatchObject({ casesAccepted: 3, casesFinished: 3, casesOverdue: 2 });
    const d1 = r.rows.find((x) => x.key === "d-1");
    expect(d1).toMatchObject({ casesAccepted: 2, casesFinished: 2, casesOverdue: 1 });
    // d-2 took tickets too (the seeded history): its cases on the same row.
    expect(r.rows.find((x) => x.key === "d-2")).toMatchObject({ casesAccepted: 1, casesFinished: 1, casesOverdue: 1 });
    // Groupings without cases say so (null), the total still counts them.
    const bySeries = await svc.report("month", "2026-11-15", "series");
    expect(bySeries.rows.every((x) => x.casesAccepted === null)).toBe(true);
    expect(bySeries.total.casesAccepted).toBe(3);
  });
});
