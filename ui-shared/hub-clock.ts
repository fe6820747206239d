/**
 * The hub's clock, as a page knows it. The PC a page runs on may be minutes or hours off the
 * hub (a kiosk whose BIOS clock was never set, a screen without NTP), and every timestamp the
 * hub sends — when a ticket was called, when a counter paused, the issuing windows, the day —
 * is on the hub's clock. A page that compares them with its own `Date.now()` shows "paused
 * for 3 h" or a closed queue; it compares them with {@link hubNow} instead.
 *
 * The offset is learned from hub timestamps that mean "now": each snapshot's and each
 * `stats:live`'s `at` (ui-shared/socket.ts notes them) and, for pages without the hall's
 * socket (the phone page), `GET /api/health`'s `now` ({@link syncHubClock}). Until then the
 * page's own clock is all there is. Durations measured on the page alone (how long since
 * this page saw a call) stay on the page's clock (`Date.now()` or `performance.now()`).
 */
import { useEffect, useState } from "preact/hooks";

let offset = 0;

/** A hub timestamp that is "now" on the hub (a latency's worth ago at most). */
export function noteHubTime(at: number): void {
  if (Number.isFinite(at)) offset = at - Date.now();
}

/** The hub's time now (epoch ms), as well as this page knows it. */
export function hubNow(): number {
  return Date.now() + offset;
}

/** A moment this page stamped with its own clock, on the hub's clock (as far as known now). */
export function hubTimeOf(pageTime: number): number {
  return pageTime + offset;
}

/** Ask the hub its time (`GET /api/health` → `now`), halving the round trip. */
export async function syncHubClock(baseUrl = ""): Promise<void> {
  const sent = Date.now();
  const res = await fetch(`${baseUrl}/api/health`, { cache: "no-store" });
  const body = (await res.json()) as { now?: unknown };
  const back = Date.now();
  if (typeof body.now === "number") offset = body.now + (back - sent) / 2 - back;
}

/**
 * The hub's time (epoch ms), re-rendered every `periodMs`. Read at each render, not kept: a
 * render caused by the snapshot that taught the page the hub's clock already uses it.
 */
export function useHubNow(periodMs = 1000): number {
  const [, tick] = useState(0);
  useEffect(() => {
    const id = setInterval(() => tick((n) => n + 1), periodMs);
    return () => clearInterval(id);
  }, [periodMs]);
  return hubNow();
}
