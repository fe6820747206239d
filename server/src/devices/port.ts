import type { DeviceConfig, DeviceStatus } from "../contract/devices.ts";
import type { PrintResult } from "../contract/events.ts";

export type DeviceWithStatus = DeviceConfig & { status: DeviceStatus };
export type SimFault = "paper_out" | "unplug" | "ok";

/** What the web side needs from the device manager. */
export interface DevicesPort {
  list(): DeviceWithStatus[];
  statuses(): DeviceStatus[];
  put(cfg: DeviceConfig): Promise<DeviceWithStatus>;
  remove(id: string): Promise<boolean>;
  /** Fault injection on a simulated device (demo and tests). */
  simulate(id: string, fault: SimFault): DeviceStatus;
  /** Print bytes laid out for the counter's printer (its paper width given to `encode`). */
  printAtCounter(counterId: string, jobId: string, encode: (width: 58 | 80) => Buffer): Promise<PrintResult>;
}
