/**
 * Builds the case module for the composition root: the store (embedded SQLite in the data
 * folder, or PostgreSQL when DATABASE_URL is given), the service and the bus.
 * Sockets are attached once the Socket.IO server exists (`attachSockets`).
 */
import type { Catalogue } from "../contract/catalogue.ts";
import type { TokenService } from "../auth/tokens.ts";
import { Bus } from "../hall/bus.ts";
import type { StaffDirectory } from "../hall/staff.ts";
import type { CaseBusEvents } from "./events.ts";
import { CaseService, type TicketInfo } from "./service.ts";
import { attachCaseSockets } from "./socket.ts";
import { CaseStore } from "./store.ts";

export interface CaseModuleOptions {
  dataDir: string;
  databaseUrl?: string;
  /** PostgreSQL schema (tests); default the connection's search_path. */
  databaseSchema?: string;
  catalogue: () => Catalogue;
  clock: () => number;
  idSalt: string;
  ticket: (id: string) => TicketInfo | undefined;
  counterHolder: (counterId: string) => string | undefined;
  log: (line: string) => void;
}

export interface CaseModule {
  service: CaseService;
  store: CaseStore;
  bus: Bus<CaseBusEvents>;
  attachSockets(io: Parameters<typeof attachCaseSockets>[0], deps: { tokens: TokenService; staff: StaffDirectory }): void;
  close(): Promise<void>;
}

export async function mountCases(o: CaseModuleOptions): Promise<CaseModule> {
  const store = await CaseStore.open(
    {
      dataDir: o.dataDir,
      ...(o.databaseUrl ? { databaseUrl: o.databaseUrl } : {}),
      ...(o.databaseSchema ? { schema: o.databaseSchema } : {}),
    },
    o.clock(),
  );
  o.log(`cases: ${store.engine === "postgres" ? "PostgreSQL (DATABASE_URL)" : "embedded SQLite (cases.db)"}`);
  const bus = new Bus<CaseBusEvents>((event, err) => o.log(`cases: listener of ${event} failed: ${(err as Error).message}`));
  const service = new CaseService({
    store,
    catalogue: o.catalogue,
    clock: o.clock,
    idSalt: o.idSalt,
    ticket: o.ticket,
    counterHolder: o.counterHolder,
    bus,
  });
  let detach: (() => void) | undefined;
  return {
    service,
    store,
    bus,
    attachSockets(io, deps) {
      detach = attachCaseSockets(io, { cases: service, bus, log: o.log, ...deps });
    },
    async close() {
      detach?.();
      await store.close();
    },
  };
}
