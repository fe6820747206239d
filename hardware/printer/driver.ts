import { EventEmitter } from "node:events";
import { type ByteLink, DeviceError, type LinkState } from "../transport/link.ts";
import type { Health, HealthReport } from "../types.ts";
import {
  HEALTHY,
  type PaperWidth,
  type PrinterStatusBits,
  type StatusRequest,
  type TicketPrintJob,
  encodeTicket,
  mergeStatus,
  parseStatus,
  statusRequest,
} from "./protocol.ts";

/** A printer's health with the printer's id and when it last changed (clock of the driver). */
export interface PrinterStatus extends HealthReport {
  id: string;
  kind: "printer";
  since: number;
}

/**
 * A job already encoded elsewhere (a case receipt laid out by the case module): the bytes
 * go to the printer as they are, through the same queue, checks and idempotence.
 */
export interface RawPrintJob {
  jobId: string;
  bytes: Buffer;
}

/**
 * A job whose content is not known yet (the ticket is still being made durable), queued
 * now so that the printer's status question travels while the hub waits for its disk.
 * `ready` gives the job, or null when there is nothing to print after all (the ticket was
 * refused); the status is asked either way.
 */
export interface PendingPrintJob {
  jobId: string;
  ready: Promise<TicketPrintJob | RawPrintJob | null>;
}

/**
 * A queue-ticket printer as the device manager sees it.
 *
 * `print` resolves once the ticket bytes are handed to the printer and rejects with a
 * {@link DeviceError}: OFFLINE (link down or printer offline), PAPER_OUT, COVER_OPEN,
 * TIMEOUT (no status answer, or the write did not drain), BAD_FRAME (garbled status
 * answers), ERROR. Printing the same `jobId` again after a success does nothing, so a
 * caller may retry freely.
 */
export interface TicketPrinter {
  readonly id: string;
  readonly status: PrinterStatus;
  print(job: TicketPrintJob | RawPrintJob | PendingPrintJob): Promise<void>;
  on(event: "status", fn: (s: PrinterStatus) => void): this;
}

/** Options of {@link EscPosPrinter}. */
export interface EscPosPrinterOptions {
  id: string;
  /** The printer owns the link from here on: `start()` opens it, `close()` closes it. */
  link: ByteLink;
  width: PaperWidth;
  /** Wait this long for each DLE EOT answer (default 1000 ms). */
  statusTimeoutMs?: number;
  /** Query status this often while idle, 0 for never (default 5000 ms). */
  pollIntervalMs?: number;
  /** Give up when a ticket has not drained after this long (default 15000 ms). */
  writeTimeoutMs?: number;
  /** How many recently printed job ids are remembered for idempotence (default 512). */
  rememberJobs?: number;
  /** Clock for `status.since`. */
  now?: () => number;
}

/**
 * ESC/POS ticket printer over any {@link ByteLink}. Everything that touches the link
 * (tickets, status queries, polls) goes through one queue, so two tickets never
 * interleave and a status answer always belongs to the question just asked.
 */
export class EscPosPrinter extends EventEmitter implements TicketPrinter {
  readonly id: string;
  readonly #link: ByteLink;
  readonly #width: PaperWidth;
  readonly #statusTimeoutMs: number;
  readonly #pollIntervalMs: number;
  readonly #writeTimeoutMs: number;
  readonly #rememberJobs: number;
  readonly #now: () => number;

  #status: PrinterStatus;
  #queue: Promise<void> = Promise.resolve();
  #pending = 0;
  readonly #inflight = new Map<string, Promise<void>>();
  readonly #printed = new Set<string>();
  #rx: number[] = [];
  #onByte: (() => void) | undefined;
  #poll: NodeJS.Timeout | undefined;
  #closed = false;
  readonly #onData = (chunk: Buffer) => this.#received(chunk);
  readonly #onState = (state: LinkState, detail?: string) => this.#linkChanged(state, detail);

  constructor(opts: EscPosPrinterOptions) {
    super();
    this.id = opts.id;
    this.#link = opts.link;
    this.#width = opts.width;
    this.#statusTimeoutMs = opts.statusTimeoutMs ?? 1000;
    this.#pollIntervalMs = opts.pollIntervalMs ?? 5000;
    this.#writeTimeoutMs = opts.writeTimeoutMs ?? 15_000;
    this.#rememberJobs = opts.rememberJobs ?? 512;
    this.#now = opts.now ?? Date.now;
    this.#status = { id: this.id, kind: "printer", health: "offline", detail: "CONNECTING", since: this.#now() };
    this.#link.on("data", this.#onData);
    this.#link.on("state", this.#onState);
  }

