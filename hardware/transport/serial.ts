import { type OpenOptions, SerialPortStream } from "@serialport/stream";
import { stat } from "node:fs/promises";
import { SerialPort } from "serialport";
import { type BackoffOptions, ReconnectingLink, errorDetail } from "./reconnecting.ts";

/**
 * A serialport binding (OS binding, MockBinding …). Taken from @serialport/stream's types
 * because @serialport/bindings-interface ships no types reachable under "exports".
 */
export type SerialBinding = OpenOptions["binding"];

/** Options of {@link SerialLink}. */
export interface SerialLinkOptions {
  id: string;
  /**
   * Device path. Prefer the stable `/dev/serial/by-id/usb-…-port0` names over
   * `/dev/ttyUSB0`: the numbered names are handed out in plug order and can swap
   * between two adapters after a replug or a reboot.
   */
  path: string;
  baudRate: number;
  /** serialport binding; the OS binding by default, `MockBinding` in tests. */
  binding?: SerialBinding;
  /**
   * How often to check that `path` still names the device that was opened (default
   * 500 ms; 0 turns it off, and it is off by default with an injected binding whose
   * paths are not files). A pty whose other side went away reads end-of-file forever
   * instead of failing, and a USB adapter can vanish without a read error, so the node
   * disappearing (ENOENT) or changing (another inode) is what reliably tells an unplug.
   */
  checkIntervalMs?: number;
  backoff?: BackoffOptions;
}

/**
 * A serial port (RS-232, USB-serial, pty) as a {@link ByteLink}. The port is reopened
 * by path after an unplug, so it also follows a USB adapter that comes back under the
 * same by-id name.
 */
export class SerialLink extends ReconnectingLink {
  readonly duplex = true;
  readonly path: string;
  readonly #baudRate: number;
  readonly #binding: SerialBinding;
  readonly #checkIntervalMs: number;
  #port: SerialPortStream | undefined;
  #check: NodeJS.Timeout | undefined;

  constructor(opts: SerialLinkOptions) {
    super(opts.id, opts.backoff);
    this.path = opts.path;
    this.#baudRate = opts.baudRate;
    this.#binding = opts.binding ?? SerialPort.binding;
    this.#checkIntervalMs = opts.checkIntervalMs ?? (opts.binding ? 0 : 500);
  }

  protected async connect(): Promise<void> {
    const port = new SerialPortStream({
      binding: this.#binding,
      path: this.path,
      baudRate: this.#baudRate,
      autoOpen: false,
    });
    this.#port = port;
    // Listeners are attached before open so nothing is ever emitted unhandled. The data
    // reader stays attached even for write-only devices: a pending read is what notices
    // an unplug (EIO / ENXIO) and turns it into `close`.
    port.on("error", (err: Error) => {
      if (this.#port === port) this.lost(bindingDetail(err));
    });
    port.on("close", (err: Error | null) => {
      if (this.#port === port) this.lost(err ? bindingDetail(err) : "CLOSED");
    });
    port.on("end", () => {
      if (this.#port === port) this.lost("EOF");
    });
    port.on("data", (chunk: Buffer) => {
      if (this.#port === port) this.emit("data", chunk);
    });
    await new Promise<void>((resolve, reject) => {
      port.open((err) => (err ? reject(Object.assign(new Error(err.message), { code: bindingDetail(err) })) : resolve()));
    });
    if (this.#checkIntervalMs > 0) {
      const inode = (await stat(this.path)).ino;
      this.#check = setInterval(() => void this.#checkNode(port, inode), this.#checkIntervalMs);
      this.#check.unref();
    }
  }

  async #checkNode(port: SerialPortStream, inode: number): Promise<void> {
    try {
      const s = await stat(this.path);
      if (this.#port === port && s.ino !== inode) this.lost("ENODEV");
    } catch (err) {
      if (this.#port === port) this.lost(errorDetail(err));
    }
  }

  protected send(data: Uint8Array): Promise<void> {
    const port = this.#port;
    if (!port) return Promise.reject(new Error("not open"));
    return new Promise((resolve, reject) => {
      port.write(Buffer.from(data), (err) => {
        if (err) return reject(err);
        port.drain((drainErr) => (drainErr ? reject(drainErr) : resolve()));
      });
    });
  }

  protected async disconnect(): Promise<void> {
    clearInterval(this.#check);
    this.#check = undefined;
    const port = this.#port;
    this.#port = undefined;
    if (!port) return;
    if (port.isOpen) {
      await new Promise<void>((resolve) => port.close(() => resolve()));
    }
    port.removeAllListeners("data");
    // Keep a no-op error listener: a late error from a dropped port must stay harmless.
    port.on("error", () => {});
  }
}

/**
 * serialport's errors mostly carry no errno `code`, only a message ("Error: No such file
 * or directory, cannot open …", "bad file descriptor"); turn the usual ones into codes.
 */
function bindingDetail(err: Error): string {
  const code = errorDetail(err);
  if (/^E[A-Z]+$/.test(code)) return code;
  const known: [RegExp, string][] = [
    [/^(E[A-Z]+)\b/, ""],
    [/no such file/i, "ENOENT"],
    [/permission denied/i, "EACCES"],
    [/bad file descriptor/i, "EBADF"],
    [/input\/output error|i\/o error/i, "EIO"],
    [/no such device/i, "ENODEV"],
    [/resource busy|locked/i, "EBUSY"],
  ];
  for (const [re, name] of known) {
    const m = re.exec(err.message);
    if (m) return name || (m[1] ?? "ERROR");
  }
  return "DISCONNECTED";
}
