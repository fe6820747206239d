/**
 * Builds the payment module for the composition root: the order store (in the case
 * database), the providers — the payment-code provider (the simulator unless one is
 * given) and the card provider of each terminal (`cardProvider`, where the POS driver is
 * connected) — and the service. `start()` resolves every order a previous run left open
 * (recovery) before the hub takes payments; screen events go out once the Socket.IO server
 * exists (`attachSockets`).
 */
import { readFileSync } from "node:fs";
import { join } from "node:path";
import type { Server } from "socket.io";
import type { ClientToServerEvents, InterServerEvents, ServerToClientEvents, SocketData } from "../contract/events.ts";
import type { CaseStore } from "../cases/store.ts";
import type { Catalogue } from "../contract/catalogue.ts";
import type { PrintResult } from "../contract/events.ts";
import type { PaymentOrderView } from "../contract/payment-orders.ts";
import type { PaymentProvider, PaymentProviders } from "../contract/payments.ts";
import { type Identity, type PayableCase, PaymentService } from "./service.ts";
import { PaymentSimulator } from "./simulator.ts";
import { PayStore } from "./store.ts";
import { writeFileDurable } from "../store/durable-file.ts";

/**
 * A file of the data folder as a simulated provider keeps its books in (DeviceHooks.simFile:
 * the simulated card POS's journal), written durably: a real provider outlives the hub.
 */
export function simFile(dataDir: string, name: string): { read(): string | undefined; write(data: string): Promise<void> } {
  const path = join(dataDir, name);
  return {
    read() {
      try {
        return readFileSync(path, "utf8");
      } catch (err) {
        if ((err as NodeJS.ErrnoException).code === "ENOENT") return undefined;
        throw err;
      }
    },
    write: (data) => writeFileDurable(path, data),
  };
}

export interface PaymentModuleOptions {
  cases: CaseStore;
  dataDir: string;
  catalogue: () => Catalogue;
  clock: () => number;
  /** Salt of the payment codes' hashes (the hub's ID salt). */
  salt: string;
  casesOf: (terminalId: string, who: Identity) => Promise<PayableCase[]>;
  printReceipt: (terminalId: string, jobId: string, encode: (width: 58 | 80) => Buffer) => Promise<PrintResult>;
  log: (line: string) => void;
  /** The payment-code provider; default the simulator, its ledger in DATA_DIR/payment-sim.json. */
  qrProvider?: PaymentProvider;
  /**
   * The bank-card provider of a terminal: the POS on its serial port (hardware/pos/,
   * devices/pos.ts). Absent, or undefined for a terminal, means no card payments there.
   */
  cardProvider?: (terminalId: string) => PaymentProvider | undefined;
  /** Every card provider by name, for recovery and reconciliation (with `cardProvider`). */
  cardProviders?: () => PaymentProvider[];
  /** The simulator's "visitor confirms on the phone" time (default 3 s). */
  simConfirmMs?: number;
  /** Provider call timeout (default 15 s). */
  callTimeoutMs?: number;
}

type HubIo = Server<ClientToServerEvents, ServerToClientEvents, InterServerEvents, SocketData>;

export interface PaymentModule {
  service: PaymentService;
  /** The payment-code simulator when it is the provider (demo, tests). */
  simulator?: PaymentSimulator;
  providers: PaymentProviders;
  /** Recovery: every order left open by a previous run is resolved by its provider. */
  start(): Promise<void>;
  attachSockets(io: HubIo): void;
  close(): void;
}

export function mountPayments(o: PaymentModuleOptions): PaymentModule {
  let io: HubIo | undefined;
  const simulator = o.qrProvider
    ? undefined
    : new PaymentSimulator({
        file: join(o.dataDir, "payment-sim.json"),
        clock: o.clock,
        timeZone: o.catalogue().hall.timeZone,
        ...(o.simConfirmMs !== undefined ? { confirmMs: o.simConfirmMs } : {}),
      });
  const qr = (o.qrProvider ?? simulator) as PaymentProvider;
  const providers: PaymentProviders = {
    forPayment: (method, terminalId) => (method === "qr" ? qr : o.cardProvider?.(terminalId)),
    all: () => [qr, ...(o.cardProviders?.() ?? [])],
  };
  const service = new PaymentService({
    store: new PayStore(o.cases),
    providers,
    catalogue: o.catalogue,
    casesOf: o.casesOf,
    printReceipt: o.printReceipt,
    // Only the terminal paired as that id joins its room (pairing/socket.ts).
    emit: (terminalId: string, order: PaymentOrderView) => io?.to(`screen:terminal-${terminalId}`).emit("payment:order", order),
    prompt: (p) => io?.to(`screen:terminal-${p.terminalId}`).emit("payment:prompt", p),
    codeSalt: o.salt,
    clock: o.clock,
    log: o.log,
    ...(o.callTimeoutMs !== undefined ? { callTimeoutMs: o.callTimeoutMs } : {}),
  });
  simulator?.onNotify((orderId) => service.notified(orderId));
  return {
    service,
    ...(simulator ? { simulator } : {}),
    providers,
    async start() {
      await service.recover();
    },
    attachSockets(server) {
      io = server;
    },
    close() {
      service.close();
      simulator?.close();
    },
  };
}
