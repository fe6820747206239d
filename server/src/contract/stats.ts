import type { CounterStatus, RatingReason } from "./tickets.ts";

export interface DepartmentStats {
  departmentId: string;
  /** 办件量: tickets issued for this department's matters today. */
  issued: number;
  /** Finished (any outcome). */
  done: number;
  /** 办结: finished as completed or accepted_incomplete (容缺受理), the outcomes the rate counts. */
  completed: number;
  /** 办结率 = completed / done, 0..1 (1 when nothing is done yet: show "—" then). */
  completionRate: number;
}

export interface QueueStats {
  queueId: string;
  waiting: number;
  issued: number;
  /** Longest current wait in seconds. */
  longestWaitSec: number;
  alarm: boolean;
}

export interface CounterLive {
  counterId: string;
  status: CounterStatus | "offline";
  servedToday: number;
  /** When the counter was paused (epoch ms), while it is paused. */
  pausedAt?: number;
}

/** The live figures of the data wall; `GET /api/stats/live` and the `stats:live` event. */
export interface LiveStats {
  day: string;
  at: number;
  issued: number;
  served: number;
  waiting: number;
  noShows: number;
  avgWaitSec: number;
  avgServiceSec: number;
  /** Arrivals and completions per local hour 0..23. */
  arrivalsByHour: number[];
  completionsByHour: number[];
  departments: DepartmentStats[];
  queues: QueueStats[];
  counters: CounterLive[];
  /** Ratings 1..5 counts; satisfaction = (4+5)/all. */
  ratings: [number, number, number, number, number];
  /** Reasons given with ratings of 1 or 2: a count per reason. */
  ratingReasons: Record<RatingReason, number>;
  satisfaction: number;
  zonesWaiting: Record<string, number>;
  /**
   * How far today's wait estimates were from the waits: of the tickets called so far, the
   * wait each was told at issue against its wait until first called. MAE and bias (told −
   * had; positive = told too long) in seconds. No personal data: figures only.
   */
  estimateAccuracy?: { n: number; meanWaitSec: number; maeSec: number; biasSec: number };
}

/** One closed day, summarised for reports. */
export interface DaySummary {
  day: string;
  issued: number;
  served: number;
  noShows: number;
  cancelled: number;
  avgWaitSec: number;
  avgServiceSec: number;
  byDepartment: { departmentId: string; issued: number; done: number; completionRate: number }[];
  byCounter: { counterId: string; served: number; avgServiceSec: number; avgRating: number | null }[];
  /** Ratings 1..5 counts (absent in summaries written before ratings were summarised). */
  ratings?: [number, number, number, number, number];
  /** Reasons given with ratings of 1 or 2: a count per reason. */
  ratingReasons?: Record<RatingReason, number>;
}
