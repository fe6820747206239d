import { readdir, readFile, mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { type Socket, io } from "socket.io-client";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { DeviceStatus } from "../../../server/src/contract/devices.ts";
import type { IssuedTicket, KioskInput, PrintResult } from "../../../server/src/contract/events.ts";
import type { Ticket } from "../../../server/src/contract/tickets.ts";
import type { IdCardText } from "../../../hardware/idreader/protocol.ts";
import { type RunningHub, startHub } from "../../../server/src/app.ts";
import { holderHeader } from "../../helpers/hub.ts";
import { jsonApi, pairDevice, sleep, until } from "../../helpers/http.ts";

// The kiosk's devices (ID card reader, scanner, ticket printer) as simulators inside the
// running hub, observed through the kiosk's socket room, REST and the printer's output.

const ID_NUMBER = "371426199001011234";
const CARD: IdCardText = {
  name: "王小明",
  sexCode: "1",
  birthDate: "19900101",
  nationCode: "01",
  address: "山东省德州市平原县龙门街道1号",
  idNumber: ID_NUMBER,
  issuer: "平原县公安局",
  validFrom: "20200101",
  validTo: "20400101",
};

let hub: RunningHub;
let dataDir: string;
let adminToken: string;
const logs: string[] = [];
/** Every REST body the tests received, to check no full ID number ever left the hub. */
const restBodies: string[] = [];
const sockets: Socket[] = [];

const api = jsonApi(
  () => hub.url,
  (text) => restBodies.push(text),
);

function sims(id: string) {
  const s = hub.devices.simulators(id);
  if (!s) throw new Error(`no simulated device ${id}`);
  return s;
}

interface Listener {
  socket: Socket;
  events: { name: string; payload: unknown }[];
  /** Every payload as JSON, for the privacy check. */
  raw: string[];
}

/** Device tokens of the kiosks paired in this file (the kiosk rooms are theirs only). */
const kioskTokens = new Map<string, string>();
async function kioskToken(kioskId: string): Promise<string> {
  let tok = kioskTokens.get(kioskId);
  if (!tok) {
    tok = await pairDevice(hub.url, "kiosk", kioskId, adminToken);
    kioskTokens.set(kioskId, tok);
  }
  return tok;
}
/** Issue as kiosk `body.kioskId` with its device token, or as staff (admin) without one. */
async function issue<T>(body: Record<string, unknown>) {
  const who = typeof body.kioskId === "string" ? await kioskToken(body.kioskId) : adminToken;
  return api<T>("POST", "/api/tickets", body, who);
}

async function listen(subscription: Record<string, string>): Promise<Listener> {
  const screenId = subscription.screenId ?? "";
  const kiosk = /^kiosk-(.+)$/.exec(screenId)?.[1];
  const auth = kiosk ? { deviceToken: await kioskToken(kiosk) } : {};
  const socket = io(hub.url, { transports: ["websocket"], reconnection: false, auth });
  sockets.push(socket);
  const l: Listener = { socket, events: [], raw: [] };
  socket.onAny((name: string, payload: unknown) => {
    l.events.push({ name, payload });
    l.raw.push(JSON.stringify(payload));
  });
  const ack = await socket.timeout(3000).emitWithAck("subscribe", subscription);
  expect(ack.ok).toBe(true);
  return l;
}

function kioskInputs(l: Listener): KioskInput[] {
  return l.events.filter((e) => e.name === "kiosk:input").map((e) => e.payload as KioskInput);
}

async function filesUnder(dir: string): Promise<string[]> {
  const out: string[] = [];
  for (const e of await readdir(dir, { withFileTypes: true })) {
    const p = join(dir, e.name);
    if (e.isDirectory()) out.push(...(await filesUnder(p)));
    else if (e.isFile()) out.push(p);
  }
  return out;
}

beforeAll(async () => {
  dataDir = await mkdtemp(join(tmpdir(), "onevisit-kioskdev-"));
  hub = await startHub({
    port: 0,
    host: "127.0.0.1",
    dataDir,
    adminPassword: "test-admin-pw",
    log: (l) => logs.push(l),
    espeakPath: join(dataDir, "no-espeak"),
  });
  const login = await api<{ token: string }>("POST", "/api/auth/login", { username: "admin", password: "test-admin-pw" });
  expect(login.status).toBe(200);
  adminToken = login.body.token;
});

afterAll(async () => {
  for (const s of sockets) s.close();
  await hub?.close();
  if (dataDir) await rm(dataDir, { recursive: true, force: true });
});

describe("devices/ID card reader at kiosk k1", () => {
  it("sends the kiosk a token and masked data, issues once per matter per day, and never lets the number out", async () => {
    const kiosk = await listen({ view: "screen", screenId: "kiosk-k1" });
    const other = await listen({ view: "screen", screenId: "kiosk-k2" });
    const wall = await listen({ view: "hall" });
    const reader = sims("idreader-k1").idSim;
    if (!reader) throw new Error("idreader-k1 has no simulator");

    reader.placeCard(CARD);
    const first = await until(() => kioskInputs(kiosk)[0], 3000, "kiosk:input id_card");
    expect(first).toMatchObject({ kioskId: "k1", kind: "id_card", masked: "3714**********1234", name: "王**" });
    if (first.kind !== "id_card") throw new Error("expected an id_card input");
    expect(first.idToken.length).toBeGreaterThan(8);
    expect(first.idToken).not.toContain(ID_NUMBER);
    // Another kiosk's screen does not hear this kiosk's reader.
    expect(kioskInputs(other)).toEqual([]);

    const issued = await issue<IssuedTicket>({ matterId: "m-001", kioskId: "k1", idToken: first.idToken });
    expect(issued.status).toBe(201);
    // A token is good for one ticket only.
    const reused = await issue<{ error: { code: string } }>({
      matterId: "m-002",
      kioskId: "k1",
      idToken: first.idToken,
    });
    expect(reused.status).toBe(400);

    // The visitor lifts the card and lays it down again: a new reading, a new token.
    reader.removeCard();
    await sleep(1600);
    reader.placeCard(CARD);
    const second = await until(() => kioskInputs(kiosk)[1], 4000, "second kiosk:input");
    if (second.kind !== "id_card") throw new Error("expected an id_card input");
    expect(second.idToken).not.toBe(first.idToken);
    const dup = await issue<{ error: { code: string } }>({
      matterId: "m-001",
      kioskId: "k1",
      idToken: second.idToken,
    });
    expect(dup.status).toBe(409);
    expect(dup.body.error.code).toBe("DUPLICATE_ID_TICKET");
    // Another matter the same day is fine, with the token the refusal did not use up.
    const otherMatter = await issue<IssuedTicket>({
      matterId: "m-002",
      kioskId: "k1",
      idToken: second.idToken,
    });
    expect(otherMatter.status).toBe(201);

    // Staff views carry the masked number, never the full one.
    const c01 = await api("POST", "/api/counters/c01/sign-in", {}, adminToken);
    expect(c01.status).toBe(200);
    const call = await api<Ticket>("POST", `/api/counters/c01/call/${issued.body.id}`, {}, adminToken);
    expect(call.status).toBe(200);
    expect(call.body.idMasked).toBe("3714**********1234");
    await api("GET", "/api/counters/c01", undefined, adminToken);
    await api("GET", `/api/tickets/${issued.body.id}`);
    await api("GET", "/api/state");
    await api("GET", "/api/devices", undefined, adminToken);

    for (const text of [...restBodies, ...kiosk.raw, ...other.raw, ...wall.raw, ...logs]) expect(text).not.toContain(ID_NUMBER);
    expect(wall.events.some((e) => e.name === "ticket:issued")).toBe(true);
    const files = await filesUnder(dataDir);
    expect(files.some((f) => f.endsWith(".jsonl"))).toBe(true);
    for (const f of files) {
      const bytes = await readFile(f);
      expect(bytes.includes(ID_NUMBER), f).toBe(false);
      expect(bytes.includes(Buffer.from(ID_NUMBER, "utf16le")), f).toBe(false);
    }
  });
});

describe("devices/scanner at kiosk k1", () => {
  it("a scanned booking code reaches the kiosk's screen and issues an appointment ticket", async () => {
    const kiosk = await listen({ view: "screen", screenId: "kiosk-k1" });
    const scanner = sims("scanner-k1").scannerSim;
    if (!scanner) throw new Error("scanner-k1 has no simulator");
    const booking = hub.bookings[0];
    if (!booking) throw new Error("the demo hall has no booking today");
    await scanner.scan(booking.code);
    const input = await until(() => kioskInputs(kiosk)[0], 3000, "kiosk:input appointment");
    expect(input).toEqual({ kioskId: "k1", kind: "appointment", code: booking.code });
    const t = await issue<IssuedTicket>({ appointmentCode: booking.code, kioskId: "k1" });
    expect(t.status).toBe(201);
    expect(t.body.priority).toBe("appointment");
    expect(t.body.matterId).toBe(booking.matterId);
  });
});

describe("devices/ticket printer at kiosk k1", () => {
  it("prints each ticket issued at the kiosk", async () => {
    const printer = sims("printer-k1").printerSim;
    if (!printer) throw new Error("printer-k1 has no simulator");
    const before = printer.tickets.length;
    const t = await issue<IssuedTicket>({ matterId: "m-001", kioskId: "k1" });
    expect(t.status).toBe(201);
    expect(t.body.print).toEqual({ status: "printed", printerId: "printer-k1" });
    const paper = await until(
      () => printer.tickets.slice(before).find((p) => p.lines.includes(t.body.number)),
      2000,
      "the ticket on paper",
    );
    expect(paper.lines).toContain("企业设立登记");
    expect(paper.qr).toEqual([t.body.phoneUrl]);
    // A ticket taken without a kiosk (phone, web) prints nothing.
    const count = printer.tickets.length;
    const web = await issue<IssuedTicket>({ matterId: "m-001" });
    expect(web.body.print).toEqual({ status: "none" });
    await sleep(200);
    expect(printer.tickets.length).toBe(count);
  });

  it("paper out: the ticket is still issued and callable, the hall is told, and after refill the reprint prints once", async () => {
    const wall = await listen({ view: "hall" });
    const printer = sims("printer-k1").printerSim;
    if (!printer) throw new Error("printer-k1 has no simulator");

    const clerkish = await api("POST", "/api/devices/printer-k1/simulate", { fault: "paper_out" });
    expect(clerkish.status).toBe(401);
    const sim = await api<DeviceStatus>("POST", "/api/devices/printer-k1/simulate", { fault: "paper_out" }, adminToken);
    expect(sim.status).toBe(200);
    const st = await until(
      () =>
        wall.events.find(
          (e) =>
            e.name === "device:status" &&
            (e.payload as DeviceStatus).id === "printer-k1" &&
            (e.payload as DeviceStatus).health === "paper_out",
        )?.payload as DeviceStatus | undefined,
      3000,
      "device:status paper_out",
    );
    expect(st.kind).toBe("printer");
    const listed = await api<{ id: string; status: DeviceStatus }[]>("GET", "/api/devices", undefined, adminToken);
    expect(listed.body.find((d) => d.id === "printer-k1")?.status.health).toBe("paper_out");

    await sleep(200); // let earlier tickets' bytes reach the simulator before counting
    const printed = printer.tickets.length;
    const t = await issue<IssuedTicket>({ matterId: "m-001", kioskId: "k1" });
    expect(t.status).toBe(201);
    expect(t.body.print).toEqual({ status: "failed", printerId: "printer-k1", error: "PAPER_OUT" });
    expect(printer.tickets.length).toBe(printed);
    const got = await api<{ status: string; number: string }>("GET", `/api/tickets/${t.body.id}`);
    expect(got.status).toBe(200);
    expect(got.body).toMatchObject({ status: "waiting", number: t.body.number });
    // Reprinting while the paper is still out fails the same way and prints nothing.
    const early = await api<{ print: PrintResult }>(
      "POST",
      `/api/tickets/${t.body.id}/reprint`,
      {
        kioskId: "k1",
        requestId: "req-0",
      },
      undefined,
      holderHeader(t.body.holderKey),
    );
    expect(early.body.print).toEqual({ status: "failed", printerId: "printer-k1", error: "PAPER_OUT" });

    const ok = await api<DeviceStatus>("POST", "/api/devices/printer-k1/simulate", { fault: "ok" }, adminToken);
    expect(ok.status).toBe(200);
    await until(
      () =>
        wall.events.some(
          (e) =>
            e.name === "device:status" &&
            (e.payload as DeviceStatus).id === "printer-k1" &&
            (e.payload as DeviceStatus).health === "online",
        ),
      3000,
      "device:status online",
    );
    const re1 = await api<{ print: PrintResult }>(
      "POST",
      `/api/tickets/${t.body.id}/reprint`,
      {
        kioskId: "k1",
        requestId: "req-1",
      },
      undefined,
      holderHeader(t.body.holderKey),
    );
    expect(re1.body.print).toEqual({ status: "printed", printerId: "printer-k1" });
    // The kiosk retries the same request (say, its reply was lost): no second paper ticket.
    const re2 = await api<{ print: PrintResult }>(
      "POST",
      `/api/tickets/${t.body.id}/reprint`,
      {
        kioskId: "k1",
        requestId: "req-1",
      },
      undefined,
      holderHeader(t.body.holderKey),
    );
    expect(re2.body.print).toEqual({ status: "printed", printerId: "printer-k1" });
    await until(() => printer.tickets.length > printed, 2000, "the reprint on paper");
    await sleep(300);
    expect(printer.tickets.length).toBe(printed + 1);
    expect(printer.tickets.at(-1)?.lines).toContain(t.body.number);
    expect(printer.lostTickets).toBe(0);

    // The ticket whose print failed is a normal ticket: a counter calls it.
    const clerk = hub.created?.staff.find((s) => s.counterId === "c02");
    if (!clerk) throw new Error("the demo hall has no clerk at c02");
    const login = await api<{ token: string }>("POST", "/api/auth/login", { username: clerk.username, password: clerk.password });
    expect((await api("POST", "/api/counters/c02/sign-in", {}, login.body.token)).status).toBe(200);
    const call = await api<Ticket>("POST", `/api/counters/c02/call/${t.body.id}`, {}, login.body.token);
    expect(call.status).toBe(200);
    expect(call.body).toMatchObject({ id: t.body.id, status: "called", counterId: "c02" });
  });
});
