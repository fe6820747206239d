import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { CHINA_CALENDAR } from "../../../server/src/cases/china-calendar.ts";
import { workingDaysBetween } from "../../../server/src/cases/calendar.ts";
import type { HelpActor } from "../../../server/src/contract/helpdesk.ts";
import { localDay } from "../../../server/src/core/time.ts";
import { apply, decide, dueLevel, mayAct, overdueCutoff } from "../../../server/src/helpdesk/engine.ts";
import type { HelpCommand, HelpEnv, HelpEvent, HelpRecord } from "../../../server/src/helpdesk/model.ts";

const TZ = "Asia/Shanghai";
/** 2026-09-29 10:00 in Shanghai (a Tuesday before the National Day holiday, 10-01…10-07). */
const T0 = Date.parse("2026-09-29T02:00:00Z");
const DAY = 86_400_000;
const settings = { remindAfterDays: 3, escalateAfterDays: 2 };
const env = (now: number, s = settings): HelpEnv => ({ now, timeZone: TZ, calendar: CHINA_CALENDAR, settings: s });

const owner: HelpActor = { staffId: "s-002", name: "张伟", role: "clerk" };
const other: HelpActor = { staffId: "s-003", name: "李娜", role: "clerk" };
const sup: HelpActor = { staffId: "s-001", name: "王丽", role: "supervisor" };

function opened(kind: "individual" | "project" = "project"): HelpRecord {
  const r = decide(
    undefined,
    {
      type: "open",
      id: "HB-20260929-0001",
      kind,
      title: "企业开办一链办理",
      visitor: { name: "王小明", phone: "13812341234", idMasked: "3714**********1234", company: "平原县某某有限公司" },
      links: [],
      by: owner,
    },
    env(T0),
  );
  if ("error" in r) throw new Error(r.message);
  return r.state;
}

