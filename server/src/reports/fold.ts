/**
 * One closed day's journal folded into one history row per ticket (pure: events in, rows
 * out). The journal, not the engine's state, is the source: a day filled again a year later
 * gives the same rows whatever the catalogue has become since; the catalogue is only asked
 * which department a matter belonged to (and an unknown one is recorded as "").
 *
 * - wait: issue → first call (a transferred ticket waited once, its second line is service);
 * - service: the start (or the call, when the clerk never pressed start) of the service that
 *   finished it → finish (a no-show called again is served from its last call);
 * - counter and clerk: where it was last called;
 * - outcome: served (finished), no_show, cancelled, or left (still waiting at closing time).
 */
import type { HallEvent } from "../core/index.ts";
import { localHour } from "../core/time.ts";

export type HistoryOutcome = "served" | "no_show" | "cancelled" | "left";

export interface HistoryRow {
  day: string;
  ticket_id: string;
  number: string;
  hour: number;
  series: string;
  matter: string;
  department: string;
  counter: string;
  clerk: string;
  clerk_name: string;
  issued_at: number;
  called_at: number | null;
  started_at: number | null;
  finished_at: number | null;
  outcome: HistoryOutcome;
  wait_s: number | null;
  service_s: number | null;
  rating: number | null;
  /** Low ratings' reasons, comma-separated (RATING_REASONS ids). */
  reasons: string | null;
  /** The visitor's words with a low rating (masked by the caller before it is stored). */
  comment: string | null;
  rated_at: number | null;
}

export function foldDay(
  day: string,
  events: readonly HallEvent[],
  o: { timeZone: string; departmentOf: (matterId: string) => string | undefined },
): HistoryRow[] {
  const rows = new Map<string, HistoryRow>();
  const names = new Map<string, string>();
  /** When the service now under way began: the latest call, or the start pressed after it. */
  const since = new Map<string, number>();
  const secs = (from: number | null, to: number | null) =>
    from !== null && to !== null ? Math.max(0, Math.round((to - from) / 1000)) : null;
  for (const e of events) {
    switch (e.type) {
      case "ticket.issued": {
        const t = e.ticket;
        rows.set(t.id, {
          day,
          ticket_id: t.id,
          number: t.number,
          hour: localHour(t.issuedAt, o.timeZone),
          series: t.queueId,
          matter: t.matterId,
          department: o.departmentOf(t.matterId) ?? "",
          counter: "",
          clerk: "",
          clerk_name: "",
          issued_at: t.issuedAt,
          called_at: null,
          started_at: null,
          finished_at: null,
          outcome: "left",
          wait_s: null,
          service_s: null,
          rating: null,
          reasons: null,
          comment: null,
          rated_at: null,
        });
        break;
      }
      case "counter.signed_in":
        names.set(e.staffId, e.staffName);
        break;
      case "ticket.called": {
        const r = rows.get(e.ticketId);
        if (!r) break;
        if (r.called_at === null) {
          r.called_at = e.at;
          r.wait_s = secs(r.issued_at, e.at);
        }
        since.set(e.ticketId, e.at);
        r.counter = e.counterId;
        r.clerk = e.staffId;
        r.clerk_name = names.get(e.staffId) ?? r.clerk_name;
        // A no-show brought back and called again is no longer one.
        if (r.outcome === "no_show") r.outcome = "left";
        break;
      }
      case "ticket.started": {
        const r = rows.get(e.ticketId);
        if (!r) break;
        if (r.started_at === null) r.started_at = e.at;
        since.set(e.ticketId, e.at);
        break;
      }
      case "ticket.finished": {
        const r = rows.get(e.ticketId);
        if (!r) break;
        r.finished_at = e.at;
        r.outcome = "served";
        r.service_s = secs(since.get(e.ticketId) ?? r.called_at, e.at);
        break;
      }
      case "ticket.no_show": {
        const r = rows.get(e.ticketId);
        if (r) r.outcome = "no_show";
        break;
      }
      case "ticket.reactivated": {
        const r = rows.get(e.ticketId);
        if (r && r.outcome === "no_show") r.outcome = "left";
        break;
      }
      case "ticket.cancelled": {
        const r = rows.get(e.ticketId);
        if (r && r.outcome !== "served") r.outcome = "cancelled";
        break;
      }
      case "ticket.rated": {
        const r = rows.get(e.ticketId);
        if (!r) break;
        r.rating = e.score;
        r.reasons = e.reasons?.length ? e.reasons.join(",") : null;
        r.comment = e.comment ?? null;
        r.rated_at = e.at;
        if (e.counterId && !r.counter) r.counter = e.counterId;
        break;
      }
      default:
        break;
    }
  }
  return [...rows.values()];
}
