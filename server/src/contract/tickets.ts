import type { PriorityClass } from "./catalogue.ts";

/** Epoch milliseconds (UTC). Local dates are derived with the hall's time zone. */
export type Instant = number;

export type TicketStatus = "waiting" | "called" | "serving" | "done" | "no_show" | "parked" | "cancelled";

/** How a service ended (办结情况). `accepted_incomplete` = 容缺受理. */
export type Outcome = "completed" | "accepted_incomplete" | "rejected" | "referred";
export const OUTCOMES: readonly Outcome[] = ["completed", "accepted_incomplete", "rejected", "referred"];

/** 好差评: 1 非常不满意 … 5 非常满意. */
export type RatingScore = 1 | 2 | 3 | 4 | 5;

/** Why a visitor rated 1 or 2 (差评 needs a reason, as the national 好差评 practice asks):
 * 等候时间长, 办事效率低, 服务态度差, 一次没办成, 其他. */
export type RatingReason = "long_wait" | "slow" | "attitude" | "not_done" | "other";
export const RATING_REASONS: readonly RatingReason[] = ["long_wait", "slow", "attitude", "not_done", "other"];

/** The language a ticket was taken in; its phone page and reprints follow it. */
export type TicketLang = "zh" | "en";

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
  /** Materials the clerk recorded as missing (不予受理 / 容缺受理), shown on the phone page. */
  missing?: string[];
  rating?: RatingScore;
  ratingReasons?: RatingReason[];
  /** The visitor's own words with a low rating (≤ 200 characters). */
  ratingComment?: string;
  /** Language the ticket was taken in (absent on tickets of older journals: Chinese). */
  lang?: TicketLang;
  /** Masked ID number (3714********1234) when issued by ID card; the salted hash stays server-side. */
  idMasked?: string;
  /** Where it came from: kiosk id, "web", "counter" … */
  source: string;
  /** The wait it was told at issue (seconds): the data wall's estimate accuracy compares it with the wait it had. */
  issueEstimateSec?: number;
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
  /** How sure the estimate is (waiting tickets with a wait ahead only). */
  estimateRange?: EstimateRange;
}

/**
 * The interval a wait estimate is likely to fall in, and whether it is uncertain: few services
 * measured today, a counter's planned break inside the wait, nobody serving now, or a wide
 * interval. The phone page then shows the range ("约 10–25 分钟") and says it is uncertain.
 */
export interface EstimateRange {
  lowSec: number;
  highSec: number;
  uncertain: boolean;
}

/**
 * What only the ticket's holder (or staff) may read: `GET /api/tickets/:id` adds it as
 * `holder` when the request carries the ticket's key. Never broadcast.
 */
export interface TicketHolderView {
  lang: TicketLang;
  outcome?: Outcome;
  missing?: string[];
  rating?: RatingScore;
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
