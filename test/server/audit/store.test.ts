/**
 * The audit log's store on both engines (embedded SQLite and a real PostgreSQL server):
 * rows are chained without gaps, the database itself refuses UPDATE and DELETE, a row
 * edited or removed behind the store's back is found by the chain check, and the page's
 * filters (who, action, time range, text) and paging answer what they say.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { sql } from "kysely";
import { AuditLog } from "../../../server/src/audit/service.ts";
import { AuditStore, chainHash, GENESIS } from "../../../server/src/audit/store.ts";
import { CaseStore } from "../../../server/src/cases/store.ts";
import { withOrigin } from "../../../server/src/hall/origin.ts";
import { ENGINES } from "../cases/engines.ts";

const T0 = Date.parse("2026-12-02T02:00:00Z");
const admin = { id: "s-admin", name: "管理员", role: "admin" };
const clerk = { id: "s-zw", name: "张伟", role: "clerk" };

for (const engine of ENGINES) {
  describe(`audit store on ${engine.name}`, () => {
    let loc: Awaited<ReturnType<typeof engine.fresh>>;
    let cases: CaseStore;
    let log: AuditLog;
    let now = T0;
    const open = () =>
      CaseStore.open(
        { dataDir: loc.dataDir, ...(loc.databaseUrl ? { databaseUrl: loc.databaseUrl, schema: loc.schema as string } : {}) },
        now,
      );

    beforeAll(async () => {
      loc = await engine.fresh();
      cases = await open();
      log = new AuditLog(new AuditStore(cases.db, cases.engine), () => now);
    });
    afterAll(async () => {
      await cases?.close();
      await loc?.drop();
    });

    it("appends rows in order, each linked to the one before, with who, when and from where", async () => {
      const a = await withOrigin({ ip: "192.168.1.20", via: "http" }, () =>
        log.record({
          actor: admin,
          action: "staff.create",
          target: "s-new",
          change: { before: undefined, after: { name: "李四" } },
        }),
      );
      now += 1000;
      const b = await log.record({ actor: clerk, action: "counter.sign-in", target: "c01" });
      expect(a.seq).toBe(1);
      expect(a.prevHash).toBe(GENESIS);
      expect(a.ip).toBe("192.168.1.20");
      expect(a.via).toBe("http");
      expect(a.at).toBe(T0);
      expect(a.detail.changes).toEqual([{ path: "name", after: "李四" }]);
      expect(b.seq).toBe(2);
      expect(b.prevHash).toBe(a.hash);
      expect(b.ip).toBeUndefined();
      expect(await log.verify()).toEqual({ ok: true, checked: 2, head: b.hash });
    });

    it("keeps one gap-free chain when many appends arrive at once (group commit)", async () => {
      const rows = await Promise.all(
        Array.from({ length: 60 }, (_, i) =>
          log.record({ actor: i % 2 ? clerk : admin, action: i % 3 ? "auth.login" : "auth.logout", detail: { n: i } }),
        ),
      );
      const seqs = rows.map((r) => r.seq).sort((x, y) => x - y);
      expect(seqs).toEqual(Array.from({ length: 60 }, (_, i) => i + 3));
      // Each caller got its own row back (its detail), in arrival order.
      expect(rows.map((r) => r.detail.n)).toEqual(Array.from({ length: 60 }, (_, i) => i));
      const v = await log.verify();
      expect(v.ok).toBe(true);
      expect(v.checked).toBe(62);
    });

    it("filters by who, action (or its family), time range and text; pages newest first", async () => {
      now = T0 + 3_600_000;
      await log.record({ actor: clerk, action: "counter.call-out-of-order", target: "c01", detail: { reason: "老人 100%优先" } });
      await log.record({ actor: admin, action: "staff.password-reset", target: "s-zw", detail: { username: "zhangwei" } });
      const byClerk = await log.query({ actorId: "s-zw", limit: 500 });
      expect(byClerk.rows.length).toBe(32);
      expect(byClerk.rows.every((r) => r.actorId === "s-zw")).toBe(true);
      const calls = await log.query({ action: "counter.call-out-of-order", limit: 10 });
      expect(calls.rows.map((r) => r.target)).toEqual(["c01"]);
      const staffFamily = await log.query({ action: "staff.", limit: 10 });
      expect(staffFamily.rows.map((r) => r.action)).toEqual(["staff.password-reset", "staff.create"]);
      const lastHour = await log.query({ from: T0 + 3_600_000, to: T0 + 3_600_001, limit: 10 });
      expect(lastHour.rows.map((r) => r.action)).toEqual(["staff.password-reset", "counter.call-out-of-order"]);
      // Text is case-insensitive, and % is a character, not a wildcard.
      expect((await log.query({ text: "ZHANGWEI", limit: 10 })).rows.map((r) => r.seq)).toEqual([64]);
      expect((await log.query({ text: "100%优先", limit: 10 })).rows.map((r) => r.seq)).toEqual([63]);
      expect((await log.query({ text: "1%0", limit: 10 })).rows).toEqual([]);
      // Paging: 64 rows, 25 a page.
      const seen: number[] = [];
      let before: number | undefined;
      for (let i = 0; i < 5; i++) {
        const p = await log.query({ limit: 25, ...(before !== undefined ? { before } : {}) });
        seen.push(...p.rows.map((r) => r.seq));
        if (p.next === undefined) break;
        before = p.next;
      }
      expect(seen).toEqual(Array.from({ length: 64 }, (_, i) => 64 - i));
    });

    // Two hubs on one PostgreSQL schema (a county's server): the append lock keeps one chain.
    // Only there: an embedded SQLite file has one hub, so the case does not exist (and is not
    // listed as skipped, which CI would count as missing).
    if (engine.name === "postgres")
      it("keeps one chain when two hubs append at once", async () => {
        const other = await open();
        try {
          const log2 = new AuditLog(new AuditStore(other.db, other.engine), () => now);
          await Promise.all(
            Array.from({ length: 40 }, (_, i) =>
              (i % 2 ? log : log2).record({ actor: admin, action: "device.put", target: `d${i}`, detail: { i } }),
            ),
          );
          const v = await log2.verify();
          expect(v).toMatchObject({ ok: true, checked: 104 });
          const page = await log.query({ action: "device.put", limit: 100 });
          expect(page.rows.map((r) => r.seq)).toEqual(Array.from({ length: 40 }, (_, i) => 104 - i));
        } finally {
          await other.close();
        }
      });

    it("the database refuses to change or remove a row", async () => {
      await expect(sql`update audit_log set actor_name = 'x' where seq = 1`.execute(cases.db)).rejects.toThrow(/append-only/);
      await expect(sql`delete from audit_log where seq = 2`.execute(cases.db)).rejects.toThrow(/append-only/);
      if (engine.name === "postgres") await expect(sql`truncate audit_log`.execute(cases.db)).rejects.toThrow(/append-only/);
      expect((await log.verify()).ok).toBe(true);
    });

    it("survives a reopen (a restarted hub continues the same chain)", async () => {
      const last = (await log.query({ limit: 1 })).rows[0]?.seq ?? 0;
      await cases.close();
      cases = await open();
      log = new AuditLog(new AuditStore(cases.db, cases.engine), () => now);
      const r = await log.record({ actor: admin, action: "auth.login" });
      expect(r.seq).toBe(last + 1);
      expect((await log.verify()).ok).toBe(true);
    });

    it("finds a row edited or removed behind the store's back (triggers dropped)", async () => {
      if (engine.name === "sqlite") {
        await sql`drop trigger audit_log_no_update`.execute(cases.db);
        await sql`drop trigger audit_log_no_delete`.execute(cases.db);
      } else await sql`drop trigger audit_log_no_change on audit_log`.execute(cases.db);
      // Rewriting a reason: the row's own hash no longer holds.
      await sql`update audit_log set detail = '{"reason":"nothing to see"}' where seq = 63`.execute(cases.db);
      expect(await log.verify()).toMatchObject({ ok: false, brokenAt: 63, checked: 62 });
      // Even with the hash recomputed for the new content, the next row's link breaks.
      const row = (await sql<Record<string, never>>`select * from audit_log where seq = 63`.execute(cases.db)).rows[0] as never;
      const forged = chainHash(row);
      await sql`update audit_log set hash = ${forged} where seq = 63`.execute(cases.db);
      expect(await log.verify()).toMatchObject({ ok: false, brokenAt: 64 });
      // A row removed from the middle: the chain stops where it is missing.
      await sql`delete from audit_log where seq = 10`.execute(cases.db);
      expect(await log.verify()).toMatchObject({ ok: false, brokenAt: 10, checked: 9 });
    });
  });
}
