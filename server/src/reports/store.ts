/**
 * The reports' store on the case database (SQLite or PostgreSQL, the same SQL on both):
 * a closed day's history replaced as a whole, the rollups written with it, the reports'
 * queries and the 差评 follow-ups.
 *
 * Every figure but the p90s comes from report_rollup (day × group sums: a year is a few
 * thousand rows whatever the hall's size). A p90 cannot be added up from daily parts, so it
 * ranks the period's tickets in SQL (a window function over the range, nearest rank).
 */
import { type Kysely, type RawBuilder, sql } from "kysely";
import type { CaseDb, Engine } from "../cases/db.ts";
import type { HistoryRow } from "./fold.ts";
import { type Followup, type FollowupStatus, type GroupBy, PERIODS, type PeriodKind, periodRange } from "./model.ts";
import type { CompiledSql, P90Runner } from "./p90-runner.ts";

/** A history row as stored (the comment and rating time go to the follow-up, not here). */
type ReportTicketsTable = Omit<HistoryRow, "comment" | "rated_at">;

interface ReportDaysTable {
  day: string;
  tickets: number;
  filled_at: number;
  /** Periods (bits of {@link periodBit}) whose kept p90s do not include this day's fill yet (migration 12). */
  p90_pending: number;
}

interface ReportFollowupsTable {
  ticket_id: string;
  day: string;
  number: string;
  counter: string;
  clerk: string;
  clerk_name: string;
  department: string;
  matter: string;
  score: number;
  reasons: string;
  comment: string;
  rated_at: number;
  due_date: string;
  status: string;
  closed_at: number | null;
  closed_by: string | null;
  closed_by_name: string | null;
  action: string | null;
}

export interface ReportDb extends CaseDb {
  report_tickets: ReportTicketsTable;
  report_days: ReportDaysTable;
  report_followups: ReportFollowupsTable;
}

/**
 * The history column each grouping reads. "all" is one row: an expression that is always ''
 * (PostgreSQL refuses a constant in GROUP BY and PARTITION BY).
 */
const COLUMN: Record<GroupBy, string> = {
  all: "substr(day, 1, 0)",
  department: "department",
  matter: "matter",
  series: "series",
  counter: "counter",
  clerk: "clerk",
  hour: "hour",
};
/** Groupings the rollups keep (all of them). */
const ROLLUP_DIMS = Object.keys(COLUMN) as GroupBy[];
const METRICS = ["wait_s", "service_s"] as const;
/** Rows per INSERT: 19 values each stays far under both engines' parameter limits. */
const BATCH = 500;

/**
 * A period kind's bit in report_days.p90_pending: set for all four when the day is filled,
 * cleared for one kind in the transaction that keeps that period's new p90s. A ranking that
 * is cancelled (the hub closing) or never runs (a crash) leaves its bits set: the period's
 * kept p90s are stale, the report says so, and the next fill ranks it first.
 */
export function periodBit(kind: PeriodKind): number {
  return 1 << PERIODS.indexOf(kind);
}
/** Every period kind's bit: what a freshly filled day needs. */
export const ALL_PERIOD_BITS = PERIODS.reduce((m, k) => m | periodBit(k), 0);

/** A calendar period to rank. */
export interface PeriodRange {
  kind: PeriodKind;
  from: string;
  to: string;
}

/** Sums of one group over a range, from the rollups. */
export interface GroupSums {
  key: string;
  /** The clerk's name as signed in (the latest seen in the range, by text order). */
  label: string;
  tickets: number;
  served: number;
  noShows: number;
  cancelled: number;
  waitN: number;
  waitSum: number;
  serviceN: number;
  serviceSum: number;
  ratings: [number, number, number, number, number];
}

/** A follow-up to open (from a live rating or a day's history). */
export type NewFollowup = Omit<Followup, "status" | "overdue" | "closedAt" | "closedBy" | "closedByName" | "action">;

export class ReportStore {
  readonly db: Kysely<ReportDb>;

  /** `ranker`: SQLite's p90 worker (mount.ts gives one); absent, the ranking runs on this thread. */
  constructor(
    db: Kysely<CaseDb>,
    readonly engine: Engine,
    private readonly ranker?: P90Runner,
  ) {
    this.db = db as unknown as Kysely<ReportDb>;
  }

