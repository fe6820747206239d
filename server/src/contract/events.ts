import type { Alarm, AlarmSnapshot, AlarmSubscription } from "./alarms.ts";
import type { Case, CaseStats, CaseSubscription, PublicCase } from "./cases.ts";
import type { Catalogue, PriorityClass, StaffPublic } from "./catalogue.ts";
import type { CertificateSubscription, WindowLookup } from "./delivery.ts";
import type { DeviceStatus } from "./devices.ts";
import type { Ack } from "./errors.ts";
import type { HelpLedgerRow, HelpReminder, HelpSubscription } from "./helpdesk.ts";
import type { PaymentOrderView, PaymentPrompt } from "./payment-orders.ts";
import type { LiveStats } from "./stats.ts";
import type { TerminalInput } from "./terminals.ts";
import type { CallInfo, CounterState, Instant, Outcome, PublicTicket, Ticket } from "./tickets.ts";

/** Everything a screen needs to draw itself from scratch; sent on connect unless the
 * connection was recovered (then the missed deltas are replayed instead). */
export interface HallSnapshot {
  day: string;
  /**
   * The catalogue's version ({@link Catalogue.version}). The catalogue itself is not in the
   * snapshot (half a megabyte at the reference hall's scale, sent on every connect): a page
   * keeps the one it has while the version is the same, and fetches `GET /api/hall` (or
   * gets `catalogue:updated`) otherwise.
   */
  catalogueVersion: string;
  counters: CounterState[];
  /** Tickets waiting, called or serving now, public view, in line order per queue. */
  active: PublicTicket[];
  /** Newest first, at most 20. */
  recentCalls: CallInfo[];
  stats: LiveStats;
  devices: DeviceStatus[];
  /** Whether the hub can serve synthesised speech (espeak-ng present). */
  voice: boolean;
}

export interface TicketCalled {
  ticket: PublicTicket;
  call: CallInfo;
  /** The calling counter's state after the call (no separate `counter:updated` follows). */
  counter: CounterState;
  /** The ticket this call closed at the same counter (call-next finishes the current one). */
  finished?: PublicTicket;
  /** Path of the synthesised announcement (WAV), when the hub has TTS. */
  audioUrl?: string;
}

/** A subscription: which room(s) the socket joins. */
export type Subscription =
  | { view: "hall" }
  | { view: "counter"; counterId: string }
  | { view: "zone"; zoneId: string }
  | { view: "screen"; screenId: string }
  | { view: "ticket"; ticketId: string };

/** Progress of one ticket, sent to the phone page's room whenever it may have changed. */
export interface TicketProgress {
  ticket: PublicTicket;
  call?: CallInfo;
}

export interface ServerToClientEvents {
  /** Full picture on (re)connect, unless the connection state was recovered. */
  "hall:snapshot": (s: HallSnapshot) => void;
  "hall:day": (e: { day: string }) => void;
  "ticket:issued": (t: PublicTicket) => void;
  "ticket:called": (e: TicketCalled) => void;
  /** Any other change of one ticket (started, finished, no-show, parked, transferred, cancelled). */
  "ticket:updated": (t: PublicTicket) => void;
  "ticket:progress": (p: TicketProgress) => void;
  "counter:updated": (c: CounterState) => void;
  "stats:live": (s: LiveStats) => void;
  "device:status": (d: DeviceStatus) => void;
  /** The catalogue changed (an admin's PUT): the new one, with its new `version`. */
  "catalogue:updated": (c: Catalogue) => void;
  /** An ID card or appointment code was read at a kiosk (sent to that kiosk's screen room). */
  "kiosk:input": (e: KioskInput) => void;
  /** A case changed (staff view), to the back office's rooms `cases:all` and `cases:dept:<id>`. */
  "case:updated": (c: Case) => void;
  /** A case changed (public view, masked), to its progress room `case:<caseNo>`. */
  "case:progress": (c: PublicCase) => void;
  /** The hall's case figures (办件量, 办结率, overdue), to the `hall` room whenever a case changes (at most once a second). */
  "cases:stats": (s: CaseStats) => void;
  /** A help case changed (a masked ledger row), to the help desk's `helpdesk:ledger` room. */
  "helpdesk:updated": (c: HelpLedgerRow) => void;
  /** A help case stalled: to its owner's room, at level 2 also to the supervisors'. */
  "helpdesk:reminder": (r: HelpReminder) => void;
  /** The certificate window's scanner or ID card reader found certificates (room `certwindow:<counterId>`). */
  "certificates:found": (l: WindowLookup) => void;
  /** What a self-service terminal's own devices read, to its screen room `screen:terminal-<id>`. */
  "terminal:input": (e: TerminalInput) => void;
  /** A payment order of this terminal changed (pending → paid / failed …), to its screen room. */
  "payment:order": (o: PaymentOrderView) => void;
  /** The terminal's card POS asks the visitor for something (insert card, PIN …), to its screen room. */
  "payment:prompt": (p: PaymentPrompt) => void;
  /** The active alarms (issue 13), after `alarms:subscribe`: rooms `alarms:floor` (supervisors) and `alarms:wall` (no names). */
  "alarms:snapshot": (s: AlarmSnapshot) => void;
  /** An alarm was raised, acknowledged or cleared (`clearedAt` set), to the same rooms. */
  "alarm:changed": (a: Alarm) => void;
}

/** Something a kiosk's reader or scanner read. The ID number itself never leaves the hub:
 * the kiosk gets a short-lived token to issue with, and the masked number to show. */
