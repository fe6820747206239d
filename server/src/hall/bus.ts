/**
 * A typed event bus: what happened in the hall, published after the journal (or the case
 * store) acknowledged it. Adapters (realtime/, devices/, voice/, printers, reports) listen;
 * none of them imports another. Listeners are keyed by their owner, as Zigbee2MQTT's
 * EventBus does, so stopping a module removes all its listeners at once.
 *
 * A listener that throws is logged and the others still run: one broken screen adapter must
 * never keep the voice or the printers from hearing about a call.
 */
export type EventMap = { [name: string]: unknown[] };

type Listener<A extends unknown[]> = (...args: A) => void;

export class Bus<M extends EventMap> {
  private readonly listeners = new Map<keyof M, { owner: object; fn: Listener<never[]> }[]>();

  constructor(private readonly onListenerError: (event: string, err: unknown) => void = () => {}) {}

  on<K extends keyof M>(owner: object, event: K, fn: Listener<M[K]>): void {
    const list = this.listeners.get(event) ?? [];
    list.push({ owner, fn: fn as unknown as Listener<never[]> });
    this.listeners.set(event, list);
  }

  /** Remove every listener that `owner` registered. */
  off(owner: object): void {
    for (const [event, list] of this.listeners) {
      const kept = list.filter((l) => l.owner !== owner);
      if (kept.length) this.listeners.set(event, kept);
      else this.listeners.delete(event);
    }
  }

  emit<K extends keyof M>(event: K, ...args: M[K]): void {
    const list = this.listeners.get(event);
    if (!list) return;
    for (const l of [...list]) {
      try {
        (l.fn as unknown as Listener<M[K]>)(...args);
      } catch (err) {
        this.onListenerError(String(event), err);
      }
    }
  }

  listenerCount(event: keyof M): number {
    return this.listeners.get(event)?.length ?? 0;
  }
}
