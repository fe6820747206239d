/**
 * The admin console (/admin, issue 13): staff accounts (roles, counter assignment, password
 * reset shown once, disable), the device board with live health and device editing, pairing
 * approvals, and the audit log with its search and exports. Admins see every section;
 * supervisors see the device board read-only (the hub's access rules, docs/security.md,
 * refuse them the rest anyway). Chinese first, English with the EN button.
 */
import { render } from "preact";
import { useCallback, useEffect, useState } from "preact/hooks";
import type { AuditAction, AuditChange, AuditEntry, AuditPage, AuditVerify } from "../server/src/contract/audit.ts";
import type { Catalogue, Role, StaffPublic } from "../server/src/contract/catalogue.ts";
import type { LoginReply, PrintResult } from "../server/src/contract/index.ts";
import type { DeviceConfig, DeviceKind, DeviceStatus, TransportConfig } from "../server/src/contract/devices.ts";
import type { Api } from "../ui-shared/api.ts";
import { downloadFile } from "../ui-shared/download.ts";
import { DEFAULT_TIME_ZONE, formatClockSeconds, localDay } from "../ui-shared/format.ts";
import { type Lang, pickName, translator } from "../ui-shared/i18n.ts";
import { useHallSocket } from "../ui-shared/socket.ts";
import { StaffShell, useStaffPage } from "../ui-shared/staff-shell.tsx";
import "../ui-shared/shared.css";
import { DEVICE_KIND_MSG, HEALTH_MSG } from "../display-ui/strings.ts";
import { ACTION_WORDS, ADMIN } from "./messages.ts";
import { CatalogueSection } from "./catalogue.tsx";
import { CATALOGUE_MSG } from "./catalogue-messages.ts";
import "./admin.css";
import { FloorSection } from "./floor.tsx";
import { FLOOR } from "./floor-messages.ts";

const TOKEN_KEY = "onevisit.admin.token";
const SESSION_KEYS = { token: TOKEN_KEY, login: "onevisit.admin.login" };
type T = ReturnType<typeof translator<typeof ADMIN>>;
type Tab = "staff" | "counters" | "catalogue" | "devices" | "pairing" | "audit" | "floor";
type StaffRow = StaffPublic & { counterId?: string };
type DeviceRow = DeviceConfig & { status: DeviceStatus };
interface Pairings {
  pending: { code: string; role: string; id?: string; address: string; createdAt: number; expiresAt: number }[];
  paired: { pid: string; role: string; id: string; pairedAt: number; approvedBy: string }[];
}
const ROLES: Role[] = ["clerk", "approver", "supervisor", "admin"];
const DEVICE_ROLES = ["kiosk", "screen", "terminal"] as const;
/** Every action, from the page's own word table (the contract is imported as types only). */
const AUDIT_ACTIONS = Object.keys(ACTION_WORDS) as AuditAction[];
const KINDS: DeviceKind[] = ["printer", "led", "keypad", "rating", "idreader", "scanner", "label", "a4"];

function when(ms: number, tz: string): string {
  return `${localDay(ms, tz)} ${formatClockSeconds(ms, tz)}`;
}

function App() {
  const page = useStaffPage(SESSION_KEYS);
  const t = translator(ADMIN, page.lang);
  return (
    <StaffShell
      page={page}
      title={t("title")}
      classes={{ page: "ad-page", bar: "ad-bar", signIn: "ad-card ad-login" }}
      who={(login) => `${login.staff.name} · ${t(`role_${login.staff.role}`)}`}
      autoFocus
    >
      {(login) => <Console t={t} lang={page.lang} api={page.api} login={login} onError={page.session.showError} />}
    </StaffShell>
  );
}

