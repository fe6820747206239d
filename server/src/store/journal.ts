import { mkdirSync } from "node:fs";
import { type FileHandle, open, readFile, readdir, truncate } from "node:fs/promises";
import { join } from "node:path";
import type { HallEvent } from "../core/index.ts";

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
    for (const e of events) this.pending.push(`${JSON.stringify(e)}\n`);
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
          for (let off = 0; off < bytes.length; ) off += (await fh.write(bytes, off, bytes.length - off)).bytesWritten;
          await fh.datasync();
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
 * Read a day's journal. A last line without its newline, or one that does not parse, is a
 * write torn by a crash: it was never acknowledged, so it is cut off (and reported). A bad
 * line anywhere else means the file was damaged otherwise, and start-up stops.
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
  while (start < buf.length) {
    const nl = buf.indexOf(10, start);
    lineNo++;
    if (nl === -1) {
      // No newline: the crash hit in the middle of this write.
      return cut(path, buf, start, events);
    }
    const text = buf.toString("utf8", start, nl);
    try {
      events.push(JSON.parse(text) as HallEvent);
    } catch {
      if (nl === buf.length - 1) return cut(path, buf, start, events);
      throw new Error(`journal ${path} line ${lineNo} is damaged (not a torn last write); refusing to start`);
    }
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
