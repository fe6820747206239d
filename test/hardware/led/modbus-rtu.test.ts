import { type FCallback, ServerSerial } from "modbus-serial";
import { afterEach, describe, expect, it } from "vitest";
import { LedBus, type LedDisplayStatus, type LedLinkState, ModbusRtuWriter } from "../../../hardware/led/bus.ts";
import { decodeDisplayRegisters, encodeDisplayText } from "../../../hardware/led/protocol.ts";
import { type PtyPair, startPtyPair } from "../../helpers/socat.ts";
import { sleep, waitFor } from "./wait.ts";

// LedBus + ModbusRtuWriter against modbus-serial's own RTU *server* as the displays, over a
// real socat pty pair. The server answers every unit id except DEAD, like a bus with one
// display whose cable is cut.

const DEAD = 9;

interface Received {
  unit: number;
  start: number;
  regs: number[];
}

let pair: PtyPair | undefined;
let server: ServerSerial | undefined;
let bus: LedBus | undefined;
const received: Received[] = [];

function startServer(path: string): Promise<ServerSerial> {
  return new Promise((resolve, reject) => {
    const s = new ServerSerial(
      {
        setRegisterArray: (start: number, regs: number[], unit: number, cb: FCallback) => {
          received.push({ unit, start, regs });
          // Not calling back means no reply frame at all.
          if (unit !== DEAD) cb(null);
        },
      },
      {
        path,
        baudRate: 9600,
        unitID: 255,
        openCallback: (err?: Error | null) => (err ? reject(err) : resolve(s)),
      },
    );
    s.on("error", () => {});
    s.on("socketError", () => {});
  });
}

async function stopServer(): Promise<void> {
  const s = server;
  server = undefined;
  if (!s) return;
  await new Promise<void>((resolve) => {
    try {
      s.close(() => resolve());
    } catch {
      resolve();
    }
    setTimeout(resolve, 500);
  });
}

afterEach(async () => {
  await bus?.close();
  bus = undefined;
  await stopServer();
  await pair?.dispose();
  pair = undefined;
  received.length = 0;
});

async function setup(): Promise<{ pair: PtyPair; bus: LedBus; statuses: LedDisplayStatus[]; links: LedLinkState[] }> {
  const p = await startPtyPair();
  pair = p;
  server = await startServer(p.pathB);
  const b = new LedBus({
    writer: new ModbusRtuWriter(p.pathA, { baudRate: 9600 }),
    timeoutMs: 250,
    probeBackoff: { initialMs: 1000, maxMs: 4000 },
    reopenBackoff: { initialMs: 100, maxMs: 500 },
  });
  bus = b;
  const statuses: LedDisplayStatus[] = [];
  const links: LedLinkState[] = [];
  b.on("status", (s) => statuses.push(s));
  b.on("link", (s) => links.push(s));
  await b.start();
  expect(b.linkState).toBe("up");
  return { pair: p, bus: b, statuses, links };
}

describe("hardware/led/bus over Modbus RTU (socat pty, modbus-serial server)", () => {
  it("writes FC16 frames the server decodes back to the text", async () => {
    const { bus } = await setup();
    const style = { colour: "red", blink: true, scroll: false } as const;
    await bus.setText(3, "A001 请到3号窗口", style);
    await bus.setText(12, "12号窗口 欢迎您");
    expect(received.map((r) => r.unit)).toEqual([3, 12]);
    const first = received[0];
    expect(first?.start).toBe(0);
    expect(first?.regs).toEqual(encodeDisplayText("A001 请到3号窗口", style));
    expect(first?.regs.slice(0, 4)).toEqual([0x0100, 16, 0x4130, 0x3031]);
    expect(decodeDisplayRegisters(first?.regs ?? [])).toBe("A001 请到3号窗口");
    expect(decodeDisplayRegisters(received[1]?.regs ?? [])).toBe("12号窗口 欢迎您");
  });

  it("lets a display that never answers cost another display at most one timeout", async () => {
    const { bus, statuses } = await setup();
    const dead = bus.setText(DEAD, "nobody");
    const started = Date.now();
    await bus.setText(3, "live");
    const liveAt = received.findIndex((r) => r.unit === 3);
    expect(received.slice(0, liveAt).filter((r) => r.unit === DEAD)).toHaveLength(1);
    // One 250 ms timeout plus 9600-baud frames; generous.
    expect(Date.now() - started).toBeLessThan(2000);

    await expect(dead).rejects.toMatchObject({ code: "TIMEOUT" });
    expect(statuses).toContainEqual({ address: DEAD, online: false, detail: "no answer" });
    expect(statuses).toContainEqual({ address: 3, online: true });

    for (let i = 0; i < 3; i++) {
      const from = received.length;
      await bus.setText(3, `live ${i}`);
      const between = received.slice(from);
      expect(between.filter((r) => r.unit === DEAD).length).toBeLessThanOrEqual(1);
      expect(between.filter((r) => r.unit === 3).map((r) => decodeDisplayRegisters(r.regs))).toEqual([`live ${i}`]);
    }
  });

  it("reports unplug, reopens after socat restarts, and the next text gets through within ~2 s", async () => {
    const { pair, bus, statuses, links } = await setup();
    await bus.setText(3, "before");

    await pair.unplug();
    await stopServer();
    await waitFor(() => links.includes("down"), 3000, "link down");
    expect(statuses).toContainEqual({ address: 3, online: false, detail: "bus down" });
    await expect(bus.setText(3, "while down")).rejects.toMatchObject({ code: "OFFLINE" });

    await sleep(300);
    await pair.replug();
    server = await startServer(pair.pathB);
    const restarted = Date.now();
    let delivered = false;
    while (!delivered && Date.now() - restarted < 5000) {
      try {
        await bus.setText(3, "after replug");
        delivered = true;
      } catch {
        await sleep(100);
      }
    }
    expect(delivered).toBe(true);
    expect(Date.now() - restarted).toBeLessThan(3000);
    expect(links).toEqual(["up", "down", "up"]);
    expect(statuses.at(-1)).toEqual({ address: 3, online: true });
    const texts = received.filter((r) => r.unit === 3).map((r) => decodeDisplayRegisters(r.regs));
    expect(texts[0]).toBe("before");
    expect(texts.at(-1)).toBe("after replug");
  });
});
