/**
 * What clients send: one type per request and command, the same over REST and Socket.IO.
 * server/src/hall/commands.ts holds one zod schema per type here and fails to compile when
 * the two drift apart.
 */
import type { PriorityClass } from "./catalogue.ts";
import type { CounterSocketCommand } from "./events.ts";
import type { RatingReason, RatingScore, TicketLang } from "./tickets.ts";

/** `POST /api/tickets`: a matter (or a booking code) and how the visitor came. */
export interface IssueRequest {
  matterId?: string;
  /** Staff may grant the green channel; a kiosk gets it only from a qualifying ID card. */
  priority?: PriorityClass;
  kioskId?: string;
  /** The short-lived token of an ID card read at this kiosk (`kiosk:input`). */
  idToken?: string;
  appointmentCode?: string;
  lang?: TicketLang;
}

/** `POST /api/tickets/:id/reprint`. */
export interface ReprintRequest {
  kioskId: string;
  /** One per press: a retried request prints once. */
  requestId: string;
  lang?: TicketLang;
}

/** `POST /api/tickets/:id/rating`. */
export interface RatingRequest {
  score: RatingScore;
  /** Required by the page for 1 or 2 (差评 needs a reason). */
  reasons?: RatingReason[];
  comment?: string;
}

/** `POST /api/auth/login`. */
export interface LoginRequest {
  username: string;
  password: string;
}

/**
 * Every counter command by its verb: the same name on the page, in the REST route
 * (`POST /api/counters/:id/<verb>`), as the socket's `counter:command` type and in
 * `CounterView.allowed`. The socket carries the page's working commands; signing in and
 * out and handing a counter back are REST only (they change who holds the counter).
 */
export type CounterCommand =
  | CounterSocketCommand
  /** `takeover`: a supervisor confirmed taking a counter someone else holds. */
  | { type: "sign-in"; counterId: string; takeover?: boolean }
  | { type: "sign-out"; counterId: string }
  /** The counter's own clerk asks the one who took it over to give it back. */
  | { type: "hand-back-request"; counterId: string }
  /** The holder gives the counter back to the clerk who asked. */
  | { type: "hand-back"; counterId: string };

export type CounterVerb = CounterCommand["type"];
