/**
 * The bank-card POS as a device of the hub: configured like any device, assigned to a
 * terminal, its health on the device board, and usable through the device manager as that
 * terminal's card payment provider. Real transports: the simulated cable of a `sim` device,
 * and a kernel pty pair (socat) with the POS simulator on the far end, where pulling the
 * cable is killing socat.
 */
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import type { PosStage } from "../../../hardware/pos/protocol.ts";
import { PosSimulator } from "../../../hardware/pos/simulator.ts";
import { DeviceError } from "../../../hardware/transport/link.ts";
import { SerialLink } from "../../../hardware/transport/serial.ts";
import type { DeviceConfig, DeviceStatus } from "../../../server/src/contract/devices.ts";
import type { PayRequest } from "../../../server/src/contract/payments.ts";
import { DEFAULT_DEVICE_PATH_PREFIXES } from "../../../server/src/devices/device-paths.ts";
import { type DeviceHooks, DeviceManager } from "../../../server/src/devices/manager.ts";
import { HallError } from "../../../server/src/hall/errors.ts";
import { demoCatalogue } from "../../../server/src/seed/demo-hall.ts";
import { CONFIG_VERSION, ConfigStore } from "../../../server/src/store/config.ts";
import { until } from "../../helpers/http.ts";
import { startTestHub } from "../../helpers/hub.ts";
import { startPtyPair } from "../../helpers/socat.ts";

interface Rig {
  devices: DeviceManager;
  announced: DeviceStatus[];
  prompts: { terminalId: string; orderId: string; stage: PosStage }[];
}

const cleanups: (() => Promise<unknown>)[] = [];
afterEach(async () => {
  const failures: unknown[] = [];
  for (const fn of cleanups.splice(0).reverse()) await fn().catch((e: unknown) => failures.push(e));
  if (failures.length > 0) throw failures[0];
});

async function rig(devices: DeviceConfig[]): Promise<Rig> {
  const dir = await mkdtemp(join(tmpdir(), "onevisit-pos-"));
  cleanups.push(() => rm(dir, { recursive: true, force: true }));
  const { store } = await ConfigStore.open(join(dir, "data"), async () => ({
    version: CONFIG_VERSION,
    catalogue: demoCatalogue(),
    staff: [{ id: "s-admin", username: "admin", name: "管理员", role: "admin", salt: "c2FsdA==", hash: "aGFzaA==" }],
    devices,
    appointments: [],
    secrets: { tokenKey: "a2V5", idSalt: "c2FsdA==" },
    demo: false,
  }));
  const r: Rig = { devices: undefined as unknown as DeviceManager, announced: [], prompts: [] };
  // Only what a terminal's POS needs from the hall; the rest is never called here.
  const hooks = {
    clock: Date.now,
    log: () => {},
    counterNumber: () => undefined,
    counterState: () => undefined,
    terminalPosPrompt: (terminalId: string, orderId: string, stage: PosStage) => r.prompts.push({ terminalId, orderId, stage }),
    devicePathPrefixes: [...DEFAULT_DEVICE_PATH_PREFIXES, join(tmpdir(), "onevisit-pty-")],
  } as unknown as DeviceHooks;
  r.devices = new DeviceManager(store, hooks);
  r.devices.on("status", (s) => r.announced.push(s));
  cleanups.push(() => r.devices.close());
  await r.devices.start();
  return r;
}

function pos(id: string, transport: DeviceConfig["transport"], options: DeviceConfig["options"] = {}): DeviceConfig {
  return {
    id,
    kind: "pos",
    name: "1号自助终端 银行卡 POS 机",
    transport,
    assignment: { kind: "terminal", terminalId: "t1" },
    options: { pollMs: 200, ackTimeoutMs: 200, answerTimeoutMs: 1000, ...options },
  };
}

function payReq(orderId: string, amountFen: number, key = `${orderId}:1`): PayRequest {
  return { orderId, idempotencyKey: key, amountFen, method: "card", subject: "营业执照变更登记 C20261203-0001" };
}

