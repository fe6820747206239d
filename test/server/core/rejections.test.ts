import { describe, expect, it } from "vitest";
import type { ErrorCode } from "../../../server/src/contract/errors.ts";
import { decide } from "../../../server/src/core/decide.ts";
import type { Command } from "../../../server/src/core/model.ts";
import { MIN, TestHall, snapshotOf } from "./fixtures.ts";

/**
 * A hall with something in every state: c1 serving a1, c2 paused, c3 closed, c9 idle;
 * a parked ticket, an expired no-show, a rated done ticket, waiting tickets.
 */
function busyHall(): TestHall {
  const h = new TestHall();
  for (const id of ["a1", "a2", "a3", "a4"]) h.tick().issue(id, "m-tax-reg");
  h.issue("b1", "m-social", { idHash: "h1" });
  h.issue("c1", "m-id");
  h.signIn("c1");
  h.signIn("c2");
  h.signIn("c9");
  h.callNext("c1"); // a1
  h.ok({ type: "park", counterId: "c1", staffId: "staff-c1" });
  h.callNext("c1"); // a2
  h.ok({ type: "noShow", counterId: "c1", staffId: "staff-c1" });
  h.callNext("c1"); // a3
  h.finish("c1");
  h.ok({ type: "rate", counterId: "c1", score: 4 });
  h.tick(40 * MIN);
  h.callNext("c1"); // a4
  h.ok({ type: "start", counterId: "c1", staffId: "staff-c1" });
  h.ok({ type: "pause", counterId: "c2", staffId: "staff-c2", reason: "break" });
  return h;
}

const s = (counterId: string) => ({ counterId, staffId: `staff-${counterId}` });

const REJECTED: [string, Command, ErrorCode][] = [
  [
    "issue for an unknown matter",
    { type: "issue", ticketId: "n", matterId: "zz", priority: "normal", source: "k" },
    "UNKNOWN_MATTER",
  ],
  [
    "issue with a used id",
    { type: "issue", ticketId: "a1", matterId: "m-social", priority: "normal", source: "k" },
    "VALIDATION_FAILED",
  ],
  [
    "issue twice per ID card",
    { type: "issue", ticketId: "n", matterId: "m-social", priority: "normal", source: "k", idHash: "h1" },
    "DUPLICATE_ID_TICKET",
  ],
  [
    "sign in to a held counter",
    { type: "signIn", counterId: "c1", staffId: "x", staffName: "x", takeover: false },
    "COUNTER_TAKEN",
  ],
  [
    "sign in elsewhere while serving",
    { type: "signIn", counterId: "c3", staffId: "staff-c1", staffName: "x", takeover: false },
    "INVALID_TRANSITION",
  ],
  ["sign out while serving", { type: "signOut", ...s("c1") }, "INVALID_TRANSITION"],
  ["call next at a closed counter", { type: "callNext", ...s("c3") }, "COUNTER_CLOSED"],
  ["call next at a paused counter", { type: "callNext", ...s("c2") }, "COUNTER_PAUSED"],
  ["call an unknown counter", { type: "callNext", ...s("c404") }, "UNKNOWN_COUNTER"],
  ["call a ticket being served elsewhere", { type: "callTicket", ...s("c9"), ticketId: "a4" }, "TICKET_NOT_CALLABLE"],
  ["call a ticket of a queue the counter does not serve", { type: "callTicket", ...s("c1"), ticketId: "b1" }, "QUEUE_NOT_SERVED"],
  ["call a done ticket", { type: "callTicket", ...s("c9"), ticketId: "a3" }, "TICKET_NOT_CALLABLE"],
  ["call back an expired no-show", { type: "callTicket", ...s("c9"), ticketId: "a2" }, "REACTIVATION_EXPIRED"],
  ["recall a ticket being served", { type: "recall", ...s("c1") }, "INVALID_TRANSITION"],
  ["start with nobody called", { type: "start", ...s("c9") }, "NO_CURRENT_TICKET"],
  ["finish with nobody called", { type: "finish", ...s("c9"), outcome: "completed" }, "NO_CURRENT_TICKET"],
  ["no-show a ticket being served", { type: "noShow", ...s("c1") }, "INVALID_TRANSITION"],
  ["transfer nowhere", { type: "transfer", ...s("c1") }, "VALIDATION_FAILED"],
  ["transfer to an unknown queue", { type: "transfer", ...s("c1"), toQueueId: "qZ" }, "UNKNOWN_QUEUE"],
  ["park with nobody called", { type: "park", ...s("c9") }, "NO_CURRENT_TICKET"],
  ["pause while serving", { type: "pause", ...s("c1"), reason: "x" }, "INVALID_TRANSITION"],
  ["pause twice", { type: "pause", ...s("c2"), reason: "x" }, "COUNTER_PAUSED"],
  ["resume a running counter", { type: "resume", ...s("c9") }, "COUNTER_NOT_PAUSED"],
  ["request a rating where nobody was served", { type: "requestRating", ...s("c9") }, "NO_CURRENT_TICKET"],
  ["rate twice", { type: "rate", ticketId: "a3", score: 1 }, "ALREADY_RATED"],
  ["rate a waiting ticket", { type: "rate", ticketId: "b1", score: 1 }, "INVALID_TRANSITION"],
  ["rate with no target", { type: "rate", score: 1 }, "VALIDATION_FAILED"],
  ["reactivate an expired no-show", { type: "reactivate", ticketId: "a2", by: "v" }, "REACTIVATION_EXPIRED"],
  ["reactivate a waiting ticket", { type: "reactivate", ticketId: "b1", by: "v" }, "INVALID_TRANSITION"],
  ["cancel a ticket being served", { type: "cancel", ticketId: "a4", by: "v" }, "INVALID_TRANSITION"],
  ["cancel an unknown ticket", { type: "cancel", ticketId: "zz", by: "v" }, "UNKNOWN_TICKET"],
];

describe("core/decide rejections", () => {
  it.each(REJECTED)("%s is rejected and changes nothing", (_, cmd, code) => {
    const h = busyHall();
    const before = snapshotOf(h.state);
    const r = decide(h.state, cmd, h.now);
    expect(r).toMatchObject({ error: code, message: expect.any(String) });
    expect(snapshotOf(h.state)).toEqual(before);
  });

  it("snapshotOf sees a change anywhere a command could make one", () => {
    // Guards the guard: if snapshotOf missed a field, "changes nothing" would prove little.
    const h = busyHall();
    const before = snapshotOf(h.state);
    const mutations: ((x: TestHall) => void)[] = [
      (x) => void x.ticket("b1").notes.push("n"),
      (x) => void x.state.seq.set("qB", 9),
      (x) => void x.state.lines.get("qB")?.normal.pop(),
      (x) => void (x.state.counters.get("c9") as { credits: { green: number } }).credits.green++,
      (x) => void x.state.idKeys.add("k"),
      (x) => void x.state.agg.arrivalsByHour.fill(1, 3, 4),
      (x) => void x.state.agg.byDepartment.set("d-x", { issued: 1, done: 0, completed: 0 }),
      (x) => void x.state.serviceEwma.set("qC", 1),
      (x) => void x.state.recentCalls.pop(),
    ];
    for (const m of mutations) {
      const fresh = busyHall();
      m(fresh);
      expect(snapshotOf(fresh.state)).not.toEqual(before);
    }
    expect(snapshotOf(busyHall().state)).toEqual(before);
  });
});