  /**
   * Replace one day's history (its tickets, its rollups, its filled mark) in one transaction:
   * filling a day twice gives the same rows, and a crash halfway leaves the previous fill.
   * Follow-ups of its low ratings are opened when missing (never reopened or changed).
   */
  async replaceDay(day: string, rows: readonly HistoryRow[], now: number, followups: readonly NewFollowup[]): Promise<void> {
    await this.db.transaction().execute(async (tx) => {
      await tx.deleteFrom("report_tickets").where("day", "=", day).execute();
      await sql`delete from report_rollup where day = ${day}`.execute(tx);
      await tx.deleteFrom("report_days").where("day", "=", day).execute();
      for (let i = 0; i < rows.length; i += BATCH)
        await tx
          .insertInto("report_tickets")
          .values(rows.slice(i, i + BATCH).map(historyValues))
          .execute();
      await this.rollUp(tx, day);
      await tx
        .insertInto("report_days")
        .values({ day, tickets: rows.length, filled_at: now, p90_pending: ALL_PERIOD_BITS })
        .execute();
      for (const f of followups) await openFollowup(tx, f);
    });
  }

  /** Rollups of one day, from its history rows (the same SQL on both engines). */
  private async rollUp(tx: Kysely<ReportDb>, day: string): Promise<void> {
    for (const dim of ROLLUP_DIMS) {
      const col = sql.raw(COLUMN[dim]);
      const r = (n: number) => sql`sum(case when rating = ${sql.lit(n)} then 1 else 0 end)`;
      await sql`insert into report_rollup
        (dim, day, key, label, tickets, served, no_shows, cancelled, wait_n, wait_sum, service_n, service_sum, r1, r2, r3, r4, r5)
        select ${dim}, day, cast(${col} as text), max(clerk_name), count(*),
          sum(case when outcome = 'served' then 1 else 0 end),
          sum(case when outcome = 'no_show' then 1 else 0 end),
          sum(case when outcome = 'cancelled' then 1 else 0 end),
          count(wait_s), coalesce(sum(wait_s), 0), count(service_s), coalesce(sum(service_s), 0),
          ${r(1)}, ${r(2)}, ${r(3)}, ${r(4)}, ${r(5)}
        from report_tickets where day = ${day} group by day, ${col}`.execute(tx);
    }
  }

  async filledDays(): Promise<Set<string>> {
    const rows = await this.db.selectFrom("report_days").select("day").execute();
    return new Set(rows.map((r) => r.day));
  }

  async filledBetween(from: string, to: string): Promise<number> {
    const r = await this.db
      .selectFrom("report_days")
      .select((eb) => eb.fn.countAll<number>().as("n"))
      .where("day", ">=", from)
      .where("day", "<=", to)
      .executeTakeFirst();
    return Number(r?.n ?? 0);
  }

  /** Sums per group (and per day when `perDay`) over a range, from the rollups. */
  async sums(by: GroupBy, from: string, to: string, perDay = false): Promise<(GroupSums & { day?: string })[]> {
    const dayCol = perDay ? sql`day` : sql`''`;
    const r = await sql<Record<string, unknown>>`select key, ${dayCol} as d, max(label) as label,
        sum(tickets) as tickets, sum(served) as served, sum(no_shows) as no_shows, sum(cancelled) as cancelled,
        sum(wait_n) as wait_n, sum(wait_sum) as wait_sum, sum(service_n) as service_n, sum(service_sum) as service_sum,
        sum(r1) as r1, sum(r2) as r2, sum(r3) as r3, sum(r4) as r4, sum(r5) as r5
      from report_rollup where dim = ${by} and day >= ${from} and day <= ${to}
      group by key${perDay ? sql`, day` : sql``}`.execute(this.db);
    const n = (v: unknown) => Number(v ?? 0);
    return r.rows.map((x) => ({
      key: String(x.key),
      label: String(x.label ?? ""),
      ...(perDay ? { day: String(x.d) } : {}),
      tickets: n(x.tickets),
      served: n(x.served),
      noShows: n(x.no_shows),
      cancelled: n(x.cancelled),
      waitN: n(x.wait_n),
      waitSum: n(x.wait_sum),
      serviceN: n(x.service_n),
      serviceSum: n(x.service_sum),
      ratings: [n(x.r1), n(x.r2), n(x.r3), n(x.r4), n(x.r5)],
    }));
  }

  /**
   * p90 (nearest rank: the smallest value with ≥ 90 % at or below it) of waits or service
   * times per group over any range: ranked in SQL, identically on both engines (the same
   * query `refreshP90s` keeps per calendar period).
   */
  async p90s(by: GroupBy, metric: "wait_s" | "service_s", from: string, to: string): Promise<Map<string, number>> {
    const r = await ranking(by, metric, from, to).execute(this.db);
    return new Map(r.rows.map((x) => [String(x.k), Number(x.p)]));
  }

