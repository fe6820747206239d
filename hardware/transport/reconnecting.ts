import { EventEmitter } from "node:events";
import { type ByteLink, DeviceError, type LinkState } from "./link.ts";

/** Reconnect delays: the first retry waits `initialMs`, each next one doubles, up to `maxMs`. */
export interface BackoffOptions {
  initialMs?: number;
  maxMs?: number;
}

// A cap of 1 s keeps a replugged device back within ~2 s (one retry window plus open).
const DEFAULT_INITIAL_MS = 150;
const DEFAULT_MAX_MS = 1000;

/** The short reason carried by `state` events: an errno code when there is one. */
export function errorDetail(err: unknown): string {
  if (err instanceof DeviceError) return err.code;
  if (err && typeof err === "object" && "code" in err && typeof err.code === "string") return err.code;
  if (err instanceof Error) return err.message.slice(0, 80);
  return "ERROR";
}

/**
 * The reconnect loop shared by the real transports. A subclass only knows how to make
 * one connection (`connect`), send bytes on it (`send`) and tear it down (`disconnect`),
 * and calls `lost(detail)` when the connection dies by itself. This class keeps retrying
 * with backoff until `close()`, and never emits `error`: a device failure must not crash
 * the hub, so failures only show up as `state` events and rejected writes.
 */
export abstract class ReconnectingLink extends EventEmitter implements ByteLink {
  abstract readonly duplex: boolean;
  #state: LinkState = "closed";
  #running = false;
  #timer: NodeJS.Timeout | undefined;
  #delayMs: number;
  readonly #initialMs: number;
  readonly #maxMs: number;

  constructor(
    readonly id: string,
    backoff: BackoffOptions = {},
  ) {
    super();
    this.#initialMs = backoff.initialMs ?? DEFAULT_INITIAL_MS;
    this.#maxMs = backoff.maxMs ?? DEFAULT_MAX_MS;
    this.#delayMs = this.#initialMs;
  }

  get state(): LinkState {
    return this.#state;
  }

  /** Establish one connection; reject when it cannot be made. */
  protected abstract connect(): Promise<void>;
  /** Write and drain on the current connection. */
  protected abstract send(data: Uint8Array): Promise<void>;
  /** Release the current connection, if any; must not throw. */
  protected abstract disconnect(): Promise<void>;

  async open(): Promise<void> {
    if (this.#running) return;
    this.#running = true;
    await this.#attempt();
  }

  async write(data: Uint8Array): Promise<void> {
    if (this.#state !== "open") throw new DeviceError("OFFLINE", `${this.id} is ${this.#state}`);
    try {
      await this.send(data);
    } catch (err) {
      this.lost(errorDetail(err));
      throw new DeviceError("OFFLINE", `${this.id}: write failed (${errorDetail(err)})`);
    }
  }

  async close(): Promise<void> {
    this.#running = false;
    clearTimeout(this.#timer);
    this.#timer = undefined;
    await this.disconnect();
    this.#setState("closed", "CLOSED");
  }

  /** For subclasses: the open connection died (unplug, EIO, peer closed …). */
  protected lost(detail: string): void {
    if (this.#state !== "open") return;
    this.#setState("closed", detail);
    void this.disconnect();
    this.#schedule();
  }

  async #attempt(): Promise<void> {
    this.#timer = undefined;
    if (!this.#running) return;
    this.#setState("connecting");
    try {
      await this.connect();
    } catch (err) {
      await this.disconnect();
      if (!this.#running) return;
      this.#setState("closed", errorDetail(err));
      this.#schedule();
      return;
    }
    if (!this.#running) {
      await this.disconnect();
      return;
    }
    this.#delayMs = this.#initialMs;
    this.#setState("open");
  }

  #schedule(): void {
    if (!this.#running || this.#timer) return;
    const delay = this.#delayMs;
    this.#delayMs = Math.min(this.#delayMs * 2, this.#maxMs);
    this.#timer = setTimeout(() => void this.#attempt(), delay);
    // A link waiting for its device must not keep the process alive on shutdown.
    this.#timer.unref();
  }

  #setState(state: LinkState, detail?: string): void {
    if (state === this.#state) return;
    this.#state = state;
    this.emit("state", state, detail);
  }
}
