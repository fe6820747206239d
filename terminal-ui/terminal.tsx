/**
 * The self-service terminal page (/terminal?terminal=t1): query (查询) and print (打印).
 * Portrait 1080×1920 and landscape 1920×1080, Chinese first, English switch, large text.
 *
 * Personal data lives only in this page's memory: the ID card's token and the cases shown
 * are dropped by the idle reset (60 s without a touch), which also tells the hub to forget
 * the card read here. Nothing but the device token (pairing) goes to the browser's storage.
 *
 * The start screen's sections are one list (SECTIONS). Payment (缴费): the card read on the
 * pay screen lists the visitor's fees; the payment code the terminal's scanner reads stays
 * in the hub (the page gets a token); the result comes as `payment:order` on the socket. A
 * bank card (银行卡) is paid on the terminal's POS: its prompts (insert the card, the PIN …)
 * come as `payment:prompt`, and the visitor may cancel until a card is read.
 */
import { render } from "preact";
import { useCallback, useEffect, useLayoutEffect, useRef, useState } from "preact/hooks";
import { io, type Socket } from "socket.io-client";
import type { Catalogue, Matter } from "../server/src/contract/catalogue.ts";
import type {
  CancelReply,
  CardPromptStage,
  FeeDue,
  FeeList,
  PaymentOrderView,
  PaymentPrompt,
} from "../server/src/contract/payment-orders.ts";
import type { HallNow, TerminalCase, TerminalCaseList, TerminalInput } from "../server/src/contract/terminals.ts";
import { createApi, toApiError } from "../ui-shared/api.ts";
import { errorMessage } from "../ui-shared/errors.ts";
import { COMMON, detectLang, interpolate, type Lang, pickName, translator } from "../ui-shared/i18n.ts";
import "../ui-shared/shared.css";
import { PairingScreen, storedDeviceToken, usePairing } from "../kiosk-ui/pairing.tsx";
import { ACTIVITY_EVENT, CASE_NO, IDLE_MS, SECTIONS, type Section, keypadInput, newRequestId, orderOpen, yuan } from "./logic.ts";
import { CARD_FAILURE, CARD_PROMPT, FAILURE, STATUS, T } from "./messages.ts";
import "./terminal.css";

const terminalId = () => new URLSearchParams(location.search).get("terminal") || "t1";
const api = createApi({ token: () => storedDeviceToken("terminal", terminalId()) });
const base = () => `/api/terminals/${encodeURIComponent(terminalId())}`;

type Screen =
  | { kind: "home" }
  | { kind: Section }
  | { kind: "cases"; list: TerminalCaseList; idToken: string }
  | { kind: "case"; c: TerminalCase }
  | { kind: "guide"; matterId: string }
  | { kind: "fees"; fees: FeeDue[]; idToken: string }
  | { kind: "payScan"; fee: FeeDue; idToken: string }
  | { kind: "paying"; fee: FeeDue; idToken: string; order: PaymentOrderView; prompt?: CardPromptStage };

function TerminalPage() {
  const id = terminalId();
  const pairing = usePairing("terminal", id);
  if (!pairing.token) return <PairingScreen deviceRole="terminal" id={id} onPaired={pairing.save} />;
  return <Terminal deviceToken={pairing.token} onUnpaired={pairing.forget} />;
}

