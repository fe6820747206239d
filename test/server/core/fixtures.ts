/**
 * A small hand-made hall for the engine tests: Asia/Shanghai, two zones, three queues
 * (A tax with issuing hours, B social insurance, C police with a daily cap), one counter
 * per queue and a comprehensive counter that serves all three.
 */
import type { Catalogue, PriorityClass } from "../../../server/src/contract/catalogue.ts";
import type { ErrorCode } from "../../../server/src/contract/errors.ts";
import type { Instant } from "../../../server/src/contract/tickets.ts";
import { decide } from "../../../server/src/core/decide.ts";
import type { Command, HallEvent } from "../../../server/src/core/model.ts";
import { type HallState, initialState } from "../../../server/src/core/state.ts";

export const TZ = "Asia/Shanghai";
/** The local day most tests run on. */
export const DAY = "2025-03-10";
export const WEIGHTS: Record<PriorityClass, number> = { green: 1, appointment: 1, normal: 2 };

/** Instant of a local wall-clock time in Shanghai (UTC+8, no DST): `local("09:00")`. */
export function local(hhmm: string, day: string = DAY): Instant {
  const [y, mo, d] = day.split("-").map(Number) as [number, number, number];
  const [h, mi] = hhmm.split(":").map(Number) as [number, number];
  return Date.UTC(y, mo - 1, d, h - 8, mi);
}

export const MIN = 60_000;

/** Builds a fresh catalogue; `edit` may change it (caps, weights, hours) before use. */
export function makeCatalogue(edit?: (c: Catalogue) => void): Catalogue {
  const c: Catalogue = {
    hall: {
      id: "test-hall",
      name: "测试市民服务中心",
      nameEn: "Test Citizen Service Center",
      address: "测试路 1 号",
      timeZone: TZ,
      noShowReactivateMin: 30,
      publicUrl: "",
      notice: "",
      noticeEn: "",
    },
    zones: [
      { id: "z1", name: "一区", nameEn: "Zone 1", floor: "1F" },
      { id: "z2", name: "二区", nameEn: "Zone 2", floor: "2F" },
    ],
    departments: [
      { id: "d-tax", name: "税务", nameEn: "Tax", zoneId: "z1" },
      { id: "d-social", name: "社保", nameEn: "Social insurance", zoneId: "z1" },
      { id: "d-police", name: "公安", nameEn: "Police", zoneId: "z2" },
    ],
    matters: [
      matter("m-tax-reg", "税务登记", "d-tax", "qA"),
      matter("m-tax-invoice", "发票申领", "d-tax", "qA"),
      matter("m-social", "社保参保登记", "d-social", "qB"),
      matter("m-id", "身份证办理", "d-police", "qC"),
    ],
    queues: [
      {
        id: "qA",
        prefix: "A",
        name: "税务",
        nameEn: "Tax",
        zoneId: "z1",
        dailyCap: 0,
        hours: [
          { from: "08:30", to: "12:00" },
          { from: "13:30", to: "17:00" },
        ],
        defaultServiceSec: 300,
        waitAlarmMin: 30,
      },
      {
        id: "qB",
        prefix: "B",
        name: "社保",
        nameEn: "Social insurance",
        zoneId: "z1",
        dailyCap: 0,
        hours: [],
        defaultServiceSec: 240,
        waitAlarmMin: 20,
      },
      {
        id: "qC",
        prefix: "C",
        name: "公安",
        nameEn: "Police",
        zoneId: "z2",
        dailyCap: 3,
        hours: [],
        defaultServiceSec: 600,
        waitAlarmMin: 0,
      },
    ],
    counters: [
      counter("c1", 1, "z1", "standard", ["qA"]),
      counter("c2", 2, "z1", "standard", ["qB"]),
      counter("c3", 3, "z2", "standard", ["qC"]),
      counter("c9", 9, "z1", "comprehensive", ["qA", "qB", "qC"]),
    ],
  };
  edit?.(c);
  return c;
}

function matter(id: string, name: string, departmentId: string, queueId: string) {
  return { id, name, nameEn: id, departmentId, queueId, materials: ["身份证"], legalDays: 0, promisedDays: 0, feeYuan: 0 };
}

function counter(id: string, number: number, zoneId: string, kind: "standard" | "comprehensive", queueIds: string[]) {
  return {
    id,
    number,
    name: `${number}号窗口`,
    nameEn: `Counter ${number}`,
    zoneId,
    kind,
    profile: { queueIds, weights: { ...WEIGHTS } },
  };
}

