/**
 * The catalogue a page keeps, by version. The snapshot a page gets on every connect names
 * the catalogue's version only (the catalogue is half a megabyte at the reference hall's
 * scale): a page asks `GET /api/hall` only when it has no copy of that version, in memory
 * or in localStorage (so a reloaded kiosk or screen is ready without loading it again).
 */
import type { Catalogue } from "../server/src/contract/index.ts";

const KEY = "onevisit.catalogue";

let memory: Catalogue | null = null;
/** One request at a time: a snapshot arriving while the catalogue loads waits for it. */
let inFlight: Promise<Catalogue> | null = null;

function stored(): Catalogue | null {
  try {
    const raw = localStorage.getItem(KEY);
    return raw ? (JSON.parse(raw) as Catalogue) : null;
  } catch {
    // storage disabled or a damaged entry: the hub has it
    return null;
  }
}

/** The copy this page has of `version` (any version when absent), without asking the hub. */
export function cachedCatalogue(version?: string): Catalogue | null {
  if (memory && (version === undefined || memory.version === version)) return memory;
  const s = stored();
  if (s && (version === undefined || s.version === version)) {
    memory = s;
    return s;
  }
  return null;
}

/** Keep a catalogue the hub sent (`catalogue:updated`, or a fetch). */
export function rememberCatalogue(c: Catalogue): void {
  memory = c;
  try {
    localStorage.setItem(KEY, JSON.stringify(c));
  } catch {
    // full or disabled storage: the copy in memory still serves this page
  }
}

/**
 * The catalogue of `version`, from this page's copy or else from the hub. Without a version
 * (a page that has no snapshot yet), the hub is asked with the copy's version as ETag and
 * answers 304 when it is current.
 */
export async function loadCatalogue(version?: string, baseUrl = ""): Promise<Catalogue> {
  const have = cachedCatalogue(version);
  if (have) return have;
  if (inFlight) {
    const c = await inFlight;
    if (version === undefined || c.version === version) return c;
  }
  const p = fetchCatalogue(baseUrl);
  inFlight = p;
  try {
    return await p;
  } finally {
    if (inFlight === p) inFlight = null;
  }
}

/**
 * Ask the hub whether this page's copy is current (ETag: 304 keeps it), for a page that
 * gets no snapshot naming the version (the phone page follows one ticket only): it draws
 * from {@link cachedCatalogue} at once and takes the answer when it comes.
 */
export function revalidateCatalogue(baseUrl = ""): Promise<Catalogue> {
  return fetchCatalogue(baseUrl);
}

async function fetchCatalogue(baseUrl: string): Promise<Catalogue> {
  const old = cachedCatalogue();
  const headers: Record<string, string> = old?.version ? { "if-none-match": `"${old.version}"` } : {};
  const res = await fetch(`${baseUrl}/api/hall`, { headers });
  if (res.status === 304 && old) return old;
  if (!res.ok) throw new Error(`GET /api/hall: ${res.status}`);
  const c = (await res.json()) as Catalogue;
  rememberCatalogue(c);
  return c;
}
