/**
 * Download a file a staff route makes (a ledger's CSV or XLSX): fetched with the page's
 * token (a plain link cannot send it), then saved under the name the hub gave it. A refusal
 * becomes an ApiError with the hub's closed code, like every other request.
 */
import { ApiError } from "./api.ts";
import type { ClientErrorCode } from "./errors.ts";

export async function downloadFile(path: string, token: string | null, fallbackName: string): Promise<void> {
  const r = await fetch(path, { headers: { authorization: `Bearer ${token ?? ""}` } });
  if (!r.ok) {
    const body = (await r.json().catch(() => null)) as { error?: { code?: string } } | null;
    throw new ApiError((body?.error?.code ?? "INTERNAL") as ClientErrorCode, r.status, "download");
  }
  const name = /filename="([^"]+)"/.exec(r.headers.get("content-disposition") ?? "")?.[1] ?? fallbackName;
  const url = URL.createObjectURL(await r.blob());
  const a = document.createElement("a");
  a.href = url;
  a.download = name;
  document.body.append(a);
  a.click();
  a.remove();
  setTimeout(() => URL.revokeObjectURL(url), 10_000);
}
