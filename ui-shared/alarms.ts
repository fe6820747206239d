/**
 * The supervisor's alarms as pages show them (the /admin floor section and the data wall's
 * band): the list kept from `alarms:snapshot` and `alarm:changed`, and each alarm in words.
 *
 * ```tsx
 * const { socket, connected } = useHallSocket(subs);
 * const alarms = useAlarms(socket, connected, "wall");
 * alarms.map((a) => alarmText(a, cat, hubNow(), lang));
 * ```
 */
import { useEffect, useRef, useState } from "preact/hooks";
import type { Alarm, AlarmKind, AlarmSnapshot } from "../server/src/contract/alarms.ts";
import type { Catalogue } from "../server/src/contract/catalogue.ts";
import { noteHubTime } from "./hub-clock.ts";
import { type Lang, type MsgFor, pickName, translator } from "./i18n.ts";
import type { HubSocket } from "./socket.ts";

export const ALARM_MSG = {
  wait: { zh: "{q} 最长等候 {m} 分钟（超过 {t} 分钟）", en: "{q}: longest wait {m} min (over {t} min)" },
  waiting: { zh: "{q} 等候 {n} 人（达到 {t} 人）", en: "{q}: {n} waiting (limit {t})" },
  pause: { zh: "{c} 暂停 {m} 分钟（超过 {t} 分钟）", en: "{c} paused for {m} min (over {t} min)" },
  idle: { zh: "{c} 空闲 {m} 分钟，其号段有人等候", en: "{c} idle for {m} min while its series wait" },
} satisfies MsgFor<AlarmKind>;

const COUNTER_N = { zh: "{n}号窗口", en: "Counter {n}" };

/** The list after one delta: a cleared alarm leaves it, any other is added or replaced; oldest first. */
export function foldAlarm(list: readonly Alarm[], a: Alarm): Alarm[] {
  const rest = list.filter((x) => x.id !== a.id);
  if (a.clearedAt !== undefined) return rest;
  return [...rest, a].sort((x, y) => x.since - y.since || x.id.localeCompare(y.id));
}

/** "B 不动产登记" / "7号窗口": what an alarm is about. */
export function alarmSubject(a: Alarm, cat: Catalogue | null | undefined, lang: Lang): string {
  if (a.queueId) {
    const q = cat?.queues.find((x) => x.id === a.queueId);
    return q ? `${q.prefix} ${pickName(q, lang)}` : a.queueId;
  }
  const c = cat?.counters.find((x) => x.id === a.counterId);
  return c ? COUNTER_N[lang].replace("{n}", String(c.number)) : (a.counterId ?? "");
}

/**
 * The alarm in one sentence. Durations run on (`now`: the hub's clock); a line's length is
 * the one it had when the alarm was raised.
 */
export function alarmText(a: Alarm, cat: Catalogue | null | undefined, now: number, lang: Lang): string {
  const t = translator(ALARM_MSG, lang);
  const subject = alarmSubject(a, cat, lang);
  const m = Math.max(0, Math.floor((now - a.startedAt) / 60_000));
  switch (a.kind) {
    case "wait":
      return t("wait", { q: subject, m: Math.max(m, a.value), t: a.threshold });
    case "waiting":
      return t("waiting", { q: subject, n: a.value, t: a.threshold });
    case "pause":
      return t("pause", { c: subject, m: Math.max(m, a.value), t: a.threshold });
    case "idle":
      return t("idle", { c: subject, m });
  }
}

/**
 * The active alarms of a view (`floor` needs the socket's staff token; `wall` is open),
 * subscribed again on every (re)connect, which sends a fresh snapshot.
 */
export function useAlarms(
  socket: HubSocket | null,
  connected: boolean,
  view: "floor" | "wall",
  onRefused?: (code: string) => void,
): Alarm[] {
  const [alarms, setAlarms] = useState<Alarm[]>([]);
  const refused = useRef(onRefused);
  refused.current = onRefused;
  useEffect(() => {
    if (!socket) return;
    const onSnapshot = (s: AlarmSnapshot) => {
      noteHubTime(s.at);
      setAlarms(s.alarms);
    };
    const onChanged = (a: Alarm) => setAlarms((list) => foldAlarm(list, a));
    socket.on("alarms:snapshot", onSnapshot);
    socket.on("alarm:changed", onChanged);
    return () => {
      socket.off("alarms:snapshot", onSnapshot);
      socket.off("alarm:changed", onChanged);
    };
  }, [socket]);
  useEffect(() => {
    if (!socket || !connected) return;
    socket.emit("alarms:subscribe", { view }, (r) => {
      if (!r.ok) refused.current?.(r.error);
    });
  }, [socket, connected, view]);
  return alarms;
}
