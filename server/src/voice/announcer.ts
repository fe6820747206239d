import { mkdirSync, readdirSync, rmSync } from "node:fs";
import { access, mkdir, readdir, rm } from "node:fs/promises";
import { join } from "node:path";
import { callPlan, inventory, type SegmentPlan } from "../../../hardware/voice/segments.ts";
import type { VoiceLang } from "../../../hardware/voice/text.ts";
import { type Voice, writeFileAtomic } from "../../../hardware/voice/tts.ts";
import type { Catalogue } from "../contract/catalogue.ts";
import type { CallInfo } from "../contract/tickets.ts";

export interface AnnouncerOptions {
  /** DATA_DIR/voice: finished calls go to `calls/<day>/<key>.wav` below it. */
  dir: string;
  /** The hall's local day ("2026-12-02") now; calls are filed and pruned by it. */
  day: () => string;
  log: (line: string) => void;
  /** Languages whose segments are kept ready (default zh: the screens announce in Chinese). */
  languages?: readonly VoiceLang[];
}

interface Pending {
  day: string;
  /** Resolves with the file once the call's WAV is on disk. */
  file: Promise<string>;
}

/** Calls remembered in memory (key → day); older ones are found on disk. */
const REMEMBER = 2000;
const KEY_FILE = /^([0-9a-f]{32})\.wav$/;
const DAY_DIR = /^\d{4}-\d{2}-\d{2}$/;

/**
 * Call announcements for the screens. A call's audio URL is known at once (a key of its
 * words and the segments they are said with), so a call is broadcast without waiting for
 * audio. Right after the broadcast the WAV is assembled from segments in memory (no
 * process, well under a millisecond) and written to `calls/<day>/<key>.wav`, where it
 * stays across restarts: an old call's URL keeps answering with the same bytes. Today's
 * and yesterday's calls are kept; older days are deleted when the day turns.
 */
export class Announcer {
  private readonly pending = new Map<string, Pending>();
  private readonly callsDir: string;
  private readonly languages: readonly VoiceLang[];
  private lastDay: string;
  private pruning: Promise<void> = Promise.resolve();
  private readonly writes = new Set<Promise<unknown>>();

  constructor(
    private readonly voice: Voice,
    private readonly opts: AnnouncerOptions,
  ) {
    this.callsDir = join(opts.dir, "calls");
    this.languages = opts.languages ?? ["zh"];
    mkdirSync(this.callsDir, { recursive: true });
    removeLegacyClips(opts.dir);
    this.lastDay = opts.day();
    this.pruning = this.prune(this.lastDay);
  }

  get available(): boolean {
    return this.voice.available;
  }

  /**
   * Read the segments for the catalogue (its series letters) and the recordings folder;
   * segments still missing are rendered in the background. At start, and again after
   * every catalogue change.
   */
  async load(catalogue: Pick<Catalogue, "queues">): Promise<void> {
    const prefixes = catalogue.queues.map((q) => q.prefix);
    await this.voice.load(this.languages.flatMap((l) => inventory(l, prefixes)));
  }

  /** URL path of the announcement for a call, or undefined when the hub cannot say it. */
  urlFor(call: Pick<CallInfo, "number" | "counterNumber">, lang: VoiceLang = "zh"): string | undefined {
    const plan = callPlan(call.number, call.counterNumber, lang);
    if (!this.voice.canSay(plan)) return undefined;
    const key = this.voice.key(plan);
    const day = this.opts.day();
    // The same words said on another day are filed again under today, so pruning
    // yesterday's folder tomorrow never takes a call that is still today's.
    if (this.pending.get(key)?.day !== day) {
      if (day !== this.lastDay) {
        this.lastDay = day;
        this.pruning = this.pruning.then(() => this.prune(day));
      }
      const file = this.produce(key, plan, day);
      this.pending.delete(key);
      this.pending.set(key, { day, file });
      if (this.pending.size > REMEMBER) this.pending.delete(this.pending.keys().next().value as string);
    }
    return `/api/voice/${key}.wav`;
  }

  /** The WAV file for a name handed out by `urlFor` (today's, yesterday's, or before a restart), or the chime. */
  async file(name: string): Promise<string | undefined> {
    if (name === "chime.wav") return this.voice.chime();
    const key = KEY_FILE.exec(name)?.[1];
    if (!key) return undefined;
    const today = this.opts.day();
    const p = this.pending.get(key);
    // A remembered call of a day already pruned is gone like any other.
    if (p && (p.day === today || p.day === previousDay(today))) return p.file;
    for (const day of [today, previousDay(today)]) {
      const f = join(this.callsDir, day, `${key}.wav`);
      if (await exists(f)) return f;
    }
    return undefined;
  }

  /** Waits for the calls being written (so a restart right after finds them). */
  async close(): Promise<void> {
    await Promise.allSettled([...this.writes, this.pruning]);
  }

  /**
   * Assemble right after the broadcast (setImmediate: the call goes out first), then write.
   * Segments still being rendered (first start, a new series letter) are waited for.
   */
  private produce(key: string, plan: SegmentPlan, day: string): Promise<string> {
    const dir = join(this.callsDir, day);
    const file = join(dir, `${key}.wav`);
    const job = new Promise<void>((r) => setImmediate(r))
      .then(async () => {
        // Said before (a recall, or the same number at the same counter before a restart).
        if (await exists(file)) return file;
        let wav = this.voice.parts(plan);
        if (!wav) {
          await this.voice.ready(plan);
          wav = this.voice.parts(plan);
          if (!wav) throw new Error("segments missing after rendering");
        }
        await mkdir(dir, { recursive: true });
        await writeFileAtomic(file, wav);
        return file;
      })
      .catch((err: Error) => {
        // Forget it (unless said again meanwhile), so the next call of these words retries.
        if (this.pending.get(key)?.day === day) this.pending.delete(key);
        this.opts.log(`voice: call audio ${key} not made: ${err.message}`);
        throw err;
      });
    const tracked = job.catch(() => {});
    this.writes.add(tracked);
    void tracked.then(() => this.writes.delete(tracked));
    return job;
  }

  /** Keep today's and yesterday's calls; delete older day folders. */
  private async prune(today: string): Promise<void> {
    const keep = new Set([today, previousDay(today)]);
    let names: string[];
    try {
      names = await readdir(this.callsDir);
    } catch {
      return;
    }
    for (const n of names) {
      if (DAY_DIR.test(n) && !keep.has(n) && n < today) {
        await rm(join(this.callsDir, n), { recursive: true, force: true }).catch((e: Error) =>
          this.opts.log(`voice: cannot prune old calls ${n}: ${e.message}`),
        );
      }
    }
  }
}

/** "2026-12-02" → "2026-12-01" (calendar arithmetic; the hall's zone has no daylight saving). */
export function previousDay(day: string): string {
  return new Date(Date.parse(`${day}T00:00:00Z`) - 86_400_000).toISOString().slice(0, 10);
}

async function exists(f: string): Promise<boolean> {
  try {
    await access(f);
    return true;
  } catch {
    return false;
  }
}

/** Per-sentence clips of the espeak-per-call voice (DATA_DIR/voice/<32 hex>.wav): no URL names them any more. */
function removeLegacyClips(dir: string): void {
  try {
    for (const f of readdirSync(dir)) if (KEY_FILE.test(f)) rmSync(join(dir, f), { force: true });
  } catch {
    // no folder yet
  }
}
