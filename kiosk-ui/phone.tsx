/** The phone page (/m/:ticketId): follow one ticket live; no personal data. */
import { render } from "preact";
import { useEffect, useRef, useState } from "preact/hooks";
import type {
  CallInfo,
  Catalogue,
  Matter,
  PublicTicket,
  RatingReason,
  RatingScore,
  TicketHolderView,
} from "../server/src/contract/index.ts";
import { createApi, toApiError } from "../ui-shared/api.ts";
import { cachedCatalogue, revalidateCatalogue } from "../ui-shared/catalogue-cache.ts";
import { hubTimeOf, syncHubClock } from "../ui-shared/hub-clock.ts";
import type { TicketWithCall } from "../ui-shared/api.ts";
import { errorMessage } from "../ui-shared/errors.ts";
import { DEFAULT_TIME_ZONE, formatClock, formatWait } from "../ui-shared/format.ts";
import { COMMON, pickName, translator, useLang } from "../ui-shared/i18n.ts";
import { useHallSocket } from "../ui-shared/socket.ts";
import { ErrorToast, ReconnectBanner } from "../ui-shared/ui.tsx";
import "../ui-shared/shared.css";
import { ticketIdFromLocation } from "./logic.ts";
import { keyFromHash, materialsIn, missingIn, outcomeNeedsMaterials, ratingReady } from "./phone-logic.ts";
import { PHONE } from "./phone-messages.ts";
import "./phone.css";

const api = createApi();

/** A short two-tone beep; silently nothing where audio is not allowed yet. */
function beep(ctx: AudioContext | null) {
  if (!ctx) return;
  void ctx.resume().catch(() => undefined);
  const t0 = ctx.currentTime;
  for (const [i, f] of [880, 660, 880].entries()) {
    const osc = ctx.createOscillator();
    const gain = ctx.createGain();
    osc.frequency.value = f;
    gain.gain.setValueAtTime(0.3, t0 + i * 0.25);
    gain.gain.exponentialRampToValueAtTime(0.001, t0 + i * 0.25 + 0.22);
    osc.connect(gain).connect(ctx.destination);
    osc.start(t0 + i * 0.25);
    osc.stop(t0 + i * 0.25 + 0.23);
  }
}

const RATED_KEY = "onevisit.rated.";
/** The holder key is remembered per ticket, so a reload (or the link without its
 * fragment, once stripped from the address bar) keeps the visitor's rights. */
const KEY_KEY = "onevisit.key.";
const REASONS: readonly RatingReason[] = ["long_wait", "slow", "attitude", "not_done", "other"];
const COMMENT_MAX = 200;

function stored(name: string): string | null {
  try {
    return localStorage.getItem(name);
  } catch {
    return null; // storage disabled (private mode)
  }
}
function store(name: string, value: string | null): void {
  try {
    if (value === null) localStorage.removeItem(name);
    else localStorage.setItem(name, value);
  } catch {
    // not remembered: the page still works until it is closed
  }
}

/** The key from the link, else the one remembered for this ticket. The fragment is then
 * taken out of the address bar so a shared screenshot or link does not carry it. */
function initialKey(ticketId: string): string | undefined {
  const fromLink = keyFromHash(location.hash);
  if (fromLink) {
    store(KEY_KEY + ticketId, fromLink);
    history.replaceState(null, "", location.pathname + location.search);
    return fromLink;
  }
  return stored(KEY_KEY + ticketId) ?? undefined;
}

