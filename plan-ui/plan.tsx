/**
 * /admin/plan — capacity planning for supervisors and admins: a what-if (windows added or
 * closed, a work profile changed, a matter moved to the comprehensive windows, more or fewer
 * visitors, a longer lunch) simulated on the hub through the real queue engine
 * (POST /api/plan/simulate), shown beside today's plan: waits per hour and series (p50/p90)
 * and the windows per hour that keep the p90 wait under a target.
 */
import { render } from "preact";
import { useEffect, useState } from "preact/hooks";
import type { Catalogue, Role } from "../server/src/contract/index.ts";
import type { PlanComparison, PlanResult } from "../server/src/simulation/plan.ts";
import { COMMON, type Lang, pickName, translator } from "../ui-shared/i18n.ts";
import { StaffShell, useStaffPage } from "../ui-shared/staff-shell.tsx";
import { nameOptions } from "../ui-shared/ui.tsx";
import "../ui-shared/shared.css";
import { PLAN } from "./messages.ts";
import "./plan.css";

const KEYS = { token: "onevisit.plan.token", login: "onevisit.plan.login" };
type T = ReturnType<typeof translator<typeof PLAN>>;
/** Who the page is for (the hub refuses anyone else anyway: docs/security.md). */
const ROLES: readonly Role[] = ["supervisor", "admin"];

const fmt = (x: number) => (Number.isFinite(x) ? x.toFixed(1) : "–");

/** The catalogue's series as a list's options, with their prefixes (several lists offer them). */
const seriesOptions = (cat: Catalogue, lang: Lang) =>
  cat.queues.map((q) => <option key={q.id} value={q.id}>{`${q.prefix} ${pickName(q, lang)}`}</option>);

function selected(e: Event): string[] {
  return [...(e.target as HTMLSelectElement).selectedOptions].map((o) => o.value);
}

/** A labelled number input of the what-if form. */
function NumberField(p: {
  label: string;
  name: string;
  min: string;
  max: string;
  step?: string;
  value: number;
  onValue: (v: number) => void;
}) {
  return (
    <label>
      {p.label}
      <input
        name={p.name}
        type="number"
        min={p.min}
        max={p.max}
        step={p.step}
        value={p.value}
        onInput={(e) => p.onValue(Number((e.target as HTMLInputElement).value))}
      />
    </label>
  );
}

function Side(props: { id: string; title: string; r: PlanResult; cat: Catalogue; lang: Lang; t: T; target: number }) {
  const { r, t, cat, lang } = props;
  const name = (q: string) => {
    const x = cat.queues.find((y) => y.id === q);
    return x ? `${x.prefix} ${pickName(x, lang)}` : q;
  };
  return (
    <section aria-labelledby={`${props.id}-h`} data-testid={props.id}>
      <h2 id={`${props.id}-h`}>{props.title}</h2>
      <table>
        <tbody>
          <tr>
            <th scope="row">{t("visitors")}</th>
            <td data-testid={`${props.id}-visitors`}>{Math.round(r.visitors)}</td>
          </tr>
          <tr>
            <th scope="row">{t("counters")}</th>
            <td data-testid={`${props.id}-counters`}>{r.counters}</td>
          </tr>
          <tr>
            <th scope="row">{t("meanWait")}</th>
            <td data-testid={`${props.id}-mean`}>{fmt(r.meanWaitMin)}</td>
          </tr>
          <tr>
            <th scope="row">{t("p90Wait")}</th>
            <td data-testid={`${props.id}-p90`}>{fmt(r.p90WaitMin)}</td>
          </tr>
        </tbody>
      </table>
      <table>
        <caption>{t("staffing")}</caption>
        <thead>
          <tr>
            <th scope="col">{t("hour")}</th>
            <th scope="col">{t("open")}</th>
            <th scope="col">{t("needed")}</th>
          </tr>
        </thead>
        <tbody>
          {r.staffing.map((s) => (
            <tr key={s.hour}>
              <th scope="row">{`${String(s.hour).padStart(2, "0")}:00`}</th>
              <td>{s.open}</td>
              <td class={s.needed > s.open ? "over" : ""}>{s.needed}</td>
            </tr>
          ))}
        </tbody>
      </table>
      <table data-testid={`${props.id}-cells`}>
        <caption>{t("waits")}</caption>
        <thead>
          <tr>
            <th scope="col">{t("hour")}</th>
            <th scope="col">{t("series")}</th>
            <th scope="col">{t("n")}</th>
            <th scope="col">{t("p50")}</th>
            <th scope="col">{t("p90")}</th>
          </tr>
        </thead>
        <tbody>
          {r.cells.map((c) => (
            <tr key={`${c.hour}-${c.queueId}`}>
              <th scope="row">{`${String(c.hour).padStart(2, "0")}:00`}</th>
              <td class="name">{name(c.queueId)}</td>
              <td>{fmt(c.n)}</td>
              <td>{fmt(c.p50Min)}</td>
              <td class={c.p90Min > props.target ? "over" : ""}>{fmt(c.p90Min)}</td>
            </tr>
          ))}
        </tbody>
      </table>
    </section>
  );
}

