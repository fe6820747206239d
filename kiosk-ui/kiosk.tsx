/** The kiosk page (/kiosk): zones → matters → ticket, ID card and appointment input. */
import { render } from "preact";
import { useEffect, useMemo, useRef, useState } from "preact/hooks";
import type { Catalogue, IssuedTicket, KioskInput, Matter, PriorityClass, PrintResult } from "../server/src/contract/index.ts";
import { absoluteUrl, createApi, qrSvgUrl, toApiError } from "../ui-shared/api.ts";
import { errorMessage } from "../ui-shared/errors.ts";
import { DEFAULT_TIME_ZONE, formatClock, formatHours, formatWait } from "../ui-shared/format.ts";
import { COMMON, pickName, translator, useLang } from "../ui-shared/i18n.ts";
import type { Lang } from "../ui-shared/i18n.ts";
import { loadCatalogue } from "../ui-shared/catalogue-cache.ts";
import { useHubNow } from "../ui-shared/hub-clock.ts";
import { useHallSocket } from "../ui-shared/socket.ts";
import { waitingIn } from "../ui-shared/store.ts";
import { ErrorToast, ReconnectBanner } from "../ui-shared/ui.tsx";
import "../ui-shared/shared.css";
import { Home } from "./home.tsx";
import { DIGITS, Keyboard, LETTERS } from "./keyboard.tsx";
import { KIOSK } from "./kiosk-messages.ts";
import { helpDeskMatter, issuingBlock, materialsUrl, mattersOfZone } from "./logic.ts";
import { MatterList } from "./matter-list.tsx";
import { PairingScreen, storedDeviceToken, usePairing } from "./pairing.tsx";
import "./kiosk.css";

/** Back to the start screen after this long without a touch. */
const IDLE_MS = 60_000;

type Screen =
  | { kind: "home" }
  | { kind: "zone"; zoneId: string }
  | { kind: "matter"; matterId: string }
  | { kind: "booking" }
  /** `idMasked`: the ticket was taken with this ID card (the hub keeps only a hash). */
  | { kind: "issued"; ticket: IssuedTicket; idMasked?: string };

type PendingId = Extract<KioskInput, { kind: "id_card" }>;

/** A booking code the hub refused, in words (a malformed code reads as an unknown one). */
function bookingError(code: string, lang: Lang): string {
  if (code === "VALIDATION_FAILED") return errorMessage("BOOKING_NOT_FOUND", lang);
  return errorMessage(code, lang);
}

const urlKioskId = () => new URLSearchParams(location.search).get("kiosk") || "k1";
// Issuing is for paired kiosks: every request carries this kiosk's device token.
const api = createApi({ token: () => storedDeviceToken("kiosk", urlKioskId()) });

/** An unpaired kiosk shows its pairing code; the list-only view (no issuing, no reader) needs no pairing. */
function KioskPage() {
  const kioskId = urlKioskId();
  const pairing = usePairing("kiosk", kioskId);
  const listOnly = new URLSearchParams(location.search).get("view") === "list";
  // The catalogue is public: load it while the kiosk pairs, not after (the first visit
  // otherwise waits for pairing, then for the catalogue, one after the other). The kiosk
  // takes the same copy (catalogue-cache keeps one request in flight and the result).
  useEffect(() => {
    loadCatalogue().catch(() => undefined);
  }, []);
  if (!listOnly && !pairing.token) return <PairingScreen deviceRole="kiosk" id={kioskId} onPaired={pairing.save} />;
  return <Kiosk deviceToken={pairing.token} onUnpaired={pairing.forget} />;
}

