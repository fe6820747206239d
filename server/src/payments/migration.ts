/**
 * The payment tables, in the case database (one database, one backup: an order names its
 * case). Registered as migration 7 in cases/migrations.ts; the same DDL on both engines.
 *
 * Two nullable unique columns hold the "at most once" rules in the database itself, so two
 * requests racing (or two hubs on one PostgreSQL) cannot both win:
 * - `case_slot` is the case number while an order of that case is open or paid (NULL once
 *   it failed): one case, one live order;
 * - `code_slot` is the payment code's hash while its order is not failed: one code, one order.
 */
import type { Kysely } from "kysely";
import type { Migration } from "../cases/migrations.ts";

export const PAYMENTS_MIGRATION: Omit<Migration, "version"> = {
  name: "self-service payment (缴费): orders, order events, refunds",
  async up(db0) {
    // biome-ignore lint/suspicious/noExplicitAny: migrations run before (and change) the typed schema
    const db = db0 as Kysely<any>;
    await db.schema
      .createTable("pay_orders")
      .addColumn("order_id", "text", (c) => c.primaryKey())
      .addColumn("case_no", "text", (c) => c.notNull())
      .addColumn("terminal_id", "text", (c) => c.notNull())
      .addColumn("method", "text", (c) => c.notNull())
      .addColumn("provider", "text", (c) => c.notNull())
      .addColumn("amount_fen", "bigint", (c) => c.notNull())
      .addColumn("status", "text", (c) => c.notNull())
      .addColumn("idempotency_key", "text", (c) => c.notNull().unique())
      .addColumn("case_slot", "text", (c) => c.unique())
      .addColumn("code_slot", "text", (c) => c.unique())
      .addColumn("paid_at", "bigint")
      .addColumn("created_at", "bigint", (c) => c.notNull())
      .addColumn("updated_at", "bigint", (c) => c.notNull())
      .addColumn("version", "integer", (c) => c.notNull())
      .addColumn("doc", "text", (c) => c.notNull())
      .execute();
    await db.schema.createIndex("pay_orders_case").on("pay_orders").column("case_no").execute();
    // Recovery on start reads the open orders; the day's list and reconciliation read by time.
    await db.schema.createIndex("pay_orders_status").on("pay_orders").column("status").execute();
    await db.schema.createIndex("pay_orders_paid_at").on("pay_orders").column("paid_at").execute();
    await db.schema.createIndex("pay_orders_created_at").on("pay_orders").column("created_at").execute();
    await db.schema
      .createTable("pay_order_events")
      .addColumn("order_id", "text", (c) => c.notNull())
      .addColumn("seq", "integer", (c) => c.notNull())
      .addColumn("type", "text", (c) => c.notNull())
      .addColumn("at", "bigint", (c) => c.notNull())
      .addColumn("body", "text", (c) => c.notNull())
      .addPrimaryKeyConstraint("pay_order_events_pk", ["order_id", "seq"])
      .execute();
    await db.schema
      .createTable("pay_refunds")
      .addColumn("refund_id", "text", (c) => c.primaryKey())
      .addColumn("order_id", "text", (c) => c.notNull())
      .addColumn("amount_fen", "bigint", (c) => c.notNull())
      .addColumn("status", "text", (c) => c.notNull())
      .addColumn("requested_at", "bigint", (c) => c.notNull())
      .addColumn("settled_at", "bigint")
      .execute();
    await db.schema.createIndex("pay_refunds_order").on("pay_refunds").column("order_id").execute();
    await db.schema.createIndex("pay_refunds_settled").on("pay_refunds").column("settled_at").execute();
  },
};