function App() {
  const page = useStaffPage(KEYS);
  const t = translator(PLAN, page.lang);
  const c = translator(COMMON, page.lang);
  const { lang, api, session: s } = page;
  const [cat, setCat] = useState<Catalogue | null>(null);
  const [load, setLoad] = useState(0.8);
  const [pct, setPct] = useState(0);
  const [lunch, setLunch] = useState(60);
  const [addCount, setAddCount] = useState(0);
  const [addSeries, setAddSeries] = useState<string[]>([]);
  const [remove, setRemove] = useState<string[]>([]);
  const [move, setMove] = useState("");
  const [profCounter, setProfCounter] = useState("");
  const [profSeries, setProfSeries] = useState<string[]>([]);
  const [target, setTarget] = useState(15);
  const [source, setSource] = useState<"reference" | "history">("reference");
  const [busy, setBusy] = useState(false);
  const [result, setResult] = useState<PlanComparison | null>(null);

  const allowed = !!s.login && ROLES.includes(s.login.staff.role);
  useEffect(() => {
    if (allowed) api.hall().then(setCat, s.showError);
  }, [allowed, api, s.showError]);

  const run = async () => {
    setBusy(true);
    try {
      const whatIf = {
        ...(pct !== 0 ? { arrivalsFactor: 1 + pct / 100 } : {}),
        ...(lunch !== 60 ? { lunchMin: lunch } : {}),
        ...(addCount > 0 && addSeries.length ? { addCounters: [{ queueIds: addSeries, count: addCount }] } : {}),
        ...(remove.length ? { removeCounters: remove } : {}),
        ...(move ? { moveMatters: [move] } : {}),
        ...(profCounter && profSeries.length ? { profiles: [{ counterId: profCounter, queueIds: profSeries }] } : {}),
      };
      setResult(
        await api.request<PlanComparison>("POST", "/api/plan/simulate", {
          load,
          runs: 2,
          targetP90Min: target,
          arrivals: source,
          whatIf,
        }),
      );
    } catch (e) {
      s.showError(e);
    } finally {
      setBusy(false);
    }
  };

  return (
    <StaffShell
      page={page}
      title={t("title")}
      classes={{ page: "plan", bar: "plan-bar", signIn: "card" }}
      autoFocus
      roles={ROLES}
      notAllowed={t("notAllowed")}
    >
      {() => (
        <main>
          {!cat && <p>{c("loading")}</p>}
          {cat && (
            <>
              <form
                class="whatif"
                aria-label={t("whatIf")}
                onSubmit={(e) => {
                  e.preventDefault();
                  void run();
                }}
              >
                <label>
                  {t("source")}
                  <select
                    name="source"
                    value={source}
                    onChange={(e) => setSource((e.target as HTMLSelectElement).value === "history" ? "history" : "reference")}
                  >
                    <option value="reference">{t("sourceReference")}</option>
                    <option value="history">{t("sourceHistory")}</option>
                  </select>
                </label>
                <NumberField label={t("load")} name="load" min="0.1" max="1.5" step="0.05" value={load} onValue={setLoad} />
                <NumberField label={t("arrivalsPct")} name="arrivals" min="-80" max="100" step="5" value={pct} onValue={setPct} />
                <NumberField label={t("lunch")} name="lunch" min="0" max="180" step="15" value={lunch} onValue={setLunch} />
                <NumberField label={t("target")} name="target" min="1" max="240" value={target} onValue={setTarget} />
                <NumberField label={t("addCount")} name="addCount" min="0" max="30" value={addCount} onValue={setAddCount} />
                <label>
                  {t("addSeries")}
                  <select name="addSeries" multiple size={4} onChange={(e) => setAddSeries(selected(e))}>
                    {seriesOptions(cat, lang)}
                  </select>
                </label>
                <label>
                  {t("remove")}
                  <select name="remove" multiple size={4} onChange={(e) => setRemove(selected(e))}>
                    {nameOptions(cat.counters, lang)}
                  </select>
                </label>
                <label>
                  {t("move")}
                  <select name="move" value={move} onChange={(e) => setMove((e.target as HTMLSelectElement).value)}>
                    <option value="">{t("none")}</option>
                    {nameOptions(cat.matters, lang)}
                  </select>
                </label>
                <label>
                  {t("profileCounter")}
                  <select
                    name="profileCounter"
                    value={profCounter}
                    onChange={(e) => setProfCounter((e.target as HTMLSelectElement).value)}
                  >
                    <option value="">{t("none")}</option>
                    {nameOptions(cat.counters, lang)}
                  </select>
                </label>
                <label>
                  {t("profileSeries")}
                  <select name="profileSeries" multiple size={4} onChange={(e) => setProfSeries(selected(e))}>
                    {seriesOptions(cat, lang)}
                  </select>
                </label>
                <button type="submit" class="primary" disabled={busy}>
                  {busy ? t("running") : t("run")}
                </button>
              </form>
              {result && (
                <p data-testid="source" role="status">
                  {result.arrivals === "history"
                    ? t("learnedFrom", { n: result.historyDays ?? 0 })
                    : source === "history"
                      ? t("noHistory")
                      : t("sourceReference")}
                </p>
              )}
              {result && (
                <div class="sides">
                  <Side id="today" title={t("today")} r={result.today} cat={cat} lang={lang} t={t} target={target} />
                  <Side id="whatif" title={t("plan")} r={result.whatIf} cat={cat} lang={lang} t={t} target={target} />
                </div>
              )}
            </>
          )}
        </main>
      )}
    </StaffShell>
  );
}

render(<App />, document.getElementById("app") as HTMLElement);
