/**
 * Accepting the ticket being served as a case (受理办件): the applicant, the materials
 * checklist of the matter (each received, missing, or deferred under 容缺受理 with the date
 * it is promised — essential items can never be deferred), the outcome 受理 / 容缺受理 /
 * 不予受理 (a refusal needs its reason), then the slip on the counter's printer: the 受理回执
 * with the case number, due date and QR code, or the 一次性告知书 listing everything missing.
 */
import { useEffect, useRef, useState } from "preact/hooks";
import type { AcceptanceOutcome, Case, MaterialState } from "../server/src/contract/cases.ts";
import type { Catalogue, Matter, PrintResult, Ticket } from "../server/src/contract/index.ts";
import type { Api } from "../ui-shared/api.ts";
import { toApiError } from "../ui-shared/api.ts";
import { casesApi, newIdempotencyKey } from "../ui-shared/cases-api.ts";
import { CounterPostal } from "./postal.tsx";
import { errorMessage } from "../ui-shared/errors.ts";
import type { Lang, MsgTable } from "../ui-shared/i18n.ts";
import { pickName, translator } from "../ui-shared/i18n.ts";
import "./case-accept.css";

export const CASE_MSG = {
  open: { zh: "受理办件", en: "Accept as a case" },
  title: { zh: "受理办件 · {number}", en: "Accept as a case · {number}" },
  matter: { zh: "事项", en: "Matter" },
  name: { zh: "申请人姓名", en: "Applicant's name" },
  idNumber: { zh: "身份证号（可不填）", en: "ID number (optional)" },
  phone: { zh: "联系电话", en: "Phone" },
  materials: { zh: "材料清单", en: "Materials checklist" },
  essential: { zh: "必要", en: "essential" },
  received: { zh: "已收", en: "Received" },
  missing: { zh: "缺少", en: "Missing" },
  deferred: { zh: "容缺后补", en: "Deferred" },
  promised: { zh: "承诺补交日期", en: "Promised by" },
  outcome: { zh: "受理结果", en: "Outcome" },
  outcome_accepted: { zh: "受理", en: "Accept" },
  outcome_accepted_deferred: { zh: "容缺受理", en: "Accept, materials to follow" },
  outcome_not_accepted: { zh: "不予受理", en: "Refuse" },
  reason: { zh: "不予受理原因", en: "Reason for refusing" },
  submit: { zh: "确认{outcome}", en: "Confirm: {outcome}" },
  cancel: { zh: "取消", en: "Cancel" },
  needName: { zh: "请填写申请人姓名", en: "Enter the applicant's name" },
  needPhone: {
    zh: "请填写联系电话（群众查询进度要用后四位）",
    en: "Enter a phone number (the progress page asks for its last four digits)",
  },
  needAll: {
    zh: "受理须材料齐全；有缺少的材料请选择不予受理",
    en: "Accepting needs every material; refuse when something is missing",
  },
  needDeferred: {
    zh: "容缺受理须至少一项容缺后补、且无缺少的材料",
    en: "Accepting with materials to follow needs a deferred item and nothing missing",
  },
  needDate: { zh: "请填写每项容缺材料的承诺补交日期", en: "Give the promised date of each deferred item" },
  needReason: { zh: "请填写不予受理原因", en: "Give the reason for refusing" },
  needMissing: { zh: "请标出缺少的材料，一次性告知群众", en: "Mark what is missing, so the visitor is told everything at once" },
  accepted: { zh: "已受理，办件编号", en: "Accepted: case number" },
  refused: { zh: "不予受理，已记录，办件编号", en: "Refused and recorded: case number" },
  due: { zh: "承诺办结日期", en: "Due" },
  owed: { zh: "尚需补交", en: "Still to bring" },
  printing: { zh: "正在打印…", en: "Printing…" },
  printed_receipt: { zh: "受理回执已打印", en: "Receipt printed" },
  printed_notice: { zh: "一次性告知书已打印", en: "One-time notice printed" },
  print_none: {
    zh: "本窗口未配置打印机，请口头告知或手写回执",
    en: "No printer at this counter: tell the visitor or write it down",
  },
  print_failed: {
    zh: "打印失败（{error}），请检查打印机后重打",
    en: "Printing failed ({error}); check the printer and print again",
  },
  reprint: { zh: "重新打印", en: "Print again" },
  done: { zh: "完成", en: "Done" },
} satisfies MsgTable;

