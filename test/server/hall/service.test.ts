import { existsSync, readFileSync } from "node:fs";
import { mkdir, mkdtemp, open, readFile, readdir, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import type { Command, HallEvent } from "../../../server/src/core/index.ts";
import { daySummary } from "../../../server/src/core/index.ts";
import { HallService } from "../../../server/src/hall/service.ts";
import { demoCatalogue } from "../../../server/src/seed/demo-hall.ts";
import { readJournal } from "../../../server/src/store/journal.ts";

/** Instant of a local (Asia/Shanghai, UTC+8) wall-clock time. */
function local(day: string, hhmm: string): number {
  const [y, mo, d] = day.split("-").map(Number) as [number, number, number];
  const [h, mi] = hhmm.split(":").map(Number) as [number, number];
  return Date.UTC(y, mo - 1, d, h - 8, mi);
}

const DAY1 = "2025-03-10";
const DAY2 = "2025-03-11";

let dir: string;
let now: number;
let logs: string[];
const open_: HallService[] = [];

async function openHall(): Promise<HallService> {
  const svc = await HallService.open({
    dataDir: dir,
    catalogue: demoCatalogue(),
    clock: () => now,
    log: (l) => logs.push(l),
  });
  open_.push(svc);
  return svc;
}

beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), "onevisit-hall-"));
  now = local(DAY1, "09:00");
  logs = [];
});
afterEach(async () => {
  vi.restoreAllMocks();
  for (const s of open_.splice(0)) await s.close();
  await rm(dir, { recursive: true, force: true });
});

let idSeq = 0;
function issue(matterId = "m-001"): Command & { type: "issue" } {
  return { type: "issue", ticketId: `t${++idSeq}`, matterId, priority: "normal", source: "k1" };
}
const clerk = { counterId: "c01", staffId: "s-001" };

async function ok(svc: HallService, cmd: Command): Promise<HallEvent[]> {
  const r = await svc.run(cmd);
  if (!r.ok) throw new Error(`${cmd.type}: ${r.error} ${r.message}`);
  return r.events;
}

function journalFile(day: string): string {
  return join(dir, "journal", `${day}.jsonl`);
}

/** A busy morning: issues in two queues, calls, service, a rating, a no-show, a park. */
async function morning(svc: HallService): Promise<void> {
  for (let i = 0; i < 6; i++) {
    now += 60_000;
    await ok(svc, issue(i % 2 ? "m-041" : "m-001"));
  }
  await ok(svc, { type: "signIn", ...clerk, staffName: "张伟", takeover: false });
  await ok(svc, { type: "signIn", counterId: "c02", staffId: "s-002", staffName: "李娜", takeover: false });
  for (let i = 0; i < 2; i++) {
    now += 30_000;
    await ok(svc, { type: "callNext", ...clerk });
    now += 20_000;
    await ok(svc, { type: "start", ...clerk });
    now += 300_000;
    await ok(svc, { type: "finish", ...clerk, outcome: i ? "accepted_incomplete" : "completed" });
  }
  await ok(svc, { type: "rate", counterId: "c01", score: 5 });
  await ok(svc, { type: "callNext", counterId: "c02", staffId: "s-002" });
  now += 120_000;
  await ok(svc, { type: "noShow", counterId: "c02", staffId: "s-002" });
  await ok(svc, { type: "callNext", counterId: "c02", staffId: "s-002" });
  await ok(svc, { type: "park", counterId: "c02", staffId: "s-002", note: "补材料" });
  await ok(svc, { type: "pause", ...clerk, reason: "午休" });
}

