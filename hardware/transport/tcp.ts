import net from "node:net";
import { type BackoffOptions, ReconnectingLink, errorDetail } from "./reconnecting.ts";

/** Options of {@link TcpLink}. */
export interface TcpLinkOptions {
  id: string;
  host: string;
  /** 9100 for the raw port of network printers. */
  port: number;
  /** Give up one connection attempt after this long (default 3000 ms). */
  connectTimeoutMs?: number;
  /** TCP keepalive probe delay (default 5000 ms), so a pulled cable is noticed while idle. */
  keepAliveMs?: number;
  backoff?: BackoffOptions;
}

/** A raw TCP socket (network printer, serial server) as a {@link ByteLink}. */
export class TcpLink extends ReconnectingLink {
  readonly duplex = true;
  readonly host: string;
  readonly port: number;
  readonly #connectTimeoutMs: number;
  readonly #keepAliveMs: number;
  #socket: net.Socket | undefined;

  constructor(opts: TcpLinkOptions) {
    super(opts.id, opts.backoff);
    this.host = opts.host;
    this.port = opts.port;
    this.#connectTimeoutMs = opts.connectTimeoutMs ?? 3000;
    this.#keepAliveMs = opts.keepAliveMs ?? 5000;
  }

  protected connect(): Promise<void> {
    return new Promise((resolve, reject) => {
      const socket = net.connect({ host: this.host, port: this.port });
      this.#socket = socket;
      let connected = false;
      const timer = setTimeout(() => {
        socket.destroy();
        reject(Object.assign(new Error("connect timeout"), { code: "ETIMEDOUT" }));
      }, this.#connectTimeoutMs);
      socket.on("error", (err) => {
        if (!connected) {
          clearTimeout(timer);
          reject(err);
        } else if (this.#socket === socket) {
          this.lost(errorDetail(err));
        }
      });
      socket.on("close", () => {
        if (connected && this.#socket === socket) this.lost("ECONNRESET");
      });
      socket.on("data", (chunk: Buffer) => {
        if (this.#socket === socket) this.emit("data", chunk);
      });
      socket.once("connect", () => {
        connected = true;
        clearTimeout(timer);
        socket.setKeepAlive(true, this.#keepAliveMs);
        socket.setNoDelay(true);
        resolve();
      });
    });
  }

  protected send(data: Uint8Array): Promise<void> {
    const socket = this.#socket;
    if (!socket) return Promise.reject(new Error("not open"));
    return new Promise((resolve, reject) => {
      socket.write(data, (err) => (err ? reject(err) : resolve()));
    });
  }

  protected async disconnect(): Promise<void> {
    const socket = this.#socket;
    this.#socket = undefined;
    socket?.destroy();
  }
}
