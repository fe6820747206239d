import type { ByteLink } from "../transport/link.ts";
import {
  Cmd,
  FrameParser,
  type KeypadFrame,
  type KeypadKey,
  type RatingScore,
  decodeLcdText,
  encodeFrame,
  keyToCommand,
} from "./protocol.ts";

/** What the simulated devices received from the hub. */
export interface ShownText {
  address: number;
  text: string;
}

/**
 * Keypads and rating devices on the device side of a link: presses keys, sends ratings,
 * and records what the hub sent (LCD texts, rating prompts, ACK echoes).
 */
export class KeypadSimulator {
  private readonly parser = new FrameParser();
  readonly texts: ShownText[] = [];
  readonly ratingRequests: number[] = [];
  readonly acks: KeypadFrame[] = [];
  private readonly onData = (chunk: Buffer) => this.receive(chunk);

  constructor(private readonly link: ByteLink) {
    link.on("data", this.onData);
  }

  /** The last text shown on the keypad at `address`. */
  lastText(address: number): string | undefined {
    for (let i = this.texts.length - 1; i >= 0; i--) {
      const t = this.texts[i];
      if (t && t.address === address) return t.text;
    }
    return undefined;
  }

  press(address: number, key: KeypadKey): Promise<void> {
    const { cmd, data } = keyToCommand(key);
    return this.link.write(encodeFrame(address, cmd, data));
  }

  /** Sends a rating (1 非常不满意 … 5 非常满意) from the rating device at `address`. */
  rate(address: number, score: RatingScore): Promise<void> {
    return this.link.write(encodeFrame(address, Cmd.RATING, [score]));
  }

  /** Line noise: random-looking bytes with a stray 68 start byte and a wake-up byte in them. */
  sendGarbage(): Promise<void> {
    return this.link.write(Buffer.from([0x00, 0x68, 0x13, 0x37, 0xff, 0x42, 0x16, 0x68, 0x09]));
  }

  /** Sends raw bytes (a corrupted frame, half a frame …). */
  sendRaw(bytes: Uint8Array): Promise<void> {
    return this.link.write(bytes);
  }

  detach(): void {
    this.link.off("data", this.onData);
  }

  private receive(chunk: Buffer): void {
    for (const frame of this.parser.push(chunk)) {
      if (frame.cmd === Cmd.SHOW_TEXT) this.texts.push({ address: frame.address, text: decodeLcdText(frame.data) });
      // The ACK of a "rate" key and a rating prompt are the same bytes (68 02 02 68 addr 0B cs 16);
      // both mean "rating device at addr: prompt now", so both are recorded as requests.
      else if (frame.cmd === Cmd.RATE && frame.data.length === 0) this.ratingRequests.push(frame.address);
      else this.acks.push(frame);
    }
  }
}
