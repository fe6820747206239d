import { EventEmitter } from "node:events";
import type { DeviceConfig, DeviceHealth, DeviceStatus, TransportConfig } from "../contract/devices.ts";
import type { PrintResult } from "../contract/events.ts";
import type { CounterState } from "../contract/tickets.ts";
import type { HallEvent, HallState } from "../core/index.ts";
import { IdCardReader } from "../../../hardware/idreader/driver.ts";
import { IdReaderSimulator } from "../../../hardware/idreader/simulator.ts";
import { KeypadBus } from "../../../hardware/keypad/driver.ts";
import type { KeypadKey } from "../../../hardware/keypad/protocol.ts";
import { KeypadSimulator } from "../../../hardware/keypad/simulator.ts";
import { LedBus, type LedDisplayPort, ModbusRtuWriter } from "../../../hardware/led/bus.ts";
import { windowDisplay } from "../../../hardware/led/protocol.ts";
import { LedSimulator } from "../../../hardware/led/simulator.ts";
import { EscPosPrinter } from "../../../hardware/printer/driver.ts";
import type { TicketPrintJob } from "../../../hardware/printer/protocol.ts";
import { PrinterSimulator } from "../../../hardware/printer/simulator.ts";
import { CodeScanner } from "../../../hardware/scanner/driver.ts";
import { ScannerSimulator } from "../../../hardware/scanner/simulator.ts";
import { type ByteLink, DeviceError } from "../../../hardware/transport/link.ts";
import { createMemoryLinkPair, type MemoryLinkPair } from "../../../hardware/transport/memory.ts";
import { SerialLink } from "../../../hardware/transport/serial.ts";
import { TcpLink } from "../../../hardware/transport/tcp.ts";
import { UsbLpLink } from "../../../hardware/transport/usblp.ts";
import type { CounterAction } from "../hall/counter-actions.ts";
import { deviceConfigSchema } from "../store/catalogue-schema.ts";
import type { ConfigStore } from "../store/config.ts";
import { ApiError } from "../http/errors.ts";
import { DEFAULT_DEVICE_PATH_PREFIXES, devicePathAllowed } from "./device-paths.ts";
import type { DeviceWithStatus, DevicesPort, SimFault } from "./port.ts";

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

interface Running {
  cfg: DeviceConfig;
  status: DeviceStatus;
  /** Simulated device end, for fault injection. */
  plug?: MemoryLinkPair;
  printer?: EscPosPrinter;
  printerSim?: PrinterSimulator;
  keypadSim?: KeypadSimulator;
  idSim?: IdReaderSimulator;
  scannerSim?: ScannerSimulator;
  ledSim?: LedSimulator;
  led?: { port: LedDisplayPort; address: number };
  keypad?: { bus: KeypadBus; address: number };
  stop: () => Promise<void>;
}

/** Shared RS-485 buses: several displays or keypads on one serial line. */
interface SharedBus<T> {
  users: number;
  value: T;
  close: () => Promise<void>;
}

function transportKey(t: TransportConfig): string {
  switch (t.type) {
    case "serial":
      return `serial:${t.path}`;
    case "tcp":
      return `tcp:${t.host}:${t.port}`;
    case "usblp":
      return `usblp:${t.path}`;
    case "sim":
      return "sim";
  }
}

function address(cfg: DeviceConfig): number {
  const a = cfg.options?.address ?? (cfg.assignment.kind === "counter" ? cfg.assignment.address : undefined);
  return typeof a === "number" ? a : Number(a ?? 1);
}

const keyAction: Record<KeypadKey, CounterAction["type"] | "toggle-pause" | "call-back"> = {
  // The keypad has no finish key: its next key may close a called ticket as a no-show after the grace time.
  call: "keypad-next",
  recall: "recall",
  rate: "request-rating",
  pause: "toggle-pause",
  // The keypad's transfer key carries no target: the ticket goes back to its queue for
  // the next free counter, keeping its place in line.
  transfer: "transfer",
  no_show: "no-show",
  park: "park",
  call_back: "call-back",
};

