/**
 * The common device lifecycle (server/src/devices/lifecycle.ts) seen from outside the
 * device manager: a transport failure is reported offline and the device comes back
 * online by itself, closing stops it for good, shared lines are opened once and closed
 * with their last device, a kind that cannot serve its configuration is listed in error.
 * Real transports: the in-memory cable, a kernel pty pair (socat) and a TCP socket.
 */
import { mkdtemp, rm } from "node:fs/promises";
import { type Server, type Socket, createServer } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { SerialLink } from "../../../hardware/transport/serial.ts";
import type { DeviceConfig, DeviceStatus } from "../../../server/src/contract/devices.ts";
import { DEFAULT_DEVICE_PATH_PREFIXES } from "../../../server/src/devices/device-paths.ts";
import { SharedResources } from "../../../server/src/devices/lifecycle.ts";
import { type DeviceHooks, DeviceManager } from "../../../server/src/devices/manager.ts";
import { demoCatalogue } from "../../../server/src/seed/demo-hall.ts";
import { CONFIG_VERSION, ConfigStore } from "../../../server/src/store/config.ts";
import { sleep, until } from "../../helpers/http.ts";
import { type PtyPair, startPtyPair } from "../../helpers/socat.ts";

interface Rig {
  devices: DeviceManager;
  /** Every status the manager announced, in order. */
  announced: DeviceStatus[];
  /** Codes the kiosks received from their scanners. */
  scanned: { kioskId: string; code: string }[];
  logs: string[];
}

const cleanups: (() => Promise<unknown>)[] = [];
afterEach(async () => {
  const failures: unknown[] = [];
  for (const fn of cleanups.splice(0).reverse()) await fn().catch((e: unknown) => failures.push(e));
  if (failures.length > 0) throw failures[0];
});

/** A device manager over a fresh data folder holding `devices`, its hall hooks recording what reached the hall. */
async function rig(devices: DeviceConfig[], prefixes: readonly string[] = DEFAULT_DEVICE_PATH_PREFIXES): Promise<Rig> {
  const dir = await mkdtemp(join(tmpdir(), "onevisit-lifecycle-"));
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
  const r: Rig = { devices: undefined as unknown as DeviceManager, announced: [], scanned: [], logs: [] };
  // Only what kiosk scanners and displays need from the hall; the rest is never called here.
  const hooks = {
    clock: Date.now,
    log: (l: string) => r.logs.push(l),
    scanned: (kioskId: string, code: string) => r.scanned.push({ kioskId, code }),
    counterNumber: () => undefined,
    counterState: () => undefined,
    devicePathPrefixes: prefixes,
  } as unknown as DeviceHooks;
  r.devices = new DeviceManager(store, hooks);
  r.devices.on("status", (s) => r.announced.push(s));
  cleanups.push(() => r.devices.close());
  await r.devices.start();
  return r;
}

function scanner(id: string, transport: DeviceConfig["transport"]): DeviceConfig {
  return { id, kind: "scanner", name: "扫码器", transport, assignment: { kind: "kiosk", kioskId: "k1" } };
}

function statusOf(r: Rig, id: string): DeviceStatus | undefined {
  return r.devices.statuses().find((s) => s.id === id);
}

/** The healths the hall was told about for `id`, in order. */
function healths(r: Rig, id: string): string[] {
  return r.announced.filter((s) => s.id === id).map((s) => s.health);
}

describe("devices/lifecycle on the in-memory cable", () => {
  it("reports a pulled cable offline, comes back online when it is plugged back, and works again", async () => {
    const r = await rig([scanner("scan-1", { type: "sim" })]);
    expect(statusOf(r, "scan-1")?.health).toBe("online");
    const sims = r.devices.simulators("scan-1");
    const plug = sims?.plug;
    if (!plug || !sims.scannerSim) throw new Error("a simulated scanner has a plug and a simulator");

    plug.unplug();
    expect(statusOf(r, "scan-1")).toMatchObject({ health: "offline", detail: "UNPLUGGED" });
    plug.replug();
    expect(statusOf(r, "scan-1")?.health).toBe("online");
    expect(healths(r, "scan-1").slice(-2)).toEqual(["offline", "online"]);

    await sims.scannerSim.scan("BK7Q2M");
    await until(() => r.scanned.length > 0, 2000, "the code after replug");
    expect(r.scanned).toEqual([{ kioskId: "k1", code: "BK7Q2M" }]);
  });

  it("after close a cable plugged back reconnects nothing and reports nothing", async () => {
    const r = await rig([scanner("scan-1", { type: "sim" })]);
    const plug = r.devices.simulators("scan-1")?.plug;
    if (!plug) throw new Error("no plug");
    plug.unplug();
    await r.devices.close();
    const told = r.announced.length;

    plug.replug();
    expect(plug.host.state).toBe("closed");
    expect(r.announced.length).toBe(told);
  });

  it("a device removed from the list is closed: its cable no longer carries its codes to the hall", async () => {
    const r = await rig([scanner("scan-1", { type: "sim" }), scanner("scan-2", { type: "sim" })]);
    const gone = r.devices.simulators("scan-1");
    if (!gone?.plug || !gone.scannerSim) throw new Error("no simulator");
    expect(await r.devices.remove("scan-1")).toBe(true);
    expect(gone.plug.host.state).toBe("closed");
    expect(r.devices.statuses().map((s) => s.id)).toEqual(["scan-2"]);
    // The removed scanner's far end is still "plugged in" but nobody listens any more.
    await gone.scannerSim.scan("OLD").catch(() => {});
    await r.devices.simulators("scan-2")?.scannerSim?.scan("NEW");
    await until(() => r.scanned.length > 0, 2000, "the code of the remaining scanner");
    expect(r.scanned.map((s) => s.code)).toEqual(["NEW"]);
  });
});

