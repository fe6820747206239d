/**
 * Two (or more) hubs starting at once on one PostgreSQL database — a county's halls after a
 * power cut, or a rolling upgrade — each open a CaseStore on the same, not yet existing,
 * schema. Exactly one of them runs each migration, none fails, and all end up on the newest
 * version and usable: a case accepted through one is read through the other.
 */
import { sql } from "kysely";
import { afterAll, describe, expect, it } from "vitest";
import type { Catalogue } from "../../../server/src/contract/catalogue.ts";
import { openDb } from "../../../server/src/cases/db.ts";
import type { CaseBusEvents } from "../../../server/src/cases/events.ts";
import { MIGRATIONS, type Migration, migrate } from "../../../server/src/cases/migrations.ts";
import { CaseService } from "../../../server/src/cases/service.ts";
import { CaseStore } from "../../../server/src/cases/store.ts";
import { Bus } from "../../../server/src/hall/bus.ts";
import { demoCatalogue } from "../../../server/src/seed/demo-hall.ts";
import type { StaffRecord } from "../../../server/src/store/config.ts";
import { ENGINES, type EngineUnderTest } from "./engines.ts";

const PG = ENGINES.filter((e) => e.name === "postgres");
const T0 = Date.parse("2026-12-02T02:00:00Z");
const sup: StaffRecord = { id: "s-sup", username: "sup", name: "主管", role: "supervisor", salt: "", hash: "" };

function service(store: CaseStore, cat: Catalogue): CaseService {
  return new CaseService({
    store,
    catalogue: () => cat,
    clock: () => T0,
    idSalt: "salt",
    ticket: () => undefined,
    counterHolder: () => undefined,
    bus: new Bus<CaseBusEvents>(),
  });
}

describe.each(PG)("migrations with several hubs at once on $name", (engine: EngineUnderTest) => {
  const drops: (() => Promise<void>)[] = [];
  afterAll(async () => {
    for (const d of drops) await d();
  });

  async function place() {
    const loc = await engine.fresh();
    drops.push(loc.drop);
    return { dataDir: loc.dataDir, databaseUrl: loc.databaseUrl as string, schema: loc.schema as string };
  }

  it("each migration runs exactly once; every hub ends up migrated and usable", async () => {
    // Several rounds, each on a schema that does not exist yet: the race is in the first
    // statements (schema, migrations table), so one lucky round proves little.
    for (let round = 0; round < 4; round++) {
      const where = await place();
      const hubs = 3;
      const opened = await Promise.allSettled(Array.from({ length: hubs }, () => CaseStore.open(where, T0)));
      const problems = opened.filter((o) => o.status === "rejected").map((o) => String((o as PromiseRejectedResult).reason));
      expect(problems).toEqual([]);
      const stores = opened.map((o) => (o as PromiseFulfilledResult<CaseStore>).value);
      try {
        const rows = await stores[0]?.db.selectFrom("case_migrations").select("version").orderBy("version").execute();
        expect(rows?.map((r) => r.version)).toEqual(MIGRATIONS.map((m) => m.version));
        // Usable from every hub: each accepts a case, all see all of them, numbers never twice.
        const cat = demoCatalogue();
        const made = await Promise.all(
          stores.map((s, i) =>
            service(s, cat).accept(
              sup,
              {
                matterId: "m-003",
                siteId: "pingyuan",
                applicant: { name: "王小明", phone: "13812345678" },
                materials: [0, 1, 2, 3, 4].map((index) => ({ index, state: "received" as const })),
                outcome: "accepted",
              },
              `k-${round}-${i}`,
            ),
          ),
        );
        expect(new Set(made.map((c) => c.caseNo)).size).toBe(hubs);
        for (const s of stores) expect(await s.allCaseNumbers()).toEqual(made.map((c) => c.caseNo).sort());
      } finally {
        for (const s of stores) await s.close();
      }
    }
  });

  it("the migrations one hub applies are exactly those the others do not (no gap, no overlap)", async () => {
    const where = await place();
    // A slow migration on top of the real ones widens the window in which the others wait.
    const slow: Migration = {
      version: 9_001,
      name: "test: a slow migration",
      async up(db) {
        await sql`select pg_sleep(0.3)`.execute(db);
        await sql`create table slow_probe (id integer primary key)`.execute(db);
        await sql`insert into slow_probe (id) values (1)`.execute(db);
      },
    };
    const dbs = await Promise.all(Array.from({ length: 3 }, () => openDb(where)));
    try {
      const applied = await Promise.all(dbs.map((d) => migrate(d.db, d.engine, T0, [...MIGRATIONS, slow])));
      const all = applied.flat().sort((a, b) => a - b);
      expect(all).toEqual([...MIGRATIONS.map((m) => m.version), slow.version]);
      const probe = await sql<{ n: number }>`select count(*)::integer as n from slow_probe`.execute(dbs[0]?.db as never);
      expect(probe.rows[0]?.n).toBe(1);
    } finally {
      for (const d of dbs) await d.close();
    }
  });
});
