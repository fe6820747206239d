import type { DeviceConfig, DeviceStatus } from "../contract/devices.ts";

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
}
