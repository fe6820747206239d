import type { Hall } from "../contract/catalogue.ts";

/** The origin (`scheme://host[:port]`) of a URL, or undefined when it is not one. */
function originOf(url: string): string | undefined {
  try {
    const u = new URL(url);
    if (u.protocol !== "http:" && u.protocol !== "https:") return undefined;
    return u.origin;
  } catch {
    return undefined;
  }
}

/**
 * Whether a browser request carrying `Origin` may change something or open a socket.
 * Allowed: no Origin at all (devices, curl, integrations: bearer tokens are not ambient
 * credentials, so a foreign page gains nothing a script outside a browser would not have),
 * the hub's own origin as the request's Host names it, the hall's `publicUrl`, and the
 * origins listed in `hall.allowedOrigins`. Everything else — other sites, `null` (sandboxed
 * frames, file: pages) — is refused, so a page elsewhere on the hall network cannot drive
 * kiosks' or counters' actions from a visitor's browser.
 */
export function originAllowed(origin: string | undefined, host: string | undefined, hall: Hall): boolean {
  if (origin === undefined || origin === "") return true;
  const o = originOf(origin);
  if (!o) return false;
  if (host && (o === originOf(`http://${host}`) || o === originOf(`https://${host}`))) return true;
  if (hall.publicUrl && originOf(hall.publicUrl) === o) return true;
  for (const a of hall.allowedOrigins ?? []) if (originOf(a) === o) return true;
  return false;
}