function Terminal(props: { deviceToken: string; onUnpaired: () => void }) {
  // The language is not remembered: the next visitor starts in Chinese.
  const [lang, setLang] = useState<Lang>(() => detectLang(location.search, null));
  const [large, setLarge] = useState(false);
  const [screen, setScreen] = useState<Screen>({ kind: "home" });
  const [notice, setNotice] = useState<{ text: string; tone: "ok" | "error" | "info" } | null>(null);
  const [busy, setBusy] = useState(false);
  const [cat, setCat] = useState<Catalogue | null>(null);
  const [connected, setConnected] = useState(false);
  const [live, setLive] = useState(false);
  const idTokenRef = useRef<string | null>(null);
  const screenRef = useRef(screen);
  screenRef.current = screen;
  const t = translator(T, lang);

  useLayoutEffect(() => {
    document.documentElement.lang = lang === "zh" ? "zh-CN" : "en";
  }, [lang]);

  useEffect(() => {
    api.hall().then(setCat, () => {});
  }, []);

  /** Back to the start, everything personal forgotten (here and at the hub). */
  const goHome = useCallback(() => {
    const token = idTokenRef.current;
    idTokenRef.current = null;
    setScreen({ kind: "home" });
    setNotice(null);
    setBusy(false);
    api.request("POST", `${base()}/session/end`, token ? { idToken: token } : {}).catch(() => {});
  }, []);
  /** The idle reset: the start screen as the next visitor should find it (Chinese, normal text). */
  const reset = useCallback(() => {
    goHome();
    setLarge(false);
    setLang(detectLang(location.search, null));
  }, [goHome]);

  // The idle reset: any touch, click or key restarts the 60 s.
  useEffect(() => {
    let timer = setTimeout(reset, IDLE_MS);
    const touch = () => {
      clearTimeout(timer);
      timer = setTimeout(reset, IDLE_MS);
    };
    const events = ["pointerdown", "keydown", "wheel", "touchstart", ACTIVITY_EVENT] as const;
    for (const e of events) window.addEventListener(e, touch, { passive: true });
    return () => {
      clearTimeout(timer);
      for (const e of events) window.removeEventListener(e, touch);
    };
  }, [reset]);

  const fail = (e: unknown) => {
    const code = toApiError(e).code;
    if (code === "UNAUTHENTICATED") return props.onUnpaired();
    setNotice({ text: errorMessage(code, lang), tone: "error" });
  };

  const showFees = async (idToken: string) => {
    const r = await api.request<FeeList>("GET", `${base()}/fees?idToken=${encodeURIComponent(idToken)}`);
    setScreen({ kind: "fees", fees: r.fees, idToken });
  };
  const showCard = async (idToken: string) => {
    idTokenRef.current = idToken;
    setBusy(true);
    // On the pay screen the card opens the visitor's fees, elsewhere their cases.
    if (screenRef.current.kind === "pay") {
      try {
        setNotice(null);
        await showFees(idToken);
      } catch (e) {
        fail(e);
      } finally {
        setBusy(false);
      }
      return;
    }
    try {
      const list = await api.request<TerminalCaseList>("GET", `${base()}/cases?idToken=${encodeURIComponent(idToken)}`);
      setNotice(null);
      setScreen({ kind: "cases", list, idToken });
    } catch (e) {
      fail(e);
    } finally {
      setBusy(false);
    }
  };
  const showCardRef = useRef(showCard);
  showCardRef.current = showCard;

  /** The scanner read a payment code while the page waits for one: pay the fee with it. */
  const payWith = async (payToken: string) => {
    const sc = screenRef.current;
    if (sc.kind !== "payScan") return;
    setBusy(true);
    setNotice({ text: t("payingNow"), tone: "info" });
    try {
      const order = await api.request<PaymentOrderView>("POST", `${base()}/payments`, {
        caseNo: sc.fee.caseNo,
        amountFen: sc.fee.amountFen,
        method: "qr",
        idToken: sc.idToken,
        payToken,
        requestId: newRequestId(),
      });
      setNotice(null);
      setScreen({ kind: "paying", fee: sc.fee, idToken: sc.idToken, order });
    } catch (e) {
      fail(e);
    } finally {
      setBusy(false);
    }
  };
  const payWithRef = useRef(payWith);
  payWithRef.current = payWith;
  /** The POS's latest prompt per order: it may come before the POST's reply does. */
  const promptsRef = useRef(new Map<string, CardPromptStage>());
  /** Pay by bank card on the terminal's POS: the order comes back at once, the POS then asks. */
  const payByCard = async () => {
    const sc = screenRef.current;
    if (sc.kind !== "payScan") return;
    setBusy(true);
    setNotice(null);
    promptsRef.current.clear();
    try {
      const order = await api.request<PaymentOrderView>("POST", `${base()}/payments`, {
        caseNo: sc.fee.caseNo,
        amountFen: sc.fee.amountFen,
        method: "card",
        idToken: sc.idToken,
        requestId: newRequestId(),
      });
      const prompt = promptsRef.current.get(order.orderId);
      setScreen({ kind: "paying", fee: sc.fee, idToken: sc.idToken, order, ...(prompt ? { prompt } : {}) });
    } catch (e) {
      fail(e);
    } finally {
      setBusy(false);
    }
  };
  const cancelCard = async (orderId: string) => {
    try {
      const r = await api.request<CancelReply>("POST", `${base()}/payments/${orderId}/cancel`, {});
      if (!r.cancelled && r.order.status !== "failed") setNotice({ text: t("tooLateToCancel"), tone: "info" });
      orderChangedRef.current(r.order);
    } catch (e) {
      fail(e);
    }
  };
  const promptChanged = (p: PaymentPrompt) => {
    window.dispatchEvent(new Event(ACTIVITY_EVENT));
    promptsRef.current.set(p.orderId, p.stage);
    const sc = screenRef.current;
    if (sc.kind === "paying" && sc.order.orderId === p.orderId) setScreen({ ...sc, prompt: p.stage });
  };
  const promptChangedRef = useRef(promptChanged);
  promptChangedRef.current = promptChanged;
  /** An order changed (the socket, or a poll): the paying screen follows it. */
  const orderChanged = (order: PaymentOrderView) => {
    const sc = screenRef.current;
    if (sc.kind === "paying" && sc.order.orderId === order.orderId && order.updatedAt >= sc.order.updatedAt)
      setScreen({ ...sc, order });
  };
  const orderChangedRef = useRef(orderChanged);
  orderChangedRef.current = orderChanged;

  // The terminal's own room: its ID card reader and scanner (only this paired terminal may join).
  useEffect(() => {
    const s: Socket = io({ path: "/socket.io", auth: { deviceToken: props.deviceToken }, reconnectionDelayMax: 2000 });
    s.on("connect", () => {
      setConnected(true);
      s.emit("subscribe", { view: "screen", screenId: `terminal-${terminalId()}` }, (r: { ok: boolean; error?: string }) => {
        if (r.ok) setLive(true);
        else if (r.error === "FORBIDDEN") props.onUnpaired();
      });
    });
    s.on("disconnect", (reason) => {
      setConnected(false);
      setLive(false);
      if (reason === "io server disconnect") props.onUnpaired();
    });
    s.on("terminal:input", (e: TerminalInput) => {
      if (e.terminalId !== terminalId()) return;
      if (e.kind === "id_card") void showCardRef.current(e.idToken);
      else if (e.kind === "pay_code") {
        if (screenRef.current.kind === "payScan") void payWithRef.current(e.payToken);
      } else if (e.kind === "receipt") {
        api.request<TerminalCase>("GET", `${base()}/cases/${e.caseNo}?scanToken=${encodeURIComponent(e.scanToken)}`).then((c) => {
          setNotice(null);
          setScreen({ kind: "case", c });
        }, fail);
      } else setNotice({ text: T.unknownCode[langRef.current], tone: "error" });
    });
    s.on("payment:order", (o: PaymentOrderView) => orderChangedRef.current(o));
    s.on("payment:prompt", (p: PaymentPrompt) => {
      if (p.terminalId === terminalId()) promptChangedRef.current(p);
    });
    return () => {
      s.disconnect();
    };
  }, [props.deviceToken]);

  // While the visitor confirms on the phone, ask too (the socket may have missed it). They
  // are busy on their phone, not gone: an open order keeps the idle reset away.
  const payingId = screen.kind === "paying" ? screen.order.orderId : null;
  useEffect(() => {
    if (!payingId) return;
    const timer = setInterval(() => {
      api.request<PaymentOrderView>("GET", `${base()}/payments/${payingId}`).then(
        (o) => {
          if (orderOpen(o.status)) window.dispatchEvent(new Event(ACTIVITY_EVENT));
          orderChangedRef.current(o);
        },
        () => {},
      );
    }, 2000);
    return () => clearInterval(timer);
  }, [payingId]);
  const langRef = useRef(lang);
  langRef.current = lang;

  const printCert = async (caseNo: string, idToken: string) => {
    setBusy(true);
    setNotice({ text: t("printing"), tone: "info" });
    try {
      await api.request("POST", `${base()}/certificates`, { caseNo, idToken });
      setNotice({ text: t("printed"), tone: "ok" });
      const list = await api.request<TerminalCaseList>("GET", `${base()}/cases?idToken=${encodeURIComponent(idToken)}`);
      setScreen({ kind: "cases", list, idToken });
    } catch (e) {
      fail(e);
    } finally {
      setBusy(false);
    }
  };

  const printGuide = async (matterId: string) => {
    setBusy(true);
    setNotice({ text: t("printing"), tone: "info" });
    try {
      await api.request("POST", `${base()}/guides/${encodeURIComponent(matterId)}`);
      setNotice({ text: t("guidePrinted"), tone: "ok" });
    } catch (e) {
      fail(e);
    } finally {
      setBusy(false);
    }
  };

  return (
    <div class={`terminal${large ? " large" : ""}`} data-screen={screen.kind} data-live={live ? "" : undefined}>
      <header class="t-bar">
        <h1>
          {cat ? pickName(cat.hall, lang) : ""} · {t("title")}
        </h1>
        <nav class="t-tools" aria-label={t("title")}>
          {screen.kind !== "home" && (
            <button type="button" onClick={goHome} data-testid="home">
              {t("home")}
            </button>
          )}
          <button type="button" aria-pressed={large} onClick={() => setLarge(!large)} data-testid="large">
            {large ? t("normal") : t("large")}
          </button>
          <button type="button" lang={lang === "zh" ? "en" : "zh-CN"} onClick={() => setLang(lang === "zh" ? "en" : "zh")}>
            {COMMON.switchLang[lang]}
          </button>
        </nav>
      </header>
      {!connected && (
        <p class="t-banner" role="status">
          {COMMON.reconnecting[lang]}
        </p>
      )}
      {notice && (
        <p class={`t-notice ${notice.tone}`} role={notice.tone === "error" ? "alert" : "status"} data-testid="notice">
          {notice.text}
        </p>
      )}
      <main class="t-main" aria-busy={busy}>
        {screen.kind === "home" && <Home lang={lang} onPick={(k) => setScreen({ kind: k })} />}
        {screen.kind === "query" && (
          <Query lang={lang} onFound={(c) => setScreen({ kind: "case", c })} onError={fail} busy={busy} setBusy={setBusy} />
        )}
        {screen.kind === "print" && <CardPrompt lang={lang} />}
        {screen.kind === "pay" && <CardPrompt lang={lang} hint="payHint" />}
        {screen.kind === "fees" && (
          <Fees lang={lang} fees={screen.fees} onPay={(fee) => setScreen({ kind: "payScan", fee, idToken: screen.idToken })} />
        )}
        {screen.kind === "payScan" && <PayScan lang={lang} fee={screen.fee} busy={busy} onCard={payByCard} />}
        {screen.kind === "paying" && (
          <Paying
            lang={lang}
            fee={screen.fee}
            order={screen.order}
            {...(screen.prompt ? { prompt: screen.prompt } : {})}
            onCancel={() => cancelCard(screen.order.orderId)}
            onRetry={() => setScreen({ kind: "payScan", fee: screen.fee, idToken: screen.idToken })}
            onFees={() => showFees(screen.idToken).catch(fail)}
            onReprint={() =>
              api
                .request("POST", `${base()}/payments/${screen.order.orderId}/receipt`, { lang })
                .then(() => api.request<PaymentOrderView>("GET", `${base()}/payments/${screen.order.orderId}`))
                .then((o) => orderChangedRef.current(o), fail)
            }
          />
        )}
        {screen.kind === "cases" && (
          <Cases lang={lang} list={screen.list} busy={busy} onPrint={(no) => printCert(no, screen.idToken)} />
        )}
        {screen.kind === "case" && <CaseCard lang={lang} c={screen.c} busy={busy} />}
        {screen.kind === "hall" && <HallNowView lang={lang} onError={fail} />}
        {screen.kind === "guides" && cat && (
          <GuideList lang={lang} cat={cat} onOpen={(matterId) => setScreen({ kind: "guide", matterId })} />
        )}
        {screen.kind === "guide" && cat && (
          <Guide lang={lang} cat={cat} matterId={screen.matterId} busy={busy} onPrint={printGuide} />
        )}
      </main>
      <footer class="t-foot">{t("idle")}</footer>
    </div>
  );
}

