/** A list of matters as buttons (a zone's matters, search results). */
import type { Catalogue, Matter } from "../server/src/contract/index.ts";
import { pickName } from "../ui-shared/i18n.ts";
import type { Lang } from "../ui-shared/i18n.ts";

export function MatterList(props: {
  cat: Catalogue;
  lang: Lang;
  matters: Matter[];
  open: (id: string) => void;
  blockNote: (m: Matter) => string | null;
}) {
  const { cat, lang, matters, open } = props;
  return (
    <div class="matters">
      {matters.map((m) => {
        const dep = cat.departments.find((d) => d.id === m.departmentId);
        const note = props.blockNote(m);
        return (
          <button
            type="button"
            class={`matter${note ? " blocked-matter" : ""}`}
            key={m.id}
            onClick={() => open(m.id)}
            data-matter={m.id}
          >
            <span class="name">{pickName(m, lang)}</span>
            {dep && <span class="dep">{pickName(dep, lang)}</span>}
            {note && (
              <span class="note" data-testid="matter-blocked">
                {note}
              </span>
            )}
          </button>
        );
      })}
    </div>
  );
}
