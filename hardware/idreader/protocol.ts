/**
 * SAM protocol of second-generation (二代) ID card readers (pure, no I/O).
 *
 * Hub → reader: `AA AA AA 96 69 | len(2, BE) | cmd | para | data… | chk`
 * Reader → hub: `AA AA AA 96 69 | len(2, BE) | SW1 SW2 SW3 | data… | chk`
 * `len` counts the bytes after it, checksum included; `chk` = XOR of len..data.
 */

export const PREAMBLE = Buffer.from([0xaa, 0xaa, 0xaa, 0x96, 0x69]);

/** Command and parameter bytes. */
export const SamCommand = {
  FIND_CARD: [0x20, 0x01],
  SELECT_CARD: [0x20, 0x02],
  READ_BASIC: [0x30, 0x01],
} as const;

export type SamCommandName = keyof typeof SamCommand;

/** SW3 status byte (SW1 SW2 are 00 00 in every answer that matters here). */
export const Sw3 = {
  OK: 0x90,
  FIND_OK: 0x9f,
  CHECKSUM_ERROR: 0x10,
  LENGTH_ERROR: 0x11,
  COMMAND_ERROR: 0x21,
  UNAUTHORIZED: 0x23,
  UNKNOWN_COMMAND: 0x24,
  CARD_AUTH_FAILED: 0x31,
  READ_FAILED: 0x41,
  SAM_SELFTEST_FAILED: 0x60,
  NO_CARD: 0x80,
  SELECT_FAILED: 0x81,
} as const;

/** Longest response accepted: a basic-info read with fingerprint is ~2.3 kB; anything past 8 kB is noise. */
export const MAX_FRAME_LENGTH = 0x2000;

/** One reader answer that passed the checksum. */
export interface SamResponse {
  sw1: number;
  sw2: number;
  sw3: number;
  data: Buffer;
}

/** One hub command as the reader sees it (used by the simulator). */
export interface SamRequest {
  cmd: number;
  para: number;
  data: Buffer;
}

/** The fields of the card's text block, trimmed. */
export interface IdCardInfo {
  name: string;
  /** "1" male, "2" female (GB 2261 code as printed in the chip). */
  sexCode: string;
  sex: "male" | "female" | "unknown";
  /** Two-digit GB 3304 code, "01" = 汉. */
  nationCode: string;
  /** 汉, 蒙古 … ; the code when unknown. */
  nation: string;
  /** YYYYMMDD */
  birthDate: string;
  address: string;
  idNumber: string;
  issuer: string;
  /** YYYYMMDD */
  validFrom: string;
  /** YYYYMMDD or 长期 */
  validTo: string;
}

/** Field widths in bytes of the 256-byte UCS-2LE text block, in order. */
const FIELDS: ReadonlyArray<readonly [keyof IdCardInfo, number]> = [
  ["name", 30],
  ["sexCode", 2],
  ["nationCode", 4],
  ["birthDate", 16],
  ["address", 70],
  ["idNumber", 36],
  ["issuer", 30],
  ["validFrom", 16],
  ["validTo", 16],
];
export const TEXT_BLOCK_LENGTH = 256;

const NATIONS = [
  "汉",
  "蒙古",
  "回",
  "藏",
  "维吾尔",
  "苗",
  "彝",
  "壮",
  "布依",
  "朝鲜",
  "满",
  "侗",
  "瑶",
  "白",
  "土家",
  "哈尼",
  "哈萨克",
  "傣",
  "黎",
  "傈僳",
  "佤",
  "畲",
  "高山",
  "拉祜",
  "水",
  "东乡",
  "纳西",
  "景颇",
  "柯尔克孜",
  "土",
  "达斡尔",
  "仫佬",
  "羌",
  "布朗",
  "撒拉",
  "毛南",
  "仡佬",
  "锡伯",
  "阿昌",
  "普米",
  "塔吉克",
  "怒",
  "乌孜别克",
  "俄罗斯",
  "鄂温克",
  "德昂",
  "保安",
  "裕固",
  "京",
  "塔塔尔",
  "独龙",
  "鄂伦春",
  "赫哲",
  "门巴",
  "珞巴",
  "基诺",
];

