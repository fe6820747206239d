import { describe, expect, it } from "vitest";
import {
  type AnnouncementLogEntry,
  type AnnouncementPlayer,
  type AnnouncerOptions,
  type AnnouncerView,
  AutoplayBlockedError,
  createAnnouncer,
} from "../../display-ui/announcer.ts";
import { CHIME_SAMPLE_RATE, chimeWav } from "../../hardware/voice/tts.ts";
import type { TicketCalled } from "../../server/src/contract/index.ts";

function called(
  number: string,
  counterNumber: number,
  opts: { recall?: number; audio?: boolean; at?: number } = {},
): TicketCalled {
  const recall = opts.recall ?? 0;
  return {
    counter: { id: `c${counterNumber}`, status: "calling", ratingRequested: false, servedToday: 0 },
    ticket: {
      id: `t-${number}`,
      number,
      queueId: "q",
      matterId: "m",
      priority: "normal",
      status: "called",
      issuedAt: 0,
      recalls: recall,
      position: 0,
      estimatedWaitSec: 0,
    },
    call: {
      ticketId: `t-${number}`,
      number,
      counterId: `c${counterNumber}`,
      counterNumber,
      counterName: "综合受理",
      zoneId: "z",
      at: opts.at ?? 1000 + recall,
      recall,
    },
    audioUrl: opts.audio === false ? undefined : `/api/voice/${number}-${counterNumber}.wav`,
  };
}

/**
 * A player whose clips take `ms` of real time and that records overlaps. A clip for which
 * `stall` says so never ends by itself (a chime whose end never comes); `stop()` cuts off
 * the clip in progress.
 */
function fakePlayer(opts: { ms?: number; failUrl?: (u: string) => Error | null; stall?: (u: string) => boolean } = {}) {
  const events: string[] = [];
  let active = 0;
  let maxActive = 0;
  let cut: (() => void) | undefined;
  const play = async (what: string, stall = false): Promise<void> => {
    active++;
    maxActive = Math.max(maxActive, active);
    events.push(`start ${what}`);
    const ended = await new Promise<"end" | "stop">((resolve) => {
      cut = () => resolve("stop");
      if (!stall) setTimeout(() => resolve("end"), opts.ms ?? 5);
    });
    cut = undefined;
    events.push(`${ended} ${what}`);
    active--;
  };
  const player: AnnouncementPlayer = {
    async playUrl(url) {
      const err = opts.failUrl?.(url) ?? null;
      if (err) throw err;
      await play(url, opts.stall?.(url) ?? false);
    },
    async speak(text, lang) {
      await play(`speak[${lang}] ${text}`);
    },
    stop() {
      cut?.();
    },
  };
  return { player, events, maxActive: () => maxActive };
}

function make(
  player: AnnouncementPlayer,
  onBlocked?: (b: boolean) => void,
  extra: Pick<AnnouncerOptions, "repeat" | "onChange" | "chimeMaxMs" | "wait"> = {},
) {
  const log: AnnouncementLogEntry[] = [];
  let t = 0;
  const announcer = createAnnouncer({
    player,
    now: () => ++t,
    chimeUrl: "/api/voice/chime.wav",
    speechText: (e) => `请${e.call.number}号`,
    speechLang: "zh-CN",
    log,
    onBlocked,
    repeat: extra.repeat ?? 1,
    repeatGapMs: 1,
    silentDwellMs: 5,
    onChange: extra.onChange,
    ...(extra.chimeMaxMs !== undefined ? { chimeMaxMs: extra.chimeMaxMs } : {}),
    ...(extra.wait ? { wait: extra.wait } : {}),
  });
  return { announcer, log };
}

