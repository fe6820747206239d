/**
 * The hall's voice: calls assembled from pre-made word segments, as Chinese hall callers do.
 *
 * Each segment (segments.ts) is synthesised once by espeak-ng — niced, in child processes,
 * at most `concurrency` at a time — and cached on disk under a key of its text, voice,
 * rate and espeak-ng version, so an upgrade or a changed text renders it again. A folder
 * of human recordings (`recordedDir`, one `<segment id>.wav` each) replaces synthesised
 * segments one by one. Segments live in memory as 16-bit mono PCM in one format, so a
 * call is one Buffer concatenation: no process, no file read, well under a millisecond.
 */
import { execFile } from "node:child_process";
import { createHash, randomBytes } from "node:crypto";
import { existsSync, mkdirSync, writeFileSync } from "node:fs";
import { open, readdir, readFile, rename, unlink } from "node:fs/promises";
import { setPriority } from "node:os";
import { join } from "node:path";
import { DeviceError } from "../transport/link.ts";
import { SEGMENTS, type SegmentDef, type SegmentPlan } from "./segments.ts";
import {
  describeFormat,
  isCanonical,
  parseWav,
  SAMPLE_RATE,
  silenceBytes,
  toSegmentPcm,
  trimSilence,
  wavHeader,
  wavParts,
} from "./wav.ts";

export { WAV_HEADER_BYTES, wavHeader } from "./wav.ts";

/**
 * Runs a program without a shell and resolves with its stdout; rejects with the
 * child_process error (code "ENOENT" when the program is missing, the exit code otherwise).
 * Injected by tests to count the processes the voice starts.
 */
export type ProgramRunner = (file: string, args: readonly string[]) => Promise<string>;

export interface VoiceOptions {
  /** Where the chime is written; created if missing. */
  dir: string;
  /** Cache of synthesised segments (default `<dir>/segments`); safe to share between hubs. */
  segmentsDir?: string;
  /** Folder of recorded segments, `<segment id>.wav` each (docs/voice.md); optional. */
  recordedDir?: string;
  /** espeak-ng binary; default "espeak-ng" from PATH. */
  espeakPath?: string;
  /** Speaking rate in words per minute (espeak-ng `-s`). */
  speed?: number;
  /** Silence between the words of a phrase (default 30 ms). */
  wordGapMs?: number;
  /** Silence between phrases: 请 | A001号 | 到3号窗口办理 (default 180 ms). */
  phraseGapMs?: number;
  /** espeak-ng processes at once (default 2). */
  concurrency?: number;
  /** Run espeak-ng under `nice -n 10` (default true; falls back to renicing when `nice` is missing). */
  nice?: boolean;
  /** Injected for tests; default execFile with a 15 s timeout. */
  runner?: ProgramRunner;
  log?: (line: string) => void;
  /** Called once, the first time espeak-ng turns out to be missing. */
  onUnavailable?: (reason: string) => void;
}

/** Server-side speech for calls; screens fall back to browser speech when it cannot say a call. */
export interface Voice {
  /** False once espeak-ng was found missing and the recordings do not cover the hall's segments. */
  readonly available: boolean;
  /** espeak-ng processes started so far (segment renders and the version check). */
  readonly processes: number;
  /** Runs `espeak-ng --version` once; resolves to whether espeak-ng is there. */
  check(): Promise<boolean>;
  /**
   * Make `ids` the segments to keep ready: reads the recordings and the disk cache (resolves
   * then), and renders what is missing in the background. Call at start and whenever the
   * catalogue changes (new ticket series letters); the recordings folder is read again.
   */
  load(ids: readonly string[]): Promise<void>;
  /** Resolves once every segment of `plan` is in memory (missing ones rendered first). */
  ready(plan: SegmentPlan): Promise<void>;
  /** Whether the voice can say `plan` at all (segments loaded, or espeak-ng there to make them). */
  canSay(plan: SegmentPlan): boolean;
  /** Stable 32-hex key of the audio `plan` gives with the current segments and gaps. */
  key(plan: SegmentPlan): string;
  /**
   * The call's WAV as buffers to write in order (header, segments, shared silences: nothing
   * copied), or undefined while one of its segments is not in memory. Synchronous.
   */
  parts(plan: SegmentPlan): Buffer[] | undefined;
  /** The call's WAV as one buffer (`parts` joined), or undefined like `parts`. */
  assemble(plan: SegmentPlan): Buffer | undefined;
  /** A segment in memory (16-bit mono PCM at SAMPLE_RATE, edges trimmed) and where it came from. */
  segment(id: string): { pcm: Buffer; source: "recorded" | "espeak" } | undefined;
  /** Path of the ding-dong WAV played before a call (written on first use). */
  chime(): string;
  /** Stops starting renders and waits for those running. */
  close(): Promise<void>;
}

