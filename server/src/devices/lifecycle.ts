import type { A4Job } from "../../../hardware/a4/driver.ts";
import type { A4PrinterSimulator } from "../../../hardware/a4/simulator.ts";
import type { IdReaderSimulator } from "../../../hardware/idreader/simulator.ts";
import type { LabelJob } from "../../../hardware/label/protocol.ts";
import type { LabelSimulator } from "../../../hardware/label/simulator.ts";
import type { KeypadSimulator } from "../../../hardware/keypad/simulator.ts";
import type { DisplayStyle } from "../../../hardware/led/protocol.ts";
import type { LedSimulator } from "../../../hardware/led/simulator.ts";
import type { PendingPrintJob, RawPrintJob } from "../../../hardware/printer/driver.ts";
import type { TicketPrintJob } from "../../../hardware/printer/protocol.ts";
import type { PosStage } from "../../../hardware/pos/protocol.ts";
import type { PosSimulator } from "../../../hardware/pos/simulator.ts";
import type { PrinterSimulator } from "../../../hardware/printer/simulator.ts";
import type { ScannerSimulator } from "../../../hardware/scanner/simulator.ts";
import type { ByteLink } from "../../../hardware/transport/link.ts";
import type { MemoryLinkPair } from "../../../hardware/transport/memory.ts";
import type { Health, HealthReport } from "../../../hardware/types.ts";
import type { DeviceConfig, DeviceHealth, DeviceStatus } from "../contract/devices.ts";
import type { PaymentProvider } from "../contract/payments.ts";
import type { CounterState } from "../contract/tickets.ts";
import type { HallEvent } from "../core/index.ts";
import type { CounterAction } from "../hall/counter-actions.ts";
import { HallError } from "../hall/errors.ts";
import { makeLink } from "./links.ts";
import type { SimFault } from "../hall/ports.ts";

/**
 * The common life of every device, whatever its kind:
 *
 *   create (sync: build the driver on its transport) → start (first connection attempt)
 *   → health reports, as often as the driver has news → close (for good).
 *
 * Reconnecting is the transport's job (hardware/transport: a link retries with backoff
 * until closed, a simulated cable can be pulled and plugged back); a kind's module only
 * turns what its driver says into `report()` calls, and registers what must be released
 * with `onClose()` as soon as it exists, so a device that fails half way through opening
 * leaks nothing. Closing a unit closes its links, which is what stops the reconnecting.
 *
 * A new kind is one file exporting a {@link DeviceModule} plus one line in registry.ts.
 */
export interface DeviceModule {
  /**
   * Build the device on `ctx` (no I/O yet) and return its handle. May throw for a
   * configuration the kind cannot serve (a display on a TCP transport): the device is
   * then listed in error, never opened.
   */
  create(ctx: DeviceContext): DeviceHandle;
}

/** What a running device offers the hub; every part except `start` is optional. */
export interface DeviceHandle {
  /** First connection attempt; resolves whether the device answered or not (it reports its health). */
  start(): Promise<void>;
  /** Simulators behind a simulated transport, for fault injection (demo, tests). */
  readonly sims?: Omit<DeviceSims, "plug">;
  /** Print a ticket; rejects with DeviceError (OFFLINE, PAPER_OUT, TIMEOUT …). Ticket printers only. */
  print?(job: TicketPrintJob | RawPrintJob | PendingPrintJob): Promise<void>;
  /** Print a shipping label; rejects with DeviceError like print. Label printers only. */
  printLabel?(jobId: string, job: LabelJob): Promise<void>;
  /** Print an A4 document; rejects with A4Error (OFFLINE, PAPER_OUT, JAM …). A4 printers only. */
  printDocument?(job: A4Job): Promise<void>;
  /**
   * Take card payments (bank-card POS only): the terminal's card provider, named
   * "pos:<deviceId>". Its promises reject (DeviceError OFFLINE / TIMEOUT …) when the outcome
   * is unknown, e.g. the POS unplugged mid-payment: the caller then asks `query`.
   */
  readonly payments?: PaymentProvider;
  /** Show the state of the device's counter (window displays, keypad screens). */
  showCounter?(shown: CounterDisplay): void;
  /**
   * Rewrite `showCounter` now and then, unasked: for one-way displays, where a write is
   * the only probe and a power-cycled display shows nothing until written again.
   */
  readonly refreshPeriodically?: boolean;
  /** What happened in the hall, after the journal acknowledged it. */
  onHallEvents?(events: readonly HallEvent[]): void;
  /**
   * Fault injection on a simulated device. Without it a unit pulls or plugs back its
   * simulated cable (`unplug`, `ok`) and refuses `paper_out`. Throws HallError for a fault
   * the kind cannot have.
   */
  simulate?(fault: SimFault): void;
}

