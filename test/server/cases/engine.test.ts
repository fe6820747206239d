import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { CASE_ACTIONS, type CaseAction, type MaterialState } from "../../../server/src/contract/cases.ts";
import { WEEKENDS_ONLY, addWorkingDays, nextDay, workingDaysBetween, withOverrides } from "../../../server/src/cases/calendar.ts";
import { CHINA_CALENDAR, hallCalendar } from "../../../server/src/cases/china-calendar.ts";
import { type CaseEnv, TRANSITIONS, apply, decide, isOverdue } from "../../../server/src/cases/engine.ts";
import type { CaseCommand, CaseEvent, CaseRecord, MatterInfo } from "../../../server/src/cases/model.ts";
import { localDay } from "../../../server/src/core/time.ts";

const TZ = "Asia/Shanghai";
/** 2026-09-29 10:00 in Shanghai (a Tuesday before the National Day holiday). */
const T0 = Date.parse("2026-09-29T02:00:00Z");
const HOUR = 3_600_000;
const by = { staffId: "s-001", name: "张伟", role: "clerk" };
const env = (now: number): CaseEnv => ({ now, timeZone: TZ, calendar: CHINA_CALENDAR });

function matter(over: Partial<MatterInfo> = {}): MatterInfo {
  return {
    id: "m-1",
    name: "个体工商户设立登记",
    nameEn: "Sole proprietorship registration",
    departmentId: "d-market",
    materials: ["身份证", "经营场所证明", "照片"],
    materialsEssential: [true, true, false],
    promisedDays: 3,
    ...over,
  };
}

function acceptCmd(m: MatterInfo, over: Partial<Extract<CaseCommand, { type: "accept" }>> = {}): CaseCommand {
  return {
    type: "accept",
    caseNo: "371426-20260929-00001",
    matter: m,
    outcome: "accepted",
    materials: m.materials.map((_, index) => ({ index, state: "received" as MaterialState })),
    applicant: { name: "王小明", phone: "13812341234", idMasked: "3714**********1234", idLast4: "1234", idHash: "h" },
    siteId: "pingyuan",
    by,
    ...over,
  };
}

function accepted(m = matter()): CaseRecord {
  const r = decide(undefined, acceptCmd(m), env(T0));
  if ("error" in r) throw new Error(r.message);
  return r.state;
}

describe("working-day calendar (chinese-days data, bundled)", () => {
  it("skips the National Day holiday and counts the make-up Saturday (调休)", () => {
    expect(addWorkingDays(CHINA_CALENDAR, "2026-09-29", 3)).toBe("2026-10-09");
    // 2026-10-10 is a Saturday worked in lieu of the holiday.
    expect(addWorkingDays(CHINA_CALENDAR, "2026-09-29", 4)).toBe("2026-10-10");
    expect(addWorkingDays(CHINA_CALENDAR, "2026-09-29", 5)).toBe("2026-10-12");
    expect(addWorkingDays(WEEKENDS_ONLY, "2026-09-29", 5)).toBe("2026-10-06");
    expect(addWorkingDays(CHINA_CALENDAR, "2026-09-29", 0)).toBe("2026-09-29");
  });
  it("hall overrides win over the national calendar", () => {
    const cal = hallCalendar({ calendarOverrides: [{ date: "2026-09-30", workday: false }] });
    expect(addWorkingDays(cal, "2026-09-29", 1)).toBe("2026-10-08");
    const extra = withOverrides(CHINA_CALENDAR, [{ date: "2026-10-03", workday: true }]);
    expect(addWorkingDays(extra, "2026-09-30", 1)).toBe("2026-10-03");
  });
  it("counts working days in (from, to]", () => {
    expect(workingDaysBetween(CHINA_CALENDAR, "2026-09-29", "2026-10-09")).toBe(3);
    expect(workingDaysBetween(CHINA_CALENDAR, "2026-10-01", "2026-10-07")).toBe(0);
    expect(workingDaysBetween(CHINA_CALENDAR, "2026-10-09", "2026-10-09")).toBe(0);
  });
});

