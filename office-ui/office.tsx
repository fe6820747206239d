/**
 * The back office (/office, 审批后台): staff sign in as at the counter; the worklist of a
 * department, overdue first; a case's details with the actions its status allows — take,
 * approve, refuse, request correction (补正), corrections received, certificate ready. Every
 * action names the version the clerk saw: when someone else acted first, the hub answers
 * CASE_CONFLICT and the page says so and shows the case as it now is.
 */
import { render } from "preact";
import { useCallback, useEffect, useRef, useState } from "preact/hooks";
import type { Case, CaseAction, CaseStatus, CaseSummary } from "../server/src/contract/cases.ts";
import type { Catalogue, LoginReply } from "../server/src/contract/index.ts";
import { ApiError, type createApi, toApiError } from "../ui-shared/api.ts";
import { caseSocket, casesApi, newIdempotencyKey } from "../ui-shared/cases-api.ts";
import { DEFAULT_TIME_ZONE } from "../ui-shared/format.ts";
import { type Lang, pickName, translator } from "../ui-shared/i18n.ts";
import { StaffShell, useStaffPage } from "../ui-shared/staff-shell.tsx";
import { ReconnectBanner } from "../ui-shared/ui.tsx";
import "../ui-shared/shared.css";
import { localDateTime, needsNote, officeActions } from "./logic.ts";
import { CASE_WORDS, OFFICE } from "./messages.ts";
import "./office.css";

const TOKEN_KEY = "onevisit.office.token";
const SESSION_KEYS = { token: TOKEN_KEY, login: "onevisit.office.login" };

type T = ReturnType<typeof translator<typeof OFFICE>>;
type W = ReturnType<typeof translator<typeof CASE_WORDS>>;

const OPEN = new Set<CaseStatus>(["accepted", "in_review", "correction"]);
/** "open" = the statuses still being handled (the worklist proper); "" = every case. */
type StatusFilter = "open" | "" | CaseStatus;
const STATUS_FILTERS: StatusFilter[] = ["open", "", "accepted", "in_review", "correction", "approved", "certificate_ready"];
/** Every status, for 全部 (the hub's worklist defaults to the open ones). */
const ALL_STATUSES: CaseStatus[] = [
  "accepted",
  "in_review",
  "correction",
  "approved",
  "refused",
  "certificate_ready",
  "collected",
  "mailed",
  "delivered",
  "not_accepted",
];
const statusParam = (f: StatusFilter): string => (f === "open" ? [...OPEN].join(",") : f || ALL_STATUSES.join(","));

function App() {
  const page = useStaffPage(SESSION_KEYS);
  const t = translator(OFFICE, page.lang);
  return (
    <StaffShell page={page} title={t("title")} classes={{ page: "office-page", bar: "obar", signIn: "ocard login" }}>
      {(login) => <Office t={t} lang={page.lang} api={page.api} login={login} onError={page.session.showError} />}
    </StaffShell>
  );
}

