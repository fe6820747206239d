import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import iconv from "iconv-lite";
import { type Socket, io } from "socket.io-client";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import type { DeviceConfig, DeviceStatus } from "../../../server/src/contract/devices.ts";
import type { IssuedTicket } from "../../../server/src/contract/events.ts";
import { type RunningHub, startHub } from "../../../server/src/app.ts";
import { DEFAULT_DEVICE_PATH_PREFIXES } from "../../../server/src/devices/device-paths.ts";
import { KeypadSimulator } from "../../../hardware/keypad/simulator.ts";
import { PrinterSimulator } from "../../../hardware/printer/simulator.ts";
import { SerialLink } from "../../../hardware/transport/serial.ts";
import { type PtyPair, startPtyPair } from "../../helpers/socat.ts";
import { jsonApi, sleep, until } from "../../helpers/http.ts";

// Devices configured over REST on real transports: a printer on a kernel pty (socat), the
// far end played by the printer simulator on its own SerialLink. Unplugging kills socat,
// as pulling the USB adapter would.

type DeviceWithStatus = DeviceConfig & { status: DeviceStatus };

let hub: RunningHub | undefined;
let dataDir: string;
let adminToken: string;
let clerkToken: string;
const logs: string[] = [];
const sockets: Socket[] = [];
let pair: PtyPair | undefined;
let far: { link: SerialLink; sim: PrinterSimulator; raw: Buffer[] } | undefined;
let keypadPair: PtyPair | undefined;
let keypadLink: SerialLink | undefined;

function url(): string {
  if (!hub) throw new Error("hub not running");
  return hub.url;
}

const api = jsonApi(url);

async function boot(): Promise<void> {
  hub = await startHub({
    port: 0,
    host: "127.0.0.1",
    dataDir,
    adminPassword: "test-admin-pw",
    log: (l) => logs.push(l),
    espeakPath: join(dataDir, "no-espeak"),
    // socat's pty links live in temp folders (stable names across unplug/replug), so the
    // hub is told to allow them, as a hall with unusual device names would set DEVICE_PATHS.
    devicePathPrefixes: [...DEFAULT_DEVICE_PATH_PREFIXES, join(tmpdir(), "onevisit-pty-")],
  });
  const admin = await api<{ token: string }>("POST", "/api/auth/login", { username: "admin", password: "test-admin-pw" });
  expect(admin.status).toBe(200);
  adminToken = admin.body.token;
}

/** Stop the hub and start it again on the same data folder. */
async function restart(): Promise<void> {
  await hub?.close();
  hub = undefined;
  await boot();
}

async function hallListener(): Promise<{ statuses: DeviceStatus[] }> {
  const socket = io(url(), { transports: ["websocket"], reconnection: false });
  sockets.push(socket);
  const out = { statuses: [] as DeviceStatus[] };
  socket.on("device:status", (s: DeviceStatus) => out.statuses.push(s));
  const ack = await socket.timeout(3000).emitWithAck("subscribe", { view: "hall" });
  expect(ack.ok).toBe(true);
  return out;
}

async function devices(): Promise<DeviceWithStatus[]> {
  const r = await api<DeviceWithStatus[]>("GET", "/api/devices", undefined, adminToken);
  expect(r.status).toBe(200);
  return r.body;
}

async function health(id: string): Promise<DeviceStatus | undefined> {
  return (await devices()).find((d) => d.id === id)?.status;
}

function printerK9(path: string): Omit<DeviceConfig, "id"> {
  return {
    kind: "printer",
    name: "9号自助取号机 热敏打印机（串口）",
    transport: { type: "serial", path, baudRate: 9600 },
    assignment: { kind: "kiosk", kioskId: "k9" },
    options: { paperWidthMm: 80 },
  };
}

async function issueAt(kioskId: string, matterId = "m-001"): Promise<IssuedTicket> {
  // Staff may issue for a kiosk (and print there); the kiosk itself would need a pairing.
  const r = await api<IssuedTicket>("POST", "/api/tickets", { matterId, kioskId }, adminToken);
  expect(r.status).toBe(201);
  return r.body;
}

beforeAll(async () => {
  dataDir = await mkdtemp(join(tmpdir(), "onevisit-serialdev-"));
  await boot();
  const clerk = hub?.created?.staff.find((s) => s.role === "clerk");
  if (!clerk) throw new Error("the demo hall has no clerk");
  const login = await api<{ token: string }>("POST", "/api/auth/login", { username: clerk.username, password: clerk.password });
  clerkToken = login.body.token;
});

afterEach(async () => {
  for (const s of sockets.splice(0)) s.close();
});

