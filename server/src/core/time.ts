import type { Instant } from "../contract/tickets.ts";

/**
 * Local calendar facts in the hall's time zone. Intl is part of the language, not an I/O
 * port, so the core may use it; formatters are cached because building one costs ~50 µs.
 */
const formatters = new Map<string, Intl.DateTimeFormat>();

function formatter(timeZone: string): Intl.DateTimeFormat {
  let f = formatters.get(timeZone);
  if (!f) {
    f = new Intl.DateTimeFormat("en-CA", {
      timeZone,
      year: "numeric",
      month: "2-digit",
      day: "2-digit",
      hour: "2-digit",
      minute: "2-digit",
      hourCycle: "h23",
    });
    formatters.set(timeZone, f);
  }
  return f;
}

export interface LocalParts {
  /** YYYY-MM-DD */
  day: string;
  hour: number;
  minute: number;
}

function partsFromIntl(now: Instant, timeZone: string): LocalParts & { year: number; month: number; date: number } {
  let y = "";
  let mo = "";
  let d = "";
  let h = 0;
  let mi = 0;
  for (const p of formatter(timeZone).formatToParts(now)) {
    if (p.type === "year") y = p.value;
    else if (p.type === "month") mo = p.value;
    else if (p.type === "day") d = p.value;
    else if (p.type === "hour") h = Number(p.value);
    else if (p.type === "minute") mi = Number(p.value);
  }
  return { day: `${y}-${mo}-${d}`, hour: h, minute: mi, year: Number(y), month: Number(mo), date: Number(d) };
}

/** Zone offsets only change on quarter hours: one Intl call per zone per quarter hour. */
const QUARTER_MS = 15 * 60_000;
const offsets = new Map<string, { quarter: number; offsetMs: number }>();

function offsetMs(now: Instant, timeZone: string): number {
  const quarter = Math.floor(now / QUARTER_MS);
  const cached = offsets.get(timeZone);
  if (cached && cached.quarter === quarter) return cached.offsetMs;
  const start = quarter * QUARTER_MS;
  const p = partsFromIntl(start, timeZone);
  const wall = Date.UTC(p.year, p.month - 1, p.date, p.hour, p.minute);
  const off = wall - (start - (start % 60_000));
  offsets.set(timeZone, { quarter, offsetMs: off });
  return off;
}

const pad = (n: number) => (n < 10 ? `0${n}` : String(n));

/**
 * Local date, hour and minute of an instant. Replaying a day calls this for every event,
 * so the zone offset is cached per quarter hour and the rest is arithmetic.
 */
export function localParts(now: Instant, timeZone: string): LocalParts {
  const d = new Date(now + offsetMs(now, timeZone));
  return {
    day: `${d.getUTCFullYear()}-${pad(d.getUTCMonth() + 1)}-${pad(d.getUTCDate())}`,
    hour: d.getUTCHours(),
    minute: d.getUTCMinutes(),
  };
}

/** Local hour (0–23) of an instant: the statistics' hour buckets, on every event. */
export function localHour(now: Instant, timeZone: string): number {
  return Math.floor(((((now + offsetMs(now, timeZone)) % 86_400_000) + 86_400_000) % 86_400_000) / 3_600_000);
}

/** The hall's local date of an instant: numbering resets when this changes. */
export function localDay(now: Instant, timeZone: string): string {
  return localParts(now, timeZone).day;
}

/** "HH:MM" → minutes after local midnight. */
export function minutesOf(hhmm: string): number {
  const [h, m] = hhmm.split(":");
  return Number(h) * 60 + Number(m);
}

/** Is a local time inside any of the windows? `to` is inclusive to the minute. */
export function withinWindows(parts: LocalParts, windows: readonly { from: string; to: string }[]): boolean {
  if (windows.length === 0) return true;
  const m = parts.hour * 60 + parts.minute;
  return windows.some((w) => m >= minutesOf(w.from) && m <= minutesOf(w.to));
}
