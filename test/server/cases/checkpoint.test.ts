/**
 * The embedded engine's WAL checkpoint runs in a background worker, not inside a commit:
 * with SQLite's own automatic checkpoint far away, committed pages still reach cases.db
 * (only a checkpoint writes that file in WAL mode), the store keeps working meanwhile, and
 * a reopened store reads everything back.
 */
import { mkdtemp, rm, stat } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it, vi } from "vitest";
import type { CaseBusEvents } from "../../../server/src/cases/events.ts";
import { CaseService } from "../../../server/src/cases/service.ts";
import { CaseStore } from "../../../server/src/cases/store.ts";
import { Bus } from "../../../server/src/hall/bus.ts";
import { demoCatalogue } from "../../../server/src/seed/demo-hall.ts";
import type { StaffRecord } from "../../../server/src/store/config.ts";

const T0 = Date.parse("2026-12-02T02:00:00Z");
const sup: StaffRecord = { id: "s-sup", username: "sup", name: "主管", role: "supervisor", salt: "", hash: "" };

describe("SQLite checkpoints in the background", () => {
  const dirs: string[] = [];
  afterAll(async () => {
    for (const d of dirs) await rm(d, { recursive: true, force: true });
  });

  it("committed pages reach cases.db without a checkpoint in any commit", async () => {
    const dataDir = await mkdtemp(join(tmpdir(), "onevisit-ckpt-"));
    dirs.push(dataDir);
    // The automatic checkpoint only past 100,000 pages (400 MB): never in this test.
    const store = await CaseStore.open({ dataDir, checkpoint: { everyMs: 20, commits: 16, autoPages: 100_000 } }, T0);
    const file = join(dataDir, "cases.db");
    const cat = demoCatalogue();
    const svc = new CaseService({
      store,
      catalogue: () => cat,
      clock: () => T0,
      idSalt: "salt",
      ticket: () => undefined,
      counterHolder: () => undefined,
      bus: new Bus<CaseBusEvents>(),
    });
    // Let the migrations' pages be checkpointed, then measure what the cases add.
    await vi.waitFor(async () => expect((await stat(join(dataDir, "cases.db"))).size).toBeGreaterThan(4096), {
      timeout: 10_000,
    });
    const before = (await stat(file)).size;
    const made: string[] = [];
    for (let i = 0; i < 300; i++) {
      const c = await svc.accept(
        sup,
        {
          matterId: "m-003",
          siteId: "pingyuan",
          applicant: { name: "王小明", phone: "13812345678" },
          materials: [0, 1, 2, 3, 4].map((index) => ({ index, state: "received" as const })),
          outcome: "accepted",
        },
        `k-${i}`,
      );
      made.push(c.caseNo);
    }
    // 300 cases with their events are far more than 256 KB of pages.
    await vi.waitFor(async () => expect((await stat(file)).size - before).toBeGreaterThan(256 * 1024), {
      timeout: 20_000,
      interval: 50,
    });
    expect(await store.allCaseNumbers()).toEqual(made);
    await store.close();
    const again = await CaseStore.open({ dataDir }, T0);
    expect(await again.allCaseNumbers()).toEqual(made);
    await again.close();
  });
});
