/**
 * POST /api/cases/:caseNo/receipt against a real hub: the slip goes to the accepting
 * counter's printer (decoded from the simulated printer's bytes), a repeated press prints
 * once, a printer out of paper is a result and not an error, and only the counter's own
 * clerk (or a supervisor) may print there.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Case } from "../../../server/src/contract/cases.ts";
import type { Catalogue, IssuedTicket, Matter, PrintResult } from "../../../server/src/contract/index.ts";
import { decodeEscPos, decodedLines } from "../../hardware/printer/npos-decode.ts";
import { expectRejected, startTestHub, type TestHub } from "../../helpers/hub.ts";

let t: TestHub;
let matter: Matter;
let clerk: string;
let caseNo: string;

const printed = () => t.hub.devices.simulators("printer-c03")?.printerSim?.tickets ?? [];

beforeAll(async () => {
  t = await startTestHub();
  const cat = (await t.api<Catalogue>("GET", "/api/hall")).body;
  matter = cat.matters.find((m) => m.queueId === "q-a" && m.promisedDays > 0) as Matter;
  clerk = (await t.login("liuyang")).token;
  expect((await t.api("POST", "/api/counters/c03/sign-in", {}, clerk)).status).toBe(200);
  const tk = (await t.issue<IssuedTicket>({ matterId: matter.id })).body;
  expect((await t.api("POST", "/api/counters/c03/call-next", {}, clerk)).body.id).toBe(tk.id);
  expect((await t.api("POST", "/api/counters/c03/start", {}, clerk)).status).toBe(200);
  const r = await t.api<Case>(
    "POST",
    "/api/cases",
    {
      ticketId: tk.id,
      counterId: "c03",
      applicant: { name: "王小明", phone: "13800001234" },
      materials: matter.materials.map((_, index) => ({ index, state: "received" })),
      outcome: "accepted",
    },
    clerk,
    { "idempotency-key": "receipt-route-1" },
  );
  expect(r.status).toBe(201);
  caseNo = r.body.caseNo;
}, 60_000);

afterAll(async () => {
  await t?.close();
});

describe("POST /api/cases/:caseNo/receipt", () => {
  it("prints the 受理回执 at the accepting counter, once per press", async () => {
    const before = printed().length;
    const press = { requestId: "press-1" };
    const a = await t.api<{ print: PrintResult }>("POST", `/api/cases/${caseNo}/receipt`, press, clerk);
    const b = await t.api<{ print: PrintResult }>("POST", `/api/cases/${caseNo}/receipt`, press, clerk);
    expect(a.body).toEqual({ print: { status: "printed", printerId: "printer-c03" } });
    expect(b.body).toEqual(a.body);
    // The bytes reach the simulated printer just after the write resolves.
    await expect.poll(() => printed().length).toBe(before + 1);
    const bytes = printed().at(-1)?.bytes as Buffer;
    const text = decodedLines(decodeEscPos(bytes)).join("\n");
    expect(text).toContain(caseNo);
    expect(text).toContain("受理结果：受理");
    // Another press is another slip (the visitor lost the first).
    const c = await t.api("POST", `/api/cases/${caseNo}/receipt`, { requestId: "press-2" }, clerk);
    expect(c.body).toEqual(a.body);
    await expect.poll(() => printed().length).toBe(before + 2);
    expect(decodedLines(decodeEscPos(printed().at(-1)?.bytes as Buffer)).join("\n")).toContain(caseNo);
  });

  it("reports a printer out of paper as the result, and prints after the roll is changed", async () => {
    const admin = await t.adminToken();
    await t.api("POST", "/api/devices/printer-c03/simulate", { fault: "paper_out" }, admin);
    const r = await t.api<{ print: PrintResult }>("POST", `/api/cases/${caseNo}/receipt`, { requestId: "press-3" }, clerk);
    expect(r.status).toBe(200);
    expect(r.body.print).toMatchObject({ status: "failed", printerId: "printer-c03", error: "PAPER_OUT" });
    await t.api("POST", "/api/devices/printer-c03/simulate", { fault: "ok" }, admin);
    const again = await t.api<{ print: PrintResult }>("POST", `/api/cases/${caseNo}/receipt`, { requestId: "press-3" }, clerk);
    expect(again.body.print).toEqual({ status: "printed", printerId: "printer-c03" });
  });

  it("says none at a counter without a printer", async () => {
    const sup = (await t.login("wangli")).token;
    const r = await t.api<{ print: PrintResult }>(
      "POST",
      `/api/cases/${caseNo}/receipt`,
      { requestId: "press-4", counterId: "c17" },
      sup,
    );
    expect(r.body).toEqual({ print: { status: "none" } });
  });

  it("refuses an unknown case, a clerk printing at someone else's counter, and a bad body", async () => {
    const before = printed().length;
    await expectRejected(
      t,
      { method: "POST", path: "/api/cases/371426-20000101-00001/receipt", body: { requestId: "x" }, auth: clerk },
      404,
      "UNKNOWN_CASE",
    );
    await expectRejected(
      t,
      { method: "POST", path: `/api/cases/${caseNo}/receipt`, body: { requestId: "x", counterId: "c01" }, auth: clerk },
      403,
      "FORBIDDEN",
    );
    await expectRejected(
      t,
      { method: "POST", path: `/api/cases/${caseNo}/receipt`, body: {}, auth: clerk },
      400,
      "VALIDATION_FAILED",
    );
    await expectRejected(
      t,
      { method: "POST", path: `/api/cases/${caseNo}/receipt`, body: { requestId: "x" } },
      401,
      "UNAUTHENTICATED",
    );
    expect(printed().length).toBe(before);
  });
});
