import { describe, expect, it } from "vitest";
import type { Catalogue, LiveStats, Queue } from "../../server/src/contract/index.ts";
import { helpDeskMatter, issuingBlock, materialsUrl, mattersOfZone, ticketIdFromLocation } from "../../kiosk-ui/logic.ts";
import { demoCatalogue } from "../../server/src/seed/demo-hall.ts";

const queue: Queue = {
  id: "qa",
  prefix: "A",
  name: "综合",
  nameEn: "General",
  zoneId: "z1",
  dailyCap: 2,
  hours: [{ from: "08:30", to: "17:00" }],
  defaultServiceSec: 300,
  waitAlarmMin: 30,
};
const stats = (issued: number) =>
  ({ queues: [{ queueId: "qa", issued, waiting: 0, longestWaitSec: 0, alarm: false }] }) as unknown as LiveStats;
const TEN_AM = Date.UTC(2024, 4, 6, 2, 0); // 10:00 Shanghai
const EIGHT_PM = Date.UTC(2024, 4, 6, 12, 0); // 20:00 Shanghai

describe("kiosk-ui/logic", () => {
  it("blocks a queue outside its issuing hours, in hall time", () => {
    expect(issuingBlock(queue, stats(0), TEN_AM, "Asia/Shanghai")).toBeNull();
    expect(issuingBlock(queue, stats(0), EIGHT_PM, "Asia/Shanghai")).toBe("OUTSIDE_HOURS");
  });

  it("blocks a queue at its daily cap, and never for cap 0", () => {
    expect(issuingBlock(queue, stats(2), TEN_AM, "Asia/Shanghai")).toBe("DAILY_CAP_REACHED");
    expect(issuingBlock({ ...queue, dailyCap: 0 }, stats(999), TEN_AM, "Asia/Shanghai")).toBeNull();
    expect(issuingBlock(queue, null, TEN_AM, "Asia/Shanghai")).toBeNull();
  });

  it("lists a zone's matters through their departments", () => {
    const cat = {
      departments: [
        { id: "d1", zoneId: "z1" },
        { id: "d2", zoneId: "z2" },
      ],
      matters: [
        { id: "m1", departmentId: "d1" },
        { id: "m2", departmentId: "d2" },
        { id: "m3", departmentId: "d1" },
      ],
    } as unknown as Catalogue;
    expect(mattersOfZone(cat, "z1").map((m) => m.id)).toEqual(["m1", "m3"]);
  });

  it("links the materials QR to the public URL when set, else the origin", () => {
    expect(materialsUrl("m 1", "", "http://127.0.0.1:8080")).toBe("http://127.0.0.1:8080/kiosk?matter=m%201&view=list");
    expect(materialsUrl("m1", "https://hall.example", "http://10.0.0.5")).toBe("https://hall.example/kiosk?matter=m1&view=list");
  });

  it("reads the ticket id from /m/:ticketId", () => {
    expect(ticketIdFromLocation("/m/T-20240506-A001", "")).toBe("T-20240506-A001");
    expect(ticketIdFromLocation("/m/abc/", "")).toBe("abc");
    expect(ticketIdFromLocation("/kiosk-ui/phone.html", "?ticket=t9")).toBe("t9");
  });
});

describe("kiosk-ui/logic helpDeskMatter", () => {
  it("is the first matter of the first series a help desk serves: 帮办代办综合服务 in the demo hall", () => {
    const cat = demoCatalogue();
    expect(helpDeskMatter(cat)?.name).toBe("帮办代办综合服务");
    // Without help desks there is no 找帮办 entry.
    expect(helpDeskMatter({ ...cat, counters: cat.counters.filter((c) => c.kind !== "help") })).toBeNull();
  });
});
