/**
 * /admin/reports (issue 13) — the hall's figures for supervisors and admins: per day, week,
 * month or year and per department, matter, series, counter, clerk or hour — tickets,
 * served, no-shows, average and p90 wait and service, cases accepted / finished / overdue,
 * 好差评 — with charts where one would rather look (per hour, the daily trend, the rating
 * distribution; ECharts loaded only when there is something to draw) and every table as
 * CSV and XLSX. Below, the 差评 follow-ups (整改): each closed with what was done, overdue
 * ones marked. Signs in with the console's session (the same sessionStorage keys as /admin).
 */
import { render } from "preact";
import { useCallback, useEffect, useMemo, useRef, useState } from "preact/hooks";
import type { Role } from "../server/src/contract/catalogue.ts";
import type { Followup, GroupBy, PeriodKind, Report, ReportRow } from "../server/src/reports/model.ts";
import { downloadFile } from "../ui-shared/download.ts";
import { formatDuration } from "../ui-shared/format.ts";
import { type Lang, interpolate, translator } from "../ui-shared/i18n.ts";
import { StaffShell, useStaffPage } from "../ui-shared/staff-shell.tsx";
import "../ui-shared/shared.css";
import type { ChartHandle } from "./charts.ts";
import { REASON_WORDS, REPORTS } from "./messages.ts";
import "./reports.css";

// The console's session: an admin coming from /admin is signed in here already.
const KEYS = { token: "onevisit.admin.token", login: "onevisit.admin.login" };
type T = ReturnType<typeof translator<typeof REPORTS>>;
const PERIOD_KINDS: PeriodKind[] = ["day", "week", "month", "year"];
const GROUP_KINDS: GroupBy[] = ["department", "matter", "series", "counter", "clerk", "hour", "all"];
const STARS = [1, 2, 3, 4, 5] as const;
/** Who the page is for (the hub refuses anyone else anyway: docs/security.md). */
const ROLES: readonly Role[] = ["supervisor", "admin"];

const secs = (s: number | null) => (s === null ? "–" : formatDuration(s));
const name = (r: ReportRow, lang: Lang) => (lang === "zh" ? r.name : r.nameEn);

/** A chart drawn in its box once ECharts has loaded (a separate chunk, loaded on first use). */
function Chart(props: { id: string; label: string; option: Record<string, unknown> | null; loading: string }) {
  const box = useRef<HTMLDivElement>(null);
  const handle = useRef<ChartHandle | null>(null);
  const [ready, setReady] = useState(false);
  useEffect(() => {
    let live = true;
    void import("./charts.ts").then(({ chart }) => {
      if (!live || !box.current) return;
      handle.current = chart(box.current);
      setReady(true);
    });
    return () => {
      live = false;
      handle.current?.dispose();
    };
  }, []);
  useEffect(() => {
    if (ready && props.option) handle.current?.set(props.option);
  }, [ready, props.option]);
  return (
    <figure class="rp-chart">
      <figcaption>{props.label}</figcaption>
      <div
        ref={box}
        class="rp-chart-box"
        role="img"
        aria-label={props.label}
        data-testid={props.id}
        data-ready={ready ? "1" : "0"}
      >
        {!ready && <span>{props.loading}</span>}
      </div>
    </figure>
  );
}

function Exports(props: { id: string; t: T; onDownload: (kind: "csv" | "xlsx") => void; what: string }) {
  return (
    // biome-ignore lint/a11y/useSemanticElements: two download buttons inline in a table's heading, not a form's fieldset
    <span class="rp-exports" role="group" aria-label={`${props.t("export")} · ${props.what}`}>
      <button type="button" onClick={() => props.onDownload("csv")} data-testid={`export-${props.id}-csv`}>
        {props.t("csv")}
      </button>
      <button type="button" onClick={() => props.onDownload("xlsx")} data-testid={`export-${props.id}-xlsx`}>
        {props.t("xlsx")}
      </button>
    </span>
  );
}

