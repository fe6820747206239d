/** The counter page (/counter): a clerk signs in, calls and serves tickets. */
import { render } from "preact";
import { useCallback, useEffect, useLayoutEffect, useRef, useState } from "preact/hooks";
import type {
  Catalogue,
  CounterSocketCommand,
  CounterState,
  CounterView,
  LoginReply,
  PublicTicket,
  Ticket,
} from "../server/src/contract/index.ts";
import { createApi, toApiError } from "../ui-shared/api.ts";
import type { SimpleCounterCommand } from "../ui-shared/api.ts";
import { DEFAULT_TIME_ZONE, formatClock, formatDuration } from "../ui-shared/format.ts";
import { COMMON, pickName, translator, useLang } from "../ui-shared/i18n.ts";
import type { Lang } from "../ui-shared/i18n.ts";
import { loadCatalogue } from "../ui-shared/catalogue-cache.ts";
import { sendCounterCommand } from "../ui-shared/counter-command.ts";
import { useHallSocket } from "../ui-shared/socket.ts";
import { patchedQueues } from "./queue-list.ts";
import { useHubNow } from "../ui-shared/hub-clock.ts";
import { SignInForm, useStaffSession } from "../ui-shared/staff-sign-in.tsx";
import { ErrorToast, ReconnectBanner } from "../ui-shared/ui.tsx";
import "../ui-shared/shared.css";
import { actionForKey, enabledActions, SHORTCUT_LABEL } from "./keys.ts";
import type { CounterAction } from "./keys.ts";
import { FinishForm } from "./finish-form.tsx";
import { CaseAccept } from "./case-accept.tsx";
import { COUNTER } from "./messages.ts";
import "./counter.css";

const TOKEN_KEY = "onevisit.token";
const SESSION_KEYS = { token: TOKEN_KEY, login: "onevisit.login" };
const COUNTER_KEY = "onevisit.counter";

type T = ReturnType<typeof translator<typeof COUNTER>>;

function App() {
  const [lang, setLang] = useLang();
  const t = translator(COUNTER, lang);
  const [counterId, setCounterId] = useState<string | null>(() => sessionStorage.getItem(COUNTER_KEY));
  const api = useRef(createApi({ token: () => sessionStorage.getItem(TOKEN_KEY) })).current;
  const forgetCounter = useCallback(() => {
    sessionStorage.removeItem(COUNTER_KEY);
    setCounterId(null);
  }, []);
  const session = useStaffSession({ api, lang, keys: SESSION_KEYS, onSignedOut: forgetCounter });
  const { login, error, setError, showError } = session;
  const logout = session.signOut;

  const langButton = (
    <button type="button" class="lang" onClick={() => setLang(lang === "zh" ? "en" : "zh")} data-testid="lang">
      {COMMON.switchLang[lang]}
    </button>
  );

  let body: preact.ComponentChildren;
  if (!login) body = <SignInForm lang={lang} class="card login" autoFocus onSignIn={session.signIn} />;
  else if (!counterId)
    body = (
      <ChooseCounter
        t={t}
        lang={lang}
        api={api}
        login={login}
        preset={new URLSearchParams(location.search).get("counter") ?? login.counterId}
        onError={showError}
        onSignedIn={(id) => {
          sessionStorage.setItem(COUNTER_KEY, id);
          setCounterId(id);
        }}
      />
    );
  else
    body = (
      <Workbench
        t={t}
        lang={lang}
        api={api}
        login={login}
        counterId={counterId}
        onError={showError}
        clearError={() => setError(null)}
        onLeave={forgetCounter}
        onLogout={async () => {
          try {
            await api.counterSignOut(counterId);
          } catch {
            // signing out of a counter the hub already closed (or someone else holds) is fine
          }
          try {
            await api.logout();
          } catch {
            // the token may already be expired or revoked: signed out either way
          }
          logout();
        }}
        langButton={langButton}
      />
    );

  return (
    <div class="counter-page">
      {!counterId || !login ? (
        <header class="bar simple">
          <span>{t("title")}</span>
          {langButton}
        </header>
      ) : null}
      {body}
      <ErrorToast message={error} onClose={() => setError(null)} lang={lang} />
    </div>
  );
}

