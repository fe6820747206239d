/**
 * The help desk store: help cases in the case database (same Kysely instance, same engine),
 * one transaction per command with the case store's idempotency keys (scope `help:<staff>`),
 * so a retried request gets its first answer and never a second help case.
 */
import { type Kysely, type Transaction, sql } from "kysely";
import type { LocalDate } from "../contract/cases.ts";
import type { HelpSettings, HelpStatus } from "../contract/helpdesk.ts";
import type { CaseDb, Engine } from "../cases/db.ts";
import type { Idempotency } from "../cases/store.ts";
import { HallError } from "../hall/errors.ts";
import type { HelpEvent, HelpRecord } from "./model.ts";

export interface HelpCasesTable {
  id: string;
  kind: string;
  status: string;
  department_id: string | null;
  owner_id: string;
  owner_name: string;
  opened_at: number;
  opened_on: string;
  last_progress_on: string;
  closed_at: number | null;
  reminder_level: number;
  version: number;
  doc: string;
}
export interface HelpEventsTable {
  help_id: string;
  seq: number;
  type: string;
  at: number;
  body: string;
}
export interface HelpDb extends CaseDb {
  help_cases: HelpCasesTable;
  help_events: HelpEventsTable;
  help_seq: { day: string; last: number };
  help_settings: { id: number; remind_after_days: number; escalate_after_days: number };
}

export const DEFAULT_SETTINGS: HelpSettings = { remindAfterDays: 3, escalateAfterDays: 2 };

/** The queried columns of a help case beside its JSON (the bench bulk-loads with it too). */
export function helpColumns(r: HelpRecord) {
  return {
    kind: r.kind,
    status: r.status,
    department_id: r.departmentId ?? null,
    owner_id: r.owner.staffId,
    owner_name: r.owner.name,
    opened_at: r.openedAt,
    opened_on: r.openedOn,
    last_progress_on: r.lastProgressOn,
    closed_at: r.closedAt ?? null,
    reminder_level: r.reminderLevel,
    version: r.version,
    doc: JSON.stringify(r),
  };
}

export interface LedgerQuery {
  from?: LocalDate;
  to?: LocalDate;
  ownerId?: string;
  status?: HelpStatus;
  departmentId?: string;
  /** Open help cases whose last progress is on or before this date (engine.overdueCutoff). */
  overdueOnOrBefore?: LocalDate;
  limit: number;
  offset: number;
}

export class HelpTx {
  constructor(private readonly tx: Transaction<HelpDb>) {}

  async get(id: string): Promise<HelpRecord | undefined> {
    const row = await this.tx.selectFrom("help_cases").select("doc").where("id", "=", id).executeTakeFirst();
    return row ? (JSON.parse(row.doc) as HelpRecord) : undefined;
  }

  async nextSeq(day: string): Promise<number> {
    const row = await this.tx
      .insertInto("help_seq")
      .values({ day, last: 1 })
      .onConflict((oc) => oc.column("day").doUpdateSet({ last: sql<number>`help_seq.last + 1` }))
      .returning("last")
      .executeTakeFirstOrThrow();
    return Number(row.last);
  }

  async caseExists(caseNo: string): Promise<boolean> {
    return !!(await this.tx.selectFrom("cases").select("case_no").where("case_no", "=", caseNo).executeTakeFirst());
  }

  async insert(r: HelpRecord, events: HelpEvent[]): Promise<void> {
    await this.tx
      .insertInto("help_cases")
      .values({ id: r.id, ...helpColumns(r) })
      .execute();
    await this.events(r.id, 0, events);
  }

  /** Write the new state if the help case is still at `fromVersion`; otherwise CASE_CONFLICT. */
  async update(r: HelpRecord, fromVersion: number, events: HelpEvent[]): Promise<void> {
    const res = await this.tx
      .updateTable("help_cases")
      .set(helpColumns(r))
      .where("id", "=", r.id)
      .where("version", "=", fromVersion)
      .executeTakeFirst();
    if (Number(res.numUpdatedRows) !== 1) throw new HallError("CASE_CONFLICT", "the help case changed meanwhile");
    await this.events(r.id, fromVersion, events);
  }

  private async events(id: string, fromVersion: number, events: HelpEvent[]): Promise<void> {
    if (!events.length) return;
    await this.tx
      .insertInto("help_events")
      .values(events.map((e, i) => ({ help_id: id, seq: fromVersion + i + 1, type: e.type, at: e.at, body: JSON.stringify(e) })))
      .execute();
  }
}

export class HelpStore {
  readonly db: Kysely<HelpDb>;
  constructor(
    db: Kysely<CaseDb>,
    readonly engine: Engine,
  ) {
    this.db = db as unknown as Kysely<HelpDb>;
  }

  /** One transaction under an idempotency key (as CaseStore.write; errors are not stored). */
  async write<T>(idem: Idempotency, now: number, fn: (tx: HelpTx) => Promise<T>): Promise<{ value: T; replayed: boolean }> {
    const scope = `help:${idem.scope}`;
    const run = () =>
      this.db.transaction().execute(async (trx) => {
        const prior = await trx
          .selectFrom("case_idempotency")
          .select(["request_hash", "response"])
          .where("scope", "=", scope)
          .where("key", "=", idem.key)
          .executeTakeFirst();
        if (prior) {
          if (prior.request_hash !== idem.hash)
            throw new HallError("IDEMPOTENCY_KEY_REUSED", "this Idempotency-Key was used for another request");
          return { value: JSON.parse(prior.response) as T, replayed: true };
        }
        const value = await fn(new HelpTx(trx));
        await trx
          .insertInto("case_idempotency")
          .values({ scope, key: idem.key, request_hash: idem.hash, response: JSON.stringify(value), created_at: now })
          .execute();
        return { value, replayed: false };
      });
    try {
      return await run();
    } catch (err) {
      const code = (err as { code?: unknown })?.code;
      if (code === "23505" || code === "SQLITE_CONSTRAINT_PRIMARYKEY") return await run();
      throw err;
    }
  }

