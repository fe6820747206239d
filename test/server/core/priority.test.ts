import { describe, expect, it } from "vitest";
import type { PriorityClass } from "../../../server/src/contract/catalogue.ts";
import { APPOINTMENT_EARLY_MS } from "../../../server/src/core/decide.ts";
import { MIN, TestHall, local, makeCatalogue } from "./fixtures.ts";

/** Calls `n` tickets at a counter and returns their numbers. */
function callNumbers(h: TestHall, counterId: string, n: number): (string | undefined)[] {
  return Array.from({ length: n }, () => h.callNextNumber(counterId));
}

describe("core/decide callNext priority classes", () => {
  it("interleaves the classes by weight {green:1, appointment:1, normal:2} in every cycle of four", () => {
    const h = new TestHall();
    for (let i = 0; i < 8; i++) {
      h.tick(1000);
      h.issue(`g${i}`, "m-social", { priority: "green" });
      h.issue(`a${i}`, "m-social", { priority: "appointment", appointmentAt: h.now });
      h.issue(`n${i}`, "m-social");
      h.issue(`m${i}`, "m-social");
    }
    h.signIn("c2");
    const classes: PriorityClass[] = [];
    for (let i = 0; i < 16; i++) {
      const id = h.callNext("c2").find((e) => e.type === "ticket.called");
      if (id?.type !== "ticket.called") throw new Error("nothing called");
      classes.push(h.ticket(id.ticketId).priority);
    }
    for (let cycle = 0; cycle < 4; cycle++) {
      const w = classes.slice(cycle * 4, cycle * 4 + 4);
      expect(w.filter((c) => c === "green")).toHaveLength(1);
      expect(w.filter((c) => c === "appointment")).toHaveLength(1);
      expect(w.filter((c) => c === "normal")).toHaveLength(2);
    }
  });

  it("serves the only class waiting without waiting for its turn", () => {
    const h = new TestHall();
    for (let i = 0; i < 4; i++) h.tick().issue(`g${i}`, "m-social", { priority: "green" });
    h.signIn("c2");
    expect(callNumbers(h, "c2", 4)).toEqual(["B001", "B002", "B003", "B004"]);
  });

  it("treats a class of weight 0 as 'only when nobody else waits'", () => {
    const cat = makeCatalogue((c) => {
      for (const k of c.counters) k.profile.weights = { green: 1, appointment: 1, normal: 0 };
    });
    const h = new TestHall(cat);
    h.issue("n1", "m-social");
    h.tick().issue("g1", "m-social", { priority: "green" });
    h.tick().issue("g2", "m-social", { priority: "green" });
    h.signIn("c2");
    expect(callNumbers(h, "c2", 3)).toEqual(["B002", "B003", "B001"]);
  });

  it("within a class, the longest wait across all the counter's queues goes first", () => {
    const h = new TestHall();
    h.issue("b1", "m-social", { priority: "green" });
    h.tick().issue("a1", "m-tax-reg", { priority: "green" });
    h.tick().issue("c1", "m-id", { priority: "green" });
    h.tick().issue("b2", "m-social", { priority: "green" });
    h.signIn("c9");
    expect(callNumbers(h, "c9", 4)).toEqual(["B001", "A001", "C001", "B002"]);
  });

  it("keeps the round-robin credits of a counter between calls (recorded on the call event)", () => {
    const h = new TestHall();
    for (let i = 0; i < 3; i++) {
      h.issue(`g${i}`, "m-social", { priority: "green" });
      h.issue(`n${i}`, "m-social");
    }
    h.signIn("c2");
    const e = h.callNext("c2")[0];
    expect(e).toMatchObject({ type: "ticket.called", credits: expect.any(Object) });
    expect(h.state.counters.get("c2")?.credits).toEqual(e && e.type === "ticket.called" ? e.credits : undefined);
  });
});

describe("core/decide appointments", () => {
  /** n1 09:00, n2 09:01 normal; p1 09:05 appointment for a 10:00 slot. */
  function appointmentHall() {
    const h = new TestHall(makeCatalogue(), local("09:00"));
    h.issue("n1", "m-social");
    h.tick().issue("n2", "m-social");
    h.tick(4 * MIN).issue("p1", "m-social", { priority: "appointment", appointmentAt: local("10:00") });
    h.signIn("c2");
    return h;
  }

  it("is 15 minutes early", () => {
    expect(APPOINTMENT_EARLY_MS).toBe(15 * MIN);
  });

  it("competes as a normal ticket, by arrival, until 15 minutes before its slot", () => {
    const h = appointmentHall();
    h.now = local("09:44") + 59_000;
    expect(callNumbers(h, "c2", 3)).toEqual(["B001", "B002", "B003"]);
  });

  it("joins the appointment class from 15 minutes before its slot", () => {
    const h = appointmentHall();
    h.now = local("09:45");
    // normal (n1), then the appointment's turn, then normal (n2).
    expect(callNumbers(h, "c2", 3)).toEqual(["B001", "B003", "B002"]);
  });

  it("is called before later normal arrivals even when not yet due", () => {
    const h = new TestHall(makeCatalogue(), local("09:00"));
    h.issue("p1", "m-social", { priority: "appointment", appointmentAt: local("11:00") });
    h.tick().issue("n1", "m-social");
    h.signIn("c2");
    expect(callNumbers(h, "c2", 2)).toEqual(["B001", "B002"]);
  });

  it("is still callable when nothing else waits, even hours early", () => {
    const h = new TestHall(makeCatalogue(), local("08:00"));
    h.issue("p1", "m-social", { priority: "appointment", appointmentAt: local("15:00") });
    h.signIn("c2");
    expect(callNumbers(h, "c2", 1)).toEqual(["B001"]);
  });
});
