/**
 * The finish dialog's content: the four outcomes, and for 不予受理 / 容缺受理 the checklist of
 * what is missing (一次性告知: the visitor is told everything at once, so at least one item is
 * required before the clerk can confirm).
 */
import { useEffect, useRef, useState } from "preact/hooks";
import type { Matter, Outcome } from "../server/src/contract/index.ts";
import type { Lang, translator } from "../ui-shared/i18n.ts";
import type { COUNTER } from "./messages.ts";

type T = ReturnType<typeof translator<typeof COUNTER>>;

const OUTCOMES = ["completed", "accepted_incomplete", "rejected", "referred"] as const satisfies readonly Outcome[];

/** The free-text line's limit: one short item, not a letter. */
export const OTHER_MAX = 100;

/** Outcomes after which the visitor has something left to bring, so the clerk lists it. */
export function needsMissing(o: Outcome): boolean {
  return o === "rejected" || o === "accepted_incomplete";
}

/**
 * What to send as `missing`: the checked materials in the catalogue's order, then the free
 * text if any. Checked items are sent in Chinese, the catalogue's own wording, whatever the
 * page's language: the phone page finds their English twins by position.
 */
export function missingToSend(materials: readonly string[], checked: ReadonlySet<number>, other: string): string[] {
  const out = materials.filter((_, i) => checked.has(i));
  const extra = other.trim().slice(0, OTHER_MAX);
  if (extra && !out.includes(extra)) out.push(extra);
  return out;
}

export function FinishForm(props: {
  t: T;
  lang: Lang;
  matter: Matter | undefined;
  onFinish: (outcome: Outcome, missing: string[]) => void;
}) {
  const { t, lang, matter, onFinish } = props;
  const [picked, setPicked] = useState<Outcome | null>(null);
  const [checked, setChecked] = useState<ReadonlySet<number>>(new Set());
  const [other, setOther] = useState("");
  const list = useRef<HTMLFieldSetElement>(null);

  const materials = matter?.materials ?? [];
  // Shown in English only when the catalogue has every item translated (same length).
  const shown = lang === "en" && matter?.materialsEn?.length === materials.length ? matter.materialsEn : materials;
  const missing = missingToSend(materials, checked, other);
  const ready = missing.length > 0;

  // Picking 不予受理 / 容缺受理 moves the focus into the list, so the keyboard carries on there.
  useEffect(() => {
    if (picked && needsMissing(picked)) {
      list.current?.querySelector<HTMLElement>("input")?.focus();
    }
  }, [picked]);

  const toggle = (i: number) =>
    setChecked((s) => {
      const n = new Set(s);
      if (n.has(i)) n.delete(i);
      else n.add(i);
      return n;
    });

  return (
    <form
      data-testid="finish-form"
      onSubmit={(e) => {
        e.preventDefault();
        if (picked && needsMissing(picked) && ready) onFinish(picked, missing);
      }}
      onKeyDown={(e) => {
        // Enter on a checkbox confirms too (browsers only submit from text fields); Space ticks.
        const el = e.target as HTMLInputElement;
        if (e.key === "Enter" && el.type === "checkbox") {
          e.preventDefault();
          (e.currentTarget as HTMLFormElement).requestSubmit();
        }
      }}
    >
      <div class="choices" data-testid="outcomes">
        {OUTCOMES.map((o, i) => (
          <button
            type="button"
            key={o}
            data-outcome={o}
            data-autofocus={i === 0 ? true : undefined}
            aria-pressed={needsMissing(o) ? picked === o : undefined}
            class={picked === o ? "picked" : undefined}
            onClick={() => {
              // 办结 and 转办 finish at once, with no list; the other two open the checklist.
              if (needsMissing(o)) setPicked(o);
              else onFinish(o, []);
            }}
          >
            {t(`outcome_${o}`)}
          </button>
        ))}
      </div>
      {picked && needsMissing(picked) && (
        <>
          <fieldset class="missing" ref={list} data-testid="missing-list">
            <legend>{t("missingTitle")}</legend>
            {shown.map((m, i) => (
              <label key={materials[i]}>
                <input type="checkbox" name="missing" value={materials[i]} checked={checked.has(i)} onChange={() => toggle(i)} />
                {m}
              </label>
            ))}
            <label class="other">
              {t("missingOther")}
              <input
                name="missingOther"
                maxLength={OTHER_MAX}
                placeholder={t("missingOtherHint")}
                value={other}
                onInput={(e) => setOther((e.target as HTMLInputElement).value)}
              />
            </label>
          </fieldset>
          {!ready && (
            <p class="missing-hint" id="missing-hint" data-testid="missing-hint">
              {t("missingRequired")}
            </p>
          )}
          <button
            type="submit"
            class="primary"
            disabled={!ready}
            aria-describedby={ready ? undefined : "missing-hint"}
            data-testid="finish-confirm"
          >
            {t("finishConfirm", { outcome: t(`outcome_${picked}`) })}
          </button>
        </>
      )}
    </form>
  );
}
