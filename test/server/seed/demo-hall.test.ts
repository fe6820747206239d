import { describe, expect, it } from "vitest";
import { demoCatalogue, demoDevices, demoStaff } from "../../../server/src/seed/demo-hall.ts";
import { deviceConfigSchema, validateCatalogue } from "../../../server/src/store/catalogue-schema.ts";

const HAN = /\p{Script=Han}/u;

describe("seed/demoCatalogue", () => {
  it("passes validateCatalogue", () => {
    const result = validateCatalogue(demoCatalogue());
    expect(result.ok ? [] : result.problems).toEqual([]);
    expect(result.ok).toBe(true);
  });

  it("models the reference hall: 7 zones, 15+ departments, 60+ matters, 40+ counters", () => {
    const cat = demoCatalogue();
    expect(cat.hall.name).toBe("平原县市民服务中心");
    expect(cat.hall.timeZone).toBe("Asia/Shanghai");
    expect(cat.hall.noShowReactivateMin).toBe(30);
    expect(cat.zones).toHaveLength(7);
    expect(cat.departments.length).toBeGreaterThanOrEqual(15);
    expect(cat.matters.length).toBeGreaterThanOrEqual(60);
    expect(cat.counters.length).toBeGreaterThanOrEqual(40);
    for (const section of ["建设项目科", "市场准入科", "农林水事务科", "社会事务科"]) {
      expect(cat.departments.some((d) => d.name.includes("行政审批服务局") && d.name.includes(section))).toBe(true);
    }
  });

  it("numbers counters 1..N", () => {
    const numbers = demoCatalogue().counters.map((c) => c.number);
    expect(numbers).toEqual(numbers.map((_, i) => i + 1));
  });

  it("has a comprehensive counter serving every queue of its zone or of the hall", () => {
    const cat = demoCatalogue();
    const all = cat.queues.map((q) => q.id);
    const servesAll = (queueIds: string[], wanted: string[]) => wanted.every((id) => queueIds.includes(id));
    const hallWide = cat.counters.filter((c) => c.kind === "comprehensive" && servesAll(c.profile.queueIds, all));
    const zoneWide = cat.counters.filter(
      (c) =>
        c.kind === "comprehensive" &&
        servesAll(
          c.profile.queueIds,
          cat.queues.filter((q) => q.zoneId === c.zoneId).map((q) => q.id),
        ),
    );
    expect(hallWide.length).toBeGreaterThanOrEqual(1);
    expect(zoneWide.length).toBeGreaterThanOrEqual(1);
  });

  it("has help desks and certificate counters", () => {
    const kinds = demoCatalogue().counters.map((c) => c.kind);
    expect(kinds).toContain("help");
    expect(kinds).toContain("certificate");
    expect(kinds).toContain("standard");
  });

  it("lists 3+ materials per matter and Chinese names everywhere", () => {
    const cat = demoCatalogue();
    for (const m of cat.matters) {
      expect(m.materials.length, m.id).toBeGreaterThanOrEqual(3);
      expect(
        m.materials.every((x) => HAN.test(x)),
        m.id,
      ).toBe(true);
      expect(m.promisedDays, m.id).toBeLessThanOrEqual(m.legalDays);
    }
    const named = [cat.hall, ...cat.zones, ...cat.departments, ...cat.matters, ...cat.queues, ...cat.counters];
    for (const x of named) {
      expect(HAN.test(x.name), x.name).toBe(true);
      expect(x.nameEn.trim().length, x.name).toBeGreaterThan(0);
    }
    expect(HAN.test(cat.hall.notice)).toBe(true);
    expect(cat.matters.filter((m) => m.promisedDays === 0).length).toBeGreaterThan(10);
  });

  it("gives every queue a matter and lets most queues issue all day", () => {
    const cat = demoCatalogue();
    for (const q of cat.queues)
      expect(
        cat.matters.some((m) => m.queueId === q.id),
        q.id,
      ).toBe(true);
    const allDay = cat.queues.filter((q) => q.hours.some((w) => w.from === "00:00" && w.to === "23:59"));
    expect(allDay.length).toBeGreaterThan(cat.queues.length / 2);
    expect(cat.queues.some((q) => q.hours.length > 0 && !allDay.includes(q))).toBe(true);
  });

  it("returns fresh objects on every call", () => {
    const a = demoCatalogue();
    a.queues[0]?.hours.push({ from: "01:00", to: "02:00" });
    a.counters[0]?.profile.queueIds.push("q-zz");
    const b = demoCatalogue();
    expect(b).not.toEqual(a);
    expect(validateCatalogue(b).ok).toBe(true);
  });
});