/**
 * Opens every configured device, keeps its health, and links it to the hall: printers
 * print tickets, window displays and keypad screens follow their counter, keys and
 * ratings become counter commands, card readers and scanners feed their kiosk. A device
 * failure is a status change, never a crash.
 */
export class DeviceManager extends EventEmitter<{ status: [DeviceStatus] }> implements DevicesPort {
  private readonly running = new Map<string, Running>();
  private readonly ledBuses = new Map<string, SharedBus<LedDisplayPort & { sim?: LedSimulator }>>();
  private readonly keypadBuses = new Map<string, SharedBus<{ bus: KeypadBus; link: ByteLink }>>();
  private closed = false;
  private refreshTimer: NodeJS.Timeout | undefined;

  constructor(
    private readonly config: ConfigStore,
    private readonly hooks: DeviceHooks,
    private readonly refreshMs = 30_000,
  ) {
    super();
  }

  async start(): Promise<void> {
    await Promise.all(this.config.data.devices.map((d) => this.open(d)));
    // Rewrite every window display now and then: a display that was power-cycled shows its
    // text again, and one that died while idle is noticed (a one-way write is the only probe).
    this.refreshTimer = setInterval(() => {
      const counters = new Set<string>();
      for (const r of this.running.values())
        if (r.led && r.cfg.assignment.kind === "counter") counters.add(r.cfg.assignment.counterId);
      for (const id of counters) this.refreshCounter(id);
    }, this.refreshMs);
    this.refreshTimer.unref();
  }

  list(): DeviceWithStatus[] {
    return [...this.running.values()].map((r) => ({ ...r.cfg, status: { ...r.status } }));
  }

  statuses(): DeviceStatus[] {
    return [...this.running.values()].map((r) => ({ ...r.status }));
  }

  /** Counter of a device assigned to one, for the wall's offline map. */
  counterOf(deviceId: string): string | undefined {
    const a = this.running.get(deviceId)?.cfg.assignment;
    return a?.kind === "counter" ? a.counterId : undefined;
  }

  async put(raw: DeviceConfig): Promise<DeviceWithStatus> {
    const r = deviceConfigSchema.safeParse(raw);
    if (!r.success) {
      const msg = r.error.issues
        .slice(0, 3)
        .map((i) => `${i.path.join(".")}: ${i.message}`)
        .join("; ");
      throw new ApiError("VALIDATION_FAILED", msg);
    }
    const cfg = r.data as DeviceConfig;
    if (cfg.assignment.kind === "counter" && this.hooks.counterNumber(cfg.assignment.counterId) === undefined)
      throw new ApiError("UNKNOWN_COUNTER", `no counter ${cfg.assignment.counterId}`);
    // Refused before anything is saved or opened: the hub may write to whatever it opens.
    if (!this.pathAllowed(cfg.transport))
      throw new ApiError(
        "DEVICE_PATH_NOT_ALLOWED",
        `transport.path must be a device under ${this.prefixes.join(", ")} (set DEVICE_PATHS to allow others)`,
      );
    await this.config.update((d) => {
      const i = d.devices.findIndex((x) => x.id === cfg.id);
      if (i >= 0) d.devices[i] = cfg;
      else d.devices.push(cfg);
    });
    await this.stop(cfg.id);
    await this.open(cfg);
    const run = this.running.get(cfg.id) as Running;
    return { ...run.cfg, status: { ...run.status } };
  }

  async remove(id: string): Promise<boolean> {
    if (!this.config.data.devices.some((d) => d.id === id)) return false;
    await this.config.update((d) => {
      d.devices = d.devices.filter((x) => x.id !== id);
    });
    await this.stop(id);
    return true;
  }

  simulate(id: string, fault: SimFault): DeviceStatus {
    const r = this.running.get(id);
    if (!r) throw new ApiError("UNKNOWN_DEVICE", `no device ${id}`);
    if (r.cfg.transport.type !== "sim") throw new ApiError("VALIDATION_FAILED", "only simulated devices take faults");
    if (fault === "paper_out") {
      if (!r.printerSim) throw new ApiError("VALIDATION_FAILED", "only printers run out of paper");
      r.printerSim.paperOut(true);
      void r.printer?.refresh();
    } else if (fault === "unplug") {
      if (r.ledSim && r.led) r.ledSim.setDead?.(r.led.address, true);
      else r.plug?.unplug();
    } else {
      r.printerSim?.paperOut(false);
      if (r.ledSim && r.led) r.ledSim.setDead?.(r.led.address, false);
      if (r.plug && !r.plug.plugged) r.plug.replug();
      void r.printer?.refresh();
    }
    return { ...r.status };
  }