function ChooseCounter(props: {
  t: T;
  lang: Lang;
  api: ReturnType<typeof createApi>;
  login: LoginReply;
  preset: string | null;
  onError: (e: unknown) => void;
  onSignedIn: (id: string) => void;
}) {
  const { t, lang, api } = props;
  const [cat, setCat] = useState<Catalogue | null>(null);
  const [sel, setSel] = useState(props.preset ?? "");
  const [holders, setHolders] = useState<CounterState[]>([]);
  const [confirm, setConfirm] = useState<string | null>(null);
  useEffect(() => {
    loadCatalogue().then((c) => {
      setCat(c);
      if (!sel && c.counters[0]) setSel(c.counters[0].id);
    }, props.onError);
    api.state().then((s) => setHolders(s.counters), props.onError);
  }, []);
  const me = props.login.staff.id;
  const privileged = props.login.staff.role !== "clerk";
  const holder = holders.find((c) => c.id === sel && c.staffId && c.staffId !== me);
  const signIn = (takeover: boolean) =>
    api.counterSignIn(sel, takeover).then(
      () => props.onSignedIn(sel),
      (e) => {
        // The clerk's own counter, taken over: open it anyway to see who holds it and ask for it back.
        if (toApiError(e).code === "COUNTER_TAKEN" && !privileged && sel === props.login.counterId) props.onSignedIn(sel);
        else props.onError(e);
      },
    );
  if (confirm && holder)
    return (
      <div class="card choose" role="alertdialog" aria-labelledby="takeover-q" data-testid="takeover-confirm">
        <p id="takeover-q">
          {t("takeoverQuestion", { name: holder.staffName ?? "", n: cat?.counters.find((c) => c.id === sel)?.number ?? sel })}
        </p>
        <div class="choices">
          <button type="button" class="primary" autoFocus onClick={() => void signIn(true)} data-testid="takeover-yes">
            {t("takeoverYes")}
          </button>
          <button type="button" onClick={() => setConfirm(null)}>
            {t("cancel")}
          </button>
        </div>
      </div>
    );
  return (
    <form
      class="card choose"
      onSubmit={(e) => {
        e.preventDefault();
        // A supervisor taking a counter someone holds confirms first: that clerk's work moves to them.
        if (holder && privileged) setConfirm(sel);
        else void signIn(false);
      }}
    >
      <label>
        {t("chooseCounter")}
        <select name="counter" value={sel} onChange={(e) => setSel((e.target as HTMLSelectElement).value)}>
          {cat?.counters.map((c) => (
            <option key={c.id} value={c.id}>
              {t("counterNo", { n: c.number })} · {pickName(c, lang)}
            </option>
          ))}
        </select>
      </label>
      {holder && <p class="held">{t("heldBy", { name: holder.staffName ?? "" })}</p>}
      <button type="submit" class="primary" disabled={!sel} data-testid="sign-in">
        {holder && privileged ? t("takeover") : t("signIn")}
      </button>
    </form>
  );
}

type Dialog =
  | { kind: "finish" }
  | { kind: "transfer" }
  | { kind: "pause" }
  | { kind: "park" }
  | { kind: "no-show" }
  | { kind: "call"; ticket: PublicTicket | Ticket };

/** One id per press of call-next: the hub answers a repeat of it with the first reply. */
function pressId(counterId: string): string {
  return `${counterId}-${Date.now().toString(36)}-${Math.random().toString(36).slice(2, 10)}`;
}

