import { EventEmitter } from "node:events";
import { A4Error, type A4Job } from "../../../hardware/a4/driver.ts";
import type { A4PrintResult } from "../contract/terminals.ts";
import { windowDisplay } from "../../../hardware/led/protocol.ts";
import type { PendingPrintJob } from "../../../hardware/printer/driver.ts";
import type { LabelJob } from "../../../hardware/label/protocol.ts";
import type { TicketPrintJob } from "../../../hardware/printer/protocol.ts";
import { DeviceError } from "../../../hardware/transport/link.ts";
import type { DeviceConfig, DeviceStatus, TransportConfig } from "../contract/devices.ts";
import type { PaymentProvider } from "../contract/payments.ts";
import type { PrintResult } from "../contract/events.ts";
import type { HallEvent } from "../core/index.ts";
import type { Bus } from "../hall/bus.ts";
import type { HallEvents } from "../hall/events.ts";
import { HallError } from "../hall/errors.ts";
import { parseDeviceConfig } from "../hall/validate.ts";
import type { ConfigStore } from "../store/config.ts";
import { DEFAULT_DEVICE_PATH_PREFIXES, devicePathAllowed } from "./device-paths.ts";
import { type CounterDisplay, type DeviceHooks, type DeviceSims, DeviceUnit, SharedResources } from "./lifecycle.ts";
import type { DeviceWithStatus, DevicesPort, SimFault } from "../hall/ports.ts";
import { deviceModules } from "./registry.ts";

export type { DeviceHooks } from "./lifecycle.ts";

/**
 * Opens every configured device, keeps its health, and links it to the hall. What a
 * device does is its kind's module (registry.ts); this class only keeps the list: the
 * configuration (validated, saved, paths checked), one {@link DeviceUnit} per device, the
 * print port, and what the counters' screens show. A device failure is a status change,
 * never a crash.
 */
