/**
 * The manager's data wall (`/wall`, 数据大屏): today's figures, per-department volume and
 * completion rate, hourly arrivals/completions, a counter map, satisfaction, device faults
 * and wait alarms. Redrawn from the socket store on every `stats:live`, `counter:updated`
 * and `device:status`; a fresh snapshot redraws everything.
 */
import { render } from "preact";
import { useEffect, useMemo, useRef } from "preact/hooks";
import type { EChartsCoreOption } from "echarts/core";
import type { CounterState, DeviceStatus, Subscription } from "../server/src/contract/index.ts";
import { formatClockSeconds, formatDate, formatDuration, localMinutes } from "../ui-shared/format.ts";
import type { Lang } from "../ui-shared/i18n.ts";
import { COMMON, pickName, translator, useLang } from "../ui-shared/i18n.ts";
import { useHallSocket } from "../ui-shared/socket.ts";
import { ReconnectBanner } from "../ui-shared/ui.tsx";
import "../ui-shared/shared.css";
import "./wall.css";
import { DEVICE_KIND_MSG, HEALTH_MSG, STATUS_MSG, WALL_MSG } from "./strings.ts";
import { useNow } from "./use-now.ts";
import { createChart, departmentOption, hourlyOption, type WallChart } from "./wall-charts.ts";
import {
  counterTiles,
  departmentBars,
  faultyDevices,
  hourlySeries,
  satisfaction,
  type TileStatus,
  tileCounts,
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

function Wall() {
  const [lang, setLang] = useLang();
  const t = translator(WALL_MSG, lang);
  const subs = useMemo<Subscription[]>(() => [{ view: "hall" }], []);
  const { state, connected } = useHallSocket(subs);
  const now = useNow();

  const cat = state?.catalogue;
  const stats = state?.stats;
  const tz = cat?.hall.timeZone ?? "Asia/Shanghai";
  const hour = Math.floor(localMinutes(now, tz) / 60);

  const deptOption = useMemo(
    () =>
      cat && stats
        ? departmentOption(departmentBars(cat, stats, lang, 10), {
            cases: t("caseVolume"),
            done: t("doneCount"),
            rate: t("completionRate"),
          })
        : null,
    [cat, stats, lang],
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
  const tiles = counterTiles(cat, counters, stats, lang);
  const counts = tileCounts(tiles);
  const sat = satisfaction(stats);
  const faults = faultyDevices(devices);
  const alarms = waitAlarms(cat, stats, lang);
  const st = translator(STATUS_MSG, lang);

  return (
    <div class="wall">
      <ReconnectBanner connected={connected} lang={lang} />
      <header class="wall-header">
        <h1>
          {pickName(cat.hall, lang)} · {t("title")}
        </h1>
        <div class="wall-time">
          <span>{formatDate(now, lang, tz)}</span>
          <span class="wall-clock">{formatClockSeconds(now, tz)}</span>
          <button type="button" class="lang-toggle" onClick={() => setLang(lang === "zh" ? "en" : "zh")}>
            {COMMON.switchLang[lang]}
          </button>
        </div>
      </header>

      <section class="wall-kpis">
        <Kpi label={t("issued")} value={String(stats.issued)} testId="kpi-issued" />
        <Kpi label={t("served")} value={String(stats.served)} testId="kpi-served" />
        <Kpi
          label={t("waitingNow")}
          value={String(stats.waiting)}
          testId="kpi-waiting"
          tone={alarms.length ? "alarm" : undefined}
        />
        <Kpi label={t("avgWait")} value={formatDuration(stats.avgWaitSec)} testId="kpi-avg-wait" />
        <Kpi label={t("avgService")} value={formatDuration(stats.avgServiceSec)} testId="kpi-avg-service" />
        <Kpi
          label={t("satisfaction")}
          value={sat.satisfiedPct === null ? "—" : `${sat.satisfiedPct}%`}
          testId="kpi-satisfaction"
        />
      </section>

      <section class="wall-charts">
        <Panel title={t("departments")}>{deptOption && <Chart option={deptOption} testId="chart-departments" />}</Panel>
        <Panel title={t("hourly")}>{hourOption && <Chart option={hourOption} testId="chart-hourly" />}</Panel>
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
              <div
                key={tile.counterId}
                class={`tile st-${tile.status}`}
                data-counter={tile.counterId}
                data-status={tile.status}
                title={tile.name}
              >
                <div class="tile-in">
                  <span class="tile-number">{tile.number}</span>
                  <span class="tile-name">{tile.name}</span>
                  <span class="tile-served">{t("servedN", { n: tile.servedToday })}</span>
                </div>
              </div>
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
            title={t("alarms")}
            tone={alarms.length ? "alarm" : undefined}
            extra={alarms.length ? <b class="count">{alarms.length}</b> : undefined}
          >
            <ul class="wall-list" data-testid="alarms">
              {alarms.length === 0 && <li class="ok">{t("noAlarms")}</li>}
              {alarms.map((a) => (
                <li key={a.queueId} class="alarm" data-queue={a.queueId}>
                  <b>
                    {a.prefix} {a.name}
                  </b>
                  <span>{t("alarmLine", { w: a.waiting, m: a.longestWaitMin, t: a.thresholdMin })}</span>
                </li>
              ))}
            </ul>
          </Panel>
          <Panel
            title={t("devices")}
            tone={faults.length ? "alarm" : undefined}
            extra={faults.length ? <b class="count">{faults.length}</b> : undefined}
          >
            <ul class="wall-list" data-testid="device-faults">
              {faults.length === 0 && <li class="ok">{t("noFaults")}</li>}
              {faults.map((d) => (
                <DeviceFault key={d.id} device={d} lang={lang} timeZone={tz} />
              ))}
            </ul>
          </Panel>
        </div>
      </section>
    </div>
  );
}

/** Columns and rows so that every counter fits the map panel (about 3.5 : 1) with tiles
 * about twice as wide as tall, whether the hall has 40 counters or 150. */
function tileGrid(n: number): Record<string, string> {
  const cols = Math.max(1, Math.ceil(Math.sqrt(n * 1.75)));
  const rows = Math.max(1, Math.ceil(n / cols));
  return { gridTemplateColumns: `repeat(${cols}, minmax(0, 1fr))`, gridTemplateRows: `repeat(${rows}, minmax(0, 1fr))` };
}

function Kpi({ label, value, testId, tone }: { label: string; value: string; testId: string; tone?: "alarm" }) {
  return (
    <div class={`kpi${tone ? ` ${tone}` : ""}`}>
      <span class="kpi-label">{label}</span>
      <span class="kpi-value" data-testid={testId}>
        {value}
      </span>
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
  return (
    <li class="fault" data-device={device.id} data-health={device.health}>
      <b>
        {kind} {device.id}
      </b>
      <span>
        {health}
        {device.detail ? ` (${device.detail})` : ""} · {formatClockSeconds(device.since, timeZone).slice(0, 5)}
      </span>
    </li>
  );
}

const app = document.getElementById("app");
if (app) render(<Wall />, app);
