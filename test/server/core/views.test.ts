import { describe, expect, it } from "vitest";
import {
  activeServers,
  activeTickets,
  cycleSec,
  daySummary,
  liveStats,
  position,
  publicTicket,
  serviceSec,
  typicalServiceSec,
} from "../../../server/src/core/views.ts";
import { MIN, TestHall, local, makeCatalogue } from "./fixtures.ts";

const SEC = 1000;

describe("core/views position", () => {
  it("counts the people ahead in the same queue", () => {
    const h = new TestHall();
    for (const id of ["b1", "b2", "b3"]) h.tick().issue(id, "m-social");
    h.issue("a1", "m-tax-reg");
    expect(["b1", "b2", "b3", "a1"].map((id) => position(h.state, h.ticket(id)))).toEqual([0, 1, 2, 0]);
    h.signIn("c2");
    h.callNext("c2");
    expect(position(h.state, h.ticket("b3"))).toBe(1);
    expect(position(h.state, h.ticket("b1"))).toBe(0);
  });

  it("counts earlier arrivals of every class", () => {
    const h = new TestHall();
    h.tick().issue("g1", "m-social", { priority: "green" });
    h.tick().issue("n1", "m-social");
    h.tick().issue("p1", "m-social", { priority: "appointment", appointmentAt: h.now });
    h.tick().issue("n2", "m-social");
    expect(position(h.state, h.ticket("n2"))).toBe(3);
  });

  it("is 0 for tickets that are not waiting, and the public view agrees", () => {
    const h = new TestHall();
    h.issue("b1", "m-social");
    h.issue("b2", "m-social");
    h.signIn("c2");
    h.callNext("c2");
    expect(publicTicket(h.state, h.ticket("b1"))).toMatchObject({
      status: "called",
      position: 0,
      estimatedWaitSec: 0,
      counterId: "c2",
    });
  });

  it("activeTickets lists the line in order with positions 0, 1, 2 and the current tickets", () => {
    const h = new TestHall();
    for (const id of ["b1", "b2", "b3"]) h.tick().issue(id, "m-social");
    h.signIn("c2");
    h.callNext("c2");
    const active = activeTickets(h.state);
    expect(active.filter((t) => t.status === "waiting").map((t) => [t.number, t.position])).toEqual([
      ["B002", 0],
      ["B003", 1],
    ]);
    expect(active.find((t) => t.status === "called")?.number).toBe("B001");
  });
});