function Home(props: { lang: Lang; onPick: (s: Section) => void }) {
  const t = translator(T, props.lang);
  return (
    <div class="t-home">
      <p class="t-card-hint" data-testid="card-hint">
        {t("placeCard")}
        <br />
        <small>{t("orScan")}</small>
      </p>
      <ul class="t-sections">
        {SECTIONS.map((s) => (
          <li key={s.id}>
            <button
              type="button"
              class={`t-section s-${s.id}`}
              onClick={() => props.onPick(s.id)}
              data-testid={`section-${s.id}`}
            >
              <span class="t-section-name">{t(s.title)}</span>
              <span class="t-section-hint">{t(s.hint)}</span>
            </button>
          </li>
        ))}
      </ul>
    </div>
  );
}

function CardPrompt(props: { lang: Lang; hint?: "printHint" | "payHint" }) {
  const t = translator(T, props.lang);
  return (
    <div class="t-prompt">
      <p class="t-big">{t("placeCard")}</p>
      <p>{t(props.hint ?? "printHint")}</p>
    </div>
  );
}

function Fees(props: { lang: Lang; fees: FeeDue[]; onPay: (f: FeeDue) => void }) {
  const t = translator(T, props.lang);
  return (
    <section class="t-fees" aria-labelledby="fees-title">
      <h2 id="fees-title">{t("feesOf")}</h2>
      {props.fees.length === 0 && <p>{t("noFees")}</p>}
      <ul class="t-fee-list">
        {props.fees.map((f) => (
          <li key={f.caseNo} class="t-case" data-fee={f.caseNo} data-state={f.state}>
            <h3>{props.lang === "zh" ? f.matterName : f.matterNameEn}</h3>
            <p>
              {t("caseNo")}：{f.caseNo}
            </p>
            <p class="t-amount">
              {t("amount")}：{interpolate(t("yuanOf"), { n: yuan(f.amountFen) })}
            </p>
            {f.state === "due" ? (
              <button type="button" class="t-primary" onClick={() => props.onPay(f)} data-testid={`pay-${f.caseNo}`}>
                {t("payNow")}
              </button>
            ) : (
              <p class="t-note">{f.state === "paid" ? t("feePaid") : t("feePaying")}</p>
            )}
          </li>
        ))}
      </ul>
    </section>
  );
}

