import { LabelPrinter } from "../../../hardware/label/driver.ts";
import { LabelSimulator } from "../../../hardware/label/simulator.ts";
import type { DeviceModule } from "./lifecycle.ts";

/**
 * Label printers at the 统一出证 window (邮政面单, 100×150 mm, ESC/POS): the driver polls the
 * printer and reports paper out and link loss; a label it cannot print is a failed result,
 * the waybill is kept and the label printed again when the printer is back (delivery/).
 */
export const labelModule: DeviceModule = {
  create(ctx) {
    const { cfg } = ctx;
    const { link, plug } = ctx.link({ duplex: cfg.transport.type !== "usblp" });
    const sim = plug ? new LabelSimulator({ link: plug.device, plug }) : undefined;
    const printer = new LabelPrinter({ id: cfg.id, link, pollIntervalMs: 5000 });
    printer.on("status", (s) => ctx.report(s));
    ctx.onClose(() => printer.close());
    return {
      sims: { labelSim: sim },
      async start() {
        if (plug) await plug.device.open();
        await printer.start();
        ctx.report(printer.status);
      },
      printLabel: (jobId, job) => printer.printLabel(jobId, job),
      simulate(fault) {
        if (fault === "unplug") {
          plug?.unplug();
          return;
        }
        sim?.paperOut(fault === "paper_out");
        if (fault === "ok" && plug && !plug.plugged) plug.replug();
        void printer.refresh();
      },
    };
  },
};
