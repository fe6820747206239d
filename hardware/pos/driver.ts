import { EventEmitter } from "node:events";
import { type ByteLink, DeviceError, type LinkState } from "../transport/link.ts";
import type { HealthReport } from "../types.ts";
import { PosChannel } from "./channel.ts";
import {
  type PosAnswer,
  type PosErrorCode,
  type PosRequest,
  type PosStage,
  PosCmd,
  PosCode,
  decodeAnswer,
  requestBody,
  posTimeToEpoch,
} from "./protocol.ts";

/** Health of the POS; detail: the link's reason when offline, TIMEOUT or BAD_FRAME when in error. */
export type PosStatus = HealthReport<"online" | "offline" | "error">;

/** What the POS is asking the visitor to do now, for the terminal's screen. */
export interface PosPrompt {
  orderId: string;
  stage: PosStage;
}

/** The final answer to a sale. */
export interface PosSaleResult {
  orderId: string;
  approved: boolean;
  /** The POS's response code ("00" approved, "51" insufficient funds … see PosCode). */
  code: string;
  amountFen: number;
  /** Reference number (参考号); empty when declined before the bank saw it. */
  refNo: string;
  /** "622202******1234"; empty when no card was read. */
  cardMasked: string;
  /** Epoch ms of the POS's answer; undefined when the POS gave no time. */
  at?: number;
}

/** What the POS knows of an order (its latest try). */
export interface PosQueryResult {
  orderId: string;
  state: "not_found" | "in_progress" | "approved" | "declined";
  code: string;
  amountFen: number;
  refNo: string;
  cardMasked: string;
  at?: number;
  refundedFen: number;
}

export interface PosRefundResult {
  orderId: string;
  refundId: string;
  ok: boolean;
  code: string;
  amountFen: number;
  refundRefNo: string;
  at?: number;
}

/** One approved sale or refund of a day, as the POS's batch lists it. */
export interface PosBatchLine {
  kind: "sale" | "refund";
  orderId: string;
  refNo: string;
  amountFen: number;
  at: number;
  refundId?: string;
  refundRefNo?: string;
}

export interface PosInfo {
  state: "idle" | "busy";
  /** The order the POS is working on when busy. */
  orderId?: string;
  /** The POS's own terminal number (终端号). */
  terminalNo: string;
}

/** The POS refused a command outright (busy with another order, same order with another amount …). */
export class PosRefusedError extends DeviceError {
  constructor(readonly reason: PosErrorCode) {
    super("ERROR", `POS refused: ${reason}`);
    this.name = "PosRefusedError";
  }
}

export interface PosTerminalOptions {
  /** ACK wait per frame; default 500 ms. */
  ackTimeoutMs?: number;
  /** Retransmissions per frame; default 3. */
  retries?: number;
  /** Wait for the answer to a quick command (query, status, batch page) once acknowledged; default 3 s. */
  answerTimeoutMs?: number;
  /**
   * Silence allowed during a sale or refund: every progress frame restarts it. Longer than
   * the POS's own wait for card and PIN (typically 60 s), so the POS, not the hub, decides
   * that the visitor walked away. Default 90 s.
   */
  saleIdleTimeoutMs?: number;
  /** STATUS probe while idle; default 5 s (0: only after the link opens). */
  pollMs?: number;
  /** Failed exchanges in a row before the POS counts as in error; default 2. */
  errorAfterFailures?: number;
  /** The POS clock's zone, minutes east of UTC; default 480 (Beijing, no DST). */
  utcOffsetMinutes?: number;
}

interface Waiter {
  match(a: PosAnswer): boolean;
  resolve(a: PosAnswer): void;
  reject(e: Error): void;
  /** Order whose progress frames restart the idle timer. */
  orderId?: string;
  idleMs: number;
  timer?: NodeJS.Timeout;
}

/**
 * A bank-card POS on a serial line (the hub's end). One command at a time: `sale`, `query`,
 * `refund`, `batch` and `info` queue behind each other; a STATUS probe runs every `pollMs`
 * while nothing else does, to keep the health honest.
 *
 * A sale is never charged twice by this driver: a frame is retransmitted only as the same
 * frame (the POS drops the repeat), and a new `sale` for the same order is answered by the
 * POS with that order's outcome instead of a second charge. When the link drops mid-sale the
 * promise rejects OFFLINE at once; the POS finishes (or abandons) the payment on its own and
 * `query` tells which once it is back.
 *
 * Events: `status` (PosStatus, on change), `prompt` (PosPrompt: insert card, enter PIN …).
 */
