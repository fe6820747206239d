/**
 * The 统一出证 window (/certificates?counter=c43): the clerk signs in and holds the window;
 * a receipt's QR scanned, an ID card on the reader (both arrive over the socket from the
 * window's own devices) or a typed case number finds the certificates; the clerk records
 * who collects (the applicant, or an agent with their ID — the number goes to the hub
 * only, which keeps it hashed and masked) and hands over once; or enters an address and
 * mails it, the label printing on the window's label printer.
 */
import { render } from "preact";
import { useEffect, useRef, useState } from "preact/hooks";
import { io } from "socket.io-client";
import type { CaseStatus } from "../server/src/contract/cases.ts";
import type { CertificateMatch, MailResult, WindowLookup } from "../server/src/contract/delivery.ts";
import type { ClerkReprintReply } from "../server/src/contract/terminals.ts";
import { AddressForm } from "../ui-shared/address-form.tsx";
import type { createApi } from "../ui-shared/api.ts";
import { newIdempotencyKey } from "../ui-shared/cases-api.ts";
import { deliveryApi } from "../ui-shared/delivery-api.ts";
import { DEFAULT_TIME_ZONE } from "../ui-shared/format.ts";
import { type Lang, translator } from "../ui-shared/i18n.ts";
import { StaffShell, useStaffPage } from "../ui-shared/staff-shell.tsx";
import { ReconnectBanner } from "../ui-shared/ui.tsx";
import "../ui-shared/shared.css";
import { localDateTime } from "../office-ui/logic.ts";
import { CASE_WORDS } from "../office-ui/messages.ts";
import "./certificates.css";
import { Ledger } from "./ledger.tsx";
import { CERT } from "./messages.ts";

const TOKEN_KEY = "onevisit.certificates.token";
const SESSION_KEYS = { token: TOKEN_KEY, login: "onevisit.certificates.login" };

type T = ReturnType<typeof translator<typeof CERT>>;

function App() {
  const page = useStaffPage(SESSION_KEYS);
  const t = translator(CERT, page.lang);
  return (
    <StaffShell page={page} title={t("title")} classes={{ page: "cert-page", bar: "cbar", signIn: "ccard login" }}>
      {(login) => {
        const counterId = new URLSearchParams(location.search).get("counter") ?? login.counterId ?? "";
        const { lang, api, session } = page;
        return (
          <>
            <Window t={t} lang={lang} api={api} counterId={counterId} onError={session.showError} />
            {(login.staff.role === "supervisor" || login.staff.role === "admin") && (
              <div class="cmain">
                <Ledger api={api} lang={lang} token={page.token} onError={session.showError} />
              </div>
            )}
          </>
        );
      }}
    </StaffShell>
  );
}

function Window(props: {
  t: T;
  lang: Lang;
  api: ReturnType<typeof createApi>;
  counterId: string;
  onError: (e: unknown) => void;
}) {
  const { t, lang, api, counterId, onError } = props;
  const d = useRef(deliveryApi(api)).current;
  const [ready, setReady] = useState(false);
  const [connected, setConnected] = useState(true);
  const [code, setCode] = useState("");
  const [matches, setMatches] = useState<CertificateMatch[] | null>(null);
  const [reading, setReading] = useState<WindowLookup["reading"] | null>(null);
  const [source, setSource] = useState<string | null>(null);

  useEffect(() => {
    // Hold the window (a clerk already holding it signs in again harmlessly).
    api.counterSignIn(counterId).then(
      () => setReady(true),
      (e) => onError(e),
    );
    const s = io("", { path: "/socket.io", auth: { token: sessionStorage.getItem(TOKEN_KEY) }, reconnectionDelayMax: 2000 });
    s.on("connect", () => {
      setConnected(true);
      s.emit("certificates:subscribe", { counterId }, () => {});
    });
    s.on("disconnect", () => setConnected(false));
    s.on("certificates:found", (l: WindowLookup) => {
      if (l.counterId !== counterId) return;
      setSource(l.source);
      setReading(l.reading ?? null);
      setMatches(l.matches);
    });
    return () => {
      s.disconnect();
    };
  }, [counterId]);

  const refresh = async (caseNo: string) => {
    try {
      const [m] = await d.find({ counterId, caseNo });
      if (m) setMatches((list) => (list ?? []).map((x) => (x.caseNo === caseNo ? m : x)));
    } catch (e) {
      onError(e);
    }
  };

  return (
    <main class="cmain" data-testid={ready ? "window-ready" : "window-loading"}>
      <ReconnectBanner connected={connected} lang={lang} />
      <form
        class="ccard search"
        onSubmit={async (e) => {
          e.preventDefault();
          const v = code.trim();
          if (!v) return;
          try {
            const found = /^\d{6}-\d{8}-\d{5,7}$/.test(v)
              ? await d.find({ counterId, caseNo: v })
              : await d.find({ counterId, qr: v });
            setSource(null);
            setReading(null);
            setMatches(found);
          } catch (err) {
            onError(err);
          }
        }}
      >
        <p>{t("searchHint")}</p>
        <label>
          {t("searchLabel")}
          <input name="code" value={code} onInput={(e) => setCode((e.target as HTMLInputElement).value)} autoComplete="off" />
        </label>
        <button type="submit" class="primary" data-testid="find">
          {t("find")}
        </button>
      </form>
      {reading && (
        <p class="reading" data-testid="reading">
          {t("readCard", { name: reading.name, id: reading.idMasked })}
        </p>
      )}
      {source === "scanner" && <p class="reading">{t("scanned")}</p>}
      {matches && (
        <section aria-labelledby="results-title">
          <h2 id="results-title">{t("results")}</h2>
          {matches.length === 0 ? (
            <p data-testid="no-match">{t("none")}</p>
          ) : (
            <ul class="matches">
              {matches.map((m) => (
                <MatchCard
                  key={m.caseNo}
                  m={m}
                  t={t}
                  lang={lang}
                  reading={reading}
                  counterId={counterId}
                  d={d}
                  onError={onError}
                  onChanged={() => void refresh(m.caseNo)}
                />
              ))}
            </ul>
          )}
        </section>
      )}
    </main>
  );
}

