/** Small hand-made hall for the display-ui unit tests. */
import type { Catalogue, LiveStats } from "../../server/src/contract/index.ts";

export function catalogue(): Catalogue {
  return {
    hall: {
      id: "h",
      name: "平原县市民服务中心",
      nameEn: "Pingyuan Citizen Service Center",
      address: "",
      timeZone: "Asia/Shanghai",
      noShowReactivateMin: 30,
      publicUrl: "",
      notice: "一次办好",
      noticeEn: "Done in one visit",
    },
    zones: [
      { id: "z1", name: "综合受理区", nameEn: "General", floor: "1F" },
      { id: "z2", name: "不动产登记区", nameEn: "Real estate", floor: "2F" },
    ],
    departments: [
      { id: "d1", name: "行政审批服务局", nameEn: "Approval Bureau", zoneId: "z1" },
      { id: "d2", name: "不动产登记中心", nameEn: "Real Estate Center", zoneId: "z2" },
      { id: "d3", name: "税务局", nameEn: "Tax Bureau", zoneId: "z1" },
    ],
    matters: [],
    queues: [
      {
        id: "qa",
        prefix: "A",
        name: "综合受理",
        nameEn: "General",
        zoneId: "z1",
        dailyCap: 0,
        hours: [],
        defaultServiceSec: 300,
        waitAlarmMin: 30,
      },
      {
        id: "qb",
        prefix: "B",
        name: "不动产",
        nameEn: "Real estate",
        zoneId: "z2",
        dailyCap: 0,
        hours: [],
        defaultServiceSec: 600,
        waitAlarmMin: 20,
      },
    ],
    counters: [
      {
        id: "c3",
        number: 3,
        name: "综合受理窗口",
        nameEn: "General counter",
        zoneId: "z1",
        kind: "comprehensive",
        profile: { queueIds: ["qa"], weights: { green: 1, appointment: 1, normal: 2 } },
      },
      {
        id: "c1",
        number: 1,
        name: "综合受理窗口",
        nameEn: "General counter",
        zoneId: "z1",
        kind: "comprehensive",
        profile: { queueIds: ["qa"], weights: { green: 1, appointment: 1, normal: 2 } },
      },
      {
        id: "c9",
        number: 9,
        name: "不动产窗口",
        nameEn: "Real estate counter",
        zoneId: "z2",
        kind: "standard",
        profile: { queueIds: ["qb"], weights: { green: 1, appointment: 1, normal: 2 } },
      },
    ],
  };
}

export function stats(over: Partial<LiveStats> = {}): LiveStats {
  return {
    day: "2026-11-29",
    at: 0,
    issued: 0,
    served: 0,
    waiting: 0,
    noShows: 0,
    avgWaitSec: 0,
    avgServiceSec: 0,
    arrivalsByHour: Array(24).fill(0),
    completionsByHour: Array(24).fill(0),
    departments: [],
    queues: [],
    counters: [],
    ratings: [0, 0, 0, 0, 0],
    ratingReasons: { long_wait: 0, slow: 0, attitude: 0, not_done: 0, other: 0 },
    satisfaction: 1,
    zonesWaiting: {},
    ...over,
  };
}
