import { describe, expect, it } from "vitest";
import type { HallEvent } from "../../../server/src/core/model.ts";
import { MIN, TestHall, makeCatalogue } from "./fixtures.ts";

const ofType = <K extends HallEvent["type"]>(events: HallEvent[], type: K) =>
  events.filter((e): e is Extract<HallEvent, { type: K }> => e.type === type);

describe("core/decide counter sign-in", () => {
  it("rejects calls at a counter nobody signed in to with COUNTER_CLOSED", () => {
    const h = new TestHall();
    h.issue("t1", "m-tax-reg");
    expect(h.err({ type: "callNext", counterId: "c1", staffId: "s1" })).toBe("COUNTER_CLOSED");
    expect(h.err({ type: "callTicket", counterId: "c1", staffId: "s1", ticketId: "t1" })).toBe("COUNTER_CLOSED");
  });

  it("opens the counter as idle with the clerk's name", () => {
    const h = new TestHall();
    h.ok({ type: "signIn", counterId: "c1", staffId: "s1", staffName: "王芳", takeover: false });
    expect(h.state.counters.get("c1")?.view).toMatchObject({ status: "idle", staffId: "s1", staffName: "王芳" });
  });

  it("rejects an unknown counter", () => {
    const h = new TestHall();
    expect(h.err({ type: "signIn", counterId: "c404", staffId: "s1", staffName: "x", takeover: false })).toBe("UNKNOWN_COUNTER");
  });

  it("rejects a second clerk with COUNTER_TAKEN unless they take over", () => {
    const h = new TestHall();
    h.signIn("c1", "s1");
    expect(h.err({ type: "signIn", counterId: "c1", staffId: "s2", staffName: "s2", takeover: false })).toBe("COUNTER_TAKEN");
    const events = h.ok({ type: "signIn", counterId: "c1", staffId: "s2", staffName: "s2", takeover: true });
    expect(ofType(events, "counter.signed_in")).toEqual([expect.objectContaining({ counterId: "c1", staffId: "s2" })]);
    expect(h.state.counters.get("c1")?.view.staffId).toBe("s2");
  });

  it("a takeover keeps the ticket at the counter, and the counter still shows it is serving", () => {
    const h = new TestHall();
    h.issue("t1", "m-tax-reg");
    h.signIn("c1", "s1");
    h.callNext("c1", "s1");
    h.ok({ type: "start", counterId: "c1", staffId: "s1" });
    h.ok({ type: "signIn", counterId: "c1", staffId: "s2", staffName: "s2", takeover: true });
    expect(h.current("c1")).toBe("t1");
    expect(h.state.counters.get("c1")?.view).toMatchObject({ status: "serving", staffId: "s2" });
  });

  it("is a no-op when the same clerk signs in again", () => {
    const h = new TestHall();
    h.signIn("c1", "s1");
    expect(h.signIn("c1", "s1")).toEqual([]);
  });

  it("signs a clerk out of their old counter when they sign in elsewhere", () => {
    const h = new TestHall();
    h.signIn("c1", "s1");
    h.signIn("c2", "s1");
    expect(h.state.counters.get("c1")?.view.status).toBe("closed");
    expect(h.state.counters.get("c2")?.view).toMatchObject({ status: "idle", staffId: "s1" });
  });

  it("refuses to sign out while a ticket is current", () => {
    const h = new TestHall();
    h.issue("t1", "m-tax-reg");
    h.signIn("c1");
    h.callNext("c1");
    expect(h.err({ type: "signOut", counterId: "c1", staffId: "staff-c1" })).toBe("INVALID_TRANSITION");
    h.finish("c1");
    h.ok({ type: "signOut", counterId: "c1", staffId: "staff-c1" });
    expect(h.state.counters.get("c1")?.view.status).toBe("closed");
  });
});

