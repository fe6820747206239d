import { CodeScanner } from "../../../hardware/scanner/driver.ts";
import { ScannerSimulator } from "../../../hardware/scanner/simulator.ts";
import type { DeviceModule } from "./lifecycle.ts";

/** Code scanners at kiosks: a scanned booking code goes to the kiosk's screen. */
export const scannerModule: DeviceModule = {
  create(ctx) {
    const { link, plug } = ctx.link();
    const sim = plug ? new ScannerSimulator(plug.device) : undefined;
    const scanner = new CodeScanner(link);
    scanner.on("status", (s) => ctx.report(s));
    scanner.on("code", (code) => {
      if (ctx.kioskId !== undefined) ctx.hooks.scanned(ctx.kioskId, code);
      else if (ctx.counterId !== undefined) ctx.hooks.counterScanned?.(ctx.counterId, code);
      else if (ctx.terminalId !== undefined) ctx.hooks.terminalScanned?.(ctx.terminalId, code);
    });
    ctx.onClose(() => link.close());
    ctx.onClose(() => scanner.detach());
    return {
      sims: { scannerSim: sim },
      async start() {
        if (plug) await plug.device.open();
        await link.open();
        ctx.report(link.state === "open" ? { health: "online" } : { health: "offline", detail: "CONNECTING" });
      },
    };
  },
};
