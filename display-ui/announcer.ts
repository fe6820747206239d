/**
 * The call screen's announcement queue: one announcement at a time (chime, then the hub's
 * synthesised WAV, or the browser's speech synthesis when the hub has no TTS), each said
 * `repeat` times as halls do, never two at once, in the order the calls arrived.
 *
 * The queue also drives what the screen shows: `onChange` reports the call being announced
 * (the big panel) and the calls still queued (即将叫号) the moment an announcement starts,
 * so panel and voice never name different tickets. When the browser blocks sound, calls
 * still take the panel in turn, each for a short silent dwell.
 *
 * Pure apart from the injected player and clock, so it is tested without a browser.
 */
import type { TicketCalled } from "../server/src/contract/index.ts";

/** One announcement as heard (the unit tests read these through `log`). */
export interface AnnouncementLogEntry {
  number: string;
  counterNumber: number;
  /** 0 for the first call, n for the n-th recall. */
  recall: number;
  source: "tts" | "speech";
  /** performance.now()-style timestamp when the announcement started. */
  at: number;
}

/** Plays sound. Each method resolves when playback has ended (or was cut off). */
export interface AnnouncementPlayer {
  /** Rejects with `AutoplayBlockedError` when the browser refuses to play without a gesture. */
  playUrl(url: string): Promise<void>;
  /** Speaks `text` with a voice for `lang` (e.g. "zh-CN"). */
  speak(text: string, lang: string): Promise<void>;
  /** Cuts off what is playing (clip or speech) at once; its promise resolves. */
  stop(): void;
}

/** Thrown by a player when the browser blocks autoplay until the user taps the page. */
export class AutoplayBlockedError extends Error {
  constructor() {
    super("autoplay blocked");
    this.name = "AutoplayBlockedError";
  }
}

/** What the screen shows: the call on the panel and the calls waiting to be announced. */
export interface AnnouncerView {
  /** The call being announced; null before the first one starts. It stays after the
   * announcement ends, until the next one starts. */
  current: TicketCalled | null;
  /** Queued calls, in the order they will be announced. */
  pending: TicketCalled[];
}

export interface AnnouncerOptions {
  player: AnnouncementPlayer;
  now: () => number;
  /** URL of the chime played before each announcement. */
  chimeUrl: string;
  /** Longest the chime may hold the number's voice (ms, default 3000): the chime lasts
   * 1.35 s, and one that loads slowly or never reports its end is cut off here. */
  chimeMaxMs?: number;
  /** Text spoken by the browser fallback for a call. */
  speechText: (e: TicketCalled) => string;
  speechLang: string;
  /** How many times each call is said (after one chime), read as each announcement
   * starts (the hall setting may change while the page runs). Default 2. */
  repeat?: number | (() => number);
  /** Pause between two sayings of the same call. */
  repeatGapMs?: number;
  /** How long a call holds the panel when it cannot be heard (sound blocked). */
  silentDwellMs?: number;
  /** Waits `ms` (injected so tests can run on fake time). Default setTimeout. */
  wait?: (ms: number) => Promise<void>;
  /** Resolves once the panel shows the new current call (the page waits for a paint), so
   * the chime never starts before the number is on screen. Default: at once. */
  settle?: () => Promise<void>;
  /** Every started announcement is pushed here (unit tests). */
  log?: AnnouncementLogEntry[];
  /** Called when playback is blocked (show the corner notice) or unblocked. */
  onBlocked?: (blocked: boolean) => void;
  /** Called whenever the current call or the queue changes. */
  onChange?: (view: AnnouncerView) => void;
  /** Calls older than this when they reach the head of the queue are dropped (a backlog
   * after a long stall would otherwise announce stale calls for minutes). */
  maxAgeMs?: number;
}

export interface Announcer {
  /** Queue a call. A duplicate of an already queued/announced call (same ticket and same
   * recall count, e.g. replayed after a reconnect) is ignored; a recall is announced again. */
  enqueue(e: TicketCalled): void;
  /** Resolves when the queue is empty and nothing is playing. */
  idle(): Promise<void>;
  /** Mark sound as blocked before anything failed (the page's start-up probe said so). */
  block(): void;
  /** Retry with sound after the user unlocked audio with a tap. */
  unblock(): void;
  readonly pending: number;
  readonly playing: boolean;
  readonly blocked: boolean;
}

interface Item {
  event: TicketCalled;
  queuedAt: number;
}

const MAX_KEYS = 500;