/** The simulators of one device, by kind; `plug` is its simulated cable. */
export interface DeviceSims {
  printerSim?: PrinterSimulator;
  keypadSim?: KeypadSimulator;
  idSim?: IdReaderSimulator;
  scannerSim?: ScannerSimulator;
  ledSim?: LedSimulator;
  labelSim?: LabelSimulator;
  a4Sim?: A4PrinterSimulator;
  posSim?: PosSimulator;
  plug?: MemoryLinkPair;
}

/** What a counter's screens show, worked out once per counter by the manager. */
export interface CounterDisplay {
  /** Window display text ("A023 请到3号窗口", "3号窗口 欢迎您", "暂停服务"). */
  text: string;
  style: DisplayStyle;
  /** Number of the ticket being served, if any (a keypad's LCD shows just that). */
  ticket?: string;
}

/** What the device manager needs from the rest of the hub (injected by main). */
export interface DeviceHooks {
  /** Run a counter action as the staff signed in at that counter (keypads). */
  counterAction(action: CounterAction): Promise<void>;
  /** A rating device's score for the counter's last ticket. */
  rate(counterId: string, score: 1 | 2 | 3 | 4 | 5): Promise<void>;
  /** An ID card was read at a kiosk (the number must not go further than this call). */
  idCard(kioskId: string, idNumber: string, name: string): void;
  /** An appointment code was scanned at a kiosk. */
  scanned(kioskId: string, code: string): void;
  /** An ID card was read at a counter's reader (统一出证 window); the number goes no further. */
  counterIdCard?(counterId: string, idNumber: string, name: string): void;
  /** A code (a receipt's QR) was scanned at a counter's scanner. */
  counterScanned?(counterId: string, code: string): void;
  /** An ID card was read at a self-service terminal (the number goes no further than this call). */
  terminalIdCard?(terminalId: string, idNumber: string, name: string): void;
  /** A code (a case receipt's QR) was scanned at a self-service terminal. */
  terminalScanned?(terminalId: string, code: string): void;
  /** A terminal's card POS asks the visitor for something (insert card, enter PIN, wait for the bank). */
  terminalPosPrompt?(terminalId: string, orderId: string, stage: PosStage): void;
  /**
   * A durable file of the data folder for what a simulated device must keep through the
   * hub's death (a simulated POS's journal). Absent: simulators keep it in memory.
   */
  simFile?(name: string): { read(): string | undefined; write(data: string): Promise<void> };
  counterNumber(counterId: string): number | undefined;
  counterState(counterId: string): CounterState | undefined;
  ticketNumber(ticketId: string): string | undefined;
  /** Queue of a ticket (the keypad's transfer key sends it back there). */
  ticketQueue(ticketId: string): string | undefined;
  /** The ticket most recently parked at a counter (the keypad's call-back key). */
  lastParked(counterId: string): string | undefined;
  clock: () => number;
  log: (line: string) => void;
  /** Where serial and usblp devices may be opened (default DEFAULT_DEVICE_PATH_PREFIXES). */
  devicePathPrefixes?: readonly string[];
}

/** A resource several devices use at once (an RS-485 line with many displays or keypads). */
export interface SharedResource<T> {
  value: T;
  /** Open it; called once, by the first device that uses it. */
  start(): Promise<void>;
  /** Called when the last device using it closes. */
  close(): Promise<void>;
}

