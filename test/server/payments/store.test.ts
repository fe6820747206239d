/**
 * Payment orders in the case database (migration 7) on both engines, embedded SQLite and a
 * real PostgreSQL server: a decision commits with its events; two writers racing on one
 * order, or two orders racing for one case or one payment code, cannot both win (the
 * database's unique slots, not only the engine); the open orders are found for recovery;
 * the journal folds into the stored order; refunds are recorded by the day they settled.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { CaseStore } from "../../../server/src/cases/store.ts";
import { HallError } from "../../../server/src/hall/errors.ts";
import { type PayCommand, type PayState, decide, replay } from "../../../server/src/payments/engine.ts";
import { PayStore } from "../../../server/src/payments/store.ts";
import { ENGINES } from "../cases/engines.ts";

const T0 = Date.parse("2026-12-03T02:00:00Z");

function create(orderId: string, caseNo: string, codeHash: string): PayCommand {
  return {
    type: "create",
    orderId,
    caseNo,
    matterName: "居民身份证换领",
    terminalId: "t1",
    method: "qr",
    provider: "sim-qr",
    amountFen: 2000,
    feeFen: 2000,
    codeHash,
    idempotencyKey: `key-${orderId}`,
  };
}

async function code(p: Promise<unknown>): Promise<string> {
  try {
    await p;
    return "ok";
  } catch (err) {
    if (err instanceof HallError) return err.code;
    throw err;
  }
}

describe.each(ENGINES)("payment store on $name", (engine) => {
  let loc: Awaited<ReturnType<typeof engine.fresh>>;
  let cases: CaseStore;
  let store: PayStore;

  /** decide on what the store holds now, then commit: as the service does. */
  const exec = async (cmd: PayCommand, caseNo: string, codeHash?: string, at = T0) => {
    const state: PayState =
      cmd.type === "create"
        ? await store.state(caseNo, codeHash)
        : {
            orders: new Map([
              [cmd.orderId, (await store.get(cmd.orderId)) as NonNullable<Awaited<ReturnType<typeof store.get>>>],
            ]),
          };
    const d = decide(state, cmd, at);
    if ("error" in d) throw new HallError(d.error, d.message);
    await store.commit(state, d.state.orders, d.events);
    return d.order;
  };

  beforeAll(async () => {
    loc = await engine.fresh();
    cases = await CaseStore.open(
      { dataDir: loc.dataDir, ...(loc.databaseUrl ? { databaseUrl: loc.databaseUrl, schema: loc.schema as string } : {}) },
      T0,
    );
    store = new PayStore(cases);
  });
  afterAll(async () => {
    await cases?.close();
    await loc?.drop();
  });

  it("commits an order and its events; the journal folds into the stored order; recovery finds it open", async () => {
    await exec(create("PO1", "c-1", "h1"), "c-1", "h1");
    expect((await store.get("PO1"))?.status).toBe("created");
    expect((await store.byKey("key-PO1"))?.orderId).toBe("PO1");
    await exec({ type: "send", orderId: "PO1" }, "c-1", undefined, T0 + 1);
    expect((await store.unsettled()).map((o) => o.orderId)).toContain("PO1");
    await exec(
      { type: "answer", orderId: "PO1", answer: { status: "pending", providerTradeNo: "T1" } },
      "c-1",
      undefined,
      T0 + 2,
    );
    await exec(
      { type: "answer", orderId: "PO1", answer: { status: "success", amountFen: 2000, paidAt: T0 + 3, providerTradeNo: "T1" } },
      "c-1",
      undefined,
      T0 + 3,
    );
    const o = await store.get("PO1");
    expect(o).toMatchObject({ status: "paid", chargedFen: 2000, paidAt: T0 + 3, version: 3 });
    expect((await store.events("PO1")).map((e) => e.type)).toEqual(["created", "sent", "pending", "paid"]);
    expect(replay(await store.events("PO1")).get("PO1")).toEqual(o);
    expect((await store.unsettled()).map((x) => x.orderId)).not.toContain("PO1");
  });

  it("a second order of a paid case, or with a used code, is refused by the engine on what the store loads", async () => {
    expect(await code(exec(create("PO2", "c-1", "h2"), "c-1", "h2"))).toBe("FEE_ALREADY_PAID");
    expect(await code(exec(create("PO3", "c-9", "h1"), "c-9", "h1"))).toBe("PAYMENT_CODE_USED");
  });

  it("two orders racing for one case (or one code): the database lets exactly one in", async () => {
    // Both decided on the same (empty) state, as two hubs on one PostgreSQL would.
    const state = await store.state("c-2", "h-race");
    const tries = ["PA", "PB", "PC"].map((id) => {
      const d = decide(state, create(id, "c-2", `h-${id}`), T0);
      if ("error" in d) throw new Error(d.error);
      return code(store.commit(state, d.state.orders, d.events));
    });
    const results = await Promise.all(tries);
    expect(results.filter((r) => r === "ok")).toHaveLength(1);
    expect(results.filter((r) => r === "PAYMENT_IN_PROGRESS")).toHaveLength(2);
    const codeState = await store.state("c-3", "h-same");
    const byCode = await Promise.all(
      ["PD", "PE"].map((id, i) => {
        const d = decide(codeState, create(id, `c-3${i}`, "h-same"), T0);
        if ("error" in d) throw new Error(d.error);
        return code(store.commit(codeState, d.state.orders, d.events));
      }),
    );
    expect(byCode.sort()).toEqual(["PAYMENT_IN_PROGRESS", "ok"]);
  });

  it("two answers racing on one order: the second loses on the version, nothing is written twice", async () => {
    await exec(create("PO4", "c-4", "h4"), "c-4", "h4");
    const before = await store.get("PO4");
    if (!before) throw new Error("no order");
    const state = { orders: new Map([["PO4", before]]) };
    const a = decide(state, { type: "send", orderId: "PO4" }, T0 + 1);
    const b = decide(state, { type: "answer", orderId: "PO4", answer: { status: "not_found" } }, T0 + 1);
    if ("error" in a || "error" in b) throw new Error("refused");
    expect(await code(store.commit(state, a.state.orders, a.events))).toBe("ok");
    expect(await code(store.commit(state, b.state.orders, b.events))).toBe("PAYMENT_IN_PROGRESS");
    expect((await store.get("PO4"))?.status).toBe("paying");
    expect(await store.events("PO4")).toHaveLength(2);
  });

  it("a failed order frees the case and the code; refunds are kept by the day they settled", async () => {
    await exec({ type: "answer", orderId: "PO4", answer: { status: "failed", failure: "INSUFFICIENT_FUNDS" } }, "c-4");
    await exec(create("PO5", "c-4", "h4"), "c-4", "h4");
    await exec({ type: "send", orderId: "PO5" }, "c-4");
    await exec({ type: "answer", orderId: "PO5", answer: { status: "success", amountFen: 2000, paidAt: T0 } }, "c-4");
    await exec({ type: "refund", orderId: "PO5", refundId: "RF1", amountFen: 700, reason: "多收", by: "s-admin" }, "c-4");
    expect((await store.unsettled()).map((o) => o.orderId)).toContain("PO5");
    await exec(
      { type: "refund_answer", orderId: "PO5", refundId: "RF1", answer: { status: "success" } },
      "c-4",
      undefined,
      T0 + 60_000,
    );
    expect(await store.refundsSettled(T0, T0 + 86_400_000)).toEqual([
      { refundId: "RF1", orderId: "PO5", amountFen: 700, status: "success" },
    ]);
    expect((await store.get("PO5"))?.refundedFen).toBe(700);
    const day = await store.touched(T0 - 1, T0 + 86_400_000);
    expect(day.map((o) => o.orderId)).toEqual(expect.arrayContaining(["PO1", "PO4", "PO5"]));
  });
});
