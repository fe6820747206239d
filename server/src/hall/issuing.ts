import type { PriorityClass } from "../contract/catalogue.ts";
import type { IssuedTicket, PrintResult } from "../contract/events.ts";
import type { IssueRequest } from "../contract/requests.ts";
import type { Ticket } from "../contract/tickets.ts";
import { localDay, publicTicket } from "../core/index.ts";
import { HallError } from "./errors.ts";
import type { ConfigStore } from "../store/config.ts";
import { formatWait, waitMinutes } from "../../../ui-shared/format.ts";
import type { IdCards, IdReading } from "./id-cards.ts";
import type { PrintPort, TicketPrint } from "./ports.ts";
import type { HallService } from "./service.ts";
import { TicketKeys, newTicketId } from "./ticket-keys.ts";

/** `POST /api/tickets` as the contract has it, and who asks. */
export interface IssueInput extends IssueRequest {
  /**
   * Who issues: staff may grant the green channel; a kiosk (the default) gets it only from
   * a qualifying ID card read at that same kiosk.
   */
  by?: "kiosk" | "staff";
}

/** Reprints per ticket per day by its holder (a lost ticket, a jam, one more for luck);
 * staff are not limited. */
export const REPRINTS_PER_TICKET = 3;

export interface TicketIssuerDeps {
  hall: HallService;
  config: ConfigStore;
  /** ID cards read at the kiosks, behind short-lived tokens. */
  idCards: IdCards;
  /** The kiosks' printers (the device manager); null: nothing is printed. */
  print: PrintPort | null;
  clock: () => number;
  /** Ticket ids (tests make them predictable); default newTicketId. */
  newId?: (day: string) => string;
}

/**
 * Taking a number: resolves ID cards (their tokens, see IdCards) and bookings, runs the
 * engine's issue command, prints, and answers with the public ticket.
 */
export class TicketIssuer {
  private readonly hall: HallService;
  private readonly config: ConfigStore;
  private readonly idCards: IdCards;
  private readonly print: PrintPort | null;
  private readonly clock: () => number;
  private readonly newId: (day: string) => string;
  /** The holder's capability per ticket (see TicketKeys). */
  readonly keys: TicketKeys;
  /** Today's reprints per ticket, by request id: a repeated request gets the first one's
   * result instead of printing again, and distinct ones are counted against the limit. */
  private reprints = new Map<string, Map<string, Promise<PrintResult>>>();
  private reprintsDay = "";

  constructor(d: TicketIssuerDeps) {
    this.hall = d.hall;
    this.config = d.config;
    this.idCards = d.idCards;
    this.print = d.print;
    this.clock = d.clock;
    this.newId = d.newId ?? ((day) => newTicketId(day));
    this.keys = new TicketKeys(d.config.data.secrets.tokenKey);
  }

