import { readlinkSync } from "node:fs";
import { appendFile, mkdtemp, open, readFile, rm, stat, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { crc32 } from "node:zlib";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import type { HallEvent } from "../../../server/src/core/index.ts";
import { Journal, journalDays, journalLine, journalPath, readJournal } from "../../../server/src/store/journal.ts";

const DAY = "2025-03-10";

function signedIn(i: number): HallEvent {
  return { type: "counter.signed_in", at: 1_741_568_400_000 + i, counterId: `c${i}`, staffId: `s-${i}`, staffName: `员工${i}` };
}

/** A line as the hub writes it: JSON, tab, CRC32. */
function line(e: HallEvent): string {
  return journalLine(e);
}

/** A line as journals were written before checksums: plain JSON. */
function legacyLine(e: HallEvent): string {
  return `${JSON.stringify(e)}\n`;
}

let dir: string;
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), "onevisit-journal-"));
});
afterEach(async () => {
  vi.restoreAllMocks();
  await rm(dir, { recursive: true, force: true });
});

/** Count fdatasync calls of every FileHandle (Node's class, not ours). */
async function spyDatasync() {
  const probe = await open(join(dir, "probe"), "w");
  const proto = Object.getPrototypeOf(probe) as { datasync: () => Promise<void> };
  await probe.close();
  return vi.spyOn(proto, "datasync");
}

describe("store/journal append", () => {
  it("keeps appended events across a reopen, in order", async () => {
    const j = new Journal(dir, DAY);
    await j.append([signedIn(1), signedIn(2)]);
    await j.append([signedIn(3)]);
    await j.close();

    const again = new Journal(dir, DAY);
    await again.append([signedIn(4)]);
    await again.close();

    const r = await readJournal(dir, DAY);
    expect(r.events).toEqual([signedIn(1), signedIn(2), signedIn(3), signedIn(4)]);
    expect(r.droppedTail).toBeUndefined();
  });

  it("has the bytes on disk and datasync'd when append resolves", async () => {
    const sync = await spyDatasync();
    const j = new Journal(dir, DAY);
    await j.append([signedIn(1)]);
    expect(sync).toHaveBeenCalledTimes(1);
    expect(await readFile(journalPath(dir, DAY), "utf8")).toBe(line(signedIn(1)));
    await j.close();
  });

  it("serves many concurrent appends with a few fdatasyncs (group commit), all in order", async () => {
    const sync = await spyDatasync();
    const j = new Journal(dir, DAY);
    const n = 200;
    const order: number[] = [];
    await Promise.all(Array.from({ length: n }, (_, i) => j.append([signedIn(i)]).then(() => order.push(i))));
    // The first append starts a sync alone; the 199 that arrive meanwhile share the next one.
    expect(sync.mock.calls.length).toBeLessThanOrEqual(2);
    expect(order).toHaveLength(n);
    const text = await readFile(journalPath(dir, DAY), "utf8");
    expect(text).toBe(Array.from({ length: n }, (_, i) => line(signedIn(i))).join(""));
    await j.close();
  });

  it("fsyncs the journal folder when it creates the day's file (its directory entry must survive a power cut)", async () => {
    const probe = await open(join(dir, "probe"), "w");
    const proto = Object.getPrototypeOf(probe) as { sync: () => Promise<void> };
    await probe.close();
    const synced: string[] = [];
    const orig = proto.sync;
    vi.spyOn(proto, "sync").mockImplementation(function (this: { fd: number }) {
      synced.push(readlinkSync(`/proc/self/fd/${this.fd}`));
      return orig.call(this);
    });
    const j = new Journal(dir, DAY);
    await j.append([signedIn(1)]);
    expect(synced).toContain(dir);
    // Appending to an existing file needs no directory sync.
    synced.length = 0;
    await j.close();
    const again = new Journal(dir, DAY);
    await again.append([signedIn(2)]);
    await again.close();
    expect(synced).toEqual([]);
  });

  it("finishes a batch that the kernel wrote only in part (short write)", async () => {
    const probe = await open(join(dir, "probe"), "w");
    type Write = (buf: Buffer, off: number, len: number) => Promise<{ bytesWritten: number }>;
    const proto = Object.getPrototypeOf(probe) as { write: Write };
    await probe.close();
    const orig = proto.write;
    vi.spyOn(proto, "write").mockImplementationOnce(function (this: unknown, buf: Buffer, off: number, len: number) {
      return orig.call(this, buf, off, Math.min(len, 10));
    });
    const j = new Journal(dir, DAY);
    await Promise.all([j.append([signedIn(1)]), j.append([signedIn(2)])]);
    await j.close();
    expect(await readFile(journalPath(dir, DAY), "utf8")).toBe(line(signedIn(1)) + line(signedIn(2)));
  });

  it("close waits for pending appends; a closed journal refuses more", async () => {
    const j = new Journal(dir, DAY);
    const pending = j.append([signedIn(1)]);
    await j.close();
    await pending;
    expect((await readJournal(dir, DAY)).events).toEqual([signedIn(1)]);
    await expect(j.append([signedIn(2)])).rejects.toThrow(/closed/);
  });

  it("rejects the waiting appends when the disk write fails", async () => {
    // A directory where the day's file should be: open(…, "a") fails with EISDIR.
    const { mkdir } = await import("node:fs/promises");
    await mkdir(journalPath(dir, DAY));
    const j = new Journal(dir, DAY);
    const r = await Promise.allSettled([j.append([signedIn(1)]), j.append([signedIn(2)])]);
    expect(r.map((x) => x.status)).toEqual(["rejected", "rejected"]);
  });
});

