import { execFile } from "node:child_process";
import { setPriority } from "node:os";
import { createHash, randomBytes } from "node:crypto";
import { existsSync, mkdirSync, readdirSync, rmSync, statSync, writeFileSync } from "node:fs";
import { rename, stat, unlink } from "node:fs/promises";
import { join } from "node:path";
import { DeviceError } from "../transport/link.ts";
import { type CallText, callSpeech, type Speech } from "./text.ts";

/** Runs a program without a shell; rejects with the child_process error (code "ENOENT" when missing). */
export type ProgramRunner = (file: string, args: readonly string[]) => Promise<void>;

export interface VoiceOptions {
  /** Where WAV files are kept; created if missing. */
  cacheDir: string;
  /** espeak-ng binary; default "espeak-ng" from PATH. */
  espeakPath?: string;
  /** Speaking rate in words per minute (espeak-ng `-s`); announcements read better slow. */
  speed?: number;
  /** Injected for tests; default execFile with a 15 s timeout. */
  runner?: ProgramRunner;
  /** Called once, the first time espeak-ng turns out to be missing. */
  onUnavailable?: (reason: string) => void;
  /** Clips older than this many days are deleted at start (default 14). */
  keepDays?: number;
}

/** A synthesised announcement. */
export interface VoiceClip {
  /** Absolute path of the WAV file. */
  file: string;
  /** Hex hash of (voice, text): safe in a URL, stable across restarts. */
  key: string;
}

/** Server-side speech for calls; screens fall back to browser speech when `available` is false. */
export interface Voice {
  /** False once espeak-ng was found missing. */
  readonly available: boolean;
  /** Runs `espeak-ng --version` once; resolves to `available`. Optional: synth detects it too. */
  check(): Promise<boolean>;
  /**
   * WAV of the call, from the cache when the same sentence was said before. Rejects with
   * DeviceError "OFFLINE" when espeak-ng is missing, "ERROR" when it failed.
   */
  synth(call: CallText): Promise<VoiceClip>;
  /** Path of the ding-dong WAV played before a call (written on first use). */
  chime(): string;
}

export function createVoice(options: VoiceOptions): Voice {
  const espeak = options.espeakPath ?? "espeak-ng";
  const speed = options.speed ?? 140;
  const run = options.runner ?? execFileRunner;
  const inFlight = new Map<string, Promise<VoiceClip>>();
  let available = true;
  let chimeFile: string | undefined;
  mkdirSync(options.cacheDir, { recursive: true });
  pruneClips(options.cacheDir, options.keepDays ?? 14);

  const missing = (reason: string): DeviceError => {
    if (available) {
      available = false;
      options.onUnavailable?.(reason);
    }
    return new DeviceError("OFFLINE", "espeak-ng not available");
  };

  const isMissing = (e: unknown): boolean => {
    const code = (e as NodeJS.ErrnoException).code;
    return code === "ENOENT" || code === "EACCES";
  };

  async function render(speech: Speech, key: string, file: string): Promise<VoiceClip> {
    if (await isWav(file)) return { file, key };
    // Write aside and rename, so a crash mid-synthesis never leaves a truncated cached clip.
    const tmp = join(options.cacheDir, `${key}.${randomBytes(4).toString("hex")}.tmp`);
    const args = ["-v", speech.voice, "-s", String(speed), ...(speech.ssml ? ["-m"] : []), "-w", tmp, speech.text];
    try {
      await run(espeak, args);
      await rename(tmp, file);
    } catch (e) {
      await unlink(tmp).catch(() => {});
      if (isMissing(e)) throw missing(`${espeak}: ${(e as NodeJS.ErrnoException).code}`);
      throw new DeviceError("ERROR", "speech synthesis failed");
    }
    return { file, key };
  }

  return {
    get available() {
      return available;
    },

    async check() {
      if (!available) return false;
      try {
        await run(espeak, ["--version"]);
      } catch (e) {
        if (isMissing(e)) missing(`${espeak}: ${(e as NodeJS.ErrnoException).code}`);
      }
      return available;
    },

    synth(call) {
      if (!available) return Promise.reject(new DeviceError("OFFLINE", "espeak-ng not available"));
      const speech = callSpeech(call);
      const key = speechKey(speech, speed);
      const file = join(options.cacheDir, `${key}.wav`);
      const pending = inFlight.get(key);
      if (pending) return pending;
      const job = render(speech, key, file).finally(() => inFlight.delete(key));
      inFlight.set(key, job);
      return job;
    },

    chime() {
      if (chimeFile && existsSync(chimeFile)) return chimeFile;
      const file = join(options.cacheDir, "chime.wav");
      if (!existsSync(file)) writeFileSync(file, chimeWav());
      chimeFile = file;
      return file;
    },
  };
}