function xor(bytes: Uint8Array, from: number, to: number): number {
  let x = 0;
  for (let i = from; i < to; i++) x ^= bytes[i] ?? 0;
  return x;
}

/** Wraps `body` (cmd+para+data, or SW1..3+data) in preamble, length and checksum. */
function frame(body: Uint8Array): Buffer {
  const len = body.length + 1;
  const out = Buffer.alloc(PREAMBLE.length + 2 + len);
  PREAMBLE.copy(out, 0);
  out.writeUInt16BE(len, 5);
  out.set(body, 7);
  out[out.length - 1] = xor(out, 5, out.length - 1);
  return out;
}

export function encodeCommand(name: SamCommandName, data: Uint8Array = Buffer.alloc(0)): Buffer {
  const [cmd, para] = SamCommand[name];
  return frame(Buffer.concat([Buffer.from([cmd, para]), data]));
}

/** A reader answer (used by the simulator and tests). */
export function encodeResponse(sw3: number, data: Uint8Array = Buffer.alloc(0), sw1 = 0, sw2 = 0): Buffer {
  return frame(Buffer.concat([Buffer.from([sw1, sw2, sw3]), data]));
}

export type SamFrameError = "bad_checksum" | "bad_length" | "garbage";

/**
 * Streaming parser for SAM frames in either direction: resyncs on the preamble, checks
 * length and checksum, never throws. `onError` hears every rejected frame.
 */
export class SamFrameParser {
  private buf: Buffer = Buffer.alloc(0);
  readonly stats = { frames: 0, badChecksum: 0, badLength: 0, garbageBytes: 0 };

  constructor(private readonly onError?: (kind: SamFrameError) => void) {}

  get pending(): number {
    return this.buf.length;
  }

  /** Returns the bodies (bytes between length and checksum) of complete, valid frames. */
  push(chunk: Uint8Array): Buffer[] {
    this.buf = this.buf.length === 0 ? Buffer.from(chunk) : Buffer.concat([this.buf, chunk]);
    const bodies: Buffer[] = [];
    for (;;) {
      const at = this.findPreamble();
      if (at > 0) {
        this.stats.garbageBytes += at;
        this.onError?.("garbage");
      }
      this.buf = this.buf.subarray(at);
      if (this.buf.length < PREAMBLE.length + 2) break;
      const len = this.buf.readUInt16BE(5);
      if (len < 3 || len > MAX_FRAME_LENGTH) {
        this.reject("bad_length", 1);
        continue;
      }
      const total = PREAMBLE.length + 2 + len;
      if (this.buf.length < total) break;
      if (xor(this.buf, 5, total - 1) !== this.buf[total - 1]) {
        // A lost byte shifts the checksum too: drop only the first preamble byte and rescan,
        // so a good frame starting inside this one is still found.
        this.reject("bad_checksum", 1);
        continue;
      }
      bodies.push(Buffer.from(this.buf.subarray(7, total - 1)));
      this.stats.frames++;
      this.buf = this.buf.subarray(total);
    }
    return bodies;
  }

  reset(): void {
    this.buf = Buffer.alloc(0);
  }

  /** Index of the preamble, or of the longest preamble prefix at the very end, or buf.length. */
  private findPreamble(): number {
    const b = this.buf;
    for (let i = 0; i < b.length; i++) {
      let j = 0;
      while (j < PREAMBLE.length && i + j < b.length && b[i + j] === PREAMBLE[j]) j++;
      if (j === PREAMBLE.length || i + j === b.length) return i;
    }
    return b.length;
  }

  private reject(kind: "bad_checksum" | "bad_length", drop: number): void {
    if (kind === "bad_checksum") this.stats.badChecksum++;
    else this.stats.badLength++;
    this.buf = this.buf.subarray(drop);
    this.onError?.(kind);
  }
}

export function parseResponse(body: Buffer): SamResponse | null {
  if (body.length < 3) return null;
  return { sw1: body[0] ?? 0, sw2: body[1] ?? 0, sw3: body[2] ?? 0, data: Buffer.from(body.subarray(3)) };
}

