/**
 * Closed hall days written as real journals (the hub's own line format, checksums and all)
 * into a data folder before a hub starts on it: the reports fill them at start as they would
 * a real hall's. Seeded, so a test knows every ticket it wrote and computes the expected
 * figures itself.
 */
import { mkdir, mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { Catalogue } from "../../../server/src/contract/catalogue.ts";
import type { RatingScore } from "../../../server/src/contract/tickets.ts";
import type { HallEvent } from "../../../server/src/core/index.ts";
import { journalLine } from "../../../server/src/store/journal.ts";
import { hallMorning, startTestHub, type TestHub, type TestHubOptions } from "../../helpers/hub.ts";

export interface SeededTicket {
  day: string;
  id: string;
  number: string;
  queueId: string;
  matterId: string;
  departmentId: string;
  counterId: string;
  staffId: string;
  hour: number;
  outcome: "served" | "no_show" | "cancelled";
  waitS: number | null;
  serviceS: number | null;
  rating: RatingScore | null;
}

function rng(seed: number) {
  let s = seed >>> 0;
  return () => {
    s = (s * 1664525 + 1013904223) >>> 0;
    return s / 2 ** 32;
  };
}

/** Every date of the month before `today` (YYYY-MM-DD) that is a weekday. */
export function lastMonthWeekdays(today: string): string[] {
  const [y, m] = today.split("-").map(Number) as [number, number];
  const out: string[] = [];
  for (let d = new Date(Date.UTC(y, m - 2, 1)); d.getUTCMonth() === (m + 10) % 12; d = new Date(d.getTime() + 86_400_000))
    if (d.getUTCDay() !== 0 && d.getUTCDay() !== 6) out.push(d.toISOString().slice(0, 10));
  return out;
}

/**
 * Write `perDay` tickets a day for each of `days` into `dataDir/journal`, on the catalogue's
 * first `matters` matters and the clerks given (staff id → counter). Times are Asia/Shanghai.
 */
export async function seedJournals(
  dataDir: string,
  o: {
    catalogue: Catalogue;
    days: string[];
    perDay: number;
    clerks: { staffId: string; name: string; counterId: string }[];
    seed?: number;
  },
): Promise<SeededTicket[]> {
  const r = rng(o.seed ?? 7);
  const matters = o.catalogue.matters.slice(0, 6);
  const dir = join(dataDir, "journal");
  await mkdir(dir, { recursive: true });
  const all: SeededTicket[] = [];
  for (const day of o.days) {
    const events: HallEvent[] = [];
    const seq = new Map<string, number>();
    for (const c of o.clerks)
      events.push({
        type: "counter.signed_in",
        at: Date.parse(`${day}T08:55:00+08:00`),
        counterId: c.counterId,
        staffId: c.staffId,
        staffName: c.name,
      });
    for (let i = 0; i < o.perDay; i++) {
      const m = matters[i % matters.length] as Catalogue["matters"][number];
      const q = o.catalogue.queues.find((x) => x.id === m.queueId) as Catalogue["queues"][number];
      const n = (seq.get(q.id) ?? 0) + 1;
      seq.set(q.id, n);
      const hour = 9 + Math.floor(r() * 8);
      const issuedAt = Date.parse(`${day}T${String(hour).padStart(2, "0")}:00:00+08:00`) + Math.floor(r() * 3_000_000);
      const id = `${day}-${i}`;
      const number = `${q.prefix}${String(n).padStart(3, "0")}`;
      const clerk = o.clerks[i % o.clerks.length] as (typeof o.clerks)[number];
      events.push({
        type: "ticket.issued",
        at: issuedAt,
        ticket: {
          id,
          number,
          seq: n,
          day,
          queueId: q.id,
          matterId: m.id,
          priority: "normal",
          status: "waiting",
          issuedAt,
          arrivalAt: issuedAt,
          recalls: 0,
          transfers: 0,
          notes: [],
          source: "k1",
        },
      });
      const roll = r();
      const outcome: SeededTicket["outcome"] = roll < 0.8 ? "served" : roll < 0.93 ? "no_show" : "cancelled";
      let waitS: number | null = null;
      let serviceS: number | null = null;
      let rating: RatingScore | null = null;
      const base = { ticketId: id, counterId: clerk.counterId, staffId: clerk.staffId };
      if (outcome === "cancelled") events.push({ type: "ticket.cancelled", at: issuedAt + 60_000, ticketId: id, by: "holder" });
      else {
        waitS = 30 + Math.floor(r() * 1500);
        const called = issuedAt + waitS * 1000;
        events.push({ type: "ticket.called", at: called, mode: "next", ...base });
        if (outcome === "no_show") events.push({ type: "ticket.no_show", at: called + 180_000, ...base });
        else {
          serviceS = 60 + Math.floor(r() * 900);
          events.push({ type: "ticket.started", at: called + 20_000, ...base });
          events.push({ type: "ticket.finished", at: called + 20_000 + serviceS * 1000, outcome: "completed", ...base });
          if (r() < 0.5) {
            rating = (1 + Math.floor(r() * 5)) as RatingScore;
            events.push({
              type: "ticket.rated",
              at: called + 30_000 + serviceS * 1000,
              ticketId: id,
              counterId: clerk.counterId,
              score: rating,
              ...(rating <= 2 ? { reasons: ["slow" as const] } : {}),
            });
          }
        }
      }
      all.push({
        day,
        id,
        number,
        queueId: q.id,
        matterId: m.id,
        departmentId: m.departmentId,
        counterId: clerk.counterId,
        staffId: clerk.staffId,
        hour,
        outcome,
        waitS,
        serviceS,
        rating,
      });
    }
    events.sort((a, b) => a.at - b.at);
    await writeFile(join(dir, `${day}.jsonl`), events.map(journalLine).join(""));
  }
  return all;
}

/**
 * A hub on a data folder whose last month is seeded journals: a first start makes the demo
 * hall (config.json, accounts), the hub stops, the journals are written, and a second hub
 * starts on the folder (filling them at start, as after an upgrade). `password` is the
 * first start's (the second start creates no accounts).
 */
export async function startSeededHub(o: {
  days: (today: string) => string[];
  perDay: number;
  clerks: { staffId: string; name: string; counterId: string }[];
  seed?: number;
  /** Options of the seeded hub (the one the test uses), e.g. no loopback auto-pairing. */
  hub?: Omit<TestHubOptions, "dataDir">;
}): Promise<{
  t: TestHub;
  password: (username: string) => string;
  seeded: SeededTicket[];
  days: string[];
  remove(): Promise<void>;
}> {
  const dataDir = await mkdtemp(join(tmpdir(), "onevisit-reports-"));
  const first = await startTestHub({ dataDir });
  const catalogue = first.hub.config.data.catalogue;
  await first.close();
  const today = new Intl.DateTimeFormat("en-CA", { timeZone: "Asia/Shanghai" }).format(hallMorning());
  const days = o.days(today);
  const seeded = await seedJournals(dataDir, {
    catalogue,
    days,
    perDay: o.perDay,
    clerks: o.clerks,
    ...(o.seed ? { seed: o.seed } : {}),
  });
  const t = await startTestHub({ ...o.hub, dataDir });
  await t.hub.reports.ready;
  return {
    t,
    password: (u) => first.password(u),
    seeded,
    days,
    remove: () => rm(dataDir, { recursive: true, force: true }),
  };
}