function Phone() {
  const ticketId = ticketIdFromLocation(location.pathname, location.search);
  const [key, setKey] = useState<string | undefined>(() => initialKey(ticketId));
  const [lang, setLang] = useLang();
  const t = translator(PHONE, lang);
  const [cat, setCat] = useState<Catalogue | null>(null);
  const [ticket, setTicket] = useState<PublicTicket | null>(null);
  const [holder, setHolder] = useState<TicketHolderView | null>(null);
  const [closed, setClosed] = useState(false);
  const [call, setCall] = useState<CallInfo | undefined>(undefined);
  const [error, setError] = useState<string | null>(null);
  const [updatedAt, setUpdatedAt] = useState<number | null>(null);
  const [, setClockKnown] = useState(false);
  const [rated, setRated] = useState<number | null>(() => Number(stored(RATED_KEY + ticketId)) || null);
  const audio = useRef<AudioContext | null>(null);
  const [soundOn, setSoundOn] = useState(false);
  const lastAlert = useRef<string>("");
  /** The ticket's language is applied once; after that the visitor's own choice wins. */
  const langFollowed = useRef(new URLSearchParams(location.search).has("lang"));

  const showError = (e: unknown) => setError(errorMessage(toApiError(e).code, lang));

  const apply = (tk: PublicTicket, c?: CallInfo) => {
    setTicket(tk);
    if (c) setCall(c);
    setUpdatedAt(Date.now());
  };
  const load = (k = key) => {
    api.ticket(ticketId, k).then(
      (r: TicketWithCall) => {
        const { call: c, holder: h, ...tk } = r;
        apply(tk, c);
        if (h) {
          setHolder(h);
          if (h.rating) setRated(h.rating);
          if (!langFollowed.current) {
            langFollowed.current = true;
            if (h.lang !== lang) setLang(h.lang);
          }
        }
      },
      (e) => {
        const err = toApiError(e);
        if (err.code === "TICKET_DAY_CLOSED") {
          setClosed(true);
          setTicket(null);
          return;
        }
        if (err.code === "TICKET_KEY_REQUIRED" && k) {
          // A stale or mistyped key: forget it and show what anyone may see.
          store(KEY_KEY + ticketId, null);
          setKey(undefined);
          load("");
        }
        showError(e);
      },
    );
  };

  useEffect(() => {
    // The page's copy of the catalogue (ui-shared/catalogue-cache.ts), as every page keeps it:
    // drawn at once, then revalidated with its version (304) instead of loaded again. The
    // phone gets no snapshot naming the version, so it asks each time it opens.
    // "Updated at" is shown next to the hub's times (issued at …): on the hub's clock too.
    syncHubClock().then(
      () => setClockKnown(true),
      () => undefined,
    );
    const have = cachedCatalogue();
    if (have) setCat(have);
    revalidateCatalogue().then(setCat, (e) => {
      if (!have) showError(e);
    });
    load();
  }, []);

  const { connected } = useHallSocket([{ view: "ticket", ticketId }], {
    handlers: {
      "ticket:progress": (p) => {
        apply(p.ticket, p.call);
        // The outcome is the holder's: fetch it when the service ends.
        if (p.ticket.status === "done" && key) load();
      },
      // Midnight: the hall closed the day; the ticket is gone (the hub answers 410).
      "hall:day": () => load(),
    },
    // On every (re)connect after a hub restart the ticket may have moved on: fetch it.
    onConnect: () => load(),
  });

  // The call alert: once per call (a recall alerts again).
  useEffect(() => {
    if (ticket?.status !== "called") return;
    const k = `${ticket.id}:${ticket.recalls}:${ticket.calledAt ?? ""}`;
    if (lastAlert.current === k) return;
    lastAlert.current = k;
    beep(audio.current);
    if ("vibrate" in navigator) navigator.vibrate([400, 200, 400, 200, 400]);
  }, [ticket]);

  const enableSound = () => {
    try {
      audio.current ??= new AudioContext();
      void audio.current.resume();
      setSoundOn(true);
    } catch {
      setSoundOn(false);
    }
  };

  const act = async (fn: () => Promise<PublicTicket>) => {
    setError(null);
    try {
      apply(await fn());
    } catch (e) {
      showError(e);
    }
  };
  const rate = async (score: RatingScore, reasons: RatingReason[], comment: string): Promise<void> => {
    try {
      await api.rate(ticketId, score, key, score <= 2 ? { reasons, comment: comment.trim() } : {});
      store(RATED_KEY + ticketId, String(score));
      setRated(score);
    } catch (e) {
      const err = toApiError(e);
      if (err.code === "ALREADY_RATED") setRated(score);
      showError(e);
    }
  };

  const tz = cat?.hall.timeZone ?? DEFAULT_TIME_ZONE;
  const matter = cat?.matters.find((m) => m.id === ticket?.matterId);
  const queue = cat?.queues.find((q) => q.id === ticket?.queueId);
  const zone = cat?.zones.find((z) => z.id === queue?.zoneId);
  const counterId = call?.counterId ?? ticket?.counterId;
  const counter = cat?.counters.find((c) => c.id === counterId);
  const counterLabel = call ? t("counterNo", { n: call.counterNumber }) : counter ? t("counterNo", { n: counter.number }) : "";
  const outcome = ticket?.status === "done" ? holder?.outcome : undefined;
  const statusText = outcome ? t(`outcome_${outcome}`) : ticket ? t(`status_${ticket.status}`) : "";

  return (
    <div class={`phone status-${closed ? "closed" : (ticket?.status ?? "loading")}${outcome ? ` outcome-${outcome}` : ""}`}>
      <ReconnectBanner connected={connected} lang={lang} />
      <header>
        <span>{cat ? pickName(cat.hall, lang) : t("title")}</span>
        <button
          type="button"
          onClick={() => {
            langFollowed.current = true;
            setLang(lang === "zh" ? "en" : "zh");
          }}
          data-testid="lang"
        >
          {COMMON.switchLang[lang]}
        </button>
      </header>
      {closed ? (
        <main>
          <section class="closed" role="status" data-testid="closed">
            <h1>{t("closedTitle")}</h1>
            <p>{t("closedBody")}</p>
            <p>{t("closedWhat")}</p>
          </section>
        </main>
      ) : !ticket ? (
        <p class="loading">{COMMON.loading[lang]}</p>
      ) : (
        <main>
          {(ticket.status === "called" || ticket.status === "serving") && counterLabel && (
            <div class="called" role="alert" data-testid="called">
              <strong>{t(`status_${ticket.status}`)}</strong>
              <span>{t("calledBanner", { counter: counterLabel })}</span>
              {counter && <small>{pickName(counter, lang)}</small>}
            </div>
          )}
          <h1 class="number" data-testid="number">
            {ticket.number}
          </h1>
          <p class="status" data-testid="status">
            {statusText}
          </p>
          {ticket.status === "waiting" && (
            <div class="facts">
              <div>
                <span class="k">{t("ahead")}</span>
                <span class="v" data-testid="ahead">
                  {t("people", { n: ticket.position })}
                </span>
              </div>
              <div data-testid="wait" data-uncertain={ticket.estimateRange?.uncertain ? "1" : undefined}>
                <span class="k">{t(ticket.estimateRange?.uncertain ? "waitUncertain" : "wait")}</span>
                <span class="v">
                  {ticket.estimateRange?.uncertain
                    ? t("waitRange", {
                        lo: Math.max(1, Math.floor(ticket.estimateRange.lowSec / 300) * 5),
                        hi: Math.max(5, Math.ceil(ticket.estimateRange.highSec / 300) * 5),
                      })
                    : formatWait(ticket.estimatedWaitSec, lang)}
                </span>
              </div>
            </div>
          )}
          {ticket.status === "waiting" && ticket.estimateRange?.uncertain && (
            <p class="uncertain" data-testid="wait-uncertain">
              {t("uncertainWhy")}
            </p>
          )}
          {outcome && <Outcome outcome={outcome} missing={holder?.missing ?? []} matter={matter} lang={lang} />}
          <dl>
            {matter && (
              <>
                <dt>{t("matter")}</dt>
                <dd>{pickName(matter, lang)}</dd>
              </>
            )}
            {zone && (
              <>
                <dt>{t("where")}</dt>
                <dd>
                  {pickName(zone, lang)} · {zone.floor}
                </dd>
              </>
            )}
            <dt>{t("issuedAt")}</dt>
            <dd>{formatClock(ticket.issuedAt, tz)}</dd>
          </dl>
          {ticket.status === "no_show" && key && (
            <button
              type="button"
              class="primary"
              onClick={() => void act(() => api.reactivate(ticketId, key))}
              data-testid="reactivate"
            >
              {t("reactivate")}
            </button>
          )}
          {ticket.status === "done" &&
            key &&
            (rated ? (
              <section class="rating">
                <p data-testid="thanks">{t("thanks")}</p>
              </section>
            ) : (
              <Rating lang={lang} onSend={rate} />
            ))}
          {matter && matter.materials.length > 0 && ticket.status !== "done" && ticket.status !== "cancelled" && (
            <section class="materials">
              <h2>{t("materials")}</h2>
              <ol>
                {materialsIn(matter, lang).map((m) => (
                  <li key={m}>{m}</li>
                ))}
              </ol>
            </section>
          )}
          {(ticket.status === "waiting" || ticket.status === "called") && (
            <button type="button" class={`sound${soundOn ? " on" : ""}`} onClick={enableSound}>
              {soundOn ? t("soundOn") : t("sound")}
            </button>
          )}
          {ticket.status === "waiting" && key && (
            <button
              type="button"
              class="cancel"
              onClick={() => {
                if (confirm(t("confirmCancel"))) void act(() => api.cancel(ticketId, key));
              }}
              data-testid="cancel"
            >
              {t("cancel")}
            </button>
          )}
          {!key && (
            <p class="no-key" data-testid="no-key">
              {t("noKey")}
            </p>
          )}
          {updatedAt && <p class="updated">{t("updated", { time: formatClock(hubTimeOf(updatedAt), tz) })}</p>}
        </main>
      )}
      <ErrorToast message={error} onClose={() => setError(null)} lang={lang} />
    </div>
  );
}

