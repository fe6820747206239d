/**
 * The two database engines the case store runs on, for tests: embedded SQLite in a temp
 * folder, and a real PostgreSQL server (TEST_DATABASE_URL, default the local cluster that
 * .ci/run starts) with a fresh schema per store. On a developer machine without PostgreSQL
 * the server half is skipped with a notice; under CI (CI=true) a missing server fails.
 */
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import pg from "pg";

export const TEST_DATABASE_URL = process.env.TEST_DATABASE_URL ?? "postgres://onevisit:onevisit@127.0.0.1:5432/postgres";

export interface EngineUnderTest {
  name: "sqlite" | "postgres";
  /** A fresh, empty database location (a temp folder, or a new schema). */
  fresh(): Promise<{ dataDir: string; databaseUrl?: string; schema?: string; drop(): Promise<void> }>;
}

async function pgReachable(): Promise<string | undefined> {
  const c = new pg.Client({ connectionString: TEST_DATABASE_URL, connectionTimeoutMillis: 3000 });
  try {
    await c.connect();
    await c.query("select 1");
    return undefined;
  } catch (err) {
    return (err as Error).message;
  } finally {
    await c.end().catch(() => {});
  }
}

let n = 0;
const sqlite: EngineUnderTest = {
  name: "sqlite",
  async fresh() {
    const dataDir = await mkdtemp(join(tmpdir(), "onevisit-cases-"));
    return { dataDir, drop: () => rm(dataDir, { recursive: true, force: true }) };
  },
};
const postgres: EngineUnderTest = {
  name: "postgres",
  async fresh() {
    const dataDir = await mkdtemp(join(tmpdir(), "onevisit-cases-pg-"));
    const schema = `t_${process.pid}_${Date.now().toString(36)}_${n++}`;
    return {
      dataDir,
      databaseUrl: TEST_DATABASE_URL,
      schema,
      async drop() {
        const c = new pg.Client({ connectionString: TEST_DATABASE_URL });
        await c.connect();
        await c.query(`drop schema if exists ${schema} cascade`);
        await c.end();
        await rm(dataDir, { recursive: true, force: true });
      },
    };
  },
};

/** The engines to run against: both, or SQLite only when no server is reachable outside CI. */
export async function enginesUnderTest(): Promise<EngineUnderTest[]> {
  const problem = await pgReachable();
  if (!problem) return [sqlite, postgres];
  if (process.env.CI === "true" || process.env.CI === "1")
    throw new Error(`CI must test the case store on PostgreSQL, but ${TEST_DATABASE_URL} is not reachable: ${problem}`);
  console.warn(`case store tests: PostgreSQL not reachable (${problem}); running on SQLite only. Set TEST_DATABASE_URL.`);
  return [sqlite];
}

export const ENGINES = await enginesUnderTest();
