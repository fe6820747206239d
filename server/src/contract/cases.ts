/**
 * Cases (办件): what a visitor applied for, from acceptance at a counter to the certificate
 * in their hands. Shared by the hub (server/src/cases/) and the pages (counter acceptance,
 * /office back office, /q/<caseNo> progress page, data wall). UIs `import type` only.
 *
 * ## Routes (docs/api.md has the details; access rules in server/src/http/access.ts)
 * Every write carries an `Idempotency-Key` header (1–64 chars, unique per intended write):
 * a retried request with the same key and body gets the first answer again, never a second
 * case or a second transition.
 *
 *   POST /api/cases                           AcceptCaseBody → 201 Case
 *        a clerk at the counter they hold (the ticket must be served there), help desk /
 *        supervisors / admins anywhere. Refusals: CASE_ALREADY_ACCEPTED (one ticket, one case),
 *        UNKNOWN_MATTER, UNKNOWN_TICKET, UNKNOWN_SITE, MATERIALS_INCOMPLETE, VALIDATION_FAILED.
 *   GET  /api/cases/:caseNo                   → Case (staff)
 *   POST /api/cases/:caseNo/transitions       CaseTransitionBody → Case
 *        ILLEGAL_TRANSITION (not allowed from the current status), CASE_CONFLICT (the case
 *        moved since expectedVersion: reload and retry), FORBIDDEN (another department's case)
 *   GET  /api/cases?dept=&status=&overdue=1&q=&limit=&cursor=
 *                                             → CaseWorklist (staff; overdue first, then
 *                                               earliest due; approvers see their department)
 *   GET  /api/cases/stats?from=YYYY-MM-DD     → CaseStats (public aggregate, for the wall)
 *   GET  /api/public/cases/:caseNo?check=NNNN → PublicCase (anyone with the case number and
 *        the last four digits of the applicant's phone or ID number; rate-limited per address:
 *        RATE_LIMITED; a wrong check answers UNKNOWN_CASE, the same as a wrong number)
 *
 * ## Socket.IO (client → server `cases:subscribe`, ack `Ack<{ room: string }>`)
 *   { view: "office", departmentId? }  staff: `case:updated` (Case) for that department
 *                                      (approvers: theirs only; no departmentId = all, for
 *                                      supervisors/admins)
 *   { view: "case", caseNo, check }    anyone with the check digits: `case:progress` (PublicCase)
 *   `cases:stats` (CaseStats) goes to the `hall` room whenever a case changes (the wall).
 *
 * ## Hall bus (server side): "case.accepted" (Case), "case.transitioned" (Case, CaseTransition)
 */
import type { CollectionPublic, CollectionStaff, PostalPublic, PostalStaff } from "./delivery.ts";
import type { Instant } from "./tickets.ts";

/** "YYYY-MM-DD", a local date in the hall's time zone (Asia/Shanghai). */
export type LocalDate = string;

/**
 * Where a case is in its life.
 * - accepted: 已受理 (受理 or 容缺受理), waiting for the back office
 * - in_review: 审批中, held by a back-office approver
 * - correction: 补正, returned to the applicant for corrections; the due-date clock is paused
 * - approved: 办结 (approved)
 * - refused: 不予许可 (refused after review, with a reason)
 * - certificate_ready: 证照已制作, waiting at the 统一出证 window or for the post
 * - collected: 已领取 at the window
 * - mailed: 已寄出 (邮政寄递)
 * - delivered: 已送达
 * - not_accepted: 不予受理 at the counter (the 一次性告知 notice lists everything missing)
 */
export type CaseStatus =
  | "accepted"
  | "in_review"
  | "correction"
  | "approved"
  | "refused"
  | "certificate_ready"
  | "collected"
  | "mailed"
  | "delivered"
  | "not_accepted";
export const CASE_STATUSES: readonly CaseStatus[] = [
  "accepted",
  "in_review",
  "correction",
  "approved",
  "refused",
  "certificate_ready",
  "collected",
  "mailed",
  "delivered",
  "not_accepted",
];
/** Statuses in which the case is still being handled (counted as open; may be overdue). */
export const OPEN_CASE_STATUSES: readonly CaseStatus[] = ["accepted", "in_review", "correction"];
/** 办结: the decision is made (approved or refused); later statuses are after 办结 too. */
export const FINISHED_CASE_STATUSES: readonly CaseStatus[] = [
  "approved",
  "refused",
  "certificate_ready",
  "collected",
  "mailed",
  "delivered",
];