/** Builds the queue. Playback starts at once and continues until the queue is empty. */
export function createAnnouncer(opts: AnnouncerOptions): Announcer {
  const queue: Item[] = [];
  const seen = new Set<string>();
  const seenOrder: string[] = [];
  let current: TicketCalled | null = null;
  let running = false;
  let blocked = false;
  let idleWaiters: (() => void)[] = [];
  const maxAgeMs = opts.maxAgeMs ?? 120_000;
  const repeatOf = (): number => {
    const r = typeof opts.repeat === "function" ? opts.repeat() : (opts.repeat ?? 2);
    return Number.isFinite(r) ? Math.min(5, Math.max(1, Math.floor(r))) : 2;
  };
  const gapMs = opts.repeatGapMs ?? 700;
  const dwellMs = opts.silentDwellMs ?? 2500;
  const chimeMaxMs = opts.chimeMaxMs ?? 3000;
  const wait = opts.wait ?? ((ms: number) => new Promise<void>((r) => setTimeout(r, ms)));

  function remember(key: string): boolean {
    if (seen.has(key)) return false;
    seen.add(key);
    seenOrder.push(key);
    if (seenOrder.length > MAX_KEYS) {
      const old = seenOrder.shift();
      if (old !== undefined) seen.delete(old);
    }
    return true;
  }

  function changed(): void {
    opts.onChange?.({ current, pending: queue.map((i) => i.event) });
  }

  function setBlocked(b: boolean): void {
    if (blocked === b) return;
    blocked = b;
    opts.onBlocked?.(b);
  }

  /** Says the call once: the hub's WAV, else the browser's speech. */
  async function sayOnce(e: TicketCalled): Promise<void> {
    const entry = (source: AnnouncementLogEntry["source"]): void => {
      opts.log?.push({
        number: e.call.number,
        counterNumber: e.call.counterNumber,
        recall: e.call.recall,
        source,
        at: opts.now(),
      });
    };
    if (e.audioUrl) {
      try {
        entry("tts");
        await opts.player.playUrl(e.audioUrl);
        return;
      } catch (err) {
        // Not heard after all: the log says what the visitor actually heard.
        opts.log?.pop();
        if (err instanceof AutoplayBlockedError) throw err;
        // The WAV failed (404, decode error): the visitor must still hear their number.
      }
    }
    entry("speech");
    await opts.player.speak(opts.speechText(e), opts.speechLang);
  }

  /**
   * The chime is decoration: it never holds the number's voice longer than `chimeMaxMs` (a
   * stalled chime used to hold it for the player's 20 s cap, on a CI machine past the test's
   * patience, in a hall past the visitor's), and if it fails for any reason but a block, the
   * voice still plays.
   */
  async function chime(): Promise<void> {
    const played = opts.player.playUrl(opts.chimeUrl).catch((err: unknown) => {
      if (err instanceof AutoplayBlockedError) throw err;
    });
    // A block reported after the cap is left to the voice, which will meet it too.
    const cut = await Promise.race([played.then(() => false), wait(chimeMaxMs).then(() => true)]);
    if (cut) opts.player.stop();
  }

  async function announce(e: TicketCalled): Promise<void> {
    await chime();
    const repeat = repeatOf();
    for (let i = 0; i < repeat; i++) {
      if (i > 0) await wait(gapMs);
      await sayOnce(e);
    }
  }

  async function run(): Promise<void> {
    if (running) return;
    running = true;
    try {
      for (;;) {
        const item = queue.shift();
        if (!item) break;
        if (opts.now() - item.queuedAt > maxAgeMs) {
          changed();
          continue;
        }
        // The panel moves now, as this call's announcement starts.
        current = item.event;
        changed();
        if (opts.settle) await opts.settle();
        if (!blocked) {
          try {
            await announce(item.event);
            continue;
          } catch (err) {
            if (!(err instanceof AutoplayBlockedError)) continue; // speech failed too: go on
            setBlocked(true);
          }
        }
        // Not heard: the call keeps the panel for a moment, then the next one takes it.
        await wait(dwellMs);
      }
    } finally {
      running = false;
      const waiters = idleWaiters;
      idleWaiters = [];
      for (const w of waiters) w();
    }
  }

  return {
    enqueue(e) {
      if (!remember(`${e.call.ticketId}#${e.call.recall}#${e.call.at}`)) return;
      queue.push({ event: e, queuedAt: opts.now() });
      changed();
      void run();
    },
    idle() {
      if (!running && queue.length === 0) return Promise.resolve();
      return new Promise((resolve) => idleWaiters.push(resolve));
    },
    block() {
      setBlocked(true);
    },
    unblock() {
      setBlocked(false);
    },
    get pending() {
      return queue.length;
    },
    get playing() {
      return running;
    },
    get blocked() {
      return blocked;
    },
  };
}
