/**
 * `voice`: what a call's audio costs the hub. A (the hub's way since issue 9): the WAV is
 * assembled from word segments already in memory (`Voice.key` + `Voice.parts`, what
 * `Announcer.urlFor` and its write do per call), 1,000 varied calls per run, one per ms. B (baseline,
 * the way before): one espeak-ng synthesis of the whole sentence per call, niced, as
 * hardware/voice/tts.ts did until issue 9, 8 calls per run. Runs are interleaved A/B/A/B…
 * (7 pairs), so both see the same machine; each run's p99 is taken, the result is the
 * median of those p99s with their spread (min–max). Processes are counted by a wrapper
 * around the runner the voice is given, so "zero per call" is counted, not assumed.
 */
import { execFile } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { performance } from "node:perf_hooks";
import { callPlan, inventory } from "../hardware/voice/segments.ts";
import { toPinyinSpeech } from "../hardware/voice/text.ts";
import { createVoice, type ProgramRunner, writeFileAtomic } from "../hardware/voice/tts.ts";
import { demoCatalogue } from "../server/src/seed/demo-hall.ts";
import { type BenchResult, ms, say, sleep, summary } from "./lib.ts";

const PAIRS = 7;
const ASSEMBLED_PER_RUN = 1000;
const SYNTHESISED_PER_RUN = 8;
const WRITES_PER_RUN = 30;