function Console(props: { t: T; lang: Lang; api: Api; login: LoginReply; onError: (e: unknown) => void }) {
  const { t, login } = props;
  const role = login.staff.role;
  const tabs: Tab[] =
    role === "admin"
      ? ["staff", "counters", "catalogue", "devices", "pairing", "audit", "floor"]
      : role === "supervisor"
        ? ["counters", "devices", "floor"]
        : [];
  const [tab, setTab] = useState<Tab>(tabs[0] ?? "devices");
  const [cat, setCat] = useState<Catalogue | null>(null);
  const loadCat = useCallback(() => {
    props.api.hall().then(setCat, props.onError);
  }, [props.api]);
  useEffect(loadCat, [loadCat]);
  if (!tabs.length)
    return (
      <main class="ad-main">
        <p class="ad-card">{t("noAccess")}</p>
      </main>
    );
  const label: Record<Tab, string> = {
    staff: t("tabStaff"),
    counters: t("tabCounters"),
    catalogue: CATALOGUE_MSG.tabCatalogue[props.lang],
    devices: t("tabDevices"),
    pairing: t("tabPairing"),
    audit: t("tabAudit"),
    floor: FLOOR.tab[props.lang],
  };
  const tz = cat?.hall.timeZone ?? DEFAULT_TIME_ZONE;
  return (
    <main class="ad-main">
      <nav aria-label={t("sections")} class="ad-tabs">
        {tabs.map((x) => (
          <button
            key={x}
            type="button"
            aria-current={tab === x ? "page" : undefined}
            class={tab === x ? "on" : ""}
            onClick={() => setTab(x)}
            data-testid={`tab-${x}`}
          >
            {label[x]}
          </button>
        ))}
        <a href="/admin/reports" data-testid="link-reports">
          {t("reports")}
        </a>
      </nav>
      {role === "supervisor" && <p class="ad-note">{t("supervisorNote")}</p>}
      {tab === "staff" && <StaffSection {...props} cat={cat} />}
      {tab === "counters" && <CounterSection {...props} cat={cat} onSaved={loadCat} />}
      {tab === "catalogue" && (
        <CatalogueSection
          lang={props.lang}
          api={props.api}
          token={() => sessionStorage.getItem(TOKEN_KEY)}
          onError={props.onError}
          onSaved={loadCat}
        />
      )}
      {tab === "devices" && <DeviceSection {...props} cat={cat} tz={tz} canEdit={role === "admin"} />}
      {tab === "pairing" && <PairingSection {...props} tz={tz} />}
      {tab === "audit" && <AuditSection {...props} tz={tz} />}
      {tab === "floor" && <FloorSection {...props} token={sessionStorage.getItem(TOKEN_KEY)} onCatalogue={loadCat} />}
    </main>
  );
}

// ---- staff ----

function StaffSection(props: { t: T; lang: Lang; api: Api; cat: Catalogue | null; onError: (e: unknown) => void }) {
  const { t, api, cat, lang } = props;
  const [rows, setRows] = useState<StaffRow[]>([]);
  const [shown, setShown] = useState<{ name: string; password: string } | null>(null);
  const refresh = useCallback(() => {
    api.request<StaffRow[]>("GET", "/api/staff").then(setRows, props.onError);
  }, [api]);
  useEffect(refresh, [refresh]);
  const act = async (f: () => Promise<unknown>) => {
    try {
      await f();
      refresh();
    } catch (e) {
      props.onError(e);
    }
  };
  const counters = cat?.counters ?? [];
  const departments = cat?.departments ?? [];
  return (
    <section class="ad-card" aria-labelledby="staff-h">
      <h2 id="staff-h">{t("tabStaff")}</h2>
      {shown && (
        <div class="ad-secret" role="status" data-testid="new-password">
          <span>{t("newPassword", { name: shown.name })}</span>
          <code data-testid="password-value">{shown.password}</code>
          <button type="button" onClick={() => setShown(null)}>
            {t("close")}
          </button>
        </div>
      )}
      <table class="ad-table" data-testid="staff-table">
        <thead>
          <tr>
            <th scope="col">{t("username")}</th>
            <th scope="col">{t("name")}</th>
            <th scope="col">{t("role")}</th>
            <th scope="col">{t("counter")}</th>
            <th scope="col">{t("status")}</th>
            <th scope="col">{t("actions")}</th>
          </tr>
        </thead>
        <tbody>
          {rows.map((s) => (
            <tr key={s.id} data-testid={`staff-${s.username}`} class={s.disabled ? "off" : ""}>
              <td>{s.username}</td>
              <td>{s.name}</td>
              <td>
                <select
                  aria-label={`${t("role")} ${s.username}`}
                  value={s.role}
                  onChange={(e) => {
                    const role = (e.target as HTMLSelectElement).value as Role;
                    void act(() => api.request("PATCH", `/api/staff/${s.id}`, { role }));
                  }}
                >
                  {ROLES.map((r) => (
                    <option key={r} value={r}>
                      {t(`role_${r}`)}
                    </option>
                  ))}
                </select>
              </td>
              <td>
                <select
                  aria-label={`${t("counter")} ${s.username}`}
                  value={s.counterId ?? ""}
                  onChange={(e) => {
                    const v = (e.target as HTMLSelectElement).value;
                    void act(() => api.request("PATCH", `/api/staff/${s.id}`, { counterId: v || null }));
                  }}
                >
                  <option value="">{t("none")}</option>
                  {counters.map((c) => (
                    <option key={c.id} value={c.id}>
                      {c.number} {pickName(c, lang)}
                    </option>
                  ))}
                </select>
              </td>
              <td>{s.disabled ? t("disabled") : t("enabled")}</td>
              <td class="ad-actions">
                <button
                  type="button"
                  data-testid={`reset-${s.username}`}
                  onClick={() =>
                    void act(async () => {
                      const r = await api.request<{ staff: StaffPublic; password: string }>(
                        "POST",
                        `/api/staff/${s.id}/password`,
                        {},
                      );
                      setShown({ name: r.staff.name, password: r.password });
                    })
                  }
                >
                  {t("resetPassword")}
                </button>
                <button
                  type="button"
                  data-testid={`toggle-${s.username}`}
                  onClick={() => void act(() => api.request("PATCH", `/api/staff/${s.id}`, { disabled: !s.disabled }))}
                >
                  {s.disabled ? t("enable") : t("disable")}
                </button>
              </td>
            </tr>
          ))}
        </tbody>
      </table>
      <NewStaff
        t={t}
        lang={lang}
        counters={counters}
        departments={departments}
        onCreate={(body) =>
          act(async () => {
            const r = await api.request<{ staff: StaffPublic; password: string }>("POST", "/api/staff", body);
            setShown({ name: r.staff.name, password: r.password });
          })
        }
      />
    </section>
  );
}

