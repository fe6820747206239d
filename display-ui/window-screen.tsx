/**
 * One counter's window screen (`/display/window/:counterId`): the small-screen twin of the
 * LED display above the counter. Text per state comes from {@link windowView}.
 */
import { useMemo } from "preact/hooks";
import type { HallSnapshot, Subscription } from "../server/src/contract/index.ts";
import { formatClock } from "../ui-shared/format.ts";
import { COMMON, translator, useLang } from "../ui-shared/i18n.ts";
import { useHallSocket } from "../ui-shared/socket.ts";
import { ReconnectBanner } from "../ui-shared/ui.tsx";
import { DISPLAY_MSG } from "./strings.ts";
import { useNow } from "./use-now.ts";
import { windowView } from "./window-view.ts";

/** The number of the counter's current ticket, from the active tickets or the recent calls. */
export function currentNumberOf(state: HallSnapshot, counterId: string): string | undefined {
  const cs = state.counters.find((c) => c.id === counterId);
  const id = cs?.currentTicketId;
  if (!id) return undefined;
  return state.active.find((t) => t.id === id)?.number ?? state.recentCalls.find((c) => c.ticketId === id)?.number;
}

/** The window screen page. */
export function WindowScreen({ counterId }: { counterId: string }) {
  const [lang, setLang] = useLang();
  const subs = useMemo<Subscription[]>(() => [{ view: "counter", counterId }], [counterId]);
  const { state, connected } = useHallSocket(subs);
  const now = useNow(10_000);

  if (!state) {
    return (
      <div class="window-screen mode-unknown">
        <ReconnectBanner connected={connected} lang={lang} />
        <p class="ws-line">{COMMON.loading[lang]}</p>
      </div>
    );
  }
  const counter = state.catalogue.counters.find((c) => c.id === counterId);
  if (!counter) {
    return (
      <div class="window-screen mode-unknown">
        <ReconnectBanner connected={connected} lang={lang} />
        <p class="ws-line" data-testid="window-line">
          {translator(DISPLAY_MSG, lang)("unknownCounter")}
        </p>
      </div>
    );
  }
  const cs = state.counters.find((c) => c.id === counterId);
  const view = windowView(counter, cs, currentNumberOf(state, counterId), lang);

  return (
    <div class={`window-screen mode-${view.mode}`} data-testid="window-screen" data-mode={view.mode}>
      <ReconnectBanner connected={connected} lang={lang} />
      <header class="ws-header">
        <span class="ws-title" data-testid="window-title">
          {view.title}
        </span>
        <span class="ws-name">{view.name}</span>
        <span class="ws-clock">{formatClock(now, state.catalogue.hall.timeZone)}</span>
        <button type="button" class="lang-toggle" onClick={() => setLang(lang === "zh" ? "en" : "zh")}>
          {COMMON.switchLang[lang]}
        </button>
      </header>
      <main class="ws-body">
        {view.number && (
          <span class={`ws-number${view.flash ? " flashing" : ""}`} data-testid="window-number">
            {view.number}
          </span>
        )}
        <div class="ws-text">
          <span class="ws-line" data-testid="window-line">
            {view.line}
          </span>
          {view.detail && <span class="ws-detail">{view.detail}</span>}
        </div>
      </main>
    </div>
  );
}
