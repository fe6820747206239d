/**
 * The hall's configuration: what the hall offers and who works where.
 * Stored by the hub (lowdb), validated at start-up, shared read-only with the UIs.
 * Every name has a Simplified Chinese form (shown by default) and an English one.
 */

/** "HH:MM" local wall-clock time in the hall's time zone. */
export type LocalTime = string;

export interface Hall {
  id: string;
  name: string;
  nameEn: string;
  address: string;
  /** IANA zone; daily numbering resets at local midnight here. Default Asia/Shanghai. */
  timeZone: string;
  /** Minutes a no-show ticket can still be reactivated by the visitor or a clerk. */
  noShowReactivateMin: number;
  /**
   * Seconds after a call before a caller keypad's next key may record the called visitor as
   * a no-show, and within which the counter page asks the clerk to confirm a no-show.
   * Default 60.
   */
  noShowGraceSec?: number;
  /**
   * Seconds a counter holder whose browser has gone (socket closed, no command since) keeps
   * the counter; then the hub releases it (signs them out when nothing is current, and lets
   * the counter's own clerk sign back in). Default 300.
   */
  holderIdleSec?: number;
  /** Public base URL the QR codes point at (phone page); empty = derive from the request. */
  publicUrl: string;
  /** Scrolling notice on the call screens. */
  notice: string;
  /**
   * Browser origins (`http://host:port`) besides the hub's own and `publicUrl` whose pages
   * may change things or open sockets (e.g. an office portal). Requests without an Origin
   * (devices, scripts) are not affected. See docs/security.md.
   */
  allowedOrigins?: string[];
  noticeEn: string;
  /** How many times the call screens say each call (1..5; default 2). A screen's
   * `?repeat=N` overrides it. */
  announceRepeat?: number;
  /** Age from which an ID card gives the green channel (绿色通道) by itself; default 65. */
  greenChannelAge?: number;
  /**
   * 行政区划代码 of the county the hall serves (Pingyuan County: "371426"): the prefix of
   * every case number. Default "000000".
   */
  adminCode?: string;
  /**
   * Hall overrides of the national working-day calendar (节假日 / 调休), applied on top of
   * the bundled one: a local date and whether it is a working day.
   */
  calendarOverrides?: { date: string; workday: boolean; note?: string }[];
  /**
   * Alarm for the supervisor when a counter has been paused this many minutes (a counter may
   * set its own). Default 15; 0 = no such alarm.
   */
  pauseAlarmMin?: number;
  /**
   * Alarm when a counter is signed in and idle (nothing called, not paused) while tickets of
   * the series it serves wait, for this many seconds (a counter may set its own). Default
   * 120; 0 = no such alarm.
   */
  idleAlarmSec?: number;
}

/** A place where cases are accepted: the hall, or a township / community front desk (审批事项下沉). */
export interface Site {
  id: string;
  name: string;
  nameEn: string;
  kind: "hall" | "township" | "community";
}

/** 功能区 — a functional zone of the hall. */
export interface Zone {
  id: string;
  name: string;
  nameEn: string;
  /** Floor label as shown to visitors, e.g. "1F". */
  floor: string;
}

/** 部门 — a department that moved into the hall. */
export interface Department {
  id: string;
  name: string;
  nameEn: string;
  zoneId: string;
}

/** 事项 — a service matter a visitor comes for. */
export interface Matter {
  id: string;
  name: string;
  nameEn: string;
  departmentId: string;
  /** The ticket series (queue) that takes this matter. */
  queueId: string;
  /** 申请材料 — required materials, in order of importance. */
  materials: string[];
  /** The same materials in English, item by item (same length), for English pages. */
  materialsEn?: string[];
  /**
   * Which materials are essential (same length as `materials`); a non-essential one may
   * follow later under 容缺受理. Absent = every material is essential.
   */
  materialsEssential?: boolean[];
  /** 法定时限 — legal time limit in working days (0 = on the spot). */
  legalDays: number;
  /** 承诺时限 — promised time limit in working days (0 = on the spot, 即办件). */
  promisedDays: number;
  /** Fee in yuan; 0 = free. */
  feeYuan: number;
  /**
   * 自助打印: the result (certificate) may be printed once by its applicant at a
   * self-service terminal, after identifying with the ID card. Absent = no (a window hands it out).
   */
  selfPrint?: boolean;
  /** Pinyin initials of the name ("bdcdj" for 不动产登记…), filled in by the hub for kiosk search. */
  initials?: string;
  /**
   * Full pinyin of the name, one entry per character of `name` (toneless, "ü" written "v",
   * "" for punctuation), filled in by the hub: the kiosk searches "budongchan" and builds
   * its pinyin candidate bar from it without shipping a pinyin dictionary to the browser.
   */
  pinyin?: string[];
}

