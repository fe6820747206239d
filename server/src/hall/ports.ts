import type { DeviceConfig, DeviceStatus } from "../contract/devices.ts";
import type { CallInfo } from "../contract/tickets.ts";

/**
 * What the application's other adapters need from devices/ and voice/, declared here so
 * http/ and realtime/ depend on the hall, never on another adapter (test/server/layers.test.ts).
 * The device manager and the announcer satisfy them as they are.
 */

export type DeviceWithStatus = DeviceConfig & { status: DeviceStatus };
export type SimFault = "paper_out" | "unplug" | "ok";

/** Device administration as the API offers it. */
export interface DevicesPort {
  list(): DeviceWithStatus[];
  statuses(): DeviceStatus[];
  put(cfg: DeviceConfig): Promise<DeviceWithStatus>;
  remove(id: string): Promise<boolean>;
  /** Fault injection on a simulated device (demo and tests). */
  simulate(id: string, fault: SimFault): DeviceStatus;
}

/** The hub's own voice for call screens. */
export interface VoicePort {
  /** Whether announcements are made here (else call screens use the browser's speech). */
  readonly available: boolean;
  /** URL path of a call's announcement, known at once; undefined when there is no voice. */
  urlFor(call: Pick<CallInfo, "number" | "counterNumber">, lang?: "zh" | "en"): string | undefined;
  /** The audio file for a name handed out by `urlFor` (or the chime), if there is one. */
  file(name: string): Promise<string | undefined>;
}
