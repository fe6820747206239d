/**
 * The search box of the kiosk: typed on the on-screen keyboard (or a physical one), with
 * a pinyin candidate bar on the Chinese page: letters compose, a tap on 不动产 replaces
 * "budongchan" in the box. Whatever stays in letters is searched as pinyin or English.
 */
import { useMemo } from "preact/hooks";
import type { Catalogue } from "../server/src/contract/index.ts";
import { translator } from "../ui-shared/i18n.ts";
import type { Lang } from "../ui-shared/i18n.ts";
import { applyCandidate, buildVocabulary, composing, pinyinCandidates } from "../ui-shared/search.ts";
import { CandidateBar, Keyboard, LETTERS } from "./keyboard.tsx";
import { KIOSK } from "./kiosk-messages.ts";

export function SearchPanel(props: { cat: Catalogue; lang: Lang; query: string; setQuery: (q: string) => void }) {
  const { cat, lang, query, setQuery } = props;
  const t = translator(KIOSK, lang);
  const vocab = useMemo(() => buildVocabulary(cat.matters, cat.synonyms), [cat]);
  // English visitors type English words: no candidate bar for them.
  const letters = lang === "zh" ? composing(query) : "";
  const candidates = useMemo(() => (letters ? pinyinCandidates(vocab, letters, 10) : []), [vocab, letters]);
  return (
    <div class="search-panel">
      <div class="search">
        <input
          type="search"
          value={query}
          placeholder={t("searchPlaceholder")}
          aria-label={t("searchLabel")}
          onInput={(e) => setQuery((e.target as HTMLInputElement).value)}
          data-testid="search"
        />
      </div>
      <CandidateBar lang={lang} letters={letters} candidates={candidates} onPick={(c) => setQuery(applyCandidate(query, c))} />
      <Keyboard
        keys={LETTERS}
        lang={lang}
        label={t("keyboard")}
        onKey={(l) => setQuery(query + l.toLowerCase())}
        onBack={() => setQuery(Array.from(query).slice(0, -1).join(""))}
        onClear={() => setQuery("")}
      />
    </div>
  );
}
