import { describe, expect, it } from "vitest";
import { allowedActions } from "../../../server/src/core/allowed.ts";
import { makeCatalogue, TestHall } from "./fixtures.ts";

const c1 = { counterId: "c1", staffId: "staff-c1" };

function calledAtC1(h: TestHall): TestHall {
  h.issue("t1", "m-tax-reg");
  h.issue("t2", "m-tax-reg");
  h.signIn("c1");
  h.ok({ type: "callNext", ...c1 });
  return h;
}

describe("core/decide callNext while a ticket is only called (issue 8.1)", () => {
  it("refuses a second call-next from a page with TICKET_ALREADY_CALLED and changes nothing", () => {
    const h = calledAtC1(new TestHall());
    const before = h.state.eventCount;
    expect(h.err({ type: "callNext", ...c1 })).toBe("TICKET_ALREADY_CALLED");
    expect(h.ticket("t1").status).toBe("called");
    expect(h.ticket("t2").status).toBe("waiting");
    expect(h.state.eventCount).toBe(before);
  });

  it("never finishes a called ticket as completed, even the instant after the call", () => {
    const h = calledAtC1(new TestHall());
    h.tick(2);
    expect(h.err({ type: "callNext", ...c1 })).toBe("TICKET_ALREADY_CALLED");
    expect(h.ticket("t1").outcome).toBeUndefined();
    expect(h.state.counters.get("c1")?.view.servedToday).toBe(0);
  });

  it("a keypad's next key within the grace time is refused too", () => {
    const h = calledAtC1(new TestHall());
    h.tick(59_000);
    expect(h.err({ type: "callNext", ...c1, keypad: true })).toBe("TICKET_ALREADY_CALLED");
    expect(h.ticket("t1").status).toBe("called");
  });

  it("a keypad's next key after the grace time records a no-show, then calls the next", () => {
    const h = calledAtC1(new TestHall());
    h.tick(60_000);
    const events = h.ok({ type: "callNext", ...c1, keypad: true });
    expect(events.map((e) => e.type)).toEqual(["ticket.no_show", "ticket.called"]);
    expect(h.ticket("t1")).toMatchObject({ status: "no_show" });
    expect(h.ticket("t1").outcome).toBeUndefined();
    expect(h.ticket("t2").status).toBe("called");
    expect(h.state.counters.get("c1")?.view.servedToday).toBe(0);
  });

  it("follows the hall's noShowGraceSec", () => {
    const h = calledAtC1(
      new TestHall(
        makeCatalogue((c) => {
          c.hall.noShowGraceSec = 10;
        }),
      ),
    );
    h.tick(9_000);
    expect(h.err({ type: "callNext", ...c1, keypad: true })).toBe("TICKET_ALREADY_CALLED");
    h.tick(1_000);
    expect(h.ok({ type: "callNext", ...c1, keypad: true }).map((e) => e.type)).toEqual(["ticket.no_show", "ticket.called"]);
  });

  it("still closes a ticket being served (keypads have no finish key)", () => {
    const h = calledAtC1(new TestHall());
    h.ok({ type: "start", ...c1 });
    const events = h.ok({ type: "callNext", ...c1 });
    expect(events[0]).toMatchObject({ type: "ticket.finished", ticketId: "t1", auto: true, outcome: "completed" });
  });

  it("calling a listed ticket is refused while another is called here", () => {
    const h = calledAtC1(new TestHall());
    expect(h.err({ type: "callTicket", ...c1, ticketId: "t2" })).toBe("TICKET_ALREADY_CALLED");
  });
});

describe("core/allowed allowedActions (issue 8.9)", () => {
  it("a closed counter allows nothing", () => {
    const h = new TestHall();
    expect(allowedActions(h.state, "c1", h.now)).toEqual([]);
  });

  it("an idle counter may call, pause and sign out; nothing about a ticket", () => {
    const h = new TestHall();
    h.signIn("c1");
    const a = allowedActions(h.state, "c1", h.now);
    expect(a).toEqual(expect.arrayContaining(["call-next", "call", "pause", "sign-out"]));
    for (const x of ["recall", "start", "finish", "no-show", "park", "transfer", "resume"]) expect(a).not.toContain(x);
  });

  it("a paused counter cannot call (next or listed), only resume", () => {
    const h = new TestHall();
    h.issue("t1", "m-tax-reg");
    h.signIn("c1");
    h.ok({ type: "pause", ...c1, reason: "休息" });
    const a = allowedActions(h.state, "c1", h.now);
    expect(a).toContain("resume");
    expect(a).not.toContain("call-next");
    expect(a).not.toContain("call");
    expect(a).not.toContain("pause");
  });

  it("with a called ticket: recall, start, no-show, finish, park, transfer — but not call-next", () => {
    const h = calledAtC1(new TestHall());
    const a = allowedActions(h.state, "c1", h.now);
    expect(a).toEqual(expect.arrayContaining(["recall", "start", "no-show", "finish", "park", "transfer"]));
    expect(a).not.toContain("call-next");
    expect(a).not.toContain("call");
    expect(a).not.toContain("sign-out");
  });

  it("while serving: finish, park, transfer, call-next (closes it), rating; no recall or no-show", () => {
    const h = calledAtC1(new TestHall());
    h.ok({ type: "start", ...c1 });
    const a = allowedActions(h.state, "c1", h.now);
    expect(a).toEqual(expect.arrayContaining(["finish", "park", "transfer", "call-next", "request-rating"]));
    expect(a).not.toContain("recall");
    expect(a).not.toContain("no-show");
  });
});
