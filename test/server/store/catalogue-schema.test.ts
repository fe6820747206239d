import { describe, expect, it } from "vitest";
import type { Catalogue } from "../../../server/src/contract/catalogue.ts";
import { demoCatalogue } from "../../../server/src/seed/demo-hall.ts";
import { deviceConfigSchema, isValidTimeZone, validateCatalogue } from "../../../server/src/store/catalogue-schema.ts";

/** A small valid catalogue, so each test breaks exactly one thing. */
function tiny(): Catalogue {
  return {
    hall: {
      id: "h",
      name: "测试大厅",
      nameEn: "Test hall",
      address: "测试路 1 号",
      timeZone: "Asia/Shanghai",
      noShowReactivateMin: 30,
      publicUrl: "",
      notice: "",
      noticeEn: "",
    },
    zones: [{ id: "z1", name: "一区", nameEn: "Zone 1", floor: "1F" }],
    departments: [{ id: "d1", name: "税务局", nameEn: "Tax", zoneId: "z1" }],
    matters: [
      {
        id: "m-001",
        name: "发票领用",
        nameEn: "Invoices",
        departmentId: "d1",
        queueId: "q-a",
        materials: ["身份证", "营业执照副本", "发票领用簿"],
        legalDays: 0,
        promisedDays: 0,
        feeYuan: 0,
      },
    ],
    queues: [
      {
        id: "q-a",
        prefix: "A",
        name: "综合",
        nameEn: "General",
        zoneId: "z1",
        dailyCap: 300,
        hours: [{ from: "08:30", to: "11:30" }],
        defaultServiceSec: 300,
        waitAlarmMin: 30,
      },
      {
        id: "q-b",
        prefix: "B",
        name: "税务",
        nameEn: "Tax",
        zoneId: "z1",
        dailyCap: 0,
        hours: [],
        defaultServiceSec: 300,
        waitAlarmMin: 30,
      },
    ],
    counters: [
      {
        id: "c01",
        number: 1,
        name: "1号窗口",
        nameEn: "Window 1",
        zoneId: "z1",
        kind: "comprehensive",
        profile: { queueIds: ["q-a", "q-b"], weights: { green: 1, appointment: 1, normal: 2 } },
      },
      {
        id: "c02",
        number: 2,
        name: "2号窗口",
        nameEn: "Window 2",
        zoneId: "z1",
        kind: "standard",
        profile: { queueIds: ["q-b"], weights: { green: 0, appointment: 0, normal: 1 } },
      },
    ],
  };
}

function problemsOf(input: unknown): string[] {
  const r = validateCatalogue(input);
  if (r.ok) throw new Error("expected validation to fail");
  return r.problems;
}

/** Fails unless some problem names every one of `words`. */
function expectProblem(problems: string[], ...words: string[]): void {
  expect(
    problems.some((p) => words.every((w) => p.includes(w))),
    `no problem mentions ${words.join(" + ")} in:\n${problems.join("\n")}`,
  ).toBe(true);
}

