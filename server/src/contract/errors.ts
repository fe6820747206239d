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
  // store/devices hardening (issue 7)
  /** A serial or usblp device path outside the allowed device folders (see docs/api.md). */
  "DEVICE_PATH_NOT_ALLOWED",
  // visitor's ticket (issue 7.2, 7.13, 7.17): holder key, reprint limit, closed day
  "TICKET_KEY_REQUIRED",
  "RATE_LIMITED",
  "TICKET_DAY_CLOSED",
  // counter (issue 8): the counter's ticket is called and not started; the next call waits
  "TICKET_ALREADY_CALLED",
  // sessions, limits, origins (issue 7 items 5, 10, 11, 15, 16)
  "TOO_MANY_SUBSCRIPTIONS",
  "ORIGIN_REFUSED",
  "UNSUPPORTED_ENCODING",
  // cases (issue 10)
  /** No case with this number (or, on the public page, the check digits do not match). */
  "UNKNOWN_CASE",
  /** The action is not allowed from the case's current status. */
  "ILLEGAL_TRANSITION",
  /** The case changed since the version the caller saw: reload and retry. */
  "CASE_CONFLICT",
  /** This ticket already has a case. */
  "CASE_ALREADY_ACCEPTED",
  /** The checklist does not fit the outcome (受理 with items missing, 容缺 of an essential item…). */
  "MATERIALS_INCOMPLETE",
  "UNKNOWN_SITE",
  /** The Idempotency-Key was used before for a different request. */
  "IDEMPOTENCY_KEY_REUSED",
  // help desk (issue 11, 帮办代办)
  /** No help case with this id. */
  "UNKNOWN_HELP_CASE",
  /** Only the help case's owner (or a supervisor) acts on it (首问负责制). */
  "NOT_HELP_OWNER",
  /** The help case is closed. */
  "HELP_CASE_CLOSED",
  /** 容缺受理: a deferred material is promised after the case's due date (issue 10, spec doubt). */
  "DEFERRED_AFTER_DUE",
  // certificate window and postal delivery (issue 11)
  /** The certificate was handed over already (collected once, never twice). */
  "CERTIFICATE_ALREADY_COLLECTED",
  /** The certificate is in the post (a waybill exists): it is not handed over nor mailed again. */
  "ALREADY_MAILED",
  /** Mailing needs the recipient's address first (邮寄地址). */
  "NO_POSTAL_ADDRESS",
  /** The courier did not answer after the retries; nothing was mailed (try again). */
  "COURIER_UNAVAILABLE",
  // self-service terminals (issue 12)
  /** The ID card read at the terminal is not the applicant of this case. */
  "NOT_CASE_OWNER",
  /** The case's certificate is not ready (not yet at 证照已制作). */
  "CERTIFICATE_NOT_READY",
  /** The matter's certificates are handed out at a window, not printed at terminals. */
  "SELF_PRINT_NOT_ALLOWED",
  /** The certificate was printed once already; another copy needs a clerk. */
  "ALREADY_PRINTED",
  /** The certificate is being printed right now (another terminal, a double tap). */
  "PRINT_IN_PROGRESS",
  /** The ID card reading is no longer valid here (timed out, or the screen was reset). */
  "ID_CARD_EXPIRED",
  /** The terminal has no A4 printer configured. */
  "NO_PRINTER",
  "PRINTER_OFFLINE",
  "PRINTER_OUT_OF_PAPER",
  /** Paper jam: the print was not done; clear the jam and try again. */
  "PRINTER_JAMMED",
  /** Any other printer failure (toner, cover, refused, timeout). */
  "PRINTER_FAILED",
  /** A clerk's reprint is a second copy: the certificate was never self-printed (hand it over at the window). */
  "NOT_SELF_PRINTED",
  // self-service payment (issue 12, 缴费)
  /** The amount asked for is not the case's fee (the matter's fee in fen). */
  "PAYMENT_AMOUNT_MISMATCH",
  /** The case has no fee to pay (a free matter, or a case that was not accepted). */
  "NO_FEE_DUE",
  /** The case's fee is paid already. */
  "FEE_ALREADY_PAID",
  /** A payment of this case is under way (waiting for the phone's confirmation). */
  "PAYMENT_IN_PROGRESS",
  /** This payment code was used for a payment already: show a fresh code. */
  "PAYMENT_CODE_USED",
  /** The payment code scanned here is no longer valid (timed out, or the screen was reset). */
  "PAYMENT_CODE_EXPIRED",
  /** No provider for this way of paying here (no POS at this terminal, provider not configured). */
  "PAYMENT_METHOD_UNAVAILABLE",
  "UNKNOWN_ORDER",
  /** A refund of an order that is not paid (or is being refunded). */
  "ORDER_NOT_PAID",
  /** A refund larger than what is left of the payment. */
  "REFUND_EXCEEDS_PAYMENT",
  // alarms and advice (issue 13)
  /** No active alarm with this id (it cleared meanwhile). */
  "UNKNOWN_ALARM",
  /** A counter of the advice serves other series than the advice saw: get the advice again. */
  "ADVICE_STALE",
  // admin console: catalogue (issue 13)
  /** The catalogue changed since the admin read it (another admin saved first): reload and redo the change. */
  "CATALOGUE_CONFLICT",
  /** Reports (issue 13): no 差评 follow-up for this ticket. */
  "UNKNOWN_FOLLOWUP",
  /** The 差评 follow-up was closed already (by someone else meanwhile). */
  "FOLLOWUP_CLOSED",
  /** Catalogue import: a workbook that unpacks to more than a catalogue can hold (a zip bomb, or not a catalogue). */
  "CATALOGUE_FILE_TOO_LARGE",
] as const;

export type ErrorCode = (typeof ERROR_CODES)[number];

/** Socket.IO acknowledgement: every client→server event replies with one. */
export type Ack<T> = { ok: true; data: T } | { ok: false; error: ErrorCode; message: string };

/** REST error body. */
export interface ErrorBody {
  error: { code: ErrorCode; message: string };
}