function MatchCard(props: {
  m: CertificateMatch;
  t: T;
  lang: Lang;
  reading: WindowLookup["reading"] | null;
  counterId: string;
  d: ReturnType<typeof deliveryApi>;
  onError: (e: unknown) => void;
  onChanged: () => void;
}) {
  const { m, t, lang, reading, counterId, d, onError, onChanged } = props;
  const w = translator(CASE_WORDS, lang);
  const [kind, setKind] = useState<"applicant" | "agent">("applicant");
  const [useCard, setUseCard] = useState(true);
  const [name, setName] = useState("");
  const [idNo, setIdNo] = useState("");
  const [addr, setAddr] = useState(false);
  const [mail, setMail] = useState<MailResult | null>(null);
  // One key per intended hand-over / mailing: a double click acts once.
  const collectKey = useRef(newIdempotencyKey());
  const mailKey = useRef(newIdempotencyKey());
  const canMail = m.status === "certificate_ready" && m.postal?.status === "requested";
  const labelText = mail
    ? mail.label.status === "printed"
      ? t("labelPrinted")
      : mail.label.status === "pending"
        ? t("labelPending")
        : t("labelNone")
    : null;
  return (
    <li class="ccard match" data-testid={`match-${m.caseNo}`} data-status={m.status}>
      <h3>
        {lang === "en" ? m.matterNameEn : m.matterName} · <span class="mono">{m.caseNo}</span>
      </h3>
      <p>
        {t("applicant")}: {m.applicantName} {m.applicantIdMasked ?? ""} · {t("status")}:{" "}
        <strong data-testid="match-status">{w(`status_${m.status as CaseStatus}`)}</strong>
      </p>
      {m.collection && (
        <p data-testid="collected-by">
          {m.collection.via === "self_print"
            ? t("selfPrinted", {
                name: m.collection.name,
                id: m.collection.idMasked,
                at: localDateTime(m.collection.at, DEFAULT_TIME_ZONE),
                terminal: m.collection.terminalId ?? "",
              })
            : t("collected", {
                name: m.collection.name,
                id: m.collection.idMasked,
                at: localDateTime(m.collection.at, DEFAULT_TIME_ZONE),
                n: m.collection.counterNumber ?? "",
              })}
        </p>
      )}
      {m.collectable && (
        <form
          class="collect"
          data-testid="collect-form"
          onSubmit={async (e) => {
            e.preventDefault();
            const collector =
              reading && useCard
                ? { kind, reading: reading.id }
                : { kind, name: name.trim(), idNumber: idNo.trim().toUpperCase() };
            try {
              await d.collect(m.caseNo, { counterId, expectedVersion: m.version, collector }, collectKey.current);
              collectKey.current = newIdempotencyKey();
              onChanged();
            } catch (err) {
              onError(err);
            }
          }}
        >
          <fieldset>
            <legend>{t("collectTitle")}</legend>
            <label class="check">
              <input
                type="radio"
                name={`kind-${m.caseNo}`}
                value="applicant"
                checked={kind === "applicant"}
                onChange={() => setKind("applicant")}
              />
              {t("kindApplicant")}
            </label>
            <label class="check">
              <input
                type="radio"
                name={`kind-${m.caseNo}`}
                value="agent"
                checked={kind === "agent"}
                onChange={() => setKind("agent")}
              />
              {t("kindAgent")}
            </label>
            {reading && (
              <label class="check">
                <input type="checkbox" checked={useCard} onChange={(e) => setUseCard((e.target as HTMLInputElement).checked)} />
                {t("useCard")}（{reading.name} {reading.idMasked}）
              </label>
            )}
            {(!reading || !useCard) && (
              <>
                <label>
                  {t("collectorName")}
                  <input
                    name="collectorName"
                    required
                    value={name}
                    onInput={(e) => setName((e.target as HTMLInputElement).value)}
                  />
                </label>
                <label>
                  {t("collectorId")}
                  <input
                    name="collectorId"
                    required
                    autoComplete="off"
                    maxLength={18}
                    value={idNo}
                    onInput={(e) => setIdNo((e.target as HTMLInputElement).value)}
                  />
                </label>
              </>
            )}
          </fieldset>
          <button type="submit" class="primary" data-testid="collect-submit">
            {t("collect")}
          </button>
        </form>
      )}
      {m.collection?.via === "self_print" && (
        <CopyForm t={t} m={m} counterId={counterId} d={d} onError={onError} terminalId={m.collection.terminalId} />
      )}
      <div class="post">
        <h4>{t("postal")}</h4>
        {m.postal && (
          <p data-testid="postal-status" data-postal={m.postal.status}>
            {t(`postal_${m.postal.status}`)}
            {m.postal.waybillNo && <span class="mono"> · {t("waybill", { no: m.postal.waybillNo })}</span>}
          </p>
        )}
        {mail && (
          <p data-testid="mail-result" data-label={mail.label.status}>
            <span data-testid="waybill">{mail.waybillNo}</span> · {labelText}
          </p>
        )}
        {canMail && (
          <button
            type="button"
            class="primary"
            data-testid="mail-submit"
            onClick={async () => {
              try {
                const r = await d.mail(m.caseNo, counterId, mailKey.current);
                setMail(r);
                onChanged();
              } catch (err) {
                onError(err);
              }
            }}
          >
            {t("mail")}
          </button>
        )}
        {m.postal?.waybillNo && (
          <button
            type="button"
            onClick={async () => {
              try {
                setMail(await d.reprint(m.caseNo, counterId));
              } catch (err) {
                onError(err);
              }
            }}
          >
            {t("reprint")}
          </button>
        )}
        {m.postal?.waybillNo && (m.postal.status === "sent" || m.postal.status === "in_transit") && (
          <button
            type="button"
            data-testid="track"
            onClick={async () => {
              try {
                await d.track(m.caseNo);
                onChanged();
              } catch (err) {
                onError(err);
              }
            }}
          >
            {t("track")}
          </button>
        )}
        {!m.postal && (m.status === "certificate_ready" || m.status === "approved") && (
          <>
            <button type="button" aria-expanded={addr} onClick={() => setAddr(!addr)} data-testid="add-address">
              {t("addAddress")}
            </button>
            {addr && (
              <AddressForm
                lang={lang}
                onSubmit={async (body) => {
                  try {
                    await d.setPostal(m.caseNo, body, newIdempotencyKey());
                    setAddr(false);
                    onChanged();
                  } catch (err) {
                    onError(err);
                  }
                }}
              />
            )}
          </>
        )}
      </div>
    </li>
  );
}