function statusOf(r: Rig, id: string): DeviceStatus | undefined {
  return r.devices.statuses().find((s) => s.id === id);
}

/** Health changes the hall heard about for `id`, repeats folded. */
function healths(r: Rig, id: string): string[] {
  return r.announced.filter((s) => s.id === id).map((s) => s.health);
}

async function rejection(p: Promise<unknown>): Promise<unknown> {
  try {
    await p;
  } catch (err) {
    return err;
  }
  throw new Error("expected a rejection");
}

/** Today in Asia/Shanghai, as the provider's statement wants it. */
function hallDay(): string {
  return new Date(Date.now() + 8 * 3600_000).toISOString().slice(0, 10);
}

describe("devices/pos simulated at terminal t1", () => {
  it("is online on the board and is t1's card provider: pay, query, refund, statement", async () => {
    const r = await rig([pos("pos-t1", { type: "sim" }, { simStageMs: 10 })]);
    expect(statusOf(r, "pos-t1")).toMatchObject({ kind: "pos", health: "online" });
    const provider = r.devices.posProvider("t1");
    expect(provider?.name).toBe("pos:pos-t1");
    expect(r.devices.posProvider("t2")).toBeUndefined();
    expect(r.devices.posProviders().map((p) => p.name)).toEqual(["pos:pos-t1"]);
    if (!provider) return;

    const before = Date.now();
    const paid = await provider.pay(payReq("po-1", 3000));
    const after = Date.now();
    expect(paid).toMatchObject({ status: "success", amountFen: 3000 });
    expect(paid.providerTradeNo).toMatch(/^\d{12}$/);
    // The POS's clock reads Beijing time to the second: read back, it is the moment of the charge.
    expect(paid.paidAt).toBeGreaterThanOrEqual(Math.floor(before / 1000) * 1000);
    expect(paid.paidAt).toBeLessThanOrEqual(after);
    expect(r.prompts.filter((p) => p.orderId === "po-1").map((p) => [p.terminalId, p.stage])).toEqual([
      ["t1", "WAIT_CARD"],
      ["t1", "READ_CARD"],
      ["t1", "WAIT_PIN"],
      ["t1", "ONLINE"],
    ]);
    // The same payment asked again (a retry with the same key) is the same charge.
    expect(await provider.pay(payReq("po-1", 3000))).toEqual(paid);
    expect(await provider.query("po-1")).toMatchObject({
      status: "success",
      providerTradeNo: paid.providerTradeNo,
      refundedFen: 0,
    });
    expect(await provider.query("po-unknown")).toEqual({ status: "not_found" });

    const refund = await provider.refund({ orderId: "po-1", refundId: "rf-1", amountFen: 1000, reason: "多收" });
    expect(refund.status).toBe("success");
    expect(refund.providerRefundNo).toMatch(/^\d{12}$/);
    expect(await provider.refund({ orderId: "po-1", refundId: "rf-2", amountFen: 2001, reason: "超额" })).toEqual({
      status: "failed",
    });
    expect(await provider.query("po-1")).toMatchObject({ refundedFen: 1000 });

    const lines = await provider.statement(hallDay());
    expect(lines.map((l) => [l.kind, l.orderId, l.amountFen, l.providerTradeNo, l.refundId])).toEqual([
      ["pay", "po-1", 3000, paid.providerTradeNo, undefined],
      ["refund", "po-1", 1000, paid.providerTradeNo, "rf-1"],
    ]);

    const sim = r.devices.simulators("pos-t1")?.posSim;
    expect(sim?.chargesOf("po-1")).toBe(1);
  });

  it("maps the POS's refusals to the contract's failures", async () => {
    const r = await rig([pos("pos-t1", { type: "sim" }, { simStageMs: 5 })]);
    const provider = r.devices.posProvider("t1");
    const sim = r.devices.simulators("pos-t1")?.posSim;
    if (!provider || !sim) throw new Error("no POS");
    sim.nextCard("insufficient_funds");
    expect(await provider.pay(payReq("po-2", 100))).toEqual({ status: "failed", failure: "INSUFFICIENT_FUNDS" });
    expect(await provider.query("po-2")).toEqual({ status: "failed", failure: "INSUFFICIENT_FUNDS" });
    sim.nextCard("cancel");
    expect(await provider.pay(payReq("po-3", 100))).toEqual({ status: "failed", failure: "USER_CANCELLED" });
    sim.nextCard("wrong_pin");
    expect(await provider.pay(payReq("po-4", 100))).toEqual({ status: "failed", failure: "DECLINED" });
    // Another card for the refused order: a new try (new key) is charged once.
    expect((await provider.pay(payReq("po-2", 100, "po-2:2"))).status).toBe("success");
    expect(sim.charges.map((c) => c.orderId)).toEqual(["po-2"]);
  });

  it("refuses what the POS cannot take before touching it", async () => {
    const r = await rig([pos("pos-t1", { type: "sim" }, { simStageMs: 5 })]);
    const provider = r.devices.posProvider("t1");
    if (!provider) throw new Error("no POS");
    const cases: Promise<unknown>[] = [
      provider.pay({ ...payReq("po-5", 100), method: "qr", authCode: "134567890123456789" }),
      provider.pay(payReq("po-5", 12.5)),
      provider.pay(payReq("po-5", 0)),
      provider.pay(payReq("订单五", 100)),
      provider.statement("20261203"),
    ];
    for (const c of cases) expect(await rejection(c)).toBeInstanceOf(HallError);
    expect(r.devices.simulators("pos-t1")?.posSim?.sales).toEqual([]);
  });

  it("goes offline when its simulated cable is pulled and online when plugged back", async () => {
    const r = await rig([pos("pos-t1", { type: "sim" }, { simStageMs: 5 })]);
    r.devices.simulate("pos-t1", "unplug");
    await until(() => statusOf(r, "pos-t1")?.health === "offline", 3000, "offline");
    const provider = r.devices.posProvider("t1");
    const err = await rejection(provider?.pay(payReq("po-6", 100)) ?? Promise.resolve());
    expect((err as DeviceError).code).toBe("OFFLINE");
    r.devices.simulate("pos-t1", "ok");
    await until(() => statusOf(r, "pos-t1")?.health === "online", 3000, "online");
    expect((await provider?.pay(payReq("po-6", 100)))?.status).toBe("success");
    expect(healths(r, "pos-t1")).toEqual(["online", "offline", "online"]);
  });

  it("lists a POS that serves no terminal in error and gives no provider", async () => {
    const r = await rig([{ ...pos("pos-k1", { type: "sim" }), assignment: { kind: "kiosk", kioskId: "k1" } }]);
    expect(statusOf(r, "pos-k1")).toMatchObject({ health: "error", detail: "a POS serves a self-service terminal" });
    expect(r.devices.posProviders()).toEqual([]);
  });
});

