import { execFile } from "node:child_process";
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { callPlan, SEGMENTS } from "../../../hardware/voice/segments.ts";
import { CHIME_SAMPLE_RATE, chimeWav, createVoice, type ProgramRunner } from "../../../hardware/voice/tts.ts";
import { parseWav, SAMPLE_RATE, silenceBytes, WAV_HEADER_BYTES, wavHeader } from "../../../hardware/voice/wav.ts";

let dir: string;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), "onevisit-voice-"));
});
afterEach(() => {
  rmSync(dir, { recursive: true, force: true });
});

/** The real execFile, recording every process started and the most ever running at once. */
function countingRunner(fakeVersion?: string): { runner: ProgramRunner; runs: string[][]; maxInFlight: () => number } {
  const runs: string[][] = [];
  let inFlight = 0;
  let max = 0;
  const runner: ProgramRunner = (file, args) => {
    runs.push([file, ...args]);
    if (fakeVersion && args.includes("--version")) return Promise.resolve(`${fakeVersion}\n`);
    inFlight++;
    max = Math.max(max, inFlight);
    return new Promise<string>((resolve, reject) => {
      execFile(file, [...args], { timeout: 15_000 }, (err, stdout) => (err ? reject(err) : resolve(stdout)));
    }).finally(() => inFlight--);
  };
  return { runner, runs, maxInFlight: () => max };
}

/** espeak-ng renders of segments (not the version check). */
const renders = (runs: string[][]) => runs.filter((r) => r.includes("-w"));

/** The segments of "请A001号到3号窗口办理". */
const CALL = callPlan("A001", 3, "zh");
const CALL_IDS = [...new Set(CALL.flat())];

/** A 16-bit PCM WAV of a tone, in any rate and channel count (a recording). */
function toneWav(rate: number, channels: number, seconds: number, freq = 440): Buffer {
  const frames = Math.round(rate * seconds);
  const data = Buffer.alloc(frames * channels * 2);
  for (let i = 0; i < frames; i++)
    for (let c = 0; c < channels; c++)
      data.writeInt16LE(Math.round(12_000 * Math.sin((2 * Math.PI * freq * i) / rate)), (i * channels + c) * 2);
  return Buffer.concat([wavHeader(rate, channels, data.length), data]);
}

