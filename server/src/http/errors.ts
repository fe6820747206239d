import type { ErrorCode } from "../contract/errors.ts";

/** The HTTP status of each closed-list code: http/ maps every HallError through it. */
export function httpStatus(code: ErrorCode): number {
  switch (code) {
    case "VALIDATION_FAILED":
    case "DEVICE_PATH_NOT_ALLOWED":
      return 400;
    case "MATERIALS_INCOMPLETE":
    case "DEFERRED_AFTER_DUE":
    case "PAYMENT_AMOUNT_MISMATCH":
    case "REFUND_EXCEEDS_PAYMENT":
      return 422;
    case "UNAUTHENTICATED":
    case "BAD_CREDENTIALS":
      return 401;
    case "FORBIDDEN":
    case "TICKET_KEY_REQUIRED":
    case "ORIGIN_REFUSED":
    case "NOT_HELP_OWNER":
      return 403;
    case "NOT_FOUND":
    case "UNKNOWN_MATTER":
    case "UNKNOWN_QUEUE":
    case "UNKNOWN_COUNTER":
    case "UNKNOWN_TICKET":
    case "UNKNOWN_DEVICE":
    case "BOOKING_NOT_FOUND":
    case "UNKNOWN_CASE":
    case "UNKNOWN_SITE":
    case "UNKNOWN_HELP_CASE":
    case "UNKNOWN_ORDER":
    case "UNKNOWN_ALARM":
    case "UNKNOWN_FOLLOWUP":
      return 404;
    case "TICKET_DAY_CLOSED":
      return 410;
    case "PAYLOAD_TOO_LARGE":
      return 413;
    case "UNSUPPORTED_ENCODING":
      return 415;
    case "RATE_LIMITED":
    case "TOO_MANY_SUBSCRIPTIONS":
      return 429;
    case "INTERNAL":
      return 500;
    case "DEVICE_ERROR":
    case "COURIER_UNAVAILABLE":
    case "PRINTER_FAILED":
      return 502;
    case "NOT_CASE_OWNER":
      return 403;
    case "NO_PRINTER":
    case "PRINTER_OFFLINE":
    case "PRINTER_OUT_OF_PAPER":
    case "PRINTER_JAMMED":
      return 503;
    case "ID_CARD_EXPIRED":
      return 401;
    case "PAYMENT_METHOD_UNAVAILABLE":
      return 503;
    case "CATALOGUE_FILE_TOO_LARGE":
      return 413;
    default:
      return 409;
  }
}