function NewStaff(props: {
  t: T;
  lang: Lang;
  counters: Catalogue["counters"];
  departments: Catalogue["departments"];
  onCreate: (b: Record<string, string>) => Promise<void>;
}) {
  const { t } = props;
  const [f, setF] = useState({ username: "", name: "", role: "clerk", counterId: "", departmentId: "" });
  const set = (k: keyof typeof f) => (e: Event) => setF({ ...f, [k]: (e.target as HTMLInputElement).value });
  return (
    <form
      class="ad-form"
      aria-labelledby="new-staff-h"
      onSubmit={(e) => {
        e.preventDefault();
        const body: Record<string, string> = { username: f.username.trim(), name: f.name.trim(), role: f.role };
        if (f.counterId) body.counterId = f.counterId;
        if (f.departmentId) body.departmentId = f.departmentId;
        void props.onCreate(body);
      }}
    >
      <h3 id="new-staff-h">{t("addStaff")}</h3>
      <label>
        {t("username")}
        <input name="new-username" value={f.username} onInput={set("username")} required />
      </label>
      <label>
        {t("name")}
        <input name="new-name" value={f.name} onInput={set("name")} required />
      </label>
      <label>
        {t("role")}
        <select name="new-role" value={f.role} onChange={set("role")}>
          {ROLES.map((r) => (
            <option key={r} value={r}>
              {t(`role_${r}`)}
            </option>
          ))}
        </select>
      </label>
      <label>
        {t("counter")}
        <select name="new-counter" value={f.counterId} onChange={set("counterId")}>
          <option value="">{t("none")}</option>
          {props.counters.map((c) => (
            <option key={c.id} value={c.id}>
              {c.number} {pickName(c, props.lang)}
            </option>
          ))}
        </select>
      </label>
      <label>
        {t("department")}
        <select name="new-department" value={f.departmentId} onChange={set("departmentId")}>
          <option value="">{t("none")}</option>
          {props.departments.map((d) => (
            <option key={d.id} value={d.id}>
              {pickName(d, props.lang)}
            </option>
          ))}
        </select>
      </label>
      <button type="submit" class="primary" data-testid="add-staff">
        {t("add")}
      </button>
    </form>
  );
}

// ---- counters (work profiles) ----

const CLASSES = ["green", "appointment", "normal"] as const;

