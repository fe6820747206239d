/**
 * The live hub's arrival profile: at start and at each day's turn, the visitors per series per
 * quarter hour of the hall's past days (their journals, simulation/history.ts) are handed to
 * the hall (`HallService.expectArrivals`), so the wait estimates see the morning rush and the
 * lunch lull coming — the same profile the reference days measure the estimator with
 * (docs/simulation.md). Learned in a worker thread (reading weeks of journals would hold the
 * event loop for a second), started only when there are past days to read and ended after
 * each lesson, so a hall PC pays no memory for it the rest of the day.
 */
import { readdir } from "node:fs/promises";
import type { HallService } from "../hall/service.ts";
import { PlanRunner } from "./plan-runner.ts";

export interface LiveProfileDeps {
  hall: HallService;
  journalDir: string;
  log: (line: string) => void;
}

/** Learns now and at every new day; `close()` waits for a lesson under way. */
export function keepArrivalProfile(d: LiveProfileDeps): { close(): Promise<void>; learned: () => Promise<void> } {
  let closed = false;
  let runner: PlanRunner | undefined;
  let lesson: Promise<void> = Promise.resolve();
  const learn = async (): Promise<void> => {
    const day = d.hall.day;
    const names = await readdir(d.journalDir).catch(() => [] as string[]);
    if (!names.some((f) => /^\d{4}-\d{2}-\d{2}\.jsonl$/.test(f) && f.slice(0, 10) < day) || closed) return;
    runner = new PlanRunner();
    try {
      const a = await runner.run({ kind: "arrivals", journalDir: d.journalDir, day, timeZone: d.hall.catalogue().hall.timeZone });
      if (closed) return;
      if (a.ok && "profile" in a) {
        d.hall.expectArrivals(a.profile);
        if (a.profile)
          d.log(`estimates: arrivals expected as on the hall's past days (${Object.keys(a.profile.perQueue).length} series)`);
      } else if (!a.ok) d.log(`estimates: past days not learned (${a.message}); the last hour's pace is used`);
    } finally {
      await runner.close();
      runner = undefined;
    }
  };
  const relearn = (): void => {
    lesson = lesson.then(learn).catch((err: unknown) => d.log(`estimates: past days not learned (${(err as Error).message})`));
  };
  relearn();
  const owner = {};
  d.hall.bus.on(owner, "hall.day", () => relearn());
  return {
    learned: () => lesson,
    close: async () => {
      closed = true;
      d.hall.bus.off(owner);
      await runner?.close();
      await lesson;
    },
  };
}
