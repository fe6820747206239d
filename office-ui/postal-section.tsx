/**
 * The progress page's part of issue 11: where the certificate went (collected at the
 * window, or the parcel's status from the courier) and, while it is not handed over yet,
 * the visitor's own postal address — given with the last four digits of the applicant's
 * phone. Everything shown is masked; the street is never echoed back in full.
 */
import { useState } from "preact/hooks";
import type { PublicCase } from "../server/src/contract/cases.ts";
import { AddressForm } from "../ui-shared/address-form.tsx";
import { createApi, toApiError } from "../ui-shared/api.ts";
import { deliveryApi } from "../ui-shared/delivery-api.ts";
import { errorMessage } from "../ui-shared/errors.ts";
import { type Lang, translator } from "../ui-shared/i18n.ts";
import { localDateTime } from "./logic.ts";

const WORDS = {
  title: { zh: "领取与邮寄", en: "Collection and post" },
  collected: { zh: "已于 {at} 在 {n} 号窗口领取（{who}）", en: "Collected at {at}, window {n} ({who})" },
  selfPrinted: { zh: "已于 {at} 在自助终端自助打印（本人）", en: "Printed by the applicant at a self-service terminal, {at}" },
  applicant: { zh: "本人领取", en: "by the applicant" },
  agent: { zh: "代领", en: "by an agent" },
  to: { zh: "寄往", en: "To" },
  waybill: { zh: "运单号", en: "Waybill" },
  fee: { zh: "费用", en: "Fee" },
  free: { zh: "免费寄递", en: "Free" },
  paid: { zh: "到付", en: "Paid by the recipient" },
  requested: { zh: "已登记邮寄，证照制作完成后寄出", en: "Postal delivery requested: mailed once the certificate is ready" },
  sent: { zh: "已寄出", en: "Sent" },
  in_transit: { zh: "运输中", en: "In transit" },
  delivered: { zh: "已签收", en: "Delivered" },
  returned: { zh: "已退回服务中心，请到统一出证窗口领取", en: "Returned to the hall: collect it at the certificate window" },
  ask: { zh: "邮寄到家（免费）", en: "Mail it to me (free)" },
  change: { zh: "修改邮寄地址", en: "Change the address" },
  phone4: { zh: "申请人手机号后四位", en: "Last four digits of the applicant's phone" },
  saved: { zh: "邮寄地址已登记", en: "Address saved" },
  nothing: {
    zh: "证照制作完成后可到统一出证窗口领取，或登记邮寄",
    en: "Collect the certificate at the window when it is ready, or have it mailed",
  },
} as const;

const api = deliveryApi(createApi());
const CLOSED = new Set(["refused", "not_accepted", "collected", "mailed", "delivered"]);

export function PostalSection({ c, lang, onCase }: { c: PublicCase; lang: Lang; onCase: (c: PublicCase) => void }) {
  const t = translator(WORDS, lang);
  const [open, setOpen] = useState(false);
  const [phone4, setPhone4] = useState("");
  const [msg, setMsg] = useState<{ ok: boolean; text: string } | null>(null);
  const p = c.postal;
  const canAsk = !CLOSED.has(c.status) && (!p || p.status === "requested");
  return (
    <section aria-labelledby="postal-title" data-testid="postal-section">
      <h2 id="postal-title">{t("title")}</h2>
      {c.collection && (
        <p data-testid="collected">
          {c.collection.via === "self_print"
            ? t("selfPrinted", { at: localDateTime(c.collection.at, "Asia/Shanghai") })
            : t("collected", {
                at: localDateTime(c.collection.at, "Asia/Shanghai"),
                n: c.collection.counterNumber ?? "",
                who: t(c.collection.kind),
              })}
        </p>
      )}
      {p && (
        <dl class="psummary" data-testid="postal-status" data-postal={p.status}>
          <dt>{t("to")}</dt>
          <dd>
            {p.recipientMasked} · {p.phoneMasked} · {p.province}
            {p.city}
            {p.county}
            {p.streetMasked}
          </dd>
          <dt>{t("fee")}</dt>
          <dd>{p.paid ? t("paid") : t("free")}</dd>
          {p.waybillNo && (
            <>
              <dt>{t("waybill")}</dt>
              <dd data-testid="postal-waybill">{p.waybillNo}</dd>
            </>
          )}
          <dt>{lang === "zh" ? "状态" : "Status"}</dt>
          <dd>
            <strong data-testid="postal-text">{t(p.status)}</strong>
          </dd>
        </dl>
      )}
      {!p && !c.collection && !CLOSED.has(c.status) && <p>{t("nothing")}</p>}
      {canAsk && (
        <button type="button" aria-expanded={open} onClick={() => setOpen(!open)} data-testid="postal-open">
          {p ? t("change") : t("ask")}
        </button>
      )}
      {canAsk && open && (
        <AddressForm
          lang={lang}
          testId="postal-form"
          onSubmit={async (body) => {
            try {
              const r = await api.setPostalPublic(c.caseNo, phone4.trim(), body);
              onCase(r);
              setOpen(false);
              setMsg({ ok: true, text: t("saved") });
            } catch (e) {
              setMsg({ ok: false, text: errorMessage(toApiError(e).code, lang) });
            }
          }}
        >
          <label>
            {t("phone4")}
            <input
              name="phone4"
              required
              inputMode="numeric"
              pattern="\d{4}"
              maxLength={4}
              autoComplete="off"
              value={phone4}
              onInput={(e) => setPhone4((e.target as HTMLInputElement).value)}
            />
          </label>
        </AddressForm>
      )}
      {msg && (
        <p role={msg.ok ? "status" : "alert"} class={msg.ok ? "" : "perror"} data-testid="postal-msg">
          {msg.text}
        </p>
      )}
    </section>
  );
}
