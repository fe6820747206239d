import { IdCardReader } from "../../../hardware/idreader/driver.ts";
import { IdReaderSimulator } from "../../../hardware/idreader/simulator.ts";
import type { DeviceModule } from "./lifecycle.ts";

/**
 * ID card readers at kiosks: a card placed on the reader is handed to the hub once (which
 * keeps only a salted token of the number) and the kiosk is told who is there.
 */
export const idReaderModule: DeviceModule = {
  create(ctx) {
    const { link, plug } = ctx.link();
    const sim = plug ? new IdReaderSimulator(plug.device) : undefined;
    const reader = new IdCardReader(link);
    reader.on("status", (s) => ctx.report(s));
    reader.on("card", (c) => {
      if (ctx.kioskId !== undefined) ctx.hooks.idCard(ctx.kioskId, c.idNumber, c.name);
      else if (ctx.counterId !== undefined) ctx.hooks.counterIdCard?.(ctx.counterId, c.idNumber, c.name);
      else if (ctx.terminalId !== undefined) ctx.hooks.terminalIdCard?.(ctx.terminalId, c.idNumber, c.name);
    });
    ctx.onClose(() => link.close());
    ctx.onClose(() => reader.stop());
    return {
      sims: { idSim: sim },
      async start() {
        if (plug) await plug.device.open();
        await link.open();
        reader.start();
        ctx.report(link.state === "open" ? { health: "online" } : { health: "offline", detail: "CONNECTING" });
      },
    };
  },
};
