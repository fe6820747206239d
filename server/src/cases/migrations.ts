/**
 * Versioned migrations of the case database, the same for both engines (Kysely's schema
 * builder writes each dialect's DDL). Each runs in its own transaction with its row in
 * case_migrations, so a crash mid-migration leaves the previous version intact; on
 * PostgreSQL an advisory lock keeps two hubs starting at once from running one twice.
 * Never edit a released migration: add the next one.
 */
import { type Kysely, sql } from "kysely";
import { AUDIT_MIGRATION } from "../audit/migration.ts";
import { HELPDESK_MIGRATION } from "../helpdesk/migration.ts";
import { PAYMENTS_MIGRATION } from "../payments/migration.ts";
import { REPORTS_FOLLOWUP_MIGRATION, REPORTS_HISTORY_MIGRATION, REPORTS_P90_PENDING_MIGRATION } from "../reports/migration.ts";
import { type CaseDb, type Engine, MIGRATION_LOCK } from "./db.ts";

export interface Migration {
  version: number;
  name: string;
  up(db: Kysely<CaseDb>, engine: Engine): Promise<void>;
}

// biome-ignore lint/suspicious/noExplicitAny: migrations run before (and change) the typed schema
type AnyDb = Kysely<any>;

export const MIGRATIONS: Migration[] = [
  {
    version: 1,
    name: "cases, events, daily sequence, idempotency keys",
    async up(db0) {
      const db = db0 as AnyDb;
      await db.schema
        .createTable("cases")
        .addColumn("case_no", "text", (c) => c.primaryKey())
        .addColumn("ticket_id", "text")
        .addColumn("department_id", "text", (c) => c.notNull())
        .addColumn("matter_id", "text", (c) => c.notNull())
        .addColumn("site_id", "text", (c) => c.notNull())
        .addColumn("status", "text", (c) => c.notNull())
        .addColumn("outcome", "text", (c) => c.notNull())
        .addColumn("accepted_at", "bigint", (c) => c.notNull())
        .addColumn("accepted_on", "text", (c) => c.notNull())
        .addColumn("due_date", "text")
        .addColumn("finished_at", "bigint")
        .addColumn("version", "integer", (c) => c.notNull())
        .addColumn("applicant_name", "text", (c) => c.notNull())
        .addColumn("matter_name", "text", (c) => c.notNull())
        .addColumn("assignee_name", "text")
        .addColumn("id_hash", "text")
        .addColumn("doc", "text", (c) => c.notNull())
        .execute();
      // One ticket, one case (NULLs — cases without a ticket — never collide).
      await db.schema.createIndex("cases_ticket").unique().on("cases").column("ticket_id").execute();
      // The worklist: a department's open cases by due date.
      await db.schema.createIndex("cases_dept_status_due").on("cases").columns(["department_id", "status", "due_date"]).execute();
      await db.schema.createIndex("cases_status_due").on("cases").columns(["status", "due_date"]).execute();
      await db.schema.createIndex("cases_accepted_on").on("cases").columns(["accepted_on", "department_id"]).execute();
      await db.schema.createIndex("cases_id_hash").on("cases").column("id_hash").execute();
      await db.schema
        .createTable("case_events")
        .addColumn("case_no", "text", (c) => c.notNull())
        .addColumn("seq", "integer", (c) => c.notNull())
        .addColumn("type", "text", (c) => c.notNull())
        .addColumn("at", "bigint", (c) => c.notNull())
        .addColumn("body", "text", (c) => c.notNull())
        .addPrimaryKeyConstraint("case_events_pk", ["case_no", "seq"])
        .execute();
      await db.schema
        .createTable("case_seq")
        .addColumn("day", "text", (c) => c.primaryKey())
        .addColumn("last", "integer", (c) => c.notNull())
        .execute();
      await db.schema
        .createTable("case_idempotency")
        .addColumn("scope", "text", (c) => c.notNull())
        .addColumn("key", "text", (c) => c.notNull())
        .addColumn("request_hash", "text", (c) => c.notNull())
        .addColumn("response", "text", (c) => c.notNull())
        .addColumn("created_at", "bigint", (c) => c.notNull())
        .addPrimaryKeyConstraint("case_idempotency_pk", ["scope", "key"])
        .execute();
    },
  },
  {
    version: 2,
    name: "worklist indexes cover the sort (no table reads to order 10,000 open cases)",
    async up(db0) {
      const db = db0 as AnyDb;
      await db.schema.dropIndex("cases_dept_status_due").execute();
      await db.schema.dropIndex("cases_status_due").execute();
      await db.schema
        .createIndex("cases_worklist_dept")
        .on("cases")
        .columns(["department_id", "status", "due_date", "case_no"])
        .execute();
      await db.schema.createIndex("cases_worklist_all").on("cases").columns(["status", "due_date", "case_no"]).execute();
    },
  },
  {
    version: 3,
    name: "postal waybills (issue 11): one parcel per case, its label, the ledger's day",
    async up(db0) {
      const db = db0 as AnyDb;
      await db.schema
        .createTable("postal_waybills")
        .addColumn("case_no", "text", (c) => c.primaryKey())
        .addColumn("courier_key", "text", (c) => c.notNull().unique())
        .addColumn("courier", "text", (c) => c.notNull())
        .addColumn("waybill_no", "text", (c) => c.unique())
        .addColumn("department_id", "text", (c) => c.notNull())
        .addColumn("counter_id", "text", (c) => c.notNull())
        .addColumn("mailed_on", "text")
        .addColumn("mailed_at", "bigint")
        .addColumn("status", "text", (c) => c.notNull())
        .addColumn("paid", "integer", (c) => c.notNull())
        .addColumn("label_state", "text", (c) => c.notNull())
        .addColumn("updated_at", "bigint", (c) => c.notNull())
        .execute();
      // The ledger: a day's parcels per department.
      await db.schema.createIndex("postal_ledger").on("postal_waybills").columns(["mailed_on", "department_id"]).execute();
      // Labels waiting for a window's printer to come back.
      await db.schema.createIndex("postal_pending_labels").on("postal_waybills").columns(["label_state", "counter_id"]).execute();
    },
  },
  // The help desk's tables (helpdesk/migration.ts, issue 11).
  { version: 5, ...HELPDESK_MIGRATION },
  {
    // Self-service terminals (issue 12): a certificate prints once. The row is claimed
    // ("printing") in a transaction before the printer is called, so two terminals (or a
    // double tap) cannot both print; it becomes "printed" when the printer says the job
    // completed, and is removed when the print failed (a jam), so the visitor may retry.
    version: 6,
    name: "self-service certificate prints (once per case)",
    async up(db0) {
      const db = db0 as AnyDb;
      await db.schema
        .createTable("case_prints")
        .addColumn("case_no", "text", (c) => c.primaryKey())
        .addColumn("state", "text", (c) => c.notNull())
        .addColumn("terminal_id", "text", (c) => c.notNull())
        .addColumn("started_at", "bigint", (c) => c.notNull())
        .addColumn("printed_at", "bigint")
        .execute();
    },
  },
  // Self-service payment (payments/migration.ts, issue 12): orders, their events, refunds.
  { version: 7, ...PAYMENTS_MIGRATION },
  // The audit log (audit/migration.ts, issue 13).
  { version: 8, ...AUDIT_MIGRATION },
  {
    // Self-service terminals (issue 12): a second copy of a self-printed certificate is
    // printed by a clerk, and each copy is recorded — who, where, on which printer, why.
    version: 9,
    name: "clerk reprints of self-printed certificates",
    async up(db0) {
      const db = db0 as AnyDb;
      await db.schema
        .createTable("case_reprints")
        .addColumn("case_no", "text", (c) => c.notNull())
        .addColumn("seq", "integer", (c) => c.notNull())
        .addColumn("staff_id", "text", (c) => c.notNull())
        .addColumn("staff_name", "text", (c) => c.notNull())
        .addColumn("counter_id", "text", (c) => c.notNull())
        .addColumn("printer_id", "text", (c) => c.notNull())
        .addColumn("reason", "text", (c) => c.notNull())
        .addColumn("printed_at", "bigint", (c) => c.notNull())
        .addPrimaryKeyConstraint("case_reprints_pk", ["case_no", "seq"])
        .execute();
    },
  },
  // Reports (reports/migration.ts, issue 13): ticket history with rollups, then 差评 follow-ups.
  { version: 10, ...REPORTS_HISTORY_MIGRATION },
  { version: 11, ...REPORTS_FOLLOWUP_MIGRATION },
  // Reports: periods whose p90s a cancelled ranking left stale (reports/migration.ts).
  { version: 12, ...REPORTS_P90_PENDING_MIGRATION },
];

