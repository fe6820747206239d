/**
 * The help desk (/helpdesk, 帮办代办): the helper a visitor first asks opens a help case and
 * owns it to the end (首问负责制). The page shows the signed-in helper's reminders (pushed
 * over Socket.IO when a help case stalls), the form for a new help case, the ledger (台账)
 * with its filters and exports, and one help case with its chain of linked cases, notes and
 * hand-overs. Only the owner (or a supervisor) gets the action forms; the hub refuses anyone
 * else anyway (NOT_HELP_OWNER).
 */
import { render } from "preact";
import { useCallback, useEffect, useRef, useState } from "preact/hooks";
import { io } from "socket.io-client";
import type { Catalogue, LoginReply } from "../server/src/contract/index.ts";
import type { HelpCase, HelpLedger, HelpReminder, HelpSettings, OpenHelpBody } from "../server/src/contract/helpdesk.ts";
import type { Socket } from "socket.io-client";
import type { ClientToServerEvents, ServerToClientEvents } from "../server/src/contract/events.ts";
import { type Api, ApiError, newRequestId } from "../ui-shared/api.ts";
import { downloadFile } from "../ui-shared/download.ts";
import { type Lang, pickName, translator } from "../ui-shared/i18n.ts";
import { StaffShell, useStaffPage } from "../ui-shared/staff-shell.tsx";
import { ReconnectBanner } from "../ui-shared/ui.tsx";
import "../ui-shared/shared.css";
import { CASE_STATUS_WORDS, HELPDESK } from "./messages.ts";
import "./helpdesk.css";

const TOKEN_KEY = "onevisit.helpdesk.token";
const SESSION_KEYS = { token: TOKEN_KEY, login: "onevisit.helpdesk.login" };
type T = ReturnType<typeof translator<typeof HELPDESK>>;
type HelpSocket = Socket<ServerToClientEvents, ClientToServerEvents>;

const enc = encodeURIComponent;
const idem = () => ({ "idempotency-key": newRequestId() });

interface Filters {
  from: string;
  to: string;
  owner: string;
  status: "" | "open" | "closed";
  dept: string;
  overdue: boolean;
}

function query(f: Filters, extra: Record<string, string> = {}): string {
  const p = new URLSearchParams();
  if (f.from) p.set("from", f.from);
  if (f.to) p.set("to", f.to);
  if (f.owner) p.set("owner", f.owner);
  if (f.status) p.set("status", f.status);
  if (f.dept) p.set("dept", f.dept);
  if (f.overdue) p.set("overdue", "1");
  for (const [k, v] of Object.entries(extra)) p.set(k, v);
  const s = p.toString();
  return s ? `?${s}` : "";
}

function App() {
  const page = useStaffPage(SESSION_KEYS);
  const t = translator(HELPDESK, page.lang);
  return (
    <StaffShell page={page} title={t("title")} classes={{ page: "hd-page", bar: "hd-bar", signIn: "hd-card login" }}>
      {(login) => <Desk t={t} lang={page.lang} api={page.api} login={login} onError={page.session.showError} />}
    </StaffShell>
  );
}

