import { mkdirSync } from "node:fs";
import { access, readFile, readdir } from "node:fs/promises";
import { join } from "node:path";
import { servedCatalogue } from "../catalogue/version.ts";
import type { Catalogue, Counter, Matter } from "../contract/catalogue.ts";
import type { DeviceStatus } from "../contract/devices.ts";
import type { ErrorCode } from "../contract/errors.ts";
import type { HallSnapshot } from "../contract/events.ts";
import type { DaySummary, LiveStats } from "../contract/stats.ts";
import type { CallInfo, CounterState, PublicTicket, Ticket } from "../contract/tickets.ts";
import {
  type Command,
  type HallEvent,
  type HallState,
  applyAll,
  callInfo,
  daySummary,
  events as decideEvents,
  initialState,
  liveStats,
  localDay,
  publicTicket,
  withCatalogue,
} from "../core/index.ts";
import { writeFileDurable } from "../store/durable-file.ts";
import { Journal, type JournalObserver, journalDays, readJournal } from "../store/journal.ts";
import { Bus } from "./bus.ts";
import type { HallEvents } from "./events.ts";
import { type ArrivalProfile, useArrivalProfile } from "../core/estimate.ts";
import { estimatedWaitSec } from "../core/views.ts";
import { buildSnapshot } from "./snapshot.ts";

export type RunResult = { ok: true; events: HallEvent[] } | { ok: false; error: ErrorCode; message: string };

export interface HallServiceOptions {
  dataDir: string;
  catalogue: Catalogue;
  clock: () => number;
  log: (line: string) => void;
  /** Where the hall publishes what happened (default: a bus of its own, listener errors logged). */
  bus?: Bus<HallEvents>;
  /** Timing hook for the journal (the hub's /metrics). */
  journalObserver?: JournalObserver;
}

/**
 * The running hall: today's engine state, its journal, and the turn of the day.
 * Commands go through `run`: the engine decides, the events are folded, the journal makes
 * them durable (fsync), and only then is the caller answered and `hall.events` published
 * on the bus — so nothing is broadcast or acknowledged that a crash could take back.
 *
 * Adapters learn about the hall from the bus and from the query methods below; the engine
 * state itself stays inside hall/ (`engineState()`, checked by test/server/layers.test.ts).
 */
export class HallService {
  /** What happened, after it is durable (see hall/events.ts). */
  readonly bus: Bus<HallEvents>;
  private journal: Journal;
  private timer: NodeJS.Timeout | undefined;
  private readonly journalDir: string;
  private readonly summaryDir: string;
  private background: Promise<void> = Promise.resolve();
  /** Set when the journal could not be written: the hall refuses every command from then on. */
  private failed: Error | undefined;
  /** The day the clock last read while it was behind the hall's day (logged once per episode). */
  private behind: string | undefined;
  /** The visitors the hall expects over a day (see {@link expectArrivals}); kept across days. */
  private arrivals: ArrivalProfile | undefined;
  /** Latest instant given to the engine: event times never go backwards with the clock. */
  private lastAt = 0;
  /** The catalogue as pages get it (initials for the kiosk's search), rebuilt when it changes;
   * made on first use, so opening the hall (replays, tests, the replay bench) pays no pinyin. */
  private pageCatalogue: Catalogue | undefined;

  private constructor(
    private readonly opts: HallServiceOptions,
    private state: HallState,
  ) {
    this.bus =
      opts.bus ?? new Bus<HallEvents>((event, err) => opts.log(`${event} listener: ${(err as Error).stack ?? String(err)}`));
    this.journalDir = join(opts.dataDir, "journal");
    this.summaryDir = join(opts.dataDir, "summaries");
    this.journal = new Journal(this.journalDir, state.day, opts.journalObserver);
  }

