/**
 * The help desk (帮办代办) as the pages see it: help cases owned by the helper the visitor
 * first asked (首问负责制), their notes, transfers, linked cases (一链办理 for enterprise
 * projects), reminders when a case stalls, and the ledger (台账).
 * Helpers are staff of role `clerk` (the help-desk windows are counters staffed by clerks);
 * supervisors and admins act on any help case; approvers (back office) do not run the desk.
 */
import type { CaseStatus, LocalDate } from "./cases.ts";
import type { Instant } from "./tickets.ts";

export type HelpKind = "individual" | "project";
export const HELP_KINDS: readonly HelpKind[] = ["individual", "project"];
export type HelpStatus = "open" | "closed";
export const HELP_STATUSES: readonly HelpStatus[] = ["open", "closed"];

export interface HelpActor {
  staffId: string;
  name: string;
  role: string;
}

export interface HelpNote {
  at: Instant;
  by: HelpActor;
  text: string;
  nextStep?: string;
  nextStepDate?: LocalDate;
}

export interface HelpTransfer {
  at: Instant;
  by: HelpActor;
  from: HelpActor;
  to: HelpActor;
  reason: string;
}

/** One matter of the chain (一链办理): its case, once accepted, and that case's status now. */
export interface HelpLink {
  caseNo: string;
  /** Filled in by the service from the case store (not stored with the help case). */
  status?: CaseStatus;
  matterName?: string;
  departmentId?: string;
}

/** 1: the owner was reminded; 2: their supervisor too. */
export type ReminderLevel = 0 | 1 | 2;

export interface HelpCase {
  id: string;
  kind: HelpKind;
  title: string;
  status: HelpStatus;
  departmentId?: string;
  /** Staff see the visitor's name and phone (to call them); the ID number only masked. */
  visitor: { name: string; phone?: string; idMasked?: string; company?: string };
  owner: HelpActor;
  openedBy: HelpActor;
  openedAt: Instant;
  openedOn: LocalDate;
  lastProgressAt: Instant;
  lastProgressOn: LocalDate;
  nextStep?: string;
  nextStepDate?: LocalDate;
  notes: HelpNote[];
  transfers: HelpTransfer[];
  links: HelpLink[];
  /**
   * The visitor's other cases in the case store (same ID number), not linked yet: what the
   * helper may link. Present only when the visitor gave their ID number.
   */
  visitorCases?: HelpLink[];
  /** Chain progress: links whose case has finished, of all links. */
  chain: { done: number; total: number };
  closedAt?: Instant;
  closeNote?: string;
  reminderLevel: ReminderLevel;
  /** Working days without progress (hall calendar), as of the hub's today. */
  idleWorkingDays: number;
  version: number;
}

/** A ledger row: personal data masked (the ledger is printed and passed around). */
export interface HelpLedgerRow {
  id: string;
  kind: HelpKind;
  title: string;
  status: HelpStatus;
  departmentId?: string;
  visitorNameMasked: string;
  phoneMasked?: string;
  company?: string;
  ownerName: string;
  ownerId: string;
  openedOn: LocalDate;
  lastProgressOn: LocalDate;
  nextStep?: string;
  nextStepDate?: LocalDate;
  links: number;
  transfers: number;
  closedAt?: Instant;
  overdue: boolean;
  reminderLevel: ReminderLevel;
}

export interface HelpLedger {
  items: HelpLedgerRow[];
  total: number;
  next?: string;
}

export interface HelpSettings {
  /** Working days without progress before the owner is reminded. */
  remindAfterDays: number;
  /** Further working days before the owner's supervisor is reminded too. */
  escalateAfterDays: number;
}

export interface HelpReminder {
  helpId: string;
  title: string;
  level: 1 | 2;
  ownerId: string;
  ownerName: string;
  idleWorkingDays: number;
  at: Instant;
}

export interface OpenHelpBody {
  kind: HelpKind;
  title: string;
  departmentId?: string;
  visitor: { name: string; phone?: string; idNumber?: string; company?: string };
  nextStep?: string;
  nextStepDate?: LocalDate;
  links?: string[];
}

export type HelpSubscription = { view: "desk" };