function Workbench(props: {
  t: T;
  lang: Lang;
  api: ReturnType<typeof createApi>;
  login: LoginReply;
  counterId: string;
  onError: (e: unknown) => void;
  clearError: () => void;
  onLeave: () => void;
  onLogout: () => Promise<void>;
  langButton: preact.JSX.Element;
}) {
  const { t, lang, api, counterId } = props;
  // Answers that arrive after the page left (signed out) are dropped, errors included.
  const alive = useRef(true);
  const onError = useCallback((e: unknown) => alive.current && props.onError(e), [props.onError]);
  const [view, setView] = useState<CounterView | null>(null);
  const [cat, setCat] = useState<Catalogue | null>(null);
  const [dialog, setDialog] = useState<Dialog | null>(null);
  const [notice, setNotice] = useState<string | null>(null);
  // The hub's time: the durations shown are measured from the hub's timestamps.
  const now = useHubNow(1000);
  const refreshTimer = useRef<ReturnType<typeof setTimeout> | undefined>(undefined);
  const slowTimer = useRef<ReturnType<typeof setTimeout> | undefined>(undefined);

  const refresh = useCallback(() => {
    if (!alive.current) return;
    api.counterView(counterId).then((v) => alive.current && setView(v), onError);
  }, [counterId, onError]);
  // Changes at this counter: refetch at once (several deltas of one action arrive together).
  const refreshSoon = useCallback(() => {
    clearTimeout(refreshTimer.current);
    refreshTimer.current = setTimeout(refresh, 100);
  }, [refresh]);
  // Changes elsewhere in the queues this counter serves: patch the list from the delta now,
  // and refetch at most once a second. A comprehensive counter sees every ticket of the
  // hall; refetching on each would make 150 counters send thousands of requests a second.
  const refreshLater = useCallback(() => {
    if (slowTimer.current) return;
    slowTimer.current = setTimeout(() => {
      slowTimer.current = undefined;
      refresh();
    }, 1000);
  }, [refresh]);
  const patchQueues = useCallback(
    (tk: PublicTicket) => {
      setView((v) => (v ? { ...v, queues: patchedQueues(v.queues, tk, counterId) } : v));
      refreshLater();
    },
    [refreshLater, counterId],
  );

  useEffect(() => {
    loadCatalogue().then(setCat, onError);
    refresh();
    alive.current = true;
    return () => {
      alive.current = false;
      clearTimeout(refreshTimer.current);
      clearTimeout(slowTimer.current);
    };
  }, [counterId]);

  const served = new Set(cat?.counters.find((c) => c.id === counterId)?.profile.queueIds ?? []);
  const {
    connected,
    state: hallState,
    socket,
  } = useHallSocket([{ view: "counter", counterId }], {
    token: sessionStorage.getItem(TOKEN_KEY),
    handlers: {
      "hall:snapshot": () => refreshSoon(),
      "ticket:issued": (tk) => served.has(tk.queueId) && patchQueues(tk),
      "ticket:updated": (tk) =>
        tk.counterId === counterId || tk.targetCounterId === counterId
          ? refreshSoon()
          : served.has(tk.queueId) && patchQueues(tk),
      "ticket:called": (e) =>
        e.ticket.counterId === counterId ? refreshSoon() : served.has(e.ticket.queueId) && patchQueues(e.ticket),
      "counter:updated": (c) => c.id === counterId && refreshSoon(),
      "catalogue:updated": (c) => setCat(c),
    },
    onConnect: () => refresh(),
  });
  // The socket keeps the catalogue of the snapshot's version (loaded only when it changed).
  useEffect(() => {
    if (hallState?.catalogue) setCat(hallState.catalogue);
  }, [hallState?.catalogue]);

  const counter = view?.counter;
  const current = view?.current ?? null;
  // When this page first saw the current call, on its own clock: the hub's calledAt is on the
  // hub's clock, and a clerk PC running minutes ahead would skip the no-show question at once.
  const calledSeen = useRef<{ id: string; at: number } | null>(null);
  if (current && calledSeen.current?.id !== current.id) calledSeen.current = { id: current.id, at: Date.now() };
  const me = props.login.staff.id;
  const privileged = props.login.staff.role !== "clerk";
  // A call in flight: the button and F1 stay off until the hub answered (a double click or
  // F1 F1 must not send a second call; the hub also makes repeats one call).
  const [calling, setCalling] = useState(false);
  const callingRef = useRef(false);
  const enabled = enabledActions(view?.allowed);
  if (calling) enabled.delete("call-next");

  const run = async (fn: () => Promise<unknown>) => {
    props.clearError();
    setNotice(null);
    try {
      const r = await fn();
      return r;
    } catch (e) {
      onError(e);
      return undefined;
    } finally {
      refresh();
    }
  };
  // Commands go over the socket (REST while it reconnects): ui-shared/counter-command.ts.
  const send = (cmd: CounterSocketCommand) => sendCounterCommand(socket, api, cmd);
  const simple = (type: SimpleCounterCommand) => run(() => send({ type, counterId }));
  const callNext = async () => {
    if (callingRef.current) return;
    callingRef.current = true;
    setCalling(true);
    try {
      await run(async () => {
        const r = await send({ type: "call-next", counterId, requestId: pressId(counterId) });
        if (r.ticket === null) setNotice(t("nobodyWaiting"));
      });
    } finally {
      callingRef.current = false;
      if (alive.current) setCalling(false);
    }
  };

  const doAction = (a: CounterAction, viaKey = false) => {
    if (a === "call-next" && callingRef.current) return;
    if (!enabled.has(a)) {
      // F1 out of habit while paused: nothing is sent; say why nothing happens.
      if (viaKey && a === "call-next" && counter?.status === "paused") setNotice(t("pausedHint"));
      return;
    }
    switch (a) {
      case "call-next":
        void callNext();
        break;
      case "no-show": {
        // Within the grace time the visitor may still be on the way: confirm first.
        const seen = current && calledSeen.current?.id === current.id ? calledSeen.current.at : undefined;
        const since =
          current?.calledAt !== undefined && seen !== undefined ? (Date.now() - seen) / 1000 : Number.POSITIVE_INFINITY;
        if (since < (view?.noShowGraceSec ?? 0)) setDialog({ kind: "no-show" });
        else void simple("no-show");
        break;
      }
      case "recall":
      case "start":
      case "request-rating":
        void simple(a);
        break;
      case "finish":
        setDialog({ kind: "finish" });
        break;
      case "transfer":
        setDialog({ kind: "transfer" });
        break;
      case "park":
        setDialog({ kind: "park" });
        break;
      case "pause-resume":
        if (counter?.status === "paused") void simple("resume");
        else setDialog({ kind: "pause" });
        break;
      default: {
        const never: never = a;
        return never;
      }
    }
  };
  const doActionRef = useRef(doAction);
  doActionRef.current = doAction;
  const dialogOpen = useRef(false);
  dialogOpen.current = dialog !== null;

  useEffect(() => {
    const onKey = (e: KeyboardEvent) => {
      const el = e.target as HTMLElement | null;
      if (dialogOpen.current || (el && /^(INPUT|TEXTAREA|SELECT)$/.test(el.tagName))) {
        if (e.key === "Escape") setDialog(null);
        return;
      }
      const a = actionForKey(e);
      if (!a) return;
      e.preventDefault(); // F1 would open the browser's help
      doActionRef.current(a, true);
    };
    window.addEventListener("keydown", onKey);
    return () => window.removeEventListener("keydown", onKey);
  }, []);

  const tz = cat?.hall.timeZone ?? DEFAULT_TIME_ZONE;
  const counterCfg = cat?.counters.find((c) => c.id === counterId);
  const matterOf = (id: string) => cat?.matters.find((m) => m.id === id);
  const queueName = (id: string) => {
    const q = cat?.queues.find((x) => x.id === id);
    return q ? `${q.prefix} · ${pickName(q, lang)}` : id;
  };
  const currentMatter = current ? matterOf(current.matterId) : undefined;
  const btn = (a: CounterAction, label: string, cls = "") => (
    <button type="button" class={`act ${cls}`} disabled={!enabled.has(a)} onClick={() => doAction(a)} data-action={a}>
      <span>{label}</span>
      <kbd>{SHORTCUT_LABEL[a]}</kbd>
    </button>
  );

  const holderName = counter?.staffName ?? "";
  const notMine = !!counter?.staffId && counter.staffId !== me;
  const transferredIds = new Set(view?.transferredIn.map((x) => x.id) ?? []);
  const noteOf = (tk: Ticket) => tk.notes[tk.notes.length - 1] ?? "";
  const canCall = view?.allowed.includes("call") ?? false;

  return (
    <div class="workbench">
      <ReconnectBanner connected={connected} lang={lang} />
      <header class="bar">
        <strong>{counterCfg ? pickName(counterCfg, lang) : counterId}</strong>
        <span class={`status s-${counter?.status ?? "closed"}`} data-testid="counter-status">
          {t(`status_${counter?.status ?? "closed"}`)}
          {counter?.status === "paused" && counter.pauseReason ? ` · ${counter.pauseReason}` : ""}
        </span>
        <span class="who">{props.login.staff.name}</span>
        <span class="clock">{formatClock(now, tz)}</span>
        {props.langButton}
        <button type="button" class="logout" onClick={() => void props.onLogout()}>
          {t("logout")}
        </button>
      </header>
      {notMine && !privileged && view && (
        <div class="takeover-bar" role="status" data-testid="held-by">
          {view.holderAway ? (
            <>
              <span>{t("holderAway", { name: holderName })}</span>
              <button type="button" onClick={() => void run(() => api.counterSignIn(counterId))}>
                {t("signInAgain")}
              </button>
            </>
          ) : view.handBack?.staffId === me ? (
            <span>{t("askedBack", { name: holderName })}</span>
          ) : (
            <>
              <span>{t("heldByOther", { name: holderName })}</span>
              <button type="button" onClick={() => void run(() => api.handBackRequest(counterId))} data-testid="ask-back">
                {t("askBack")}
              </button>
            </>
          )}
        </div>
      )}
      {notMine && privileged && view && (
        <div class="takeover-bar" role="status">
          {t("heldBy", { name: holderName })}
        </div>
      )}
      {!notMine && view?.handBack && (
        <div class="takeover-bar ask" role="alert" data-testid="hand-back-asked">
          <span>{t("handBackAsked", { name: view.handBack.staffName })}</span>
          <button
            type="button"
            onClick={() =>
              void run(async () => {
                await api.handBack(counterId);
                props.onLeave();
              })
            }
            data-testid="hand-back"
          >
            {t("handBack")}
          </button>
        </div>
      )}
      <div class="cols">
        <section class="main">
          <div class={`current${current ? ` c-${current.status}` : ""}`} data-testid="current">
            <p class="label">{t("current")}</p>
            {current ? (
              <>
                <p class="number" data-testid="current-number">
                  {current.number}
                </p>
                <p class="meta">
                  <span class={`prio p-${current.priority}`}>{t(`priority_${current.priority}`)}</span>
                  {currentMatter && <span class="matter">{pickName(currentMatter, lang)}</span>}
                  {current.recalls > 0 && <span>{t("recalls", { n: current.recalls })}</span>}
                  {current.calledAt && (
                    <span data-testid="current-for">
                      {formatDuration((now - (current.startedAt ?? current.calledAt)) / 1000)}
                    </span>
                  )}
                  {current.idMasked && (
                    <span>
                      {t("idCard")} {current.idMasked}
                    </span>
                  )}
                </p>
                {currentMatter && currentMatter.materials.length > 0 && (
                  <div class="materials">
                    <h3>{t("materials")}</h3>
                    <ol>
                      {currentMatter.materials.map((m) => (
                        <li key={m}>{m}</li>
                      ))}
                    </ol>
                  </div>
                )}
                {current.notes.length > 0 && (
                  <div class="notes">
                    <h3>{t("notes")}</h3>
                    <ul>
                      {current.notes.map((n, i) => (
                        <li key={i}>{n}</li>
                      ))}
                    </ul>
                  </div>
                )}
                {current.status === "serving" && cat && !notMine && (
                  <CaseAccept api={api} lang={lang} counterId={counterId} ticket={current} cat={cat} />
                )}
              </>
            ) : (
              <p class="empty" data-testid="hint">
                {counter?.status === "paused" ? t("noCurrentPaused") : t("noCurrent")}
              </p>
            )}
          </div>
          {notice && <p class="notice">{notice}</p>}
          <div class="actions">
            {btn("call-next", t("callNext"), "primary")}
            {btn("recall", t("recall"))}
            {btn("start", t("start"))}
            {btn("finish", t("finish"), "ok")}
            {btn("no-show", t("noShow"), "warn")}
            {btn("transfer", t("transfer"))}
            {btn("park", t("park"))}
            {btn("pause-resume", counter?.status === "paused" ? t("resume") : t("pause"))}
            {btn("request-rating", t("requestRating"))}
          </div>
          <p class="rating-line">
            {counter?.ratingRequested && <span data-testid="rating-waiting">{t("ratingWaiting")}</span>}
            {counter?.lastRating && <span data-testid="last-rating">{t("lastRating", { n: counter.lastRating })}</span>}
          </p>
          <p class="shortcuts">{t("shortcuts")}</p>
        </section>
        <aside>
          {(view?.parked.length ?? 0) > 0 && (
            <div class="queue flagged" data-testid="parked">
              <h3>{t("parked")}</h3>
              <ul class="tickets flag">
                {view?.parked.map((tk) => (
                  <li key={tk.id} data-ticket={tk.id}>
                    <span class="num">{tk.number}</span>
                    <span class="m" title={noteOf(tk)}>
                      {noteOf(tk)}
                    </span>
                    <span class="time">{tk.parkedAt ? formatClock(tk.parkedAt, tz) : ""}</span>
                    <button
                      type="button"
                      disabled={!canCall}
                      onClick={() => void run(() => send({ type: "call", counterId, ticketId: tk.id, reason: t("callBack") }))}
                      data-callback={tk.number}
                    >
                      {t("callBack")}
                    </button>
                  </li>
                ))}
              </ul>
            </div>
          )}
          {(view?.noShows.length ?? 0) > 0 && (
            <div class="queue flagged" data-testid="no-shows">
              <h3>{t("noShows")}</h3>
              <ul class="tickets flag">
                {view?.noShows.map((tk) => (
                  <li key={tk.id} data-ticket={tk.id}>
                    <span class="num">{tk.number}</span>
                    <span class="m" title={noteOf(tk)}>
                      {noteOf(tk)}
                    </span>
                    <span class="time">{tk.noShowAt ? formatClock(tk.noShowAt, tz) : ""}</span>
                    <button
                      type="button"
                      disabled={!canCall}
                      onClick={() => setDialog({ kind: "call", ticket: tk })}
                      data-call={tk.number}
                    >
                      {t("call")}
                    </button>
                  </li>
                ))}
              </ul>
            </div>
          )}
          {(view?.transferredIn.length ?? 0) > 0 && (
            <div class="queue flagged" data-testid="transferred-in">
              <h3>{t("transferredIn")}</h3>
              <ul class="tickets">
                {view?.transferredIn.map((tk) => (
                  <li key={tk.id} data-ticket={tk.id}>
                    <span class="num">{tk.number}</span>
                    <span class="tag">{t("transferTag")}</span>
                    <span class="m" title={noteOf(tk)}>
                      {noteOf(tk)}
                    </span>
                    <span class="time">{formatClock(tk.arrivalAt, tz)}</span>
                    <button
                      type="button"
                      disabled={!canCall}
                      onClick={() => setDialog({ kind: "call", ticket: tk })}
                      data-call={tk.number}
                    >
                      {t("call")}
                    </button>
                  </li>
                ))}
              </ul>
            </div>
          )}
          <h2>{t("queues")}</h2>
          {view?.queues.map((q) => (
            <div class="queue" key={q.queueId} data-queue={q.queueId}>
              <h3>
                {queueName(q.queueId)}{" "}
                <span class={`count${q.waiting === 0 ? " zero" : ""}`}>{t("waiting", { n: q.waiting })}</span>
              </h3>
              <ul class="tickets">
                {/* transferred-in tickets are listed once, at the top */}
                {q.next
                  .filter((tk) => !transferredIds.has(tk.id))
                  .map((tk) => (
                    <li key={tk.id} data-ticket={tk.id}>
                      <span class="num">{tk.number}</span>
                      <span class={`prio p-${tk.priority}`}>
                        {transferredIds.has(tk.id) ? t("transferTag") : t(`priority_${tk.priority}`)}
                      </span>
                      <span class="m">{matterOf(tk.matterId) ? pickName(matterOf(tk.matterId)!, lang) : ""}</span>
                      <span class="time">{formatClock(tk.issuedAt, tz)}</span>
                      <button
                        type="button"
                        disabled={!canCall}
                        onClick={() => setDialog({ kind: "call", ticket: tk })}
                        data-call={tk.number}
                      >
                        {t("call")}
                      </button>
                    </li>
                  ))}
              </ul>
            </div>
          ))}
          {view && (
            <div class="today" data-testid="today">
              <h3>{t("today")}</h3>
              <dl>
                <dt>{t("served")}</dt>
                <dd data-testid="served">{view.today.served}</dd>
                <dt>{t("avgService")}</dt>
                <dd>{formatDuration(view.today.avgServiceSec)}</dd>
                <dt>{t("avgRating")}</dt>
                <dd>{view.today.avgRating === null ? t("none") : view.today.avgRating.toFixed(1)}</dd>
                <dt>{t("noShows")}</dt>
                <dd>{view.today.noShows}</dd>
              </dl>
            </div>
          )}
        </aside>
      </div>
      {dialog?.kind === "finish" && (
        <Modal title={t("outcome")} t={t} onClose={() => setDialog(null)}>
          <FinishForm
            t={t}
            lang={lang}
            matter={currentMatter}
            onFinish={(o, missing) => {
              setDialog(null);
              void run(() => send({ type: "finish", counterId, outcome: o, ...(missing.length ? { missing } : {}) }));
            }}
          />
        </Modal>
      )}
      {dialog?.kind === "park" && (
        <Modal title={current ? `${current.number} · ${t("park")}` : t("park")} t={t} onClose={() => setDialog(null)}>
          <NoteForm
            t={t}
            label={t("parkNote")}
            placeholder={t("parkNoteHint")}
            onSubmit={(note) => {
              setDialog(null);
              void run(() => send({ type: "park", counterId, ...(note ? { note } : {}) }));
            }}
          />
        </Modal>
      )}
      {dialog?.kind === "no-show" && current && (
        <Modal title={t("noShow")} t={t} onClose={() => setDialog(null)}>
          <p data-testid="no-show-confirm">
            {t("noShowConfirm", {
              number: current.number,
              s: Math.max(0, Math.floor((now - (current.calledAt ?? now)) / 1000)),
            })}
          </p>
          <div class="choices">
            <button
              type="button"
              class="primary"
              data-autofocus
              onClick={() => {
                setDialog(null);
                void simple("no-show");
              }}
              data-testid="no-show-yes"
            >
              {t("noShowYes")}
            </button>
          </div>
        </Modal>
      )}
      {dialog?.kind === "pause" && (
        <Modal title={t("pauseReason")} t={t} onClose={() => setDialog(null)}>
          <ReasonForm
            t={t}
            presets={[t("reason_break"), t("reason_meeting"), t("reason_system")]}
            onSubmit={(reason) => {
              setDialog(null);
              void run(() => send({ type: "pause", counterId, reason }));
            }}
          />
        </Modal>
      )}
      {dialog?.kind === "call" && (
        <Modal title={`${t("callReason")} · ${dialog.ticket.number}`} t={t} onClose={() => setDialog(null)}>
          <ReasonForm
            t={t}
            presets={[t("callReason_priority"), t("callReason_appointment"), t("callReason_back")]}
            onSubmit={(reason) => {
              const id = dialog.ticket.id;
              setDialog(null);
              void run(() => send({ type: "call", counterId, ticketId: id, ...(reason ? { reason } : {}) }));
            }}
          />
        </Modal>
      )}
      {dialog?.kind === "transfer" && cat && (
        <Modal title={current ? `${current.number} · ${t("transferTo")}` : t("transferTo")} t={t} onClose={() => setDialog(null)}>
          <TransferForm
            t={t}
            lang={lang}
            cat={cat}
            counterId={counterId}
            onSubmit={(to) => {
              setDialog(null);
              void run(() => send({ type: "transfer", counterId, ...to }));
            }}
          />
        </Modal>
      )}
    </div>
  );
}

