/**
 * The hall picture a page keeps: a `hall:snapshot` replaces everything, then per-item
 * deltas update it. Pure reducer (no I/O), used by {@link useHallSocket}.
 */
import type {
  CallInfo,
  Catalogue,
  CounterState,
  DeviceStatus,
  HallSnapshot,
  LiveStats,
  PublicTicket,
  TicketCalled,
} from "../server/src/contract/index.ts";

/** A snapshot joined with the catalogue it names (the hub sends only its version). */
export type HallPicture = HallSnapshot & { catalogue: Catalogue };

/** `null` until the first snapshot (and its catalogue) arrived. */
export type HallState = HallPicture | null;

/** One socket event, as the reducer sees it. */
export type HallAction =
  | { type: "hall:snapshot"; payload: HallPicture }
  | { type: "hall:day"; payload: { day: string } }
  | { type: "ticket:issued"; payload: PublicTicket }
  | { type: "ticket:called"; payload: TicketCalled }
  | { type: "ticket:updated"; payload: PublicTicket }
  | { type: "counter:updated"; payload: CounterState }
  | { type: "stats:live"; payload: LiveStats }
  | { type: "device:status"; payload: DeviceStatus }
  | { type: "catalogue:updated"; payload: Catalogue };

/** The event names the store folds (everything else goes to page handlers only). */
export const STORE_EVENTS = [
  "hall:snapshot",
  "hall:day",
  "ticket:issued",
  "ticket:called",
  "ticket:updated",
  "counter:updated",
  "stats:live",
  "device:status",
  "catalogue:updated",
] as const satisfies readonly HallAction["type"][];

/** Statuses that keep a ticket in `active` (the snapshot's definition). */
const ACTIVE = new Set<PublicTicket["status"]>(["waiting", "called", "serving"]);

/** Most recent calls kept, as in the snapshot. */
export const RECENT_CALLS = 20;

function upsertBy<T>(list: readonly T[], item: T, same: (a: T) => boolean): T[] {
  const i = list.findIndex(same);
  if (i < 0) return [...list, item];
  const copy = list.slice();
  copy[i] = item;
  return copy;
}

function applyTicket(active: readonly PublicTicket[], t: PublicTicket): PublicTicket[] {
  if (!ACTIVE.has(t.status)) return active.filter((x) => x.id !== t.id);
  return upsertBy(active, t, (x) => x.id === t.id);
}

function addCall(calls: readonly CallInfo[], call: CallInfo): CallInfo[] {
  // A recall replaces the older entry of the same ticket so a list shows each number once.
  return [call, ...calls.filter((c) => !(c.ticketId === call.ticketId && c.counterId === call.counterId))].slice(0, RECENT_CALLS);
}

/**
 * Folds one event into the state. Deltas before the first snapshot are dropped: the
 * snapshot that follows a (re)connect contains them anyway.
 */
export function hallReducer(state: HallState, action: HallAction): HallState {
  if (action.type === "hall:snapshot") return action.payload;
  if (!state) return state;
  switch (action.type) {
    case "hall:day":
      // A new day: yesterday's line is gone; the hub sends fresh counters/stats next.
      return action.payload.day === state.day ? state : { ...state, day: action.payload.day, active: [], recentCalls: [] };
    case "ticket:issued":
    case "ticket:updated":
      return { ...state, active: applyTicket(state.active, action.payload) };
    case "ticket:called": {
      const { ticket, call, counter, finished } = action.payload;
      const active = applyTicket(finished ? applyTicket(state.active, finished) : state.active, ticket);
      return {
        ...state,
        active,
        recentCalls: addCall(state.recentCalls, call),
        counters: upsertBy(state.counters, counter, (c) => c.id === counter.id),
      };
    }
    case "counter:updated":
      return { ...state, counters: upsertBy(state.counters, action.payload, (c) => c.id === action.payload.id) };
    case "stats:live":
      return { ...state, stats: action.payload };
    case "device:status":
      return { ...state, devices: upsertBy(state.devices, action.payload, (d) => d.id === action.payload.id) };
    case "catalogue:updated":
      return {
        ...state,
        catalogue: action.payload,
        ...(action.payload.version ? { catalogueVersion: action.payload.version } : {}),
      };
    default: {
      const never: never = action;
      return never;
    }
  }
}

/** Waiting tickets of one queue, in line order. */
export function waitingIn(state: HallState, queueId: string): PublicTicket[] {
  return state ? state.active.filter((t) => t.queueId === queueId && t.status === "waiting") : [];
}
