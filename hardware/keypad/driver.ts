import { EventEmitter } from "node:events";
import type { ByteLink, LinkState } from "../transport/link.ts";
import type { HealthReport } from "../types.ts";
import {
  type FrameError,
  FrameParser,
  type FrameParserStats,
  type KeypadFrame,
  type KeypadKey,
  type RatingScore,
  decodeKey,
  encodeAck,
  encodeRequestRating,
  encodeShowText,
} from "./protocol.ts";

/** Health of a keypad bus: its link state (detail), never paper_out. */
export type InputDeviceStatus = HealthReport<"online" | "offline" | "error">;

export interface KeyEvent {
  address: number;
  key: KeypadKey;
}

export interface RatingEvent {
  address: number;
  score: RatingScore;
}

export interface KeypadBusOptions {
  /**
   * Echo every accepted key frame back to the device (`68 02 02 68 addr cmd cs 16`).
   * Keypads of this family resend a key until echoed; default true.
   */
  ack?: boolean;
  /** Drop an identical frame from the same address within this window (a resend after a lost ACK). Default 300 ms. */
  repeatWindowMs?: number;
  /**
   * Ignore a received frame identical to one the hub wrote this recently: RS-485 adapters
   * that hear their own transmission would otherwise turn a rating request (0x0B out)
   * into a "rate" key (0x0B in). Default 50 ms.
   */
  echoWindowMs?: number;
  /** Drop the partial frame at the head of the buffer after this much bus silence. Default 100 ms. */
  idleMs?: number;
  now?: () => number;
}

/**
 * All caller keypads and rating devices on one RS-485 bus, told apart by address.
 *
 * Events: `key` (KeyEvent), `rating` (RatingEvent), `status` (InputDeviceStatus on every
 * link change), `frameError` (FrameError, for diagnostics).
 */
export class KeypadBus extends EventEmitter {
  private readonly parser: FrameParser;
  private readonly ack: boolean;
  private readonly repeatWindowMs: number;
  private readonly idleMs: number;
  private readonly echoWindowMs: number;
  private readonly written = new Map<string, number>();
  private readonly now: () => number;
  private readonly lastFrame = new Map<number, { sig: string; at: number }>();
  private idleTimer: NodeJS.Timeout | undefined;
  private writeChain: Promise<unknown> = Promise.resolve();
  private readonly onData = (chunk: Buffer) => this.receive(chunk);
  private readonly onState = (state: LinkState, detail?: string) => this.emitStatus(state, detail);

  constructor(
    private readonly link: ByteLink,
    options: KeypadBusOptions = {},
  ) {
    super();
    this.ack = options.ack ?? true;
    this.repeatWindowMs = options.repeatWindowMs ?? 300;
    this.idleMs = options.idleMs ?? 100;
    this.echoWindowMs = options.echoWindowMs ?? 50;
    this.now = options.now ?? Date.now;
    this.parser = new FrameParser((err) => this.emit("frameError", err));
    link.on("data", this.onData);
    link.on("state", this.onState);
  }

  get stats(): Readonly<FrameParserStats> {
    return this.parser.stats;
  }

  /** Current health, derived from the link. */
  get status(): InputDeviceStatus {
    return toStatus(this.link.state);
  }

  /** Shows `text` (GB18030, up to 32 bytes) on the LCD of the keypad at `address`. Rejects with DeviceError("OFFLINE") when the bus is down. */
  showText(address: number, text: string): Promise<void> {
    return this.send(encodeShowText(address, text));
  }

  /** Asks the rating device at `address` to prompt the visitor for a rating. */
  requestRating(address: number): Promise<void> {
    return this.send(encodeRequestRating(address));
  }

  /** Stops listening to the link (does not close it: the link is owned by whoever built it). */
  detach(): void {
    this.link.off("data", this.onData);
    this.link.off("state", this.onState);
    if (this.idleTimer) clearTimeout(this.idleTimer);
    this.idleTimer = undefined;
  }

  override on(event: "key", fn: (e: KeyEvent) => void): this;
  override on(event: "rating", fn: (e: RatingEvent) => void): this;
  override on(event: "status", fn: (s: InputDeviceStatus) => void): this;
  override on(event: "frameError", fn: (e: FrameError) => void): this;
  override on(event: string, fn: (...args: never[]) => void): this {
    return super.on(event, fn as (...args: unknown[]) => void);
  }

  private send(frame: Buffer): Promise<void> {
    // RS-485 is half duplex and shared: one frame at a time, never interleaved.
    const next = this.writeChain.then(() => {
      const at = this.now();
      for (const [sig, t] of this.written) if (at - t > this.echoWindowMs) this.written.delete(sig);
      this.written.set(frame.subarray(5, frame.length - 2).toString("hex"), at);
      return this.link.write(frame);
    });
    this.writeChain = next.catch(() => undefined);
    return next;
  }

  private receive(chunk: Buffer): void {
    this.handle(this.parser.push(chunk));
    if (this.idleTimer) clearTimeout(this.idleTimer);
    this.idleTimer = undefined;
    if (this.parser.pending > 0) {
      this.idleTimer = setTimeout(() => {
        this.idleTimer = undefined;
        this.handle(this.parser.expire());
      }, this.idleMs);
      this.idleTimer.unref?.();
    }
  }

  private handle(frames: KeypadFrame[]): void {
    for (const frame of frames) {
      const input = decodeKey(frame);
      if (!input || this.isEcho(frame)) continue;
      if (this.ack) this.send(encodeAck(frame)).catch(() => undefined);
      if (this.isRepeat(frame)) continue;
      if ("key" in input) this.emit("key", { address: input.address, key: input.key } satisfies KeyEvent);
      else this.emit("rating", { address: input.address, score: input.rating } satisfies RatingEvent);
    }
  }

  private isEcho(frame: KeypadFrame): boolean {
    const sig = Buffer.concat([Buffer.from([frame.address, frame.cmd]), frame.data]).toString("hex");
    const at = this.written.get(sig);
    if (at === undefined) return false;
    this.written.delete(sig);
    return this.now() - at <= this.echoWindowMs;
  }

  private isRepeat(frame: KeypadFrame): boolean {
    const sig = `${frame.cmd}:${frame.data.toString("hex")}`;
    const at = this.now();
    const last = this.lastFrame.get(frame.address);
    this.lastFrame.set(frame.address, { sig, at });
    return last !== undefined && last.sig === sig && at - last.at < this.repeatWindowMs;
  }

  private emitStatus(state: LinkState, detail?: string): void {
    if (state !== "open") this.parser.reset();
    const status = toStatus(state);
    this.emit("status", detail !== undefined && state !== "open" ? { ...status, detail } : status);
  }
}

function toStatus(state: LinkState): InputDeviceStatus {
  return state === "open" ? { health: "online" } : { health: "offline", detail: state };
}
