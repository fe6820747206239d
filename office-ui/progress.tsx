/**
 * The public progress page (/q/<caseNo>, the receipt's QR code): after the last four digits
 * of the applicant's phone or ID number, the case's status, timeline, due date and what is
 * still owed — masked personal data only — kept live over the case socket.
 */
import { render } from "preact";
import { useEffect, useRef, useState } from "preact/hooks";
import type { PublicCase } from "../server/src/contract/cases.ts";
import { createApi, toApiError } from "../ui-shared/api.ts";
import { type CaseSocket, caseSocket, casesApi } from "../ui-shared/cases-api.ts";
import { errorMessage } from "../ui-shared/errors.ts";
import { DEFAULT_TIME_ZONE } from "../ui-shared/format.ts";
import { COMMON, translator, useLang } from "../ui-shared/i18n.ts";
import { ReconnectBanner } from "../ui-shared/ui.tsx";
import "../ui-shared/shared.css";
import { caseNoFromPath, isCheck, localDateTime, owedMaterials } from "./logic.ts";
import { CASE_WORDS, PROGRESS } from "./messages.ts";
import { PostalSection } from "./postal-section.tsx";
import "./progress.css";

const api = casesApi(createApi());
const CHECK_KEY = "onevisit.case.check.";

function remembered(caseNo: string): string | null {
  try {
    return sessionStorage.getItem(CHECK_KEY + caseNo);
  } catch {
    return null;
  }
}
function remember(caseNo: string, check: string | null): void {
  try {
    if (check) sessionStorage.setItem(CHECK_KEY + caseNo, check);
    else sessionStorage.removeItem(CHECK_KEY + caseNo);
  } catch {
    // not remembered: asked again after a reload
  }
}

function Progress() {
  const caseNo = caseNoFromPath(location.pathname);
  const [lang, setLang] = useLang();
  const t = translator(PROGRESS, lang);
  const w = translator(CASE_WORDS, lang);
  const [check, setCheck] = useState<string | null>(() => remembered(caseNo));
  const [input, setInput] = useState("");
  const [c, setC] = useState<PublicCase | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [connected, setConnected] = useState(true);
  const socket = useRef<CaseSocket | null>(null);

  const load = (digits: string) =>
    api.publicCase(caseNo, digits).then(
      (r) => {
        setC(r);
        setError(null);
      },
      (e) => {
        const code = toApiError(e).code;
        // A wrong number and wrong digits are one answer: nothing tells them apart.
        setError(code === "UNKNOWN_CASE" || code === "VALIDATION_FAILED" ? t("notFound") : errorMessage(code, lang));
        if (code === "UNKNOWN_CASE") {
          remember(caseNo, null);
          setCheck(null);
          setC(null);
        }
      },
    );

  useEffect(() => {
    if (!check) return;
    void load(check);
    const s = caseSocket(
      { view: "case", caseNo, check },
      {
        // After a reconnect, fetch once: updates may have been missed meanwhile.
        onConnect: () => void load(check),
        onState: setConnected,
      },
    );
    s.on("case:progress", (p) => {
      if (p.caseNo === caseNo) setC(p);
    });
    socket.current = s;
    return () => {
      s.disconnect();
      socket.current = null;
    };
  }, [check]);

  const langButton = (
    <button type="button" class="lang" onClick={() => setLang(lang === "zh" ? "en" : "zh")} data-testid="lang">
      {COMMON.switchLang[lang]}
    </button>
  );
  const tz = DEFAULT_TIME_ZONE;

  return (
    <div class="progress-page">
      {check && <ReconnectBanner connected={connected} lang={lang} />}
      <header class="pbar">
        <h1>{t("title")}</h1>
        {langButton}
      </header>
      <main>
        <p class="pcase">
          {t("caseNo")} <strong data-testid="case-no">{caseNo}</strong>
        </p>
        {!check || !c ? (
          <form
            class="pcheck"
            onSubmit={(e) => {
              e.preventDefault();
              const d = input.trim().toUpperCase();
              if (!isCheck(d)) {
                setError(t("badCheck"));
                return;
              }
              remember(caseNo, d);
              setCheck(d);
              if (d === check) void load(d);
            }}
          >
            <p>{t("checkHint")}</p>
            <label>
              {t("checkLabel")}
              <input
                name="check"
                inputMode="numeric"
                autoComplete="off"
                maxLength={4}
                value={input}
                onInput={(e) => setInput((e.target as HTMLInputElement).value)}
                aria-describedby={error ? "perror" : undefined}
              />
            </label>
            <button type="submit" data-testid="check-submit">
              {t("look")}
            </button>
            {error && (
              <p class="perror" id="perror" role="alert" data-testid="progress-error">
                {error}
              </p>
            )}
          </form>
        ) : (
          <>
            <CaseView c={c} lang={lang} t={t} w={w} tz={tz} />
            <PostalSection c={c} lang={lang} onCase={setC} />
          </>
        )}
        {check && c && (
          <button
            type="button"
            class="plink"
            onClick={() => {
              remember(caseNo, null);
              setCheck(null);
              setC(null);
              setInput("");
            }}
          >
            {t("other")}
          </button>
        )}
      </main>
    </div>
  );
}

