import { describe, expect, it } from "vitest";
import type { CallInfo, LiveStats, PublicTicket, CounterState } from "../../server/src/contract/index.ts";
import { type HallPicture, hallReducer, RECENT_CALLS, waitingIn } from "../../ui-shared/store.ts";

function ticket(id: string, over: Partial<PublicTicket> = {}): PublicTicket {
  return {
    id,
    number: id.toUpperCase(),
    queueId: "qa",
    matterId: "m1",
    priority: "normal",
    status: "waiting",
    issuedAt: 1,
    recalls: 0,
    position: 0,
    estimatedWaitSec: 0,
    ...over,
  };
}
function call(ticketId: string, counterId = "c01", at = 10): CallInfo {
  return {
    ticketId,
    number: ticketId.toUpperCase(),
    counterId,
    counterNumber: 1,
    counterName: "1号窗口",
    zoneId: "z1",
    at,
    recall: 0,
  };
}
const stats = { day: "2024-05-06", issued: 2 } as LiveStats;
function snapshot(over: Partial<HallPicture> = {}): HallPicture {
  return {
    day: "2024-05-06",
    catalogueVersion: "v1",
    catalogue: {
      version: "v1",
      hall: {} as HallPicture["catalogue"]["hall"],
      zones: [],
      departments: [],
      matters: [],
      queues: [],
      counters: [],
    },
    counters: [{ id: "c01", status: "idle", ratingRequested: false, servedToday: 0 }],
    active: [ticket("a1"), ticket("a2")],
    recentCalls: [],
    stats,
    devices: [],
    voice: false,
    ...over,
  };
}

describe("ui-shared/store snapshot + delta reducer", () => {
  it("ignores deltas before the first snapshot and takes the snapshot whole", () => {
    expect(hallReducer(null, { type: "ticket:issued", payload: ticket("a9") })).toBeNull();
    const s = hallReducer(null, { type: "hall:snapshot", payload: snapshot() });
    expect(s?.active.map((t) => t.id)).toEqual(["a1", "a2"]);
  });

  it("a fresh snapshot replaces everything folded before (redraw after reconnect)", () => {
    let s = hallReducer(null, { type: "hall:snapshot", payload: snapshot() });
    s = hallReducer(s, { type: "ticket:issued", payload: ticket("a3") });
    s = hallReducer(s, { type: "hall:snapshot", payload: snapshot({ active: [ticket("b1", { queueId: "qb" })] }) });
    expect(s?.active.map((t) => t.id)).toEqual(["b1"]);
  });

  it("appends issued tickets in line order and updates them in place", () => {
    let s = hallReducer(null, { type: "hall:snapshot", payload: snapshot() });
    s = hallReducer(s, { type: "ticket:issued", payload: ticket("a3") });
    s = hallReducer(s, { type: "ticket:updated", payload: ticket("a2", { priority: "green" }) });
    expect(s?.active.map((t) => `${t.id}:${t.priority}`)).toEqual(["a1:normal", "a2:green", "a3:normal"]);
    expect(waitingIn(s, "qa").map((t) => t.id)).toEqual(["a1", "a2", "a3"]);
  });

  it("drops tickets that leave the active statuses", () => {
    let s = hallReducer(null, { type: "hall:snapshot", payload: snapshot() });
    s = hallReducer(s, { type: "ticket:updated", payload: ticket("a1", { status: "done" }) });
    s = hallReducer(s, { type: "ticket:updated", payload: ticket("a2", { status: "no_show" }) });
    expect(s?.active).toEqual([]);
  });

  const cs = (id = "c01", status: CounterState["status"] = "calling"): CounterState => ({
    id,
    status,
    ratingRequested: false,
    servedToday: 0,
  });

  it("takes the counter's new state and the ticket a call closed from ticket:called", () => {
    let s = hallReducer(null, { type: "hall:snapshot", payload: snapshot() });
    s = hallReducer(s, {
      type: "ticket:called",
      payload: {
        counter: cs("c09", "calling"),
        ticket: ticket("a1", { status: "called", counterId: "c09" }),
        call: call("a1", "c09", 10),
      },
    });
    expect(s?.counters.find((c) => c.id === "c09")?.status).toBe("calling");
    s = hallReducer(s, {
      type: "ticket:called",
      payload: {
        counter: { ...cs("c09", "calling"), servedToday: 1 },
        ticket: ticket("a2", { status: "called", counterId: "c09" }),
        call: call("a2", "c09", 11),
        finished: ticket("a1", { status: "done", counterId: "c09" }),
      },
    });
    expect(s?.active.find((t) => t.id === "a1")).toBeUndefined();
    expect(s?.active.find((t) => t.id === "a2")?.status).toBe("called");
    expect(s?.counters.find((c) => c.id === "c09")?.servedToday).toBe(1);
  });

  it("records calls newest first, once per ticket and counter, at most 20", () => {
    let s = hallReducer(null, { type: "hall:snapshot", payload: snapshot() });
    s = hallReducer(s, {
      type: "ticket:called",
      payload: { counter: cs(), ticket: ticket("a1", { status: "called", counterId: "c01" }), call: call("a1", "c01", 10) },
    });
    s = hallReducer(s, {
      type: "ticket:called",
      payload: { counter: cs(), ticket: ticket("a2", { status: "called" }), call: call("a2", "c02", 11) },
    });
    s = hallReducer(s, {
      type: "ticket:called",
      payload: {
        counter: cs(),
        ticket: ticket("a1", { status: "called", recalls: 1 }),
        call: { ...call("a1", "c01", 12), recall: 1 },
      },
    });
    expect(s?.recentCalls.map((c) => `${c.ticketId}@${c.at}`)).toEqual(["a1@12", "a2@11"]);
    expect(s?.active.find((t) => t.id === "a1")?.status).toBe("called");
    expect(waitingIn(s, "qa")).toEqual([]);
    for (let i = 0; i < 30; i++)
      s = hallReducer(s, {
        type: "ticket:called",
        payload: { counter: cs(), ticket: ticket(`x${i}`, { status: "called" }), call: call(`x${i}`) },
      });
    expect(s?.recentCalls).toHaveLength(RECENT_CALLS);
    expect(s?.recentCalls[0]?.ticketId).toBe("x29");
  });

  it("upserts counters and devices, replaces stats, and clears the line on a new day", () => {
    let s = hallReducer(null, { type: "hall:snapshot", payload: snapshot() });
    s = hallReducer(s, {
      type: "counter:updated",
      payload: { id: "c01", status: "paused", pauseReason: "休息", ratingRequested: false, servedToday: 3 },
    });
    s = hallReducer(s, {
      type: "counter:updated",
      payload: { id: "c02", status: "idle", ratingRequested: false, servedToday: 0 },
    });
    s = hallReducer(s, { type: "device:status", payload: { id: "printer-k1", kind: "printer", health: "paper_out", since: 5 } });
    s = hallReducer(s, { type: "stats:live", payload: { ...stats, issued: 9 } });
    expect(s?.counters.map((c) => `${c.id}:${c.status}`)).toEqual(["c01:paused", "c02:idle"]);
    expect(s?.devices[0]?.health).toBe("paper_out");
    expect(s?.stats.issued).toBe(9);
    s = hallReducer(s, { type: "hall:day", payload: { day: "2024-05-07" } });
    expect(s?.day).toBe("2024-05-07");
    expect(s?.active).toEqual([]);
  });
});