  /** Print a ticket on the kiosk's printer. Never rejects: failure is a result. */
  async printTicket(kioskId: string, job: TicketPrintJob): Promise<PrintResult> {
    const r = [...this.running.values()].find(
      (x) => x.printer && x.cfg.assignment.kind === "kiosk" && x.cfg.assignment.kioskId === kioskId,
    );
    if (!r?.printer) return { status: "none" };
    try {
      await r.printer.print(job);
      return { status: "printed", printerId: r.cfg.id };
    } catch (err) {
      const code = err instanceof DeviceError ? err.code : "ERROR";
      const error = code === "OFFLINE" || code === "PAPER_OUT" || code === "TIMEOUT" ? code : "ERROR";
      this.hooks.log(`printer ${r.cfg.id}: ${code}`);
      return { status: "failed", printerId: r.cfg.id, error };
    }
  }

  /**
   * Print something laid out elsewhere (a case receipt) on the printer of a counter; `encode`
   * gets that printer's paper width. Never rejects: failure is a result, as for tickets.
   */
  async printAtCounter(counterId: string, jobId: string, encode: (width: 58 | 80) => Buffer): Promise<PrintResult> {
    const r = [...this.running.values()].find(
      (x) => x.printer && x.cfg.assignment.kind === "counter" && x.cfg.assignment.counterId === counterId,
    );
    if (!r?.printer) return { status: "none" };
    try {
      await r.printer.print({ jobId, bytes: encode(Number(r.cfg.options?.paperWidthMm ?? 80) === 58 ? 58 : 80) });
      return { status: "printed", printerId: r.cfg.id };
    } catch (err) {
      const code = err instanceof DeviceError ? err.code : "ERROR";
      const error = code === "OFFLINE" || code === "PAPER_OUT" || code === "TIMEOUT" ? code : "ERROR";
      this.hooks.log(`printer ${r.cfg.id}: ${code}`);
      return { status: "failed", printerId: r.cfg.id, error };
    }
  }

  /** Keep window displays and keypad screens in step with the hall. */
  onHallEvents(events: HallEvent[], state: HallState): void {
    const counters = new Set<string>();
    for (const e of events) {
      if ("counterId" in e && e.counterId) counters.add(e.counterId);
      if (e.type === "counter.rating_requested") {
        for (const r of this.running.values()) {
          if (
            r.cfg.kind === "rating" &&
            r.keypad &&
            r.cfg.assignment.kind === "counter" &&
            r.cfg.assignment.counterId === e.counterId
          )
            r.keypad.bus.requestRating(r.keypad.address).catch(() => {});
        }
      }
    }
    for (const id of counters) this.refreshCounter(id, state);
  }

  private refreshCounter(counterId: string, state?: HallState): void {
    const view = state?.counters.get(counterId)?.view ?? this.hooks.counterState(counterId);
    const number = this.hooks.counterNumber(counterId);
    if (!view || number === undefined) return;
    const ticket = view.currentTicketId ? this.hooks.ticketNumber(view.currentTicketId) : undefined;
    const st = view.status === "paused" || view.status === "closed" ? "paused" : ticket ? "calling" : "idle";
    const shown = windowDisplay({ counterNumber: number, state: st, lang: "zh", ...(ticket ? { ticketNumber: ticket } : {}) });
    for (const r of this.running.values()) {
      if (r.cfg.assignment.kind !== "counter" || r.cfg.assignment.counterId !== counterId) continue;
      if (r.led) r.led.port.setText(r.led.address, shown.text, shown.style).catch(() => {});
      if (r.keypad && r.cfg.kind === "keypad") r.keypad.bus.showText(r.keypad.address, ticket ?? shown.text).catch(() => {});
    }
  }