  async issue(input: IssueInput, baseUrl: string): Promise<IssuedTicket> {
    const now = this.clock();
    let matterId = input.matterId;
    let priority: PriorityClass = input.priority ?? "normal";
    let appointmentAt: number | undefined;
    let booking: { code: string } | undefined;
    if (input.appointmentCode) {
      // Typed codes: case does not matter (the alphabet has one case).
      const typed = input.appointmentCode.toUpperCase();
      const a = this.config.data.appointments.find((x) => x.code.toUpperCase() === typed);
      if (!a) throw new HallError("BOOKING_NOT_FOUND", "no booking with this code");
      this.hall.rotateIfNeeded(now);
      // The engine refuses a used code too (decisively: same journalled event); this only answers early.
      if (this.hall.bookingUsed(a.code)) throw new HallError("BOOKING_USED", "this booking has already been used");
      if (localDay(a.slotAt, this.hall.catalogue().hall.timeZone) !== this.hall.day)
        throw new HallError("BOOKING_NOT_TODAY", "this booking is for another day");
      matterId = a.matterId;
      priority = "appointment";
      appointmentAt = a.slotAt;
      booking = a;
    } else if (priority === "appointment") {
      throw new HallError("VALIDATION_FAILED", "appointment tickets are issued with an appointment code");
    }
    if (!matterId) throw new HallError("VALIDATION_FAILED", "give matterId or appointmentCode");
    let id: IdReading | undefined;
    if (input.idToken) {
      id = this.idCards.get(input.idToken);
      if (!id || id.exp < now) throw new HallError("VALIDATION_FAILED", "the ID card reading has expired; read the card again");
      if (id.kioskId !== undefined && id.kioskId !== input.kioskId)
        throw new HallError("FORBIDDEN", "this ID card was read at another kiosk");
    }
    // Green channel: granted by staff, or by the card holder's age; never a visitor's tick.
    if (priority === "green" && input.by !== "staff" && !id?.green)
      throw new HallError("FORBIDDEN", "the green channel is granted by staff or by the ID card holder's age");
    if (id?.green && priority === "normal") priority = "green";
    // Used once: taken before the engine runs, so two requests racing with one token can't both use it.
    const idToken = input.idToken;
    if (idToken) this.idCards.take(idToken);
    // The id names the day it is for (see newTicketId): turn the day first if it is due.
    this.hall.rotateIfNeeded(now);
    const ticketId = this.newId(this.hall.day);
    // The kiosk's printer is asked whether it can print now, while the journal makes the
    // ticket durable; the ticket itself goes to it only after that (see PendingTicketPrint).
    let made: (job: TicketPrint | null) => void = () => {};
    const printing =
      input.kioskId && this.print
        ? this.print.printTicket(input.kioskId, { jobId: ticketId, ready: new Promise((res) => (made = res)) })
        : undefined;
    try {
      return await this.issueAs(
        ticketId,
        input,
        baseUrl,
        { matterId, priority, appointmentAt, booking, id, idToken },
        made,
        printing,
      );
    } finally {
      // Refused or failed: nothing to print (a no-op once the ticket was handed over).
      made(null);
    }
  }

  private async issueAs(
    ticketId: string,
    input: IssueInput,
    baseUrl: string,
    a: {
      matterId: string;
      priority: PriorityClass;
      appointmentAt: number | undefined;
      booking: { code: string } | undefined;
      id: IdReading | undefined;
      idToken: string | undefined;
    },
    made: (job: TicketPrint | null) => void,
    printing: Promise<PrintResult> | undefined,
  ): Promise<IssuedTicket> {
    const { matterId, priority, appointmentAt, booking, id, idToken } = a;
    const r = await this.hall.run({
      type: "issue",
      ticketId,
      matterId,
      priority,
      source: input.kioskId ?? "web",
      ...(appointmentAt !== undefined ? { appointmentAt } : {}),
      ...(id ? { idHash: id.idHash, idMasked: id.masked } : {}),
      ...(input.lang ? { lang: input.lang } : {}),
      ...(booking ? { bookingCode: booking.code } : {}),
    });
    if (!r.ok) {
      // Refused (another matter is still possible with the same card): the reading stays good.
      if (idToken && id) this.idCards.restore(idToken, id);
      throw new HallError(r.error, r.message);
    }
    if (booking) {
      // Only for the booking list (which codes are left); the journal event is what makes it used.
      const code = booking.code;
      await this.config
        .update((d) => {
          const a = d.appointments.find((x) => x.code === code);
          if (a) a.usedByTicketId = ticketId;
        })
        .catch(() => {});
    }
    const t = this.hall.engineState().tickets.get(ticketId) as Ticket;
    const phoneUrl = this.phoneUrl(t.id, baseUrl);
    let print: PrintResult = { status: "none" };
    if (printing) {
      made(this.jobFor(t, input.lang ?? "zh", phoneUrl, t.id));
      print = await printing;
    }
    return { ...publicTicket(this.hall.engineState(), t), phoneUrl, holderKey: this.keys.keyFor(t.id), print };
  }

