import { EventEmitter } from "node:events";
import { DeviceError, type ByteLink, type LinkState } from "../transport/link.ts";
import type { HealthReport } from "../types.ts";
import {
  type IdCardInfo,
  type SamCommandName,
  SamFrameParser,
  type SamResponse,
  Sw3,
  encodeCommand,
  maskIdNumber,
  parseResponse,
  parseTextBlock,
  splitBasicInfo,
} from "./protocol.ts";

/** Health of the reader; detail: link state, TIMEOUT, BAD_FRAME or SAM_xx (the SW3 byte in hex) when not online. */
export type IdReaderStatus = HealthReport<"online" | "offline" | "error">;

/** A card read from the reader. Carries the full number: hash it and drop it (the hub's job). */
export interface IdCardEvent extends IdCardInfo {
  /** "3714**********1234", safe to store and show. */
  maskedIdNumber: string;
}

export interface IdCardReaderOptions {
  /** Pause between polls (find card). Default 500 ms. */
  pollIntervalMs?: number;
  /** Per-command answer timeout. Default 1000 ms (a basic-info read takes ~0.3 s at 115200 Bd). */
  timeoutMs?: number;
  /**
   * "No card" answers in a row before the card counts as removed. Real readers often
   * answer "no card" to the find right after a read while the card still lies there, so
   * one miss is not proof of removal. Default 2.
   */
  removeAfterMisses?: number;
  /** Timeouts in a row before status turns to error/TIMEOUT. Default 2. */
  errorAfterTimeouts?: number;
}

type Pending = { resolve: (r: SamResponse) => void; reject: (e: Error) => void; timer: NodeJS.Timeout };

/**
 * Polls a second-generation ID card reader (find → select → read) and emits `card`
 * once per card placed on it, however long it lies there.
 *
 * Events: `card` (IdCardEvent), `status` (IdReaderStatus, on change only).
 */
export class IdCardReader extends EventEmitter {
  private readonly parser: SamFrameParser;
  private readonly pollIntervalMs: number;
  private readonly timeoutMs: number;
  private readonly removeAfterMisses: number;
  private readonly errorAfterTimeouts: number;
  private pending: Pending | undefined;
  private running = false;
  private loop: Promise<void> | undefined;
  private wake: (() => void) | undefined;
  private presentId: string | undefined;
  private misses = 0;
  private timeouts = 0;
  private lastStatus: IdReaderStatus | undefined;
  private readonly onData = (chunk: Buffer) => this.receive(chunk);
  private readonly onState = (state: LinkState, detail?: string) => this.linkChanged(state, detail);

  constructor(
    private readonly link: ByteLink,
    options: IdCardReaderOptions = {},
  ) {
    super();
    this.pollIntervalMs = options.pollIntervalMs ?? 500;
    this.timeoutMs = options.timeoutMs ?? 1000;
    this.removeAfterMisses = options.removeAfterMisses ?? 2;
    this.errorAfterTimeouts = options.errorAfterTimeouts ?? 2;
    this.parser = new SamFrameParser();
    link.on("data", this.onData);
    link.on("state", this.onState);
  }

  get status(): IdReaderStatus {
    return (
      this.lastStatus ?? (this.link.state === "open" ? { health: "online" } : { health: "offline", detail: this.link.state })
    );
  }

  /** Starts polling. The link is opened by its owner; polling waits while it is down. */
  start(): void {
    if (this.running) return;
    this.running = true;
    this.loop = this.run();
  }

  /** Stops polling for good, waits for the poll in progress and lets go of the link (which it does not close). */
  async stop(): Promise<void> {
    this.running = false;
    this.wake?.();
    this.failPending(new DeviceError("OFFLINE", "reader stopped"));
    await this.loop;
    this.link.off("data", this.onData);
    this.link.off("state", this.onState);
  }

  override on(event: "card", fn: (card: IdCardEvent) => void): this;
  override on(event: "status", fn: (s: IdReaderStatus) => void): this;
  override on(event: string, fn: (...args: never[]) => void): this {
    return super.on(event, fn as (...args: unknown[]) => void);
  }

