/**
 * The certificate window and the post against a real hub (fetch, socket.io-client, the
 * simulated ID card reader, scanner and label printer at window c43, the simulated
 * courier): collected once by ID card with the collector hashed and masked; found by the
 * receipt's QR; the visitor's address with the phone's last four digits; a waybill that
 * survives two lost courier answers without a second parcel; a label decoded by npos with
 * the waybill in its barcode; paper out keeps the waybill and the label prints when the
 * paper is back; signed courier callbacks and a CSV status file, both idempotent; the
 * ledger and its CSV; and nothing personal in the hub's log.
 */
import { readFileSync, readdirSync } from "node:fs";
import { join } from "node:path";
import ExcelJS from "exceljs";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Case, PublicCase } from "../../../server/src/contract/cases.ts";
import type { Catalogue } from "../../../server/src/contract/catalogue.ts";
import type { CertificateMatch, MailResult, PostalLedger, WindowLookup } from "../../../server/src/contract/delivery.ts";
import { signCallback } from "../../../server/src/delivery/courier.ts";
import { barcodes } from "../../hardware/label/barcodes.ts";
import { decodeEscPos, decodedLines } from "../../hardware/printer/npos-decode.ts";
import { waitFor } from "../../hardware/printer/suite.ts";
import { type HubClient, type TestHub, connected, nextEvent, startTestHub } from "../../helpers/hub.ts";

const WINDOW = "c43";
let t: TestHub;
let admin: string;
let clerk: string;
let matterId: string;
let materialCount = 0;
const logLines: string[] = [];
let seq = 0;
const key = () => `k-${++seq}`;

/** An 18-digit resident ID number with a valid check character (GB 11643). */
function idNumber(body17: string): string {
  const w = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2];
  const sum = [...body17].reduce((s, d, i) => s + Number(d) * (w[i] ?? 0), 0);
  return body17 + "10X98765432"[sum % 11];
}

const APPLICANT_ID = idNumber("37142619900101123");
const AGENT_ID = idNumber("37142619851212567");
const PHONE = "13912345678";
const STREET = "龙门街道中心路12号院3号楼";

/** A case accepted and approved at once (即办件), then its certificate made: ready at the window. */
async function readyCase(id = APPLICANT_ID): Promise<Case> {
  const a = await t.api<Case>(
    "POST",
    "/api/cases",
    {
      matterId,
      applicant: { name: "王小明", idNumber: id, phone: PHONE },
      materials: Array.from({ length: materialCount }, (_, index) => ({ index, state: "received" })),
      outcome: "accepted",
    },
    admin,
    { "idempotency-key": key() },
  );
  expect(a.status, JSON.stringify(a.body)).toBe(201);
  const r = await t.api<Case>(
    "POST",
    `/api/cases/${a.body.caseNo}/transitions`,
    { action: "certificate_ready", expectedVersion: a.body.version },
    admin,
    { "idempotency-key": key() },
  );
  expect(r.body.status).toBe("certificate_ready");
  return r.body;
}

function labels(): Buffer[] {
  const sim = t.hub.devices.simulators(`label-${WINDOW}`)?.labelSim;
  if (!sim) throw new Error("no simulated label printer");
  return sim.labels;
}

const address = { province: "山东省", city: "德州市", county: "平原县", street: STREET };

beforeAll(async () => {
  t = await startTestHub({ log: (l) => logLines.push(l) });
  admin = await t.adminToken();
  clerk = (await t.login("zhuhong")).token;
  expect((await t.api("POST", `/api/counters/${WINDOW}/sign-in`, undefined, clerk)).status).toBe(200);
  const cat = (await t.api<Catalogue>("GET", "/api/hall")).body;
  const m = cat.matters.find((x) => x.promisedDays === 0 && x.materials.length > 0);
  if (!m) throw new Error("no 即办件 in the demo catalogue");
  matterId = m.id;
  materialCount = m.materials.length;
  // The window's devices: ID card reader, scanner, label printer (simulated).
  for (const [id, kind, name] of [
    [`idreader-${WINDOW}`, "idreader", "统一出证 身份证阅读器"],
    [`scanner-${WINDOW}`, "scanner", "统一出证 扫码器"],
    [`label-${WINDOW}`, "label", "统一出证 面单打印机"],
  ] as const) {
    const r = await t.api(
      "PUT",
      `/api/devices/${id}`,
      { kind, name, transport: { type: "sim" }, assignment: { kind: "counter", counterId: WINDOW } },
      admin,
    );
    expect(r.status, JSON.stringify(r.body)).toBe(200);
  }
}, 60_000);

