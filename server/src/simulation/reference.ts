/**
 * Reference days: a hall's catalogue turned into a plausible busy day — arrivals shaped like
 * a county hall's (a morning peak, a lunch dip, a smaller afternoon peak), load set as a
 * share of what the counters can serve, staggered lunch breaks, a tea break each, green
 * channel and appointment visitors, no-shows who sometimes come back. The estimator's
 * accuracy target is measured on these days, and the planner starts from one.
 */
import type { Catalogue, Counter, IssuingWindow } from "../contract/catalogue.ts";
import type { Behaviour, Scenario, ServiceTime, Shift } from "./scenario.ts";
import { hhmm, minutes } from "./scenario.ts";

/** Relative arrival rate per hour from 08:00 to 17:00 (index 0 = 08:00–09:00). */
export const HOURLY_SHAPE = [0.7, 1.3, 1.45, 1.1, 0.5, 0.75, 1.25, 1.05, 0.6];

export const REFERENCE_BEHAVIOUR: Behaviour = {
  noShow: 0.06,
  walkSec: 30,
  recallEverySec: 30,
  recalls: 2,
  returnShare: 0.3,
  returnAfterSec: 600,
};

export interface ReferenceOptions {
  day: string;
  seed: number;
  /** Average share of the counters' capacity the day's visitors need (0.8 = busy). */
  load: number;
  /** Counters open (shift) and tickets issued, "HH:MM". */
  open?: string;
  close?: string;
  issueFrom?: string;
  issueTo?: string;
  priority?: { green: number; appointment: number };
  /** Lunch length in minutes (a third of the counters each at 11:30, 12:30 and 13:30), for counters without a configured break plan. */
  lunchMin?: number;
  behaviour?: Behaviour;
  /** Service time spread (coefficient of variation). */
  cv?: number;
}

/** Deterministic per-matter factor in [0.6, 1.4]: matters of one series differ in length. */
function matterFactor(id: string): number {
  let h = 2166136261;
  for (let i = 0; i < id.length; i++) h = Math.imul(h ^ id.charCodeAt(i), 16777619) >>> 0;
  return 0.6 + ((h % 1000) / 1000) * 0.8;
}

/** Per matter: the series' configured time, scaled by the matter's own factor. */
export function serviceTimes(cat: Catalogue, cv: number): Record<string, ServiceTime> {
  const out: Record<string, ServiceTime> = {};
  const qs = new Map(cat.queues.map((q) => [q.id, q]));
  for (const m of cat.matters) {
    const base = qs.get(m.queueId)?.defaultServiceSec ?? 300;
    out[m.id] = { meanSec: Math.round(base * matterFactor(m.id)), cv };
  }
  return out;
}

/** Mean service seconds per queue given the per-matter times (equal matter shares). */
export function meanServiceByQueue(cat: Catalogue, service: Record<string, ServiceTime>): Map<string, number> {
  const sum = new Map<string, { s: number; n: number }>();
  for (const m of cat.matters) {
    const e = sum.get(m.queueId) ?? { s: 0, n: 0 };
    e.s += service[m.id]?.meanSec ?? 300;
    e.n++;
    sum.set(m.queueId, e);
  }
  const out = new Map<string, number>();
  for (const q of cat.queues) {
    const e = sum.get(q.id);
    out.set(q.id, e?.n ? e.s / e.n : q.defaultServiceSec);
  }
  return out;
}

/**
 * Visitors per hour each queue can be served at, if every counter splits its time evenly
 * among the queues it serves.
 */
export function hourlyCapacity(
  counters: readonly Counter[],
  svc: Map<string, number>,
  open: ReadonlySet<string>,
): Map<string, number> {
  const cap = new Map<string, number>();
  for (const c of counters) {
    if (!open.has(c.id)) continue;
    const n = c.profile.queueIds.length;
    for (const q of c.profile.queueIds) cap.set(q, (cap.get(q) ?? 0) + 3600 / (svc.get(q) ?? 300) / n);
  }
  return cap;
}

/**
 * The reference break rota (错峰午休): lunch in three groups at 11:30, 12:30 and 13:30, so two
 * thirds of the windows stay open through lunch, and a 15-minute tea break each, staggered.
 * Written into the catalogue (`Counter.breaks`), where the wait estimate reads it; a counter
 * whose hall configured its own breaks keeps them.
 */
export function withBreakRota(counters: readonly Counter[], lunchMin: number): Counter[] {
  return counters.map((c, i) => {
    if (c.breaks?.length) return c;
    const lunchFrom = minutes("11:30") + (i % 3) * 60;
    const teaFrom = minutes("15:00") + (i % 4) * 15;
    return {
      ...c,
      breaks: [
        ...(lunchMin > 0 ? [{ from: hhmm(lunchFrom), to: hhmm(lunchFrom + lunchMin) }] : []),
        { from: hhmm(teaFrom), to: hhmm(teaFrom + 15) },
      ],
    };
  });
}