function Kiosk(props: { deviceToken: string | null; onUnpaired: () => void }) {
  const params = useMemo(() => new URLSearchParams(location.search), []);
  const kioskId = params.get("kiosk") || "k1";
  const listOnly = params.get("view") === "list";
  const [lang, setLang] = useLang();
  const t = translator(KIOSK, lang);
  const [large, setLarge] = useState(false);
  const [fetched, setFetched] = useState<Catalogue | null>(null);
  const [screen, setScreen] = useState<Screen>(() => {
    const m = params.get("matter");
    return m ? { kind: "matter", matterId: m } : { kind: "home" };
  });
  const [query, setQuery] = useState("");
  const [pendingId, setPendingId] = useState<PendingId | null>(null);
  const [error, setError] = useState<string | null>(null);
  // What is being issued right now: the overlay says "issuing…" or "taking your booking…".
  const [busy, setBusy] = useState<"matter" | "booking" | null>(null);
  const busyRef = useRef(false);
  // The hub's time: issuing windows and daily caps are the hub's, on its clock.
  const now = useHubNow(15_000);

  const showError = (e: unknown) => setError(errorMessage(toApiError(e).code, lang));

  // The copy this kiosk kept (or the hub's): shown at once; the snapshot then names the
  // version to draw with, and the socket hook loads it only if it changed.
  useEffect(() => {
    loadCatalogue().then(setFetched, showError);
  }, []);

  const issue = async (body: { matterId?: string; appointmentCode?: string; priority?: PriorityClass }) => {
    // A scan can arrive while a touch is still issuing: one ticket at a time.
    if (busyRef.current) return;
    busyRef.current = true;
    const byBooking = body.appointmentCode !== undefined;
    setBusy(byBooking ? "booking" : "matter");
    setError(null);
    const id = body.matterId ? pendingId : null;
    try {
      const ticket = await api.issueTicket({ ...body, kioskId, lang, ...(id ? { idToken: id.idToken } : {}) });
      setPendingId(null);
      setScreen(id ? { kind: "issued", ticket, idMasked: id.masked } : { kind: "issued", ticket });
    } catch (e) {
      const code = toApiError(e).code;
      // The pairing was revoked: back to the pairing screen.
      if (code === "UNAUTHENTICATED") return props.onUnpaired();
      setError(byBooking ? bookingError(code, lang) : errorMessage(code, lang));
    } finally {
      busyRef.current = false;
      setBusy(null);
    }
  };
  const issueRef = useRef(issue);
  issueRef.current = issue;

  const { state, connected } = useHallSocket(listOnly ? [] : [{ view: "screen", screenId: `kiosk-${kioskId}` }], {
    deviceToken: props.deviceToken,
    // The hub refused this kiosk's room or cut the socket: the pairing no longer stands.
    onSubscribeError: (code) => {
      if (code === "FORBIDDEN") props.onUnpaired();
    },
    onServerDisconnect: () => props.onUnpaired(),
    handlers: {
      "kiosk:input": (e) => {
        if (e.kioskId !== kioskId) return;
        if (e.kind === "id_card") {
          setPendingId(e);
          setScreen((s) => (s.kind === "issued" ? { kind: "home" } : s));
        } else {
          void issueRef.current({ appointmentCode: e.code });
        }
      },
    },
  });
  const cat = state?.catalogue ?? fetched;
  const tz = cat?.hall.timeZone ?? DEFAULT_TIME_ZONE;

  // Idle: back to the start for the next visitor: forget the ID card, the search, the
  // large-text choice and English (the next visitor may not need them; the hall's
  // language is Chinese).
  useEffect(() => {
    if (listOnly) return;
    let timer = setTimeout(reset, IDLE_MS);
    function reset() {
      setScreen({ kind: "home" });
      setQuery("");
      setPendingId(null);
      setError(null);
      setLarge(false);
      setLang("zh");
    }
    const touch = () => {
      clearTimeout(timer);
      timer = setTimeout(reset, IDLE_MS);
    };
    window.addEventListener("pointerdown", touch);
    window.addEventListener("keydown", touch);
    return () => {
      clearTimeout(timer);
      window.removeEventListener("pointerdown", touch);
      window.removeEventListener("keydown", touch);
    };
  }, [listOnly, screen, pendingId, large, lang]);

  /** Why a matter cannot be issued now, for the lists (null = it can). */
  const blockNote = (m: Matter): string | null => {
    if (!cat) return null;
    const q = cat.queues.find((x) => x.id === m.queueId);
    const b = issuingBlock(q, state?.stats, now, tz);
    if (b === "OUTSIDE_HOURS") return t("outsideHours", { hours: formatHours(q?.hours ?? []) });
    if (b === "DAILY_CAP_REACHED") return t("capReached");
    return null;
  };

  let body: preact.ComponentChildren;
  if (!cat) body = <div class="loading">{COMMON.loading[lang]}</div>;
  else if (screen.kind === "home") {
    const help = helpDeskMatter(cat);
    body = (
      <Home
        cat={cat}
        lang={lang}
        query={query}
        setQuery={setQuery}
        openZone={(zoneId) => setScreen({ kind: "zone", zoneId })}
        openMatter={(matterId) => setScreen({ kind: "matter", matterId })}
        openBooking={() => setScreen({ kind: "booking" })}
        help={help}
        onHelp={() => help && void issue({ matterId: help.id })}
        busy={busy !== null}
        zonesWaiting={state?.stats?.zonesWaiting ?? null}
        idRead={pendingId !== null}
        blockNote={blockNote}
      />
    );
  } else if (screen.kind === "zone")
    body = (
      <ZoneMatters
        cat={cat}
        lang={lang}
        zoneId={screen.zoneId}
        open={(id) => setScreen({ kind: "matter", matterId: id })}
        blockNote={blockNote}
      />
    );
  else if (screen.kind === "booking")
    body = <BookingEntry lang={lang} busy={busy !== null} onSubmit={(code) => void issue({ appointmentCode: code })} />;
  else if (screen.kind === "matter") {
    const matter = cat.matters.find((m) => m.id === screen.matterId);
    body = matter ? (
      <MatterView
        cat={cat}
        matter={matter}
        lang={lang}
        listOnly={listOnly}
        busy={busy !== null}
        waiting={state ? waitingIn(state, matter.queueId).length : null}
        block={issuingBlock(
          cat.queues.find((q) => q.id === matter.queueId),
          state?.stats,
          now,
          tz,
        )}
        green={pendingId?.green === true}
        onTake={() => void issue({ matterId: matter.id })}
      />
    ) : (
      <div class="loading">{errorMessage("UNKNOWN_MATTER", lang)}</div>
    );
  } else
    body = (
      <Issued
        cat={cat}
        ticket={screen.ticket}
        idMasked={screen.idMasked}
        lang={lang}
        kioskId={kioskId}
        onDone={() => setScreen({ kind: "home" })}
        onPrint={(print) => setScreen({ ...screen, ticket: { ...screen.ticket, print } })}
        onError={showError}
      />
    );

  return (
    // data-live: the hall snapshot has arrived, so this screen's room is joined and reader
    // and scanner input will reach it (tests wait for it before placing a card).
    <div
      class={`kiosk${large ? " large" : ""}${listOnly ? " list-only" : ""}${cat && !cat.hall.publicUrl && !listOnly ? " with-note" : ""}`}
      data-live={state && connected ? "1" : undefined}
    >
      <ReconnectBanner connected={connected || listOnly} lang={lang} />
      <header class="bar">
        <button type="button" class="brand" onClick={() => !listOnly && setScreen({ kind: "home" })}>
          <span class="hall">{cat ? pickName(cat.hall, lang) : ""}</span>
          <span class="sub">{t("title")}</span>
        </button>
        <span class="clock">{formatClock(now, tz)}</span>
        {!listOnly && (
          <button
            type="button"
            class={`toggle${large ? " on" : ""}`}
            aria-pressed={large}
            onClick={() => setLarge(!large)}
            data-testid="large-text"
          >
            {t("largeText")}
          </button>
        )}
        <button type="button" class="toggle" onClick={() => setLang(lang === "zh" ? "en" : "zh")} data-testid="lang">
          {COMMON.switchLang[lang]}
        </button>
      </header>
      {pendingId && screen.kind !== "issued" && (
        <div class="id-banner" data-testid="id-banner">
          <span>{t("idRead", { name: pendingId.name, masked: pendingId.masked })}</span>
          <button type="button" onClick={() => setPendingId(null)}>
            {t("clearId")}
          </button>
        </div>
      )}
      <main>
        {screen.kind !== "home" && screen.kind !== "issued" && !listOnly && (
          <nav class="crumbs">
            <button type="button" onClick={() => setScreen({ kind: "home" })}>
              ⌂ {t("home")}
            </button>
            {screen.kind === "matter" && cat && (
              <button
                type="button"
                onClick={() => {
                  const m = cat.matters.find((x) => x.id === screen.matterId);
                  const zoneId = cat.departments.find((d) => d.id === m?.departmentId)?.zoneId;
                  setScreen(zoneId ? { kind: "zone", zoneId } : { kind: "home" });
                }}
              >
                ‹ {t("back")}
              </button>
            )}
          </nav>
        )}
        {body}
        {busy && <div class="busy">{busy === "booking" ? t("appointment") : t("issuing")}</div>}
      </main>
      <ErrorToast message={error} onClose={() => setError(null)} lang={lang} />
      {cat && !cat.hall.publicUrl && !listOnly && <PublicUrlNote lang={lang} />}
    </div>
  );
}

