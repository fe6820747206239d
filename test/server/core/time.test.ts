import { describe, expect, it } from "vitest";
import { decide } from "../../../server/src/core/decide.ts";
import { initialState } from "../../../server/src/core/state.ts";
import { localDay, localParts, withinWindows } from "../../../server/src/core/time.ts";
import { DAY, TZ, local, makeCatalogue } from "./fixtures.ts";

describe("core/time localDay", () => {
  it("changes day at local midnight in Shanghai, which is 16:00 UTC", () => {
    expect(localDay(Date.UTC(2025, 2, 10, 15, 59, 59, 999), TZ)).toBe("2025-03-10");
    expect(localDay(Date.UTC(2025, 2, 10, 16, 0, 0, 0), TZ)).toBe("2025-03-11");
  });

  it("does not change day at UTC midnight (08:00 local)", () => {
    expect(localDay(Date.UTC(2025, 2, 10, 23, 59), TZ)).toBe("2025-03-11");
    expect(localDay(Date.UTC(2025, 2, 11, 0, 0), TZ)).toBe("2025-03-11");
  });

  it("crosses month and year boundaries on the local calendar", () => {
    expect(localDay(Date.UTC(2024, 11, 31, 16, 0), TZ)).toBe("2025-01-01");
    expect(localDay(Date.UTC(2024, 1, 28, 16, 0), TZ)).toBe("2024-02-29");
  });
});

describe("core/time localParts", () => {
  it("gives hour 0, not 24, just after local midnight", () => {
    expect(localParts(Date.UTC(2025, 2, 10, 16, 0), TZ)).toEqual({ day: "2025-03-11", hour: 0, minute: 0 });
    expect(localParts(Date.UTC(2025, 2, 10, 16, 7), TZ)).toEqual({ day: "2025-03-11", hour: 0, minute: 7 });
  });

  it("maps 00:30 UTC to 08:30 local", () => {
    expect(localParts(Date.UTC(2025, 2, 10, 0, 30), TZ)).toEqual({ day: "2025-03-10", hour: 8, minute: 30 });
  });

  it("honours the zone it is given", () => {
    expect(localParts(Date.UTC(2025, 2, 10, 0, 30), "UTC")).toEqual({ day: "2025-03-10", hour: 0, minute: 30 });
  });
});

describe("core/time withinWindows", () => {
  const windows = [
    { from: "08:30", to: "12:00" },
    { from: "13:30", to: "17:00" },
  ];
  it("accepts from the first minute to the last minute inclusive", () => {
    expect(withinWindows({ day: DAY, hour: 8, minute: 29 }, windows)).toBe(false);
    expect(withinWindows({ day: DAY, hour: 8, minute: 30 }, windows)).toBe(true);
    expect(withinWindows({ day: DAY, hour: 12, minute: 0 }, windows)).toBe(true);
    expect(withinWindows({ day: DAY, hour: 12, minute: 1 }, windows)).toBe(false);
    expect(withinWindows({ day: DAY, hour: 13, minute: 30 }, windows)).toBe(true);
  });

  it("treats no windows as always open", () => {
    expect(withinWindows({ day: DAY, hour: 3, minute: 0 }, [])).toBe(true);
  });
});

describe("core/state initialState", () => {
  it("starts every queue's numbering at 001 on a new local day", () => {
    const catalogue = makeCatalogue();
    const yesterday = initialState(catalogue, "2025-03-10");
    let last = "";
    for (let i = 0; i < 5; i++) {
      const r = decide(
        yesterday,
        { type: "issue", ticketId: `y${i}`, matterId: "m-social", priority: "normal", source: "k" },
        local("23:50"),
      );
      if ("error" in r) throw new Error(r.error);
      last = yesterday.tickets.get(`y${i}`)?.number ?? "";
    }
    expect(last).toBe("B005");

    // 16:00 UTC is the next local day: the hub builds a fresh state for it.
    const nextMidnight = Date.UTC(2025, 2, 10, 16, 0);
    const today = initialState(catalogue, localDay(nextMidnight, TZ));
    const r = decide(
      today,
      { type: "issue", ticketId: "t0", matterId: "m-social", priority: "normal", source: "k" },
      nextMidnight,
    );
    if ("error" in r) throw new Error(r.error);
    expect(today.day).toBe("2025-03-11");
    expect(today.tickets.get("t0")).toMatchObject({ number: "B001", seq: 1, day: "2025-03-11" });
  });

  it("starts with every counter closed and every line empty", () => {
    const s = initialState(makeCatalogue(), DAY);
    expect([...s.counters.values()].map((c) => c.view.status)).toEqual(["closed", "closed", "closed", "closed"]);
    expect([...s.lines.values()].every((l) => l.green.length + l.appointment.length + l.normal.length === 0)).toBe(true);
    expect(s.tickets.size).toBe(0);
  });
});