describe("core/decide callNext", () => {
  it("calls the oldest waiting ticket and marks the counter calling", () => {
    const h = new TestHall();
    h.issue("t1", "m-tax-reg");
    h.tick().issue("t2", "m-tax-reg");
    h.signIn("c1", "s1");
    h.tick();
    const events = h.callNext("c1", "s1");
    expect(events).toEqual([
      expect.objectContaining({ type: "ticket.called", ticketId: "t1", counterId: "c1", staffId: "s1", mode: "next" }),
    ]);
    expect(h.ticket("t1")).toMatchObject({ status: "called", counterId: "c1", staffId: "s1", calledAt: h.now });
    expect(h.state.counters.get("c1")?.view).toMatchObject({ status: "calling", currentTicketId: "t1" });
    expect(h.state.recentCalls[0]).toMatchObject({ ticketId: "t1", number: "A001", counterNumber: 1, recall: 0 });
  });

  it("returns no events when nothing waits for the counter", () => {
    const h = new TestHall();
    h.issue("t1", "m-social");
    h.signIn("c1");
    expect(h.callNext("c1")).toEqual([]);
  });

  it("only picks from the counter's own queues; the comprehensive counter picks from all", () => {
    const h = new TestHall();
    h.issue("b1", "m-social");
    h.tick().issue("a1", "m-tax-reg");
    h.signIn("c1");
    h.signIn("c9");
    expect(h.callNextNumber("c1")).toBe("A001");
    h.tick().issue("a2", "m-tax-reg");
    // b1 arrived before a2: the comprehensive counter takes the longest wait across queues.
    expect(h.callNextNumber("c9")).toBe("B001");
    expect(h.callNextNumber("c9")).toBe("A002");
  });

  it("auto-finishes the current ticket (auto: true) before calling the next", () => {
    const h = new TestHall();
    h.issue("t1", "m-tax-reg");
    h.issue("t2", "m-tax-reg");
    h.signIn("c1");
    h.callNext("c1");
    h.tick(5 * MIN);
    const events = h.callNext("c1");
    expect(events.map((e) => e.type)).toEqual(["ticket.finished", "ticket.called"]);
    expect(events[0]).toMatchObject({ ticketId: "t1", auto: true, outcome: "completed" });
    expect(h.ticket("t1")).toMatchObject({ status: "done", outcome: "completed" });
    expect(h.current("c1")).toBe("t2");
    expect(h.state.counters.get("c1")?.view.servedToday).toBe(1);
  });

  it("auto-finishes the current ticket even when nobody else waits", () => {
    const h = new TestHall();
    h.issue("t1", "m-tax-reg");
    h.signIn("c1");
    h.callNext("c1");
    const events = h.callNext("c1");
    expect(events).toEqual([expect.objectContaining({ type: "ticket.finished", ticketId: "t1", auto: true })]);
    expect(h.state.counters.get("c1")?.view).toMatchObject({ status: "idle" });
    expect(h.current("c1")).toBeUndefined();
  });

  it("never gives the same ticket to two counters", () => {
    const h = new TestHall();
    h.issue("t1", "m-tax-reg");
    h.signIn("c1");
    h.signIn("c9");
    h.callNext("c1");
    expect(h.callNext("c9")).toEqual([]);
    expect(h.err({ type: "callTicket", counterId: "c9", staffId: "staff-c9", ticketId: "t1" })).toBe("TICKET_NOT_CALLABLE");
  });

  it("skips parked, no-show and cancelled tickets", () => {
    const h = new TestHall();
    for (const id of ["t1", "t2", "t3", "t4"]) h.tick().issue(id, "m-tax-reg");
    h.signIn("c1");
    h.callNext("c1");
    h.ok({ type: "park", counterId: "c1", staffId: "staff-c1" });
    h.callNext("c1");
    h.ok({ type: "noShow", counterId: "c1", staffId: "staff-c1" });
    h.ok({ type: "cancel", ticketId: "t3", by: "visitor" });
    expect(h.callNextNumber("c1")).toBe("A004");
    expect(h.callNext("c1").filter((e) => e.type === "ticket.called")).toEqual([]);
  });
});

