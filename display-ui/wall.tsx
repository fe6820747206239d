/**
 * The manager's data wall (`/wall`, 数据大屏): today's figures next to the last closed
 * day's, per-department volume and completion rate, hourly arrivals/completions, waiting
 * and longest wait per ticket series, a counter map (current ticket, clerk, pause length),
 * satisfaction and device faults. Redrawn from the socket store on every `stats:live`, `counter:updated`
 * and `device:status`; a fresh snapshot redraws everything.
 */
import { render } from "preact";
import { useEffect, useMemo, useRef, useState } from "preact/hooks";
import type { EChartsCoreOption } from "echarts/core";
import type { CaseStats } from "../server/src/contract/cases.ts";
import type { CounterState, DaySummary, DeviceStatus, LiveStats, Subscription } from "../server/src/contract/index.ts";
import { formatClockSeconds, formatDate, formatDuration, localDay, localMinutes } from "../ui-shared/format.ts";
import type { Lang, MsgTable } from "../ui-shared/i18n.ts";
import { COMMON, pickName, translator, useLang } from "../ui-shared/i18n.ts";
import { useHallSocket } from "../ui-shared/socket.ts";
import { useAlarms } from "../ui-shared/alarms.ts";
import { AlarmBand } from "./wall-alarms.tsx";
import { ReconnectBanner } from "../ui-shared/ui.tsx";
import "../ui-shared/shared.css";
import "./wall.css";
import { DEVICE_KIND_MSG, HEALTH_MSG, STATUS_MSG, WALL_MSG } from "./strings.ts";
import { useNow } from "./use-now.ts";
import { caseDepartmentBars, caseTotals, useCaseStats } from "./wall-cases.ts";
import { createChart, departmentOption, hourlyOption, type WallChart } from "./wall-charts.ts";
import {
  type CounterTile,
  counterTiles,
  departmentBars,
  faultDetail,
  faultyDevices,
  warnedDevices,
  warningWords,
  hourlySeries,
  previousDay,
  satisfaction,
  seriesWaiting,
  type TileStatus,
  tileCounts,
  type VsYesterday,
  vsYesterday,
  waitAlarms,
} from "./wall-model.ts";

const TILE_ORDER: TileStatus[] = ["serving", "calling", "idle", "paused", "closed", "offline"];

/** An ECharts chart bound to a div; re-applies `option` whenever it changes. */
function Chart({ option, testId }: { option: EChartsCoreOption; testId: string }) {
  const el = useRef<HTMLDivElement>(null);
  const chart = useRef<WallChart | null>(null);
  useEffect(() => {
    if (!el.current) return;
    const c = createChart(el.current);
    chart.current = c;
    const onResize = () => c.resize();
    window.addEventListener("resize", onResize);
    return () => {
      window.removeEventListener("resize", onResize);
      c.dispose();
      chart.current = null;
    };
  }, []);
  useEffect(() => {
    chart.current?.setOption(option, { notMerge: false, lazyUpdate: true });
  }, [option]);
  return <div class="wall-chart" ref={el} data-testid={testId} />;
}

/** The last week's closed-day summaries (for "vs yesterday"), fetched again when the day
 * turns. A failed fetch just leaves the comparison out. */
function useRecentDays(today: string | undefined): DaySummary[] {
  const [days, setDays] = useState<DaySummary[]>([]);
  useEffect(() => {
    if (!today) return;
    let from = today;
    for (let i = 0; i < 7; i++) from = previousDay(from);
    const ctrl = new AbortController();
    fetch(`/api/stats/days?from=${from}&to=${previousDay(today)}`, { signal: ctrl.signal })
      .then((r) => (r.ok ? (r.json() as Promise<DaySummary[]>) : []))
      .then(setDays)
      .catch(() => setDays([]));
    return () => ctrl.abort();
  }, [today]);
  return days;
}