function PayScan(props: { lang: Lang; fee: FeeDue; busy: boolean; onCard: () => void }) {
  const t = translator(T, props.lang);
  return (
    <div class="t-prompt" data-testid="pay-scan">
      <p class="t-big">{interpolate(t("yuanOf"), { n: yuan(props.fee.amountFen) })}</p>
      <p>{props.lang === "zh" ? props.fee.matterName : props.fee.matterNameEn}</p>
      <p class="t-big">{props.busy ? t("payingNow") : t("scanPayCode")}</p>
      <p>{t("orCard")}</p>
      <button type="button" class="t-primary" disabled={props.busy} onClick={props.onCard} data-testid="pay-card">
        {t("payByCard")}
      </button>
    </div>
  );
}

function Paying(props: {
  lang: Lang;
  fee: FeeDue;
  order: PaymentOrderView;
  prompt?: CardPromptStage;
  onCancel: () => void;
  onRetry: () => void;
  onFees: () => void;
  onReprint: () => void;
}) {
  const t = translator(T, props.lang);
  const o = props.order;
  const paid = o.status === "paid" || o.status === "refund_pending" || o.status === "refunded";
  const open = orderOpen(o.status);
  const card = o.method === "card";
  // Until the POS says a card is in, the visitor may still change their mind.
  const cancellable = card && open && (props.prompt === undefined || props.prompt === "insert_card");
  return (
    <div
      class="t-prompt"
      data-testid="pay-result"
      data-status={o.status}
      data-prompt={card && open ? (props.prompt ?? "connecting") : undefined}
      role="status"
    >
      <p class="t-big">{interpolate(t("yuanOf"), { n: yuan(o.amountFen) })}</p>
      {card && open && (
        <p class={`t-big${props.prompt === "pos_offline" ? " t-error" : ""}`} data-testid="card-prompt">
          {CARD_PROMPT[props.prompt ?? "connecting"][props.lang]}
        </p>
      )}
      {cancellable && (
        <button type="button" onClick={props.onCancel} data-testid="pay-cancel">
          {t("cancelPay")}
        </button>
      )}
      {card && open && props.prompt === "pos_offline" && (
        <button type="button" class="t-primary" onClick={props.onFees}>
          {t("feesOf")}
        </button>
      )}
      {!card && (o.status === "created" || o.status === "paying") && <p class="t-big">{t("payingNow")}</p>}
      {!card && o.status === "pending" && <p class="t-big">{t("confirmOnPhone")}</p>}
      {paid && (
        <>
          <p class="t-big t-ok" data-testid="paid">
            {t("paidOk")}
          </p>
          <p>{o.receiptPrinted ? t("receiptPrinted") : t("receiptPrinting")}</p>
          <p>
            {t("orderNo")}：{o.orderId}
          </p>
          <button type="button" onClick={props.onReprint}>
            {t("reprint")}
          </button>
          <button type="button" class="t-primary" onClick={props.onFees}>
            {t("feesOf")}
          </button>
        </>
      )}
      {o.status === "failed" && (
        <>
          <p class="t-big t-error" data-testid="pay-failed">
            {t("payFailed")}
          </p>
          <p>{((card ? CARD_FAILURE : FAILURE)[o.failure ?? ""] ?? FAILURE.DECLINED)?.[props.lang]}</p>
          <button type="button" class="t-primary" onClick={props.onRetry}>
            {card ? t("payAgain") : t("tryAgain")}
          </button>
          <button type="button" onClick={props.onFees}>
            {t("feesOf")}
          </button>
        </>
      )}
    </div>
  );
}

