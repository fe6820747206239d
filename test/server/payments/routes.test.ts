/**
 * Paying a fee at terminal t1 over the real hub, with fetch and socket.io-client: terminal
 * t1's devices configured through the API (simulated ID card reader, scanner, A4 printer
 * and a receipt printer), the visitor identified by the card read there, the payment code
 * read by the terminal's scanner (it never reaches the page: a token does), the payment
 * simulator answering as real providers do — at once, after the phone's confirmation, with
 * insufficient funds, losing the answer after charging, notifying twice — the receipt
 * decoded from the printer's bytes by an independent ESC/POS parser, and the office's
 * refunds and reconciliation.
 */
import type { DeviceConfig } from "../../../server/src/contract/devices.ts";
import { type Socket, io } from "socket.io-client";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Case } from "../../../server/src/contract/cases.ts";
import type { FeeList, PaymentOrderView, Reconciliation } from "../../../server/src/contract/payment-orders.ts";
import type { TerminalInput } from "../../../server/src/contract/terminals.ts";
import type { PaymentSimulator } from "../../../server/src/payments/simulator.ts";
import { decodeEscPos, decodedLines } from "../../hardware/printer/npos-decode.ts";
import { hallMorning, startTestHub, type TestHub } from "../../helpers/hub.ts";
import { makeCase, placeCard, removeCard, setUpTerminal } from "../terminals/fixtures.ts";

const OWNER = { name: "王小明", idNumber: "371426199001011234", phone: "13912345678" };
const OTHER = { name: "赵六", idNumber: "37142619850505432X", phone: "13600001111" };
const FEE = 2000; // m-080 居民身份证换领: 20 元

/** A payment code as a phone shows it (WeChat-style prefix), its last four digits choosing the simulator's answer. */
let codes = 0;
const payCode = (suffix = "0000") => `13${String(Date.now() % 1e8).padStart(8, "0")}${String(++codes).padStart(4, "0")}${suffix}`;

