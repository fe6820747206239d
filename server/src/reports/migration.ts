/**
 * The reports' tables (issue 13, /admin/reports), in the case database: one database, one
 * backup, and the cases' own figures next to them. Registered as migrations 10, 11 and 12 in
 * cases/migrations.ts.
 *
 * - report_tickets: one row per ticket of a closed day, folded from that day's journal
 *   (fold.ts). A day is replaced as a whole (store.ts), so refilling it is idempotent and
 *   the whole history can be rebuilt from the journals.
 * - report_days: which days are filled, with how many tickets (what "filled" means at start),
 *   and which of their periods' p90s do not include them yet (p90_pending, migration 12).
 * - report_rollup: per day × grouping × key the counts and sums every report adds up
 *   (a year is ~250 rows per key instead of ~4,000 tickets a day), written with the day.
 * - report_p90: the p90s of every calendar period per grouping, ranked when its days are filled.
 * - report_followups: 差评 follow-ups (整改), one per rating of 1 or 2.
 */
import type { Kysely } from "kysely";
import type { Migration } from "../cases/migrations.ts";

// biome-ignore lint/suspicious/noExplicitAny: migrations run before (and change) the typed schema
type AnyDb = Kysely<any>;

export const REPORTS_HISTORY_MIGRATION: Omit<Migration, "version"> = {
  name: "reports: ticket history per closed day, filled days, day × group rollups",
  async up(db0) {
    const db = db0 as AnyDb;
    await db.schema
      .createTable("report_tickets")
      .addColumn("day", "text", (c) => c.notNull())
      .addColumn("ticket_id", "text", (c) => c.notNull())
      .addColumn("number", "text", (c) => c.notNull())
      .addColumn("hour", "integer", (c) => c.notNull())
      .addColumn("series", "text", (c) => c.notNull())
      .addColumn("matter", "text", (c) => c.notNull())
      .addColumn("department", "text", (c) => c.notNull())
      .addColumn("counter", "text", (c) => c.notNull())
      .addColumn("clerk", "text", (c) => c.notNull())
      .addColumn("clerk_name", "text", (c) => c.notNull())
      .addColumn("issued_at", "bigint", (c) => c.notNull())
      .addColumn("called_at", "bigint")
      .addColumn("started_at", "bigint")
      .addColumn("finished_at", "bigint")
      .addColumn("outcome", "text", (c) => c.notNull())
      .addColumn("wait_s", "integer")
      .addColumn("service_s", "integer")
      .addColumn("rating", "integer")
      .addColumn("reasons", "text")
      .addPrimaryKeyConstraint("report_tickets_pk", ["day", "ticket_id"])
      .execute();
    // The p90s rank a range's waits and service times: the range is read through these
    // (day first), with the value in the index so the sort needs no table reads.
    await db.schema.createIndex("report_tickets_wait").on("report_tickets").columns(["day", "wait_s"]).execute();
    await db.schema.createIndex("report_tickets_service").on("report_tickets").columns(["day", "service_s"]).execute();
    await db.schema
      .createTable("report_days")
      .addColumn("day", "text", (c) => c.primaryKey())
      .addColumn("tickets", "integer", (c) => c.notNull())
      .addColumn("filled_at", "bigint", (c) => c.notNull())
      .execute();
    await db.schema
      .createTable("report_rollup")
      .addColumn("dim", "text", (c) => c.notNull())
      .addColumn("day", "text", (c) => c.notNull())
      .addColumn("key", "text", (c) => c.notNull())
      // The clerk's name as signed in that day (the key is the staff id; accounts come and go).
      .addColumn("label", "text", (c) => c.notNull())
      .addColumn("tickets", "integer", (c) => c.notNull())
      .addColumn("served", "integer", (c) => c.notNull())
      .addColumn("no_shows", "integer", (c) => c.notNull())
      .addColumn("cancelled", "integer", (c) => c.notNull())
      .addColumn("wait_n", "integer", (c) => c.notNull())
      .addColumn("wait_sum", "bigint", (c) => c.notNull())
      .addColumn("service_n", "integer", (c) => c.notNull())
      .addColumn("service_sum", "bigint", (c) => c.notNull())
      .addColumn("r1", "integer", (c) => c.notNull())
      .addColumn("r2", "integer", (c) => c.notNull())
      .addColumn("r3", "integer", (c) => c.notNull())
      .addColumn("r4", "integer", (c) => c.notNull())
      .addColumn("r5", "integer", (c) => c.notNull())
      .addPrimaryKeyConstraint("report_rollup_pk", ["dim", "day", "key"])
      .execute();
    // p90s cannot be added up from daily parts: each calendar period's (day, ISO week,
    // month, year) are ranked once when one of its days is filled, and a report reads them.
    await db.schema
      .createTable("report_p90")
      .addColumn("period", "text", (c) => c.notNull())
      .addColumn("start", "text", (c) => c.notNull())
      .addColumn("dim", "text", (c) => c.notNull())
      .addColumn("metric", "text", (c) => c.notNull())
      .addColumn("key", "text", (c) => c.notNull())
      .addColumn("value", "integer", (c) => c.notNull())
      .addPrimaryKeyConstraint("report_p90_pk", ["period", "start", "dim", "metric", "key"])
      .execute();
  },
};