  /** Sends one command and waits for its answer. Rejects with DeviceError TIMEOUT / OFFLINE. */
  private async command(name: SamCommandName): Promise<SamResponse> {
    if (this.pending) throw new DeviceError("ERROR", "command already in flight");
    const answer = new Promise<SamResponse>((resolve, reject) => {
      const timer = setTimeout(() => {
        this.pending = undefined;
        reject(new DeviceError("TIMEOUT", `no answer to ${name}`));
      }, this.timeoutMs);
      this.pending = { resolve, reject, timer };
    });
    // The link can drop while the write is still pending, rejecting `answer` before anyone
    // awaits it; mark it handled so that is not an unhandled rejection.
    answer.catch(() => undefined);
    try {
      await this.link.write(encodeCommand(name));
    } catch (err) {
      this.failPending(err instanceof Error ? err : new DeviceError("OFFLINE"));
    }
    return answer;
  }

  private receive(chunk: Buffer): void {
    for (const body of this.parser.push(chunk)) {
      const response = parseResponse(body);
      const p = this.pending;
      // An answer nobody waits for is a late one from a timed-out command: drop it.
      if (!response || !p) continue;
      this.pending = undefined;
      clearTimeout(p.timer);
      p.resolve(response);
    }
  }

  private failPending(err: Error): void {
    const p = this.pending;
    if (!p) return;
    this.pending = undefined;
    clearTimeout(p.timer);
    p.reject(err);
  }

  private linkChanged(state: LinkState, detail?: string): void {
    if (state === "open") {
      this.parser.reset();
      this.timeouts = 0;
      this.setStatus({ health: "online" });
      this.wake?.();
    } else {
      this.failPending(new DeviceError("OFFLINE", detail ?? state));
      this.setStatus({ health: "offline", detail: detail ?? state });
    }
  }

  private setStatus(status: IdReaderStatus): void {
    const last = this.lastStatus;
    if (last && last.health === status.health && last.detail === status.detail) return;
    this.lastStatus = status;
    this.emit("status", status);
  }

  private async run(): Promise<void> {
    while (this.running) {
      if (this.link.state === "open") await this.pollOnce();
      if (!this.running) break;
      await new Promise<void>((resolve) => {
        const timer = setTimeout(() => this.wake?.(), this.pollIntervalMs);
        this.wake = () => {
          clearTimeout(timer);
          this.wake = undefined;
          resolve();
        };
      });
    }
  }

  private async pollOnce(): Promise<void> {
    try {
      const found = await this.command("FIND_CARD");
      this.timeouts = 0;
      if (found.sw3 === Sw3.NO_CARD) {
        this.misses++;
        if (this.misses >= this.removeAfterMisses) this.presentId = undefined;
        this.setStatus({ health: "online" });
        return;
      }
      if (found.sw3 !== Sw3.FIND_OK) return this.samError(found.sw3);
      this.misses = 0;
      const selected = await this.command("SELECT_CARD");
      this.timeouts = 0;
      // Select failing right after find: the card was pulled away in between.
      if (selected.sw3 === Sw3.SELECT_FAILED) return this.setStatus({ health: "online" });
      if (selected.sw3 !== Sw3.OK) return this.samError(selected.sw3);
      const read = await this.command("READ_BASIC");
      this.timeouts = 0;
      if (read.sw3 !== Sw3.OK) return this.samError(read.sw3);
      const parts = splitBasicInfo(read.data);
      const info = parts ? parseTextBlock(parts.text) : null;
      if (!info) return this.setStatus({ health: "error", detail: "BAD_FRAME" });
      this.setStatus({ health: "online" });
      if (info.idNumber === this.presentId) return;
      this.presentId = info.idNumber;
      this.emit("card", { ...info, maskedIdNumber: maskIdNumber(info.idNumber) } satisfies IdCardEvent);
    } catch (err) {
      if (err instanceof DeviceError && err.code === "TIMEOUT") {
        this.timeouts++;
        if (this.timeouts >= this.errorAfterTimeouts) this.setStatus({ health: "error", detail: "TIMEOUT" });
      }
      // OFFLINE: the link's state event already reported it; the loop waits for reopen.
    }
  }

  private samError(sw3: number): void {
    this.setStatus({ health: "error", detail: `SAM_${sw3.toString(16).padStart(2, "0").toUpperCase()}` });
  }
}