/**
 * For staff, in a corner: hall.publicUrl is not set, so the ticket QR codes point at the
 * address this kiosk reaches the hub by (127.0.0.1 on the kiosk machine), which phones
 * cannot open. Small and out of the way: visitors can still use the kiosk.
 */
function PublicUrlNote(props: { lang: Lang }) {
  const t = translator(KIOSK, props.lang);
  return (
    <p class="staff-note" data-testid="public-url-note" role="note">
      {t("publicUrlUnset", { origin: location.origin })}
    </p>
  );
}

function ZoneMatters(props: {
  cat: Catalogue;
  lang: Lang;
  zoneId: string;
  open: (id: string) => void;
  blockNote: (m: Matter) => string | null;
}) {
  const { cat, lang, zoneId, open } = props;
  const zone = cat.zones.find((z) => z.id === zoneId);
  return (
    <div class="zone-view">
      <h2>
        {zone ? pickName(zone, lang) : zoneId} <small>{zone?.floor}</small>
      </h2>
      <MatterList cat={cat} lang={lang} matters={mattersOfZone(cat, zoneId)} open={open} blockNote={props.blockNote} />
    </div>
  );
}

/** 预约取号: type the booking code on the on-screen keyboard (or scan it, any screen). */
function BookingEntry(props: { lang: Lang; busy: boolean; onSubmit: (code: string) => void }) {
  const t = translator(KIOSK, props.lang);
  const [code, setCode] = useState("");
  const submit = () => {
    const c = code.trim().toUpperCase();
    if (c) props.onSubmit(c);
  };
  return (
    <form
      class="booking"
      data-testid="booking"
      onSubmit={(e) => {
        e.preventDefault();
        submit();
      }}
    >
      <h1>{t("booking")}</h1>
      <p class="prompt">{t("bookingPrompt")}</p>
      <input
        class="code"
        value={code}
        placeholder={t("bookingPlaceholder")}
        onInput={(e) => setCode((e.target as HTMLInputElement).value.toUpperCase())}
        autoComplete="off"
        spellcheck={false}
        data-testid="booking-code"
      />
      <Keyboard
        keys={[...DIGITS, ...LETTERS]}
        lang={props.lang}
        label="booking keyboard"
        onKey={(k) => setCode(code + k)}
        onBack={() => setCode(code.slice(0, -1))}
        onClear={() => setCode("")}
      />
      <button type="submit" class="big" disabled={props.busy || !code.trim()} data-testid="booking-submit">
        {t("bookingSubmit")}
      </button>
    </form>
  );
}

