/** Visible strings of the call screen, the window screen and the data wall. */
import type { CounterStatus, DeviceHealth, DeviceKind } from "../server/src/contract/index.ts";
import type { MsgFor, MsgTable } from "../ui-shared/i18n.ts";

export const DISPLAY_MSG = {
  nowCalling: { zh: "正在叫号", en: "Now calling" },
  please: { zh: "请", en: "Number" },
  numberSuffix: { zh: "号", en: "" },
  goTo: { zh: "到", en: "please go to" },
  handle: { zh: "办理", en: "" },
  counterN: { zh: "{n}号窗口", en: "Counter {n}" },
  recentCalls: { zh: "最近叫号", en: "Recent calls" },
  upcoming: { zh: "即将叫号", en: "Next up" },
  noCalls: { zh: "暂无叫号", en: "No calls yet" },
  waiting: { zh: "等候人数", en: "Waiting" },
  persons: { zh: "{n} 人", en: "{n}" },
  recall: { zh: "重呼", en: "Recall" },
  enableSound: { zh: "声音未开启 · 点击开启", en: "Sound off · tap to enable" },
  enableSoundHint: { zh: "浏览器需要点击一次才能播放叫号语音", en: "The browser needs one tap before it may play the calls" },
  unknownCounter: { zh: "没有这个窗口", en: "Unknown counter" },
  unknownZone: { zh: "没有这个区域", en: "Unknown zone" },
} satisfies MsgTable;

export const WALL_MSG = {
  title: { zh: "数据大屏", en: "Live data wall" },
  issued: { zh: "今日取号", en: "Issued today" },
  served: { zh: "已办理", en: "Served" },
  waitingNow: { zh: "当前等候", en: "Waiting now" },
  noShows: { zh: "过号", en: "No-shows" },
  avgWait: { zh: "平均等候", en: "Average wait" },
  avgService: { zh: "平均办理", en: "Average service" },
  satisfaction: { zh: "满意度", en: "Satisfaction" },
  departments: { zh: "部门办件量与办结率", en: "Case volume and completion rate by department" },
  caseVolume: { zh: "办件量", en: "Cases" },
  doneCount: { zh: "办结", en: "Completed" },
  completionRate: { zh: "办结率", en: "Completion rate" },
  rateNote: { zh: "办结率 = 办结 ÷ 已处理（含不予受理、转办）", en: "Rate = completed ÷ finished (incl. refused, referred)" },
  caseRateNote: {
    zh: "办件量 = 受理的办件；办结率 = 办结 ÷ 到期应办结",
    en: "Cases = cases accepted; rate = finished ÷ cases due",
  },
  overdueCases: { zh: "超期", en: "Overdue" },
  departmentCol: { zh: "部门", en: "Department" },
  series: { zh: "各号段等候", en: "Waiting per series" },
  seriesCol: { zh: "号段", en: "Series" },
  waitingCol: { zh: "等候", en: "Waiting" },
  longestCol: { zh: "最长等候", en: "Longest wait" },
  minutes: { zh: "{n} 分钟", en: "{n} min" },
  alarmQueues: { zh: "{n} 个号段超时", en: "{n} over limit" },
  vsLast: { zh: "{label} {v}", en: "{label} {v}" },
  vsNone: { zh: "昨日无数据", en: "No data for yesterday" },
  pausedFor: { zh: "暂停 {d}", en: "Pause {d}" },
  hourly: { zh: "分时取号与办结", en: "Arrivals and completions per hour" },
  arrivals: { zh: "取号", en: "Arrivals" },
  completions: { zh: "办结", en: "Completions" },
  counterMap: { zh: "窗口状态", en: "Counters" },
  ratings: { zh: "好差评", en: "Ratings" },
  ratingsTotal: { zh: "共 {n} 条评价", en: "{n} ratings" },
  noRatings: { zh: "暂无评价", en: "No ratings yet" },
  noAlarms: { zh: "无超时队列", en: "No queue over its limit" },
  devices: { zh: "设备故障", en: "Device faults" },
  noFaults: { zh: "设备运行正常", en: "All devices online" },
  servedN: { zh: "办结 {n}", en: "{n} done" },
} satisfies MsgTable;

/** Counter tile status names (wall legend). */
export const STATUS_MSG = {
  serving: { zh: "办理中", en: "Serving" },
  calling: { zh: "叫号中", en: "Calling" },
  idle: { zh: "空闲", en: "Idle" },
  paused: { zh: "暂停", en: "Paused" },
  closed: { zh: "未开放", en: "Closed" },
  offline: { zh: "离线", en: "Offline" },
} satisfies MsgFor<CounterStatus | "offline">;

export const DEVICE_KIND_MSG = {
  printer: { zh: "取号打印机", en: "Ticket printer" },
  led: { zh: "窗口屏", en: "Window display" },
  keypad: { zh: "呼叫器", en: "Caller keypad" },
  rating: { zh: "评价器", en: "Rating device" },
  idreader: { zh: "身份证读卡器", en: "ID card reader" },
  scanner: { zh: "扫码器", en: "Scanner" },
  label: { zh: "面单打印机", en: "Label printer" },
  a4: { zh: "A4 打印机", en: "A4 printer" },
  pos: { zh: "银行卡 POS 机", en: "Card POS" },
} satisfies MsgFor<DeviceKind>;

export const HEALTH_MSG = {
  online: { zh: "正常", en: "Online" },
  offline: { zh: "离线", en: "Offline" },
  paper_out: { zh: "缺纸", en: "Out of paper" },
  error: { zh: "故障", en: "Error" },
} satisfies MsgFor<DeviceHealth>;