/** The counter's decision at acceptance: 受理, 容缺受理, 不予受理. */
export type AcceptanceOutcome = "accepted" | "accepted_deferred" | "not_accepted";
export const ACCEPTANCE_OUTCOMES: readonly AcceptanceOutcome[] = ["accepted", "accepted_deferred", "not_accepted"];

/**
 * One material of the checklist: received, missing, or deferred (容缺: a non-essential item
 * follows later, by `promisedDate`).
 */
export type MaterialState = "received" | "missing" | "deferred";
export interface CaseMaterial {
  /** Position in the matter's `materials` list. */
  index: number;
  name: string;
  nameEn?: string;
  /** Essential items can never be deferred (容缺 only for non-essential ones). */
  essential: boolean;
  state: MaterialState;
  /** For deferred items: the local date the applicant promised to bring it. */
  promisedDate?: LocalDate;
  /** When a deferred or missing item was handed in after acceptance. */
  receivedAt?: Instant;
}

/**
 * What staff can do to an accepted case. From → to:
 * - take: accepted → in_review (an approver of the case's department takes it)
 * - request_correction: in_review → correction (note required: what to correct; clock paused)
 * - resubmit: correction → in_review (corrections received; clock resumes, due date moves
 *   by the working days it was paused)
 * - approve: in_review → approved (办结)
 * - refuse: in_review → refused (note required: the reason)
 * - certificate_ready: approved → certificate_ready
 * - collect: certificate_ready → collected (统一出证 window)
 * - mail: certificate_ready → mailed (trackingNo optional)
 * - deliver: mailed → delivered
 * - receive_material: a deferred/missing item handed in (materialIndex); status unchanged;
 *   allowed while the case is open (accepted, in_review, correction)
 */
export type CaseAction =
  | "take"
  | "request_correction"
  | "resubmit"
  | "approve"
  | "refuse"
  | "certificate_ready"
  | "collect"
  | "mail"
  | "deliver"
  | "receive_material";
export const CASE_ACTIONS: readonly CaseAction[] = [
  "take",
  "request_correction",
  "resubmit",
  "approve",
  "refuse",
  "certificate_ready",
  "collect",
  "mail",
  "deliver",
  "receive_material",
];

/** Who did something (staff only; never the applicant's data). */
export interface CaseActor {
  staffId: string;
  name: string;
  role: string;
}

/** One step of a case's history. Acceptance is the first (action "accept"). */
export interface CaseTransition {
  /** 1, 2, 3… per case. */
  seq: number;
  action: CaseAction | "accept";
  /** Absent for the acceptance. */
  from?: CaseStatus;
  to: CaseStatus;
  at: Instant;
  by: CaseActor;
  note?: string;
  /** receive_material: which item. */
  materialIndex?: number;
  /** mail: the post's tracking number. */
  trackingNo?: string;
}

/** Where a case was accepted: the hall itself, or a township / community front desk (下沉). */
export type SiteKind = "hall" | "township" | "community";

/** The applicant as staff see them: the ID number only masked (its salted hash stays in the hub). */
export interface CaseApplicantStaff {
  name: string;
  /** 3714**********1234 */
  idMasked?: string;
  /** Staff may call the applicant (补正, certificate ready). */
  phone: string;
}

/** The applicant as the public progress page shows them. */
export interface CaseApplicantPublic {
  /** Surname then stars: 王** */
  nameMasked: string;
  idMasked?: string;
  /** 138****1234 */
  phoneMasked: string;
}

/** Fields both views share. */
interface CaseBase {
  /** 371426-20261202-00042: county administrative code, local acceptance date, sequence. */
  caseNo: string;
  matterId: string;
  matterName: string;
  matterNameEn: string;
  departmentId: string;
  status: CaseStatus;
  outcome: AcceptanceOutcome;
  /** 不予受理: why (shown on the 一次性告知 notice). */
  refusalReason?: string;
  acceptedAt: Instant;
  /** Local acceptance date. */
  acceptedOn: LocalDate;
  /** 承诺时限 in working days (0 = 即办件, done at the counter). */
  promisedDays: number;
  /**
   * Last working day the case is due by (inclusive), moved on by the working days spent in
   * correction. Absent for 不予受理.
   */
  dueDate?: LocalDate;
  /** In correction (补正): the clock is stopped. */
  clockPaused: boolean;
  /** Open and past its due date (computed at read time, hall's calendar). */
  overdue: boolean;
  /** 办结 time (approved or refused). */
  finishedAt?: Instant;
  materials: CaseMaterial[];
  siteId: string;
  /** Optimistic concurrency: send it back as expectedVersion. Starts at 1. */
  version: number;
}

