/**
 * The audit log's table, in the case database (one database, one backup). Registered as
 * migration 8 in cases/migrations.ts. Append-only twice over: the code has no update or
 * delete path, and triggers refuse UPDATE, DELETE (and TRUNCATE on PostgreSQL) in the
 * database itself, so a careless script cannot rewrite history either. Someone who drops
 * the triggers still cannot edit a row unseen: each row carries the SHA-256 of its
 * predecessor's hash and its own fields (store.ts), and GET /api/audit/verify walks the chain.
 */
import { type Kysely, sql } from "kysely";
import type { Migration } from "../cases/migrations.ts";

export const AUDIT_MIGRATION: Omit<Migration, "version"> = {
  name: "audit log (append-only, hash-chained)",
  async up(db0, engine) {
    // biome-ignore lint/suspicious/noExplicitAny: migrations run before (and change) the typed schema
    const db = db0 as Kysely<any>;
    await db.schema
      .createTable("audit_log")
      .addColumn("seq", "integer", (c) => c.primaryKey())
      .addColumn("at", "bigint", (c) => c.notNull())
      .addColumn("actor_id", "text")
      .addColumn("actor_name", "text", (c) => c.notNull())
      .addColumn("actor_role", "text")
      .addColumn("action", "text", (c) => c.notNull())
      .addColumn("target", "text")
      .addColumn("ip", "text")
      .addColumn("via", "text")
      .addColumn("detail", "text", (c) => c.notNull())
      // Lower-cased actor, target and detail: what the page's text filter searches.
      .addColumn("search", "text", (c) => c.notNull())
      .addColumn("prev_hash", "text", (c) => c.notNull())
      .addColumn("hash", "text", (c) => c.notNull())
      .execute();
    // The page's filters, newest first: by time; by actor or action within a time range.
    await db.schema.createIndex("audit_at").on("audit_log").columns(["at", "seq"]).execute();
    await db.schema.createIndex("audit_actor").on("audit_log").columns(["actor_id", "seq"]).execute();
    await db.schema.createIndex("audit_action").on("audit_log").columns(["action", "seq"]).execute();
    if (engine === "sqlite") {
      await sql`create trigger audit_log_no_update before update on audit_log begin select raise(abort, 'audit_log is append-only'); end`.execute(
        db,
      );
      await sql`create trigger audit_log_no_delete before delete on audit_log begin select raise(abort, 'audit_log is append-only'); end`.execute(
        db,
      );
    } else {
      await sql`create or replace function audit_log_append_only() returns trigger language plpgsql as $$ begin raise exception 'audit_log is append-only'; end $$`.execute(
        db,
      );
      await sql`create trigger audit_log_no_change before update or delete on audit_log for each row execute function audit_log_append_only()`.execute(
        db,
      );
      await sql`create trigger audit_log_no_truncate before truncate on audit_log for each statement execute function audit_log_append_only()`.execute(
        db,
      );
    }
  },
};