export class PosTerminal extends EventEmitter {
  private readonly channel: PosChannel;
  private readonly answerTimeoutMs: number;
  private readonly saleIdleTimeoutMs: number;
  private readonly pollMs: number;
  private readonly errorAfterFailures: number;
  private readonly offsetMinutes: number;
  private waiter: Waiter | undefined;
  private tail: Promise<unknown> = Promise.resolve();
  private busy = 0;
  private failures = 0;
  private badSinceGood = 0;
  private running = false;
  private stopped = false;
  private pollTimer: NodeJS.Timeout | undefined;
  /** Cancels waiting for their answer, by order (they travel beside the running sale). */
  private readonly cancels = new Map<string, { resolve(stopped: boolean): void; reject(e: Error): void }>();
  private lastStatus: PosStatus;
  private readonly onState = (state: LinkState, detail?: string) => this.linkChanged(state, detail);

  constructor(
    private readonly link: ByteLink,
    options: PosTerminalOptions = {},
  ) {
    super();
    this.answerTimeoutMs = options.answerTimeoutMs ?? 3000;
    this.saleIdleTimeoutMs = options.saleIdleTimeoutMs ?? 90_000;
    this.pollMs = options.pollMs ?? 5000;
    this.errorAfterFailures = options.errorAfterFailures ?? 2;
    this.offsetMinutes = options.utcOffsetMinutes ?? 480;
    this.channel = new PosChannel(link, { ackTimeoutMs: options.ackTimeoutMs, retries: options.retries });
    this.channel.on("frame", (f) => {
      const a = decodeAnswer(f);
      if (a) this.answer(a);
      else this.badSinceGood++;
    });
    this.channel.on("bad", () => {
      this.badSinceGood++;
    });
    link.on("state", this.onState);
    this.lastStatus =
      link.state === "open" ? { health: "offline", detail: "CONNECTING" } : { health: "offline", detail: link.state };
  }

  get status(): PosStatus {
    return this.lastStatus;
  }

  /** Link-layer counters of the hub's end: frames sent, retransmits, NAKs sent and received. */
  get linkStats(): PosChannel["stats"] {
    return this.channel.stats;
  }

  override on(event: "status", fn: (s: PosStatus) => void): this;
  override on(event: "prompt", fn: (p: PosPrompt) => void): this;
  override on(event: string, fn: (...args: never[]) => void): this {
    return super.on(event, fn as (...args: unknown[]) => void);
  }

  /** Start probing; resolves after the first probe (if the link is open), whatever it found. */
  async start(): Promise<void> {
    if (this.running) return;
    this.running = true;
    this.schedulePoll();
    if (this.link.state === "open") await this.probe();
  }

  /** Stop for good: waiting commands reject OFFLINE; the link is its owner's to close. */
  async stop(): Promise<void> {
    this.running = false;
    this.stopped = true;
    clearTimeout(this.pollTimer);
    this.link.off("state", this.onState);
    this.channel.detach();
    this.failWaiter(new DeviceError("OFFLINE", "POS driver stopped"));
    this.failCancels(new DeviceError("OFFLINE", "POS driver stopped"));
    await this.tail.catch(() => undefined);
  }

  /**
   * Charge `amountFen` for `orderId` and wait for the POS's final answer (card, PIN, bank).
   * `attempt` (the caller's idempotency key) is repeated with every retry of the same try;
   * the POS starts a new try only after a refusal and with a new `attempt`.
   * Rejects with DeviceError OFFLINE / TIMEOUT / BAD_FRAME (outcome unknown: query) or
   * PosRefusedError (BUSY, MISMATCH: nothing was started).
   */
  sale(orderId: string, amountFen: number, attempt: string = orderId): Promise<PosSaleResult> {
    const req: PosRequest = { type: "sale", orderId, amountFen, attempt };
    return this.exchange(req, (a) => a.orderId === orderId, this.saleIdleTimeoutMs, orderId).then((a) => {
      if (a.type !== "sale") throw new DeviceError("BAD_FRAME", "unexpected answer");
      return {
        orderId,
        approved: a.code === PosCode.APPROVED,
        code: a.code,
        amountFen: a.amountFen,
        refNo: a.refNo,
        cardMasked: a.cardMasked,
        ...this.at(a.time),
      };
    });
  }

