/**
 * WAV in and out — pure, no I/O. Every segment a call is assembled from is kept in one
 * format (espeak-ng's own: 22,050 Hz, mono, 16-bit PCM), so a call is a plain
 * concatenation of sample buffers under one RIFF header.
 */

/** The one sample format of segments and assembled calls. */
export const SAMPLE_RATE = 22_050;
export const CHANNELS = 1;
export const BYTES_PER_SAMPLE = 2;
export const WAV_HEADER_BYTES = 44;

/** The 44-byte RIFF/WAVE header of 16-bit PCM. */
export function wavHeader(sampleRate: number, channels: number, dataBytes: number): Buffer {
  const h = Buffer.alloc(WAV_HEADER_BYTES);
  writeWavHeader(h, sampleRate, channels, dataBytes);
  return h;
}

/** Writes the 44-byte 16-bit PCM header at the start of `h` (which is at least that long). */
export function writeWavHeader(h: Buffer, sampleRate: number, channels: number, dataBytes: number): void {
  const bits = 16;
  const blockAlign = (channels * bits) / 8;
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
}

/** What a WAV file holds, as read from its chunks. */
export interface WavData {
  /** 1 = integer PCM, 3 = IEEE float (WAVE_FORMAT_EXTENSIBLE is resolved to its subformat). */
  format: number;
  channels: number;
  sampleRate: number;
  bitsPerSample: number;
  /** The `data` chunk's bytes (a view into the input). */
  data: Buffer;
}

/** Thrown for a file that is not a WAV we can read, with a reason fit for a log line. */
export class WavError extends Error {}

/**
 * Reads a RIFF/WAVE file chunk by chunk (recorders add LIST, bext, fact … chunks before
 * `data`; espeak-ng writes a data size of 0x7fffffff when it streams, so the size is
 * clamped to what the file holds).
 */
export function parseWav(buf: Buffer): WavData {
  if (buf.length < 12 || buf.toString("ascii", 0, 4) !== "RIFF" || buf.toString("ascii", 8, 12) !== "WAVE")
    throw new WavError("not a RIFF/WAVE file");
  let fmt: Omit<WavData, "data"> | undefined;
  let off = 12;
  while (off + 8 <= buf.length) {
    const id = buf.toString("ascii", off, off + 4);
    const size = buf.readUInt32LE(off + 4);
    const body = off + 8;
    if (id === "fmt ") {
      if (size < 16 || body + 16 > buf.length) throw new WavError("fmt chunk too short");
      let format = buf.readUInt16LE(body);
      // WAVE_FORMAT_EXTENSIBLE: the real format is the first two bytes of the subformat GUID.
      if (format === 0xfffe && size >= 40 && body + 26 <= buf.length) format = buf.readUInt16LE(body + 24);
      fmt = {
        format,
        channels: buf.readUInt16LE(body + 2),
        sampleRate: buf.readUInt32LE(body + 4),
        bitsPerSample: buf.readUInt16LE(body + 14),
      };
    } else if (id === "data") {
      if (!fmt) throw new WavError("data chunk before fmt chunk");
      return { ...fmt, data: buf.subarray(body, Math.min(buf.length, body + size)) };
    }
    off = body + size + (size % 2); // chunks are word-aligned
  }
  throw new WavError(fmt ? "no data chunk" : "no fmt chunk");
}

/** "22050 Hz mono 16-bit PCM" — for log lines. */
export function describeFormat(w: Omit<WavData, "data">): string {
  const ch = w.channels === 1 ? "mono" : w.channels === 2 ? "stereo" : `${w.channels} channels`;
  const kind = w.format === 1 ? "PCM" : w.format === 3 ? "float" : `format ${w.format}`;
  return `${w.sampleRate} Hz ${ch} ${w.bitsPerSample}-bit ${kind}`;
}

/** Does the file already have the segment format (no conversion needed)? */
export function isCanonical(w: Omit<WavData, "data">): boolean {
  return w.format === 1 && w.channels === CHANNELS && w.sampleRate === SAMPLE_RATE && w.bitsPerSample === 16;
}

/**
 * The samples of a WAV as 16-bit mono PCM at SAMPLE_RATE: channels are averaged, 8/24/32-bit
 * integer and 32/64-bit float samples scaled, other rates resampled linearly (good enough
 * for speech, and done once per segment, never per call). Throws WavError for encodings
 * that are not plain PCM or float (µ-law, ADPCM, MP3-in-WAV …).
 */
