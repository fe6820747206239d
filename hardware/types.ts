/**
 * The few words every driver in hardware/ uses to say how its device is doing. They are
 * hardware's own: the hub maps them onto its contract (server/src/devices/lifecycle.ts),
 * so drivers, simulators and protocol code never depend on the server and can be lifted
 * into another program (a kiosk agent, a test rig) as they are.
 */

/**
 * How a device is doing: `online` (usable), `offline` (link down or device silent),
 * `paper_out` (a printer that cannot print until refilled), `error` (there but refusing:
 * garbled frames, cover open, a SAM fault …).
 */
export type Health = "online" | "offline" | "paper_out" | "error";

/** A driver's status report; `H` narrows the health a kind of device can have. */
export interface HealthReport<H extends Health = Health> {
  health: H;
  /** Short machine-readable reason (link state, TIMEOUT, BAD_FRAME, PAPER_OUT …). */
  detail?: string;
  /**
   * What will soon need a hand while the device still works (TONER_LOW, MEDIA_LOW): shown
   * to staff so they refill before it stops. Sorted; absent when there is none.
   */
  warnings?: string[];
}
