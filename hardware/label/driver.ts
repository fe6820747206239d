/**
 * The label printer's driver: an ESC/POS printer (status by DLE EOT, paper out, link loss,
 * one queue, idempotent job ids) printing labels encoded by protocol.ts. The queue and the
 * status checks are the ticket printer's (hardware/printer/driver.ts): a label printer in
 * ESC/POS mode answers the same questions.
 */
import { EscPosPrinter } from "../printer/driver.ts";
import type { ByteLink } from "../transport/link.ts";
import { type LabelJob, encodeLabel } from "./protocol.ts";

export interface LabelPrinterOptions {
  id: string;
  link: ByteLink;
  pollIntervalMs?: number;
  now?: () => number;
}

export class LabelPrinter extends EscPosPrinter {
  constructor(o: LabelPrinterOptions) {
    super({ id: o.id, link: o.link, width: 80, pollIntervalMs: o.pollIntervalMs ?? 5000, ...(o.now ? { now: o.now } : {}) });
  }

  /** Print one label; `jobId` makes a retry print once. Rejects with DeviceError as tickets do. */
  printLabel(jobId: string, job: LabelJob): Promise<void> {
    return this.print({ jobId, bytes: encodeLabel(job) });
  }
}
