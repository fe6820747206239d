/**
 * Reports as the hub uses them: history filled from the journals (each closed day once it
 * closes, days not yet filled at start, everything again on a rebuild), the reports
 * themselves with names from the catalogue, and the 差评 follow-ups (opened by every rating
 * of 1 or 2 as it is journalled, closed by a supervisor with what was done, audited).
 */
import { access } from "node:fs/promises";
import { join } from "node:path";
import type { AuditLog } from "../audit/service.ts";
import { maskText } from "../audit/mask.ts";
import { addWorkingDays } from "../cases/calendar.ts";
import { hallCalendar } from "../cases/china-calendar.ts";
import type { Catalogue } from "../contract/catalogue.ts";
import type { Ticket } from "../contract/tickets.ts";
import { type HallEvent, localDay, localParts } from "../core/index.ts";
import { HallError } from "../hall/errors.ts";
import { journalDays, readJournal } from "../store/journal.ts";
import { foldDay } from "./fold.ts";
import {
  FOLLOWUP_WORKING_DAYS,
  type Followup,
  type FollowupStatus,
  type GroupBy,
  PERIODS,
  type PeriodKind,
  type Report,
  type ReportRow,
  periodRange,
} from "./model.ts";
import { P90Cancelled } from "./p90-runner.ts";
import type { GroupSums, NewFollowup, PeriodRange, ReportStore } from "./store.ts";

export interface ReportServiceDeps {
  store: ReportStore;
  dataDir: string;
  catalogue: () => Catalogue;
  clock: () => number;
  /** A ticket of today (a live rating's counter, clerk and matter). */
  ticket: (id: string) => Readonly<Ticket> | undefined;
  /** A staff member's name (the clerk rows). */
  staffName: (id: string) => string | undefined;
  audit?: AuditLog;
  log: (line: string) => void;
}

/** Follow-ups one list returns at most (a hall has a handful a week). */
export const FOLLOWUP_LIMIT = 1000;

export class ReportService {
  private filling: Promise<unknown> = Promise.resolve();

  constructor(private readonly d: ReportServiceDeps) {}

  private get tz(): string {
    return this.d.catalogue().hall.timeZone;
  }

  today(): string {
    return localDay(this.d.clock(), this.tz);
  }

  /** Run fills one at a time: a rebuild and the midnight fill never interleave their writes. */
  private serial<R>(work: () => Promise<R>): Promise<R> {
    const run = this.filling.then(work);
    this.filling = run.catch(() => {});
    return run;
  }

  /** Fill one closed day from its journal, replacing what it had (idempotent), and rank its periods. */
  async fillDay(day: string): Promise<number> {
    const n = await this.serial(() => this.load(day));
    await this.refreshPeriods([day]);
    return n;
  }

  private async load(day: string): Promise<number> {
    const { events } = await readJournal(join(this.d.dataDir, "journal"), day);
    const cat = this.d.catalogue();
    const departments = new Map(cat.matters.map((m) => [m.id, m.departmentId]));
    const rows = foldDay(day, events, { timeZone: cat.hall.timeZone, departmentOf: (m) => departments.get(m) });
    const followups = rows
      .filter((r) => r.rating !== null && r.rating <= 2)
      .map((r) =>
        this.newFollowup({
          ticketId: r.ticket_id,
          day,
          number: r.number,
          counterId: r.counter,
          clerkId: r.clerk,
          clerkName: r.clerk_name,
          matterId: r.matter,
          departmentId: r.department,
          score: r.rating as number,
          reasons: r.reasons ? r.reasons.split(",") : [],
          comment: r.comment ?? "",
          ratedAt: r.rated_at ?? r.issued_at,
        }),
      );
    await this.d.store.replaceDay(day, rows, this.d.clock(), followups);
    return rows.length;
  }

