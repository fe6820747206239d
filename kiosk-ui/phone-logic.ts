/** Pure helpers of the phone page (tested in test/kiosk-ui/phone-logic.test.ts). */
import type { Matter, Outcome, RatingReason } from "../server/src/contract/index.ts";
import type { Lang } from "../ui-shared/i18n.ts";

/** The holder key from the phone link's fragment (`/m/<id>#k=<key>`), if any. */
export function keyFromHash(hash: string): string | undefined {
  const k = new URLSearchParams(hash.replace(/^#/, "")).get("k");
  return k && /^[A-Za-z0-9_-]{10,64}$/.test(k) ? k : undefined;
}

/** The matter's materials in the page's language: English when the catalogue has them. */
export function materialsIn(matter: Pick<Matter, "materials" | "materialsEn">, lang: Lang): string[] {
  return lang === "en" && matter.materialsEn?.length === matter.materials.length ? matter.materialsEn : matter.materials;
}

/**
 * What the visitor still has to bring, in the page's language. The clerk records items in
 * Chinese (usually picked from the matter's list): those have an English twin by position;
 * free text the clerk typed stays as written.
 */
export function missingIn(
  matter: Pick<Matter, "materials" | "materialsEn"> | undefined,
  missing: string[],
  lang: Lang,
): string[] {
  if (!matter || lang !== "en") return missing;
  const en = materialsIn(matter, "en");
  return missing.map((m) => {
    const i = matter.materials.indexOf(m);
    return i >= 0 ? (en[i] ?? m) : m;
  });
}

/** Outcomes after which the visitor has something left to bring. */
export function outcomeNeedsMaterials(o: Outcome | undefined): boolean {
  return o === "rejected" || o === "accepted_incomplete";
}

/** Whether a rating can be sent: a score, and for 1 or 2 at least one reason and a comment within 200. */
export function ratingReady(score: number | null, reasons: readonly RatingReason[], comment: string): boolean {
  if (score === null || comment.trim().length > 200) return false;
  return score > 2 || reasons.length > 0;
}