export function toSegmentPcm(w: WavData): Buffer {
  const { format, channels, bitsPerSample: bits, sampleRate } = w;
  if (channels < 1 || sampleRate < 1000) throw new WavError(`unusable format ${describeFormat(w)}`);
  const read = sampleReader(format, bits);
  if (!read) throw new WavError(`unsupported encoding ${describeFormat(w)} (use PCM or float)`);
  if (isCanonical(w)) return Buffer.from(w.data.subarray(0, w.data.length - (w.data.length % 2)));
  const bytes = bits / 8;
  const frames = Math.floor(w.data.length / (bytes * channels));
  const mono = new Float64Array(frames);
  for (let f = 0; f < frames; f++) {
    let sum = 0;
    for (let c = 0; c < channels; c++) sum += read(w.data, (f * channels + c) * bytes);
    mono[f] = sum / channels;
  }
  const outFrames = sampleRate === SAMPLE_RATE ? frames : Math.floor((frames * SAMPLE_RATE) / sampleRate);
  const out = Buffer.alloc(outFrames * 2);
  const step = sampleRate / SAMPLE_RATE;
  for (let i = 0; i < outFrames; i++) {
    const pos = i * step;
    const j = Math.floor(pos);
    const a = mono[j] ?? 0;
    const b = mono[j + 1] ?? a;
    const v = a + (b - a) * (pos - j);
    out.writeInt16LE(Math.max(-32768, Math.min(32767, Math.round(v * 32768))), i * 2);
  }
  return out;
}

/** A reader of one sample at a byte offset, as a float in [-1, 1]; undefined when unsupported. */
function sampleReader(format: number, bits: number): ((b: Buffer, o: number) => number) | undefined {
  if (format === 1) {
    if (bits === 8) return (b, o) => ((b[o] as number) - 128) / 128;
    if (bits === 16) return (b, o) => b.readInt16LE(o) / 32768;
    if (bits === 24) return (b, o) => b.readIntLE(o, 3) / 8_388_608;
    if (bits === 32) return (b, o) => b.readInt32LE(o) / 2_147_483_648;
  }
  if (format === 3) {
    if (bits === 32) return (b, o) => b.readFloatLE(o);
    if (bits === 64) return (b, o) => b.readDoubleLE(o);
  }
  return undefined;
}

/**
 * Cut the near-silence off both ends of 16-bit mono PCM, keeping `marginMs` so consonants
 * are not clipped. espeak-ng ends each utterance with a long pause and recordings start
 * and end with room noise; the gaps between words are then the assembler's to choose.
 * Returns a view into `pcm` (or an empty buffer when all of it is silence).
 */
export function trimSilence(pcm: Buffer, threshold = 300, marginMs = 10): Buffer {
  const n = Math.floor(pcm.length / 2);
  let first = 0;
  while (first < n && Math.abs(pcm.readInt16LE(first * 2)) <= threshold) first++;
  if (first === n) return pcm.subarray(0, 0);
  let last = n - 1;
  while (last > first && Math.abs(pcm.readInt16LE(last * 2)) <= threshold) last--;
  const margin = Math.round((SAMPLE_RATE * marginMs) / 1000);
  return pcm.subarray(Math.max(0, first - margin) * 2, Math.min(n, last + 1 + margin) * 2);
}

/** Bytes of `ms` of silence in the segment format (whole samples). */
export function silenceBytes(ms: number): number {
  return Math.round((SAMPLE_RATE * ms) / 1000) * BYTES_PER_SAMPLE;
}

/**
 * One WAV from phrases of PCM parts, as a list of buffers to write one after the other: a
 * 44-byte header, then the parts with `wordGap` of silence between the parts of a phrase
 * and `phraseGap` between phrases. The parts and gaps are the caller's own buffers (no
 * copy): this is all a call costs once its segments are in memory, and it allocates only
 * the header, so a busy hall does not churn hundreds of KB per call through the GC.
 */
export function wavParts(phrases: readonly (readonly Buffer[])[], wordGap: Buffer, phraseGap: Buffer): Buffer[] {
  const out: Buffer[] = [];
  let data = 0;
  phrases.forEach((parts, p) => {
    if (p > 0 && phraseGap.length) {
      out.push(phraseGap);
      data += phraseGap.length;
    }
    parts.forEach((part, i) => {
      if (i > 0 && wordGap.length) {
        out.push(wordGap);
        data += wordGap.length;
      }
      out.push(part);
      data += part.length;
    });
  });
  out.unshift(wavHeader(SAMPLE_RATE, CHANNELS, data));
  return out;
}

/** The same WAV as one buffer (`wavParts` joined). */
export function concatWav(phrases: readonly (readonly Buffer[])[], wordGap: number, phraseGap: number): Buffer {
  return Buffer.concat(wavParts(phrases, Buffer.alloc(wordGap), Buffer.alloc(phraseGap)));
}