function Query(props: {
  lang: Lang;
  busy: boolean;
  setBusy: (b: boolean) => void;
  onFound: (c: TerminalCase) => void;
  onError: (e: unknown) => void;
}) {
  const t = translator(T, props.lang);
  const [caseNo, setCaseNo] = useState("");
  const [check, setCheck] = useState("");
  const [field, setField] = useState<"caseNo" | "check">("caseNo");
  const key = (k: string) => {
    if (field === "caseNo") setCaseNo((v) => keypadInput(v, k, 21));
    else setCheck((v) => keypadInput(v, k, 4));
  };
  const submit = async (e?: Event) => {
    e?.preventDefault();
    props.setBusy(true);
    try {
      props.onFound(
        await api.request<TerminalCase>(
          "GET",
          `${base()}/cases/${encodeURIComponent(caseNo)}?check=${encodeURIComponent(check)}`,
        ),
      );
    } catch (err) {
      props.onError(err);
    } finally {
      props.setBusy(false);
    }
  };
  const ready = CASE_NO.test(caseNo) && /^\d{4}$/.test(check);
  return (
    <div class="t-query">
      <p class="t-big">{t("placeCard")}</p>
      <p>{t("orScan")}</p>
      <form class="t-form" onSubmit={submit}>
        <h2>{t("byNumber")}</h2>
        <label>
          {t("caseNo")}
          <input
            inputMode="numeric"
            value={caseNo}
            placeholder="371426-20261203-00001"
            onFocus={() => setField("caseNo")}
            onInput={(e) => setCaseNo((e.currentTarget as HTMLInputElement).value.trim().slice(0, 21))}
            data-testid="case-no"
          />
        </label>
        <label>
          {t("phone4")}
          <input
            inputMode="numeric"
            autocomplete="off"
            value={check}
            onFocus={() => setField("check")}
            onInput={(e) => setCheck((e.currentTarget as HTMLInputElement).value.replace(/\D/g, "").slice(0, 4))}
            data-testid="check"
          />
        </label>
        <div class="t-keypad">
          {["1", "2", "3", "4", "5", "6", "7", "8", "9", "-", "0", "⌫"].map((k) => (
            <button
              type="button"
              key={k}
              aria-label={k === "⌫" ? t("del") : k === "-" ? "-" : k}
              onClick={() => key(k)}
              disabled={field === "check" && k === "-"}
            >
              {k}
            </button>
          ))}
        </div>
        <button type="submit" class="t-primary" disabled={!ready || props.busy} data-testid="lookup">
          {t("search")}
        </button>
      </form>
    </div>
  );
}

