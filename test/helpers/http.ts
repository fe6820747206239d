/** Small client-side helpers for tests that talk to a hub with `fetch`. */

export interface Reply<T = unknown> {
  status: number;
  body: T;
}

/**
 * A JSON request to the hub at `base()` (a function, so a test can restart its hub on
 * another port). `onBody` sees every raw response body (to check what never leaves the hub).
 * `headers` adds others, e.g. a ticket's `X-Ticket-Key`.
 */
export function jsonApi(base: () => string, onBody?: (text: string) => void) {
  return async <T = unknown>(
    method: string,
    path: string,
    body?: unknown,
    token?: string,
    headers: Record<string, string> = {},
  ): Promise<Reply<T>> => {
    const res = await fetch(`${base()}${path}`, {
      method,
      headers: {
        ...headers,
        ...(body !== undefined ? { "content-type": "application/json" } : {}),
        ...(token ? { authorization: `Bearer ${token}` } : {}),
      },
      ...(body !== undefined ? { body: JSON.stringify(body) } : {}),
    });
    const text = await res.text();
    onBody?.(text);
    return { status: res.status, body: (text ? JSON.parse(text) : undefined) as T };
  };
}

export const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));

/** Poll `probe` until it returns a value other than undefined/false, for at most `ms`. */
export async function until<T>(
  probe: () => T | undefined | false | Promise<T | undefined | false>,
  ms = 3000,
  what = "condition",
): Promise<T> {
  const deadline = Date.now() + ms;
  for (;;) {
    const v = await probe();
    if (v !== undefined && v !== false) return v;
    if (Date.now() > deadline) throw new Error(`timed out after ${ms} ms waiting for ${what}`);
    await sleep(20);
  }
}

/**
 * Pair a page as `role` `id` through the real routes (request a code, approve it as admin
 * unless the hub paired it by itself, claim) and return its device token.
 */
export async function pairDevice(
  baseUrl: string,
  role: "kiosk" | "screen" | "terminal",
  id: string,
  adminToken: string,
): Promise<string> {
  const api = jsonApi(() => baseUrl);
  const r = await api<{ code: string; claimSecret: string; autoApproved: boolean }>("POST", "/api/pairings", { role, id });
  if (r.status !== 201) throw new Error(`pairing request: ${r.status} ${JSON.stringify(r.body)}`);
  if (!r.body.autoApproved) {
    const a = await api("POST", `/api/pairings/${r.body.code}/approve`, { role, id }, adminToken);
    if (a.status !== 200) throw new Error(`approve: ${a.status} ${JSON.stringify(a.body)}`);
  }
  const c = await api<{ deviceToken?: string }>("POST", "/api/pairings/claim", {
    code: r.body.code,
    claimSecret: r.body.claimSecret,
  });
  if (!c.body.deviceToken) throw new Error(`claim: ${c.status} ${JSON.stringify(c.body)}`);
  return c.body.deviceToken;
}
