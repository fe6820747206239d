/**
 * Paying by bank card at terminal t1 over the real hub, with fetch and socket.io-client: the
 * terminal's POS (pos-t1, simulated, speaking its line protocol over a simulated cable) asks
 * for the card and the PIN, and those prompts reach t1's screen room — in order, and no other
 * terminal's — as `payment:prompt`. The visitor cancels before the card is read (nothing
 * charged), is too late once it is; a decline and a pulled card say why; a POS unplugged
 * mid-payment tells the screen and the order is resolved when it is back, charged once.
 */
import { type Socket, io } from "socket.io-client";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { PosSimulator } from "../../../hardware/pos/simulator.ts";
import type { Case } from "../../../server/src/contract/cases.ts";
import type { CancelReply, FeeList, PaymentOrderView, PaymentPrompt } from "../../../server/src/contract/payment-orders.ts";
import type { TerminalInput } from "../../../server/src/contract/terminals.ts";
import { decodeEscPos, decodedLines } from "../../hardware/printer/npos-decode.ts";
import { until } from "../../helpers/http.ts";
import { startTestHub, type TestHub } from "../../helpers/hub.ts";
import { makeCase, placeCard, removeCard, setUpTerminal, simulatedPosT1 } from "../terminals/fixtures.ts";

const OWNER = { name: "王小明", idNumber: "371426199001011234", phone: "13912345678" };
const FEE = 2000; // m-080 居民身份证换领: 20 元
const WAIT = { timeout: 15_000 };

