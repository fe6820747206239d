/**
 * After approval: the unified certificate window (统一出证) and postal delivery (邮政寄递).
 * Shared by the hub (server/src/delivery/) and the pages (/certificates, the counter's
 * acceptance form, the progress page /q/<caseNo>). UIs `import type` only.
 *
 * ## Routes (docs/api.md; access rules in server/src/http/access.ts)
 *   GET  /api/certificates/find?caseNo= | ?qr=<receipt QR text> | ?reading=<id card reading>
 *                                      → CertificateMatch[] (counter staff)
 *   POST /api/certificates/:caseNo/collect   CollectBody → Case     (Idempotency-Key)
 *        CERTIFICATE_ALREADY_COLLECTED, ALREADY_MAILED, ILLEGAL_TRANSITION (not ready yet)
 *   PUT  /api/cases/:caseNo/postal           PostalAddressBody → Case (staff; Idempotency-Key)
 *   PUT  /api/public/cases/:caseNo/postal?check=NNNN  PostalAddressBody → PublicCase
 *        the visitor, with the last four digits of the applicant's phone (rate-limited)
 *   POST /api/postal/:caseNo/mail            { counterId } → MailResult (Idempotency-Key)
 *        assigns the waybill (courier adapter, retried with one idempotency key) and prints the
 *        label on the window's label printer; a printer out of paper keeps the waybill and
 *        reprints when it is back. NO_POSTAL_ADDRESS, ALREADY_MAILED, COURIER_UNAVAILABLE.
 *   POST /api/postal/:caseNo/label           { counterId } → MailResult (reprint)
 *   POST /api/postal/:caseNo/track           → { caseNo, status, result }: asks the courier now
 *        (the hub also asks by itself about parcels quiet for 6 h); idempotent like callbacks
 *   POST /api/postal/status-import           text/csv (waybillNo,status,at,eventId) → ImportResult
 *   POST /api/postal/callback                CourierCallback, header X-Courier-Signature:
 *        hex HMAC-SHA256(secret, raw body) → { applied } (the courier; idempotent by eventId)
 *   GET  /api/postal/ledger?day=&dept=&format=csv|xlsx&lang=zh|en  → PostalLedger (JSON), CSV
 *        or XLSX (supervisors; export/table.ts, shared with the help desk's ledger)
 *
 * ## Socket.IO: `certificates:subscribe` { counterId } (staff at that window) → events
 *   `certificates:found` (WindowLookup) when the window's scanner or ID card reader reads.
 */
import type { Instant } from "./tickets.ts";

/** A mainland address, as the courier needs it. */
export interface PostalAddress {
  /** 省级: 山东省, 北京市, 广西壮族自治区 … */
  province: string;
  /** 地级: 德州市 (a municipality repeats itself: 北京市). */
  city: string;
  /** 县级: 平原县, 德城区 … */
  county: string;
  /** 街道/乡镇 and the rest: 龙门街道 xx路 12号 */
  street: string;
}

export interface PostalAddressBody {
  recipient: string;
  /** Mainland mobile (11 digits) or landline. */
  phone: string;
  address: PostalAddress;
  /** 免费寄递 (the hall pays) or paid by the recipient (到付). */
  paid: boolean;
}

/** sent → in_transit → delivered, or returned (back at the hall: collect it at the window). */
export type PostalStatus = "requested" | "sent" | "in_transit" | "delivered" | "returned";
export const POSTAL_STATUSES: readonly PostalStatus[] = ["requested", "sent", "in_transit", "delivered", "returned"];

/** The postal request as staff see it (they post the parcel). */
export interface PostalStaff extends PostalAddressBody {
  status: PostalStatus;
  requestedAt: Instant;
  /** Who entered it: a clerk, or the applicant on the progress page. */
  requestedBy: "staff" | "applicant";
  waybillNo?: string;
  courier?: string;
  mailedAt?: Instant;
  updatedAt?: Instant;
}

/** What the public progress page shows: masked recipient, the street hidden. */
export interface PostalPublic {
  recipientMasked: string;
  phoneMasked: string;
  province: string;
  city: string;
  county: string;
  /** First characters of the street, then stars. */
  streetMasked: string;
  paid: boolean;
  status: PostalStatus;
  waybillNo?: string;
  mailedAt?: Instant;
  updatedAt?: Instant;
}

/**
 * How a certificate was handed over: at a 统一出证 window, or printed by its applicant at a
 * self-service terminal (自助打印, issue 12) — which counts as collected by the applicant.
 */
export type CollectionVia = "window" | "self_print";

/** Who collected the certificate (the ID number never, only hash and mask). */
export interface CollectionStaff {
  kind: "applicant" | "agent";
  via: CollectionVia;
  name: string;
  idMasked: string;
  at: Instant;
  /** The window (via window). */
  counterId?: string;
  counterNumber?: number;
  /** The terminal that printed it (via self_print). */
  terminalId?: string;
  /** The clerk at the window; for a self-print, the terminal's name. */
  staffName: string;
}

export interface CollectionPublic {
  kind: "applicant" | "agent";
  via: CollectionVia;
  at: Instant;
  counterNumber?: number;
}

/** POST /api/certificates/:caseNo/collect */
export interface CollectBody {
  counterId: string;
  expectedVersion: number;
  collector: { kind: "applicant" | "agent"; reading: string } | { kind: "applicant" | "agent"; name: string; idNumber: string };
}

/** One ready certificate the window found. */
export interface CertificateMatch {
  caseNo: string;
  matterName: string;
  matterNameEn: string;
  departmentId: string;
  status: string;
  applicantName: string;
  applicantIdMasked?: string;
  version: number;
  /** ready (collect it), collected (already, with whom), mailed, … */
  collectable: boolean;
  postal?: { status: PostalStatus; waybillNo?: string };
  collection?: CollectionStaff;
}

/** What the window's scanner / ID card reader found (socket `certificates:found`). */
export interface WindowLookup {
  counterId: string;
  source: "scanner" | "idreader";
  /** ID card reads: a short-lived reading id (the number stays in the hub), to record the collector. */
  reading?: { id: string; name: string; idMasked: string };
  matches: CertificateMatch[];
}

export interface MailResult {
  caseNo: string;
  waybillNo: string;
  label: { status: "printed" | "pending" | "none"; error?: string; printerId?: string };
}

export interface CourierCallback {
  eventId: string;
  waybillNo: string;
  status: "in_transit" | "delivered" | "returned";
  at: Instant;
}

export interface ImportResult {
  rows: number;
  applied: number;
  duplicates: number;
  errors: { line: number; message: string }[];
}

export interface PostalLedgerRow {
  day: string;
  departmentId: string;
  caseNo: string;
  matterName: string;
  waybillNo: string;
  courier: string;
  recipientMasked: string;
  county: string;
  paid: boolean;
  status: PostalStatus;
  mailedAt: Instant;
  labelPrinted: boolean;
}

export interface PostalLedger {
  day: string;
  departmentId?: string;
  rows: PostalLedgerRow[];
  totals: { mailed: number; free: number; paid: number; delivered: number; returned: number };
}

export interface CertificateSubscription {
  counterId: string;
}
