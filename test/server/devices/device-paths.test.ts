/**
 * An admin cannot point a serial or usblp device at an arbitrary file (the hub would
 * append printer bytes to it, as root): only device paths under the allowed prefixes.
 */
import { existsSync } from "node:fs";
import { mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { DeviceConfig } from "../../../server/src/contract/devices.ts";
import { DEFAULT_DEVICE_PATH_PREFIXES, devicePathAllowed, devicePathPrefixes } from "../../../server/src/devices/device-paths.ts";
import { DeviceManager, type DeviceHooks } from "../../../server/src/devices/manager.ts";
import { demoCatalogue } from "../../../server/src/seed/demo-hall.ts";
import { CONFIG_VERSION, ConfigStore } from "../../../server/src/store/config.ts";
import { type TestHub, expectRejected, startTestHub } from "../../helpers/hub.ts";

describe("devices/device-paths devicePathAllowed", () => {
  const ok = (p: string) => devicePathAllowed(p, DEFAULT_DEVICE_PATH_PREFIXES);
  it("allows USB printers, serial ports, their by-id names and ptys", () => {
    for (const p of [
      "/dev/usb/lp0",
      "/dev/ttyS0",
      "/dev/ttyUSB1",
      "/dev/ttyACM0",
      "/dev/serial/by-id/usb-Prolific-if00-port0",
      "/dev/pts/7",
    ])
      expect(ok(p), p).toBe(true);
  });
  it("refuses files, other devices, the bare prefixes and paths that step out with ..", () => {
    for (const p of [
      "/etc/passwd",
      "/tmp/printer.bin",
      "dev/usb/lp0",
      "/dev/sda",
      "/dev/null",
      "/dev/tty",
      "/dev/pts/",
      "/dev/usb/lp0/../../../etc/shadow",
      "/dev/serial/by-id/../../../root/.bashrc",
      "/dev//usb/lp0",
      "/dev/ttyS0\n",
    ])
      expect(ok(p), p).toBe(false);
  });
  it("reads DEVICE_PATHS as comma-separated prefixes, the defaults when unset", () => {
    expect(devicePathPrefixes(undefined)).toEqual(DEFAULT_DEVICE_PATH_PREFIXES);
    expect(devicePathPrefixes(" ")).toEqual(DEFAULT_DEVICE_PATH_PREFIXES);
    expect(devicePathPrefixes("/dev/ttyS, /dev/lp")).toEqual(["/dev/ttyS", "/dev/lp"]);
    expect(devicePathAllowed("/dev/lp0", devicePathPrefixes("/dev/ttyS,/dev/lp"))).toBe(true);
    expect(devicePathAllowed("/dev/usb/lp0", devicePathPrefixes("/dev/ttyS,/dev/lp"))).toBe(false);
  });
});

describe("devices/manager PUT /api/devices refuses paths outside the device folders", () => {
  let t: TestHub;
  let admin: string;
  let scratch: string;
  beforeAll(async () => {
    t = await startTestHub();
    admin = await t.adminToken();
    scratch = await mkdtemp(join(tmpdir(), "onevisit-devpath-"));
  });
  afterAll(async () => {
    await t.close();
    await rm(scratch, { recursive: true, force: true });
  });

  const printer = (transport: DeviceConfig["transport"]) => ({
    kind: "printer",
    name: "打印机",
    transport,
    assignment: { kind: "kiosk", kioskId: "k9" },
  });

  it("answers 400 DEVICE_PATH_NOT_ALLOWED for a usblp or serial path to a file, saving and opening nothing", async () => {
    const target = join(scratch, "victim.txt");
    await writeFile(target, "keep me\n");
    for (const transport of [
      { type: "usblp", path: target },
      { type: "usblp", path: join(scratch, "new-file.bin") },
      { type: "usblp", path: "/dev/usb/lp0/../../..".concat(target) },
      { type: "serial", path: target, baudRate: 9600 },
    ] as DeviceConfig["transport"][]) {
      await expectRejected(
        t,
        { method: "PUT", path: "/api/devices/printer-evil", body: printer(transport), auth: admin },
        400,
        "DEVICE_PATH_NOT_ALLOWED",
      );
    }
    expect(await readFile(target, "utf8")).toBe("keep me\n");
    expect(existsSync(join(scratch, "new-file.bin"))).toBe(false);
    expect(t.hub.devices.list().some((d) => d.id === "printer-evil")).toBe(false);
  });

  it("accepts a device path under an allowed prefix (opened; missing hardware is a status, not a refusal)", async () => {
    const r = await t.api("PUT", "/api/devices/printer-usb", printer({ type: "usblp", path: "/dev/usb/lp97" }), admin);
    expect(r.status).toBe(200);
    expect(r.body.transport).toEqual({ type: "usblp", path: "/dev/usb/lp97" });
    expect(t.hub.config.data.devices.some((d) => d.id === "printer-usb")).toBe(true);
  });
});

describe("devices/manager start with a hand-edited config.json", () => {
  it("lists a device with a disallowed path in error and never opens it", async () => {
    const root = await mkdtemp(join(tmpdir(), "onevisit-devpath-start-"));
    const dir = join(root, "data");
    try {
      const target = join(root, "victim.txt");
      await writeFile(target, "keep me\n");
      const { store } = await ConfigStore.open(dir, async () => ({
        version: CONFIG_VERSION,
        catalogue: demoCatalogue(),
        staff: [{ id: "s-admin", username: "admin", name: "管理员", role: "admin", salt: "c2FsdA==", hash: "aGFzaA==" }],
        devices: [
          {
            id: "printer-evil",
            kind: "printer",
            name: "打印机",
            transport: { type: "usblp", path: target },
            assignment: { kind: "kiosk", kioskId: "k1" },
          },
        ],
        appointments: [],
        secrets: { tokenKey: "a2V5", idSalt: "c2FsdA==" },
        demo: false,
      }));
      const logs: string[] = [];
      const hooks = {
        clock: Date.now,
        log: (l: string) => logs.push(l),
        counterNumber: () => undefined,
        counterState: () => undefined,
      } as unknown as DeviceHooks;
      const devices = new DeviceManager(store, hooks);
      await devices.start();
      // Give a wrongly opened link the time to write its status query.
      await new Promise((r) => setTimeout(r, 200));
      expect(devices.statuses()).toEqual([
        expect.objectContaining({ id: "printer-evil", health: "error", detail: "DEVICE_PATH_NOT_ALLOWED" }),
      ]);
      await devices.close();
      expect(await readFile(target, "utf8")).toBe("keep me\n");
      expect(logs.some((l) => l.includes("DEVICE_PATH_NOT_ALLOWED"))).toBe(true);
    } finally {
      await rm(root, { recursive: true, force: true });
    }
  });
});