describe("core/views estimatedWaitSec", () => {
  it("uses the queue's default service time before any has been measured, per open counter", () => {
    const h = new TestHall();
    for (const id of ["b1", "b2", "b3"]) h.tick().issue(id, "m-social");
    // Nobody signed in: estimate as if one counter were open.
    expect(activeServers(h.state, "qB")).toEqual({ active: 0, idle: 0 });
    expect(publicTicket(h.state, h.ticket("b3")).estimatedWaitSec).toBe(3 * 240);
    // One free counter: the first in line goes straight there, the third waits for two services.
    h.signIn("c2");
    expect(publicTicket(h.state, h.ticket("b1")).estimatedWaitSec).toBe(0);
    expect(publicTicket(h.state, h.ticket("b3")).estimatedWaitSec).toBe(2 * 240);
    h.signIn("c9"); // the comprehensive counter serves queue B too
    expect(activeServers(h.state, "qB")).toEqual({ active: 2, idle: 2 });
    // Two free counters for three people: the third still waits one service (the floor).
    expect(publicTicket(h.state, h.ticket("b3")).estimatedWaitSec).toBe(240);
    // Both busy, both called now: b3 goes to whichever is free first (one service), b4 to the other.
    h.callNext("c2");
    h.callNext("c9");
    h.issue("b4", "m-social");
    expect(activeServers(h.state, "qB")).toEqual({ active: 2, idle: 0 });
    expect(position(h.state, h.ticket("b4"))).toBe(1);
    expect(publicTicket(h.state, h.ticket("b4")).estimatedWaitSec).toBe(240);
    h.tick(240 * SEC);
    h.finish("c9");
    h.ok({ type: "pause", counterId: "c9", staffId: "staff-c9", reason: "break" });
    expect(activeServers(h.state, "qB")).toEqual({ active: 1, idle: 0 });
    // A paused counter is a clerk on a break who comes back after about one service: it still
    // counts (measured on simulated days: leaving it out told waits 30 % too long). c2 is
    // overdue (counted with 30 % of a service left): it takes b3 at 72 s; c9 is back after one
    // service of its first series (tax, 300 s) for b4.
    expect(publicTicket(h.state, h.ticket("b3")).estimatedWaitSec).toBe(72);
    expect(publicTicket(h.state, h.ticket("b4")).estimatedWaitSec).toBe(300);
    // Signed out, it no longer does.
    h.ok({ type: "resume", counterId: "c9", staffId: "staff-c9" });
    h.ok({ type: "signOut", counterId: "c9", staffId: "staff-c9" });
    expect(publicTicket(h.state, h.ticket("b4")).estimatedWaitSec).toBe(72 + 240);
  });

  it("follows the measured service durations once tickets are finished", () => {
    const h = new TestHall();
    for (let i = 0; i < 30; i++) h.issue(`b${i}`, "m-social");
    h.signIn("c2");
    h.callNext("c2");
    h.ok({ type: "start", counterId: "c2", staffId: "staff-c2" });
    h.tick(100 * SEC);
    h.finish("c2");
    // One measurement: it replaces the 240 s default.
    expect(serviceSec(h.state, "qB")).toBe(100);
    // Service timed from the start of service, not from the call.
    for (let i = 0; i < 20; i++) {
      h.callNext("c2");
      h.tick(30 * SEC);
      h.ok({ type: "start", counterId: "c2", staffId: "staff-c2" });
      h.tick(60 * SEC);
      h.finish("c2");
    }
    expect(Math.abs(serviceSec(h.state, "qB") - 60)).toBeLessThan(2);
    const last = h.ticket("b29");
    const ahead = position(h.state, last);
    expect(ahead).toBe(8); // 30 issued, 21 served
    // The estimate counts what a counter spends per ticket, call to finish (the walk up
    // included): 90 s here, averaged slowly from the first 100 s.
    expect(Math.abs(cycleSec(h.state, "qB") - 90)).toBeLessThan(5);
    // c2 is free again: the first of the 8 ahead goes straight there; 8 cycles to wait.
    expect(Math.abs(publicTicket(h.state, last).estimatedWaitSec - 8 * cycleSec(h.state, "qB"))).toBeLessThan(2);
  });

  it("keeps another queue's estimate on its own default", () => {
    const h = new TestHall();
    h.issue("b1", "m-social");
    h.issue("c1", "m-id");
    h.signIn("c2");
    h.callNext("c2");
    h.tick(10 * SEC);
    h.finish("c2");
    expect(serviceSec(h.state, "qB")).toBe(10);
    expect(serviceSec(h.state, "qC")).toBe(600);
  });

  it("estimates a ticket transferred to a counter against that one counter", () => {
    const h = new TestHall();
    h.issue("a1", "m-tax-reg");
    for (const c of ["c1", "c2", "c9"]) h.signIn(c);
    h.callNext("c1");
    h.ok({ type: "transfer", counterId: "c1", staffId: "staff-c1", toCounterId: "c2" });
    // c2 is free: the ticket is next there.
    expect(publicTicket(h.state, h.ticket("a1"))).toMatchObject({ status: "waiting", position: 0, estimatedWaitSec: 0 });
    // c2 takes it and is busy: the next ticket transferred there waits one service at c2.
    h.callNext("c2");
    expect(h.state.counters.get("c2")?.view.currentTicketId).toBe("a1");
    h.issue("a2", "m-tax-reg");
    h.callNext("c1");
    h.ok({ type: "transfer", counterId: "c1", staffId: "staff-c1", toCounterId: "c2" });
    expect(publicTicket(h.state, h.ticket("a2"))).toMatchObject({ status: "waiting", position: 0, estimatedWaitSec: 300 });
  });
});

