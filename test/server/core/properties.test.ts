/**
 * Property tests of the engine: random command sequences over the small test hall, on a
 * clock that only moves forward, checked against the invariants the hall relies on.
 */
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { type PriorityClass, PRIORITY_CLASSES } from "../../../server/src/contract/catalogue.ts";
import type { Outcome, RatingScore, Ticket } from "../../../server/src/contract/tickets.ts";
import { applyAll } from "../../../server/src/core/apply.ts";
import { decide } from "../../../server/src/core/decide.ts";
import type { Command, HallEvent } from "../../../server/src/core/model.ts";
import { type HallState, initialState, lineOrder } from "../../../server/src/core/state.ts";
import { DAY, MIN, TestHall, local, makeCatalogue, snapshotOf } from "./fixtures.ts";

const RUNS = 200;
const MAX_STEPS = 80;

const COUNTERS = ["c1", "c2", "c3", "c9"] as const;
const QUEUES = ["qA", "qB", "qC", "qZ"] as const; // qZ does not exist
const MATTERS = ["m-tax-reg", "m-tax-invoice", "m-social", "m-id", "m-none"] as const;
const STAFF = ["s1", "s2", "s3", "s4", "s5"] as const;
const OUTCOME_LIST: Outcome[] = ["completed", "accepted_incomplete", "rejected", "referred"];

/** One random step: how long after the previous one, and what is asked. */
type Op =
  | { k: "issue"; matter: number; priority: PriorityClass; slotMin: number; reuseId: boolean; idHash: number }
  | { k: "signIn"; counter: number; staff: number; takeover: boolean }
  | {
      k: "counter";
      what: "signOut" | "callNext" | "recall" | "start" | "noShow" | "park" | "pause" | "resume" | "requestRating";
      counter: number;
    }
  | { k: "finish"; counter: number; outcome: number }
  | { k: "callTicket"; counter: number; ticket: number; reason: boolean }
  | { k: "transfer"; counter: number; toQueue: number; toCounter: number; priority: number }
  | { k: "rate"; byCounter: boolean; counter: number; ticket: number; score: number }
  | { k: "ticket"; what: "reactivate" | "cancel"; ticket: number };
type Step = { dt: number; op: Op };

const idx = (n: number) => fc.nat({ max: n - 1 });
const cls = fc.constantFrom<PriorityClass>(...PRIORITY_CLASSES);

const opArb: fc.Arbitrary<Op> = fc.oneof(
  {
    weight: 6,
    arbitrary: fc.record({
      k: fc.constant("issue" as const),
      matter: idx(MATTERS.length),
      priority: cls,
      slotMin: fc.integer({ min: -30, max: 90 }),
      reuseId: fc.constant(false),
      idHash: fc.nat({ max: 5 }),
    }),
  },
  {
    weight: 1,
    arbitrary: fc.record({
      k: fc.constant("issue" as const),
      matter: idx(MATTERS.length),
      priority: cls,
      slotMin: fc.constant(0),
      reuseId: fc.constant(true),
      idHash: fc.constant(5),
    }),
  },
  {
    weight: 2,
    arbitrary: fc.record({
      k: fc.constant("signIn" as const),
      counter: fc.nat(),
      staff: idx(STAFF.length),
      takeover: fc.boolean(),
    }),
  },
  {
    weight: 6,
    arbitrary: fc.record({ k: fc.constant("counter" as const), what: fc.constant("callNext" as const), counter: fc.nat() }),
  },
  {
    weight: 8,
    arbitrary: fc.record({
      k: fc.constant("counter" as const),
      // Repeats weight the pick: signing out and pausing block most other commands.
      what: fc.constantFrom(
        ...(["signOut", "pause", "requestRating", "resume", "resume", "recall", "recall"] as const),
        ...(["start", "start", "start", "noShow", "noShow", "park", "park"] as const),
      ),
      counter: fc.nat(),
    }),
  },
  {
    weight: 3,
    arbitrary: fc.record({ k: fc.constant("finish" as const), counter: fc.nat(), outcome: idx(OUTCOME_LIST.length) }),
  },
  {
    weight: 2,
    arbitrary: fc.record({ k: fc.constant("callTicket" as const), counter: fc.nat(), ticket: fc.nat(), reason: fc.boolean() }),
  },
  {
    weight: 2,
    arbitrary: fc.record({
      k: fc.constant("transfer" as const),
      counter: fc.nat(),
      toQueue: fc.nat({ max: QUEUES.length }), // == length: none
      toCounter: fc.nat({ max: COUNTERS.length * 2 }), // >= length: none
      priority: fc.nat({ max: PRIORITY_CLASSES.length }),
    }),
  },
  {
    weight: 1,
    arbitrary: fc.record({
      k: fc.constant("rate" as const),
      byCounter: fc.boolean(),
      counter: fc.nat(),
      ticket: fc.nat(),
      score: fc.integer({ min: 1, max: 5 }),
    }),
  },
  {
    weight: 2,
    arbitrary: fc.record({
      k: fc.constant("ticket" as const),
      what: fc.constantFrom("reactivate" as const, "cancel" as const),
      ticket: fc.nat(),
    }),
  },
);