function CounterSection(props: {
  t: T;
  lang: Lang;
  api: Api;
  cat: Catalogue | null;
  onSaved: () => void;
  onError: (e: unknown) => void;
}) {
  const { t, lang, cat } = props;
  const [editing, setEditing] = useState<string | null>(null);
  const [saved, setSaved] = useState<string | null>(null);
  if (!cat) return null;
  const queueName = (id: string) => {
    const q = cat.queues.find((x) => x.id === id);
    return q ? `${q.prefix} ${pickName(q, lang)}` : id;
  };
  const current = editing ? cat.counters.find((c) => c.id === editing) : undefined;
  return (
    <section class="ad-card" aria-labelledby="counters-h">
      <h2 id="counters-h">{t("tabCounters")}</h2>
      {saved && (
        <p role="status" class="ad-ok" data-testid="profile-saved">
          {saved}
        </p>
      )}
      {current && (
        <ProfileForm
          key={current.id}
          t={t}
          lang={lang}
          cat={cat}
          counter={current}
          onCancel={() => setEditing(null)}
          onSave={async (profile) => {
            try {
              await props.api.request("PUT", `/api/counters/${encodeURIComponent(current.id)}/profile`, profile);
              setSaved(t("profileSaved", { n: current.number, q: profile.queueIds.map(queueName).join("、") }));
              setEditing(null);
              props.onSaved();
            } catch (e) {
              props.onError(e);
            }
          }}
        />
      )}
      <table class="ad-table" data-testid="counter-table">
        <thead>
          <tr>
            <th scope="col">{t("counter")}</th>
            <th scope="col">{t("name")}</th>
            <th scope="col">{t("queues")}</th>
            <th scope="col">{t("weights")}</th>
            <th scope="col">{t("actions")}</th>
          </tr>
        </thead>
        <tbody>
          {cat.counters.map((c) => (
            <tr key={c.id} data-testid={`counter-${c.id}`}>
              <td>{c.number}</td>
              <td>{pickName(c, lang)}</td>
              <td data-testid={`queues-${c.id}`}>{c.profile.queueIds.map(queueName).join("、")}</td>
              <td>{CLASSES.map((k) => c.profile.weights[k]).join(" : ")}</td>
              <td>
                <button type="button" onClick={() => setEditing(c.id)} data-testid={`edit-profile-${c.id}`}>
                  {t("edit")}
                </button>
              </td>
            </tr>
          ))}
        </tbody>
      </table>
    </section>
  );
}

function ProfileForm(props: {
  t: T;
  lang: Lang;
  cat: Catalogue;
  counter: Catalogue["counters"][number];
  onCancel: () => void;
  onSave: (p: Catalogue["counters"][number]["profile"]) => Promise<void>;
}) {
  const { t, counter } = props;
  const [queues, setQueues] = useState<string[]>(counter.profile.queueIds);
  const [weights, setWeights] = useState(counter.profile.weights);
  return (
    <form
      class="ad-form"
      aria-labelledby="profile-h"
      data-testid="profile-form"
      onSubmit={(e) => {
        e.preventDefault();
        void props.onSave({ queueIds: queues, weights });
      }}
    >
      <h3 id="profile-h">{t("editProfile", { n: counter.number })}</h3>
      <fieldset class="ad-queues">
        <legend>{t("queues")}</legend>
        {props.cat.queues.map((q) => (
          <label key={q.id} class="ad-check">
            <input
              type="checkbox"
              name={`queue-${q.id}`}
              checked={queues.includes(q.id)}
              onChange={(e) => {
                const on = (e.target as HTMLInputElement).checked;
                setQueues((qs) => (on ? [...qs, q.id] : qs.filter((x) => x !== q.id)));
              }}
            />
            {q.prefix} {pickName(q, props.lang)}
          </label>
        ))}
      </fieldset>
      {CLASSES.map((k) => (
        <label key={k}>
          {t(`w_${k}`)}
          <input
            type="number"
            min={0}
            max={100}
            name={`weight-${k}`}
            value={weights[k]}
            onInput={(e) => setWeights({ ...weights, [k]: Number((e.target as HTMLInputElement).value) })}
          />
        </label>
      ))}
      <button type="submit" class="primary" data-testid="save-profile">
        {t("save")}
      </button>
      <button type="button" onClick={props.onCancel}>
        {t("cancel")}
      </button>
    </form>
  );
}

// ---- devices ----

function transportText(x: TransportConfig): string {
  switch (x.type) {
    case "serial":
      return `${x.path} @${x.baudRate}`;
    case "tcp":
      return `${x.host}:${x.port}`;
    case "usblp":
      return x.path;
    case "sim":
      return "sim";
  }
}

function assignmentText(d: DeviceConfig): string {
  const a = d.assignment;
  switch (a.kind) {
    case "kiosk":
      return a.kioskId;
    case "counter":
      return a.counterId;
    case "screen":
      return a.screenId;
    case "terminal":
      return a.terminalId;
  }
}

