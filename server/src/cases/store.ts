/**
 * The case store: cases in SQL (embedded SQLite or PostgreSQL, see db.ts), one transaction
 * per command. A write carries an idempotency key: within the same transaction as the change,
 * the first answer is stored under the key, so a retried request gets that answer again
 * (never a second case or a second step), and a key reused for another request is refused.
 * The daily case-number sequence lives in the same transaction as the case: a number is
 * either committed with its case or never handed out, so a crash cannot make one reappear.
 */
import { type Kysely, type Transaction, sql } from "kysely";
import {
  type CaseStatus,
  type DepartmentCaseStats,
  FINISHED_CASE_STATUSES,
  type LocalDate,
  OPEN_CASE_STATUSES,
} from "../contract/cases.ts";
import { HallError } from "../hall/errors.ts";
import { type CaseDb, type DbOptions, type Engine, openDb } from "./db.ts";
import { migrate } from "./migrations.ts";
import type { CaseEvent, CaseRecord } from "./model.ts";

const RUNNING: CaseStatus[] = ["accepted", "in_review"];

function isUniqueViolation(err: unknown): boolean {
  const code = (err as { code?: unknown })?.code;
  return code === "23505" || code === "SQLITE_CONSTRAINT_UNIQUE" || code === "SQLITE_CONSTRAINT_PRIMARYKEY";
}

/** The queried columns of a case, beside its JSON document (also used by the bench to bulk-load). */
export function caseColumns(r: CaseRecord) {
  return {
    ticket_id: r.ticketId ?? null,
    department_id: r.departmentId,
    matter_id: r.matterId,
    site_id: r.siteId,
    status: r.status,
    outcome: r.outcome,
    accepted_at: r.acceptedAt,
    accepted_on: r.acceptedOn,
    due_date: r.dueDate ?? null,
    finished_at: r.finishedAt ?? null,
    version: r.version,
    applicant_name: r.applicant.name,
    matter_name: r.matterName,
    assignee_name: r.assignee?.name ?? null,
    id_hash: r.applicant.idHash ?? null,
    doc: JSON.stringify(r),
  };
}

/** What one command may do inside its transaction. */
export class CaseTx {
  constructor(private readonly tx: Transaction<CaseDb>) {}

  async get(caseNo: string): Promise<CaseRecord | undefined> {
    const row = await this.tx.selectFrom("cases").select("doc").where("case_no", "=", caseNo).executeTakeFirst();
    return row ? (JSON.parse(row.doc) as CaseRecord) : undefined;
  }

  async caseOfTicket(ticketId: string): Promise<string | undefined> {
    const row = await this.tx.selectFrom("cases").select("case_no").where("ticket_id", "=", ticketId).executeTakeFirst();
    return row?.case_no;
  }

  /** Next number of the day's sequence (1, 2, …); rolled back with the transaction. */
  async nextSeq(day: string): Promise<number> {
    const row = await this.tx
      .insertInto("case_seq")
      .values({ day, last: 1 })
      .onConflict((oc) => oc.column("day").doUpdateSet({ last: sql<number>`case_seq.last + 1` }))
      .returning("last")
      .executeTakeFirstOrThrow();
    return Number(row.last);
  }

  async insert(r: CaseRecord, events: CaseEvent[]): Promise<void> {
    try {
      await this.tx
        .insertInto("cases")
        .values({ case_no: r.caseNo, ...caseColumns(r) })
        .execute();
    } catch (err) {
      if (isUniqueViolation(err)) throw new HallError("CASE_ALREADY_ACCEPTED", "this ticket already has a case");
      throw err;
    }
    await this.events(r.caseNo, 0, events);
  }

  /** Write the new state if the case is still at `fromVersion`; otherwise CASE_CONFLICT. */
  async update(r: CaseRecord, fromVersion: number, events: CaseEvent[]): Promise<void> {
    const res = await this.tx
      .updateTable("cases")
      .set(caseColumns(r))
      .where("case_no", "=", r.caseNo)
      .where("version", "=", fromVersion)
      .executeTakeFirst();
    if (Number(res.numUpdatedRows) !== 1) throw new HallError("CASE_CONFLICT", "the case changed meanwhile");
    await this.events(r.caseNo, fromVersion, events);
  }

  private async events(caseNo: string, fromVersion: number, events: CaseEvent[]): Promise<void> {
    if (!events.length) return;
    await this.tx
      .insertInto("case_events")
      .values(
        events.map((e, i) => ({ case_no: caseNo, seq: fromVersion + i + 1, type: e.type, at: e.at, body: JSON.stringify(e) })),
      )
      .execute();
  }
}

export interface Idempotency {
  /** Whose key it is (staff id): two clerks' keys never collide. */
  scope: string;
  key: string;
  /** Hash of the request (route + body): the same key with another request is refused. */
  hash: string;
}

export interface WorklistQuery {
  departmentId?: string;
  statuses?: CaseStatus[];
  overdueOnly?: boolean;
  today: LocalDate;
  limit: number;
  offset: number;
}

export class CaseStore {
  private constructor(
    readonly db: Kysely<CaseDb>,
    readonly engine: Engine,
    private readonly closeDb: () => Promise<void>,
  ) {}

  static async open(o: DbOptions, now: number): Promise<CaseStore> {
    const { db, engine, close } = await openDb(o);
    try {
      await migrate(db, engine, now);
    } catch (err) {
      await close();
      throw err;
    }
    return new CaseStore(db, engine, close);
  }

