/**
 * The help desk engine's data: the record a help case is, the commands that change it and
 * the events they produce. Plain data only (stored as JSON by the help store).
 */
import type { LocalDate } from "../contract/cases.ts";
import type {
  HelpActor,
  HelpKind,
  HelpNote,
  HelpSettings,
  HelpStatus,
  HelpTransfer,
  ReminderLevel,
} from "../contract/helpdesk.ts";
import type { Instant } from "../contract/tickets.ts";
import type { WorkCalendar } from "../cases/calendar.ts";

/** The visitor as the hub keeps them: the ID number never, only its salted hash and mask. */
export interface StoredVisitor {
  name: string;
  phone?: string;
  idHash?: string;
  idMasked?: string;
  company?: string;
}

export interface HelpRecord {
  id: string;
  kind: HelpKind;
  title: string;
  status: HelpStatus;
  departmentId?: string;
  visitor: StoredVisitor;
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
  /** Case numbers of the chain, in the order the matters are handled. */
  links: string[];
  closedAt?: Instant;
  closeNote?: string;
  /** Reminders sent for the current stall (reset by any progress). */
  reminderLevel: ReminderLevel;
  version: number;
}

export interface HelpEnv {
  now: Instant;
  timeZone: string;
  calendar: WorkCalendar;
  settings: HelpSettings;
}

/** Who the hub itself acts as (reminders). */
export const SYSTEM: HelpActor = { staffId: "system", name: "系统", role: "system" };

export type HelpCommand =
  | {
      type: "open";
      /** Allocated by the store, in the same transaction as the help case. */
      id: string;
      kind: HelpKind;
      title: string;
      departmentId?: string;
      visitor: StoredVisitor;
      nextStep?: string;
      nextStepDate?: LocalDate;
      links: string[];
      by: HelpActor;
    }
  | { type: "note"; expectedVersion: number; text: string; nextStep?: string; nextStepDate?: LocalDate; by: HelpActor }
  | { type: "link"; expectedVersion: number; caseNo: string; by: HelpActor }
  | { type: "transfer"; expectedVersion: number; to: HelpActor; reason: string; by: HelpActor }
  | { type: "close"; expectedVersion: number; note: string; by: HelpActor }
  /** The hub's sweep: remind whoever is due (nothing when nobody is). */
  | { type: "remind" };

export type HelpEvent =
  | { type: "help.opened"; at: Instant; record: HelpRecord }
  | { type: "help.noted"; at: Instant; on: LocalDate; note: HelpNote }
  | { type: "help.linked"; at: Instant; on: LocalDate; caseNo: string; by: HelpActor }
  | { type: "help.transferred"; at: Instant; on: LocalDate; transfer: HelpTransfer }
  | { type: "help.closed"; at: Instant; by: HelpActor; note: string }
  | { type: "help.reminded"; at: Instant; level: 1 | 2; idleWorkingDays: number };
