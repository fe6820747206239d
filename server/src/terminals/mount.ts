/**
 * Builds the terminal module for the composition root: the print-once store (in the case
 * database), the PDF maker (its font parsed once, warmed up when a terminal page connects,
 * so the first visitor does not wait for it) and the service. Its screen events go out once the
 * Socket.IO server exists (`attachSockets`).
 */
import type { Server } from "socket.io";
import type { Catalogue } from "../contract/catalogue.ts";
import type { TerminalInput } from "../contract/terminals.ts";
import type { HallState } from "../core/index.ts";
import type { CaseStore } from "../cases/store.ts";
import { PdfMaker } from "./pdf.ts";
import { type A4PrintPort, TerminalService } from "./service.ts";
import { PrintStore } from "./store.ts";

export interface TerminalModuleOptions {
  cases: CaseStore;
  catalogue: () => Catalogue;
  hallState: () => HallState;
  printer: A4PrintPort;
  idSalt: string;
  clock: () => number;
  /** The hub's public origin (hall.publicUrl), else its own address. */
  publicUrl: () => string;
  log: (line: string) => void;
  /** A CJK font file (default: Debian's Noto Sans CJK). */
  fontPath?: string;
  /** Payment codes scanned at a terminal go to the payment service (payments/). */
  payCode?: (terminalId: string, code: string) => string | undefined;
  endPaySession?: (terminalId: string) => void;
}

// biome-ignore lint/suspicious/noExplicitAny: the hub's typed server does not list the terminal events yet (the lead merges the maps)
type AnyIo = Server<any, any, any, any>;

export interface TerminalModule {
  service: TerminalService;
  attachSockets(io: AnyIo): void;
}

export function mountTerminals(o: TerminalModuleOptions): TerminalModule {
  let io: AnyIo | undefined;
  const pdf = new PdfMaker(o.fontPath);
  const service = new TerminalService({
    catalogue: o.catalogue,
    hallState: o.hallState,
    store: new PrintStore(o.cases),
    pdf,
    printer: o.printer,
    idSalt: o.idSalt,
    clock: o.clock,
    publicUrl: o.publicUrl,
    // Only the terminal paired as that id joins its room (pairing/socket.ts).
    emit: (input: TerminalInput) => io?.to(`screen:terminal-${input.terminalId}`).emit("terminal:input", input),
    log: o.log,
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
