/**
 * 寄递台账 on the certificate page, for supervisors and admins: the day's parcels per
 * department (recipients masked), and its export as XLSX or CSV (fetched with the page's
 * token, then saved; the CSV is UTF-8 with a BOM, so Excel reads the Chinese), headers in
 * the page's language.
 */
import { useState } from "preact/hooks";
import type { PostalLedger } from "../server/src/contract/delivery.ts";
import type { Api } from "../ui-shared/api.ts";
import { deliveryApi } from "../ui-shared/delivery-api.ts";
import { downloadFile } from "../ui-shared/download.ts";
import type { Lang } from "../ui-shared/i18n.ts";

const WORDS = {
  title: { zh: "寄递台账", en: "Postal ledger" },
  day: { zh: "日期", en: "Day" },
  dept: { zh: "部门（可选）", en: "Department (optional)" },
  show: { zh: "查询", en: "Show" },
  csv: { zh: "导出 CSV", en: "Export CSV" },
  xlsx: { zh: "导出 Excel", en: "Export Excel" },
  totals: {
    zh: "寄出 {mailed} 件（免费 {free}，到付 {paid}），已签收 {delivered}，退回 {returned}",
    en: "{mailed} mailed ({free} free, {paid} paid), {delivered} delivered, {returned} returned",
  },
  caseNo: { zh: "办件编号", en: "Case" },
  waybill: { zh: "运单号", en: "Waybill" },
  recipient: { zh: "收件人", en: "Recipient" },
  status: { zh: "状态", en: "Status" },
} as const;

export function Ledger({
  api,
  lang,
  token,
  onError,
}: {
  api: Api;
  lang: Lang;
  token: () => string | null;
  onError: (e: unknown) => void;
}) {
  const w = (k: keyof typeof WORDS) => WORDS[k][lang];
  const [day, setDay] = useState(() => new Intl.DateTimeFormat("en-CA", { timeZone: "Asia/Shanghai" }).format(Date.now()));
  const [dept, setDept] = useState("");
  const [l, setL] = useState<PostalLedger | null>(null);
  const q = `day=${encodeURIComponent(day)}${dept.trim() ? `&dept=${encodeURIComponent(dept.trim())}` : ""}`;
  const download = async (format: "csv" | "xlsx") => {
    try {
      await downloadFile(`/api/postal/ledger?${q}&format=${format}&lang=${lang}`, token(), `postal-ledger-${day}.${format}`);
    } catch (err) {
      onError(err);
    }
  };
  return (
    <section class="ccard ledger" aria-labelledby="ledger-title" data-testid="ledger">
      <h2 id="ledger-title">{w("title")}</h2>
      <form
        onSubmit={async (e) => {
          e.preventDefault();
          try {
            setL(await deliveryApi(api).ledger(day, dept.trim() || undefined));
          } catch (err) {
            onError(err);
          }
        }}
      >
        <label>
          {w("day")}
          <input type="date" name="day" value={day} onInput={(e) => setDay((e.target as HTMLInputElement).value)} />
        </label>
        <label>
          {w("dept")}
          <input name="dept" value={dept} onInput={(e) => setDept((e.target as HTMLInputElement).value)} />
        </label>
        <button type="submit" class="primary" data-testid="ledger-show">
          {w("show")}
        </button>
        <button type="button" data-testid="ledger-xlsx" onClick={() => void download("xlsx")}>
          {w("xlsx")}
        </button>
        <button type="button" data-testid="ledger-csv" onClick={() => void download("csv")}>
          {w("csv")}
        </button>
      </form>
      {l && (
        <>
          <p data-testid="ledger-totals">
            {w("totals")
              .replace("{mailed}", String(l.totals.mailed))
              .replace("{free}", String(l.totals.free))
              .replace("{paid}", String(l.totals.paid))
              .replace("{delivered}", String(l.totals.delivered))
              .replace("{returned}", String(l.totals.returned))}
          </p>
          <table>
            <thead>
              <tr>
                <th scope="col">{w("caseNo")}</th>
                <th scope="col">{w("waybill")}</th>
                <th scope="col">{w("recipient")}</th>
                <th scope="col">{w("status")}</th>
              </tr>
            </thead>
            <tbody>
              {l.rows.map((r) => (
                <tr key={r.caseNo} data-testid="ledger-row">
                  <td class="mono">{r.caseNo}</td>
                  <td class="mono">{r.waybillNo}</td>
                  <td>
                    {r.recipientMasked} · {r.county}
                  </td>
                  <td>{r.status}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </>
      )}
    </section>
  );
}