function GroupTable(props: { r: Report; t: T; lang: Lang }) {
  const { r, t, lang } = props;
  const cases = r.by === "all" || r.by === "department" || r.by === "matter";
  // A period ranked again: its p90s are said to be computing, not shown stale (or as "–").
  const p90 = (s: number | null) => (r.p90Pending ? t("computing") : secs(s));
  const cells = (x: ReportRow) => (
    <>
      <td>{x.tickets}</td>
      <td>{x.served}</td>
      <td>{x.noShows}</td>
      <td>{x.cancelled}</td>
      <td>{secs(x.avgWaitS)}</td>
      <td>{p90(x.p90WaitS)}</td>
      <td>{secs(x.avgServiceS)}</td>
      <td>{p90(x.p90ServiceS)}</td>
      {cases && (
        <>
          <td>{x.casesAccepted ?? "–"}</td>
          <td>{x.casesFinished ?? "–"}</td>
          <td>{x.casesOverdue ?? "–"}</td>
        </>
      )}
      <td>{x.ratings.join(" / ")}</td>
    </>
  );
  return (
    <table data-testid="groups">
      <caption>{t("groups")}</caption>
      <thead>
        <tr>
          <th scope="col">{t(`g_${r.by}`)}</th>
          <th scope="col">{t("tickets")}</th>
          <th scope="col">{t("served")}</th>
          <th scope="col">{t("noShows")}</th>
          <th scope="col">{t("cancelled")}</th>
          <th scope="col">{t("avgWait")}</th>
          <th scope="col">{t("p90Wait")}</th>
          <th scope="col">{t("avgService")}</th>
          <th scope="col">{t("p90Service")}</th>
          {cases && (
            <>
              <th scope="col">{t("casesAccepted")}</th>
              <th scope="col">{t("casesFinished")}</th>
              <th scope="col">{t("casesOverdue")}</th>
            </>
          )}
          <th scope="col">{t("ratings")}</th>
        </tr>
      </thead>
      <tbody>
        {r.rows.map((x) => (
          <tr key={x.key} data-key={x.key}>
            <th scope="row">{name(x, lang)}</th>
            {cells(x)}
          </tr>
        ))}
      </tbody>
      <tfoot>
        <tr data-testid="total">
          <th scope="row">{t("total")}</th>
          {cells(r.total)}
        </tr>
      </tfoot>
    </table>
  );
}