let modalSeq = 0;

/**
 * A modal dialog that takes the focus when it opens (its `[data-autofocus]` element, else its
 * first field or button), so Enter confirms and Esc cancels without the mouse, and gives the
 * focus back to where it was when it closes.
 */
function Modal(props: { title: string; t: T; onClose: () => void; children: preact.ComponentChildren }) {
  const box = useRef<HTMLDivElement>(null);
  const titleId = useRef(`modal-title-${++modalSeq}`).current;
  // A layout effect: it runs as the dialog mounts. Preact runs plain effects after the next
  // paint, which on a loaded PC came after the clerk's first key in the dialog and took the
  // focus back from where that key had moved it (the missing-materials list).
  useLayoutEffect(() => {
    const before = document.activeElement as HTMLElement | null;
    const el = box.current;
    const target =
      el?.querySelector<HTMLElement>("[data-autofocus]") ??
      el?.querySelector<HTMLElement>("input:not([type=radio]):not([type=checkbox]), select, button");
    target?.focus();
    return () => before?.focus?.();
  }, []);
  return (
    // A click beside the dialog closes it (mouse convenience); Escape and the cancel button
    // are the keyboard ways, and the dialog itself stops the click from reaching the backdrop.
    // biome-ignore lint/a11y/noStaticElementInteractions: backdrop of a modal dialog
    <div class="modal-back" onClick={props.onClose} onKeyDown={(e) => e.key === "Escape" && props.onClose()}>
      {/* biome-ignore lint/a11y/useKeyWithClickEvents: only stops the backdrop's click */}
      <div class="modal" role="dialog" aria-modal="true" aria-labelledby={titleId} ref={box} onClick={(e) => e.stopPropagation()}>
        <h2 id={titleId}>{props.title}</h2>
        {props.children}
        <button type="button" class="close" onClick={props.onClose}>
          {props.t("cancel")}
        </button>
      </div>
    </div>
  );
}

