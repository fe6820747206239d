import { execFile } from "node:child_process";
import { mkdtempSync, readdirSync, readFileSync, rmSync, statSync, utimesSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { DeviceError } from "../../../hardware/transport/link.ts";
import { CHIME_SAMPLE_RATE, chimeWav, createVoice, type ProgramRunner, WAV_HEADER_BYTES } from "../../../hardware/voice/tts.ts";

let dir: string;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), "onevisit-voice-"));
});
afterEach(() => {
  rmSync(dir, { recursive: true, force: true });
});

/** The real execFile, counting how often espeak-ng is started. */
function countingRunner(): { runner: ProgramRunner; runs: string[][] } {
  const runs: string[][] = [];
  const runner: ProgramRunner = (file, args) => {
    runs.push([file, ...args]);
    return new Promise((resolve, reject) => {
      execFile(file, [...args], { timeout: 15_000 }, (err) => (err ? reject(err) : resolve()));
    });
  };
  return { runner, runs };
}

interface WavInfo {
  riff: string;
  riffSize: number;
  wave: string;
  format: number;
  channels: number;
  sampleRate: number;
  byteRate: number;
  blockAlign: number;
  bits: number;
  dataTag: string;
  dataSize: number;
}

function parseWav(buf: Buffer): WavInfo {
  return {
    riff: buf.toString("ascii", 0, 4),
    riffSize: buf.readUInt32LE(4),
    wave: buf.toString("ascii", 8, 12),
    format: buf.readUInt16LE(20),
    channels: buf.readUInt16LE(22),
    sampleRate: buf.readUInt32LE(24),
    byteRate: buf.readUInt32LE(28),
    blockAlign: buf.readUInt16LE(32),
    bits: buf.readUInt16LE(34),
    dataTag: buf.toString("ascii", 36, 40),
    dataSize: buf.readUInt32LE(40),
  };
}

describe("hardware/voice/tts synth", () => {
  it("synthesises a Mandarin call with espeak-ng into a valid WAV and caches it", async () => {
    const { runner, runs } = countingRunner();
    const voice = createVoice({ cacheDir: dir, runner });
    const call = { ticketNumber: "A001", counterNumber: 3, lang: "zh" } as const;
    const clip = await voice.synth(call);

    expect(runs).toHaveLength(1);
    expect(runs[0]?.slice(0, 3)).toEqual(["espeak-ng", "-v", "cmn-latn-pinyin"]);
    expect(runs[0]?.at(-1)).toBe("qing3 A ling2 ling2 yi1 hao4 dao4 san1 hao4 chuang1 kou3 ban4 li3");
    expect(clip.key).toMatch(/^[0-9a-f]{32}$/);
    expect(clip.file).toBe(join(dir, `${clip.key}.wav`));
    const wav = readFileSync(clip.file);
    const info = parseWav(wav);
    expect(info.riff).toBe("RIFF");
    expect(info.wave).toBe("WAVE");
    expect(info.format).toBe(1);
    expect(info.bits).toBe(16);
    // 13 syllables at 140 wpm: well over a second of audio.
    expect(wav.length).toBeGreaterThan(info.byteRate);
    const mtime = statSync(clip.file).mtimeMs;

    const again = await voice.synth(call);
    expect(again).toEqual(clip);
    expect(runs).toHaveLength(1);
    expect(statSync(clip.file).mtimeMs).toBe(mtime);
    // No stray temp files left beside the clip.
    expect(readdirSync(dir)).toEqual([`${clip.key}.wav`]);
  });

  it("speaks English with the en voice and gives it a different key", async () => {
    const { runner, runs } = countingRunner();
    const voice = createVoice({ cacheDir: dir, runner });
    const zh = await voice.synth({ ticketNumber: "B120", counterNumber: 12, lang: "zh" });
    const en = await voice.synth({ ticketNumber: "B120", counterNumber: 12, lang: "en" });
    expect(en.key).not.toBe(zh.key);
    expect(runs[1]).toContain("-m");
    expect(runs[1]?.slice(0, 3)).toEqual(["espeak-ng", "-v", "en"]);
    expect(parseWav(readFileSync(en.file)).riff).toBe("RIFF");
    expect(statSync(en.file).size).toBeGreaterThan(WAV_HEADER_BYTES + 10_000);
  });

  it("shares one synthesis between identical requests in flight", async () => {
    const { runner, runs } = countingRunner();
    const voice = createVoice({ cacheDir: dir, runner });
    const call = { ticketNumber: "C007", counterNumber: 20, lang: "zh" } as const;
    const clips = await Promise.all([voice.synth(call), voice.synth(call), voice.synth(call)]);
    expect(runs).toHaveLength(1);
    expect(new Set(clips.map((c) => c.file)).size).toBe(1);
  });

  it("reports a missing espeak-ng once and turns unavailable", async () => {
    const reports: string[] = [];
    const voice = createVoice({
      cacheDir: dir,
      espeakPath: join(dir, "no-such-espeak-ng"),
      onUnavailable: (reason) => reports.push(reason),
    });
    expect(voice.available).toBe(true);
    const call = { ticketNumber: "A001", counterNumber: 3, lang: "zh" } as const;
    const results = await Promise.allSettled([
      voice.synth(call),
      voice.synth({ ...call, counterNumber: 4 }),
      voice.synth({ ...call, lang: "en" }),
    ]);
    for (const r of results) {
      expect(r.status).toBe("rejected");
      if (r.status === "rejected") {
        expect(r.reason).toBeInstanceOf(DeviceError);
        expect((r.reason as DeviceError).code).toBe("OFFLINE");
      }
    }
    await expect(voice.synth(call)).rejects.toMatchObject({ code: "OFFLINE" });
    expect(await voice.check()).toBe(false);
    expect(voice.available).toBe(false);
    expect(reports).toHaveLength(1);
    expect(reports[0]).toContain("ENOENT");
    expect(readdirSync(dir)).toEqual([]);
  });

  it("check() finds the installed espeak-ng", async () => {
    const voice = createVoice({ cacheDir: dir });
    expect(await voice.check()).toBe(true);
  });
});

