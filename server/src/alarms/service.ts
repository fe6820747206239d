/**
 * Alarms and advice on the running hall (issue 13): the engine (alarms/engine.ts) fed with
 * the hall's queries. Alarms are evaluated after each batch of hall events (a new ticket, a
 * pause, a call) and once a second for what time alone changes (a pause growing long);
 * every raise, clear and acknowledgement goes out on this module's bus (alarms/socket.ts
 * sends it to the supervisors and the wall).
 *
 * Alarms are kept in memory: after a restart they are raised again from the hall's state
 * (a pause's start and a line's oldest arrival are in the journal), unacknowledged.
 */
import type { Advice, AdviceApplied, AdviceApply, Alarm, AlarmSnapshot } from "../contract/alarms.ts";
import type { Catalogue } from "../contract/catalogue.ts";
import type { LiveStats } from "../contract/stats.ts";
import type { Ticket } from "../contract/tickets.ts";
import { Bus } from "../hall/bus.ts";
import { HallError } from "../hall/errors.ts";
import type { HallEvents } from "../hall/events.ts";
import { type AlarmBook, type SeriesFigures, acknowledge, activeAlarms, advise, emptyBook, evaluate } from "./engine.ts";

/** Counters' series, before or after an applied advice. */
export interface ProfilesOf {
  counters: { id: string; profile: { queueIds: string[] } }[];
}

export type AlarmBusEvents = {
  /** An alarm was raised, acknowledged or cleared (`clearedAt`). */
  "alarm.changed": [alarm: Alarm];
};

/** What the alarms read of the hall (hall/service.ts's queries). */
export interface FloorHall {
  readonly bus: Bus<HallEvents>;
  catalogue(): Catalogue;
  liveStats(): LiveStats;
  tickets(): Iterable<Readonly<Ticket>>;
}

export interface AlarmServiceDeps {
  hall: FloorHall;
  /** Replaces the catalogue as `PUT /api/catalogue` does (hall/catalogue-admin.ts): validated, saved, swapped in live. */
  catalogue: { replace(input: unknown): Promise<Catalogue> };
  clock: () => number;
  log: (line: string) => void;
  /** How often time-based alarms are looked at (real time; default 1 s). */
  tickMs?: number;
}

const EVENT_DELAY_MS = 250;

export class AlarmService {
  readonly bus: Bus<AlarmBusEvents>;
  private book: AlarmBook = emptyBook();
  private timer: NodeJS.Timeout | undefined;
  private soon: NodeJS.Timeout | undefined;
  /** Advice applications, one at a time: each reads the catalogue the previous one saved. */
  private applying: Promise<unknown> = Promise.resolve();

  constructor(private readonly d: AlarmServiceDeps) {
    this.bus = new Bus<AlarmBusEvents>((event, err) => d.log(`alarms: listener of ${event} failed: ${(err as Error).message}`));
  }

  start(): void {
    const bus = this.d.hall.bus;
    // A busy hall publishes many batches a second: one evaluation per 250 ms after them at
    // most (the wall's own cadence), so the alarms add nothing measurable to a command.
    const later = () => {
      this.soon ??= setTimeout(() => {
        this.soon = undefined;
        this.evaluate();
      }, EVENT_DELAY_MS);
    };
    bus.on(this, "hall.events", later);
    bus.on(this, "catalogue.changed", later);
    bus.on(this, "hall.day", later);
    this.timer = setInterval(() => this.evaluate(), this.d.tickMs ?? 1000);
    this.timer.unref();
    this.evaluate();
  }

  stop(): void {
    this.d.hall.bus.off(this);
    clearInterval(this.timer);
    clearTimeout(this.soon);
  }

  /** Look at the hall now: raise and clear alarms. */
  evaluate(): void {
    let r: ReturnType<typeof evaluate>;
    try {
      const stats = this.d.hall.liveStats();
      r = evaluate(this.d.hall.catalogue(), this.book, { now: stats.at, queues: stats.queues, counters: stats.counters });
    } catch (err) {
      this.d.log(`alarms: ${(err as Error).stack ?? String(err)}`);
      return;
    }
    this.book = r.book;
    for (const a of r.changed) this.bus.emit("alarm.changed", a);
  }

  snapshot(): AlarmSnapshot {
    return { at: this.d.clock(), alarms: activeAlarms(this.book) };
  }

