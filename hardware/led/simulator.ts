import { EventEmitter } from "node:events";
import { DeviceError } from "../transport/link.ts";
import { LedBus, type LedBusOptions, type ModbusWriter } from "./bus.ts";
import { type DisplayStyle, decodeDisplayRegisters, decodeStyle, REG_STYLE } from "./protocol.ts";

/** One FC16 request as the simulated bus saw it, answered or not. */
export interface LedSimulatorAttempt {
  address: number;
  answered: boolean;
}

/**
 * A bus full of window displays in memory, for the demo and the UI work. It is the Modbus
 * side of the wire (`ModbusWriter`), so the hub drives it through the same `LedBus` as a
 * real bus and gets the same coalescing, timeouts and offline handling.
 *
 * Faults: `setDead(address)` (never answers), `slowMs` (answers late; later than the
 * request timeout counts as a timeout), `unplug()` / `replug()` (the adapter goes away).
 */
export class LedSimulator extends EventEmitter implements ModbusWriter {
  /** What each display shows now. */
  readonly texts = new Map<number, string>();
  readonly styles = new Map<number, DisplayStyle>();
  /** Every request in order, for tests and the demo's device page. */
  readonly attempts: LedSimulatorAttempt[] = [];
  /** Answer delay of every display. */
  slowMs = 0;
  private readonly dead = new Set<number>();
  private plugged = true;
  private isOpen = false;
  private onLost: ((detail: string) => void) | undefined;

  setDead(address: number, dead = true): void {
    if (dead) this.dead.add(address);
    else this.dead.delete(address);
  }

  unplug(): void {
    this.plugged = false;
    if (!this.isOpen) return;
    this.isOpen = false;
    const lost = this.onLost;
    this.onLost = undefined;
    lost?.("unplugged");
  }

  replug(): void {
    this.plugged = true;
  }

  async open(onLost: (detail: string) => void): Promise<void> {
    if (!this.plugged) throw new DeviceError("OFFLINE", "simulated adapter unplugged");
    this.isOpen = true;
    this.onLost = onLost;
  }

  async writeRegisters(unit: number, start: number, values: readonly number[], timeoutMs: number): Promise<void> {
    if (!this.isOpen) throw new DeviceError("OFFLINE", "port not open");
    const answers = !this.dead.has(unit) && this.slowMs <= timeoutMs;
    this.attempts.push({ address: unit, answered: answers });
    if (!answers) {
      await sleep(timeoutMs);
      throw new DeviceError("TIMEOUT", "no answer");
    }
    if (this.slowMs > 0) await sleep(this.slowMs);
    if (!this.isOpen) throw new DeviceError("OFFLINE", "port not open");
    if (start !== REG_STYLE) throw new DeviceError("ERROR", "modbus exception 2");
    const text = decodeDisplayRegisters(values);
    const style = decodeStyle(values[REG_STYLE] ?? 0);
    this.texts.set(unit, text);
    this.styles.set(unit, style);
    this.emit("text", unit, text, style);
  }

  async close(): Promise<void> {
    this.isOpen = false;
    this.onLost = undefined;
  }

  override on(event: "text", fn: (address: number, text: string, style: DisplayStyle) => void): this;
  override on(event: string | symbol, fn: (...args: never[]) => void): this {
    return super.on(event, fn as (...args: unknown[]) => void);
  }
}

/** A `LedBus` over a `LedSimulator`, as the demo wires it. */
export function createSimulatedLedBus(
  sim: LedSimulator = new LedSimulator(),
  options: Omit<LedBusOptions, "writer"> = {},
): { bus: LedBus; sim: LedSimulator } {
  return { bus: new LedBus({ id: "led-sim", ...options, writer: sim }), sim };
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
