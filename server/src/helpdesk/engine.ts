/**
 * The help desk engine (帮办代办): pure functions over plain data, like the case engine.
 * `decide(record, command, env)` says what happens (events, or a closed error code);
 * `apply` folds one event in, so a help case rebuilt from its events equals the stored one.
 *
 * 首问负责制: the helper who opens a help case owns it until it is closed; only the owner (or
 * a supervisor or admin) acts on it, and ownership moves only by a transfer with a reason.
 * A help case without progress for `remindAfterDays` working days (the hall calendar)
 * reminds its owner, after `escalateAfterDays` more also their supervisor; each level once
 * per stall, recorded as an event, so a restarted hub never reminds twice.
 */
import type { LocalDate } from "../contract/cases.ts";
import type { ErrorCode } from "../contract/errors.ts";
import type { HelpActor, ReminderLevel } from "../contract/helpdesk.ts";
import { localDay } from "../core/time.ts";
import { type WorkCalendar, workingDaysBetween } from "../cases/calendar.ts";
import type { HelpCommand, HelpEnv, HelpEvent, HelpRecord } from "./model.ts";

export type Rejection = { error: ErrorCode; message: string };
export type HelpDecision = { state: HelpRecord; events: HelpEvent[] } | Rejection;

const reject = (error: ErrorCode, message: string): Rejection => ({ error, message });

export const MAX_TEXT = 500;
export const MAX_LINKS = 30;
const DATE = /^\d{4}-\d{2}-\d{2}$/;

export function decide(state: HelpRecord | undefined, cmd: HelpCommand, env: HelpEnv): HelpDecision {
  const r = events(state, cmd, env);
  if ("error" in r) return r;
  let s = state;
  for (const e of r) s = apply(s, e);
  if (!s) return reject("UNKNOWN_HELP_CASE", "no such help case");
  return { state: s, events: r };
}

/** May `by` act on this help case? Its owner, supervisors and admins. */
export function mayAct(r: HelpRecord, by: HelpActor): boolean {
  return by.staffId === r.owner.staffId || by.role === "supervisor" || by.role === "admin";
}

/** Working days without progress, as of `today`. */
export function idleDays(r: HelpRecord, today: LocalDate, cal: WorkCalendar): number {
  return workingDaysBetween(cal, r.lastProgressOn, today);
}

/** The reminder level an open help case has earned by `today`. */
export function dueLevel(r: HelpRecord, today: LocalDate, env: Pick<HelpEnv, "calendar" | "settings">): ReminderLevel {
  if (r.status !== "open") return 0;
  const idle = idleDays(r, today, env.calendar);
  if (idle >= env.settings.remindAfterDays + env.settings.escalateAfterDays) return 2;
  if (idle >= env.settings.remindAfterDays) return 1;
  return 0;
}

/**
 * The latest last-progress date that is overdue on `today`: a help case is overdue when its
 * last progress is on or before it (the ledger filters on this in SQL).
 */
export function overdueCutoff(today: LocalDate, days: number, cal: WorkCalendar): LocalDate {
  // Walk back from today until `days` working days lie in (d, today].
  let d = today;
  let n = 0;
  for (let guard = 0; n < days && guard < 20_000; guard++) {
    if (cal.isWorkday(d)) n++;
    d = prevDay(d);
  }
  return d;
}

function prevDay(date: LocalDate): LocalDate {
  const [y, m, dd] = date.split("-").map(Number) as [number, number, number];
  return new Date(Date.UTC(y, m - 1, dd) - 86_400_000).toISOString().slice(0, 10);
}

function text(s: string | undefined, what: string, required: boolean): Rejection | undefined {
  if (s === undefined || s.trim() === "") return required ? reject("VALIDATION_FAILED", `${what} is required`) : undefined;
  if (s.length > MAX_TEXT) return reject("VALIDATION_FAILED", `${what}: at most ${MAX_TEXT} characters`);
  return undefined;
}

function date(s: string | undefined, today: LocalDate): Rejection | undefined {
  if (s === undefined) return undefined;
  if (!DATE.test(s)) return reject("VALIDATION_FAILED", "nextStepDate: expected YYYY-MM-DD");
  if (s < today) return reject("VALIDATION_FAILED", "nextStepDate: not in the past");
  return undefined;
}