  close(): Promise<void> {
    return this.closeDb();
  }

  /**
   * Run `fn` in one transaction, under an idempotency key: a key seen before returns its
   * stored answer (fn does not run); errors are not stored (state is unchanged by them, so a
   * retry may try again).
   */
  async write<T>(idem: Idempotency, now: number, fn: (tx: CaseTx) => Promise<T>): Promise<{ value: T; replayed: boolean }> {
    const run = () =>
      this.db.transaction().execute(async (trx) => {
        const prior = await trx
          .selectFrom("case_idempotency")
          .select(["request_hash", "response"])
          .where("scope", "=", idem.scope)
          .where("key", "=", idem.key)
          .executeTakeFirst();
        if (prior) {
          if (prior.request_hash !== idem.hash)
            throw new HallError("IDEMPOTENCY_KEY_REUSED", "this Idempotency-Key was used for another request");
          return { value: JSON.parse(prior.response) as T, replayed: true };
        }
        const value = await fn(new CaseTx(trx));
        await trx
          .insertInto("case_idempotency")
          .values({ scope: idem.scope, key: idem.key, request_hash: idem.hash, response: JSON.stringify(value), created_at: now })
          .execute();
        return { value, replayed: false };
      });
    try {
      return await run();
    } catch (err) {
      // The same key raced in twice (PostgreSQL): the other one committed; answer as it did.
      if (isUniqueViolation(err)) return await run();
      throw err;
    }
  }

  async get(caseNo: string): Promise<CaseRecord | undefined> {
    const row = await this.db.selectFrom("cases").select("doc").where("case_no", "=", caseNo).executeTakeFirst();
    return row ? (JSON.parse(row.doc) as CaseRecord) : undefined;
  }

  /** The events of one case, in order (audit; replaying them gives the stored case). */
  async events(caseNo: string): Promise<CaseEvent[]> {
    const rows = await this.db.selectFrom("case_events").select("body").where("case_no", "=", caseNo).orderBy("seq").execute();
    return rows.map((r) => JSON.parse(r.body) as CaseEvent);
  }

  /**
   * Overdue first, then the earliest due date, then the case number. Ordered on the
   * worklist index alone (case numbers only), then the page's documents are read by key:
   * sorting 10,000 open cases never drags their JSON through the sort.
   */
  async worklist(q: WorklistQuery): Promise<CaseRecord[]> {
    const statuses = q.overdueOnly ? RUNNING : (q.statuses ?? [...OPEN_CASE_STATUSES]);
    let query = this.db.selectFrom("cases").select("case_no").where("status", "in", statuses);
    if (q.departmentId) query = query.where("department_id", "=", q.departmentId);
    if (q.overdueOnly) query = query.where("due_date", "<", q.today);
    const keys = await query
      .orderBy(sql`case when status in ('accepted', 'in_review') and due_date < ${q.today} then 0 else 1 end`)
      .orderBy("due_date")
      .orderBy("case_no")
      .limit(q.limit)
      .offset(q.offset)
      .execute();
    const docs = new Map<string, string>();
    // Bound parameters per statement are limited (SQLite 32,766): read the page in chunks.
    for (let i = 0; i < keys.length; i += 1000) {
      const part = keys.slice(i, i + 1000).map((k) => k.case_no);
      for (const r of await this.db.selectFrom("cases").select(["case_no", "doc"]).where("case_no", "in", part).execute())
        docs.set(r.case_no, r.doc);
    }
    return keys.map((k) => JSON.parse(docs.get(k.case_no) as string) as CaseRecord);
  }

  /** 办件量, 办结, open and overdue per department, for cases accepted on or after `from`. */
  async stats(today: LocalDate, from?: LocalDate): Promise<DepartmentCaseStats[]> {
    const inList = (xs: readonly string[]) =>
      sql.join(
        xs.map((x) => sql.lit(x)),
        sql`, `,
      );
    let q = this.db
      .selectFrom("cases")
      .select([
        "department_id",
        sql<number>`sum(case when outcome <> 'not_accepted' then 1 else 0 end)`.as("accepted"),
        sql<number>`sum(case when outcome = 'not_accepted' then 1 else 0 end)`.as("not_accepted"),
        sql<number>`sum(case when status in (${inList(FINISHED_CASE_STATUSES)}) then 1 else 0 end)`.as("finished"),
        sql<number>`sum(case when status in (${inList(OPEN_CASE_STATUSES)}) then 1 else 0 end)`.as("open"),
        sql<number>`sum(case when status in (${inList(RUNNING)}) and due_date < ${today} then 1 else 0 end)`.as("overdue"),
      ])
      .groupBy("department_id")
      .orderBy("department_id");
    if (from) q = q.where("accepted_on", ">=", from);
    const rows = await q.execute();
    return rows.map((r) => {
      const finished = Number(r.finished);
      const overdue = Number(r.overdue);
      const due = finished + overdue;
      return {
        departmentId: r.department_id,
        accepted: Number(r.accepted),
        notAccepted: Number(r.not_accepted),
        finished,
        due,
        completionRate: due === 0 ? 1 : finished / due,
        open: Number(r.open),
        overdue,
      };
    });
  }

  /** Every case number ever committed (tests: never reused). */
  async allCaseNumbers(): Promise<string[]> {
    const rows = await this.db.selectFrom("cases").select("case_no").orderBy("case_no").execute();
    return rows.map((r) => r.case_no);
  }
}