afterAll(async () => {
  await t?.close();
});

async function windowSocket(token: string): Promise<HubClient> {
  const s = t.socket({ token });
  await connected(s);
  return s;
}

describe("certificate window (统一出证)", () => {
  it("finds a certificate by the window's ID card reader, hands it over once, and records the collector hashed and masked", async () => {
    const c = await readyCase();
    const s = await windowSocket(clerk);
    const other = await windowSocket((await t.login("zhangwei")).token);
    const sub = s.emitWithAck as unknown as (e: string, b: unknown) => Promise<{ ok: boolean; error?: string }>;
    expect(await sub.call(s, "certificates:subscribe", { counterId: WINDOW })).toMatchObject({ ok: true });
    // A clerk of another window does not hear this one's reader.
    const otherSub = other.emitWithAck as unknown as typeof sub;
    expect(await otherSub.call(other, "certificates:subscribe", { counterId: WINDOW })).toMatchObject({
      ok: false,
      error: "FORBIDDEN",
    });
    // The visitor's progress page follows.
    const visitor = t.socket();
    await connected(visitor);
    const vsub = visitor.emitWithAck as unknown as typeof sub;
    expect(await vsub.call(visitor, "cases:subscribe", { view: "case", caseNo: c.caseNo, check: PHONE.slice(-4) })).toMatchObject(
      {
        ok: true,
      },
    );
    const progress = nextEvent(visitor, "case:progress" as never, (p: PublicCase) => p.status === "collected", 5000);

    const found = nextEvent(s, "certificates:found" as never, () => true, 5000) as Promise<WindowLookup>;
    const sim = t.hub.devices.simulators(`idreader-${WINDOW}`)?.idSim;
    if (!sim) throw new Error("no simulated ID reader at the window");
    sim.placeCard({
      name: "王小明",
      sexCode: "1",
      nationCode: "01",
      birthDate: "19900101",
      address: "山东省德州市平原县龙门街道",
      idNumber: APPLICANT_ID,
      issuer: "平原县公安局",
      validFrom: "20200101",
      validTo: "20400101",
    });
    const lookup = await found;
    sim.removeCard();
    expect(lookup.source).toBe("idreader");
    expect(lookup.reading?.idMasked).toBe(`3714**********${APPLICANT_ID.slice(-4)}`);
    expect(JSON.stringify(lookup)).not.toContain(APPLICANT_ID);
    const m = lookup.matches.find((x) => x.caseNo === c.caseNo) as CertificateMatch;
    expect(m).toMatchObject({ collectable: true, status: "certificate_ready" });

    const reading = lookup.reading?.id as string;
    const done = await t.api<Case>(
      "POST",
      `/api/certificates/${c.caseNo}/collect`,
      { counterId: WINDOW, expectedVersion: m.version, collector: { kind: "applicant", reading } },
      clerk,
      { "idempotency-key": key() },
    );
    expect(done.status, JSON.stringify(done.body)).toBe(200);
    expect(done.body.status).toBe("collected");
    expect(done.body.collection).toMatchObject({
      kind: "applicant",
      name: "王小明",
      idMasked: `3714**********${APPLICANT_ID.slice(-4)}`,
      counterId: WINDOW,
      staffName: "朱红",
    });
    expect(JSON.stringify(done.body)).not.toContain(APPLICANT_ID);
    const p = (await progress) as PublicCase;
    expect(p.collection).toMatchObject({ kind: "applicant" });
    expect(JSON.stringify(p)).not.toContain("王小明");

    // Collected once: a second hand-over (even at the new version) says why, and changes nothing.
    for (const v of [m.version, done.body.version]) {
      const again = await t.api(
        "POST",
        `/api/certificates/${c.caseNo}/collect`,
        { counterId: WINDOW, expectedVersion: v, collector: { kind: "agent", name: "李四", idNumber: AGENT_ID } },
        clerk,
        { "idempotency-key": key() },
      );
      expect(again.status).toBe(409);
      expect(again.body.error.code).toBe("CERTIFICATE_ALREADY_COLLECTED");
    }
    const after = await t.api<Case>("GET", `/api/cases/${c.caseNo}`, undefined, admin);
    expect(after.body.version).toBe(done.body.version);
    expect(after.body.collection?.kind).toBe("applicant");

    // The ID number is nowhere in the case database's files.
    const dir = t.dataDir;
    for (const f of readdirSync(dir).filter((x) => x.startsWith("cases.db")))
      expect(readFileSync(join(dir, f)).includes(Buffer.from(APPLICANT_ID))).toBe(false);
    s.disconnect();
    other.disconnect();
    visitor.disconnect();
  });

  it("an agent collects with their own ID; an applicant's collection with someone else's card is refused", async () => {
    const c = await readyCase();
    const wrong = await t.api(
      "POST",
      `/api/certificates/${c.caseNo}/collect`,
      { counterId: WINDOW, expectedVersion: c.version, collector: { kind: "applicant", name: "李四", idNumber: AGENT_ID } },
      clerk,
      { "idempotency-key": key() },
    );
    expect(wrong.status).toBe(400);
    expect(wrong.body.error.code).toBe("VALIDATION_FAILED");
    const ok = await t.api<Case>(
      "POST",
      `/api/certificates/${c.caseNo}/collect`,
      { counterId: WINDOW, expectedVersion: c.version, collector: { kind: "agent", name: "李四", idNumber: AGENT_ID } },
      clerk,
      { "idempotency-key": key() },
    );
    expect(ok.body.collection).toMatchObject({ kind: "agent", name: "李四", idMasked: `3714**********${AGENT_ID.slice(-4)}` });
    // Another window's clerk, and an approver, may not hand over here.
    const zhang = (await t.login("zhangwei")).token;
    const c2 = await readyCase();
    const body = {
      counterId: WINDOW,
      expectedVersion: c2.version,
      collector: { kind: "agent", name: "李四", idNumber: AGENT_ID },
    };
    expect(
      (await t.api("POST", `/api/certificates/${c2.caseNo}/collect`, body, zhang, { "idempotency-key": key() })).status,
    ).toBe(403);
  });

  it("the window's scanner finds the case from the receipt's QR; a case number finds it too", async () => {
    const c = await readyCase();
    const s = await windowSocket(clerk);
    const sub = s.emitWithAck as unknown as (e: string, b: unknown) => Promise<{ ok: boolean }>;
    expect(await sub.call(s, "certificates:subscribe", { counterId: WINDOW })).toMatchObject({ ok: true });
    const found = nextEvent(s, "certificates:found" as never, () => true, 5000) as Promise<WindowLookup>;
    await t.hub.devices.simulators(`scanner-${WINDOW}`)?.scannerSim?.scan(`http://hall.example/q/${c.caseNo}`);
    const l = await found;
    expect(l).toMatchObject({ source: "scanner", matches: [{ caseNo: c.caseNo, collectable: true }] });
    const byNo = await t.api<CertificateMatch[]>(
      "GET",
      `/api/certificates/find?counterId=${WINDOW}&caseNo=${c.caseNo}`,
      undefined,
      clerk,
    );
    expect(byNo.body.map((x) => x.caseNo)).toEqual([c.caseNo]);
    const bad = await t.api("GET", `/api/certificates/find?counterId=${WINDOW}&qr=nothing`, undefined, clerk);
    expect(bad.status).toBe(400);
    s.disconnect();
  });
});

