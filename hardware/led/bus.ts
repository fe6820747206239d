import { EventEmitter } from "node:events";
import { statSync } from "node:fs";
import ModbusRTU from "modbus-serial";
import { DeviceError } from "../transport/link.ts";
import { DEFAULT_STYLE, type DisplayStyle, encodeDisplayText, isValidAddress, REG_STYLE } from "./protocol.ts";

/** A display's reachability as the bus last saw it. */
export interface LedDisplayStatus {
  /** Modbus slave address of the display. */
  address: number;
  online: boolean;
  detail?: string;
}

export type LedLinkState = "up" | "down";

/**
 * What the hub drives window displays through: a real RS-485 bus (`LedBus` over
 * `ModbusRtuWriter`) or the in-memory simulator (`LedBus` over `LedSimulator`).
 */
export interface LedDisplayPort {
  readonly id: string;
  /**
   * Shows `text` on the display at `address`. Only the newest text per display is kept:
   * a text replaced before it was sent is never sent, and its promise settles with the newer
   * one. Resolves once written; rejects with DeviceError "OFFLINE" (bus down or display
   * known dead — the text is still kept and sent when it comes back), "TIMEOUT" (display
   * stopped answering) or "ERROR" (bad address, text too long, device refused).
   * Safe to call without awaiting: a rejection is never reported as unhandled.
   */
  setText(address: number, text: string, style?: DisplayStyle): Promise<void>;
  /** Opens the bus; resolves after the first attempt (open or not), then reconnects by itself. */
  start(): Promise<void>;
  /** Stops for good; pending texts are rejected with OFFLINE. */
  close(): Promise<void>;
  on(event: "status", fn: (s: LedDisplayStatus) => void): this;
  on(event: "link", fn: (state: LedLinkState, detail?: string) => void): this;
}

/**
 * The Modbus master side the bus needs: FC16 writes to one slave at a time.
 * Implemented by `ModbusRtuWriter` (serial port) and `LedSimulator` (memory).
 */
export interface ModbusWriter {
  /** Opens the port; rejects when it can't. `onLost` is called once if the open port goes away. */
  open(onLost: (detail: string) => void): Promise<void>;
  /**
   * FC16 write multiple registers. Rejects with DeviceError "TIMEOUT" (no answer within
   * timeoutMs), "OFFLINE" (port not open), "BAD_FRAME" (garbled answer) or "ERROR"
   * (exception reply: the device is there but refused).
   */
  writeRegisters(unit: number, start: number, values: readonly number[], timeoutMs: number): Promise<void>;
  close(): Promise<void>;
}

export interface Backoff {
  initialMs: number;
  maxMs: number;
}

export interface LedBusOptions {
  id?: string;
  writer: ModbusWriter;
  /** Per-request answer timeout. */
  timeoutMs?: number;
  /** Extra attempts before a display that was answering is marked offline. */
  retries?: number;
  /** How often an offline display is tried again (doubling up to maxMs). */
  probeBackoff?: Backoff;
  /** How often a lost port is reopened (doubling up to maxMs). */
  reopenBackoff?: Backoff;
}

interface Waiter {
  resolve: () => void;
  reject: (e: DeviceError) => void;
}

interface Slot {
  address: number;
  regs: number[];
  /** The newest text has not been confirmed written. */
  dirty: boolean;
  /** In the ready queue (order = queuedAt). */
  queued: boolean;
  queuedAt: number;
  waiters: Waiter[];
  /** undefined until the first answer or timeout. */
  online: boolean | undefined;
  failures: number;
  nextProbeAt: number;
  probeDelay: number;
}

/**
 * One RS-485 bus with many window displays. Sends one write at a time; a display that
 * stops answering is marked offline after `retries` more tries and afterwards only probed
 * with backoff, and a failed try goes to the back of the queue, so a dead display delays
 * the others by at most one timeout per pass.
 */
