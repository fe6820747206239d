/**
 * Payment orders in the case database (tables of migration 7, payments/migration.ts), on
 * both engines. Each decision of the engine is one transaction: the orders it changed
 * (guarded by their version, so two writers racing cannot both win), its events and the
 * refunds. The service commits the order before it calls any provider.
 */
import type { Kysely } from "kysely";
import type { CaseDb } from "../cases/db.ts";
import type { CaseStore } from "../cases/store.ts";
import { HallError } from "../hall/errors.ts";
import { type PayEvent, type PayOrder, type PayState, isCharged, isOpen } from "./engine.ts";

interface PayOrdersTable {
  order_id: string;
  case_no: string;
  terminal_id: string;
  method: string;
  provider: string;
  amount_fen: number;
  status: string;
  idempotency_key: string;
  case_slot: string | null;
  code_slot: string | null;
  paid_at: number | null;
  created_at: number;
  updated_at: number;
  version: number;
  doc: string;
}

interface PayOrderEventsTable {
  order_id: string;
  seq: number;
  type: string;
  at: number;
  body: string;
}

interface PayRefundsTable {
  refund_id: string;
  order_id: string;
  amount_fen: number;
  status: string;
  requested_at: number;
  settled_at: number | null;
}

type PayDb = CaseDb & { pay_orders: PayOrdersTable; pay_order_events: PayOrderEventsTable; pay_refunds: PayRefundsTable };

/** Unique-constraint violations, as each engine names them. */
function isUniqueViolation(err: unknown): boolean {
  const code = (err as { code?: unknown })?.code;
  return code === "23505" || code === "SQLITE_CONSTRAINT_UNIQUE" || code === "SQLITE_CONSTRAINT_PRIMARYKEY";
}

function row(o: PayOrder): Omit<PayOrdersTable, "order_id" | "idempotency_key" | "created_at"> {
  return {
    case_no: o.caseNo,
    terminal_id: o.terminalId,
    method: o.method,
    provider: o.provider,
    amount_fen: o.amountFen,
    status: o.status,
    case_slot: isOpen(o) || isCharged(o) ? o.caseNo : null,
    code_slot: o.codeHash && o.status !== "failed" ? o.codeHash : null,
    paid_at: o.paidAt ?? null,
    updated_at: o.updatedAt,
    version: o.version,
    doc: JSON.stringify(o),
  };
}

export class PayStore {
  private readonly db: Kysely<PayDb>;

  constructor(cases: CaseStore) {
    this.db = cases.db as unknown as Kysely<PayDb>;
  }

  async get(orderId: string): Promise<PayOrder | undefined> {
    const r = await this.db.selectFrom("pay_orders").select("doc").where("order_id", "=", orderId).executeTakeFirst();
    return r ? (JSON.parse(r.doc) as PayOrder) : undefined;
  }

  async byKey(idempotencyKey: string): Promise<PayOrder | undefined> {
    const r = await this.db
      .selectFrom("pay_orders")
      .select("doc")
      .where("idempotency_key", "=", idempotencyKey)
      .executeTakeFirst();
    return r ? (JSON.parse(r.doc) as PayOrder) : undefined;
  }

  /** The orders a new payment of `caseNo` with this code must be checked against. */
  async state(caseNo: string, codeHash?: string): Promise<PayState> {
    let q = this.db.selectFrom("pay_orders").select("doc").where("case_no", "=", caseNo);
    if (codeHash) q = q.union(this.db.selectFrom("pay_orders").select("doc").where("code_slot", "=", codeHash));
    const rows = await q.execute();
    const orders = new Map<string, PayOrder>();
    for (const r of rows) {
      const o = JSON.parse(r.doc) as PayOrder;
      orders.set(o.orderId, o);
    }
    return { orders };
  }

  /** Orders of these cases (the fee list). */
  async ofCases(caseNos: readonly string[]): Promise<PayOrder[]> {
    if (caseNos.length === 0) return [];
    const rows = await this.db.selectFrom("pay_orders").select("doc").where("case_no", "in", caseNos).execute();
    return rows.map((r) => JSON.parse(r.doc) as PayOrder);
  }

