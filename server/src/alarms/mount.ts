/**
 * Builds the alarms and the advice for the composition root: the service on the hall's
 * queries and the catalogue admin, started at once; sockets once Socket.IO exists.
 */
import type { TokenService } from "../auth/tokens.ts";
import type { StaffDirectory } from "../hall/staff.ts";
import { AlarmService, type AlarmServiceDeps } from "./service.ts";
import { attachAlarmSockets } from "./socket.ts";

export interface AlarmModule {
  service: AlarmService;
  attachSockets(io: Parameters<typeof attachAlarmSockets>[0], deps: { tokens: TokenService; staff: StaffDirectory }): void;
  close(): void;
}

export function mountAlarms(o: AlarmServiceDeps): AlarmModule {
  const service = new AlarmService(o);
  service.start();
  let detach: (() => void) | undefined;
  return {
    service,
    attachSockets(io, deps) {
      detach = attachAlarmSockets(io, { ...deps, alarms: service });
    },
    close() {
      detach?.();
      service.stop();
    },
  };
}