/**
 * The counters with their lunch (each one's longest break of 30 minutes or more) lasting
 * `lunchMin` from its start instead: the planner's "a longer lunch break".
 */
export function withLunch(counters: readonly Counter[], lunchMin: number): Counter[] {
  return counters.map((c) => {
    const bs = c.breaks ?? [];
    const len = (b: IssuingWindow) => minutes(b.to) - minutes(b.from);
    let longest = -1;
    bs.forEach((b, i) => {
      if (len(b) >= 30 && (longest < 0 || len(b) > len(bs[longest] as IssuingWindow))) longest = i;
    });
    if (longest < 0) return c;
    const breaks = bs
      .map((b, i) => (i === longest ? { from: b.from, to: hhmm(Math.min(minutes("23:59"), minutes(b.from) + lunchMin)) } : b))
      .filter((b) => minutes(b.to) > minutes(b.from));
    return { ...c, breaks };
  });
}

/** The day's shifts: everyone from open to close, pausing for the breaks their counter's plan names. */
export function referenceShifts(counters: readonly Counter[], open: number, close: number): Shift[] {
  return counters.map((c) => ({
    counterId: c.id,
    from: open,
    to: close,
    breaks: (c.breaks ?? []).map((b) => [minutes(b.from), minutes(b.to)] as [number, number]),
  }));
}

/** The arrival profile per quarter hour from `issueFrom`, shaped by HOURLY_SHAPE. */
export function arrivalProfile(
  cat: Catalogue,
  capacity: Map<string, number>,
  load: number,
  issueFrom: number,
  issueTo: number,
): Record<string, number[]> {
  const quarters = Math.ceil((issueTo - issueFrom) / 15);
  const shape: number[] = [];
  for (let i = 0; i < quarters; i++) {
    const h = Math.floor((issueFrom + i * 15) / 60) - 8;
    shape.push(HOURLY_SHAPE[Math.max(0, Math.min(HOURLY_SHAPE.length - 1, h))] as number);
  }
  const mean = shape.reduce((a, b) => a + b, 0) / (shape.length || 1);
  const out: Record<string, number[]> = {};
  for (const q of cat.queues) {
    const perQuarter = ((capacity.get(q.id) ?? 0) / 4) * load;
    out[q.id] = shape.map((s) => (perQuarter * s) / mean);
  }
  return out;
}

/** A catalogue whose queues issue only within the day's issuing hours (the demo issues all day). */
export function withIssuingHours(cat: Catalogue, from: string, to: string): Catalogue {
  return { ...cat, queues: cat.queues.map((q) => ({ ...q, hours: [{ from, to }] })) };
}

export function referenceScenario(catalogue: Catalogue, o: ReferenceOptions): Scenario {
  const open = minutes(o.open ?? "08:30");
  const close = minutes(o.close ?? "17:00");
  const issueFrom = minutes(o.issueFrom ?? "08:30");
  const issueTo = minutes(o.issueTo ?? "16:30");
  const hours = withIssuingHours(catalogue, o.issueFrom ?? "08:30", o.issueTo ?? "16:30");
  const cat: Catalogue = { ...hours, counters: withBreakRota(hours.counters, o.lunchMin ?? 60) };
  const cv = o.cv ?? 0.6;
  const service = serviceTimes(cat, cv);
  const svc = meanServiceByQueue(cat, service);
  const capacity = hourlyCapacity(cat.counters, svc, new Set(cat.counters.map((c) => c.id)));
  return {
    catalogue: cat,
    day: o.day,
    seed: o.seed,
    arrivalsFrom: issueFrom,
    bucketMin: 15,
    arrivals: arrivalProfile(cat, capacity, o.load, issueFrom, issueTo),
    service,
    defaultCv: cv,
    priority: o.priority ?? { green: 0.05, appointment: 0.15 },
    behaviour: o.behaviour ?? REFERENCE_BEHAVIOUR,
    shifts: referenceShifts(cat.counters, open, close),
    estimates: true,
  };
}

/**
 * The hall grown to `n` counters by repeating its counters' profiles (the reference hall has
 * 150): window numbers and ids continue after the last one.
 */
export function scaledCatalogue(cat: Catalogue, n: number): Catalogue {
  const base = cat.counters;
  const counters: Counter[] = [];
  for (let i = 0; i < n; i++) {
    const src = base[i % base.length] as Counter;
    if (i < base.length) counters.push(src);
    else {
      const number = i + 1;
      counters.push({
        ...src,
        id: `c${String(number).padStart(3, "0")}`,
        number,
        name: `${number}号窗口`,
        nameEn: `Window ${number}`,
        profile: { queueIds: [...src.profile.queueIds], weights: { ...src.profile.weights } },
      });
    }
  }
  return { ...cat, counters };
}