/** 补打: a second copy of a self-printed certificate, with the reason, here or at the terminal. */
function CopyForm(props: {
  t: T;
  m: CertificateMatch;
  counterId: string;
  terminalId: string | undefined;
  d: ReturnType<typeof deliveryApi>;
  onError: (e: unknown) => void;
}) {
  const { t, m, counterId, terminalId, d, onError } = props;
  const [reason, setReason] = useState("");
  const [busy, setBusy] = useState(false);
  const [done, setDone] = useState<ClerkReprintReply | null>(null);
  const print = async (at?: string) => {
    if (busy || !reason.trim()) return;
    setBusy(true);
    try {
      setDone(await d.copyCertificate(m.caseNo, { counterId, reason: reason.trim(), ...(at ? { terminalId: at } : {}) }));
    } catch (err) {
      onError(err);
    } finally {
      setBusy(false);
    }
  };
  return (
    <form
      class="copy"
      data-testid="copy-form"
      onSubmit={(e) => {
        e.preventDefault();
        void print();
      }}
    >
      <fieldset>
        <legend>{t("copyTitle")}</legend>
        <label>
          {t("copyReason")}
          <input
            name="copyReason"
            required
            maxLength={200}
            value={reason}
            onInput={(e) => setReason((e.target as HTMLInputElement).value)}
          />
        </label>
      </fieldset>
      <button type="submit" class="primary" disabled={busy} data-testid="copy-here">
        {t("copyHere")}
      </button>
      {terminalId && (
        <button type="button" disabled={busy} data-testid="copy-terminal" onClick={() => void print(terminalId)}>
          {t("copyAtTerminal", { terminal: terminalId })}
        </button>
      )}
      {done && (
        <p data-testid="copy-done" data-copy={done.copy}>
          {t("copyDone", { n: done.copy, printer: done.print.printerId })}
        </p>
      )}
    </form>
  );
}

const root = document.getElementById("app");
if (root) render(<App />, root);