describe("core/views estimatedWaitSec floors", () => {
  it("never tells a 5th in line seconds after a run of instant finishes (the typical service time has a floor)", () => {
    const h = new TestHall();
    h.signIn("c2");
    // Five tickets closed within a second each: the live average drops to 1 s.
    for (let i = 0; i < 5; i++) {
      h.issue(`x${i}`, "m-social");
      h.callNext("c2");
      h.tick(SEC);
      h.finish("c2");
    }
    expect(serviceSec(h.state, "qB")).toBeLessThan(5);
    expect(typicalServiceSec(h.state, "qB")).toBe(240 / 4);
    h.callNext("c2"); // nobody: c2 stays idle
    for (const id of ["b1", "b2", "b3", "b4", "b5"]) h.tick().issue(id, "m-social");
    h.callNext("c2");
    const fifth = publicTicket(h.state, h.ticket("b5"));
    expect(fifth.position).toBe(3);
    // 3 ahead, one busy counter: 4 services of at least 60 s, not 4 s.
    expect(fifth.estimatedWaitSec).toBe(4 * 60);
  });

  it("says 0 only to the first in line at a free counter, at least a minute at busy ones, and one service with people ahead", () => {
    const h = new TestHall();
    h.issue("b1", "m-social");
    h.signIn("c2");
    expect(publicTicket(h.state, h.ticket("b1")).estimatedWaitSec).toBe(0);
    h.callNext("c2");
    h.issue("b2", "m-social");
    h.signIn("c9");
    h.callNext("c9"); // b2 goes to c9
    h.issue("b3", "m-social");
    // First in line, both counters busy: c2 was called first, so it is free first (one service
    // after its call: no time has passed), above the one-minute floor.
    expect(publicTicket(h.state, h.ticket("b3")).estimatedWaitSec).toBe(240);
    h.issue("b4", "m-social");
    // One ahead, both busy: the other counter's service, the floor too.
    expect(publicTicket(h.state, h.ticket("b4")).estimatedWaitSec).toBe(240);
  });

  it("tells the first in line at busy counters at least a minute, however many share the work", () => {
    // A quick series (100 s): two busy counters would make it 50 s.
    const h = new TestHall(
      makeCatalogue((c) => {
        const q = c.queues.find((x) => x.id === "qB");
        if (q) q.defaultServiceSec = 100;
      }),
    );
    for (const id of ["b1", "b2", "b3"]) h.tick().issue(id, "m-social");
    h.signIn("c2");
    h.signIn("c9");
    h.callNext("c2");
    h.callNext("c9");
    expect(publicTicket(h.state, h.ticket("b3"))).toMatchObject({ position: 0, estimatedWaitSec: 100 });
    // 90 s on, the two are counted as almost done (30 % of a service left: 30 s): still a minute.
    h.tick(90 * SEC).issue("b4", "m-social");
    h.ok({ type: "cancel", ticketId: "b3", by: "visitor" });
    expect(publicTicket(h.state, h.ticket("b4"))).toMatchObject({ position: 0, estimatedWaitSec: 60 });
  });
});