export const REPORTS_FOLLOWUP_MIGRATION: Omit<Migration, "version"> = {
  name: "reports: 差评 follow-ups (整改) with a deadline",
  async up(db0) {
    const db = db0 as AnyDb;
    await db.schema
      .createTable("report_followups")
      .addColumn("ticket_id", "text", (c) => c.primaryKey())
      .addColumn("day", "text", (c) => c.notNull())
      .addColumn("number", "text", (c) => c.notNull())
      .addColumn("counter", "text", (c) => c.notNull())
      .addColumn("clerk", "text", (c) => c.notNull())
      .addColumn("clerk_name", "text", (c) => c.notNull())
      .addColumn("department", "text", (c) => c.notNull())
      .addColumn("matter", "text", (c) => c.notNull())
      .addColumn("score", "integer", (c) => c.notNull())
      .addColumn("reasons", "text", (c) => c.notNull())
      .addColumn("comment", "text", (c) => c.notNull())
      .addColumn("rated_at", "bigint", (c) => c.notNull())
      .addColumn("due_date", "text", (c) => c.notNull())
      .addColumn("status", "text", (c) => c.notNull())
      .addColumn("closed_at", "bigint")
      .addColumn("closed_by", "text")
      .addColumn("closed_by_name", "text")
      .addColumn("action", "text")
      .execute();
    // The list: open ones by deadline (overdue first), then the closed ones.
    await db.schema.createIndex("report_followups_open").on("report_followups").columns(["status", "due_date"]).execute();
  },
};

/**
 * A day's periods whose kept p90s miss its fill (store.ts `periodBit`): set when the day is
 * filled, cleared per period kind when that period's ranking is kept. A ranking cancelled by
 * the hub closing, or lost to a crash, leaves the bits set, so the report says its p90s are
 * pending and the next fill ranks those periods first.
 */
export const REPORTS_P90_PENDING_MIGRATION: Omit<Migration, "version"> = {
  name: "reports: periods whose p90s need ranking again",
  async up(db) {
    const days = (db as AnyDb).schema.alterTable("report_days");
    await days.addColumn("p90_pending", "integer", (c) => c.notNull().defaultTo(0)).execute();
    // Days filled before this version: nothing says whether a ranking of theirs was cancelled
    // (the previous version kept no trace), so every period is ranked once more, in the
    // background at the next start (all four period kinds: 0b1111).
    await (db as AnyDb).updateTable("report_days").set({ p90_pending: 15 }).execute();
  },
};