  /**
   * Rank the p90s of every calendar period (day, week, month, year) the days belong to,
   * each period once however many of its days changed: a year's 250 days filled at once
   * rank the year once. Periods an earlier ranking left stale (cancelled by the hub closing,
   * or lost to a crash: their days are still marked, store.ts `periodBit`) are ranked first.
   * Once the hub is closing no further period starts (P90Cancelled): those stay marked.
   */
  refreshPeriods(days: readonly string[]): Promise<void> {
    const periods = new Map<string, PeriodRange>();
    for (const day of days)
      for (const kind of PERIODS) {
        const r = periodRange(kind, day);
        periods.set(`${kind} ${r.from}`, { kind, ...r });
      }
    return this.serial(async () => {
      const left = (await this.d.store.pendingPeriods()).filter((p) => !periods.has(`${p.kind} ${p.from}`));
      if (left.length) this.d.log(`reports: ranking ${left.length} periods left stale by an earlier ranking first`);
      for (const p of [...left, ...periods.values()]) {
        if (this.stopped) throw new P90Cancelled("cancelled: the hub is closing");
        await this.d.store.refreshP90s(p.kind, p.from, p.to);
      }
    });
  }

  /** Fill days (replacing them), then rank their periods once. */
  private async fillAll(days: readonly string[]): Promise<number> {
    let tickets = 0;
    for (const day of days) {
      const n = await this.serial(() => this.load(day));
      this.d.log(`reports: filled ${day} (${n} tickets)`);
      tickets += n;
    }
    await this.refreshPeriods(days);
    return tickets;
  }

  /** Closed days (before today) with a journal: all of them, or those not filled yet. */
  private async closedDays(onlyMissing: boolean, from = "0000-00-00", to = "9999-99-99"): Promise<string[]> {
    const today = this.today();
    const filled = onlyMissing ? await this.d.store.filledDays() : new Set<string>();
    return (await journalDays(join(this.d.dataDir, "journal"))).filter(
      (d) => d < today && d >= from && d <= to && !filled.has(d),
    );
  }

  /** At start: every closed day not filled yet. */
  async fillMissing(): Promise<string[]> {
    const days = await this.closedDays(true);
    await this.fillAll(days);
    return days;
  }

  /** Fill every closed day in a range again from the journals. */
  async rebuild(from?: string, to?: string): Promise<{ days: number; tickets: number }> {
    const days = await this.closedDays(false, from, to);
    return { days: days.length, tickets: await this.fillAll(days) };
  }

  /**
   * The day that just closed: filled once its summary is written (the hall writes it after
   * the last of that day's events reached the journal), checked every `everyMs`.
   */
  async fillWhenClosed(day: string, everyMs = 500, tries = 240): Promise<void> {
    const summary = join(this.d.dataDir, "summaries", `${day}.json`);
    for (let i = 0; i < tries; i++) {
      if (this.stopped) return;
      if (
        await access(summary).then(
          () => true,
          () => false,
        )
      )
        break;
      await new Promise((r) => setTimeout(r, everyMs));
    }
    const n = await this.fillDay(day);
    this.d.log(`reports: filled ${day} (${n} tickets)`);
  }

  /**
   * The hub is closing: waits for a day's summary end (fillMissing at the next start fills
   * that day), and no further period is ranked (the next start ranks it).
   */
  stop(): void {
    this.stopped = true;
  }

  private stopped = false;

  // ---- reports ----

  async report(period: PeriodKind, date: string, by: GroupBy): Promise<Report> {
    const { from, to } = periodRange(period, date);
    const s = this.d.store;
    const [groups, totals, hours, days, pw, ps, tw, ts, filledDays, p90Pending] = await Promise.all([
      s.sums(by, from, to),
      s.sums("all", from, to),
      s.sums("hour", from, to),
      s.sums("all", from, to, true),
      s.keptP90s(period, from, by, "wait_s"),
      s.keptP90s(period, from, by, "service_s"),
      s.keptP90s(period, from, "all", "wait_s"),
      s.keptP90s(period, from, "all", "service_s"),
      s.filledBetween(from, to),
      s.p90Pending(period, from, to),
    ]);
    // Stale p90s (ranked before one of the period's days was filled again) are not shown:
    // the report says they are being ranked instead.
    const p90 = (m: Map<string, number>, key: string) => (p90Pending ? undefined : m.get(key));
    const cases = by === "all" || by === "department" || by === "matter" ? await this.cases(by, from, to) : undefined;
    const totalCases = await this.cases("all", from, to);
    const names = this.namer(by);
    const rows = groups
      .map((g) => row(g, names(g.key, g.label), p90(pw, g.key), p90(ps, g.key), cases && caseCells(cases, g.key)))
      .sort((a, b) => (by === "hour" ? Number(a.key) - Number(b.key) : b.tickets - a.tickets || a.key.localeCompare(b.key)));
    const t = totals[0] ?? emptySums("");
    const total = row(t, { name: "合计", nameEn: "Total" }, p90(tw, ""), p90(ts, ""), caseCells(totalCases, ""));
    return {
      period,
      from,
      to,
      by,
      rows,
      total: { ...total, key: "" },
      hours: Array.from({ length: 24 }, (_, h) => {
        const x = hours.find((y) => y.key === String(h));
        return { hour: h, tickets: x?.tickets ?? 0, served: x?.served ?? 0 };
      }),
      days: days
        .map((x) => ({ day: x.day as string, tickets: x.tickets, served: x.served, avgWaitS: avg(x.waitSum, x.waitN) }))
        .sort((a, b) => a.day.localeCompare(b.day)),
      filledDays,
      p90Pending,
    };
  }

