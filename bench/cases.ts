/**
 * `cases`: the case store with 100,000 cases, embedded SQLite and PostgreSQL side by side.
 * - lookup by case number (GET /api/cases/:caseNo's work: read + staff view), p99 ≤ 5 ms
 * - a department's worklist with 10,000 open cases (first page, overdue first), ≤ 50 ms
 * - accepting a case (the service's whole transaction: sequence, insert, event, idempotency
 *   key, committed: fsync on SQLite with synchronous=FULL), p99 ≤ 20 ms
 * - the progress page's lookup (case number + check digits → public view), p99 ≤ 5 ms
 * - a step of a case (take: read, version-checked write, event, idempotency key), p99
 * Baselines, same run and engine: `select 1` (a round trip) and a one-row insert transaction
 * (the commit's floor). On PostgreSQL also, interleaved with the acceptances, the acceptance
 * as it was before session 4: a transaction of eight statements (eight round trips). Rounds alternate the engines so neither gets the quiet machine;
 * each figure is the median of the rounds with their spread (min–max).
 * PostgreSQL: TEST_DATABASE_URL (default the local cluster); skipped with a note when absent.
 */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { performance } from "node:perf_hooks";
import { sql } from "kysely";
import pg from "pg";
import type { AcceptCaseBody } from "../server/src/contract/cases.ts";
import { WEEKENDS_ONLY } from "../server/src/cases/calendar.ts";
import { decide } from "../server/src/cases/engine.ts";
import type { CaseBusEvents } from "../server/src/cases/events.ts";
import type { CaseRecord } from "../server/src/cases/model.ts";
import { CaseService } from "../server/src/cases/service.ts";
import { CaseStore, caseColumns, caseNumber } from "../server/src/cases/store.ts";
import { staffView } from "../server/src/cases/views.ts";
import { Bus } from "../server/src/hall/bus.ts";
import { demoCatalogue } from "../server/src/seed/demo-hall.ts";
import type { StaffRecord } from "../server/src/store/config.ts";
import { type BenchResult, type Row, ms, say, summary } from "./lib.ts";

const TOTAL = 100_000;
const OPEN_IN_DEPT = 10_000;
const DEPT = "d-market";
const ROUNDS = 3;
const LOOKUPS = 2_000;
const WORKLISTS = 40;
const ACCEPTS = 400;
const DAY = 86_400_000;
const PG_URL = process.env.TEST_DATABASE_URL ?? "postgres://onevisit:onevisit@127.0.0.1:5432/postgres";

const sup: StaffRecord = { id: "s-bench", username: "bench", name: "压测", role: "supervisor", salt: "", hash: "" };

interface Engine {
  name: string;
  store: CaseStore;
  svc: CaseService;
  caseNos: string[];
  cleanup(): Promise<void>;
}

/** 100,000 cases over 500 days; DEPT holds OPEN_IN_DEPT open ones, a fifth of them overdue. */
function* generate(): Generator<CaseRecord> {
  const cat = demoCatalogue();
  const matters = cat.matters.filter((m) => m.materials.length > 0);
  const market = matters.filter((m) => m.departmentId === DEPT);
  const others = matters.filter((m) => m.departmentId !== DEPT);
  const start = Date.parse("2025-06-01T02:00:00Z");
  const finished = ["approved", "certificate_ready", "collected", "mailed", "delivered", "refused"] as const;
  const seqByDay = new Map<string, number>();
  for (let i = 0; i < TOTAL; i++) {
    const open = i % 10 === 0 && i / 10 < OPEN_IN_DEPT;
    const pool = open ? market : others;
    const m = pool[i % pool.length] as (typeof pool)[number];
    const at = start + Math.floor((i / TOTAL) * 500) * DAY + (i % 600) * 60_000;
    const day = new Date(at + 8 * 3_600_000).toISOString().slice(0, 10);
    const seq = (seqByDay.get(day) ?? 0) + 1;
    seqByDay.set(day, seq);
    const r = decide(
      undefined,
      {
        type: "accept",
        caseNo: `371426-${day.replaceAll("-", "")}-${String(seq).padStart(5, "0")}`,
        matter: m,
        outcome: "accepted",
        materials: m.materials.map((_, index) => ({ index, state: "received" })),
        applicant: { name: "张三", phone: "13800000000", idMasked: "3714**********0000", idLast4: "0000" },
        siteId: "pingyuan",
        by: { staffId: "s-1", name: "张伟", role: "clerk" },
      },
      { now: at, timeZone: "Asia/Shanghai", calendar: WEEKENDS_ONLY },
    );
    if ("error" in r) throw new Error(r.message);
    const rec = r.state;
    if (!open && rec.status !== "approved") {
      rec.status = finished[i % finished.length] as (typeof finished)[number];
      rec.finishedAt = at + DAY;
    }
    if (open) {
      // Open ones are recent: most due in the future, a fifth overdue.
      rec.acceptedAt = Date.now() - (i % 5 === 0 ? 40 : 1) * DAY;
      rec.acceptedOn = new Date(rec.acceptedAt + 8 * 3_600_000).toISOString().slice(0, 10);
      rec.dueDate = new Date(rec.acceptedAt + (i % 5 === 0 ? 10 : 20) * DAY).toISOString().slice(0, 10);
      rec.status = i % 3 === 0 ? "in_review" : "accepted";
    }
    yield rec;
  }
}

