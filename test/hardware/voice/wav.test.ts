import { describe, expect, it } from "vitest";
import {
  concatWav,
  parseWav,
  SAMPLE_RATE,
  silenceBytes,
  toSegmentPcm,
  trimSilence,
  WAV_HEADER_BYTES,
  WavError,
  wavHeader,
} from "../../../hardware/voice/wav.ts";

/** A WAV with an arbitrary fmt, optionally a LIST chunk before data (as recorders write). */
function wavFile(o: { format: number; channels: number; rate: number; bits: number; data: Buffer; list?: boolean }): Buffer {
  const fmt = Buffer.alloc(24);
  fmt.write("fmt ", 0, "ascii");
  fmt.writeUInt32LE(16, 4);
  fmt.writeUInt16LE(o.format, 8);
  fmt.writeUInt16LE(o.channels, 10);
  fmt.writeUInt32LE(o.rate, 12);
  fmt.writeUInt32LE((o.rate * o.channels * o.bits) / 8, 16);
  fmt.writeUInt16LE((o.channels * o.bits) / 8, 20);
  fmt.writeUInt16LE(o.bits, 22);
  const list = Buffer.concat([Buffer.from("LIST"), Buffer.from([5, 0, 0, 0]), Buffer.from("INFOx"), Buffer.from([0])]);
  const dataHead = Buffer.alloc(8);
  dataHead.write("data", 0, "ascii");
  dataHead.writeUInt32LE(o.data.length, 4);
  const body = Buffer.concat([Buffer.from("WAVE"), fmt, ...(o.list ? [list] : []), dataHead, o.data]);
  const head = Buffer.alloc(8);
  head.write("RIFF", 0, "ascii");
  head.writeUInt32LE(body.length, 4);
  return Buffer.concat([head, body]);
}

function int16(samples: number[]): Buffer {
  const b = Buffer.alloc(samples.length * 2);
  samples.forEach((s, i) => {
    b.writeInt16LE(s, i * 2);
  });
  return b;
}

describe("hardware/voice/wav parseWav", () => {
  it("finds fmt and data past other chunks", () => {
    const data = int16([1, -2, 3]);
    const w = parseWav(wavFile({ format: 1, channels: 1, rate: 22050, bits: 16, data, list: true }));
    expect(w).toMatchObject({ format: 1, channels: 1, sampleRate: 22050, bitsPerSample: 16 });
    expect(w.data.equals(data)).toBe(true);
  });

  it("refuses what is not a WAV", () => {
    expect(() => parseWav(Buffer.from("ID3 not a wav at all"))).toThrow(WavError);
    expect(() => parseWav(Buffer.concat([Buffer.from("RIFF\0\0\0\0WAVE")]))).toThrow(/no fmt chunk/);
  });
});

describe("hardware/voice/wav toSegmentPcm", () => {
  it("keeps 22 050 Hz mono 16-bit as it is", () => {
    const data = int16([100, -100, 2000]);
    const pcm = toSegmentPcm(parseWav(wavFile({ format: 1, channels: 1, rate: SAMPLE_RATE, bits: 16, data })));
    expect(pcm.equals(data)).toBe(true);
  });

  it("averages stereo and halves 44 100 Hz", () => {
    // Left 1000, right 3000 for 100 frames: mono 2000, 50 frames.
    const frames = Array.from({ length: 100 }, () => [1000, 3000]).flat();
    const pcm = toSegmentPcm(parseWav(wavFile({ format: 1, channels: 2, rate: 44_100, bits: 16, data: int16(frames) })));
    expect(pcm.length).toBe(50 * 2);
    for (let i = 0; i < 50; i++) expect(Math.abs(pcm.readInt16LE(i * 2) - 2000)).toBeLessThanOrEqual(1);
  });

  it("scales 8-bit, 24-bit and float samples", () => {
    const u8 = toSegmentPcm(
      parseWav(wavFile({ format: 1, channels: 1, rate: SAMPLE_RATE, bits: 8, data: Buffer.from([128, 192, 64]) })),
    );
    expect([u8.readInt16LE(0), u8.readInt16LE(2), u8.readInt16LE(4)]).toEqual([0, 16384, -16384]);
    const b24 = Buffer.alloc(3);
    b24.writeIntLE(-4_194_304, 0, 3); // -0.5
    expect(
      toSegmentPcm(parseWav(wavFile({ format: 1, channels: 1, rate: SAMPLE_RATE, bits: 24, data: b24 }))).readInt16LE(0),
    ).toBe(-16384);
    const f32 = Buffer.alloc(4);
    f32.writeFloatLE(0.25, 0);
    expect(
      toSegmentPcm(parseWav(wavFile({ format: 3, channels: 1, rate: SAMPLE_RATE, bits: 32, data: f32 }))).readInt16LE(0),
    ).toBe(8192);
  });

  it("rejects compressed encodings with a reason", () => {
    const mulaw = parseWav(wavFile({ format: 7, channels: 1, rate: 8000, bits: 8, data: Buffer.alloc(10) }));
    expect(() => toSegmentPcm(mulaw)).toThrow(/unsupported encoding 8000 Hz mono 8-bit format 7/);
  });
});

describe("hardware/voice/wav trimSilence", () => {
  it("cuts quiet edges and keeps a 10 ms margin", () => {
    const margin = Math.round(SAMPLE_RATE * 0.01);
    const samples = [...Array(1000).fill(0), ...Array(500).fill(5000), ...Array(2000).fill(20)];
    const out = trimSilence(int16(samples));
    expect(out.length / 2).toBe(500 + 2 * margin);
    expect(trimSilence(int16(Array(100).fill(0))).length).toBe(0);
  });
});

describe("hardware/voice/wav concatWav", () => {
  it("writes one header over parts and zeroed gaps", () => {
    const a = int16([1, 2]);
    const b = int16([3]);
    const c = int16([4, 5, 6]);
    const word = silenceBytes(1); // 22 samples
    const phrase = silenceBytes(2);
    const wav = concatWav([[a, b], [c]], word, phrase);
    const dataBytes = a.length + b.length + c.length + word + phrase;
    expect(wav.length).toBe(WAV_HEADER_BYTES + dataBytes);
    expect(wav.subarray(0, WAV_HEADER_BYTES).equals(wavHeader(SAMPLE_RATE, 1, dataBytes))).toBe(true);
    const w = parseWav(wav);
    expect(w.data.length).toBe(dataBytes);
    expect(w.data.subarray(0, 4).equals(a)).toBe(true);
    expect(w.data.subarray(4, 4 + word).every((x) => x === 0)).toBe(true);
    expect(w.data.subarray(4 + word, 6 + word).equals(b)).toBe(true);
    expect(w.data.subarray(6 + word + phrase).equals(c)).toBe(true);
  });
});