describe("postal delivery (邮政寄递)", () => {
  let mailed: { caseNo: string; waybillNo: string };

  it("the visitor gives the address with the phone's last four digits; a wrong check or a bad address changes nothing", async () => {
    const c = await readyCase();
    const body = { recipient: "王小明", phone: PHONE, address, paid: false };
    const wrong = await t.api("PUT", `/api/public/cases/${c.caseNo}/postal?check=0000`, body);
    expect(wrong.status).toBe(404);
    expect(wrong.body.error.code).toBe("UNKNOWN_CASE");
    // The ID's last four are not enough here: the address is the phone holder's to give.
    const byId = await t.api("PUT", `/api/public/cases/${c.caseNo}/postal?check=${APPLICANT_ID.slice(-4)}`, body);
    expect(byId.status).not.toBe(200);
    for (const bad of [
      { ...address, province: "山东" },
      { ...address, city: "德州" },
      { ...address, county: "平原" },
      { ...address, street: "12" },
    ]) {
      const r = await t.api("PUT", `/api/public/cases/${c.caseNo}/postal?check=${PHONE.slice(-4)}`, { ...body, address: bad });
      expect(r.status, JSON.stringify(bad)).toBe(400);
      expect(r.body.error.code).toBe("VALIDATION_FAILED");
    }
    const badPhone = await t.api("PUT", `/api/public/cases/${c.caseNo}/postal?check=${PHONE.slice(-4)}`, {
      ...body,
      phone: "12345",
    });
    expect(badPhone.status).toBe(400);
    expect((await t.api<Case>("GET", `/api/cases/${c.caseNo}`, undefined, admin)).body.postal).toBeUndefined();

    const ok = await t.api<PublicCase>("PUT", `/api/public/cases/${c.caseNo}/postal?check=${PHONE.slice(-4)}`, body);
    expect(ok.status, JSON.stringify(ok.body)).toBe(200);
    expect(ok.body.postal).toMatchObject({
      recipientMasked: "王**",
      phoneMasked: "139****5678",
      province: "山东省",
      city: "德州市",
      county: "平原县",
      status: "requested",
      paid: false,
    });
    const text = JSON.stringify(ok.body);
    expect(text).not.toContain(PHONE);
    expect(text).not.toContain(STREET);
    // Staff see the whole address (they post the parcel).
    const staff = await t.api<Case>("GET", `/api/cases/${c.caseNo}`, undefined, clerk);
    expect(staff.body.postal).toMatchObject({ recipient: "王小明", phone: PHONE, address, requestedBy: "applicant" });
  });

  it("mails: two lost courier answers, one waybill; the label's barcode is the waybill; never mailed or collected twice", async () => {
    const c = await readyCase();
    const set = await t.api<Case>(
      "PUT",
      `/api/cases/${c.caseNo}/postal`,
      { recipient: "王小明", phone: PHONE, address, paid: false },
      clerk,
      { "idempotency-key": key() },
    );
    expect(set.status, JSON.stringify(set.body)).toBe(200);
    const sim = t.hub.delivery.courierSim;
    if (!sim) throw new Error("no simulated courier");
    const callsBefore = sim.calls;
    const parcelsBefore = sim.parcels.size;
    sim.timeouts(2);
    const before = labels().length;
    const r = await t.api<MailResult>("POST", `/api/postal/${c.caseNo}/mail`, { counterId: WINDOW }, clerk, {
      "idempotency-key": key(),
    });
    expect(r.status, JSON.stringify(r.body)).toBe(200);
    expect(sim.calls - callsBefore).toBe(3);
    expect(sim.parcels.size - parcelsBefore).toBe(1);
    expect(r.body.label.status).toBe("printed");
    mailed = { caseNo: c.caseNo, waybillNo: r.body.waybillNo };
    await waitFor(() => labels().length === before + 1, 3000, "label");
    const items = decodeEscPos(labels().at(-1) as Buffer);
    expect(barcodes(items)).toEqual([r.body.waybillNo]);
    const text = decodedLines(items).join("\n");
    expect(text).toContain("山东省德州市平原县");
    expect(text).toContain(STREET);
    expect(text).toContain("平原县市民服务中心");
    expect(text).toContain("139****5678");

    const staff = (await t.api<Case>("GET", `/api/cases/${c.caseNo}`, undefined, admin)).body;
    expect(staff.status).toBe("mailed");
    expect(staff.postal).toMatchObject({ status: "sent", waybillNo: r.body.waybillNo });
    const twice = await t.api("POST", `/api/postal/${c.caseNo}/mail`, { counterId: WINDOW }, clerk, { "idempotency-key": key() });
    expect(twice.body.error.code).toBe("ALREADY_MAILED");
    const collect = await t.api(
      "POST",
      `/api/certificates/${c.caseNo}/collect`,
      { counterId: WINDOW, expectedVersion: staff.version, collector: { kind: "agent", name: "李四", idNumber: AGENT_ID } },
      clerk,
      { "idempotency-key": key() },
    );
    expect(collect.body.error.code).toBe("ALREADY_MAILED");
    expect(sim.parcels.size - parcelsBefore).toBe(1);
  });

  it("a courier that never answers: COURIER_UNAVAILABLE, nothing mailed; the retry gets the same waybill", async () => {
    const c = await readyCase();
    await t.api("PUT", `/api/cases/${c.caseNo}/postal`, { recipient: "王小明", phone: PHONE, address, paid: true }, clerk, {
      "idempotency-key": key(),
    });
    const sim = t.hub.delivery.courierSim as NonNullable<typeof t.hub.delivery.courierSim>;
    sim.timeouts(3);
    const first = await t.api("POST", `/api/postal/${c.caseNo}/mail`, { counterId: WINDOW }, clerk, { "idempotency-key": key() });
    expect(first.status).toBe(502);
    expect(first.body.error.code).toBe("COURIER_UNAVAILABLE");
    expect((await t.api<Case>("GET", `/api/cases/${c.caseNo}`, undefined, admin)).body.status).toBe("certificate_ready");
    const made = [...sim.parcels.values()].filter((p) => p.caseNo === c.caseNo);
    expect(made).toHaveLength(1);
    const again = await t.api<MailResult>("POST", `/api/postal/${c.caseNo}/mail`, { counterId: WINDOW }, clerk, {
      "idempotency-key": key(),
    });
    expect(again.body.waybillNo).toBe(made[0]?.waybillNo);
    expect([...sim.parcels.values()].filter((p) => p.caseNo === c.caseNo)).toHaveLength(1);
  });

  it.each([
    ["paper_out", "PAPER_OUT"],
    ["unplug", "OFFLINE"],
  ] as const)("%s: the waybill is kept, the label waits, and prints by itself when the printer is back", async (fault, error) => {
    const c = await readyCase();
    await t.api("PUT", `/api/cases/${c.caseNo}/postal`, { recipient: "王小明", phone: PHONE, address, paid: false }, clerk, {
      "idempotency-key": key(),
    });
    expect((await t.api("POST", `/api/devices/label-${WINDOW}/simulate`, { fault }, admin)).status).toBe(200);
    const before = labels().length;
    const r = await t.api<MailResult>("POST", `/api/postal/${c.caseNo}/mail`, { counterId: WINDOW }, clerk, {
      "idempotency-key": key(),
    });
    expect(r.status).toBe(200);
    expect(r.body.label).toMatchObject({ status: "pending", error });
    expect((await t.api<Case>("GET", `/api/cases/${c.caseNo}`, undefined, admin)).body.postal?.waybillNo).toBe(r.body.waybillNo);
    expect(labels().length).toBe(before);
    expect((await t.api("POST", `/api/devices/label-${WINDOW}/simulate`, { fault: "ok" }, admin)).status).toBe(200);
    await waitFor(() => labels().length === before + 1, 5000, "label printed when the printer is back");
    expect(barcodes(decodeEscPos(labels().at(-1) as Buffer))).toEqual([r.body.waybillNo]);
  });

  it("courier news: a signed callback moves the parcel on; a bad signature is refused; the same event twice changes nothing", async () => {
    const body = JSON.stringify({ eventId: "ev-1", waybillNo: mailed.waybillNo, status: "in_transit", at: t.now() });
    const bad = await fetch(`${t.url}/api/postal/callback`, {
      method: "POST",
      headers: { "content-type": "application/json", "x-courier-signature": "0".repeat(64) },
      body,
    });
    expect(bad.status).toBe(401);
    const secret = t.hub.delivery.courierSecret;
    const send = () =>
      fetch(`${t.url}/api/postal/callback`, {
        method: "POST",
        headers: { "content-type": "application/json", "x-courier-signature": signCallback(secret, body) },
        body,
      }).then((r) => r.json() as Promise<{ result: string }>);
    expect(await send()).toEqual({ result: "applied" });
    const v = (await t.api<Case>("GET", `/api/cases/${mailed.caseNo}`, undefined, admin)).body;
    expect(v.postal?.status).toBe("in_transit");
    expect(await send()).toEqual({ result: "duplicate" });
    expect((await t.api<Case>("GET", `/api/cases/${mailed.caseNo}`, undefined, admin)).body.version).toBe(v.version);
  });

  it("a status file (CSV) delivers the parcel; importing it again changes nothing; bad lines are reported", async () => {
    const csv = [
      "waybillNo,status,at,eventId",
      `${mailed.waybillNo},delivered,2026-12-03T08:00:00Z,imp-1`,
      "NOPE0000,delivered,2026-12-03T08:00:00Z,imp-2",
      `${mailed.waybillNo},lost,2026-12-03T08:00:00Z,imp-3`,
    ].join("\n");
    const post = (auth: string) =>
      fetch(`${t.url}/api/postal/status-import`, {
        method: "POST",
        headers: { "content-type": "text/csv", authorization: `Bearer ${auth}` },
        body: csv,
      });
    expect((await post(clerk)).status).toBe(403);
    const first = await (await post(admin)).json();
    expect(first).toMatchObject({ rows: 3, applied: 1, duplicates: 0 });
    expect(first.errors.map((e: { line: number }) => e.line)).toEqual([3, 4]);
    const c = (await t.api<Case>("GET", `/api/cases/${mailed.caseNo}`, undefined, admin)).body;
    expect(c.status).toBe("delivered");
    expect(c.postal?.status).toBe("delivered");
    const second = await (await post(admin)).json();
    expect(second).toMatchObject({ applied: 0, duplicates: 1 });
    expect((await t.api<Case>("GET", `/api/cases/${mailed.caseNo}`, undefined, admin)).body.version).toBe(c.version);
    // Late news (in transit after delivered) is ignored too.
    await t.hub.delivery.courierSim?.advance(mailed.waybillNo, "in_transit");
    expect((await t.api<Case>("GET", `/api/cases/${mailed.caseNo}`, undefined, admin)).body.status).toBe("delivered");
  });

  it("the ledger (寄递台账) lists the day's parcels per department, as JSON, CSV and XLSX, for supervisors", async () => {
    const day = new Intl.DateTimeFormat("en-CA", { timeZone: "Asia/Shanghai" }).format(t.now());
    expect((await t.api("GET", `/api/postal/ledger?day=${day}`, undefined, clerk)).status).toBe(403);
    const l = await t.api<PostalLedger>("GET", `/api/postal/ledger?day=${day}`, undefined, admin);
    expect(l.status).toBe(200);
    expect(l.body.rows.length).toBe(4);
    expect(l.body.totals).toMatchObject({ mailed: 4, paid: 1, free: 3, delivered: 1 });
    expect(l.body.rows.every((r) => r.labelPrinted)).toBe(true);
    expect(l.body.rows.find((r) => r.caseNo === mailed.caseNo)).toMatchObject({ status: "delivered", recipientMasked: "王**" });
    const dept = l.body.rows[0]?.departmentId as string;
    const one = await t.api<PostalLedger>("GET", `/api/postal/ledger?day=${day}&dept=${dept}`, undefined, admin);
    expect(one.body.rows.every((r) => r.departmentId === dept)).toBe(true);
    const csv = await fetch(`${t.url}/api/postal/ledger?day=${day}&format=csv`, {
      headers: { authorization: `Bearer ${admin}` },
    });
    expect(csv.headers.get("content-type")).toContain("text/csv");
    const raw = Buffer.from(await csv.arrayBuffer());
    // A byte-order mark first, so Excel reads the UTF-8 Chinese right.
    expect([...raw.subarray(0, 3)]).toEqual([0xef, 0xbb, 0xbf]);
    const text = raw.subarray(3).toString("utf8");
    expect(text.startsWith("日期,部门,办件编号")).toBe(true);
    expect(text).toContain(mailed.waybillNo);
    expect(text).not.toContain(PHONE);
    expect(text).not.toContain(STREET);
    // Local times, not UTC: the hub's clock is 10:00 in Shanghai.
    expect(text).toMatch(new RegExp(`${mailed.waybillNo},[^\\r]*,${day} \\d{2}:\\d{2},是`));

    // The same ledger as a workbook, through the shared exporter (the help desk's too).
    const x = await fetch(`${t.url}/api/postal/ledger?day=${day}&format=xlsx&lang=en`, {
      headers: { authorization: `Bearer ${admin}` },
    });
    expect(x.status).toBe(200);
    expect(x.headers.get("content-type")).toContain("spreadsheetml");
    expect(x.headers.get("content-disposition")).toBe(`attachment; filename="postal-ledger-${day}.xlsx"`);
    const wb = new ExcelJS.Workbook();
    await wb.xlsx.load(await x.arrayBuffer());
    const ws = wb.worksheets[0];
    expect(ws?.name).toBe(`Postal ledger ${day}`);
    expect(ws?.getRow(1).values).toEqual([
      undefined,
      "Day",
      "Department",
      "Case",
      "Matter",
      "Waybill",
      "Courier",
      "Recipient",
      "Area",
      "Fee",
      "Status",
      "Mailed at",
      "Label printed",
    ]);
    expect(ws?.rowCount).toBe(1 + l.body.rows.length);
    const row = [2, 3, 4, 5].map((i) => ws?.getRow(i)).find((r) => r?.getCell(3).value === mailed.caseNo);
    expect(row?.getCell(5).value).toBe(mailed.waybillNo);
    expect(row?.getCell(7).value).toBe("王**");
    expect(row?.getCell(10).value).toBe("delivered");
    const cells = JSON.stringify([2, 3, 4, 5].map((i) => ws?.getRow(i).values));
    expect(cells).not.toContain(PHONE);
    expect(cells).not.toContain(STREET);
    // Clerks get neither file; a bad format is refused.
    expect(
      (await fetch(`${t.url}/api/postal/ledger?day=${day}&format=xlsx`, { headers: { authorization: `Bearer ${clerk}` } }))
        .status,
    ).toBe(403);
    expect((await t.api("GET", `/api/postal/ledger?day=${day}&format=pdf`, undefined, admin)).body.error.code).toBe(
      "VALIDATION_FAILED",
    );
  });

  it("track: a parcel whose callback was lost is asked about on demand and when quiet; asking twice changes nothing", async () => {
    const c = await readyCase();
    await t.api("PUT", `/api/cases/${c.caseNo}/postal`, { recipient: "王小明", phone: PHONE, address, paid: false }, clerk, {
      "idempotency-key": key(),
    });
    const r = await t.api<MailResult>("POST", `/api/postal/${c.caseNo}/mail`, { counterId: WINDOW }, clerk, {
      "idempotency-key": key(),
    });
    expect(r.status).toBe(200);
    const sim = t.hub.delivery.courierSim as NonNullable<typeof t.hub.delivery.courierSim>;
    const status = async () => (await t.api<Case>("GET", `/api/cases/${c.caseNo}`, undefined, admin)).body;
    // Nothing new at the courier yet.
    const first = await t.api("POST", `/api/postal/${c.caseNo}/track`, undefined, clerk);
    expect(first.body).toEqual({ caseNo: c.caseNo, status: "sent", result: "duplicate" });
    // In transit, but the callback never came: the clerk asks.
    sim.moveSilently(r.body.waybillNo, "in_transit");
    expect((await status()).postal?.status).toBe("sent");
    const asked = await t.api("POST", `/api/postal/${c.caseNo}/track`, undefined, clerk);
    expect(asked.body).toEqual({ caseNo: c.caseNo, status: "in_transit", result: "applied" });
    const v = (await status()).version;
    expect((await t.api("POST", `/api/postal/${c.caseNo}/track`, undefined, clerk)).body.result).toBe("duplicate");
    expect((await status()).version).toBe(v);
    // Delivered, callback lost again: the hub's own round of quiet parcels finds it.
    sim.moveSilently(r.body.waybillNo, "delivered");
    t.advance(7 * 3600_000);
    expect(await t.hub.delivery.service.trackQuiet(6 * 3600_000)).toBeGreaterThanOrEqual(1);
    const done = await status();
    expect(done.status).toBe("delivered");
    expect(done.postal?.status).toBe("delivered");
    // Not for approvers, and only for cases in the post.
    expect((await t.api("POST", `/api/postal/${c.caseNo}/track`, undefined, (await t.login("gaojie")).token)).status).toBe(403);
    const none = await t.api("POST", `/api/postal/${(await readyCase()).caseNo}/track`, undefined, clerk);
    expect(none.body.error.code).toBe("UNKNOWN_CASE");
  });

  it("cancel: a courier order whose answer was lost is cancelled when the visitor collects at the window instead", async () => {
    const c = await readyCase();
    await t.api("PUT", `/api/cases/${c.caseNo}/postal`, { recipient: "王小明", phone: PHONE, address, paid: false }, clerk, {
      "idempotency-key": key(),
    });
    const sim = t.hub.delivery.courierSim as NonNullable<typeof t.hub.delivery.courierSim>;
    sim.timeouts(3);
    const failed = await t.api("POST", `/api/postal/${c.caseNo}/mail`, { counterId: WINDOW }, clerk, {
      "idempotency-key": key(),
    });
    expect(failed.body.error.code).toBe("COURIER_UNAVAILABLE");
    const order = [...sim.parcels.values()].filter((p) => p.caseNo === c.caseNo);
    expect(order.map((p) => p.status)).toEqual(["sent"]);
    const collected = await t.api<Case>(
      "POST",
      `/api/certificates/${c.caseNo}/collect`,
      {
        counterId: WINDOW,
        expectedVersion: c.version + 1,
        collector: { kind: "applicant", name: "王小明", idNumber: APPLICANT_ID },
      },
      clerk,
      { "idempotency-key": key() },
    );
    expect(collected.status, JSON.stringify(collected.body)).toBe(200);
    // The order at the courier is cancelled; no second order was made to learn its number.
    expect([...sim.parcels.values()].filter((p) => p.caseNo === c.caseNo).map((p) => p.status)).toEqual(["cancelled"]);
    expect(await sim.track(order[0]?.waybillNo as string)).toBeUndefined();
    expect(logLines.some((l) => l.includes("unused waybill of a case cancelled"))).toBe(true);
  });

  it("cancel: a new address after a lost courier answer gets a new waybill, the old order cancelled", async () => {
    const c = await readyCase();
    await t.api("PUT", `/api/cases/${c.caseNo}/postal`, { recipient: "王小明", phone: PHONE, address, paid: false }, clerk, {
      "idempotency-key": key(),
    });
    const sim = t.hub.delivery.courierSim as NonNullable<typeof t.hub.delivery.courierSim>;
    sim.timeouts(3);
    expect(
      (await t.api("POST", `/api/postal/${c.caseNo}/mail`, { counterId: WINDOW }, clerk, { "idempotency-key": key() })).status,
    ).toBe(502);
    const moved = { ...address, street: "桃园街道府前街8号" };
    expect(
      (
        await t.api(
          "PUT",
          `/api/cases/${c.caseNo}/postal`,
          { recipient: "王小明", phone: PHONE, address: moved, paid: false },
          clerk,
          {
            "idempotency-key": key(),
          },
        )
      ).status,
    ).toBe(200);
    const before = labels().length;
    const r = await t.api<MailResult>("POST", `/api/postal/${c.caseNo}/mail`, { counterId: WINDOW }, clerk, {
      "idempotency-key": key(),
    });
    expect(r.status, JSON.stringify(r.body)).toBe(200);
    await waitFor(() => labels().length === before + 1, 3000, "label");
    expect(barcodes(decodeEscPos(labels().at(-1) as Buffer))).toEqual([r.body.waybillNo]);
    const orders = [...sim.parcels.values()].filter((p) => p.caseNo === c.caseNo);
    expect(orders.map((p) => p.status)).toEqual(["cancelled", "sent"]);
    expect(orders[1]?.waybillNo).toBe(r.body.waybillNo);
    expect(decodedLines(decodeEscPos(labels().at(-1) as Buffer)).join("\n")).toContain("桃园街道府前街8号");
  });

  it("nothing personal reached the hub's log", () => {
    const log = logLines.join("\n");
    for (const secret of [APPLICANT_ID, AGENT_ID, PHONE, STREET]) expect(log).not.toContain(secret);
  });
});