export function parseRequest(body: Buffer): SamRequest | null {
  if (body.length < 2) return null;
  return { cmd: body[0] ?? 0, para: body[1] ?? 0, data: Buffer.from(body.subarray(2)) };
}

/**
 * Splits the data of a successful READ_BASIC answer: text length (2, BE), photo length
 * (2, BE), text, photo. Returns null when the lengths do not add up.
 */
export function splitBasicInfo(data: Buffer): { text: Buffer; photo: Buffer } | null {
  if (data.length < 4) return null;
  const textLen = data.readUInt16BE(0);
  const photoLen = data.readUInt16BE(2);
  if (textLen < TEXT_BLOCK_LENGTH || data.length < 4 + textLen + photoLen) return null;
  return {
    text: Buffer.from(data.subarray(4, 4 + textLen)),
    photo: Buffer.from(data.subarray(4 + textLen, 4 + textLen + photoLen)),
  };
}

/** Parses the 256-byte UCS-2LE text block. Returns null when too short or the id number is malformed. */
export function parseTextBlock(text: Buffer): IdCardInfo | null {
  if (text.length < TEXT_BLOCK_LENGTH) return null;
  const raw: Record<string, string> = {};
  let at = 0;
  for (const [field, width] of FIELDS) {
    // Fields are padded with spaces, by some card writers with NULs: both go.
    raw[field] = text
      .subarray(at, at + width)
      .toString("utf16le")
      .split("\0")
      .join("")
      .trim();
    at += width;
  }
  const idNumber = (raw.idNumber ?? "").toUpperCase();
  if (!/^\d{17}[\dX]$/.test(idNumber)) return null;
  const sexCode = raw.sexCode ?? "";
  const nationCode = raw.nationCode ?? "";
  return {
    name: raw.name ?? "",
    sexCode,
    sex: sexCode === "1" ? "male" : sexCode === "2" ? "female" : "unknown",
    nationCode,
    nation: NATIONS[Number.parseInt(nationCode, 10) - 1] ?? nationCode,
    birthDate: raw.birthDate ?? "",
    address: raw.address ?? "",
    idNumber,
    issuer: raw.issuer ?? "",
    validFrom: raw.validFrom ?? "",
    validTo: raw.validTo ?? "",
  };
}

/** What a card carries, for building a text block (simulator, tests). */
export type IdCardText = Omit<IdCardInfo, "sex" | "nation">;

/** Builds the 256-byte text block, each field space-padded (as the chip stores it). */
export function encodeTextBlock(info: IdCardText): Buffer {
  const out = Buffer.alloc(TEXT_BLOCK_LENGTH, 0);
  // Pad with UCS-2 spaces (20 00) as the chip does; the trailing reserved area stays spaces too.
  for (let i = 0; i < TEXT_BLOCK_LENGTH; i += 2) out[i] = 0x20;
  let at = 0;
  for (const [field, width] of FIELDS) {
    const value = info[field as keyof IdCardText];
    const bytes = Buffer.from(value, "utf16le").subarray(0, width);
    bytes.copy(out, at);
    at += width;
  }
  return out;
}

/** Data of a successful READ_BASIC answer: lengths, text block, photo. */
export function encodeBasicInfo(info: IdCardText, photo: Uint8Array = Buffer.alloc(1024)): Buffer {
  const head = Buffer.alloc(4);
  head.writeUInt16BE(TEXT_BLOCK_LENGTH, 0);
  head.writeUInt16BE(photo.length, 2);
  return Buffer.concat([head, encodeTextBlock(info), photo]);
}

/**
 * Masks an ID number for storage and display: first 4 and last 4 kept, the rest starred
 * ("371428199001011234" → "3714**********1234"). Numbers of 8 characters or fewer are
 * starred entirely, since keeping 4+4 would reveal them whole.
 */
export function maskIdNumber(idNumber: string): string {
  const id = idNumber.trim();
  if (id.length <= 8) return "*".repeat(id.length);
  return `${id.slice(0, 4)}${"*".repeat(id.length - 8)}${id.slice(-4)}`;
}