describe("acceptance", () => {
  it("受理: due date is the matter's promised working days after acceptance", () => {
    const c = accepted();
    expect(c).toMatchObject({ status: "accepted", version: 1, acceptedOn: "2026-09-29", dueDate: "2026-10-09" });
    expect(c.transitions).toEqual([{ seq: 1, action: "accept", to: "accepted", at: T0, by }]);
  });
  it("即办件 (0 days) is decided at the counter", () => {
    const r = decide(undefined, acceptCmd(matter({ promisedDays: 0 })), env(T0));
    if ("error" in r) throw new Error(r.message);
    expect(r.state).toMatchObject({ status: "approved", version: 2, dueDate: "2026-09-29", finishedAt: T0 });
  });
  it("受理 with a material missing is refused", () => {
    const m = matter();
    const r = decide(undefined, acceptCmd(m, { materials: [{ index: 0, state: "received" }] }), env(T0));
    expect(r).toMatchObject({ error: "MATERIALS_INCOMPLETE" });
  });
  it("容缺受理 defers only non-essential materials, with a promised date", () => {
    const m = matter();
    const mats = (i2: MaterialState, date?: string) => [
      { index: 0, state: "received" as const },
      { index: 1, state: "received" as const },
      { index: 2, state: i2, ...(date ? { promisedDate: date } : {}) },
    ];
    const ok = decide(
      undefined,
      acceptCmd(m, { outcome: "accepted_deferred", materials: mats("deferred", "2026-10-09") }),
      env(T0),
    );
    expect(ok).not.toHaveProperty("error");
    if (!("error" in ok)) expect(ok.state.materials[2]).toMatchObject({ state: "deferred", promisedDate: "2026-10-09" });
    expect(decide(undefined, acceptCmd(m, { outcome: "accepted_deferred", materials: mats("deferred") }), env(T0))).toMatchObject(
      {
        error: "VALIDATION_FAILED",
      },
    );
    const essential = [
      { index: 0, state: "deferred" as const, promisedDate: "2026-10-09" },
      { index: 1, state: "received" as const },
      { index: 2, state: "received" as const },
    ];
    expect(decide(undefined, acceptCmd(m, { outcome: "accepted_deferred", materials: essential }), env(T0))).toMatchObject({
      error: "MATERIALS_INCOMPLETE",
    });
  });
  it("容缺 defers a material, not the deadline: a promise after the due date is refused, up to it accepted", () => {
    // Accepted 2026-09-29, 3 working days: due 2026-10-09 (after the National Day holiday).
    const m = matter();
    const promise = (date: string) =>
      decide(
        undefined,
        acceptCmd(m, {
          outcome: "accepted_deferred",
          materials: [
            { index: 0, state: "received" },
            { index: 1, state: "received" },
            { index: 2, state: "deferred", promisedDate: date },
          ],
        }),
        env(T0),
      );
    const onDue = promise("2026-10-09");
    if ("error" in onDue) throw new Error(onDue.message);
    expect(onDue.state.dueDate).toBe("2026-10-09");
    const late = promise("2026-10-10");
    expect(late).toMatchObject({ error: "DEFERRED_AFTER_DUE" });
    // The message names the latest date the clerk can agree with the visitor.
    if ("error" in late) expect(late.message).toContain("2026-10-09");
    // 即办件: due today, so a deferral can only be promised for today.
    const sameDay = matter({ promisedDays: 0 });
    const next = decide(
      undefined,
      acceptCmd(sameDay, {
        outcome: "accepted_deferred",
        materials: [
          { index: 0, state: "received" },
          { index: 1, state: "received" },
          { index: 2, state: "deferred", promisedDate: "2026-09-30" },
        ],
      }),
      env(T0),
    );
    expect(next).toMatchObject({ error: "DEFERRED_AFTER_DUE" });
  });
  it("不予受理 needs a reason and lists what is missing (一次性告知)", () => {
    const m = matter();
    expect(decide(undefined, acceptCmd(m, { outcome: "not_accepted", materials: [] }), env(T0))).toMatchObject({
      error: "VALIDATION_FAILED",
    });
    const r = decide(undefined, acceptCmd(m, { outcome: "not_accepted", materials: [], reason: "材料不全" }), env(T0));
    if ("error" in r) throw new Error(r.message);
    expect(r.state.status).toBe("not_accepted");
    expect(r.state.dueDate).toBeUndefined();
    expect(r.state.materials.map((x) => x.state)).toEqual(["missing", "missing", "missing"]);
  });
  it("a 容缺 case cannot be approved before the deferred material is in", () => {
    const m = matter();
    const r = decide(
      undefined,
      acceptCmd(m, {
        outcome: "accepted_deferred",
        materials: [
          { index: 0, state: "received" },
          { index: 1, state: "received" },
          { index: 2, state: "deferred", promisedDate: "2026-09-30" },
        ],
      }),
      env(T0),
    );
    if ("error" in r) throw new Error(r.message);
    const t = (s: CaseRecord, action: CaseAction, extra = {}) =>
      decide(s, { type: "transition", action, expectedVersion: s.version, by, ...extra }, env(T0 + HOUR));
    const taken = t(r.state, "take");
    if ("error" in taken) throw new Error(taken.message);
    expect(t(taken.state, "approve")).toMatchObject({ error: "MATERIALS_INCOMPLETE" });
    const got = t(taken.state, "receive_material", { materialIndex: 2 });
    if ("error" in got) throw new Error(got.message);
    expect(got.state.materials[2]).toMatchObject({ state: "received", receivedAt: T0 + HOUR });
    expect(t(got.state, "approve")).toMatchObject({ state: { status: "approved" } });
  });
});

