/**
 * The audit log through a real hub, with fetch and socket.io-client as the pages use them:
 * logins and failed logins, a takeover over REST and an out-of-order call over the socket,
 * a catalogue change with its diff, staff changes (a password never in the log; a disabled
 * account cannot sign in), a pairing approved, who may read and export (admins only), the
 * exports themselves (CSV formula-safe, XLSX read back with exceljs) and the chain check.
 */
import ExcelJS from "exceljs";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { AuditEntry, AuditPage, AuditVerify } from "../../../server/src/contract/audit.ts";
import type { Catalogue } from "../../../server/src/contract/catalogue.ts";
import type { IssuedTicket } from "../../../server/src/contract/events.ts";
import { connected, startTestHub, type TestHub } from "../../helpers/hub.ts";

describe("audit log over REST and the socket", () => {
  let t: TestHub;
  let admin = "";
  const rows = async (query: string): Promise<AuditEntry[]> => {
    const r = await t.api<AuditPage>("GET", `/api/audit?${query}`, undefined, admin);
    expect(r.status).toBe(200);
    return r.body.rows;
  };

  beforeAll(async () => {
    t = await startTestHub({ autoPairLoopback: false });
    admin = await t.adminToken();
  });
  afterAll(async () => {
    await t?.close();
  });

  it("records a login with who, when and from where, and a failed one with the typed name masked", async () => {
    const [login] = await rows("action=auth.login");
    expect(login).toMatchObject({ actorName: "管理员", actorRole: "admin", action: "auth.login", via: "http" });
    expect(login?.ip).toMatch(/127\.0\.0\.1$/);
    // On the hub's clock (which starts at 10:00 today and runs on).
    expect(login?.at).toBeLessThanOrEqual(t.now());
    expect(login?.at).toBeGreaterThan(t.now() - 120_000);

    const bad = await t.api("POST", "/api/auth/login", { username: "zhangwei", password: "wrong-password" });
    expect(bad.status).toBe(401);
    // Someone typed a phone number into the username box: the log keeps it masked.
    const bad2 = await t.api("POST", "/api/auth/login", { username: "13812345678", password: "x" });
    expect(bad2.status).toBe(401);
    const failed = await rows("action=auth.login-failed");
    expect(failed.map((r) => r.actorName)).toEqual(["138****5678", "zhangwei"]);
    expect(failed[1]?.actorId).toBeTruthy();
    expect(failed[0]?.actorId).toBeUndefined();
    expect(JSON.stringify(failed)).not.toContain("13812345678");
  });

  it("lets only admins read, export or check it", async () => {
    const clerk = (await t.login("zhangwei")).token;
    const sup = (await t.login("wangli")).token;
    for (const path of ["/api/audit", "/api/audit/export.csv", "/api/audit/export.xlsx", "/api/audit/verify"]) {
      expect((await t.api("GET", path)).status).toBe(401);
      expect((await t.api<{ error: { code: string } }>("GET", path, undefined, clerk)).body.error.code).toBe("FORBIDDEN");
      expect((await t.api<{ error: { code: string } }>("GET", path, undefined, sup)).body.error.code).toBe("FORBIDDEN");
    }
    const bad = await t.api<{ error: { code: string } }>("GET", "/api/audit?action=drop.table", undefined, admin);
    expect(bad.status).toBe(400);
    expect(bad.body.error.code).toBe("VALIDATION_FAILED");
  });

  it("records a takeover over REST and an out-of-order call over the socket, with the reason masked", async () => {
    const clerk = (await t.login("zhangwei")).token;
    expect((await t.api("POST", "/api/counters/c01/sign-in", undefined, clerk)).status).toBe(200);
    const sup = (await t.login("wangli")).token;
    expect((await t.api("POST", "/api/counters/c01/sign-in", { takeover: true }, sup)).status).toBe(200);
    const [take] = await rows("action=counter.takeover");
    expect(take).toMatchObject({ actorName: "王丽", target: "c01", detail: { from: "张伟" }, via: "http" });

    const ticket = (await t.issue<IssuedTicket>({ matterId: "m-001" })).body;
    const s = t.socket({ token: sup });
    await connected(s);
    const ack = await s.emitWithAck("counter:command", {
      type: "call",
      counterId: "c01",
      ticketId: ticket.id,
      reason: "老人优先 电话13812345678",
    });
    expect(ack.ok).toBe(true);
    const [call] = await rows("action=counter.call-out-of-order");
    expect(call).toMatchObject({
      target: "c01",
      via: "socket",
      detail: { ticket: ticket.number, reason: "老人优先 电话138****5678" },
    });
    // The socket's address is recorded too.
    expect(call?.ip).toMatch(/127\.0\.0\.1$/);
  });

  it("records a catalogue change with its diff", async () => {
    const hall = (await t.api<Catalogue>("GET", "/api/hall")).body;
    const before = hall.hall.notice;
    const plain = {
      ...hall,
      matters: hall.matters.map(({ initials: _i, ...m }) => m),
      hall: { ...hall.hall, notice: "今日演练" },
    };
    expect((await t.api("PUT", "/api/catalogue", plain, admin)).status).toBe(200);
    const [c] = await rows("action=catalogue.replace");
    expect(c?.detail.changes).toEqual([{ path: "hall.notice", ...(before !== undefined ? { before } : {}), after: "今日演练" }]);
    expect(c?.detail.truncated).toBeUndefined();
    // The text filter finds it by what changed.
    expect((await rows("q=今日演练")).map((r) => r.seq)).toContain(c?.seq);
  });

  it("records staff changes without the password, and a disabled account can no longer sign in", async () => {
    const made = await t.api<{ staff: { id: string }; password: string }>(
      "POST",
      "/api/staff",
      { username: "zhaoliu", name: '=HYPERLINK("x")', role: "clerk", counterId: "c05" },
      admin,
    );
    expect(made.status).toBe(201);
    const id = made.body.staff.id;
    const reset = await t.api<{ password: string }>("POST", `/api/staff/${id}/password`, {}, admin);
    expect(reset.status).toBe(200);
    const upd = await t.api<{ counterId?: string; disabled?: boolean }>(
      "PATCH",
      `/api/staff/${id}`,
      { counterId: "c06", disabled: true },
      admin,
    );
    expect(upd.status).toBe(200);
    expect(upd.body).toMatchObject({ counterId: "c06", disabled: true });
    expect((await t.api("POST", "/api/auth/login", { username: "zhaoliu", password: reset.body.password })).status).toBe(401);

    const staffRows = await rows(`action=staff.&q=${id}`);
    expect(staffRows.map((r) => r.action)).toEqual(["staff.update", "staff.password-reset", "staff.create"]);
    expect(staffRows[0]?.detail.changes).toEqual([
      { path: "counterId", before: "c05", after: "c06" },
      { path: "disabled", after: true },
    ]);
    const all = JSON.stringify(await rows("limit=500"));
    expect(all).not.toContain(made.body.password);
    expect(all).not.toContain(reset.body.password);
    const [failed] = await rows("action=auth.login-failed");
    expect(failed).toMatchObject({ actorId: id, detail: { disabled: true } });
    // An admin cannot disable themselves.
    const me = (await t.api<{ staff: { id: string } }>("GET", "/api/auth/me", undefined, admin)).body.staff.id;
    expect((await t.api("PATCH", `/api/staff/${me}`, { disabled: true }, admin)).status).toBe(409);
  });

  it("records a pairing approved by an admin", async () => {
    const req = await t.api<{ code: string }>("POST", "/api/pairings", { role: "kiosk", id: "k7" });
    expect(req.status).toBe(201);
    expect((await t.api("POST", `/api/pairings/${req.body.code}/approve`, { role: "kiosk", id: "k7" }, admin)).status).toBe(200);
    const [p] = await rows("action=pairing.approve");
    expect(p).toMatchObject({
      actorName: "管理员",
      target: "kiosk:k7",
      detail: { code: req.body.code, role: "kiosk", id: "k7" },
    });
  });

  it("records a device edit with its diff, and test prints with their result", async () => {
    const list = await t.api<{ id: string; kind: string; name: string }[]>("GET", "/api/devices", undefined, admin);
    const printer = list.body.find((d) => d.kind === "printer");
    if (!printer) throw new Error("the demo hall has no printer");
    const { status: _s, ...cfg } = list.body.find((d) => d.id === printer.id) as Record<string, unknown>;
    expect(
      (await t.api("PUT", `/api/devices/${printer.id}`, { ...cfg, id: undefined, name: "一号取号机打印机" }, admin)).status,
    ).toBe(200);
    const [put] = await rows("action=device.put");
    expect(put).toMatchObject({
      target: printer.id,
      detail: { changes: [{ path: "name", before: printer.name, after: "一号取号机打印机" }] },
    });

    const ok = await t.api<{ status: string }>("POST", `/api/devices/${printer.id}/test-print`, {}, admin);
    expect(ok.body).toEqual({ status: "printed", printerId: printer.id });
    expect((await t.api("POST", `/api/devices/${printer.id}/simulate`, { fault: "paper_out" }, admin)).status).toBe(200);
    const out = await t.api<{ status: string; error?: string }>("POST", `/api/devices/${printer.id}/test-print`, {}, admin);
    expect(out.body).toMatchObject({ status: "failed", error: "PAPER_OUT" });
    expect((await t.api("POST", `/api/devices/${printer.id}/simulate`, { fault: "ok" }, admin)).status).toBe(200);
    const prints = await rows("action=device.test-print");
    expect(prints.map((r) => r.detail)).toEqual([{ result: "failed", error: "PAPER_OUT" }, { result: "printed" }]);
    // Only ticket printers print a test ticket; unknown devices are unknown.
    const led = list.body.find((d) => d.kind === "led");
    if (led) expect((await t.api("POST", `/api/devices/${led.id}/test-print`, {}, admin)).status).toBe(400);
    expect((await t.api<{ error: { code: string } }>("POST", "/api/devices/nope/test-print", {}, admin)).body.error.code).toBe(
      "UNKNOWN_DEVICE",
    );
  });

  it("exports CSV (formula-safe, BOM) and XLSX, and records each export", async () => {
    const csv = await fetch(`${t.url}/api/audit/export.csv?action=staff.create`, {
      headers: { authorization: `Bearer ${admin}` },
    });
    expect(csv.status).toBe(200);
    expect(csv.headers.get("content-type")).toMatch(/text\/csv/);
    const bytes = Buffer.from(await csv.arrayBuffer());
    // UTF-8 with a BOM, so Excel reads the Chinese headers.
    expect([...bytes.subarray(0, 3)]).toEqual([0xef, 0xbb, 0xbf]);
    const text = bytes.subarray(3).toString("utf8");
    const lines = text.trim().split("\r\n");
    expect(lines[0]).toContain("操作人");
    expect(lines).toHaveLength(2);
    // The name typed as a formula is a string in the spreadsheet, and so is the diff holding it.
    expect(lines[1]).toContain("staff.create");
    expect(lines[1]).not.toMatch(/,=/);

    const x = await fetch(`${t.url}/api/audit/export.xlsx?lang=en&action=pairing.`, {
      headers: { authorization: `Bearer ${admin}` },
    });
    expect(x.status).toBe(200);
    const wb = new ExcelJS.Workbook();
    await wb.xlsx.load(Buffer.from(await x.arrayBuffer()) as unknown as ArrayBuffer);
    const ws = wb.getWorksheet("Audit log");
    expect(ws?.getRow(1).getCell(6).value).toBe("Action");
    expect(ws?.getRow(2).getCell(6).value).toBe("pairing.approve");
    expect(ws?.getRow(2).getCell(7).value).toBe("kiosk:k7");
    expect(ws?.rowCount).toBe(2);

    const exports = await rows("action=audit.export");
    expect(exports.map((r) => r.detail.format)).toEqual(["xlsx", "csv"]);
    expect(exports[1]?.detail.rows).toBe(1);
  });

  it("checks the whole chain", async () => {
    const v = await t.api<AuditVerify>("GET", "/api/audit/verify", undefined, admin);
    expect(v.body.ok).toBe(true);
    expect(v.body.checked).toBeGreaterThanOrEqual(15);
    const [newest] = await rows("limit=1");
    expect(v.body.head).toBe(newest?.hash);
  });
});