function Office(props: {
  t: T;
  lang: Lang;
  api: ReturnType<typeof createApi>;
  login: LoginReply;
  onError: (e: unknown) => void;
}) {
  const { t, lang, api, login } = props;
  const w = translator(CASE_WORDS, lang);
  const cases = casesApi(api);
  // Approvers work on their own department's cases; supervisors and admins choose.
  const ownDept = login.staff.departmentId;
  const [dept, setDept] = useState<string>(ownDept ?? "");
  const [status, setStatus] = useState<StatusFilter>("open");
  const [cat, setCat] = useState<Catalogue | null>(null);
  const [items, setItems] = useState<CaseSummary[]>([]);
  const [next, setNext] = useState<string | undefined>(undefined);
  const [selected, setSelected] = useState<Case | null>(null);
  const [notice, setNotice] = useState<{ text: string; tone: "ok" | "warn" } | null>(null);
  const [connected, setConnected] = useState(false);
  const selectedRef = useRef<Case | null>(null);
  selectedRef.current = selected;
  /** Versions this page itself produced: their echo over the socket is not news. */
  const mine = useRef(new Set<string>());
  const reloadTimer = useRef<ReturnType<typeof setTimeout> | undefined>(undefined);

  const reload = useCallback(() => {
    cases.worklist({ ...(dept ? { dept } : {}), status: statusParam(status), limit: 100 }).then((r) => {
      setItems(r.items);
      setNext(r.next);
    }, props.onError);
  }, [dept, status]);
  const reloadSoon = useCallback(() => {
    clearTimeout(reloadTimer.current);
    reloadTimer.current = setTimeout(reload, 200);
  }, [reload]);

  useEffect(() => {
    api.hall().then(setCat, props.onError);
  }, []);
  useEffect(() => reload(), [reload]);
  useEffect(() => {
    const s = caseSocket(dept ? { view: "office", departmentId: dept } : { view: "office" }, {
      token: sessionStorage.getItem(TOKEN_KEY),
      onConnect: () => reloadSoon(),
      onState: setConnected,
      // A room the hub refused (another department): said in words like any other refusal.
      onRefused: (code) => props.onError(new ApiError(code, 403, code)),
    });
    s.on("case:updated", (c) => {
      reloadSoon();
      const open = selectedRef.current;
      if (open && open.caseNo === c.caseNo && c.version > open.version) {
        setSelected(c);
        if (!mine.current.has(`${c.caseNo}@${c.version}`)) setNotice({ text: t("changedElsewhere"), tone: "warn" });
      }
    });
    return () => {
      s.disconnect();
      clearTimeout(reloadTimer.current);
    };
  }, [dept, reloadSoon]);

  const openCase = (caseNo: string) => {
    setNotice(null);
    cases.get(caseNo).then(setSelected, props.onError);
  };

  const act = async (c: Case, action: CaseAction, note: string, materialIndex?: number) => {
    setNotice(null);
    try {
      const r = await cases.transition(
        c.caseNo,
        {
          action,
          expectedVersion: c.version,
          ...(note.trim() ? { note: note.trim() } : {}),
          ...(materialIndex !== undefined ? { materialIndex } : {}),
        },
        newIdempotencyKey(),
      );
      mine.current.add(`${r.caseNo}@${r.version}`);
      setSelected(r);
      setNotice({ text: t("done", { action: t(`do_${action}` as keyof typeof OFFICE) }), tone: "ok" });
      reloadSoon();
    } catch (e) {
      const code = toApiError(e).code;
      if (code === "CASE_CONFLICT" || code === "ILLEGAL_TRANSITION") {
        // Someone acted first: show the case as it is now, and say so.
        try {
          const now = await cases.get(c.caseNo);
          setSelected(now);
          setNotice({ text: t("conflict", { status: w(`status_${now.status}`) }), tone: "warn" });
        } catch (e2) {
          props.onError(e2);
        }
        reloadSoon();
      } else if (code === "MATERIALS_INCOMPLETE") setNotice({ text: t("receiveFirst"), tone: "warn" });
      else props.onError(e);
    }
  };

  const deptName = (id: string) => {
    const d = cat?.departments.find((x) => x.id === id);
    return d ? pickName(d, lang) : id;
  };

  return (
    <main class="office">
      <ReconnectBanner connected={connected} lang={lang} />
      <section class="olist" aria-labelledby="worklist-title">
        <div class="ofilters">
          <label>
            {t("department")}
            <select
              name="department"
              value={dept}
              disabled={!!ownDept}
              onChange={(e) => setDept((e.target as HTMLSelectElement).value)}
            >
              {!ownDept && <option value="">{t("allDepartments")}</option>}
              {cat?.departments.map((d) => (
                <option key={d.id} value={d.id}>
                  {pickName(d, lang)}
                </option>
              ))}
            </select>
          </label>
          <label>
            {t("statusFilter")}
            <select
              name="status"
              value={status}
              onChange={(e) => setStatus((e.target as HTMLSelectElement).value as StatusFilter)}
            >
              {STATUS_FILTERS.map((s) => (
                <option key={s} value={s}>
                  {s === "open" ? t("openOnly") : s ? w(`status_${s}`) : t("anyStatus")}
                </option>
              ))}
            </select>
          </label>
        </div>
        <h2 id="worklist-title">{t("worklist")}</h2>
        {items.length === 0 ? (
          <p data-testid="worklist-empty">{t("empty")}</p>
        ) : (
          <table class="otable" data-testid="worklist">
            <thead>
              <tr>
                <th scope="col">{t("colCase")}</th>
                <th scope="col">{t("colMatter")}</th>
                <th scope="col">{t("colApplicant")}</th>
                <th scope="col">{t("colStatus")}</th>
                <th scope="col">{t("colDue")}</th>
                <th scope="col">{t("colAssignee")}</th>
              </tr>
            </thead>
            <tbody>
              {items.map((c) => (
                <tr
                  key={c.caseNo}
                  data-case={c.caseNo}
                  data-status={c.status}
                  class={`${c.overdue ? "overdue" : ""}${selected?.caseNo === c.caseNo ? " selected" : ""}`}
                >
                  <th scope="row">
                    <button type="button" class="olink" onClick={() => openCase(c.caseNo)}>
                      {c.caseNo}
                    </button>
                  </th>
                  <td>{c.matterName}</td>
                  <td>{c.applicantName}</td>
                  <td>{w(`status_${c.status}`)}</td>
                  <td>
                    {c.dueDate ?? "—"}
                    {c.overdue && <span class="otag warn">{t("overdue")}</span>}
                    {c.clockPaused && <span class="otag">{t("paused")}</span>}
                  </td>
                  <td>{c.assigneeName ?? "—"}</td>
                </tr>
              ))}
            </tbody>
          </table>
        )}
        {next && (
          <button
            type="button"
            onClick={() =>
              cases.worklist({ ...(dept ? { dept } : {}), status: statusParam(status), limit: 100, cursor: next }).then((r) => {
                setItems((xs) => [...xs, ...r.items]);
                setNext(r.next);
              }, props.onError)
            }
          >
            {t("more")}
          </button>
        )}
      </section>
      {selected && (
        <CaseDetail
          key={selected.caseNo}
          t={t}
          w={w}
          lang={lang}
          c={selected}
          deptName={deptName(selected.departmentId)}
          notice={notice}
          onAct={act}
          onClose={() => {
            setSelected(null);
            setNotice(null);
          }}
        />
      )}
    </main>
  );
}