  /** Replay today's journal exactly; summarise earlier days that have no summary yet. */
  static async open(opts: HallServiceOptions): Promise<HallService> {
    const journalDir = join(opts.dataDir, "journal");
    mkdirSync(journalDir, { recursive: true });
    mkdirSync(join(opts.dataDir, "summaries"), { recursive: true });
    const today = await heldDay(opts, journalDir, join(opts.dataDir, "summaries"));
    const replay = await readJournal(journalDir, today);
    if (replay.droppedTail)
      opts.log(
        `journal ${today}: dropped a torn last write of ${replay.droppedTail.bytes} bytes (never acknowledged): ${JSON.stringify(replay.droppedTail.text)}`,
      );
    const state = applyAll(initialState(opts.catalogue, today), replay.events);
    const svc = new HallService(opts, state);
    svc.lastAt = replay.events.at(-1)?.at ?? 0;
    if (replay.events.length) opts.log(`journal ${today}: replayed ${replay.events.length} events`);
    await svc.summariseClosedDays();
    // Turn the day even when nobody issues anything, so screens show the new day at midnight.
    svc.timer = setInterval(() => void svc.rotateIfNeeded(), 15_000);
    svc.timer.unref();
    return svc;
  }

  get day(): string {
    return this.state.day;
  }

  /**
   * Run one command. Resolves after its events are on disk; rejects only if the disk
   * fails, in which case the hub must stop (memory is ahead of the journal).
   */
  async run(cmd: Command): Promise<RunResult> {
    // Memory is ahead of the journal after a failed append: deciding on it would journal
    // events that depend on lost ones (a call of a ticket whose issue is not on disk).
    if (this.failed) throw this.failed;
    // A clock stepped back (NTP, a badly set BIOS clock) must not make events older than
    // the ones already journalled: the hall's time stands still until the clock catches up.
    const clockNow = this.opts.clock();
    this.rotateIfNeeded(clockNow);
    const now = Math.max(clockNow, this.lastAt);
    this.lastAt = now;
    const r = decideEvents(this.state, cmd, now);
    if (!Array.isArray(r)) return { ok: false, error: r.error, message: r.message };
    if (r.length === 0) return { ok: true, events: [] };
    const durable = this.journal.append(r);
    applyAll(this.state, r);
    try {
      await durable;
    } catch (err) {
      this.failed ??= new Error(`journal ${this.state.day} failed, restart the hub: ${(err as Error).message}`);
      this.opts.log(this.failed.message);
      this.bus.emit("hall.failed", this.failed);
      throw this.failed;
    }
    this.bus.emit("hall.events", r);
    return { ok: true, events: r };
  }

  /** Start a new day when the hall's local date has changed. Returns whether it did. */
  rotateIfNeeded(now = this.opts.clock()): boolean {
    const day = localDay(now, this.state.catalogue.hall.timeZone);
    if (day === this.state.day) {
      if (this.behind) this.opts.log(`clock: back on ${day}; the hall runs normally again`);
      this.behind = undefined;
      return false;
    }
    if (day < this.state.day) {
      // The clock stepped back across midnight. Going back would reopen a closed day with
      // an empty state: numbers it already gave out issued again, its summary overwritten.
      // Hold today until the clock passes it again.
      if (this.behind === undefined)
        this.opts.log(
          `clock: it reads ${day}, before the hall's day ${this.state.day} (stepped back?); holding ${this.state.day} until the clock passes it again`,
        );
      this.behind = day;
      return false;
    }
    if (this.behind) this.opts.log(`clock: passed ${this.state.day} again`);
    this.behind = undefined;
    const old = this.state;
    const oldJournal = this.journal;
    this.state = initialState(old.catalogue, day);
    if (this.arrivals) useArrivalProfile(this.state, this.arrivals);
    this.journal = new Journal(this.journalDir, day, this.opts.journalObserver);
    this.opts.log(`new day ${day}: numbering starts again`);
    const summarised = oldJournal
      .close()
      .then(() => this.writeSummary(daySummary(old)))
      .catch((err) => this.opts.log(`summary of ${old.day} failed: ${(err as Error).message}`));
    // close() waits for it, so a stop right after midnight does not cut the summary short.
    this.background = Promise.all([this.background, summarised]).then(() => {});
    this.bus.emit("hall.day", day, old.day);
    return true;
  }

  /** Swap in a catalogue that is already saved; publishes `catalogue.changed`. */
  setCatalogue(c: Catalogue): void {
    withCatalogue(this.state, c);
    this.pageCatalogue = servedCatalogue(c);
    this.bus.emit("catalogue.changed", this.pageCatalogue);
  }

  /**
   * Today's engine state, for hall/ itself (the issuing desk, counter actions, the
   * catalogue admin) and the engine. Adapters use the queries below instead; the layering
   * test fails when anything outside hall/ and core/ calls this. Replaced at local midnight: never keep it.
   */
  engineState(): HallState {
    return this.state;
  }