/** How the service ended and, for a refused or incomplete case, what is still needed. */
function Outcome(props: {
  outcome: NonNullable<TicketHolderView["outcome"]>;
  missing: string[];
  matter: Matter | undefined;
  lang: "zh" | "en";
}) {
  const { outcome, missing, matter, lang } = props;
  const t = translator(PHONE, lang);
  const needs = outcomeNeedsMaterials(outcome);
  // The clerk's list when given; otherwise the matter's whole list to check against.
  const items = missing.length ? missingIn(matter, missing, lang) : needs && matter ? materialsIn(matter, lang) : [];
  return (
    <section class="outcome" data-testid="outcome" data-outcome={outcome}>
      <p>{t(`outcomeHelp_${outcome}`)}</p>
      {items.length > 0 && (
        <>
          <h2>{missing.length ? t("missingTitle") : t("materialsCheck")}</h2>
          <ul data-testid="missing">
            {items.map((m) => (
              <li key={m}>{m}</li>
            ))}
          </ul>
        </>
      )}
    </section>
  );
}

/** 好差评: stars start empty; 1 or 2 asks why (a short list and the visitor's own words). */
function Rating(props: {
  lang: "zh" | "en";
  onSend: (score: RatingScore, reasons: RatingReason[], comment: string) => Promise<void>;
}) {
  const t = translator(PHONE, props.lang);
  const [score, setScore] = useState<RatingScore | null>(null);
  const [reasons, setReasons] = useState<RatingReason[]>([]);
  const [comment, setComment] = useState("");
  const [sending, setSending] = useState(false);
  const low = score !== null && score <= 2;
  const ready = ratingReady(score, reasons, comment);
  const toggle = (r: RatingReason) => setReasons((rs) => (rs.includes(r) ? rs.filter((x) => x !== r) : [...rs, r]));
  return (
    <section class="rating" data-testid="rating">
      <h2 id="rate-title">{t("rate")}</h2>
      <div class="stars" role="radiogroup" aria-labelledby="rate-title">
        {([1, 2, 3, 4, 5] as const).map((s) => (
          // biome-ignore lint/a11y/useSemanticElements: a row of star buttons reads better than radio inputs on a phone
          <button
            type="button"
            role="radio"
            key={s}
            aria-checked={score === s}
            class={score !== null && s <= score ? "on" : ""}
            onClick={() => setScore(s)}
            data-testid={`star-${s}`}
          >
            <span aria-hidden="true">{score !== null && s <= score ? "★" : "☆"}</span>
            <small>{t(`stars_${s}`)}</small>
          </button>
        ))}
      </div>
      <p class="chosen" aria-live="polite" data-testid="chosen">
        {score === null ? t("chooseStars") : `${t("starsChosen", { n: score })} · ${t(`stars_${score}`)}`}
      </p>
      {low && (
        <fieldset class="reasons" data-testid="reasons">
          <legend>{t("reasonsTitle")}</legend>
          {REASONS.map((r) => (
            <label key={r}>
              <input type="checkbox" checked={reasons.includes(r)} onChange={() => toggle(r)} data-testid={`reason-${r}`} />
              {t(`reason_${r}`)}
            </label>
          ))}
          <label class="comment">
            <span>{t("comment")}</span>
            <textarea
              maxLength={COMMENT_MAX}
              rows={3}
              value={comment}
              onInput={(e) => setComment((e.target as HTMLTextAreaElement).value)}
              data-testid="comment"
            />
          </label>
          <small class="left">{t("commentLeft", { n: COMMENT_MAX - comment.length })}</small>
          {reasons.length === 0 && <p class="hint">{t("reasonNeeded")}</p>}
        </fieldset>
      )}
      {score !== null && (
        <button
          type="button"
          class="primary"
          disabled={!ready || sending}
          onClick={() => {
            if (!ready || score === null) return;
            setSending(true);
            void props.onSend(score, low ? reasons : [], low ? comment : "").finally(() => setSending(false));
          }}
          data-testid="send-rating"
        >
          {t("submitRating")}
        </button>
      )}
    </section>
  );
}

const root = document.getElementById("app");
if (root) render(<Phone />, root);