function CaseDetail(props: {
  t: T;
  w: W;
  lang: Lang;
  c: Case;
  deptName: string;
  notice: { text: string; tone: "ok" | "warn" } | null;
  onAct: (c: Case, a: CaseAction, note: string, materialIndex?: number) => Promise<void>;
  onClose: () => void;
}) {
  const { t, w, lang, c } = props;
  const [note, setNote] = useState("");
  const [busy, setBusy] = useState(false);
  const [noteMissing, setNoteMissing] = useState(false);
  const tz = DEFAULT_TIME_ZONE;
  const actions = officeActions(c.status);
  return (
    <section
      class="odetail"
      aria-labelledby="detail-title"
      data-testid="case-detail"
      data-status={c.status}
      data-version={c.version}
    >
      <div class="odetail-head">
        <h2 id="detail-title">
          {t("detail")} · {c.caseNo}
        </h2>
        <button type="button" onClick={props.onClose}>
          {t("close")}
        </button>
      </div>
      {props.notice && (
        <p
          class={`onotice ${props.notice.tone}`}
          role={props.notice.tone === "warn" ? "alert" : "status"}
          data-testid="office-notice"
        >
          {props.notice.text}
        </p>
      )}
      <dl class="ogrid">
        <dt>{t("colMatter")}</dt>
        <dd>
          {lang === "en" && c.matterNameEn ? c.matterNameEn : c.matterName} · {props.deptName}
        </dd>
        <dt>{t("colStatus")}</dt>
        <dd data-testid="detail-status">{w(`status_${c.status}`)}</dd>
        <dt>{t("colApplicant")}</dt>
        <dd>{c.applicant.name}</dd>
        <dt>{t("phone")}</dt>
        <dd>{c.applicant.phone}</dd>
        {c.applicant.idMasked && (
          <>
            <dt>{t("idNumber")}</dt>
            <dd>{c.applicant.idMasked}</dd>
          </>
        )}
        <dt>{t("acceptedAt")}</dt>
        <dd>
          {localDateTime(c.acceptedAt, tz)} · {c.acceptedBy.name}
        </dd>
        <dt>{t("colDue")}</dt>
        <dd>
          {c.dueDate ?? "—"}
          {c.overdue && <span class="otag warn">{t("overdue")}</span>}
          {c.clockPaused && <span class="otag">{t("paused")}</span>}
        </dd>
        {c.assignee && (
          <>
            <dt>{t("colAssignee")}</dt>
            <dd>{c.assignee.name}</dd>
          </>
        )}
      </dl>
      <h3>{t("materials")}</h3>
      <ul class="omaterials">
        {c.materials.map((m) => (
          <li key={m.index} class={`m-${m.receivedAt ? "received" : m.state}`}>
            {lang === "en" && m.nameEn ? m.nameEn : m.name} · {t(`m_${m.receivedAt ? "received" : m.state}`)}
            {m.promisedDate && !m.receivedAt ? ` (${m.promisedDate})` : ""}
            {/* A deferred or missing item handed in later, while the case is open. */}
            {m.state !== "received" && !m.receivedAt && OPEN.has(c.status) && (
              <button
                type="button"
                class="oreceive"
                disabled={busy}
                data-receive={m.index}
                onClick={async () => {
                  setBusy(true);
                  try {
                    await props.onAct(c, "receive_material", "", m.index);
                  } finally {
                    setBusy(false);
                  }
                }}
              >
                {t("do_receive_material")}
              </button>
            )}
          </li>
        ))}
      </ul>
      {actions.length > 0 && (
        <div class="oactions">
          {actions.some(needsNote) && (
            <label>
              {t("note")}
              <textarea
                name="note"
                maxLength={500}
                rows={2}
                value={note}
                onInput={(e) => {
                  setNote((e.target as HTMLTextAreaElement).value);
                  setNoteMissing(false);
                }}
                aria-describedby={noteMissing ? "note-missing" : undefined}
              />
            </label>
          )}
          {noteMissing && (
            <p class="onotice warn" id="note-missing">
              {t("noteNeeded")}
            </p>
          )}
          <div class="obuttons">
            {actions.map((a) => (
              <button
                type="button"
                key={a}
                class={a === "approve" || a === "take" || a === "certificate_ready" ? "primary" : a === "refuse" ? "danger" : ""}
                disabled={busy}
                data-act={a}
                onClick={async () => {
                  if (needsNote(a) && !note.trim()) {
                    setNoteMissing(true);
                    return;
                  }
                  setBusy(true);
                  try {
                    await props.onAct(c, a, needsNote(a) ? note : "");
                    setNote("");
                  } finally {
                    setBusy(false);
                  }
                }}
              >
                {t(`do_${a}` as keyof typeof OFFICE)}
              </button>
            ))}
          </div>
        </div>
      )}
      <h3>{t("history")}</h3>
      <ol class="ohistory" data-testid="history">
        {c.transitions.map((s) => (
          <li key={s.seq} data-action={s.action}>
            <time>{localDateTime(s.at, tz)}</time>{" "}
            {w(s.action === "collect" && c.collection?.via === "self_print" ? "action_collect_self_print" : `action_${s.action}`)}{" "}
            · {s.by.name}
            {s.note && <span class="onote"> — {s.note}</span>}
          </li>
        ))}
      </ol>
    </section>
  );
}

const root = document.getElementById("app");
if (root) render(<App />, root);
