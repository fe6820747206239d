/**
 * At acceptance: the clerk enters the address the certificate should be mailed to (邮政寄递),
 * if the applicant asks for it. The hub validates the address; the waybill comes later, at
 * the 统一出证 window, when the certificate is ready.
 */
import { useRef, useState } from "preact/hooks";
import type { PostalStaff } from "../server/src/contract/delivery.ts";
import { AddressForm } from "../ui-shared/address-form.tsx";
import { type Api, toApiError } from "../ui-shared/api.ts";
import { newIdempotencyKey } from "../ui-shared/cases-api.ts";
import { deliveryApi } from "../ui-shared/delivery-api.ts";
import { errorMessage } from "../ui-shared/errors.ts";
import type { Lang } from "../ui-shared/i18n.ts";

const WORDS = {
  ask: { zh: "证照邮寄到家", en: "Mail the certificate home" },
  saved: { zh: "已登记邮寄：{to}（{fee}）", en: "Postal delivery requested: {to} ({fee})" },
  free: { zh: "免费", en: "free" },
  paid: { zh: "到付", en: "paid by the recipient" },
} as const;

export function CounterPostal({ api, caseNo, lang, initial }: { api: Api; caseNo: string; lang: Lang; initial?: PostalStaff }) {
  const w = (k: keyof typeof WORDS) => WORDS[k][lang];
  const [open, setOpen] = useState(false);
  const [saved, setSaved] = useState<PostalStaff | undefined>(initial);
  const [error, setError] = useState<string | null>(null);
  const key = useRef(newIdempotencyKey());
  return (
    <div class="case-postal" data-testid="counter-postal">
      {saved && (
        <p data-testid="counter-postal-saved">
          {w("saved")
            .replace("{to}", `${saved.address.province}${saved.address.city}${saved.address.county}${saved.address.street}`)
            .replace("{fee}", saved.paid ? w("paid") : w("free"))}
        </p>
      )}
      <button type="button" aria-expanded={open} onClick={() => setOpen(!open)} data-testid="counter-postal-open">
        {w("ask")}
      </button>
      {open && (
        <AddressForm
          lang={lang}
          testId="counter-postal-form"
          onSubmit={async (body) => {
            try {
              const c = await deliveryApi(api).setPostal(caseNo, body, key.current);
              key.current = newIdempotencyKey();
              setSaved(c.postal);
              setOpen(false);
              setError(null);
            } catch (e) {
              setError(errorMessage(toApiError(e).code, lang));
            }
          }}
        />
      )}
      {error && (
        <p class="case-error" role="alert">
          {error}
        </p>
      )}
    </div>
  );
}
