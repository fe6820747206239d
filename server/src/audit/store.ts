/**
 * The audit log's store: rows in the case database (SQLite or PostgreSQL, the same Kysely
 * instance as the cases), appended and never changed.
 *
 * Each row's hash is SHA-256 over its predecessor's hash and its own fields, so editing,
 * removing or inserting a row anywhere breaks every later link ({@link AuditStore.verify}).
 * Appends are group-committed: whatever arrives while one transaction commits goes into the
 * next, in arrival order, so a burst of logins costs a few fsyncs, not one each. The
 * caller's promise resolves once its row is committed (synchronous=FULL on SQLite): the
 * routes await it before they answer, so an acknowledged action always has its row.
 */
import { createHash } from "node:crypto";
import { type Kysely, sql } from "kysely";
import type { CaseDb, Engine } from "../cases/db.ts";
import type { AuditAction, AuditEntry, AuditVerify } from "../contract/audit.ts";

export interface AuditLogTable {
  seq: number;
  at: number;
  actor_id: string | null;
  actor_name: string;
  actor_role: string | null;
  action: string;
  target: string | null;
  ip: string | null;
  via: string | null;
  detail: string;
  search: string;
  prev_hash: string;
  hash: string;
}

export interface AuditDb extends CaseDb {
  audit_log: AuditLogTable;
}

/** The first row's predecessor. */
export const GENESIS = "0".repeat(64);
/** PostgreSQL advisory lock held while appending (two hubs on one schema must not fork the chain). */
const APPEND_LOCK = 7100813;
const BATCH = 200;

/** What a caller records; the store adds seq, hashes and the search text. */
export interface AuditRow {
  at: number;
  actorId?: string;
  actorName: string;
  actorRole?: string;
  action: AuditAction;
  target?: string;
  ip?: string;
  via?: string;
  detail: AuditEntry["detail"];
}

export interface AuditQuery {
  actorId?: string;
  /** An action, or a family ("staff." matches every staff action). */
  action?: string;
  from?: number;
  to?: number;
  /** Words the actor's name, the target or the details contain (case-insensitive). */
  text?: string;
  /** Only rows older than this seq (paging newest first). */
  before?: number;
  limit: number;
}

type Row = Omit<AuditLogTable, "search">;

/** The chain's hash of one row: its predecessor's hash and every stored field, in a fixed order. */
export function chainHash(r: Omit<Row, "hash">): string {
  const fields = [r.seq, r.at, r.actor_id, r.actor_name, r.actor_role, r.action, r.target, r.ip, r.via, r.detail, r.prev_hash];
  return createHash("sha256").update(JSON.stringify(fields)).digest("hex");
}

function toEntry(r: Row): AuditEntry {
  return {
    seq: r.seq,
    at: r.at,
    ...(r.actor_id !== null ? { actorId: r.actor_id } : {}),
    actorName: r.actor_name,
    ...(r.actor_role !== null ? { actorRole: r.actor_role } : {}),
    action: r.action as AuditAction,
    ...(r.target !== null ? { target: r.target } : {}),
    ...(r.ip !== null ? { ip: r.ip } : {}),
    ...(r.via !== null ? { via: r.via } : {}),
    detail: JSON.parse(r.detail) as AuditEntry["detail"],
    hash: r.hash,
    prevHash: r.prev_hash,
  };
}

/** `%`, `_` and `\` typed into the search box are literal characters. */
function likePattern(text: string): string {
  return `%${text.toLowerCase().replace(/[\\%_]/g, (c) => `\\${c}`)}%`;
}

interface Pending {
  row: AuditRow;
  resolve: (e: AuditEntry) => void;
  reject: (err: unknown) => void;
}

export class AuditStore {
  private readonly db: Kysely<AuditDb>;
  private readonly pending: Pending[] = [];
  private flushing: Promise<void> | undefined;

  constructor(
    db: Kysely<CaseDb>,
    private readonly engine: Engine,
  ) {
    this.db = db as unknown as Kysely<AuditDb>;
  }

  /** Append one row; resolves with it once committed, rejects if it could not be written. */
  append(row: AuditRow): Promise<AuditEntry> {
    return new Promise((resolve, reject) => {
      this.pending.push({ row, resolve, reject });
      this.kick();
    });
  }