export class DeviceManager extends EventEmitter<{ status: [DeviceStatus] }> implements DevicesPort {
  private readonly running = new Map<string, DeviceUnit>();
  private readonly shared = new SharedResources();
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
      for (const u of this.running.values())
        if (u.device?.refreshPeriodically && u.counterId !== undefined) counters.add(u.counterId);
      for (const id of counters) this.refreshCounter(id);
    }, this.refreshMs);
    this.refreshTimer.unref();
  }

  list(): DeviceWithStatus[] {
    return [...this.running.values()].map((u) => ({ ...u.cfg, status: u.status }));
  }

  statuses(): DeviceStatus[] {
    return [...this.running.values()].map((u) => u.status);
  }

  /** Counter of a device assigned to one, for the wall's offline map. */
  counterOf(deviceId: string): string | undefined {
    return this.running.get(deviceId)?.counterId;
  }

  async put(raw: DeviceConfig): Promise<DeviceWithStatus> {
    const cfg = parseDeviceConfig(raw);
    if (cfg.assignment.kind === "counter" && this.hooks.counterNumber(cfg.assignment.counterId) === undefined)
      throw new HallError("UNKNOWN_COUNTER", `no counter ${cfg.assignment.counterId}`);
    // Refused before anything is saved or opened: the hub may write to whatever it opens.
    if (!this.pathAllowed(cfg.transport))
      throw new HallError(
        "DEVICE_PATH_NOT_ALLOWED",
        `transport.path must be a device under ${this.prefixes.join(", ")} (set DEVICE_PATHS to allow others)`,
      );
    await this.config.update((d) => {
      const i = d.devices.findIndex((x) => x.id === cfg.id);
      if (i >= 0) d.devices[i] = cfg;
      else d.devices.push(cfg);
    });
    await this.stop(cfg.id);
    const unit = await this.open(cfg);
    return { ...unit.cfg, status: unit.status };
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
    const u = this.running.get(id);
    if (!u) throw new HallError("UNKNOWN_DEVICE", `no device ${id}`);
    if (u.cfg.transport.type !== "sim") throw new HallError("VALIDATION_FAILED", "only simulated devices take faults");
    u.simulate(fault);
    return u.status;
  }

  /** Print a ticket on the kiosk's printer. Never rejects: failure is a result. */
  async printTicket(kioskId: string, job: TicketPrintJob | PendingPrintJob): Promise<PrintResult> {
    const u = [...this.running.values()].find((x) => x.device?.print && x.kioskId === kioskId);
    const print = u?.device?.print;
    return print ? this.printOn(u, () => print(job)) : { status: "none" };
  }

  /** A test ticket on one ticket printer, chosen by id (the admin console's "test print"). */
  async testPrint(id: string, job: TicketPrintJob): Promise<PrintResult> {
    const u = this.running.get(id);
    if (!u) throw new HallError("UNKNOWN_DEVICE", `no device ${id}`);
    const print = u.device?.print;
    if (!print) throw new HallError("VALIDATION_FAILED", `device ${id} prints no tickets`);
    return this.printOn(u, () => print(job));
  }

  /** One print on one unit's printer, its failure turned into a result the page can show. */
  private async printOn(u: DeviceUnit | undefined, send: () => Promise<void>): Promise<PrintResult> {
    if (!u) return { status: "none" };
    try {
      await send();
      return { status: "printed", printerId: u.cfg.id };
    } catch (err) {
      const code = err instanceof DeviceError ? err.code : "ERROR";
      const error = code === "OFFLINE" || code === "PAPER_OUT" || code === "TIMEOUT" ? code : "ERROR";
      this.hooks.log(`printer ${u.cfg.id}: ${code}`);
      return { status: "failed", printerId: u.cfg.id, error };
    }
  }

  /**
   * Print something laid out elsewhere (a case receipt) on the printer of a counter; `encode`
   * gets that printer's paper width. Never rejects: failure is a result, as for tickets.
   */
  async printAtCounter(counterId: string, jobId: string, encode: (width: 58 | 80) => Buffer): Promise<PrintResult> {
    const u = [...this.running.values()].find((x) => x.device?.print && x.counterId === counterId);
    const width = Number(u?.cfg.options?.paperWidthMm ?? 80) === 58 ? 58 : 80;
    const print = u?.device?.print;
    return print ? this.printOn(u, () => print({ jobId, bytes: encode(width) })) : { status: "none" };
  }

  /** Print on a terminal's receipt printer (payment receipts, issue 12), like printAtCounter. */
  async printAtTerminal(terminalId: string, jobId: string, encode: (width: 58 | 80) => Buffer): Promise<PrintResult> {
    const u = [...this.running.values()].find((x) => x.device?.print && x.terminalId === terminalId);
    const width = Number(u?.cfg.options?.paperWidthMm ?? 80) === 58 ? 58 : 80;
    const print = u?.device?.print;
    return print ? this.printOn(u, () => print({ jobId, bytes: encode(width) })) : { status: "none" };
  }

  /**
   * Print a shipping label on the label printer of a counter (统一出证 window). Never
   * rejects: "none" when the counter has no label printer, "failed" with the reason.
   */
  async printLabelAtCounter(counterId: string, jobId: string, job: LabelJob): Promise<PrintResult> {
    const u = [...this.running.values()].find((x) => x.device?.printLabel && x.counterId === counterId);
    const device = u?.device;
    if (!u || !device?.printLabel) return { status: "none" };
    const printLabel = device.printLabel;
    return this.printOn(u, () => printLabel(jobId, job));
  }

  /**
   * Follow the hall on its bus: each journalled batch reaches every device, and the window
   * displays and keypad screens of the counters it touched are rewritten from the hall's
   * queries (the bus publishes after the state is updated, so they already say the new
   * thing). Listeners are the manager's: `bus.off(manager)` stops them all.
   *
   * The devices are written on the next turn of the event loop, after the bus's other
   * listeners: a clerk's command is answered and its broadcast is on the sockets before
   * the window displays and keypads are redrawn (they are slower media anyway), and the
   * batches of one turn are coalesced, so a counter touched by several commands at once is
   * redrawn once (issue 9: the hub's time per call).
   */
  follow(bus: Bus<HallEvents>): void {
    bus.on(this, "hall.events", (events) => {
      if (this.closed) return;
      if (this.pendingEvents.length === 0) setImmediate(() => this.flushHallEvents());
      this.pendingEvents.push(...events);
    });
  }

  private pendingEvents: HallEvent[] = [];

  private flushHallEvents(): void {
    const events = this.pendingEvents;
    this.pendingEvents = [];
    if (!this.closed) this.onHallEvents(events);
  }

  /**
   * Print a PDF on a terminal's A4 printer. Never rejects: failure is a result (the
   * printer's words: OFFLINE, PAPER_OUT, JAM …), so the terminal can say what to do.
   */
  async printA4(terminalId: string, job: A4Job): Promise<A4PrintResult> {
    return this.printA4On(
      [...this.running.values()].find((x) => x.device?.printDocument && x.terminalId === terminalId),
      job,
    );
  }

  /** Print a PDF on the A4 printer of a counter (a certificate window's clerk copies). Never rejects. */
  async printA4AtCounter(counterId: string, job: A4Job): Promise<A4PrintResult> {
    return this.printA4On(
      [...this.running.values()].find((x) => x.device?.printDocument && x.counterId === counterId),
      job,
    );
  }

  private async printA4On(u: ReturnType<typeof this.running.get>, job: A4Job): Promise<A4PrintResult> {
    if (!u?.device?.printDocument) return { status: "none" };
    try {
      await u.device.printDocument(job);
      return { status: "printed", printerId: u.cfg.id };
    } catch (err) {
      const code = err instanceof A4Error ? err.code : "ERROR";
      this.hooks.log(`a4 printer ${u.cfg.id}: ${code}`);
      return { status: "failed", printerId: u.cfg.id, error: code };
    }
  }

  /**
   * The card payment provider of a terminal's POS ("pos:<deviceId>"); undefined when that
   * terminal has no POS. Ask again for each payment rather than keeping it: re-configuring
   * the device (PUT /api/devices/:id) replaces it.
   */
  posProvider(terminalId: string): PaymentProvider | undefined {
    for (const u of this.running.values()) if (u.terminalId === terminalId && u.device?.payments) return u.device.payments;
    return undefined;
  }

  /** Every POS's provider, for resolving open orders on restart and the daily reconciliation (by name). */
  posProviders(): PaymentProvider[] {
    return [...this.running.values()].flatMap((u) => (u.device?.payments ? [u.device.payments] : []));
  }

  /** Keep window displays and keypad screens in step with the hall; pass the events on to every device. */
  onHallEvents(events: readonly HallEvent[]): void {
    const counters = new Set<string>();
    for (const e of events) if ("counterId" in e && e.counterId) counters.add(e.counterId);
    for (const u of this.running.values()) u.device?.onHallEvents?.(events);
    for (const id of counters) this.refreshCounter(id);
  }

  /** Simulators of a device, for the demo and tests. */
  simulators(id: string): DeviceSims | undefined {
    return this.running.get(id)?.sims;
  }

  async close(): Promise<void> {
    this.closed = true;
    if (this.refreshTimer) clearInterval(this.refreshTimer);
    await Promise.all([...this.running.keys()].map((id) => this.stop(id)));
  }

  /** What a counter's screens show now; undefined for a counter the hall does not know. */
  private counterDisplay(counterId: string): CounterDisplay | undefined {
    const view = this.hooks.counterState(counterId);
    const number = this.hooks.counterNumber(counterId);
    if (!view || number === undefined) return undefined;
    const ticket = view.currentTicketId ? this.hooks.ticketNumber(view.currentTicketId) : undefined;
    const st = view.status === "paused" || view.status === "closed" ? "paused" : ticket ? "calling" : "idle";
    const shown = windowDisplay({ counterNumber: number, state: st, lang: "zh", ...(ticket ? { ticketNumber: ticket } : {}) });
    return { text: shown.text, style: shown.style, ...(ticket ? { ticket } : {}) };
  }

  private refreshCounter(counterId: string): void {
    const shown = this.counterDisplay(counterId);
    if (!shown) return;
    for (const u of this.running.values()) if (u.counterId === counterId) u.device?.showCounter?.(shown);
  }

  private get prefixes(): readonly string[] {
    return this.hooks.devicePathPrefixes ?? DEFAULT_DEVICE_PATH_PREFIXES;
  }

  private pathAllowed(t: TransportConfig): boolean {
    return (t.type !== "serial" && t.type !== "usblp") || devicePathAllowed(t.path, this.prefixes);
  }

  private async open(cfg: DeviceConfig): Promise<DeviceUnit> {
    const unit = new DeviceUnit(cfg, {
      hooks: this.hooks,
      shared: this.shared,
      changed: (s) => {
        if (!this.closed) this.emit("status", s);
      },
    });
    this.running.set(cfg.id, unit);
    // A config.json edited by hand is checked too: such a device is listed in error, never opened.
    if (!this.pathAllowed(cfg.transport)) {
      unit.report({ health: "error", detail: "DEVICE_PATH_NOT_ALLOWED" });
      return unit;
    }
    await unit.open(deviceModules[cfg.kind]);
    if (unit.counterId !== undefined && unit.device?.showCounter) this.refreshCounter(unit.counterId);
    return unit;
  }

  private async stop(id: string): Promise<void> {
    const u = this.running.get(id);
    if (!u) return;
    this.running.delete(id);
    await u.close();
  }
}