  private setStatus(r: Running, health: DeviceHealth, detail?: string): void {
    if (r.status.health === health && r.status.detail === detail) return;
    if (r.status.health === health) {
      // Same health, new reason (a link retrying flips between CONNECTING and ENOENT every
      // second): keep the newest reason for GET /api/devices, but don't flood the hall.
      r.status = { ...r.status, ...(detail ? { detail } : {}) };
      if (!detail) delete r.status.detail;
      return;
    }
    r.status = { id: r.cfg.id, kind: r.cfg.kind, health, ...(detail ? { detail } : {}), since: this.hooks.clock() };
    if (health !== "online") this.hooks.log(`device ${r.cfg.id}: ${health}${detail ? ` (${detail})` : ""}`);
    if (!this.closed) this.emit("status", { ...r.status });
  }

  private makeLink(cfg: DeviceConfig, duplex = true): { link: ByteLink; plug?: MemoryLinkPair } {
    const t = cfg.transport;
    switch (t.type) {
      case "serial":
        return { link: new SerialLink({ id: cfg.id, path: t.path, baudRate: t.baudRate }) };
      case "tcp":
        return { link: new TcpLink({ id: cfg.id, host: t.host, port: t.port }) };
      case "usblp":
        return { link: new UsbLpLink({ id: cfg.id, path: t.path }) };
      case "sim": {
        const plug = createMemoryLinkPair({ id: cfg.id, duplex });
        return { link: plug.host, plug };
      }
    }
  }

  private get prefixes(): readonly string[] {
    return this.hooks.devicePathPrefixes ?? DEFAULT_DEVICE_PATH_PREFIXES;
  }

  private pathAllowed(t: TransportConfig): boolean {
    return (t.type !== "serial" && t.type !== "usblp") || devicePathAllowed(t.path, this.prefixes);
  }

  private async open(cfg: DeviceConfig): Promise<void> {
    const r: Running = {
      cfg,
      status: { id: cfg.id, kind: cfg.kind, health: "offline", detail: "CONNECTING", since: this.hooks.clock() },
      stop: async () => {},
    };
    this.running.set(cfg.id, r);
    // A config.json edited by hand is checked too: such a device is listed in error, never opened.
    if (!this.pathAllowed(cfg.transport)) {
      this.setStatus(r, "error", "DEVICE_PATH_NOT_ALLOWED");
      return;
    }
    try {
      switch (cfg.kind) {
        case "printer":
          await this.openPrinter(r);
          break;
        case "led":
          await this.openLed(r);
          break;
        case "keypad":
        case "rating":
          await this.openKeypad(r);
          break;
        case "idreader":
          await this.openIdReader(r);
          break;
        case "scanner":
          await this.openScanner(r);
          break;
      }
    } catch (err) {
      this.setStatus(r, "error", (err as Error).message.slice(0, 60));
    }
  }

  private async openPrinter(r: Running): Promise<void> {
    const { link, plug } = this.makeLink(r.cfg, r.cfg.transport.type !== "usblp");
    const width = Number(r.cfg.options?.paperWidthMm ?? 80) === 58 ? 58 : 80;
    if (plug) {
      r.plug = plug;
      r.printerSim = new PrinterSimulator({ link: plug.device, plug });
      await plug.device.open();
    }
    const printer = new EscPosPrinter({ id: r.cfg.id, link, width, pollIntervalMs: 5000 });
    r.printer = printer;
    printer.on("status", (s: DeviceStatus) => this.setStatus(r, s.health, s.detail));
    r.stop = () => printer.close();
    await printer.start();
    this.setStatus(r, printer.status.health, printer.status.detail);
  }