describe("hall/service durability", () => {
  it("has the events in the journal, datasync'd, when run resolves", async () => {
    const probe = await open(join(dir, "probe"), "w");
    const proto = Object.getPrototypeOf(probe) as { datasync: () => Promise<void> };
    await probe.close();
    const sync = vi.spyOn(proto, "datasync");

    const svc = await openHall();
    const cmd = issue();
    const events = await ok(svc, cmd);
    expect(sync).toHaveBeenCalled();
    // Each line is JSON, a tab and its checksum.
    const lines = (await readFile(journalFile(DAY1), "utf8"))
      .trim()
      .split("\n")
      .map((l) => l.split("\t")[0] as string);
    expect(lines.map((l) => JSON.parse(l))).toEqual(JSON.parse(JSON.stringify(events)));
    expect((JSON.parse(lines[0] as string) as { ticket: { id: string } }).ticket.id).toBe(cmd.ticketId);
  });

  it("emits events only after they are in the journal, and nothing for rejected commands", async () => {
    const svc = await openHall();
    const inFileAtEmit: boolean[] = [];
    svc.bus.on(inFileAtEmit, "hall.events", (events) => {
      // Read synchronously: what the file holds at the moment of the emit.
      const text = readFileSync(journalFile(DAY1), "utf8");
      inFileAtEmit.push(events.every((e) => text.includes(JSON.stringify(e))));
    });
    await ok(svc, issue());
    await ok(svc, issue());
    const bad = await svc.run({ type: "callNext", counterId: "c99", staffId: "s-001" });
    expect(bad.ok).toBe(false);
    expect(inFileAtEmit).toEqual([true, true]);
    expect((await readJournal(join(dir, "journal"), DAY1)).events).toHaveLength(2);
  });

  it("replays today exactly after a restart (tickets, counters, lines, stats)", async () => {
    const a = await openHall();
    await morning(a);
    const before = a.engineState();
    const summaryBefore = daySummary(before);
    await a.close();

    const b = await openHall();
    expect(b.day).toBe(DAY1);
    expect(b.engineState().tickets).toEqual(before.tickets);
    expect(b.engineState().seq).toEqual(before.seq);
    expect(b.engineState().lines).toEqual(before.lines);
    expect(b.engineState().counters).toEqual(before.counters);
    expect(b.engineState().agg).toEqual(before.agg);
    expect(b.engineState().recentCalls).toEqual(before.recentCalls);
    expect(b.engineState().eventCount).toBe(before.eventCount);
    // Everything else too (waiting lines, EWMA service times, ID keys, last event time).
    expect(b.engineState()).toEqual(before);
    expect(daySummary(b.engineState())).toEqual(summaryBefore);
    expect(logs.some((l) => l.includes(`replayed ${before.eventCount} events`))).toBe(true);
  });

  it("continues numbering after a restart", async () => {
    const a = await openHall();
    for (let i = 0; i < 3; i++) await ok(a, issue("m-001"));
    await a.close();
    const b = await openHall();
    const ev = await ok(b, issue("m-001"));
    const issued = ev.find((e) => e.type === "ticket.issued");
    expect(issued?.type === "ticket.issued" && issued.ticket.number).toBe("A004");
  });

  it("starts from the journal that is on disk even when the previous run never closed", async () => {
    // No close(): like a kill -9 after the last acknowledgement.
    const a = await openHall();
    for (let i = 0; i < 5; i++) await ok(a, issue("m-041"));
    open_.splice(open_.indexOf(a), 1);
    const b = await openHall();
    expect([...b.engineState().tickets.values()].map((t) => t.number)).toEqual(["B001", "B002", "B003", "B004", "B005"]);
    await a.close();
  });
});

describe("hall/service journal failure", () => {
  it("refuses every command after a failed journal write, so nothing depending on a lost event is journaled", async () => {
    const probe = await open(join(dir, "probe"), "w");
    const proto = Object.getPrototypeOf(probe) as { write: () => Promise<unknown> };
    await probe.close();
    const svc = await openHall();
    await ok(svc, { type: "signIn", ...clerk, staffName: "张伟", takeover: false });
    vi.spyOn(proto, "write").mockRejectedValueOnce(
      Object.assign(new Error("ENOSPC: no space left on device"), { code: "ENOSPC" }),
    );
    await expect(svc.run(issue())).rejects.toThrow(/ENOSPC/);
    vi.restoreAllMocks();

    // The disk is back, but memory holds a ticket the journal does not: no call of it.
    await expect(svc.run({ type: "callNext", ...clerk })).rejects.toThrow(/restart the hub/);
    await expect(svc.run(issue())).rejects.toThrow(/restart the hub/);
    expect(logs.some((l) => l.includes("failed, restart the hub"))).toBe(true);
    const journaled = (await readJournal(join(dir, "journal"), DAY1)).events;
    expect(journaled.map((e) => e.type)).toEqual(["counter.signed_in"]);

    // A restart starts from what is on disk and works.
    const again = await openHall();
    expect(again.engineState().tickets.size).toBe(0);
    const ev = await ok(again, issue());
    expect(ev[0]?.type === "ticket.issued" && ev[0].ticket.number).toBe("A001");
  });
});