describe("store/journal readJournal", () => {
  it("reads a missing day as empty", async () => {
    expect(await readJournal(dir, "2025-01-01")).toEqual({ events: [] });
  });

  it("drops a half-written last line (no newline), truncates the file and reports it", async () => {
    const good = line(signedIn(1)) + line(signedIn(2));
    const torn = line(signedIn(3)).slice(0, 25);
    await writeFile(journalPath(dir, DAY), good + torn);

    const r = await readJournal(dir, DAY);
    expect(r.events).toEqual([signedIn(1), signedIn(2)]);
    expect(r.droppedTail).toEqual({ bytes: Buffer.byteLength(torn), text: torn });
    expect(await readFile(journalPath(dir, DAY), "utf8")).toBe(good);

    // The next read finds a clean file, and new appends start on a fresh line.
    expect((await readJournal(dir, DAY)).droppedTail).toBeUndefined();
    const j = new Journal(dir, DAY);
    await j.append([signedIn(4)]);
    await j.close();
    expect((await readJournal(dir, DAY)).events).toEqual([signedIn(1), signedIn(2), signedIn(4)]);
  });

  it("drops a torn multi-byte (UTF-8) tail without corrupting the good part", async () => {
    const good = line(signedIn(1));
    const full = Buffer.from(line(signedIn(2)), "utf8");
    // Cut inside a Chinese character of staffName.
    const cutAt = full.indexOf(Buffer.from("员", "utf8")) + 1;
    await writeFile(journalPath(dir, DAY), Buffer.concat([Buffer.from(good), full.subarray(0, cutAt)]));
    const r = await readJournal(dir, DAY);
    expect(r.events).toEqual([signedIn(1)]);
    expect(r.droppedTail?.bytes).toBe(cutAt);
    expect((await stat(journalPath(dir, DAY))).size).toBe(Buffer.byteLength(good));
  });

  it("refuses a complete but unparsable last line (garbage with its newline), naming the line, and leaves it untouched", async () => {
    const good = line(signedIn(1));
    const garbage = '\u0000\u0000{"type":"counter.sig\u0000\u0000\n';
    await writeFile(journalPath(dir, DAY), good + garbage);
    await expect(readJournal(dir, DAY)).rejects.toThrow(/2025-03-10\.jsonl line 2 is damaged/);
    expect(await readFile(journalPath(dir, DAY), "utf8")).toBe(good + garbage);
  });

  it("refuses a complete last line whose JSON still parses but whose checksum is wrong (a flipped digit)", async () => {
    const good = line(signedIn(1)) + line(signedIn(2));
    const last = line(signedIn(3));
    // 1741568400003 → 1741568400009: still valid JSON, a different event.
    const flipped = last.replace("1741568400003", "1741568400009");
    expect(flipped).not.toBe(last);
    await writeFile(journalPath(dir, DAY), good + flipped);
    await expect(readJournal(dir, DAY)).rejects.toThrow(/2025-03-10\.jsonl line 3 is damaged/);
    expect(await readFile(journalPath(dir, DAY), "utf8")).toBe(good + flipped);
  });

  it("writes a CRC32 after every line's JSON", async () => {
    const j = new Journal(dir, DAY);
    await j.append([signedIn(1)]);
    await j.close();
    const text = await readFile(journalPath(dir, DAY), "utf8");
    const [json, sum] = text.slice(0, -1).split("\t");
    expect(JSON.parse(json as string)).toEqual(signedIn(1));
    expect(sum).toBe(
      crc32(json as string)
        .toString(16)
        .padStart(8, "0"),
    );
  });

  it("reads a journal written before checksums, and checksums what is appended to it", async () => {
    const old = legacyLine(signedIn(1)) + legacyLine(signedIn(2));
    await writeFile(journalPath(dir, DAY), old);
    expect((await readJournal(dir, DAY)).events).toEqual([signedIn(1), signedIn(2)]);
    const j = new Journal(dir, DAY);
    await j.append([signedIn(3)]);
    await j.close();
    expect(await readFile(journalPath(dir, DAY), "utf8")).toBe(old + line(signedIn(3)));
    expect((await readJournal(dir, DAY)).events).toEqual([signedIn(1), signedIn(2), signedIn(3)]);
  });

  it("refuses a line without checksum after a checksummed one (damage, not an old journal)", async () => {
    await writeFile(journalPath(dir, DAY), line(signedIn(1)) + legacyLine(signedIn(2)) + line(signedIn(3)));
    await expect(readJournal(dir, DAY)).rejects.toThrow(/line 2 is damaged/);
  });

  it("drops a tail of zero bytes (file extended, data never written)", async () => {
    const good = line(signedIn(1));
    await writeFile(journalPath(dir, DAY), good);
    await appendFile(journalPath(dir, DAY), Buffer.alloc(64));
    const r = await readJournal(dir, DAY);
    expect(r.events).toEqual([signedIn(1)]);
    expect(r.droppedTail?.bytes).toBe(64);
    expect((await stat(journalPath(dir, DAY))).size).toBe(Buffer.byteLength(good));
  });

  it("refuses a journal damaged in the middle, naming the file and line, and leaves it untouched", async () => {
    const text = `${line(signedIn(1))}{"type":"counter.signed_in", BROKEN\n${line(signedIn(3))}`;
    await writeFile(journalPath(dir, DAY), text);
    await expect(readJournal(dir, DAY)).rejects.toThrow(/2025-03-10\.jsonl line 2 is damaged/);
    expect(await readFile(journalPath(dir, DAY), "utf8")).toBe(text);
  });
});

describe("store/journal journalDays", () => {
  it("lists the days that have a journal, oldest first, ignoring other files", async () => {
    for (const d of ["2025-03-11", "2024-12-31", "2025-03-10"]) await writeFile(journalPath(dir, d), "");
    await writeFile(join(dir, "notes.txt"), "x");
    await writeFile(join(dir, "2025-03-12.jsonl.bak"), "x");
    expect(await journalDays(dir)).toEqual(["2024-12-31", "2025-03-10", "2025-03-11"]);
  });

  it("lists nothing for a missing folder", async () => {
    expect(await journalDays(join(dir, "nope"))).toEqual([]);
  });
});
