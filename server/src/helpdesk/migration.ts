/**
 * The help desk's tables, in the case database (one database, one backup; help cases link
 * case numbers). Registered as migration 5 in cases/migrations.ts. Indexes serve the ledger's
 * filters (date range, owner, status, department, overdue) and the reminder sweep, on both
 * engines: the ledger pages through 100,000 help cases within 200 ms (docs/perf.md).
 */
import type { Kysely } from "kysely";
import type { Migration } from "../cases/migrations.ts";

export const HELPDESK_MIGRATION: Omit<Migration, "version"> = {
  name: "help desk (帮办代办): help cases, their events, daily numbers, settings",
  async up(db0) {
    // biome-ignore lint/suspicious/noExplicitAny: migrations run before (and change) the typed schema
    const db = db0 as Kysely<any>;
    await db.schema
      .createTable("help_cases")
      .addColumn("id", "text", (c) => c.primaryKey())
      .addColumn("kind", "text", (c) => c.notNull())
      .addColumn("status", "text", (c) => c.notNull())
      .addColumn("department_id", "text")
      .addColumn("owner_id", "text", (c) => c.notNull())
      .addColumn("owner_name", "text", (c) => c.notNull())
      .addColumn("opened_at", "bigint", (c) => c.notNull())
      .addColumn("opened_on", "text", (c) => c.notNull())
      .addColumn("last_progress_on", "text", (c) => c.notNull())
      .addColumn("closed_at", "bigint")
      .addColumn("reminder_level", "integer", (c) => c.notNull())
      .addColumn("version", "integer", (c) => c.notNull())
      .addColumn("doc", "text", (c) => c.notNull())
      .execute();
    // The ledger, newest first, by date range; and narrowed by owner or department, with or
    // without a status: the equality columns lead, the range and the order follow, so the
    // count of a filter is a range of one index (SQLite has no statistics to choose with:
    // measured, owner + status + a year through the status index took 270 ms on 100,000).
    await db.schema.createIndex("help_opened").on("help_cases").columns(["opened_on", "id"]).execute();
    await db.schema.createIndex("help_owner").on("help_cases").columns(["owner_id", "status", "opened_on", "id"]).execute();
    await db.schema.createIndex("help_dept").on("help_cases").columns(["department_id", "status", "opened_on", "id"]).execute();
    // Open help cases by last progress: the reminder sweep and the ledger's overdue filter.
    await db.schema.createIndex("help_status_progress").on("help_cases").columns(["status", "last_progress_on"]).execute();
    await db.schema.createIndex("help_status_opened").on("help_cases").columns(["status", "opened_on", "id"]).execute();
    await db.schema
      .createTable("help_events")
      .addColumn("help_id", "text", (c) => c.notNull())
      .addColumn("seq", "integer", (c) => c.notNull())
      .addColumn("type", "text", (c) => c.notNull())
      .addColumn("at", "bigint", (c) => c.notNull())
      .addColumn("body", "text", (c) => c.notNull())
      .addPrimaryKeyConstraint("help_events_pk", ["help_id", "seq"])
      .execute();
    await db.schema
      .createTable("help_seq")
      .addColumn("day", "text", (c) => c.primaryKey())
      .addColumn("last", "integer", (c) => c.notNull())
      .execute();
    await db.schema
      .createTable("help_settings")
      .addColumn("id", "integer", (c) => c.primaryKey())
      .addColumn("remind_after_days", "integer", (c) => c.notNull())
      .addColumn("escalate_after_days", "integer", (c) => c.notNull())
      .execute();
  },
};
