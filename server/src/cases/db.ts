/**
 * The case database: one query layer (Kysely) over two engines.
 * - Embedded (default): better-sqlite3 at DATA_DIR/cases.db, WAL with synchronous=FULL, so a
 *   committed transaction is on disk before the reply (a power cut loses nothing
 *   acknowledged). No server to install for `npm start`.
 * - PostgreSQL when DATABASE_URL is set (a county running every hall on one server).
 * PGlite was not chosen: its Node file system layer does not fsync (pglite issue #1107).
 */
import { mkdirSync } from "node:fs";
import { join } from "node:path";
import Database from "better-sqlite3";
import { type Generated, Kysely, PostgresDialect, SqliteDialect, sql } from "kysely";
import pg from "pg";

export interface CasesTable {
  case_no: string;
  ticket_id: string | null;
  department_id: string;
  matter_id: string;
  site_id: string;
  status: string;
  outcome: string;
  accepted_at: number;
  accepted_on: string;
  due_date: string | null;
  finished_at: number | null;
  version: number;
  applicant_name: string;
  matter_name: string;
  assignee_name: string | null;
  id_hash: string | null;
  /** The whole CaseRecord as JSON (the columns above are what queries filter and sort on). */
  doc: string;
}

export interface CaseEventsTable {
  case_no: string;
  seq: number;
  type: string;
  at: number;
  body: string;
}

export interface CaseSeqTable {
  day: string;
  last: number;
}

export interface IdempotencyTable {
  scope: string;
  key: string;
  request_hash: string;
  response: string;
  created_at: number;
}

export interface MigrationsTable {
  version: number;
  name: string;
  applied_at: number;
  id?: Generated<number>;
}

/** One parcel per case (delivery/, issue 11): the waybill survives a lost answer or a dead printer. */
export interface PostalWaybillsTable {
  case_no: string;
  /** Sent to the courier with every try: the same key never makes a second waybill. */
  courier_key: string;
  courier: string;
  waybill_no: string | null;
  department_id: string;
  /** The 统一出证 window that mails it (its label printer prints the label). */
  counter_id: string;
  /** Local day and instant it was mailed (the ledger's day). */
  mailed_on: string | null;
  mailed_at: number | null;
  status: string;
  paid: number;
  /** "pending" until the label printer took it, then "printed". */
  label_state: string;
  updated_at: number;
}

export interface CaseDb {
  cases: CasesTable;
  case_events: CaseEventsTable;
  case_seq: CaseSeqTable;
  case_idempotency: IdempotencyTable;
  case_migrations: MigrationsTable;
  postal_waybills: PostalWaybillsTable;
}

export type Engine = "sqlite" | "postgres";

export interface OpenedDb {
  db: Kysely<CaseDb>;
  engine: Engine;
  close(): Promise<void>;
}

/** int8 (bigint) arrives as a string from pg; every bigint here is an epoch-ms or a count. */
const PG_TYPES = {
  getTypeParser: ((oid: number, format?: string) =>
    oid === 20 ? (v: string) => Number(v) : pg.types.getTypeParser(oid, format as "text")) as typeof pg.types.getTypeParser,
};

export interface DbOptions {
  /** postgres://… ; absent = embedded SQLite in dataDir. */
  databaseUrl?: string;
  dataDir?: string;
  /** PostgreSQL schema to use (tests: a fresh one per run); created when missing. */
  schema?: string;
  /** Pool size for PostgreSQL (default 10). */
  poolSize?: number;
}

export async function openDb(o: DbOptions): Promise<OpenedDb> {
  if (o.databaseUrl) {
    const schema = o.schema;
    if (schema && !/^[a-z_][a-z0-9_]{0,62}$/.test(schema)) throw new Error(`bad schema name ${schema}`);
    const pool = new pg.Pool({
      connectionString: o.databaseUrl,
      max: o.poolSize ?? 10,
      types: PG_TYPES,
      ...(schema ? { options: `-c search_path=${schema}` } : {}),
    });
    // An idle client's error (server restart) must not crash the hub; the next query reconnects.
    pool.on("error", () => {});
    if (schema) await pool.query(`create schema if not exists ${schema}`);
    const db = new Kysely<CaseDb>({ dialect: new PostgresDialect({ pool }) });
    return { db, engine: "postgres", close: () => db.destroy() };
  }
  if (!o.dataDir) throw new Error("openDb needs a dataDir or a databaseUrl");
  mkdirSync(o.dataDir, { recursive: true });
  const file = join(o.dataDir, "cases.db");
  const sqlite = new Database(file);
  sqlite.pragma("journal_mode = WAL");
  // FULL: every commit is fsynced (WAL's default NORMAL may lose the last commits in a power cut).
  sqlite.pragma("synchronous = FULL");
  sqlite.pragma("busy_timeout = 5000");
  sqlite.pragma("foreign_keys = ON");
  const db = new Kysely<CaseDb>({ dialect: new SqliteDialect({ database: sqlite }) });
  return { db, engine: "sqlite", close: () => db.destroy() };
}

export { sql };
