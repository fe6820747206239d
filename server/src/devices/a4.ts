import { A4Printer } from "../../../hardware/a4/driver.ts";
import { A4PrinterSimulator } from "../../../hardware/a4/simulator.ts";
import { HallError } from "../hall/errors.ts";
import type { DeviceModule } from "./lifecycle.ts";

/**
 * A terminal's A4 printer (certificates, guides). Transport `tcp` with
 * `options.protocol` "ipp" (default; `options.path`, default /ipp/print — a CUPS queue is
 * /printers/NAME) or "raw" (port 9100). A simulated one is a real IPP server on a loopback
 * port (hardware/a4/simulator.ts), so the demo and tests go through the same IPP client.
 * Health comes from Get-Printer-Attributes every `options.pollMs` (default 10 s).
 */
export const a4Module: DeviceModule = {
  create(ctx) {
    const { cfg } = ctx;
    const t = cfg.transport;
    if (t.type !== "tcp" && t.type !== "sim") throw new Error("an A4 printer is reached over TCP (IPP or 9100)");
    const pollMs = Number(cfg.options?.pollMs ?? 10_000);
    const sim = t.type === "sim" ? new A4PrinterSimulator({ name: cfg.name }) : undefined;
    let printer: A4Printer | undefined;
    const make = (): A4Printer => {
      if (sim) return new A4Printer({ id: cfg.id, protocol: "ipp", uri: sim.uri, pollMs, jobPollMs: 50 });
      if (t.type !== "tcp") throw new Error("unreachable");
      const raw = cfg.options?.protocol === "raw";
      const path = String(cfg.options?.path ?? "/ipp/print");
      return raw
        ? new A4Printer({ id: cfg.id, protocol: "raw", host: t.host, port: t.port, pollMs })
        : new A4Printer({ id: cfg.id, protocol: "ipp", uri: `ipp://${t.host}:${t.port}${path}`, pollMs });
    };
    ctx.onClose(() => sim?.close());
    ctx.onClose(() => printer?.stop());
    const refresh = () => {
      printer?.probe().catch(() => {});
    };
    return {
      sims: { a4Sim: sim },
      async start() {
        if (sim) await sim.start();
        printer = make();
        printer.on("status", (s) =>
          ctx.report({
            health: s.health,
            ...(s.detail ? { detail: s.detail } : {}),
            ...(s.warnings?.length ? { warnings: s.warnings } : {}),
          }),
        );
        await printer.start();
      },
      async printDocument(job) {
        if (!printer) throw new HallError("DEVICE_ERROR", "the printer is starting");
        await printer.print(job);
      },
      simulate(fault) {
        if (!sim) return;
        if (fault === "unplug") sim.inject("offline");
        else if (fault === "media_low") sim.inject("media_low");
        else if (fault === "paper_out") sim.inject("media_empty");
        else sim.inject(fault);
        // Ask now rather than at the next poll, so the board hears of it at once.
        setTimeout(refresh, 20);
      },
    };
  },
};
