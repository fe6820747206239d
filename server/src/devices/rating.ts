import { rateAtCounter } from "./keypad.ts";
import { joinKeypadLine } from "./keypad-line.ts";
import type { DeviceModule } from "./lifecycle.ts";

/**
 * Rating devices at a counter: prompted when the clerk asks for a rating, their score
 * rates the counter's last ticket. They share the keypads' line and frames.
 */
export const ratingModule: DeviceModule = {
  create(ctx) {
    const { line, ready } = joinKeypadLine(ctx, { address: ctx.address, onRating: (score) => rateAtCounter(ctx, score) });
    return {
      sims: { keypadSim: line.sim },
      async start() {
        await ready;
        ctx.report(line.bus.status);
      },
      onHallEvents(events) {
        for (const e of events) {
          if (e.type === "counter.rating_requested" && ctx.counterId !== undefined && e.counterId === ctx.counterId)
            line.bus.requestRating(ctx.address).catch(() => {});
        }
      },
    };
  },
};