  /**
   * The visitors per series the hall expects over its day, learned from its past days
   * (simulation/live-profile.ts): wait estimates then see the morning rush and the lunch lull
   * coming instead of assuming the last hour's pace goes on (measured on the reference days:
   * MAE 23.7 → 22.6 % of the mean wait, docs/simulation.md). Undefined: the last hour's pace.
   */
  expectArrivals(profile: ArrivalProfile | undefined): void {
    this.arrivals = profile;
    useArrivalProfile(this.state, profile);
  }

  /** Whether estimates currently expect a learned arrival profile. */
  get expectsArrivals(): boolean {
    return this.arrivals !== undefined;
  }

  // ---- queries: what adapters may know about the hall -------------------------------------

  /** Events journalled today. */
  get eventCount(): number {
    return this.state.eventCount;
  }

  /** The catalogue in force (as saved). */
  catalogue(): Catalogue {
    return this.state.catalogue;
  }

  /** The catalogue as pages get it: with the initials the kiosk's search uses. */
  clientCatalogue(): Catalogue {
    this.pageCatalogue ??= servedCatalogue(this.state.catalogue);
    return this.pageCatalogue;
  }

  /** Today's ticket by id (the live record: read it, never change it). */
  ticket(id: string): Readonly<Ticket> | undefined {
    return this.state.tickets.get(id);
  }

  /** Every ticket of today, in issue order. */
  tickets(): IterableIterator<Readonly<Ticket>> {
    return this.state.tickets.values();
  }

  /** A ticket as anyone may see it: position and estimated wait included, personal data left out. */
  publicTicket(id: string): PublicTicket | undefined {
    const t = this.state.tickets.get(id);
    return t ? publicTicket(this.state, t) : undefined;
  }

  /** The call screens' entry for the ticket's current call, while it is called. */
  currentCall(ticketId: string): CallInfo | undefined {
    const t = this.state.tickets.get(ticketId);
    if (t?.status !== "called") return undefined;
    return this.state.recentCalls.find((c) => c.ticketId === ticketId);
  }

  /** A call as screens show it, built from the event rather than looked up (see realtime/). */
  callInfo(ticketId: string, number: string, counterId: string, at: number, recall: number): CallInfo {
    return callInfo(this.state, ticketId, number, counterId, at, recall);
  }

  /** A counter's live state (who holds it, what it calls), as its screens show it. */
  counterState(counterId: string): Readonly<CounterState> | undefined {
    return this.state.counters.get(counterId)?.view;
  }

  /** A counter of the catalogue (number, name, zone, work profile). */
  counter(counterId: string): Counter | undefined {
    return this.state.index.counters.get(counterId);
  }

  /** The number shown above a counter. */
  counterNumber(counterId: string): number | undefined {
    return this.state.index.counters.get(counterId)?.number;
  }

  /** A matter of the catalogue. */
  matter(matterId: string): Matter | undefined {
    return this.state.index.matters.get(matterId);
  }

  /** The ticket most recently parked at a counter: what its keypad's call-back key calls. */
  lastParked(counterId: string): string | undefined {
    let best: { id: string; at: number } | undefined;
    for (const t of this.state.tickets.values()) {
      if (t.status === "parked" && t.counterId === counterId && (!best || (t.parkedAt ?? 0) > best.at))
        best = { id: t.id, at: t.parkedAt ?? 0 };
    }
    return best?.id;
  }

  /** Whether a booking code was used for a ticket today (the journal says so, not the booking list). */
  bookingUsed(code: string): boolean {
    return this.state.bookingsUsed.has(code);
  }

  /**
   * Per series, now: how many wait, what a newcomer would wait (the estimate tickets show), and
   * how many open counters serve it — the self-service terminals' "hall now" (查询).
   */
  queueOutlook(): { queueId: string; waiting: number; estimatedWaitSec: number; openCounters: number }[] {
    const state = this.state;
    const waiting = new Map<string, number>();
    for (const t of state.tickets.values()) if (t.status === "waiting") waiting.set(t.queueId, (waiting.get(t.queueId) ?? 0) + 1);
    return state.catalogue.queues.map((q) => {
      const n = waiting.get(q.id) ?? 0;
      // A newcomer: a waiting ticket of that series with everyone now waiting ahead.
      const probe = { status: "waiting", queueId: q.id } as Ticket;
      const openCounters = state.catalogue.counters.filter((c) => {
        const v = state.counters.get(c.id)?.view;
        return v && v.status !== "closed" && v.status !== "paused" && c.profile.queueIds.includes(q.id);
      }).length;
      return { queueId: q.id, waiting: n, estimatedWaitSec: estimatedWaitSec(state, probe, n), openCounters };
    });
  }