function Cases(props: { lang: Lang; list: TerminalCaseList; busy: boolean; onPrint: (caseNo: string) => void }) {
  const t = translator(T, props.lang);
  return (
    <section class="t-cases" aria-labelledby="cases-title">
      <h2 id="cases-title">{interpolate(t("casesOf"), { id: props.list.masked })}</h2>
      {props.list.cases.length === 0 && <p>{t("noCases")}</p>}
      {props.list.cases.map((c) => (
        <CaseCard key={c.caseNo} lang={props.lang} c={c} busy={props.busy} onPrint={() => props.onPrint(c.caseNo)} />
      ))}
    </section>
  );
}

function CaseCard(props: { lang: Lang; c: TerminalCase; busy: boolean; onPrint?: () => void }) {
  const { c, lang } = props;
  const t = translator(T, lang);
  return (
    <article class="t-case" data-case={c.caseNo} data-status={c.status}>
      <h3>{lang === "zh" ? c.matterName : c.matterNameEn}</h3>
      <dl>
        <dt>{t("caseNo")}</dt>
        <dd>{c.caseNo}</dd>
        <dt>{lang === "zh" ? "状态" : "Status"}</dt>
        <dd class="t-status">{STATUS[c.status][lang]}</dd>
        <dt>{t("accepted")}</dt>
        <dd>{c.acceptedOn}</dd>
        {c.dueDate && (
          <>
            <dt>{t("due")}</dt>
            <dd>
              {c.dueDate}
              {c.overdue && <strong> · {t("overdue")}</strong>}
              {c.clockPaused && <span> · {t("paused")}</span>}
            </dd>
          </>
        )}
        {c.missing.length > 0 && (
          <>
            <dt>{t("missing")}</dt>
            <dd>
              <ul>
                {c.missing.map((m) => (
                  <li key={m.name}>
                    {lang === "en" && m.nameEn ? m.nameEn : m.name}
                    {m.promisedDate && <span> ({interpolate(t("promised"), { date: m.promisedDate })})</span>}
                  </li>
                ))}
              </ul>
            </dd>
          </>
        )}
        {c.correctionNote && (
          <>
            <dt>{t("toCorrect")}</dt>
            <dd>{c.correctionNote}</dd>
          </>
        )}
        {c.collectAt && (
          <>
            <dt>{t("collect")}</dt>
            <dd>{c.collectAt[lang]}</dd>
          </>
        )}
      </dl>
      {props.onPrint && c.selfPrint === "ready" && (
        <button type="button" class="t-primary" disabled={props.busy} onClick={props.onPrint} data-testid={`print-${c.caseNo}`}>
          {t("printCert")}
        </button>
      )}
      {c.selfPrint === "printed" && <p class="t-note">{t("printedBefore")}</p>}
    </article>
  );
}