export async function benchVoice(): Promise<BenchResult> {
  const dir = mkdtempSync(join(tmpdir(), "ov-bench-voice-"));
  let spawned = 0;
  const runner: ProgramRunner = (file, args) => {
    spawned++;
    return new Promise((resolve, reject) => {
      execFile(file, [...args], { timeout: 15_000 }, (err, stdout) => (err ? reject(err) : resolve(stdout)));
    });
  };
  const voice = createVoice({ dir, runner });
  try {
    const prefixes = demoCatalogue().queues.map((q) => q.prefix);
    const ids = inventory("zh", prefixes);
    const t0 = performance.now();
    await voice.load(ids);
    await voice.ready([ids]);
    const prepareMs = performance.now() - t0;
    const prepareProcesses = spawned;
    say(`voice: ${ids.length} segments rendered in ${prepareMs.toFixed(0)} ms (${prepareProcesses} processes, once)`);

    let call = 0;
    const nextCall = () => {
      call++;
      const prefix = prefixes[call % prefixes.length] as string;
      return { ticket: `${prefix}${String(call % 1000).padStart(3, "0")}`, counter: 1 + ((call * 37) % 195) };
    };

    const aP99: number[] = [];
    const aP50: number[] = [];
    const bP99: number[] = [];
    const bP50: number[] = [];
    let aProcesses = 0;
    let bProcesses = 0;
    let aCalls = 0;
    let bCalls = 0;
    let bytes = 0;
    const writes: number[] = [];
    for (let pair = 0; pair < PAIRS; pair++) {
      // A: assemble from segments in memory.
      const before = spawned;
      const lat: number[] = [];
      for (let i = 0; i < ASSEMBLED_PER_RUN; i++) {
        const c = nextCall();
        // One call per millisecond (faster than any hall), each after a wait, as in the hub
        // where a call is handled when its command arrives: a loop that never sleeps would
        // measure the scheduler taking the CPU away from a busy process, not the call.
        await sleep(1);
        const s = performance.now();
        const plan = callPlan(c.ticket, c.counter, "zh");
        voice.key(plan);
        const wav = voice.parts(plan);
        lat.push(performance.now() - s);
        if (!wav) throw new Error(`segment missing for ${c.ticket}`);
        bytes = wav.reduce((n, b) => n + b.length, 0);
      }
      // What follows a call in the hub, off the event loop: the vectored write to disk.
      for (let i = 0; i < WRITES_PER_RUN; i++) {
        const c = nextCall();
        const parts = voice.parts(callPlan(c.ticket, c.counter, "zh")) as Buffer[];
        const s = performance.now();
        await writeFileAtomic(join(dir, `a-${pair}-${i}.wav`), parts);
        writes.push(performance.now() - s);
      }
      aProcesses += spawned - before;
      aCalls += ASSEMBLED_PER_RUN;
      const a = summary(lat);
      aP99.push(a.p99);
      aP50.push(a.p50);

      // B: the old way, one niced espeak-ng per call.
      const synth: number[] = [];
      const b0 = spawned;
      for (let i = 0; i < SYNTHESISED_PER_RUN; i++) {
        const c = nextCall();
        const out = join(dir, `b-${pair}-${i}.wav`);
        const s = performance.now();
        await runner("nice", [
          "-n",
          "10",
          "espeak-ng",
          "-v",
          "cmn-latn-pinyin",
          "-s",
          "140",
          "-w",
          out,
          toPinyinSpeech({ ticketNumber: c.ticket, counterNumber: c.counter }),
        ]);
        synth.push(performance.now() - s);
      }
      bProcesses += spawned - b0;
      bCalls += SYNTHESISED_PER_RUN;
      const b = summary(synth);
      bP99.push(b.p99);
      bP50.push(b.p50);
      say(`voice: pair ${pair + 1}/${PAIRS}: assembled p99 ${ms(a.p99, 3)}, synthesised p99 ${ms(b.p99, 0)}`);
    }
    const med = (xs: number[]) => summary(xs).p50;
    const spread = (xs: number[], d: number) => `${Math.min(...xs).toFixed(d)}–${Math.max(...xs).toFixed(d)}`;
    const aMed = med(aP99);
    const bMed = med(bP99);
    return {
      rows: [
        {
          bench: "voice",
          metric: `assembling a call's WAV, p99 (median of ${PAIRS} runs)`,
          value: `${ms(aMed, 3)} (spread ${spread(aP99, 3)} ms)`,
          baseline: `${ms(bMed, 0)} (espeak-ng per call; spread ${spread(bP99, 0)} ms)`,
          target: "≤ 1 ms",
          pass: aMed <= 1,
        },
        {
          bench: "voice",
          metric: "processes started per call",
          value: `${aProcesses / aCalls} (${aProcesses} in ${aCalls} calls)`,
          baseline: `${bProcesses / bCalls} (${bProcesses} in ${bCalls} calls)`,
          target: "0",
          pass: aProcesses === 0,
        },
        {
          bench: "voice",
          metric: "writing a call's WAV to disk (thread pool, after the broadcast), p99",
          value: ms(summary(writes).p99, 2),
          baseline: "—",
          target: "info",
        },
      ],
      notes: [
        `voice: ${ids.length} segments of the demo hall (fixed words, digits, 十百千, its ${prefixes.length} series letters) rendered once in ${prepareMs.toFixed(0)} ms by ${prepareProcesses} niced espeak-ng processes (2 at a time; 1 is the version check), then cached on disk. ${PAIRS} interleaved pairs: A = ${ASSEMBLED_PER_RUN} calls assembled in memory, one per millisecond (segment plan + key + the WAV as header and segment buffers, ${(bytes / 1024).toFixed(0)} KB each, written by one vectored write), B = ${SYNTHESISED_PER_RUN} calls synthesised whole by espeak-ng. Per-run p50 A: ${aP50.map((x) => x.toFixed(3)).join(", ")} ms; p99 A: ${aP99.map((x) => x.toFixed(3)).join(", ")} ms. Per-run p50 B: ${bP50.map((x) => x.toFixed(0)).join(", ")} ms; p99 B: ${bP99.map((x) => x.toFixed(0)).join(", ")} ms. The WAV is written to disk after the broadcast, off the event loop (libuv thread pool); that write is not in A.`,
      ],
    };
  } finally {
    await voice.close();
    rmSync(dir, { recursive: true, force: true });
  }
}
