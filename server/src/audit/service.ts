/**
 * The audit log as the rest of the hub uses it: `record` (awaited before the action is
 * acknowledged), queries for the page and the exports, the chain check. The client's
 * address and the adapter come from the request's origin (hall/origin.ts) unless given.
 */
import type { AuditAction, AuditEntry, AuditPage, AuditVerify } from "../contract/audit.ts";
import { currentOrigin } from "../hall/origin.ts";
import { diff } from "./diff.ts";
import type { AuditQuery, AuditStore } from "./store.ts";

/** Who acted: a staff member, or a name for someone who is not (a typed username, "visitor"). */
export interface AuditActor {
  id?: string;
  name: string;
  role?: string;
}

export interface AuditRecord {
  actor: AuditActor;
  action: AuditAction;
  target?: string;
  detail?: AuditEntry["detail"];
  /** Values before and after a change: recorded as `detail.changes` (secrets never copied). */
  change?: { before: unknown; after: unknown };
}

/** Most rows one export holds (a year of a busy hall's staff actions is ~50,000). */
export const EXPORT_LIMIT = 100_000;

export class AuditLog {
  constructor(
    private readonly store: AuditStore,
    private readonly clock: () => number,
  ) {}

  async record(r: AuditRecord): Promise<AuditEntry> {
    const origin = currentOrigin();
    const detail: AuditEntry["detail"] = { ...(r.detail ?? {}) };
    if (r.change) {
      const d = diff(r.change.before, r.change.after);
      detail.changes = d.changes;
      if (d.truncated) detail.truncated = true;
    }
    return this.store.append({
      at: this.clock(),
      ...(r.actor.id ? { actorId: r.actor.id } : {}),
      actorName: r.actor.name,
      ...(r.actor.role ? { actorRole: r.actor.role } : {}),
      action: r.action,
      ...(r.target ? { target: r.target } : {}),
      ...(origin?.ip ? { ip: origin.ip } : {}),
      ...(origin?.via ? { via: origin.via } : {}),
      detail,
    });
  }

  query(q: AuditQuery): Promise<AuditPage> {
    return this.store.query(q);
  }

  async exportRows(q: Omit<AuditQuery, "limit" | "before">): Promise<{ rows: AuditEntry[]; truncated: boolean }> {
    const out: AuditEntry[] = [];
    let before: number | undefined;
    for (;;) {
      const page = await this.store.query({ ...q, limit: 5000, ...(before !== undefined ? { before } : {}) });
      out.push(...page.rows);
      if (out.length >= EXPORT_LIMIT) return { rows: out.slice(0, EXPORT_LIMIT), truncated: true };
      if (page.next === undefined) return { rows: out, truncated: false };
      before = page.next;
    }
  }

  verify(): Promise<AuditVerify> {
    return this.store.verify();
  }

  drain(): Promise<void> {
    return this.store.drain();
  }
}
