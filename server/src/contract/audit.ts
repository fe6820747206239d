/**
 * The audit log (issue 13) as the pages and integrations see it: who did what, when and
 * from where. Append-only and hash-chained in the case database (server/src/audit/).
 */

/** Every action the hub records; a closed list, so the page can name each one in zh and en. */
export const AUDIT_ACTIONS = [
  "auth.login",
  "auth.login-failed",
  "auth.logout",
  "counter.sign-in",
  "counter.sign-out",
  "counter.takeover",
  "counter.hand-back",
  "counter.call-out-of-order",
  "ticket.reprint",
  "catalogue.replace",
  "counter.profile",
  "staff.create",
  "staff.update",
  "staff.password-reset",
  "staff.remove",
  "device.put",
  "device.remove",
  "device.simulate",
  "device.test-print",
  "pairing.approve",
  "pairing.revoke",
  "audit.export",
  // alarms and advice (issue 13)
  "alarm.acknowledge",
  "advice.apply",
  "catalogue.import",
  // Reports (issue 13): a 差评 follow-up closed with what was done; the history rebuilt from the journals.
  "followup.close",
  "reports.rebuild",
] as const;

export type AuditAction = (typeof AUDIT_ACTIONS)[number];

/** One changed value: a dotted path (`counters[c07].profile.queues`), before and after. */
export interface AuditChange {
  path: string;
  before?: unknown;
  after?: unknown;
}

export interface AuditEntry {
  /** Position in the chain, 1, 2, 3 … without gaps. */
  seq: number;
  /** Epoch ms on the hub's clock. */
  at: number;
  /** Staff id; absent for someone not signed in (a failed login for an unknown name, a visitor). */
  actorId?: string;
  /** The staff member's name, or what identifies the actor otherwise (the username typed, "visitor"). */
  actorName: string;
  actorRole?: string;
  action: AuditAction;
  /** What it was done to: a counter, staff, device or pairing id, a ticket number. */
  target?: string;
  /** Client address the request came from (absent for a device such as a caller keypad). */
  ip?: string;
  /** "http" or "socket". */
  via?: string;
  /** Details: a reason (masked), a diff (`changes`), names. Never a password, ID number or phone. */
  detail: { changes?: AuditChange[]; truncated?: boolean; [k: string]: unknown };
  /** SHA-256 of the previous entry's hash and this entry's fields (hex). */
  hash: string;
  prevHash: string;
}

export interface AuditPage {
  rows: AuditEntry[];
  /** Pass as `before` for the next (older) page; absent on the last page. */
  next?: number;
}

export interface AuditVerify {
  ok: boolean;
  /** Entries checked. */
  checked: number;
  /** Hash of the newest entry (write it down: a chain cut at its end is found against it). */
  head?: string;
  /** The first entry whose hash or link does not hold (or the seq where one is missing). */
  brokenAt?: number;
}