  get status(): PrinterStatus {
    return this.#status;
  }

  /** Open the link and start polling; resolves after the first connection attempt. */
  async start(): Promise<void> {
    await this.#link.open();
    if (this.#link.state === "open") await this.refresh();
    if (this.#pollIntervalMs > 0 && !this.#closed) {
      this.#poll = setInterval(() => {
        // Never pile polls up behind a long job: the job's own check is fresher.
        if (this.#pending === 0) void this.refresh();
      }, this.#pollIntervalMs);
      this.#poll.unref();
    }
  }

  /** Stop polling and close the link for good. */
  async close(): Promise<void> {
    this.#closed = true;
    clearInterval(this.#poll);
    this.#poll = undefined;
    this.#link.off("data", this.#onData);
    this.#link.off("state", this.#onState);
    await this.#link.close();
    this.#setStatus("offline", "CLOSED");
  }

  /** Query the printer now (in the queue) and update `status`; never rejects. */
  refresh(): Promise<void> {
    return this.#enqueue(async () => {
      try {
        await this.#check();
      } catch {
        // #check has already turned the failure into a status.
      }
    });
  }

  /**
   * Right after a link (re)opens the far end may not be ready to answer yet (a USB
   * adapter enumerating, the other side of a serial server reconnecting): ask again a few
   * times quickly instead of leaving the printer offline until the next idle poll.
   */
  async #settle(): Promise<void> {
    for (let i = 0; i < 5 && !this.#closed && this.#link.state === "open"; i++) {
      await this.refresh();
      if (this.#status.health !== "offline") return;
      await new Promise((r) => setTimeout(r, 300));
    }
  }