afterAll(async () => {
  // Each step on its own: one failing must not leave socat running or the folder behind.
  const steps: (() => Promise<unknown> | undefined)[] = [
    () => hub?.close(),
    () => far?.sim.close(),
    () => pair?.dispose(),
    () => keypadLink?.close(),
    () => keypadPair?.dispose(),
    () => (dataDir ? rm(dataDir, { recursive: true, force: true }) : undefined),
  ];
  const failures: unknown[] = [];
  for (const step of steps) await Promise.resolve(step()).catch((err: unknown) => failures.push(err));
  if (failures.length > 0) throw failures[0];
});

describe("devices/printer on a serial port, configured over REST", () => {
  it("prints over the pty, goes offline on unplug without stopping the hall, comes back on replug, and persists", async () => {
    pair = await startPtyPair();
    // The printer end: answers DLE EOT status questions and collects what arrives.
    const link = new SerialLink({ id: "far-printer", path: pair.pathB, baudRate: 9600 });
    far = { link, sim: new PrinterSimulator({ link }), raw: [] };
    const raw = far.raw;
    link.on("data", (c: Buffer) => raw.push(Buffer.from(c)));
    await far.sim.start();
    expect(link.state).toBe("open");
    const sim = far.sim;

    const wall = await hallListener();
    const put = await api<DeviceWithStatus>("PUT", "/api/devices/printer-k9", printerK9(pair.pathA), adminToken);
    expect(put.status).toBe(200);
    expect(put.body).toMatchObject({ id: "printer-k9", kind: "printer", transport: { type: "serial", path: pair.pathA } });
    await until(async () => (await health("printer-k9"))?.health === "online", 3000, "printer-k9 online");

    // A ticket at kiosk k9: its bytes arrive at the other end of the cable, in GB18030.
    const t1 = await issueAt("k9");
    expect(t1.print).toEqual({ status: "printed", printerId: "printer-k9" });
    await until(() => sim.tickets.length === 1, 3000, "ticket at the far end");
    const bytes = Buffer.concat(raw);
    expect(bytes.includes(iconv.encode(t1.number, "gb18030"))).toBe(true);
    expect(bytes.includes(iconv.encode("企业设立登记", "gb18030"))).toBe(true);
    expect(bytes.includes(iconv.encode("平原县市民服务中心", "gb18030"))).toBe(true);
    expect(sim.tickets[0]?.lines).toContain(t1.number);

    // Pull the cable.
    wall.statuses.length = 0;
    await pair.unplug();
    const unpluggedAt = Date.now();
    const off = await until(
      () => wall.statuses.find((s) => s.id === "printer-k9" && s.health === "offline"),
      2500,
      "device:status offline",
    );
    expect(Date.now() - unpluggedAt).toBeLessThan(2500);
    expect(off.kind).toBe("printer");
    // The hall keeps issuing; the reply says the print failed.
    const t2 = await issueAt("k9");
    expect(t2.print).toEqual({ status: "failed", printerId: "printer-k9", error: "OFFLINE" });
    expect((await api<{ status: string }>("GET", `/api/tickets/${t2.id}`)).body.status).toBe("waiting");
    expect((await api("GET", "/api/health")).status).toBe(200);

    // Plug it back in.
    wall.statuses.length = 0;
    await pair.replug();
    const repluggedAt = Date.now();
    await until(() => wall.statuses.find((s) => s.id === "printer-k9" && s.health === "online"), 2500, "device:status online");
    expect(Date.now() - repluggedAt).toBeLessThan(2500);
    await until(() => link.state === "open", 2000, "far end reopened");
    const t3 = await issueAt("k9");
    expect(t3.print).toEqual({ status: "printed", printerId: "printer-k9" });
    await until(() => sim.tickets.some((p) => p.lines.includes(t3.number)), 3000, "ticket after replug");
    // The ticket that failed was not printed behind the visitor's back.
    expect(sim.tickets.some((p) => p.lines.includes(t2.number))).toBe(false);

    // The configuration survives a restart of the hub on the same data folder.
    await restart();
    const again = (await devices()).find((d) => d.id === "printer-k9");
    expect(again).toMatchObject(printerK9(pair.pathA));
    await until(async () => (await health("printer-k9"))?.health === "online", 3000, "printer-k9 online after restart");
    const t4 = await issueAt("k9");
    expect(t4.print).toEqual({ status: "printed", printerId: "printer-k9" });

    // DELETE removes it, for good.
    expect((await api("DELETE", "/api/devices/printer-k9", undefined, adminToken)).status).toBe(204);
    expect((await devices()).some((d) => d.id === "printer-k9")).toBe(false);
    const t5 = await issueAt("k9");
    expect(t5.print).toEqual({ status: "none" });
    expect(
      (await api<{ error: { code: string } }>("DELETE", "/api/devices/printer-k9", undefined, adminToken)).body.error.code,
    ).toBe("UNKNOWN_DEVICE");
    await restart();
    expect((await devices()).some((d) => d.id === "printer-k9")).toBe(false);
  }, 45_000);
});