describe("seed/demoStaff", () => {
  it("has a supervisor and 10+ clerks on existing counters, without passwords", () => {
    const cat = demoCatalogue();
    const staff = demoStaff();
    expect(staff.some((s) => s.role === "supervisor")).toBe(true);
    const clerks = staff.filter((s) => s.role === "clerk");
    expect(clerks.length).toBeGreaterThanOrEqual(10);
    for (const c of clerks)
      expect(
        cat.counters.some((k) => k.id === c.counterId),
        c.username,
      ).toBe(true);
    expect(new Set(staff.map((s) => s.username)).size).toBe(staff.length);
    expect(new Set(clerks.map((s) => s.counterId)).size).toBe(clerks.length);
    for (const s of staff) {
      expect(s.username).toMatch(/^[a-z][a-z0-9]*$/);
      expect(HAN.test(s.name)).toBe(true);
      expect(Object.keys(s).some((k) => /pass/i.test(k))).toBe(false);
    }
  });
});

describe("seed/demoDevices", () => {
  const cat = demoCatalogue();
  const devices = demoDevices(cat);

  it("validates against deviceConfigSchema with unique ids", () => {
    for (const d of devices) {
      const r = deviceConfigSchema.safeParse(d);
      expect(r.success, `${d.id}: ${r.error?.message ?? ""}`).toBe(true);
      expect(d.transport).toEqual({ type: "sim" });
    }
    expect(new Set(devices.map((d) => d.id)).size).toBe(devices.length);
  });

  it("equips terminal t1 with an ID reader, a scanner, an A4 printer, a card POS and a receipt printer", () => {
    const kinds = devices
      .filter((d) => d.assignment.kind === "terminal" && d.assignment.terminalId === "t1")
      .map((d) => d.kind)
      .sort();
    expect(kinds).toEqual(["a4", "idreader", "pos", "printer", "scanner"]);
    expect(devices.find((d) => d.kind === "pos")?.id).toBe("pos-t1");
    expect(devices).toHaveLength(174);
  });

  it("equips 4 kiosks with an 80 mm printer, an ID reader and a scanner", () => {
    for (const k of ["k1", "k2", "k3", "k4"]) {
      const kinds = devices
        .filter((d) => d.assignment.kind === "kiosk" && d.assignment.kioskId === k)
        .map((d) => d.kind)
        .sort();
      expect(kinds).toEqual(["idreader", "printer", "scanner"]);
    }
    expect(devices.find((d) => d.id === "printer-k1")?.options?.paperWidthMm).toBe(80);
  });

  it("gives every counter an LED, a keypad and a rating device addressed by its number", () => {
    for (const c of cat.counters) {
      for (const kind of ["led", "keypad", "rating"] as const) {
        const d = devices.find((x) => x.id === `${kind}-${c.id}`);
        expect(d?.kind).toBe(kind);
        expect(d?.assignment).toEqual({ kind: "counter", counterId: c.id, address: c.number });
        expect(d?.options?.address).toBe(c.number);
      }
    }
  });

  it("refers only to existing counters", () => {
    const ids = new Set(cat.counters.map((c) => c.id));
    for (const d of devices) {
      if (d.assignment.kind === "counter") expect(ids.has(d.assignment.counterId), d.id).toBe(true);
    }
    const acceptance = cat.counters.filter((c) => c.kind === "comprehensive" || c.kind === "help");
    const certificate = cat.counters.filter((c) => c.kind === "certificate");
    expect(devices.filter((d) => d.assignment.kind === "counter")).toHaveLength(
      cat.counters.length * 3 + acceptance.length + certificate.length * 3,
    );
  });

  it("gives every 统一出证 window an ID card reader, a scanner and a label printer (issue 11), and no other counter", () => {
    for (const c of cat.counters) {
      const kinds = devices
        .filter((d) => d.assignment.kind === "counter" && d.assignment.counterId === c.id)
        .map((d) => d.kind)
        .filter((k) => k === "idreader" || k === "scanner" || k === "label")
        .sort();
      expect(kinds, c.id).toEqual(c.kind === "certificate" ? ["idreader", "label", "scanner"] : []);
    }
  });

  it("gives every acceptance counter (comprehensive, help) an 80 mm receipt printer, and no other counter one", () => {
    for (const c of cat.counters) {
      const p = devices.find((d) => d.kind === "printer" && d.assignment.kind === "counter" && d.assignment.counterId === c.id);
      expect(!!p, c.id).toBe(c.kind === "comprehensive" || c.kind === "help");
      if (p) expect(p.options?.paperWidthMm).toBe(80);
    }
  });
});

describe("seed/demoCatalogue synonyms", () => {
  it("has everyday words of the hall, each standing for at least one matter, none twice", () => {
    const cat = demoCatalogue();
    const synonyms = cat.synonyms ?? [];
    expect(synonyms.length).toBeGreaterThanOrEqual(60);
    for (const s of synonyms)
      for (const term of s.terms)
        expect(
          cat.matters.some((m) => m.name.includes(term)),
          `${s.word} → ${term}`,
        ).toBe(true);
    const words = synonyms.map((s) => s.word);
    expect(new Set(words).size).toBe(words.length);
    expect(words).toEqual(expect.arrayContaining(["营业执照", "房产证", "驾照", "社保", "个税"]));
  });
});
