/**
 * Durability of the case store, on each engine: the real hub in its own process accepts
 * cases and moves them on under a bounded load, is killed with SIGKILL in the middle of it,
 * and restarts on the same data. Every acknowledged (2xx) write must be there with at least
 * its acknowledged version and status, and case numbers are never handed out twice.
 */
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import pg from "pg";
import { afterAll, describe, expect, it } from "vitest";
import type { Case } from "../../../server/src/contract/cases.ts";
import { type ChildHub, startChildHub } from "../../helpers/child-hub.ts";
import { ENGINES, TEST_DATABASE_URL } from "./engines.ts";

const ADMIN_PASSWORD = "test-admin-pw";
const WORKERS = 8;
/** Per cycle the load stops here at the latest; the kill comes at half of it or after KILL_AFTER_MS. */
const MAX_WRITES_PER_CYCLE = 600;
const KILL_AFTER_MS = 1500;
const RANK: Record<string, number> = { accepted: 0, in_review: 1, approved: 2 };

async function call(
  url: string,
  method: string,
  body: unknown,
  token?: string,
  key?: string,
): Promise<{ status: number; body: unknown }> {
  const r = await fetch(url, {
    method,
    headers: {
      "content-type": "application/json",
      ...(token ? { authorization: `Bearer ${token}` } : {}),
      ...(key ? { "idempotency-key": key } : {}),
    },
    ...(body !== undefined ? { body: JSON.stringify(body) } : {}),
  });
  const text = await r.text();
  return { status: r.status, body: text ? JSON.parse(text) : undefined };
}

async function login(hub: ChildHub, username: string, password: string): Promise<string> {
  const r = await call(`${hub.url}/api/auth/login`, "POST", { username, password });
  if (r.status !== 200) throw new Error(`login ${username}: ${r.status}`);
  return (r.body as { token: string }).token;
}

/** Acknowledged writes: case number → highest acknowledged version and status. */
class Ledger {
  readonly cases = new Map<string, { version: number; status: string }>();
  readonly problems: string[] = [];
  accepted(c: Case): void {
    if (this.cases.has(c.caseNo)) this.problems.push(`case number ${c.caseNo} acknowledged for two acceptances`);
    this.cases.set(c.caseNo, { version: c.version, status: c.status });
  }
  moved(c: Case): void {
    const prev = this.cases.get(c.caseNo);
    if (!prev || c.version > prev.version) this.cases.set(c.caseNo, { version: c.version, status: c.status });
  }
}

/** One cycle: load until the kill, return when the hub is gone. */
async function cycle(hub: ChildHub, passwords: ReadonlyMap<string, string>, ledger: Ledger, tag: string): Promise<void> {
  const sup = await login(hub, "wangli", passwords.get("wangli") as string);
  const approver = await login(hub, "gaojie", passwords.get("gaojie") as string);
  let writes = 0;
  let killed: Promise<unknown> | undefined;
  const started = Date.now();
  const maybeKill = () => {
    if (!killed && (writes >= MAX_WRITES_PER_CYCLE / 2 || Date.now() - started > KILL_AFTER_MS)) killed = hub.kill9();
  };
  const worker = async (w: number) => {
    for (let i = 0; writes < MAX_WRITES_PER_CYCLE && !killed; i++) {
      try {
        const a = await call(
          `${hub.url}/api/cases`,
          "POST",
          {
            matterId: "m-003",
            applicant: { name: "测试", phone: "13800000000" },
            materials: [0, 1, 2, 3, 4].map((index) => ({ index, state: "received" })),
            outcome: "accepted",
          },
          sup,
          `${tag}-${w}-${i}`,
        );
        writes++;
        if (a.status !== 201) continue;
        const c = a.body as Case;
        ledger.accepted(c);
        let v = c.version;
        for (const action of ["take", "approve"]) {
          const t = await call(
            `${hub.url}/api/cases/${c.caseNo}/transitions`,
            "POST",
            { action, expectedVersion: v },
            approver,
            `${tag}-${w}-${i}-${action}`,
          );
          writes++;
          if (t.status !== 200) break;
          const moved = t.body as Case;
          ledger.moved(moved);
          v = moved.version;
        }
      } catch {
        // The hub is gone (connection refused or reset): the kill has happened.
        return;
      } finally {
        maybeKill();
      }
    }
  };
  await Promise.all(Array.from({ length: WORKERS }, (_, w) => worker(w)));
  if (!killed) killed = hub.kill9();
  await killed;
}