function HallNowView(props: { lang: Lang; onError: (e: unknown) => void }) {
  const t = translator(T, props.lang);
  const [now, setNow] = useState<HallNow | null>(null);
  useEffect(() => {
    let stop = false;
    const load = () =>
      api.request<HallNow>("GET", `${base()}/hall`).then(
        (h) => {
          if (!stop) setNow(h);
        },
        (e) => props.onError(e),
      );
    void load();
    const timer = setInterval(load, 10_000);
    return () => {
      stop = true;
      clearInterval(timer);
    };
  }, []);
  if (!now) return <p>{COMMON.loading[props.lang]}</p>;
  return (
    <section aria-labelledby="hall-title">
      <h2 id="hall-title">{t("hall")}</h2>
      <ul class="t-queues">
        {now.queues.map((q) => (
          <li key={q.queueId} data-queue={q.prefix}>
            <b class="t-prefix">{q.prefix}</b>
            <span class="t-qname">
              {props.lang === "zh" ? q.name : q.nameEn}
              <small>{props.lang === "zh" ? q.zoneName : q.zoneNameEn}</small>
            </span>
            <span class="t-qwait">
              {interpolate(t("waiting"), { n: q.waiting })}
              <small>{q.estimatedWaitMin > 0 ? interpolate(t("wait"), { m: q.estimatedWaitMin }) : t("waitNone")}</small>
            </span>
          </li>
        ))}
      </ul>
    </section>
  );
}