  /** The active alarm `id`, or UNKNOWN_ALARM (cleared meanwhile, or never raised). */
  alarm(id: string): Alarm {
    const a = activeAlarms(this.book).find((x) => x.id === id);
    if (!a) throw new HallError("UNKNOWN_ALARM", `no active alarm ${id}`);
    return a;
  }

  /** A supervisor has seen alarm `id` (it stays until its condition is over). */
  acknowledge(id: string, by: string): Alarm {
    const r = acknowledge(this.book, id, by, this.d.clock());
    if (!r) throw new HallError("UNKNOWN_ALARM", `no active alarm ${id}`);
    this.book = r.book;
    this.bus.emit("alarm.changed", r.alarm);
    return r.alarm;
  }

  /** Counters each series needs now, and which to move (see engine.ts `advise`). */
  advice(): Advice {
    const now = this.d.clock();
    const stats = this.d.hall.liveStats();
    const figures = new Map<string, SeriesFigures>();
    const of = (queueId: string): SeriesFigures => {
      let f = figures.get(queueId);
      if (!f) {
        f = { queueId, issued30: 0, issued60: 0, waiting: 0, served: 0, busySec: 0 };
        figures.set(queueId, f);
      }
      return f;
    };
    for (const q of stats.queues) of(q.queueId).waiting = q.waiting;
    for (const t of this.d.hall.tickets()) {
      const f = of(t.queueId);
      const age = now - t.issuedAt;
      if (age >= 0 && age < 3_600_000) {
        f.issued60++;
        if (age < 1_800_000) f.issued30++;
      }
      // What a counter spent on the ticket, from its call to its finish (or no-show).
      const end = t.status === "done" ? t.finishedAt : t.status === "no_show" ? t.noShowAt : undefined;
      if (end !== undefined && t.calledAt !== undefined && end >= t.calledAt) {
        f.served++;
        f.busySec += (end - t.calledAt) / 1000;
      }
    }
    const counters = stats.counters.map((c) => ({ counterId: c.counterId, status: c.status }));
    return advise(this.d.hall.catalogue(), { now, series: [...figures.values()], counters });
  }

  /**
   * Move the counters of one series' advice: each serves `queueId` from now (its weights
   * stay), in one catalogue change, so the queues re-route at once. Refused with
   * ADVICE_STALE when a counter's series are no longer what the advice saw.
   */
  apply(req: AdviceApply): Promise<{ applied: AdviceApplied; before: ProfilesOf; after: ProfilesOf }> {
    const run = this.applying.then(() => this.applyNow(req));
    this.applying = run.catch(() => undefined);
    return run;
  }

  private async applyNow(req: AdviceApply) {
    const cat = this.d.hall.catalogue();
    if (!cat.queues.some((q) => q.id === req.queueId)) throw new HallError("UNKNOWN_QUEUE", `no series ${req.queueId}`);
    const ids = new Set(req.moves.map((m) => m.counterId));
    if (ids.size !== req.moves.length) throw new HallError("VALIDATION_FAILED", "a counter is named twice");
    // Shaped like the catalogue, so the audit log's diff reads `counters[c07].profile.queueIds`.
    const before: ProfilesOf = { counters: [] };
    const after: ProfilesOf = { counters: [] };
    for (const m of req.moves) {
      const c = cat.counters.find((x) => x.id === m.counterId);
      if (!c) throw new HallError("UNKNOWN_COUNTER", `no counter ${m.counterId}`);
      const now = c.profile.queueIds;
      if (now.length !== m.from.length || now.some((q, i) => q !== m.from[i]))
        throw new HallError("ADVICE_STALE", `counter ${c.id} serves ${now.join(", ")} now; get the advice again`);
      before.counters.push({ id: c.id, profile: { queueIds: [...now] } });
      after.counters.push({ id: c.id, profile: { queueIds: [req.queueId] } });
    }
    const next: Catalogue = {
      ...cat,
      counters: cat.counters.map((c) => (ids.has(c.id) ? { ...c, profile: { ...c.profile, queueIds: [req.queueId] } } : c)),
    };
    const saved = await this.d.catalogue.replace(next);
    const counters = saved.counters.filter((c) => ids.has(c.id)).map((c) => ({ counterId: c.id, queueIds: c.profile.queueIds }));
    return { applied: { queueId: req.queueId, counters }, before, after };
  }
}