export class LedBus extends EventEmitter implements LedDisplayPort {
  readonly id: string;
  private readonly writer: ModbusWriter;
  private readonly timeoutMs: number;
  private readonly retries: number;
  private readonly probeBackoff: Backoff;
  private readonly reopenBackoff: Backoff;
  private readonly slots = new Map<number, Slot>();
  private link: LedLinkState = "down";
  private busy = false;
  private closed = false;
  private started = false;
  private order = 0;
  private reopenDelay: number;
  private reopenTimer: NodeJS.Timeout | undefined;
  private probeTimer: NodeJS.Timeout | undefined;

  constructor(options: LedBusOptions) {
    super();
    this.id = options.id ?? "led-bus";
    this.writer = options.writer;
    this.timeoutMs = options.timeoutMs ?? 300;
    this.retries = options.retries ?? 1;
    this.probeBackoff = options.probeBackoff ?? { initialMs: 1000, maxMs: 30_000 };
    this.reopenBackoff = options.reopenBackoff ?? { initialMs: 250, maxMs: 2000 };
    this.reopenDelay = this.reopenBackoff.initialMs;
  }

  get linkState(): LedLinkState {
    return this.link;
  }

  /** Last known reachability per address (undefined: never tried). */
  displayOnline(address: number): boolean | undefined {
    return this.slots.get(address)?.online;
  }

  async start(): Promise<void> {
    if (this.started) return;
    this.started = true;
    await this.connect();
  }

  setText(address: number, text: string, style: DisplayStyle = DEFAULT_STYLE): Promise<void> {
    const promise = this.enqueue(address, text, style);
    // Fire-and-forget callers must not crash the hub with an unhandled rejection; callers
    // that await still see the rejection.
    promise.catch(() => {});
    return promise;
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    this.link = "down";
    clearTimeout(this.reopenTimer);
    clearTimeout(this.probeTimer);
    for (const slot of this.slots.values()) rejectAll(slot, new DeviceError("OFFLINE", "bus closed"));
    await this.writer.close().catch(() => {});
  }

  private enqueue(address: number, text: string, style: DisplayStyle): Promise<void> {
    if (!isValidAddress(address)) return Promise.reject(new DeviceError("ERROR", `bad display address ${address}`));
    let regs: number[];
    try {
      regs = encodeDisplayText(text, style);
    } catch (e) {
      return Promise.reject(new DeviceError("ERROR", (e as Error).message));
    }
    if (this.closed) return Promise.reject(new DeviceError("OFFLINE", "bus closed"));
    let slot = this.slots.get(address);
    if (!slot) {
      slot = {
        address,
        regs,
        dirty: true,
        queued: false,
        queuedAt: 0,
        waiters: [],
        online: undefined,
        failures: 0,
        nextProbeAt: 0,
        probeDelay: this.probeBackoff.initialMs,
      };
      this.slots.set(address, slot);
    }
    slot.regs = regs;
    slot.dirty = true;
    if (!slot.queued) this.queue(slot);
    if (this.link === "down") {
      return Promise.reject(new DeviceError("OFFLINE", "bus down"));
    }
    if (slot.online === false) {
      // Kept as the text to show when a probe finds the display again.
      this.pump();
      return Promise.reject(new DeviceError("OFFLINE", `display ${address} offline`));
    }
    const done = new Promise<void>((resolve, reject) => slot.waiters.push({ resolve, reject }));
    this.pump();
    return done;
  }

  private queue(slot: Slot): void {
    slot.queued = true;
    slot.queuedAt = this.order++;
  }

  /** Oldest queued answering display first; offline displays only when their probe is due. */
  private pickNext(now: number): Slot | undefined {
    let best: Slot | undefined;
    let probe: Slot | undefined;
    for (const slot of this.slots.values()) {
      if (!slot.dirty) continue;
      if (slot.online !== false) {
        if (slot.queued && (!best || slot.queuedAt < best.queuedAt)) best = slot;
      } else if (slot.nextProbeAt <= now && (!probe || slot.nextProbeAt < probe.nextProbeAt)) {
        probe = slot;
      }
    }
    return best ?? probe;
  }