// ---- properties ----

const actionArb = fc.constantFrom(...CASE_ACTIONS);
const stepArb = fc.record({
  action: actionArb,
  /** Mostly the right version; sometimes a stale one. */
  stale: fc.integer({ min: 0, max: 9 }).map((x) => x === 0),
  note: fc.option(fc.constantFrom("请补充材料", "不符合条件", "  "), { nil: undefined }),
  materialIndex: fc.option(fc.integer({ min: -1, max: 4 }), { nil: undefined }),
  /** Hours until this step (up to ~12 days). */
  gapHours: fc.integer({ min: 0, max: 300 }),
});
const matterArb = fc
  .record({
    n: fc.integer({ min: 1, max: 5 }),
    promisedDays: fc.integer({ min: 0, max: 20 }),
    essentialMask: fc.integer({ min: 0, max: 31 }),
  })
  .map(({ n, promisedDays, essentialMask }) =>
    matter({
      materials: Array.from({ length: n }, (_, i) => `材料${i + 1}`),
      materialsEssential: Array.from({ length: n }, (_, i) => ((essentialMask >> i) & 1) === 1),
      promisedDays,
    }),
  );
const acceptArb = fc.record({
  m: matterArb,
  outcome: fc.constantFrom("accepted", "accepted_deferred", "not_accepted" as const),
  states: fc.array(fc.constantFrom("received", "missing", "deferred" as const), { minLength: 5, maxLength: 5 }),
  /** Start anywhere in 2025–2026 (both years' holidays are in the bundled data). */
  start: fc.integer({ min: Date.parse("2025-01-01T00:00:00Z"), max: Date.parse("2026-12-01T00:00:00Z") }),
  /** Calendar days from acceptance to the date deferred materials are promised for. */
  promiseIn: fc.integer({ min: 0, max: 30 }),
});