/** Bring the database to the newest version; returns the versions applied now. */
export async function migrate(
  db: Kysely<CaseDb>,
  engine: Engine,
  now: number,
  list: Migration[] = MIGRATIONS,
): Promise<number[]> {
  // Under the lock too: two hubs' `create table if not exists` at once is not atomic in
  // PostgreSQL (the loser fails on pg_type's unique index).
  await db.transaction().execute(async (tx) => {
    if (engine === "postgres") await sql`select pg_advisory_xact_lock(${sql.lit(MIGRATION_LOCK)})`.execute(tx);
    await (tx as AnyDb).schema
      .createTable("case_migrations")
      .ifNotExists()
      .addColumn("version", "integer", (c) => c.primaryKey())
      .addColumn("name", "text", (c) => c.notNull())
      .addColumn("applied_at", "bigint", (c) => c.notNull())
      .execute();
  });
  const applied: number[] = [];
  for (const m of [...list].sort((a, b) => a.version - b.version)) {
    await db.transaction().execute(async (tx) => {
      if (engine === "postgres") await sql`select pg_advisory_xact_lock(${sql.lit(MIGRATION_LOCK)})`.execute(tx);
      const done = await tx.selectFrom("case_migrations").select("version").where("version", "=", m.version).executeTakeFirst();
      if (done) return;
      await m.up(tx, engine);
      await tx.insertInto("case_migrations").values({ version: m.version, name: m.name, applied_at: now }).execute();
      applied.push(m.version);
    });
  }
  return applied;
}