function Followups(props: {
  t: T;
  lang: Lang;
  list: Followup[];
  showClosed: boolean;
  setShowClosed: (v: boolean) => void;
  onClose: (id: string, action: string) => Promise<void>;
  onDownload: (kind: "csv" | "xlsx") => void;
}) {
  const { t, lang } = props;
  const [drafts, setDrafts] = useState<Record<string, string>>({});
  return (
    <section class="rp-card" aria-labelledby="fu-h">
      <h2 id="fu-h">{t("followups")}</h2>
      <div class="rp-row">
        <label>
          <input
            type="checkbox"
            checked={props.showClosed}
            onChange={(e) => props.setShowClosed((e.target as HTMLInputElement).checked)}
          />{" "}
          {t("showClosed")}
        </label>
        <Exports id="followups" t={t} onDownload={props.onDownload} what={t("followups")} />
      </div>
      {props.list.length === 0 && <p>{t("noFollowups")}</p>}
      {props.list.length > 0 && (
        <table data-testid="followups">
          <thead>
            <tr>
              <th scope="col">{t("fDay")}</th>
              <th scope="col">{t("fNumber")}</th>
              <th scope="col">{t("fCounter")}</th>
              <th scope="col">{t("fClerk")}</th>
              <th scope="col">{t("fScore")}</th>
              <th scope="col">{t("fReasons")}</th>
              <th scope="col">{t("fDue")}</th>
              <th scope="col">{t("fAction")}</th>
            </tr>
          </thead>
          <tbody>
            {props.list.map((f) => (
              <tr key={f.ticketId} class={f.overdue ? "overdue" : ""} data-ticket={f.ticketId}>
                <td>{f.day}</td>
                <th scope="row">{f.number}</th>
                <td>{f.counterId}</td>
                <td>{f.clerkName || f.clerkId}</td>
                <td>{f.score}</td>
                <td>
                  {f.reasons.map((x) => REASON_WORDS[x as keyof typeof REASON_WORDS]?.[lang] ?? x).join("、")}
                  {f.comment && <q>{f.comment}</q>}
                </td>
                <td>
                  {f.dueDate}
                  {f.overdue && <strong class="rp-overdue"> {t("overdue")}</strong>}
                </td>
                <td>
                  {f.status === "closed" ? (
                    interpolate(t("closed"), { action: f.action ?? "" })
                  ) : (
                    <form
                      class="rp-close"
                      onSubmit={(e) => {
                        e.preventDefault();
                        void props.onClose(f.ticketId, drafts[f.ticketId] ?? "");
                      }}
                    >
                      <label>
                        <span class="rp-sr">{`${t("fAction")} ${f.number}`}</span>
                        <textarea
                          name="action"
                          rows={2}
                          value={drafts[f.ticketId] ?? ""}
                          onInput={(e) => setDrafts({ ...drafts, [f.ticketId]: (e.target as HTMLTextAreaElement).value })}
                        />
                      </label>
                      <button type="submit">{t("closeIt")}</button>
                    </form>
                  )}
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
    </section>
  );
}

function App() {
  const page = useStaffPage(KEYS);
  const { lang, api, session: s } = page;
  const t = translator(REPORTS, lang);
  const [period, setPeriod] = useState<PeriodKind>("month");
  const [date, setDate] = useState("");
  const [by, setBy] = useState<GroupBy>("department");
  const [report, setReport] = useState<Report | null>(null);
  const [list, setList] = useState<Followup[]>([]);
  const [showClosed, setShowClosed] = useState(false);
  const allowed = !!s.login && ROLES.includes(s.login.staff.role);

  const load = useCallback(async () => {
    try {
      const q = new URLSearchParams({ period, date, by });
      setReport(await api.request<Report>("GET", `/api/reports?${q}`));
    } catch (e) {
      s.showError(e);
    }
  }, [api, period, date, by, s.showError]);
  const loadFollowups = useCallback(async () => {
    try {
      setList(await api.request<Followup[]>("GET", `/api/reports/followups?status=${showClosed ? "all" : "open"}`));
    } catch (e) {
      s.showError(e);
    }
  }, [api, showClosed, s.showError]);
  useEffect(() => {
    if (allowed) void loadFollowups();
  }, [allowed, loadFollowups]);
  // The hall's today, not this PC's: its clock may be set wrong.
  useEffect(() => {
    if (allowed) api.request<{ day: string }>("GET", "/api/health").then((h) => setDate(h.day), s.showError);
  }, [allowed, api, s.showError]);

  const download = (path: string, fallback: string) => {
    downloadFile(path, page.token(), fallback).catch(s.showError);
  };
  const exportTable = (table: string) => (kind: "csv" | "xlsx") =>
    download(`/api/reports/export.${kind}?${new URLSearchParams({ period, date, by, table, lang })}`, `report.${kind}`);

  // Options change only with the report or the language: a chart is not redrawn on every keystroke.
  const options = useMemo(() => {
    if (!report) return null;
    return {
      hours: {
        tooltip: { trigger: "axis" },
        legend: { data: [t("tickets"), t("served")] },
        xAxis: { type: "category", data: report.hours.map((h) => `${String(h.hour).padStart(2, "0")}`) },
        yAxis: { type: "value" },
        series: [
          { name: t("tickets"), type: "bar", data: report.hours.map((h) => h.tickets) },
          { name: t("served"), type: "bar", data: report.hours.map((h) => h.served) },
        ],
      },
      days: {
        tooltip: { trigger: "axis" },
        legend: { data: [t("tickets"), t("served")] },
        xAxis: { type: "category", data: report.days.map((d) => d.day.slice(5)) },
        yAxis: { type: "value" },
        series: [
          { name: t("tickets"), type: "line", data: report.days.map((d) => d.tickets) },
          { name: t("served"), type: "line", data: report.days.map((d) => d.served) },
        ],
      },
      ratings: {
        tooltip: { trigger: "item" },
        series: [
          {
            type: "pie",
            radius: ["35%", "65%"],
            data: STARS.map((n) => ({ name: interpolate(t("stars"), { n }), value: report.total.ratings[n - 1] })),
          },
        ],
      },
    };
  }, [report, lang]);

  return (
    <StaffShell
      page={page}
      title={t("title")}
      classes={{ page: "rp-page", bar: "rp-bar", signIn: "rp-card rp-login", main: "rp-main" }}
      links={<a href="/admin">{t("console")}</a>}
      autoFocus
      roles={ROLES}
      notAllowed={t("notAllowed")}
    >
      {() => (
        <main class="rp-main">
          <form
            class="rp-card rp-query"
            aria-label={t("query")}
            onSubmit={(e) => {
              e.preventDefault();
              void load();
            }}
          >
            <label>
              {t("period")}
              <select
                name="period"
                value={period}
                onChange={(e) => setPeriod((e.target as HTMLSelectElement).value as PeriodKind)}
              >
                {PERIOD_KINDS.map((p) => (
                  <option key={p} value={p}>
                    {t(`p_${p}`)}
                  </option>
                ))}
              </select>
            </label>
            <label>
              {t("date")}
              <input name="date" type="date" value={date} onInput={(e) => setDate((e.target as HTMLInputElement).value)} />
            </label>
            <label>
              {t("by")}
              <select name="by" value={by} onChange={(e) => setBy((e.target as HTMLSelectElement).value as GroupBy)}>
                {GROUP_KINDS.map((g) => (
                  <option key={g} value={g}>
                    {t(`g_${g}`)}
                  </option>
                ))}
              </select>
            </label>
            <button type="submit" class="primary">
              {t("show")}
            </button>
          </form>
          {report && (
            <section class="rp-card" aria-labelledby="rp-h" data-testid="report">
              <h2 id="rp-h">{interpolate(t("range"), { from: report.from, to: report.to, n: report.filledDays })}</h2>
              {report.total.tickets === 0 && <p>{t("empty")}</p>}
              {report.p90Pending && (
                <p role="status" data-testid="p90-pending">
                  {t("p90Pending")}
                </p>
              )}
              <div class="rp-charts">
                <Chart id="chart-hours" label={t("hours")} option={options?.hours ?? null} loading={t("chartsLoading")} />
                <Chart id="chart-days" label={t("days")} option={options?.days ?? null} loading={t("chartsLoading")} />
                <Chart
                  id="chart-ratings"
                  label={t("ratingDist")}
                  option={options?.ratings ?? null}
                  loading={t("chartsLoading")}
                />
              </div>
              <div class="rp-row">
                <Exports id="groups" t={t} onDownload={exportTable("groups")} what={t("groups")} />
                <Exports id="hours" t={t} onDownload={exportTable("hours")} what={t("hours")} />
                <Exports id="days" t={t} onDownload={exportTable("days")} what={t("days")} />
                <Exports id="ratings" t={t} onDownload={exportTable("ratings")} what={t("ratingDist")} />
              </div>
              <div class="rp-scroll">
                <GroupTable r={report} t={t} lang={lang} />
              </div>
            </section>
          )}
          <Followups
            t={t}
            lang={lang}
            list={list}
            showClosed={showClosed}
            setShowClosed={setShowClosed}
            onClose={async (id, action) => {
              try {
                await api.request("POST", `/api/reports/followups/${encodeURIComponent(id)}/close`, { action });
                await loadFollowups();
              } catch (e) {
                s.showError(e);
              }
            }}
            onDownload={(kind) =>
              download(
                `/api/reports/followups/export.${kind}?${new URLSearchParams({ status: showClosed ? "all" : "open", lang })}`,
                `followups.${kind}`,
              )
            }
          />
        </main>
      )}
    </StaffShell>
  );
}

render(<App />, document.getElementById("app") as HTMLElement);