function DeviceSection(props: {
  t: T;
  lang: Lang;
  api: Api;
  cat: Catalogue | null;
  tz: string;
  canEdit: boolean;
  onError: (e: unknown) => void;
}) {
  const { t, api, lang, tz } = props;
  const [rows, setRows] = useState<DeviceRow[]>([]);
  const [editing, setEditing] = useState<DeviceConfig | null>(null);
  const [printed, setPrinted] = useState<string | null>(null);
  const kindWord = translator(DEVICE_KIND_MSG, lang);
  const healthWord = translator(HEALTH_MSG, lang);
  const testPrint = async (id: string) => {
    try {
      const r = await api.request<PrintResult>("POST", `/api/devices/${encodeURIComponent(id)}/test-print`, {});
      setPrinted(
        r.status === "printed"
          ? t("printed", { id })
          : r.status === "failed"
            ? t("printFailed", { id, e: r.error })
            : t("noPrinter", { id }),
      );
    } catch (e) {
      props.onError(e);
    }
  };
  const refresh = useCallback(() => {
    api.request<DeviceRow[]>("GET", "/api/devices").then(setRows, props.onError);
  }, [api]);
  useEffect(refresh, [refresh]);
  // Live health: the hall room carries every device's status change.
  useHallSocket([{ view: "hall" }], {
    token: sessionStorage.getItem(TOKEN_KEY),
    handlers: {
      "device:status": (s: DeviceStatus) => setRows((rs) => rs.map((r) => (r.id === s.id ? { ...r, status: s } : r))),
    },
  });
  return (
    <section class="ad-card" aria-labelledby="dev-h">
      <h2 id="dev-h">{t("tabDevices")}</h2>
      {printed && (
        <p role="status" class="ad-ok" data-testid="test-print-result">
          {printed}
        </p>
      )}
      <table class="ad-table" data-testid="device-table">
        <thead>
          <tr>
            <th scope="col">{t("deviceId")}</th>
            <th scope="col">{t("name")}</th>
            <th scope="col">{t("kind")}</th>
            <th scope="col">{t("transport")}</th>
            <th scope="col">{t("assignment")}</th>
            <th scope="col">{t("health")}</th>
            {props.canEdit && <th scope="col">{t("actions")}</th>}
          </tr>
        </thead>
        <tbody>
          {rows.map((d) => (
            <tr key={d.id} data-testid={`device-${d.id}`}>
              <td>{d.id}</td>
              <td>{d.name}</td>
              <td>{kindWord(d.kind)}</td>
              <td>{transportText(d.transport)}</td>
              <td>{assignmentText(d)}</td>
              <td class={`h-${d.status.health}`} data-testid={`health-${d.id}`}>
                {healthWord(d.status.health)}
                {d.status.health !== "online" && (
                  <span class="ad-since">
                    {" "}
                    {t(d.status.health === "offline" ? "lastSeen" : "since", { t: when(d.status.since, tz) })}
                    {d.status.detail ? ` (${d.status.detail})` : ""}
                  </span>
                )}
              </td>
              {props.canEdit && (
                <td class="ad-actions">
                  <button type="button" onClick={() => setEditing(d)}>
                    {t("edit")}
                  </button>
                  {d.kind === "printer" && (
                    <button type="button" onClick={() => void testPrint(d.id)} data-testid={`test-print-${d.id}`}>
                      {t("testPrint")}
                    </button>
                  )}
                </td>
              )}
            </tr>
          ))}
        </tbody>
      </table>
      {props.canEdit && (
        <DeviceForm
          key={editing?.id ?? "new"}
          t={t}
          lang={lang}
          initial={editing}
          onSave={async (cfg) => {
            try {
              await api.request("PUT", `/api/devices/${encodeURIComponent(cfg.id)}`, cfg);
              setEditing(null);
              refresh();
            } catch (e) {
              props.onError(e);
            }
          }}
        />
      )}
    </section>
  );
}