  /** A transaction without a key (the hub's own reminder sweep, idempotent by its version check). */
  tx<T>(fn: (tx: HelpTx) => Promise<T>): Promise<T> {
    return this.db.transaction().execute((trx) => fn(new HelpTx(trx)));
  }

  async get(id: string): Promise<HelpRecord | undefined> {
    const row = await this.db.selectFrom("help_cases").select("doc").where("id", "=", id).executeTakeFirst();
    return row ? (JSON.parse(row.doc) as HelpRecord) : undefined;
  }

  async events(id: string): Promise<HelpEvent[]> {
    const rows = await this.db.selectFrom("help_events").select("body").where("help_id", "=", id).orderBy("seq").execute();
    return rows.map((r) => JSON.parse(r.body) as HelpEvent);
  }

  async settings(): Promise<HelpSettings> {
    const row = await this.db.selectFrom("help_settings").selectAll().where("id", "=", 1).executeTakeFirst();
    return row ? { remindAfterDays: row.remind_after_days, escalateAfterDays: row.escalate_after_days } : DEFAULT_SETTINGS;
  }

  async saveSettings(s: HelpSettings): Promise<void> {
    await this.db
      .insertInto("help_settings")
      .values({ id: 1, remind_after_days: s.remindAfterDays, escalate_after_days: s.escalateAfterDays })
      .onConflict((oc) =>
        oc.column("id").doUpdateSet({ remind_after_days: s.remindAfterDays, escalate_after_days: s.escalateAfterDays }),
      )
      .execute();
  }

  /**
   * Open help cases due a reminder they have not had: level 1 when the last progress is on or
   * before `ownerCutoff`, level 2 on or before `supervisorCutoff` (engine.overdueCutoff). Only
   * those: a sweep every few seconds never walks the help cases already reminded.
   */
  async stalled(ownerCutoff: LocalDate, supervisorCutoff: LocalDate): Promise<string[]> {
    const rows = await this.db
      .selectFrom("help_cases")
      .select("id")
      .where("status", "=", "open")
      .where("last_progress_on", "<=", ownerCutoff)
      .where((eb) =>
        eb.or([
          eb("reminder_level", "<", 1),
          eb.and([eb("reminder_level", "<", 2), eb("last_progress_on", "<=", supervisorCutoff)]),
        ]),
      )
      .orderBy("last_progress_on")
      .limit(1000)
      .execute();
    return rows.map((r) => r.id);
  }

  private ledgerWhere(q: LedgerQuery) {
    let query = this.db.selectFrom("help_cases");
    if (q.from) query = query.where("opened_on", ">=", q.from);
    if (q.to) query = query.where("opened_on", "<=", q.to);
    if (q.ownerId) query = query.where("owner_id", "=", q.ownerId);
    if (q.departmentId) query = query.where("department_id", "=", q.departmentId);
    if (q.overdueOnOrBefore) query = query.where("status", "=", "open").where("last_progress_on", "<=", q.overdueOnOrBefore);
    else if (q.status) query = query.where("status", "=", q.status);
    return query;
  }

  /** The ledger, newest first: ids ordered on the indexes alone, then the page's documents by key. */
  async ledger(q: LedgerQuery): Promise<{ rows: HelpRecord[]; total: number }> {
    const [keys, count] = await Promise.all([
      this.ledgerWhere(q)
        .select("id")
        .orderBy("opened_on", "desc")
        .orderBy("id", "desc")
        .limit(q.limit)
        .offset(q.offset)
        .execute(),
      this.ledgerWhere(q).select(sql<number>`count(*)`.as("n")).executeTakeFirstOrThrow(),
    ]);
    const docs = new Map<string, string>();
    for (let i = 0; i < keys.length; i += 1000) {
      const part = keys.slice(i, i + 1000).map((k) => k.id);
      for (const r of await this.db.selectFrom("help_cases").select(["id", "doc"]).where("id", "in", part).execute())
        docs.set(r.id, r.doc);
    }
    return { rows: keys.map((k) => JSON.parse(docs.get(k.id) as string) as HelpRecord), total: Number(count.n) };
  }

  /** A person's cases by the salted hash of their ID number (newest first). */
  async casesOfPerson(
    idHash: string,
    limit = 20,
  ): Promise<{ caseNo: string; status: string; matterName: string; departmentId: string }[]> {
    const rows = await this.db
      .selectFrom("cases")
      .select(["case_no", "status", "matter_name", "department_id"])
      .where("id_hash", "=", idHash)
      .orderBy("accepted_at", "desc")
      .limit(limit)
      .execute();
    return rows.map((r) => ({ caseNo: r.case_no, status: r.status, matterName: r.matter_name, departmentId: r.department_id }));
  }

  /** Status, matter and department of linked cases (the chain's progress). */
  async caseStatuses(caseNos: string[]): Promise<Map<string, { status: string; matterName: string; departmentId: string }>> {
    const out = new Map<string, { status: string; matterName: string; departmentId: string }>();
    if (!caseNos.length) return out;
    const rows = await this.db
      .selectFrom("cases")
      .select(["case_no", "status", "matter_name", "department_id"])
      .where("case_no", "in", caseNos)
      .execute();
    for (const r of rows) out.set(r.case_no, { status: r.status, matterName: r.matter_name, departmentId: r.department_id });
    return out;
  }
}