/**
 * Every ticket number at every counter is a clip of its own, so the cache grows every day:
 * drop clips made more than `keepDays` ago (one still needed is simply made again).
 */
export function pruneClips(dir: string, keepDays: number, now = Date.now()): number {
  let removed = 0;
  for (const f of readdirSync(dir)) {
    if (!/^[0-9a-f]{32}\.wav$/.test(f)) continue;
    const p = join(dir, f);
    try {
      if (now - statSync(p).mtimeMs > keepDays * 86_400_000) {
        rmSync(p, { force: true });
        removed++;
      }
    } catch {
      // Gone meanwhile: nothing to prune.
    }
  }
  return removed;
}

/** Cache key of a speech: the same voice, rate and text give the same clip. */
export function speechKey(speech: Speech, speed: number): string {
  return createHash("sha256")
    .update(JSON.stringify([speech.voice, speech.ssml, speed, speech.text]))
    .digest("hex")
    .slice(0, 32);
}

/** Synthesis is background work: it runs niced so calls and screens never wait for it. */
const SYNTH_NICENESS = 10;

const execFileRunner: ProgramRunner = (file, args) =>
  new Promise((resolve, reject) => {
    const child = execFile(file, [...args], { timeout: 15_000 }, (err) => (err ? reject(err) : resolve()));
    try {
      if (child.pid !== undefined) setPriority(child.pid, SYNTH_NICENESS);
    } catch {
      // Not allowed to renice (or the process is already gone): run at normal priority.
    }
  });

async function isWav(file: string): Promise<boolean> {
  try {
    return (await stat(file)).size > WAV_HEADER_BYTES;
  } catch {
    return false;
  }
}

export const WAV_HEADER_BYTES = 44;

/** The 44-byte RIFF/WAVE header of 16-bit PCM. */
export function wavHeader(sampleRate: number, channels: number, dataBytes: number): Buffer {
  const bits = 16;
  const blockAlign = (channels * bits) / 8;
  const h = Buffer.alloc(WAV_HEADER_BYTES);
  h.write("RIFF", 0, "ascii");
  h.writeUInt32LE(36 + dataBytes, 4);
  h.write("WAVE", 8, "ascii");
  h.write("fmt ", 12, "ascii");
  h.writeUInt32LE(16, 16); // fmt chunk size for PCM
  h.writeUInt16LE(1, 20); // PCM
  h.writeUInt16LE(channels, 22);
  h.writeUInt32LE(sampleRate, 24);
  h.writeUInt32LE(sampleRate * blockAlign, 28);
  h.writeUInt16LE(blockAlign, 32);
  h.writeUInt16LE(bits, 34);
  h.write("data", 36, "ascii");
  h.writeUInt32LE(dataBytes, 40);
  return h;
}

export const CHIME_SAMPLE_RATE = 22_050;

/**
 * A three-note chime (G5 E5 C5, like a hall's ding-dong) as a mono 16-bit PCM WAV. Each note
 * fades out exponentially and starts after a short ramp so it doesn't click.
 */
export function chimeWav(): Buffer {
  const notes = [784, 659.25, 523.25];
  const noteSeconds = 0.45;
  const perNote = Math.round(CHIME_SAMPLE_RATE * noteSeconds);
  const pcm = Buffer.alloc(notes.length * perNote * 2);
  let offset = 0;
  for (const freq of notes) {
    for (let i = 0; i < perNote; i++) {
      const t = i / CHIME_SAMPLE_RATE;
      const attack = Math.min(1, i / 200);
      const envelope = attack * Math.exp(-4 * t);
      // A quiet octave overtone makes it sound like a bell rather than a test tone.
      const wave = Math.sin(2 * Math.PI * freq * t) + 0.3 * Math.sin(4 * Math.PI * freq * t);
      pcm.writeInt16LE(Math.round(0.5 * 32767 * envelope * (wave / 1.3)), offset);
      offset += 2;
    }
  }
  return Buffer.concat([wavHeader(CHIME_SAMPLE_RATE, 1, pcm.length), pcm]);
}
