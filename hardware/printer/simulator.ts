import { EventEmitter } from "node:events";
import iconv from "iconv-lite";
import type { ByteLink } from "../transport/link.ts";
import { type PrinterStatusBits, type StatusRequest, statusByte } from "./protocol.ts";

/** A ticket as the simulated printer "printed" it. */
export interface PrintedTicket {
  /** Text lines, GB18030-decoded, in print order (QR codes excluded). */
  lines: string[];
  /** QR payloads, UTF-8-decoded. */
  qr: string[];
  /** Every byte received for this ticket, up to and including the cut. */
  bytes: Buffer;
}

/** Options of {@link PrinterSimulator}. */
export interface PrinterSimulatorOptions {
  /** The device end of the cable (e.g. `createMemoryLinkPair().device`). */
  link: ByteLink;
  /**
   * The cable's plug, when there is one (a memory link pair). Without it `unplug()`
   * simulates a printer switched off: it stays connected but ignores every byte.
   */
  plug?: { unplug(): void; replug(): void };
}

/**
 * A 58/80 mm ESC/POS printer: answers DLE EOT status questions, collects tickets
 * (a ticket ends at the cut command) and injects faults for tests and demos.
 */
export class PrinterSimulator extends EventEmitter {
  readonly tickets: PrintedTicket[] = [];
  /** Tickets that arrived while the paper was out, and were therefore not printed. */
  lostTickets = 0;
  /** Status questions answered (garbled ones included). */
  statusQueries = 0;

  readonly #link: ByteLink;
  readonly #plug: PrinterSimulatorOptions["plug"];
  #state: PrinterStatusBits = { online: true, paperOut: false, paperNearEnd: false, coverOpen: false, error: false };
  #powered = true;
  #garble = 0;
  #delayMs = 0;
  #rx: Buffer = Buffer.alloc(0);
  #ticketBytes: Buffer[] = [];
  #lineBytes: number[] = [];
  #lines: string[] = [];
  #qr: string[] = [];
  readonly #onData = (chunk: Buffer) => this.#received(chunk);

  constructor(opts: PrinterSimulatorOptions) {
    super();
    this.#link = opts.link;
    this.#plug = opts.plug;
    this.#link.on("data", this.#onData);
  }

  /** Open the device end of the link. */
  async start(): Promise<void> {
    await this.#link.open();
  }

  async close(): Promise<void> {
    this.#link.off("data", this.#onData);
    await this.#link.close();
  }

  paperOut(on: boolean): void {
    this.#state = { ...this.#state, paperOut: on, online: !on && !this.#state.coverOpen };
  }

  paperNearEnd(on: boolean): void {
    this.#state = { ...this.#state, paperNearEnd: on };
  }

  coverOpen(on: boolean): void {
    this.#state = { ...this.#state, coverOpen: on, online: !on && !this.#state.paperOut };
  }