  /**
   * Rank one calendar period's p90s again (every grouping, both metrics) and keep them: what
   * a report of that period reads. Run after its days changed; one transaction, so a report
   * never sees a period half ranked. On SQLite with a ranker the work is the ranker's worker
   * thread's (the same queries, compiled here); the hub's thread only awaits it.
   */
  async refreshP90s(period: PeriodKind, from: string, to: string): Promise<void> {
    if (this.ranker) {
      await this.ranker.run({
        period,
        from,
        rankings: ROLLUP_DIMS.flatMap((dim) =>
          METRICS.map((metric) => ({ dim, metric, ...compiled(ranking(dim, metric, from, to), this.db) })),
        ),
        clear: compiled(clearP90s(period, from), this.db),
        insert: "insert into report_p90 (period, start, dim, metric, key, value) values (?, ?, ?, ?, ?, ?)",
        ranked: compiled(rankedDays(period, from, to), this.db),
      });
      return;
    }
    await this.db.transaction().execute(async (tx) => {
      await clearP90s(period, from).execute(tx);
      for (const dim of ROLLUP_DIMS)
        for (const metric of METRICS)
          await sql`insert into report_p90 (period, start, dim, metric, key, value)
            select ${period}, ${from}, ${dim}, ${metric}, k, p from (${ranking(dim, metric, from, to)}) r`.execute(tx);
      await rankedDays(period, from, to).execute(tx);
    });
  }

  /**
   * The periods whose kept p90s miss a day's fill (a ranking cancelled or never run), each
   * once, oldest first.
   */
  async pendingPeriods(): Promise<PeriodRange[]> {
    const rows = await this.db
      .selectFrom("report_days")
      .select(["day", "p90_pending"])
      .where("p90_pending", "<>", 0)
      .orderBy("day")
      .execute();
    const out = new Map<string, PeriodRange>();
    for (const r of rows)
      for (const kind of PERIODS)
        if (Number(r.p90_pending) & periodBit(kind)) {
          const range = periodRange(kind, r.day);
          out.set(`${kind} ${range.from}`, { kind, ...range });
        }
    return [...out.values()];
  }

  /** Whether a period's kept p90s miss one of its days' fills (they are being ranked again). */
  async p90Pending(kind: PeriodKind, from: string, to: string): Promise<boolean> {
    const r = await sql<{ n: unknown }>`select count(*) as n from report_days
      where day >= ${from} and day <= ${to} and (p90_pending & ${sql.lit(periodBit(kind))}) <> 0`.execute(this.db);
    return Number(r.rows[0]?.n ?? 0) > 0;
  }

  /** The kept p90s of a calendar period for one grouping and metric. */
  async keptP90s(period: string, from: string, by: GroupBy, metric: "wait_s" | "service_s"): Promise<Map<string, number>> {
    const r = await sql<{ key: unknown; value: unknown }>`select key, value from report_p90
      where period = ${period} and start = ${from} and dim = ${by} and metric = ${metric}`.execute(this.db);
    return new Map(r.rows.map((x) => [String(x.key), Number(x.value)]));
  }

  /** Cases accepted and finished in a range, per department, matter, or in all. */
  async caseCounts(
    by: "all" | "department" | "matter",
    from: string,
    to: string,
    fromMs: number,
    toMs: number,
  ): Promise<{ accepted: Map<string, number>; finished: Map<string, number> }> {
    const col = sql.raw(by === "all" ? "substr(case_no, 1, 0)" : by === "department" ? "department_id" : "matter_id");
    const acc = await sql<{ k: unknown; n: unknown }>`select cast(${col} as text) as k, count(*) as n from cases
      where accepted_on >= ${from} and accepted_on <= ${to} group by ${col}`.execute(this.db);
    const fin = await sql<{ k: unknown; n: unknown }>`select cast(${col} as text) as k, count(*) as n from cases
      where finished_at >= ${fromMs} and finished_at < ${toMs} group by ${col}`.execute(this.db);
    const map = (rows: { k: unknown; n: unknown }[]) => new Map(rows.map((x) => [String(x.k), Number(x.n)]));
    return { accepted: map(acc.rows), finished: map(fin.rows) };
  }

  /** Cases due in a range with when they finished (overdue is decided in local dates by the caller). */
  async casesDue(
    from: string,
    to: string,
  ): Promise<{ department: string; matter: string; due: string; finishedAt: number | null }[]> {
    const rows = await this.db
      .selectFrom("cases")
      .select(["department_id", "matter_id", "due_date", "finished_at"])
      .where("due_date", ">=", from)
      .where("due_date", "<=", to)
      .execute();
    return rows.map((r) => ({
      department: r.department_id,
      matter: r.matter_id,
      due: r.due_date as string,
      finishedAt: r.finished_at === null ? null : Number(r.finished_at),
    }));
  }

  // ---- 差评 follow-ups ----

  async openFollowup(f: NewFollowup): Promise<boolean> {
    return openFollowup(this.db, f);
  }