describe("devices/lifecycle on a serial port (socat pty pair)", () => {
  it("goes offline when the adapter is pulled, back online when it returns, and reads codes again", async () => {
    const pair: PtyPair = await startPtyPair();
    cleanups.push(() => pair.dispose());
    const r = await rig(
      [scanner("scan-tty", { type: "serial", path: pair.pathA, baudRate: 9600 })],
      [...DEFAULT_DEVICE_PATH_PREFIXES, join(tmpdir(), "onevisit-pty-")],
    );
    // The far end: what the scanner itself would send down the cable.
    const far = new SerialLink({ id: "scanner-far", path: pair.pathB, baudRate: 9600 });
    cleanups.push(() => far.close());
    await far.open();
    await until(() => statusOf(r, "scan-tty")?.health === "online", 3000, "scanner online");

    await pair.unplug();
    await until(() => statusOf(r, "scan-tty")?.health === "offline", 3000, "scanner offline after unplug");
    await pair.replug();
    await until(() => statusOf(r, "scan-tty")?.health === "online", 5000, "scanner back online after replug");
    expect(healths(r, "scan-tty").slice(-2)).toEqual(["offline", "online"]);

    await until(() => far.state === "open", 5000, "far end reopened");
    await far.write(Buffer.from("BK7Q2M\r"));
    await until(() => r.scanned.length > 0, 3000, "the code after replug");
    expect(r.scanned).toEqual([{ kioskId: "k1", code: "BK7Q2M" }]);
  });
});

describe("devices/lifecycle on TCP", () => {
  /** A device server that records every connection the hub makes. */
  async function deviceServer(): Promise<{ server: Server; port: number; sockets: Socket[] }> {
    const sockets: Socket[] = [];
    const server = createServer((s) => {
      sockets.push(s);
      s.on("error", () => {});
    });
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    cleanups.push(
      () =>
        new Promise<void>((resolve) => {
          for (const s of sockets) s.destroy();
          server.close(() => resolve());
        }),
    );
    const addr = server.address();
    if (!addr || typeof addr === "string") throw new Error("no port");
    return { server, port: addr.port, sockets };
  }

  it("a dropped connection is reported offline and the device reconnects online by itself", async () => {
    const dev = await deviceServer();
    const r = await rig([scanner("scan-tcp", { type: "tcp", host: "127.0.0.1", port: dev.port })]);
    await until(() => dev.sockets.length === 1 && statusOf(r, "scan-tcp")?.health === "online", 3000, "connected");

    dev.sockets[0]?.destroy();
    await until(() => healths(r, "scan-tcp").includes("offline"), 3000, "offline after the drop");
    await until(() => dev.sockets.length === 2 && statusOf(r, "scan-tcp")?.health === "online", 5000, "reconnected");
    expect(healths(r, "scan-tcp").slice(-2)).toEqual(["offline", "online"]);

    dev.sockets[1]?.write("QR-123\r");
    await until(() => r.scanned.length > 0, 3000, "a code over the new connection");
    expect(r.scanned).toEqual([{ kioskId: "k1", code: "QR-123" }]);
  });

  it("close stops reconnecting: the device server sees the connection end and no new one", async () => {
    const dev = await deviceServer();
    const r = await rig([scanner("scan-tcp", { type: "tcp", host: "127.0.0.1", port: dev.port })]);
    await until(() => dev.sockets.length === 1 && statusOf(r, "scan-tcp")?.health === "online", 3000, "connected");
    let ended = false;
    dev.sockets[0]?.once("close", () => {
      ended = true;
    });

    await r.devices.close();
    await until(() => ended, 3000, "the connection to end");
    // Longer than the links' longest retry delay (1 s): a link still retrying would have connected.
    await sleep(1500);
    expect(dev.sockets.length).toBe(1);
  });
});

describe("devices/lifecycle shared lines and kinds that cannot serve", () => {
  it("a shared line is started once, kept while any device uses it, and closed with the last", async () => {
    const shared = new SharedResources();
    const opened: string[] = [];
    let made = 0;
    const make = () => {
      const n = ++made;
      opened.push(`start ${n}`);
      return {
        value: n,
        start: async () => {},
        close: async () => {
          opened.push(`close ${n}`);
        },
      };
    };
    const a = shared.acquire("line", make);
    const b = shared.acquire("line", make);
    expect([a.value, b.value]).toEqual([1, 1]);
    await a.release();
    await a.release();
    expect(opened).toEqual(["start 1"]);
    await b.release();
    expect(opened).toEqual(["start 1", "close 1"]);
    expect(shared.acquire("line", make).value).toBe(2);
  });

  it("a window display on TCP is listed in error with the reason, and the other devices still open", async () => {
    const r = await rig([
      {
        id: "led-tcp",
        kind: "led",
        name: "窗口屏",
        transport: { type: "tcp", host: "127.0.0.1", port: 9 },
        assignment: { kind: "counter", counterId: "c01" },
      },
      scanner("scan-1", { type: "sim" }),
    ]);
    expect(statusOf(r, "led-tcp")).toMatchObject({ health: "error", detail: expect.stringContaining("serial RS-485") });
    expect(statusOf(r, "scan-1")?.health).toBe("online");
  });
});
