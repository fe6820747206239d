/**
 * The help desk application service: who may do what, commands through the pure engine
 * inside one store transaction, the bus told afterwards, and the reminder sweep on the
 * hub's clock. Personal data (ID numbers, phones) is never logged here.
 */
import { createHash, createHmac } from "node:crypto";
import type { Catalogue } from "../contract/catalogue.ts";
import type { LocalDate } from "../contract/cases.ts";
import type {
  HelpActor,
  HelpCase,
  HelpLedger,
  HelpLedgerRow,
  HelpReminder,
  HelpSettings,
  HelpStatus,
  OpenHelpBody,
} from "../contract/helpdesk.ts";
import { localDay } from "../core/time.ts";
import { hallCalendar } from "../cases/china-calendar.ts";
import { maskId } from "../cases/views.ts";
import type { Bus } from "../hall/bus.ts";
import { HallError } from "../hall/errors.ts";
import type { StaffRecord } from "../store/config.ts";
import { decide, idleDays, overdueCutoff } from "./engine.ts";
import type { HelpBusEvents } from "./events.ts";
import type { HelpCommand, HelpEnv, HelpRecord } from "./model.ts";
import type { HelpStore, HelpTx } from "./store.ts";
import { ledgerRow, staffView } from "./views.ts";

export const HELP_ID = /^HB-\d{8}-\d{4,6}$/;
/** Roles that run the help desk: clerks (the helpers), supervisors and admins. */
export const HELP_ROLES = ["clerk", "supervisor", "admin"] as const;
/** At most this many rows in one export (the whole ledger of a busy year fits). */
export const EXPORT_MAX = 100_000;

export interface HelpServiceDeps {
  store: HelpStore;
  catalogue: () => Catalogue;
  clock: () => number;
  idSalt: string;
  staffById: (id: string) => StaffRecord | undefined;
  bus: Bus<HelpBusEvents>;
}

export interface LedgerFilter {
  from?: LocalDate;
  to?: LocalDate;
  owner?: string;
  status?: HelpStatus;
  dept?: string;
  overdue?: boolean;
  limit?: number;
  cursor?: string;
}

function actor(s: StaffRecord): HelpActor {
  return { staffId: s.id, name: s.name, role: s.role };
}

function requestHash(route: string, body: unknown): string {
  return createHash("sha256")
    .update(JSON.stringify([route, body]))
    .digest("base64url");
}

function helper(s: StaffRecord): void {
  if (!(HELP_ROLES as readonly string[]).includes(s.role))
    throw new HallError("FORBIDDEN", "the help desk is run by clerks and supervisors");
}

export class HelpService {
  constructor(private readonly d: HelpServiceDeps) {}

  private async env(): Promise<HelpEnv> {
    const hall = this.d.catalogue().hall;
    return {
      now: this.d.clock(),
      timeZone: hall.timeZone,
      calendar: hallCalendar(hall),
      settings: await this.d.store.settings(),
    };
  }

  today(): LocalDate {
    return localDay(this.d.clock(), this.d.catalogue().hall.timeZone);
  }

  private async view(r: HelpRecord, env: HelpEnv): Promise<HelpCase> {
    const v = staffView(r, localDay(env.now, env.timeZone), env.calendar, await this.d.store.caseStatuses(r.links));
    if (!r.visitor.idHash) return v;
    const theirs = await this.d.store.casesOfPerson(r.visitor.idHash);
    return {
      ...v,
      visitorCases: theirs
        .filter((c) => !r.links.includes(c.caseNo))
        .map((c) => ({ ...c, status: c.status as NonNullable<HelpCase["links"][number]["status"]> })),
    };
  }

  private cutoff(env: HelpEnv): LocalDate {
    return overdueCutoff(localDay(env.now, env.timeZone), env.settings.remindAfterDays, env.calendar);
  }