describe("core/decide ticket lifecycle", () => {
  function calledHall() {
    const h = new TestHall();
    h.issue("t1", "m-tax-reg");
    h.signIn("c1");
    h.tick();
    h.callNext("c1");
    return h;
  }

  it("recall counts the recalls and re-announces", () => {
    const h = calledHall();
    h.tick();
    h.ok({ type: "recall", counterId: "c1", staffId: "staff-c1" });
    h.ok({ type: "recall", counterId: "c1", staffId: "staff-c1" });
    expect(h.ticket("t1")).toMatchObject({ recalls: 2, status: "called" });
    expect(h.state.recentCalls.slice(0, 3).map((c) => c.recall)).toEqual([2, 1, 0]);
  });

  it("start → serving, finish with an outcome → done", () => {
    const h = calledHall();
    h.tick();
    h.ok({ type: "start", counterId: "c1", staffId: "staff-c1" });
    expect(h.ticket("t1").status).toBe("serving");
    expect(h.state.counters.get("c1")?.view.status).toBe("serving");
    expect(h.err({ type: "recall", counterId: "c1", staffId: "staff-c1" })).toBe("INVALID_TRANSITION");
    expect(h.err({ type: "noShow", counterId: "c1", staffId: "staff-c1" })).toBe("INVALID_TRANSITION");
    h.tick(7 * MIN);
    h.ok({ type: "finish", counterId: "c1", staffId: "staff-c1", outcome: "accepted_incomplete" });
    expect(h.ticket("t1")).toMatchObject({ status: "done", outcome: "accepted_incomplete", finishedAt: h.now });
    expect(h.state.counters.get("c1")?.view).toMatchObject({ status: "idle", servedToday: 1 });
    expect(h.current("c1")).toBeUndefined();
  });

  it("rejects finish without a current ticket", () => {
    const h = new TestHall();
    h.signIn("c1");
    expect(h.err({ type: "finish", counterId: "c1", staffId: "staff-c1", outcome: "completed" })).toBe("NO_CURRENT_TICKET");
  });

  it("a ticket is finished only once", () => {
    const h = calledHall();
    h.finish("c1");
    expect(h.err({ type: "finish", counterId: "c1", staffId: "staff-c1", outcome: "completed" })).toBe("NO_CURRENT_TICKET");
    expect(h.err({ type: "callTicket", counterId: "c1", staffId: "staff-c1", ticketId: "t1" })).toBe("TICKET_NOT_CALLABLE");
    expect(h.state.agg.served).toBe(1);
  });

  describe("no-show and reactivation", () => {
    it("marks a called ticket no-show and frees the counter", () => {
      const h = calledHall();
      h.ok({ type: "noShow", counterId: "c1", staffId: "staff-c1" });
      expect(h.ticket("t1")).toMatchObject({ status: "no_show", noShowAt: h.now });
      expect(h.state.counters.get("c1")?.view.status).toBe("idle");
      expect(h.state.agg.noShows).toBe(1);
    });

    it("reactivates within hall.noShowReactivateMin, back in line at its old place", () => {
      const h = calledHall();
      h.issue("t2", "m-tax-reg");
      h.ok({ type: "noShow", counterId: "c1", staffId: "staff-c1" });
      h.tick(30 * MIN); // exactly the limit is still allowed
      h.ok({ type: "reactivate", ticketId: "t1", by: "visitor" });
      expect(h.ticket("t1").status).toBe("waiting");
      expect(h.state.agg.noShows).toBe(0);
      expect(h.callNextNumber("c1")).toBe("A001");
    });

    it("rejects reactivation after the limit with REACTIVATION_EXPIRED", () => {
      const h = calledHall();
      h.ok({ type: "noShow", counterId: "c1", staffId: "staff-c1" });
      h.tick(30 * MIN + 1);
      expect(h.err({ type: "reactivate", ticketId: "t1", by: "visitor" })).toBe("REACTIVATION_EXPIRED");
      expect(h.err({ type: "callTicket", counterId: "c1", staffId: "staff-c1", ticketId: "t1" })).toBe("REACTIVATION_EXPIRED");
    });

    it("follows the hall's configured limit", () => {
      const h = new TestHall(
        makeCatalogue((c) => {
          c.hall.noShowReactivateMin = 5;
        }),
      );
      h.issue("t1", "m-tax-reg");
      h.signIn("c1");
      h.callNext("c1");
      h.ok({ type: "noShow", counterId: "c1", staffId: "staff-c1" });
      h.tick(6 * MIN);
      expect(h.err({ type: "reactivate", ticketId: "t1", by: "visitor" })).toBe("REACTIVATION_EXPIRED");
    });

    it("rejects reactivating a ticket that is not a no-show", () => {
      const h = calledHall();
      expect(h.err({ type: "reactivate", ticketId: "t1", by: "visitor" })).toBe("INVALID_TRANSITION");
      expect(h.err({ type: "reactivate", ticketId: "zzz", by: "visitor" })).toBe("UNKNOWN_TICKET");
    });

    it("lets a clerk call a recent no-show back directly (mode callback)", () => {
      const h = calledHall();
      h.ok({ type: "noShow", counterId: "c1", staffId: "staff-c1" });
      h.tick(10 * MIN);
      const events = h.ok({ type: "callTicket", counterId: "c1", staffId: "staff-c1", ticketId: "t1" });
      expect(events[0]).toMatchObject({ type: "ticket.called", mode: "callback" });
      expect(h.ticket("t1").status).toBe("called");
    });

    it("a no-show called back by the clerk no longer counts as a no-show, as after reactivation", () => {
      const h = calledHall();
      h.ok({ type: "noShow", counterId: "c1", staffId: "staff-c1" });
      expect(h.state.agg.noShows).toBe(1);
      h.tick(10 * MIN);
      h.ok({ type: "callTicket", counterId: "c1", staffId: "staff-c1", ticketId: "t1" });
      h.finish("c1");
      expect(h.state.agg.noShows).toBe(0);
    });
  });

  describe("park and call back", () => {
    it("parks the current ticket with a note and frees the counter", () => {
      const h = calledHall();
      h.ok({ type: "start", counterId: "c1", staffId: "staff-c1" });
      h.ok({ type: "park", counterId: "c1", staffId: "staff-c1", note: "缺材料，去复印" });
      expect(h.ticket("t1")).toMatchObject({ status: "parked", parkedAt: h.now, notes: ["缺材料，去复印"] });
      expect(h.current("c1")).toBeUndefined();
      expect(h.state.counters.get("c1")?.view.status).toBe("idle");
    });

    it("calls a parked ticket back with callTicket, mode callback, from any counter", () => {
      const h = calledHall();
      h.ok({ type: "park", counterId: "c1", staffId: "staff-c1" });
      h.signIn("c2"); // c2 does not serve queue A: a callback is still allowed
      h.tick(20 * MIN);
      const events = h.ok({ type: "callTicket", counterId: "c2", staffId: "staff-c2", ticketId: "t1" });
      expect(events).toEqual([
        expect.objectContaining({ type: "ticket.called", ticketId: "t1", mode: "callback", counterId: "c2" }),
      ]);
      expect(h.ticket("t1")).toMatchObject({ status: "called", counterId: "c2" });
    });
  });

  describe("cancel", () => {
    it("cancels a waiting ticket and removes it from the line", () => {
      const h = new TestHall();
      h.issue("t1", "m-tax-reg");
      h.issue("t2", "m-tax-reg");
      h.ok({ type: "cancel", ticketId: "t1", by: "visitor" });
      expect(h.ticket("t1").status).toBe("cancelled");
      expect(h.state.lines.get("qA")?.normal.map((t) => t.id)).toEqual(["t2"]);
      expect(h.state.agg.cancelled).toBe(1);
    });

    it("cancels parked tickets but not called or done ones", () => {
      const h = calledHall();
      expect(h.err({ type: "cancel", ticketId: "t1", by: "x" })).toBe("INVALID_TRANSITION");
      h.ok({ type: "park", counterId: "c1", staffId: "staff-c1" });
      h.ok({ type: "cancel", ticketId: "t1", by: "x" });
      expect(h.ticket("t1").status).toBe("cancelled");
      expect(h.err({ type: "cancel", ticketId: "t1", by: "x" })).toBe("INVALID_TRANSITION");
    });
  });
});