function MatterView(props: {
  cat: Catalogue;
  matter: Matter;
  lang: Lang;
  listOnly: boolean;
  busy: boolean;
  waiting: number | null;
  block: "OUTSIDE_HOURS" | "DAILY_CAP_REACHED" | null;
  /** The ID card read here gives the green channel (the hub applies it; nobody ticks it). */
  green: boolean;
  onTake: () => void;
}) {
  const { cat, matter, lang, block } = props;
  const t = translator(KIOSK, lang);
  const dep = cat.departments.find((d) => d.id === matter.departmentId);
  const queue = cat.queues.find((q) => q.id === matter.queueId);
  const days = (n: number) => (n === 0 ? t("onTheSpot") : t("days", { n }));
  const qr = qrSvgUrl(materialsUrl(matter.id, cat.hall.publicUrl, location.origin));
  return (
    <div class="matter-view">
      <h1>{pickName(matter, lang)}</h1>
      {dep && <p class="dep">{pickName(dep, lang)}</p>}
      <div class="facts">
        <div>
          <span class="k">{t("legalDays")}</span>
          <span class="v">{days(matter.legalDays)}</span>
        </div>
        <div>
          <span class="k">{t("promisedDays")}</span>
          <span class="v">{days(matter.promisedDays)}</span>
        </div>
        <div>
          <span class="k">{t("fee")}</span>
          <span class="v">{matter.feeYuan ? t("yuan", { n: matter.feeYuan }) : t("free")}</span>
        </div>
      </div>
      <div class="materials-qr">
        <section class="materials">
          <h2>{t("materials")}</h2>
          {matter.materials.length ? (
            <ol>
              {matter.materials.map((m) => (
                <li key={m}>{m}</li>
              ))}
            </ol>
          ) : (
            <p>{t("noMaterials")}</p>
          )}
        </section>
        {!props.listOnly && (
          <figure class="qr">
            <img src={qr} alt="QR" width={220} height={220} />
            <figcaption>{t("qrList")}</figcaption>
          </figure>
        )}
      </div>
      {!props.listOnly && (
        <div class="take">
          {block ? (
            <p class="blocked" data-testid="blocked">
              {block === "OUTSIDE_HOURS" ? t("outsideHours", { hours: formatHours(queue?.hours ?? []) }) : t("capReached")}
              <br />
              <small>{errorMessage(block, lang)}</small>
            </p>
          ) : (
            <>
              {props.waiting !== null && <p class="waiting">{t("waitingNow", { n: props.waiting })}</p>}
              {props.green && (
                <p class="green" data-testid="green-channel">
                  {t("greenChannel")}
                </p>
              )}
              <button type="button" class="big" disabled={props.busy} onClick={() => props.onTake()} data-testid="take">
                {t("takeTicket")}
              </button>
            </>
          )}
        </div>
      )}
    </div>
  );
}

