/**
 * A hall with a self-service terminal t1 for tests: its devices configured through the
 * real API (PUT /api/devices, assigned to terminal t1) — a simulated ID card reader and
 * scanner, and an A4 printer that is either simulated or a real IPP printer — a matter
 * whose certificates may be self-printed (catalogue round trip), and cases walked through
 * the real counter and back-office routes to 证照已制作.
 */
import { expect } from "vitest";
import type { Case } from "../../../server/src/contract/cases.ts";
import type { Catalogue } from "../../../server/src/contract/catalogue.ts";
import type { IssuedTicket } from "../../../server/src/contract/events.ts";
import type { TestHub } from "../../helpers/hub.ts";

export const SELF_PRINT_MATTER = "m-003";

/** Configure terminal t1's devices; `printer`: a real IPP printer's host:port, else simulated. */
export async function setUpTerminal(t: TestHub, printer?: { host: string; port: number }): Promise<void> {
  const admin = await t.adminToken();
  const put = async (body: Record<string, unknown>) => {
    const r = await t.api("PUT", `/api/devices/${body.id}`, body, admin);
    expect(r.status, JSON.stringify(r.body)).toBe(200);
  };
  const terminal = { kind: "terminal", terminalId: "t1" };
  await put({ id: "idreader-t1", kind: "idreader", name: "终端1 读卡器", transport: { type: "sim" }, assignment: terminal });
  await put({ id: "scanner-t1", kind: "scanner", name: "终端1 扫码器", transport: { type: "sim" }, assignment: terminal });
  await put({
    id: "a4-t1",
    kind: "a4",
    name: "终端1 A4 打印机",
    transport: printer ? { type: "tcp", host: printer.host, port: printer.port } : { type: "sim" },
    assignment: terminal,
    options: { protocol: "ipp", path: "/ipp/print", pollMs: 1000 },
  });
  // The catalogue round trip: the served catalogue, one matter marked self-printable, PUT back.
  const cat = (await t.api<Catalogue>("GET", "/api/hall")).body;
  const edited = { ...cat, matters: cat.matters.map((m) => (m.id === SELF_PRINT_MATTER ? { ...m, selfPrint: true } : m)) };
  const r = await t.api<Catalogue>("PUT", "/api/catalogue", edited, admin);
  expect(r.status, JSON.stringify(r.body)).toBe(200);
  expect(r.body.matters.find((m) => m.id === SELF_PRINT_MATTER)?.selfPrint).toBe(true);
}

/**
 * Terminal t1's simulated bank-card POS as `PUT /api/devices/pos-t1` takes it, with its
 * simulator's options (`simManualCard`: the test presents the card; `simStageMs`).
 */
export function simulatedPosT1(options: Record<string, unknown>): Record<string, unknown> {
  return {
    id: "pos-t1",
    kind: "pos",
    name: "1号自助终端 银行卡 POS 机",
    transport: { type: "sim" },
    assignment: { kind: "terminal", terminalId: "t1" },
    options,
  };
}

let seq = 0;

/**
 * A case of `matterId` for the applicant, accepted at counter c01 from a served ticket,
 * then (unless `until` says otherwise) taken, approved and made ready by the department's
 * approver.
 */
export async function makeCase(
  t: TestHub,
  applicant: { name: string; idNumber: string; phone: string },
  opts: { matterId?: string; until?: "accepted" | "certificate_ready" } = {},
): Promise<Case> {
  const clerk = (await t.login("zhangwei")).token;
  const approver = (await t.login("gaojie")).token;
  const signIn = await t.api("POST", "/api/counters/c01/sign-in", {}, clerk);
  expect([200, 409]).toContain(signIn.status);
  const matterId = opts.matterId ?? SELF_PRINT_MATTER;
  const ticket = (await t.issue<IssuedTicket>({ matterId })).body;
  expect((await t.api("POST", `/api/counters/c01/call/${ticket.id}`, {}, clerk)).status).toBe(200);
  expect((await t.api("POST", "/api/counters/c01/start", {}, clerk)).status).toBe(200);
  const cat = (await t.api<Catalogue>("GET", "/api/hall")).body;
  const m = cat.matters.find((x) => x.id === matterId);
  const key = () => `fx-${process.pid}-${++seq}`;
  const accepted = await t.api<Case>(
    "POST",
    "/api/cases",
    {
      ticketId: ticket.id,
      counterId: "c01",
      applicant,
      materials: (m?.materials ?? []).map((_, index) => ({ index, state: "received" })),
      outcome: "accepted",
    },
    clerk,
    { "idempotency-key": key() },
  );
  expect(accepted.status, JSON.stringify(accepted.body)).toBe(201);
  expect((await t.api("POST", "/api/counters/c01/finish", {}, clerk)).status).toBe(200);
  let c = accepted.body;
  if (opts.until === "accepted") return c;
  for (const action of ["take", "approve", "certificate_ready"]) {
    const r = await t.api<Case>("POST", `/api/cases/${c.caseNo}/transitions`, { action, expectedVersion: c.version }, approver, {
      "idempotency-key": key(),
    });
    expect(r.status, JSON.stringify(r.body)).toBe(200);
    c = r.body;
  }
  expect(c.status).toBe("certificate_ready");
  return c;
}

/** An ID card as the simulated reader of terminal t1 presents it. */
export function placeCard(t: TestHub, card: { name: string; idNumber: string }): void {
  const sim = t.hub.devices.simulators("idreader-t1")?.idSim;
  if (!sim) throw new Error("terminal t1 has no simulated ID card reader");
  sim.placeCard({
    name: card.name,
    sexCode: "1",
    nationCode: "01",
    birthDate: card.idNumber.slice(6, 14),
    address: "山东省德州市平原县龙门街道",
    idNumber: card.idNumber,
    issuer: "平原县公安局",
    validFrom: "20200101",
    validTo: "20400101",
  });
}

/** Take the card away and wait until the reader has polled it absent, so the next card counts as new. */
export async function removeCard(t: TestHub): Promise<void> {
  const sim = t.hub.devices.simulators("idreader-t1")?.idSim;
  if (!sim) throw new Error("terminal t1 has no simulated ID card reader");
  const finds = () => sim.received.filter((c) => c === "FIND_CARD").length;
  sim.removeCard();
  const before = finds();
  await expect.poll(finds, { timeout: 5000, interval: 100 }).toBeGreaterThanOrEqual(before + 3);
}