  /** Resolves when every append made so far has been committed or refused. */
  async drain(): Promise<void> {
    while (this.flushing) await this.flushing;
  }

  private kick(): void {
    if (this.flushing) return;
    this.flushing = this.flush().finally(() => {
      this.flushing = undefined;
      if (this.pending.length) this.kick();
    });
  }

  private async flush(): Promise<void> {
    const batch = this.pending.splice(0, BATCH);
    try {
      const rows = await this.db.transaction().execute(async (tx) => {
        if (this.engine === "postgres") await sql`select pg_advisory_xact_lock(${sql.lit(APPEND_LOCK)})`.execute(tx);
        const last = await tx.selectFrom("audit_log").select(["seq", "hash"]).orderBy("seq", "desc").limit(1).executeTakeFirst();
        let seq = last?.seq ?? 0;
        let prev = last?.hash ?? GENESIS;
        const out: AuditLogTable[] = batch.map(({ row: r }) => {
          seq += 1;
          const detail = JSON.stringify(r.detail);
          const base = {
            seq,
            at: r.at,
            actor_id: r.actorId ?? null,
            actor_name: r.actorName,
            actor_role: r.actorRole ?? null,
            action: r.action,
            target: r.target ?? null,
            ip: r.ip ?? null,
            via: r.via ?? null,
            detail,
            prev_hash: prev,
          };
          const hash = chainHash(base);
          prev = hash;
          return {
            ...base,
            hash,
            search: [r.actorName, r.actorId ?? "", r.target ?? "", r.action, detail].join(" ").toLowerCase(),
          };
        });
        await tx.insertInto("audit_log").values(out).execute();
        return out;
      });
      for (const [i, b] of batch.entries()) b.resolve(toEntry(rows[i] as AuditLogTable));
    } catch (err) {
      for (const b of batch) b.reject(err);
    }
  }

  /** Rows newest first, filtered; one more than `limit` is read to know whether a next page exists. */
  async query(q: AuditQuery): Promise<{ rows: AuditEntry[]; next?: number }> {
    let s = this.db
      .selectFrom("audit_log")
      .select([
        "seq",
        "at",
        "actor_id",
        "actor_name",
        "actor_role",
        "action",
        "target",
        "ip",
        "via",
        "detail",
        "prev_hash",
        "hash",
      ]);
    if (q.actorId) s = s.where("actor_id", "=", q.actorId);
    if (q.action) s = q.action.endsWith(".") ? s.where("action", "like", `${q.action}%`) : s.where("action", "=", q.action);
    if (q.from !== undefined) s = s.where("at", ">=", q.from);
    if (q.to !== undefined) s = s.where("at", "<", q.to);
    if (q.before !== undefined) s = s.where("seq", "<", q.before);
    if (q.text) s = s.where(sql<boolean>`search like ${likePattern(q.text)} escape '\\'`);
    const rows = await s
      .orderBy("seq", "desc")
      .limit(q.limit + 1)
      .execute();
    const page = rows.slice(0, q.limit).map(toEntry);
    const last = page.at(-1);
    return rows.length > q.limit && last ? { rows: page, next: last.seq } : { rows: page };
  }

  /**
   * Walk the whole chain in order: every hash recomputed, every link and seq checked. The
   * first row that does not hold is reported (an edited row, a removed one, one inserted).
   */
  async verify(): Promise<AuditVerify> {
    let prev = GENESIS;
    let expected = 1;
    let checked = 0;
    for (;;) {
      const rows = await this.db
        .selectFrom("audit_log")
        .select([
          "seq",
          "at",
          "actor_id",
          "actor_name",
          "actor_role",
          "action",
          "target",
          "ip",
          "via",
          "detail",
          "prev_hash",
          "hash",
        ])
        .where("seq", ">=", expected)
        .orderBy("seq")
        .limit(2000)
        .execute();
      if (!rows.length) return { ok: true, checked, ...(checked ? { head: prev } : {}) };
      for (const r of rows) {
        if (r.seq !== expected || r.prev_hash !== prev || chainHash(r) !== r.hash)
          return { ok: false, checked, brokenAt: expected };
        prev = r.hash;
        expected += 1;
        checked += 1;
      }
    }
  }
}