/** Bumped when the way segments are cut or joined changes, so every call key changes. */
const ASSEMBLY_VERSION = 1;
/** Synthesis is background work: it runs niced so calls and screens never wait for it. */
const SYNTH_NICENESS = 10;

interface Segment {
  pcm: Buffer;
  key: string;
  source: "recorded" | "espeak";
}

export function createVoice(options: VoiceOptions): Voice {
  const espeak = options.espeakPath ?? "espeak-ng";
  const speed = options.speed ?? 140;
  const run = options.runner ?? execFileRunner;
  const log = options.log ?? (() => {});
  const segmentsDir = options.segmentsDir ?? join(options.dir, "segments");
  const concurrency = Math.max(1, options.concurrency ?? 2);
  // Shared by every call: silence is never copied, only written.
  const wordGap = Buffer.alloc(silenceBytes(options.wordGapMs ?? 30));
  const phraseGap = Buffer.alloc(silenceBytes(options.phraseGapMs ?? 180));
  mkdirSync(options.dir, { recursive: true });
  mkdirSync(segmentsDir, { recursive: true });

  const segments = new Map<string, Segment>();
  const rendering = new Map<
    string,
    { promise: Promise<void>; start: () => void; cancel: (e: Error) => void; started: boolean }
  >();
  const queue: string[] = [];
  let active = 0;
  let processes = 0;
  let espeakOk: boolean | undefined;
  let checking: Promise<boolean> | undefined;
  let version = "";
  let useNice = options.nice ?? true;
  let wanted: readonly string[] = [];
  let closed = false;
  let chimeFile: string | undefined;
  const running = new Set<Promise<unknown>>();
  const keyMemo = new Map<string, string>();

  const missing = (reason: string): void => {
    if (espeakOk !== false) {
      espeakOk = false;
      options.onUnavailable?.(reason);
    }
  };

  const isMissing = (e: unknown): boolean => {
    const code = (e as NodeJS.ErrnoException).code as unknown;
    // Through `nice`, a missing program is nice's exit status 127 (126: not executable).
    return code === "ENOENT" || code === "EACCES" || code === 127 || code === 126;
  };

  async function espeakRun(args: string[]): Promise<string> {
    processes++;
    if (useNice) {
      try {
        return await run("nice", ["-n", String(SYNTH_NICENESS), espeak, ...args]);
      } catch (e) {
        // `nice` itself is missing: renice the child instead (execFileRunner does).
        if ((e as NodeJS.ErrnoException).code !== "ENOENT") throw e;
        useNice = false;
        processes++;
      }
    }
    return run(espeak, args);
  }

  function check(): Promise<boolean> {
    if (espeakOk !== undefined) return Promise.resolve(espeakOk);
    const c =
      checking ??
      espeakRun(["--version"]).then(
        (out): boolean => {
          // "eSpeak NG text-to-speech: 1.51  Data at: …": a new version re-renders every segment.
          version = out.split("\n")[0]?.trim() ?? "";
          espeakOk = true;
          return true;
        },
        (e): boolean => {
          if (isMissing(e)) {
            missing(`${espeak}: ${(e as NodeJS.ErrnoException).code}`);
            return false;
          }
          espeakOk = true; // it exists but --version failed: try to render anyway
          return true;
        },
      );
    checking = c;
    return c;
  }

  const synthKey = (def: SegmentDef): string =>
    createHash("sha256")
      .update(JSON.stringify([def.voice, def.ssml, speed, def.text, version]))
      .digest("hex")
      .slice(0, 32);

  const def = (id: string): SegmentDef => {
    const d = SEGMENTS.get(id);
    if (!d) throw new RangeError(`no segment ${id}`);
    return d;
  };

  /** Reads a recorded segment; undefined (and a log line) when absent or unusable. */
  async function loadRecorded(id: string, files: ReadonlySet<string>): Promise<Segment | undefined> {
    const dir = options.recordedDir;
    if (!dir || !files.has(`${id}.wav`)) return undefined;
    const name = `${id}.wav`;
    try {
      const bytes = await readFile(join(dir, name));
      const wav = parseWav(bytes);
      const pcm = trimSilence(toSegmentPcm(wav));
      if (!isCanonical(wav))
        log(`voice: recorded segment ${name} is ${describeFormat(wav)}; converted to ${SAMPLE_RATE} Hz mono 16-bit PCM`);
      if (pcm.length === 0) {
        log(`voice: recorded segment ${name} is silent; using espeak-ng for it`);
        return undefined;
      }
      const key = `r${createHash("sha256").update(bytes).digest("hex").slice(0, 31)}`;
      return { pcm: Buffer.from(pcm), key, source: "recorded" };
    } catch (e) {
      log(`voice: recorded segment ${name} rejected (${(e as Error).message}); using espeak-ng for it`);
      return undefined;
    }
  }

  /** Reads a synthesised segment from the disk cache. */
  async function loadCached(id: string): Promise<Segment | undefined> {
    const key = synthKey(def(id));
    try {
      const pcm = trimSilence(toSegmentPcm(parseWav(await readFile(join(segmentsDir, `${key}.wav`)))));
      return { pcm: Buffer.from(pcm), key, source: "espeak" };
    } catch {
      return undefined; // not rendered yet (or a damaged file, rendered again)
    }
  }

  async function renderOne(id: string): Promise<void> {
    const d = def(id);
    const key = synthKey(d);
    const file = join(segmentsDir, `${key}.wav`);
    // Write aside and rename, so a crash mid-synthesis never leaves a truncated segment.
    const tmp = join(segmentsDir, `${key}.${randomBytes(4).toString("hex")}.tmp`);
    try {
      await espeakRun(["-v", d.voice, "-s", String(speed), ...(d.ssml ? ["-m"] : []), "-w", tmp, d.text]);
      const pcm = trimSilence(toSegmentPcm(parseWav(await readFile(tmp))));
      if (pcm.length === 0) throw new Error("espeak-ng produced silence");
      await rename(tmp, file);
      // A recording loaded meanwhile wins.
      if (segments.get(id)?.source !== "recorded") segments.set(id, { pcm: Buffer.from(pcm), key, source: "espeak" });
    } catch (e) {
      await unlink(tmp).catch(() => {});
      if (isMissing(e)) {
        missing(`${espeak}: ${(e as NodeJS.ErrnoException).code}`);
        throw new DeviceError("OFFLINE", "espeak-ng not available");
      }
      log(`voice: rendering segment ${id} failed: ${(e as Error).message}`);
      throw new DeviceError("ERROR", "speech synthesis failed");
    }
  }

  function pump(): void {
    while (!closed && active < concurrency && queue.length) {
      const id = queue.shift() as string;
      const r = rendering.get(id);
      if (!r || r.started) continue;
      active++;
      r.start();
    }
  }

  /** The render of segment `id`, queued (at the front when `urgent`) unless in memory or under way. */
  function render(id: string, urgent: boolean): Promise<void> {
    if (segments.has(id)) return Promise.resolve();
    const existing = rendering.get(id);
    if (existing) {
      const at = queue.indexOf(id);
      if (urgent && at > 0) {
        queue.splice(at, 1);
        queue.unshift(id);
      }
      return existing.promise;
    }
    if (closed) return Promise.reject(new DeviceError("OFFLINE", "voice is closed"));
    if (espeakOk === false) return Promise.reject(new DeviceError("OFFLINE", "espeak-ng not available"));
    let start!: () => void;
    let cancel!: (e: Error) => void;
    const promise = new Promise<void>((resolve, reject) => {
      cancel = reject;
      start = () => {
        entry.started = true;
        const job = check()
          .then((ok) => {
            if (!ok) throw new DeviceError("OFFLINE", "espeak-ng not available");
            return renderOne(id);
          })
          .then(resolve, reject)
          .finally(() => {
            active--;
            rendering.delete(id);
            running.delete(job);
            pump();
          });
        running.add(job);
      };
    });
    const entry = { promise, start, cancel, started: false };
    rendering.set(id, entry);
    if (urgent) queue.unshift(id);
    else queue.push(id);
    pump();
    return promise;
  }

  /** Drops cached renders no segment of this espeak-ng version and rate uses any more. */
  async function pruneCache(): Promise<void> {
    const current = new Set([...SEGMENTS.values()].map((d) => `${synthKey(d)}.wav`));
    let names: string[];
    try {
      names = await readdir(segmentsDir);
    } catch {
      return;
    }
    for (const n of names)
      if (/^[0-9a-f]{32}\.wav$/.test(n) && !current.has(n)) await unlink(join(segmentsDir, n)).catch(() => {});
  }

  const ids = (plan: SegmentPlan): string[] => plan.flat();

  function parts(plan: SegmentPlan): Buffer[] | undefined {
    const phrases: Buffer[][] = [];
    for (const phrase of plan) {
      const p: Buffer[] = [];
      for (const id of phrase) {
        const seg = segments.get(id);
        if (!seg) return undefined;
        p.push(seg.pcm);
      }
      phrases.push(p);
    }
    return wavParts(phrases, wordGap, phraseGap);
  }

  return {
    get available() {
      if (espeakOk !== false) return true;
      return wanted.length > 0 && wanted.every((id) => segments.get(id)?.source === "recorded");
    },

    get processes() {
      return processes;
    },

    check,

    async load(list) {
      wanted = [...list];
      await check();
      // Recordings may change below, and with them the keys.
      keyMemo.clear();
      let files = new Set<string>();
      if (options.recordedDir) {
        try {
          files = new Set(await readdir(options.recordedDir));
        } catch (e) {
          log(`voice: recorded segments folder ${options.recordedDir} cannot be read (${(e as Error).message}); using espeak-ng`);
        }
        const known = new Set([...SEGMENTS.keys()].map((id) => `${id}.wav`));
        const unknown = [...files].filter((f) => f.endsWith(".wav") && !known.has(f));
        if (unknown.length) log(`voice: recorded files that are no segment (see docs/voice.md), ignored: ${unknown.join(", ")}`);
      }
      // Recordings may have been added, replaced or removed: read every wanted segment again.
      const loaded = await Promise.all(
        wanted.map(async (id) => [id, (await loadRecorded(id, files)) ?? (await loadCached(id))] as const),
      );
      for (const [id, seg] of loaded) {
        if (seg) segments.set(id, seg);
        else if (segments.get(id)?.source === "recorded") segments.delete(id);
      }
      const recorded = loaded.filter(([, s]) => s?.source === "recorded").length;
      const toRender = wanted.filter((id) => !segments.has(id));
      log(
        `voice: ${wanted.length} segments (${recorded} recorded, ${wanted.length - recorded - toRender.length} synthesised from cache, ${toRender.length} to render${espeakOk === false ? " — espeak-ng missing, cannot" : ""})`,
      );
      if (espeakOk !== false) {
        for (const id of toRender)
          render(id, false).catch(() => {
            // Logged by renderOne; a call that needs it asks again.
          });
        await pruneCache();
      }
    },

    async ready(plan) {
      await Promise.all(ids(plan).map((id) => render(id, true)));
    },

    canSay(plan) {
      return espeakOk !== false || ids(plan).every((id) => segments.has(id));
    },

    key(plan) {
      // On the broadcast path of every call: remember keys (hashing costs ~15 µs, a lookup 0.3).
      const memo = plan.map((p) => p.join(" ")).join("|");
      const known = keyMemo.get(memo);
      if (known) return known;
      const keys = plan.map((phrase) => phrase.map((id) => segments.get(id)?.key ?? synthKey(def(id))));
      const key = createHash("sha256")
        .update(JSON.stringify([ASSEMBLY_VERSION, SAMPLE_RATE, wordGap.length, phraseGap.length, keys]))
        .digest("hex")
        .slice(0, 32);
      if (keyMemo.size >= 10_000) keyMemo.clear();
      keyMemo.set(memo, key);
      return key;
    },

    parts,

    assemble(plan) {
      const p = parts(plan);
      return p && Buffer.concat(p);
    },

    segment(id) {
      const s = segments.get(id);
      return s && { pcm: s.pcm, source: s.source };
    },

    chime() {
      if (chimeFile && existsSync(chimeFile)) return chimeFile;
      const file = join(options.dir, "chime.wav");
      if (!existsSync(file)) writeFileSync(file, chimeWav());
      chimeFile = file;
      return file;
    },

    async close() {
      closed = true;
      for (const id of queue.splice(0)) {
        const r = rendering.get(id);
        rendering.delete(id);
        if (!r) continue;
        // Nobody waits for a background render; a call waiting gets its error.
        r.promise.catch(() => {});
        r.cancel(new DeviceError("OFFLINE", "voice is closed"));
      }
      await Promise.allSettled([...running]);
    },
  };
}