describe("store/validateCatalogue", () => {
  it("accepts a sound catalogue and trims its strings", () => {
    const cat = tiny();
    cat.hall.name = "  测试大厅 ";
    const r = validateCatalogue(cat);
    expect(r.ok).toBe(true);
    if (r.ok) {
      expect(r.catalogue.hall.name).toBe("测试大厅");
      expect(r.catalogue.counters).toHaveLength(2);
    }
  });

  it("takes an optional announceRepeat of 1..5 for the call screens", () => {
    const cat = tiny();
    cat.hall.announceRepeat = 3;
    const r = validateCatalogue(cat);
    expect(r.ok && r.catalogue.hall.announceRepeat).toBe(3);
    cat.hall.announceRepeat = 0;
    expectProblem(problemsOf(cat), "announceRepeat");
    cat.hall.announceRepeat = 1.5;
    expectProblem(problemsOf(cat), "announceRepeat");
  });

  it("keeps a matter's selfPrint flag through validation (terminals print its certificates) and refuses a non-boolean", () => {
    const cat = tiny();
    (cat.matters[0] as Catalogue["matters"][number]).selfPrint = true;
    const r = validateCatalogue(JSON.parse(JSON.stringify(cat)));
    expect(r.ok && r.catalogue.matters[0]?.selfPrint).toBe(true);
    const bad = JSON.parse(JSON.stringify(cat));
    bad.matters[0].selfPrint = "yes";
    expectProblem(problemsOf(bad), "selfPrint");
  });

  it("reports a matter whose queue does not exist", () => {
    const cat = tiny();
    const m = cat.matters[0];
    if (m) m.queueId = "q-zz";
    const problems = problemsOf(cat);
    expect(problems).toContain('matter m-001: queueId "q-zz" does not exist');
  });

  it("reports a matter whose department does not exist", () => {
    const cat = tiny();
    const m = cat.matters[0];
    if (m) m.departmentId = "d-none";
    expectProblem(problemsOf(cat), "matter m-001", "d-none", "does not exist");
  });

  it("reports dangling zones of departments, queues and counters", () => {
    const cat = tiny();
    const [d, q, c] = [cat.departments[0], cat.queues[1], cat.counters[1]];
    if (d) d.zoneId = "z9";
    if (q) q.zoneId = "z8";
    if (c) c.zoneId = "z7";
    const problems = problemsOf(cat);
    expectProblem(problems, "department d1", "z9");
    expectProblem(problems, "queue q-b", "z8");
    expectProblem(problems, "counter c02", "z7");
  });

  it("reports a counter profile naming a missing queue", () => {
    const cat = tiny();
    cat.counters[1]?.profile.queueIds.push("q-x");
    expectProblem(problemsOf(cat), "counter c02", '"q-x"', "does not exist");
  });

  it("reports a duplicate prefix", () => {
    const cat = tiny();
    const q = cat.queues[1];
    if (q) q.prefix = "A";
    expectProblem(problemsOf(cat), "queue q-b", '"A"', "q-a");
  });

  it("reports a malformed prefix", () => {
    const cat = tiny();
    const q = cat.queues[1];
    if (q) q.prefix = "b1";
    expectProblem(problemsOf(cat), "queue q-b", "prefix", '"b1"');
  });

  it('reports a bad time "25:00"', () => {
    const cat = tiny();
    const q = cat.queues[0];
    if (q) q.hours = [{ from: "08:30", to: "25:00" }];
    expectProblem(problemsOf(cat), "queue q-a", "hours[0].to", '"25:00"');
  });

  it("reports windows that end before they start or overlap", () => {
    const cat = tiny();
    const q = cat.queues[0];
    if (q) q.hours = [{ from: "12:00", to: "11:00" }];
    expectProblem(problemsOf(cat), "queue q-a", "earlier");
    if (q)
      q.hours = [
        { from: "08:00", to: "12:00" },
        { from: "11:00", to: "13:00" },
      ];
    expectProblem(problemsOf(cat), "queue q-a", "overlap");
  });

  it("reports a duplicate counter number", () => {
    const cat = tiny();
    const c = cat.counters[1];
    if (c) c.number = 1;
    expectProblem(problemsOf(cat), "counter c02", "number 1", "c01");
  });

  it("reports duplicate ids", () => {
    const cat = tiny();
    const q = cat.queues[1];
    if (q) q.id = "q-a";
    expectProblem(problemsOf(cat), "queue q-a", "id is used");
  });

  it("reports an unknown time zone", () => {
    const cat = tiny();
    cat.hall.timeZone = "Mars/Olympus_Mons";
    expectProblem(problemsOf(cat), "hall", "timeZone", "Mars/Olympus_Mons");
  });

  it("reports a queue served by no counter", () => {
    const cat = tiny();
    const c = cat.counters[0];
    if (c) c.profile.queueIds = ["q-b"];
    expectProblem(problemsOf(cat), "queue q-a", "served by no counter");
  });

  it("reports a missing field, naming the item", () => {
    const cat = tiny();
    const raw = structuredClone(cat) as unknown as { matters: Record<string, unknown>[] };
    delete raw.matters[0]?.legalDays;
    expect(problemsOf(raw)).toContain("matter m-001: legalDays: is missing (expected number)");
  });

  it("reports a missing collection and unknown keys", () => {
    const raw = structuredClone(tiny()) as unknown as Record<string, unknown>;
    delete raw.counters;
    raw.extra = 1;
    const problems = problemsOf(raw);
    expectProblem(problems, "counters", "missing");
    expectProblem(problems, "extra");
    const withKey = structuredClone(tiny()) as unknown as { zones: Record<string, unknown>[] };
    if (withKey.zones[0]) withKey.zones[0].colour = "red";
    expectProblem(problemsOf(withKey), "zone z1", "colour");
  });

  it("rejects all-zero weights, empty names and non-positive service times", () => {
    const cat = tiny();
    const [c, q, z] = [cat.counters[1], cat.queues[0], cat.zones[0]];
    if (c) c.profile.weights = { green: 0, appointment: 0, normal: 0 };
    if (q) q.defaultServiceSec = 0;
    if (z) z.name = "   ";
    const problems = problemsOf(cat);
    expectProblem(problems, "counter c02", "weight");
    expectProblem(problems, "queue q-a", "defaultServiceSec");
    expectProblem(problems, "zone z1", "name");
  });

  it("names an item without an id by its position", () => {
    const raw = structuredClone(tiny()) as unknown as { zones: unknown[] };
    raw.zones.push({ name: "二区" });
    expectProblem(problemsOf(raw), "zones[1]", "id");
  });

  it("rejects a non-object", () => {
    expect(problemsOf(null)).toHaveLength(1);
    expect(problemsOf([])).toHaveLength(1);
  });

  it("reports a broken demo catalogue by id", () => {
    const cat = demoCatalogue();
    const m = cat.matters[6];
    if (m) m.queueId = "q-zz";
    expect(problemsOf(cat)).toEqual([`matter ${m?.id}: queueId "q-zz" does not exist`]);
  });
});