describe("devices/pos on a serial port (socat pty)", () => {
  it("rejects a payment when unplugged mid-payment, reconnects, and query finds the one charge", async () => {
    const pair = await startPtyPair();
    cleanups.push(() => pair.dispose());
    // The POS end of the cable: the simulator on its own serial port, waiting for the visitor's card.
    const farLink = new SerialLink({ id: "far-pos", path: pair.pathB, baudRate: 9600, backoff: { initialMs: 50, maxMs: 200 } });
    cleanups.push(() => farLink.close());
    const sim = new PosSimulator(farLink, { manualCard: true, stageMs: 10 });
    cleanups.push(async () => sim.detach());
    await farLink.open();

    const r = await rig([pos("pos-t1", { type: "serial", path: pair.pathA, baudRate: 9600 })]);
    await until(() => statusOf(r, "pos-t1")?.health === "online", 3000, "online");
    const provider = r.devices.posProvider("t1");
    if (!provider) throw new Error("no POS provider");

    const failed = rejection(provider.pay(payReq("po-7", 12_800)));
    await until(() => sim.waitingForCard, 3000, "the POS waits for the card");
    // …and says so to the terminal, whose screen shows 请插卡.
    await until(() => r.prompts.some((p) => p.orderId === "po-7"), 3000, "the prompt at the hub");
    expect(r.prompts.at(-1)).toEqual({ terminalId: "t1", orderId: "po-7", stage: "WAIT_CARD" });
    await pair.unplug();
    const err = await failed;
    expect(err).toBeInstanceOf(DeviceError);
    expect((err as DeviceError).code).toBe("OFFLINE");
    await until(() => statusOf(r, "pos-t1")?.health === "offline", 3000, "offline on the board");

    // The visitor finishes at the POS while it is cut off from the hub.
    sim.presentCard("approve");
    await until(() => sim.sales[0]?.state === "approved", 3000, "the POS approves");
    await pair.replug();
    await until(() => statusOf(r, "pos-t1")?.health === "online", 8000, "online again");

    const found = await provider.query("po-7");
    expect(found).toMatchObject({ status: "success", amountFen: 12_800 });
    // Paying the order again (as a service that did not query would) charges nothing more.
    expect(await provider.pay(payReq("po-7", 12_800))).toMatchObject({
      status: "success",
      providerTradeNo: found.providerTradeNo,
    });
    expect(sim.chargesOf("po-7")).toBe(1);
    expect(healths(r, "pos-t1")).toEqual(["online", "offline", "online"]);
  });

  it("shows error TIMEOUT on the board when the port is there but no POS answers", async () => {
    const pair = await startPtyPair();
    cleanups.push(() => pair.dispose());
    const r = await rig([pos("pos-t1", { type: "serial", path: pair.pathA, baudRate: 9600 }, { ackTimeoutMs: 100 })]);
    await until(() => statusOf(r, "pos-t1")?.health === "error", 5000, "error");
    expect(statusOf(r, "pos-t1")?.detail).toBe("TIMEOUT");
  });
});