describe("core/decide callTicket", () => {
  it("records who called it and why", () => {
    const h = new TestHall();
    h.issue("t1", "m-tax-reg");
    h.issue("t2", "m-tax-reg");
    h.signIn("c1", "s7");
    const events = h.ok({ type: "callTicket", counterId: "c1", staffId: "s7", ticketId: "t2", reason: "老人优先" });
    expect(events).toEqual([
      expect.objectContaining({ type: "ticket.called", ticketId: "t2", staffId: "s7", reason: "老人优先", mode: "specific" }),
    ]);
    expect(h.ticket("t2")).toMatchObject({ staffId: "s7", notes: ["老人优先"] });
    expect(h.ticket("t1").status).toBe("waiting");
  });

  it("rejects a ticket of a queue the counter does not serve with QUEUE_NOT_SERVED", () => {
    const h = new TestHall();
    h.issue("t1", "m-social");
    h.signIn("c1");
    expect(h.err({ type: "callTicket", counterId: "c1", staffId: "staff-c1", ticketId: "t1" })).toBe("QUEUE_NOT_SERVED");
  });

  it("rejects the current ticket (use recall) and unknown tickets", () => {
    const h = new TestHall();
    h.issue("t1", "m-tax-reg");
    h.signIn("c1");
    h.callNext("c1");
    expect(h.err({ type: "callTicket", counterId: "c1", staffId: "staff-c1", ticketId: "t1" })).toBe("TICKET_NOT_CALLABLE");
    expect(h.err({ type: "callTicket", counterId: "c1", staffId: "staff-c1", ticketId: "zzz" })).toBe("UNKNOWN_TICKET");
  });

  it("auto-finishes the ticket being served first", () => {
    const h = new TestHall();
    h.issue("t1", "m-tax-reg");
    h.issue("t2", "m-tax-reg");
    h.signIn("c1");
    h.callNext("c1");
    h.ok({ type: "start", counterId: "c1", staffId: "staff-c1" });
    const events = h.ok({ type: "callTicket", counterId: "c1", staffId: "staff-c1", ticketId: "t2" });
    expect(events.map((e) => [e.type, "ticketId" in e ? e.ticketId : ""])).toEqual([
      ["ticket.finished", "t1"],
      ["ticket.called", "t2"],
    ]);
    expect(events[0]).toMatchObject({ auto: true });
  });
});

