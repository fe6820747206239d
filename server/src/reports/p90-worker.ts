/**
 * The p90 ranker's worker thread (embedded SQLite): better-sqlite3 is synchronous, and a
 * period's ranking (14 window-function queries, about a second each for a year of a million
 * tickets) would hold the hub's event loop meanwhile. Here it has its own connection to the
 * same cases.db (WAL: its reads never block the hub's writers, nor theirs its reads).
 *
 * The SQL comes with the job (store.ts writes it once for both engines). A job reads every
 * ranking in one read transaction (one snapshot), then replaces the period's rows in one
 * short write transaction: the write lock is held for milliseconds, not for the ranking, and
 * a report sees the period's old p90s or its new ones, never a mix. Between two queries it
 * looks at the cancel flag (the hub closing): a cancelled job writes nothing, so its days
 * keep their "needs ranking" mark (report_days.p90_pending) for the next fill.
 */
import { createRequire } from "node:module";
import { parentPort, workerData } from "node:worker_threads";
import type BetterSqlite3 from "better-sqlite3";
import { type P90Answer, type P90Job, type P90WorkerData, PROGRESS } from "./p90-runner.ts";

const data = workerData as P90WorkerData;
const port = parentPort;
if (port) {
  // The package by its resolved path: the worker's bundle is a data: URL (bundled-worker.ts).
  const Database = createRequire(data.module)(data.module) as typeof BetterSqlite3;
  const db = new Database(data.file);
  // Per connection: every commit fsynced like the hub's own, and a lock held by the hub's
  // connection (a case's write) waited for here, on this thread, instead of failing the job.
  db.pragma("synchronous = FULL");
  db.pragma("busy_timeout = 10000");
  const progress = data.progress;
  const cancelled = () => Atomics.load(progress, PROGRESS.cancel) !== 0;

  port.on("message", (job: P90Job | "stop") => {
    if (job === "stop") {
      db.close();
      port.close();
      return;
    }
    Atomics.store(progress, PROGRESS.ranked, 0);
    Atomics.store(progress, PROGRESS.job, job.id);
    Atomics.add(progress, PROGRESS.started, 1);
    let answer: P90Answer;
    try {
      const found: unknown[][] = [];
      let stopped = false;
      db.exec("begin");
      try {
        for (const q of job.rankings) {
          if (cancelled()) {
            stopped = true;
            break;
          }
          for (const [key, value] of db
            .prepare(q.sql)
            .raw()
            .all(...q.parameters) as [unknown, unknown][])
            found.push([job.period, job.from, q.dim, q.metric, key, value]);
          Atomics.add(progress, PROGRESS.ranked, 1);
        }
      } finally {
        db.exec("commit");
      }
      if (stopped) {
        answer = { id: job.id, ok: false, cancelled: true, message: "cancelled: the hub is closing" };
      } else {
        const del = db.prepare(job.clear.sql);
        const ins = db.prepare(job.insert);
        const ranked = db.prepare(job.ranked.sql);
        db.transaction(() => {
          del.run(...job.clear.parameters);
          for (const row of found) ins.run(...row);
          ranked.run(...job.ranked.parameters);
        }).immediate();
        answer = { id: job.id, ok: true, rows: found.length };
      }
    } catch (err) {
      answer = { id: job.id, ok: false, cancelled: false, message: (err as Error).message };
    } finally {
      Atomics.store(progress, PROGRESS.job, 0);
    }
    port.postMessage(answer);
  });
}