describe("helpdesk/engine 首问负责制", () => {
  it("the helper who opens a help case owns it; another clerk is refused, a supervisor may act", () => {
    const r = opened();
    expect(r.owner).toEqual(owner);
    const byOther = decide(r, { type: "note", expectedVersion: 1, text: "已联系", by: other }, env(T0));
    expect(byOther).toMatchObject({ error: "NOT_HELP_OWNER" });
    const bySup = decide(r, { type: "note", expectedVersion: 1, text: "主管跟进", by: sup }, env(T0));
    expect("error" in bySup).toBe(false);
  });

  it("ownership moves only by a transfer with a reason, and the transfer is recorded", () => {
    const r = opened();
    expect(decide(r, { type: "transfer", expectedVersion: 1, to: other, reason: "  ", by: owner }, env(T0))).toMatchObject({
      error: "VALIDATION_FAILED",
    });
    const t = decide(r, { type: "transfer", expectedVersion: 1, to: other, reason: "调岗，移交李娜", by: owner }, env(T0 + 1000));
    if ("error" in t) throw new Error(t.message);
    expect(t.state.owner).toEqual(other);
    expect(t.state.transfers).toEqual([{ at: T0 + 1000, by: owner, from: owner, to: other, reason: "调岗，移交李娜" }]);
    // The former owner no longer acts on it.
    expect(decide(t.state, { type: "note", expectedVersion: 2, text: "x", by: owner }, env(T0))).toMatchObject({
      error: "NOT_HELP_OWNER",
    });
  });

  it("a closed help case refuses every step", () => {
    const c = decide(opened(), { type: "close", expectedVersion: 1, note: "已办结", by: owner }, env(T0));
    if ("error" in c) throw new Error(c.message);
    expect(c.state.status).toBe("closed");
    for (const cmd of [
      { type: "note", expectedVersion: 2, text: "x", by: owner },
      { type: "link", expectedVersion: 2, caseNo: "371426-20260929-00001", by: owner },
      { type: "close", expectedVersion: 2, note: "x", by: sup },
    ] as HelpCommand[])
      expect(decide(c.state, cmd, env(T0))).toMatchObject({ error: "HELP_CASE_CLOSED" });
    expect(decide(c.state, { type: "remind" }, env(T0 + 30 * DAY))).toEqual({ state: c.state, events: [] });
  });

  it("an individual help case links one case; a project chains several", () => {
    const one = opened("individual");
    const a = decide(one, { type: "link", expectedVersion: 1, caseNo: "371426-20260929-00001", by: owner }, env(T0));
    if ("error" in a) throw new Error(a.message);
    expect(
      decide(a.state, { type: "link", expectedVersion: 2, caseNo: "371426-20260929-00002", by: owner }, env(T0)),
    ).toMatchObject({
      error: "VALIDATION_FAILED",
    });
    let p = opened("project");
    for (const [i, no] of ["371426-20260929-00001", "371426-20260929-00002", "371426-20260929-00003"].entries()) {
      const r = decide(p, { type: "link", expectedVersion: i + 1, caseNo: no, by: owner }, env(T0));
      if ("error" in r) throw new Error(r.message);
      p = r.state;
    }
    expect(p.links).toHaveLength(3);
  });

  it("reminds after 3 working days without progress (the National Day holiday does not count), escalates after 2 more", () => {
    const r = opened();
    // Opened Tue 09-29; working days after: 09-30 (1), holiday 10-01…10-07, 10-08 (2), 10-09 (3),
    // 10-10 the make-up Saturday (4), 10-12 (5).
    expect(dueLevel(r, "2026-10-07", env(T0))).toBe(0);
    expect(dueLevel(r, "2026-10-08", env(T0))).toBe(0);
    expect(dueLevel(r, "2026-10-09", env(T0))).toBe(1);
    expect(dueLevel(r, "2026-10-10", env(T0))).toBe(1);
    expect(dueLevel(r, "2026-10-11", env(T0))).toBe(1);
    expect(dueLevel(r, "2026-10-12", env(T0))).toBe(2);
    expect(overdueCutoff("2026-10-09", 3, CHINA_CALENDAR) >= r.lastProgressOn).toBe(true);
    expect(overdueCutoff("2026-10-08", 3, CHINA_CALENDAR) >= r.lastProgressOn).toBe(false);
    // Each level once: the second sweep of the same day sends nothing.
    const at = Date.parse("2026-10-09T02:00:00Z");
    const first = decide(r, { type: "remind" }, env(at));
    if ("error" in first) throw new Error(first.message);
    expect(first.events).toEqual([{ type: "help.reminded", at, level: 1, idleWorkingDays: 3 }]);
    expect(decide(first.state, { type: "remind" }, env(at + 3_600_000))).toMatchObject({ events: [] });
    // Progress spends the reminders: the stall clock starts again.
    const noted = decide(first.state, { type: "note", expectedVersion: 2, text: "已催办", by: owner }, env(at));
    if ("error" in noted) throw new Error(noted.message);
    expect(noted.state.reminderLevel).toBe(0);
    expect(dueLevel(noted.state, "2026-10-12", env(at))).toBe(0);
  });

  it("rejects a stale version (someone acted first)", () => {
    expect(decide(opened(), { type: "note", expectedVersion: 7, text: "x", by: owner }, env(T0))).toMatchObject({
      error: "CASE_CONFLICT",
    });
  });
});

