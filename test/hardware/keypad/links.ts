/**
 * Link environments shared by the keypad, ID reader and scanner tests: one suite per
 * device kind runs over each of them (in-memory pair, serialport's MockBinding, a real
 * socat pty pair from test/helpers/socat.ts with SerialLink on both ends).
 */
import { EventEmitter } from "node:events";
import { SerialPortMock } from "serialport";
import { type ByteLink, DeviceError, type LinkState } from "../../../hardware/transport/link.ts";
import { createMemoryLinkPair } from "../../../hardware/transport/memory.ts";
import { type SerialBinding, SerialLink } from "../../../hardware/transport/serial.ts";
import { startPtyPair } from "../../helpers/socat.ts";

export interface LinkEnv {
  /** The hub's end: give it to the driver. */
  host: ByteLink;
  /** The device's end: give it to the simulator. */
  device: ByteLink;
  /** Pull the cable and wait until the host link reports it; undefined where it cannot be simulated. */
  unplug?: () => Promise<void>;
  /** Plug it back and wait until both ends are open again. */
  replug?: () => Promise<void>;
  /** Close links, stop socat, remove temp files. */
  dispose(): Promise<void>;
}

export type LinkEnvFactory = () => Promise<LinkEnv>;

export const LINK_ENVS: ReadonlyArray<readonly [string, LinkEnvFactory]> = [
  ["memory pair", memoryEnv],
  ["serialport MockBinding", mockBindingEnv],
  ["socat pty pair", socatEnv],
];

export async function memoryEnv(): Promise<LinkEnv> {
  const pair = createMemoryLinkPair({ id: "test" });
  await pair.host.open();
  await pair.device.open();
  return {
    host: pair.host,
    device: pair.device,
    unplug: async () => pair.unplug(),
    replug: async () => pair.replug(),
    dispose: async () => {
      await pair.host.close();
      await pair.device.close();
    },
  };
}

let mockPortSeq = 0;
type MockPort = Awaited<ReturnType<typeof SerialPortMock.binding.open>>;

/**
 * SerialLink over MockBinding on the host side. The device side is a small ByteLink
 * whose writes arrive at the host through the mock port's `emitData`, and which hears
 * what the host writes to the mock port.
 */
export async function mockBindingEnv(): Promise<LinkEnv> {
  const path = `/dev/ttyMOCK${mockPortSeq++}`;
  const mock = SerialPortMock.binding;
  mock.createPort(path, { echo: false, record: false });
  const device = new DeviceSideLink();
  let current: MockPort | undefined;
  const binding: SerialBinding = {
    list: () => mock.list(),
    open: async (options: Parameters<typeof mock.open>[0]) => {
      const port = await mock.open(options);
      const write = port.write.bind(port);
      port.write = async (buffer: Buffer) => {
        await write(buffer);
        const copy = Buffer.from(buffer);
        setImmediate(() => device.emit("data", copy));
      };
      current = port;
      return port;
    },
  };
  device.sink = async (data) => {
    if (!current?.isOpen) throw new DeviceError("OFFLINE", "mock port not open");
    current.emitData(Buffer.from(data));
  };
  const host = new SerialLink({ id: "mock", path, baudRate: 9600, binding });
  await host.open();
  if (host.state !== "open") throw new Error(`mock link did not open: ${host.state}`);
  return {
    host,
    device,
    dispose: async () => {
      await host.close();
      mock.reset();
    },
  };
}

class DeviceSideLink extends EventEmitter implements ByteLink {
  readonly id = "mock:device";
  readonly duplex = true;
  readonly state: LinkState = "open";
  sink: (data: Uint8Array) => Promise<void> = async () => {};
  async open(): Promise<void> {}
  write(data: Uint8Array): Promise<void> {
    return this.sink(data);
  }
  async close(): Promise<void> {}
}

/** Two SerialLinks on the two ends of a socat pty pair; unplug kills socat, replug restarts it. */
export async function socatEnv(): Promise<LinkEnv> {
  const pair = await startPtyPair();
  const backoff = { initialMs: 50, maxMs: 200 };
  const host = new SerialLink({ id: "pty-hub", path: pair.pathA, baudRate: 9600, backoff });
  const device = new SerialLink({ id: "pty-dev", path: pair.pathB, baudRate: 9600, backoff });
  await host.open();
  await device.open();
  await waitFor(() => host.state === "open" && device.state === "open", 3000, "pty links open");
  return {
    host,
    device,
    unplug: async () => {
      await pair.unplug();
      await waitFor(() => host.state !== "open" && device.state !== "open", 3000, "pty links to drop");
    },
    replug: async () => {
      await pair.replug();
      await waitFor(() => host.state === "open" && device.state === "open", 5000, "pty links to reopen");
    },
    dispose: async () => {
      await host.close();
      await device.close();
      await pair.dispose();
    },
  };
}

export function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

/** Polls `check` every 10 ms until true; throws after `ms`. */
export async function waitFor(check: () => boolean, ms: number, what: string): Promise<void> {
  const deadline = Date.now() + ms;
  while (!check()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await sleep(10);
  }
}

/** Collects every emission of `event` on `emitter`. */
export function collect<T>(emitter: EventEmitter, event: string): T[] {
  const seen: T[] = [];
  emitter.on(event, (value: T) => seen.push(value));
  return seen;
}
