/**
 * Alarms and advice for the supervisor (issue 13): what the floor page (/admin, 现场) and
 * the data wall see. Thresholds live in the catalogue (`Queue.waitAlarmMin`,
 * `Queue.waitingAlarm`, `Queue.waitTargetMin`, `Hall`/`Counter` `pauseAlarmMin` and
 * `idleAlarmSec`); the hub raises and clears alarms as the hall changes (server/src/alarms/).
 */
import type { Instant } from "./tickets.ts";

/**
 * - `wait`: a series' longest wait passed `waitAlarmMin` (value: minutes);
 * - `waiting`: at least `waitingAlarm` people wait in a series (value: people);
 * - `pause`: a counter has been paused longer than its `pauseAlarmMin` (value: minutes);
 * - `idle`: a counter is signed in and idle while its series have people waiting, for
 *   `idleAlarmSec` or longer (value: seconds).
 */
export type AlarmKind = "wait" | "waiting" | "pause" | "idle";
export const ALARM_KINDS: readonly AlarmKind[] = ["wait", "waiting", "pause", "idle"];

/**
 * One alarm, from raised to cleared. The wall gets it without `ack` (a public screen: no
 * names); nothing in it is personal (no clerk, no pause reason, no ticket).
 */
export interface Alarm {
  /** `<kind>-<queue or counter id>-<since>`: a new id each time the condition comes back. */
  id: string;
  kind: AlarmKind;
  /** The series (`wait`, `waiting`). */
  queueId?: string;
  /** The counter (`pause`, `idle`). */
  counterId?: string;
  /** When the situation began: the oldest waiting ticket's arrival, the pause, the idle spell, the line's growth. */
  startedAt: Instant;
  /** When it passed its threshold (the alarm is "since" this). */
  since: Instant;
  /** The measure when raised (unit by kind, see {@link AlarmKind}). */
  value: number;
  /** The threshold it passed (same unit). */
  threshold: number;
  acknowledged: boolean;
  /** Who acknowledged it and when (supervisors' view only). */
  ack?: { by: string; at: Instant };
  /** Set on the last delta of an alarm: the condition is over. */
  clearedAt?: Instant;
}

/** `alarms:snapshot`: the active alarms, oldest first. */
export interface AlarmSnapshot {
  at: Instant;
  alarms: Alarm[];
}

/** `alarms:subscribe`: the supervisors' floor (staff token) or the public wall. */
export type AlarmSubscription = { view: "floor" } | { view: "wall" };

/** One counter the advice moves: it serves `to` from now (its weights stay). */
export interface AdviceMove {
  counterId: string;
  /** Its series now, as the advice saw them (apply refuses with ADVICE_STALE if they changed). */
  from: string[];
  to: string[];
}

/** The advice for one series. */
export interface SeriesAdvice {
  queueId: string;
  /** Tickets issued per hour: the higher of the last 30 and the last 60 minutes' rates. */
  arrivalsPerHour: number;
  /** Seconds a counter spends per ticket (call to finish), today's measure blended with the default. */
  serviceSec: number;
  /** Tickets of today that measure went into. */
  measured: number;
  waiting: number;
  targetMin: number;
  /** Open counters serving the series now (signed in, not paused). */
  counters: string[];
  /** Those counters' worth for this series (a counter shared with other series counts in part). */
  servers: number;
  /** Counters the series needs for its expected wait to be under the target (Erlang C, and the line already waiting). */
  needed: number;
  /** Expected wait in minutes with the counters open now; null: more arrive than they can serve. */
  expectedWaitMin: number | null;
  /** The proposed change: counters moved to this series. */
  moves: AdviceMove[];
  /** Expected wait in minutes once the moves are made. */
  expectedWaitAfterMin: number | null;
  /** Counters still missing after the moves (no spare counter could be found). */
  short: number;
}

/** `GET /api/advice`. */
export interface Advice {
  at: Instant;
  /** Series needing counters first (the largest shortfall first); then the others. */
  series: SeriesAdvice[];
}

/** `POST /api/advice/apply` body: one series' moves, as the advice proposed them. */
export interface AdviceApply {
  queueId: string;
  moves: { counterId: string; from: string[] }[];
}

/** `POST /api/advice/apply` reply: the counters as they are now. */
export interface AdviceApplied {
  queueId: string;
  counters: { counterId: string; queueIds: string[] }[];
}