  /**
   * Ask the POS to stop the sale of `orderId` before a card is read (the visitor pressed
   * 取消 on the screen). Sent at once, beside the running sale, not queued behind it.
   * Resolves true when the POS stopped it (the sale then ends CANCELLED, nothing charged),
   * false when it was too late (a card is being read) or no such sale runs; rejects OFFLINE /
   * TIMEOUT when the POS did not answer (the sale's own outcome still tells).
   */
  cancel(orderId: string): Promise<boolean> {
    const body = requestBody({ type: "cancel", orderId });
    if (this.stopped) return Promise.reject(new DeviceError("OFFLINE", "POS driver stopped"));
    this.cancels.get(orderId)?.reject(new DeviceError("ERROR", "cancelled again"));
    const answer = new Promise<boolean>((resolve, reject) => {
      const done = () => {
        clearTimeout(timer);
        if (this.cancels.get(orderId) === w) this.cancels.delete(orderId);
      };
      const w = {
        resolve: (stopped: boolean) => {
          done();
          resolve(stopped);
        },
        reject: (e: Error) => {
          done();
          reject(e);
        },
      };
      const timer = setTimeout(() => w.reject(new DeviceError("TIMEOUT", "no answer from the POS")), this.answerTimeoutMs);
      this.cancels.set(orderId, w);
    });
    this.channel.send(body.cmd, body.data).catch((err: Error) => this.cancels.get(orderId)?.reject(err));
    return answer;
  }

  /** What the POS knows of `orderId`. */
  query(orderId: string): Promise<PosQueryResult> {
    return this.exchange({ type: "query", orderId }, (a) => a.orderId === orderId, this.answerTimeoutMs).then((a) => {
      if (a.type !== "query") throw new DeviceError("BAD_FRAME", "unexpected answer");
      const state = ({ N: "not_found", P: "in_progress", A: "approved", D: "declined" } as const)[a.state];
      const { type: _t, state: _s, time, ...rest } = a;
      return { ...rest, state, ...this.at(time) };
    });
  }

  /** Refund part or all of an approved sale; the same `refundId` is answered with its first outcome. */
  refund(orderId: string, refundId: string, amountFen: number): Promise<PosRefundResult> {
    const req: PosRequest = { type: "refund", orderId, refundId, amountFen };
    return this.exchange(req, (a) => a.type === "refund" && a.refundId === refundId, this.saleIdleTimeoutMs, orderId).then(
      (a) => {
        if (a.type !== "refund") throw new DeviceError("BAD_FRAME", "unexpected answer");
        const { type: _t, time, ...rest } = a;
        return { ...rest, ok: a.code === PosCode.APPROVED, ...this.at(time) };
      },
    );
  }

  /** Every approved sale and refund of `day` (YYYY-MM-DD, the POS's time zone), all pages. */
  async batch(day: string): Promise<PosBatchLine[]> {
    const compact = day.replaceAll("-", "");
    const lines: PosBatchLine[] = [];
    for (let page = 0; page < 10_000; page++) {
      const a = await this.exchange(
        { type: "batch", day: compact, page },
        (x) => x.type === "batch" && x.day === compact && x.page === page,
        this.answerTimeoutMs,
      );
      if (a.type !== "batch") throw new DeviceError("BAD_FRAME", "unexpected answer");
      for (const r of a.records) {
        lines.push({
          kind: r.kind,
          orderId: r.orderId,
          refNo: r.refNo,
          amountFen: r.amountFen,
          at: posTimeToEpoch(r.time, this.offsetMinutes),
          ...(r.refundId ? { refundId: r.refundId } : {}),
          ...(r.refundRefNo ? { refundRefNo: r.refundRefNo } : {}),
        });
      }
      if (!a.more) break;
    }
    return lines;
  }

  /** Ask the POS how it is (STATUS). */
  info(): Promise<PosInfo> {
    return this.exchange({ type: "status" }, () => true, this.answerTimeoutMs).then((a) => {
      if (a.type !== "status") throw new DeviceError("BAD_FRAME", "unexpected answer");
      return {
        state: a.state === "BUSY" ? "busy" : "idle",
        ...(a.orderId ? { orderId: a.orderId } : {}),
        terminalNo: a.terminalNo,
      };
    });
  }

  private at(time: string): { at?: number } {
    const at = posTimeToEpoch(time, this.offsetMinutes);
    return Number.isNaN(at) ? {} : { at };
  }

