/**
 * The floor section (现场) of the admin console, for supervisors and admins (issue 13): the
 * live alarms with their acknowledgement, and the staffing advice — how many counters each
 * series needs (Erlang C on today's arrivals and service times) and the counters to move,
 * applied with one click (the hub changes their work profiles live; audited).
 */
import { useCallback, useEffect, useMemo, useState } from "preact/hooks";
import type { Advice, AdviceApplied, Alarm, SeriesAdvice } from "../server/src/contract/alarms.ts";
import type { Catalogue, Subscription } from "../server/src/contract/index.ts";
import { alarmText, useAlarms } from "../ui-shared/alarms.ts";
import { type Api, ApiError } from "../ui-shared/api.ts";
import { formatClock } from "../ui-shared/format.ts";
import { useHubNow } from "../ui-shared/hub-clock.ts";
import { type Lang, pickName, translator } from "../ui-shared/i18n.ts";
import { useHallSocket } from "../ui-shared/socket.ts";
import { ReconnectBanner } from "../ui-shared/ui.tsx";
import { FLOOR } from "./floor-messages.ts";
import "./floor.css";

type T = ReturnType<typeof translator<typeof FLOOR>>;
const SUBS: Subscription[] = [{ view: "hall" }];
/** The advice is computed again this often while the section is open (arrivals move on). */
const ADVICE_REFRESH_MS = 30_000;

export function FloorSection(props: {
  lang: Lang;
  api: Api;
  /** The staff token for the socket (the floor's alarms need it). */
  token: string | null;
  onError: (e: unknown) => void;
  /** The counters' work profiles changed (the console reloads its catalogue). */
  onCatalogue: () => void;
}) {
  const { lang, api } = props;
  const t = translator(FLOOR, lang);
  const { state, connected, socket } = useHallSocket(SUBS, { token: props.token });
  const alarms = useAlarms(socket, connected, "floor", (code) => props.onError(new ApiError(code as never, 403, "alarms")));
  const cat = state?.catalogue ?? null;
  const tz = cat?.hall.timeZone ?? "Asia/Shanghai";
  const now = useHubNow();
  const [advice, setAdvice] = useState<Advice | null>(null);
  const [applied, setApplied] = useState<string | null>(null);
  const loadAdvice = useCallback(() => {
    api.request<Advice>("GET", "/api/advice").then(setAdvice, props.onError);
  }, [api]);
  useEffect(() => {
    loadAdvice();
    const id = setInterval(loadAdvice, ADVICE_REFRESH_MS);
    return () => clearInterval(id);
  }, [loadAdvice]);
  // A new or cleared alarm is a changed hall: the advice follows.
  const alarmKey = alarms.map((a) => a.id).join(",");
  useEffect(() => {
    if (alarmKey) loadAdvice();
  }, [alarmKey]);

  const apply = async (s: SeriesAdvice) => {
    try {
      const r = await api.request<AdviceApplied>("POST", "/api/advice/apply", {
        queueId: s.queueId,
        moves: s.moves.map((m) => ({ counterId: m.counterId, from: m.from })),
      });
      setApplied(
        t("applied", {
          list: counterList(
            cat,
            r.counters.map((c) => c.counterId),
            t,
          ),
          q: seriesName(cat, s.queueId, lang),
        }),
      );
      props.onCatalogue();
    } catch (e) {
      props.onError(e);
    }
    loadAdvice();
  };

  return (
    <section class="ad-card fl-floor" aria-labelledby="floor-h">
      <ReconnectBanner connected={connected} lang={lang} />
      <h2 id="floor-h">{t("title")}</h2>
      <AlarmList t={t} lang={lang} api={api} cat={cat} alarms={alarms} now={now} tz={tz} onError={props.onError} />
      <AdvicePanel t={t} lang={lang} cat={cat} advice={advice} tz={tz} onRefresh={loadAdvice} onApply={apply} />
      {applied && (
        <p role="status" class="ad-ok" data-testid="advice-applied">
          {applied}
        </p>
      )}
    </section>
  );
}

function AlarmList(props: {
  t: T;
  lang: Lang;
  api: Api;
  cat: Catalogue | null;
  alarms: Alarm[];
  now: number;
  tz: string;
  onError: (e: unknown) => void;
}) {
  const { t, alarms } = props;
  return (
    <div class="fl-alarms" data-testid="floor-alarms">
      <h3>
        {t("alarms")} <span class={alarms.length ? "fl-count on" : "fl-count"}>{alarms.length}</span>
      </h3>
      {alarms.length === 0 ? (
        <p data-testid="no-alarms">{t("noAlarms")}</p>
      ) : (
        <table class="ad-table">
          <thead>
            <tr>
              <th scope="col">{t("alarm")}</th>
              <th scope="col">{t("since")}</th>
              <th scope="col">{t("state")}</th>
              <th scope="col">{t("actions")}</th>
            </tr>
          </thead>
          <tbody>
            {alarms.map((a) => {
              const text = alarmText(a, props.cat, props.now, props.lang);
              return (
                <tr key={a.id} data-testid={`alarm-${a.id}`} data-kind={a.kind} class={a.acknowledged ? "fl-acked" : "fl-open"}>
                  <td>{text}</td>
                  <td>{formatClock(a.since, props.tz)}</td>
                  <td data-testid={`alarm-state-${a.id}`}>
                    {a.ack ? t("acked", { by: a.ack.by, t: formatClock(a.ack.at, props.tz) }) : t("open")}
                  </td>
                  <td>
                    {!a.acknowledged && (
                      <button
                        type="button"
                        aria-label={t("ackOf", { a: text })}
                        data-testid={`ack-${a.id}`}
                        onClick={() =>
                          props.api.request("POST", `/api/alarms/${encodeURIComponent(a.id)}/ack`, {}).catch(props.onError)
                        }
                      >
                        {t("ack")}
                      </button>
                    )}
                  </td>
                </tr>
              );
            })}
          </tbody>
        </table>
      )}
    </div>
  );
}