/** Up to five minutes between steps, sometimes none (same-instant commands happen). */
const stepArb: fc.Arbitrary<Step> = fc.record({ dt: fc.oneof(fc.constant(0), fc.integer({ min: 1, max: 5 * MIN })), op: opArb });
/** Every counter signed in by its own clerk, at 08:31 (queue A opens at 08:30). */
const signInAll = (): Step[] =>
  COUNTERS.map((_, i) => ({ dt: i === 0 ? 31 * MIN : 0, op: { k: "signIn", counter: i, staff: i, takeover: false } }));

/** A day's random commands, after every counter has signed in (see {@link signInAll}). */
const stepsArb = fc.array(stepArb, { minLength: 10, maxLength: MAX_STEPS, size: "max" }).map((body) => [...signInAll(), ...body]);

/** Turns a random step into a command against the current state. */
function toCommand(state: HallState, op: Op, issued: string[], now: number): Command {
  const holder = (c: string) => state.counters.get(c)?.view.staffId ?? "s-nobody";
  // Odd picks go to a counter with a ticket, when there is one: idle counters reject most.
  const pickCounter = (n: number): string => {
    const busy = n % 2 ? COUNTERS.filter((c) => state.counters.get(c)?.view.currentTicketId) : [];
    return busy.length ? (busy[(n >> 1) % busy.length] as string) : (COUNTERS[n % COUNTERS.length] as string);
  };
  // Odd picks go to tickets set aside (parked, no-show): few, but with the most transitions.
  const pickTicket = (n: number) => {
    const aside = n % 2 ? issued.filter((id) => ["parked", "no_show"].includes(state.tickets.get(id)?.status ?? "")) : [];
    const pool = aside.length ? aside : issued;
    return pool.length ? (pool[(n >> 1) % pool.length] as string) : "t-none";
  };
  switch (op.k) {
    case "issue": {
      const ticketId = op.reuseId && issued.length ? (issued[0] as string) : `t${issued.length}`;
      return {
        type: "issue",
        ticketId,
        matterId: MATTERS[op.matter] as string,
        priority: op.priority,
        source: "kiosk-1",
        ...(op.priority === "appointment" && op.slotMin !== 0 ? { appointmentAt: now + op.slotMin * MIN } : {}),
        ...(op.idHash < 3 ? { idHash: `h${op.idHash}` } : {}),
      };
    }
    case "signIn": {
      const staffId = STAFF[op.staff] as string;
      return { type: "signIn", counterId: pickCounter(op.counter), staffId, staffName: staffId, takeover: op.takeover };
    }
    case "counter": {
      const counterId = pickCounter(op.counter);
      const staffId = holder(counterId);
      if (op.what === "pause") return { type: "pause", counterId, staffId, reason: "break" };
      return { type: op.what, counterId, staffId };
    }
    case "finish": {
      const counterId = pickCounter(op.counter);
      return { type: "finish", counterId, staffId: holder(counterId), outcome: OUTCOME_LIST[op.outcome] as Outcome };
    }
    case "callTicket": {
      const counterId = pickCounter(op.counter);
      return {
        type: "callTicket",
        counterId,
        staffId: holder(counterId),
        ticketId: pickTicket(op.ticket),
        ...(op.reason ? { reason: "VIP" } : {}),
      };
    }
    case "transfer": {
      const counterId = pickCounter(op.counter);
      const toQueueId = QUEUES[op.toQueue];
      const toCounterId = COUNTERS[op.toCounter];
      const priority = PRIORITY_CLASSES[op.priority];
      return {
        type: "transfer",
        counterId,
        staffId: holder(counterId),
        ...(toQueueId ? { toQueueId } : {}),
        ...(toCounterId ? { toCounterId } : {}),
        ...(priority ? { priority } : {}),
        note: "转",
      };
    }
    case "rate":
      return op.byCounter
        ? { type: "rate", counterId: pickCounter(op.counter), score: op.score as RatingScore }
        : { type: "rate", ticketId: pickTicket(op.ticket), score: op.score as RatingScore };
    case "ticket":
      return { type: op.what, ticketId: pickTicket(op.ticket), by: "visitor" };
  }
}

