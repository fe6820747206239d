import { EventEmitter } from "node:events";
import { mkdirSync } from "node:fs";
import { access, readFile, readdir } from "node:fs/promises";
import { join } from "node:path";
import type { Catalogue } from "../contract/catalogue.ts";
import type { ErrorCode } from "../contract/errors.ts";
import type { DaySummary } from "../contract/stats.ts";
import {
  type Command,
  type HallEvent,
  type HallState,
  applyAll,
  daySummary,
  events as decideEvents,
  initialState,
  localDay,
  withCatalogue,
} from "../core/index.ts";
import { writeFileDurable } from "../store/durable-file.ts";
import { Journal, type JournalObserver, journalDays, readJournal } from "../store/journal.ts";

export type RunResult = { ok: true; events: HallEvent[] } | { ok: false; error: ErrorCode; message: string };

export interface HallServiceOptions {
  dataDir: string;
  catalogue: Catalogue;
  clock: () => number;
  log: (line: string) => void;
  /** Timing hook for the journal (the hub's /metrics). */
  journalObserver?: JournalObserver;
}

/**
 * The running hall: today's engine state, its journal, and the turn of the day.
 * Commands go through `run`: the engine decides, the events are folded, the journal makes
 * them durable (fsync), and only then is the caller answered and `events` emitted — so
 * nothing is broadcast or acknowledged that a crash could take back.
 */
export class HallService extends EventEmitter<{
  events: [HallEvent[], HallState];
  day: [string];
  /** The journal could not be written: memory is ahead of the disk, the hub must restart. */
  failed: [Error];
}> {
  private journal: Journal;
  private timer: NodeJS.Timeout | undefined;
  private readonly journalDir: string;
  private readonly summaryDir: string;
  private background: Promise<void> = Promise.resolve();
  /** Set when the journal could not be written: the hall refuses every command from then on. */
  private failed: Error | undefined;
  /** The day the clock last read while it was behind the hall's day (logged once per episode). */
  private behind: string | undefined;
  /** Latest instant given to the engine: event times never go backwards with the clock. */
  private lastAt = 0;

  private constructor(
    private readonly opts: HallServiceOptions,
    public state: HallState,
  ) {
    super();
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
      this.emit("failed", this.failed);
      throw this.failed;
    }
    this.emit("events", r, this.state);
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
    this.journal = new Journal(this.journalDir, day, this.opts.journalObserver);
    this.opts.log(`new day ${day}: numbering starts again`);
    const summarised = oldJournal
      .close()
      .then(() => this.writeSummary(daySummary(old)))
      .catch((err) => this.opts.log(`summary of ${old.day} failed: ${(err as Error).message}`));
    // close() waits for it, so a stop right after midnight does not cut the summary short.
    this.background = Promise.all([this.background, summarised]).then(() => {});
    this.emit("day", day);
    return true;
  }

  setCatalogue(c: Catalogue): void {
    withCatalogue(this.state, c);
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