describe("case engine properties", () => {
  it("illegal transitions are refused and leave the case unchanged; replay equals live; due ≥ acceptance; correction pauses the clock", () => {
    fc.assert(
      fc.property(acceptArb, fc.array(stepArb, { maxLength: 25 }), ({ m, outcome, states, start, promiseIn }, steps) => {
        const acceptDay = localDay(start, TZ);
        const promised = nextDay(acceptDay, promiseIn);
        const cmd = acceptCmd(m, {
          outcome,
          reason: "不符合受理条件",
          materials: m.materials.map((_, index) => ({
            index,
            state: states[index] as MaterialState,
            promisedDate: promised,
          })),
        });
        const first = decide(undefined, cmd, env(start));
        const due = addWorkingDays(CHINA_CALENDAR, acceptDay, m.promisedDays);
        const defers = outcome !== "not_accepted" && states.slice(0, m.materials.length).includes("deferred");
        if ("error" in first) {
          expect(["MATERIALS_INCOMPLETE", "VALIDATION_FAILED", "DEFERRED_AFTER_DUE"]).toContain(first.error);
          // Refused for the date exactly when a deferred item is promised after the due date.
          if (first.error === "DEFERRED_AFTER_DUE") expect(defers && promised > due).toBe(true);
          return;
        }
        // Whatever was accepted owes nothing past its due date (a refusal has none).
        const dueDate = first.state.dueDate;
        if (dueDate)
          for (const x of first.state.materials)
            if (x.state === "deferred") expect((x.promisedDate as string) <= dueDate).toBe(true);
        const log: CaseEvent[] = [...first.events];
        let live = first.state;
        let now = start;
        for (const s of steps) {
          now += s.gapHours * HOUR;
          const before = structuredClone(live);
          const expectedVersion = s.stale ? live.version - 1 : live.version;
          const r = decide(
            live,
            {
              type: "transition",
              action: s.action,
              expectedVersion,
              by,
              ...(s.note !== undefined ? { note: s.note } : {}),
              ...(s.materialIndex !== undefined ? { materialIndex: s.materialIndex } : {}),
            },
            env(now),
          );
          // Whatever happens, the input case is never modified.
          expect(live).toEqual(before);
          const legal = TRANSITIONS[s.action].from.includes(live.status);
          // A second hand-over says why, before any version check (issue 11).
          const handed =
            (s.action === "collect" || s.action === "mail") && ["collected", "mailed", "delivered"].includes(live.status);
          if (handed)
            expect(r).toMatchObject({ error: live.status === "collected" ? "CERTIFICATE_ALREADY_COLLECTED" : "ALREADY_MAILED" });
          else if (s.stale) expect(r).toMatchObject({ error: "CASE_CONFLICT" });
          else if (!legal) expect(r).toMatchObject({ error: "ILLEGAL_TRANSITION" });
          if ("error" in r) continue;
          expect(legal && !s.stale).toBe(true);
          const today = localDay(now, TZ);
          if (s.action === "resubmit" && before.dueDate && before.pausedOn) {
            // The clock stood still while the applicant corrected: the due date moves on by
            // exactly the working days spent in correction.
            const paused = workingDaysBetween(CHINA_CALENDAR, before.pausedOn, today);
            expect(r.state.dueDate).toBe(addWorkingDays(CHINA_CALENDAR, before.dueDate, paused));
            expect((r.state.dueDate as string) >= before.dueDate).toBe(true);
          }
          if (r.state.status === "correction") expect(isOverdue(r.state, "9999-12-31")).toBe(false);
          expect(r.state.version).toBe(before.version + 1);
          log.push(...r.events);
          live = r.state;
          if (live.dueDate) expect(live.dueDate >= live.acceptedOn).toBe(true);
        }
        // Replaying the events gives the live case.
        let replayed: CaseRecord | undefined;
        for (const e of log) replayed = apply(replayed, e);
        expect(replayed).toEqual(live);
        expect(live.transitions.map((t) => t.seq)).toEqual(live.transitions.map((_, i) => i + 1));
      }),
      { numRuns: 400 },
    );
  });

  it("due date is never before acceptance, for any start and promised days", () => {
    fc.assert(
      fc.property(
        fc.integer({ min: Date.parse("2025-01-01T00:00:00Z"), max: Date.parse("2026-12-31T00:00:00Z") }),
        fc.integer({ min: 0, max: 60 }),
        (start, days) => {
          const r = decide(undefined, acceptCmd(matter({ promisedDays: days })), env(start));
          if ("error" in r) throw new Error(r.message);
          const due = r.state.dueDate as string;
          expect(due >= r.state.acceptedOn).toBe(true);
          expect(workingDaysBetween(CHINA_CALENDAR, r.state.acceptedOn, due)).toBe(days);
          if (days > 0) expect(CHINA_CALENDAR.isWorkday(due)).toBe(true);
        },
      ),
      { numRuns: 300 },
    );
  });
});