function Desk(props: { t: T; lang: Lang; api: Api; login: LoginReply; onError: (e: unknown) => void }) {
  const { t, lang, api, login, onError } = props;
  const me = login.staff;
  const [cat, setCat] = useState<Catalogue | null>(null);
  const [helpers, setHelpers] = useState<{ id: string; name: string }[]>([]);
  const [reminders, setReminders] = useState<HelpReminder[]>([]);
  const [filters, setFilters] = useState<Filters>({ from: "", to: "", owner: "", status: "", dept: "", overdue: false });
  const [ledger, setLedger] = useState<HelpLedger>({ items: [], total: 0 });
  const [selected, setSelected] = useState<HelpCase | null>(null);
  const [connected, setConnected] = useState(false);
  const selectedRef = useRef<HelpCase | null>(null);
  selectedRef.current = selected;
  const timer = useRef<ReturnType<typeof setTimeout> | undefined>(undefined);

  const loadLedger = useCallback(() => {
    api.request<HelpLedger>("GET", `/api/helpdesk/cases${query(filters, { limit: "100" })}`).then(setLedger, onError);
  }, [filters]);
  const loadReminders = useCallback(() => {
    api.request<HelpReminder[]>("GET", "/api/helpdesk/reminders").then(setReminders, onError);
  }, []);
  const openCase = useCallback((id: string) => {
    api.request<HelpCase>("GET", `/api/helpdesk/cases/${enc(id)}`).then(setSelected, onError);
  }, []);
  const refresh = useCallback(() => {
    clearTimeout(timer.current);
    timer.current = setTimeout(() => {
      loadLedger();
      loadReminders();
      const s = selectedRef.current;
      if (s) openCase(s.id);
    }, 150);
  }, [loadLedger]);

  useEffect(() => {
    api.hall().then(setCat, onError);
    api.request<{ id: string; name: string }[]>("GET", "/api/helpdesk/helpers").then(setHelpers, onError);
    loadReminders();
  }, []);
  useEffect(() => loadLedger(), [loadLedger]);
  useEffect(() => {
    const s: HelpSocket = io("", {
      path: "/socket.io",
      auth: { token: sessionStorage.getItem(TOKEN_KEY) },
      reconnectionDelayMax: 2000,
    });
    s.on("connect", () => {
      setConnected(true);
      s.emit("helpdesk:subscribe", { view: "desk" }, (r) => {
        if (!r.ok) onError(new ApiError(r.error, 403, r.message));
      });
      refresh();
    });
    s.on("disconnect", () => setConnected(false));
    s.on("connect_error", () => setConnected(false));
    s.on("helpdesk:updated", () => refresh());
    s.on("helpdesk:reminder", (r) => {
      // The reminder itself, at once (the list is refetched too, but a session may have expired).
      setReminders((xs) => [r, ...xs.filter((x) => x.helpId !== r.helpId)]);
      refresh();
    });
    return () => {
      s.disconnect();
      clearTimeout(timer.current);
    };
  }, [refresh]);

  const deptName = (id?: string) => {
    const d = id ? cat?.departments.find((x) => x.id === id) : undefined;
    return d ? pickName(d, lang) : (id ?? "");
  };
  const download = async (ext: "xlsx" | "csv") => {
    try {
      await downloadFile(
        `/api/helpdesk/ledger.${ext}${query(filters, { lang })}`,
        sessionStorage.getItem(TOKEN_KEY),
        `ledger.${ext}`,
      );
    } catch (e) {
      onError(e);
    }
  };

  return (
    <main class="hd-main">
      <ReconnectBanner connected={connected} lang={lang} />
      <section class="hd-card reminders" aria-labelledby="rem-h" data-testid="reminders">
        <h2 id="rem-h">{t("reminders")}</h2>
        {reminders.length === 0 ? (
          <p class="muted">{t("noReminders")}</p>
        ) : (
          <ul>
            {reminders.map((r) => (
              <li key={r.helpId} class={r.level === 2 ? "escalated" : ""} data-testid="reminder" data-level={r.level}>
                <button type="button" class="link" onClick={() => openCase(r.helpId)}>
                  {t(r.level === 2 ? "reminderSupervisor" : "reminderOwner", {
                    id: r.helpId,
                    title: r.title,
                    days: r.idleWorkingDays,
                    owner: r.ownerName,
                  })}
                </button>
              </li>
            ))}
          </ul>
        )}
      </section>
      {(me.role === "supervisor" || me.role === "admin") && <Settings t={t} api={api} onError={onError} />}
      {selected ? (
        <CaseView
          t={t}
          lang={lang}
          api={api}
          me={me}
          c={selected}
          helpers={helpers}
          deptName={deptName}
          onChange={setSelected}
          onBack={() => setSelected(null)}
          onError={onError}
        />
      ) : (
        <NewCase t={t} lang={lang} api={api} cat={cat} onOpened={setSelected} onError={onError} />
      )}
      <section class="hd-card ledger" aria-labelledby="ledger-h">
        <h2 id="ledger-h">{t("ledger")}</h2>
        <form class="filters" onSubmit={(e) => e.preventDefault()}>
          <label>
            {t("from")}
            <input
              type="date"
              name="from"
              value={filters.from}
              onChange={(e) => setFilters({ ...filters, from: e.currentTarget.value })}
            />
          </label>
          <label>
            {t("to")}
            <input
              type="date"
              name="to"
              value={filters.to}
              onChange={(e) => setFilters({ ...filters, to: e.currentTarget.value })}
            />
          </label>
          <label>
            {t("owner")}
            <select name="owner" value={filters.owner} onChange={(e) => setFilters({ ...filters, owner: e.currentTarget.value })}>
              <option value="">{t("all")}</option>
              <option value={me.id}>{t("mine")}</option>
              {helpers
                .filter((h) => h.id !== me.id)
                .map((h) => (
                  <option key={h.id} value={h.id}>
                    {h.name}
                  </option>
                ))}
            </select>
          </label>
          <label>
            {t("status")}
            <select
              name="status"
              value={filters.status}
              onChange={(e) => setFilters({ ...filters, status: e.currentTarget.value as Filters["status"] })}
            >
              <option value="">{t("all")}</option>
              <option value="open">{t("openStatus")}</option>
              <option value="closed">{t("closedStatus")}</option>
            </select>
          </label>
          <label>
            {t("department")}
            <select name="dept" value={filters.dept} onChange={(e) => setFilters({ ...filters, dept: e.currentTarget.value })}>
              <option value="">{t("all")}</option>
              {cat?.departments.map((d) => (
                <option key={d.id} value={d.id}>
                  {pickName(d, lang)}
                </option>
              ))}
            </select>
          </label>
          <label class="check">
            <input
              type="checkbox"
              name="overdue"
              checked={filters.overdue}
              onChange={(e) => setFilters({ ...filters, overdue: e.currentTarget.checked })}
            />
            {t("overdue")}
          </label>
          <button type="button" data-testid="export-xlsx" onClick={() => void download("xlsx")}>
            {t("exportXlsx")}
          </button>
          <button type="button" data-testid="export-csv" onClick={() => void download("csv")}>
            {t("exportCsv")}
          </button>
        </form>
        <p data-testid="ledger-total">{t("total", { n: ledger.total })}</p>
        <table>
          <thead>
            <tr>
              <th scope="col">{t("id")}</th>
              <th scope="col">{t("subject")}</th>
              <th scope="col">{t("visitor")}</th>
              <th scope="col">{t("owner")}</th>
              <th scope="col">{t("department")}</th>
              <th scope="col">{t("status")}</th>
              <th scope="col">{t("opened")}</th>
              <th scope="col">{t("lastProgress")}</th>
            </tr>
          </thead>
          <tbody>
            {ledger.items.map((r) => (
              <tr key={r.id} data-testid="ledger-row" data-id={r.id} class={r.overdue ? "overdue" : ""}>
                <td>
                  <button type="button" class="link" onClick={() => openCase(r.id)}>
                    {r.id}
                  </button>
                </td>
                <td>{r.title}</td>
                <td>{r.visitorNameMasked}</td>
                <td>{r.ownerName}</td>
                <td>{deptName(r.departmentId)}</td>
                <td>
                  {t(r.status === "open" ? "openStatus" : "closedStatus")}
                  {r.overdue ? ` · ${t("stalled")}` : ""}
                </td>
                <td>{r.openedOn}</td>
                <td>{r.lastProgressOn}</td>
              </tr>
            ))}
          </tbody>
        </table>
      </section>
    </main>
  );
}

