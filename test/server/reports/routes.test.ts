/**
 * Reports through a real hub, as the page uses them: last month's journals (written before
 * the hub starts, in the hub's own format) are filled into the history at start; the month's
 * report per series and per clerk matches what was seeded (counts, averages, p90s, ratings);
 * the XLSX export reads back with exceljs; a 差评 follow-up is opened by a seeded low rating
 * and by a live one, closed by the supervisor and audited; the rebuild gives the same
 * report; who may do what (supervisors and admins read, approvers and clerks are refused).
 */
import ExcelJS from "exceljs";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { AuditPage } from "../../../server/src/contract/audit.ts";
import type { IssuedTicket } from "../../../server/src/contract/events.ts";
import { type Followup, type Report, p90 } from "../../../server/src/reports/model.ts";
import { demoCatalogue } from "../../../server/src/seed/demo-hall.ts";
import { holderHeader, type TestHub } from "../../helpers/hub.ts";
import { lastMonthWeekdays, type SeededTicket, startSeededHub } from "./history.ts";

const CLERKS = [
  { staffId: "s-hist-1", name: "历史甲", counterId: "c01" },
  { staffId: "s-hist-2", name: "历史乙", counterId: "c02" },
  { staffId: "s-hist-3", name: "历史丙", counterId: "c03" },
];