describe("hardware/voice/tts chime", () => {
  it("builds a 16-bit mono PCM WAV with a correct header", () => {
    const wav = chimeWav();
    const info = parseWav(wav);
    expect(info).toEqual({
      riff: "RIFF",
      riffSize: wav.length - 8,
      wave: "WAVE",
      format: 1,
      channels: 1,
      sampleRate: CHIME_SAMPLE_RATE,
      byteRate: CHIME_SAMPLE_RATE * 2,
      blockAlign: 2,
      bits: 16,
      dataTag: "data",
      dataSize: wav.length - WAV_HEADER_BYTES,
    });
    expect(wav.toString("ascii", 12, 16)).toBe("fmt ");
    expect(wav.readUInt32LE(16)).toBe(16);
    // Three notes of 0.45 s.
    expect(info.dataSize / info.byteRate).toBeCloseTo(1.35, 2);
    // Audible, not clipped: the loudest sample is well above silence and below full scale.
    let peak = 0;
    for (let i = WAV_HEADER_BYTES; i < wav.length; i += 2) peak = Math.max(peak, Math.abs(wav.readInt16LE(i)));
    expect(peak).toBeGreaterThan(8000);
    expect(peak).toBeLessThan(32767);
  });

  it("writes the chime file once and reuses it", () => {
    const voice = createVoice({ cacheDir: dir, espeakPath: join(dir, "missing") });
    const file = voice.chime();
    expect(readFileSync(file).equals(chimeWav())).toBe(true);
    const mtime = statSync(file).mtimeMs;
    expect(voice.chime()).toBe(file);
    expect(statSync(file).mtimeMs).toBe(mtime);
  });
});

describe("hardware/voice pruneClips", () => {
  it("deletes clips older than the limit at start and keeps newer ones and other files", () => {
    const dir = mkdtempSync(join(tmpdir(), "onevisit-prune-"));
    try {
      const old = join(dir, `${"a".repeat(32)}.wav`);
      const fresh = join(dir, `${"b".repeat(32)}.wav`);
      writeFileSync(old, "x");
      writeFileSync(fresh, "x");
      writeFileSync(join(dir, "chime.wav"), "x");
      const twentyDaysAgo = (Date.now() - 20 * 86_400_000) / 1000;
      utimesSync(old, twentyDaysAgo, twentyDaysAgo);
      utimesSync(join(dir, "chime.wav"), twentyDaysAgo, twentyDaysAgo);
      createVoice({ cacheDir: dir, keepDays: 14, runner: async () => {} });
      expect(readdirSync(dir).sort()).toEqual([`${"b".repeat(32)}.wav`, "chime.wav"]);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
