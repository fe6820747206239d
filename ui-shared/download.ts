/**
 * A file from a staff route (a ledger's or the catalogue's CSV / XLSX) saved by the browser:
 * fetched with the staff token (a plain link would carry none), named as the hub's
 * Content-Disposition says. A refusal becomes an {@link ApiError} with its closed code.
 */
import { ApiError } from "./api.ts";

export async function downloadFile(url: string, token: string | null, fallbackName: string): Promise<void> {
  const r = await fetch(url, { headers: { authorization: `Bearer ${token ?? ""}` } });
  if (!r.ok) {
    const body = (await r.json().catch(() => null)) as { error?: { code?: string } } | null;
    throw new ApiError((body?.error?.code ?? "INTERNAL") as never, r.status, "download");
  }
  const name = /filename="([^"]+)"/.exec(r.headers.get("content-disposition") ?? "")?.[1] ?? fallbackName;
  const href = URL.createObjectURL(await r.blob());
  const a = document.createElement("a");
  a.href = href;
  a.download = name;
  document.body.append(a);
  a.click();
  a.remove();
  setTimeout(() => URL.revokeObjectURL(href), 10_000);
}
