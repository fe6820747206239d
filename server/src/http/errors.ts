import type { ErrorCode } from "../contract/errors.ts";

/** An error with a code from the closed list; the only kind of error a client is shown. */
export class ApiError extends Error {
  constructor(
    readonly code: ErrorCode,
    message: string,
  ) {
    super(message);
    this.name = "ApiError";
  }
}

export function httpStatus(code: ErrorCode): number {
  switch (code) {
    case "VALIDATION_FAILED":
      return 400;
    case "UNAUTHENTICATED":
    case "BAD_CREDENTIALS":
      return 401;
    case "FORBIDDEN":
      return 403;
    case "NOT_FOUND":
    case "UNKNOWN_MATTER":
    case "UNKNOWN_QUEUE":
    case "UNKNOWN_COUNTER":
    case "UNKNOWN_TICKET":
    case "UNKNOWN_DEVICE":
    case "BOOKING_NOT_FOUND":
      return 404;
    case "PAYLOAD_TOO_LARGE":
      return 413;
    case "RATE_LIMITED":
      return 429;
    case "INTERNAL":
      return 500;
    case "DEVICE_ERROR":
      return 502;
    default:
      return 409;
  }
}
