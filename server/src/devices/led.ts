import { LedBus, ModbusRtuWriter } from "../../../hardware/led/bus.ts";
import { LedSimulator } from "../../../hardware/led/simulator.ts";
import type { LedDisplayStatus, LedLinkState } from "../../../hardware/led/bus.ts";
import { HallError } from "../hall/errors.ts";
import type { DeviceContext, DeviceModule, SharedResource } from "./lifecycle.ts";
import { transportKey } from "./links.ts";

/** A display on a line: its address and where its health goes. */
interface Listener {
  address: number;
  report: DeviceContext["report"];
}

/**
 * One RS-485 line of window displays. The line listens to its bus once and hands each
 * display its own news (a hall has dozens of displays on a line).
 */
class LedLine {
  readonly listeners = new Set<Listener>();

  constructor(
    readonly bus: LedBus,
    readonly sim?: LedSimulator,
  ) {
    bus.on("status", (s: LedDisplayStatus) => {
      for (const l of this.listeners)
        if (l.address === s.address) l.report({ health: s.online ? "online" : "offline", detail: s.detail });
    });
    bus.on("link", (state: LedLinkState, detail?: string) => {
      for (const l of this.listeners) l.report({ health: state === "up" ? "online" : "offline", detail });
    });
  }

  shared(): SharedResource<LedLine> {
    return { value: this, start: () => this.bus.start(), close: () => this.bus.close() };
  }
}

/**
 * Window displays: many on one RS-485 line (Modbus RTU), told apart by address, showing
 * what their counter is doing. All simulated displays share one simulated line.
 */
export const ledModule: DeviceModule = {
  create(ctx) {
    const t = ctx.cfg.transport;
    const key = `led:${transportKey(t)}`;
    let make: () => SharedResource<LedLine>;
    if (t.type === "serial")
      make = () => new LedLine(new LedBus({ id: key, writer: new ModbusRtuWriter(t.path, { baudRate: t.baudRate }) })).shared();
    else if (t.type === "sim")
      make = () => {
        const sim = new LedSimulator();
        return new LedLine(new LedBus({ id: "led-sim", writer: sim }), sim).shared();
      };
    else throw new Error(`window displays need a serial RS-485 bus, not ${t.type}`);

    const { value: line, ready } = ctx.shared(key, make);
    const { bus, sim } = line;
    const address = ctx.address;
    const listener: Listener = { address, report: (h) => ctx.report(h) };
    line.listeners.add(listener);
    ctx.onClose(() => {
      line.listeners.delete(listener);
    });
    return {
      sims: { ledSim: sim },
      refreshPeriodically: true,
      async start() {
        await ready;
        // A bus whose port did not open (missing adapter) keeps retrying; until its first
        // "link up" the display is not reachable and must not be reported online.
        const up = bus.linkState !== "down";
        ctx.report(up ? { health: "online" } : { health: "offline", detail: "CONNECTING" });
      },
      showCounter(shown) {
        bus.setText(address, shown.text, shown.style).catch(() => {});
      },
      simulate(fault) {
        if (fault === "paper_out") throw new HallError("VALIDATION_FAILED", "only printers run out of paper");
        // A display on a shared line is "unplugged" by never answering at its address.
        sim?.setDead(address, fault === "unplug");
      },
    };
  },
};