/** Supervisors set how long a help case may stall before its owner, then they, are reminded. */
function Settings({ t, api, onError }: { t: T; api: Api; onError: (e: unknown) => void }) {
  const [s, setS] = useState<HelpSettings | null>(null);
  const [saved, setSaved] = useState(false);
  useEffect(() => {
    api.request<HelpSettings>("GET", "/api/helpdesk/settings").then(setS, onError);
  }, []);
  if (!s) return null;
  return (
    <section class="hd-card" aria-labelledby="settings-h">
      <h2 id="settings-h">{t("settings")}</h2>
      <form
        class="filters"
        data-testid="settings"
        onSubmit={(e) => {
          e.preventDefault();
          api.request<HelpSettings>("PUT", "/api/helpdesk/settings", s).then((x) => {
            setS(x);
            setSaved(true);
          }, onError);
        }}
      >
        <label>
          {t("remindAfter")}
          <input
            type="number"
            name="remindAfterDays"
            min={1}
            max={60}
            value={s.remindAfterDays}
            onInput={(e) => {
              setSaved(false);
              setS({ ...s, remindAfterDays: Number(e.currentTarget.value) });
            }}
          />
        </label>
        <label>
          {t("escalateAfter")}
          <input
            type="number"
            name="escalateAfterDays"
            min={1}
            max={60}
            value={s.escalateAfterDays}
            onInput={(e) => {
              setSaved(false);
              setS({ ...s, escalateAfterDays: Number(e.currentTarget.value) });
            }}
          />
        </label>
        <button type="submit">{t("save")}</button>
        {saved && <span role="status">{t("saved")}</span>}
      </form>
    </section>
  );
}

