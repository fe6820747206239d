import type { Catalogue } from "../contract/catalogue.ts";
import type { Instant, Ticket } from "../contract/tickets.ts";
import type { ArrivalProfile } from "../core/estimate.ts";
import type { HallState } from "../core/state.ts";
import { localParts } from "../core/time.ts";

/** Service time of a matter: mean and coefficient of variation, lognormal unless said otherwise. */
export interface ServiceTime {
  meanSec: number;
  cv: number;
  /** "exponential" ignores `cv` (it is 1): the M/M/c validation runs use it. */
  dist?: "lognormal" | "exponential";
}

/** A clerk's day at one counter; times in minutes after the day's local midnight. */
export interface Shift {
  counterId: string;
  from: number;
  to: number;
  /** Pauses (lunch, tea): [from, to] minutes. A clerk busy at the start pauses after that visitor. */
  breaks: [number, number][];
}

/** How visitors behave once they hold a ticket. */
export interface Behaviour {
  /** Share of visitors who are gone when called. */
  noShow: number;
  /** Mean walk from the seats to the window after a call (exponential; 0 = at once). */
  walkSec: number;
  /** The clerk recalls an absent visitor every this many seconds … */
  recallEverySec: number;
  /** … this many times, then records a no-show. */
  recalls: number;
  /** Share of no-shows who come back and have their ticket reactivated … */
  returnShare: number;
  /** … this long (mean, exponential) after the no-show. */
  returnAfterSec: number;
}

/**
 * One simulated day: the hall as configured, who comes when, how long their matters take and
 * who works when. Everything random is drawn from `seed`.
 */
export interface Scenario {
  catalogue: Catalogue;
  /** Local date (YYYY-MM-DD) in the hall's time zone. */
  day: string;
  seed: number;
  /** Minutes after local midnight where the first arrival bucket begins. */
  arrivalsFrom: number;
  /** Length of one arrival bucket in minutes (15: the quarter-hour profile). */
  bucketMin: number;
  /** Expected arrivals per queue per bucket (Poisson, rate constant within a bucket). */
  arrivals: Record<string, number[]>;
  /** Service time per matter; a matter not listed takes its queue's `defaultServiceSec` with `defaultCv`. */
  service: Record<string, ServiceTime>;
  defaultCv: number;
  /** Share of each matter within its queue's arrivals (absent: equal shares). */
  matterMix?: Record<string, number>;
  /** Share of arrivals that are green-channel visitors and appointments. */
  priority: { green: number; appointment: number };
  behaviour: Behaviour;
  shifts: Shift[];
  /** Record the wait estimate each ticket is given at issue (costs a walk of its line). */
  estimates: boolean;
  /** Keep the day's engine events (`SimResult.events`): simulated history to learn from. */
  recordEvents?: boolean;
  /** Other estimators to record beside the engine's (same moment, same ticket): for comparisons. */
  compare?: Record<string, Estimator>;
  /**
   * The arrivals the hub expects over the day, handed to its estimator (learned from past
   * days' journals, never from this day's own arrivals): without it, the estimator assumes
   * the last hour's pace goes on.
   */
  arrivalProfile?: ArrivalProfile;
  /** Called with the hall as it is just before each visitor takes a ticket (tests look at the estimator there). */
  beforeIssue?: (state: HallState, now: Instant, queueId: string) => void;
}

/** An estimator as the engine's: seconds until called, given the state and the people ahead. */
export type Estimator = (state: HallState, t: Ticket, ahead: number) => number;

export const NO_SHOWS_NONE: Behaviour = {
  noShow: 0,
  walkSec: 0,
  recallEverySec: 30,
  recalls: 2,
  returnShare: 0,
  returnAfterSec: 600,
};

/** "HH:MM" → minutes after midnight. */
export function minutes(hhmm: string): number {
  const m = /^(\d{1,2}):(\d{2})$/.exec(hhmm);
  if (!m) throw new Error(`not a time: ${hhmm}`);
  return Number(m[1]) * 60 + Number(m[2]);
}

export function hhmm(min: number): string {
  const h = Math.floor(min / 60);
  const m = Math.round(min % 60);
  return `${String(h).padStart(2, "0")}:${String(m).padStart(2, "0")}`;
}

/** The instant of the day's local midnight in a time zone (offsets change on whole minutes). */
export function localMidnight(day: string, timeZone: string): number {
  const [y, mo, d] = day.split("-").map(Number) as [number, number, number];
  const guess = Date.UTC(y, mo - 1, d);
  // Two passes: the offset at the guess, then at the corrected instant (a DST day).
  let at = guess;
  for (let i = 0; i < 2; i++) {
    const p = localParts(at, timeZone);
    const [py, pm, pd] = p.day.split("-").map(Number) as [number, number, number];
    const asUtc = Date.UTC(py, pm - 1, pd, p.hour, p.minute);
    at = guess - (asUtc - at);
  }
  return at;
}

/** The queues' ids in catalogue order. */
export function queueIds(c: Catalogue): string[] {
  return c.queues.map((q) => q.id);
}
