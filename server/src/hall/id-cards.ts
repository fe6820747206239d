import { createHmac, randomBytes } from "node:crypto";
import { DEFAULT_GREEN_CHANNEL_AGE, greenByAge } from "./green-channel.ts";
import type { HallService } from "./service.ts";

/** One ID card reading, kept behind a token until the next issue at that kiosk. */
export interface IdReading {
  idHash: string;
  masked: string;
  exp: number;
  /** The kiosk whose reader read the card: the token is good there only. */
  kioskId: string | undefined;
  green: boolean;
}

const ID_TOKEN_TTL_MS = 3 * 60_000;

/**
 * ID cards read at the kiosks. The ID number never leaves this class: the kiosk gets a
 * short-lived token (and the masked number to show), the issuing desk trades the token for
 * a salted hash, and the journal only ever sees the hash and the masked number. Its own
 * class (not the issuing desk's) so the device manager, which reads the cards, can be built
 * before the issuing desk, which prints through it.
 */
export class IdCards {
  private readonly tokens = new Map<string, IdReading>();

  constructor(
    private readonly hall: HallService,
    private readonly idSalt: string,
    private readonly clock: () => number,
  ) {}

  /**
   * An ID card was read at kiosk `kioskId`: keep its salted hash behind a token for the next
   * issue there, used once. `green`: the holder's age gives the green channel today.
   */
  register(idNumber: string, kioskId?: string): { idToken: string; masked: string; green: boolean } {
    const idHash = createHmac("sha256", this.idSalt).update(idNumber.toUpperCase()).digest("base64url");
    const masked =
      idNumber.length > 8 ? `${idNumber.slice(0, 4)}${"*".repeat(idNumber.length - 8)}${idNumber.slice(-4)}` : "****";
    const idToken = randomBytes(12).toString("base64url");
    const now = this.clock();
    for (const [k, v] of this.tokens) if (v.exp < now) this.tokens.delete(k);
    this.hall.rotateIfNeeded(now);
    const threshold = this.hall.catalogue().hall.greenChannelAge ?? DEFAULT_GREEN_CHANNEL_AGE;
    const green = greenByAge(idNumber, this.hall.day, threshold);
    this.tokens.set(idToken, { idHash, masked, exp: now + ID_TOKEN_TTL_MS, kioskId, green });
    return { idToken, masked, green };
  }

  /**
   * A kiosk's reader read a card: register it and tell that kiosk's screen (bus
   * `kiosk.input`). Only the surname leaves the hub: enough for "王** 请选择事项".
   */
  read(kioskId: string, idNumber: string, name: string): void {
    const { idToken, masked, green } = this.register(idNumber, kioskId);
    const shown = `${[...name][0] ?? ""}${"*".repeat(Math.max(0, [...name].length - 1))}`;
    this.hall.bus.emit("kiosk.input", { kioskId, kind: "id_card", idToken, masked, name: shown, green });
  }

  /** A kiosk's scanner read a booking code: that kiosk's screen fills it in. */
  scanned(kioskId: string, code: string): void {
    this.hall.bus.emit("kiosk.input", { kioskId, kind: "appointment", code });
  }

  get(token: string): IdReading | undefined {
    return this.tokens.get(token);
  }

  /** Used once: taken before the engine runs, so two requests racing with one token can't both use it. */
  take(token: string): void {
    this.tokens.delete(token);
  }

  /** The issue was refused (another matter is still possible with the same card): the reading stays good. */
  restore(token: string, reading: IdReading): void {
    this.tokens.set(token, reading);
  }
}
