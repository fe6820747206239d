/**
 * What changed between two JSON values, as a list of paths with their before and after
 * values: what an auditor wants to read ("counters[c07].profile.queues: [B] → [B, C]").
 * Lists of objects with an `id` are matched by id (a counter inserted in the middle is one
 * change, not forty); other lists are compared as values. Bounded: a whole new catalogue
 * of 1,400 matters records the first `max` changes and says it stopped.
 */
import type { AuditChange } from "../contract/audit.ts";

/** Keys never copied into the log, at any depth (staff records carry their hashes). */
const SECRET_KEYS = new Set(["hash", "salt", "password", "token", "claimSecret", "secret", "secrets"]);

export function diff(before: unknown, after: unknown, max = 200): { changes: AuditChange[]; truncated: boolean } {
  const changes: AuditChange[] = [];
  let truncated = false;
  const push = (c: AuditChange) => {
    if (changes.length >= max) truncated = true;
    else changes.push(c);
  };
  const walk = (path: string, a: unknown, b: unknown) => {
    if (truncated) return;
    if (same(a, b)) return;
    if (isObject(a) && isObject(b)) {
      for (const k of new Set([...Object.keys(a), ...Object.keys(b)])) {
        if (SECRET_KEYS.has(k)) continue;
        walk(path ? `${path}.${k}` : k, a[k], b[k]);
      }
      return;
    }
    if (Array.isArray(a) && Array.isArray(b) && byId(a) && byId(b)) {
      const ai = new Map(a.map((x) => [(x as { id: string }).id, x]));
      const bi = new Map(b.map((x) => [(x as { id: string }).id, x]));
      for (const [id, x] of ai) walk(`${path}[${id}]`, x, bi.get(id));
      for (const [id, x] of bi) if (!ai.has(id)) walk(`${path}[${id}]`, undefined, x);
      return;
    }
    push({
      path: path || "(root)",
      ...(a !== undefined ? { before: scrub(a) } : {}),
      ...(b !== undefined ? { after: scrub(b) } : {}),
    });
  };
  // A record created or removed is listed field by field, like an edit.
  const root = (x: unknown) => (x === undefined && (isObject(before) || isObject(after)) ? {} : x);
  walk("", root(before), root(after));
  return { changes, truncated };
}

function isObject(x: unknown): x is Record<string, unknown> {
  return typeof x === "object" && x !== null && !Array.isArray(x);
}

function byId(xs: unknown[]): boolean {
  return xs.every((x) => isObject(x) && typeof x.id === "string");
}

function same(a: unknown, b: unknown): boolean {
  return JSON.stringify(a) === JSON.stringify(b);
}

/** A value as logged: secrets dropped, long values cut (a whole matter's materials is not a diff line). */
function scrub(x: unknown): unknown {
  const json = JSON.stringify(x, (k, v) => (SECRET_KEYS.has(k) ? undefined : v));
  if (json === undefined) return undefined;
  if (json.length <= 500) return JSON.parse(json);
  return `${json.slice(0, 500)}…`;
}
