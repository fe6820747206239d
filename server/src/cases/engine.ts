/**
 * The case engine: pure functions over plain data, like the ticket engine in core/.
 * `decide(case, command, env)` validates a command and says what happens (events, or a
 * closed error code); `apply` folds one event into the case. The store replays nothing on
 * the hot path, but the live state and the fold of the events are the same code, so an
 * audit can rebuild any case from its events (a property test holds them equal).
 *
 * No clock, no I/O: `env` carries the instant, the hall's time zone and its working-day
 * calendar.
 */
import type { CaseAction, CaseMaterial, CaseStatus, CaseTransition, LocalDate } from "../contract/cases.ts";
import type { PostalStatus } from "../contract/delivery.ts";
import type { ErrorCode } from "../contract/errors.ts";
import type { Instant } from "../contract/tickets.ts";
import { localDay } from "../core/time.ts";
import { type WorkCalendar, addWorkingDays, workingDaysBetween } from "./calendar.ts";
import type { CaseCommand, CaseEvent, CaseRecord } from "./model.ts";

export interface CaseEnv {
  now: Instant;
  timeZone: string;
  calendar: WorkCalendar;
}

export type Rejection = { error: ErrorCode; message: string };
export type CaseDecision = { state: CaseRecord; events: CaseEvent[] } | Rejection;

const reject = (error: ErrorCode, message: string): Rejection => ({ error, message });

/** Which status each action leaves from, and where it goes (receive_material stays put). */
export const TRANSITIONS: Record<CaseAction, { from: readonly CaseStatus[]; to: CaseStatus | "same" }> = {
  take: { from: ["accepted"], to: "in_review" },
  request_correction: { from: ["in_review"], to: "correction" },
  resubmit: { from: ["correction"], to: "in_review" },
  approve: { from: ["in_review"], to: "approved" },
  refuse: { from: ["in_review"], to: "refused" },
  certificate_ready: { from: ["approved"], to: "certificate_ready" },
  collect: { from: ["certificate_ready"], to: "collected" },
  mail: { from: ["certificate_ready"], to: "mailed" },
  deliver: { from: ["mailed"], to: "delivered" },
  receive_material: { from: ["accepted", "in_review", "correction"], to: "same" },
};

export const MAX_NOTE = 500;
const DATE = /^\d{4}-\d{2}-\d{2}$/;

export function decide(state: CaseRecord | undefined, cmd: CaseCommand, env: CaseEnv): CaseDecision {
  const r = events(state, cmd, env);
  if ("error" in r) return r;
  let s = state;
  for (const e of r) s = apply(s, e);
  return { state: s as CaseRecord, events: r };
}

export function events(state: CaseRecord | undefined, cmd: CaseCommand, env: CaseEnv): CaseEvent[] | Rejection {
  switch (cmd.type) {
    case "accept":
      return accept(state, cmd, env);
    case "transition":
      return transition(state, cmd, env);
    case "set_postal":
      return setPostal(state, cmd, env);
    case "postal_status":
      return postalStatus(state, cmd, env);
    default: {
      const never: never = cmd;
      return reject("VALIDATION_FAILED", `unknown command ${(never as { type: string }).type}`);
    }
  }
}

