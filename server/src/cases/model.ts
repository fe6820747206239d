/**
 * The case engine's data: the record a case is, the commands that change it and the events
 * they produce. Plain data only (stored as JSON by the case store).
 */
import type {
  AcceptanceOutcome,
  CaseAction,
  CaseActor,
  CaseMaterial,
  CaseStatus,
  CaseTransition,
  LocalDate,
  MaterialState,
} from "../contract/cases.ts";
import type { PostalStaff, PostalStatus } from "../contract/delivery.ts";
import type { Instant } from "../contract/tickets.ts";

/**
 * Who collected the certificate: at the 统一出证 window, or (via "self_print") the applicant
 * printing it at a self-service terminal. The ID number only hashed and masked.
 */
export interface StoredCollection {
  kind: "applicant" | "agent";
  /** Absent: at a window (records written before self-printing counted). */
  via?: "self_print";
  name: string;
  /** HMAC-SHA256(idSalt, ID number), as the applicant's. */
  idHash: string;
  idMasked: string;
  at: Instant;
  /** The window (absent for a self-print). */
  counterId?: string;
  counterNumber?: number;
  /** The terminal (self-print only). */
  terminalId?: string;
  /** The clerk; for a self-print the terminal itself (role "terminal"). */
  by: CaseActor;
}

/** The postal request and its parcel (issue 11). */
export type StoredPostal = PostalStaff;

/** The applicant as the hub keeps them: the ID number never, only its salted hash and mask. */
export interface StoredApplicant {
  name: string;
  phone: string;
  /** HMAC-SHA256(idSalt, ID number), base64url: finds a person's cases without keeping the number. */
  idHash?: string;
  idMasked?: string;
  /** Last four characters of the ID number (the public check; also visible in idMasked). */
  idLast4?: string;
}

/** A case as the engine and the store hold it. */
export interface CaseRecord {
  caseNo: string;
  matterId: string;
  matterName: string;
  matterNameEn: string;
  departmentId: string;
  promisedDays: number;
  status: CaseStatus;
  outcome: AcceptanceOutcome;
  refusalReason?: string;
  acceptedAt: Instant;
  acceptedOn: LocalDate;
  dueDate?: LocalDate;
  /** Local date the clock stopped (correction requested); absent while it runs. */
  pausedOn?: LocalDate;
  finishedAt?: Instant;
  materials: CaseMaterial[];
  siteId: string;
  version: number;
  ticketId?: string;
  ticketNumber?: string;
  counterId?: string;
  applicant: StoredApplicant;
  acceptedBy: CaseActor;
  assignee?: CaseActor;
  transitions: CaseTransition[];
  /** Set by collect (统一出证). */
  collection?: StoredCollection;
  /** Set when an address is given (邮政寄递); the parcel's status follows the courier. */
  postal?: StoredPostal;
}

/** The matter as the engine needs it (from the catalogue). */
export interface MatterInfo {
  id: string;
  name: string;
  nameEn: string;
  departmentId: string;
  materials: string[];
  materialsEn?: string[];
  materialsEssential?: boolean[];
  promisedDays: number;
}

export type CaseCommand =
  | {
      type: "accept";
      /** Allocated by the store, in the same transaction as the case. */
      caseNo: string;
      matter: MatterInfo;
      outcome: AcceptanceOutcome;
      reason?: string;
      materials: { index: number; state: MaterialState; promisedDate?: LocalDate }[];
      applicant: StoredApplicant;
      siteId: string;
      ticketId?: string;
      ticketNumber?: string;
      counterId?: string;
      by: CaseActor;
    }
  | {
      type: "transition";
      action: CaseAction;
      expectedVersion: number;
      note?: string;
      materialIndex?: number;
      trackingNo?: string;
      /** mail: the courier that assigned trackingNo. */
      courier?: string;
      /** collect: who took the certificate (required). */
      collection?: StoredCollection;
      by: CaseActor;
    }
  | {
      /** Give or change the postal address (until the parcel is sent). */
      type: "set_postal";
      postal: Omit<StoredPostal, "status" | "requestedAt">;
    }
  | {
      /** The courier's news about the parcel; old or repeated news changes nothing. */
      type: "postal_status";
      status: Extract<PostalStatus, "in_transit" | "delivered" | "returned">;
      courier: string;
    };

export type CaseEvent =
  | { type: "case.accepted"; at: Instant; record: CaseRecord }
  | {
      type: "case.transitioned";
      at: Instant;
      caseNo: string;
      transition: CaseTransition;
      /** The due date after this step (moved on by a resubmission). */
      dueDate?: LocalDate;
      /** Local date of the step (the clock stops and restarts on local days). */
      on: LocalDate;
      collection?: StoredCollection;
      courier?: string;
    }
  | { type: "case.postal_set"; at: Instant; caseNo: string; postal: StoredPostal }
  | { type: "case.postal_status"; at: Instant; caseNo: string; status: PostalStatus };