describe("hardware/voice/tts segments", () => {
  it("renders each segment once with espeak-ng, niced, at most two at a time, and caches it on disk", async () => {
    const { runner, runs, maxInFlight } = countingRunner();
    const logs: string[] = [];
    const voice = createVoice({ dir, runner, log: (l) => logs.push(l) });
    await voice.load(CALL_IDS);
    await voice.ready(CALL);

    const r = renders(runs);
    expect(r).toHaveLength(CALL_IDS.length);
    for (const run of r) {
      // nice -n 10 espeak-ng -v cmn-latn-pinyin -s 140 -w <tmp> <text>
      expect(run.slice(0, 6)).toEqual(["nice", "-n", "10", "espeak-ng", "-v", "cmn-latn-pinyin"]);
    }
    expect(r.map((x) => x.at(-1)).sort()).toEqual(CALL_IDS.map((id) => SEGMENTS.get(id)?.text).sort());
    expect(maxInFlight()).toBeLessThanOrEqual(2);
    expect(voice.processes).toBe(runs.length);

    // espeak-ng really spoke: each segment is sound in the one segment format, not silence.
    const cached = readdirSync(join(dir, "segments"));
    expect(cached).toHaveLength(CALL_IDS.length);
    for (const f of cached) {
      expect(f).toMatch(/^[0-9a-f]{32}\.wav$/);
      const w = parseWav(readFileSync(join(dir, "segments", f)));
      expect(w).toMatchObject({ format: 1, channels: 1, sampleRate: SAMPLE_RATE, bitsPerSample: 16 });
    }
    for (const id of CALL_IDS) {
      const s = voice.segment(id);
      expect(s?.source).toBe("espeak");
      // A syllable lasts a tenth of a second at least, and has been cut to under 1.5 s.
      expect(s?.pcm.length).toBeGreaterThan(SAMPLE_RATE * 0.1 * 2);
      expect(s?.pcm.length).toBeLessThan(SAMPLE_RATE * 1.5 * 2);
      let peak = 0;
      for (let i = 0; i < (s?.pcm.length ?? 0); i += 2) peak = Math.max(peak, Math.abs(s?.pcm.readInt16LE(i) ?? 0));
      expect(peak).toBeGreaterThan(3000);
    }
    expect(logs.join("\n")).toContain(`${CALL_IDS.length} to render`);
    await voice.close();

    // A restart on the same cache renders nothing: only the version check runs.
    const second = countingRunner();
    const again = createVoice({ dir, runner: second.runner });
    await again.load(CALL_IDS);
    await again.ready(CALL);
    expect(second.runs.map((x) => x.slice(3))).toEqual([["espeak-ng", "--version"]]);
    expect(again.assemble(CALL)?.equals(voice.assemble(CALL) as Buffer)).toBe(true);
    expect(again.key(CALL)).toBe(voice.key(CALL));
    await again.close();
  });

  it("renders again when espeak-ng's version changes, and drops the old renders", async () => {
    const first = countingRunner("eSpeak NG text-to-speech: 1.50");
    const ids = ["zh-qing", "zh-hao"];
    const v1 = createVoice({ dir, runner: first.runner });
    await v1.load(ids);
    await v1.ready([ids]);
    await v1.close();
    const before = readdirSync(join(dir, "segments")).sort();

    const second = countingRunner("eSpeak NG text-to-speech: 1.52");
    const v2 = createVoice({ dir, runner: second.runner });
    await v2.load(ids);
    await v2.ready([ids]);
    expect(renders(second.runs)).toHaveLength(2);
    expect(v2.key([ids])).not.toBe(v1.key([ids]));
    await v2.close();
    const after = readdirSync(join(dir, "segments")).filter((f) => f.endsWith(".wav"));
    expect(after.some((f) => before.includes(f))).toBe(false);
    expect(after).toHaveLength(2);
  });

  it("speaks English segments with the en voice, letters through SSML", async () => {
    const { runner, runs } = countingRunner();
    const voice = createVoice({ dir, runner });
    const plan = callPlan("B1", 12, "en");
    await voice.load(plan.flat());
    await voice.ready(plan);
    const r = renders(runs);
    expect(r.map((x) => x.at(-1)).sort()).toEqual(
      ["Ticket", "one", "please go to counter", "twelve", '<speak><say-as interpret-as="characters">B</say-as></speak>'].sort(),
    );
    for (const x of r) expect(x.slice(4, 6)).toEqual(["-v", "en"]);
    expect(r.find((x) => x.at(-1)?.startsWith("<speak>"))).toContain("-m");
    expect(parseWav(voice.assemble(plan) as Buffer).data.length).toBeGreaterThan(SAMPLE_RATE * 2);
    await voice.close();
  });
});