function GuideList(props: { lang: Lang; cat: Catalogue; onOpen: (matterId: string) => void }) {
  const t = translator(T, props.lang);
  const [q, setQ] = useState("");
  const shown = props.cat.matters.filter((m) => !q || m.name.includes(q) || m.nameEn.toLowerCase().includes(q.toLowerCase()));
  return (
    <section aria-labelledby="guides-title">
      <h2 id="guides-title">{t("guides")}</h2>
      <label class="t-filter">
        {t("filter")}
        <input value={q} onInput={(e) => setQ((e.currentTarget as HTMLInputElement).value)} />
      </label>
      <ul class="t-matters">
        {shown.map((m) => (
          <li key={m.id}>
            <button type="button" onClick={() => props.onOpen(m.id)} data-matter={m.id}>
              {pickName(m, props.lang)}
            </button>
          </li>
        ))}
      </ul>
    </section>
  );
}

function days(n: number, lang: Lang): string {
  return n === 0 ? T.onSpot[lang] : interpolate(T.days[lang], { n });
}

function Guide(props: { lang: Lang; cat: Catalogue; matterId: string; busy: boolean; onPrint: (id: string) => void }) {
  const t = translator(T, props.lang);
  const m: Matter | undefined = props.cat.matters.find((x) => x.id === props.matterId);
  if (!m) return null;
  const dept = props.cat.departments.find((d) => d.id === m.departmentId);
  const materials = props.lang === "en" && m.materialsEn ? m.materialsEn : m.materials;
  return (
    <article class="t-guide" aria-labelledby="guide-title">
      <h2 id="guide-title">{pickName(m, props.lang)}</h2>
      {dept && <p>{pickName(dept, props.lang)}</p>}
      <dl>
        <dt>{t("legal")}</dt>
        <dd>{days(m.legalDays, props.lang)}</dd>
        <dt>{t("promisedDays")}</dt>
        <dd>{days(m.promisedDays, props.lang)}</dd>
        <dt>{t("fee")}</dt>
        <dd>{m.feeYuan === 0 ? t("free") : interpolate(t("yuan"), { n: m.feeYuan })}</dd>
      </dl>
      <h3>{t("materials")}</h3>
      <ol>
        {materials.map((x) => (
          <li key={x}>{x}</li>
        ))}
      </ol>
      <button type="button" class="t-primary" disabled={props.busy} onClick={() => props.onPrint(m.id)} data-testid="print-guide">
        {t("printGuide")}
      </button>
    </article>
  );
}

const root = document.getElementById("app");
if (root) render(<TerminalPage />, root);
