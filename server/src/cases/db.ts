/**
 * The case database: one query layer (Kysely) over two engines.
 * - Embedded (default): better-sqlite3 at DATA_DIR/cases.db, WAL with synchronous=FULL, so a
 *   committed transaction is on disk before the reply (a power cut loses nothing
 *   acknowledged). No server to install for `npm start`.
 * - PostgreSQL when DATABASE_URL is set (a county running every hall on one server).
 * PGlite was not chosen: its Node file system layer does not fsync (pglite issue #1107).
 */
import { mkdirSync } from "node:fs";
import { createRequire } from "node:module";
import { join } from "node:path";
import { Worker } from "node:worker_threads";
import Database from "better-sqlite3";
import { type Generated, Kysely, PostgresDialect, SqliteDialect, type SqliteDatabase, sql } from "kysely";
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

/** PostgreSQL advisory lock held (per transaction) by whoever creates or migrates the schema. */
export const MIGRATION_LOCK = 7100426;

export interface OpenedDb {
  db: Kysely<CaseDb>;
  engine: Engine;
  /** Tell the background checkpointer a write transaction committed (SQLite; no-op otherwise). */
  noteCommit(): void;
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
  /**
   * SQLite's background checkpoint: after `commits` commits (default 64, an acceptance writes
   * ~15 pages: about SQLite's own 1,000-page rhythm) and every `everyMs` (default 2,000; 0: no
   * worker), with SQLite's automatic one at `autoPages` as the safety net.
   */
  checkpoint?: { everyMs?: number; commits?: number; autoPages?: number };
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
    // Two hubs creating the schema at once: `if not exists` alone is not atomic in PostgreSQL
    // (the loser fails on pg_namespace's unique index), so creation waits on the migration lock.
    if (schema) {
      const c = await pool.connect();
      try {
        await c.query("begin");
        await c.query("select pg_advisory_xact_lock($1)", [MIGRATION_LOCK]);
        await c.query(`create schema if not exists ${schema}`);
        await c.query("commit");
      } catch (err) {
        await c.query("rollback").catch(() => {});
        throw err;
      } finally {
        c.release();
      }
    }
    const db = new Kysely<CaseDb>({ dialect: new PostgresDialect({ pool }) });
    return { db, engine: "postgres", noteCommit: () => {}, close: () => db.destroy() };
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
  // The checkpoint (WAL pages copied into cases.db, then fsynced) ran inside every ~100th
  // commit and landed in the acceptance p99. A worker thread now checkpoints in the
  // background; the commit that would have triggered it only appends to the WAL. The
  // automatic one stays as a safety net, far above what the worker lets the WAL grow to.
  const everyMs = o.checkpoint?.everyMs ?? 2000;
  // everyMs 0: no worker, SQLite's own checkpoint at 1,000 pages (as before; the bench's comparison).
  sqlite.pragma(`wal_autocheckpoint = ${o.checkpoint?.autoPages ?? (everyMs > 0 ? 20_000 : 1000)}`);
  const checkpointer =
    everyMs > 0 ? startCheckpointer(file, everyMs, o.checkpoint?.commits ?? 64) : { noteCommit: () => {}, stop: async () => {} };
  const db = new Kysely<CaseDb>({ dialect: new SqliteDialect({ database: cachedStatements(sqlite) }) });
  return {
    db,
    engine: "sqlite",
    noteCommit: checkpointer.noteCommit,
    close: async () => {
      await checkpointer.stop();
      await db.destroy();
    },
  };
}

/**
 * Kysely prepares every query anew; better-sqlite3 statements can be reused, and the hot
 * paths run the same few SQL texts again and again. Bounded, oldest dropped first.
 */
function cachedStatements(sqlite: Database.Database): SqliteDatabase {
  const cache = new Map<string, Database.Statement>();
  return {
    close: () => sqlite.close(),
    prepare(text: string) {
      let st = cache.get(text);
      if (st) {
        cache.delete(text);
      } else {
        st = sqlite.prepare(text);
        if (cache.size >= 200) cache.delete(cache.keys().next().value as string);
      }
      cache.set(text, st);
      return st as unknown as ReturnType<SqliteDatabase["prepare"]>;
    },
  };
}

/**
 * The background checkpointer: its own connection in a worker thread (better-sqlite3 is
 * synchronous, so a checkpoint on the main thread would stall every request meanwhile).
 * PASSIVE never waits for or blocks the writer; a crash mid-checkpoint is safe (the WAL
 * stays authoritative until a later writer restarts it), and with synchronous=FULL the
 * database file is fsynced before the WAL may be reused. Each checkpoint costs two fsyncs
 * that compete with the commits' own on the same disk, so it runs about as often as
 * SQLite's would (every `commits` commits, counted in shared memory without waking the
 * worker), and every `everyMs` anyway: that catches writers that do not count (the help
 * desk's tables share the file), and costs nothing when the WAL holds nothing new (SQLite
 * then neither copies nor syncs). Plain JavaScript (eval), so it runs the same under tsx and
 * in the esbuild bundle.
 */
function startCheckpointer(file: string, everyMs: number, commits: number): { noteCommit(): void; stop(): Promise<void> } {
  const counter = new Int32Array(new SharedArrayBuffer(4));
  const code = `
const { parentPort, workerData } = require("node:worker_threads");
const Database = require(workerData.module);
const db = new Database(workerData.file);
db.pragma("synchronous = FULL");
db.pragma("busy_timeout = 0");
const counter = workerData.counter;
let seen = 0;
let last = Date.now();
const timer = setInterval(() => {
  const now = Date.now();
  const n = Atomics.load(counter, 0);
  if (n - seen >= workerData.commits || now - last >= workerData.everyMs) {
    try {
      db.pragma("wal_checkpoint(PASSIVE)");
    } catch {}
    seen = n;
    last = now;
  }
}, Math.min(100, workerData.everyMs));
parentPort.on("message", () => {
  clearInterval(timer);
  db.close();
  parentPort.postMessage("stopped");
});`;
  const worker = new Worker(code, {
    eval: true,
    workerData: { file, everyMs, commits, counter, module: createRequire(import.meta.url).resolve("better-sqlite3") },
  });
  worker.unref();
  // A failed checkpointer leaves the automatic checkpoint in charge; never crash the hub.
  worker.on("error", () => {});
  return {
    noteCommit: () => {
      Atomics.add(counter, 0, 1);
    },
    stop: () =>
      new Promise<void>((resolve) => {
        const done = () => {
          void worker.terminate().finally(resolve);
        };
        worker.once("message", done);
        worker.once("exit", () => resolve());
        worker.postMessage("stop");
      }),
  };
}

export { sql };