/** A case as staff see it. */
export interface Case extends CaseBase {
  ticketId?: string;
  /** Ticket number as called (A012), for the counter's records. */
  ticketNumber?: string;
  counterId?: string;
  applicant: CaseApplicantStaff;
  acceptedBy: CaseActor;
  /** The approver holding the case (set by take). */
  assignee?: CaseActor;
  transitions: CaseTransition[];
  /** Path of the public progress page (the receipt's QR): /q/<caseNo>. */
  progressPath: string;
  /** Who collected the certificate at the 统一出证 window (issue 11). */
  collection?: CollectionStaff;
  /** The postal request and its parcel (issue 11). */
  postal?: PostalStaff;
}

/** One step as the public sees it: no staff names; notes only where the applicant needs them. */
export interface PublicCaseStep {
  action: CaseAction | "accept";
  to: CaseStatus;
  at: Instant;
  /** Only for request_correction (what to correct), refuse and 不予受理 (why). */
  note?: string;
}

/** The progress page's view (`/q/<caseNo>`): masked personal data only. */
export interface PublicCase extends CaseBase {
  applicant: CaseApplicantPublic;
  timeline: PublicCaseStep[];
  collection?: CollectionPublic;
  postal?: PostalPublic;
}

/** One row of a worklist. */
export interface CaseSummary {
  caseNo: string;
  matterId: string;
  matterName: string;
  departmentId: string;
  status: CaseStatus;
  outcome: AcceptanceOutcome;
  applicantName: string;
  acceptedAt: Instant;
  dueDate?: LocalDate;
  clockPaused: boolean;
  overdue: boolean;
  assigneeName?: string;
  version: number;
}

export interface CaseWorklist {
  items: CaseSummary[];
  /** Pass as `cursor` for the next page; absent on the last page. */
  next?: string;
}

/** Per department, for the data wall (办件量, 办结率, overdue). */
export interface DepartmentCaseStats {
  departmentId: string;
  /** 办件量: cases accepted (受理 + 容缺受理; 不予受理 not counted). */
  accepted: number;
  notAccepted: number;
  /** 办结: approved or refused (and every later status). */
  finished: number;
  /** Cases due: finished, or open with a due date before today. 办结率 = finished ÷ due. */
  due: number;
  /** finished ÷ due, 0..1; 1 when nothing is due yet. */
  completionRate: number;
  open: number;
  overdue: number;
}

export interface CaseStats {
  /** Local date the counts start from (inclusive); absent = all time. */
  from?: LocalDate;
  /** Local date of "today" the overdue counts use. */
  today: LocalDate;
  departments: DepartmentCaseStats[];
  total: Omit<DepartmentCaseStats, "departmentId">;
}

// ---- request bodies ----

/** POST /api/cases */
export interface AcceptCaseBody {
  /** The ticket being (or just) served at `counterId`; one case per ticket. */
  ticketId?: string;
  /** The accepting counter (a clerk must hold it). Absent for a township/community desk. */
  counterId?: string;
  /** A site from the catalogue (`catalogue.sites`); default the hall's own. */
  siteId?: string;
  /** Default: the ticket's matter. Required without a ticket. */
  matterId?: string;
  applicant: {
    name: string;
    /** 18-character resident ID number; kept only as a salted hash + masked form. */
    idNumber?: string;
    /** Mainland mobile (11 digits) or landline digits; needed for the progress check. */
    phone: string;
  };
  /** One entry per material of the matter (by index); items not listed count as missing. */
  materials: { index: number; state: MaterialState; promisedDate?: LocalDate }[];
  outcome: AcceptanceOutcome;
  /** Required for not_accepted. */
  reason?: string;
}

/** POST /api/cases/:caseNo/transitions */
export interface CaseTransitionBody {
  action: CaseAction;
  /** The version the actor saw; a different current version answers CASE_CONFLICT. */
  expectedVersion: number;
  /** Required for request_correction and refuse; up to 500 characters. */
  note?: string;
  /** receive_material */
  materialIndex?: number;
  /** mail */
  trackingNo?: string;
}

/** `cases:subscribe` payloads. */
export type CaseSubscription = { view: "office"; departmentId?: string } | { view: "case"; caseNo: string; check: string };

/* The case module's Socket.IO events are in the hub's event maps (contract/events.ts). */