  print(job: TicketPrintJob | RawPrintJob | PendingPrintJob): Promise<void> {
    if (this.#printed.has(job.jobId)) return Promise.resolve();
    const running = this.#inflight.get(job.jobId);
    if (running) return running;
    const run = this.#enqueue(() => this.#printNow(job)).finally(() => this.#inflight.delete(job.jobId));
    this.#inflight.set(job.jobId, run);
    return run;
  }

  async #printNow(queued: TicketPrintJob | RawPrintJob | PendingPrintJob): Promise<void> {
    if (this.#printed.has(queued.jobId)) return;
    let job: TicketPrintJob | RawPrintJob | null;
    if ("ready" in queued) {
      // The question and the job's making run side by side: press → paper is one round
      // trip to the printer or one journal fsync, whichever is longer, not both in a row.
      [, job] = await Promise.all([this.#check(), queued.ready]);
      if (!job) return;
    } else job = queued;
    let bytes: Buffer;
    try {
      bytes = "bytes" in job ? job.bytes : encodeTicket(job, { width: this.#width });
    } catch (err) {
      throw new DeviceError("ERROR", `cannot encode ticket: ${err instanceof Error ? err.message : String(err)}`);
    }
    if (!("ready" in queued)) await this.#check();
    try {
      await withTimeout(this.#link.write(bytes), this.#writeTimeoutMs);
    } catch (err) {
      const e = err instanceof DeviceError ? err : new DeviceError("OFFLINE", String(err));
      if (e.code === "TIMEOUT") this.#setStatus("error", "WRITE_TIMEOUT");
      else if (this.#link.state !== "open") this.#setStatus("offline", e.code);
      throw e;
    }
    this.#remember(job.jobId);
  }

  /** Make sure the printer can print right now; updates status, throws the reason if not. */
  async #check(): Promise<void> {
    if (this.#closed) throw new DeviceError("OFFLINE", "printer closed");
    if (this.#link.state !== "open") {
      if (this.#status.health !== "offline") this.#setStatus("offline", this.#link.state.toUpperCase());
      throw new DeviceError("OFFLINE", `${this.id}: link ${this.#link.state}`);
    }
    if (!this.#link.duplex) {
      // A one-way link (usblp) cannot tell paper out; an open device is all we know.
      this.#setStatus("online");
      return;
    }
    let bits: PrinterStatusBits;
    try {
      const [printer, paper] = await this.#askPair(1, 4);
      const cause = printer.online ? HEALTHY : await this.#ask(2);
      bits = mergeStatus(printer, cause, paper);
    } catch (err) {
      const e = err instanceof DeviceError ? err : new DeviceError("ERROR", String(err));
      if (e.code === "TIMEOUT") this.#setStatus("offline", "TIMEOUT");
      else if (e.code === "BAD_FRAME") this.#setStatus("error", "BAD_FRAME");
      else if (this.#link.state !== "open") this.#setStatus("offline", e.code);
      throw e;
    }
    if (bits.paperOut) {
      this.#setStatus("paper_out", "PAPER_OUT");
      throw new DeviceError("PAPER_OUT");
    }
    if (bits.coverOpen) {
      this.#setStatus("error", "COVER_OPEN");
      throw new DeviceError("COVER_OPEN");
    }
    if (bits.error) {
      this.#setStatus("error", "ERROR");
      throw new DeviceError("ERROR", "printer reports an error");
    }
    if (!bits.online) {
      this.#setStatus("offline", "PRINTER_OFFLINE");
      throw new DeviceError("OFFLINE", "printer reports offline");
    }
    this.#setStatus("online", bits.paperNearEnd ? "PAPER_NEAR_END" : undefined);
  }

  /**
   * Two DLE EOT questions in one write, answered in order: one round trip before each
   * ticket instead of two (the kiosk's press-to-paper time). A garbled pair is asked again
   * one question at a time.
   */
  async #askPair(a: StatusRequest, b: StatusRequest): Promise<[PrinterStatusBits, PrinterStatusBits]> {
    this.#rx = [];
    await this.#link.write(Buffer.concat([statusRequest(a), statusRequest(b)]));
    const byteA = await this.#readByte(this.#statusTimeoutMs);
    const byteB = await this.#readByte(this.#statusTimeoutMs);
    try {
      return [parseStatus(a, byteA), parseStatus(b, byteB)];
    } catch {
      return [await this.#ask(a), await this.#ask(b)];
    }
  }

  /** One DLE EOT question; a garbled answer is asked again once. */
  async #ask(n: StatusRequest): Promise<PrinterStatusBits> {
    for (let attempt = 1; ; attempt++) {
      // Bytes left over from a question that timed out must not answer this one.
      this.#rx = [];
      await this.#link.write(statusRequest(n));
      const byte = await this.#readByte(this.#statusTimeoutMs);
      try {
        return parseStatus(n, byte);
      } catch (err) {
        if (attempt >= 2) throw err;
      }
    }
  }

  #readByte(timeoutMs: number): Promise<number> {
    return new Promise((resolve, reject) => {
      const take = () => {
        const byte = this.#rx.shift();
        if (byte === undefined) return false;
        clearTimeout(timer);
        this.#onByte = undefined;
        resolve(byte);
        return true;
      };
      const timer = setTimeout(() => {
        this.#onByte = undefined;
        reject(new DeviceError("TIMEOUT", `${this.id}: no status answer in ${timeoutMs} ms`));
      }, timeoutMs);
      if (!take()) this.#onByte = take;
    });
  }

  #received(chunk: Buffer): void {
    // Only answers to our own questions are expected; cap what an idle chatty device can pile up.
    if (this.#rx.length < 64) this.#rx.push(...chunk.subarray(0, 64 - this.#rx.length));
    this.#onByte?.();
  }

  #linkChanged(state: LinkState, detail?: string): void {
    if (this.#closed) return;
    if (state === "open") {
      if (this.#link.duplex) void this.#settle();
      else this.#setStatus("online");
      return;
    }
    const keep = this.#status.health === "offline" ? this.#status.detail : undefined;
    this.#setStatus("offline", detail ?? keep ?? state.toUpperCase());
  }

  #enqueue<T>(task: () => Promise<T>): Promise<T> {
    this.#pending++;
    const run = this.#queue.then(task).finally(() => {
      this.#pending--;
    });
    this.#queue = run.then(
      () => {},
      () => {},
    );
    return run;
  }

  #remember(jobId: string): void {
    this.#printed.add(jobId);
    // A Set iterates in insertion order, so the first entry is the oldest.
    while (this.#printed.size > this.#rememberJobs) {
      const oldest = this.#printed.values().next().value;
      if (oldest === undefined) break;
      this.#printed.delete(oldest);
    }
  }

  #setStatus(health: Health, detail?: string): void {
    if (this.#status.health === health && this.#status.detail === detail) return;
    const next: PrinterStatus = { id: this.id, kind: "printer", health, since: this.#now() };
    if (detail !== undefined) next.detail = detail;
    this.#status = next;
    this.emit("status", next);
  }
}

function withTimeout<T>(p: Promise<T>, ms: number): Promise<T> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new DeviceError("TIMEOUT", `write did not drain in ${ms} ms`)), ms);
    p.then(
      (v) => {
        clearTimeout(timer);
        resolve(v);
      },
      (err: unknown) => {
        clearTimeout(timer);
        reject(err);
      },
    );
  });
}