describe("core/views liveStats", () => {
  it("counts issued, served, waiting and no-shows", () => {
    const h = new TestHall();
    for (const id of ["b1", "b2", "b3", "b4"]) h.tick().issue(id, "m-social");
    h.issue("a1", "m-tax-reg");
    h.signIn("c2");
    h.callNext("c2");
    h.tick().finish("c2");
    h.callNext("c2");
    h.ok({ type: "noShow", counterId: "c2", staffId: "staff-c2" });
    h.callNext("c2");
    const s = liveStats(h.state, h.now);
    expect(s).toMatchObject({ day: "2025-03-10", at: h.now, issued: 5, served: 1, waiting: 2, noShows: 1 });
    expect(s.queues.find((q) => q.queueId === "qB")).toMatchObject({ issued: 4, waiting: 1 });
    expect(s.zonesWaiting).toEqual({ z1: 2, z2: 0 });
    expect(s.counters.find((c) => c.counterId === "c2")).toEqual({ counterId: "c2", status: "calling", servedToday: 1 });
  });

  it("reports when a paused counter paused, and forgets it on resume", () => {
    const h = new TestHall();
    h.signIn("c2");
    h.tick();
    const pausedAt = h.now;
    h.ok({ type: "pause", counterId: "c2", staffId: "staff-c2", reason: "午休" });
    h.tick();
    expect(liveStats(h.state, h.now).counters.find((c) => c.counterId === "c2")).toEqual({
      counterId: "c2",
      status: "paused",
      servedToday: 0,
      pausedAt,
    });
    h.ok({ type: "resume", counterId: "c2", staffId: "staff-c2" });
    expect(liveStats(h.state, h.now).counters.find((c) => c.counterId === "c2")).not.toHaveProperty("pausedAt");
  });

  it("reports a counter as offline when its devices are", () => {
    const h = new TestHall();
    h.signIn("c2");
    expect(liveStats(h.state, h.now, new Set(["c2"])).counters.find((c) => c.counterId === "c2")?.status).toBe("offline");
  });

  it("computes each department's completion rate from the outcomes", () => {
    const h = new TestHall();
    for (const id of ["a1", "a2", "a3", "a4"]) h.issue(id, "m-tax-reg");
    h.issue("b1", "m-social");
    h.signIn("c1");
    for (const outcome of ["completed", "accepted_incomplete", "rejected"] as const) {
      h.callNext("c1");
      h.ok({ type: "finish", counterId: "c1", staffId: "staff-c1", outcome });
    }
    const d = liveStats(h.state, h.now).departments;
    expect(d.find((x) => x.departmentId === "d-tax")).toEqual({
      departmentId: "d-tax",
      issued: 4,
      done: 3,
      completed: 2,
      completionRate: 2 / 3,
    });
    expect(d.find((x) => x.departmentId === "d-social")).toEqual({
      departmentId: "d-social",
      issued: 1,
      done: 0,
      completed: 0,
      completionRate: 1,
    });
    expect(d.find((x) => x.departmentId === "d-police")).toMatchObject({ issued: 0 });
  });

  it("buckets arrivals and completions by LOCAL hour", () => {
    const h = new TestHall(undefined, local("08:59"));
    h.issue("b1", "m-social"); // 08:59 local = 00:59 UTC
    h.now = local("09:10");
    h.issue("b2", "m-social");
    h.now = local("23:30"); // 15:30 UTC, still the same local day
    h.issue("b3", "m-social");
    h.signIn("c2");
    h.callNext("c2");
    h.finish("c2");
    const s = liveStats(h.state, h.now);
    expect(s.arrivalsByHour).toHaveLength(24);
    expect(s.arrivalsByHour[8]).toBe(1);
    expect(s.arrivalsByHour[9]).toBe(1);
    expect(s.arrivalsByHour[23]).toBe(1);
    expect(s.arrivalsByHour[0]).toBe(0);
    expect(s.arrivalsByHour[1]).toBe(0);
    expect(s.arrivalsByHour[15]).toBe(0);
    expect(s.completionsByHour[23]).toBe(1);
  });

  it("raises a queue's alarm only once its longest wait passes waitAlarmMin", () => {
    const h = new TestHall();
    h.issue("b1", "m-social"); // queue B alarms after 20 min
    h.tick(5 * MIN).issue("b2", "m-social");
    h.issue("c1", "m-id"); // queue C has no alarm (0)
    const b = (now: number) => liveStats(h.state, now).queues.find((q) => q.queueId === "qB");
    const start = h.ticket("b1").arrivalAt;
    expect(b(start + 20 * MIN)).toMatchObject({ longestWaitSec: 20 * 60, alarm: false });
    expect(b(start + 20 * MIN + SEC)).toMatchObject({ longestWaitSec: 20 * 60 + 1, alarm: true });
    expect(liveStats(h.state, start + 300 * MIN).queues.find((q) => q.queueId === "qC")?.alarm).toBe(false);
    // Once the oldest is called, the longest wait is the next one's.
    h.signIn("c2");
    h.callNext("c2");
    expect(b(start + 21 * MIN)).toMatchObject({ longestWaitSec: 16 * 60, alarm: false });
  });

  it("counts a ticket transferred to a counter as waiting in its queue", () => {
    const h = new TestHall();
    h.issue("a1", "m-tax-reg");
    h.signIn("c1");
    h.callNext("c1");
    h.ok({ type: "transfer", counterId: "c1", staffId: "staff-c1", toCounterId: "c2" });
    const s = liveStats(h.state, h.now);
    expect(s.waiting).toBe(1);
    expect(s.queues.find((q) => q.queueId === "qA")?.waiting).toBe(1);
  });

  it("averages waits and service times, and rates satisfaction as 4s and 5s over all", () => {
    const h = new TestHall();
    h.issue("b1", "m-social");
    h.issue("b2", "m-social");
    h.signIn("c2");
    h.tick(2 * MIN);
    h.callNext("c2");
    h.tick(3 * MIN).finish("c2");
    h.ok({ type: "rate", counterId: "c2", score: 5 });
    h.callNext("c2");
    h.tick(MIN).finish("c2");
    h.ok({ type: "rate", counterId: "c2", score: 2 });
    const s = liveStats(h.state, h.now);
    expect(s.avgWaitSec).toBe((2 * 60 + 5 * 60) / 2);
    expect(s.avgServiceSec).toBe((3 * 60 + 60) / 2);
    expect(s.ratings).toEqual([0, 1, 0, 0, 1]);
    expect(s.satisfaction).toBe(0.5);
    expect(daySummary(h.state).byCounter).toEqual([{ counterId: "c2", served: 2, avgServiceSec: 120, avgRating: 3.5 }]);
  });
});

