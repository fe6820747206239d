import { createHmac, randomBytes } from "node:crypto";
import type { PriorityClass } from "../contract/catalogue.ts";
import type { IssuedTicket, PrintResult } from "../contract/events.ts";
import type { IssueRequest } from "../contract/requests.ts";
import type { Ticket } from "../contract/tickets.ts";
import { localDay, publicTicket } from "../core/index.ts";
import { ApiError } from "../http/errors.ts";
import type { ConfigStore } from "../store/config.ts";
import type { TicketPrintJob } from "../../../hardware/printer/protocol.ts";
import { formatWait, waitMinutes } from "../../../ui-shared/format.ts";
import { DEFAULT_GREEN_CHANNEL_AGE, greenByAge } from "./green-channel.ts";
import type { HallService } from "./service.ts";
import { TicketKeys, newTicketId } from "./ticket-keys.ts";

/** Printing as the issuing desk needs it; the device manager provides it. */
export interface PrintPort {
  /** Print on the kiosk's printer; never rejects (a failure is a result, the ticket stays valid). */
  printTicket(kioskId: string, job: TicketPrintJob): Promise<PrintResult>;
}

/** `POST /api/tickets` as the contract has it, and who asks. */
export interface IssueInput extends IssueRequest {
  /**
   * Who issues: staff may grant the green channel; a kiosk (the default) gets it only from
   * a qualifying ID card read at that same kiosk.
   */
  by?: "kiosk" | "staff";
}

interface IdReading {
  idHash: string;
  masked: string;
  exp: number;
  /** The kiosk whose reader read the card: the token is good there only. */
  kioskId: string | undefined;
  green: boolean;
}

const ID_TOKEN_TTL_MS = 3 * 60_000;
/** Reprints per ticket per day by its holder (a lost ticket, a jam, one more for luck);
 * staff are not limited. */
export const REPRINTS_PER_TICKET = 3;

/**
 * Taking a number: resolves ID cards and bookings, runs the engine's issue command, prints,
 * and answers with the public ticket. The ID number never leaves this class: the kiosk
 * gets a short-lived token, the journal only a salted hash and a masked number.
 */
export class TicketIssuer {
  private readonly idTokens = new Map<string, IdReading>();
  private print: PrintPort | null = null;
  /** The holder's capability per ticket (see TicketKeys). */
  readonly keys: TicketKeys;
  /** Today's reprints per ticket, by request id: a repeated request gets the first one's
   * result instead of printing again, and distinct ones are counted against the limit. */
  private reprints = new Map<string, Map<string, Promise<PrintResult>>>();
  private reprintsDay = "";

  constructor(
    private readonly hall: HallService,
    private readonly config: ConfigStore,
    private readonly clock: () => number,
    private readonly newId: (day: string) => string = (day) => newTicketId(day),
  ) {
    this.keys = new TicketKeys(config.data.secrets.tokenKey);
  }

  setPrintPort(p: PrintPort): void {
    this.print = p;
  }

  /**
   * An ID card was read at kiosk `kioskId`: keep its salted hash behind a token for the next
   * issue there, used once. `green`: the holder's age gives the green channel today.
   */
  registerIdCard(idNumber: string, kioskId?: string): { idToken: string; masked: string; green: boolean } {
    const idHash = createHmac("sha256", this.config.data.secrets.idSalt).update(idNumber.toUpperCase()).digest("base64url");
    const masked =
      idNumber.length > 8 ? `${idNumber.slice(0, 4)}${"*".repeat(idNumber.length - 8)}${idNumber.slice(-4)}` : "****";
    const idToken = randomBytes(12).toString("base64url");
    const now = this.clock();
    for (const [k, v] of this.idTokens) if (v.exp < now) this.idTokens.delete(k);
    this.hall.rotateIfNeeded(now);
    const threshold = this.hall.state.catalogue.hall.greenChannelAge ?? DEFAULT_GREEN_CHANNEL_AGE;
    const green = greenByAge(idNumber, this.hall.day, threshold);
    this.idTokens.set(idToken, { idHash, masked, exp: now + ID_TOKEN_TTL_MS, kioskId, green });
    return { idToken, masked, green };
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
      if (!a) throw new ApiError("BOOKING_NOT_FOUND", "no booking with this code");
      this.hall.rotateIfNeeded(now);
      // The engine refuses a used code too (decisively: same journalled event); this only answers early.
      if (this.hall.state.bookingsUsed.has(a.code)) throw new ApiError("BOOKING_USED", "this booking has already been used");
      if (localDay(a.slotAt, this.hall.state.catalogue.hall.timeZone) !== this.hall.day)
        throw new ApiError("BOOKING_NOT_TODAY", "this booking is for another day");
      matterId = a.matterId;
      priority = "appointment";
      appointmentAt = a.slotAt;
      booking = a;
    } else if (priority === "appointment") {
      throw new ApiError("VALIDATION_FAILED", "appointment tickets are issued with an appointment code");
    }
    if (!matterId) throw new ApiError("VALIDATION_FAILED", "give matterId or appointmentCode");
    let id: IdReading | undefined;
    if (input.idToken) {
      id = this.idTokens.get(input.idToken);
      if (!id || id.exp < now) throw new ApiError("VALIDATION_FAILED", "the ID card reading has expired; read the card again");
      if (id.kioskId !== undefined && id.kioskId !== input.kioskId)
        throw new ApiError("FORBIDDEN", "this ID card was read at another kiosk");
    }
    // Green channel: granted by staff, or by the card holder's age; never a visitor's tick.
    if (priority === "green" && input.by !== "staff" && !id?.green)
      throw new ApiError("FORBIDDEN", "the green channel is granted by staff or by the ID card holder's age");
    if (id?.green && priority === "normal") priority = "green";
    // Used once: taken before the engine runs, so two requests racing with one token can't both use it.
    const idToken = input.idToken;
    if (idToken) this.idTokens.delete(idToken);
    // The id names the day it is for (see newTicketId): turn the day first if it is due.
    this.hall.rotateIfNeeded(now);
    const ticketId = this.newId(this.hall.day);
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
      if (idToken && id) this.idTokens.set(idToken, id);
      throw new ApiError(r.error, r.message);
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
    const t = this.hall.state.tickets.get(ticketId) as Ticket;
    const phoneUrl = this.phoneUrl(t.id, baseUrl);
    const print = input.kioskId
      ? await this.printFor(t, input.kioskId, input.lang ?? "zh", phoneUrl, t.id)
      : ({ status: "none" } as const);
    return { ...publicTicket(this.hall.state, t), phoneUrl, holderKey: this.keys.keyFor(t.id), print };
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
    const t = this.hall.state.tickets.get(ticketId);
    if (!t) throw new ApiError("UNKNOWN_TICKET", `no ticket ${ticketId} today`);
    if (t.status !== "waiting" && t.status !== "called" && t.status !== "parked")
      throw new ApiError("INVALID_TRANSITION", `ticket ${t.number} is ${t.status}`);
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
      throw new ApiError("RATE_LIMITED", `ticket ${t.number} was reprinted ${REPRINTS_PER_TICKET} times today`);
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
    const s = this.hall.state;
    const matter = s.index.matters.get(t.matterId);
    const queue = s.index.queues.get(t.queueId);
    const zone = s.catalogue.zones.find((z) => z.id === queue?.zoneId);
    const view = publicTicket(s, t);
    const en = lang === "en";
    const job: TicketPrintJob = {
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
    return this.print.printTicket(kioskId, job);
  }
}
