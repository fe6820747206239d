/**
 * Pairing of a kiosk (or screen, terminal) page: until an admin approves it, the page
 * shows a short code; once approved it keeps its device token in localStorage.
 *
 * ```tsx
 * const pairing = usePairing("kiosk", "k1");
 * if (!pairing.token) return <PairingScreen deviceRole="kiosk" id="k1" onPaired={pairing.save} />;
 * ```
 */
import { useCallback, useEffect, useState } from "preact/hooks";
import { createApi, toApiError } from "../ui-shared/api.ts";
import { errorMessage } from "../ui-shared/errors.ts";
import { COMMON, translator, useLang } from "../ui-shared/i18n.ts";
import type { MsgTable } from "../ui-shared/i18n.ts";
import "./pairing.css";

export type DeviceRole = "kiosk" | "screen" | "terminal";

const PAIRING = {
  title: { zh: "本机尚未配对", en: "This device is not paired yet" },
  code: { zh: "配对码", en: "Pairing code" },
  ask: {
    zh: "请管理员在管理台输入此配对码并批准，批准后本机将自动开始服务。",
    en: "Ask an administrator to approve this code in the console; this device starts by itself once approved.",
  },
  as: { zh: "本机将配对为：{role} {id}", en: "This device will be paired as: {role} {id}" },
  kiosk: { zh: "取号机", en: "Kiosk" },
  screen: { zh: "显示屏", en: "Screen" },
  terminal: { zh: "终端", en: "Terminal" },
  waiting: { zh: "等待批准…", en: "Waiting for approval…" },
  expires: { zh: "配对码过期后会自动更新", en: "A new code appears when this one expires" },
  requesting: { zh: "正在获取配对码…", en: "Getting a pairing code…" },
} satisfies MsgTable;

const storageKey = (role: DeviceRole, id: string) => `onevisit.device.${role}.${id}`;

/** The device token this browser holds for `role` `id`, if it was paired. */
export function storedDeviceToken(role: DeviceRole, id: string): string | null {
  try {
    return localStorage.getItem(storageKey(role, id));
  } catch {
    return null;
  }
}

/** The page's pairing: its token (null = show the pairing screen), save it, forget it (revoked). */
export function usePairing(
  role: DeviceRole,
  id: string,
): { token: string | null; save: (t: string) => void; forget: () => void } {
  const [token, setToken] = useState<string | null>(() => storedDeviceToken(role, id));
  const save = useCallback(
    (t: string) => {
      try {
        localStorage.setItem(storageKey(role, id), t);
      } catch {
        // kept for this page only; it pairs again after a reload
      }
      setToken(t);
    },
    [role, id],
  );
  const forget = useCallback(() => {
    try {
      localStorage.removeItem(storageKey(role, id));
    } catch {
      // nothing stored
    }
    setToken(null);
  }, [role, id]);
  return { token, save, forget };
}

interface PairingRequest {
  code: string;
  claimSecret: string;
  expiresAt: number;
}
type ClaimReply = { status: "pending" } | { status: "paired"; deviceToken: string };

const api = createApi();
const POLL_MS = 2000;

/** The unpaired page: asks for a code, shows it big, and waits for the approval. */
export function PairingScreen(props: { deviceRole: DeviceRole; id: string; onPaired: (token: string) => void }) {
  const { deviceRole: role, id, onPaired } = props;
  const [lang, setLang] = useLang();
  const t = translator(PAIRING, lang);
  const [req, setReq] = useState<PairingRequest | null>(null);
  const [error, setError] = useState<string | null>(null);

  useEffect(() => {
    let stopped = false;
    let timer: ReturnType<typeof setTimeout> | undefined;
    const later = (fn: () => void, ms: number) => {
      if (!stopped) timer = setTimeout(fn, ms);
    };
    const request = async () => {
      try {
        const r = await api.request<PairingRequest>("POST", "/api/pairings", { role, id });
        if (stopped) return;
        setReq(r);
        setError(null);
        void poll(r);
      } catch (e) {
        setError(errorMessage(toApiError(e).code, lang));
        later(() => void request(), 10_000);
      }
    };
    const poll = async (r: PairingRequest) => {
      // No expiry check against this PC's clock: a kiosk whose clock runs ahead of the hub's
      // saw every fresh code as expired and asked for new ones in a loop until it was rate
      // limited. The hub, which owns the code, answers NOT_FOUND once it has expired.
      try {
        const c = await api.request<ClaimReply>("POST", "/api/pairings/claim", { code: r.code, claimSecret: r.claimSecret });
        if (stopped) return;
        if (c.status === "paired") return onPaired(c.deviceToken);
        later(() => void poll(r), POLL_MS);
      } catch (e) {
        // The code expired or the hub restarted (codes live in its memory): ask for a new one.
        if (toApiError(e).code === "NOT_FOUND") return void request();
        later(() => void poll(r), POLL_MS * 3);
      }
    };
    void request();
    return () => {
      stopped = true;
      clearTimeout(timer);
    };
  }, [role, id]);

  return (
    <div class="pairing" data-testid="pairing">
      <header class="pairing-bar">
        <button type="button" class="pairing-lang" onClick={() => setLang(lang === "zh" ? "en" : "zh")} data-testid="lang">
          {COMMON.switchLang[lang]}
        </button>
      </header>
      <main class="pairing-main">
        <h1>{t("title")}</h1>
        {req ? (
          <>
            <p class="pairing-label">{t("code")}</p>
            <p class="pairing-code" data-testid="pairing-code" data-code={req.code}>
              {req.code.slice(0, 3)} {req.code.slice(3)}
            </p>
            <p class="pairing-ask">{t("ask")}</p>
            <p class="pairing-as">{t("as", { role: t(role), id })}</p>
            <p class="pairing-wait" role="status">
              {t("waiting")} <small>{t("expires")}</small>
            </p>
          </>
        ) : (
          <p class="pairing-wait" role="status">
            {t("requesting")}
          </p>
        )}
        {error && (
          <p class="pairing-error" role="alert">
            {error}
          </p>
        )}
      </main>
    </div>
  );
}