async function freshDatabase(): Promise<{ url: string; drop(): Promise<void> }> {
  const name = `onevisit_k9_${process.pid}_${Date.now().toString(36)}`;
  const admin = new pg.Client({ connectionString: TEST_DATABASE_URL });
  await admin.connect();
  await admin.query(`create database ${name}`);
  await admin.end();
  const u = new URL(TEST_DATABASE_URL);
  u.pathname = `/${name}`;
  return {
    url: u.toString(),
    async drop() {
      const c = new pg.Client({ connectionString: TEST_DATABASE_URL });
      await c.connect();
      await c.query(`drop database if exists ${name} with (force)`);
      await c.end();
    },
  };
}

describe.each(ENGINES)("cases survive kill -9 on $name", (engine) => {
  const cleanup: (() => Promise<unknown>)[] = [];
  afterAll(async () => {
    for (const f of cleanup.reverse()) await f().catch(() => {});
  });

  it("keeps every acknowledged acceptance and step, and never reuses a case number", async () => {
    const dataDir = await mkdtemp(join(tmpdir(), `onevisit-cases-k9-${engine.name}-`));
    cleanup.push(() => rm(dataDir, { recursive: true, force: true }));
    const env: Record<string, string> = {};
    if (engine.name === "postgres") {
      const db = await freshDatabase();
      cleanup.push(db.drop);
      env.DATABASE_URL = db.url;
    }
    const ledger = new Ledger();
    let hub = await startChildHub({ dataDir, adminPassword: ADMIN_PASSWORD, env, timeoutMs: 60_000 });
    cleanup.push(() => hub.stop());
    const passwords = hub.accounts;
    expect(hub.stdout()).toContain(engine.name === "postgres" ? "cases: PostgreSQL" : "cases: embedded SQLite");
    for (const tag of ["one", "two"]) {
      await cycle(hub, passwords, ledger, tag);
      const before = ledger.cases.size;
      expect(before).toBeGreaterThan(0);
      hub = await startChildHub({ dataDir, env, timeoutMs: 60_000 });
      const sup = await login(hub, "wangli", passwords.get("wangli") as string);
      const missing: string[] = [];
      for (const [no, acked] of ledger.cases) {
        const r = await call(`${hub.url}/api/cases/${no}`, "GET", undefined, sup);
        const c = r.body as Case;
        if (r.status !== 200) missing.push(`${no}: ${r.status}`);
        else if (c.version < acked.version || (RANK[c.status] ?? -1) < (RANK[acked.status] ?? -1))
          missing.push(`${no}: acknowledged v${acked.version} ${acked.status}, found v${c.version} ${c.status}`);
      }
      expect(missing).toEqual([]);
      // The next number is new: the sequence committed with each case, acknowledged or not.
      const next = await call(
        `${hub.url}/api/cases`,
        "POST",
        {
          matterId: "m-003",
          applicant: { name: "测试", phone: "13800000000" },
          materials: [0, 1, 2, 3, 4].map((index) => ({ index, state: "received" })),
          outcome: "accepted",
        },
        sup,
        `after-${tag}`,
      );
      expect(next.status).toBe(201);
      const no = (next.body as Case).caseNo;
      expect(ledger.cases.has(no)).toBe(false);
      const seq = (x: string) => Number(x.split("-")[2]);
      expect(seq(no)).toBeGreaterThan(Math.max(...[...ledger.cases.keys()].map(seq)));
      ledger.accepted(next.body as Case);
    }
    expect(ledger.problems).toEqual([]);
    await hub.stop();
  }, 240_000);
});