describe("devices/caller keypad and rating device on one RS-485 line, configured over REST", () => {
  it("keys on the far end of a pty drive the counter and the keypad's LCD follows", async () => {
    keypadPair = await startPtyPair();
    keypadLink = new SerialLink({ id: "far-keypads", path: keypadPair.pathB, baudRate: 9600 });
    const devicesEnd = new KeypadSimulator(keypadLink);
    await keypadLink.open();
    const line = { type: "serial", path: keypadPair.pathA, baudRate: 9600 } as const;
    const kp = await api<DeviceWithStatus>(
      "PUT",
      "/api/devices/keypad-c06-rs485",
      { kind: "keypad", name: "6号窗口 呼叫器", transport: line, assignment: { kind: "counter", counterId: "c06", address: 6 } },
      adminToken,
    );
    expect(kp.status).toBe(200);
    // The rating device shares the line (and the adapter) at another address.
    const rt = await api<DeviceWithStatus>(
      "PUT",
      "/api/devices/rating-c06-rs485",
      { kind: "rating", name: "6号窗口 评价器", transport: line, assignment: { kind: "counter", counterId: "c06", address: 16 } },
      adminToken,
    );
    expect(rt.status).toBe(200);
    await until(async () => (await health("keypad-c06-rs485"))?.health === "online", 3000, "keypad online");
    expect(await health("rating-c06-rs485")).toMatchObject({ health: "online" });

    expect((await api("POST", "/api/counters/c06/sign-in", {}, adminToken)).status).toBe(200);
    await issueAt("k1"); // someone is waiting in a line c06 serves
    const wall = io(url(), { transports: ["websocket"], reconnection: false });
    sockets.push(wall);
    const calls: { counterId: string; number: string }[] = [];
    wall.on("ticket:called", (e: { call: { counterId: string; number: string } }) => calls.push(e.call));
    expect((await wall.timeout(3000).emitWithAck("subscribe", { view: "hall" })).ok).toBe(true);

    await devicesEnd.press(6, "call");
    const call = await until(() => calls.find((c) => c.counterId === "c06"), 3000, "ticket:called at c06");
    const view = await api<{ current: { number: string } | null }>("GET", "/api/counters/c06", undefined, adminToken);
    expect(view.body.current?.number).toBe(call.number);
    await until(() => devicesEnd.lastText(6) === call.number, 3000, "keypad LCD shows the number");
    // The key was acknowledged on the line, so the keypad stops resending it.
    expect(devicesEnd.acks.some((a) => a.address === 6)).toBe(true);

    expect((await api("POST", "/api/counters/c06/start", {}, adminToken)).status).toBe(200);
    expect((await api("POST", "/api/counters/c06/request-rating", {}, adminToken)).status).toBe(200);
    await until(() => devicesEnd.ratingRequests.includes(16), 3000, "rating prompt at address 16");
    await devicesEnd.rate(16, 4);
    await until(
      async () =>
        (await api<{ counter: { lastRating?: number } }>("GET", "/api/counters/c06", undefined, adminToken)).body.counter
          .lastRating === 4,
      3000,
      "rating 4 recorded at c06",
    );

    for (const id of ["keypad-c06-rs485", "rating-c06-rs485"])
      expect((await api("DELETE", `/api/devices/${id}`, undefined, adminToken)).status).toBe(204);
  });
});

describe("devices/REST configuration is validated", () => {
  it("rejects bad device bodies and wrong roles without changing anything", async () => {
    const before = await devices();
    const good = printerK9("/dev/null-onevisit");
    const cases: { body: unknown; token?: string; status: number; code: string }[] = [
      { body: { ...good, kind: "fax" }, token: adminToken, status: 400, code: "VALIDATION_FAILED" },
      {
        body: { kind: good.kind, name: good.name, assignment: good.assignment },
        token: adminToken,
        status: 400,
        code: "VALIDATION_FAILED",
      },
      {
        body: { ...good, transport: { type: "serial", path: "/dev/ttyX" } },
        token: adminToken,
        status: 400,
        code: "VALIDATION_FAILED",
      },
      { body: { ...good, transport: { type: "carrier-pigeon" } }, token: adminToken, status: 400, code: "VALIDATION_FAILED" },
      { body: "printer", token: adminToken, status: 400, code: "VALIDATION_FAILED" },
      {
        body: { ...good, kind: "keypad", assignment: { kind: "counter", counterId: "c99", address: 1 } },
        token: adminToken,
        status: 404,
        code: "UNKNOWN_COUNTER",
      },
      { body: good, token: clerkToken, status: 403, code: "FORBIDDEN" },
      { body: good, status: 401, code: "UNAUTHENTICATED" },
    ];
    for (const c of cases) {
      const r = await api<{ error: { code: string } }>("PUT", "/api/devices/printer-bad", c.body, c.token);
      expect({ body: c.body, status: r.status, code: r.body?.error?.code }).toEqual({
        body: c.body,
        status: c.status,
        code: c.code,
      });
    }
    // A clerk may neither delete nor fault-inject.
    expect((await api("DELETE", "/api/devices/printer-k1", undefined, clerkToken)).status).toBe(403);
    expect((await api("POST", "/api/devices/printer-k1/simulate", { fault: "paper_out" }, clerkToken)).status).toBe(403);
    expect((await api("GET", "/api/devices", undefined, clerkToken)).status).toBe(403);
    const after = await devices();
    expect(after.map(({ status: _s, ...cfg }) => cfg)).toEqual(before.map(({ status: _s, ...cfg }) => cfg));
    expect(after.some((d) => d.id === "printer-bad")).toBe(false);
    expect(hub?.config.data.devices.some((d) => d.id === "printer-bad")).toBe(false);
    expect(after.find((d) => d.id === "printer-k1")?.status.health).toBe("online");
  });
});