function Wall() {
  const [lang, setLang] = useLang();
  const t = translator(WALL_MSG, lang);
  const subs = useMemo<Subscription[]>(() => [{ view: "hall" }], []);
  // 办件量 and 办结率 come from cases; the hub pushes `cases:stats` to the hall room.
  const caseStats = useCaseStats();
  const { state, connected, socket } = useHallSocket(subs, {
    handlers: { "cases:stats": (s) => caseStats.set(s) },
    onConnect: (recovered) => !recovered && caseStats.refetch(),
  });
  const now = useNow();
  // The supervisor's alarms (issue 13), without names: a band in the header.
  const floorAlarms = useAlarms(socket, connected, "wall");

  const cat = state?.catalogue;
  const stats = state?.stats;
  const tz = cat?.hall.timeZone ?? "Asia/Shanghai";
  const hour = Math.floor(localMinutes(now, tz) / 60);
  const today = stats?.day ?? (cat ? localDay(now, tz) : undefined);
  const days = useRecentDays(today);

  const caseBars = useMemo(
    () => (cat && caseStats.stats ? caseDepartmentBars(cat, caseStats.stats, lang, 8) : null),
    [cat, caseStats.stats, lang],
  );
  const deptOption = useMemo(
    () =>
      cat && stats
        ? departmentOption(caseBars ?? departmentBars(cat, stats, lang, 8), {
            cases: t("caseVolume"),
            done: t("doneCount"),
            rate: t("completionRate"),
            none: "—",
            overdue: t("overdueCases"),
          })
        : null,
    [cat, stats, caseBars, lang],
  );
  const hourOption = useMemo(
    () => (stats ? hourlyOption(hourlySeries(stats, hour), { arrivals: t("arrivals"), completions: t("completions") }) : null),
    [stats, hour, lang],
  );

  if (!state || !cat || !stats) {
    return (
      <div class="wall loading">
        <ReconnectBanner connected={connected} lang={lang} />
        <p>{COMMON.loading[lang]}</p>
      </div>
    );
  }

  const counters = new Map<string, CounterState>(state.counters.map((c) => [c.id, c]));
  const devices = new Map<string, DeviceStatus>(state.devices.map((d) => [d.id, d]));
  const numbers = new Map<string, string>();
  for (const c of state.recentCalls) numbers.set(c.ticketId, c.number);
  for (const a of state.active) numbers.set(a.id, a.number);
  const tiles = counterTiles(cat, counters, stats, lang, (id) => numbers.get(id));
  const counts = tileCounts(tiles);
  const sat = satisfaction(stats);
  const faults = faultyDevices(devices);
  const warned = warnedDevices(devices);
  const alarms = waitAlarms(cat, stats, lang);
  const series = seriesWaiting(cat, stats, lang);
  const vs = vsYesterday(days, stats.day, lang);
  const st = translator(STATUS_MSG, lang);
  const vsLine = (pick: (v: VsYesterday) => string): string | undefined =>
    vs ? t("vsLast", { label: vs.label, v: pick(vs) }) : t("vsNone");

  return (
    <div class="wall">
      <ReconnectBanner connected={connected} lang={lang} />
      <header class="wall-header">
        <h1>
          {pickName(cat.hall, lang)} · {t("title")}
        </h1>
        <AlarmBand alarms={floorAlarms} cat={cat} now={now} lang={lang} />
        <div class="wall-time">
          <span>{formatDate(now, lang, tz)}</span>
          <span class="wall-clock">{formatClockSeconds(now, tz)}</span>
          <button type="button" class="lang-toggle" onClick={() => setLang(lang === "zh" ? "en" : "zh")}>
            {COMMON.switchLang[lang]}
          </button>
        </div>
      </header>

      <section class="wall-kpis">
        <Kpi label={t("issued")} value={String(stats.issued)} testId="kpi-issued" vs={vsLine((v) => String(v.issued))} />
        <Kpi label={t("served")} value={String(stats.served)} testId="kpi-served" vs={vsLine((v) => String(v.served))} />
        <Kpi
          label={t("waitingNow")}
          value={String(stats.waiting)}
          testId="kpi-waiting"
          tone={alarms.length ? "alarm" : undefined}
          vs={alarms.length ? t("alarmQueues", { n: alarms.length }) : t("noAlarms")}
        />
        <Kpi
          label={t("avgWait")}
          value={formatDuration(stats.avgWaitSec)}
          testId="kpi-avg-wait"
          vs={vsLine((v) => formatDuration(v.avgWaitSec))}
        />
        <EstimateKpi stats={stats} lang={lang} />
        <Kpi
          label={t("avgService")}
          value={formatDuration(stats.avgServiceSec)}
          testId="kpi-avg-service"
          vs={vsLine((v) => formatDuration(v.avgServiceSec))}
        />
        <Kpi
          label={t("satisfaction")}
          value={sat.satisfiedPct === null ? "—" : `${sat.satisfiedPct}%`}
          testId="kpi-satisfaction"
          vs={sat.total ? t("ratingsTotal", { n: sat.total }) : t("noRatings")}
        />
      </section>

      <section class="wall-charts">
        <Panel title={t("departments")} extra={<CaseTotals stats={caseStats.stats} lang={lang} />}>
          {deptOption && <Chart option={deptOption} testId="chart-departments" />}
          {caseBars && (
            <table class="sr-only" data-testid="case-departments">
              <caption>{t("caseRateNote")}</caption>
              <thead>
                <tr>
                  <th scope="col">{t("departmentCol")}</th>
                  <th scope="col">{t("caseVolume")}</th>
                  <th scope="col">{t("completionRate")}</th>
                  <th scope="col">{t("overdueCases")}</th>
                </tr>
              </thead>
              <tbody>
                {caseBars.map((b) => (
                  <tr key={b.departmentId} data-department={b.departmentId}>
                    <th scope="row">{b.name}</th>
                    <td class="case-volume">{b.issued}</td>
                    <td class="case-rate">{b.completionPct === null ? "—" : `${b.completionPct}%`}</td>
                    <td class="case-overdue">{b.overdue}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          )}
        </Panel>
        <Panel title={t("hourly")}>{hourOption && <Chart option={hourOption} testId="chart-hourly" />}</Panel>
        <Panel
          title={t("series")}
          tone={alarms.length ? "alarm" : undefined}
          extra={alarms.length ? <b class="count">{t("alarmQueues", { n: alarms.length })}</b> : undefined}
        >
          <table class="series" data-testid="series-waiting">
            <thead>
              <tr>
                <th scope="col">{t("seriesCol")}</th>
                <th scope="col">{t("waitingCol")}</th>
                <th scope="col">{t("longestCol")}</th>
              </tr>
            </thead>
            <tbody>
              {series.map((q) => (
                <tr key={q.queueId} data-queue={q.queueId} class={q.alarm ? "alarm" : undefined}>
                  <th scope="row">
                    <b>{q.prefix}</b> {q.name}
                  </th>
                  <td class="series-waiting">{q.waiting}</td>
                  <td class="series-longest">{q.waiting ? t("minutes", { n: q.longestWaitMin }) : "—"}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </Panel>
      </section>

      <section class="wall-bottom">
        <Panel
          title={t("counterMap")}
          extra={
            <span class="tile-legend">
              {TILE_ORDER.map((s) => (
                <span key={s} class={`legend-item st-${s}`}>
                  <i /> {st(s)} {counts[s]}
                </span>
              ))}
            </span>
          }
        >
          <div class="tiles" data-testid="counter-map" style={tileGrid(tiles.length)}>
            {tiles.map((tile) => (
              <Tile key={tile.counterId} tile={tile} now={now} lang={lang} />
            ))}
          </div>
        </Panel>
        <div class="wall-side">
          <Panel
            title={t("ratings")}
            extra={<span class="muted">{sat.total ? t("ratingsTotal", { n: sat.total }) : t("noRatings")}</span>}
          >
            <Ratings counts={stats.ratings} shares={sat.shares} />
          </Panel>
          <Panel
            title={t("devices")}
            tone={faults.length ? "alarm" : undefined}
            extra={faults.length ? <b class="count">{faults.length}</b> : undefined}
          >
            <ul class="wall-list" data-testid="device-faults">
              {faults.length === 0 && warned.length === 0 && <li class="ok">{t("noFaults")}</li>}
              {faults.map((d) => (
                <DeviceFault key={d.id} device={d} lang={lang} timeZone={tz} />
              ))}
              {warned.map((d) => (
                <li key={d.id} class="warn" data-device={d.id} data-warnings={(d.warnings ?? []).join(" ")}>
                  <b>
                    {translator(DEVICE_KIND_MSG, lang)(d.kind)} {d.id}
                  </b>
                  <span>{warningWords(d, lang)}</span>
                </li>
              ))}
            </ul>
          </Panel>
        </div>
      </section>
    </div>
  );
}

/** The hall's case totals beside the department chart's title. */
function CaseTotals({ stats, lang }: { stats: CaseStats | null; lang: Lang }) {
  const t = translator(WALL_MSG, lang);
  if (!stats) return <span class="muted">{t("caseRateNote")}</span>;
  const tot = caseTotals(stats);
  return (
    <span class="case-totals" title={t("caseRateNote")}>
      <span>
        {t("caseVolume")} <b data-testid="case-total">{tot.accepted}</b>
      </span>
      <span>
        {t("completionRate")} <b data-testid="case-rate">{tot.ratePct === null ? "—" : `${tot.ratePct}%`}</b>
      </span>
      <span class={tot.overdue ? "alarm" : undefined}>
        {t("overdueCases")} <b data-testid="case-overdue">{tot.overdue}</b>
      </span>
    </span>
  );
}

/** Columns and rows so that every counter fits the map panel (about 3.5 : 1) with tiles
 * about twice as wide as tall, whether the hall has 40 counters or 150. */
function tileGrid(n: number): Record<string, string> {
  const cols = Math.max(1, Math.ceil(Math.sqrt(n * 1.75)));
  const rows = Math.max(1, Math.ceil(n / cols));
  return { gridTemplateColumns: `repeat(${cols}, minmax(0, 1fr))`, gridTemplateRows: `repeat(${rows}, minmax(0, 1fr))` };
}

/** One counter on the map: its number, the clerk, what it does now (the ticket called or
 * served, how long it has been paused) and how many it finished today. */
function Tile({ tile, now, lang }: { tile: CounterTile; now: number; lang: Lang }) {
  const t = translator(WALL_MSG, lang);
  const st = translator(STATUS_MSG, lang);
  // The tile's colour says the status (legend above); the text says what only words can:
  // the ticket, the pause length. The status is also written for screen readers.
  let doing: string;
  if ((tile.status === "calling" || tile.status === "serving") && tile.currentNumber) {
    doing = tile.currentNumber;
  } else if (tile.status === "paused" && tile.pausedAt !== undefined) {
    doing = t("pausedFor", { d: formatDuration((now - tile.pausedAt) / 1000) });
  } else {
    doing = st(tile.status);
  }
  return (
    <div
      class={`tile st-${tile.status}`}
      data-counter={tile.counterId}
      data-status={tile.status}
      title={`${tile.number} ${tile.name} · ${st(tile.status)}`}
    >
      <div class="tile-in">
        <span class="tile-number">{tile.number}</span>
        <span class="tile-staff" data-testid="tile-staff">
          {tile.staffName ?? "—"}
        </span>
        <span class="tile-doing" data-testid="tile-doing">
          {doing === tile.currentNumber && <span class="sr-only">{st(tile.status)} </span>}
          {doing}
        </span>
        <span class="tile-served">{t("servedN", { n: tile.servedToday })}</span>
      </div>
    </div>
  );
}

const ESTIMATE_MSG = {
  label: { zh: "预计等候准确度", en: "Wait estimate accuracy" },
  value: { zh: "误差 ±{mae}", en: "off by ±{mae}" },
  vs: { zh: "偏差 {bias} · {n} 人", en: "bias {bias} · {n} visitors" },
  none: { zh: "尚无叫号", en: "no calls yet" },
} satisfies MsgTable;

/** Today's estimate accuracy: mean absolute error and bias (told − had) of the called tickets' estimates at issue. */
function EstimateKpi({ stats, lang }: { stats: LiveStats; lang: Lang }) {
  const t = translator(ESTIMATE_MSG, lang);
  const a = stats.estimateAccuracy;
  const signed = (sec: number) => `${sec > 0 ? "+" : sec < 0 ? "−" : ""}${formatDuration(Math.abs(sec))}`;
  return (
    <Kpi
      label={t("label")}
      value={a?.n ? t("value", { mae: formatDuration(a.maeSec) }) : "—"}
      testId="kpi-estimate"
      vs={a?.n ? t("vs", { bias: signed(a.biasSec), n: a.n }) : t("none")}
    />
  );
}

function Kpi({ label, value, testId, tone, vs }: { label: string; value: string; testId: string; tone?: "alarm"; vs?: string }) {
  return (
    <div class={`kpi${tone ? ` ${tone}` : ""}`}>
      <span class="kpi-label">{label}</span>
      <span class="kpi-value" data-testid={testId}>
        {value}
      </span>
      {vs && (
        <span class="kpi-vs" data-testid={`${testId}-vs`}>
          {vs}
        </span>
      )}
    </div>
  );
}

function Panel({
  title,
  extra,
  tone,
  children,
}: {
  title: string;
  extra?: preact.ComponentChildren;
  tone?: "alarm";
  children?: preact.ComponentChildren;
}) {
  return (
    <div class={`panel${tone ? ` ${tone}` : ""}`}>
      <div class="panel-head">
        <h2>{title}</h2>
        {extra}
      </div>
      <div class="panel-body">{children}</div>
    </div>
  );
}

const STARS = ["1★", "2★", "3★", "4★", "5★"];

function Ratings({ counts, shares }: { counts: readonly number[]; shares: readonly number[] }) {
  return (
    <div class="ratings" data-testid="ratings">
      {[4, 3, 2, 1, 0].map((i) => (
        <div key={i} class={`rating-row r${i + 1}`}>
          <span class="rating-label">{STARS[i]}</span>
          <span class="rating-bar">
            <i style={{ width: `${shares[i] ?? 0}%` }} />
          </span>
          <span class="rating-count">{counts[i] ?? 0}</span>
        </div>
      ))}
    </div>
  );
}

function DeviceFault({ device, lang, timeZone }: { device: DeviceStatus; lang: Lang; timeZone: string }) {
  const kind = translator(DEVICE_KIND_MSG, lang)(device.kind);
  const health = translator(HEALTH_MSG, lang)(device.health);
  const detail = faultDetail(device.detail, lang);
  const open = lang === "zh" ? "（" : " (";
  const close = lang === "zh" ? "）" : ")";
  return (
    <li class="fault" data-device={device.id} data-health={device.health}>
      <b>
        {kind} {device.id}
      </b>
      <span>
        {health}
        {detail && detail !== health ? `${open}${detail}${close}` : ""} · {formatClockSeconds(device.since, timeZone).slice(0, 5)}
      </span>
    </li>
  );
}

const app = document.getElementById("app");
if (app) render(<Wall />, app);