/** What a kind's module gets to build one device. */
export interface DeviceContext {
  readonly cfg: DeviceConfig;
  readonly hooks: DeviceHooks;
  /** Bus address: `options.address`, else the counter assignment's, else 1. */
  readonly address: number;
  /** The counter the device serves, if it serves one. */
  readonly counterId: string | undefined;
  /** The kiosk the device serves, if it serves one. */
  readonly kioskId: string | undefined;
  /** The self-service terminal the device serves, if it serves one. */
  readonly terminalId: string | undefined;
  /** Say how the device is doing; repeated reports of the same health are cheap. */
  report(h: HealthReport): void;
  /**
   * A link over the configured transport (not opened). A simulated transport gets an
   * in-memory cable: `plug.device` is the end to give the simulator, and the unit keeps
   * the plug for fault injection. The caller owns the link (close it via onClose).
   */
  link(opts?: { duplex?: boolean }): { link: ByteLink; plug?: MemoryLinkPair };
  /**
   * The resource shared under `key` by every device on the same line: built with `make`
   * (and started) by the first, closed after the last one closes. `ready` settles once
   * the first start attempt has.
   */
  shared<T>(key: string, make: () => SharedResource<T>): { value: T; ready: Promise<void> };
  /** Run at close, newest first (what was opened last is released first). */
  onClose(fn: () => void | Promise<void>): void;
}

/** The hub's name for a driver's health; a switch, so a new word in hardware/ fails to compile here. */
export function toDeviceHealth(h: Health): DeviceHealth {
  switch (h) {
    case "online":
    case "offline":
    case "paper_out":
    case "error":
      return h;
    default: {
      const never: never = h;
      return never;
    }
  }
}

interface SharedEntry {
  users: number;
  value: unknown;
  ready: Promise<void>;
  close(): Promise<void>;
}

/** Shared lines by key, counted by users; one per device manager. */
export class SharedResources {
  private readonly entries = new Map<string, SharedEntry>();

  acquire<T>(key: string, make: () => SharedResource<T>): { value: T; ready: Promise<void>; release: () => Promise<void> } {
    let entry = this.entries.get(key);
    if (!entry) {
      const r = make();
      // Stored before the start settles, so devices opened at the same time share it.
      entry = { users: 0, value: r.value, ready: r.start(), close: () => r.close() };
      this.entries.set(key, entry);
    }
    const e = entry;
    e.users++;
    let released = false;
    return {
      value: e.value as T,
      ready: e.ready,
      release: async () => {
        if (released) return;
        released = true;
        if (--e.users > 0) return;
        this.entries.delete(key);
        await e.ready.catch(() => {});
        await e.close();
      },
    };
  }
}

/** What a unit needs from its manager. */
export interface UnitEnv {
  hooks: DeviceHooks;
  shared: SharedResources;
  /** A status change the hall should hear about. */
  changed(status: DeviceStatus): void;
}

/**
 * One configured device through its life: status bookkeeping, the module's handle, what
 * to release at close. A device failure is a status change, never a crash.
 */
export class DeviceUnit {
  private current: DeviceStatus;
  private handle: DeviceHandle | undefined;
  private plug: MemoryLinkPair | undefined;
  private readonly cleanups: (() => void | Promise<void>)[] = [];
  private closed = false;

  constructor(
    readonly cfg: DeviceConfig,
    private readonly env: UnitEnv,
  ) {
    this.current = { id: cfg.id, kind: cfg.kind, health: "offline", detail: "CONNECTING", since: env.hooks.clock() };
  }

  get status(): DeviceStatus {
    return { ...this.current };
  }

  /** The module's handle once created (even while its first start is in progress). */
  get device(): DeviceHandle | undefined {
    return this.handle;
  }

  get counterId(): string | undefined {
    return this.cfg.assignment.kind === "counter" ? this.cfg.assignment.counterId : undefined;
  }

  get kioskId(): string | undefined {
    return this.cfg.assignment.kind === "kiosk" ? this.cfg.assignment.kioskId : undefined;
  }

  get terminalId(): string | undefined {
    return this.cfg.assignment.kind === "terminal" ? this.cfg.assignment.terminalId : undefined;
  }