function NewCase(props: {
  t: T;
  lang: Lang;
  api: Api;
  cat: Catalogue | null;
  onOpened: (c: HelpCase) => void;
  onError: (e: unknown) => void;
}) {
  const { t, lang, api, cat } = props;
  const [f, setF] = useState({
    kind: "individual",
    title: "",
    name: "",
    phone: "",
    idNumber: "",
    company: "",
    dept: "",
    next: "",
    nextDate: "",
    links: "",
  });
  const set = (k: keyof typeof f) => (e: Event) => setF({ ...f, [k]: (e.currentTarget as HTMLInputElement).value });
  const submit = async (e: Event) => {
    e.preventDefault();
    const links = f.links
      .split(/[,，\s]+/)
      .map((x) => x.trim())
      .filter(Boolean);
    const body: OpenHelpBody = {
      kind: f.kind as OpenHelpBody["kind"],
      title: f.title,
      ...(f.dept ? { departmentId: f.dept } : {}),
      visitor: {
        name: f.name,
        ...(f.phone ? { phone: f.phone } : {}),
        ...(f.idNumber ? { idNumber: f.idNumber } : {}),
        ...(f.company ? { company: f.company } : {}),
      },
      ...(f.next ? { nextStep: f.next } : {}),
      ...(f.nextDate ? { nextStepDate: f.nextDate } : {}),
      ...(links.length ? { links } : {}),
    };
    try {
      props.onOpened(await api.request<HelpCase>("POST", "/api/helpdesk/cases", body, idem()));
    } catch (err) {
      props.onError(err);
    }
  };
  return (
    <section class="hd-card" aria-labelledby="new-h">
      <h2 id="new-h">{t("newCase")}</h2>
      <form class="grid" onSubmit={submit} data-testid="new-case">
        <label>
          {t("kind")}
          <select name="kind" value={f.kind} onChange={set("kind")}>
            <option value="individual">{t("individual")}</option>
            <option value="project">{t("project")}</option>
          </select>
        </label>
        <label>
          {t("subject")}
          <input name="title" required maxLength={100} value={f.title} onInput={set("title")} />
        </label>
        <label>
          {t("visitorName")}
          <input name="visitorName" required maxLength={40} value={f.name} onInput={set("name")} autoComplete="off" />
        </label>
        <label>
          {t("phone")}
          <input name="phone" inputMode="tel" value={f.phone} onInput={set("phone")} autoComplete="off" />
        </label>
        <label>
          {t("idNumber")}
          <input name="idNumber" value={f.idNumber} onInput={set("idNumber")} autoComplete="off" />
        </label>
        <label>
          {t("company")}
          <input name="company" value={f.company} onInput={set("company")} />
        </label>
        <label>
          {t("department")}
          <select name="dept" value={f.dept} onChange={set("dept")}>
            <option value="">—</option>
            {cat?.departments.map((d) => (
              <option key={d.id} value={d.id}>
                {pickName(d, lang)}
              </option>
            ))}
          </select>
        </label>
        <label>
          {t("nextStep")}
          <input name="nextStep" value={f.next} onInput={set("next")} />
        </label>
        <label>
          {t("nextStepDate")}
          <input name="nextStepDate" type="date" value={f.nextDate} onChange={set("nextDate")} />
        </label>
        <label class="wide">
          {t("links")}
          <input name="links" value={f.links} onInput={set("links")} />
        </label>
        <button type="submit" class="primary" data-testid="open-case">
          {t("open")}
        </button>
      </form>
    </section>
  );
}