  private pump(): void {
    if (this.busy || this.closed || this.link !== "up") return;
    const slot = this.pickNext(Date.now());
    if (!slot) {
      this.armProbeTimer();
      return;
    }
    this.busy = true;
    this.attempt(slot)
      .catch(() => {})
      .finally(() => {
        this.busy = false;
        this.pump();
      });
  }

  private armProbeTimer(): void {
    clearTimeout(this.probeTimer);
    let next = Number.POSITIVE_INFINITY;
    for (const slot of this.slots.values()) {
      if (slot.dirty && slot.online === false) next = Math.min(next, slot.nextProbeAt);
    }
    if (next === Number.POSITIVE_INFINITY) return;
    this.probeTimer = setTimeout(() => this.pump(), Math.max(0, next - Date.now()));
    this.probeTimer.unref();
  }

  private async attempt(slot: Slot): Promise<void> {
    const regs = slot.regs;
    const waiters = slot.waiters.splice(0);
    const probing = slot.online === false;
    slot.queued = false;
    try {
      await this.writer.writeRegisters(slot.address, REG_STYLE, regs, this.timeoutMs);
    } catch (e) {
      const err = e instanceof DeviceError ? e : new DeviceError("ERROR", String(e));
      this.failed(slot, regs, waiters, err, probing);
      return;
    }
    if (slot.regs === regs) slot.dirty = false;
    else if (!slot.queued) this.queue(slot);
    slot.failures = 0;
    this.setOnline(slot, true);
    for (const w of waiters) w.resolve();
  }

  private failed(slot: Slot, sent: number[], waiters: Waiter[], err: DeviceError, probing: boolean): void {
    if (this.link !== "up" || err.code === "OFFLINE") {
      // The port went away under this write: the text stays dirty for the reconnect.
      slot.waiters.unshift(...waiters);
      if (this.link === "up") this.lost(err.message);
      return;
    }
    if (err.code !== "TIMEOUT") {
      // It answered, so it is there; resending the same refused text would not help.
      if (slot.regs === sent) slot.dirty = false;
      this.setOnline(slot, true);
      for (const w of waiters) w.reject(err);
      return;
    }
    if (probing) {
      slot.probeDelay = Math.min(slot.probeDelay * 2, this.probeBackoff.maxMs);
      slot.nextProbeAt = Date.now() + slot.probeDelay;
      for (const w of waiters) w.reject(new DeviceError("OFFLINE", `display ${slot.address} offline`));
      return;
    }
    slot.failures++;
    if (slot.failures <= this.retries) {
      // Retry after whatever else is waiting, so this display's timeouts don't stack up
      // in front of the others.
      slot.waiters.unshift(...waiters);
      this.queue(slot);
      return;
    }
    slot.failures = 0;
    slot.probeDelay = this.probeBackoff.initialMs;
    slot.nextProbeAt = Date.now() + slot.probeDelay;
    for (const w of waiters) w.reject(err);
    rejectAll(slot, err);
    this.setOnline(slot, false, "no answer");
  }

  private setOnline(slot: Slot, online: boolean, detail?: string): void {
    if (slot.online === online) return;
    slot.online = online;
    if (online) slot.probeDelay = this.probeBackoff.initialMs;
    const status: LedDisplayStatus = { address: slot.address, online };
    if (detail !== undefined) status.detail = detail;
    this.emit("status", status);
  }

  private async connect(): Promise<void> {
    if (this.closed) return;
    try {
      await this.writer.open((detail) => this.lost(detail));
    } catch (e) {
      this.scheduleReopen((e as Error).message);
      return;
    }
    if (this.closed) {
      await this.writer.close().catch(() => {});
      return;
    }
    this.link = "up";
    this.reopenDelay = this.reopenBackoff.initialMs;
    this.emit("link", "up");
    // Displays may have been replugged or power-cycled with the adapter: resend every
    // newest text once, one try each, in address order.
    const now = Date.now();
    for (const slot of this.slots.values()) {
      slot.dirty = true;
      slot.nextProbeAt = now;
    }
    this.pump();
  }