describe("devices/pos in the demo hall (a real hub)", () => {
  it("lists pos-t1 online at terminal t1, takes a card payment, and goes offline and back over the simulate route", async () => {
    const t = await startTestHub();
    cleanups.push(() => t.close());
    const admin = await t.adminToken();
    type Row = DeviceConfig & { status: DeviceStatus };
    const row = async () => (await t.api<Row[]>("GET", "/api/devices", undefined, admin)).body.find((d) => d.id === "pos-t1");
    expect(await row()).toMatchObject({
      kind: "pos",
      assignment: { kind: "terminal", terminalId: "t1" },
      status: { health: "online" },
    });

    const provider = t.hub.devices.posProvider("t1");
    expect(provider?.name).toBe("pos:pos-t1");
    expect(await provider?.pay(payReq("po-demo-1", 500))).toMatchObject({ status: "success", amountFen: 500 });

    const pulled = await t.api<DeviceStatus>("POST", "/api/devices/pos-t1/simulate", { fault: "unplug" }, admin);
    expect(pulled.status).toBe(200);
    await until(async () => (await row())?.status.health === "offline", 3000, "offline on the board");
    // A POS has no paper: the fault is refused and nothing changes.
    const paper = await t.api<{ error: { code: string } }>("POST", "/api/devices/pos-t1/simulate", { fault: "paper_out" }, admin);
    expect(paper.status).toBe(400);
    expect(paper.body.error.code).toBe("VALIDATION_FAILED");
    await t.api("POST", "/api/devices/pos-t1/simulate", { fault: "ok" }, admin);
    await until(async () => (await row())?.status.health === "online", 8000, "online again");
    expect(await provider?.query("po-demo-1")).toMatchObject({ status: "success", amountFen: 500 });
  });
});