function accept(
  state: CaseRecord | undefined,
  cmd: Extract<CaseCommand, { type: "accept" }>,
  env: CaseEnv,
): CaseEvent[] | Rejection {
  if (state) return reject("CASE_ALREADY_ACCEPTED", `case ${state.caseNo} exists`);
  const m = cmd.matter;
  const today = localDay(env.now, env.timeZone);
  const given = new Map<number, (typeof cmd.materials)[number]>();
  for (const item of cmd.materials) {
    if (!Number.isInteger(item.index) || item.index < 0 || item.index >= m.materials.length)
      return reject("VALIDATION_FAILED", `material ${item.index} is not on the checklist of ${m.id}`);
    if (given.has(item.index)) return reject("VALIDATION_FAILED", `material ${item.index} is listed twice`);
    if (item.state === "deferred") {
      if (!item.promisedDate || !DATE.test(item.promisedDate))
        return reject("VALIDATION_FAILED", `deferred material ${item.index} needs a promised date (YYYY-MM-DD)`);
      if (item.promisedDate < today) return reject("VALIDATION_FAILED", `promised date ${item.promisedDate} is in the past`);
    }
    given.set(item.index, item);
  }
  const materials: CaseMaterial[] = m.materials.map((name, index) => {
    const g = given.get(index);
    const enName = m.materialsEn?.[index];
    return {
      index,
      name,
      ...(enName ? { nameEn: enName } : {}),
      essential: m.materialsEssential?.[index] ?? true,
      state: g?.state ?? "missing",
      ...(g?.state === "deferred" && g.promisedDate ? { promisedDate: g.promisedDate } : {}),
    };
  });
  const missing = materials.filter((x) => x.state === "missing");
  const deferred = materials.filter((x) => x.state === "deferred");
  switch (cmd.outcome) {
    case "accepted":
      if (missing.length || deferred.length)
        return reject("MATERIALS_INCOMPLETE", `受理 needs every material; ${missing.length + deferred.length} not received`);
      break;
    case "accepted_deferred":
      if (missing.length) return reject("MATERIALS_INCOMPLETE", `${missing.length} materials missing: defer them or refuse`);
      if (!deferred.length) return reject("MATERIALS_INCOMPLETE", "容缺受理 defers at least one material");
      if (deferred.some((x) => x.essential))
        return reject("MATERIALS_INCOMPLETE", "an essential material cannot be deferred (容缺 is for non-essential ones)");
      break;
    case "not_accepted":
      if (!cmd.reason?.trim()) return reject("VALIDATION_FAILED", "不予受理 needs a reason");
      break;
    default: {
      const never: never = cmd.outcome;
      return reject("VALIDATION_FAILED", `unknown outcome ${String(never)}`);
    }
  }
  const refused = cmd.outcome === "not_accepted";
  const dueDate = refused ? undefined : addWorkingDays(env.calendar, today, m.promisedDays);
  // 容缺 defers a material, not the deadline: approval waits for it and the 承诺时限 clock
  // does not stop for it (only a correction stops it). A material promised after the due
  // date would make the hall accept a case it already knows it will finish late, so it is
  // refused with the due date in the message: the clerk agrees an earlier date with the
  // visitor, or refuses with the 一次性告知 notice. Never capped silently: the visitor was
  // told a date, and the receipt must print the one agreed.
  const late = dueDate ? deferred.find((x) => (x.promisedDate as LocalDate) > dueDate) : undefined;
  if (late && dueDate)
    return reject(
      "DEFERRED_AFTER_DUE",
      `deferred material ${late.index} is promised for ${late.promisedDate}, after the due date ${dueDate}: promise it by ${dueDate}`,
    );
  const first: CaseTransition = {
    seq: 1,
    action: "accept",
    to: refused ? "not_accepted" : "accepted",
    at: env.now,
    by: cmd.by,
    ...(refused ? { note: (cmd.reason as string).trim() } : {}),
  };
  const record: CaseRecord = {
    caseNo: cmd.caseNo,
    matterId: m.id,
    matterName: m.name,
    matterNameEn: m.nameEn,
    departmentId: m.departmentId,
    promisedDays: m.promisedDays,
    status: first.to,
    outcome: cmd.outcome,
    ...(refused ? { refusalReason: (cmd.reason as string).trim() } : {}),
    acceptedAt: env.now,
    acceptedOn: today,
    ...(dueDate ? { dueDate } : {}),
    materials,
    siteId: cmd.siteId,
    version: 0,
    ...(cmd.ticketId ? { ticketId: cmd.ticketId } : {}),
    ...(cmd.ticketNumber ? { ticketNumber: cmd.ticketNumber } : {}),
    ...(cmd.counterId ? { counterId: cmd.counterId } : {}),
    applicant: cmd.applicant,
    acceptedBy: cmd.by,
    transitions: [first],
  };
  const out: CaseEvent[] = [{ type: "case.accepted", at: env.now, record }];
  // 即办件: a complete application of a 0-day matter is decided at the counter.
  if (m.promisedDays === 0 && cmd.outcome === "accepted")
    out.push({
      type: "case.transitioned",
      at: env.now,
      caseNo: cmd.caseNo,
      on: today,
      transition: { seq: 2, action: "approve", from: "accepted", to: "approved", at: env.now, by: cmd.by, note: "即办件" },
    });
  return out;
}