  /**
   * Print again (the first print failed, or the visitor lost it). The same `requestId` is
   * the same request: it prints once and every repeat gets that print's result. The holder
   * gets {@link REPRINTS_PER_TICKET} distinct reprints a day (a failed one is not counted,
   * so it can be retried); `staff` are not limited.
   */
  async reprint(
    ticketId: string,
    kioskId: string,
    requestId: string,
    lang: "zh" | "en" | undefined,
    baseUrl: string,
    staff = false,
  ): Promise<PrintResult> {
    const t = this.hall.engineState().tickets.get(ticketId);
    if (!t) throw new HallError("UNKNOWN_TICKET", `no ticket ${ticketId} today`);
    if (t.status !== "waiting" && t.status !== "called" && t.status !== "parked")
      throw new HallError("INVALID_TRANSITION", `ticket ${t.number} is ${t.status}`);
    if (this.reprintsDay !== this.hall.day) {
      this.reprints = new Map();
      this.reprintsDay = this.hall.day;
    }
    let mine = this.reprints.get(t.id);
    if (!mine) {
      mine = new Map();
      this.reprints.set(t.id, mine);
    }
    const earlier = mine.get(requestId);
    if (earlier) return earlier;
    if (!staff && mine.size >= REPRINTS_PER_TICKET)
      throw new HallError("RATE_LIMITED", `ticket ${t.number} was reprinted ${REPRINTS_PER_TICKET} times today`);
    const requests = mine;
    // Registered before the first await, so concurrent requests see it (one print, one count).
    const job = this.printFor(t, kioskId, lang ?? t.lang ?? "zh", this.phoneUrl(t.id, baseUrl), `${t.id}:${requestId}`).then(
      (r) => {
        if (r.status === "failed") requests.delete(requestId);
        return r;
      },
    );
    mine.set(requestId, job);
    return job;
  }

  /** The phone page link printed as the ticket's QR code; the holder key rides in the
   * fragment, which browsers never send to the hub (so it stays out of request logs). */
  phoneUrl(ticketId: string, baseUrl: string): string {
    const base = (this.config.data.catalogue.hall.publicUrl || baseUrl).replace(/\/$/, "");
    return `${base}/m/${ticketId}#k=${this.keys.keyFor(ticketId)}`;
  }

  private readonly formats = new Map<string, Intl.DateTimeFormat>();

  /** Building a formatter costs more than printing a ticket's text: keep one per language. */
  private timeFormat(lang: "zh" | "en", timeZone: string): Intl.DateTimeFormat {
    const key = `${lang}|${timeZone}`;
    let f = this.formats.get(key);
    if (!f) {
      f = new Intl.DateTimeFormat(lang === "en" ? "en-GB" : "zh-CN", {
        timeZone,
        year: "numeric",
        month: "2-digit",
        day: "2-digit",
        hour: "2-digit",
        minute: "2-digit",
        hourCycle: "h23",
      });
      this.formats.set(key, f);
    }
    return f;
  }

  private async printFor(t: Ticket, kioskId: string, lang: "zh" | "en", phoneUrl: string, jobId: string): Promise<PrintResult> {
    if (!this.print) return { status: "none" };
    return this.print.printTicket(kioskId, this.jobFor(t, lang, phoneUrl, jobId));
  }

  private jobFor(t: Ticket, lang: "zh" | "en", phoneUrl: string, jobId: string): TicketPrint {
    const s = this.hall.engineState();
    const matter = s.index.matters.get(t.matterId);
    const queue = s.index.queues.get(t.queueId);
    const zone = s.catalogue.zones.find((z) => z.id === queue?.zoneId);
    const view = publicTicket(s, t);
    const en = lang === "en";
    const job: TicketPrint = {
      jobId,
      hallName: en ? s.catalogue.hall.nameEn : s.catalogue.hall.name,
      number: t.number,
      matterName: (en ? matter?.nameEn : matter?.name) ?? t.matterId,
      zoneName: (en ? zone?.nameEn : zone?.name) ?? "",
      floor: zone?.floor ?? "",
      ahead: view.position,
      // Worded and rounded as the kiosk screen and the phone page say it.
      estimatedWaitMin: waitMinutes(view.estimatedWaitSec),
      estimatedWaitText: formatWait(view.estimatedWaitSec, lang),
      issuedAtText: this.timeFormat(lang, s.catalogue.hall.timeZone).format(t.issuedAt),
      qrUrl: phoneUrl,
      materials: (matter?.materials ?? []).slice(0, 3),
      lang,
    };
    return job;
  }
}