  /** Orders whose outcome is not settled: open ones and refunds under way (recovery). */
  async unsettled(): Promise<PayOrder[]> {
    const rows = await this.db
      .selectFrom("pay_orders")
      .select("doc")
      .where("status", "in", ["created", "paying", "pending", "refund_pending"])
      .orderBy("created_at")
      .execute();
    return rows.map((r) => JSON.parse(r.doc) as PayOrder);
  }

  /** Orders created, paid or refunded within [from, to) (epoch ms). */
  async touched(from: number, to: number): Promise<PayOrder[]> {
    const rows = await this.db
      .selectFrom("pay_orders")
      .select("doc")
      .where((eb) =>
        eb.or([
          eb.and([eb("created_at", ">=", from), eb("created_at", "<", to)]),
          eb.and([eb("paid_at", ">=", from), eb("paid_at", "<", to)]),
          eb(
            "order_id",
            "in",
            eb.selectFrom("pay_refunds").select("order_id").where("settled_at", ">=", from).where("settled_at", "<", to),
          ),
        ]),
      )
      .orderBy("created_at")
      .execute();
    return rows.map((r) => JSON.parse(r.doc) as PayOrder);
  }

  /** Refunds settled within [from, to), as the hub recorded them. */
  async refundsSettled(
    from: number,
    to: number,
  ): Promise<{ refundId: string; orderId: string; amountFen: number; status: string }[]> {
    const rows = await this.db
      .selectFrom("pay_refunds")
      .selectAll()
      .where("settled_at", ">=", from)
      .where("settled_at", "<", to)
      .execute();
    return rows.map((r) => ({ refundId: r.refund_id, orderId: r.order_id, amountFen: Number(r.amount_fen), status: r.status }));
  }

  async events(orderId: string): Promise<PayEvent[]> {
    const rows = await this.db
      .selectFrom("pay_order_events")
      .select("body")
      .where("order_id", "=", orderId)
      .orderBy("seq")
      .execute();
    return rows.map((r) => JSON.parse(r.body) as PayEvent);
  }

  /**
   * Commit one decision: the changed orders (each guarded by the version it was decided
   * from), their events and refunds, in one transaction. A lost race is PAYMENT_IN_PROGRESS
   * (another request changed the order, or took the case's or the code's slot first).
   */
  async commit(before: PayState, after: ReadonlyMap<string, PayOrder>, events: readonly PayEvent[]): Promise<void> {
    if (events.length === 0) return;
    const touched = new Set(events.map((e) => (e.type === "created" ? e.order.orderId : e.orderId)));
    try {
      await this.db.transaction().execute(async (tx) => {
        for (const id of touched) {
          const o = after.get(id) as PayOrder;
          const prev = before.orders.get(id);
          if (!prev) {
            await tx
              .insertInto("pay_orders")
              .values({ order_id: o.orderId, idempotency_key: o.idempotencyKey, created_at: o.createdAt, ...row(o) })
              .execute();
          } else {
            const u = await tx
              .updateTable("pay_orders")
              .set(row(o))
              .where("order_id", "=", id)
              .where("version", "=", prev.version)
              .executeTakeFirst();
            if (Number(u.numUpdatedRows) !== 1) throw new HallError("PAYMENT_IN_PROGRESS", `order ${id} changed meanwhile`);
          }
          const seq0 = prev?.version ?? -1;
          const mine = events.filter((e) => (e.type === "created" ? e.order.orderId : e.orderId) === id);
          await tx
            .insertInto("pay_order_events")
            .values(mine.map((e, i) => ({ order_id: id, seq: seq0 + 1 + i, type: e.type, at: e.at, body: JSON.stringify(e) })))
            .execute();
          for (const e of mine) {
            if (e.type === "refund_requested")
              await tx
                .insertInto("pay_refunds")
                .values({
                  refund_id: e.refund.refundId,
                  order_id: id,
                  amount_fen: e.refund.amountFen,
                  status: "pending",
                  requested_at: e.at,
                  settled_at: null,
                })
                .execute();
            if (e.type === "refund_settled")
              await tx
                .updateTable("pay_refunds")
                .set({ status: e.status, settled_at: e.at })
                .where("refund_id", "=", e.refundId)
                .execute();
          }
        }
      });
    } catch (err) {
      if (err instanceof HallError) throw err;
      if (isUniqueViolation(err)) throw new HallError("PAYMENT_IN_PROGRESS", "another payment took this case or code first");
      throw err;
    }
  }
}
