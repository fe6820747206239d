/**
 * Staff sign-in, one for every staff page (/counter, /office): the form (labelled fields,
 * the browser's password manager hints) and the session kept in sessionStorage (the token
 * and the login reply, per page, so a clerk and an approver can share a PC's browser).
 * A refusal is said in words through the page's alert (ErrorToast, role="alert"), so a
 * screen reader announces it, and an expired session sends the page back to the form.
 */
import { useCallback, useState } from "preact/hooks";
import type { LoginReply } from "../server/src/contract/index.ts";
import { type Api, toApiError } from "./api.ts";
import { errorMessage } from "./errors.ts";
import { type Lang, type MsgTable, translator } from "./i18n.ts";

export const SIGN_IN_MSG = {
  username: { zh: "用户名", en: "Username" },
  password: { zh: "密码", en: "Password" },
  login: { zh: "登录", en: "Sign in" },
} satisfies MsgTable;

/** The sign-in form; `onSignIn` reports a refusal itself (see {@link useStaffSession}). */
export function SignInForm(props: {
  lang: Lang;
  /** The page's card style. */
  class: string;
  /** The counter's PC is for signing in: the cursor waits in the user name. */
  autoFocus?: boolean;
  onSignIn: (username: string, password: string) => Promise<void>;
}) {
  const t = translator(SIGN_IN_MSG, props.lang);
  const [u, setU] = useState("");
  const [p, setP] = useState("");
  return (
    <form
      class={props.class}
      onSubmit={(e) => {
        e.preventDefault();
        void props.onSignIn(u, p);
      }}
    >
      <label>
        {t("username")}
        <input
          name="username"
          value={u}
          onInput={(e) => setU((e.target as HTMLInputElement).value)}
          autoFocus={props.autoFocus}
          autoComplete="username"
        />
      </label>
      <label>
        {t("password")}
        <input
          name="password"
          type="password"
          value={p}
          onInput={(e) => setP((e.target as HTMLInputElement).value)}
          autoComplete="current-password"
        />
      </label>
      <button type="submit" class="primary">
        {t("login")}
      </button>
    </form>
  );
}

/** Where a page keeps its session (sessionStorage keys). */
export interface SessionKeys {
  token: string;
  login: string;
}

function readLogin(key: string): LoginReply | null {
  try {
    const raw = sessionStorage.getItem(key);
    return raw ? (JSON.parse(raw) as LoginReply) : null;
  } catch {
    return null;
  }
}

/** A staff page's session: who is signed in, the page's error line, and what changes them. */
export interface StaffSession {
  login: LoginReply | null;
  /** The error the page shows (ErrorToast), in words. */
  error: string | null;
  setError: (message: string | null) => void;
  signIn: (username: string, password: string) => Promise<void>;
  /** Forget the session here (the hub is told by the page, when it can be). */
  signOut: () => void;
  /** Say a failure in words; UNAUTHENTICATED also signs out (the token expired or was revoked). */
  showError: (e: unknown) => void;
}

export function useStaffSession(opts: { api: Api; lang: Lang; keys: SessionKeys; onSignedOut?: () => void }): StaffSession {
  const { api, lang, keys } = opts;
  const [login, setLogin] = useState<LoginReply | null>(() => readLogin(keys.login));
  const [error, setError] = useState<string | null>(null);
  const onSignedOut = opts.onSignedOut;
  const signOut = useCallback(() => {
    sessionStorage.removeItem(keys.token);
    sessionStorage.removeItem(keys.login);
    setLogin(null);
    onSignedOut?.();
  }, [keys.token, keys.login, onSignedOut]);
  const showError = useCallback(
    (e: unknown) => {
      const err = toApiError(e);
      // After signing out, a refetch still in flight fails UNAUTHENTICATED: that is expected,
      // not something to tell the person who just signed out ("请先登录" was shown).
      if (err.code === "UNAUTHENTICATED" && !sessionStorage.getItem(keys.token)) return;
      setError(errorMessage(err.code, lang));
      if (err.code === "UNAUTHENTICATED") signOut();
    },
    [lang, signOut, keys.token],
  );
  const signIn = useCallback(
    async (username: string, password: string) => {
      try {
        const r = await api.login(username, password);
        sessionStorage.setItem(keys.token, r.token);
        sessionStorage.setItem(keys.login, JSON.stringify(r));
        setError(null);
        setLogin(r);
      } catch (e) {
        showError(e);
      }
    },
    [api, showError, keys.token, keys.login],
  );
  return { login, error, setError, signIn, signOut, showError };
}