  /** Today's live figures; `offline`: counters whose window display or keypad is down. */
  liveStats(offline: ReadonlySet<string> = new Set()): LiveStats {
    return liveStats(this.state, this.opts.clock(), offline);
  }

  /** The full picture a page gets when it subscribes; devices and voice are the adapters' part. */
  snapshot(inputs: { devices: DeviceStatus[]; voice: boolean; offline: ReadonlySet<string> }): HallSnapshot {
    return buildSnapshot(
      this.state,
      this.clientCatalogue().version ?? "",
      inputs.devices,
      inputs.voice,
      this.opts.clock(),
      inputs.offline,
    );
  }

  private async writeSummary(s: DaySummary): Promise<void> {
    const file = join(this.summaryDir, `${s.day}.json`);
    // A day is summarised once, when it closes; a second summary could only come from a
    // day reopened by a wrong clock, and must not replace the real one.
    if (
      await access(file).then(
        () => true,
        () => false,
      )
    ) {
      this.opts.log(`summary of ${s.day} exists already; kept as it is`);
      return;
    }
    await writeFileDurable(file, JSON.stringify(s));
  }

  private async summariseClosedDays(): Promise<void> {
    // Only finished summaries count: a crash inside writeFileDurable leaves a `.tmp` behind.
    const have = new Set((await readdir(this.summaryDir)).filter((f) => f.endsWith(".json")).map((f) => f.slice(0, 10)));
    for (const day of await journalDays(this.journalDir)) {
      if (day >= this.state.day || have.has(day)) continue;
      const r = await readJournal(this.journalDir, day);
      const s = applyAll(initialState(this.state.catalogue, day), r.events);
      await this.writeSummary(daySummary(s));
      this.opts.log(`summarised ${day}: ${s.agg.issued} tickets`);
    }
  }

  /** Summaries of closed days between two local dates (inclusive), oldest first. */
  async summaries(from = "0000-00-00", to = "9999-99-99"): Promise<DaySummary[]> {
    const out: DaySummary[] = [];
    for (const f of (await readdir(this.summaryDir)).sort()) {
      const day = f.slice(0, 10);
      if (!f.endsWith(".json") || day < from || day > to) continue;
      out.push(JSON.parse(await readFile(join(this.summaryDir, f), "utf8")) as DaySummary);
    }
    return out;
  }

  async close(): Promise<void> {
    if (this.timer) clearInterval(this.timer);
    await this.journal.close();
    await this.background;
  }
}

/** The local date after `day` ("2025-03-10" → "2025-03-11"). */
function nextDay(day: string): string {
  const [y, m, d] = day.split("-").map(Number) as [number, number, number];
  return new Date(Date.UTC(y, m - 1, d + 1)).toISOString().slice(0, 10);
}

/**
 * The day to open: today by the clock, unless the data shows the hall was already past
 * it (a later journal, or a summary of today or later, written only when a day closes) —
 * then the clock is behind, and the hall holds the latest day it reached.
 */
async function heldDay(opts: HallServiceOptions, journalDir: string, summaryDir: string): Promise<string> {
  const today = localDay(opts.clock(), opts.catalogue.hall.timeZone);
  let day = today;
  const lastJournal = (await journalDays(journalDir)).at(-1);
  if (lastJournal && lastJournal > day) day = lastJournal;
  const summarised = (await readdir(summaryDir))
    .filter((f) => /^\d{4}-\d{2}-\d{2}\.json$/.test(f))
    .map((f) => f.slice(0, 10))
    .sort()
    .at(-1);
  if (summarised && summarised >= day) day = nextDay(summarised);
  if (day !== today)
    opts.log(
      `clock: it reads ${today}, but the hall already reached ${day} (clock stepped back?); holding ${day} until the clock passes it`,
    );
  return day;
}
