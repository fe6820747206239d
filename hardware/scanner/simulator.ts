import type { ByteLink } from "../transport/link.ts";

/** A serial barcode / QR scanner on the device side of a link. */
export class ScannerSimulator {
  constructor(private readonly link: ByteLink) {}

  /** Sends `code` as the scanner would, terminated by CR (the factory default of most), LF or CRLF. */
  scan(code: string, terminator: "\r" | "\n" | "\r\n" = "\r"): Promise<void> {
    return this.link.write(Buffer.from(`${code}${terminator}`, "utf8"));
  }

  /** Sends raw bytes: a code in another encoding, a line without terminator, noise. */
  sendRaw(bytes: Uint8Array): Promise<void> {
    return this.link.write(bytes);
  }
}