  get sims(): DeviceSims {
    return { ...this.handle?.sims, plug: this.plug };
  }

  /** Create and start the device; a failure leaves it listed in error. */
  async open(module: DeviceModule): Promise<void> {
    try {
      this.handle = module.create(this.context());
      await this.handle.start();
    } catch (err) {
      this.report({ health: "error", detail: (err as Error).message.slice(0, 60) });
    }
  }

  /** Record a health report: the newest reason is kept, the hall hears about health changes only. */
  report(h: HealthReport): void {
    if (this.closed) return;
    const health = toDeviceHealth(h.health);
    const detail = h.detail;
    const r = this.current;
    const warnings = h.warnings?.length ? [...h.warnings].sort() : undefined;
    // A warning appearing or clearing (toner low) is news for the board even at the same health.
    if ((r.warnings ?? []).join() !== (warnings ?? []).join()) {
      this.current = {
        id: this.cfg.id,
        kind: this.cfg.kind,
        health,
        ...(detail ? { detail } : {}),
        ...(warnings ? { warnings } : {}),
        since: r.health === health ? r.since : this.env.hooks.clock(),
      };
      if (warnings) this.env.hooks.log(`device ${this.cfg.id}: warning ${warnings.join(", ")}`);
      this.env.changed({ ...this.current });
      return;
    }
    if (r.health === health && r.detail === detail) return;
    if (r.health === health) {
      // Same health, new reason (a link retrying flips between CONNECTING and ENOENT every
      // second): keep the newest reason for GET /api/devices, but don't flood the hall.
      this.current = { ...r, ...(detail ? { detail } : {}) };
      if (!detail) delete this.current.detail;
      return;
    }
    this.current = {
      id: this.cfg.id,
      kind: this.cfg.kind,
      health,
      ...(detail ? { detail } : {}),
      ...(warnings ? { warnings } : {}),
      since: this.env.hooks.clock(),
    };
    if (health !== "online") this.env.hooks.log(`device ${this.cfg.id}: ${health}${detail ? ` (${detail})` : ""}`);
    this.env.changed({ ...this.current });
  }

  simulate(fault: SimFault): void {
    if ((fault === "jam" || fault === "toner_low" || fault === "media_low") && this.cfg.kind !== "a4")
      throw new HallError("VALIDATION_FAILED", "only A4 printers jam or run low on toner or paper");
    if (this.handle?.simulate) {
      this.handle.simulate(fault);
      return;
    }
    if (fault === "paper_out") throw new HallError("VALIDATION_FAILED", "only printers run out of paper");
    if (fault === "unplug") this.plug?.unplug();
    else if (this.plug && !this.plug.plugged) this.plug.replug();
  }

  /** Release everything, newest first; afterwards nothing reconnects and nothing is reported. */
  async close(): Promise<void> {
    // Reports made while closing still go out (a printer says CLOSED): the hall's last word
    // about a removed device should not be "online".
    for (const fn of this.cleanups.splice(0).reverse()) {
      try {
        await fn();
      } catch (err) {
        this.env.hooks.log(`device ${this.cfg.id}: close failed: ${(err as Error).message}`);
      }
    }
    this.closed = true;
  }

  private context(): DeviceContext {
    const cfg = this.cfg;
    const a = cfg.options?.address ?? (cfg.assignment.kind === "counter" ? cfg.assignment.address : undefined);
    return {
      cfg,
      hooks: this.env.hooks,
      address: typeof a === "number" ? a : Number(a ?? 1),
      counterId: this.counterId,
      kioskId: this.kioskId,
      terminalId: this.terminalId,
      report: (h) => this.report(h),
      link: (opts) => {
        const made = makeLink(cfg, opts?.duplex ?? true);
        if (made.plug) this.plug = made.plug;
        return made;
      },
      shared: (key, make) => {
        const s = this.env.shared.acquire(key, make);
        this.cleanups.push(s.release);
        return { value: s.value, ready: s.ready };
      },
      onClose: (fn) => {
        this.cleanups.push(fn);
      },
    };
  }
}