function CaseView(props: {
  t: T;
  lang: Lang;
  api: Api;
  me: LoginReply["staff"];
  c: HelpCase;
  helpers: { id: string; name: string }[];
  deptName: (id?: string) => string;
  onChange: (c: HelpCase) => void;
  onBack: () => void;
  onError: (e: unknown) => void;
}) {
  const { t, lang, api, me, c } = props;
  const [note, setNote] = useState({ text: "", next: "", date: "" });
  const [caseNo, setCaseNo] = useState("");
  const [to, setTo] = useState("");
  const [reason, setReason] = useState("");
  const [closeNote, setCloseNote] = useState("");
  const mayAct = c.status === "open" && (c.owner.staffId === me.id || me.role === "supervisor" || me.role === "admin");
  const post = async (path: string, body: Record<string, unknown>, after?: () => void) => {
    try {
      props.onChange(
        await api.request<HelpCase>(
          "POST",
          `/api/helpdesk/cases/${enc(c.id)}/${path}`,
          { expectedVersion: c.version, ...body },
          idem(),
        ),
      );
      after?.();
    } catch (e) {
      props.onError(e);
    }
  };
  const words = (s?: string) => (s ? (CASE_STATUS_WORDS[s]?.[lang] ?? s) : t("pending"));
  return (
    <section class="hd-card case" aria-labelledby="case-h" data-testid="help-case" data-id={c.id} data-version={c.version}>
      <h2 id="case-h">
        {c.id} · {c.title}
      </h2>
      <button type="button" onClick={props.onBack}>
        {t("back")}
      </button>
      <dl>
        <dt>{t("status")}</dt>
        <dd data-testid="case-status">{t(c.status === "open" ? "openStatus" : "closedStatus")}</dd>
        <dt>{t("owner")}</dt>
        <dd data-testid="case-owner">{c.owner.name}</dd>
        <dt>{t("visitor")}</dt>
        <dd>
          {c.visitor.name}
          {c.visitor.phone ? ` · ${c.visitor.phone}` : ""}
          {c.visitor.idMasked ? ` · ${c.visitor.idMasked}` : ""}
          {c.visitor.company ? ` · ${c.visitor.company}` : ""}
        </dd>
        {c.departmentId && (
          <>
            <dt>{t("department")}</dt>
            <dd>{props.deptName(c.departmentId)}</dd>
          </>
        )}
        <dt>{t("nextStep")}</dt>
        <dd data-testid="case-next">
          {c.nextStep ?? "—"}
          {c.nextStepDate ? ` (${c.nextStepDate})` : ""}
        </dd>
        {c.closeNote && (
          <>
            <dt>{t("closeNote")}</dt>
            <dd data-testid="case-close-note">{c.closeNote}</dd>
          </>
        )}
        {c.status === "open" && c.idleWorkingDays > 0 && (
          <>
            <dt>{t("lastProgress")}</dt>
            <dd>{t("idle", { n: c.idleWorkingDays })}</dd>
          </>
        )}
      </dl>
      {c.links.length > 0 && (
        <div class="chain" data-testid="chain">
          <p>{t("chain", { done: c.chain.done, total: c.chain.total })}</p>
          <ol>
            {c.links.map((l) => (
              <li key={l.caseNo} data-testid="chain-link" data-status={l.status ?? ""}>
                {l.caseNo} {l.matterName ?? ""} — {words(l.status)}
              </li>
            ))}
          </ol>
        </div>
      )}
      {c.visitorCases && c.visitorCases.length > 0 && (
        <div data-testid="visitor-cases">
          <h3>{t("visitorCases")}</h3>
          <ul>
            {c.visitorCases.map((l) => (
              <li key={l.caseNo}>
                {l.caseNo} {l.matterName ?? ""} — {words(l.status)}{" "}
                {mayAct && (
                  <button type="button" data-testid="link-visitor-case" onClick={() => void post("links", { caseNo: l.caseNo })}>
                    {t("link")}
                  </button>
                )}
              </li>
            ))}
          </ul>
        </div>
      )}
      <h3>{t("notes")}</h3>
      <ul data-testid="notes">
        {c.notes.map((n) => (
          <li key={n.at}>
            {new Date(n.at).toLocaleString(lang === "zh" ? "zh-CN" : "en-GB", { timeZone: "Asia/Shanghai" })} {n.by.name}：
            {n.text}
            {n.nextStep ? ` → ${n.nextStep}` : ""}
          </li>
        ))}
      </ul>
      {c.transfers.length > 0 && (
        <>
          <h3>{t("transfers")}</h3>
          <ul data-testid="transfers">
            {c.transfers.map((x) => (
              <li key={x.at}>{t("transferLine", { from: x.from.name, to: x.to.name, reason: x.reason })}</li>
            ))}
          </ul>
        </>
      )}
      {c.status === "open" && !mayAct && (
        <p class="notice" data-testid="not-owner">
          {t("notOwner", { owner: c.owner.name })}
        </p>
      )}
      {mayAct && (
        <div class="actions">
          <form
            onSubmit={(e) => {
              e.preventDefault();
              void post(
                "notes",
                {
                  text: note.text,
                  ...(note.next ? { nextStep: note.next } : {}),
                  ...(note.date ? { nextStepDate: note.date } : {}),
                },
                () => setNote({ text: "", next: "", date: "" }),
              );
            }}
          >
            <h3>{t("addNote")}</h3>
            <label>
              {t("note")}
              <input name="note" required value={note.text} onInput={(e) => setNote({ ...note, text: e.currentTarget.value })} />
            </label>
            <label>
              {t("nextStep")}
              <input name="noteNext" value={note.next} onInput={(e) => setNote({ ...note, next: e.currentTarget.value })} />
            </label>
            <label>
              {t("nextStepDate")}
              <input
                name="noteDate"
                type="date"
                value={note.date}
                onChange={(e) => setNote({ ...note, date: e.currentTarget.value })}
              />
            </label>
            <button type="submit" data-testid="add-note">
              {t("addNote")}
            </button>
          </form>
          <form
            onSubmit={(e) => {
              e.preventDefault();
              void post("links", { caseNo: caseNo.trim() }, () => setCaseNo(""));
            }}
          >
            <h3>{t("linkCase")}</h3>
            <label>
              {t("caseNo")}
              <input name="caseNo" required value={caseNo} onInput={(e) => setCaseNo(e.currentTarget.value)} />
            </label>
            <button type="submit" data-testid="link-case">
              {t("linkCase")}
            </button>
          </form>
          <form
            onSubmit={(e) => {
              e.preventDefault();
              void post("transfer", { toStaffId: to, reason }, () => setReason(""));
            }}
          >
            <h3>{t("transfer")}</h3>
            <label>
              {t("transferTo")}
              <select name="transferTo" required value={to} onChange={(e) => setTo(e.currentTarget.value)}>
                <option value="">—</option>
                {props.helpers
                  .filter((h) => h.id !== c.owner.staffId)
                  .map((h) => (
                    <option key={h.id} value={h.id}>
                      {h.name}
                    </option>
                  ))}
              </select>
            </label>
            <label>
              {t("reason")}
              <input name="reason" required value={reason} onInput={(e) => setReason(e.currentTarget.value)} />
            </label>
            <button type="submit" data-testid="transfer">
              {t("transfer")}
            </button>
          </form>
          <form
            onSubmit={(e) => {
              e.preventDefault();
              void post("close", { note: closeNote }, () => setCloseNote(""));
            }}
          >
            <h3>{t("close")}</h3>
            <label>
              {t("closeNote")}
              <input name="closeNote" required value={closeNote} onInput={(e) => setCloseNote(e.currentTarget.value)} />
            </label>
            <button type="submit" class="danger" data-testid="close-case">
              {t("close")}
            </button>
          </form>
        </div>
      )}
    </section>
  );
}

render(<App />, document.getElementById("app") as HTMLElement);