function transition(
  state: CaseRecord | undefined,
  cmd: Extract<CaseCommand, { type: "transition" }>,
  env: CaseEnv,
): CaseEvent[] | Rejection {
  if (!state) return reject("UNKNOWN_CASE", "no such case");
  // Handing over or posting a certificate twice answers why, whatever version was seen.
  if (cmd.action === "collect" || cmd.action === "mail") {
    const handed = handedOver(state);
    if (handed) return handed;
  }
  if (cmd.expectedVersion !== state.version)
    return reject("CASE_CONFLICT", `case ${state.caseNo} is at version ${state.version}, not ${cmd.expectedVersion}`);
  const rule = TRANSITIONS[cmd.action];
  if (!rule) return reject("VALIDATION_FAILED", `unknown action ${String(cmd.action)}`);
  // A parcel the post brought back is collected at the window like a certificate never sent.
  const returned = cmd.action === "collect" && state.status === "mailed" && state.postal?.status === "returned";
  if (!rule.from.includes(state.status) && !returned)
    return reject("ILLEGAL_TRANSITION", `${cmd.action} is not allowed for a case that is ${state.status}`);
  const note = cmd.note?.trim();
  if (note && note.length > MAX_NOTE) return reject("VALIDATION_FAILED", `note longer than ${MAX_NOTE} characters`);
  if ((cmd.action === "request_correction" || cmd.action === "refuse") && !note)
    return reject("VALIDATION_FAILED", `${cmd.action} needs a note (what to correct / why)`);
  const today = localDay(env.now, env.timeZone);
  let dueDate = state.dueDate;
  switch (cmd.action) {
    case "receive_material": {
      const item = state.materials[cmd.materialIndex ?? -1];
      if (!item) return reject("VALIDATION_FAILED", "materialIndex must name an item of the checklist");
      if (item.state === "received") return reject("ILLEGAL_TRANSITION", `material ${item.index} was already received`);
      break;
    }
    case "approve":
      // A deferred material must be in before the decision (容缺 defers it, it does not waive it).
      if (state.materials.some((x) => x.state !== "received"))
        return reject("MATERIALS_INCOMPLETE", "materials are still owed: receive them first");
      break;
    case "resubmit":
      // The clock stood still from the day of the request to the day of the corrections.
      if (dueDate && state.pausedOn)
        dueDate = addWorkingDays(env.calendar, dueDate, workingDaysBetween(env.calendar, state.pausedOn, today));
      break;
    case "collect":
      if (!cmd.collection) return reject("VALIDATION_FAILED", "collect needs the collector (name and ID)");
      break;
    case "mail":
      if (state.postal && !cmd.trackingNo) return reject("VALIDATION_FAILED", "mail needs the waybill number");
      break;
    case "take":
    case "request_correction":
    case "refuse":
    case "certificate_ready":
    case "deliver":
      break;
    default: {
      const never: never = cmd.action;
      return reject("VALIDATION_FAILED", `unknown action ${String(never)}`);
    }
  }
  const t: CaseTransition = {
    seq: state.transitions.length + 1,
    action: cmd.action,
    from: state.status,
    to: rule.to === "same" ? state.status : rule.to,
    at: env.now,
    by: cmd.by,
    ...(note ? { note } : {}),
    ...(cmd.action === "receive_material" ? { materialIndex: cmd.materialIndex as number } : {}),
    ...(cmd.action === "mail" && cmd.trackingNo ? { trackingNo: cmd.trackingNo } : {}),
  };
  return [
    {
      type: "case.transitioned",
      at: env.now,
      caseNo: state.caseNo,
      on: today,
      transition: t,
      ...(dueDate ? { dueDate } : {}),
      ...(cmd.action === "collect" && cmd.collection ? { collection: cmd.collection } : {}),
      ...(cmd.action === "mail" && cmd.courier ? { courier: cmd.courier } : {}),
    },
  ];
}

/** Collected, or in the post (and not back): the clear reason a second hand-over is refused. */
function handedOver(state: CaseRecord): Rejection | undefined {
  if (state.status === "collected") return reject("CERTIFICATE_ALREADY_COLLECTED", `case ${state.caseNo} was collected`);
  if (state.status === "delivered" || (state.status === "mailed" && state.postal?.status !== "returned"))
    return reject("ALREADY_MAILED", `case ${state.caseNo} is in the post`);
  return undefined;
}

const POSTAL_RANK: Record<PostalStatus, number> = { requested: 0, sent: 1, in_transit: 2, delivered: 3, returned: 3 };

