import type { CounterView, HallSnapshot } from "../contract/events.ts";
import type { DeviceStatus } from "../contract/devices.ts";
import type { Ticket } from "../contract/tickets.ts";
import { activeTickets, counterStates, type HallState, liveStats, publicTicket } from "../core/index.ts";
import { allowedActions } from "../core/allowed.ts";
import { noShowGraceSec } from "../core/decide.ts";
import { lineOrder } from "../core/state.ts";

const copy = (t: Ticket): Ticket => ({ ...t, notes: [...t.notes] });

/** Counters with a device fault shown as offline on the wall: their window display or keypad is down. */
export function offlineCounters(devices: DeviceStatus[], deviceCounter: (id: string) => string | undefined): Set<string> {
  const out = new Set<string>();
  for (const d of devices) {
    if (d.health === "offline" && (d.kind === "keypad" || d.kind === "led")) {
      const c = deviceCounter(d.id);
      if (c) out.add(c);
    }
  }
  return out;
}

export function buildSnapshot(
  state: HallState,
  catalogueVersion: string,
  devices: DeviceStatus[],
  voice: boolean,
  now: number,
  offline: ReadonlySet<string>,
): HallSnapshot {
  return {
    day: state.day,
    catalogueVersion,
    counters: counterStates(state),
    // Lean tickets: the estimate's range is the phone page's (its own ticket comes with
    // ticket:progress) and the estimate told at issue is the hub's (the wall gets the
    // accuracy in the stats); 300 waiting tickets carried ~15 KB of them to every screen.
    active: activeTickets(state).map(({ estimateRange: _range, ...t }) => {
      const { issueEstimateSec: _told, ...lean } = t as typeof t & { issueEstimateSec?: number };
      return lean;
    }),
    recentCalls: state.recentCalls.map((c) => ({ ...c })),
    stats: liveStats(state, now, offline),
    devices,
    voice,
  };
}

/** `mayAct`: whether the asker may act at this counter (its holder, or a supervisor); else nothing is allowed. */
export function counterView(
  state: HallState,
  counterId: string,
  now = state.lastEventAt,
  mayAct = true,
): CounterView | undefined {
  const counter = state.catalogue.counters.find((c) => c.id === counterId);
  const rt = state.counters.get(counterId);
  if (!counter || !rt) return undefined;
  const cur = rt.view.currentTicketId ? state.tickets.get(rt.view.currentTicketId) : undefined;
  // Tickets transferred to this counter wait in their own series, which this counter may
  // not serve otherwise: list those series too, or the tickets would wait unseen.
  const targeted = state.targeted.get(counterId);
  const targetedTickets = targeted ? [...targeted.green, ...targeted.appointment, ...targeted.normal] : [];
  const queueIds = [...counter.profile.queueIds];
  for (const t of targetedTickets) if (!queueIds.includes(t.queueId)) queueIds.push(t.queueId);
  const queues = queueIds.map((queueId) => {
    const l = counter.profile.queueIds.includes(queueId) ? state.lines.get(queueId) : undefined;
    const all = l ? [...l.green, ...l.appointment, ...l.normal] : [];
    for (const t of targetedTickets) if (t.queueId === queueId) all.push(t);
    all.sort(lineOrder);
    return { queueId, waiting: all.length, next: all.slice(0, 10).map((t) => publicTicket(state, t)) };
  });
  // Transferred visitors come with a note from the counter that sent them: show them first.
  const transferredIn: Ticket[] = [];
  const mine = new Set<Ticket>(targetedTickets);
  for (const q of counter.profile.queueIds) {
    const l = state.lines.get(q);
    if (l) for (const t of [...l.green, ...l.appointment, ...l.normal]) if (t.transfers > 0) mine.add(t);
  }
  for (const t of mine) if (t.transfers > 0) transferredIn.push(t);
  transferredIn.sort(lineOrder);
  const parked: Ticket[] = [];
  const noShows: Ticket[] = [];
  for (const t of state.tickets.values()) {
    if (t.counterId !== counterId) continue;
    if (t.status === "parked") parked.push(copy(t));
    else if (t.status === "no_show") noShows.push(copy(t));
  }
  return {
    counter: { ...rt.view },
    allowed: mayAct ? allowedActions(state, counterId, now) : [],
    noShowGraceSec: noShowGraceSec(state),
    current: cur ? copy(cur) : null,
    queues,
    parked,
    noShows: noShows.slice(-20),
    transferredIn: transferredIn.slice(0, 10).map(copy),
    today: {
      served: rt.view.servedToday,
      avgServiceSec: rt.view.servedToday ? Math.round(rt.serviceMs / rt.view.servedToday / 1000) : 0,
      avgRating: rt.ratingCount ? rt.ratingSum / rt.ratingCount : null,
      noShows: rt.noShows,
    },
  };
}