  unplug(): void {
    if (this.#plug) this.#plug.unplug();
    else this.#powered = false;
  }

  replug(): void {
    if (this.#plug) this.#plug.replug();
    else this.#powered = true;
  }

  /** Answer the next `count` status questions with a byte that is not a valid status. */
  garbleNextResponse(count = 1): void {
    this.#garble += count;
  }

  /** Delay every answer by `ms` (0 turns slow mode off). */
  slow(ms: number): void {
    this.#delayMs = ms;
  }

  #received(chunk: Buffer): void {
    if (!this.#powered) return;
    this.#rx = Buffer.concat([this.#rx, chunk]);
    let pos = 0;
    for (;;) {
      const used = this.#step(this.#rx, pos);
      if (used === 0) break;
      pos += used;
    }
    this.#flushRun();
    this.#rx = this.#rx.subarray(pos);
  }

  /** Handle the element at `pos`; returns the bytes it used, 0 when it is incomplete. */
  #step(buf: Buffer, pos: number): number {
    const b = buf[pos];
    if (b === undefined) return 0;
    const at = (i: number) => buf[pos + i];
    const need = (n: number) => (buf.length - pos >= n ? n : 0);
    switch (b) {
      case 0x10: {
        if (!need(3)) return 0;
        if (at(1) === 0x04) this.#answer(at(2) ?? 0);
        return 3;
      }
      case 0x1b: {
        const fn = at(1);
        if (fn === undefined) return 0;
        // ESC @ and ESC 2 take no parameter; the other ESC commands we meet take one.
        return fn === 0x40 || fn === 0x32 ? this.#keep(buf, pos, 2) : need(3) && this.#keep(buf, pos, 3);
      }
      case 0x1c: {
        const fn = at(1);
        if (fn === undefined) return 0;
        return fn === 0x26 || fn === 0x2e ? this.#keep(buf, pos, 2) : need(3) && this.#keep(buf, pos, 3);
      }
      case 0x1d: {
        const fn = at(1);
        if (fn === undefined) return 0;
        if (fn === 0x28) {
          if (!need(5)) return 0;
          const len = 5 + (at(3) ?? 0) + ((at(4) ?? 0) << 8);
          if (!need(len)) return 0;
          // GS ( k <store>: cn=0x31 fn=0x50 m=0x30, then the payload.
          if (at(2) === 0x6b && at(5) === 0x31 && at(6) === 0x50) {
            this.#qr.push(buf.subarray(pos + 8, pos + len).toString("utf8"));
          }
          return this.#keep(buf, pos, len);
        }
        if (fn === 0x56) {
          const m = at(2);
          if (m === undefined) return 0;
          const len = m === 0 || m === 1 || m === 0x30 || m === 0x31 ? 3 : 4;
          if (!need(len)) return 0;
          this.#keep(buf, pos, len);
          this.#cut();
          return len;
        }
        return need(3) && this.#keep(buf, pos, 3);
      }
      case 0x0a: {
        this.#endLine();
        return this.#keep(buf, pos, 1);
      }
      default:
        this.#lineBytes.push(b);
        return this.#keep(buf, pos, 1);
    }
  }

  // The ticket's raw bytes are kept as runs of the receive buffer, not byte by byte: one
  // copy per run instead of a Buffer per character (the simulator shares the hub's
  // process in the demo and the benchmarks).
  #run: { buf: Buffer; start: number; end: number } | undefined;

  #keep(buf: Buffer, pos: number, len: number): number {
    const r = this.#run;
    if (r && r.buf === buf && r.end === pos) r.end = pos + len;
    else {
      this.#flushRun();
      this.#run = { buf, start: pos, end: pos + len };
    }
    return len;
  }

  #flushRun(): void {
    const r = this.#run;
    if (r) this.#ticketBytes.push(Buffer.from(r.buf.subarray(r.start, r.end)));
    this.#run = undefined;
  }

  #endLine(): void {
    this.#lines.push(iconv.decode(Buffer.from(this.#lineBytes), "gb18030"));
    this.#lineBytes = [];
  }

  #cut(): void {
    this.#flushRun();
    if (this.#lineBytes.length > 0) this.#endLine();
    const ticket: PrintedTicket = { lines: this.#lines, qr: this.#qr, bytes: Buffer.concat(this.#ticketBytes) };
    this.#lines = [];
    this.#qr = [];
    this.#ticketBytes = [];
    if (this.#state.paperOut) {
      this.lostTickets++;
      return;
    }
    this.tickets.push(ticket);
    this.emit("ticket", ticket);
  }

  #answer(n: number): void {
    if (n !== 1 && n !== 2 && n !== 4) return;
    this.statusQueries++;
    let byte = statusByte(n as StatusRequest, this.#state);
    if (this.#garble > 0) {
      this.#garble--;
      byte = 0xff;
    }
    const reply = () => {
      if (!this.#powered || this.#link.state !== "open") return;
      this.#link.write(Buffer.from([byte])).catch(() => {
        // The cable went away between question and answer; the driver times out.
      });
    };
    if (this.#delayMs > 0) setTimeout(reply, this.#delayMs).unref();
    else reply();
  }
}
