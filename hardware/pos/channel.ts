import { EventEmitter } from "node:events";
import { type ByteLink, DeviceError, type LinkState } from "../transport/link.ts";
import { type PosFrame, PosFrameParser, encodeAck, encodeFrame, encodeNak } from "./protocol.ts";

/** Options of {@link PosChannel}. */
export interface PosChannelOptions {
  /** How long to wait for the ACK of a frame before sending it again. Default 500 ms. */
  ackTimeoutMs?: number;
  /** Retransmissions of one frame (after NAK or ACK timeout) before giving up. Default 3. */
  retries?: number;
  /**
   * A frame equal to the last one delivered (same SEQ, same bytes) within this time is a
   * retransmission whose ACK was lost: acknowledged again, not delivered twice. Default 5 s,
   * longer than a sender's whole retry window (4 × 500 ms).
   */
  dupWindowMs?: number;
  clock?: () => number;
  /** Fault injection (simulator only): bytes as they come off the wire, before parsing. */
  inbound?: (chunk: Buffer) => Buffer;
  /** Fault injection (simulator only): each frame as it is about to be written. */
  outbound?: (frame: Buffer) => Buffer;
  /** Fault injection (simulator only): false skips the ACK of a good frame, as if it were lost. */
  shouldAck?: () => boolean;
}

/** Extra time allowed for a frame's write to complete before its ACK wait even starts. */
const WRITE_GUARD_MS = 5000;

interface Outgoing {
  seq: number;
  cmd: string;
  data: Buffer;
  resolve: () => void;
  reject: (err: Error) => void;
}

/**
 * The link layer both ends of a POS line speak (stop-and-wait ARQ): every frame is
 * acknowledged with ACK+SEQ; a NAK or a missing ACK makes the sender transmit the very same
 * frame (same SEQ) again, up to `retries` times; a receiver acknowledges a repeated frame
 * again but delivers it once. So a SALE whose ACK was lost reaches the POS once, not twice.
 *
 * Events: `frame` (PosFrame, each delivered once), `bad` (reason: a broken frame was NAKed).
 */
export class PosChannel extends EventEmitter {
  private readonly parser = new PosFrameParser();
  private readonly ackTimeoutMs: number;
  private readonly retries: number;
  private readonly dupWindowMs: number;
  private readonly clock: () => number;
  private readonly queue: Outgoing[] = [];
  private inFlight: { out: Outgoing; acked: () => void; nak: () => void; offline: () => void } | undefined;
  private nextSeq = 0;
  private lastDelivered: { raw: string; at: number } | undefined;
  readonly stats = { sent: 0, retransmits: 0, naksSent: 0, naksReceived: 0, duplicates: 0 };
  private readonly onData = (chunk: Buffer) => this.receive(chunk);
  private readonly onState = (state: LinkState, detail?: string) => this.linkChanged(state, detail);

  constructor(
    readonly link: ByteLink,
    private readonly opts: PosChannelOptions = {},
  ) {
    super();
    this.ackTimeoutMs = opts.ackTimeoutMs ?? 500;
    this.retries = opts.retries ?? 3;
    this.dupWindowMs = opts.dupWindowMs ?? 5000;
    this.clock = opts.clock ?? Date.now;
    link.on("data", this.onData);
    link.on("state", this.onState);
  }

  override on(event: "frame", fn: (f: PosFrame) => void): this;
  override on(event: "bad", fn: (reason: string) => void): this;
  override on(event: string, fn: (...args: never[]) => void): this {
    return super.on(event, fn as (...args: unknown[]) => void);
  }

  /**
   * Send one frame (DATA already encoded) and resolve once the peer acknowledged it. Rejects
   * with DeviceError OFFLINE (link down), BAD_FRAME (NAKed every time) or TIMEOUT (never
   * acknowledged); the peer may still have received it in the last two cases.
   */
  send(cmd: string, data: Uint8Array = Buffer.alloc(0)): Promise<void> {
    if (this.link.state !== "open") return Promise.reject(new DeviceError("OFFLINE", `${this.link.id} is ${this.link.state}`));
    // Validate now (encodeFrame throws), so a bad frame is the caller's error, not a link one.
    encodeFrame(0, cmd, data);
    return new Promise((resolve, reject) => {
      this.queue.push({ seq: -1, cmd, data: Buffer.from(data), resolve, reject });
      this.pump();
    });
  }

  /** Stop listening to the link and fail whatever is waiting (the link itself is not closed). */
  detach(): void {
    this.link.off("data", this.onData);
    this.link.off("state", this.onState);
    this.failAll(new DeviceError("OFFLINE", "channel detached"));
  }

