/**
 * The case application service: who may do what, the commands run through the pure engine
 * inside one store transaction, and the bus told afterwards. Adapters (routes, sockets) call
 * this and map HallError codes; personal data (ID numbers, phones) is never logged here.
 */
import { createHash, createHmac, timingSafeEqual } from "node:crypto";
import type { Catalogue, Matter } from "../contract/catalogue.ts";
import type {
  AcceptCaseBody,
  Case,
  CaseAction,
  CaseActor,
  CaseStats,
  CaseStatus,
  CaseTransitionBody,
  CaseWorklist,
  LocalDate,
  PublicCase,
} from "../contract/cases.ts";
import { localDay } from "../core/time.ts";
import type { Bus } from "../hall/bus.ts";
import { HallError } from "../hall/errors.ts";
import type { StaffRecord } from "../store/config.ts";
import { hallCalendar } from "./china-calendar.ts";
import { type CaseEnv, decide } from "./engine.ts";
import type { CaseBusEvents } from "./events.ts";
import type { CaseCommand } from "./model.ts";
import type { CaseStore } from "./store.ts";
import { maskId, publicView, staffView, summaryView } from "./views.ts";

/** What the service needs to know of today's tickets (from the hall state). */
export interface TicketInfo {
  id: string;
  number: string;
  matterId: string;
  status: string;
  counterId?: string;
}

export interface CaseServiceDeps {
  store: CaseStore;
  catalogue: () => Catalogue;
  clock: () => number;
  /** The hub's secret salt for ID numbers (config secrets.idSalt). */
  idSalt: string;
  ticket: (id: string) => TicketInfo | undefined;
  /** Staff id holding a counter now. */
  counterHolder: (counterId: string) => string | undefined;
  bus: Bus<CaseBusEvents>;
}

/** Steps a counter clerk does: take in owed materials or corrections, hand out or mail the result. */
const CLERK_ACTIONS: ReadonlySet<CaseAction> = new Set(["receive_material", "resubmit", "collect", "mail", "deliver"]);
/** Steps of the back office, on its own department's cases. */
const APPROVER_ACTIONS: ReadonlySet<CaseAction> = new Set([
  "take",
  "request_correction",
  "resubmit",
  "approve",
  "refuse",
  "certificate_ready",
  "receive_material",
]);

export const CASE_NO = /^\d{6}-\d{8}-\d{5,7}$/;

function requestHash(route: string, body: unknown): string {
  return createHash("sha256")
    .update(JSON.stringify([route, body]))
    .digest("base64url");
}

function actor(s: StaffRecord): CaseActor {
  return { staffId: s.id, name: s.name, role: s.role };
}

function privileged(s: StaffRecord): boolean {
  return s.role === "supervisor" || s.role === "admin";
}

function sameText(a: string, b: string): boolean {
  const x = Buffer.from(a);
  const y = Buffer.from(b);
  return x.length === y.length && timingSafeEqual(x, y);
}

export class CaseService {
  constructor(private readonly d: CaseServiceDeps) {}

  private env(): CaseEnv {
    const hall = this.d.catalogue().hall;
    return { now: this.d.clock(), timeZone: hall.timeZone, calendar: hallCalendar(hall) };
  }

  today(): LocalDate {
    return localDay(this.d.clock(), this.d.catalogue().hall.timeZone);
  }

  private matter(id: string): Matter {
    const m = this.d.catalogue().matters.find((x) => x.id === id);
    if (!m) throw new HallError("UNKNOWN_MATTER", `no matter ${id}`);
    return m;
  }