  private async cases(by: "all" | "department" | "matter", from: string, to: string) {
    const tz = this.tz;
    const { accepted, finished } = await this.d.store.caseCounts(
      by,
      from,
      to,
      localMidnight(from, tz),
      localMidnight(nextDate(to), tz),
    );
    // Overdue: due in the period and not finished by the end of its due date (still open
    // ones only once the due date has passed).
    const today = this.today();
    const overdue = new Map<string, number>();
    for (const c of await this.d.store.casesDue(from, to)) {
      const late = c.finishedAt === null ? c.due < today : localDay(c.finishedAt, tz) > c.due;
      if (!late) continue;
      const k = by === "all" ? "" : by === "department" ? c.department : c.matter;
      overdue.set(k, (overdue.get(k) ?? 0) + 1);
    }
    return { accepted, finished, overdue };
  }

  /** Names of a grouping's keys: the catalogue's now, the clerk's from the staff list. */
  private namer(by: GroupBy): (key: string, label: string) => { name: string; nameEn: string } {
    const cat = this.d.catalogue();
    const pick = (list: readonly { id: string; name: string; nameEn: string }[]) => {
      const m = new Map(list.map((x) => [x.id, x]));
      return (k: string) => {
        const x = m.get(k);
        return x ? { name: x.name, nameEn: x.nameEn } : { name: k, nameEn: k };
      };
    };
    switch (by) {
      case "department":
        return pick(cat.departments);
      case "matter":
        return pick(cat.matters);
      case "series": {
        const m = new Map(cat.queues.map((q) => [q.id, q]));
        return (k) => {
          const q = m.get(k);
          return q ? { name: `${q.prefix} ${q.name}`, nameEn: `${q.prefix} ${q.nameEn}` } : { name: k, nameEn: k };
        };
      }
      case "counter":
        return pick(cat.counters);
      case "clerk":
        return (k, label) => {
          const n = this.d.staffName(k) ?? (label || k);
          return { name: n, nameEn: n };
        };
      case "hour":
        return (k) => {
          const h = `${k.padStart(2, "0")}:00`;
          return { name: h, nameEn: h };
        };
      case "all":
        return () => ({ name: "合计", nameEn: "Total" });
      default: {
        const never: never = by;
        throw new Error(`unknown grouping ${String(never)}`);
      }
    }
  }

  // ---- 差评 follow-ups ----

  private newFollowup(f: Omit<NewFollowup, "dueDate">): NewFollowup {
    return {
      ...f,
      comment: maskText(f.comment),
      dueDate: addWorkingDays(hallCalendar(this.d.catalogue().hall), f.day, FOLLOWUP_WORKING_DAYS),
    };
  }

  /** Live: a rating of 1 or 2 opens its follow-up as soon as it is journalled. */
  async onEvents(events: readonly HallEvent[]): Promise<void> {
    for (const e of events) {
      if (e.type !== "ticket.rated" || e.score > 2) continue;
      const t = this.d.ticket(e.ticketId);
      if (!t) continue;
      const dept = this.d.catalogue().matters.find((m) => m.id === t.matterId)?.departmentId ?? "";
      const clerk = t.staffId ?? "";
      const opened = await this.d.store.openFollowup(
        this.newFollowup({
          ticketId: t.id,
          day: t.day,
          number: t.number,
          counterId: t.counterId ?? e.counterId ?? "",
          clerkId: clerk,
          clerkName: (clerk && this.d.staffName(clerk)) || "",
          matterId: t.matterId,
          departmentId: dept,
          score: e.score,
          reasons: e.reasons ?? [],
          comment: e.comment ?? "",
          ratedAt: e.at,
        }),
      );
      if (opened) this.d.log(`reports: 差评 follow-up opened for ${t.number} (${t.day})`);
    }
  }

