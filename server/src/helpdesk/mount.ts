/**
 * Builds the help desk for the composition root: its store on the case database (the case
 * module's migrations created its tables), the service, the bus, and the reminder sweep on
 * the hub's clock (at start, then every `sweepMs`).
 */
import type { TokenService } from "../auth/tokens.ts";
import type { CaseStore } from "../cases/store.ts";
import type { Catalogue } from "../contract/catalogue.ts";
import { Bus } from "../hall/bus.ts";
import type { StaffDirectory } from "../hall/staff.ts";
import type { HelpBusEvents } from "./events.ts";
import { HelpService } from "./service.ts";
import { attachHelpSockets } from "./socket.ts";
import { HelpStore } from "./store.ts";

export interface HelpdeskOptions {
  cases: CaseStore;
  catalogue: () => Catalogue;
  clock: () => number;
  idSalt: string;
  staff: StaffDirectory;
  log: (line: string) => void;
  /** How often the reminder sweep looks (real time; what is due is decided on the hub's clock). */
  sweepMs?: number;
}

export interface HelpdeskModule {
  service: HelpService;
  bus: Bus<HelpBusEvents>;
  attachSockets(io: Parameters<typeof attachHelpSockets>[0], deps: { tokens: TokenService }): void;
  close(): Promise<void>;
}

export function mountHelpdesk(o: HelpdeskOptions): HelpdeskModule {
  const store = new HelpStore(o.cases.db, o.cases.engine);
  const bus = new Bus<HelpBusEvents>((event, err) => o.log(`helpdesk: listener of ${event} failed: ${(err as Error).message}`));
  const service = new HelpService({
    store,
    catalogue: o.catalogue,
    clock: o.clock,
    idSalt: o.idSalt,
    staffById: (id) => o.staff.byId(id),
    bus,
  });
  let running: Promise<void> | undefined;
  const sweep = () => {
    running ??= service
      .sweep()
      .then(
        () => {},
        (err: Error) => o.log(`helpdesk: reminder sweep: ${err.message}`),
      )
      .finally(() => {
        running = undefined;
      });
  };
  const timer = setInterval(sweep, o.sweepMs ?? 2000);
  timer.unref();
  let detach: (() => void) | undefined;
  return {
    service,
    bus,
    attachSockets(io, deps) {
      detach = attachHelpSockets(io, { tokens: deps.tokens, staff: o.staff, bus });
      sweep();
    },
    async close() {
      clearInterval(timer);
      detach?.();
      // The database closes after us: let a sweep in flight finish first.
      await running;
    },
  };
}