function DeviceForm(props: { t: T; lang: Lang; initial: DeviceConfig | null; onSave: (c: DeviceConfig) => Promise<void> }) {
  const { t } = props;
  const kindWord = translator(DEVICE_KIND_MSG, props.lang);
  const i = props.initial;
  const [f, setF] = useState({
    id: i?.id ?? "",
    name: i?.name ?? "",
    kind: i?.kind ?? "printer",
    type: i?.transport.type ?? "serial",
    path: i && (i.transport.type === "serial" || i.transport.type === "usblp") ? i.transport.path : "",
    baudRate: i?.transport.type === "serial" ? String(i.transport.baudRate) : "9600",
    host: i?.transport.type === "tcp" ? i.transport.host : "",
    port: i?.transport.type === "tcp" ? String(i.transport.port) : "9100",
    assignKind: i?.assignment.kind ?? "counter",
    assignId: i ? assignmentText(i) : "",
  });
  const set = (k: keyof typeof f) => (e: Event) => setF({ ...f, [k]: (e.target as HTMLInputElement).value });
  const transport = (): TransportConfig => {
    switch (f.type) {
      case "serial":
        return { type: "serial", path: f.path, baudRate: Number(f.baudRate) };
      case "tcp":
        return { type: "tcp", host: f.host, port: Number(f.port) };
      case "usblp":
        return { type: "usblp", path: f.path };
      default:
        return { type: "sim" };
    }
  };
  const assignment = (): DeviceConfig["assignment"] => {
    switch (f.assignKind) {
      case "kiosk":
        return { kind: "kiosk", kioskId: f.assignId };
      case "screen":
        return { kind: "screen", screenId: f.assignId };
      case "terminal":
        return { kind: "terminal", terminalId: f.assignId };
      default:
        return { kind: "counter", counterId: f.assignId };
    }
  };
  return (
    <form
      class="ad-form"
      aria-labelledby="dev-form-h"
      onSubmit={(e) => {
        e.preventDefault();
        void props.onSave({
          ...(i ?? {}),
          id: f.id.trim(),
          name: f.name.trim(),
          kind: f.kind as DeviceKind,
          transport: transport(),
          assignment: assignment(),
        });
      }}
    >
      <h3 id="dev-form-h">{t("addDevice")}</h3>
      <label>
        {t("deviceId")}
        <input name="dev-id" value={f.id} onInput={set("id")} required readOnly={!!i} />
      </label>
      <label>
        {t("name")}
        <input name="dev-name" value={f.name} onInput={set("name")} required />
      </label>
      <label>
        {t("kind")}
        <select name="dev-kind" value={f.kind} onChange={set("kind")}>
          {KINDS.map((k) => (
            <option key={k} value={k}>
              {kindWord(k)}
            </option>
          ))}
        </select>
      </label>
      <label>
        {t("transport")}
        <select name="dev-transport" value={f.type} onChange={set("type")}>
          {(["serial", "tcp", "usblp", "sim"] as const).map((x) => (
            <option key={x} value={x}>
              {t(`t_${x}`)}
            </option>
          ))}
        </select>
      </label>
      {(f.type === "serial" || f.type === "usblp") && (
        <label>
          {t("path")}
          <input name="dev-path" value={f.path} onInput={set("path")} required placeholder="/dev/ttyUSB0" />
        </label>
      )}
      {f.type === "serial" && (
        <label>
          {t("baudRate")}
          <input name="dev-baud" type="number" value={f.baudRate} onInput={set("baudRate")} required />
        </label>
      )}
      {f.type === "tcp" && (
        <>
          <label>
            {t("host")}
            <input name="dev-host" value={f.host} onInput={set("host")} required />
          </label>
          <label>
            {t("port")}
            <input name="dev-port" type="number" value={f.port} onInput={set("port")} required />
          </label>
        </>
      )}
      <label>
        {t("assignKind")}
        <select name="dev-assign-kind" value={f.assignKind} onChange={set("assignKind")}>
          {(["counter", "kiosk", "screen", "terminal"] as const).map((x) => (
            <option key={x} value={x}>
              {t(`a_${x}`)}
            </option>
          ))}
        </select>
      </label>
      <label>
        {t("assignId")}
        <input name="dev-assign-id" value={f.assignId} onInput={set("assignId")} required />
      </label>
      <button type="submit" class="primary" data-testid="save-device">
        {t("save")}
      </button>
    </form>
  );
}

// ---- pairing ----

function PairingSection(props: { t: T; lang: Lang; api: Api; tz: string; onError: (e: unknown) => void }) {
  const { t, api, tz } = props;
  const [data, setData] = useState<Pairings>({ pending: [], paired: [] });
  const [done, setDone] = useState<string | null>(null);
  const refresh = useCallback(() => {
    api.request<Pairings>("GET", "/api/pairings").then(setData, props.onError);
  }, [api]);
  // New codes appear when a page asks for one; no event tells the console, so it looks every 3 s.
  useEffect(() => {
    refresh();
    const h = setInterval(refresh, 3000);
    return () => clearInterval(h);
  }, [refresh]);
  const deviceRole = (r: string) => t(`d_${r as (typeof DEVICE_ROLES)[number]}`);
  return (
    <section class="ad-card" aria-labelledby="pair-h">
      <h2 id="pair-h">{t("pending")}</h2>
      {done && (
        <p role="status" class="ad-ok" data-testid="approved">
          {done}
        </p>
      )}
      {data.pending.length === 0 ? (
        <p>{t("noPending")}</p>
      ) : (
        <ul class="ad-pending">
          {data.pending.map((p) => (
            <PendingCode
              key={p.code}
              t={t}
              p={p}
              tz={tz}
              onApprove={async (role, id) => {
                try {
                  await api.request("POST", `/api/pairings/${p.code}/approve`, { role, id });
                  setDone(t("approved", { role: deviceRole(role), id }));
                  refresh();
                } catch (e) {
                  props.onError(e);
                }
              }}
            />
          ))}
        </ul>
      )}
      <h2>{t("paired")}</h2>
      <table class="ad-table" data-testid="paired-table">
        <thead>
          <tr>
            <th scope="col">{t("role")}</th>
            <th scope="col">{t("deviceId")}</th>
            <th scope="col">{t("pairedAt")}</th>
            <th scope="col">{t("actions")}</th>
          </tr>
        </thead>
        <tbody>
          {data.paired.map((p) => (
            <tr key={p.pid} data-testid={`paired-${p.role}-${p.id}`}>
              <td>{deviceRole(p.role)}</td>
              <td>{p.id}</td>
              <td>{when(p.pairedAt, tz)}</td>
              <td>
                <button
                  type="button"
                  onClick={() => api.request("DELETE", `/api/pairings/${encodeURIComponent(p.pid)}`).then(refresh, props.onError)}
                >
                  {t("revoke")}
                </button>
              </td>
            </tr>
          ))}
        </tbody>
      </table>
    </section>
  );
}