  async open(staff: StaffRecord, body: OpenHelpBody, key: string): Promise<HelpCase> {
    helper(staff);
    const cat = this.d.catalogue();
    if (body.departmentId && !cat.departments.some((x) => x.id === body.departmentId))
      throw new HallError("VALIDATION_FAILED", "departmentId: no such department");
    const id = body.visitor.idNumber?.toUpperCase();
    const visitor = {
      name: body.visitor.name.trim(),
      ...(body.visitor.phone ? { phone: body.visitor.phone.replace(/[\s-]/g, "") } : {}),
      ...(id ? { idHash: createHmac("sha256", this.d.idSalt).update(id).digest("base64url"), idMasked: maskId(id) } : {}),
      ...(body.visitor.company ? { company: body.visitor.company.trim() } : {}),
    };
    const env = await this.env();
    const day = localDay(env.now, env.timeZone);
    const { value, replayed } = await this.d.store.write(
      { scope: staff.id, key, hash: requestHash("open", body) },
      env.now,
      async (tx) => {
        for (const c of body.links ?? []) if (!(await tx.caseExists(c))) throw new HallError("UNKNOWN_CASE", `no case ${c}`);
        const seq = await tx.nextSeq(day);
        const cmd: HelpCommand = {
          type: "open",
          id: `HB-${day.replaceAll("-", "")}-${String(seq).padStart(4, "0")}`,
          kind: body.kind,
          title: body.title,
          ...(body.departmentId ? { departmentId: body.departmentId } : {}),
          visitor,
          ...(body.nextStep ? { nextStep: body.nextStep } : {}),
          ...(body.nextStepDate ? { nextStepDate: body.nextStepDate } : {}),
          links: body.links ?? [],
          by: actor(staff),
        };
        const r = decide(undefined, cmd, env);
        if ("error" in r) throw new HallError(r.error, r.message);
        await tx.insert(r.state, r.events);
        return r.state;
      },
    );
    if (!replayed) this.d.bus.emit("help.changed", ledgerRow(value, this.cutoff(env)));
    return this.view(value, env);
  }

  /** A command on an existing help case, by its owner (or a supervisor). */
  async act(
    staff: StaffRecord,
    id: string,
    route: string,
    body: unknown,
    key: string,
    make: (r: HelpRecord, tx: HelpTx) => Promise<HelpCommand>,
  ): Promise<HelpCase> {
    helper(staff);
    const env = await this.env();
    const { value, replayed } = await this.d.store.write(
      { scope: staff.id, key, hash: requestHash(`${route} ${id}`, body) },
      env.now,
      async (tx) => {
        const c = await tx.get(id);
        if (!c) throw new HallError("UNKNOWN_HELP_CASE", "no such help case");
        const r = decide(c, await make(c, tx), env);
        if ("error" in r) throw new HallError(r.error, r.message);
        await tx.update(r.state, c.version, r.events);
        return r.state;
      },
    );
    if (!replayed) this.d.bus.emit("help.changed", ledgerRow(value, this.cutoff(env)));
    return this.view(value, env);
  }

  note(
    staff: StaffRecord,
    id: string,
    b: { expectedVersion: number; text: string; nextStep?: string; nextStepDate?: string },
    key: string,
  ) {
    return this.act(staff, id, "note", b, key, async () => ({
      type: "note",
      expectedVersion: b.expectedVersion,
      text: b.text,
      ...(b.nextStep ? { nextStep: b.nextStep } : {}),
      ...(b.nextStepDate ? { nextStepDate: b.nextStepDate } : {}),
      by: actor(staff),
    }));
  }

  link(staff: StaffRecord, id: string, b: { expectedVersion: number; caseNo: string }, key: string) {
    return this.act(staff, id, "link", b, key, async (_r, tx) => {
      if (!(await tx.caseExists(b.caseNo))) throw new HallError("UNKNOWN_CASE", "no such case");
      return { type: "link", expectedVersion: b.expectedVersion, caseNo: b.caseNo, by: actor(staff) };
    });
  }

  transfer(staff: StaffRecord, id: string, b: { expectedVersion: number; toStaffId: string; reason: string }, key: string) {
    return this.act(staff, id, "transfer", b, key, async () => {
      const to = this.d.staffById(b.toStaffId);
      if (!to || !(to.role === "clerk" || to.role === "supervisor"))
        throw new HallError("VALIDATION_FAILED", "toStaffId: hand over to a helper (a clerk or a supervisor)");
      return { type: "transfer", expectedVersion: b.expectedVersion, to: actor(to), reason: b.reason, by: actor(staff) };
    });
  }

  close(staff: StaffRecord, id: string, b: { expectedVersion: number; note: string }, key: string) {
    return this.act(staff, id, "close", b, key, async () => ({
      type: "close",
      expectedVersion: b.expectedVersion,
      note: b.note,
      by: actor(staff),
    }));
  }

  async get(staff: StaffRecord, id: string): Promise<HelpCase> {
    helper(staff);
    const r = await this.d.store.get(id);
    if (!r) throw new HallError("UNKNOWN_HELP_CASE", "no such help case");
    return this.view(r, await this.env());
  }

