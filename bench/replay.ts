/**
 * `replay`: start-up with a 100,000-event day. The journal is made by the engine (valid
 * events), then `HallService.open` — read, parse, fold, ready — is timed. Baseline, same
 * run: just reading the file, checking each line's CRC32 and JSON.parse of every line.
 */
import { readFileSync } from "node:fs";
import { performance } from "node:perf_hooks";
import { crc32 } from "node:zlib";
import { HallService } from "../server/src/hall/service.ts";
import {
  type BenchResult,
  copyDataDir,
  generateDay,
  interleaved,
  ms,
  prepareBenchHall,
  say,
  showSpread,
  summary,
  writeJournal,
} from "./lib.ts";

const EVENTS = 100_000;
const RUNS = 5;

export async function benchReplay(): Promise<BenchResult> {
  const hall = await prepareBenchHall();
  const data = copyDataDir(hall.dataDir);
  try {
    say(`replay: generating a ${EVENTS}-event day with the engine`);
    const g0 = performance.now();
    const events = generateDay(hall.catalogue, EVENTS, Date.now());
    const genMs = performance.now() - g0;
    const path = writeJournal(data.dir, events);
    const bytes = readFileSync(path).length;
    let tickets = 0;
    // Alternated so neither gets a warmer cache or JIT on its own.
    const s = await interleaved(
      "replay",
      RUNS,
      {
        a: async () => {
          const o0 = performance.now();
          const svc = await HallService.open({ dataDir: data.dir, catalogue: hall.catalogue, clock: Date.now, log: () => {} });
          const took = performance.now() - o0;
          tickets = [...svc.tickets()].length;
          await svc.close();
          return took;
        },
        b: async () => {
          const p0 = performance.now();
          const text = readFileSync(path, "utf8");
          let n = 0;
          // A line is JSON, a tab and its CRC32 (checked here too, as the hub does).
          for (const line of text.split("\n")) {
            if (!line) continue;
            const tab = line.indexOf("\t");
            const json = line.slice(0, tab);
            if (crc32(json) !== Number.parseInt(line.slice(tab + 1), 16)) throw new Error("bad checksum");
            n += JSON.parse(json) ? 1 : 0;
          }
          if (n !== EVENTS) throw new Error(`parsed ${n} events, wrote ${EVENTS}`);
          return performance.now() - p0;
        },
      },
      (took) => took,
    );
    const open = s.figA.runs;
    const parse = s.figB.runs;
    const o = summary(open);
    const p = summary(parse);
    return {
      rows: [
        {
          bench: "replay",
          metric: `HallService.open, ${EVENTS / 1000}k events`,
          value: showSpread(s.figA, (v) => ms(v, 0)),
          baseline: ms(p.p50, 0),
          target: "≤ 1000 ms",
          pass: o.p50 <= 1000,
        },
        {
          bench: "replay",
          metric: "HallService.open, worst run",
          value: ms(o.max, 0),
          baseline: ms(p.max, 0),
          target: "≤ 1000 ms",
          pass: o.max <= 1000,
        },
      ],
      notes: [
        `replay: journal of ${EVENTS} engine-made events (${(bytes / 2 ** 20).toFixed(1)} MiB, ${tickets} tickets, made in ${ms(genMs, 0)}); HallService.open (read + parse + fold + summaries) over ${RUNS} runs: ${open.map((x) => x.toFixed(0)).join(", ")} ms; baseline readFile + CRC32 check + JSON.parse per line: ${parse.map((x) => x.toFixed(0)).join(", ")} ms. The fold costs about ${ms(o.p50 - p.p50, 0)} beyond parsing.`,
      ],
    };
  } finally {
    data.cleanup();
    hall.cleanup();
  }
}
