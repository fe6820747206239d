import type { Catalogue, WorkProfile } from "../contract/catalogue.ts";
import { HallError } from "./errors.ts";
import { validateCatalogue } from "../store/catalogue-schema.ts";
import type { ConfigStore } from "../store/config.ts";
import type { HallService } from "./service.ts";

/**
 * Admins change the catalogue while the hall runs: a whole new catalogue, or one counter's
 * work profile (a manager moving a window to a queue whose wait is too long). The new
 * catalogue is validated as at start-up, persisted, and swapped into today's state
 * without losing a ticket.
 */
export class CatalogueAdmin {
  constructor(
    private readonly config: ConfigStore,
    private readonly hall: HallService,
  ) {}

  async replace(input: unknown): Promise<Catalogue> {
    const r = validateCatalogue(input);
    if (!r.ok) throw new HallError("VALIDATION_FAILED", r.problems.slice(0, 5).join("; "));
    // Today's tickets keep their queues and counters: those may not disappear mid-day.
    const queues = new Set(r.catalogue.queues.map((q) => q.id));
    const counters = new Set(r.catalogue.counters.map((c) => c.id));
    const inUse = new Set<string>();
    for (const t of this.hall.engineState().tickets.values()) {
      if (
        (t.status === "waiting" || t.status === "called" || t.status === "serving" || t.status === "parked") &&
        !queues.has(t.queueId)
      )
        inUse.add(`queue ${t.queueId}`);
    }
    for (const [id, c] of this.hall.engineState().counters)
      if (c.view.status !== "closed" && !counters.has(id)) inUse.add(`counter ${id}`);
    if (inUse.size) throw new HallError("INVALID_TRANSITION", `still in use today: ${[...inUse].slice(0, 5).join(", ")}`);
    await this.config.update((d) => {
      d.catalogue = r.catalogue;
    });
    // Saved first, then swapped in: the hall publishes `catalogue.changed` for the pages.
    this.hall.setCatalogue(r.catalogue);
    return r.catalogue;
  }

  async setProfile(counterId: string, profile: WorkProfile): Promise<Catalogue> {
    const current = this.config.data.catalogue;
    if (!current.counters.some((c) => c.id === counterId)) throw new HallError("UNKNOWN_COUNTER", `no counter ${counterId}`);
    const next: Catalogue = {
      ...current,
      counters: current.counters.map((c) => (c.id === counterId ? { ...c, profile } : c)),
    };
    return this.replace(next);
  }
}
