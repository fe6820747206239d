/** The typed contract shared by the hub and its UIs. UIs `import type` from here only. */
export type * from "./catalogue.ts";
export type * from "./devices.ts";
export type * from "./events.ts";
export type * from "./requests.ts";
export type * from "./stats.ts";
export type * from "./payments.ts";
export type * from "./tickets.ts";
export type { Ack, ErrorBody, ErrorCode } from "./errors.ts";
export { ERROR_CODES } from "./errors.ts";
export { PRIORITY_CLASSES } from "./catalogue.ts";
export { OUTCOMES } from "./tickets.ts";