interface Run {
  state: HallState;
  /** Accepted events, copied through JSON as the journal stores them. */
  journal: HallEvent[];
  /** Every accepted step's events, in order, with the command that produced them. */
  accepted: { cmd: Command; events: HallEvent[]; now: number }[];
}

/**
 * Runs the steps from an empty day starting at 08:00 local (queue A opens at 08:30).
 * `onStep` sees the state after each accepted command; with `checkRejections`, every
 * rejected command is checked to have changed nothing (a snapshot per step: slower).
 */
function simulate(
  steps: Step[],
  onStep?: (state: HallState, cmd: Command, events: HallEvent[], now: number) => void,
  checkRejections = false,
): Run {
  const catalogue = makeCatalogue();
  let state = initialState(catalogue, DAY);
  let now = local("08:00");
  const issued: string[] = [];
  const journal: HallEvent[] = [];
  const accepted: Run["accepted"] = [];
  for (const step of steps) {
    now += step.dt;
    const cmd = toCommand(state, step.op, issued, now);
    const before = checkRejections ? JSON.stringify(snapshotOf(state)) : "";
    const r = decide(state, cmd, now);
    if ("error" in r) {
      if (checkRejections)
        expect(JSON.stringify(snapshotOf(state)), `rejected ${cmd.type} (${r.error}) changed the state`).toBe(before);
      continue;
    }
    state = r.state;
    journal.push(...(JSON.parse(JSON.stringify(r.events)) as HallEvent[]));
    accepted.push({ cmd, events: r.events, now });
    if (cmd.type === "issue") issued.push(cmd.ticketId);
    onStep?.(state, cmd, r.events, now);
  }
  return { state, journal, accepted };
}

/** The structural invariants: who holds which ticket, and which tickets are in line. */
function checkConsistency(state: HallState): void {
  const holders = new Map<string, string>();
  for (const [counterId, c] of state.counters) {
    const id = c.view.currentTicketId;
    if (!id) continue;
    expect(holders.has(id), `ticket ${id} is current at ${holders.get(id)} and ${counterId}`).toBe(false);
    holders.set(id, counterId);
    const t = state.tickets.get(id);
    expect(t?.status === "called" || t?.status === "serving", `current ticket ${id} at ${counterId} is ${t?.status}`).toBe(true);
    expect(t?.counterId).toBe(counterId);
    // The data wall shows this status: it must say what the counter is doing.
    expect(c.view.status, `${counterId} holds ${id} (${t?.status})`).toBe(t?.status === "serving" ? "serving" : "calling");
  }
  for (const [counterId, c] of state.counters) {
    if (!c.view.currentTicketId) expect(["closed", "idle", "paused"], `${counterId} holds nothing`).toContain(c.view.status);
    expect(c.view.status === "closed", `${counterId} status vs staff`).toBe(c.view.staffId === undefined);
  }
  for (const t of state.tickets.values()) {
    if (t.status === "called" || t.status === "serving")
      expect(holders.get(t.id), `${t.id} is ${t.status} but no counter holds it`).toBe(t.counterId);
  }
  const inLine = new Map<string, number>();
  const checkLines = (lines: Record<PriorityClass, Ticket[]>, where: (t: Ticket) => boolean) => {
    for (const p of PRIORITY_CLASSES) {
      const line = lines[p];
      line.forEach((t, i) => {
        inLine.set(t.id, (inLine.get(t.id) ?? 0) + 1);
        expect(t.status, `${t.id} in a line but ${t.status}`).toBe("waiting");
        expect(t.priority).toBe(p);
        expect(where(t), `${t.id} in the wrong line`).toBe(true);
        expect(state.tickets.get(t.id)).toBe(t);
        if (i > 0) expect(lineOrder(line[i - 1] as Ticket, t)).toBeLessThan(0);
      });
    }
  };
  for (const [q, l] of state.lines) checkLines(l, (t) => !t.targetCounterId && t.queueId === q);
  for (const [c, l] of state.targeted) checkLines(l, (t) => t.targetCounterId === c);
  for (const t of state.tickets.values())
    expect(inLine.get(t.id) ?? 0, `${t.id} (${t.status}) line count`).toBe(t.status === "waiting" ? 1 : 0);
}

const calledEvents = (events: HallEvent[]) =>
  events.filter((e): e is Extract<HallEvent, { type: "ticket.called" }> => e.type === "ticket.called");