describe("core/decide transfer", () => {
  /** t1 (A001) is called at c1 at 09:10; the B line has b1 (09:00), b2 (09:20). */
  function transferHall() {
    const h = new TestHall();
    h.issue("b1", "m-social");
    h.tick(10 * MIN).issue("t1", "m-tax-reg");
    h.tick(10 * MIN).issue("b2", "m-social");
    h.signIn("c1");
    h.signIn("c2");
    h.callNext("c1");
    h.ok({ type: "start", counterId: "c1", staffId: "staff-c1" });
    return h;
  }

  it("moves the ticket to the target queue keeping its arrival time, and adds the note", () => {
    const h = transferHall();
    const arrivalAt = h.ticket("t1").arrivalAt;
    h.tick(5 * MIN);
    h.ok({ type: "transfer", counterId: "c1", staffId: "staff-c1", toQueueId: "qB", note: "需先办社保" });
    expect(h.ticket("t1")).toMatchObject({ status: "waiting", queueId: "qB", arrivalAt, transfers: 1, notes: ["需先办社保"] });
    expect(h.ticket("t1").number).toBe("A001");
    expect(h.current("c1")).toBeUndefined();
    expect(h.state.lines.get("qA")?.normal).toEqual([]);
  });

  it("is called before later arrivals in the target queue, after earlier ones", () => {
    const h = transferHall();
    h.tick(5 * MIN);
    h.ok({ type: "transfer", counterId: "c1", staffId: "staff-c1", toQueueId: "qB" });
    expect(h.state.lines.get("qB")?.normal.map((t) => t.id)).toEqual(["b1", "t1", "b2"]);
    expect(h.callNextNumber("c2")).toBe("B001");
    expect(h.callNextNumber("c2")).toBe("A001");
    expect(h.callNextNumber("c2")).toBe("B002");
  });

  it("may raise the priority (normal → green), which moves it ahead of earlier normal arrivals", () => {
    const h = new TestHall();
    for (const id of ["b1", "b2", "b3"]) h.tick().issue(id, "m-social");
    h.tick().issue("t1", "m-tax-reg");
    h.signIn("c1");
    h.signIn("c2");
    h.callNext("c1");
    h.ok({ type: "transfer", counterId: "c1", staffId: "staff-c1", toQueueId: "qB", priority: "green" });
    expect(h.ticket("t1").priority).toBe("green");
    expect(h.state.lines.get("qB")?.green.map((t) => t.id)).toEqual(["t1"]);
    // Weights {green:1, normal:2} from zero credits: normal, green, normal …
    expect([1, 2, 3, 4].map(() => h.callNextNumber("c2"))).toEqual(["B001", "A001", "B002", "B003"]);
  });

  it("never lowers the priority (green stays green when asked for normal)", () => {
    const h = new TestHall();
    h.issue("t1", "m-tax-reg", { priority: "green" });
    h.signIn("c1");
    h.callNext("c1");
    const events = h.ok({ type: "transfer", counterId: "c1", staffId: "staff-c1", toQueueId: "qB", priority: "normal" });
    expect(events[0]).toMatchObject({ type: "ticket.transferred", priority: "green" });
    expect(h.ticket("t1").priority).toBe("green");
  });

  it("does not lower an appointment to normal, and raises it to green", () => {
    const h = new TestHall();
    h.issue("t1", "m-tax-reg", { priority: "appointment", appointmentAt: h.now });
    h.issue("t2", "m-tax-reg", { priority: "appointment", appointmentAt: h.now });
    h.signIn("c1");
    h.callNext("c1");
    h.ok({ type: "transfer", counterId: "c1", staffId: "staff-c1", toQueueId: "qB", priority: "normal" });
    expect(h.ticket("t1").priority).toBe("appointment");
    h.callNext("c1");
    h.ok({ type: "transfer", counterId: "c1", staffId: "staff-c1", toQueueId: "qB", priority: "green" });
    expect(h.ticket("t2").priority).toBe("green");
  });

  it("to a counter: only that counter can call it", () => {
    const h = new TestHall();
    h.issue("t1", "m-tax-reg");
    h.signIn("c1");
    h.signIn("c9");
    h.signIn("c2");
    h.callNext("c1");
    h.ok({ type: "transfer", counterId: "c1", staffId: "staff-c1", toCounterId: "c2", note: "社保窗口办理" });
    expect(h.ticket("t1")).toMatchObject({ status: "waiting", targetCounterId: "c2", queueId: "qA" });
    // c1 and the comprehensive c9 both serve queue A, but the ticket is now c2's alone.
    expect(h.callNext("c1")).toEqual([]);
    expect(h.callNext("c9")).toEqual([]);
    expect(h.err({ type: "callTicket", counterId: "c9", staffId: "staff-c9", ticketId: "t1" })).toBe("QUEUE_NOT_SERVED");
    // c2 does not serve queue A yet gets it, both by callNext …
    expect(h.callNextNumber("c2")).toBe("A001");
    expect(h.ticket("t1").targetCounterId).toBeUndefined();
  });

  it("to a counter: the target can also call it by id", () => {
    const h = new TestHall();
    h.issue("t1", "m-tax-reg");
    h.signIn("c1");
    h.signIn("c2");
    h.callNext("c1");
    h.ok({ type: "transfer", counterId: "c1", staffId: "staff-c1", toCounterId: "c2" });
    const events = h.ok({ type: "callTicket", counterId: "c2", staffId: "staff-c2", ticketId: "t1" });
    expect(events[0]).toMatchObject({ type: "ticket.called", mode: "specific" });
  });

  it("rejects a transfer without a target, to an unknown queue or counter, or to itself", () => {
    const h = transferHall();
    expect(h.err({ type: "transfer", counterId: "c1", staffId: "staff-c1" })).toBe("VALIDATION_FAILED");
    expect(h.err({ type: "transfer", counterId: "c1", staffId: "staff-c1", toQueueId: "qZ" })).toBe("UNKNOWN_QUEUE");
    expect(h.err({ type: "transfer", counterId: "c1", staffId: "staff-c1", toCounterId: "c404" })).toBe("UNKNOWN_COUNTER");
    expect(h.err({ type: "transfer", counterId: "c1", staffId: "staff-c1", toCounterId: "c1" })).toBe("VALIDATION_FAILED");
    expect(h.err({ type: "transfer", counterId: "c2", staffId: "staff-c2", toQueueId: "qA" })).toBe("NO_CURRENT_TICKET");
  });
});