  private lost(detail: string): void {
    if (this.closed || this.link === "down") return;
    this.link = "down";
    this.emit("link", "down", detail);
    for (const slot of this.slots.values()) {
      rejectAll(slot, new DeviceError("OFFLINE", "bus down"));
      slot.failures = 0;
      this.setOnline(slot, false, "bus down");
    }
    void this.writer.close().catch(() => {});
    this.scheduleReopen(detail);
  }

  private scheduleReopen(_detail: string): void {
    if (this.closed) return;
    clearTimeout(this.reopenTimer);
    const delay = this.reopenDelay;
    this.reopenDelay = Math.min(this.reopenDelay * 2, this.reopenBackoff.maxMs);
    this.reopenTimer = setTimeout(() => void this.connect(), delay);
  }
}

function rejectAll(slot: Slot, err: DeviceError): void {
  for (const w of slot.waiters.splice(0)) w.reject(err);
}

export interface ModbusRtuWriterOptions {
  baudRate?: number;
  /** How often to check that the device node is still the one opened. */
  watchMs?: number;
}

/** `ModbusWriter` over a serial port (USB–RS-485 adapter) with modbus-serial's RTU master. */
export class ModbusRtuWriter implements ModbusWriter {
  private client: ModbusRTU | undefined;
  private watch: NodeJS.Timeout | undefined;

  constructor(
    readonly path: string,
    private readonly options: ModbusRtuWriterOptions = {},
  ) {}

  async open(onLost: (detail: string) => void): Promise<void> {
    const client = new ModbusRTU();
    // Port errors show up as a close or a failed write; without a listener they would crash.
    client.on("error", () => {});
    await client.connectRTUBuffered(this.path, { baudRate: this.options.baudRate ?? 9600 });
    const lost = (detail: string) => {
      if (this.client !== client) return;
      this.client = undefined;
      clearInterval(this.watch);
      if (client.isOpen) client.close(() => {});
      onLost(detail);
    };
    client.on("close", () => lost("port closed"));
    this.client = client;
    // An unplugged adapter (or a dead pty) is only noticed by a read when the next write
    // fails; an idle bus would look fine for ever. The node vanishing or being recreated
    // (new inode) is the unplug.
    const opened = nodeId(this.path);
    clearInterval(this.watch);
    this.watch = setInterval(() => {
      if (nodeId(this.path) !== opened) lost("device node gone");
    }, this.options.watchMs ?? 500);
    this.watch.unref();
  }

  writeRegisters(unit: number, start: number, values: readonly number[], timeoutMs: number): Promise<void> {
    const client = this.client;
    if (!client?.isOpen) return Promise.reject(new DeviceError("OFFLINE", "port not open"));
    return new Promise<void>((resolve, reject) => {
      let settled = false;
      const settle = (err?: DeviceError) => {
        if (settled) return;
        settled = true;
        clearTimeout(guard);
        if (err) reject(err);
        else resolve();
      };
      // modbus-serial never calls back if the port closes mid-request.
      const guard = setTimeout(() => settle(new DeviceError("TIMEOUT", "no answer")), timeoutMs + 200);
      client.setTimeout(timeoutMs);
      client.writeFC16(unit, start, [...values], (err) => settle(err ? toDeviceError(err) : undefined));
    });
  }

  close(): Promise<void> {
    const client = this.client;
    this.client = undefined;
    clearInterval(this.watch);
    if (!client?.isOpen) return Promise.resolve();
    return new Promise<void>((resolve) => client.close(() => resolve()));
  }
}

function nodeId(path: string): string | undefined {
  try {
    const st = statSync(path);
    return `${st.dev}:${st.ino}:${st.rdev}`;
  } catch {
    return undefined;
  }
}

function toDeviceError(err: unknown): DeviceError {
  const e = err as { errno?: string; modbusCode?: number; message?: string; name?: string };
  if (e.errno === "ETIMEDOUT") return new DeviceError("TIMEOUT", "no answer");
  if (e.name === "PortNotOpenError") return new DeviceError("OFFLINE", "port not open");
  if (typeof e.modbusCode === "number") return new DeviceError("ERROR", `modbus exception ${e.modbusCode}`);
  return new DeviceError("BAD_FRAME", e.message ?? "bad answer");
}
