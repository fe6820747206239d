/**
 * A day's journal folded into history rows (pure): wait from issue to the first call,
 * service from start (or the call) to the finish, the last counter and clerk, outcomes
 * through a no-show brought back, a cancellation and a ticket left waiting, and ratings.
 */
import { describe, expect, it } from "vitest";
import type { Ticket } from "../../../server/src/contract/tickets.ts";
import type { HallEvent } from "../../../server/src/core/index.ts";
import { foldDay } from "../../../server/src/reports/fold.ts";
import { periodRange } from "../../../server/src/reports/model.ts";
import { localMidnight } from "../../../server/src/reports/service.ts";

const DAY = "2026-11-03";
const at = (hhmmss: string) => Date.parse(`${DAY}T${hhmmss}+08:00`);
const ticket = (id: string, issuedAt: number): Ticket => ({
  id,
  number: id.toUpperCase(),
  seq: 1,
  day: DAY,
  queueId: "q-a",
  matterId: "m-001",
  priority: "normal",
  status: "waiting",
  issuedAt,
  arrivalAt: issuedAt,
  recalls: 0,
  transfers: 0,
  notes: [],
  source: "k1",
});
const c = { counterId: "c01", staffId: "s-1" };

describe("foldDay", () => {
  const events: HallEvent[] = [
    { type: "counter.signed_in", at: at("08:50:00"), counterId: "c01", staffId: "s-1", staffName: "张伟" },
    { type: "counter.signed_in", at: at("08:50:00"), counterId: "c02", staffId: "s-2", staffName: "李娜" },
    { type: "ticket.issued", at: at("09:00:00"), ticket: ticket("a1", at("09:00:00")) },
    { type: "ticket.issued", at: at("09:01:00"), ticket: ticket("a2", at("09:01:00")) },
    { type: "ticket.issued", at: at("09:02:00"), ticket: ticket("a3", at("09:02:00")) },
    { type: "ticket.issued", at: at("13:05:00"), ticket: ticket("a4", at("13:05:00")) },
    { type: "ticket.issued", at: at("13:06:00"), ticket: ticket("a5", at("13:06:00")) },
    // a1: called after 10 min, started 30 s later, finished 5 min after the start, rated 1.
    { type: "ticket.called", at: at("09:10:00"), ticketId: "a1", mode: "next", ...c },
    { type: "ticket.started", at: at("09:10:30"), ticketId: "a1", ...c },
    { type: "ticket.finished", at: at("09:15:30"), ticketId: "a1", outcome: "completed", ...c },
    {
      type: "ticket.rated",
      at: at("09:16:00"),
      ticketId: "a1",
      counterId: "c01",
      score: 1,
      reasons: ["slow", "attitude"],
      comment: "太慢",
    },
    // a2: no-show, reactivated, called again at c02 and finished without a start.
    { type: "ticket.called", at: at("09:11:00"), ticketId: "a2", mode: "next", ...c },
    { type: "ticket.no_show", at: at("09:14:00"), ticketId: "a2", ...c },
    { type: "ticket.reactivated", at: at("09:30:00"), ticketId: "a2", by: "holder" },
    { type: "ticket.called", at: at("09:40:00"), ticketId: "a2", mode: "next", counterId: "c02", staffId: "s-2" },
    { type: "ticket.finished", at: at("09:42:00"), ticketId: "a2", outcome: "completed", counterId: "c02", staffId: "s-2" },
    // a3: no-show for good; a4 cancelled; a5 still waiting at closing time.
    { type: "ticket.called", at: at("09:20:00"), ticketId: "a3", mode: "next", ...c },
    { type: "ticket.no_show", at: at("09:23:00"), ticketId: "a3", ...c },
    { type: "ticket.cancelled", at: at("13:30:00"), ticketId: "a4", by: "holder" },
  ];
  const rows = foldDay(DAY, events, { timeZone: "Asia/Shanghai", departmentOf: (m) => (m === "m-001" ? "d-1" : undefined) });
  const row = (id: string) => rows.find((r) => r.ticket_id === id);

  it("measures wait and service and names where it was last served", () => {
    expect(row("a1")).toMatchObject({
      hour: 9,
      department: "d-1",
      counter: "c01",
      clerk: "s-1",
      clerk_name: "张伟",
      outcome: "served",
      wait_s: 600,
      service_s: 300,
      rating: 1,
      reasons: "slow,attitude",
      comment: "太慢",
    });
    // The wait is to the first call; the service from the last call (no start pressed).
    expect(row("a2")).toMatchObject({ outcome: "served", wait_s: 600, service_s: 120, counter: "c02", clerk_name: "李娜" });
  });

  it("keeps no-shows, cancellations and tickets left waiting apart", () => {
    expect(row("a3")).toMatchObject({ outcome: "no_show", wait_s: 1080, service_s: null });
    expect(row("a4")).toMatchObject({ outcome: "cancelled", wait_s: null, hour: 13, counter: "" });
    expect(row("a5")).toMatchObject({ outcome: "left", wait_s: null });
    expect(rows).toHaveLength(5);
  });
});

describe("periods", () => {
  it("gives the day, ISO week, month and year around a date", () => {
    expect(periodRange("day", "2026-11-03")).toEqual({ from: "2026-11-03", to: "2026-11-03" });
    // 2026-11-03 is a Tuesday; 2026-11-01 a Sunday (its week began in October).
    expect(periodRange("week", "2026-11-03")).toEqual({ from: "2026-11-02", to: "2026-11-08" });
    expect(periodRange("week", "2026-11-01")).toEqual({ from: "2026-10-26", to: "2026-11-01" });
    expect(periodRange("month", "2026-02-14")).toEqual({ from: "2026-02-01", to: "2026-02-28" });
    expect(periodRange("month", "2028-02-14")).toEqual({ from: "2028-02-01", to: "2028-02-29" });
    expect(periodRange("year", "2026-11-03")).toEqual({ from: "2026-01-01", to: "2026-12-31" });
  });

  it("finds the instant a local day begins", () => {
    expect(localMidnight("2026-11-03", "Asia/Shanghai")).toBe(Date.parse("2026-11-02T16:00:00Z"));
    expect(localMidnight("2026-11-03", "UTC")).toBe(Date.parse("2026-11-03T00:00:00Z"));
    // New York on the day its clocks go back (EDT, UTC−4, at midnight).
    expect(localMidnight("2026-11-01", "America/New_York")).toBe(Date.parse("2026-11-01T04:00:00Z"));
  });
});