/** Resolves with stdout; the child is reniced when it was not started through `nice`. */
const execFileRunner: ProgramRunner = (file, args) =>
  new Promise((resolve, reject) => {
    const child = execFile(file, [...args], { timeout: 15_000 }, (err, stdout) => (err ? reject(err) : resolve(stdout)));
    if (file === "nice") return;
    try {
      if (child.pid !== undefined) setPriority(child.pid, SYNTH_NICENESS);
    } catch {
      // Not allowed to renice (or the process is already gone): run at normal priority.
    }
  });

/**
 * Writes `parts` one after the other (one vectored write, no joined copy) to `file` through a
 * temporary name, so a reader never sees half a file.
 */
export async function writeFileAtomic(file: string, parts: readonly Buffer[]): Promise<void> {
  const tmp = `${file}.${randomBytes(4).toString("hex")}.tmp`;
  try {
    const fh = await open(tmp, "w");
    try {
      let left = parts.reduce((n, b) => n + b.length, 0);
      let rest = [...parts];
      // writev may write less than asked (a signal, a full pipe): go on from where it stopped.
      while (left > 0) {
        const { bytesWritten } = await fh.writev(rest);
        left -= bytesWritten;
        rest = skipBytes(rest, bytesWritten);
      }
    } finally {
      await fh.close();
    }
    await rename(tmp, file);
  } catch (e) {
    await unlink(tmp).catch(() => {});
    throw e;
  }
}

function skipBytes(parts: readonly Buffer[], n: number): Buffer[] {
  const out: Buffer[] = [];
  let skip = n;
  for (const p of parts) {
    if (skip >= p.length) skip -= p.length;
    else {
      out.push(skip ? p.subarray(skip) : p);
      skip = 0;
    }
  }
  return out;
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
