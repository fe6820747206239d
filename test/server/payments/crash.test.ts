/**
 * The crash-during-payment test: the real hub in its own process (hub-child.ts), killed
 * with SIGKILL at each step of a payment, then started again on the same data folder. The
 * payment-code simulator keeps its ledger in that folder, as a real provider keeps its own
 * books through the hub's death. After each restart, recovery must have resolved the order
 * by asking the provider: charged exactly when the provider charged, never twice, nothing
 * lost.
 *
 *   1. killed after the order was committed, before the provider heard of it → failed,
 *      not charged; the visitor pays again, once;
 *   2. killed after the provider charged, before the hub recorded it → paid;
 *   3. killed while the visitor confirms on the phone → paid once confirmed;
 *   4. killed after the hub recorded the payment → still paid, nothing charged again.
 *
 * The same for a bank card on t1's POS (pos-t1, simulated in the hub's process, its journal
 * kept durably in the data folder as a real POS keeps its own through the hub's death):
 *   5. killed before the POS heard of the sale → failed, not charged; paid once afterwards;
 *   6. killed after the POS approved, before the hub heard of it → paid;
 *   7. killed while the visitor types the PIN → the POS finishes, paid once after the restart.
 */
import { type ChildProcess, spawn } from "node:child_process";
import { mkdtemp, readFile, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { type Socket, io } from "socket.io-client";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Case } from "../../../server/src/contract/cases.ts";
import type { FeeList, PaymentOrderView } from "../../../server/src/contract/payment-orders.ts";
import type { TerminalInput } from "../../../server/src/contract/terminals.ts";
import type { CreatedAccounts } from "../../../server/src/store/first-start-accounts.ts";
import { hallMorning } from "../../helpers/hub.ts";
import { simulatedPosT1 } from "../terminals/fixtures.ts";

const ROOT = resolve(import.meta.dirname, "../../..");
const OWNER = { name: "王小明", idNumber: "371426199001011234", phone: "13912345678" };
const FEE = 2000;

interface Child {
  url: string;
  proc: ChildProcess;
  created?: CreatedAccounts;
  exited: Promise<void>;
}

function startChild(dataDir: string, offset: number): Promise<Child> {
  const { NODE_ENV: _, VITEST: __, ...env } = process.env;
  const proc = spawn(process.execPath, ["--import", "tsx", "test/server/payments/hub-child.ts", dataDir, String(offset)], {
    cwd: ROOT,
    env,
    stdio: ["pipe", "pipe", "pipe"],
  });
  let err = "";
  proc.stderr?.on("data", (d: Buffer) => {
    err += d.toString();
  });
  const exited = new Promise<void>((r) => proc.once("exit", () => r()));
  return new Promise((res, rej) => {
    let out = "";
    const timer = setTimeout(() => rej(new Error(`hub did not start:\n${err}`)), 60_000);
    proc.stdout?.on("data", (d: Buffer) => {
      out += d.toString();
      const nl = out.indexOf("\n");
      if (nl >= 0 && timer) {
        clearTimeout(timer);
        const m = JSON.parse(out.slice(0, nl)) as { url: string; created?: CreatedAccounts };
        res({ url: m.url, proc, exited, ...(m.created ? { created: m.created } : {}) });
      }
    });
    proc.once("exit", (code) => rej(new Error(`hub exited (${code}):\n${err}`)));
  });
}

interface PosJournal {
  sales: { orderId: string; state: string; stage: string }[];
  charges: { orderId: string }[];
}

interface SimLedger {
  orders: Record<string, { status: string; amountFen: number; behaviour: string; resolveAt?: number }>;
}

