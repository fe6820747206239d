/**
 * Runs what-if plans in a worker thread (plan-worker.ts), one at a time, so a plan never
 * blocks the hub's event loop. The worker starts on the first plan and stays (unref'd: it
 * never keeps the process alive); if it dies, the waiting plans fail and the next one starts
 * a new worker.
 */
import type { Worker } from "node:worker_threads";
import { bundledWorker } from "../bundled-worker.ts";
import type { Catalogue } from "../contract/catalogue.ts";
import type { ArrivalProfile } from "../core/estimate.ts";
import type { PlanComparison, PlanRequest } from "./plan.ts";

export interface PlanJob {
  id: number;
  catalogue: Catalogue;
  request: PlanRequest;
  /** Where the past days' journals are (history arrivals); absent: none. */
  journalDir?: string;
  maxVisitors: number;
}

/** Learn the hall's arrival profile from the past days' journals (the live estimate's, live-profile.ts). */
export interface ArrivalsJob {
  id: number;
  kind: "arrivals";
  journalDir: string;
  /** Today: only days before it are read. */
  day: string;
  timeZone: string;
}

export type PlanJobAnswer =
  | { id: number; ok: true; result: PlanComparison }
  | { id: number; ok: true; profile: ArrivalProfile | undefined }
  | { id: number; ok: false; tooLarge: boolean; message: string };

export class PlanRunner {
  private worker: Worker | undefined;
  private nextId = 1;
  private readonly pending = new Map<number, { resolve: (a: PlanJobAnswer) => void; reject: (e: Error) => void }>();

  private start(): Worker {
    if (this.worker) return this.worker;
    const w = bundledWorker("simulation/plan-worker");
    w.unref();
    w.on("message", (a: PlanJobAnswer) => {
      const p = this.pending.get(a.id);
      this.pending.delete(a.id);
      p?.resolve(a);
    });
    const fail = (err: Error) => {
      if (this.worker === w) this.worker = undefined;
      for (const p of this.pending.values()) p.reject(err);
      this.pending.clear();
    };
    w.on("error", fail);
    w.on("exit", (code) => fail(new Error(`plan worker exited (${code})`)));
    this.worker = w;
    return w;
  }

  /** Simulate both plans in the worker; jobs queue in the worker's message order. */
  run(job: Omit<PlanJob, "id"> | Omit<ArrivalsJob, "id">): Promise<PlanJobAnswer> {
    const id = this.nextId++;
    const w = this.start();
    return new Promise((resolve, reject) => {
      this.pending.set(id, { resolve, reject });
      w.postMessage({ ...job, id });
    });
  }

  async close(): Promise<void> {
    const w = this.worker;
    this.worker = undefined;
    if (w) await w.terminate();
  }
}