describe("core/decide properties (random command sequences)", () => {
  it("rejected commands leave the state unchanged, and the state stays consistent", () => {
    fc.assert(
      fc.property(stepsArb, (steps) => {
        simulate(steps, (state) => checkConsistency(state), true);
      }),
      { numRuns: RUNS },
    );
  });

  it("numbers are unique per queue per day, and each queue's seq runs 1..n without gaps", () => {
    fc.assert(
      fc.property(stepsArb, (steps) => {
        const { state } = simulate(steps);
        const catalogue = state.catalogue;
        for (const q of catalogue.queues) {
          // Transfers move tickets between queues: number by the queue that issued them.
          const mine = [...state.tickets.values()].filter((t) => t.number.startsWith(q.prefix));
          const seqs = mine.map((t) => t.seq).sort((a, b) => a - b);
          expect(seqs).toEqual(seqs.map((_, i) => i + 1));
          expect(new Set(mine.map((t) => t.number)).size).toBe(mine.length);
          for (const t of mine) expect(t.number).toBe(`${q.prefix}${String(t.seq).padStart(3, "0")}`);
          expect(state.seq.get(q.id) ?? 0).toBe(mine.length);
          if (q.dailyCap > 0) expect(mine.length).toBeLessThanOrEqual(q.dailyCap);
        }
      }),
      { numRuns: RUNS },
    );
  });

  it("a ticket is finished at most once, and no two counters ever hold the same ticket", () => {
    // Mostly issues and calls from all four counters (three serve queue A or B with c9).
    const busy = fc.array(
      fc.oneof(
        { weight: 3, arbitrary: stepArb.filter((s) => s.op.k === "issue") },
        {
          weight: 5,
          arbitrary: fc.record({
            dt: fc.nat({ max: 30_000 }),
            op: fc.record({
              k: fc.constant("counter" as const),
              what: fc.constant("callNext" as const),
              counter: idx(COUNTERS.length),
            }),
          }),
        },
        { weight: 2, arbitrary: stepArb },
      ),
      { minLength: 10, maxLength: MAX_STEPS, size: "max" },
    );
    fc.assert(
      fc.property(busy, (body) => {
        const finished = new Map<string, number>();
        simulate([...signInAll(), ...body], (state, _cmd, events) => {
          for (const e of events) if (e.type === "ticket.finished") finished.set(e.ticketId, (finished.get(e.ticketId) ?? 0) + 1);
          const current = [...state.counters.values()].map((c) => c.view.currentTicketId).filter((x) => x !== undefined);
          expect(new Set(current).size).toBe(current.length);
        });
        for (const [id, n] of finished) expect(n, `ticket ${id} finished ${n} times`).toBe(1);
      }),
      { numRuns: RUNS },
    );
  });

  it("within a class, a counter calls the longest-waiting ticket first (FIFO, no transfers)", () => {
    // Issues (appointments already due) and calls/finishes/no-shows from random counters.
    const fifoOp = fc.oneof(
      {
        weight: 3,
        arbitrary: fc.record({
          k: fc.constant("issue" as const),
          matter: idx(4),
          priority: cls,
          slotMin: fc.integer({ min: -30, max: 15 }),
          reuseId: fc.constant(false),
          idHash: fc.constant(5),
        }),
      },
      {
        weight: 3,
        arbitrary: fc.record({
          k: fc.constant("counter" as const),
          what: fc.constantFrom("callNext" as const, "noShow" as const),
          counter: idx(COUNTERS.length),
        }),
      },
      {
        weight: 1,
        arbitrary: fc.record({ k: fc.constant("finish" as const), counter: idx(COUNTERS.length), outcome: fc.constant(0) }),
      },
    );
    const steps = fc.array(fc.record({ dt: fc.nat({ max: 2 * MIN }), op: fifoOp }), {
      minLength: 10,
      maxLength: MAX_STEPS,
      size: "max",
    });
    fc.assert(
      fc.property(steps, (body) => {
        // The state as it was just before each command: a second fold, one command behind.
        const shadow = initialState(makeCatalogue(), DAY);
        simulate([...signInAll(), ...body], (state, _cmd, events, now) => {
          for (const call of calledEvents(events)) {
            const x = shadow.tickets.get(call.ticketId) as Ticket;
            const profile = state.index.counters.get(call.counterId)?.profile.queueIds ?? [];
            for (const y of shadow.tickets.values()) {
              if (y.status !== "waiting" || y.priority !== x.priority || !profile.includes(y.queueId) || y.id === x.id) continue;
              const ahead = y.arrivalAt < x.arrivalAt || (y.queueId === x.queueId && lineOrder(y, x) < 0);
              expect(
                ahead,
                `${call.counterId} called ${x.number} (${x.priority}) at ${now} while ${y.number} waited longer`,
              ).toBe(false);
            }
          }
          applyAll(shadow, events);
        });
      }),
      { numRuns: RUNS },
    );
  });

  it("replaying the journal from the initial state gives the live state", () => {
    fc.assert(
      fc.property(stepsArb, (steps) => {
        const { state, journal, accepted } = simulate(steps);
        // Events are facts: later commands must not have changed the ones already emitted.
        expect(JSON.parse(JSON.stringify(accepted.flatMap((x) => x.events)))).toEqual(journal);
        const replayed = applyAll(initialState(makeCatalogue(), DAY), journal);
        expect(snapshotOf(replayed)).toEqual(snapshotOf(state));
      }),
      { numRuns: RUNS },
    );
  });
});