async function open(name: string, loc: Parameters<typeof CaseStore.open>[0]): Promise<Engine> {
  const store = await CaseStore.open(loc, Date.now());
  const cat = demoCatalogue();
  const svc = new CaseService({
    store,
    catalogue: () => cat,
    clock: Date.now,
    idSalt: "bench",
    ticket: () => undefined,
    counterHolder: () => undefined,
    bus: new Bus<CaseBusEvents>(),
  });
  const t0 = performance.now();
  const caseNos: string[] = [];
  let batch: CaseRecord[] = [];
  const flush = async () => {
    const rows = batch;
    batch = [];
    await store.db.transaction().execute(async (tx) => {
      await tx
        .insertInto("cases")
        .values(rows.map((r) => ({ case_no: r.caseNo, ...caseColumns(r) })))
        .execute();
      // Sequences as the live path would have left them.
      for (const r of rows) {
        const [, d, s] = r.caseNo.split("-") as [string, string, string];
        const day = `${d.slice(0, 4)}-${d.slice(4, 6)}-${d.slice(6)}`;
        await tx
          .insertInto("case_seq")
          .values({ day, last: Number(s) })
          .onConflict((oc) => oc.column("day").doUpdateSet({ last: Number(s) }))
          .execute();
      }
    });
  };
  for (const r of generate()) {
    caseNos.push(r.caseNo);
    batch.push(r);
    // SQLite allows 32,766 bound parameters per statement; 17 columns × 400 rows stays under.
    if (batch.length === 400) await flush();
  }
  if (batch.length) await flush();
  if (store.engine === "postgres") await sql`analyze`.execute(store.db);
  say(`cases: ${name}: loaded ${TOTAL} cases in ${((performance.now() - t0) / 1000).toFixed(1)} s`);
  return {
    name,
    store,
    svc,
    caseNos,
    cleanup: async () => {
      await store.close();
    },
  };
}

async function time(fn: () => Promise<unknown>): Promise<number> {
  const t0 = performance.now();
  await fn();
  return performance.now() - t0;
}

interface Round {
  lookupP99: number;
  publicP99: number;
  selectOneP99: number;
  worklist: number;
  worklistAll: number;
  acceptP99: number;
  insertP99: number;
  stepP99: number;
  /** PostgreSQL: the acceptance as one transaction of eight statements (before session 4). */
  acceptTxP99: number;
}

/**
 * The acceptance as the store did it before session 4, statement by statement in one
 * transaction (idempotency read, sequence, case, events, idempotency row): the same-run
 * comparison for the one-statement acceptance on PostgreSQL.
 */
async function acceptAsBefore(e: Engine, body: AcceptCaseBody, key: string): Promise<void> {
  const cat = demoCatalogue();
  const m = cat.matters.find((x) => x.id === body.matterId);
  if (!m) throw new Error("no matter");
  const now = Date.now();
  const day = e.svc.today();
  await e.store.write({ scope: sup.id, key, hash: "h" }, now, async (tx) => {
    const seq = await tx.nextSeq(day);
    const r = decide(
      undefined,
      {
        type: "accept",
        caseNo: caseNumber(`371426-${day.replaceAll("-", "")}-`, seq),
        matter: m,
        outcome: "accepted",
        materials: body.materials,
        applicant: { name: body.applicant.name, phone: body.applicant.phone },
        siteId: "pingyuan",
        by: { staffId: sup.id, name: sup.name, role: sup.role },
      },
      { now, timeZone: "Asia/Shanghai", calendar: WEEKENDS_ONLY },
    );
    if ("error" in r) throw new Error(r.message);
    await tx.insert(r.state, r.events);
    return staffView(r.state, day);
  });
}