/**
 * 近义词 — an everyday word visitors type for matters that are officially named otherwise
 * ("营业执照" → 企业设立登记, "房产证" → 不动产…). Editable with the rest of the catalogue.
 */
export interface Synonym {
  /** What a visitor types. */
  word: string;
  /** Fragments of matter names it stands for: every matter whose name contains one is found. */
  terms: string[];
  /** Pinyin of `word`, as {@link Matter.pinyin}; filled in by the hub. */
  pinyin?: string[];
}

export interface IssuingWindow {
  from: LocalTime;
  to: LocalTime;
}

/** A ticket series: letter prefix, daily cap and issuing hours. */
export interface Queue {
  id: string;
  /** One or two capital letters, unique in the hall: "A" → A001. */
  prefix: string;
  name: string;
  nameEn: string;
  zoneId: string;
  /** Tickets per day at most; 0 = no cap. */
  dailyCap: number;
  /** When the kiosk may issue tickets of this series (local time). Empty = always. */
  hours: IssuingWindow[];
  /** Service time assumed before today has measured any (seconds). */
  defaultServiceSec: number;
  /** Alarm on the data wall when the longest wait passes this many minutes. */
  waitAlarmMin: number;
  /** Alarm for the supervisor when this many people wait in the series or more; absent or 0 = none. */
  waitingAlarm?: number;
  /**
   * The expected (mean) wait the supervisor's advice keeps the series under, in minutes:
   * it counts the counters Erlang C says that takes. Default half of `waitAlarmMin`.
   */
  waitTargetMin?: number;
}

export type PriorityClass = "green" | "appointment" | "normal";
export const PRIORITY_CLASSES: readonly PriorityClass[] = ["green", "appointment", "normal"];

/**
 * How a counter picks among its queues. Classes are interleaved by smooth weighted
 * round robin with these weights ({green:1, appointment:1, normal:2} = one green and one
 * appointment per two normal), so no class starves; within a class the longest wait
 * across all the counter's queues goes first.
 */
export interface WorkProfile {
  queueIds: string[];
  weights: Record<PriorityClass, number>;
}

export type CounterKind = "comprehensive" | "standard" | "help" | "certificate";

/** 窗口 — a service counter. */
export interface Counter {
  id: string;
  number: number;
  name: string;
  nameEn: string;
  zoneId: string;
  kind: CounterKind;
  profile: WorkProfile;
  /** This counter's own pause alarm (minutes; 0 = none); default the hall's `pauseAlarmMin`. */
  pauseAlarmMin?: number;
  /** This counter's own idle alarm (seconds; 0 = none); default the hall's `idleAlarmSec`. */
  idleAlarmSec?: number;
  /**
   * The counter's break plan (午休、错峰轮休), local times: the clerk pauses then. The wait
   * estimate counts the counter out for these spans (a visitor who takes a ticket at 11:20 is
   * told the wait for the windows open at noon), and the simulator's clerks follow them.
   * Absent = no planned breaks.
   */
  breaks?: IssuingWindow[];
}

/**
 * clerk: counter staff (accept cases at their counter); approver: back office (审批) acting
 * on the cases of their department; supervisor, admin: everything.
 */
export type Role = "clerk" | "approver" | "supervisor" | "admin";

/** Staff as shown to clients: never carries the password hash. */
export interface StaffPublic {
  id: string;
  username: string;
  name: string;
  role: Role;
  /** Approvers: the department whose cases they handle. */
  departmentId?: string;
  /** The account may not sign in (an admin disabled it). */
  disabled?: boolean;
}

/** The catalogue, as the engine sees it and as `GET /api/hall` returns it. */
export interface Catalogue {
  hall: Hall;
  zones: Zone[];
  departments: Department[];
  matters: Matter[];
  queues: Queue[];
  counters: Counter[];
  /** Everyday words for the kiosk search; absent = none. */
  synonyms?: Synonym[];
  /**
   * Filled in by the hub: a hash of the catalogue as served, new whenever anything in it
   * changes. The snapshot names it (`HallSnapshot.catalogueVersion`) so pages keep their copy
   * and fetch `GET /api/hall` only when it changed; `PUT /api/catalogue` ignores it.
   */
  version?: string;
  /** Township / community desks that accept cases; the hall itself is always a site (id = hall.id). */
  sites?: Site[];
}