describe("payments at terminal t1", { timeout: 120_000 }, () => {
  let t: TestHub;
  let dev = "";
  let sim: PaymentSimulator;
  const sockets: Socket[] = [];
  const inputs: TerminalInput[] = [];
  const orders: PaymentOrderView[] = [];
  const cases: Case[] = [];
  let otherCase: Case;
  let idToken = "";
  let n = 0;
  // biome-ignore lint/suspicious/noExplicitAny: replies are untyped JSON, as with t.api()
  const api = <T = any>(method: string, path: string, body?: unknown, token = dev) => t.api<T>(method, path, body, token);
  const printed = () => t.hub.devices.simulators("printer-t1")?.printerSim?.tickets ?? [];
  /** Read the card at t1 and wait for the screen to hear of it. */
  const read = async (card: typeof OWNER): Promise<string> => {
    const before = inputs.length;
    placeCard(t, card);
    await expect.poll(() => inputs.length, { timeout: 5000 }).toBeGreaterThan(before);
    const got = inputs.at(-1);
    if (got?.kind !== "id_card") throw new Error(`expected an ID card, got ${JSON.stringify(got)}`);
    await removeCard(t);
    return got.idToken;
  };
  /** The terminal's scanner reads a payment code: the screen gets a token for it. */
  const scan = async (code: string): Promise<string> => {
    const before = inputs.length;
    await t.hub.devices.simulators("scanner-t1")?.scannerSim?.scan(code);
    await expect.poll(() => inputs.length, { timeout: 5000 }).toBeGreaterThan(before);
    const got = inputs.at(-1);
    if (got?.kind !== "pay_code") throw new Error(`expected a payment code, got ${JSON.stringify(got)}`);
    return got.payToken;
  };
  /** A PaymentOrderView, or an error body. */
  const pay = (c: Case, extra: Record<string, unknown>) =>
    api("POST", "/api/terminals/t1/payments", {
      caseNo: c.caseNo,
      amountFen: FEE,
      method: "qr",
      idToken,
      requestId: `req-${process.pid}-${++n}`,
      ...extra,
    });

  beforeAll(async () => {
    t = await startTestHub();
    await setUpTerminal(t);
    const admin = await t.adminToken();
    const r = await t.api(
      "PUT",
      "/api/devices/printer-t1",
      {
        id: "printer-t1",
        kind: "printer",
        name: "终端1 凭条打印机",
        transport: { type: "sim" },
        assignment: { kind: "terminal", terminalId: "t1" },
        options: { paperWidthMm: 80 },
      },
      admin,
    );
    expect(r.status, JSON.stringify(r.body)).toBe(200);
    const s0 = t.hub.payments.simulator;
    if (!s0) throw new Error("the hub's payment-code provider is not the simulator");
    sim = s0;
    // The visitor confirms on the phone when the test says so.
    sim.confirmMs = Number.POSITIVE_INFINITY;
    dev = await t.deviceToken("terminal", "t1");
    for (let i = 0; i < 8; i++) cases.push(await makeCase(t, OWNER, { matterId: "m-080", until: "accepted" }));
    otherCase = await makeCase(t, OTHER, { matterId: "m-080", until: "accepted" });
    const s = io(t.url, { transports: ["websocket"], forceNew: true, reconnection: false, auth: { deviceToken: dev } });
    sockets.push(s);
    s.on("terminal:input" as never, (e: TerminalInput) => {
      inputs.push(e);
    });
    s.on("payment:order" as never, (e: PaymentOrderView) => {
      orders.push(e);
    });
    const ack = await s.timeout(15_000).emitWithAck("subscribe", { view: "screen", screenId: "terminal-t1" });
    expect(ack.ok).toBe(true);
  }, 240_000);
  afterAll(async () => {
    for (const s of sockets) s.disconnect();
    await t?.close();
  });

  it("lists the fees of the visitor identified by the card: the matter's fee in fen, due", async () => {
    idToken = await read(OWNER);
    const r = await api<FeeList>("GET", `/api/terminals/t1/fees?idToken=${idToken}`);
    expect(r.status).toBe(200);
    expect(r.body.fees).toHaveLength(cases.length);
    expect(r.body.fees[0]).toMatchObject({ matterId: "m-080", matterName: "居民身份证换领", amountFen: FEE, state: "due" });
    expect(r.body.fees.map((f) => f.caseNo)).not.toContain(otherCase.caseNo);
    expect(JSON.stringify(r.body)).not.toContain(OWNER.idNumber);
    // Only the terminal paired as t1; staff are not terminals.
    expect(
      (await api("GET", `/api/terminals/t1/fees?idToken=${idToken}`, undefined, await t.deviceToken("terminal", "t2"))).status,
    ).toBe(403);
    expect((await api("GET", `/api/terminals/t1/fees?idToken=${idToken}`, undefined, "")).status).toBe(401);
  });

  it("pays by the code the terminal's scanner read: paid at once, one charge, a receipt decoded from the printer's bytes", async () => {
    const c = cases[0] as Case;
    const code = payCode();
    const payToken = await scan(code);
    expect(JSON.stringify(inputs)).not.toContain(code);
    const before = printed().length;
    const requestId = `req-first-${process.pid}`;
    const r = await pay(c, { payToken, requestId });
    expect(r.status, JSON.stringify(r.body)).toBe(200);
    expect(r.body).toMatchObject({ caseNo: c.caseNo, amountFen: FEE, status: "paid", method: "qr", provider: "sim-qr" });
    expect(r.body.providerTradeNo).toMatch(/^SIM\d{8}\d{8}$/);
    const orderId = r.body.orderId;
    expect(sim.charges().filter((x) => x.orderId === orderId)).toEqual([{ orderId, amountFen: FEE, refundedFen: 0 }]);
    // The screen heard of it in its room.
    await expect.poll(() => orders.some((o) => o.orderId === orderId && o.status === "paid")).toBe(true);
    // The receipt: GB18030 ESC/POS, read back by npos.
    await expect.poll(() => printed().length).toBe(before + 1);
    const text = decodedLines(decodeEscPos(printed().at(-1)?.bytes as Buffer)).join("\n");
    expect(text).toContain("缴费凭证");
    expect(text).toContain(c.caseNo);
    expect(text).toContain("居民身份证换领");
    expect(text).toContain("20.00 元");
    expect(text).toContain(orderId);
    expect(text).toContain(r.body.providerTradeNo as string);
    expect(text).not.toContain(OWNER.name);
    await expect
      .poll(async () => (await api<PaymentOrderView>("GET", `/api/terminals/t1/payments/${orderId}`)).body.receiptPrinted)
      .toBe(true);
    // The same request again (a double tap, a retry): the same order, no second call.
    const again = await pay(c, { payToken, requestId });
    expect(again.body.orderId).toBe(orderId);
    expect(sim.payCalls.get(orderId)).toBe(1);
    // The fee is paid: a new payment is refused; the code is spent, on any case.
    const fees = (await api<FeeList>("GET", `/api/terminals/t1/fees?idToken=${idToken}`)).body.fees;
    expect(fees.find((f) => f.caseNo === c.caseNo)).toMatchObject({ state: "paid", orderId });
    const second = await pay(c, { authCode: payCode() });
    expect(second.status).toBe(409);
    expect(second.body.error.code).toBe("FEE_ALREADY_PAID");
    const reused = await pay(cases[7] as Case, { authCode: code });
    expect(reused.status).toBe(409);
    expect(reused.body.error.code).toBe("PAYMENT_CODE_USED");
  });

  it("refuses an amount that is not the fee, another person's case, a stale code token, and card payments at a terminal without a POS", async () => {
    const c = cases[1] as Case;
    const calls = sim.payCalls.size;
    const wrong = await pay(c, { authCode: payCode(), amountFen: FEE - 1 });
    expect(wrong.status).toBe(422);
    expect(wrong.body.error.code).toBe("PAYMENT_AMOUNT_MISMATCH");
    const theirs = await pay(otherCase, { authCode: payCode() });
    expect(theirs.status).toBe(403);
    expect(theirs.body.error.code).toBe("NOT_CASE_OWNER");
    const stale = await pay(c, { payToken: "x".repeat(22) });
    expect(stale.body.error.code).toBe("PAYMENT_CODE_EXPIRED");
    // A terminal without a card POS refuses card payments: t1's (pos-t1) is taken away, then put back.
    const admin = await t.adminToken();
    const pos = (await t.api<DeviceConfig[]>("GET", "/api/devices", undefined, admin)).body.find((d) => d.id === "pos-t1");
    expect(pos?.kind).toBe("pos");
    expect((await t.api("DELETE", "/api/devices/pos-t1", undefined, admin)).status).toBe(204);
    const card = await pay(c, { method: "card" });
    expect(card.status).toBe(503);
    expect(card.body.error.code).toBe("PAYMENT_METHOD_UNAVAILABLE");
    const { status: _s, ...config } = pos as DeviceConfig & { status?: unknown };
    expect((await t.api("PUT", "/api/devices/pos-t1", config, admin)).status).toBe(200);
    const bad = await pay(c, { authCode: "12ab" });
    expect(bad.status).toBe(400);
    expect(sim.payCalls.size).toBe(calls);
    expect(
      (await api<FeeList>("GET", `/api/terminals/t1/fees?idToken=${idToken}`)).body.fees.find((f) => f.caseNo === c.caseNo)
        ?.state,
    ).toBe("due");
  });

  it("waits for the phone's confirmation: pending (202), then paid when the visitor confirms", async () => {
    const c = cases[1] as Case;
    const r = await pay(c, { authCode: payCode("9001") });
    expect(r.status).toBe(202);
    expect(r.body.status).toBe("pending");
    const orderId = r.body.orderId;
    // Meanwhile the case is being paid: a second payment is refused.
    const meanwhile = await pay(c, { authCode: payCode() });
    expect(meanwhile.body.error.code).toBe("PAYMENT_IN_PROGRESS");
    expect(sim.confirm(orderId)).toBe(true);
    await expect
      .poll(async () => (await api<PaymentOrderView>("GET", `/api/terminals/t1/payments/${orderId}`)).body.status)
      .toBe("paid");
    await expect.poll(() => orders.some((o) => o.orderId === orderId && o.status === "paid")).toBe(true);
    expect(sim.charges().filter((x) => x.orderId === orderId)).toHaveLength(1);
  });

  it("insufficient funds and a cancel on the phone fail without a charge; the case may be paid afterwards", async () => {
    const c = cases[2] as Case;
    const poor = await pay(c, { authCode: payCode("9003") });
    expect(poor.body).toMatchObject({ status: "failed", failure: "INSUFFICIENT_FUNDS" });
    const cancel = await pay(c, { authCode: payCode("9002") });
    expect(cancel.body.status).toBe("pending");
    sim.cancel(cancel.body.orderId);
    await expect
      .poll(async () => (await api<PaymentOrderView>("GET", `/api/terminals/t1/payments/${cancel.body.orderId}`)).body)
      .toMatchObject({ status: "failed", failure: "USER_CANCELLED" });
    const ok = await pay(c, { authCode: payCode() });
    expect(ok.body.status).toBe("paid");
    expect(sim.charges().filter((x) => [poor.body.orderId, cancel.body.orderId].includes(x.orderId))).toEqual([]);
  });

  it("an answer lost after the charge is found by querying; a duplicate notification records nothing twice", async () => {
    const lost = await pay(cases[3] as Case, { authCode: payCode("9005") });
    expect(lost.body.status).toBe("paid");
    expect(sim.payCalls.get(lost.body.orderId)).toBe(1);
    const before = orders.length;
    const dup = await pay(cases[4] as Case, { authCode: payCode("9007") });
    expect(dup.body.status).toBe("paid");
    // Both notifications arrive (20 ms apart) and are queried; neither changes the order.
    await new Promise((r) => setTimeout(r, 300));
    const seen = orders.slice(before).filter((o) => o.orderId === dup.body.orderId);
    // Sent, paid, its receipt printed: the two notifications added nothing.
    expect(seen.map((o) => [o.status, o.receiptPrinted])).toEqual([
      ["paying", false],
      ["paid", false],
      ["paid", true],
    ]);
    expect(sim.charges().filter((x) => x.orderId === dup.body.orderId)).toHaveLength(1);
  });

  it("the office refunds (never more than paid, supervisors and admins only) and reconciles the day, listing every mismatch", async () => {
    const paidOne = orders.find((o) => o.caseNo === (cases[0] as Case).caseNo && o.status === "paid") as PaymentOrderView;
    const supervisor = (await t.login("wangli")).token;
    const clerk = (await t.login("zhangwei")).token;
    const refund = (body: Record<string, unknown>, token = supervisor) =>
      api("POST", `/api/payments/${paidOne.orderId}/refunds`, body, token);
    expect((await refund({ amountFen: 500, reason: "多收", requestId: "refund-0001" }, clerk)).status).toBe(403);
    const tooMuch = await refund({ amountFen: FEE + 1, reason: "多收", requestId: "refund-0002" });
    expect(tooMuch.status).toBe(422);
    expect(tooMuch.body.error.code).toBe("REFUND_EXCEEDS_PAYMENT");
    const part = await refund({ amountFen: 500, reason: "多收", requestId: "refund-0003" });
    expect(part.status, JSON.stringify(part.body)).toBe(200);
    expect(part.body).toMatchObject({ status: "paid", refundedFen: 500 });
    const again = await refund({ amountFen: 500, reason: "多收", requestId: "refund-0003" });
    expect(again.body.refundedFen).toBe(500);
    expect(sim.charges().find((x) => x.orderId === paidOne.orderId)?.refundedFen).toBe(500);
    expect((await refund({ amountFen: FEE - 499, reason: "多收", requestId: "refund-0004" })).body.error.code).toBe(
      "REFUND_EXCEEDS_PAYMENT",
    );
    // The provider cannot be reached for the rest: the refund stays under way (committed
    // first), nothing else may be refunded meanwhile, and recovery finishes it — once.
    sim.rejectRefunds = 1;
    const rest = await refund({ amountFen: FEE - 500, reason: "撤件退费", requestId: "refund-0005" });
    expect(rest.body).toMatchObject({ status: "refund_pending", refundedFen: 500 });
    expect((await refund({ amountFen: 1, reason: "x", requestId: "refund-0006" })).body.error.code).toBe("ORDER_NOT_PAID");
    expect(sim.charges().find((x) => x.orderId === paidOne.orderId)?.refundedFen).toBe(500);
    await t.hub.payments.service.recover();
    const after = await api<PaymentOrderView>("GET", `/api/payments/${paidOne.orderId}`, undefined, supervisor);
    expect(after.body).toMatchObject({ status: "refunded", refundedFen: FEE });
    expect(after.body.refunds.map((r) => [r.amountFen, r.status, r.by])).toEqual([
      [500, "success", expect.any(String)],
      [FEE - 500, "success", expect.any(String)],
    ]);
    expect(sim.charges().find((x) => x.orderId === paidOne.orderId)?.refundedFen).toBe(FEE);
    // Lines that do not match: one 1 fen more on the statement, one left out, one the hub never recorded.
    const differs = await pay(cases[5] as Case, { authCode: payCode("9008") });
    const missing = await pay(cases[6] as Case, { authCode: payCode("9011") });
    expect([differs.body.status, missing.body.status]).toEqual(["paid", "paid"]);
    await sim.pay({
      orderId: "PO20991231FFFFFFFFFFFF",
      idempotencyKey: "k",
      amountFen: 300,
      method: "qr",
      authCode: payCode(),
      subject: "x",
    });
    // The hub's day: its clock starts today 10:00 in Shanghai.
    const day = new Intl.DateTimeFormat("sv-SE", { timeZone: "Asia/Shanghai" }).format(hallMorning());
    const rec = await api<Reconciliation>("GET", `/api/payments/reconciliation?day=${day}`, undefined, supervisor);
    expect(rec.status, JSON.stringify(rec.body)).toBe(200);
    expect(rec.body.mismatches).toEqual(
      expect.arrayContaining([
        expect.objectContaining({ kind: "amount_differs", orderId: differs.body.orderId, hubFen: FEE, providerFen: FEE + 1 }),
        expect.objectContaining({ kind: "missing_at_provider", orderId: missing.body.orderId, hubFen: FEE }),
        expect.objectContaining({ kind: "missing_at_hub", orderId: "PO20991231FFFFFFFFFFFF", providerFen: 300 }),
      ]),
    );
    expect(rec.body.mismatches).toHaveLength(3);
    // Everything else matched: the paid orders and the two refunds.
    const paidCount = new Set(orders.filter((o) => o.status === "paid").map((o) => o.orderId)).size;
    expect(rec.body.matched).toBe(paidCount - 2 + 2);
    expect((await api("GET", `/api/payments/reconciliation?day=${day}`, undefined, clerk)).status).toBe(403);
    const list = await api<PaymentOrderView[]>("GET", `/api/payments?day=${day}`, undefined, supervisor);
    expect(list.body.map((o) => o.orderId)).toEqual(expect.arrayContaining([paidOne.orderId, differs.body.orderId]));
  });
  it("pays by bank card on the terminal's own POS (pos-t1 over its line protocol), not through the payment-code provider", async () => {
    const c = cases[7] as Case;
    const qrCalls = sim.payCalls.size;
    const r = await pay(c, { method: "card" });
    expect([200, 202], JSON.stringify(r.body)).toContain(r.status);
    expect(r.body).toMatchObject({ caseNo: c.caseNo, amountFen: FEE, method: "card", provider: "pos:pos-t1" });
    const orderId = r.body.orderId as string;
    await expect
      .poll(async () => (await api<PaymentOrderView>("GET", `/api/terminals/t1/payments/${orderId}`)).body.status, {
        timeout: 30_000,
      })
      .toBe("paid");
    // The POS's own journal holds the one sale; the payment-code provider was never asked.
    const posSim = t.hub.devices.simulators("pos-t1")?.posSim;
    expect(posSim).toBeDefined();
    expect(sim.payCalls.size).toBe(qrCalls);
    const fees = (await api<FeeList>("GET", `/api/terminals/t1/fees?idToken=${idToken}`)).body.fees;
    expect(fees.find((f) => f.caseNo === c.caseNo)).toMatchObject({ state: "paid", orderId });
  });
});
