/**
 * The postal address form (邮寄地址), shared by the certificate window, the counter's
 * acceptance and the public progress page: recipient, phone, province / city / county /
 * street, free or paid. The hub validates again; this only helps the person typing.
 */
import { useState } from "preact/hooks";
import type { PostalAddressBody } from "../server/src/contract/delivery.ts";
import { PROVINCES } from "../server/src/contract/provinces.ts";
import type { Lang } from "./i18n.ts";

const WORDS = {
  recipient: { zh: "收件人", en: "Recipient" },
  phone: { zh: "收件人手机", en: "Recipient's phone" },
  province: { zh: "省", en: "Province" },
  city: { zh: "市", en: "City" },
  county: { zh: "区/县", en: "District / county" },
  street: { zh: "街道及门牌", en: "Street and number" },
  paid: { zh: "到付（不勾选为免费寄递）", en: "Paid by the recipient (unticked: free delivery)" },
  save: { zh: "保存邮寄地址", en: "Save the address" },
} as const;

export interface AddressFormProps {
  lang: Lang;
  initial?: Partial<PostalAddressBody>;
  /** Extra fields before the address (the progress page's phone check). */
  children?: preact.ComponentChildren;
  submitLabel?: string;
  onSubmit: (body: PostalAddressBody) => void | Promise<void>;
  testId?: string;
}

export function AddressForm(p: AddressFormProps) {
  const w = (k: keyof typeof WORDS) => WORDS[k][p.lang];
  const [recipient, setRecipient] = useState(p.initial?.recipient ?? "");
  const [phone, setPhone] = useState(p.initial?.phone ?? "");
  const [province, setProvince] = useState(p.initial?.address?.province ?? "山东省");
  const [city, setCity] = useState(p.initial?.address?.city ?? "德州市");
  const [county, setCounty] = useState(p.initial?.address?.county ?? "平原县");
  const [street, setStreet] = useState(p.initial?.address?.street ?? "");
  const [paid, setPaid] = useState(p.initial?.paid ?? false);
  const val = (set: (v: string) => void) => (e: Event) => set((e.target as HTMLInputElement).value);
  return (
    <form
      class="address-form"
      data-testid={p.testId ?? "address-form"}
      onSubmit={(e) => {
        e.preventDefault();
        void p.onSubmit({ recipient, phone, address: { province, city, county, street }, paid });
      }}
    >
      {p.children}
      <label>
        {w("recipient")}
        <input name="recipient" required maxLength={40} value={recipient} onInput={val(setRecipient)} autoComplete="name" />
      </label>
      <label>
        {w("phone")}
        <input
          name="recipientPhone"
          required
          inputMode="tel"
          maxLength={20}
          value={phone}
          onInput={val(setPhone)}
          autoComplete="tel"
        />
      </label>
      <label>
        {w("province")}
        <select name="province" value={province} onChange={val(setProvince)}>
          {PROVINCES.map((x) => (
            <option key={x} value={x}>
              {x}
            </option>
          ))}
        </select>
      </label>
      <label>
        {w("city")}
        <input name="city" required maxLength={20} value={city} onInput={val(setCity)} />
      </label>
      <label>
        {w("county")}
        <input name="county" required maxLength={20} value={county} onInput={val(setCounty)} />
      </label>
      <label>
        {w("street")}
        <input name="street" required maxLength={80} value={street} onInput={val(setStreet)} autoComplete="street-address" />
      </label>
      <label class="check">
        <input type="checkbox" name="paid" checked={paid} onChange={(e) => setPaid((e.target as HTMLInputElement).checked)} />
        {w("paid")}
      </label>
      <button type="submit" class="primary" data-testid="address-save">
        {p.submitLabel ?? w("save")}
      </button>
    </form>
  );
}