type T = ReturnType<typeof translator<typeof CASE_MSG>>;

interface Row {
  state: MaterialState;
  promisedDate: string;
}

/** The outcome a checklist suggests: all received → 受理; deferred only → 容缺受理; else 不予受理. */
export function suggestedOutcome(rows: readonly Row[]): AcceptanceOutcome {
  if (rows.some((r) => r.state === "missing")) return "not_accepted";
  if (rows.some((r) => r.state === "deferred")) return "accepted_deferred";
  return "accepted";
}

/** Why the form cannot be sent yet (a message key), or null. */
export function formProblem(
  f: { name: string; phone: string; outcome: AcceptanceOutcome; reason: string },
  rows: readonly Row[],
): keyof typeof CASE_MSG | null {
  if (!f.name.trim()) return "needName";
  if (!/^[0-9-]{7,20}$/.test(f.phone.trim())) return "needPhone";
  if (f.outcome === "accepted" && rows.some((r) => r.state !== "received")) return "needAll";
  if (f.outcome === "accepted_deferred") {
    if (rows.some((r) => r.state === "missing") || !rows.some((r) => r.state === "deferred")) return "needDeferred";
    if (rows.some((r) => r.state === "deferred" && !/^\d{4}-\d{2}-\d{2}$/.test(r.promisedDate))) return "needDate";
  }
  if (f.outcome === "not_accepted") {
    if (!f.reason.trim()) return "needReason";
    if (!rows.some((r) => r.state !== "received")) return "needMissing";
  }
  return null;
}

const OUTCOMES: AcceptanceOutcome[] = ["accepted", "accepted_deferred", "not_accepted"];

/** The button under the current ticket, and the form it opens. */
export function CaseAccept(props: { api: Api; lang: Lang; counterId: string; ticket: Ticket; cat: Catalogue }) {
  const { lang, ticket } = props;
  const t = translator(CASE_MSG, lang);
  const [open, setOpen] = useState(false);
  const [done, setDone] = useState<Case | null>(null);
  // A new ticket at the counter starts afresh.
  useEffect(() => {
    setOpen(false);
    setDone(null);
  }, [ticket.id]);
  if (done)
    return (
      <CaseResult
        t={t}
        lang={lang}
        slipLang={ticket.lang ?? "zh"}
        api={props.api}
        counterId={props.counterId}
        c={done}
        onClose={() => setDone(null)}
      />
    );
  if (!open)
    return (
      <button type="button" class="case-open" onClick={() => setOpen(true)} data-testid="case-open">
        {t("open")}
      </button>
    );
  return (
    <CaseForm
      t={t}
      lang={lang}
      api={props.api}
      counterId={props.counterId}
      ticket={ticket}
      cat={props.cat}
      onCancel={() => setOpen(false)}
      onAccepted={(c) => {
        setOpen(false);
        setDone(c);
      }}
    />
  );
}