  /** Queue one command, send it, and wait for its answer (or its error `E`). */
  private exchange(
    req: PosRequest,
    match: (a: PosAnswer & { orderId?: string }) => boolean,
    idleMs: number,
    orderId?: string,
  ): Promise<PosAnswer> {
    // Encoded first: an id the protocol cannot carry is the caller's mistake, not the POS's.
    const body = requestBody(req);
    const cmd = body.cmd;
    if (this.stopped) return Promise.reject(new DeviceError("OFFLINE", "POS driver stopped"));
    const run = async (): Promise<PosAnswer> => {
      this.busy++;
      try {
        const answer = new Promise<PosAnswer>((resolve, reject) => {
          this.waiter = {
            match: (a) =>
              a.type === "error"
                ? a.cmd === cmd && (orderId === undefined || a.orderId === orderId)
                : a.type === req.type && match(a as PosAnswer & { orderId?: string }),
            resolve,
            reject,
            ...(orderId !== undefined ? { orderId } : {}),
            idleMs,
          };
        });
        // Rejected before anyone awaits it when the send fails: mark it handled.
        answer.catch(() => undefined);
        try {
          // The waiter exists before the frame leaves: the POS may answer before its ACK arrives.
          await this.channel.send(cmd, body.data);
          this.armIdle();
        } catch (err) {
          this.failWaiter(err instanceof Error ? err : new DeviceError("ERROR"));
        }
        const a = await answer;
        this.exchanged(true);
        if (a.type === "error") throw new PosRefusedError(a.code);
        return a;
      } catch (err) {
        if (!(err instanceof PosRefusedError)) this.exchanged(false, err);
        throw err;
      } finally {
        this.waiter = undefined;
        this.busy--;
      }
    };
    const p = this.tail.then(run, run);
    this.tail = p.catch(() => undefined);
    return p;
  }

  private armIdle(): void {
    const w = this.waiter;
    if (!w) return;
    clearTimeout(w.timer);
    w.timer = setTimeout(() => {
      if (this.waiter === w) this.failWaiter(new DeviceError("TIMEOUT", "no answer from the POS"));
    }, w.idleMs);
  }

  private answer(a: PosAnswer): void {
    if (a.type === "cancel") {
      this.cancels.get(a.orderId)?.resolve(a.stopped);
      return;
    }
    if (a.type === "error" && a.cmd === PosCmd.CANCEL) {
      // A POS that does not know CANCEL (UNKNOWN_COMMAND, no order id): nothing was stopped.
      const w = a.orderId ? this.cancels.get(a.orderId) : [...this.cancels.values()][0];
      w?.resolve(false);
      return;
    }
    if (a.type === "progress") {
      this.emit("prompt", { orderId: a.orderId, stage: a.stage } satisfies PosPrompt);
      if (this.waiter?.orderId === a.orderId) this.armIdle();
      return;
    }
    const w = this.waiter;
    // An answer nobody waits for is a late one to a command that timed out: drop it.
    if (!w?.match(a)) return;
    clearTimeout(w.timer);
    this.waiter = undefined;
    w.resolve(a);
  }

  private failCancels(err: Error): void {
    for (const w of [...this.cancels.values()]) w.reject(err);
  }

  private failWaiter(err: Error): void {
    const w = this.waiter;
    if (!w) return;
    clearTimeout(w.timer);
    this.waiter = undefined;
    w.reject(err);
  }

  /** Health bookkeeping after each exchange. */
  private exchanged(ok: boolean, err?: unknown): void {
    if (ok) {
      this.failures = 0;
      this.badSinceGood = 0;
      this.setStatus({ health: "online" });
      return;
    }
    // OFFLINE: the link's own state event says so.
    if (!(err instanceof DeviceError) || err.code === "OFFLINE" || this.link.state !== "open") return;
    this.failures++;
    if (this.failures >= this.errorAfterFailures)
      this.setStatus({ health: "error", detail: this.badSinceGood > 0 || err.code === "BAD_FRAME" ? "BAD_FRAME" : "TIMEOUT" });
  }

  private async probe(): Promise<void> {
    if (this.busy > 0 || this.link.state !== "open") return;
    await this.info().catch(() => undefined);
  }

  private schedulePoll(): void {
    if (!this.running || this.pollMs <= 0) return;
    this.pollTimer = setTimeout(() => {
      void this.probe().finally(() => this.schedulePoll());
    }, this.pollMs);
    this.pollTimer.unref();
  }

  private linkChanged(state: LinkState, detail?: string): void {
    if (state === "open") {
      this.failures = 0;
      this.badSinceGood = 0;
      // An open port says nothing about the POS behind it: only an answer makes it online.
      if (this.running) void this.probe();
      return;
    }
    this.failWaiter(new DeviceError("OFFLINE", detail ?? state));
    this.failCancels(new DeviceError("OFFLINE", detail ?? state));
    this.setStatus({ health: "offline", detail: detail ?? state });
  }

  private setStatus(status: PosStatus): void {
    const last = this.lastStatus;
    if (last.health === status.health && last.detail === status.detail) return;
    this.lastStatus = status;
    this.emit("status", status);
  }
}