function Issued(props: {
  cat: Catalogue;
  ticket: IssuedTicket;
  idMasked: string | undefined;
  lang: Lang;
  kioskId: string;
  onDone: () => void;
  onPrint: (p: PrintResult) => void;
  onError: (e: unknown) => void;
}) {
  const { cat, ticket, lang } = props;
  const t = translator(KIOSK, lang);
  const [reprinting, setReprinting] = useState(false);
  const matter = cat.matters.find((m) => m.id === ticket.matterId);
  const queue = cat.queues.find((q) => q.id === ticket.queueId);
  const zone = cat.zones.find((z) => z.id === queue?.zoneId);
  const phoneUrl = absoluteUrl(ticket.phoneUrl, cat.hall.publicUrl || location.origin);
  const failed = ticket.print.status === "failed";
  const reprint = async () => {
    setReprinting(true);
    try {
      // The kiosk that issued the ticket holds its key; each press is one request.
      const r = await createApi().reprint(ticket.id, props.kioskId, ticket.holderKey);
      props.onPrint(r.print);
    } catch (e) {
      props.onError(e);
    } finally {
      setReprinting(false);
    }
  };
  return (
    <div class={`issued${failed ? " failed" : ""}`} data-testid="issued">
      {failed && (
        <div class="print-failed" role="alert" data-testid="print-failed">
          {t("printFailed")}
          <button type="button" onClick={() => void reprint()} disabled={reprinting} data-testid="reprint">
            {t("reprint")}
          </button>
        </div>
      )}
      <p class="label">{t("yourNumber")}</p>
      <p class="number" data-testid="number">
        {ticket.number}
      </p>
      {matter && <p class="what">{pickName(matter, lang)}</p>}
      {(ticket.priority !== "normal" || props.idMasked) && (
        <p class="tags">
          {ticket.priority !== "normal" && (
            <span class={`prio p-${ticket.priority}`} data-testid="priority" data-priority={ticket.priority}>
              {t(`priority_${ticket.priority}`)}
            </span>
          )}
          {props.idMasked && <span data-testid="id-on-ticket">{t("idOnTicket", { masked: props.idMasked })}</span>}
        </p>
      )}
      <div class="facts">
        <div>
          <span class="v" data-testid="ahead">
            {t("ahead", { n: ticket.position })}
          </span>
        </div>
        <div>
          <span class="k">{t("wait")}</span>
          <span class="v">{formatWait(ticket.estimatedWaitSec, lang)}</span>
        </div>
      </div>
      {zone && <p class="where">{t("goTo", { zone: pickName(zone, lang), floor: zone.floor })}</p>}
      <figure class="qr">
        <img src={qrSvgUrl(phoneUrl)} alt="QR" width={260} height={260} data-testid="phone-qr" data-url={phoneUrl} />
        <figcaption>{t("scanPhone")}</figcaption>
      </figure>
      {ticket.print.status === "printed" && <p class="printed">{t("printed")}</p>}
      <button type="button" class="big" onClick={props.onDone} data-testid="done">
        {t("done")}
      </button>
    </div>
  );
}

const root = document.getElementById("app");
if (root) render(<KioskPage />, root);
