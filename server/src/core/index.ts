/** The queue engine: pure functions over plain data (see ../../../docs/architecture in README). */
export { apply, applyAll } from "./apply.ts";
export { APPOINTMENT_EARLY_MS, type Decision, candidates, decide, events, pickNext } from "./decide.ts";
export type { CallMode, Command, HallEvent } from "./model.ts";
export { type HallState, callInfo, initialState, withCatalogue } from "./state.ts";
export { localDay, localParts } from "./time.ts";
export * from "./views.ts";
