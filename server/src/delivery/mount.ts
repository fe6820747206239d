/**
 * Builds the certificate window and the post for the composition root, on the case
 * module's store and bus. The courier is the simulator unless one is given; the simulator
 * pushes its news through the hub's own callback route, signed like a real courier's.
 */
import { createHmac } from "node:crypto";
import type { LabelJob } from "../../../hardware/label/protocol.ts";
import type { TokenService } from "../auth/tokens.ts";
import type { CaseModule } from "../cases/mount.ts";
import type { Catalogue } from "../contract/catalogue.ts";
import type { DeviceStatus } from "../contract/devices.ts";
import type { PrintResult } from "../contract/events.ts";
import type { StaffDirectory } from "../hall/staff.ts";
import { type CourierAdapter, CourierSimulator, signCallback } from "./courier.ts";
import { DeliveryService } from "./service.ts";
import { attachDeliverySockets } from "./socket.ts";

export interface DeliveryModuleOptions {
  cases: CaseModule;
  catalogue: () => Catalogue;
  clock: () => number;
  idSalt: string;
  /** The hub's token key: the courier's callback secret is derived from it unless given. */
  tokenKey: string;
  courierSecret?: string;
  courier?: CourierAdapter;
  counterHolder: (counterId: string) => string | undefined;
  printLabel: (counterId: string, jobId: string, job: LabelJob) => Promise<PrintResult>;
  /** Counter of a device (a label printer back online reprints that window's labels). */
  counterOf: (deviceId: string) => string | undefined;
  log: (line: string) => void;
  /**
   * Parcels with no courier news for this long are tracked (asked about) by the hub
   * (default 6 h); checked every `trackEveryMs` (default 30 min, 0: never).
   */
  trackQuietMs?: number;
  trackEveryMs?: number;
}

export interface DeliveryModule {
  service: DeliveryService;
  /** The simulated courier (when no real one is configured): tests and the demo move parcels on. */
  courierSim?: CourierSimulator;
  courierSecret: string;
  /** The hub listens at `url`: the simulator's callbacks go there. */
  listening(url: string): void;
  deviceStatus(s: DeviceStatus): void;
  attachSockets(io: Parameters<typeof attachDeliverySockets>[0], deps: { tokens: TokenService; staff: StaffDirectory }): void;
  close(): void;
}

export function mountDelivery(o: DeliveryModuleOptions): DeliveryModule {
  const courierSecret =
    o.courierSecret ?? createHmac("sha256", Buffer.from(o.tokenKey, "base64")).update("courier-callback").digest("hex");
  let callbackUrl: string | undefined;
  const sim = o.courier
    ? undefined
    : new CourierSimulator(o.clock, async (cb) => {
        if (!callbackUrl) throw new Error("the hub is not listening yet");
        const body = JSON.stringify(cb);
        const r = await fetch(callbackUrl, {
          method: "POST",
          headers: { "content-type": "application/json", "x-courier-signature": signCallback(courierSecret, body) },
          body,
        });
        if (!r.ok) throw new Error(`callback answered ${r.status}`);
      });
  const service = new DeliveryService({
    store: o.cases.store,
    catalogue: o.catalogue,
    clock: o.clock,
    idSalt: o.idSalt,
    courierSecret,
    courier: o.courier ?? (sim as CourierSimulator),
    counterHolder: o.counterHolder,
    printLabel: o.printLabel,
    bus: o.cases.bus,
    log: o.log,
  });
  let detach: (() => void) | undefined;
  // Callbacks get lost (the hub offline, the courier's push failing): ask about quiet parcels.
  const every = o.trackEveryMs ?? 30 * 60_000;
  const trackTimer =
    every > 0
      ? setInterval(() => {
          service
            .trackQuiet(o.trackQuietMs ?? 6 * 3600_000)
            .catch((err: Error) => o.log(`postal: tracking quiet parcels: ${err.message}`));
        }, every)
      : undefined;
  trackTimer?.unref();
  return {
    service,
    ...(sim ? { courierSim: sim } : {}),
    courierSecret,
    listening(url) {
      callbackUrl = `${url}/api/postal/callback`;
    },
    deviceStatus(s) {
      if (s.kind !== "label" || s.health !== "online") return;
      const counterId = o.counterOf(s.id);
      if (counterId)
        service.printerBack(counterId).catch((err: Error) => o.log(`postal: reprinting labels at ${counterId}: ${err.message}`));
    },
    attachSockets(io, deps) {
      detach = attachDeliverySockets(io, { delivery: service, counterHolder: o.counterHolder, ...deps });
    },
    close() {
      if (trackTimer) clearInterval(trackTimer);
      detach?.();
    },
  };
}
