/** The phone page (/m/:ticketId): follow one ticket live; no personal data. */
import { render } from "preact";
import { useEffect, useRef, useState } from "preact/hooks";
import type { CallInfo, Catalogue, PublicTicket, RatingScore } from "../server/src/contract/index.ts";
import { createApi, toApiError } from "../ui-shared/api.ts";
import type { TicketWithCall } from "../ui-shared/api.ts";
import { errorMessage } from "../ui-shared/errors.ts";
import { DEFAULT_TIME_ZONE, formatClock, formatWait } from "../ui-shared/format.ts";
import { COMMON, pickName, translator, useLang } from "../ui-shared/i18n.ts";
import { useHallSocket } from "../ui-shared/socket.ts";
import { ErrorToast, ReconnectBanner } from "../ui-shared/ui.tsx";
import "../ui-shared/shared.css";
import { ticketIdFromLocation } from "./logic.ts";
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

function Phone() {
  const ticketId = ticketIdFromLocation(location.pathname, location.search);
  const [lang, setLang] = useLang();
  const t = translator(PHONE, lang);
  const [cat, setCat] = useState<Catalogue | null>(null);
  const [ticket, setTicket] = useState<PublicTicket | null>(null);
  const [call, setCall] = useState<CallInfo | undefined>(undefined);
  const [error, setError] = useState<string | null>(null);
  const [updatedAt, setUpdatedAt] = useState<number | null>(null);
  const [rated, setRated] = useState<number | null>(() => Number(localStorage.getItem(RATED_KEY + ticketId)) || null);
  const audio = useRef<AudioContext | null>(null);
  const [soundOn, setSoundOn] = useState(false);
  const lastAlert = useRef<string>("");

  const showError = (e: unknown) => setError(errorMessage(toApiError(e).code, lang));

  const apply = (tk: PublicTicket, c?: CallInfo) => {
    setTicket(tk);
    if (c) setCall(c);
    setUpdatedAt(Date.now());
  };
  const load = () => {
    api.ticket(ticketId).then((r: TicketWithCall) => {
      const { call: c, ...tk } = r;
      apply(tk, c);
    }, showError);
  };

  useEffect(() => {
    api.hall().then(setCat, showError);
    load();
  }, []);

  const { connected } = useHallSocket([{ view: "ticket", ticketId }], {
    handlers: { "ticket:progress": (p) => apply(p.ticket, p.call) },
    // On every (re)connect after a hub restart the ticket may have moved on: fetch it.
    onConnect: () => load(),
  });

  // The call alert: once per call (a recall alerts again).
  useEffect(() => {
    if (ticket?.status !== "called") return;
    const key = `${ticket.id}:${ticket.recalls}:${ticket.calledAt ?? ""}`;
    if (lastAlert.current === key) return;
    lastAlert.current = key;
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
  const rate = async (score: RatingScore) => {
    try {
      await api.rate(ticketId, score);
      localStorage.setItem(RATED_KEY + ticketId, String(score));
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

  return (
    <div class={`phone status-${ticket?.status ?? "loading"}`}>
      <ReconnectBanner connected={connected} lang={lang} />
      <header>
        <span>{cat ? pickName(cat.hall, lang) : t("title")}</span>
        <button type="button" onClick={() => setLang(lang === "zh" ? "en" : "zh")} data-testid="lang">
          {COMMON.switchLang[lang]}
        </button>
      </header>
      {!ticket ? (
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
          <p class="number" data-testid="number">
            {ticket.number}
          </p>
          <p class="status" data-testid="status">
            {t(`status_${ticket.status}`)}
          </p>
          {ticket.status === "waiting" && (
            <div class="facts">
              <div>
                <span class="k">{t("ahead")}</span>
                <span class="v" data-testid="ahead">
                  {t("people", { n: ticket.position })}
                </span>
              </div>
              <div>
                <span class="k">{t("wait")}</span>
                <span class="v">{formatWait(ticket.estimatedWaitSec, lang)}</span>
              </div>
            </div>
          )}
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
          {ticket.status === "no_show" && (
            <button
              type="button"
              class="primary"
              onClick={() => void act(() => api.reactivate(ticketId))}
              data-testid="reactivate"
            >
              {t("reactivate")}
            </button>
          )}
          {ticket.status === "done" && (
            <section class="rating">
              {rated ? (
                <p data-testid="thanks">{t("thanks")}</p>
              ) : (
                <>
                  <p>{t("rate")}</p>
                  <div class="stars">
                    {([1, 2, 3, 4, 5] as const).map((s) => (
                      <button
                        type="button"
                        key={s}
                        onClick={() => void rate(s)}
                        title={t(`stars_${s}`)}
                        data-testid={`star-${s}`}
                      >
                        ★<small>{t(`stars_${s}`)}</small>
                      </button>
                    ))}
                  </div>
                </>
              )}
            </section>
          )}
          {matter && matter.materials.length > 0 && ticket.status !== "done" && ticket.status !== "cancelled" && (
            <section class="materials">
              <h2>{t("materials")}</h2>
              <ol>
                {matter.materials.map((m) => (
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
          {ticket.status === "waiting" && (
            <button
              type="button"
              class="cancel"
              onClick={() => {
                if (confirm(t("confirmCancel"))) void act(() => api.cancel(ticketId));
              }}
              data-testid="cancel"
            >
              {t("cancel")}
            </button>
          )}
          {updatedAt && <p class="updated">{t("updated", { time: formatClock(updatedAt, tz) })}</p>}
        </main>
      )}
      <ErrorToast message={error} onClose={() => setError(null)} lang={lang} />
    </div>
  );
}

const root = document.getElementById("app");
if (root) render(<Phone />, root);