function AdvicePanel(props: {
  t: T;
  lang: Lang;
  cat: Catalogue | null;
  advice: Advice | null;
  tz: string;
  onRefresh: () => void;
  onApply: (s: SeriesAdvice) => Promise<void>;
}) {
  const { t, lang, cat, advice } = props;
  const [busy, setBusy] = useState<string | null>(null);
  const proposals = advice?.series.filter((s) => s.moves.length > 0 || s.short > 0) ?? [];
  // Series with anything going on: arrivals, a line, or counters serving them.
  const rows = useMemo(
    () => advice?.series.filter((s) => s.arrivalsPerHour > 0 || s.waiting > 0 || s.counters.length > 0) ?? [],
    [advice],
  );
  const wait = (m: number | null) => (m === null ? t("overloaded") : t("minutes", { n: m }));
  return (
    <div class="fl-advice" data-testid="advice">
      <h3>{t("advice")}</h3>
      <p class="fl-note">{t("adviceNote")}</p>
      <div class="ad-inline">
        <button type="button" onClick={props.onRefresh} data-testid="advice-refresh">
          {t("refresh")}
        </button>
        {advice && <span>{t("computedAt", { t: formatClock(advice.at, props.tz) })}</span>}
      </div>
      {advice && proposals.length === 0 && <p data-testid="no-advice">{t("noAdvice")}</p>}
      <ul class="fl-proposals">
        {proposals.map((s) => {
          const q = cat?.queues.find((x) => x.id === s.queueId);
          const name = seriesName(cat, s.queueId, lang);
          return (
            <li key={s.queueId} data-testid={`proposal-${s.queueId}`}>
              {s.moves.length > 0 && (
                <>
                  <p class="fl-proposal" data-testid={`proposal-text-${s.queueId}`}>
                    {t("proposal", {
                      q: name,
                      n: s.moves.length,
                      list: counterList(
                        cat,
                        s.moves.map((m) => m.counterId),
                        t,
                      ),
                      p: q?.prefix ?? s.queueId,
                    })}
                  </p>
                  <p>{t("waitChange", { a: wait(s.expectedWaitMin), b: wait(s.expectedWaitAfterMin) })}</p>
                  <button
                    type="button"
                    class="primary"
                    disabled={busy !== null}
                    aria-label={t("applyOf", { q: name })}
                    data-testid={`apply-${s.queueId}`}
                    onClick={() => {
                      setBusy(s.queueId);
                      void props.onApply(s).finally(() => setBusy(null));
                    }}
                  >
                    {t("apply")}
                  </button>
                </>
              )}
              {s.short > 0 && (
                <p class="ad-bad" data-testid={`short-${s.queueId}`}>
                  {t("short", { q: name, n: s.short })}
                </p>
              )}
            </li>
          );
        })}
      </ul>
      {rows.length > 0 && (
        <table class="ad-table" data-testid="advice-table">
          <thead>
            <tr>
              <th scope="col">{t("series")}</th>
              <th scope="col">{t("perHour")}</th>
              <th scope="col">{t("service")}</th>
              <th scope="col">{t("waiting")}</th>
              <th scope="col">{t("countersNow")}</th>
              <th scope="col">{t("needed")}</th>
              <th scope="col">{t("expected")}</th>
              <th scope="col">{t("target")}</th>
            </tr>
          </thead>
          <tbody>
            {rows.map((s) => (
              <tr key={s.queueId} data-queue={s.queueId} class={s.needed > s.servers + 0.05 ? "fl-short" : undefined}>
                <th scope="row">{seriesName(cat, s.queueId, lang)}</th>
                <td>{s.arrivalsPerHour}</td>
                <td>{t("minutes", { n: Math.round(s.serviceSec / 6) / 10 })}</td>
                <td>{s.waiting}</td>
                <td data-testid={`serving-${s.queueId}`}>
                  {s.servers} ({s.counters.length ? counterList(cat, s.counters, t) : t("none")})
                </td>
                <td>{s.needed}</td>
                <td>{wait(s.expectedWaitMin)}</td>
                <td>{t("minutes", { n: s.targetMin })}</td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
    </div>
  );
}

function seriesName(cat: Catalogue | null, queueId: string, lang: Lang): string {
  const q = cat?.queues.find((x) => x.id === queueId);
  return q ? `${q.prefix} ${pickName(q, lang)}` : queueId;
}

function counterList(cat: Catalogue | null, ids: readonly string[], t: T): string {
  return ids
    .map((id) => {
      const c = cat?.counters.find((x) => x.id === id);
      return c ? t("counterN", { n: c.number }) : id;
    })
    .join(t("listJoin"));
}