function PendingCode(props: {
  t: T;
  p: Pairings["pending"][number];
  tz: string;
  onApprove: (role: string, id: string) => Promise<void>;
}) {
  const { t, p } = props;
  const [role, setRole] = useState(p.role);
  const [id, setId] = useState(p.id ?? "");
  return (
    <li data-testid={`pending-${p.code}`}>
      <form
        class="ad-inline"
        onSubmit={(e) => {
          e.preventDefault();
          void props.onApprove(role, id.trim());
        }}
      >
        <strong class="ad-code">{p.code}</strong>
        <span>
          {t("from")} {p.address} · {t("expires")} {formatClockSeconds(p.expiresAt, props.tz)}
        </span>
        <label>
          {t("role")}
          <select value={role} onChange={(e) => setRole((e.target as HTMLSelectElement).value)}>
            {DEVICE_ROLES.map((r) => (
              <option key={r} value={r}>
                {t(`d_${r}`)}
              </option>
            ))}
          </select>
        </label>
        <label>
          {t("deviceId")}
          <input name={`pair-id-${p.code}`} value={id} onInput={(e) => setId((e.target as HTMLInputElement).value)} required />
        </label>
        <button type="submit" class="primary" data-testid={`approve-${p.code}`}>
          {t("approve")}
        </button>
      </form>
    </li>
  );
}

// ---- audit log ----

interface AuditFilters {
  actor: string;
  action: string;
  from: string;
  to: string;
  q: string;
}

/** A datetime-local value read in the hall's zone (China keeps +08:00 all year). */
function instant(v: string, tz: string): string {
  if (tz === "Asia/Shanghai") return `${v}:00+08:00`;
  return String(new Date(v).getTime());
}

function auditQuery(f: AuditFilters, tz: string, extra: Record<string, string> = {}): string {
  const p = new URLSearchParams();
  if (f.actor) p.set("actor", f.actor);
  if (f.action) p.set("action", f.action);
  if (f.from) p.set("from", instant(f.from, tz));
  if (f.to) p.set("to", instant(f.to, tz));
  if (f.q.trim()) p.set("q", f.q.trim());
  for (const [k, v] of Object.entries(extra)) p.set(k, v);
  const s = p.toString();
  return s ? `?${s}` : "";
}

function changeText(c: AuditChange): string {
  const v = (x: unknown) => (x === undefined ? "—" : typeof x === "string" ? x : JSON.stringify(x));
  return `${c.path}: ${v(c.before)} → ${v(c.after)}`;
}

function AuditDetail({ e }: { e: AuditEntry }) {
  const { changes, truncated, ...rest } = e.detail;
  const restText = Object.entries(rest)
    .filter(([, v]) => v !== undefined)
    .map(([k, v]) => `${k}: ${typeof v === "string" ? v : JSON.stringify(v)}`);
  return (
    <div class="ad-detail">
      {restText.length > 0 && <div>{restText.join(" · ")}</div>}
      {changes?.map((c) => (
        <div key={c.path} class="ad-change">
          {changeText(c)}
        </div>
      ))}
      {truncated && <div>…</div>}
    </div>
  );
}

