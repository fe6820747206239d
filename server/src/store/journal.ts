import { mkdirSync } from "node:fs";
import { type FileHandle, open, readFile, readdir, truncate } from "node:fs/promises";
import { join } from "node:path";
import { performance } from "node:perf_hooks";
import { crc32 } from "node:zlib";
import type { HallEvent } from "../core/index.ts";

/**
 * One journal line: the event's JSON, a tab, its CRC32 (8 hex digits), a newline.
 * JSON.stringify never writes a raw tab, so the tab cannot occur inside the JSON; the
 * checksum lets a read tell a damaged line from a whole one even when the damage left
 * valid JSON or a newline behind.
 */
export function journalLine(e: HallEvent): string {
  const json = JSON.stringify(e);
  return `${json}\t${crc32(json).toString(16).padStart(8, "0")}\n`;
}

/**
 * The event of one line (without its newline), or undefined when the line is damaged.
 * `legacy`: lines written before journals had checksums (plain JSON) are accepted, but
 * only before the first checksummed line of a file; after it, a line without a checksum
 * is damage (a lost tab, a cut line glued to the next).
 */
function decodeLine(text: string, legacy: boolean): { event: HallEvent; checked: boolean } | undefined {
  const tab = text.indexOf("\t");
  if (tab === -1) {
    if (!legacy) return undefined;
    try {
      return { event: JSON.parse(text) as HallEvent, checked: false };
    } catch {
      return undefined;
    }
  }
  const json = text.slice(0, tab);
  const sum = text.slice(tab + 1);
  if (!/^[0-9a-f]{8}$/.test(sum) || crc32(json) !== Number.parseInt(sum, 16)) return undefined;
  try {
    return { event: JSON.parse(json) as HallEvent, checked: true };
  } catch {
    return undefined;
  }
}

/**
 * Optional timing hook (the hub's /metrics): `appended` when events are queued, `synced`
 * when a batch is on disk — called before its waiters resume — with the write + fdatasync
 * time and the batch's size.
 */
export interface JournalObserver {
  appended?(): void;
  synced?(ms: number, bytes: number): void;
}

/**
 * The per-day event journal: one JSON line per event in `journal/YYYY-MM-DD.jsonl`.
 * `append` resolves only after the bytes are fdatasync'd, so an acknowledged action
 * survives kill -9 and power loss. Appends that arrive while a sync is running are
 * written and synced together (group commit): one fsync serves many callers under load.
 */
export class Journal {
  private fh: Promise<FileHandle> | undefined;
  private pending: string[] = [];
  private waiters: { resolve: () => void; reject: (e: Error) => void }[] = [];
  private flushing: Promise<void> | undefined;
  private closed = false;

  constructor(
    readonly dir: string,
    readonly day: string,
    private readonly observer?: JournalObserver,
  ) {
    mkdirSync(dir, { recursive: true });
  }

  get path(): string {
    return journalPath(this.dir, this.day);
  }

  /** Queue events for the journal; the promise settles when they are on disk. */
  append(events: readonly HallEvent[]): Promise<void> {
    if (this.closed) return Promise.reject(new Error(`journal ${this.day} is closed`));
    if (events.length === 0) return Promise.resolve();
    // Serialise now: the engine may touch the objects after this call returns.
    for (const e of events) this.pending.push(journalLine(e));
    this.observer?.appended?.();
    const done = new Promise<void>((resolve, reject) => this.waiters.push({ resolve, reject }));
    if (!this.flushing) this.flushing = this.flushLoop();
    return done;
  }

  private async flushLoop(): Promise<void> {
    try {
      while (this.pending.length > 0) {
        const batch = this.pending.join("");
        const waiters = this.waiters;
        this.pending = [];
        this.waiters = [];
        try {
          this.fh ??= openForAppend(this.dir, this.path);
          const fh = await this.fh;
          // write() may write less than asked (a signal, a nearly full disk): finish the batch.
          const bytes = Buffer.from(batch, "utf8");
          const t0 = performance.now();
          for (let off = 0; off < bytes.length; ) off += (await fh.write(bytes, off, bytes.length - off)).bytesWritten;
          await fh.datasync();
          this.observer?.synced?.(performance.now() - t0, bytes.length);
          for (const w of waiters) w.resolve();
        } catch (err) {
          for (const w of waiters) w.reject(err as Error);
        }
      }
    } finally {
      this.flushing = undefined;
    }
  }

  /** Wait for pending appends, then close the file. */
  async close(): Promise<void> {
    while (this.flushing) await this.flushing;
    this.closed = true;
    if (this.fh) await (await this.fh).close();
  }
}

/**
 * Open a day's file for appending. When this creates the file, the directory is fsync'd
 * too: fdatasync on the file alone does not make its new directory entry durable, and a
 * power cut could otherwise lose the whole day's file with its acknowledged events.
 */
async function openForAppend(dir: string, path: string): Promise<FileHandle> {
  const fh = await open(path, "a");
  if ((await fh.stat()).size === 0) {
    const d = await open(dir, "r");
    try {
      await d.sync();
    } finally {
      await d.close();
    }
  }
  return fh;
}

export function journalPath(dir: string, day: string): string {
  return join(dir, `${day}.jsonl`);
}

export interface ReplayResult {
  events: HallEvent[];
  /** Set when a torn last line (crash mid-write) was cut off. */
  droppedTail?: { bytes: number; text: string };
}

/**
 * Read a day's journal. Only a last line without its newline is a write torn by a crash:
 * it was never acknowledged, so it is cut off (and reported). A complete line whose
 * checksum or JSON is wrong — last or not — means the file was damaged otherwise (a disk
 * error, an edit by hand), and start-up stops naming the file and line: dropping it would
 * silently lose an event that may have been acknowledged, and reuse its ticket number.
 */
export async function readJournal(dir: string, day: string): Promise<ReplayResult> {
  const path = journalPath(dir, day);
  let buf: Buffer;
  try {
    buf = await readFile(path);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === "ENOENT") return { events: [] };
    throw err;
  }
  const events: HallEvent[] = [];
  let start = 0;
  let lineNo = 0;
  // Files from before checksums: plain JSON lines, until the first checksummed one.
  let legacy = true;
  while (start < buf.length) {
    const nl = buf.indexOf(10, start);
    lineNo++;
    if (nl === -1) {
      // No newline: the crash hit in the middle of this write.
      return cut(path, buf, start, events);
    }
    const line = decodeLine(buf.toString("utf8", start, nl), legacy);
    if (!line)
      throw new Error(
        `journal ${path} line ${lineNo} is damaged (checksum or JSON wrong on a complete line, not a torn last write); refusing to start — restore the file from a backup, or inspect the line and remove it by hand`,
      );
    if (line.checked) legacy = false;
    events.push(line.event);
    start = nl + 1;
  }
  return { events };
}

async function cut(path: string, buf: Buffer, goodEnd: number, events: HallEvent[]): Promise<ReplayResult> {
  await truncate(path, goodEnd);
  const fh = await open(path, "r+");
  await fh.datasync();
  await fh.close();
  return { events, droppedTail: { bytes: buf.length - goodEnd, text: buf.toString("utf8", goodEnd).slice(0, 200) } };
}

/** Days that have a journal, oldest first. */
export async function journalDays(dir: string): Promise<string[]> {
  try {
    return (await readdir(dir))
      .filter((f) => /^\d{4}-\d{2}-\d{2}\.jsonl$/.test(f))
      .map((f) => f.slice(0, 10))
      .sort();
  } catch {
    return [];
  }
}
