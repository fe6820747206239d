import { describe, expect, it } from "vitest";
import { patchedQueues } from "../../counter-ui/queue-list.ts";
import type { CounterView, PublicTicket } from "../../server/src/contract/index.ts";

const tk = (id: string, queueId: string, status: PublicTicket["status"] = "waiting"): PublicTicket => ({
  id,
  number: id.toUpperCase(),
  queueId,
  matterId: "m",
  priority: "normal",
  status,
  issuedAt: 0,
  recalls: 0,
  position: 0,
  estimatedWaitSec: 0,
});

const lists = (): CounterView["queues"] => [
  { queueId: "qa", waiting: 2, next: [tk("a1", "qa"), tk("a2", "qa")] },
  { queueId: "qb", waiting: 0, next: [] },
];

describe("counter-ui patchedQueues", () => {
  it("adds a newly issued ticket at the end of its queue and counts it", () => {
    const q = patchedQueues(lists(), tk("a3", "qa"));
    expect(q[0]?.waiting).toBe(3);
    expect(q[0]?.next.map((t) => t.id)).toEqual(["a1", "a2", "a3"]);
    expect(q[1]).toEqual(lists()[1]);
  });

  it("removes a ticket another counter called", () => {
    const q = patchedQueues(lists(), tk("a1", "qa", "called"));
    expect(q[0]).toMatchObject({ waiting: 1, next: [{ id: "a2" }] });
  });

  it("counts a called ticket that was beyond the shown ten", () => {
    const full: CounterView["queues"] = [
      { queueId: "qa", waiting: 15, next: Array.from({ length: 10 }, (_, i) => tk(`a${i}`, "qa")) },
    ];
    const q = patchedQueues(full, tk("a14", "qa", "called"));
    expect(q[0]?.waiting).toBe(14);
    expect(q[0]?.next).toHaveLength(10);
    const more = patchedQueues(full, tk("a15", "qa"));
    expect(more[0]).toMatchObject({ waiting: 16 });
    expect(more[0]?.next).toHaveLength(10);
  });

  it("moves a ticket transferred to another queue this counter serves", () => {
    const q = patchedQueues(lists(), tk("a2", "qb"));
    expect(q[0]).toMatchObject({ waiting: 1, next: [{ id: "a1" }] });
    expect(q[1]).toMatchObject({ waiting: 1, next: [{ id: "a2" }] });
  });

  it("leaves out a ticket transferred to another counter, but keeps one transferred to this one", () => {
    const away = { ...tk("a1", "qa"), targetCounterId: "c17" };
    expect(patchedQueues(lists(), away, "c03")[0]).toMatchObject({ waiting: 1, next: [{ id: "a2" }] });
    const here = { ...tk("a9", "qa"), targetCounterId: "c03" };
    expect(patchedQueues(lists(), here, "c03")[0]).toMatchObject({ waiting: 3 });
  });
});
