import type { ByteLink } from "../transport/link.ts";
import { type IdCardText, SamCommand, SamFrameParser, Sw3, encodeBasicInfo, encodeResponse, parseRequest } from "./protocol.ts";

/**
 * How the simulated reader misbehaves: `garbled` answers with a corrupted checksum,
 * `silent` does not answer at all, `sam_error` answers every command with SW3 = 60
 * (SAM self-test failed).
 */
export type IdReaderFault = "none" | "garbled" | "silent" | "sam_error";

/** A second-generation ID card reader on the device side of a link. */
export class IdReaderSimulator {
  private readonly parser = new SamFrameParser();
  private card: IdCardText | undefined;
  private fault: IdReaderFault = "none";
  private missedFinds = 0;
  /** Commands received, by name or hex, in order (for tests). */
  readonly received: string[] = [];
  private readonly onData = (chunk: Buffer) => this.receive(chunk);

  constructor(private readonly link: ByteLink) {
    link.on("data", this.onData);
  }

  placeCard(info: IdCardText): void {
    this.card = info;
  }

  removeCard(): void {
    this.card = undefined;
  }

  injectFault(fault: IdReaderFault): void {
    this.fault = fault;
  }

  /**
   * Answer "no card" to the next `count` find commands although a card lies there, as
   * many real readers do right after a read.
   */
  missNextFinds(count: number): void {
    this.missedFinds = count;
  }

  detach(): void {
    this.link.off("data", this.onData);
  }

  private receive(chunk: Buffer): void {
    for (const body of this.parser.push(chunk)) {
      const req = parseRequest(body);
      if (!req) continue;
      this.received.push(commandName(req.cmd, req.para));
      const answer = this.answer(req.cmd, req.para);
      if (!answer || this.fault === "silent") continue;
      if (this.fault === "garbled") answer[answer.length - 1] = (answer[answer.length - 1] ?? 0) ^ 0x5a;
      // The link may have gone down between command and answer; a real reader's answer would be lost too.
      this.link.write(answer).catch(() => undefined);
    }
  }

  private answer(cmd: number, para: number): Buffer | undefined {
    if (this.fault === "sam_error") return encodeResponse(Sw3.SAM_SELFTEST_FAILED);
    const name = commandName(cmd, para);
    switch (name) {
      case "FIND_CARD":
        if (this.card && this.missedFinds > 0) {
          this.missedFinds--;
          return encodeResponse(Sw3.NO_CARD);
        }
        return this.card ? encodeResponse(Sw3.FIND_OK, Buffer.alloc(4)) : encodeResponse(Sw3.NO_CARD);
      case "SELECT_CARD":
        return this.card ? encodeResponse(Sw3.OK, Buffer.alloc(8)) : encodeResponse(Sw3.SELECT_FAILED);
      case "READ_BASIC":
        return this.card ? encodeResponse(Sw3.OK, encodeBasicInfo(this.card)) : encodeResponse(Sw3.READ_FAILED);
      default:
        return encodeResponse(Sw3.UNKNOWN_COMMAND);
    }
  }
}

function commandName(cmd: number, para: number): string {
  for (const [name, [c, p]] of Object.entries(SamCommand)) if (c === cmd && p === para) return name;
  return `${cmd.toString(16).padStart(2, "0")}${para.toString(16).padStart(2, "0")}`;
}
