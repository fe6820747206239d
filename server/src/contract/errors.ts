/**
 * The closed list of error codes a client can receive, over REST
 * (`{ error: { code, message } }`) and in Socket.IO acks. Raw exception text is never sent.
 */
export const ERROR_CODES = [
  "VALIDATION_FAILED",
  "NOT_FOUND",
  "UNKNOWN_MATTER",
  "UNKNOWN_QUEUE",
  "UNKNOWN_COUNTER",
  "UNKNOWN_TICKET",
  "OUTSIDE_HOURS",
  "DAILY_CAP_REACHED",
  "DUPLICATE_ID_TICKET",
  "COUNTER_CLOSED",
  "COUNTER_PAUSED",
  "COUNTER_NOT_PAUSED",
  "COUNTER_TAKEN",
  "NO_CURRENT_TICKET",
  "TICKET_NOT_WAITING",
  "TICKET_NOT_CALLABLE",
  "INVALID_TRANSITION",
  "REACTIVATION_EXPIRED",
  "QUEUE_NOT_SERVED",
  "ALREADY_RATED",
  "BOOKING_NOT_FOUND",
  "BOOKING_USED",
  "BOOKING_NOT_TODAY",
  "UNAUTHENTICATED",
  "FORBIDDEN",
  "BAD_CREDENTIALS",
  "DEVICE_ERROR",
  "UNKNOWN_DEVICE",
  "PAYLOAD_TOO_LARGE",
  "INTERNAL",
  // pairing and issuing (issue 7 items 1, 3, 4)
  "RATE_LIMITED",
] as const;

export type ErrorCode = (typeof ERROR_CODES)[number];

/** Socket.IO acknowledgement: every client→server event replies with one. */
export type Ack<T> = { ok: true; data: T } | { ok: false; error: ErrorCode; message: string };

/** REST error body. */
export interface ErrorBody {
  error: { code: ErrorCode; message: string };
}