  private async openLed(r: Running): Promise<void> {
    const key = transportKey(r.cfg.transport);
    let shared = this.ledBuses.get(key);
    if (!shared) {
      let port: LedDisplayPort & { sim?: LedSimulator };
      const t = r.cfg.transport;
      if (t.type === "serial") port = new LedBus({ id: key, writer: new ModbusRtuWriter(t.path, { baudRate: t.baudRate }) });
      else if (t.type === "sim") {
        const sim = new LedSimulator();
        port = Object.assign(new LedBus({ id: "led-sim", writer: sim }), { sim });
      } else throw new Error(`window displays need a serial RS-485 bus, not ${t.type}`);
      const value = port;
      shared = { users: 0, value, close: () => value.close() };
      this.ledBuses.set(key, shared);
      value.on("status", (s) => {
        for (const x of this.running.values()) {
          if (x.led?.port === value && x.led.address === s.address) this.setStatus(x, s.online ? "online" : "offline", s.detail);
        }
      });
      value.on("link", (state, detail) => {
        for (const x of this.running.values()) {
          if (x.led?.port === value) this.setStatus(x, state === "up" ? "online" : "offline", detail);
        }
      });
      await value.start();
    }
    shared.users++;
    const bus = shared;
    r.led = { port: bus.value, address: address(r.cfg) };
    if (bus.value.sim) r.ledSim = bus.value.sim;
    r.stop = async () => {
      if (--bus.users === 0) {
        this.ledBuses.delete(key);
        await bus.close();
      }
    };
    // A bus whose port did not open (missing adapter) keeps retrying; until its first
    // "link up" the display is not reachable and must not be reported online.
    const up = (bus.value as { linkState?: string }).linkState !== "down";
    this.setStatus(r, up ? "online" : "offline", up ? undefined : "CONNECTING");
    if (r.cfg.assignment.kind === "counter") this.refreshCounter(r.cfg.assignment.counterId);
  }

  private async openKeypad(r: Running): Promise<void> {
    // Simulated keypads each get their own cable; real ones share the RS-485 line.
    const key = r.cfg.transport.type === "sim" ? `sim:${r.cfg.id}` : transportKey(r.cfg.transport);
    let shared = this.keypadBuses.get(key);
    if (!shared) {
      const { link, plug } = this.makeLink(r.cfg);
      if (plug) {
        r.plug = plug;
        r.keypadSim = new KeypadSimulator(plug.device);
        await plug.device.open();
      }
      const bus = new KeypadBus(link);
      bus.on("key", (e: { address: number; key: KeypadKey }) => this.onKey(key, e.address, e.key));
      bus.on("rating", (e: { address: number; score: 1 | 2 | 3 | 4 | 5 }) => this.onRating(key, e.address, e.score));
      bus.on("status", (s: { health: DeviceHealth; detail?: string }) => {
        for (const x of this.running.values()) if (x.keypad?.bus === bus) this.setStatus(x, s.health, s.detail);
      });
      shared = {
        users: 0,
        value: { bus, link },
        close: async () => {
          bus.detach();
          await link.close();
        },
      };
      this.keypadBuses.set(key, shared);
      await link.open();
    }
    shared.users++;
    const s = shared;
    r.keypad = { bus: s.value.bus, address: address(r.cfg) };
    r.stop = async () => {
      if (--s.users === 0) {
        this.keypadBuses.delete(key);
        await s.close();
      }
    };
    const st = s.value.bus.status;
    this.setStatus(r, st.health, st.detail);
    if (r.cfg.assignment.kind === "counter") this.refreshCounter(r.cfg.assignment.counterId);
  }

  private deviceAt(busKey: string, addr: number, kinds: DeviceConfig["kind"][]): Running | undefined {
    for (const r of this.running.values()) {
      if (!r.keypad || !kinds.includes(r.cfg.kind)) continue;
      const key = r.cfg.transport.type === "sim" ? `sim:${r.cfg.id}` : transportKey(r.cfg.transport);
      if (key === busKey && r.keypad.address === addr) return r;
    }
    return undefined;
  }