  async followups(status: FollowupStatus | "all", limit: number): Promise<Omit<Followup, "overdue">[]> {
    let q = this.db.selectFrom("report_followups").selectAll();
    if (status !== "all") q = q.where("status", "=", status);
    const rows = await q.orderBy("status", "desc").orderBy("due_date").orderBy("rated_at").limit(limit).execute();
    return rows.map(followupOf);
  }

  async followup(ticketId: string): Promise<Omit<Followup, "overdue"> | undefined> {
    const r = await this.db.selectFrom("report_followups").selectAll().where("ticket_id", "=", ticketId).executeTakeFirst();
    return r ? followupOf(r) : undefined;
  }

  /**
   * Close an open follow-up; false when it was closed already (by someone else meanwhile:
   * the update only touches an open row, so two closers cannot both win).
   */
  async closeFollowup(ticketId: string, by: { id: string; name: string }, action: string, at: number): Promise<boolean> {
    const r = await this.db
      .updateTable("report_followups")
      .set({ status: "closed", closed_at: at, closed_by: by.id, closed_by_name: by.name, action })
      .where("ticket_id", "=", ticketId)
      .where("status", "=", "open")
      .executeTakeFirst();
    return Number(r.numUpdatedRows) === 1;
  }
}

/**
 * The p90 (nearest rank) of a metric per group of a range, as (k, p) rows: the one query
 * behind a report's p90s on both engines, in this thread or the ranker's.
 */
function ranking(by: GroupBy, metric: "wait_s" | "service_s", from: string, to: string): RawBuilder<{ k: unknown; p: unknown }> {
  const col = sql.raw(COLUMN[by]);
  const m = sql.raw(metric);
  return sql<{ k: unknown; p: unknown }>`select k, min(v) as p from (
      select cast(${col} as text) as k, ${m} as v,
        row_number() over (partition by ${col} order by ${m}) as rn,
        count(*) over (partition by ${col}) as n
      from report_tickets where day >= ${from} and day <= ${to} and ${m} is not null
    ) x where rn * 10 >= n * 9 group by k`;
}

function clearP90s(period: string, from: string): RawBuilder<unknown> {
  return sql`delete from report_p90 where period = ${period} and start = ${from}`;
}

/**
 * The period's days are in its kept p90s now: their bit of the period's kind is cleared, in
 * the transaction that writes those p90s. Fills and rankings never interleave (the service
 * runs them one at a time), so no day is filled between the ranking's read and this write.
 */
function rankedDays(kind: PeriodKind, from: string, to: string): RawBuilder<unknown> {
  const bit = sql.lit(periodBit(kind));
  return sql`update report_days set p90_pending = p90_pending - (p90_pending & ${bit})
    where day >= ${from} and day <= ${to} and (p90_pending & ${bit}) <> 0`;
}

function compiled(q: RawBuilder<unknown>, db: Kysely<ReportDb>): CompiledSql {
  const c = q.compile(db);
  return { sql: c.sql, parameters: c.parameters };
}

async function openFollowup(db: Kysely<ReportDb>, f: NewFollowup): Promise<boolean> {
  const r = await db
    .insertInto("report_followups")
    .values({
      ticket_id: f.ticketId,
      day: f.day,
      number: f.number,
      counter: f.counterId,
      clerk: f.clerkId,
      clerk_name: f.clerkName,
      department: f.departmentId,
      matter: f.matterId,
      score: f.score,
      reasons: f.reasons.join(","),
      comment: f.comment,
      rated_at: f.ratedAt,
      due_date: f.dueDate,
      status: "open",
    })
    .onConflict((oc) => oc.column("ticket_id").doNothing())
    .executeTakeFirst();
  // Nothing inserted on a conflict: SQLite reports no changes, PostgreSQL a row count of 0.
  return Number(r.numInsertedOrUpdatedRows ?? 0n) > 0;
}

function historyValues(r: HistoryRow): ReportTicketsTable {
  const { comment: _c, rated_at: _r, ...row } = r;
  return row;
}

function followupOf(r: ReportFollowupsTable): Omit<Followup, "overdue"> {
  return {
    ticketId: r.ticket_id,
    day: r.day,
    number: r.number,
    counterId: r.counter,
    clerkId: r.clerk,
    clerkName: r.clerk_name,
    departmentId: r.department,
    matterId: r.matter,
    score: Number(r.score),
    reasons: r.reasons ? r.reasons.split(",") : [],
    comment: r.comment,
    ratedAt: Number(r.rated_at),
    dueDate: r.due_date,
    status: r.status as FollowupStatus,
    ...(r.closed_at !== null ? { closedAt: Number(r.closed_at) } : {}),
    ...(r.closed_by ? { closedBy: r.closed_by } : {}),
    ...(r.closed_by_name ? { closedByName: r.closed_by_name } : {}),
    ...(r.action ? { action: r.action } : {}),
  };
}