describe("helpdesk/engine properties", () => {
  const actorArb = fc.constantFrom(owner, other, sup);
  const cmdArb: fc.Arbitrary<(r: HelpRecord) => HelpCommand> = fc.oneof(
    fc.record({ by: actorArb, text: fc.constantFrom("已联系", "", "材料已补"), v: fc.boolean() }).map(
      ({ by, text, v }) =>
        (r: HelpRecord): HelpCommand => ({ type: "note", expectedVersion: v ? r.version : r.version + 1, text, by }),
    ),
    fc.record({ by: actorArb, n: fc.integer({ min: 1, max: 4 }) }).map(
      ({ by, n }) =>
        (r: HelpRecord): HelpCommand => ({ type: "link", expectedVersion: r.version, caseNo: `371426-20260929-0000${n}`, by }),
    ),
    fc.record({ by: actorArb, to: actorArb, reason: fc.constantFrom("", "调岗", "专业对口") }).map(
      ({ by, to, reason }) =>
        (r: HelpRecord): HelpCommand => ({ type: "transfer", expectedVersion: r.version, to, reason, by }),
    ),
    fc.record({ by: actorArb }).map(
      ({ by }) =>
        (r: HelpRecord): HelpCommand => ({ type: "close", expectedVersion: r.version, note: "办结", by }),
    ),
    fc.constant((): HelpCommand => ({ type: "remind" })),
  );

  it("replaying the events gives the live state; only owners or supervisors change it; ownership moves only by transfers with a reason; reminders never exceed what is due and never repeat", () => {
    fc.assert(
      fc.property(
        fc.array(fc.tuple(cmdArb, fc.integer({ min: 0, max: 4 * DAY })), { maxLength: 30 }),
        fc.integer({ min: 1, max: 5 }),
        fc.integer({ min: 1, max: 5 }),
        (steps, remindAfterDays, escalateAfterDays) => {
          const s = { remindAfterDays, escalateAfterDays };
          let r = opened();
          const log: HelpEvent[] = [{ type: "help.opened", at: T0, record: r }];
          let now = T0;
          let reminders = 0;
          for (const [make, dt] of steps) {
            now += dt;
            const cmd = make(r);
            const d = decide(r, cmd, env(now, s));
            if ("error" in d) {
              continue;
            }
            if (cmd.type !== "remind" && d.events.length) expect(mayAct(r, cmd.by)).toBe(true);
            if (d.state.owner.staffId !== r.owner.staffId) {
              expect(cmd.type).toBe("transfer");
              expect(d.state.transfers.at(-1)?.reason.trim()).not.toBe("");
            }
            for (const e of d.events)
              if (e.type === "help.reminded") {
                reminders++;
                expect(e.level).toBeGreaterThan(r.reminderLevel);
                expect(e.level).toBeLessThanOrEqual(dueLevel(r, localDay(now, TZ), env(now, s)));
                const idle = workingDaysBetween(CHINA_CALENDAR, r.lastProgressOn, localDay(now, TZ));
                expect(idle).toBeGreaterThanOrEqual(remindAfterDays);
                // The same sweep again sends nothing.
                const again = decide(d.state, { type: "remind" }, env(now, s));
                expect("error" in again ? again : again.events).toEqual([]);
              }
            log.push(...d.events);
            r = d.state;
          }
          let replay: HelpRecord | undefined;
          for (const e of log) replay = apply(replay, e);
          expect(replay).toEqual(r);
          expect(r.version).toBe(log.length);
          expect(reminders).toBeLessThanOrEqual(log.length);
        },
      ),
      { numRuns: 300 },
    );
  });
});

describe("helpdesk/engine overdueCutoff", () => {
  it("a last progress on or before the cutoff is exactly one with at least N working days since", () => {
    const dayArb = fc
      .integer({ min: 0, max: 400 })
      .map((n) => new Date(Date.UTC(2026, 0, 1) + n * DAY).toISOString().slice(0, 10));
    fc.assert(
      fc.property(dayArb, dayArb, fc.integer({ min: 1, max: 10 }), (a, b, n) => {
        const [last, today] = a <= b ? [a, b] : [b, a];
        const cut = overdueCutoff(today, n, CHINA_CALENDAR);
        expect(last <= cut).toBe(workingDaysBetween(CHINA_CALENDAR, last, today) >= n);
      }),
      { numRuns: 500 },
    );
  });
});
