import { createHash } from "node:crypto";
import type { Catalogue } from "../contract/catalogue.ts";
import { withInitials } from "./initials.ts";

/**
 * The catalogue as clients get it: with the pinyin the kiosk searches and a version, a hash
 * of everything else. A hash rather than a counter: the same catalogue keeps its version
 * across a restart, so pages keep their copy then too. Computed once per catalogue change.
 */
export function servedCatalogue(c: Catalogue): Catalogue {
  const { version: _old, ...plain } = withInitials(c);
  const version = createHash("sha256").update(JSON.stringify(plain)).digest("base64url").slice(0, 16);
  return { ...plain, version };
}