describe("core/decide pause and resume", () => {
  it("pauses an idle counter with a reason and refuses calls with COUNTER_PAUSED", () => {
    const h = new TestHall();
    h.issue("t1", "m-tax-reg");
    h.signIn("c1");
    h.ok({ type: "pause", counterId: "c1", staffId: "staff-c1", reason: "午休" });
    expect(h.state.counters.get("c1")?.view).toMatchObject({ status: "paused", pauseReason: "午休" });
    expect(h.err({ type: "callNext", counterId: "c1", staffId: "staff-c1" })).toBe("COUNTER_PAUSED");
    expect(h.err({ type: "callTicket", counterId: "c1", staffId: "staff-c1", ticketId: "t1" })).toBe("COUNTER_PAUSED");
    expect(h.err({ type: "pause", counterId: "c1", staffId: "staff-c1", reason: "again" })).toBe("COUNTER_PAUSED");
    h.ok({ type: "resume", counterId: "c1", staffId: "staff-c1" });
    expect(h.state.counters.get("c1")?.view).toMatchObject({ status: "idle" });
    expect(h.state.counters.get("c1")?.view.pauseReason).toBeUndefined();
    expect(h.callNextNumber("c1")).toBe("A001");
  });

  it("rejects resume when not paused, and pause with a ticket at the counter", () => {
    const h = new TestHall();
    h.issue("t1", "m-tax-reg");
    h.signIn("c1");
    expect(h.err({ type: "resume", counterId: "c1", staffId: "staff-c1" })).toBe("COUNTER_NOT_PAUSED");
    h.callNext("c1");
    expect(h.err({ type: "pause", counterId: "c1", staffId: "staff-c1", reason: "x" })).toBe("INVALID_TRANSITION");
  });
});