  private pump(): void {
    if (this.inFlight) return;
    const out = this.queue.shift();
    if (!out) return;
    out.seq = this.nextSeq;
    this.nextSeq = (this.nextSeq + 1) % 10;
    void this.transmit(out);
  }

  /** One frame's whole life: write, wait for ACK, retransmit on NAK or silence. */
  private async transmit(out: Outgoing): Promise<void> {
    const frame = encodeFrame(out.seq, out.cmd, out.data);
    let naks = 0;
    for (let attempt = 0; attempt <= this.retries; attempt++) {
      if (attempt > 0) this.stats.retransmits++;
      type Outcome = "ack" | "nak" | "timeout" | "offline";
      let settled = false;
      let resolveAnswer: (r: Outcome) => void = () => {};
      const answer = new Promise<Outcome>((resolve) => {
        resolveAnswer = resolve;
      });
      let ackTimer: NodeJS.Timeout | undefined;
      const settle = (r: Outcome) => {
        if (settled) return;
        settled = true;
        clearTimeout(guard);
        clearTimeout(ackTimer);
        resolveAnswer(r);
      };
      // The ACK wait starts once the bytes are out (a long frame takes a while at 9600 Bd);
      // the guard covers a write whose callback never comes, which a dropped port can leave.
      const guard = setTimeout(() => settle("timeout"), this.ackTimeoutMs + WRITE_GUARD_MS + frame.length);
      const mine = { out, acked: () => settle("ack"), nak: () => settle("nak"), offline: () => settle("offline") };
      this.inFlight = mine;
      this.stats.sent++;
      // Not awaited: an ACK, a NAK or the link dropping may come before the write's callback
      // (or instead of it), and each ends the wait by itself.
      this.link.write(this.opts.outbound ? this.opts.outbound(Buffer.from(frame)) : frame).then(
        () => {
          if (!settled) ackTimer = setTimeout(() => settle("timeout"), this.ackTimeoutMs);
        },
        () => mine.offline(),
      );
      const r = await answer;
      if (r === "ack") return this.finish(out);
      if (r === "offline") return this.finish(out, new DeviceError("OFFLINE", `${this.link.id}: link down`));
      if (r === "nak") naks++;
    }
    this.finish(
      out,
      naks > this.retries / 2
        ? new DeviceError("BAD_FRAME", `frame ${out.cmd} NAKed ${naks} times`)
        : new DeviceError("TIMEOUT", `frame ${out.cmd} not acknowledged`),
    );
  }

  private finish(out: Outgoing, err?: Error): void {
    if (this.inFlight?.out === out) this.inFlight = undefined;
    if (err) out.reject(err);
    else out.resolve();
    this.pump();
  }

  private receive(chunk: Buffer): void {
    const bytes = this.opts.inbound ? this.opts.inbound(chunk) : chunk;
    for (const e of this.parser.push(bytes)) {
      switch (e.type) {
        case "ack":
          if (this.inFlight && this.inFlight.out.seq === e.seq) this.inFlight.acked();
          break;
        case "nak":
          this.stats.naksReceived++;
          this.inFlight?.nak();
          break;
        case "bad":
          this.stats.naksSent++;
          this.write(encodeNak());
          this.emit("bad", e.reason);
          break;
        case "frame": {
          if (this.opts.shouldAck && !this.opts.shouldAck()) {
            // The ACK is "lost" but the frame did arrive: deliver it (once) as a real POS would.
          } else this.write(encodeAck(e.frame.seq));
          const raw = e.raw.toString("latin1");
          const now = this.clock();
          const last = this.lastDelivered;
          if (last && last.raw === raw && now - last.at < this.dupWindowMs) {
            this.stats.duplicates++;
            break;
          }
          this.lastDelivered = { raw, at: now };
          this.emit("frame", e.frame);
          break;
        }
        default: {
          const never: never = e;
          void never;
        }
      }
    }
  }

  private write(bytes: Buffer): void {
    // A lost ACK or NAK is what the retransmission is for: nothing to do if it fails.
    this.link.write(bytes).catch(() => undefined);
  }

  private linkChanged(state: LinkState, detail?: string): void {
    this.parser.reset();
    // No retransmission outlives a link drop (the frame in flight fails), so whatever comes
    // after a reconnect is new, even if it equals the last frame delivered.
    this.lastDelivered = undefined;
    if (state !== "open") this.failAll(new DeviceError("OFFLINE", detail ?? state));
  }

  private failAll(err: Error): void {
    for (const out of this.queue.splice(0)) out.reject(err);
    // transmit() hears "offline" and rejects the frame in flight with OFFLINE itself.
    this.inFlight?.offline();
  }
}