function CaseForm(props: {
  t: T;
  lang: Lang;
  api: Api;
  counterId: string;
  ticket: Ticket;
  cat: Catalogue;
  onCancel: () => void;
  onAccepted: (c: Case) => void;
}) {
  const { t, lang, cat, ticket } = props;
  const [matterId, setMatterId] = useState(ticket.matterId);
  const matter: Matter | undefined = cat.matters.find((m) => m.id === matterId);
  const materials = matter?.materials ?? [];
  const essential = (i: number) => matter?.materialsEssential?.[i] ?? true;
  const [rows, setRows] = useState<Row[]>(() => materials.map(() => ({ state: "received", promisedDate: "" })));
  const [name, setName] = useState("");
  const [idNumber, setIdNumber] = useState("");
  const [phone, setPhone] = useState("");
  const [outcome, setOutcome] = useState<AcceptanceOutcome>("accepted");
  const [outcomeTouched, setOutcomeTouched] = useState(false);
  const [reason, setReason] = useState("");
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  // One key per intended acceptance: a retry after a lost answer is the same acceptance.
  const key = useRef(newIdempotencyKey());
  const first = useRef<HTMLSelectElement>(null);
  useEffect(() => first.current?.focus(), []);

  const changeMatter = (id: string) => {
    setMatterId(id);
    const m = cat.matters.find((x) => x.id === id);
    setRows((m?.materials ?? []).map(() => ({ state: "received", promisedDate: "" })));
  };
  const setRow = (i: number, patch: Partial<Row>) =>
    setRows((rs) => {
      const next = rs.map((r, j) => (j === i ? { ...r, ...patch } : r));
      if (!outcomeTouched) setOutcome(suggestedOutcome(next));
      return next;
    });

  const problem = formProblem({ name, phone, outcome, reason }, rows);
  const shown = lang === "en" && matter?.materialsEn?.length === materials.length ? matter.materialsEn : materials;

  const submit = async () => {
    if (problem || busy) return;
    setBusy(true);
    setError(null);
    try {
      const c = await casesApi(props.api).accept(
        {
          ticketId: ticket.id,
          counterId: props.counterId,
          matterId,
          applicant: { name: name.trim(), phone: phone.trim(), ...(idNumber.trim() ? { idNumber: idNumber.trim() } : {}) },
          materials: rows.map((r, index) => ({
            index,
            state: r.state,
            ...(r.state === "deferred" ? { promisedDate: r.promisedDate } : {}),
          })),
          outcome,
          ...(outcome === "not_accepted" ? { reason: reason.trim() } : {}),
        },
        key.current,
      );
      props.onAccepted(c);
    } catch (e) {
      setError(errorMessage(toApiError(e).code, lang));
    } finally {
      setBusy(false);
    }
  };

  return (
    <form
      class="case-form"
      data-testid="case-form"
      aria-labelledby="case-form-title"
      onSubmit={(e) => {
        e.preventDefault();
        void submit();
      }}
    >
      <h3 id="case-form-title">{t("title", { number: ticket.number })}</h3>
      <div class="case-fields">
        <label>
          {t("matter")}
          <select
            name="matter"
            ref={first}
            value={matterId}
            onChange={(e) => changeMatter((e.target as HTMLSelectElement).value)}
          >
            {cat.matters.map((m) => (
              <option key={m.id} value={m.id}>
                {pickName(m, lang)}
              </option>
            ))}
          </select>
        </label>
        <label>
          {t("name")}
          <input
            name="applicantName"
            maxLength={40}
            value={name}
            onInput={(e) => setName((e.target as HTMLInputElement).value)}
          />
        </label>
        <label>
          {t("idNumber")}
          <input
            name="idNumber"
            maxLength={18}
            autoComplete="off"
            value={idNumber}
            onInput={(e) => setIdNumber((e.target as HTMLInputElement).value)}
          />
        </label>
        <label>
          {t("phone")}
          <input
            name="phone"
            inputMode="tel"
            maxLength={20}
            value={phone}
            onInput={(e) => setPhone((e.target as HTMLInputElement).value)}
          />
        </label>
      </div>
      <fieldset class="case-materials" data-testid="case-materials">
        <legend>{t("materials")}</legend>
        {materials.length === 0 && <p>—</p>}
        {materials.map((m, i) => (
          <div class="case-material" key={`${matterId}-${m}`} data-material={i}>
            <span class="case-material-name" id={`mat-${i}`}>
              {shown[i]}
              {essential(i) && <em class="case-essential"> · {t("essential")}</em>}
            </span>
            <span class="case-states" role="radiogroup" aria-labelledby={`mat-${i}`}>
              {(["received", "missing", "deferred"] as const).map((st) => (
                <label key={st} class={st === "deferred" && essential(i) ? "disabled" : undefined}>
                  <input
                    type="radio"
                    name={`material-${i}`}
                    value={st}
                    checked={rows[i]?.state === st}
                    disabled={st === "deferred" && essential(i)}
                    onChange={() => setRow(i, { state: st })}
                  />
                  {t(st)}
                </label>
              ))}
            </span>
            {rows[i]?.state === "deferred" && (
              <label class="case-promised">
                {t("promised")}
                <input
                  type="date"
                  name={`promised-${i}`}
                  value={rows[i]?.promisedDate ?? ""}
                  onInput={(e) => setRow(i, { promisedDate: (e.target as HTMLInputElement).value })}
                />
              </label>
            )}
          </div>
        ))}
      </fieldset>
      <fieldset class="case-outcome">
        <legend>{t("outcome")}</legend>
        {OUTCOMES.map((o) => (
          <label key={o}>
            <input
              type="radio"
              name="outcome"
              value={o}
              checked={outcome === o}
              onChange={() => {
                setOutcomeTouched(true);
                setOutcome(o);
              }}
            />
            {t(`outcome_${o}`)}
          </label>
        ))}
      </fieldset>
      {outcome === "not_accepted" && (
        <label class="case-reason">
          {t("reason")}
          <input name="reason" maxLength={200} value={reason} onInput={(e) => setReason((e.target as HTMLInputElement).value)} />
        </label>
      )}
      {problem && (
        <p class="case-problem" id="case-problem" data-testid="case-problem">
          {t(problem)}
        </p>
      )}
      {error && (
        <p class="case-error" role="alert" data-testid="case-error">
          {error}
        </p>
      )}
      <div class="case-buttons">
        <button
          type="submit"
          class="primary"
          disabled={!!problem || busy}
          aria-describedby={problem ? "case-problem" : undefined}
          data-testid="case-submit"
        >
          {t("submit", { outcome: t(`outcome_${outcome}`) })}
        </button>
        <button type="button" onClick={props.onCancel}>
          {t("cancel")}
        </button>
      </div>
    </form>
  );
}

