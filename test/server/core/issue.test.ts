import { describe, expect, it } from "vitest";
import { decide } from "../../../server/src/core/decide.ts";
import { MIN, TestHall, local, makeCatalogue, snapshotOf } from "./fixtures.ts";

describe("core/decide issue", () => {
  it("numbers tickets A001, A002 … per queue, independently for each queue", () => {
    const h = new TestHall();
    expect(h.issue("t1", "m-tax-reg").number).toBe("A001");
    expect(h.issue("t2", "m-social").number).toBe("B001");
    expect(h.issue("t3", "m-tax-invoice").number).toBe("A002");
    expect(h.issue("t4", "m-tax-reg").number).toBe("A003");
    expect(h.issue("t5", "m-social").number).toBe("B002");
    expect(h.ticket("t4")).toMatchObject({ seq: 3, queueId: "qA", status: "waiting", day: "2025-03-10" });
  });

  it("emits one ticket.issued event carrying the ticket, its arrival time and the idHash", () => {
    const h = new TestHall();
    const events = h.ok({
      type: "issue",
      ticketId: "t1",
      matterId: "m-id",
      priority: "green",
      source: "kiosk-2",
      idHash: "h1",
      idMasked: "3714********1234",
    });
    expect(events).toHaveLength(1);
    expect(events[0]).toMatchObject({
      type: "ticket.issued",
      at: h.now,
      idHash: "h1",
      ticket: {
        id: "t1",
        number: "C001",
        priority: "green",
        issuedAt: h.now,
        arrivalAt: h.now,
        idMasked: "3714********1234",
        source: "kiosk-2",
      },
    });
  });

  it("pads past 999 without losing digits", () => {
    const h = new TestHall();
    h.state.seq.set("qB", 999);
    expect(h.issue("t1", "m-social").number).toBe("B1000");
  });

  it("rejects an unknown matter with UNKNOWN_MATTER", () => {
    const h = new TestHall();
    expect(h.err({ type: "issue", ticketId: "t1", matterId: "nope", priority: "normal", source: "k" })).toBe("UNKNOWN_MATTER");
  });

  it("rejects a ticket id already used today", () => {
    const h = new TestHall();
    h.issue("t1", "m-social");
    expect(h.err({ type: "issue", ticketId: "t1", matterId: "m-tax-reg", priority: "normal", source: "k" })).toBe(
      "VALIDATION_FAILED",
    );
    expect(h.state.tickets.size).toBe(1);
  });

  describe("issuing hours (local time in Asia/Shanghai)", () => {
    const issueAt = (now: number) =>
      decide(new TestHall().state, { type: "issue", ticketId: "t", matterId: "m-tax-reg", priority: "normal", source: "k" }, now);

    it("accepts 08:30 local, which is 00:30 UTC", () => {
      const at = Date.UTC(2025, 2, 10, 0, 30);
      expect(at).toBe(local("08:30"));
      expect("error" in issueAt(at)).toBe(false);
    });

    it("rejects 08:29 local with OUTSIDE_HOURS", () => {
      expect(issueAt(Date.UTC(2025, 2, 10, 0, 29))).toMatchObject({ error: "OUTSIDE_HOURS" });
    });

    it("rejects the lunch break and accepts the afternoon window", () => {
      expect(issueAt(local("12:30"))).toMatchObject({ error: "OUTSIDE_HOURS" });
      expect("error" in issueAt(local("13:30"))).toBe(false);
      expect(issueAt(local("17:01"))).toMatchObject({ error: "OUTSIDE_HOURS" });
    });

    it("does not read the hours as UTC (08:30 UTC is 16:30 local, open; 00:30 local is closed)", () => {
      expect("error" in issueAt(Date.UTC(2025, 2, 10, 8, 30))).toBe(false);
      expect(issueAt(Date.UTC(2025, 2, 9, 16, 30))).toMatchObject({ error: "OUTSIDE_HOURS" });
    });

    it("lets a queue without hours issue at any time", () => {
      const h = new TestHall(makeCatalogue(), local("03:00"));
      expect(h.issue("t1", "m-social").number).toBe("B001");
    });
  });

  it("rejects with DAILY_CAP_REACHED once the queue's cap is used, other queues unaffected", () => {
    const h = new TestHall();
    h.issue("c1", "m-id");
    h.issue("c2", "m-id");
    h.issue("c3", "m-id");
    expect(h.err({ type: "issue", ticketId: "c4", matterId: "m-id", priority: "normal", source: "k" })).toBe("DAILY_CAP_REACHED");
    expect(h.issue("b1", "m-social").number).toBe("B001");
  });

  it("counts cancelled tickets against the cap (numbers are never reused)", () => {
    const h = new TestHall();
    for (const id of ["c1", "c2", "c3"]) h.issue(id, "m-id");
    h.ok({ type: "cancel", ticketId: "c2", by: "visitor" });
    expect(h.err({ type: "issue", ticketId: "c4", matterId: "m-id", priority: "normal", source: "k" })).toBe("DAILY_CAP_REACHED");
  });

  it("rejects a second ticket for the same ID card and matter with DUPLICATE_ID_TICKET", () => {
    const h = new TestHall();
    h.issue("t1", "m-tax-reg", { idHash: "hash-1" });
    expect(
      h.err({ type: "issue", ticketId: "t2", matterId: "m-tax-reg", priority: "normal", source: "k", idHash: "hash-1" }),
    ).toBe("DUPLICATE_ID_TICKET");
  });

  it("allows the same ID card for another matter, even in the same queue", () => {
    const h = new TestHall();
    h.issue("t1", "m-tax-reg", { idHash: "hash-1" });
    expect(h.issue("t2", "m-tax-invoice", { idHash: "hash-1" }).number).toBe("A002");
    expect(h.issue("t3", "m-social", { idHash: "hash-1" }).number).toBe("B001");
  });

  it("allows another ID card for the same matter, and tickets without ID", () => {
    const h = new TestHall();
    h.issue("t1", "m-tax-reg", { idHash: "hash-1" });
    h.issue("t2", "m-tax-reg", { idHash: "hash-2" });
    h.issue("t3", "m-tax-reg");
    h.issue("t4", "m-tax-reg");
    expect(h.state.tickets.size).toBe(4);
  });

  it("rejects an appointment ticket without a slot with VALIDATION_FAILED", () => {
    const h = new TestHall();
    expect(h.err({ type: "issue", ticketId: "t1", matterId: "m-social", priority: "appointment", source: "k" })).toBe(
      "VALIDATION_FAILED",
    );
    const t = h.issue("t2", "m-social", { priority: "appointment", appointmentAt: h.now + 30 * MIN });
    expect(t).toMatchObject({ priority: "appointment", appointmentAt: h.now + 30 * MIN });
  });

  it("does not consume a number when the issue is rejected", () => {
    const h = new TestHall();
    h.issue("t1", "m-social", { idHash: "x" });
    h.err({ type: "issue", ticketId: "t2", matterId: "m-social", priority: "normal", source: "k", idHash: "x" });
    h.err({ type: "issue", ticketId: "t3", matterId: "m-social", priority: "appointment", source: "k" });
    expect(h.issue("t4", "m-social").number).toBe("B002");
  });

  it("leaves the state unchanged on every kind of rejection", () => {
    const h = new TestHall();
    h.issue("t1", "m-tax-reg", { idHash: "hash-1" });
    for (const id of ["c1", "c2", "c3"]) h.issue(id, "m-id");
    const before = snapshotOf(h.state);
    const cases = [
      [{ matterId: "nope" }, "UNKNOWN_MATTER"],
      [{ ticketId: "t1" }, "VALIDATION_FAILED"],
      [{ matterId: "m-id" }, "DAILY_CAP_REACHED"],
      [{ idHash: "hash-1" }, "DUPLICATE_ID_TICKET"],
      [{ priority: "appointment" as const }, "VALIDATION_FAILED"],
    ] as const;
    for (const [patch, code] of cases) {
      const r = decide(
        h.state,
        { type: "issue", ticketId: "new", matterId: "m-tax-reg", priority: "normal", source: "k", ...patch },
        h.now,
      );
      expect(r).toMatchObject({ error: code });
      expect(snapshotOf(h.state)).toEqual(before);
    }
    const closed = decide(
      h.state,
      { type: "issue", ticketId: "new", matterId: "m-tax-reg", priority: "normal", source: "k" },
      local("20:00"),
    );
    expect(closed).toMatchObject({ error: "OUTSIDE_HOURS" });
    expect(snapshotOf(h.state)).toEqual(before);
  });
});