describe("core/decide rating", () => {
  function servedHall() {
    const h = new TestHall();
    h.issue("t1", "m-tax-reg");
    h.issue("t2", "m-tax-reg");
    h.signIn("c1");
    h.callNext("c1");
    h.ok({ type: "start", counterId: "c1", staffId: "staff-c1" });
    h.tick(5 * MIN);
    h.finish("c1");
    return h;
  }

  it("a rating from the counter's device rates the ticket last served there", () => {
    const h = servedHall();
    h.ok({ type: "requestRating", counterId: "c1", staffId: "staff-c1" });
    expect(h.state.counters.get("c1")?.view.ratingRequested).toBe(true);
    const events = h.ok({ type: "rate", counterId: "c1", score: 5 });
    expect(events).toEqual([expect.objectContaining({ type: "ticket.rated", ticketId: "t1", counterId: "c1", score: 5 })]);
    expect(h.ticket("t1").rating).toBe(5);
    expect(h.state.counters.get("c1")?.view).toMatchObject({ lastRating: 5, ratingRequested: false });
    expect(h.state.agg.ratings).toEqual([0, 0, 0, 0, 1]);
  });

  it("a rating from the counter's device during service rates the visitor being served", () => {
    const h = servedHall();
    h.callNext("c1");
    h.ok({ type: "start", counterId: "c1", staffId: "staff-c1" });
    const events = h.ok({ type: "rate", counterId: "c1", score: 2 });
    expect(events[0]).toMatchObject({ type: "ticket.rated", ticketId: "t2", score: 2 });
  });

  it("rejects a second rating of the same ticket with ALREADY_RATED, from either side", () => {
    const h = servedHall();
    h.ok({ type: "rate", counterId: "c1", score: 4 });
    expect(h.err({ type: "rate", counterId: "c1", score: 1 })).toBe("ALREADY_RATED");
    expect(h.err({ type: "rate", ticketId: "t1", score: 1 })).toBe("ALREADY_RATED");
    expect(h.ticket("t1").rating).toBe(4);
  });

  it("the phone page rates its own served ticket by id, not a waiting one", () => {
    const h = servedHall();
    expect(h.err({ type: "rate", ticketId: "t2", score: 5 })).toBe("INVALID_TRANSITION");
    h.ok({ type: "rate", ticketId: "t1", score: 3 });
    expect(h.state.counters.get("c1")?.view.lastRating).toBe(3);
  });

  it("rejects a counter rating before anyone was served there", () => {
    const h = new TestHall();
    h.signIn("c1");
    expect(h.err({ type: "rate", counterId: "c1", score: 5 })).toBe("NO_CURRENT_TICKET");
    expect(h.err({ type: "requestRating", counterId: "c1", staffId: "staff-c1" })).toBe("NO_CURRENT_TICKET");
  });

  it("a counter rating while the next visitor is only being called still rates the last one served", () => {
    // Caller keypads have no finish key: "next" closes t1 and calls t2 at once, and the
    // visitor of t1 presses the rating device on the way out.
    const h = servedHall();
    h.callNext("c1");
    expect(h.ticket("t2").status).toBe("called");
    const events = h.ok({ type: "rate", counterId: "c1", score: 5 });
    expect(events[0]).toMatchObject({ type: "ticket.rated", ticketId: "t1" });
  });
});
