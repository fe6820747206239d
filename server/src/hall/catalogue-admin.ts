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

  /** One change at a time: a version check and the save it guards are one step. */
  private queue: Promise<unknown> = Promise.resolve();

  /**
   * `expectedVersion`: the catalogue version the admin's change was made on (the page's
   * If-Match, the import's dry run). When another admin changed the catalogue since, the
   * change is refused with CATALOGUE_CONFLICT instead of silently overwriting theirs.
   */
  replace(input: unknown, expectedVersion?: string): Promise<Catalogue> {
    const run = this.queue.then(() => this.replaceNow(input, expectedVersion));
    this.queue = run.catch(() => undefined);
    return run;
  }

  private async replaceNow(input: unknown, expectedVersion?: string): Promise<Catalogue> {
    if (expectedVersion !== undefined && expectedVersion !== this.hall.clientCatalogue().version)
      throw new HallError("CATALOGUE_CONFLICT", "the catalogue changed since it was read: reload and retry");
    const r = validateCatalogue(input);
    if (!r.ok) throw new HallError("VALIDATION_FAILED", r.problems.slice(0, 5).join("; "));
    const inUse = this.inUse(r.catalogue);
    if (inUse.length) throw new HallError("INVALID_TRANSITION", `still in use today: ${inUse.slice(0, 5).join(", ")}`);
    await this.config.update((d) => {
      d.catalogue = r.catalogue;
    });
    // Saved first, then swapped in: the hall publishes `catalogue.changed` for the pages.
    this.hall.setCatalogue(r.catalogue);
    return r.catalogue;
  }

  /**
   * What a new catalogue may not drop today: queues with tickets still waiting, called or
   * served, and counters not closed ("queue q-b", "counter c07").
   */
  inUse(next: Catalogue): string[] {
    const queues = new Set(next.queues.map((q) => q.id));
    const counters = new Set(next.counters.map((c) => c.id));
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
    return [...inUse];
  }

  setProfile(counterId: string, profile: WorkProfile): Promise<Catalogue> {
    // Read inside the queue: a whole-catalogue change saved just before is not undone.
    const run = this.queue.then(() => {
      const current = this.config.data.catalogue;
      if (!current.counters.some((c) => c.id === counterId)) throw new HallError("UNKNOWN_COUNTER", `no counter ${counterId}`);
      const next: Catalogue = {
        ...current,
        counters: current.counters.map((c) => (c.id === counterId ? { ...c, profile } : c)),
      };
      return this.replaceNow(next);
    });
    this.queue = run.catch(() => undefined);
    return run;
  }
}