describe("core/decide priority properties", () => {
  const weightsArb = fc
    .record({ green: fc.nat({ max: 5 }), appointment: fc.nat({ max: 5 }), normal: fc.nat({ max: 5 }) })
    .filter((w) => w.green + w.appointment + w.normal > 0);

  /**
   * One counter (the comprehensive c9) with every class always non-empty: enough tickets of
   * each class, spread over its three queues in a random order, then `calls` calls.
   */
  function callClasses(weights: Record<PriorityClass, number>, calls: number, order: number[], gaps: number[]): PriorityClass[] {
    const h = new TestHall(
      makeCatalogue((c) => {
        for (const q of c.queues) q.dailyCap = 0;
        for (const k of c.counters) k.profile.weights = { ...weights };
      }),
      local("09:00"),
    );
    let n = 0;
    for (let i = 0; i < calls + 1; i++) {
      for (const p of PRIORITY_CLASSES) {
        const matter = ["m-tax-reg", "m-social", "m-id"][(order[n % order.length] ?? 0) % 3] as string;
        h.tick(gaps[n % gaps.length] ?? 0);
        h.issue(`t${n++}`, matter, { priority: p, ...(p === "appointment" ? { appointmentAt: h.now } : {}) });
      }
    }
    h.signIn("c9");
    const classes: PriorityClass[] = [];
    for (let i = 0; i < calls; i++) {
      h.tick(1000);
      const e = calledEvents(h.callNext("c9"))[0];
      if (!e) throw new Error("nothing called although every class waits");
      classes.push(h.ticket(e.ticketId).priority);
    }
    return classes;
  }

  it("over k full cycles the calls per class are proportional to the weights {1,1,2} (±1)", () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 6 }),
        fc.array(fc.nat(), { minLength: 1, maxLength: 10 }),
        fc.array(fc.nat({ max: 90_000 }), { minLength: 1, maxLength: 10 }),
        (k, order, gaps) => {
          const classes = callClasses({ green: 1, appointment: 1, normal: 2 }, 4 * k, order, gaps);
          const count = (p: PriorityClass) => classes.filter((c) => c === p).length;
          expect(Math.abs(count("green") - k)).toBeLessThanOrEqual(1);
          expect(Math.abs(count("appointment") - k)).toBeLessThanOrEqual(1);
          expect(Math.abs(count("normal") - 2 * k)).toBeLessThanOrEqual(1);
        },
      ),
      { numRuns: RUNS },
    );
  });

  it("with random weights, k cycles give each class its weight's share (±1) and no class starves", () => {
    fc.assert(
      fc.property(
        weightsArb,
        fc.integer({ min: 1, max: 4 }),
        fc.array(fc.nat(), { minLength: 1, maxLength: 10 }),
        (weights, k, order) => {
          const total = weights.green + weights.appointment + weights.normal;
          const classes = callClasses(weights, total * k, order, [1000]);
          for (const p of PRIORITY_CLASSES) {
            const n = classes.filter((c) => c === p).length;
            expect(
              Math.abs(n - weights[p] * k),
              `${p} called ${n} times in ${k} cycles of ${JSON.stringify(weights)}`,
            ).toBeLessThanOrEqual(1);
            if (weights[p] === 0) continue;
            // Every window of sum-of-weights consecutive calls serves every class once at least.
            for (let i = 0; i + total <= classes.length; i++) {
              expect(classes.slice(i, i + total), `${p} starved at call ${i} with ${JSON.stringify(weights)}`).toContain(p);
            }
          }
        },
      ),
      { numRuns: RUNS },
    );
  });
});