describe("hardware/voice/tts assemble", () => {
  it("assembles calls without starting a process: one RIFF header, segments and gaps", async () => {
    const { runner, runs } = countingRunner();
    const ids = [
      ...new Set(["zh-qing", "zh-A", "zh-hao", "zh-dao", "zh-haochuangkou", "zh-banli", "zh-shi", "zh-yi4", "zh-bai", "zh-qian"]),
    ];
    for (let d = 0; d <= 9; d++) ids.push(`zh-${d}`);
    const voice = createVoice({ dir, runner, wordGapMs: 25, phraseGapMs: 200 });
    await voice.load(ids);
    await voice.ready([ids]);
    const processes = runs.length;

    for (let n = 1; n <= 200; n++) {
      const plan = callPlan(`A${String(n).padStart(3, "0")}`, (n * 7) % 150 || 1, "zh");
      const wav = voice.assemble(plan);
      if (!wav) throw new Error("not assembled");
      const w = parseWav(wav);
      expect(w).toMatchObject({ format: 1, channels: 1, sampleRate: SAMPLE_RATE, bitsPerSample: 16 });
      expect(wav.readUInt32LE(4)).toBe(wav.length - 8);
      const segs = plan.flat().map((id) => voice.segment(id)?.pcm as Buffer);
      const words = plan.reduce((s, p) => s + p.length - 1, 0);
      const expected = segs.reduce((s, b) => s + b.length, 0) + words * silenceBytes(25) + (plan.length - 1) * silenceBytes(200);
      expect(w.data.length).toBe(expected);
      expect(wav.length).toBe(WAV_HEADER_BYTES + expected);
      // It opens with 请, then 200 ms of silence, then the ticket's letter.
      const qing = segs[0] as Buffer;
      expect(w.data.subarray(0, qing.length).equals(qing)).toBe(true);
      const gap = w.data.subarray(qing.length, qing.length + silenceBytes(200));
      expect(gap.every((x) => x === 0)).toBe(true);
      const a = segs[1] as Buffer;
      expect(w.data.subarray(qing.length + gap.length, qing.length + gap.length + a.length).equals(a)).toBe(true);
    }
    expect(runs.length).toBe(processes);
    await voice.close();
  });

  it("gives no audio for a call whose segment is not in memory yet", async () => {
    const voice = createVoice({ dir, runner: countingRunner().runner });
    await voice.load(["zh-qing"]);
    expect(voice.assemble(CALL)).toBeUndefined();
    await voice.close();
    await expect(voice.ready(CALL)).rejects.toMatchObject({ code: "OFFLINE" });
  });
});