async function round(e: Engine, r: number): Promise<Round> {
  const look: number[] = [];
  const pub: number[] = [];
  const one: number[] = [];
  for (let i = 0; i < LOOKUPS; i++) {
    const no = e.caseNos[(i * 7919 + r * 104_729) % e.caseNos.length] as string;
    look.push(await time(() => e.svc.get(sup, no)));
    one.push(await time(() => e.store.db.selectNoFrom((eb) => eb.val(1).as("x")).execute()));
    const other = e.caseNos[(i * 6133 + r * 15_485_863) % e.caseNos.length] as string;
    pub.push(await time(() => e.svc.publicCase(other, "0000")));
  }
  const wl: number[] = [];
  for (let i = 0; i < WORKLISTS; i++) {
    wl.push(
      await time(async () => {
        const page = await e.svc.worklist(sup, { dept: DEPT });
        if (page.items.length !== 100 || !page.items[0]?.overdue) throw new Error("worklist: expected 100 items, overdue first");
      }),
    );
  }
  const all = await time(async () => {
    const rows = await e.store.worklist({ departmentId: DEPT, today: e.svc.today(), limit: OPEN_IN_DEPT + 1, offset: 0 });
    if (rows.length !== OPEN_IN_DEPT) throw new Error(`worklist: ${rows.length} open cases, expected ${OPEN_IN_DEPT}`);
  });
  const acc: number[] = [];
  const ins: number[] = [];
  // A matter of another department, so the worklist above keeps its 10,000 open cases.
  const m = demoCatalogue().matters.find((x) => x.departmentId !== DEPT && x.promisedDays > 0 && x.materials.length > 0);
  if (!m) throw new Error("no matter to accept");
  const body: AcceptCaseBody = {
    matterId: m.id,
    applicant: { name: "王小明", idNumber: "371426199001011234", phone: "13812345678" },
    materials: m.materials.map((_, index) => ({ index, state: "received" as const })),
    outcome: "accepted",
  };
  const made: string[] = [];
  const accTx: number[] = [];
  for (let i = 0; i < ACCEPTS; i++) {
    acc.push(
      await time(async () => {
        made.push((await e.svc.accept(sup, body, `bench-${r}-${i}-${Date.now()}`)).caseNo);
      }),
    );
    if (e.store.engine === "postgres") accTx.push(await time(() => acceptAsBefore(e, body, `before-${r}-${i}-${Date.now()}`)));
    ins.push(
      await time(() =>
        e.store.db.transaction().execute((tx) =>
          tx
            .insertInto("case_idempotency")
            .values({ scope: "floor", key: `${r}-${i}-${Date.now()}`, request_hash: "", response: "", created_at: 0 })
            .execute(),
        ),
      ),
    );
  }
  const steps: number[] = [];
  for (const [i, no] of made.entries())
    steps.push(
      await time(() => e.svc.transition(sup, no, { action: "take", expectedVersion: 1 }, `take-${r}-${i}-${Date.now()}`)),
    );
  return {
    lookupP99: summary(look).p99,
    publicP99: summary(pub).p99,
    stepP99: summary(steps).p99,
    acceptTxP99: accTx.length ? summary(accTx).p99 : Number.NaN,
    selectOneP99: summary(one).p99,
    worklist: summary(wl).p50,
    worklistAll: all,
    acceptP99: summary(acc).p99,
    insertP99: summary(ins).p99,
  };
}

const med = (xs: number[]) => summary(xs).p50;
const spread = (xs: number[]) => `${ms(Math.min(...xs))}–${ms(Math.max(...xs))}`;