describe("store/isValidTimeZone", () => {
  it("knows IANA zones", () => {
    expect(isValidTimeZone("Asia/Shanghai")).toBe(true);
    expect(isValidTimeZone("UTC")).toBe(true);
    expect(isValidTimeZone("Asia/Beijing")).toBe(false);
  });
});

describe("store/deviceConfigSchema", () => {
  it("accepts each transport and assignment", () => {
    const ok = [
      {
        id: "p1",
        kind: "printer",
        name: "打印机",
        transport: { type: "serial", path: "/dev/ttyUSB0", baudRate: 9600 },
        assignment: { kind: "kiosk", kioskId: "k1" },
        options: { paperWidthMm: 80 },
      },
      {
        id: "p2",
        kind: "printer",
        name: "打印机",
        transport: { type: "tcp", host: "127.0.0.1", port: 9100 },
        assignment: { kind: "kiosk", kioskId: "k2" },
      },
      {
        id: "p3",
        kind: "printer",
        name: "打印机",
        transport: { type: "usblp", path: "/dev/usb/lp0" },
        assignment: { kind: "kiosk", kioskId: "k3" },
      },
      {
        id: "a4-t1",
        kind: "a4",
        name: "A4 打印机",
        transport: { type: "tcp", host: "192.168.1.50", port: 631 },
        assignment: { kind: "terminal", terminalId: "t1" },
        options: { protocol: "ipp", path: "/ipp/print" },
      },
      {
        id: "l1",
        kind: "led",
        name: "屏",
        transport: { type: "sim" },
        assignment: { kind: "counter", counterId: "c01", address: 1 },
      },
      { id: "s1", kind: "led", name: "大屏", transport: { type: "sim" }, assignment: { kind: "screen", screenId: "wall" } },
    ];
    for (const d of ok) expect(deviceConfigSchema.safeParse(d).success, d.id).toBe(true);
  });

  it("rejects unknown kinds, bad ports and extra keys", () => {
    const base = { id: "x", kind: "led", name: "屏", transport: { type: "sim" }, assignment: { kind: "screen", screenId: "w" } };
    expect(deviceConfigSchema.safeParse({ ...base, kind: "fax" }).success).toBe(false);
    expect(deviceConfigSchema.safeParse({ ...base, transport: { type: "tcp", host: "h", port: 70000 } }).success).toBe(false);
    expect(deviceConfigSchema.safeParse({ ...base, transport: { type: "serial", path: "/dev/x" } }).success).toBe(false);
    expect(deviceConfigSchema.safeParse({ ...base, colour: "red" }).success).toBe(false);
    expect(deviceConfigSchema.safeParse({ ...base, options: { nested: { a: 1 } } }).success).toBe(false);
  });
});