describe("hardware/voice/tts recorded segments", () => {
  it("replaces synthesised segments one by one, converting or rejecting formats with a log line", async () => {
    const rec = join(dir, "recorded");
    mkdirSync(rec);
    writeFileSync(join(rec, "zh-qing.wav"), toneWav(44_100, 2, 0.5)); // converted
    writeFileSync(join(rec, "zh-hao.wav"), toneWav(SAMPLE_RATE, 1, 0.3, 660)); // as is
    const mulaw = toneWav(8000, 1, 0.2);
    mulaw.writeUInt16LE(7, 20);
    writeFileSync(join(rec, "zh-A.wav"), mulaw); // rejected: espeak-ng says it
    writeFileSync(join(rec, "qing.wav"), toneWav(SAMPLE_RATE, 1, 0.1)); // no such segment
    const { runner, runs } = countingRunner();
    const logs: string[] = [];
    const voice = createVoice({ dir, runner, recordedDir: rec, log: (l) => logs.push(l) });
    await voice.load(CALL_IDS);
    await voice.ready(CALL);

    expect(voice.segment("zh-qing")?.source).toBe("recorded");
    expect(voice.segment("zh-hao")?.source).toBe("recorded");
    expect(voice.segment("zh-A")?.source).toBe("espeak");
    const spoken = renders(runs).map((r) => r.at(-1));
    expect(spoken).not.toContain("qing3");
    expect(spoken).not.toContain("hao4");
    expect(spoken).toContain("A");
    // 0.5 s at 44.1 kHz stereo → 0.5 s at 22.05 kHz mono (±10 ms trimmed margin).
    expect(Math.abs((voice.segment("zh-qing")?.pcm.length as number) / 2 - SAMPLE_RATE * 0.5)).toBeLessThan(SAMPLE_RATE * 0.02);
    const hao = toneWav(SAMPLE_RATE, 1, 0.3, 660).subarray(WAV_HEADER_BYTES);
    expect(hao.includes(voice.segment("zh-hao")?.pcm.subarray(100, 400) as Buffer)).toBe(true);

    const log = logs.join("\n");
    expect(log).toContain("recorded segment zh-qing.wav is 44100 Hz stereo 16-bit PCM; converted to 22050 Hz mono 16-bit PCM");
    expect(log).toMatch(
      /recorded segment zh-A\.wav rejected \(unsupported encoding 8000 Hz mono 16-bit format 7.*\); using espeak-ng/,
    );
    expect(log).toContain("no segment (see docs/voice.md), ignored: qing.wav");
    expect(log).toContain("2 recorded");

    // The call's audio differs from the all-synthesised one, so it gets a key of its own.
    const plain = createVoice({ dir, runner });
    await plain.load(CALL_IDS);
    await plain.ready(CALL);
    expect(plain.key(CALL)).not.toBe(voice.key(CALL));
    const wav = voice.assemble(CALL) as Buffer;
    expect(
      parseWav(wav)
        .data.subarray(0, 200)
        .equals(voice.segment("zh-qing")?.pcm.subarray(0, 200) as Buffer),
    ).toBe(true);
    await Promise.all([voice.close(), plain.close()]);
  });

  it("without espeak-ng: unavailable unless the recordings cover every segment", async () => {
    const reports: string[] = [];
    const missing = join(dir, "no-such-espeak-ng");
    const voice = createVoice({ dir, espeakPath: missing, onUnavailable: (r) => reports.push(r) });
    await voice.load(CALL_IDS);
    expect(voice.available).toBe(false);
    expect(voice.canSay(CALL)).toBe(false);
    await expect(voice.ready(CALL)).rejects.toMatchObject({ code: "OFFLINE" });
    expect(reports).toHaveLength(1);
    expect(reports[0]).toMatch(/no-such-espeak-ng: (127|ENOENT)/);
    await voice.close();

    const rec = join(dir, "recorded");
    mkdirSync(rec);
    CALL_IDS.forEach((id, i) => {
      writeFileSync(join(rec, `${id}.wav`), toneWav(16_000, 1, 0.2, 300 + 40 * i));
    });
    const recorded = createVoice({ dir, espeakPath: missing, recordedDir: rec });
    await recorded.load(CALL_IDS);
    expect(recorded.available).toBe(true);
    expect(recorded.canSay(CALL)).toBe(true);
    expect(parseWav(recorded.assemble(CALL) as Buffer).sampleRate).toBe(SAMPLE_RATE);
    await recorded.close();
  });
});

describe("hardware/voice/tts chime", () => {
  it("builds a 16-bit mono PCM WAV with a correct header", () => {
    const wav = chimeWav();
    const info = parseWav(wav);
    expect(info).toMatchObject({ format: 1, channels: 1, sampleRate: CHIME_SAMPLE_RATE, bitsPerSample: 16 });
    expect(wav.readUInt32LE(4)).toBe(wav.length - 8);
    expect(info.data.length).toBe(wav.length - WAV_HEADER_BYTES);
    // Three notes of 0.45 s.
    expect(info.data.length / (CHIME_SAMPLE_RATE * 2)).toBeCloseTo(1.35, 2);
    // Audible, not clipped: the loudest sample is well above silence and below full scale.
    let peak = 0;
    for (let i = WAV_HEADER_BYTES; i < wav.length; i += 2) peak = Math.max(peak, Math.abs(wav.readInt16LE(i)));
    expect(peak).toBeGreaterThan(8000);
    expect(peak).toBeLessThan(32767);
  });

  it("writes the chime file once and reuses it", () => {
    const voice = createVoice({ dir, espeakPath: join(dir, "missing") });
    const file = voice.chime();
    expect(readFileSync(file).equals(chimeWav())).toBe(true);
    const mtime = statSync(file).mtimeMs;
    expect(voice.chime()).toBe(file);
    expect(statSync(file).mtimeMs).toBe(mtime);
  });
});
