/** The kiosk's on-screen keyboard (a kiosk has no physical one) and its pinyin candidate bar. */
import type { Candidate } from "../ui-shared/search.ts";
import { translator } from "../ui-shared/i18n.ts";
import type { Lang } from "../ui-shared/i18n.ts";
import { KIOSK } from "./kiosk-messages.ts";

export const LETTERS = "QWERTYUIOPASDFGHJKLZXCVBNM".split("");
export const DIGITS = "1234567890".split("");

/** Letter and digit keys, backspace and clear. */
export function Keyboard(props: {
  keys: string[];
  lang: Lang;
  onKey: (k: string) => void;
  onBack: () => void;
  onClear: () => void;
  label: string;
}) {
  const t = translator(KIOSK, props.lang);
  return (
    <fieldset class="letters" aria-label={props.label}>
      {props.keys.map((k) => (
        <button type="button" key={k} onClick={() => props.onKey(k)} data-key={k}>
          {k}
        </button>
      ))}
      <button type="button" class="wide" onClick={props.onBack} data-key="back" aria-label={t("keyBack")}>
        ⌫
      </button>
      <button type="button" class="wide" onClick={props.onClear} data-key="clear">
        {t("keyboardClear")}
      </button>
    </fieldset>
  );
}

/**
 * The candidate bar, as phone keyboards have it: the letters being typed, then the
 * catalogue's characters and words they spell; a tap puts one in the search.
 */
export function CandidateBar(props: { lang: Lang; letters: string; candidates: Candidate[]; onPick: (c: Candidate) => void }) {
  const t = translator(KIOSK, props.lang);
  if (!props.letters) return null;
  return (
    <fieldset class="candidates" data-testid="candidates" aria-label={t("candidates")}>
      <span class="composing" data-testid="composing">
        {props.letters}
      </span>
      {props.candidates.length === 0 ? (
        <span class="none">{t("noCandidates")}</span>
      ) : (
        props.candidates.map((c, i) => (
          <button type="button" key={c.text} onClick={() => props.onPick(c)} data-candidate={c.text} data-index={i}>
            {c.text}
          </button>
        ))
      )}
    </fieldset>
  );
}