  async accept(staff: StaffRecord, body: AcceptCaseBody, key: string): Promise<Case> {
    if (staff.role === "approver") throw new HallError("FORBIDDEN", "cases are accepted at a counter or a front desk");
    const cat = this.d.catalogue();
    const hallSite = cat.hall.id;
    const siteId = body.siteId ?? hallSite;
    const site = cat.sites?.find((s) => s.id === siteId);
    if (siteId !== hallSite && !site) throw new HallError("UNKNOWN_SITE", `no site ${siteId}`);
    const atHall = siteId === hallSite || site?.kind === "hall";
    if (body.counterId) {
      if (!cat.counters.some((c) => c.id === body.counterId)) throw new HallError("UNKNOWN_COUNTER", "no such counter");
      if (!privileged(staff) && this.d.counterHolder(body.counterId) !== staff.id)
        throw new HallError("FORBIDDEN", "accept at the counter you hold");
    } else if (atHall && !privileged(staff)) {
      // In the hall a clerk accepts at their counter; township and community desks have none.
      throw new HallError("VALIDATION_FAILED", "counterId: accept at the counter you hold");
    }
    let ticket: TicketInfo | undefined;
    if (body.ticketId) {
      ticket = this.d.ticket(body.ticketId);
      if (!ticket) throw new HallError("UNKNOWN_TICKET", "no such ticket today");
      if (!privileged(staff) && (ticket.counterId !== body.counterId || !["serving", "done"].includes(ticket.status)))
        throw new HallError("UNKNOWN_TICKET", "that ticket is not being served at this counter");
    }
    const matterId = body.matterId ?? ticket?.matterId;
    if (!matterId) throw new HallError("VALIDATION_FAILED", "matterId: give the matter (or a ticket)");
    const m = this.matter(matterId);
    const id = body.applicant.idNumber?.toUpperCase();
    const applicant = {
      name: body.applicant.name.trim(),
      phone: body.applicant.phone.replace(/[\s-]/g, ""),
      ...(id
        ? {
            idHash: createHmac("sha256", this.d.idSalt).update(id).digest("base64url"),
            idMasked: maskId(id),
            idLast4: id.slice(-4),
          }
        : {}),
    };
    const env = this.env();
    const day = localDay(env.now, env.timeZone);
    const code = cat.hall.adminCode ?? "000000";
    const { value, replayed } = await this.d.store.acceptNew(
      { scope: staff.id, key, hash: requestHash("accept", body) },
      env.now,
      { day, prefix: `${code}-${day.replaceAll("-", "")}-`, ...(body.ticketId ? { ticketId: body.ticketId } : {}) },
      (caseNo) => {
        const cmd: CaseCommand = {
          type: "accept",
          caseNo,
          matter: m,
          outcome: body.outcome,
          ...(body.reason ? { reason: body.reason } : {}),
          materials: body.materials,
          applicant,
          siteId,
          ...(ticket ? { ticketId: ticket.id, ticketNumber: ticket.number } : {}),
          ...(body.counterId ? { counterId: body.counterId } : {}),
          by: actor(staff),
        };
        const r = decide(undefined, cmd, env);
        if ("error" in r) throw new HallError(r.error, r.message);
        return { ...r, value: staffView(r.state, day) };
      },
    );
    if (!replayed) this.d.bus.emit("case.accepted", value);
    return value;
  }

  async transition(staff: StaffRecord, caseNo: string, body: CaseTransitionBody, key: string): Promise<Case> {
    const allowed = privileged(staff)
      ? true
      : staff.role === "approver"
        ? APPROVER_ACTIONS.has(body.action)
        : CLERK_ACTIONS.has(body.action);
    if (!allowed) throw new HallError("FORBIDDEN", `${staff.role} cannot ${body.action}`);
    const env = this.env();
    const today = localDay(env.now, env.timeZone);
    const { value, replayed } = await this.d.store.change(
      { scope: staff.id, key, hash: requestHash(`transition ${caseNo}`, body) },
      env.now,
      caseNo,
      (c) => {
        if (!c) throw new HallError("UNKNOWN_CASE", "no such case");
        if (staff.role === "approver" && c.departmentId !== staff.departmentId)
          throw new HallError("FORBIDDEN", "this case belongs to another department");
        const r = decide(
          c,
          {
            type: "transition",
            action: body.action,
            expectedVersion: body.expectedVersion,
            ...(body.note !== undefined ? { note: body.note } : {}),
            ...(body.materialIndex !== undefined ? { materialIndex: body.materialIndex } : {}),
            ...(body.trackingNo !== undefined ? { trackingNo: body.trackingNo } : {}),
            by: actor(staff),
          },
          env,
        );
        if ("error" in r) throw new HallError(r.error, r.message);
        return { ...r, value: staffView(r.state, today) };
      },
    );
    const last = value.transitions[value.transitions.length - 1];
    if (!replayed && last) this.d.bus.emit("case.transitioned", value, last);
    return value;
  }

