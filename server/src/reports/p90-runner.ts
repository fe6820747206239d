/**
 * Runs the p90 rankings of the embedded SQLite store in a worker thread (p90-worker.ts), so
 * the hub's event loop keeps calling tickets and answering kiosks and screens while a year
 * is ranked. PostgreSQL needs none of this: its server ranks, the loop only awaits.
 *
 * One job at a time, queued here (the worker has one connection and the jobs write the same
 * table). The worker starts on the first job and stays, unref'd; if it dies, its job fails
 * and the next one starts a new worker. `close()` cancels: the running job stops at its next
 * query and writes nothing, the queued ones are refused, then the worker closes its
 * connection (nothing left locked or half-written).
 */
import { createRequire } from "node:module";
import type { Worker } from "node:worker_threads";
import { bundledWorker } from "../bundled-worker.ts";

/** A statement as compiled for SQLite (positional `?` parameters). */
export interface CompiledSql {
  sql: string;
  parameters: readonly unknown[];
}

export interface P90Job {
  id: number;
  period: string;
  from: string;
  /** One query per grouping and metric, each answering (key, p90) rows. */
  rankings: (CompiledSql & { dim: string; metric: string })[];
  /** Deletes the period's kept rows. */
  clear: CompiledSql;
  /** Inserts one kept row: (period, start, dim, metric, key, value). */
  insert: string;
  /** Marks the period's days ranked (report_days.p90_pending), in the transaction that keeps the rows. */
  ranked: CompiledSql;
}

export type P90Answer = { id: number; ok: true; rows: number } | { id: number; ok: false; cancelled: boolean; message: string };

/** Slots of the shared progress array (written by the worker, read by anyone). */
export const PROGRESS = {
  /** The id of the job running now; 0 between jobs. */
  job: 0,
  /** Rankings (queries) of the running job done so far. */
  ranked: 1,
  /** Set by close(): the running job stops at its next query. */
  cancel: 2,
  /** Jobs started so far (by every worker this runner had). */
  started: 3,
} as const;

export interface P90WorkerData {
  file: string;
  /** better-sqlite3's resolved path (the bundle cannot import it by name). */
  module: string;
  progress: Int32Array;
}

/** A job refused or stopped because the hub is closing. */
export class P90Cancelled extends Error {}

export class P90Runner {
  private worker: Worker | undefined;
  private nextId = 1;
  private chain: Promise<unknown> = Promise.resolve();
  private current: { id: number; resolve: (a: P90Answer) => void; reject: (e: Error) => void } | undefined;
  private closed = false;
  /** Shared with the worker: which job runs and how far it is (see PROGRESS). */
  readonly progress = new Int32Array(new SharedArrayBuffer(4 * Int32Array.BYTES_PER_ELEMENT));

  /** `file`: the cases.db the hub's own connection has open (WAL mode). */
  constructor(private readonly file: string) {}

  private start(): Worker {
    if (this.worker) return this.worker;
    const w = bundledWorker("reports/p90-worker", {
      workerData: {
        file: this.file,
        module: createRequire(import.meta.url).resolve("better-sqlite3"),
        progress: this.progress,
      } satisfies P90WorkerData,
    });
    w.unref();
    w.on("message", (a: P90Answer) => {
      const c = this.current;
      if (c && c.id === a.id) {
        this.current = undefined;
        c.resolve(a);
      }
    });
    const fail = (err: Error) => {
      if (this.worker === w) this.worker = undefined;
      const c = this.current;
      this.current = undefined;
      c?.reject(err);
    };
    w.on("error", fail);
    w.on("exit", (code) => fail(new Error(`p90 worker exited (${code})`)));
    this.worker = w;
    return w;
  }

  /** Rank one period in the worker, after the jobs before it; rejects with P90Cancelled when closing. */
  run(job: Omit<P90Job, "id">): Promise<void> {
    const run = this.chain.then(async () => {
      if (this.closed) throw new P90Cancelled("cancelled: the hub is closing");
      const id = this.nextId++;
      const w = this.start();
      const answer = await new Promise<P90Answer>((resolve, reject) => {
        this.current = { id, resolve, reject };
        w.postMessage({ ...job, id } satisfies P90Job);
      });
      if (!answer.ok) throw answer.cancelled ? new P90Cancelled(answer.message) : new Error(answer.message);
    });
    this.chain = run.catch(() => {});
    return run;
  }

  /**
   * Cancel the running job (it stops at its next query and writes nothing; a job already
   * writing finishes its transaction), refuse the queued ones, and close the worker's
   * connection once it has answered.
   */
  async close(): Promise<void> {
    this.closed = true;
    Atomics.store(this.progress, PROGRESS.cancel, 1);
    await this.chain;
    const w = this.worker;
    this.worker = undefined;
    if (!w) return;
    // The worker is unref'd so it never holds a hub open; while it closes its connection it
    // must, or a script awaiting close() (a bench, a one-off rebuild) ends with the await unsettled.
    w.ref();
    await new Promise<void>((resolve) => {
      w.once("exit", () => resolve());
      w.postMessage("stop");
    });
  }
}
