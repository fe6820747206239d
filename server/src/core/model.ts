import type { Catalogue, PriorityClass } from "../contract/catalogue.ts";
import type { Instant, Outcome, RatingReason, RatingScore, Ticket, TicketLang } from "../contract/tickets.ts";

/** Commands the engine accepts. Ids come from the adapters: the core makes none up. */
export type Command =
  | {
      type: "issue";
      ticketId: string;
      matterId: string;
      priority: PriorityClass;
      source: string;
      appointmentAt?: Instant;
      /** Salted hash of the ID number; enforces one ticket per ID per matter per day. */
      idHash?: string;
      idMasked?: string;
      /** Language the visitor took the ticket in (the phone page follows it). */
      lang?: TicketLang;
      /** Booking code this ticket uses up: refused when today's state already has it. */
      bookingCode?: string;
    }
  | { type: "signIn"; counterId: string; staffId: string; staffName: string; takeover: boolean }
  | { type: "signOut"; counterId: string; staffId: string }
  /**
   * `keypad`: pressed on a caller keypad, which has no finish key: a ticket still only
   * called there becomes a no-show once the hall's grace time since the call has passed.
   * From a page the clerk must say what happened to a called ticket first.
   */
  | { type: "callNext"; counterId: string; staffId: string; keypad?: boolean }
  | { type: "callTicket"; counterId: string; staffId: string; ticketId: string; reason?: string }
  | { type: "recall"; counterId: string; staffId: string }
  | { type: "start"; counterId: string; staffId: string }
  | { type: "finish"; counterId: string; staffId: string; outcome: Outcome; missing?: string[] }
  | { type: "noShow"; counterId: string; staffId: string }
  | {
      type: "transfer";
      counterId: string;
      staffId: string;
      toQueueId?: string;
      toCounterId?: string;
      note?: string;
      priority?: PriorityClass;
    }
  | { type: "park"; counterId: string; staffId: string; note?: string }
  | { type: "pause"; counterId: string; staffId: string; reason: string }
  | { type: "resume"; counterId: string; staffId: string }
  | { type: "requestRating"; counterId: string; staffId: string }
  /** A rating from a counter's rating device (counterId) or the phone page (ticketId). */
  | {
      type: "rate";
      counterId?: string;
      ticketId?: string;
      score: RatingScore;
      /** Required from the phone page for a score of 1 or 2. */
      reasons?: RatingReason[];
      comment?: string;
    }
  | { type: "reactivate"; ticketId: string; by: string }
  | { type: "cancel"; ticketId: string; by: string };

export type CallMode = "next" | "specific" | "callback";

/** What happened. The journal stores these; state is their fold. */
export type HallEvent =
  | { type: "ticket.issued"; at: Instant; ticket: Ticket; idHash?: string; bookingCode?: string }
  | {
      type: "ticket.called";
      at: Instant;
      ticketId: string;
      counterId: string;
      staffId: string;
      mode: CallMode;
      reason?: string;
      /** Round-robin credits of the counter after this pick (mode "next"). */
      credits?: Record<PriorityClass, number>;
    }
  | {
      type: "ticket.recalled";
      at: Instant;
      ticketId: string;
      counterId: string;
      staffId: string;
      /** Which recall this is (1 = first). */
      recall?: number;
    }
  | { type: "ticket.started"; at: Instant; ticketId: string; counterId: string; staffId: string }
  | {
      type: "ticket.finished";
      at: Instant;
      ticketId: string;
      counterId: string;
      staffId: string;
      outcome: Outcome;
      /** Materials the visitor still lacks (refused or accepted incomplete). */
      missing?: string[];
      /** Closed by the next call rather than by an explicit finish (caller keypads). */
      auto?: boolean;
    }
  | { type: "ticket.no_show"; at: Instant; ticketId: string; counterId: string; staffId: string }
  | { type: "ticket.reactivated"; at: Instant; ticketId: string; by: string }
  | {
      type: "ticket.transferred";
      at: Instant;
      ticketId: string;
      counterId: string;
      staffId: string;
      toQueueId: string;
      toCounterId?: string;
      note?: string;
      priority: PriorityClass;
    }
  | { type: "ticket.parked"; at: Instant; ticketId: string; counterId: string; staffId: string; note?: string }
  | { type: "ticket.cancelled"; at: Instant; ticketId: string; by: string }
  | {
      type: "ticket.rated";
      at: Instant;
      ticketId: string;
      counterId?: string;
      score: RatingScore;
      reasons?: RatingReason[];
      comment?: string;
    }
  | { type: "counter.signed_in"; at: Instant; counterId: string; staffId: string; staffName: string }
  | { type: "counter.signed_out"; at: Instant; counterId: string; staffId: string }
  | { type: "counter.paused"; at: Instant; counterId: string; staffId: string; reason: string }
  | { type: "counter.resumed"; at: Instant; counterId: string; staffId: string }
  | { type: "counter.rating_requested"; at: Instant; counterId: string; staffId: string };

export type { Catalogue };