  private onKey(busKey: string, addr: number, k: KeypadKey): void {
    const r = this.deviceAt(busKey, addr, ["keypad"]);
    if (r?.cfg.assignment.kind !== "counter") return;
    const counterId = r.cfg.assignment.counterId;
    const view = this.hooks.counterState(counterId);
    let action: CounterAction;
    const kind = keyAction[k];
    if (kind === "toggle-pause")
      action = view?.status === "paused" ? { type: "resume", counterId } : { type: "pause", counterId, reason: "按键暂停" };
    else if (kind === "call-back") {
      const ticketId = this.hooks.lastParked(counterId);
      if (!ticketId) {
        r.keypad?.bus.showText(r.keypad.address, "NO_PARKED").catch(() => {});
        return;
      }
      action = { type: "call", counterId, ticketId };
    } else if (kind === "transfer") {
      const queueId = view?.currentTicketId ? this.hooks.ticketQueue(view.currentTicketId) : undefined;
      if (!queueId) {
        r.keypad?.bus.showText(r.keypad.address, "NO_CURRENT_TICKET").catch(() => {});
        return;
      }
      action = { type: "transfer", counterId, toQueueId: queueId };
    } else action = { type: kind, counterId } as CounterAction;
    this.hooks.counterAction(action).catch((err) => {
      const code = err instanceof ApiError ? err.code : "ERROR";
      // Show the refusal on the keypad's own screen: the clerk is looking there.
      r.keypad?.bus.showText(r.keypad.address, code.slice(0, 32)).catch(() => {});
    });
  }

  private onRating(busKey: string, addr: number, score: 1 | 2 | 3 | 4 | 5): void {
    const r = this.deviceAt(busKey, addr, ["rating", "keypad"]);
    if (r?.cfg.assignment.kind !== "counter") return;
    this.hooks
      .rate(r.cfg.assignment.counterId, score)
      .catch((err) => this.hooks.log(`rating ${r.cfg.id}: ${(err as Error).message}`));
  }

  private async openIdReader(r: Running): Promise<void> {
    const { link, plug } = this.makeLink(r.cfg);
    if (plug) {
      r.plug = plug;
      r.idSim = new IdReaderSimulator(plug.device);
      await plug.device.open();
    }
    const reader = new IdCardReader(link);
    reader.on("status", (s: { health: DeviceHealth; detail?: string }) => this.setStatus(r, s.health, s.detail));
    reader.on("card", (c: { idNumber: string; name: string }) => {
      if (r.cfg.assignment.kind === "kiosk") this.hooks.idCard(r.cfg.assignment.kioskId, c.idNumber, c.name);
    });
    r.stop = async () => {
      await reader.stop();
      await link.close();
    };
    await link.open();
    reader.start();
    this.setStatus(r, link.state === "open" ? "online" : "offline", link.state === "open" ? undefined : "CONNECTING");
  }

  private async openScanner(r: Running): Promise<void> {
    const { link, plug } = this.makeLink(r.cfg);
    if (plug) {
      r.plug = plug;
      r.scannerSim = new ScannerSimulator(plug.device);
      await plug.device.open();
    }
    const scanner = new CodeScanner(link);
    scanner.on("status", (s: { health: DeviceHealth; detail?: string }) => this.setStatus(r, s.health, s.detail));
    scanner.on("code", (code: string) => {
      if (r.cfg.assignment.kind === "kiosk") this.hooks.scanned(r.cfg.assignment.kioskId, code);
    });
    r.stop = async () => {
      scanner.detach();
      await link.close();
    };
    await link.open();
    this.setStatus(r, link.state === "open" ? "online" : "offline", link.state === "open" ? undefined : "CONNECTING");
  }

  /** Simulators of a device, for the demo and tests. */
  simulators(id: string): Pick<Running, "printerSim" | "keypadSim" | "idSim" | "scannerSim" | "ledSim" | "plug"> | undefined {
    const r = this.running.get(id);
    return (
      r && {
        printerSim: r.printerSim,
        keypadSim: r.keypadSim,
        idSim: r.idSim,
        scannerSim: r.scannerSim,
        ledSim: r.ledSim,
        plug: r.plug,
      }
    );
  }

  private async stop(id: string): Promise<void> {
    const r = this.running.get(id);
    if (!r) return;
    this.running.delete(id);
    try {
      await r.stop();
    } catch (err) {
      this.hooks.log(`device ${id}: close failed: ${(err as Error).message}`);
    }
  }

  async close(): Promise<void> {
    this.closed = true;
    if (this.refreshTimer) clearInterval(this.refreshTimer);
    await Promise.all([...this.running.keys()].map((id) => this.stop(id)));
  }
}
