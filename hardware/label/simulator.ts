/**
 * A simulated 100×150 mm ESC/POS label printer: it answers status questions as the ticket
 * printer's simulator does (paper out, unplugged, garbled answers) and keeps every label
 * it printed, as raw bytes, for tests to decode with a third-party parser.
 */
import type { ByteLink } from "../transport/link.ts";
import { PrinterSimulator } from "../printer/simulator.ts";

export class LabelSimulator {
  readonly printer: PrinterSimulator;

  constructor(opts: { link: ByteLink; plug?: { unplug(): void; replug(): void } }) {
    this.printer = new PrinterSimulator(opts);
  }

  /** Bytes of each label printed, from ESC @ to the cut, in order. */
  get labels(): Buffer[] {
    return this.printer.tickets.map((t) => t.bytes);
  }

  /** Labels that arrived while the paper was out (not printed). */
  get lost(): number {
    return this.printer.lostTickets;
  }

  paperOut(on: boolean): void {
    this.printer.paperOut(on);
  }

  unplug(): void {
    this.printer.unplug();
  }

  replug(): void {
    this.printer.replug();
  }

  onLabel(fn: (bytes: Buffer) => void): () => void {
    const h = (t: { bytes: Buffer }) => fn(t.bytes);
    this.printer.on("ticket", h);
    return () => this.printer.off("ticket", h);
  }
}
