/**
 * Self-service terminals (自助终端, issue 12): query (查询) and print (打印). Shared by the hub
 * (server/src/terminals/) and the terminal page (terminal-ui/). UIs `import type` only.
 *
 * A terminal is a page paired as role `terminal` with an id (t1); every route below needs
 * its device token (Bearer) and `:id` must be the token's own terminal. Docs: docs/api.md.
 *
 *   GET  /api/terminals/:id/hall                 → HallNow (waiting per series, estimated waits)
 *   GET  /api/terminals/:id/cases?idToken=       → TerminalCaseList: the cases of the ID card
 *                                                  just read at this terminal
 *   GET  /api/terminals/:id/cases/:caseNo?scanToken= | ?check=NNNN
 *                                                → TerminalCase: by the receipt's QR scanned
 *                                                  here, or by case number + last four digits
 *                                                  of the phone (rate-limited: RATE_LIMITED)
 *   POST /api/terminals/:id/certificates         CertificatePrintBody → CertificatePrintReply
 *        NOT_CASE_OWNER (the card read is not the case's applicant), CERTIFICATE_NOT_READY,
 *        SELF_PRINT_NOT_ALLOWED (the matter's certificates are handed out at a window),
 *        ALREADY_PRINTED (printed once already: a second copy needs a clerk),
 *        PRINT_IN_PROGRESS, ID_CARD_EXPIRED (read the card again), PRINTER_* (below)
 *   POST /api/terminals/:id/guides/:matterId     → { print: A4PrintResult } (办事指南 on A4)
 *   POST /api/terminals/:id/session/end          { idToken? } → 204: the idle reset forgets
 *                                                  the card read here
 *
 * A clerk prints a second copy of a self-printed certificate (staff, not terminals):
 *   POST /api/certificates/:caseNo/reprint       ClerkReprintBody → ClerkReprintReply
 *        a clerk at the 统一出证 window they hold (supervisors, admins anywhere), on that
 *        window's A4 printer, or on terminal `terminalId`'s; recorded (who, where, why).
 *        NOT_SELF_PRINTED (no self-printed first copy: hand it over at the window),
 *        SELF_PRINT_NOT_ALLOWED, NO_PRINTER, PRINTER_* (below)
 *
 * Socket.IO: the terminal subscribes `{ view: "screen", screenId: "terminal-<id>" }` (only
 * the terminal paired as <id> may) and receives `terminal:input` (TerminalInput).
 */
import type { CaseMaterial, CaseStatus, LocalDate } from "./cases.ts";
import type { Instant } from "./tickets.ts";

/** What the terminal's own devices read, sent to its screen room. */
export type TerminalInput =
  | {
      terminalId: string;
      kind: "id_card";
      /** Good at this terminal for a few minutes, until the idle reset ends it. */
      idToken: string;
      /** 3714**********1234 */
      masked: string;
      /** Surname and stars only. */
      name: string;
    }
  | {
      terminalId: string;
      kind: "receipt";
      caseNo: string;
      /** Proves the receipt was scanned here (the page cannot make one up). */
      scanToken: string;
    }
  /** A payment code (付款码) scanned here (issue 12): the code stays in the hub, the page gets a token for it. */
  | { terminalId: string; kind: "pay_code"; payToken: string }
  | { terminalId: string; kind: "unknown_code" };

/** Whether the visitor can print the case's certificate here now. */
export type SelfPrintState = "ready" | "printed" | "not_ready" | "not_allowed";

/** A case as the terminal shows it: masked applicant, what is missing, where to collect. */
export interface TerminalCase {
  caseNo: string;
  matterId: string;
  matterName: string;
  matterNameEn: string;
  departmentName: string;
  departmentNameEn: string;
  status: CaseStatus;
  acceptedOn: LocalDate;
  dueDate?: LocalDate;
  overdue: boolean;
  clockPaused: boolean;
  /** Materials still owed (missing or deferred, not yet handed in). */
  missing: Pick<CaseMaterial, "name" | "nameEn" | "promisedDate">[];
  /** What to correct (补正), when the case is in correction. */
  correctionNote?: string;
  /** Where to collect the result (统一出证 window), once it is ready. */
  collectAt?: { zh: string; en: string };
  selfPrint: SelfPrintState;
  applicant: { nameMasked: string; idMasked?: string; phoneMasked: string };
}

export interface TerminalCaseList {
  /** The card's masked number (to show whose cases these are). */
  masked: string;
  cases: TerminalCase[];
}

/** One ticket series now. */
export interface HallNowQueue {
  queueId: string;
  prefix: string;
  name: string;
  nameEn: string;
  zoneName: string;
  zoneNameEn: string;
  waiting: number;
  /** For someone taking a number now. */
  estimatedWaitMin: number;
  /** Counters open for the series now. */
  openCounters: number;
}

export interface HallNow {
  at: Instant;
  queues: HallNowQueue[];
}

/** What came of printing on the terminal's A4 printer. */
export type A4PrintResult =
  | { status: "printed"; printerId: string }
  | { status: "none" }
  | {
      status: "failed";
      printerId: string;
      error: "OFFLINE" | "PAPER_OUT" | "JAM" | "TONER_EMPTY" | "COVER_OPEN" | "REFUSED" | "TIMEOUT" | "ERROR";
    };

export interface CertificatePrintBody {
  caseNo: string;
  /** The token of the ID card read at this terminal. */
  idToken: string;
}

/** A clerk's second copy of a self-printed certificate. */
export interface ClerkReprintBody {
  /** The window the clerk acts at (they must hold it, unless supervisor or admin). */
  counterId: string;
  /** Print on this terminal's A4 printer instead of the window's own. */
  terminalId?: string;
  /** Why another copy (lost, damaged …): kept with the record. */
  reason: string;
}

export interface ClerkReprintReply {
  caseNo: string;
  /** 2 for the first clerk copy (the self-print was the first). */
  copy: number;
  print: { status: "printed"; printerId: string };
}

/** One recorded clerk copy. */
export interface ReprintRecord {
  caseNo: string;
  copy: number;
  staffId: string;
  staffName: string;
  counterId: string;
  printerId: string;
  reason: string;
  at: Instant;
}

export interface CertificatePrintReply {
  caseNo: string;
  print: { status: "printed"; printerId: string };
}
