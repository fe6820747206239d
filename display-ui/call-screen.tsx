/**
 * The hall call screen (`/display`, `?zone=<zoneId>` for one zone): the call being
 * announced large, the calls queued for announcement (即将叫号), the last calls, waiting
 * counts per zone, the scrolling notice and a clock. Every call is announced (chime + the
 * hub's TTS, or the browser's speech), `announceRepeat` times (hall setting, `?repeat=N`
 * overrides), through the announcement queue, which also decides what the big panel
 * shows: panel and voice always name the same ticket.
 */
import { useEffect, useMemo, useRef, useState } from "preact/hooks";
import type { CallInfo, Subscription, TicketCalled } from "../server/src/contract/index.ts";
import { formatClockSeconds, formatDate } from "../ui-shared/format.ts";
import type { Lang } from "../ui-shared/i18n.ts";
import { COMMON, pickName, translator, useLang } from "../ui-shared/i18n.ts";
import { useHallSocket } from "../ui-shared/socket.ts";
import { ReconnectBanner } from "../ui-shared/ui.tsx";
import { type AnnouncerView, createAnnouncer } from "./announcer.ts";
import { createBrowserPlayer } from "./browser-player.ts";
import { announceRepeat, callBoard, speechSentence, zoneWaiting } from "./call-model.ts";
import { DISPLAY_MSG } from "./strings.ts";
import { hubNow } from "../ui-shared/hub-clock.ts";
import { useNow } from "./use-now.ts";
import { shortCounterName } from "./window-view.ts";

export const CHIME_URL = "/api/voice/chime.wav";
/** How long the current call keeps its frame pulsing. */
const FLASH_MS = 12_000;
const RECENT_SHOWN = 6;
/** A call older than this (by the hub's clock) is not flashed again after a reload. */
const STALE_MS = 10 * 60_000;

/** Resolves after the next paint (or 100 ms when the page is not painting). */
function nextPaint(): Promise<void> {
  return new Promise((resolve) => {
    const timer = setTimeout(resolve, 100);
    requestAnimationFrame(() =>
      setTimeout(() => {
        clearTimeout(timer);
        resolve();
      }, 0),
    );
  });
}

function useAnnouncer(zoneId: string | null, repeat: () => number) {
  const [blocked, setBlocked] = useState(false);
  const [view, setView] = useState<AnnouncerView>({ current: null, pending: [] });
  const repeatRef = useRef(repeat);
  repeatRef.current = repeat;
  const ref = useRef<{ announcer: ReturnType<typeof createAnnouncer>; player: ReturnType<typeof createBrowserPlayer> } | null>(
    null,
  );
  if (!ref.current) {
    const player = createBrowserPlayer();
    const announcer = createAnnouncer({
      player,
      now: () => performance.now(),
      chimeUrl: CHIME_URL,
      speechText: (e) => speechSentence(e.call),
      speechLang: "zh-CN",
      repeat: () => repeatRef.current(),
      settle: nextPaint,
      onBlocked: setBlocked,
      onChange: setView,
    });
    ref.current = { announcer, player };
  }
  useEffect(() => {
    const r = ref.current;
    if (!r) return;
    // Detect a browser that blocks sound until a tap, before the first call arrives.
    void r.player.probe(CHIME_URL).then((ok) => {
      if (!ok) r.announcer.block();
    });
  }, []);
  const onCalled = (e: TicketCalled): void => {
    if (zoneId !== null && e.call.zoneId !== zoneId) return;
    ref.current?.announcer.enqueue(e);
  };
  const unlock = (): void => {
    const r = ref.current;
    if (!r) return;
    // Inside the tap: play something so the page gets its user activation for audio.
    void r.player.probe(CHIME_URL).then((ok) => {
      if (ok) r.announcer.unblock();
    });
  };
  return { blocked, view, onCalled, unlock };
}