function CaseView(props: {
  c: PublicCase;
  lang: "zh" | "en";
  t: ReturnType<typeof translator<typeof PROGRESS>>;
  w: ReturnType<typeof translator<typeof CASE_WORDS>>;
  tz: string;
}) {
  const { c, lang, t, w, tz } = props;
  const owed = owedMaterials(c.materials);
  return (
    <div class="pview" data-testid="case-view" data-status={c.status} data-version={c.version}>
      <dl class="psummary">
        <dt>{t("matter")}</dt>
        <dd>{lang === "en" && c.matterNameEn ? c.matterNameEn : c.matterName}</dd>
        <dt>{t("applicant")}</dt>
        <dd data-testid="applicant">
          {c.applicant.nameMasked} · {c.applicant.phoneMasked}
        </dd>
        <dt>{t("status")}</dt>
        <dd>
          <strong class={`pstatus s-${c.status}`} data-testid="case-status">
            {w(`status_${c.status}`)}
          </strong>
        </dd>
        {c.dueDate && (
          <>
            <dt>{t("due")}</dt>
            <dd data-testid="case-due">
              {c.dueDate}
              {c.clockPaused && <span class="ptag">{t("paused")}</span>}
              {c.overdue && <span class="ptag warn">{t("overdue")}</span>}
            </dd>
          </>
        )}
      </dl>
      <section>
        <h2>{t("owed")}</h2>
        {owed.length === 0 ? (
          <p data-testid="owed-none">{t("nothingOwed")}</p>
        ) : (
          <ul data-testid="owed">
            {owed.map((m) => (
              <li key={m.index}>
                {lang === "en" && m.nameEn ? m.nameEn : m.name}
                {m.promisedDate && <span class="pmuted"> · {t("owedBy", { date: m.promisedDate })}</span>}
              </li>
            ))}
          </ul>
        )}
      </section>
      <section>
        <h2>{t("timeline")}</h2>
        <ol class="ptimeline" data-testid="timeline">
          {c.timeline.map((s, i) => (
            <li key={`${s.at}-${i}`} data-action={s.action}>
              <time>{localDateTime(s.at, tz)}</time>
              <span>
                {w(
                  s.action === "collect" && c.collection?.via === "self_print"
                    ? "action_collect_self_print"
                    : `action_${s.action}`,
                )}
              </span>
              {s.note && <span class="pnote">{s.note}</span>}
            </li>
          ))}
        </ol>
        <p class="pmuted">{t("live")}</p>
      </section>
    </div>
  );
}

const root = document.getElementById("app");
if (root) render(<Progress />, root);
