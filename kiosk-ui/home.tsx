/**
 * The kiosk's start screen: search (with the pinyin candidate bar), the big 找帮办 entry,
 * where to put the ID card, booking codes, and the zones with how many wait in each.
 */
import type { Catalogue, Matter } from "../server/src/contract/index.ts";
import { pickName, translator } from "../ui-shared/i18n.ts";
import type { Lang } from "../ui-shared/i18n.ts";
import { searchMatters } from "../ui-shared/search.ts";
import { IdPrompt } from "./id-prompt.tsx";
import { KIOSK } from "./kiosk-messages.ts";
import { mattersOfZone } from "./logic.ts";
import { MatterList } from "./matter-list.tsx";
import { SearchPanel } from "./search-panel.tsx";

export function Home(props: {
  cat: Catalogue;
  lang: Lang;
  query: string;
  setQuery: (q: string) => void;
  openZone: (zoneId: string) => void;
  openMatter: (matterId: string) => void;
  openBooking: () => void;
  /** The help-desk matter the 找帮办 entry takes a ticket for (none in this catalogue: no entry). */
  help: Matter | null;
  onHelp: () => void;
  busy: boolean;
  /** Waiting per zone from the live stats; null before they arrive. */
  zonesWaiting: Record<string, number> | null;
  /** An ID card is already read: no need to ask for it. */
  idRead: boolean;
  blockNote: (m: Matter) => string | null;
}) {
  const { cat, lang, query } = props;
  const t = translator(KIOSK, lang);
  const results = query.trim() ? searchMatters(cat.matters, query, { lang, synonyms: cat.synonyms ?? [] }) : null;
  const helpNote = props.help ? props.blockNote(props.help) : null;
  return (
    <div class="home">
      <SearchPanel cat={cat} lang={lang} query={query} setQuery={props.setQuery} />
      {results ? (
        <section data-testid="results">
          <h2>{t("results")}</h2>
          {results.length === 0 ? (
            <p class="empty">{t("noResults")}</p>
          ) : (
            <MatterList cat={cat} lang={lang} matters={results} open={props.openMatter} blockNote={props.blockNote} />
          )}
        </section>
      ) : (
        <section>
          <div class="home-actions">
            {props.help && (
              <button
                type="button"
                class="help-entry"
                disabled={props.busy || helpNote !== null}
                onClick={props.onHelp}
                data-testid="help-entry"
              >
                <span class="name">{t("helpEntry")}</span>
                <span class="hint">{helpNote ?? t("helpHint")}</span>
              </button>
            )}
            {!props.idRead && <IdPrompt lang={lang} />}
          </div>
          <button type="button" class="booking-entry" onClick={props.openBooking} data-testid="booking-entry">
            <span class="name">{t("booking")}</span>
            <span class="hint">{t("bookingHint")}</span>
          </button>
          <h2>{t("chooseZone")}</h2>
          <div class="zones">
            {cat.zones.map((z) => {
              const waiting = props.zonesWaiting?.[z.id];
              return (
                <button type="button" class="zone" key={z.id} onClick={() => props.openZone(z.id)} data-zone={z.id}>
                  <span class="floor">{z.floor}</span>
                  <span class="name">{pickName(z, lang)}</span>
                  <span class="count">{t("matters", { n: mattersOfZone(cat, z.id).length })}</span>
                  {waiting !== undefined && (
                    <span class={`zone-waiting${waiting === 0 ? " none" : ""}`} data-testid="zone-waiting">
                      {waiting === 0 ? t("zoneNoWait") : t("zoneWaiting", { n: waiting })}
                    </span>
                  )}
                </button>
              );
            })}
          </div>
        </section>
      )}
    </div>
  );
}
