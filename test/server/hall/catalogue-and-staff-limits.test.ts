/**
 * Smaller faults of issue 7 item 17: catalogue text without length limits (a 10,000
 * character matter name broke the wall header), and a deleted account still shown at its
 * counter.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Catalogue } from "../../../server/src/contract/catalogue.ts";
import type { HallSnapshot } from "../../../server/src/contract/events.ts";
import { TEXT_LIMITS, validateCatalogue } from "../../../server/src/store/catalogue-schema.ts";
import { demoCatalogue } from "../../../server/src/seed/demo-hall.ts";
import { type TestHub, connected, expectRejected, nextEvent, startTestHub } from "../../helpers/hub.ts";

/** The catalogue as an admin would PUT it back (the served one carries derived initials). */
async function servedCatalogue(t: TestHub): Promise<Catalogue> {
  const cat = (await t.api<Catalogue>("GET", "/api/hall")).body;
  for (const m of cat.matters as (Catalogue["matters"][number] & { initials?: string })[]) delete m.initials;
  return cat;
}

/** The longest string anywhere in a JSON value. */
function longest(v: unknown): number {
  if (typeof v === "string") return v.length;
  if (Array.isArray(v)) return Math.max(0, ...v.map(longest));
  if (v && typeof v === "object") return Math.max(0, ...Object.values(v).map(longest));
  return 0;
}

describe("store/catalogue-schema text limits", () => {
  it("accepts the demo hall, whose names are real ones", () => {
    expect(validateCatalogue(demoCatalogue()).ok).toBe(true);
  });

  it("refuses over-long names, notices and materials, naming the item and the limit", () => {
    const c = demoCatalogue();
    (c.matters[0] as { name: string }).name = "办".repeat(10_000);
    (c.matters[1] as { materials: string[] }).materials = ["身".repeat(TEXT_LIMITS.line + 1)];
    (c.counters[0] as { nameEn: string }).nameEn = "x".repeat(TEXT_LIMITS.nameEn + 1);
    c.hall.notice = "通".repeat(TEXT_LIMITS.notice + 1);
    const r = validateCatalogue(c);
    expect(r.ok).toBe(false);
    const problems = r.ok ? [] : r.problems;
    expect(problems).toContain(`matter ${c.matters[0]?.id}: name: must be at most ${TEXT_LIMITS.name} characters`);
    expect(problems).toContain(`matter ${c.matters[1]?.id}: materials[0]: must be at most ${TEXT_LIMITS.line} characters`);
    expect(problems).toContain(`counter ${c.counters[0]?.id}: nameEn: must be at most ${TEXT_LIMITS.nameEn} characters`);
    expect(problems).toContain(`hall: notice: must be at most ${TEXT_LIMITS.notice} characters`);
  });

  it("accepts a name exactly at the limit", () => {
    const c = demoCatalogue();
    (c.matters[0] as { name: string }).name = "办".repeat(TEXT_LIMITS.name);
    expect(validateCatalogue(c).ok).toBe(true);
  });
});

describe("hall/catalogue-admin and staff over HTTP", () => {
  let t: TestHub;
  let admin: string;
  beforeAll(async () => {
    t = await startTestHub();
    admin = await t.adminToken();
  });
  afterAll(async () => {
    await t.close();
  });

  it("refuses a 10,000-character matter name with VALIDATION_FAILED; the kiosk and wall never get it", async () => {
    const cat = await servedCatalogue(t);
    const bad = structuredClone(cat);
    (bad.matters[0] as { name: string }).name = "办".repeat(10_000);
    const message = await expectRejected(
      t,
      { method: "PUT", path: "/api/catalogue", body: bad, auth: admin },
      400,
      "VALIDATION_FAILED",
    );
    expect(message).toContain(`must be at most ${TEXT_LIMITS.name} characters`);
    // What the kiosk (GET /api/hall) and the wall (snapshot) are served stays as it was.
    const hall = (await t.api<Catalogue>("GET", "/api/hall")).body;
    expect(hall.matters[0]?.name).toBe(cat.matters[0]?.name);
    expect(longest(hall)).toBeLessThan(1000);
    expect(longest((await t.api<HallSnapshot>("GET", "/api/state")).body)).toBeLessThan(1000);
  });

  it("refuses an over-long device name", async () => {
    await expectRejected(
      t,
      {
        method: "PUT",
        path: "/api/devices/printer-long",
        body: {
          kind: "printer",
          name: "打".repeat(TEXT_LIMITS.name + 1),
          transport: { type: "sim" },
          assignment: { kind: "kiosk", kioskId: "k9" },
        },
        auth: admin,
      },
      400,
      "VALIDATION_FAILED",
    );
  });

  it("a deleted account is signed out of its counter: the counter shows nobody, its ticket goes back to the queue", async () => {
    const issued = await t.issue({ matterId: "m-001" });
    expect(issued.status).toBe(201);
    const clerk = await t.login("zhangwei");
    expect((await t.api("POST", "/api/counters/c01/sign-in", undefined, clerk.token)).status).toBe(200);
    const called = await t.api("POST", "/api/counters/c01/call-next", undefined, clerk.token);
    expect(called.status).toBe(200);
    const screen = t.socket();
    await connected(screen);
    await screen.emitWithAck("subscribe", { view: "hall" });
    // Screens are told through the usual delta, like any sign-out.
    const closed = nextEvent(screen, "counter:updated", (c) => c.id === "c01" && c.status === "closed");

    const id = t.hub.config.data.staff.find((s) => s.username === "zhangwei")?.id as string;
    expect((await t.api("DELETE", `/api/staff/${id}`, undefined, admin)).status).toBe(204);

    const c01 = (await t.api<HallSnapshot>("GET", "/api/state")).body.counters.find((c) => c.id === "c01");
    expect(c01?.status).toBe("closed");
    expect(c01?.staffId).toBeUndefined();
    expect(c01?.staffName).toBeUndefined();
    const ticket = t.hub.hall.ticket(issued.body.id);
    expect(ticket?.status).toBe("waiting");
    expect((await closed).staffName).toBeUndefined();
  });
});
