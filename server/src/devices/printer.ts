import { EscPosPrinter } from "../../../hardware/printer/driver.ts";
import { PrinterSimulator } from "../../../hardware/printer/simulator.ts";
import type { DeviceModule } from "./lifecycle.ts";

/**
 * Kiosk ticket printers (ESC/POS over serial, TCP or usblp). The driver polls the printer
 * and reports paper out, cover open and link loss itself; a ticket it cannot print is a
 * failed print result for the kiosk, never a lost ticket.
 */
export const printerModule: DeviceModule = {
  create(ctx) {
    const { cfg } = ctx;
    const { link, plug } = ctx.link({ duplex: cfg.transport.type !== "usblp" });
    const width = Number(cfg.options?.paperWidthMm ?? 80) === 58 ? 58 : 80;
    const sim = plug ? new PrinterSimulator({ link: plug.device, plug }) : undefined;
    const printer = new EscPosPrinter({ id: cfg.id, link, width, pollIntervalMs: 5000 });
    printer.on("status", (s) => ctx.report(s));
    ctx.onClose(() => printer.close());
    return {
      sims: { printerSim: sim },
      async start() {
        if (plug) await plug.device.open();
        await printer.start();
        ctx.report(printer.status);
      },
      print: (job) => printer.print(job),
      simulate(fault) {
        if (fault === "unplug") {
          plug?.unplug();
          return;
        }
        sim?.paperOut(fault === "paper_out");
        if (fault === "ok" && plug && !plug.plugged) plug.replug();
        // Ask now rather than at the next idle poll, so the hall hears of it at once.
        void printer.refresh();
      },
    };
  },
};