function AuditSection(props: { t: T; lang: Lang; api: Api; tz: string; onError: (e: unknown) => void }) {
  const { t, api, lang, tz } = props;
  const aw = (a: AuditAction) => ACTION_WORDS[a]?.[lang] ?? a;
  const [staff, setStaff] = useState<StaffRow[]>([]);
  const [f, setF] = useState<AuditFilters>({ actor: "", action: "", from: "", to: "", q: "" });
  const [rows, setRows] = useState<AuditEntry[]>([]);
  const [next, setNext] = useState<number | undefined>();
  const [chain, setChain] = useState<AuditVerify | null>(null);
  const load = useCallback(
    async (more?: number) => {
      try {
        const page = await api.request<AuditPage>(
          "GET",
          `/api/audit${auditQuery(f, tz, { limit: "50", ...(more !== undefined ? { before: String(more) } : {}) })}`,
        );
        setRows((rs) => (more !== undefined ? [...rs, ...page.rows] : page.rows));
        setNext(page.next);
      } catch (e) {
        props.onError(e);
      }
    },
    [api, f, tz],
  );
  useEffect(() => {
    api.request<StaffRow[]>("GET", "/api/staff").then(setStaff, props.onError);
    void load();
  }, []);
  const set = (k: keyof AuditFilters) => (e: Event) => setF({ ...f, [k]: (e.target as HTMLInputElement).value });
  const download = (ext: "csv" | "xlsx") =>
    downloadFile(
      `/api/audit/export.${ext}${auditQuery(f, tz, { lang })}`,
      sessionStorage.getItem(TOKEN_KEY),
      `audit-log.${ext}`,
    ).catch(props.onError);
  const families = [...new Set(AUDIT_ACTIONS.map((a) => a.split(".")[0] as string))];
  return (
    <section class="ad-card" aria-labelledby="audit-h">
      <h2 id="audit-h">{t("tabAudit")}</h2>
      <form
        class="ad-form ad-filters"
        onSubmit={(e) => {
          e.preventDefault();
          void load();
        }}
      >
        <label>
          {t("who")}
          <select name="actor" value={f.actor} onChange={set("actor")}>
            <option value="">{t("anyone")}</option>
            {staff.map((s) => (
              <option key={s.id} value={s.id}>
                {s.name} ({s.username})
              </option>
            ))}
          </select>
        </label>
        <label>
          {t("action")}
          <select name="action" value={f.action} onChange={set("action")}>
            <option value="">{t("anyAction")}</option>
            {families.map((fam) => (
              <optgroup key={fam} label={fam}>
                {AUDIT_ACTIONS.filter((a) => a.startsWith(`${fam}.`)).map((a) => (
                  <option key={a} value={a}>
                    {aw(a)}
                  </option>
                ))}
              </optgroup>
            ))}
          </select>
        </label>
        <label>
          {t("fromTime")}
          <input name="from" type="datetime-local" value={f.from} onInput={set("from")} />
        </label>
        <label>
          {t("toTime")}
          <input name="to" type="datetime-local" value={f.to} onInput={set("to")} />
        </label>
        <label>
          {t("text")}
          <input name="q" type="search" value={f.q} onInput={set("q")} />
        </label>
        <button type="submit" class="primary" data-testid="audit-search">
          {t("search")}
        </button>
        <button type="button" onClick={() => void download("csv")} data-testid="export-csv">
          {t("exportCsv")}
        </button>
        <button type="button" onClick={() => void download("xlsx")} data-testid="export-xlsx">
          {t("exportXlsx")}
        </button>
        <button
          type="button"
          onClick={() => api.request<AuditVerify>("GET", "/api/audit/verify").then(setChain, props.onError)}
          data-testid="verify"
        >
          {t("verify")}
        </button>
      </form>
      {chain && (
        <p role="status" class={chain.ok ? "ad-ok" : "ad-bad"} data-testid="chain">
          {chain.ok ? t("chainOk", { n: chain.checked }) : t("chainBroken", { n: chain.brokenAt ?? 0 })}
        </p>
      )}
      {rows.length === 0 ? (
        <p>{t("noRows")}</p>
      ) : (
        <table class="ad-table" data-testid="audit-table">
          <thead>
            <tr>
              <th scope="col">{t("time")}</th>
              <th scope="col">{t("who")}</th>
              <th scope="col">{t("action")}</th>
              <th scope="col">{t("target")}</th>
              <th scope="col">{t("address")}</th>
              <th scope="col">{t("details")}</th>
            </tr>
          </thead>
          <tbody>
            {rows.map((e) => (
              <tr key={e.seq} data-testid={`audit-${e.seq}`} data-action={e.action}>
                <td>{when(e.at, tz)}</td>
                <td>
                  {e.actorName}
                  {e.actorRole ? ` · ${t(`role_${e.actorRole as Role}`)}` : ""}
                </td>
                <td>{aw(e.action)}</td>
                <td>{e.target ?? ""}</td>
                <td>{e.ip ?? e.via ?? ""}</td>
                <td>
                  <AuditDetail e={e} />
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
      {next !== undefined && (
        <button type="button" onClick={() => void load(next)}>
          {t("more")}
        </button>
      )}
    </section>
  );
}

const root = document.getElementById("app");
if (root) render(<App />, root);