describe("payments survive kill -9 at every step", { timeout: 300_000 }, () => {
  let dataDir = "";
  let child: Child;
  const offset = hallMorning() - Date.now();
  let passwords = new Map<string, string>();
  let dev = "";
  let idToken = "";
  let socket: Socket | undefined;
  const inputs: TerminalInput[] = [];
  const cases: Case[] = [];
  let seq = 0;
  let codes = 0;
  const payCode = (suffix = "0000") =>
    `13${String(Date.now() % 1e8).padStart(8, "0")}${String(++codes).padStart(4, "0")}${suffix}`;

  // biome-ignore lint/suspicious/noExplicitAny: replies are untyped JSON
  async function api<T = any>(
    method: string,
    path: string,
    body?: unknown,
    token?: string,
    headers: Record<string, string> = {},
  ) {
    const r = await fetch(`${child.url}${path}`, {
      method,
      headers: {
        ...(body !== undefined ? { "content-type": "application/json" } : {}),
        ...(token ? { authorization: `Bearer ${token}` } : {}),
        ...headers,
      },
      ...(body !== undefined ? { body: JSON.stringify(body) } : {}),
    });
    const text = await r.text();
    return { status: r.status, body: (text ? JSON.parse(text) : undefined) as T };
  }
  const login = async (username: string) =>
    (await api<{ token: string }>("POST", "/api/auth/login", { username, password: passwords.get(username) })).body.token;

  async function ledger(): Promise<SimLedger> {
    try {
      return JSON.parse(await readFile(join(dataDir, "payment-sim.json"), "utf8")) as SimLedger;
    } catch {
      return { orders: {} };
    }
  }
  /** Orders the provider took money for (a confirmation that came due counts). */
  async function charged(): Promise<string[]> {
    const now = Date.now() + offset;
    return Object.entries((await ledger()).orders)
      .filter(
        ([, o]) => o.status === "success" || (o.status === "pending" && o.behaviour === "confirm" && (o.resolveAt ?? 0) <= now),
      )
      .map(([id]) => id);
  }

  async function posJournal(): Promise<PosJournal> {
    try {
      return JSON.parse(await readFile(join(dataDir, "pos-sim-pos-t1.json"), "utf8")) as PosJournal;
    } catch {
      return { sales: [], charges: [] };
    }
  }
  const cardCharges = async (orderId: string) => (await posJournal()).charges.filter((c) => c.orderId === orderId).length;
  const posSale = async (orderId: string) => (await posJournal()).sales.find((x) => x.orderId === orderId);
  const toPos = (m: Record<string, string | number>) => child.proc.stdin?.write(`${JSON.stringify({ pos: m })}\n`);

  async function connect(): Promise<void> {
    socket?.disconnect();
    const s = io(child.url, { transports: ["websocket"], forceNew: true, reconnection: false, auth: { deviceToken: dev } });
    socket = s;
    s.on("terminal:input" as never, (e: TerminalInput) => {
      inputs.push(e);
    });
    const ack = await s.timeout(15_000).emitWithAck("subscribe", { view: "screen", screenId: "terminal-t1" });
    expect(ack.ok).toBe(true);
  }
  /** The visitor's card on t1's reader (the reading is in the hub's memory: again after each restart). */
  async function readCard(): Promise<void> {
    const before = inputs.length;
    child.proc.stdin?.write(`${JSON.stringify({ card: OWNER })}\n`);
    // (Also run from beforeAll, where expect.poll is not available.)
    const until = Date.now() + 10_000;
    while (!inputs.slice(before).some((i) => i.kind === "id_card") && Date.now() < until)
      await new Promise((r) => setTimeout(r, 50));
    const got = inputs.slice(before).find((i) => i.kind === "id_card");
    if (!got) throw new Error("the card read at t1 never reached its screen");
    idToken = got?.kind === "id_card" ? got.idToken : "";
    child.proc.stdin?.write(`${JSON.stringify({ removeCard: true })}\n`);
  }
  async function restart(): Promise<void> {
    child.proc.kill("SIGKILL");
    await child.exited;
    socket?.disconnect();
    child = await startChild(dataDir, offset);
    await connect();
    await readCard();
  }
  /** A PaymentOrderView, or an error body. */
  const pay = (c: Case, code: string) =>
    api(
      "POST",
      "/api/terminals/t1/payments",
      { caseNo: c.caseNo, amountFen: FEE, method: "qr", idToken, authCode: code, requestId: `crash-${++seq}-${Date.now()}` },
      dev,
    );
  const payCard = (c: Case) =>
    api(
      "POST",
      "/api/terminals/t1/payments",
      { caseNo: c.caseNo, amountFen: FEE, method: "card", idToken, requestId: `crash-${++seq}-${Date.now()}` },
      dev,
    );
  /** The order of a case as the office sees it (the terminal's reply never came). */
  async function orderOf(c: Case): Promise<PaymentOrderView | undefined> {
    const day = new Intl.DateTimeFormat("sv-SE", { timeZone: "Asia/Shanghai" }).format(Date.now() + offset);
    const list = await api<PaymentOrderView[]>("GET", `/api/payments?day=${day}`, undefined, await login("admin"));
    return list.body.filter((o) => o.caseNo === c.caseNo).at(-1);
  }
  async function feeState(c: Case): Promise<string | undefined> {
    const r = await api<FeeList>("GET", `/api/terminals/t1/fees?idToken=${idToken}`, undefined, dev);
    return r.body.fees.find((f) => f.caseNo === c.caseNo)?.state;
  }

  beforeAll(async () => {
    dataDir = await mkdtemp(join(tmpdir(), "onevisit-paycrash-"));
    child = await startChild(dataDir, offset);
    passwords = new Map(child.created?.staff.map((s) => [s.username, s.password]));
    passwords.set("admin", "test-admin-pw");
    // Terminal t1 pairs itself (the demo hall pairs pages on the hub's own machine).
    const p = await api<{ code: string; claimSecret: string; autoApproved: boolean }>("POST", "/api/pairings", {
      role: "terminal",
      id: "t1",
    });
    expect(p.body.autoApproved).toBe(true);
    dev = (
      await api<{ deviceToken: string }>("POST", "/api/pairings/claim", { code: p.body.code, claimSecret: p.body.claimSecret })
    ).body.deviceToken;
    // Seven cases of 居民身份证换领 (20 元), accepted at counter c01.
    const admin = await login("admin");
    // t1's POS waits for the test to present the card, and takes its time at each stage.
    const posConfig = await api("PUT", "/api/devices/pos-t1", simulatedPosT1({ simManualCard: true, simStageMs: 1500 }), admin);
    expect(posConfig.status, JSON.stringify(posConfig.body)).toBe(200);
    const clerk = await login("zhangwei");
    expect([200, 409]).toContain((await api("POST", "/api/counters/c01/sign-in", {}, clerk)).status);
    for (let i = 0; i < 7; i++) {
      const ticket = (await api<{ id: string }>("POST", "/api/tickets", { matterId: "m-080" }, admin)).body;
      expect((await api("POST", `/api/counters/c01/call/${ticket.id}`, {}, clerk)).status).toBe(200);
      expect((await api("POST", "/api/counters/c01/start", {}, clerk)).status).toBe(200);
      const accepted = await api<Case>(
        "POST",
        "/api/cases",
        {
          ticketId: ticket.id,
          counterId: "c01",
          applicant: OWNER,
          materials: [0, 1, 2].map((index) => ({ index, state: "received" })),
          outcome: "accepted",
        },
        clerk,
        { "idempotency-key": `crash-case-${i}` },
      );
      expect(accepted.status, JSON.stringify(accepted.body)).toBe(201);
      expect((await api("POST", "/api/counters/c01/finish", {}, clerk)).status).toBe(200);
      cases.push(accepted.body);
    }
    await connect();
    await readCard();
  }, 180_000);
  afterAll(async () => {
    socket?.disconnect();
    child?.proc.kill("SIGKILL");
    await child?.exited;
    if (dataDir) await rm(dataDir, { recursive: true, force: true });
  });

  it("killed after the order was committed, before the provider heard of it: not charged, and paid once afterwards", async () => {
    const c = cases[0] as Case;
    // The provider never receives this call (…9010): the hub waits on it when it dies.
    void pay(c, payCode("9010")).catch(() => {});
    await expect.poll(async () => (await orderOf(c))?.status, { timeout: 10_000 }).toBe("paying");
    const orderId = (await orderOf(c))?.orderId as string;
    await restart();
    expect(await orderOf(c)).toMatchObject({ orderId, status: "failed", failure: "NOT_CHARGED" });
    expect(await charged()).not.toContain(orderId);
    expect(await feeState(c)).toBe("due");
    const again = await pay(c, payCode());
    expect(again.body.status).toBe("paid");
    expect((await charged()).filter((id) => [orderId, again.body.orderId].includes(id))).toEqual([again.body.orderId]);
  });

  it("killed after the provider charged, before the hub recorded it: recovery finds the payment", async () => {
    const c = cases[1] as Case;
    // The provider charges, then its answer never comes (…9009).
    void pay(c, payCode("9009")).catch(() => {});
    await expect.poll(async () => (await orderOf(c))?.status, { timeout: 10_000 }).toBe("paying");
    const orderId = (await orderOf(c))?.orderId as string;
    await expect.poll(async () => (await charged()).includes(orderId), { timeout: 10_000 }).toBe(true);
    expect((await orderOf(c))?.status).toBe("paying");
    await restart();
    expect(await orderOf(c)).toMatchObject({ orderId, status: "paid", amountFen: FEE });
    expect(await feeState(c)).toBe("paid");
    expect((await charged()).filter((id) => id === orderId)).toHaveLength(1);
    const second = await pay(c, payCode());
    expect(second.body.error.code).toBe("FEE_ALREADY_PAID");
  });

  it("killed while the visitor confirms on the phone: paid once confirmed, after the restart", async () => {
    const c = cases[2] as Case;
    const r = await pay(c, payCode("9001"));
    expect(r.status).toBe(202);
    expect(r.body.status).toBe("pending");
    await restart();
    // The phone's confirmation came (3 s) while the hub was down or starting: recovery or its polling finds it.
    await expect.poll(async () => (await orderOf(c))?.status, { timeout: 20_000 }).toBe("paid");
    expect((await charged()).filter((id) => id === r.body.orderId)).toHaveLength(1);
  });

  it("killed after the hub recorded the payment: still paid, nothing charged again", async () => {
    const c = cases[3] as Case;
    const r = await pay(c, payCode());
    expect(r.body.status).toBe("paid");
    const before = JSON.stringify((await ledger()).orders);
    await restart();
    expect(await orderOf(c)).toMatchObject({ orderId: r.body.orderId, status: "paid" });
    expect(JSON.stringify((await ledger()).orders)).toBe(before);
    // Over the whole run: each case charged exactly once.
    const mine = (await charged()).length;
    expect(mine).toBe(4);
  });

  it("card, killed before the POS heard of the sale: not charged, and paid once afterwards", async () => {
    const c = cases[4] as Case;
    // A POS that hears nothing (switched off): the sale's frame is never taken.
    toPos({ fault: "silent" });
    const r = await payCard(c);
    expect(r.body.status).toBe("paying");
    const orderId = r.body.orderId as string;
    expect(await posSale(orderId)).toBeUndefined();
    await restart();
    expect(await orderOf(c)).toMatchObject({ orderId, status: "failed", failure: "NOT_CHARGED" });
    expect(await feeState(c)).toBe("due");
    const again = await payCard(c);
    await expect.poll(async () => (await posSale(again.body.orderId))?.stage, { timeout: 10_000 }).toBe("WAIT_CARD");
    toPos({ present: "approve" });
    await expect.poll(async () => (await orderOf(c))?.status, { timeout: 20_000 }).toBe("paid");
    expect(await cardCharges(orderId)).toBe(0);
    expect(await cardCharges(again.body.orderId)).toBe(1);
  });

  it("card, killed after the POS approved, before the hub heard of it: recovery asks the POS and finds the payment", async () => {
    const c = cases[5] as Case;
    // The POS goes through the sale, but its final answer never reaches the hub.
    toPos({ fault: "hang" });
    const r = await payCard(c);
    const orderId = r.body.orderId as string;
    await expect.poll(async () => (await posSale(orderId))?.stage, { timeout: 10_000 }).toBe("WAIT_CARD");
    toPos({ present: "approve" });
    await expect.poll(async () => (await posSale(orderId))?.state, { timeout: 20_000 }).toBe("approved");
    expect((await orderOf(c))?.status).toBe("paying");
    await restart();
    await expect.poll(async () => (await orderOf(c))?.status, { timeout: 20_000 }).toBe("paid");
    expect(await cardCharges(orderId)).toBe(1);
    expect((await payCard(c)).body.error.code).toBe("FEE_ALREADY_PAID");
  });

  it("card, killed while the visitor types the PIN: the POS finishes, and the order is paid once after the restart", {
    timeout: 120_000,
  }, async () => {
    const c = cases[6] as Case;
    const r = await payCard(c);
    const orderId = r.body.orderId as string;
    await expect.poll(async () => (await posSale(orderId))?.stage, { timeout: 10_000 }).toBe("WAIT_CARD");
    // The visitor is slow at the PIN pad (every stage 8 s from now): the kill lands while they
    // type, however busy the machine (at 1.5 s a stage, a loaded run saw the charge first).
    toPos({ stageMs: 8000 });
    toPos({ present: "approve" });
    await expect.poll(async () => (await posSale(orderId))?.stage, { timeout: 20_000 }).toBe("WAIT_PIN");
    expect(await cardCharges(orderId)).toBe(0);
    await restart();
    await expect.poll(async () => (await orderOf(c))?.status, { timeout: 30_000 }).toBe("paid");
    expect(await cardCharges(orderId)).toBe(1);
    expect(await feeState(c)).toBe("paid");
    // Over the card cases: each paid order charged exactly once, nothing else charged.
    const charged = (await posJournal()).charges.map((x) => x.orderId);
    expect(new Set(charged).size).toBe(charged.length);
    expect(charged).toHaveLength(3);
  });
});
