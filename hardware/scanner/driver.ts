import { EventEmitter } from "node:events";
import type { ByteLink, LinkState } from "../transport/link.ts";
import type { HealthReport } from "../types.ts";
import { LineDecoder, type LineDecoderOptions } from "./protocol.ts";

/** Health of the scanner: its link state (a scanner only speaks when it reads a code). */
export type ScannerStatus = HealthReport<"online" | "offline">;

export interface CodeScannerOptions extends LineDecoderOptions {
  /**
   * Ignore the same code again within this window: scanners in continuous mode send a
   * code held under them several times a second. 0 disables. Default 1500 ms.
   */
  repeatWindowMs?: number;
  now?: () => number;
}

/**
 * A serial barcode / QR scanner. Events: `code` (string), `status` (ScannerStatus on
 * every link change).
 */
export class CodeScanner extends EventEmitter {
  private readonly decoder: LineDecoder;
  private readonly repeatWindowMs: number;
  private readonly now: () => number;
  private last: { code: string; at: number } | undefined;
  private readonly onData = (chunk: Buffer) => {
    for (const code of this.decoder.push(chunk)) this.accept(code);
  };
  private readonly onState = (state: LinkState, detail?: string) => {
    if (state !== "open") this.decoder.reset();
    this.emit("status", state === "open" ? { health: "online" } : { health: "offline", detail: detail ?? state });
  };

  constructor(
    private readonly link: ByteLink,
    options: CodeScannerOptions = {},
  ) {
    super();
    this.decoder = new LineDecoder(options);
    this.repeatWindowMs = options.repeatWindowMs ?? 1500;
    this.now = options.now ?? Date.now;
    link.on("data", this.onData);
    link.on("state", this.onState);
  }

  get status(): ScannerStatus {
    return this.link.state === "open" ? { health: "online" } : { health: "offline", detail: this.link.state };
  }

  get stats(): Readonly<LineDecoder["stats"]> {
    return this.decoder.stats;
  }

  detach(): void {
    this.link.off("data", this.onData);
    this.link.off("state", this.onState);
  }

  override on(event: "code", fn: (code: string) => void): this;
  override on(event: "status", fn: (s: ScannerStatus) => void): this;
  override on(event: string, fn: (...args: never[]) => void): this {
    return super.on(event, fn as (...args: unknown[]) => void);
  }

  private accept(code: string): void {
    const at = this.now();
    const last = this.last;
    this.last = { code, at };
    if (last && last.code === code && at - last.at < this.repeatWindowMs) return;
    this.emit("code", code);
  }
}
