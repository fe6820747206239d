import { EventEmitter } from "node:events";
import { SerialPortMock } from "serialport";
import type { ByteLink, LinkState } from "../../../hardware/transport/link.ts";
import { type SerialBinding, SerialLink } from "../../../hardware/transport/serial.ts";
import { startPtyPair } from "../../helpers/socat.ts";
import { describePrinterOverLink } from "./suite.ts";

// The same printer suite as over memory, over two real kernel ptys joined by socat:
// the driver uses a SerialLink on one end, the simulator a SerialLink on the other.
describePrinterOverLink("socat ptys (SerialLink on both ends)", async () => {
  const pty = await startPtyPair();
  const backoff = { initialMs: 100, maxMs: 500 };
  return {
    host: new SerialLink({ id: "printer-1", path: pty.pathA, baudRate: 115200, backoff }),
    device: new SerialLink({ id: "printer-1:device", path: pty.pathB, baudRate: 115200, backoff }),
    unplug: () => pty.unplug(),
    replug: () => pty.replug(),
    dispose: () => pty.dispose(),
  };
});

/**
 * The device end of a MockBinding port: what the SerialLink writes comes out here as
 * `data`, and what is written here is "received" by the SerialLink. Unplug makes the
 * pending read fail with EIO (as a pulled USB adapter does) and opening fail until replug.
 */
class MockDeviceEnd extends EventEmitter implements ByteLink {
  readonly duplex = true;
  state: LinkState = "closed";
  port: { emitData(d: Buffer): void; isOpen: boolean } | undefined;
  unplugged = false;
  #failReads: ((err: Error) => void)[] = [];

  constructor(readonly id: string) {
    super();
  }

  async open(): Promise<void> {
    this.state = "open";
  }
  async close(): Promise<void> {
    this.state = "closed";
  }
  async write(data: Uint8Array): Promise<void> {
    if (this.port?.isOpen && !this.unplugged) this.port.emitData(Buffer.from(data));
  }

  unplug(): void {
    this.unplugged = true;
    for (const fail of this.#failReads.splice(0)) fail(eio());
  }
  replug(): void {
    this.unplugged = false;
  }

  /** MockBinding with its ports wired to this device end. */
  binding(): SerialBinding {
    const mock = SerialPortMock.binding;
    return {
      ...mock,
      open: async (options: Parameters<typeof mock.open>[0]) => {
        if (this.unplugged) throw Object.assign(new Error("ENOENT: no such file"), { code: "ENOENT" });
        const port = await mock.open(options);
        const write = port.write.bind(port);
        const read = port.read.bind(port);
        port.write = async (buf: Buffer) => {
          await write(buf);
          this.emit("data", Buffer.from(buf));
        };
        port.read = (buffer: Buffer, offset: number, length: number) =>
          new Promise((resolve, reject) => {
            if (this.unplugged) return reject(eio());
            this.#failReads.push(reject);
            read(buffer, offset, length).then(resolve, reject);
          });
        this.port = port;
        return port;
      },
    };
  }
}

function eio(): Error {
  return Object.assign(new Error("EIO: i/o error, read"), { code: "EIO" });
}

let mockCount = 0;
describePrinterOverLink("serialport MockBinding", async () => {
  const path = `/dev/ROBOT-printer-${++mockCount}`;
  SerialPortMock.binding.createPort(path, { echo: false, record: false });
  const device = new MockDeviceEnd("printer-1:device");
  return {
    host: new SerialLink({
      id: "printer-1",
      path,
      baudRate: 9600,
      binding: device.binding(),
      backoff: { initialMs: 50, maxMs: 200 },
    }),
    device,
    unplug: () => device.unplug(),
    replug: () => device.replug(),
    dispose: async () => {},
  };
});
