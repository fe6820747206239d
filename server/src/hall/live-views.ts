import type { DeviceStatus } from "../contract/devices.ts";
import type { HallSnapshot } from "../contract/events.ts";
import type { LiveStats } from "../contract/stats.ts";
import type { HallService } from "./service.ts";
import { offlineCounters } from "./snapshot.ts";

/** What the hall's live views need from the adapters beside it (devices/, voice/), as plain functions. */
export interface LiveInputs {
  /** Every device's health now. */
  devices(): DeviceStatus[];
  /** The counter a device serves, if any (an offline window display marks its counter offline). */
  deviceCounter(deviceId: string): string | undefined;
  /** Whether the hub's own voice is available (else call screens use the browser's speech). */
  voice(): boolean;
}

/**
 * The hall as every screen sees it on subscribing (snapshot) and every 250 ms after (live
 * figures): the hall's queries plus the device and voice state the adapters report, built
 * here so realtime/ and http/ ask one place and neither knows about devices/ or voice/.
 */
export class LiveViews {
  constructor(
    private readonly hall: HallService,
    private readonly inputs: LiveInputs,
  ) {}

  /** Counters with a device fault, shown as offline on the wall. */
  offline(): Set<string> {
    return offlineCounters(this.inputs.devices(), (id) => this.inputs.deviceCounter(id));
  }

  liveStats(): LiveStats {
    return this.hall.liveStats(this.offline());
  }

  snapshot(): HallSnapshot {
    return this.hall.snapshot({ devices: this.inputs.devices(), voice: this.inputs.voice(), offline: this.offline() });
  }
}
