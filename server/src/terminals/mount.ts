/**
 * Builds the terminal module for the composition root: the print-once store (in the case
 * database), the PDF maker (its font parsed once, warmed up when a terminal page connects,
 * so the first visitor does not wait for it) and the service. Its screen events go out once the
 * Socket.IO server exists (`attachSockets`).
 */
import type { Server } from "socket.io";
import type { ClientToServerEvents, InterServerEvents, ServerToClientEvents, SocketData } from "../contract/events.ts";
import type { Catalogue } from "../contract/catalogue.ts";
import type { TerminalInput } from "../contract/terminals.ts";
import type { HallService } from "../hall/service.ts";
import type { CaseStore } from "../cases/store.ts";
import { PdfMaker } from "./pdf.ts";
import { type A4PrintPort, TerminalService } from "./service.ts";
import { PrintStore } from "./store.ts";

export interface TerminalModuleOptions {
  cases: CaseStore;
  catalogue: () => Catalogue;
  queueOutlook: HallService["queueOutlook"];
  printer: A4PrintPort;
  idSalt: string;
  clock: () => number;
  /** The hub's public origin (hall.publicUrl), else its own address. */
  publicUrl: () => string;
  log: (line: string) => void;
  /** Record a self-printed certificate as collected (the certificate window's service). */
  handedOver?: (caseNo: string, terminalId: string, at: number) => Promise<unknown>;
  /** Who holds a counter (a clerk prints copies at the window they hold). */
  counterHolder?: (counterId: string) => string | undefined;
  /** A CJK font file (default: Debian's Noto Sans CJK). */
  fontPath?: string;
  /** Payment codes scanned at a terminal go to the payment service (payments/). */
  payCode?: (terminalId: string, code: string) => string | undefined;
  endPaySession?: (terminalId: string) => void;
}

type HubIo = Server<ClientToServerEvents, ServerToClientEvents, InterServerEvents, SocketData>;

export interface TerminalModule {
  service: TerminalService;
  attachSockets(io: HubIo): void;
}

export function mountTerminals(o: TerminalModuleOptions): TerminalModule {
  let io: HubIo | undefined;
  const pdf = new PdfMaker(o.fontPath);
  const service = new TerminalService({
    catalogue: o.catalogue,
    queueOutlook: o.queueOutlook,
    store: new PrintStore(o.cases),
    pdf,
    printer: o.printer,
    idSalt: o.idSalt,
    clock: o.clock,
    publicUrl: o.publicUrl,
    // Only the terminal paired as that id joins its room (pairing/socket.ts).
    emit: (input: TerminalInput) => io?.to(`screen:terminal-${input.terminalId}`).emit("terminal:input", input),
    log: o.log,
    ...(o.handedOver ? { handedOver: o.handedOver } : {}),
    ...(o.counterHolder ? { counterHolder: o.counterHolder } : {}),
    ...(o.payCode ? { payCode: o.payCode } : {}),
    ...(o.endPaySession ? { endPaySession: o.endPaySession } : {}),
  });
  return {
    service,
    attachSockets(server) {
      io = server;
      // A terminal page coming online is when prints may follow: get the font ready then,
      // not for the first visitor (and not at all in a hub that has no terminal open).
      server.on("connection", (socket) => {
        if ((socket.data as { device?: { role?: string } } | undefined)?.device?.role === "terminal") void pdf.warm();
      });
    },
  };
}