describe("devices/a failing device never takes the hub down", () => {
  it("devices on missing ports or refused addresses report offline/error while the hall keeps working", async () => {
    // An allowed device path with nothing behind it (an unplugged USB-serial adapter).
    const missing = "/dev/ttyUSB-onevisit-missing";
    const bodies: [string, Omit<DeviceConfig, "id">][] = [
      ["printer-k8", { ...printerK9(missing), assignment: { kind: "kiosk", kioskId: "k8" } }],
      [
        "printer-k7",
        {
          kind: "printer",
          name: "网口打印机",
          // Port 1 on loopback: nothing listens there, the connection is refused.
          transport: { type: "tcp", host: "127.0.0.1", port: 1 },
          assignment: { kind: "kiosk", kioskId: "k7" },
        },
      ],
      [
        "keypad-c09-serial",
        {
          kind: "keypad",
          name: "9号窗口 呼叫器",
          transport: { type: "serial", path: missing, baudRate: 9600 },
          assignment: { kind: "counter", counterId: "c09", address: 9 },
        },
      ],
      [
        "led-c09-serial",
        {
          kind: "led",
          name: "9号窗口 LED",
          transport: { type: "serial", path: missing, baudRate: 9600 },
          assignment: { kind: "counter", counterId: "c09", address: 9 },
        },
      ],
      [
        "led-c10-usblp",
        // Window displays need an RS-485 bus: a USB printer-class path is a configuration error.
        {
          kind: "led",
          name: "10号窗口 LED",
          transport: { type: "usblp", path: missing },
          assignment: { kind: "counter", counterId: "c10", address: 10 },
        },
      ],
      [
        "idreader-k8",
        {
          kind: "idreader",
          name: "8号机 身份证阅读器",
          transport: { type: "serial", path: missing, baudRate: 115200 },
          assignment: { kind: "kiosk", kioskId: "k8" },
        },
      ],
      [
        "scanner-k8",
        {
          kind: "scanner",
          name: "8号机 扫码器",
          transport: { type: "serial", path: missing, baudRate: 9600 },
          assignment: { kind: "kiosk", kioskId: "k8" },
        },
      ],
    ];
    for (const [id, body] of bodies) {
      const r = await api<DeviceWithStatus>("PUT", `/api/devices/${id}`, body, adminToken);
      expect({ id, status: r.status }).toEqual({ id, status: 200 });
      expect({ id, health: r.body.status.health }).not.toEqual({ id, health: "online" });
    }
    await sleep(1500); // a few reconnect attempts
    const list = await devices();
    for (const [id] of bodies) {
      const s = list.find((d) => d.id === id)?.status;
      expect(s, id).toBeDefined();
      expect(["offline", "error"], `${id}: ${JSON.stringify(s)}`).toContain(s?.health);
    }
    expect(list.find((d) => d.id === "led-c10-usblp")?.status.health).toBe("error");

    // The hub answers, issues, and reports the dead printer in the reply.
    const h = await api<{ ok: boolean }>("GET", "/api/health");
    expect(h.status).toBe(200);
    expect(h.body.ok).toBe(true);
    const t8 = await issueAt("k8");
    expect(t8.print).toEqual({ status: "failed", printerId: "printer-k8", error: "OFFLINE" });
    const t7 = await issueAt("k7");
    expect(t7.print).toEqual({ status: "failed", printerId: "printer-k7", error: "OFFLINE" });
    // The simulated devices next to them are unaffected.
    expect((await issueAt("k1")).print).toEqual({ status: "printed", printerId: "printer-k1" });

    for (const [id] of bodies) expect((await api("DELETE", `/api/devices/${id}`, undefined, adminToken)).status).toBe(204);
    expect((await api("GET", "/api/health")).status).toBe(200);
  });
});