export async function benchCases(): Promise<BenchResult> {
  const dir = mkdtempSync(join(tmpdir(), "onevisit-bench-cases-"));
  const engines: Engine[] = [];
  const notes: string[] = [];
  let schema: string | undefined;
  try {
    engines.push(await open("SQLite (embedded)", { dataDir: dir }));
    // The same on the checkpoint SQLite did inside every ~1,000th page's commit (before session 4).
    engines.push(
      await open("SQLite, checkpoint in the commit (before)", { dataDir: join(dir, "inline"), checkpoint: { everyMs: 0 } }),
    );
    try {
      const c = new pg.Client({ connectionString: PG_URL, connectionTimeoutMillis: 3000 });
      await c.connect();
      await c.end();
      schema = `bench_${Date.now().toString(36)}`;
      engines.push(await open("PostgreSQL", { dataDir: dir, databaseUrl: PG_URL, schema }));
    } catch (err) {
      notes.push(`cases: PostgreSQL not reachable at TEST_DATABASE_URL (${(err as Error).message}); embedded only`);
    }
    const results = new Map<string, Round[]>(engines.map((e) => [e.name, []]));
    for (let r = 0; r < ROUNDS; r++)
      for (const e of r % 2 ? [...engines].reverse() : engines) {
        say(`cases: round ${r + 1}/${ROUNDS} on ${e.name}`);
        results.get(e.name)?.push(await round(e, r));
      }
    const rows: Row[] = [];
    for (const e of engines) {
      const rs = results.get(e.name) as Round[];
      const pick = (k: keyof Round) => rs.map((x) => x[k]);
      if (e.name.endsWith("(before)")) {
        rows.push({
          bench: "cases",
          metric: `${e.name}: accept a case, committed, p99`,
          value: `${ms(med(pick("acceptP99")))} (${spread(pick("acceptP99"))})`,
          baseline: `one-row commit: ${ms(med(pick("insertP99")))}`,
          target: "—",
        });
        continue;
      }
      rows.push(
        {
          bench: "cases",
          metric: `${e.name}: lookup by case number p99 (100,000 cases)`,
          value: `${ms(med(pick("lookupP99")))} (${spread(pick("lookupP99"))})`,
          baseline: `select 1: ${ms(med(pick("selectOneP99")))}`,
          target: "≤ 5 ms",
          pass: med(pick("lookupP99")) <= 5,
        },
        {
          bench: "cases",
          metric: `${e.name}: worklist, first 100 of a department's 10,000 open cases (median)`,
          value: `${ms(med(pick("worklist")))} (${spread(pick("worklist"))})`,
          baseline: `all 10,000 rows: ${ms(med(pick("worklistAll")))}`,
          target: "≤ 50 ms",
          pass: med(pick("worklist")) <= 50,
        },
        {
          bench: "cases",
          metric: `${e.name}: accept a case, committed, p99`,
          value: `${ms(med(pick("acceptP99")))} (${spread(pick("acceptP99"))})`,
          baseline: `one-row commit: ${ms(med(pick("insertP99")))}${
            e.store.engine === "postgres" ? `; as 8 statements (before): ${ms(med(pick("acceptTxP99")))}` : ""
          }`,
          target: "≤ 20 ms",
          pass: med(pick("acceptP99")) <= 20,
        },
        {
          bench: "cases",
          metric: `${e.name}: progress page lookup (number + check digits), p99`,
          value: `${ms(med(pick("publicP99")))} (${spread(pick("publicP99"))})`,
          baseline: `select 1: ${ms(med(pick("selectOneP99")))}`,
          target: "≤ 5 ms",
          pass: med(pick("publicP99")) <= 5,
        },
        {
          bench: "cases",
          metric: `${e.name}: a step of a case (take), committed, p99`,
          value: `${ms(med(pick("stepP99")))} (${spread(pick("stepP99"))})`,
          baseline: `one-row commit: ${ms(med(pick("insertP99")))}`,
          target: "—",
        },
      );
    }
    notes.push(
      `cases: ${TOTAL.toLocaleString("en")} cases per engine (10,000 open in ${DEPT}, a fifth overdue), ${ROUNDS} rounds alternating the engines; each round ${LOOKUPS} staff lookups and ${LOOKUPS} progress-page lookups, ${WORKLISTS} worklists, ${ACCEPTS} acceptances (PostgreSQL: each followed by one as 8 statements, the code before session 4), then a step (take) of each; value = median of the rounds (min–max). SQLite: WAL, synchronous=FULL, checkpoints in a background worker; "checkpoint in the commit" is the same with SQLite's automatic checkpoint at 1,000 pages and no worker (before session 4). PostgreSQL ${PG_URL.replace(/\/\/[^@]*@/, "//")} (local cluster, default fsync).`,
    );
    return { rows, notes };
  } finally {
    for (const e of engines) await e.cleanup();
    if (schema) {
      const c = new pg.Client({ connectionString: PG_URL });
      await c.connect();
      await c.query(`drop schema if exists ${schema} cascade`);
      await c.end();
    }
    rmSync(dir, { recursive: true, force: true });
  }
}