/** Everything of a state that matters, as plain sorted data, for deep comparison. */
export function snapshotOf(state: HallState): unknown {
  const byKey = <V>(m: Map<string, V>): [string, V][] => [...m].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
  const ids = (l: Record<PriorityClass, { id: string }[]>) => ({
    green: l.green.map((t) => t.id),
    appointment: l.appointment.map((t) => t.id),
    normal: l.normal.map((t) => t.id),
  });
  const plain = {
    day: state.day,
    tickets: byKey(state.tickets),
    seq: byKey(state.seq),
    lines: byKey(state.lines).map(([k, l]) => [k, ids(l)]),
    // An empty targeted line set and a missing one mean the same thing.
    targeted: byKey(state.targeted)
      .filter(([, l]) => l.green.length + l.appointment.length + l.normal.length > 0)
      .map(([k, l]) => [k, ids(l)]),
    counters: byKey(state.counters),
    idKeys: [...state.idKeys].sort(),
    recentCalls: state.recentCalls,
    agg: { ...state.agg, byDepartment: byKey(state.agg.byDepartment) },
    serviceEwma: byKey(state.serviceEwma),
    cycleMean: byKey(state.cycleMean),
    eventCount: state.eventCount,
    lastEventAt: state.lastEventAt,
  };
  // JSON drops undefined-valued keys, so "unset" and "set to undefined" compare equal.
  return JSON.parse(JSON.stringify(plain));
}

/** A hall on a clock: runs commands, keeps every accepted event (as the journal would). */
export class TestHall {
  state: HallState;
  now: Instant;
  readonly journal: HallEvent[] = [];

  constructor(catalogue: Catalogue = makeCatalogue(), now: Instant = local("09:00"), day: string = DAY) {
    this.state = initialState(catalogue, day);
    this.now = now;
  }

  /** Advance the clock by `ms` (default one minute). */
  tick(ms: number = MIN): this {
    this.now += ms;
    return this;
  }

  /** Runs a command that must succeed; returns its events. */
  ok(cmd: Command): HallEvent[] {
    const r = decide(this.state, cmd, this.now);
    if ("error" in r) throw new Error(`${cmd.type} rejected: ${r.error} ${r.message}`);
    this.state = r.state;
    this.journal.push(...r.events);
    return r.events;
  }

  /** Runs a command that must be rejected; returns the error code. */
  err(cmd: Command): ErrorCode {
    const r = decide(this.state, cmd, this.now);
    if (!("error" in r)) throw new Error(`${cmd.type} was accepted: ${JSON.stringify(r.events)}`);
    return r.error;
  }

  issue(ticketId: string, matterId: string, extra: Partial<Extract<Command, { type: "issue" }>> = {}) {
    this.ok({ type: "issue", ticketId, matterId, priority: "normal", source: "kiosk-1", ...extra });
    return this.ticket(ticketId);
  }

  signIn(counterId: string, staffId: string = `staff-${counterId}`) {
    return this.ok({ type: "signIn", counterId, staffId, staffName: staffId, takeover: false });
  }

  /**
   * Call the next ticket as a clerk moving through the line does: a visitor still only
   * called here is started first (call-next refuses to close a called ticket), so the
   * call closes them as served. Use `ok({ type: "callNext" })` to test the refusal itself.
   */
  callNext(counterId: string, staffId: string = `staff-${counterId}`) {
    const cur = this.state.counters.get(counterId)?.view.currentTicketId;
    if (cur && this.state.tickets.get(cur)?.status === "called") this.ok({ type: "start", counterId, staffId });
    return this.ok({ type: "callNext", counterId, staffId });
  }

  /** Number of the ticket `callNext` just called at this counter, or undefined. */
  callNextNumber(counterId: string, staffId?: string): string | undefined {
    const called = this.callNext(counterId, staffId).find((e) => e.type === "ticket.called");
    return called && called.type === "ticket.called" ? this.ticket(called.ticketId).number : undefined;
  }

  finish(counterId: string, staffId: string = `staff-${counterId}`) {
    return this.ok({ type: "finish", counterId, staffId, outcome: "completed" });
  }

  ticket(id: string) {
    const t = this.state.tickets.get(id);
    if (!t) throw new Error(`no ticket ${id}`);
    return t;
  }

  current(counterId: string) {
    return this.state.counters.get(counterId)?.view.currentTicketId;
  }
}
