import { EventEmitter } from "node:events";
import { type ByteLink, DeviceError, type LinkState } from "./link.ts";

/**
 * One end of an in-process cable made by {@link createMemoryLinkPair}. What one end
 * writes, the other receives as a `data` event on a later tick (never synchronously,
 * like a real port).
 */
export class MemoryLink extends EventEmitter implements ByteLink {
  readonly duplex: boolean;
  #state: LinkState = "closed";
  #running = false;
  #peer: MemoryLink | undefined;
  readonly #cable: Cable;

  constructor(
    readonly id: string,
    cable: Cable,
    duplex: boolean,
  ) {
    super();
    this.#cable = cable;
    this.duplex = duplex;
  }

  get state(): LinkState {
    return this.#state;
  }

  /** @internal wiring done by createMemoryLinkPair */
  connectTo(peer: MemoryLink): void {
    this.#peer = peer;
  }

  async open(): Promise<void> {
    if (this.#running) return;
    this.#running = true;
    this.#setState("connecting");
    this.#setState(this.#cable.plugged ? "open" : "closed", this.#cable.plugged ? undefined : "UNPLUGGED");
  }

  async write(data: Uint8Array): Promise<void> {
    if (this.#state !== "open") throw new DeviceError("OFFLINE", `${this.id} is ${this.#state}`);
    const peer = this.#peer;
    const copy = Buffer.from(data);
    const plugCount = this.#cable.plugCount;
    setImmediate(() => {
      // Bytes in flight when the cable is pulled are lost, as on a real port.
      if (this.#cable.plugCount === plugCount && peer?.state === "open") peer.emit("data", copy);
    });
  }

  async close(): Promise<void> {
    this.#running = false;
    this.#setState("closed", "CLOSED");
  }

  /** @internal called by the cable */
  plugChanged(plugged: boolean): void {
    if (!this.#running) return;
    if (plugged) {
      this.#setState("connecting");
      this.#setState("open");
    } else {
      this.#setState("closed", "UNPLUGGED");
    }
  }

  #setState(state: LinkState, detail?: string): void {
    if (state === this.#state) return;
    this.#state = state;
    this.emit("state", state, detail);
  }
}

interface Cable {
  plugged: boolean;
  /** Bumped on every unplug, so bytes sent before it are never delivered after a replug. */
  plugCount: number;
}

/** Two connected in-process links plus the plug, for simulators and tests. */
export interface MemoryLinkPair {
  /** The hub's end: give it to a driver. */
  host: MemoryLink;
  /** The device's end: give it to a simulator. */
  device: MemoryLink;
  /** Pull the cable: both opened ends go `closed` (detail UNPLUGGED), writes reject OFFLINE. */
  unplug(): void;
  /** Plug it back: both opened ends go `connecting` then `open`, as a reconnecting link would. */
  replug(): void;
  readonly plugged: boolean;
}

/** Options of {@link createMemoryLinkPair}. */
export interface MemoryLinkPairOptions {
  id?: string;
  /** What the host end reports as `duplex` (default true); false mimics a usblp printer. */
  duplex?: boolean;
}

/** Build an in-process cable with a link at each end. */
export function createMemoryLinkPair(opts: MemoryLinkPairOptions = {}): MemoryLinkPair {
  const id = opts.id ?? "memory";
  const cable: Cable = { plugged: true, plugCount: 0 };
  const host = new MemoryLink(id, cable, opts.duplex ?? true);
  const device = new MemoryLink(`${id}:device`, cable, true);
  host.connectTo(device);
  device.connectTo(host);
  const setPlug = (plugged: boolean) => {
    if (cable.plugged === plugged) return;
    cable.plugged = plugged;
    if (!plugged) cable.plugCount++;
    host.plugChanged(plugged);
    device.plugChanged(plugged);
  };
  return {
    host,
    device,
    unplug: () => setPlug(false),
    replug: () => setPlug(true),
    get plugged() {
      return cable.plugged;
    },
  };
}
