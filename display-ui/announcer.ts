/**
 * The call screen's announcement queue: one announcement at a time (chime, then the hub's
 * synthesised WAV, or the browser's speech synthesis when the hub has no TTS), never two at
 * once, in the order the calls arrived. Pure apart from the injected player, so it can be
 * tested without a browser.
 */
import type { TicketCalled } from "../server/src/contract/index.ts";

/** One announcement as logged on `window.__announcements` (the e2e tests read it). */
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
}

/** Thrown by a player when the browser blocks autoplay until the user taps the page. */
export class AutoplayBlockedError extends Error {
  constructor() {
    super("autoplay blocked");
    this.name = "AutoplayBlockedError";
  }
}

export interface AnnouncerOptions {
  player: AnnouncementPlayer;
  now: () => number;
  /** URL of the chime played before each announcement. */
  chimeUrl: string;
  /** Text spoken by the browser fallback for a call. */
  speechText: (e: TicketCalled) => string;
  speechLang: string;
  /** Every started announcement is pushed here. */
  log: AnnouncementLogEntry[];
  /** Called when playback is blocked (show the "tap to enable sound" overlay) or unblocked. */
  onBlocked?: (blocked: boolean) => void;
  /** Calls older than this when they reach the head of the queue are dropped (a backlog
   * after a long block would otherwise announce stale calls for minutes). */
  maxAgeMs?: number;
}

export interface Announcer {
  /** Queue a call. A duplicate of an already queued/announced call (same ticket and same
   * recall count, e.g. replayed after a reconnect) is ignored; a recall is announced again. */
  enqueue(e: TicketCalled): void;
  /** Resolves when the queue is empty and nothing is playing. */
  idle(): Promise<void>;
  /** Retry after the user unlocked audio with a tap. */
  unblock(): void;
  readonly pending: number;
  readonly playing: boolean;
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
  let running = false;
  let blocked = false;
  let idleWaiters: (() => void)[] = [];
  const maxAgeMs = opts.maxAgeMs ?? 120_000;

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

  function setBlocked(b: boolean): void {
    if (blocked === b) return;
    blocked = b;
    opts.onBlocked?.(b);
  }

  async function playOne(item: Item): Promise<void> {
    const e = item.event;
    // The chime is decoration: if it fails for any reason but a block, the voice still plays.
    await opts.player.playUrl(opts.chimeUrl).catch((err: unknown) => {
      if (err instanceof AutoplayBlockedError) throw err;
    });
    const entry = (source: AnnouncementLogEntry["source"]): void => {
      opts.log.push({
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
        opts.log.pop();
        if (err instanceof AutoplayBlockedError) throw err;
        // The WAV failed (404, decode error): the visitor must still hear their number.
      }
    }
    entry("speech");
    await opts.player.speak(opts.speechText(e), opts.speechLang);
  }

  async function run(): Promise<void> {
    if (running) return;
    running = true;
    try {
      while (queue.length > 0 && !blocked) {
        const item = queue[0];
        if (!item) break;
        if (opts.now() - item.queuedAt > maxAgeMs) {
          queue.shift();
          continue;
        }
        try {
          await playOne(item);
          queue.shift();
        } catch (err) {
          if (err instanceof AutoplayBlockedError) {
            // Keep the item: it plays once the user taps.
            setBlocked(true);
            break;
          }
          // Speech failed too: nothing more we can do for this call; go on with the next.
          queue.shift();
        }
      }
    } finally {
      running = false;
      if (queue.length === 0 || blocked) {
        const waiters = idleWaiters;
        idleWaiters = [];
        for (const w of waiters) w();
      }
    }
  }

  return {
    enqueue(e) {
      if (!remember(`${e.call.ticketId}#${e.call.recall}#${e.call.at}`)) return;
      queue.push({ event: e, queuedAt: opts.now() });
      void run();
    },
    idle() {
      if (!running && (queue.length === 0 || blocked)) return Promise.resolve();
      return new Promise((resolve) => idleWaiters.push(resolve));
    },
    unblock() {
      setBlocked(false);
      void run();
    },
    get pending() {
      return queue.length;
    },
    get playing() {
      return running;
    },
  };
}
