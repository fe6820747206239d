import type { KeypadKey, RatingScore } from "../../../hardware/keypad/protocol.ts";
import type { CounterAction } from "../hall/counter-actions.ts";
import { HallError } from "../hall/errors.ts";
import { joinKeypadLine } from "./keypad-line.ts";
import type { DeviceContext, DeviceModule } from "./lifecycle.ts";

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

/** A visitor's score from a device at `ctx`'s counter (rating devices, and keypads with rating keys). */
export function rateAtCounter(ctx: DeviceContext, score: RatingScore): void {
  const counterId = ctx.counterId;
  if (!counterId) return;
  ctx.hooks.rate(counterId, score).catch((err) => ctx.hooks.log(`rating ${ctx.cfg.id}: ${(err as Error).message}`));
}

/**
 * Caller keypads: a clerk's keys become counter actions run as the staff signed in at the
 * counter, and the keypad's LCD shows the number being served (or why a key was refused).
 */
export const keypadModule: DeviceModule = {
  create(ctx) {
    const show = (text: string) => line.bus.showText(ctx.address, text).catch(() => {});
    const onKey = (k: KeypadKey) => {
      const counterId = ctx.counterId;
      if (!counterId) return;
      const { hooks } = ctx;
      const view = hooks.counterState(counterId);
      let action: CounterAction;
      const kind = keyAction[k];
      if (kind === "toggle-pause")
        action = view?.status === "paused" ? { type: "resume", counterId } : { type: "pause", counterId, reason: "按键暂停" };
      else if (kind === "call-back") {
        const ticketId = hooks.lastParked(counterId);
        if (!ticketId) {
          show("NO_PARKED");
          return;
        }
        action = { type: "call", counterId, ticketId };
      } else if (kind === "transfer") {
        const queueId = view?.currentTicketId ? hooks.ticketQueue(view.currentTicketId) : undefined;
        if (!queueId) {
          show("NO_CURRENT_TICKET");
          return;
        }
        action = { type: "transfer", counterId, toQueueId: queueId };
      } else action = { type: kind, counterId } as CounterAction;
      hooks.counterAction(action).catch((err) => {
        const code = err instanceof HallError ? err.code : "ERROR";
        // Show the refusal on the keypad's own screen: the clerk is looking there.
        show(code.slice(0, 32));
      });
    };
    const { line, ready } = joinKeypadLine(ctx, {
      address: ctx.address,
      onKey,
      onRating: (score) => rateAtCounter(ctx, score),
    });
    return {
      sims: { keypadSim: line.sim },
      async start() {
        await ready;
        ctx.report(line.bus.status);
      },
      showCounter(shown) {
        show(shown.ticket ?? shown.text);
      },
    };
  },
};