/** The call screen page. */
export function CallScreen() {
  const [lang, setLang] = useLang();
  const t = translator(DISPLAY_MSG, lang);
  const zoneId = useMemo(() => new URLSearchParams(location.search).get("zone"), []);
  const subs = useMemo<Subscription[]>(() => (zoneId ? [{ view: "zone", zoneId }] : [{ view: "hall" }]), [zoneId]);
  const hallRepeat = useRef<number | undefined>(undefined);
  const sound = useAnnouncer(zoneId, () => announceRepeat(location.search, hallRepeat.current));
  const { state, connected } = useHallSocket(subs, { handlers: { "ticket:called": sound.onCalled } });
  const now = useNow();

  if (!state) {
    return (
      <div class="call-screen loading">
        <ReconnectBanner connected={connected} lang={lang} />
        <p>{COMMON.loading[lang]}</p>
      </div>
    );
  }
  const cat = state.catalogue;
  hallRepeat.current = cat.hall.announceRepeat;
  const tz = cat.hall.timeZone;
  const zone = zoneId ? cat.zones.find((z) => z.id === zoneId) : undefined;
  const board = callBoard(
    state.recentCalls,
    zoneId,
    sound.view.current?.call ?? null,
    sound.view.pending.map((e) => e.call),
    RECENT_SHOWN,
  );
  const current = board.now;
  const zones = zoneWaiting(cat, state.stats, state.active, zoneId, lang);
  const counterNameOf = (c: CallInfo): string => {
    const def = cat.counters.find((x) => x.id === c.counterId);
    return def ? shortCounterName(def, lang) : c.counterName;
  };
  const notice = lang === "en" && cat.hall.noticeEn ? cat.hall.noticeEn : cat.hall.notice;

  return (
    <div class="call-screen">
      <ReconnectBanner connected={connected} lang={lang} />
      <header class="cs-header">
        <div class="cs-hall">
          <h1 class="cs-hall-name">{pickName(cat.hall, lang)}</h1>
          {zoneId && <span class="cs-zone">{zone ? `${zone.floor} · ${pickName(zone, lang)}` : t("unknownZone")}</span>}
        </div>
        <div class="cs-time">
          {sound.blocked && (
            <button
              type="button"
              class="sound-notice"
              data-testid="enable-sound"
              title={t("enableSoundHint")}
              onClick={sound.unlock}
            >
              <svg class="sound-icon" viewBox="0 0 24 24" aria-hidden="true">
                <path d="M3 9v6h4l5 5V4L7 9H3z" fill="currentColor" />
                <path d="M16 9l6 6M22 9l-6 6" fill="none" stroke="currentColor" stroke-width="2" stroke-linecap="round" />
              </svg>
              <span>{t("enableSound")}</span>
            </button>
          )}
          <span class="cs-date">{formatDate(now, lang, tz)}</span>
          <span class="cs-clock" data-testid="clock">
            {formatClockSeconds(now, tz)}
          </span>
          <button type="button" class="lang-toggle" onClick={() => setLang(lang === "zh" ? "en" : "zh")}>
            {COMMON.switchLang[lang]}
          </button>
        </div>
      </header>
      <main class="cs-main">
        <section class="cs-now" data-testid="now-calling" aria-live="polite">
          <h2 class="cs-now-label">{t("nowCalling")}</h2>
          {current ? (
            <NewestCall
              key={`${current.ticketId}-${current.at}`}
              call={current}
              counterName={counterNameOf(current)}
              now={now}
              lang={lang}
            />
          ) : (
            <div class="cs-none">{t("noCalls")}</div>
          )}
        </section>
        <div class="cs-side">
          <CallList kind="upcoming" title={t("upcoming")} calls={board.upcoming} lang={lang} />
          <CallList kind="recent" title={t("recentCalls")} calls={board.recent} lang={lang} />
        </div>
      </main>
      <section class="cs-zones" data-testid="zone-waiting" aria-label={t("waiting")}>
        <span class="cs-zones-label">{t("waiting")}</span>
        {zones.map((z) => (
          <span class="cs-zone-item" key={z.zoneId} data-zone={z.zoneId}>
            <span class="cs-zone-name">
              <span class="cs-zone-floor">{z.floor}</span> {z.name}
            </span>
            <b class="cs-zone-count">{t("persons", { n: z.waiting })}</b>
          </span>
        ))}
      </section>
      <footer class="cs-notice">
        <div class="cs-marquee" data-testid="notice">
          <span>{notice}</span>
          <span aria-hidden="true">{notice}</span>
        </div>
      </footer>
    </div>
  );
}

/** A side list of calls: 即将叫号 (waiting for their announcement) or 最近叫号 (announced). */
function CallList({ kind, title, calls, lang }: { kind: "upcoming" | "recent"; title: string; calls: CallInfo[]; lang: Lang }) {
  const t = translator(DISPLAY_MSG, lang);
  return (
    <section class={`cs-${kind}`}>
      <h2>{title}</h2>
      <ol data-testid={`${kind}-calls`}>
        {kind === "upcoming" && calls.length === 0 && <li class="cs-empty">—</li>}
        {calls.map((c) => (
          <li key={`${c.ticketId}-${c.at}`} data-number={c.number}>
            <span class="cs-r-number">{c.number}</span>
            <span class="cs-r-counter">{t("counterN", { n: c.counterNumber })}</span>
          </li>
        ))}
      </ol>
    </section>
  );
}

function NewestCall({ call, counterName, now, lang }: { call: CallInfo; counterName: string; now: number; lang: Lang }) {
  const t = translator(DISPLAY_MSG, lang);
  // Flash for a while after the call appeared here (the parent's key remounts this on every
  // new call or recall); the hub's `at` rules out replaying an old call's flash after a page
  // reload. Both on the hub's clock (`now` is too): the screen PC's own may be hours off.
  const [shownAt] = useState(hubNow);
  const flashing = now - shownAt < FLASH_MS && Math.abs(shownAt - call.at) < STALE_MS;
  return (
    <div
      class={`cs-call${flashing ? " flashing" : ""}`}
      data-testid="newest-call"
      data-number={call.number}
      data-counter={call.counterNumber}
    >
      <div class="cs-call-line">
        <span class="cs-word">{t("please")}</span>
        <span class="cs-number" data-testid="newest-number">
          {call.number}
        </span>
        {t("numberSuffix") && <span class="cs-word">{t("numberSuffix")}</span>}
      </div>
      <div class="cs-call-line">
        <span class="cs-word">{t("goTo")}</span>
        <span class="cs-counter" data-testid="newest-counter">
          {t("counterN", { n: call.counterNumber })}
        </span>
        {t("handle") && <span class="cs-word">{t("handle")}</span>}
      </div>
      <div class="cs-counter-name">
        {counterName}
        {call.recall > 0 && <span class="cs-recall">{t("recall")}</span>}
      </div>
    </div>
  );
}
