/**
 * The snapshot every socket gets on connect, at the reference hall's scale (47 departments,
 * 1,410 matters, 150 counters, 300 visitors waiting): the catalogue is named by its
 * version, not sent, so the snapshot stays small however large the catalogue grows
 * (issue 9: it was 342 KB with the catalogue in it).
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Catalogue } from "../../../server/src/contract/catalogue.ts";
import type { HallSnapshot } from "../../../server/src/contract/events.ts";
import { connected, nextEvent, startTestHub, type TestHub } from "../../helpers/hub.ts";
import { REFERENCE_SCALE, referenceCatalogue } from "../../helpers/reference-hall.ts";

const WAITING = 300;

describe("realtime snapshot at the reference hall's scale", () => {
  let t: TestHub;
  let served: Catalogue;
  beforeAll(async () => {
    t = await startTestHub();
    const put = await t.api<Catalogue>("PUT", "/api/catalogue", referenceCatalogue(), await t.adminToken());
    expect(put.status).toBe(200);
    served = (await t.api<Catalogue>("GET", "/api/hall")).body;
    for (let i = 0; i < WAITING; i++) {
      const m = served.matters[(i * 37) % served.matters.length] as Catalogue["matters"][number];
      const r = await t.issue({ matterId: m.id });
      expect(r.status).toBe(201);
    }
  }, 120_000);
  afterAll(() => t?.close());

  it("is at most 100 KB on connect, with the catalogue's version instead of the catalogue", async () => {
    expect(served.departments).toHaveLength(REFERENCE_SCALE.departments);
    expect(served.matters).toHaveLength(REFERENCE_SCALE.matters);
    expect(served.counters).toHaveLength(REFERENCE_SCALE.counters);
    // The catalogue alone would break the budget several times over.
    expect(Buffer.byteLength(JSON.stringify(served))).toBeGreaterThan(300_000);

    const s = t.socket();
    await connected(s);
    const snap = nextEvent(s, "hall:snapshot");
    await s.emitWithAck("subscribe", { view: "hall" });
    const body = (await snap) as HallSnapshot;
    expect(body.active.filter((x) => x.status === "waiting")).toHaveLength(WAITING);
    expect(body.counters).toHaveLength(REFERENCE_SCALE.counters);
    expect(body.catalogueVersion).toBe(served.version);
    expect(Buffer.byteLength(JSON.stringify(body))).toBeLessThanOrEqual(100_000);
  });

  it("revalidates GET /api/hall by version: 304 while it holds, a new version after a change", async () => {
    const etag = `"${served.version}"`;
    const same = await t.api("GET", "/api/hall", undefined, undefined, { "if-none-match": etag });
    expect(same.status).toBe(304);
    expect(same.headers.get("etag")).toBe(etag);

    const s = t.socket();
    await connected(s);
    await s.emitWithAck("subscribe", { view: "hall" });
    const updated = nextEvent(s, "catalogue:updated");
    const changed = { ...served, hall: { ...served.hall, notice: "今日系统维护" } };
    expect((await t.api("PUT", "/api/catalogue", changed, await t.adminToken())).status).toBe(200);
    const pushed = (await updated) as Catalogue;
    expect(pushed.version).not.toBe(served.version);
    expect(pushed.hall.notice).toBe("今日系统维护");
    const fresh = await t.api<Catalogue>("GET", "/api/hall", undefined, undefined, { "if-none-match": etag });
    expect(fresh.status).toBe(200);
    expect(fresh.body.version).toBe(pushed.version);
    expect((await t.api<HallSnapshot>("GET", "/api/state")).body.catalogueVersion).toBe(pushed.version);
  });
});
