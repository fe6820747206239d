import type { Catalogue } from "../contract/catalogue.ts";
import type { DeviceStatus } from "../contract/devices.ts";
import type { KioskInput } from "../contract/events.ts";
import type { HallEvent } from "../core/index.ts";

/**
 * What happened in the hall, as the application layer publishes it on its {@link Bus}
 * (hall/bus.ts). Each entry is published only once it is durable: engine events after the
 * journal's fsync, a catalogue after config.json was replaced. Adapters (realtime/,
 * devices/, voice/, printers) subscribe side by side and ask the hall's queries for
 * anything else; none of them imports another, and none reads the engine's state.
 *
 * A type alias, not an interface: the bus's `EventMap` constraint needs an index signature.
 */
export type HallEvents = {
  /**
   * One command's engine events, in order, after the journal acknowledged them. One entry
   * per batch rather than one per event: a call that auto-finishes the previous ticket is
   * one broadcast (realtime/ folds the batch), and a device refreshes a counter once.
   */
  "hall.events": [events: HallEvent[]];
  /**
   * The hall's local day turned (numbering starts again): the new day, and the day that
   * closed — not always the day before (a hub stopped over a weekend, a clock stepped on).
   */
  "hall.day": [day: string, closed: string];
  /** The journal could not be written: memory is ahead of the disk, the hub must restart. */
  "hall.failed": [error: Error];
  /** The catalogue was replaced (and saved); as pages see it, initials included. */
  "catalogue.changed": [catalogue: Catalogue];
  /** Something about a counter changed that is no engine event (a hand-back request): its pages refetch. */
  "counter.changed": [counterId: string];
  /** A device's health changed (devices/ reports it; screens and the wall show it). */
  "device.status": [status: DeviceStatus];
  /** A kiosk's ID card reader or scanner read something (the ID number itself never rides here). */
  "kiosk.input": [input: KioskInput];
};
