/**
 * Kiosk search: a matter matches when the query is part of its Chinese name, its
 * English name (case-insensitive) or its pinyin initials (`matter.initials`, filled by
 * the hub: "bdc" finds 不动产登记 "bdcdj").
 */
import type { Matter } from "../server/src/contract/index.ts";

function norm(s: string): string {
  return s.toLowerCase().replace(/\s+/g, "");
}

/** 0 = no match; higher = better (prefix beats substring, name beats the rest). */
export function matchScore(matter: Pick<Matter, "name" | "nameEn" | "initials">, query: string): number {
  const q = norm(query);
  if (!q) return 1;
  const name = norm(matter.name);
  const en = norm(matter.nameEn);
  const ini = norm(matter.initials ?? "");
  if (name.startsWith(q)) return 6;
  if (ini?.startsWith(q)) return 5;
  if (en.startsWith(q)) return 4;
  if (name.includes(q)) return 3;
  if (ini?.includes(q)) return 2;
  if (en.includes(q)) return 2;
  // English words: "real estate" should find "Real-estate registration" too.
  const enWords = matter.nameEn.toLowerCase().replace(/[^a-z0-9]+/g, "");
  if (enWords.includes(q.replace(/[^a-z0-9]/g, "")) && /[a-z0-9]/.test(q)) return 1;
  return 0;
}

/** Whether the matter matches the query (empty query matches everything). */
export function matchesMatter(matter: Pick<Matter, "name" | "nameEn" | "initials">, query: string): boolean {
  return matchScore(matter, query) > 0;
}

/** Matching matters, best first, stable within a score. */
export function searchMatters<M extends Pick<Matter, "name" | "nameEn" | "initials">>(matters: readonly M[], query: string): M[] {
  return matters
    .map((m, i) => ({ m, i, s: matchScore(m, query) }))
    .filter((x) => x.s > 0)
    .sort((a, b) => b.s - a.s || a.i - b.i)
    .map((x) => x.m);
}
