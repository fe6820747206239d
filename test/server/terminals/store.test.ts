/**
 * The print-once record (case_prints, migration 6) on both engines: embedded SQLite and a
 * real PostgreSQL server. A claim is taken once, two racing claims cannot both win, a
 * failed print is released, a printed certificate stays printed, a claim left by a hub
 * that stopped mid-print is taken over only once it is stale.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { CaseStore } from "../../../server/src/cases/store.ts";
import { HallError } from "../../../server/src/hall/errors.ts";
import { PrintStore } from "../../../server/src/terminals/store.ts";
import { ENGINES } from "../cases/engines.ts";

const T0 = Date.parse("2026-12-03T02:00:00Z");
const STALE = 10 * 60_000;

async function code(p: Promise<unknown>): Promise<string> {
  try {
    await p;
    return "ok";
  } catch (err) {
    if (err instanceof HallError) return err.code;
    throw err;
  }
}

describe.each(ENGINES)("terminal print store on $name", (engine) => {
  let loc: Awaited<ReturnType<typeof engine.fresh>>;
  let cases: CaseStore;
  let prints: PrintStore;

  beforeAll(async () => {
    loc = await engine.fresh();
    cases = await CaseStore.open(
      { dataDir: loc.dataDir, ...(loc.databaseUrl ? { databaseUrl: loc.databaseUrl, schema: loc.schema as string } : {}) },
      T0,
    );
    prints = new PrintStore(cases);
  });
  afterAll(async () => {
    await cases?.close();
    await loc?.drop();
  });

  it("numbers clerks' copies 2, 3, … per case, also when two are recorded at once (migration 9)", async () => {
    const no = "371426-20261203-00099";
    const rec = (staffId: string, at: number) => ({
      caseNo: no,
      staffId,
      staffName: "朱红",
      counterId: "c43",
      printerId: "a4-c43",
      reason: "原件污损",
      at,
    });
    expect(await prints.recordReprint(rec("s1", T0))).toBe(2);
    const both = await Promise.all([prints.recordReprint(rec("s2", T0 + 1)), prints.recordReprint(rec("s3", T0 + 2))]);
    expect(both.sort()).toEqual([3, 4]);
    const list = await prints.reprintsOf(no);
    expect(list.map((r) => r.copy)).toEqual([2, 3, 4]);
    expect(list[0]).toEqual({ ...rec("s1", T0), copy: 2 });
    expect(await prints.reprintsOf("371426-20261203-00098")).toEqual([]);
  });

  it("claims once: a second claim while printing is PRINT_IN_PROGRESS, after printing ALREADY_PRINTED", async () => {
    await prints.claim("371426-20261203-00001", "t1", T0, STALE);
    expect(await prints.printOf("371426-20261203-00001")).toEqual({ state: "printing", terminalId: "t1", startedAt: T0 });
    expect(await code(prints.claim("371426-20261203-00001", "t2", T0 + 1000, STALE))).toBe("PRINT_IN_PROGRESS");
    await prints.printed("371426-20261203-00001", T0 + 2000);
    expect(await prints.printOf("371426-20261203-00001")).toMatchObject({ state: "printed", printedAt: T0 + 2000 });
    expect(await code(prints.claim("371426-20261203-00001", "t1", T0 + STALE * 10, STALE))).toBe("ALREADY_PRINTED");
    // Releasing never undoes a print.
    await prints.release("371426-20261203-00001");
    expect((await prints.printOf("371426-20261203-00001"))?.state).toBe("printed");
  });

  it("two claims racing for the same case: exactly one wins", async () => {
    const results = await Promise.all(
      ["t1", "t2", "t3", "t4"].map((t) => code(prints.claim("371426-20261203-00002", t, T0, STALE))),
    );
    expect(results.filter((r) => r === "ok")).toHaveLength(1);
    expect(results.filter((r) => r === "PRINT_IN_PROGRESS")).toHaveLength(3);
  });

  it("a failed print is released and may be claimed again; a stale claim is taken over", async () => {
    await prints.claim("371426-20261203-00003", "t1", T0, STALE);
    await prints.release("371426-20261203-00003");
    expect(await prints.printOf("371426-20261203-00003")).toBeUndefined();
    await prints.claim("371426-20261203-00003", "t1", T0 + 1, STALE);
    expect(await code(prints.claim("371426-20261203-00003", "t2", T0 + STALE - 1, STALE))).toBe("PRINT_IN_PROGRESS");
    await prints.claim("371426-20261203-00003", "t2", T0 + STALE + 2, STALE);
    expect(await prints.printOf("371426-20261203-00003")).toMatchObject({ state: "printing", terminalId: "t2" });
  });
});