describe("display-ui/announcer", () => {
  it("plays chime then the hub's TTS, one announcement at a time, in arrival order", async () => {
    const fp = fakePlayer();
    const { announcer, log } = make(fp.player);
    announcer.enqueue(called("A001", 3));
    announcer.enqueue(called("B002", 5));
    announcer.enqueue(called("A003", 7));
    await announcer.idle();
    expect(fp.maxActive()).toBe(1);
    expect(fp.events).toEqual([
      "start /api/voice/chime.wav",
      "end /api/voice/chime.wav",
      "start /api/voice/A001-3.wav",
      "end /api/voice/A001-3.wav",
      "start /api/voice/chime.wav",
      "end /api/voice/chime.wav",
      "start /api/voice/B002-5.wav",
      "end /api/voice/B002-5.wav",
      "start /api/voice/chime.wav",
      "end /api/voice/chime.wav",
      "start /api/voice/A003-7.wav",
      "end /api/voice/A003-7.wav",
    ]);
    expect(log.map((l) => [l.number, l.counterNumber, l.source])).toEqual([
      ["A001", 3, "tts"],
      ["B002", 5, "tts"],
      ["A003", 7, "tts"],
    ]);
    expect(announcer.pending).toBe(0);
  });

  it("repeats the announcement on a recall but ignores a replayed duplicate", async () => {
    const fp = fakePlayer();
    const { announcer, log } = make(fp.player);
    const first = called("A001", 3);
    announcer.enqueue(first);
    announcer.enqueue(first); // same event replayed after a reconnect
    announcer.enqueue(called("A001", 3, { recall: 1 }));
    await announcer.idle();
    expect(log.map((l) => [l.number, l.recall])).toEqual([
      ["A001", 0],
      ["A001", 1],
    ]);
    expect(fp.events.filter((e) => e === "start /api/voice/A001-3.wav")).toHaveLength(2);
  });

  it("falls back to speech synthesis when the call has no audioUrl", async () => {
    const fp = fakePlayer();
    const { announcer, log } = make(fp.player);
    announcer.enqueue(called("A001", 3, { audio: false }));
    await announcer.idle();
    expect(fp.events).toContain("start speak[zh-CN] 请A001号");
    expect(fp.events.indexOf("start /api/voice/chime.wav")).toBeLessThan(fp.events.indexOf("start speak[zh-CN] 请A001号"));
    expect(log).toEqual([expect.objectContaining({ number: "A001", counterNumber: 3, source: "speech" })]);
  });

  it("falls back to speech when the TTS file cannot be played, and still plays after a failed chime", async () => {
    const fp = fakePlayer({ failUrl: () => new Error("404") });
    const { announcer, log } = make(fp.player);
    announcer.enqueue(called("C010", 12));
    await announcer.idle();
    expect(log.map((l) => l.source)).toEqual(["speech"]);
    expect(fp.events).toEqual(["start speak[zh-CN] 请C010号", "end speak[zh-CN] 请C010号"]);
  });

  it("while autoplay is blocked, shows each call in turn silently, and is heard again after unblock", async () => {
    let blockedNow = true;
    const fp = fakePlayer({ failUrl: () => (blockedNow ? new AutoplayBlockedError() : null) });
    const states: boolean[] = [];
    const shown: (string | undefined)[] = [];
    const { announcer, log } = make(fp.player, (b) => states.push(b), {
      onChange: (v) => shown.push(v.current?.call.number),
    });
    announcer.enqueue(called("A001", 3));
    announcer.enqueue(called("A002", 4));
    await announcer.idle();
    expect(states).toEqual([true]);
    expect(log).toEqual([]);
    // Nothing was heard, but each call took the panel in its turn.
    expect([...new Set(shown.filter(Boolean))]).toEqual(["A001", "A002"]);
    expect(announcer.pending).toBe(0);
    blockedNow = false;
    announcer.unblock();
    announcer.enqueue(called("A003", 5));
    await announcer.idle();
    expect(states).toEqual([true, false]);
    expect(log.map((l) => l.number)).toEqual(["A003"]);
    expect(fp.maxActive()).toBe(1);
  });

  it("says each call twice by default after one chime, with the call on the panel throughout", async () => {
    const fp = fakePlayer();
    const views: AnnouncerView[] = [];
    const log: AnnouncementLogEntry[] = [];
    const announcer = createAnnouncer({
      player: fp.player,
      now: () => 0,
      chimeUrl: "/api/voice/chime.wav",
      speechText: (e) => e.call.number,
      speechLang: "zh-CN",
      repeatGapMs: 1,
      log,
      onChange: (v) => {
        views.push(v);
        // The panel moves before any sound of that call starts.
        fp.events.push(`panel ${v.current?.call.number ?? "-"} next ${v.pending.map((p) => p.call.number).join(",")}`);
      },
    });
    announcer.enqueue(called("A001", 3));
    announcer.enqueue(called("B002", 5));
    await announcer.idle();
    expect(fp.events.filter((e) => !e.startsWith("end"))).toEqual([
      "panel - next A001",
      "panel A001 next ",
      "start /api/voice/chime.wav",
      "panel A001 next B002",
      "start /api/voice/A001-3.wav",
      "start /api/voice/A001-3.wav",
      "panel B002 next ",
      "start /api/voice/chime.wav",
      "start /api/voice/B002-5.wav",
      "start /api/voice/B002-5.wav",
    ]);
    expect(log.map((l) => l.number)).toEqual(["A001", "A001", "B002", "B002"]);
    // The current call stays on the panel once its announcement ended.
    expect(views.at(-1)?.current?.call.number).toBe("B002");
  });

  it("reads the repeat count as each announcement starts", async () => {
    const fp = fakePlayer();
    let n = 3;
    const log: AnnouncementLogEntry[] = [];
    const announcer = createAnnouncer({
      player: fp.player,
      now: () => 0,
      chimeUrl: "/c.wav",
      speechText: (e) => e.call.number,
      speechLang: "zh-CN",
      repeat: () => n,
      repeatGapMs: 1,
      log,
    });
    announcer.enqueue(called("A001", 3));
    await announcer.idle();
    n = 1;
    announcer.enqueue(called("A002", 3));
    await announcer.idle();
    expect(log.map((l) => l.number)).toEqual(["A001", "A001", "A001", "A002"]);
  });

  it("a chime that never ends holds the voice only until chimeMaxMs, and is silenced before the voice", async () => {
    const fp = fakePlayer({ stall: (u) => u.endsWith("chime.wav") });
    const { announcer } = make(fp.player, undefined, { chimeMaxMs: 20 });
    announcer.enqueue(called("A001", 3, { audio: false }));
    announcer.enqueue(called("B002", 5));
    // Before the cap, the queue waited for the chime's end, which never came.
    const outcome = await Promise.race([
      announcer.idle().then(() => "idle"),
      new Promise((r) => setTimeout(() => r("still waiting on the chime"), 5000)),
    ]);
    expect(outcome).toBe("idle");
    expect(fp.events).toEqual([
      "start /api/voice/chime.wav",
      "stop /api/voice/chime.wav",
      "start speak[zh-CN] 请A001号",
      "end speak[zh-CN] 请A001号",
      "start /api/voice/chime.wav",
      "stop /api/voice/chime.wav",
      "start /api/voice/B002-5.wav",
      "end /api/voice/B002-5.wav",
    ]);
    expect(fp.maxActive()).toBe(1);
  });

  it("by default gives the chime room for its 1.35 s and no more than 3 s before the voice", async () => {
    // The chime as the hub serves it.
    const wav = chimeWav();
    const chimeMs = ((wav.length - 44) / 2 / CHIME_SAMPLE_RATE) * 1000;
    const fp = fakePlayer({ stall: (u) => u.endsWith("chime.wav") });
    const waits: number[] = [];
    const { announcer } = make(fp.player, undefined, {
      // Time runs on at once: only the waits asked for are recorded.
      wait: async (ms) => {
        waits.push(ms);
      },
    });
    announcer.enqueue(called("A001", 3));
    await announcer.idle();
    expect(fp.events.slice(0, 3)).toEqual([
      "start /api/voice/chime.wav",
      "stop /api/voice/chime.wav",
      "start /api/voice/A001-3.wav",
    ]);
    expect(waits).toHaveLength(1);
    expect(waits[0]).toBeGreaterThan(chimeMs);
    expect(waits[0]).toBeLessThanOrEqual(3000);
  });

  it("never overlaps when calls arrive while one is playing", async () => {
    const fp = fakePlayer({ ms: 15 });
    const { announcer, log } = make(fp.player);
    announcer.enqueue(called("A001", 1));
    await new Promise((r) => setTimeout(r, 10)); // mid-chime
    announcer.enqueue(called("A002", 2, { audio: false }));
    announcer.enqueue(called("A003", 3));
    await announcer.idle();
    expect(fp.maxActive()).toBe(1);
    expect(log.map((l) => `${l.number}:${l.source}`)).toEqual(["A001:tts", "A002:speech", "A003:tts"]);
  });
});