describe("hall/service clock stepping back across midnight", () => {
  const number = (ev: HallEvent[]) => {
    const e = ev[0];
    return e?.type === "ticket.issued" ? `${e.ticket.day} ${e.ticket.number}` : undefined;
  };
  const summaryOf = async (day: string) => readFile(join(dir, "summaries", `${day}.json`), "utf8");

  it("holds the new day, keeps numbering, logs it, and never touches the closed day's summary", async () => {
    now = local(DAY1, "23:58");
    const svc = await openHall();
    await ok(svc, issue());
    await ok(svc, issue());
    now = local(DAY2, "00:01");
    expect(number(await ok(svc, issue()))).toBe(`${DAY2} A001`);
    const at1 = svc.engineState().tickets.get(`t${idSeq}`)?.issuedAt as number;
    for (let i = 0; i < 100 && !existsSync(join(dir, "summaries", `${DAY1}.json`)); i++)
      await new Promise((r) => setTimeout(r, 10));
    const summary = await summaryOf(DAY1);
    const days: string[] = [];
    svc.bus.on(days, "hall.day", (d) => days.push(d));

    now = local(DAY1, "23:59"); // NTP steps the clock back two minutes
    expect(svc.rotateIfNeeded()).toBe(false);
    expect(svc.day).toBe(DAY2);
    expect(number(await ok(svc, issue()))).toBe(`${DAY2} A002`);
    // Event times do not go backwards either.
    expect(svc.engineState().tickets.get(`t${idSeq}`)?.issuedAt).toBeGreaterThanOrEqual(at1);
    expect(logs.filter((l) => l.includes(`holding ${DAY2}`))).toHaveLength(1);

    now = local(DAY2, "00:02"); // the clock passes the held day again
    expect(number(await ok(svc, issue()))).toBe(`${DAY2} A003`);
    expect(days).toEqual([]);
    expect(await summaryOf(DAY1)).toBe(summary);
    expect((await readJournal(join(dir, "journal"), DAY1)).events).toHaveLength(2);
    expect((await readJournal(join(dir, "journal"), DAY2)).events).toHaveLength(3);

    now = local("2025-03-12", "00:00"); // and the next midnight turns the day as usual
    expect(svc.rotateIfNeeded()).toBe(true);
    expect(svc.day).toBe("2025-03-12");
  });

  it("a restart with the clock behind opens the latest day reached (its journal), not the closed one", async () => {
    const a = await openHall();
    await ok(a, issue());
    await ok(a, issue());
    now = local(DAY2, "08:00");
    await ok(a, issue());
    await a.close();
    const summary = await summaryOf(DAY1);

    now = local(DAY1, "12:00");
    const b = await openHall();
    expect(b.day).toBe(DAY2);
    expect(b.engineState().tickets.size).toBe(1);
    expect(number(await ok(b, issue()))).toBe(`${DAY2} A002`);
    expect(logs.some((l) => l.includes(`holding ${DAY2}`))).toBe(true);
    await b.close();
    expect(await summaryOf(DAY1)).toBe(summary);
    expect((await readJournal(join(dir, "journal"), DAY1)).events).toHaveLength(2);
  });

  it("a restart with the clock behind a closed day that has a summary (and no later journal yet) holds the day after", async () => {
    const a = await openHall();
    await ok(a, issue());
    now = local(DAY2, "00:00");
    expect(a.rotateIfNeeded()).toBe(true);
    await a.close();
    const summary = await summaryOf(DAY1);

    now = local(DAY1, "15:00");
    const b = await openHall();
    expect(b.day).toBe(DAY2);
    expect(number(await ok(b, issue()))).toBe(`${DAY2} A001`);
    await b.close();
    expect(await summaryOf(DAY1)).toBe(summary);
    expect((await readJournal(join(dir, "journal"), DAY1)).events).toHaveLength(1);
  });
});