describe("core/views estimatedWaitSec across series and classes", () => {
  it("counts a green visitor who came later as going first, and a later normal one not at all", () => {
    const h = new TestHall();
    h.signIn("c2");
    h.issue("b0", "m-social");
    h.callNext("c2");
    h.tick().issue("b1", "m-social");
    h.tick().issue("b2", "m-social");
    const before = publicTicket(h.state, h.ticket("b2")).estimatedWaitSec;
    h.issue("b3", "m-social");
    expect(publicTicket(h.state, h.ticket("b2")).estimatedWaitSec).toBe(before);
    h.issue("g1", "m-social", { priority: "green" });
    expect(publicTicket(h.state, h.ticket("b2")).estimatedWaitSec).toBeGreaterThan(before);
    // The green visitor's own estimate ignores the normal line it jumps.
    expect(publicTicket(h.state, h.ticket("g1")).estimatedWaitSec).toBeLessThan(
      publicTicket(h.state, h.ticket("b2")).estimatedWaitSec,
    );
  });

  it("gives a comprehensive window's time to the series whose visitors waited longest", () => {
    const hall = (taxFirst: number) => {
      const h = new TestHall();
      h.signIn("c2");
      h.signIn("c9");
      for (const id of ["x1", "x2"]) h.issue(id, "m-social");
      h.callNext("c2");
      h.callNext("c9");
      // c9 also serves the tax series: who came first there is called first at c9.
      for (let i = 0; i < taxFirst; i++) h.tick().issue(`a${i}`, "m-tax-reg");
      for (const id of ["b1", "b2", "b3", "b4"]) h.tick().issue(id, "m-social");
      for (let i = taxFirst; i < 20; i++) h.tick().issue(`a${i}`, "m-tax-reg");
      return h;
    };
    const q = hall(0);
    const quiet = publicTicket(q.state, q.ticket("b4")).estimatedWaitSec;
    const h = hall(20);
    expect(publicTicket(h.state, h.ticket("b4")).estimatedWaitSec).toBeGreaterThan(quiet);
  });
});
