/**
 * What the case module publishes on the hall bus (hall/bus.ts), after the store committed it.
 * The lead merges these entries into the HallEvents map (hall/events.ts).
 */
import type { Case, CaseTransition } from "../contract/cases.ts";

export type CaseBusEvents = {
  "case.accepted": [c: Case];
  "case.transitioned": [c: Case, t: CaseTransition];
  /** Changed without a step of its own (a postal address, a parcel in transit): issue 11. */
  "case.updated": [c: Case];
};
