/**
 * The planner's worker thread: what-ifs simulate for a second or more, so they run here and
 * not on the hub's event loop (which keeps calling tickets and answering screens meanwhile).
 * One job at a time; the hub's PlanRunner posts them and awaits the answer.
 */
import { parentPort } from "node:worker_threads";
import { arrivalProfileOf, learnHistory, readPastDays } from "./history.ts";
import { comparePlans, PlanTooLarge } from "./plan.ts";
import type { ArrivalsJob, PlanJob, PlanJobAnswer } from "./plan-runner.ts";

/** Past days the planner learns arrivals from. */
const HISTORY_DAYS = 20;

const port = parentPort;
if (port) {
  port.on("message", (job: PlanJob | ArrivalsJob) => {
    void (async () => {
      let answer: PlanJobAnswer;
      try {
        if ("kind" in job) {
          const h = learnHistory(await readPastDays(job.journalDir, job.day, HISTORY_DAYS), job.timeZone);
          port.postMessage({
            id: job.id,
            ok: true,
            profile: h.days > 0 ? arrivalProfileOf(h) : undefined,
          } satisfies PlanJobAnswer);
          return;
        }
        const history =
          job.request.arrivals === "history" && job.journalDir
            ? learnHistory(await readPastDays(job.journalDir, job.request.day, HISTORY_DAYS), job.catalogue.hall.timeZone)
            : undefined;
        answer = { id: job.id, ok: true, result: comparePlans(job.catalogue, job.request, history, job.maxVisitors) };
      } catch (err) {
        answer = { id: job.id, ok: false, tooLarge: err instanceof PlanTooLarge, message: (err as Error).message };
      }
      port.postMessage(answer);
    })();
  });
}
