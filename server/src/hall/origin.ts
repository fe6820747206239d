import { AsyncLocalStorage } from "node:async_hooks";

/**
 * Where the current command came from (the client's address and the adapter), for the
 * audit log. The adapters set it around each request or socket command; the application
 * layer and its listeners read it without every signature carrying it. Nothing decides on
 * it: it is only recorded.
 */
export interface Origin {
  ip?: string;
  via: "http" | "socket" | "device";
}

const store = new AsyncLocalStorage<Origin>();

export function withOrigin<T>(origin: Origin, fn: () => T): T {
  return store.run(origin, fn);
}

export function currentOrigin(): Origin | undefined {
  return store.getStore();
}