  async followups(status: FollowupStatus | "all"): Promise<Followup[]> {
    const today = this.today();
    return (await this.d.store.followups(status, FOLLOWUP_LIMIT)).map((f) => ({
      ...f,
      overdue: f.status === "open" && f.dueDate < today,
    }));
  }

  /** Close a follow-up with what was done; the audit row is written before the caller answers. */
  async closeFollowup(ticketId: string, by: { id: string; name: string; role: string }, action: string): Promise<Followup> {
    const f = await this.d.store.followup(ticketId);
    if (!f) throw new HallError("UNKNOWN_FOLLOWUP", `no follow-up ${ticketId}`);
    if (f.status === "closed" || !(await this.d.store.closeFollowup(ticketId, by, action, this.d.clock())))
      throw new HallError("FOLLOWUP_CLOSED", "this follow-up is closed already");
    await this.d.audit?.record({
      actor: by,
      action: "followup.close",
      target: f.number ? `${f.day} ${f.number}` : ticketId,
      detail: { ticketId, score: f.score, dueDate: f.dueDate, action: maskText(action, 500) },
    });
    const closed = (await this.d.store.followup(ticketId)) as Omit<Followup, "overdue">;
    return { ...closed, overdue: false };
  }

  async recordRebuild(
    by: { id: string; name: string; role: string },
    r: { from?: string; to?: string; days: number },
  ): Promise<void> {
    await this.d.audit?.record({ actor: by, action: "reports.rebuild", detail: { ...r } });
  }
}

function avg(sum: number, n: number): number | null {
  return n > 0 ? Math.round(sum / n) : null;
}

function emptySums(key: string): GroupSums {
  return {
    key,
    label: "",
    tickets: 0,
    served: 0,
    noShows: 0,
    cancelled: 0,
    waitN: 0,
    waitSum: 0,
    serviceN: 0,
    serviceSum: 0,
    ratings: [0, 0, 0, 0, 0],
  };
}

type CaseFigures = { accepted: Map<string, number>; finished: Map<string, number>; overdue: Map<string, number> };

function caseCells(c: CaseFigures, key: string) {
  return { accepted: c.accepted.get(key) ?? 0, finished: c.finished.get(key) ?? 0, overdue: c.overdue.get(key) ?? 0 };
}

function row(
  g: GroupSums,
  n: { name: string; nameEn: string },
  p90Wait: number | undefined,
  p90Service: number | undefined,
  cases: { accepted: number; finished: number; overdue: number } | undefined,
): ReportRow {
  return {
    key: g.key,
    ...n,
    tickets: g.tickets,
    served: g.served,
    noShows: g.noShows,
    cancelled: g.cancelled,
    avgWaitS: avg(g.waitSum, g.waitN),
    p90WaitS: p90Wait ?? null,
    avgServiceS: avg(g.serviceSum, g.serviceN),
    p90ServiceS: p90Service ?? null,
    casesAccepted: cases?.accepted ?? null,
    casesFinished: cases?.finished ?? null,
    casesOverdue: cases?.overdue ?? null,
    ratings: g.ratings,
  };
}

function nextDate(day: string): string {
  return new Date(Date.parse(`${day}T00:00:00Z`) + 86_400_000).toISOString().slice(0, 10);
}

/** The instant a local date begins in a time zone (two steps settle a DST change too). */
export function localMidnight(day: string, timeZone: string): number {
  const wall = Date.parse(`${day}T00:00:00Z`);
  const offset = (t: number) => {
    const p = localParts(t, timeZone);
    return Date.parse(`${p.day}T00:00:00Z`) + p.hour * 3_600_000 + p.minute * 60_000 - (t - (t % 60_000));
  };
  const t0 = wall - offset(wall);
  return wall - offset(t0);
}
