/**
 * The case store: cases in SQL (embedded SQLite or PostgreSQL, see db.ts), one transaction
 * per command. A write carries an idempotency key: within the same transaction as the change,
 * the first answer is stored under the key, so a retried request gets that answer again
 * (never a second case or a second step), and a key reused for another request is refused.
 * The daily case-number sequence lives in the same transaction as the case: a number is
 * either committed with its case or never handed out, so a crash cannot make one reappear.
 *
 * Round trips: on SQLite a statement is a function call, so a command is a transaction of
 * small statements. On PostgreSQL each statement is a round trip to the server (eight for an
 * acceptance, seven for a step, each one a scheduling wait on a busy machine), so there an
 * acceptance is ONE statement (sequence, case, events and idempotency key in data-modifying
 * CTEs, atomic as any statement) and a step is a read plus one conditional write statement.
 */
import { randomUUID } from "node:crypto";
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

/** `prefix` + the day's sequence number, at least five digits (00001). */
export function caseNumber(prefix: string, seq: number): string {
  return `${prefix}${String(seq).padStart(5, "0")}`;
}

/** What a command computed (the pure engine's answer): the new state, its events, the reply. */
export interface Outcome<T> {
  state: CaseRecord;
  events: CaseEvent[];
  value: T;
}

export interface NewCaseAt {
  /** Local day of the sequence. */
  day: LocalDate;
  /** Case number before the sequence: "371426-20261202-". */
  prefix: string;
  /** The ticket the case comes from: one case per ticket. */
  ticketId?: string;
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

function replay<T>(idem: Idempotency, prior: { request_hash: string; response: string }): { value: T; replayed: true } {
  if (prior.request_hash !== idem.hash)
    throw new HallError("IDEMPOTENCY_KEY_REUSED", "this Idempotency-Key was used for another request");
  return { value: JSON.parse(prior.response) as T, replayed: true };
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
    private readonly noteCommit: () => void,
  ) {}

