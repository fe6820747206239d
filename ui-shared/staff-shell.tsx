/**
 * The frame of a staff page (/admin, /admin/reports, /admin/plan, /helpdesk): the header bar
 * (title, who is signed in, the page's own links, the language switch, sign out), the
 * sign-in card while nobody is, a line for a role the page is not for, and the page's error
 * alert. Each page passes its own class names, so it keeps its look; the layout of the
 * header's right-hand group is shared.css's `.ov-staff-tools`.
 *
 * Signing out tells the hub (the token is revoked there, not only forgotten here) and then
 * forgets the session; a refusal of that request is not shown (the person is leaving).
 */
import type { ComponentChildren } from "preact";
import { useRef } from "preact/hooks";
import type { Role } from "../server/src/contract/catalogue.ts";
import type { LoginReply } from "../server/src/contract/index.ts";
import { type Api, createApi } from "./api.ts";
import { COMMON, type Lang, type MsgTable, useLang } from "./i18n.ts";
import { type SessionKeys, SignInForm, type StaffSession, useStaffSession } from "./staff-sign-in.tsx";
import { ErrorToast } from "./ui.tsx";

export const SHELL_MSG = {
  signOut: { zh: "退出", en: "Sign out" },
} satisfies MsgTable;

/** What every staff page starts with: its language, its API client on its session's token, its session. */
export interface StaffPage {
  lang: Lang;
  setLang: (l: Lang) => void;
  api: Api;
  session: StaffSession;
  /** The session's token now (downloads and sockets read it when they start). */
  token: () => string | null;
}

export function useStaffPage(keys: SessionKeys): StaffPage {
  const [lang, setLang] = useLang();
  const token = useRef(() => sessionStorage.getItem(keys.token)).current;
  const api = useRef(createApi({ token })).current;
  const session = useStaffSession({ api, lang, keys });
  return { lang, setLang, api, session, token };
}

export interface StaffShellProps {
  page: StaffPage;
  title: string;
  /** The page's classes: its outer box, its header bar, the sign-in card, the <main> around the card. */
  classes: { page: string; bar: string; signIn: string; main?: string };
  /** Who is signed in, as the header says it (default: the staff member's name). */
  who?: (login: LoginReply) => string;
  /** The page's own links in the header, before the language switch. */
  links?: ComponentChildren;
  /** The cursor waits in the user name (a page opened to sign in). */
  autoFocus?: boolean;
  /** Roles the page is for; anyone else signed in sees `notAllowed` instead of it. */
  roles?: readonly Role[];
  notAllowed?: string;
  /** The page once someone (of `roles`) is signed in. */
  children: (login: LoginReply) => ComponentChildren;
}

export function StaffShell(props: StaffShellProps) {
  const { lang, setLang, api, session } = props.page;
  const { login } = session;
  const c = props.classes;
  let body: ComponentChildren;
  if (!login)
    body = (
      <main class={c.main}>
        <SignInForm lang={lang} class={c.signIn} autoFocus={props.autoFocus} onSignIn={session.signIn} />
      </main>
    );
  else if (props.roles && !props.roles.includes(login.staff.role))
    body = (
      <main class={c.main}>
        <p role="status">{props.notAllowed}</p>
      </main>
    );
  else body = props.children(login);
  return (
    <div class={c.page}>
      <header class={c.bar}>
        <h1>{props.title}</h1>
        <div class="ov-staff-tools">
          {login && (
            <span class="who" data-testid="who">
              {props.who ? props.who(login) : login.staff.name}
            </span>
          )}
          {props.links}
          <button type="button" class="lang" onClick={() => setLang(lang === "zh" ? "en" : "zh")} data-testid="lang">
            {COMMON.switchLang[lang]}
          </button>
          {login && (
            <button
              type="button"
              data-testid="sign-out"
              onClick={() => {
                api.logout().catch(() => undefined);
                session.signOut();
              }}
            >
              {SHELL_MSG.signOut[lang]}
            </button>
          )}
        </div>
      </header>
      {body}
      <ErrorToast message={session.error} onClose={() => session.setError(null)} lang={lang} />
    </div>
  );
}
