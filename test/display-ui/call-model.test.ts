import { describe, expect, it } from "vitest";
import type { CallInfo, PublicTicket } from "../../server/src/contract/index.ts";
import { announceRepeat, callBoard, callSentence, callsFor, speechSentence, zoneWaiting } from "../../display-ui/call-model.ts";
import { catalogue, stats } from "./fixtures.ts";

const call = (number: string, zoneId: string, at: number, counterNumber = 3): CallInfo => ({
  ticketId: `t-${number}`,
  number,
  counterId: `c${counterNumber}`,
  counterNumber,
  counterName: "窗口",
  zoneId,
  at,
  recall: 0,
});

const waiting = (id: string, queueId: string, status: PublicTicket["status"] = "waiting"): PublicTicket => ({
  id,
  number: id,
  queueId,
  matterId: "m",
  priority: "normal",
  status,
  issuedAt: 0,
  recalls: 0,
  position: 0,
  estimatedWaitSec: 0,
});

describe("display-ui/call-model", () => {
  it("says the call the way the hall announces it", () => {
    expect(callSentence({ number: "A001", counterNumber: 3 }, "zh")).toBe("请 A001 号 到 3号窗口 办理");
    expect(callSentence({ number: "A001", counterNumber: 3 }, "en")).toBe("Number A001, please go to counter 3");
    expect(speechSentence({ number: "A001", counterNumber: 12 })).toBe("请 A 零零一 号，到 12 号窗口办理");
  });

  it("keeps the newest calls first and filters by zone", () => {
    const recent = [call("A001", "z1", 1), call("B001", "z2", 3), call("A002", "z1", 2)];
    expect(callsFor(recent, null, 10).map((c) => c.number)).toEqual(["B001", "A002", "A001"]);
    expect(callsFor(recent, "z1", 10).map((c) => c.number)).toEqual(["A002", "A001"]);
    expect(callsFor(recent, null, 1).map((c) => c.number)).toEqual(["B001"]);
  });

  it("counts waiting per zone from the stats, or from the active tickets without stats", () => {
    const active = [waiting("A1", "qa"), waiting("A2", "qa"), waiting("A3", "qa", "called"), waiting("B1", "qb")];
    expect(zoneWaiting(catalogue(), null, active, null, "zh")).toEqual([
      { zoneId: "z1", name: "综合受理区", floor: "1F", waiting: 2 },
      { zoneId: "z2", name: "不动产登记区", floor: "2F", waiting: 1 },
    ]);
    const s = stats({ zonesWaiting: { z1: 7, z2: 4 } });
    expect(zoneWaiting(catalogue(), s, active, "z2", "en")).toEqual([
      { zoneId: "z2", name: "Real estate", floor: "2F", waiting: 4 },
    ]);
  });

  it("puts the call being announced on the panel, queued calls under 即将叫号, the rest as recent", () => {
    const a = call("A001", "z1", 1);
    const b = call("A002", "z1", 2);
    const c = call("B003", "z2", 3);
    const d = call("A004", "z1", 4);
    // The hub already knows all four calls; A002 is being announced, A004 and B003 wait.
    const board = callBoard([d, c, b, a], null, b, [c, d], 5);
    expect(board.now?.number).toBe("A002");
    expect(board.upcoming.map((x) => x.number)).toEqual(["B003", "A004"]);
    expect(board.recent.map((x) => x.number)).toEqual(["A001"]);
    // Before any announcement: the newest call not still queued.
    expect(callBoard([d, c, b, a], null, null, [d], 5).now?.number).toBe("B003");
    // A zone screen: only its zone's calls.
    const z2 = callBoard([d, c, b, a], "z2", null, [], 5);
    expect([z2.now?.number, z2.upcoming.length, z2.recent.length]).toEqual(["B003", 0, 0]);
  });

  it("says each call twice unless the hall or the URL says otherwise", () => {
    expect(announceRepeat("", undefined)).toBe(2);
    expect(announceRepeat("", 3)).toBe(3);
    expect(announceRepeat("?repeat=1", 3)).toBe(1);
    expect(announceRepeat("?zone=z1&repeat=9", undefined)).toBe(5);
    expect(announceRepeat("?repeat=abc", 1)).toBe(1);
  });
});
