/** "请刷身份证": where to put the ID card, with a picture of the reader under the screen. */
import { translator } from "../ui-shared/i18n.ts";
import type { Lang } from "../ui-shared/i18n.ts";
import { KIOSK } from "./kiosk-messages.ts";

/** An ID card going down onto the reader's pad (drawn inline: no image request, scales crisply). */
function ReaderPicture(props: { label: string }) {
  return (
    <svg class="reader-pic" viewBox="0 0 160 120" role="img" aria-label={props.label} data-testid="reader-picture">
      {/* the reader: a dark box with its lit reading pad */}
      <rect x="18" y="72" width="124" height="40" rx="8" fill="#334155" />
      <rect x="34" y="78" width="92" height="22" rx="4" fill="#38bdf8" opacity="0.55" />
      <circle cx="130" cy="105" r="3" fill="#22c55e" />
      {/* the card, held above the pad */}
      <g transform="rotate(-8 80 40)">
        <rect x="40" y="14" width="80" height="50" rx="6" fill="#e0f2fe" stroke="#0b4f8a" stroke-width="2.5" />
        <rect x="48" y="22" width="20" height="26" rx="2" fill="#93c5fd" />
        <rect x="74" y="24" width="38" height="4" rx="2" fill="#0b4f8a" />
        <rect x="74" y="33" width="30" height="4" rx="2" fill="#0b4f8a" />
        <rect x="48" y="54" width="64" height="4" rx="2" fill="#0b4f8a" />
      </g>
      {/* down arrow: put it on the pad */}
      <path d="M146 30 v26 m-7 -8 l7 9 l7 -9" stroke="#d9480f" stroke-width="4" fill="none" stroke-linecap="round" />
    </svg>
  );
}

export function IdPrompt(props: { lang: Lang }) {
  const t = translator(KIOSK, props.lang);
  return (
    <div class="id-prompt" data-testid="id-prompt">
      <ReaderPicture label={t("readerPicture")} />
      <div>
        <p class="title">{t("swipeId")}</p>
        <p class="hint">{t("swipeIdHint")}</p>
      </div>
    </div>
  );
}