  static async open(o: DbOptions, now: number): Promise<CaseStore> {
    const { db, engine, close, noteCommit } = await openDb(o);
    try {
      await migrate(db, engine, now);
    } catch (err) {
      await close();
      throw err;
    }
    // The migrations committed too: their pages go to the checkpointer's next round.
    noteCommit();
    return new CaseStore(db, engine, close, noteCommit);
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
        if (prior) return replay<T>(idem, prior);
        const value = await fn(new CaseTx(trx));
        await trx
          .insertInto("case_idempotency")
          .values({ scope: idem.scope, key: idem.key, request_hash: idem.hash, response: JSON.stringify(value), created_at: now })
          .execute();
        return { value, replayed: false };
      });
    try {
      const out = await run();
      if (!out.replayed) this.noteCommit();
      return out;
    } catch (err) {
      // The same key raced in twice (PostgreSQL): the other one committed; answer as it did.
      if (isUniqueViolation(err)) return await run();
      throw err;
    }
  }

  /**
   * A new case under a new number of the day: `build` gets the number and returns the case,
   * its events and the reply (it may throw a HallError: nothing is written).
   */
  async acceptNew<T>(
    idem: Idempotency,
    now: number,
    at: NewCaseAt,
    build: (caseNo: string) => Outcome<T>,
  ): Promise<{ value: T; replayed: boolean }> {
    if (this.engine === "postgres") return this.acceptNewPg(idem, now, at, build);
    return this.write(idem, now, async (tx) => {
      if (at.ticketId) {
        const other = await tx.caseOfTicket(at.ticketId);
        if (other) throw new HallError("CASE_ALREADY_ACCEPTED", `ticket already has case ${other}`);
      }
      const r = build(caseNumber(at.prefix, await tx.nextSeq(at.day)));
      await tx.insert(r.state, r.events);
      return r.value;
    });
  }

  /**
   * A step of an existing case: `step` gets the stored case (undefined: unknown) and returns
   * the new state, its events and the reply, or throws a HallError (nothing is written). The
   * write happens only if nobody changed the case meanwhile, else CASE_CONFLICT.
   */
  async change<T>(
    idem: Idempotency,
    now: number,
    caseNo: string,
    step: (c: CaseRecord | undefined) => Outcome<T>,
  ): Promise<{ value: T; replayed: boolean }> {
    if (this.engine === "postgres") return this.changePg(idem, now, caseNo, step);
    return this.write(idem, now, async (tx) => {
      const c = await tx.get(caseNo);
      const r = step(c);
      await tx.update(r.state, c?.version ?? 0, r.events);
      return r.value;
    });
  }

  /** The stored answer under a key, if any (a key with another request is refused). */
  private async prior<T>(idem: Idempotency): Promise<{ value: T; replayed: true } | undefined> {
    const row = await this.db
      .selectFrom("case_idempotency")
      .select(["request_hash", "response"])
      .where("scope", "=", idem.scope)
      .where("key", "=", idem.key)
      .executeTakeFirst();
    return row ? replay<T>(idem, row) : undefined;
  }

  /**
   * PostgreSQL, one statement: the sequence row is bumped and locked, and the case, its events
   * and the idempotency row are inserted with the number the statement allocated. The engine
   * built the documents with a random placeholder for the number, which the statement
   * replaces (nothing else can contain a fresh UUID). A unique violation (same key raced in,
   * ticket already accepted) rolls the whole statement back, the number included.
   */
  private async acceptNewPg<T>(
    idem: Idempotency,
    now: number,
    at: NewCaseAt,
    build: (caseNo: string) => Outcome<T>,
  ): Promise<{ value: T; replayed: boolean }> {
    const ph = `#case-no-${randomUUID()}#`;
    let r: Outcome<T>;
    try {
      r = build(ph);
    } catch (err) {
      // A retry of a request that was answered before gets that answer, whatever today says.
      const p = await this.prior<T>(idem);
      if (p) return p;
      throw err;
    }
    const cols = caseColumns(r.state);
    const no = sql`(select no from n)`;
    const colNames = Object.keys(cols) as (keyof typeof cols)[];
    const response = JSON.stringify(r.value);
    try {
      const res = await sql<{ no: string }>`
        with s as (
          insert into case_seq (day, last) values (${at.day}, 1)
          on conflict (day) do update set last = case_seq.last + 1
          returning last
        ),
        n as (
          select ${at.prefix}::text || case when length(last::text) >= 5 then last::text else lpad(last::text, 5, '0') end as no
          from s
        ),
        c as (
          insert into cases (case_no, ${sql.join(colNames.map((k) => sql.ref(k)))})
          values (${no}, ${sql.join(colNames.map((k) => (k === "doc" ? sql`replace(${cols.doc}::text, ${ph}::text, ${no})` : sql`${cols[k]}`)))})
        ),
        e as (
          insert into case_events (case_no, seq, type, at, body)
          values ${sql.join(
            r.events.map(
              (ev, i) => sql`(${no}, ${i + 1}, ${ev.type}, ${ev.at}, replace(${JSON.stringify(ev)}::text, ${ph}::text, ${no}))`,
            ),
          )}
        )
        insert into case_idempotency (scope, key, request_hash, response, created_at)
        values (${idem.scope}, ${idem.key}, ${idem.hash}, replace(${response}::text, ${ph}::text, ${no}), ${now})
        returning (select no from n) as no`.execute(this.db);
      const caseNo = (res.rows[0] as { no: string }).no;
      return { value: JSON.parse(response.replaceAll(ph, caseNo)) as T, replayed: false };
    } catch (err) {
      if (!isUniqueViolation(err)) throw err;
      const p = await this.prior<T>(idem);
      if (p) return p;
      if ((err as { constraint?: string }).constraint === "cases_ticket" && at.ticketId) {
        const other = await this.db.selectFrom("cases").select("case_no").where("ticket_id", "=", at.ticketId).executeTakeFirst();
        throw new HallError("CASE_ALREADY_ACCEPTED", `ticket already has case ${other?.case_no ?? "?"}`);
      }
      throw err;
    }
  }

  /**
   * PostgreSQL: one read (the case and any earlier answer under the key), then one statement
   * that writes the step only if the case is still at the version read (optimistic: no lock
   * is held between the two), with its events and the idempotency row.
   */
  private async changePg<T>(
    idem: Idempotency,
    now: number,
    caseNo: string,
    step: (c: CaseRecord | undefined) => Outcome<T>,
  ): Promise<{ value: T; replayed: boolean }> {
    const read = await sql<{ doc: string | null; request_hash: string | null; response: string | null }>`
      select (select doc from cases where case_no = ${caseNo}) as doc, i.request_hash, i.response
      from (select 1) as one
      left join case_idempotency i on i.scope = ${idem.scope} and i.key = ${idem.key}`.execute(this.db);
    const row = read.rows[0];
    if (row?.request_hash != null && row.response != null)
      return replay<T>(idem, { request_hash: row.request_hash, response: row.response });
    const c = row?.doc ? (JSON.parse(row.doc) as CaseRecord) : undefined;
    const r = step(c);
    const from = c?.version ?? 0;
    const cols = caseColumns(r.state);
    const sets = (Object.keys(cols) as (keyof typeof cols)[]).map((k) => sql`${sql.ref(k)} = ${cols[k]}`);
    let written: number;
    try {
      const res = await sql<{ n: number }>`
        with u as (
          update cases set ${sql.join(sets)} where case_no = ${caseNo} and version = ${from} returning case_no
        ),
        e as (
          insert into case_events (case_no, seq, type, at, body)
          select u.case_no, v.seq, v.type, v.at, v.body from u cross join (values ${sql.join(
            r.events.map(
              (ev, i) => sql`(${from + i + 1}::integer, ${ev.type}::text, ${ev.at}::bigint, ${JSON.stringify(ev)}::text)`,
            ),
          )}) as v (seq, type, at, body)
        ),
        i as (
          insert into case_idempotency (scope, key, request_hash, response, created_at)
          select ${idem.scope}::text, ${idem.key}::text, ${idem.hash}::text, ${JSON.stringify(r.value)}::text, ${now}::bigint from u
        )
        select count(*)::integer as n from u`.execute(this.db);
      written = Number(res.rows[0]?.n ?? 0);
    } catch (err) {
      if (!isUniqueViolation(err)) throw err;
      written = 0;
    }
    if (written === 1) return { value: r.value, replayed: false };
    // Someone moved the case first; if it was this very request (a retry racing itself), answer as it did.
    const p = await this.prior<T>(idem);
    if (p) return p;
    throw new HallError("CASE_CONFLICT", "the case changed meanwhile");
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