function ReasonForm({ t, presets, onSubmit }: { t: T; presets: string[]; onSubmit: (reason: string) => void }) {
  const [reason, setReason] = useState("");
  return (
    <form
      onSubmit={(e) => {
        e.preventDefault();
        onSubmit(reason.trim());
      }}
    >
      <div class="choices">
        {presets.map((p) => (
          <button type="button" key={p} onClick={() => onSubmit(p)}>
            {p}
          </button>
        ))}
      </div>
      <input
        name="reason"
        placeholder={t("otherReason")}
        value={reason}
        onInput={(e) => setReason((e.target as HTMLInputElement).value)}
        data-autofocus
      />
      <button type="submit" class="primary" disabled={presets.length > 0 && !reason.trim()}>
        {t("ok")}
      </button>
    </form>
  );
}

function NoteForm(props: { t: T; label: string; placeholder: string; onSubmit: (note: string) => void }) {
  const [note, setNote] = useState("");
  return (
    <form
      onSubmit={(e) => {
        e.preventDefault();
        props.onSubmit(note.trim());
      }}
    >
      <label>
        {props.label}
        <input
          name="note"
          maxLength={200}
          placeholder={props.placeholder}
          value={note}
          onInput={(e) => setNote((e.target as HTMLInputElement).value)}
          data-autofocus
        />
      </label>
      <button type="submit" class="primary">
        {props.t("ok")}
      </button>
    </form>
  );
}