describe("card payments at terminal t1", { timeout: 120_000 }, () => {
  let t: TestHub;
  let dev = "";
  let dev2 = "";
  let admin = "";
  let idToken = "";
  const sockets: Socket[] = [];
  const inputs: TerminalInput[] = [];
  const prompts: PaymentPrompt[] = [];
  const promptsAtT2: PaymentPrompt[] = [];
  const cases: Case[] = [];
  let n = 0;
  // biome-ignore lint/suspicious/noExplicitAny: replies are untyped JSON, as with t.api()
  const api = <T = any>(method: string, path: string, body?: unknown, token = dev) => t.api<T>(method, path, body, token);
  const pos = (): PosSimulator => {
    const s = t.hub.devices.simulators("pos-t1")?.posSim;
    if (!s) throw new Error("pos-t1 is not simulated");
    return s;
  };
  const printed = () => t.hub.devices.simulators("printer-t1")?.printerSim?.tickets ?? [];
  /** The visitor's ID card read at t1 (once; the token lasts for the whole file). */
  const identify = async () => {
    if (idToken) return;
    const before = inputs.length;
    placeCard(t, OWNER);
    const got = await until(() => inputs.slice(before).find((i) => i.kind === "id_card"), 15_000, "the card read at t1");
    idToken = got.kind === "id_card" ? got.idToken : "";
    await removeCard(t);
  };
  const payByCard = async (c: Case) => {
    await identify();
    return api<PaymentOrderView>("POST", "/api/terminals/t1/payments", {
      caseNo: c.caseNo,
      amountFen: FEE,
      method: "card",
      idToken,
      requestId: `card-${process.pid}-${++n}`,
    });
  };
  const order = async (orderId: string) => (await api<PaymentOrderView>("GET", `/api/terminals/t1/payments/${orderId}`)).body;
  const stagesOf = (orderId: string) => prompts.filter((p) => p.orderId === orderId).map((p) => p.stage);
  const subscribe = async (token: string, screenId: string, into: PaymentPrompt[]) => {
    const s = io(t.url, { transports: ["websocket"], forceNew: true, reconnection: false, auth: { deviceToken: token } });
    sockets.push(s);
    s.on("terminal:input" as never, (e: TerminalInput) => {
      inputs.push(e);
    });
    s.on("payment:prompt" as never, (p: PaymentPrompt) => {
      into.push(p);
    });
    const ack = await s.timeout(15_000).emitWithAck("subscribe", { view: "screen", screenId });
    expect(ack.ok).toBe(true);
  };

  beforeAll(async () => {
    t = await startTestHub();
    await setUpTerminal(t);
    admin = await t.adminToken();
    const put = async (body: Record<string, unknown>) => {
      const r = await t.api("PUT", `/api/devices/${body.id}`, body, admin);
      expect(r.status, JSON.stringify(r.body)).toBe(200);
    };
    const terminal = { kind: "terminal", terminalId: "t1" };
    await put({ id: "printer-t1", kind: "printer", name: "终端1 凭条打印机", transport: { type: "sim" }, assignment: terminal });
    // The visitor presents the card when the test says so (and with the outcome it says).
    await put(simulatedPosT1({ simManualCard: true, simStageMs: 100 }));
    dev = await t.deviceToken("terminal", "t1");
    dev2 = await t.deviceToken("terminal", "t2");
    for (let i = 0; i < 6; i++) cases.push(await makeCase(t, OWNER, { matterId: "m-080", until: "accepted" }));
    await subscribe(dev, "terminal-t1", prompts);
    await subscribe(dev2, "terminal-t2", promptsAtT2);
  }, 240_000);
  afterAll(async () => {
    for (const s of sockets) s.disconnect();
    await t?.close();
  });

  it("pays: the POS's prompts reach t1's screen in order (and no other terminal's), paid once, a receipt saying 银行卡", async () => {
    const c = cases[0] as Case;
    const before = printed().length;
    const r = await payByCard(c);
    // The order is committed and the POS asked; the visitor goes on at the POS.
    expect(r.status, JSON.stringify(r.body)).toBe(202);
    expect(r.body).toMatchObject({ caseNo: c.caseNo, method: "card", provider: "pos:pos-t1", status: "paying" });
    const orderId = r.body.orderId;
    await expect.poll(() => stagesOf(orderId), WAIT).toEqual(["insert_card"]);
    pos().presentCard("approve");
    await expect.poll(async () => (await order(orderId)).status, WAIT).toBe("paid");
    expect(stagesOf(orderId)).toEqual(["insert_card", "reading_card", "enter_pin", "processing"]);
    expect(promptsAtT2).toEqual([]);
    expect(pos().chargesOf(orderId)).toBe(1);
    await expect.poll(() => printed().length, WAIT).toBe(before + 1);
    const text = decodedLines(decodeEscPos(printed().at(-1)?.bytes as Buffer)).join("\n");
    expect(text).toContain("支付方式：银行卡");
    expect(text).toContain("金额：20.00 元");
    expect(text).toContain(orderId);
    const fees = (await api<FeeList>("GET", `/api/terminals/t1/fees?idToken=${idToken}`)).body.fees;
    expect(fees.find((f) => f.caseNo === c.caseNo)).toMatchObject({ state: "paid", orderId });
  });

  it("cancels before the card is read (failed, nothing charged, the fee due again); too late once the card is read", async () => {
    const c = cases[1] as Case;
    const first = (await payByCard(c)).body;
    await expect.poll(() => pos().waitingForCard, WAIT).toBe(true);
    // Another terminal cannot cancel t1's order, nor t1 a payment-code order.
    expect((await api("POST", `/api/terminals/t2/payments/${first.orderId}/cancel`, {}, dev2)).body.error.code).toBe(
      "UNKNOWN_ORDER",
    );
    const cancel = await api<CancelReply>("POST", `/api/terminals/t1/payments/${first.orderId}/cancel`, {});
    expect(cancel.status, JSON.stringify(cancel.body)).toBe(200);
    expect(cancel.body.cancelled).toBe(true);
    expect(cancel.body.order).toMatchObject({ orderId: first.orderId, status: "failed", failure: "USER_CANCELLED" });
    expect(pos().chargesOf(first.orderId)).toBe(0);
    let fees = (await api<FeeList>("GET", `/api/terminals/t1/fees?idToken=${idToken}`)).body.fees;
    expect(fees.find((f) => f.caseNo === c.caseNo)?.state).toBe("due");
    // Cancelling a settled order changes nothing.
    expect((await api<CancelReply>("POST", `/api/terminals/t1/payments/${first.orderId}/cancel`, {})).body).toMatchObject({
      cancelled: false,
      order: { status: "failed" },
    });

    const second = (await payByCard(c)).body;
    await expect.poll(() => pos().waitingForCard, WAIT).toBe(true);
    pos().presentCard("approve");
    await expect.poll(() => stagesOf(second.orderId), WAIT).toContain("reading_card");
    const late = await api<CancelReply>("POST", `/api/terminals/t1/payments/${second.orderId}/cancel`, {});
    expect(late.body.cancelled).toBe(false);
    await expect.poll(async () => (await order(second.orderId)).status, WAIT).toBe("paid");
    expect(pos().chargesOf(second.orderId)).toBe(1);
    fees = (await api<FeeList>("GET", `/api/terminals/t1/fees?idToken=${idToken}`)).body.fees;
    expect(fees.find((f) => f.caseNo === c.caseNo)).toMatchObject({ state: "paid", orderId: second.orderId });
  });

  it("says why a card was refused: insufficient funds, the card pulled out; nothing charged", async () => {
    const a = (await payByCard(cases[2] as Case)).body;
    await expect.poll(() => pos().waitingForCard, WAIT).toBe(true);
    pos().presentCard("insufficient_funds");
    await expect.poll(async () => (await order(a.orderId)).failure, WAIT).toBe("INSUFFICIENT_FUNDS");
    expect(stagesOf(a.orderId)).toEqual(["insert_card", "reading_card", "enter_pin", "processing"]);
    const b = (await payByCard(cases[3] as Case)).body;
    await expect.poll(() => pos().waitingForCard, WAIT).toBe(true);
    pos().presentCard("card_removed");
    await expect.poll(async () => (await order(b.orderId)).failure, WAIT).toBe("CARD_REMOVED");
    expect((await order(b.orderId)).status).toBe("failed");
    expect(pos().chargesOf(a.orderId) + pos().chargesOf(b.orderId)).toBe(0);
  });

  it("a POS unplugged mid-payment: the screen is told, the order stays open, and is paid once when the POS is back", async () => {
    const c = cases[4] as Case;
    const r = (await payByCard(c)).body;
    await expect.poll(() => pos().waitingForCard, WAIT).toBe(true);
    const sim = pos();
    expect((await t.api("POST", "/api/devices/pos-t1/simulate", { fault: "unplug" }, admin)).status).toBe(200);
    await expect.poll(() => stagesOf(r.orderId).at(-1), WAIT).toBe("pos_offline");
    expect((await order(r.orderId)).status).toBe("paying");
    // The visitor goes on at the POS while its cable is out: the bank approves.
    sim.presentCard("approve");
    await expect.poll(() => sim.sales.find((s) => s.orderId === r.orderId)?.state, WAIT).toBe("approved");
    expect((await order(r.orderId)).status).toBe("paying");
    expect((await t.api("POST", "/api/devices/pos-t1/simulate", { fault: "ok" }, admin)).status).toBe(200);
    await expect.poll(async () => (await order(r.orderId)).status, { timeout: 20_000 }).toBe("paid");
    expect(sim.chargesOf(r.orderId)).toBe(1);
    // Paying again is refused: the fee is paid.
    const again = await payByCard(c);
    expect((again.body as unknown as { error: { code: string } }).error.code).toBe("FEE_ALREADY_PAID");
    expect(sim.chargesOf(r.orderId)).toBe(1);
  });
});