function setPostal(
  state: CaseRecord | undefined,
  cmd: Extract<CaseCommand, { type: "set_postal" }>,
  env: CaseEnv,
): CaseEvent[] | Rejection {
  if (!state) return reject("UNKNOWN_CASE", "no such case");
  const handed = handedOver(state);
  if (handed) return handed;
  if (state.status === "refused" || state.status === "not_accepted")
    return reject("ILLEGAL_TRANSITION", `a case that is ${state.status} has no certificate to mail`);
  return [
    {
      type: "case.postal_set",
      at: env.now,
      caseNo: state.caseNo,
      postal: { ...cmd.postal, status: "requested", requestedAt: env.now },
    },
  ];
}

function postalStatus(
  state: CaseRecord | undefined,
  cmd: Extract<CaseCommand, { type: "postal_status" }>,
  env: CaseEnv,
): CaseEvent[] | Rejection {
  if (!state) return reject("UNKNOWN_CASE", "no such case");
  const p = state.postal;
  if (!p || POSTAL_RANK[p.status] < 1) return reject("ILLEGAL_TRANSITION", "the certificate was not mailed");
  // Repeated or late news (in transit after delivered) is already known: nothing happens.
  if (POSTAL_RANK[cmd.status] <= POSTAL_RANK[p.status]) return [];
  if (state.status !== "mailed") return [];
  if (cmd.status === "delivered")
    return [
      {
        type: "case.transitioned",
        at: env.now,
        caseNo: state.caseNo,
        on: localDay(env.now, env.timeZone),
        transition: {
          seq: state.transitions.length + 1,
          action: "deliver",
          from: state.status,
          to: "delivered",
          at: env.now,
          by: { staffId: `courier:${cmd.courier}`, name: cmd.courier, role: "courier" },
        },
      },
    ];
  return [{ type: "case.postal_status", at: env.now, caseNo: state.caseNo, status: cmd.status }];
}

/** Fold one event into the case (a new object; the input is not changed). */
export function apply(state: CaseRecord | undefined, e: CaseEvent): CaseRecord {
  switch (e.type) {
    case "case.accepted":
      return { ...structuredClone(e.record), version: 1 };
    case "case.transitioned": {
      if (!state) throw new Error(`transition of unknown case ${e.caseNo}`);
      const t = e.transition;
      const next: CaseRecord = {
        ...state,
        status: t.to,
        version: state.version + 1,
        transitions: [...state.transitions, t],
        materials: state.materials.map((m) =>
          t.action === "receive_material" && m.index === t.materialIndex
            ? (({ promisedDate: _p, ...rest }) => ({ ...rest, state: "received" as const, receivedAt: e.at }))(m)
            : m,
        ),
      };
      if (e.dueDate) next.dueDate = e.dueDate;
      if (t.action === "take") next.assignee = t.by;
      if (t.action === "request_correction") next.pausedOn = e.on;
      if (t.action === "resubmit") delete next.pausedOn;
      if (t.action === "approve" || t.action === "refuse") next.finishedAt = e.at;
      if (t.action === "refuse" && t.note) next.refusalReason = t.note;
      if (t.action === "collect" && e.collection) next.collection = structuredClone(e.collection);
      if (t.action === "mail" && next.postal)
        next.postal = {
          ...next.postal,
          status: "sent",
          ...(t.trackingNo ? { waybillNo: t.trackingNo } : {}),
          ...(e.courier ? { courier: e.courier } : {}),
          mailedAt: e.at,
          updatedAt: e.at,
        };
      if (t.action === "deliver" && next.postal) next.postal = { ...next.postal, status: "delivered", updatedAt: e.at };
      return next;
    }
    case "case.postal_set": {
      if (!state) throw new Error(`postal address of unknown case ${e.caseNo}`);
      return { ...state, version: state.version + 1, postal: structuredClone(e.postal) };
    }
    case "case.postal_status": {
      if (!state?.postal) throw new Error(`postal status of a case without a parcel ${e.caseNo}`);
      return { ...state, version: state.version + 1, postal: { ...state.postal, status: e.status, updatedAt: e.at } };
    }
    default: {
      const never: never = e;
      throw new Error(`unknown event ${(never as { type: string }).type}`);
    }
  }
}

/** Open (still being handled) and past its due date on `today`; a paused clock is never overdue. */
export function isOverdue(c: Pick<CaseRecord, "status" | "dueDate">, today: LocalDate): boolean {
  return (c.status === "accepted" || c.status === "in_review") && !!c.dueDate && c.dueDate < today;
}
