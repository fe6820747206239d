import type { HallService } from "./service.ts";

/**
 * Sign a removed account out of every counter it holds, through the engine (journalled,
 * broadcast like any sign-out), so no counter, window screen or wall keeps showing a
 * person who no longer exists. A ticket it was calling or serving goes back to its queue
 * first (the visitor keeps their place), since the engine only signs out an idle counter.
 */
export async function signOutEverywhere(hall: HallService, staffId: string, log: (line: string) => void): Promise<void> {
  for (const [counterId, c] of hall.engineState().counters) {
    if (c.view.status === "closed" || c.view.staffId !== staffId) continue;
    const cur = c.view.currentTicketId ? hall.engineState().tickets.get(c.view.currentTicketId) : undefined;
    if (cur && (cur.status === "called" || cur.status === "serving")) {
      const t = await hall.run({
        type: "transfer",
        counterId,
        staffId,
        toQueueId: cur.queueId,
        note: "account removed / 账号已删除",
      });
      if (!t.ok) log(`staff ${staffId} removed: ticket ${cur.number} at ${counterId} not returned to its queue (${t.error})`);
    }
    const r = await hall.run({ type: "signOut", counterId, staffId });
    if (r.ok) log(`staff ${staffId} removed: signed out of counter ${counterId}`);
    else log(`staff ${staffId} removed: could not sign out of counter ${counterId} (${r.error})`);
  }
}
