/** Small shared components. Pages style them via the class names (see shared.css). */
import type { Lang } from "./i18n.ts";
import { COMMON, pickName } from "./i18n.ts";

/** "连接中断，正在重连…" strip, shown while the socket is down. */
export function ReconnectBanner({ connected, lang }: { connected: boolean; lang: Lang }) {
  if (connected) return null;
  return (
    <div class="ov-reconnect" role="status" data-testid="reconnecting">
      {COMMON.reconnecting[lang]}
    </div>
  );
}

/** An error sentence with a close button; `message` null hides it. */
export function ErrorToast({ message, onClose, lang }: { message: string | null; onClose: () => void; lang: Lang }) {
  if (!message) return null;
  return (
    <div class="ov-error" role="alert" data-testid="error">
      <span>{message}</span>
      <button type="button" onClick={onClose}>
        {COMMON.close[lang]}
      </button>
    </div>
  );
}

/** The options of a list of named things (matters, counters …), each by its id, named in the page's language. */
export function nameOptions(items: readonly { id: string; name: string; nameEn: string }[], lang: Lang) {
  return items.map((x) => (
    <option key={x.id} value={x.id}>
      {pickName(x, lang)}
    </option>
  ));
}
