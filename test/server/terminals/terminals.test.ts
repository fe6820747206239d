/**
 * Self-service terminals over the real hub: terminal t1's devices configured through the
 * API (simulated ID card reader, scanner and A4 printer), the visitor identified by the
 * card read there (socket.io-client in the terminal's room, fetch with its device token),
 * a certificate printed once — the jam that does not count, the second copy refused, the
 * card that does not own the case, the printer offline or out of paper — and the other
 * ways to query: the receipt's QR, the case number with the phone's last four digits.
 */
import { type Socket, io } from "socket.io-client";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Case, PublicCase } from "../../../server/src/contract/cases.ts";
import type { HallNow, TerminalCase, TerminalCaseList, TerminalInput } from "../../../server/src/contract/terminals.ts";
import { pdfText } from "../../helpers/ippeveprinter.ts";
import { startTestHub, type TestHub } from "../../helpers/hub.ts";
import { makeCase, placeCard, removeCard, setUpTerminal } from "./fixtures.ts";

const OWNER = { name: "王小明", idNumber: "371426199001011234", phone: "13912345678" };
const OTHER = { name: "赵六", idNumber: "37142619850505432X", phone: "13600001111" };

describe("terminals: query and print once", { timeout: 90_000 }, () => {
  let t: TestHub;
  let dev = "";
  const log: string[] = [];
  const sockets: Socket[] = [];
  const inputs: TerminalInput[] = [];
  let mine: Case;
  let theirs: Case;
  // biome-ignore lint/suspicious/noExplicitAny: replies are untyped JSON, as with t.api()
  const api = <T = any>(method: string, path: string, body?: unknown) => t.api<T>(method, path, body, dev);
  const sim = () => {
    const s = t.hub.devices.simulators("a4-t1")?.a4Sim;
    if (!s) throw new Error("no simulated A4 printer");
    return s;
  };
  const fault = async (f: string) => {
    const r = await t.api("POST", "/api/devices/a4-t1/simulate", { fault: f }, await t.adminToken());
    expect(r.status).toBe(200);
  };
  const health = async () =>
    (
      (await t.api("GET", "/api/devices", undefined, await t.adminToken())).body as {
        id: string;
        status: { health: string; detail?: string };
      }[]
    ).find((d) => d.id === "a4-t1")?.status;
  /** Read the card and wait for the terminal's screen to hear of it. */
  const read = async (card: typeof OWNER): Promise<string> => {
    const before = inputs.length;
    placeCard(t, card);
    await expect.poll(() => inputs.length, { timeout: 5000 }).toBeGreaterThan(before);
    const got = inputs.at(-1);
    if (got?.kind !== "id_card") throw new Error(`expected an ID card, got ${JSON.stringify(got)}`);
    await removeCard(t);
    return got.idToken;
  };

  beforeAll(async () => {
    t = await startTestHub({ log: (l) => log.push(l) });
    await setUpTerminal(t);
    dev = await t.deviceToken("terminal", "t1");
    mine = await makeCase(t, OWNER);
    theirs = await makeCase(t, OTHER);
    const s = io(t.url, { transports: ["websocket"], forceNew: true, reconnection: false, auth: { deviceToken: dev } });
    sockets.push(s);
    s.on("terminal:input" as never, (e: TerminalInput) => {
      inputs.push(e);
    });
    const ack = await s.timeout(3000).emitWithAck("subscribe", { view: "screen", screenId: "terminal-t1" });
    expect(ack.ok).toBe(true);
  }, 180_000);
  afterAll(async () => {
    for (const s of sockets) s.disconnect();
    await t?.close();
  });

  it("only the terminal paired as t1 opens its screen room and its routes", async () => {
    const kiosk = io(t.url, {
      transports: ["websocket"],
      forceNew: true,
      reconnection: false,
      auth: { deviceToken: await t.deviceToken("kiosk", "k1") },
    });
    const t2 = io(t.url, {
      transports: ["websocket"],
      forceNew: true,
      reconnection: false,
      auth: { deviceToken: await t.deviceToken("terminal", "t2") },
    });
    sockets.push(kiosk, t2);
    for (const s of [kiosk, t2]) {
      const ack = await s.timeout(3000).emitWithAck("subscribe", { view: "screen", screenId: "terminal-t1" });
      expect(ack).toMatchObject({ ok: false, error: "FORBIDDEN" });
    }
    const other = await t.api("GET", "/api/terminals/t1/hall", undefined, await t.deviceToken("terminal", "t2"));
    expect(other.status).toBe(403);
    expect(other.body.error.code).toBe("FORBIDDEN");
    expect((await t.api("GET", "/api/terminals/t1/hall")).body.error.code).toBe("UNAUTHENTICATED");
    expect((await t.api("GET", "/api/terminals/t1/hall", undefined, (await t.login("zhangwei")).token)).body.error.code).toBe(
      "FORBIDDEN",
    );
  });

  it("a card read at t1 lists that person's cases, masked, and nothing of the number leaves the hub", async () => {
    const token = await read(OWNER);
    const input = inputs.at(-1);
    expect(input).toMatchObject({ terminalId: "t1", kind: "id_card", masked: "3714**********1234", name: "王**" });
    const r = await api<TerminalCaseList>("GET", `/api/terminals/t1/cases?idToken=${token}`);
    expect(r.status).toBe(200);
    expect(r.body.masked).toBe("3714**********1234");
    expect(r.body.cases.map((c) => c.caseNo)).toEqual([mine.caseNo]);
    expect(r.body.cases[0]).toMatchObject({
      status: "certificate_ready",
      selfPrint: "ready",
      applicant: { nameMasked: "王**", phoneMasked: "139****5678" },
    });
    expect(r.body.cases[0]?.collectAt?.zh).toContain("统一出证窗口");
    const text = JSON.stringify([r.body, inputs]);
    expect(text).not.toContain(OWNER.idNumber);
    expect(text).not.toContain(OWNER.phone);
    expect(text).not.toContain("小明");
    expect(log.join("\n")).not.toContain(OWNER.idNumber);
  });

  it("refuses the certificate of someone else's case to this card (NOT_CASE_OWNER), printing nothing", async () => {
    const token = await read(OWNER);
    const jobs = sim().jobs.length;
    const r = await api("POST", "/api/terminals/t1/certificates", { caseNo: theirs.caseNo, idToken: token });
    expect(r.status).toBe(403);
    expect(r.body.error.code).toBe("NOT_CASE_OWNER");
    expect(sim().jobs.length).toBe(jobs);
  });

  it("a jam mid-page does not count: the printer is reported jammed, the retry after clearing prints, a second copy is refused", async () => {
    const token = await read(OWNER);
    await fault("jam");
    const jammed = await api("POST", "/api/terminals/t1/certificates", { caseNo: mine.caseNo, idToken: token });
    expect(jammed.status).toBe(503);
    expect(jammed.body.error.code).toBe("PRINTER_JAMMED");
    expect(sim().jobs.at(-1)?.state).toBe(8);
    await expect.poll(async () => (await health())?.detail, { timeout: 5000 }).toBe("MEDIA_JAM");
    const list = await api<TerminalCaseList>("GET", `/api/terminals/t1/cases?idToken=${token}`);
    expect(list.body.cases[0]?.selfPrint).toBe("ready");

    // The visitor's progress page follows the case (its public room).
    const progress = io(t.url, { transports: ["websocket"], forceNew: true, reconnection: false });
    sockets.push(progress);
    const seen: PublicCase[] = [];
    progress.on("case:progress", (p: PublicCase) => {
      seen.push(p);
    });
    const sub = await progress.timeout(3000).emitWithAck("cases:subscribe", { view: "case", caseNo: mine.caseNo, check: "5678" });
    expect(sub.ok).toBe(true);

    await fault("ok");
    const ok = await api("POST", "/api/terminals/t1/certificates", { caseNo: mine.caseNo, idToken: token });
    expect(ok.status, JSON.stringify(ok.body)).toBe(200);
    expect(ok.body).toEqual({ caseNo: mine.caseNo, print: { status: "printed", printerId: "a4-t1" } });
    const text = pdfText(sim().printed.at(-1) as Buffer);
    expect(text).toContain(mine.caseNo);
    expect(text).toContain("王小明");
    expect(text).toContain("企业注销登记");
    expect(text).toContain("3714**********1234");

    const twice = await api("POST", "/api/terminals/t1/certificates", { caseNo: mine.caseNo, idToken: token });
    expect(twice.status).toBe(409);
    expect(twice.body.error.code).toBe("ALREADY_PRINTED");
    expect(sim().printed.length).toBe(1);
    const after = await api<TerminalCaseList>("GET", `/api/terminals/t1/cases?idToken=${token}`);
    expect(after.body.cases[0]).toMatchObject({ selfPrint: "printed", status: "collected" });

    // The print is the hand-over: collected by the applicant, at terminal t1, recorded once.
    const admin = await t.adminToken();
    const stored = (await t.api<Case>("GET", `/api/cases/${mine.caseNo}`, undefined, admin)).body;
    expect(stored.status).toBe("collected");
    expect(stored.collection).toMatchObject({
      kind: "applicant",
      via: "self_print",
      terminalId: "t1",
      name: "王小明",
      idMasked: "3714**********1234",
    });
    expect(stored.collection?.counterId).toBeUndefined();
    expect(stored.transitions.filter((x) => x.action === "collect")).toHaveLength(1);
    expect(stored.transitions.at(-1)).toMatchObject({ action: "collect", by: { role: "terminal", staffId: "terminal:t1" } });
    await expect.poll(() => seen.at(-1)?.status, { timeout: 5000 }).toBe("collected");
    expect(seen.at(-1)?.collection).toEqual({ kind: "applicant", via: "self_print", at: stored.collection?.at });
    // The certificate window will not hand it over again.
    const clerk = (await t.login("zhuhong")).token;
    await t.api("POST", "/api/counters/c43/sign-in", undefined, clerk);
    const again = await t.api(
      "POST",
      `/api/certificates/${mine.caseNo}/collect`,
      {
        counterId: "c43",
        expectedVersion: stored.version,
        collector: { kind: "applicant", name: OWNER.name, idNumber: OWNER.idNumber },
      },
      clerk,
      { "idempotency-key": "window-after-self-print" },
    );
    expect(again.body.error.code).toBe("CERTIFICATE_ALREADY_COLLECTED");
    expect((await t.api<Case>("GET", `/api/cases/${mine.caseNo}`, undefined, admin)).body.version).toBe(stored.version);
  });

  it("a second copy needs a clerk: printed at the window they hold (or on a terminal), numbered and recorded; never by a terminal", async () => {
    const admin = await t.adminToken();
    const clerk = (await t.login("zhuhong")).token;
    expect([200, 409]).toContain((await t.api("POST", "/api/counters/c43/sign-in", undefined, clerk)).status);
    const copy = (token: string, body: Record<string, unknown>, caseNo = mine.caseNo) =>
      t.api("POST", `/api/certificates/${caseNo}/reprint`, body, token);
    const reason = "原件污损";
    // The terminal itself cannot: its token is no clerk's.
    const byTerminal = await copy(dev, { counterId: "c43", reason });
    expect(byTerminal.status).toBe(401);
    expect(byTerminal.body.error.code).toBe("UNAUTHENTICATED");
    const approver = await copy((await t.login("gaojie")).token, { counterId: "c43", reason });
    expect(approver.body.error.code).toBe("FORBIDDEN");
    expect((await copy(clerk, { counterId: "c43", reason: " " })).body.error.code).toBe("VALIDATION_FAILED");
    // Window c43 has no A4 printer yet.
    const none = await copy(clerk, { counterId: "c43", reason });
    expect(none.status).toBe(503);
    expect(none.body.error.code).toBe("NO_PRINTER");
    const put = await t.api(
      "PUT",
      "/api/devices/a4-c43",
      { kind: "a4", name: "43号窗口 A4 打印机", transport: { type: "sim" }, assignment: { kind: "counter", counterId: "c43" } },
      admin,
    );
    expect(put.status, JSON.stringify(put.body)).toBe(200);
    const windowPrinter = () => {
      const s = t.hub.devices.simulators("a4-c43")?.a4Sim;
      if (!s) throw new Error("no A4 printer at c43");
      return s;
    };
    await expect.poll(async () => (await copy(clerk, { counterId: "c43", reason })).status, { timeout: 10_000 }).toBe(200);
    expect(windowPrinter().printed).toHaveLength(1);
    const text = pdfText(windowPrinter().printed[0] as Buffer);
    expect(text).toContain(mine.caseNo);
    expect(text).toContain("补打（第 2 份）");
    expect(text).toContain("43号窗口");
    expect(text).toContain("朱红");
    // On the terminal's printer instead: copy 3.
    const before = sim().printed.length;
    const onTerminal = await copy(clerk, { counterId: "c43", terminalId: "t1", reason: "遗失" });
    expect(onTerminal.status, JSON.stringify(onTerminal.body)).toBe(200);
    expect(onTerminal.body).toEqual({ caseNo: mine.caseNo, copy: 3, print: { status: "printed", printerId: "a4-t1" } });
    expect(sim().printed.length).toBe(before + 1);
    expect(pdfText(sim().printed.at(-1) as Buffer)).toContain("补打（第 3 份）");
    // Only at the window the clerk holds; a supervisor anywhere.
    const elsewhere = await copy(clerk, { counterId: "c44", reason });
    expect(elsewhere.status).toBe(403);
    expect(elsewhere.body.error.code).toBe("FORBIDDEN");
    const sup = await copy((await t.login("wangli")).token, { counterId: "c43", reason });
    expect(sup.body).toMatchObject({ copy: 4, print: { printerId: "a4-c43" } });
    // Nothing to copy: a certificate never self-printed is handed over at the window.
    const never = await copy(clerk, { counterId: "c43", reason }, theirs.caseNo);
    expect(never.status).toBe(409);
    expect(never.body.error.code).toBe("NOT_SELF_PRINTED");
    expect(windowPrinter().printed).toHaveLength(2);
    expect(log.filter((l) => /certificate copy \d+ of /.test(l))).toHaveLength(3);
    // A copy does not touch the case: still collected once, by the self-print.
    const stored = (await t.api<Case>("GET", `/api/cases/${mine.caseNo}`, undefined, admin)).body;
    expect(stored.transitions.filter((x) => x.action === "collect")).toHaveLength(1);
  });

  it("refuses a case not ready, a matter that is not self-printed, and an expired reading", async () => {
    const waiting = await makeCase(t, OWNER, { until: "accepted" });
    const windowOnly = await makeCase(t, OWNER, { matterId: "m-002" });
    const token = await read(OWNER);
    const notReady = await api("POST", "/api/terminals/t1/certificates", { caseNo: waiting.caseNo, idToken: token });
    expect(notReady.body.error.code).toBe("CERTIFICATE_NOT_READY");
    const notAllowed = await api("POST", "/api/terminals/t1/certificates", { caseNo: windowOnly.caseNo, idToken: token });
    expect(notAllowed.body.error.code).toBe("SELF_PRINT_NOT_ALLOWED");
    const list = await api<TerminalCaseList>("GET", `/api/terminals/t1/cases?idToken=${token}`);
    const state = Object.fromEntries(list.body.cases.map((c) => [c.caseNo, c.selfPrint]));
    expect(state).toEqual({ [mine.caseNo]: "printed", [waiting.caseNo]: "not_ready", [windowOnly.caseNo]: "not_allowed" });
    expect((await api("POST", "/api/terminals/t1/session/end", { idToken: token })).status).toBe(204);
    const gone = await api("GET", `/api/terminals/t1/cases?idToken=${token}`);
    expect(gone.status).toBe(401);
    expect(gone.body.error.code).toBe("ID_CARD_EXPIRED");
  });

  it("printer offline and out of paper: a clear code, nothing printed, the board shows it", async () => {
    const printed = sim().printed.length;
    await fault("unplug");
    await expect.poll(async () => (await health())?.health, { timeout: 5000 }).toBe("offline");
    const off = await api("POST", "/api/terminals/t1/guides/m-001");
    expect(off.status).toBe(503);
    expect(off.body.error.code).toBe("PRINTER_OFFLINE");
    await fault("ok");
    await expect.poll(async () => (await health())?.health, { timeout: 5000 }).toBe("online");
    await fault("paper_out");
    await expect.poll(async () => (await health())?.health, { timeout: 5000 }).toBe("paper_out");
    const paper = await api("POST", "/api/terminals/t1/guides/m-001");
    expect(paper.body.error.code).toBe("PRINTER_OUT_OF_PAPER");
    await fault("ok");
    expect(sim().printed.length).toBe(printed);
    const guide = await api("POST", "/api/terminals/t1/guides/m-001");
    expect(guide.status, JSON.stringify(guide.body)).toBe(200);
    const text = pdfText(sim().printed.at(-1) as Buffer);
    expect(text).toContain("办事指南：企业设立登记");
    expect(text).toContain("公司章程");
  });

  it("toner and paper running low: warnings on the device board and to the wall, the printer still prints", async () => {
    const wall = io(t.url, { transports: ["websocket"], forceNew: true, reconnection: false });
    sockets.push(wall);
    const statuses: { id: string; health: string; warnings?: string[] }[] = [];
    wall.on("device:status" as never, (d: { id: string; health: string; warnings?: string[] }) => {
      if (d.id === "a4-t1") statuses.push(d);
    });
    expect((await wall.timeout(3000).emitWithAck("subscribe", { view: "hall" })).ok).toBe(true);
    await fault("toner_low");
    await expect
      .poll(async () => (await health()) as unknown, { timeout: 5000 })
      .toMatchObject({
        health: "online",
        warnings: ["TONER_LOW"],
      });
    await fault("media_low");
    await expect
      .poll(async () => ((await health()) as { warnings?: string[] })?.warnings, { timeout: 5000 })
      .toEqual(["MEDIA_LOW", "TONER_LOW"]);
    await expect.poll(() => statuses.at(-1)?.warnings, { timeout: 5000 }).toEqual(["MEDIA_LOW", "TONER_LOW"]);
    expect(statuses.at(-1)?.health).toBe("online");
    const guide = await api("POST", "/api/terminals/t1/guides/m-001");
    expect(guide.status, JSON.stringify(guide.body)).toBe(200);
    await fault("ok");
    await expect.poll(() => statuses.at(-1)?.warnings, { timeout: 5000 }).toBeUndefined();
    expect(log.some((l) => l.includes("device a4-t1: warning TONER_LOW"))).toBe(true);
  });

  it("queries by the receipt's QR scanned at t1, and by case number with the phone's last four digits (rate-limited)", async () => {
    const before = inputs.length;
    await t.hub.devices.simulators("scanner-t1")?.scannerSim?.scan(`http://hall.example/q/${theirs.caseNo}`);
    await expect.poll(() => inputs.length, { timeout: 5000 }).toBeGreaterThan(before);
    const scan = inputs.at(-1);
    if (scan?.kind !== "receipt") throw new Error("expected a receipt scan");
    expect(scan.caseNo).toBe(theirs.caseNo);
    const byScan = await api<TerminalCase>("GET", `/api/terminals/t1/cases/${theirs.caseNo}?scanToken=${scan.scanToken}`);
    expect(byScan.body).toMatchObject({ caseNo: theirs.caseNo, status: "certificate_ready" });
    const forged = await api("GET", `/api/terminals/t1/cases/${mine.caseNo}?scanToken=${scan.scanToken}`);
    expect(forged.body.error.code).toBe("UNKNOWN_CASE");

    const byCheck = await api<TerminalCase>("GET", `/api/terminals/t1/cases/${theirs.caseNo}?check=1111`);
    expect(byCheck.status).toBe(200);
    expect(byCheck.body.applicant.phoneMasked).toBe("136****1111");
    const wrong = await api("GET", `/api/terminals/t1/cases/${theirs.caseNo}?check=0000`);
    expect(wrong.status).toBe(404);
    expect(wrong.body.error.code).toBe("UNKNOWN_CASE");
    const bad = await api("GET", `/api/terminals/t1/cases/${theirs.caseNo}?check=12`);
    expect(bad.body.error.code).toBe("VALIDATION_FAILED");
    // Ten wrong guesses an hour per case, then even the right digits wait.
    for (let i = 0; i < 10; i++) await api("GET", `/api/terminals/t1/cases/${theirs.caseNo}?check=${String(i).padStart(4, "9")}`);
    const limited = await api("GET", `/api/terminals/t1/cases/${theirs.caseNo}?check=1111`);
    expect(limited.status).toBe(429);
    expect(limited.body.error.code).toBe("RATE_LIMITED");
  });

  it("shows the hall now: waiting per series and the wait a newcomer can expect", async () => {
    for (let i = 0; i < 3; i++) await t.issue({ matterId: "m-001" });
    const r = await api<HallNow>("GET", "/api/terminals/t1/hall");
    expect(r.status).toBe(200);
    const a = r.body.queues.find((q) => q.prefix === "A");
    expect(a?.waiting).toBe(3);
    expect(a?.estimatedWaitMin).toBeGreaterThan(0);
    expect(a?.name).toBeTruthy();
  });
});
