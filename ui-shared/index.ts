/**
 * Shared browser code of the OneVisit pages (kiosk, phone, counter, display, wall).
 *
 * - `i18n.ts`   — `useLang()`, `translator(table, lang)`, `pickName()`, `COMMON` strings
 * - `errors.ts` — `errorMessage(code, lang)` for every hub ErrorCode (+ NETWORK)
 * - `api.ts`    — `createApi({ token })` REST client; failures throw `ApiError { code, status }`
 * - `socket.ts` — `useHallSocket(subs, { handlers, onConnect, token })` → `{ state, connected, socket }`
 * - `store.ts`  — `hallReducer(state, action)`: snapshot (joined with its catalogue) + deltas (pure)
 * - `catalogue-cache.ts` — `loadCatalogue(version?)`: the catalogue by version, from memory,
 *                 localStorage or `GET /api/hall` (the snapshot names the version only)
 * - `counter-command.ts` — `sendCounterCommand(socket, api, cmd)`: `counter:command` over the
 *                 socket, REST while it reconnects
 * - `format.ts` — `formatClock`, `formatWait`, `formatDate`, `localDay`, `isWithinHours` in the hall zone
 * - `search.ts` — `searchMatters(matters, q, { lang, synonyms })`: names, everyday words, full pinyin,
 *                 initials, materials, ranked; `pinyinCandidates()` for the on-screen keyboard
 * - `ui.tsx`    — `<ReconnectBanner>`, `<ErrorToast>`
 * - `hub-clock.ts` — `hubNow()`, `useHubNow()`: the hub's time, for anything measured against
 *                 the hub's timestamps (never the PC's `Date.now()`)
 * - `staff-sign-in.tsx` — `<SignInForm>` and `useStaffSession()`: the staff pages' sign-in
 * - `staff-shell.tsx` — `useStaffPage(keys)` and `<StaffShell>`: a staff page's header bar, sign-in
 *                 card, role check and error alert
 */
export * from "./api.ts";
export * from "./catalogue-cache.ts";
export * from "./counter-command.ts";
export * from "./errors.ts";
export * from "./format.ts";
export * from "./hub-clock.ts";
export * from "./i18n.ts";
export * from "./search.ts";
export * from "./socket.ts";
export * from "./staff-shell.tsx";
export * from "./staff-sign-in.tsx";
export * from "./store.ts";
export * from "./ui.tsx";