describe("reports over REST", () => {
  let t: TestHub;
  let admin = "";
  let sup = "";
  let seeded: SeededTicket[] = [];
  let days: string[] = [];
  let month = "";

  let password: (u: string) => string;
  let remove: () => Promise<void>;

  beforeAll(async () => {
    const h = await startSeededHub({ days: (today) => lastMonthWeekdays(today).slice(0, 6), perDay: 120, clerks: CLERKS });
    ({ t, seeded, days, password, remove } = h);
    month = days[0] as string;
    admin = await t.adminToken();
    sup = (await t.login("wangli", password("wangli"))).token;
  }, 120_000);
  afterAll(async () => {
    await t?.close();
    await remove?.();
  });

  const report = async (q: string, token = sup) => {
    const r = await t.api<Report>("GET", `/api/reports?${q}`, undefined, token);
    expect(r.status).toBe(200);
    return r.body;
  };

  it("reports last month per series from the journals filled at start", async () => {
    const r = await report(`period=month&date=${month}&by=series`);
    expect(r.filledDays).toBe(days.length);
    expect(r.total.tickets).toBe(seeded.length);
    const cat = demoCatalogue();
    for (const q of new Set(seeded.map((s) => s.queueId))) {
      const mine = seeded.filter((s) => s.queueId === q);
      const waits = mine.map((s) => s.waitS).filter((v): v is number => v !== null);
      const services = mine.map((s) => s.serviceS).filter((v): v is number => v !== null);
      const row = r.rows.find((x) => x.key === q);
      const queue = cat.queues.find((x) => x.id === q);
      expect(row).toMatchObject({
        name: `${queue?.prefix} ${queue?.name}`,
        tickets: mine.length,
        served: mine.filter((s) => s.outcome === "served").length,
        noShows: mine.filter((s) => s.outcome === "no_show").length,
        cancelled: mine.filter((s) => s.outcome === "cancelled").length,
        avgWaitS: Math.round(waits.reduce((a, b) => a + b, 0) / waits.length),
        p90WaitS: p90(waits),
        avgServiceS: Math.round(services.reduce((a, b) => a + b, 0) / services.length),
        p90ServiceS: p90(services),
      });
      expect(row?.ratings).toEqual([1, 2, 3, 4, 5].map((n) => mine.filter((s) => s.rating === n).length));
    }
    // Per hour and per day: every ticket once.
    expect(r.hours.reduce((a, h) => a + h.tickets, 0)).toBe(seeded.length);
    expect(r.days.map((d) => d.day)).toEqual(days);
    expect(r.days.map((d) => d.tickets)).toEqual(days.map((d) => seeded.filter((s) => s.day === d).length));
  });

  it("groups by clerk under the name they signed in with, and by hour", async () => {
    const r = await report(`period=month&date=${month}&by=clerk`);
    for (const c of CLERKS) {
      const row = r.rows.find((x) => x.key === c.staffId);
      expect(row?.name).toBe(c.name);
      // Cancelled tickets were never called: no clerk.
      expect(row?.tickets).toBe(seeded.filter((s) => s.staffId === c.staffId && s.outcome !== "cancelled").length);
    }
    const h = await report(`period=week&date=${days[0]}&by=hour`);
    const week = seeded.filter((s) => s.day >= h.from && s.day <= h.to);
    expect(h.total.tickets).toBe(week.length);
    for (const row of h.rows) expect(row.tickets).toBe(week.filter((s) => String(s.hour) === row.key).length);
    expect(h.rows.map((x) => Number(x.key))).toEqual([...h.rows.map((x) => Number(x.key))].sort((a, b) => a - b));
  });

  it("exports the month's table as XLSX and CSV (read back)", async () => {
    const res = await fetch(`${t.url}/api/reports/export.xlsx?period=month&date=${month}&by=series`, {
      headers: { authorization: `Bearer ${sup}` },
    });
    expect(res.status).toBe(200);
    expect(res.headers.get("content-disposition")).toContain(".xlsx");
    const wb = new ExcelJS.Workbook();
    await wb.xlsx.load(Buffer.from(await res.arrayBuffer()) as never);
    const ws = wb.worksheets[0];
    expect(ws?.getRow(1).getCell(3).value).toBe("取号");
    const r = await report(`period=month&date=${month}&by=series`);
    const last = ws?.getRow(r.rows.length + 2);
    expect(last?.getCell(2).value).toBe("合计");
    expect(last?.getCell(3).value).toBe(seeded.length);
    const first = ws?.getRow(2);
    expect(first?.getCell(1).value).toBe(r.rows[0]?.key);
    expect(first?.getCell(8).value).toBe(r.rows[0]?.p90WaitS);
    const csv = await fetch(`${t.url}/api/reports/export.csv?period=month&date=${month}&by=hour&table=hours&lang=en`, {
      headers: { authorization: `Bearer ${sup}` },
    });
    // Read the bytes as they are (Response.text() would drop the byte-order mark).
    const text = new TextDecoder("utf-8", { ignoreBOM: true }).decode(await csv.arrayBuffer());
    expect(text.startsWith("\uFEFFHour,Tickets,Served\r\n")).toBe(true);
    expect(text.split("\r\n").filter(Boolean)).toHaveLength(25);
  });

  it("opens a follow-up for each low rating, seeded or live, and a supervisor closes one (audited)", async () => {
    const low = seeded.filter((s) => s.rating !== null && s.rating <= 2);
    expect(low.length).toBeGreaterThan(0);
    let list = (await t.api<Followup[]>("GET", "/api/reports/followups?status=all", undefined, sup)).body;
    expect(list.map((f) => f.ticketId).sort()).toEqual(low.map((s) => s.id).sort());
    // Three working days after last month's days: all past, so overdue.
    expect(list.every((f) => f.overdue && f.status === "open")).toBe(true);

    // Live: a visitor served today rates 1.
    const issued = await t.issue<IssuedTicket>({ matterId: "m-001", kioskId: "k1" });
    const clerk = (await t.login("zhangwei", password("zhangwei"))).token;
    await t.api("POST", "/api/counters/c01/sign-in", {}, clerk);
    expect((await t.api("POST", "/api/counters/c01/call-next", {}, clerk)).body.id).toBe(issued.body.id);
    await t.api("POST", "/api/counters/c01/finish", {}, clerk);
    const rated = await t.api(
      "POST",
      `/api/tickets/${issued.body.id}/rating`,
      { score: 1, reasons: ["attitude"], comment: "电话13812345678没人接" },
      undefined,
      holderHeader(issued.body.holderKey),
    );
    expect(rated.status).toBeLessThan(300);
    let live: Followup | undefined;
    for (let i = 0; i < 50 && !live; i++) {
      list = (await t.api<Followup[]>("GET", "/api/reports/followups", undefined, sup)).body;
      live = list.find((f) => f.ticketId === issued.body.id);
      if (!live) await new Promise((r) => setTimeout(r, 100));
    }
    expect(live).toMatchObject({
      number: issued.body.number,
      counterId: "c01",
      clerkName: "张伟",
      score: 1,
      reasons: ["attitude"],
      overdue: false,
    });
    expect(live?.comment).not.toContain("13812345678");
    expect((live?.dueDate ?? "") > (live?.day ?? "")).toBe(true);

    const bad = await t.api("POST", `/api/reports/followups/${issued.body.id}/close`, { action: "" }, sup);
    expect(bad.status).toBe(400);
    const closed = await t.api<Followup>(
      "POST",
      `/api/reports/followups/${issued.body.id}/close`,
      { action: "已约谈窗口人员并回访群众" },
      sup,
    );
    expect(closed.status).toBe(200);
    expect(closed.body).toMatchObject({ status: "closed", closedByName: "王丽", action: "已约谈窗口人员并回访群众" });
    const again = await t.api("POST", `/api/reports/followups/${issued.body.id}/close`, { action: "again" }, admin);
    expect(again.status).toBe(409);
    expect(again.body.error.code).toBe("FOLLOWUP_CLOSED");
    expect((await t.api("POST", "/api/reports/followups/nope/close", { action: "something" }, sup)).status).toBe(404);
    const audit = await t.api<AuditPage>("GET", "/api/audit?action=followup.close", undefined, admin);
    expect(audit.body.rows).toHaveLength(1);
    expect(audit.body.rows[0]).toMatchObject({
      actorName: "王丽",
      action: "followup.close",
      detail: { ticketId: issued.body.id },
    });
    expect(
      (await t.api<Followup[]>("GET", "/api/reports/followups", undefined, sup)).body.some((f) => f.ticketId === issued.body.id),
    ).toBe(false);
  });

  it("rebuilds the history from the journals to the same report (admins only, audited)", async () => {
    const before = await report(`period=month&date=${month}&by=department`);
    expect((await t.api("POST", "/api/reports/rebuild", {}, sup)).status).toBe(403);
    const r = await t.api("POST", "/api/reports/rebuild", {}, admin);
    expect(r.status).toBe(200);
    expect(r.body).toEqual({ days: days.length, tickets: seeded.length });
    expect(await report(`period=month&date=${month}&by=department`)).toEqual(before);
    const audit = await t.api<AuditPage>("GET", "/api/audit?action=reports.rebuild", undefined, admin);
    expect(audit.body.rows).toHaveLength(1);
  });

  it("refuses clerks, approvers and anonymous callers, and bad input", async () => {
    const clerk = (await t.login("zhangwei", password("zhangwei"))).token;
    const approver = (await t.login("gaojie", password("gaojie"))).token;
    for (const path of ["/api/reports", "/api/reports/followups", "/api/reports/export.xlsx"]) {
      expect((await t.api("GET", path, undefined, clerk)).status).toBe(403);
      expect((await t.api("GET", path, undefined, approver)).status).toBe(403);
      expect((await t.api("GET", path)).status).toBe(401);
    }
    for (const q of ["period=decade", "by=weather", "date=2026-02-30", "date=yesterday", "extra=1"]) {
      const r = await t.api("GET", `/api/reports?${q}`, undefined, sup);
      expect(r.status, q).toBe(400);
      expect(r.body.error.code).toBe("VALIDATION_FAILED");
    }
  });

  it("fills the day that closes at midnight (today's live ticket lands in its report)", { timeout: 90_000 }, async () => {
    const today = new Intl.DateTimeFormat("en-CA", { timeZone: "Asia/Shanghai" }).format(t.now());
    const before = await report(`period=day&date=${today}&by=all`);
    expect(before.filledDays).toBe(0);
    t.advance(24 * 3600_000);
    // A day later the session has expired; the hall turns its day within its 15 s check.
    const fresh = (await t.login("wangli", password("wangli"))).token;
    let after = before;
    // Filled first, then its p90s ranked (until then the report says p90Pending and no p90).
    for (let i = 0; i < 300 && (after.filledDays === 0 || after.p90Pending); i++) {
      await new Promise((r) => setTimeout(r, 200));
      after = await report(`period=day&date=${today}&by=all`, fresh);
    }
    expect(after.filledDays).toBe(1);
    expect(after.p90Pending).toBe(false);
    // The one ticket taken, served and rated 1 today (the live follow-up test above).
    expect(after.total).toMatchObject({ tickets: 1, served: 1, ratings: [1, 0, 0, 0, 0] });
    expect(after.total.p90WaitS).not.toBeNull();
  });
});
