import { readFileSync } from "node:fs";
import { mkdtemp, open, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import type { Catalogue } from "../../../server/src/contract/catalogue.ts";
import type { KioskInput } from "../../../server/src/contract/events.ts";
import type { Command, HallEvent } from "../../../server/src/core/index.ts";
import { Bus } from "../../../server/src/hall/bus.ts";
import type { HallEvents } from "../../../server/src/hall/events.ts";
import { IdCards } from "../../../server/src/hall/id-cards.ts";
import { HallService } from "../../../server/src/hall/service.ts";
import { demoCatalogue } from "../../../server/src/seed/demo-hall.ts";

type Map_ = { said: [text: string, times: number]; ping: [] };

describe("hall/bus", () => {
  it("calls each listener of an event with its arguments, in the order they registered", () => {
    const bus = new Bus<Map_>();
    const heard: string[] = [];
    const a = {};
    const b = {};
    bus.on(a, "said", (text, times) => heard.push(`a:${text}x${times}`));
    bus.on(b, "said", (text) => heard.push(`b:${text}`));
    bus.on(a, "ping", () => heard.push("a:ping"));
    bus.emit("said", "hi", 2);
    expect(heard).toEqual(["a:hix2", "b:hi"]);
    bus.emit("ping");
    expect(heard).toEqual(["a:hix2", "b:hi", "a:ping"]);
  });

  it("off(owner) removes every listener that owner registered, and only those", () => {
    const bus = new Bus<Map_>();
    const heard: string[] = [];
    const a = {};
    const b = {};
    bus.on(a, "said", (t) => heard.push(`a:${t}`));
    bus.on(a, "ping", () => heard.push("a:ping"));
    bus.on(b, "said", (t) => heard.push(`b:${t}`));
    expect(bus.listenerCount("said")).toBe(2);
    bus.off(a);
    expect(bus.listenerCount("said")).toBe(1);
    expect(bus.listenerCount("ping")).toBe(0);
    bus.emit("said", "x", 1);
    bus.emit("ping");
    expect(heard).toEqual(["b:x"]);
  });

  it("a listener that throws is reported and the others still hear the event", () => {
    const errors: [string, unknown][] = [];
    const bus = new Bus<Map_>((event, err) => errors.push([event, err]));
    const heard: string[] = [];
    bus.on({}, "said", () => {
      throw new Error("broken screen adapter");
    });
    bus.on({}, "said", (t) => heard.push(t));
    expect(() => bus.emit("said", "A001", 1)).not.toThrow();
    expect(heard).toEqual(["A001"]);
    expect(errors).toHaveLength(1);
    expect(errors[0]?.[0]).toBe("said");
    expect(((errors[0] as [string, unknown])[1] as Error).message).toBe("broken screen adapter");
  });

  it("a listener added or removed while an event is delivered does not change that delivery", () => {
    const bus = new Bus<Map_>();
    const heard: string[] = [];
    const late = {};
    const first = {};
    bus.on(first, "ping", () => {
      heard.push("first");
      bus.on(late, "ping", () => heard.push("late"));
      bus.off(first);
    });
    bus.emit("ping");
    expect(heard).toEqual(["first"]);
    bus.emit("ping");
    expect(heard).toEqual(["first", "late"]);
  });
});

/** Instant of a local (Asia/Shanghai, UTC+8) wall-clock time. */
function local(day: string, hhmm: string): number {
  const [y, mo, d] = day.split("-").map(Number) as [number, number, number];
  const [h, mi] = hhmm.split(":").map(Number) as [number, number];
  return Date.UTC(y, mo - 1, d, h - 8, mi);
}

describe("hall/service publishes on its bus", () => {
  let dir: string;
  let now: number;
  let logs: string[];
  let svc: HallService | undefined;
  let seq = 0;
  const issue = (): Command => ({ type: "issue", ticketId: `t${++seq}`, matterId: "m-001", priority: "normal", source: "k1" });

  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), "onevisit-bus-"));
    now = local("2025-03-10", "09:00");
    logs = [];
    svc = await HallService.open({ dataDir: dir, catalogue: demoCatalogue(), clock: () => now, log: (l) => logs.push(l) });
  });
  afterEach(async () => {
    vi.restoreAllMocks();
    await svc?.close();
    await rm(dir, { recursive: true, force: true });
  });

  it("hall.events carries one command's events once they are in the journal; a refused command publishes nothing", async () => {
    const hall = svc as HallService;
    const batches: HallEvent[][] = [];
    const onDisk: boolean[] = [];
    hall.bus.on(batches, "hall.events", (events) => {
      batches.push(events);
      const text = readFileSync(join(dir, "journal", "2025-03-10.jsonl"), "utf8");
      onDisk.push(events.every((e) => text.includes(JSON.stringify(e))));
    });
    const r = await hall.run(issue());
    expect(r.ok).toBe(true);
    expect((await hall.run({ type: "callNext", counterId: "c99", staffId: "s-001" })).ok).toBe(false);
    expect(batches).toHaveLength(1);
    expect(batches[0]?.map((e) => e.type)).toEqual(["ticket.issued"]);
    expect(onDisk).toEqual([true]);
    // The queries answer with what was published.
    const id = ((batches[0] as HallEvent[])[0] as HallEvent & { type: "ticket.issued" }).ticket.id;
    expect(hall.ticket(id)?.number).toBe("A001");
    expect(hall.publicTicket(id)?.status).toBe("waiting");
  });

  it("a throwing listener neither fails the command nor keeps the others from hearing it", async () => {
    const hall = svc as HallService;
    const heard: string[] = [];
    hall.bus.on({}, "hall.events", () => {
      throw new Error("adapter bug");
    });
    hall.bus.on(heard, "hall.events", (events) => heard.push(...events.map((e) => e.type)));
    expect((await hall.run(issue())).ok).toBe(true);
    expect(heard).toEqual(["ticket.issued"]);
    expect(logs.some((l) => l.includes("hall.events listener") && l.includes("adapter bug"))).toBe(true);
  });

  it("hall.failed carries the journal's failure; nothing of the lost command is published", async () => {
    const hall = svc as HallService;
    const failures: Error[] = [];
    const batches: HallEvent[][] = [];
    hall.bus.on(failures, "hall.failed", (err) => failures.push(err));
    hall.bus.on(batches, "hall.events", (events) => batches.push(events));
    const probe = await open(join(dir, "probe"), "w");
    const proto = Object.getPrototypeOf(probe) as { write: () => Promise<unknown> };
    await probe.close();
    vi.spyOn(proto, "write").mockRejectedValueOnce(
      Object.assign(new Error("ENOSPC: no space left on device"), { code: "ENOSPC" }),
    );
    await expect(hall.run(issue())).rejects.toThrow(/ENOSPC/);
    expect(failures).toHaveLength(1);
    expect(failures[0]?.message).toMatch(/restart the hub/);
    expect(batches).toEqual([]);
  });

  it("hall.day carries the new day when the hall's local date turns", async () => {
    const hall = svc as HallService;
    const days: string[] = [];
    hall.bus.on(days, "hall.day", (d) => days.push(d));
    now = local("2025-03-10", "23:59");
    expect(hall.rotateIfNeeded()).toBe(false);
    now = local("2025-03-11", "00:01");
    expect(hall.rotateIfNeeded()).toBe(true);
    expect(days).toEqual(["2025-03-11"]);
    expect(hall.day).toBe("2025-03-11");
  });

  it("catalogue.changed carries the catalogue as pages get it (with initials) once swapped in", async () => {
    const hall = svc as HallService;
    const seen: Catalogue[] = [];
    hall.bus.on(seen, "catalogue.changed", (c) => seen.push(c));
    const next = demoCatalogue();
    next.hall.name = "测试大厅";
    hall.setCatalogue(next);
    expect(seen).toHaveLength(1);
    expect(seen[0]?.hall.name).toBe("测试大厅");
    expect(seen[0]).toBe(hall.clientCatalogue());
    expect(hall.catalogue().hall.name).toBe("测试大厅");
    // Pages search matters by initials; the saved catalogue does not carry them.
    expect(JSON.stringify(seen[0])).toContain("initials");
  });

  it("kiosk.input carries an ID card reading with the number masked and the name cut to its surname", async () => {
    const hall = svc as HallService;
    const inputs: KioskInput[] = [];
    hall.bus.on(inputs, "kiosk.input", (i) => inputs.push(i));
    const cards = new IdCards(hall, "salt", () => now);
    cards.read("k1", "371402195001011234", "王小明");
    cards.scanned("k2", "ABCDEFGHJK");
    expect(inputs).toHaveLength(2);
    const card = inputs[0] as KioskInput & { kind: "id_card" };
    expect(card).toMatchObject({ kioskId: "k1", kind: "id_card", masked: "3714**********1234", name: "王**", green: true });
    expect(JSON.stringify(inputs)).not.toContain("371402195001011234");
    expect(cards.get(card.idToken)?.kioskId).toBe("k1");
    expect(inputs[1]).toEqual({ kioskId: "k2", kind: "appointment", code: "ABCDEFGHJK" });
  });

  it("typed: an event's arguments are checked at compile time", () => {
    const bus = new Bus<HallEvents>();
    // @ts-expect-error hall.day carries a day string, not a number
    bus.emit("hall.day", 20250310);
    // @ts-expect-error no such event
    bus.on({}, "ticket:called", () => {});
    expect(bus.listenerCount("hall.day")).toBe(0);
  });
});