export function events(state: HelpRecord | undefined, cmd: HelpCommand, env: HelpEnv): HelpEvent[] | Rejection {
  const at = env.now;
  const on = localDay(at, env.timeZone);
  if (cmd.type === "open") {
    if (state) return reject("VALIDATION_FAILED", `help case ${state.id} exists`);
    const bad =
      text(cmd.title, "title", true) ??
      text(cmd.visitor.name, "visitor name", true) ??
      text(cmd.nextStep, "nextStep", false) ??
      date(cmd.nextStepDate, on);
    if (bad) return bad;
    if (cmd.links.length > MAX_LINKS) return reject("VALIDATION_FAILED", `at most ${MAX_LINKS} linked cases`);
    if (new Set(cmd.links).size !== cmd.links.length) return reject("VALIDATION_FAILED", "a case is linked twice");
    if (cmd.kind === "individual" && cmd.links.length > 1)
      return reject("VALIDATION_FAILED", "several matters in a chain make an enterprise project (kind project)");
    const record: HelpRecord = {
      id: cmd.id,
      kind: cmd.kind,
      title: cmd.title.trim(),
      status: "open",
      ...(cmd.departmentId ? { departmentId: cmd.departmentId } : {}),
      visitor: cmd.visitor,
      owner: cmd.by,
      openedBy: cmd.by,
      openedAt: at,
      openedOn: on,
      lastProgressAt: at,
      lastProgressOn: on,
      ...(cmd.nextStep ? { nextStep: cmd.nextStep.trim() } : {}),
      ...(cmd.nextStepDate ? { nextStepDate: cmd.nextStepDate } : {}),
      notes: [],
      transfers: [],
      links: [...cmd.links],
      reminderLevel: 0,
      version: 1,
    };
    return [{ type: "help.opened", at, record }];
  }
  if (!state) return reject("UNKNOWN_HELP_CASE", "no such help case");
  if (cmd.type === "remind") {
    const level = dueLevel(state, on, env);
    if (level <= state.reminderLevel) return [];
    return [{ type: "help.reminded", at, level: level as 1 | 2, idleWorkingDays: idleDays(state, on, env.calendar) }];
  }
  if (state.status === "closed") return reject("HELP_CASE_CLOSED", "this help case is closed");
  if (!mayAct(state, cmd.by)) return reject("NOT_HELP_OWNER", "only the owner or a supervisor acts on a help case");
  if (cmd.expectedVersion !== state.version) return reject("CASE_CONFLICT", "the help case changed meanwhile");
  switch (cmd.type) {
    case "note": {
      const bad = text(cmd.text, "text", true) ?? text(cmd.nextStep, "nextStep", false) ?? date(cmd.nextStepDate, on);
      if (bad) return bad;
      return [
        {
          type: "help.noted",
          at,
          on,
          note: {
            at,
            by: cmd.by,
            text: cmd.text.trim(),
            ...(cmd.nextStep ? { nextStep: cmd.nextStep.trim() } : {}),
            ...(cmd.nextStepDate ? { nextStepDate: cmd.nextStepDate } : {}),
          },
        },
      ];
    }
    case "link":
      if (state.links.includes(cmd.caseNo)) return reject("VALIDATION_FAILED", "this case is linked already");
      if (state.links.length >= MAX_LINKS) return reject("VALIDATION_FAILED", `at most ${MAX_LINKS} linked cases`);
      if (state.kind === "individual" && state.links.length >= 1)
        return reject("VALIDATION_FAILED", "several matters in a chain make an enterprise project (kind project)");
      return [{ type: "help.linked", at, on, caseNo: cmd.caseNo, by: cmd.by }];
    case "transfer": {
      const bad = text(cmd.reason, "reason", true);
      if (bad) return bad;
      if (cmd.to.staffId === state.owner.staffId) return reject("VALIDATION_FAILED", "transfer to someone else");
      return [
        {
          type: "help.transferred",
          at,
          on,
          transfer: { at, by: cmd.by, from: state.owner, to: cmd.to, reason: cmd.reason.trim() },
        },
      ];
    }
    case "close": {
      const bad = text(cmd.note, "note", true);
      if (bad) return bad;
      return [{ type: "help.closed", at, by: cmd.by, note: cmd.note.trim() }];
    }
    default: {
      const never: never = cmd;
      return reject("VALIDATION_FAILED", `unknown command ${(never as { type: string }).type}`);
    }
  }
}

/** Progress: the stall clock restarts and its reminders are spent. */
function progressed(s: HelpRecord, at: number, on: LocalDate): HelpRecord {
  return { ...s, lastProgressAt: at, lastProgressOn: on, reminderLevel: 0, version: s.version + 1 };
}

export function apply(state: HelpRecord | undefined, e: HelpEvent): HelpRecord | undefined {
  if (e.type === "help.opened") return structuredClone(e.record);
  if (!state) return state;
  switch (e.type) {
    case "help.noted": {
      const s = progressed(state, e.at, e.on);
      s.notes = [...state.notes, e.note];
      if (e.note.nextStep !== undefined) s.nextStep = e.note.nextStep;
      if (e.note.nextStepDate !== undefined) s.nextStepDate = e.note.nextStepDate;
      return s;
    }
    case "help.linked":
      return { ...progressed(state, e.at, e.on), links: [...state.links, e.caseNo] };
    case "help.transferred":
      return { ...progressed(state, e.at, e.on), owner: e.transfer.to, transfers: [...state.transfers, e.transfer] };
    case "help.closed":
      return { ...state, status: "closed", closedAt: e.at, closeNote: e.note, version: state.version + 1 };
    case "help.reminded":
      return { ...state, reminderLevel: e.level, version: state.version + 1 };
    default: {
      const never: never = e;
      return never;
    }
  }
}