export type KioskInput =
  | {
      kioskId: string;
      kind: "id_card";
      idToken: string;
      masked: string;
      name: string;
      /** The card holder's age gives the green channel (绿色通道); the kiosk shows it, the hub applies it. */
      green?: boolean;
    }
  | { kioskId: string; kind: "appointment"; code: string };

export type PrintResult =
  | { status: "printed"; printerId: string }
  | { status: "failed"; printerId: string; error: "OFFLINE" | "PAPER_OUT" | "TIMEOUT" | "ERROR" }
  | { status: "none" };

/** `POST /api/tickets` reply: the public ticket, the phone page link and the print outcome. */
export interface IssuedTicket extends PublicTicket {
  /** The phone page link, with the holder key in its fragment (`/m/<id>#k=<key>`). */
  phoneUrl: string;
  /** The ticket's capability: send it as `X-Ticket-Key` to cancel, reactivate, rate or
   * reprint. Only in this reply and on the printed ticket, never in a broadcast. */
  holderKey: string;
  print: PrintResult;
}

/** A counter command by its route name, as `CounterView.allowed` lists them. */
export type CounterActionName =
  | "call-next"
  | "recall"
  | "start"
  | "finish"
  | "no-show"
  | "park"
  | "transfer"
  | "call"
  | "pause"
  | "resume"
  | "request-rating"
  | "sign-out";

/** A clerk asking for their counter back from the one who took it over (held in memory). */
export interface HandBackRequest {
  staffId: string;
  /** Surname-level display name, as staff see each other. */
  staffName: string;
  at: Instant;
}

/** `GET /api/counters/:id` — everything the counter page needs. */
export interface CounterView {
  counter: CounterState;
  /**
   * What the asking staff member may do at this counter now, decided by the engine from the
   * counter's state (a paused counter cannot call). Empty for someone who may not act here
   * (a clerk whose counter another holds).
   */
  allowed: CounterActionName[];
  /** Grace seconds (hall setting): a no-show earlier than this after the call is confirmed first. */
  noShowGraceSec: number;
  /** The counter's own clerk asked the holder to give it back (takeover), if pending. */
  handBack?: HandBackRequest;
  /** The counter's holder went away (browser closed) and may be replaced by its own clerk. */
  holderAway?: boolean;
  current: Ticket | null;
  queues: { queueId: string; waiting: number; next: PublicTicket[] }[];
  parked: Ticket[];
  noShows: Ticket[];
  /** Waiting tickets transferred here (to this counter or into its queues), with their notes, in line order (at most 10). */
  transferredIn: Ticket[];
  /** Today's own numbers for this counter. */
  today: { served: number; avgServiceSec: number; avgRating: number | null; noShows: number };
}

export interface LoginReply {
  token: string;
  staff: StaffPublic;
  /** Counter the clerk is assigned to by default (may be null). */
  counterId: string | null;
}

export interface CounterCommandPayload {
  counterId: string;
}

/** Client → server. Every event takes an ack callback with a closed error code. */
export interface ClientToServerEvents {
  subscribe: (s: Subscription, ack: (r: Ack<{ rooms: string[] }>) => void) => void;
  /** Counter commands over the socket need the bearer token given in the handshake `auth.token`. */
  "counter:command": (c: CounterSocketCommand, ack: (r: Ack<{ ticket: Ticket | null; counter: CounterState }>) => void) => void;
  /** Join the back office's case rooms (staff) or one case's progress room (case number + check digits). */
  "cases:subscribe": (s: CaseSubscription, ack: (a: Ack<{ room: string }>) => void) => void;
  /** Join the help desk's rooms (clerks, supervisors, admins). */
  "helpdesk:subscribe": (s: HelpSubscription, ack: (a: Ack<{ rooms: string[] }>) => void) => void;
  /** Join a certificate window's room (its clerk, supervisors, admins). */
  "certificates:subscribe": (s: CertificateSubscription, ack: (a: Ack<{ room: string }>) => void) => void;
  /** Join the supervisors' alarms (`floor`: supervisors, admins) or the wall's (`wall`: anyone). */
  "alarms:subscribe": (s: AlarmSubscription, ack: (a: Ack<{ room: string }>) => void) => void;
}

export type CounterSocketCommand =
  /** `requestId`: one per press; a repeat with the same id (or any repeat within 1.5 s) gets the first call's reply. */
  | { type: "call-next"; counterId: string; requestId?: string }
  | { type: "recall"; counterId: string }
  | { type: "start"; counterId: string }
  | { type: "finish"; counterId: string; outcome?: Outcome; missing?: string[] }
  | { type: "no-show"; counterId: string }
  | { type: "park"; counterId: string; note?: string }
  | { type: "call"; counterId: string; ticketId: string; reason?: string }
  | { type: "pause"; counterId: string; reason: string }
  | { type: "resume"; counterId: string }
  | { type: "request-rating"; counterId: string }
  | {
      type: "transfer";
      counterId: string;
      toQueueId?: string;
      toCounterId?: string;
      note?: string;
      priority?: PriorityClass;
    };

/** No hub-to-hub events: one hub per hall. */
export type InterServerEvents = Record<never, never>;

export interface SocketData {
  staffId?: string;
  /** The bearer token given at the handshake, checked again on every command. */
  token?: string;
  /** Distinct subscriptions of this socket (JSON), so repeats are idempotent and bounded. */
  subscriptions?: string[];
  /** A paired device (handshake `auth.deviceToken`): role, id, pairing id. */
  device?: { role: "kiosk" | "screen" | "terminal"; id: string; pid: string };
}
