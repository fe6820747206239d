import type { EventEmitter } from "node:events";

/**
 * A byte pipe to one device, whatever carries it (serial port, TCP socket, USB printer
 * class device, simulator). Links own reconnection: after `open()` a link keeps trying
 * to (re)open with backoff until `close()`, and reports every change as a `state` event,
 * so a device that is unplugged and plugged back comes back by itself.
 */
export type LinkState = "connecting" | "open" | "closed";

export interface ByteLink extends EventEmitter {
  readonly id: string;
  readonly state: LinkState;
  /** Whether bytes can flow back from the device (serial, TCP yes; usblp mostly not). */
  readonly duplex: boolean;
  /** Start connecting; resolves once the first attempt has finished (open or not). */
  open(): Promise<void>;
  /** Write and drain; rejects with DeviceError("OFFLINE") when the link is not open. */
  write(data: Uint8Array): Promise<void>;
  /** Stop for good (no more reconnects). */
  close(): Promise<void>;
  on(event: "data", fn: (chunk: Buffer) => void): this;
  on(event: "state", fn: (state: LinkState, detail?: string) => void): this;
}

export type DeviceErrorCode = "OFFLINE" | "PAPER_OUT" | "TIMEOUT" | "BAD_FRAME" | "COVER_OPEN" | "ERROR";

/** The one error type device drivers reject with; `code` is safe to show to clients. */
export class DeviceError extends Error {
  constructor(
    readonly code: DeviceErrorCode,
    message?: string,
  ) {
    super(message ?? code);
    this.name = "DeviceError";
  }
}
