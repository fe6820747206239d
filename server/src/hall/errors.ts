import type { ErrorCode } from "../contract/errors.ts";

/**
 * The application layer's error: a code from the contract's closed list and a message for
 * the log. Every adapter maps it (http/ to a status, realtime/ to an Ack, devices/ to a
 * beep); it is the only kind of error a client is ever shown.
 */
export class HallError extends Error {
  constructor(
    readonly code: ErrorCode,
    message: string,
  ) {
    super(message);
    this.name = "HallError";
  }
}
