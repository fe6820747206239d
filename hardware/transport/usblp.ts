import { constants } from "node:fs";
import { type FileHandle, open, stat } from "node:fs/promises";
import { type BackoffOptions, ReconnectingLink, errorDetail } from "./reconnecting.ts";

/** Options of {@link UsbLpLink}. */
export interface UsbLpLinkOptions {
  id: string;
  /** The usblp character device, e.g. `/dev/usb/lp0` (or a udev symlink to it). */
  path: string;
  /** How often to check that the device node is still the one we opened (default 500 ms). */
  checkIntervalMs?: number;
  backoff?: BackoffOptions;
}

/**
 * A USB printer-class device (`usblp` kernel driver) as a write-only {@link ByteLink}.
 *
 * Writes go through a file handle. An unplug shows up as ENODEV/EIO on write, but an idle
 * printer would never write, so the node is also checked every `checkIntervalMs`: when it
 * is gone (ENOENT) or replaced by a new node (another inode), the link is closed and reopened.
 */
export class UsbLpLink extends ReconnectingLink {
  readonly duplex = false;
  readonly path: string;
  readonly #checkIntervalMs: number;
  #handle: FileHandle | undefined;
  #inode = 0;
  #check: NodeJS.Timeout | undefined;

  constructor(opts: UsbLpLinkOptions) {
    super(opts.id, opts.backoff);
    this.path = opts.path;
    this.#checkIntervalMs = opts.checkIntervalMs ?? 500;
  }

  protected async connect(): Promise<void> {
    // No O_CREAT: a missing device must stay missing, not become a regular file.
    const handle = await open(this.path, constants.O_WRONLY | constants.O_APPEND);
    this.#handle = handle;
    this.#inode = (await handle.stat()).ino;
    this.#check = setInterval(() => void this.#checkNode(handle), this.#checkIntervalMs);
    this.#check.unref();
  }

  protected async send(data: Uint8Array): Promise<void> {
    const handle = this.#handle;
    if (!handle) throw new Error("not open");
    let offset = 0;
    // A printer may accept a job in several partial writes.
    while (offset < data.length) {
      const { bytesWritten } = await handle.write(data, offset, data.length - offset, null);
      offset += bytesWritten;
    }
  }

  protected async disconnect(): Promise<void> {
    clearInterval(this.#check);
    this.#check = undefined;
    const handle = this.#handle;
    this.#handle = undefined;
    await handle?.close().catch(() => {});
  }

  async #checkNode(handle: FileHandle): Promise<void> {
    try {
      const s = await stat(this.path);
      if (this.#handle === handle && s.ino !== this.#inode) this.lost("ENODEV");
    } catch (err) {
      if (this.#handle === handle) this.lost(errorDetail(err));
    }
  }
}