/** The accepted (or refused) case, and its slip on the counter's printer. */
function CaseResult(props: {
  t: T;
  lang: Lang;
  /** The visitor's language (the ticket's): the slip is theirs to read. */
  slipLang: Lang;
  api: Api;
  counterId: string;
  c: Case;
  onClose: () => void;
}) {
  const { t, lang, c } = props;
  const [print, setPrint] = useState<PrintResult | "printing" | null>(null);
  const [error, setError] = useState<string | null>(null);
  const doPrint = async () => {
    setPrint("printing");
    setError(null);
    try {
      const r = await casesApi(props.api).printReceipt(c.caseNo, {
        requestId: newIdempotencyKey(),
        counterId: props.counterId,
        lang: props.slipLang,
      });
      setPrint(r.print);
    } catch (e) {
      setPrint(null);
      setError(errorMessage(toApiError(e).code, lang));
    }
  };
  // Printed at once: the visitor is standing at the counter.
  useEffect(() => {
    void doPrint();
  }, [c.caseNo]);
  const refused = c.outcome === "not_accepted";
  const owed = c.materials.filter((m) => m.state !== "received");
  const itemName = (m: Case["materials"][number]) => (lang === "en" && m.nameEn ? m.nameEn : m.name);
  let printLine = "";
  if (print === "printing") printLine = t("printing");
  else if (print?.status === "printed") printLine = refused ? t("printed_notice") : t("printed_receipt");
  else if (print?.status === "none") printLine = t("print_none");
  else if (print?.status === "failed") printLine = t("print_failed", { error: print.error });
  return (
    <section class={`case-result${refused ? " refused" : ""}`} data-testid="case-result" aria-live="polite">
      <p>
        {refused ? t("refused") : t("accepted")}{" "}
        <strong class="case-no" data-testid="case-no">
          {c.caseNo}
        </strong>
      </p>
      {!refused && c.dueDate && (
        <p>
          {t("due")}: <strong data-testid="case-due">{c.dueDate}</strong>
        </p>
      )}
      {owed.length > 0 && (
        <div>
          <p>{t("owed")}:</p>
          <ol>
            {owed.map((m) => (
              <li key={m.index}>
                {itemName(m)}
                {m.promisedDate ? ` (${m.promisedDate})` : ""}
              </li>
            ))}
          </ol>
        </div>
      )}
      <p class="case-print" data-testid="case-print" data-status={typeof print === "string" ? print : (print?.status ?? "")}>
        {printLine}
      </p>
      {error && (
        <p class="case-error" role="alert">
          {error}
        </p>
      )}
      {!refused && <CounterPostal api={props.api} caseNo={c.caseNo} lang={lang} {...(c.postal ? { initial: c.postal } : {})} />}
      <div class="case-buttons">
        {print !== "printing" && print?.status !== "none" && (
          <button type="button" onClick={() => void doPrint()} data-testid="case-reprint">
            {t("reprint")}
          </button>
        )}
        <button type="button" class="primary" onClick={props.onClose}>
          {t("done")}
        </button>
      </div>
    </section>
  );
}