  async get(staff: StaffRecord, caseNo: string): Promise<Case> {
    const c = await this.d.store.get(caseNo);
    if (!c) throw new HallError("UNKNOWN_CASE", "no such case");
    if (staff.role === "approver" && c.departmentId !== staff.departmentId)
      throw new HallError("FORBIDDEN", "this case belongs to another department");
    return staffView(c, this.today());
  }

  async worklist(
    staff: StaffRecord,
    q: { dept?: string; status?: CaseStatus[]; overdue?: boolean; limit?: number; cursor?: string },
  ): Promise<CaseWorklist> {
    let dept = q.dept;
    if (staff.role === "approver") {
      if (dept && dept !== staff.departmentId) throw new HallError("FORBIDDEN", "approvers see their own department");
      dept = staff.departmentId;
    }
    const limit = q.limit ?? 100;
    const offset = q.cursor ? Number(q.cursor) : 0;
    const today = this.today();
    const rows = await this.d.store.worklist({
      ...(dept ? { departmentId: dept } : {}),
      ...(q.status ? { statuses: q.status } : {}),
      ...(q.overdue ? { overdueOnly: true } : {}),
      today,
      limit: limit + 1,
      offset,
    });
    const items = rows.slice(0, limit).map((r) => summaryView(r, today));
    return { items, ...(rows.length > limit ? { next: String(offset + limit) } : {}) };
  }

  async stats(from?: LocalDate): Promise<CaseStats> {
    const today = this.today();
    const departments = await this.d.store.stats(today, from);
    const sum = (k: "accepted" | "notAccepted" | "finished" | "due" | "open" | "overdue") =>
      departments.reduce((a, x) => a + x[k], 0);
    const due = sum("due");
    const finished = sum("finished");
    return {
      ...(from ? { from } : {}),
      today,
      departments,
      total: {
        accepted: sum("accepted"),
        notAccepted: sum("notAccepted"),
        finished,
        due,
        completionRate: due === 0 ? 1 : finished / due,
        open: sum("open"),
        overdue: sum("overdue"),
      },
    };
  }

  /**
   * The progress page: the case number and the last four digits of the applicant's phone or
   * ID number. A wrong check answers exactly as an unknown number does.
   */
  async publicCase(caseNo: string, check: string): Promise<PublicCase> {
    const c = await this.d.store.get(caseNo);
    const want = check.toUpperCase();
    const phone4 = c?.applicant.phone.replace(/\D/g, "").slice(-4) ?? "";
    const id4 = c?.applicant.idLast4 ?? "";
    const ok = !!c && ((phone4.length === 4 && sameText(phone4, want)) || (id4.length === 4 && sameText(id4, want)));
    if (!c || !ok) throw new HallError("UNKNOWN_CASE", "no such case");
    return publicView(c, this.today());
  }

  /** For socket rooms: the public view, if the check matches. */
  async checkPublic(caseNo: string, check: string): Promise<boolean> {
    try {
      await this.publicCase(caseNo, check);
      return true;
    } catch {
      return false;
    }
  }

  async publicOf(caseNo: string): Promise<PublicCase | undefined> {
    const c = await this.d.store.get(caseNo);
    return c ? publicView(c, this.today()) : undefined;
  }
}
