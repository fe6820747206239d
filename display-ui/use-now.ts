import { useHubNow } from "../ui-shared/hub-clock.ts";

/**
 * The hub's time now (epoch ms), re-rendered every `periodMs`: the screens show the hall's
 * clock and measure the hub's timestamps (a counter's pause, the hour of the day) against it,
 * whatever the screen PC's own clock says.
 */
export function useNow(periodMs = 1000): number {
  return useHubNow(periodMs);
}