function TransferForm(props: {
  t: T;
  lang: Lang;
  cat: Catalogue;
  counterId: string;
  onSubmit: (to: { toQueueId?: string; toCounterId?: string; note?: string; priority?: "green" }) => void;
}) {
  const { t, lang, cat } = props;
  const [mode, setMode] = useState<"queue" | "counter">("queue");
  const [queueId, setQueueId] = useState(cat.queues[0]?.id ?? "");
  const [toCounterId, setToCounterId] = useState(cat.counters.find((c) => c.id !== props.counterId)?.id ?? "");
  const [note, setNote] = useState("");
  const [green, setGreen] = useState(false);
  return (
    <form
      class="transfer"
      data-testid="transfer-form"
      onSubmit={(e) => {
        e.preventDefault();
        props.onSubmit({
          ...(mode === "queue" ? { toQueueId: queueId } : { toCounterId }),
          ...(note.trim() ? { note: note.trim() } : {}),
          ...(green ? { priority: "green" as const } : {}),
        });
      }}
    >
      <div class="choices">
        <label>
          <input type="radio" name="mode" value="queue" checked={mode === "queue"} onChange={() => setMode("queue")} />{" "}
          {t("toQueue")}
        </label>
        <label>
          <input type="radio" name="mode" value="counter" checked={mode === "counter"} onChange={() => setMode("counter")} />{" "}
          {t("toCounter")}
        </label>
      </div>
      {mode === "queue" ? (
        <select name="toQueue" value={queueId} onChange={(e) => setQueueId((e.target as HTMLSelectElement).value)}>
          {cat.queues.map((q) => (
            <option key={q.id} value={q.id}>
              {q.prefix} · {pickName(q, lang)}
            </option>
          ))}
        </select>
      ) : (
        <select name="toCounter" value={toCounterId} onChange={(e) => setToCounterId((e.target as HTMLSelectElement).value)}>
          {cat.counters
            .filter((c) => c.id !== props.counterId)
            .map((c) => (
              <option key={c.id} value={c.id}>
                {t("counterNo", { n: c.number })} · {pickName(c, lang)}
              </option>
            ))}
        </select>
      )}
      <label>
        {t("note")}
        <input name="note" value={note} onInput={(e) => setNote((e.target as HTMLInputElement).value)} />
      </label>
      <label>
        <input type="checkbox" checked={green} onChange={(e) => setGreen((e.target as HTMLInputElement).checked)} />{" "}
        {t("raisePriority")}
      </label>
      <button type="submit" class="primary">
        {t("ok")}
      </button>
    </form>
  );
}

const root = document.getElementById("app");
if (root) render(<App />, root);