  async ledger(staff: StaffRecord, f: LedgerFilter, max = 500): Promise<HelpLedger & { rows: HelpLedgerRow[] }> {
    helper(staff);
    const env = await this.env();
    const cutoff = this.cutoff(env);
    const limit = Math.min(f.limit ?? 100, max);
    const offset = f.cursor ? Number(f.cursor) : 0;
    const { rows, total } = await this.d.store.ledger({
      ...(f.from ? { from: f.from } : {}),
      ...(f.to ? { to: f.to } : {}),
      ...(f.owner ? { ownerId: f.owner } : {}),
      ...(f.status ? { status: f.status } : {}),
      ...(f.dept ? { departmentId: f.dept } : {}),
      ...(f.overdue ? { overdueOnOrBefore: cutoff } : {}),
      limit,
      offset,
    });
    const items = rows.map((r) => ledgerRow(r, cutoff));
    return { items, rows: items, total, ...(offset + limit < total ? { next: String(offset + limit) } : {}) };
  }

  /** Every row of a filter, for the export (at most EXPORT_MAX). */
  async exportRows(staff: StaffRecord, f: LedgerFilter): Promise<HelpLedgerRow[]> {
    const { items } = await this.ledger(staff, { ...f, limit: EXPORT_MAX, cursor: "0" }, EXPORT_MAX);
    return items;
  }

  /** Reminders the caller should see now: their own stalled help cases, and (supervisors) every escalated one. */
  async reminders(staff: StaffRecord): Promise<HelpReminder[]> {
    helper(staff);
    const env = await this.env();
    const today = localDay(env.now, env.timeZone);
    const q = this.d.store.db
      .selectFrom("help_cases")
      .select("doc")
      .where("status", "=", "open")
      .where("reminder_level", ">=", 1);
    const rows = await (staff.role === "clerk" ? q.where("owner_id", "=", staff.id) : q)
      .orderBy("last_progress_on")
      .limit(500)
      .execute();
    return rows
      .map((x) => JSON.parse(x.doc) as HelpRecord)
      .filter((r) => r.owner.staffId === staff.id || r.reminderLevel === 2)
      .map((r) => reminderOf(r, r.reminderLevel as 1 | 2, idleDays(r, today, env.calendar), env.now));
  }

  settings(): Promise<HelpSettings> {
    return this.d.store.settings();
  }

  async saveSettings(staff: StaffRecord, s: HelpSettings): Promise<HelpSettings> {
    if (staff.role !== "supervisor" && staff.role !== "admin") throw new HallError("FORBIDDEN", "supervisors set the reminders");
    await this.d.store.saveSettings(s);
    return s;
  }

  /**
   * The reminder sweep, on the hub's clock: every open help case whose stall has earned a
   * higher level gets one `help.reminded` event (committed with a version check, so two
   * sweeps or two hubs never send one twice; a restarted hub finds them already sent).
   */
  async sweep(): Promise<HelpReminder[]> {
    const env = await this.env();
    const today = localDay(env.now, env.timeZone);
    const cutoff = overdueCutoff(today, env.settings.remindAfterDays, env.calendar);
    const escalate = overdueCutoff(today, env.settings.remindAfterDays + env.settings.escalateAfterDays, env.calendar);
    const out: HelpReminder[] = [];
    for (const id of await this.d.store.stalled(cutoff, escalate)) {
      const sent = await this.d.store
        .tx(async (tx) => {
          const c = await tx.get(id);
          if (!c) return undefined;
          const r = decide(c, { type: "remind" }, env);
          if ("error" in r || r.events.length === 0) return undefined;
          await tx.update(r.state, c.version, r.events);
          const e = r.events[0];
          return e?.type === "help.reminded" ? reminderOf(r.state, e.level, e.idleWorkingDays, e.at) : undefined;
        })
        // Someone acted on it meanwhile (CASE_CONFLICT): that was progress; the next sweep decides.
        .catch(() => undefined);
      if (sent) {
        out.push(sent);
        this.d.bus.emit("help.reminded", sent);
        const rec = await this.d.store.get(id);
        if (rec) this.d.bus.emit("help.changed", ledgerRow(rec, cutoff));
      }
    }
    return out;
  }
}

function reminderOf(r: HelpRecord, level: 1 | 2, idle: number, at: number): HelpReminder {
  return { helpId: r.id, title: r.title, level, ownerId: r.owner.staffId, ownerName: r.owner.name, idleWorkingDays: idle, at };
}
