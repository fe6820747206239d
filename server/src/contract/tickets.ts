import type { PriorityClass } from "./catalogue.ts";

/** Epoch milliseconds (UTC). Local dates are derived with the hall's time zone. */
export type Instant = number;

export type TicketStatus = "waiting" | "called" | "serving" | "done" | "no_show" | "parked" | "cancelled";

/** How a service ended (办结情况). `accepted_incomplete` = 容缺受理. */
export type Outcome = "completed" | "accepted_incomplete" | "rejected" | "referred";
export const OUTCOMES: readonly Outcome[] = ["completed", "accepted_incomplete", "rejected", "referred"];

/** 好差评: 1 非常不满意 … 5 非常满意. */
export type RatingScore = 1 | 2 | 3 | 4 | 5;

/** A ticket as the hub keeps it (staff see this; the phone page sees {@link PublicTicket}). */
export interface Ticket {
  id: string;
  /** Display number: prefix + zero-padded daily sequence, e.g. "A001". */
  number: string;
  seq: number;
  /** Local date (YYYY-MM-DD, hall time zone) the ticket belongs to. */
  day: string;
  queueId: string;
  matterId: string;
  priority: PriorityClass;
  status: TicketStatus;
  issuedAt: Instant;
  /** Orders the waiting line; kept across transfers so a transferred visitor keeps their place. */
  arrivalAt: Instant;
  /** Appointment slot start, for appointment tickets. */
  appointmentAt?: Instant;
  /** Only this counter may call the ticket (set by a transfer to a counter). */
  targetCounterId?: string;
  /** Counter that called / serves / last served it. */
  counterId?: string;
  staffId?: string;
  calledAt?: Instant;
  startedAt?: Instant;
  finishedAt?: Instant;
  noShowAt?: Instant;
  parkedAt?: Instant;
  recalls: number;
  transfers: number;
  notes: string[];
  outcome?: Outcome;
  rating?: RatingScore;
  /** Masked ID number (3714********1234) when issued by ID card; the salted hash stays server-side. */
  idMasked?: string;
  /** Where it came from: kiosk id, "web", "counter" … */
  source: string;
}

/** What the phone page and call screens may see: no personal data. */
export interface PublicTicket {
  id: string;
  number: string;
  queueId: string;
  matterId: string;
  priority: PriorityClass;
  status: TicketStatus;
  issuedAt: Instant;
  calledAt?: Instant;
  counterId?: string;
  /** Waiting for this counter only (transferred to it). */
  targetCounterId?: string;
  recalls: number;
  /** People ahead in the line (waiting only; 0 otherwise). */
  position: number;
  /** Estimated seconds until called, from live service rates (waiting only; 0 otherwise). */
  estimatedWaitSec: number;
}

export type CounterStatus = "closed" | "idle" | "calling" | "serving" | "paused";

export interface CounterState {
  id: string;
  status: CounterStatus;
  staffId?: string;
  staffName?: string;
  currentTicketId?: string;
  pauseReason?: string;
  ratingRequested: boolean;
  servedToday: number;
  lastRating?: RatingScore;
}

/** A call as the screens show and announce it. */
export interface CallInfo {
  ticketId: string;
  number: string;
  counterId: string;
  counterNumber: number;
  counterName: string;
  zoneId: string;
  at: Instant;
  recall: number;
}
