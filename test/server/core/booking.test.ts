import { describe, expect, it } from "vitest";
import { applyAll, initialState } from "../../../server/src/core/index.ts";
import type { HallEvent } from "../../../server/src/core/index.ts";
import { DAY, TestHall, makeCatalogue } from "./fixtures.ts";

describe("core/decide issue with a booking code", () => {
  it("carries the code in ticket.issued and refuses the same code again with BOOKING_USED", () => {
    const h = new TestHall();
    const slot = h.now + 30 * 60_000;
    const events = h.ok({
      type: "issue",
      ticketId: "t1",
      matterId: "m-tax-reg",
      priority: "appointment",
      source: "k1",
      appointmentAt: slot,
      bookingCode: "K7M2QX9TRB",
    });
    expect(events[0]).toMatchObject({ type: "ticket.issued", bookingCode: "K7M2QX9TRB" });
    expect(
      h.err({
        type: "issue",
        ticketId: "t2",
        matterId: "m-tax-reg",
        priority: "appointment",
        source: "k2",
        appointmentAt: slot,
        bookingCode: "K7M2QX9TRB",
      }),
    ).toBe("BOOKING_USED");
    expect(h.state.tickets.has("t2")).toBe(false);
  });

  it("a replayed day knows its used codes (a restart can't use one twice)", () => {
    const h = new TestHall();
    const events: HallEvent[] = h.ok({
      type: "issue",
      ticketId: "t1",
      matterId: "m-tax-reg",
      priority: "appointment",
      source: "k1",
      appointmentAt: h.now,
      bookingCode: "ABCDEFGH23",
    });
    const replayed = applyAll(initialState(makeCatalogue(), DAY), events);
    expect(replayed.bookingsUsed.get("ABCDEFGH23")).toBe("t1");
  });
});