describe("hall/service day rollover", () => {
  it("turns the day at LOCAL midnight: 15:59 and 16:01 UTC go to different journals, numbering restarts", async () => {
    now = Date.UTC(2025, 2, 10, 15, 59); // 23:59 in Shanghai, still 2025-03-10
    const svc = await openHall();
    const days: string[] = [];
    svc.bus.on(days, "hall.day", (d) => days.push(d));
    const e1 = await ok(svc, issue("m-001"));
    await ok(svc, issue("m-001"));

    now = Date.UTC(2025, 2, 10, 16, 1); // 00:01 on 2025-03-11
    const e2 = await ok(svc, issue("m-001"));
    expect(days).toEqual([DAY2]);
    expect(svc.day).toBe(DAY2);

    const first = e1[0];
    const second = e2[0];
    expect(first?.type === "ticket.issued" && first.ticket.number).toBe("A001");
    expect(second?.type === "ticket.issued" && second.ticket).toMatchObject({ number: "A001", day: DAY2 });
    expect((await readJournal(join(dir, "journal"), DAY1)).events).toHaveLength(2);
    expect((await readJournal(join(dir, "journal"), DAY2)).events).toHaveLength(1);

    // The closed day is summarised in the background once its journal is closed.
    let sums = await svc.summaries();
    for (let i = 0; i < 100 && sums.length === 0; i++) {
      await new Promise((r) => setTimeout(r, 10));
      sums = await svc.summaries();
    }
    expect(sums).toHaveLength(1);
    expect(sums[0]).toMatchObject({ day: DAY1, issued: 2 });
  });

  it("rotates without any command (the timer path) and fires `day` once", async () => {
    const svc = await openHall();
    await ok(svc, issue());
    const days: string[] = [];
    svc.bus.on(days, "hall.day", (d) => days.push(d));
    now = local(DAY2, "00:00");
    expect(svc.rotateIfNeeded()).toBe(true);
    expect(svc.rotateIfNeeded()).toBe(false);
    expect(days).toEqual([DAY2]);
    expect(svc.engineState().tickets.size).toBe(0);
    // close() waits for the closed day's summary, so a stop right after midnight keeps it.
    await svc.close();
    expect(JSON.parse(await readFile(join(dir, "summaries", `${DAY1}.json`), "utf8"))).toMatchObject({ day: DAY1, issued: 1 });
  });

  it("summarises a day that was never rotated (hub down over midnight) on the next start", async () => {
    const a = await openHall();
    await ok(a, issue("m-001"));
    await ok(a, issue("m-041"));
    await ok(a, issue("m-041"));
    await a.close();

    now = local(DAY2, "08:30");
    const b = await openHall();
    expect(b.day).toBe(DAY2);
    expect(b.engineState().tickets.size).toBe(0);
    const sums = await b.summaries();
    expect(sums.map((s) => [s.day, s.issued])).toEqual([[DAY1, 3]]);
    expect(logs.some((l) => l.includes(`summarised ${DAY1}: 3 tickets`))).toBe(true);
    // And only once: a third start does not summarise it again.
    await b.close();
    logs = [];
    await openHall();
    expect(logs.some((l) => l.includes("summarised"))).toBe(false);
  });

  it("summarises a day whose summary write was cut short by a crash (stale temp file)", async () => {
    const a = await openHall();
    await ok(a, issue("m-001"));
    await a.close();
    // writeFileDurable died after creating its temp file and before the rename.
    await mkdir(join(dir, "summaries"), { recursive: true });
    await writeFile(join(dir, "summaries", `${DAY1}.json.12345.tmp`), '{"day":"2025-03');

    now = local(DAY2, "08:30");
    const b = await openHall();
    expect((await b.summaries()).map((s) => [s.day, s.issued])).toEqual([[DAY1, 1]]);
    expect(existsSync(join(dir, "summaries", `${DAY1}.json`))).toBe(true);
  });

  it("summaries() filters by date range", async () => {
    for (const [day, n] of [
      ["2025-03-07", 1],
      ["2025-03-08", 2],
      [DAY1, 3],
    ] as const) {
      now = local(day, "10:00");
      const s = await openHall();
      for (let i = 0; i < n; i++) await ok(s, issue());
      await s.close();
      open_.splice(open_.indexOf(s), 1);
    }
    now = local(DAY2, "10:00");
    const svc = await openHall();
    expect((await svc.summaries()).map((s) => s.issued)).toEqual([1, 2, 3]);
    expect((await svc.summaries("2025-03-08", DAY1)).map((s) => s.day)).toEqual(["2025-03-08", DAY1]);
    expect(await readdir(join(dir, "summaries"))).toHaveLength(3);
  });
});
