/**
 * The IPP/1.1 binary encoding (RFC 8010 §3): pure bytes in, bytes out. Only what an A4
 * printer client (and its simulator) needs: operation and status codes, attribute groups,
 * the common value types; collections are skipped over whole (their members never show
 * up as attributes of their own), so a printer's full attribute list decodes safely.
 *
 * Why our own: the npm `ipp` package was last released years ago and drags a
 * callback-style HTTP client along; the encoding is a page of code and is tested here
 * byte by byte and against a real printer (ippeveprinter).
 */

/** Operation ids (RFC 8011 §5.4.15). */
export const IPP_OP = {
  printJob: 0x0002,
  validateJob: 0x0004,
  cancelJob: 0x0008,
  getJobAttributes: 0x0009,
  getPrinterAttributes: 0x000b,
} as const;

/** Delimiter tags: the groups of a message. */
export const GROUP = {
  operation: 0x01,
  job: 0x02,
  end: 0x03,
  printer: 0x04,
  unsupported: 0x05,
} as const;

/** Value tags (RFC 8010 §3.5.2). */
export const TAG = {
  unsupported: 0x10,
  unknown: 0x12,
  noValue: 0x13,
  integer: 0x21,
  boolean: 0x22,
  enum: 0x23,
  octetString: 0x30,
  dateTime: 0x31,
  resolution: 0x32,
  rangeOfInteger: 0x33,
  begCollection: 0x34,
  textWithLanguage: 0x35,
  nameWithLanguage: 0x36,
  endCollection: 0x37,
  textWithoutLanguage: 0x41,
  nameWithoutLanguage: 0x42,
  keyword: 0x44,
  uri: 0x45,
  uriScheme: 0x46,
  charset: 0x47,
  naturalLanguage: 0x48,
  mimeMediaType: 0x49,
  memberAttrName: 0x4a,
} as const;

/** job-state values (RFC 8011 §5.3.7). */
export const JOB_STATE = { pending: 3, held: 4, processing: 5, stopped: 6, canceled: 7, aborted: 8, completed: 9 } as const;
/** printer-state values. */
export const PRINTER_STATE = { idle: 3, processing: 4, stopped: 5 } as const;

export type IppValue = number | boolean | string | Buffer;

export interface IppAttribute {
  name: string;
  tag: number;
  values: IppValue[];
}

export interface IppGroup {
  tag: number;
  attributes: IppAttribute[];
}

export interface IppMessage {
  /** [major, minor]; 1.1 unless told otherwise. */
  version?: [number, number];
  /** Operation id in a request, status code in a response. */
  code: number;
  requestId: number;
  groups: IppGroup[];
  /** The document after the end tag (Print-Job). */
  data?: Buffer;
}

/** Successful status codes are 0x0000–0x00FF. */
export function isSuccess(status: number): boolean {
  return status >= 0 && status <= 0xff;
}

const INT_TAGS: ReadonlySet<number> = new Set([TAG.integer, TAG.enum]);
const TEXT_TAGS: ReadonlySet<number> = new Set([
  TAG.textWithoutLanguage,
  TAG.nameWithoutLanguage,
  TAG.keyword,
  TAG.uri,
  TAG.uriScheme,
  TAG.charset,
  TAG.naturalLanguage,
  TAG.mimeMediaType,
  TAG.memberAttrName,
]);

function encodeValue(tag: number, v: IppValue): Buffer {
  if (INT_TAGS.has(tag)) {
    const b = Buffer.alloc(4);
    b.writeInt32BE(Number(v));
    return b;
  }
  if (tag === TAG.boolean) return Buffer.from([v ? 1 : 0]);
  if (Buffer.isBuffer(v)) return v;
  return Buffer.from(String(v), "utf8");
}

/** One message as bytes (the document, if any, after the end-of-attributes tag). */
export function encodeIpp(m: IppMessage): Buffer {
  const parts: Buffer[] = [];
  const head = Buffer.alloc(8);
  const [major, minor] = m.version ?? [1, 1];
  head.writeUInt8(major, 0);
  head.writeUInt8(minor, 1);
  head.writeUInt16BE(m.code, 2);
  head.writeInt32BE(m.requestId, 4);
  parts.push(head);
  for (const g of m.groups) {
    parts.push(Buffer.from([g.tag]));
    for (const a of g.attributes) {
      a.values.forEach((v, i) => {
        const name = i === 0 ? Buffer.from(a.name, "utf8") : Buffer.alloc(0);
        const value = encodeValue(a.tag, v);
        if (value.length > 0xffff) throw new RangeError(`IPP value of ${a.name} is too long`);
        const h = Buffer.alloc(3);
        h.writeUInt8(a.tag, 0);
        h.writeUInt16BE(name.length, 1);
        const l = Buffer.alloc(2);
        l.writeUInt16BE(value.length, 0);
        parts.push(h, name, l, value);
      });
    }
  }
  parts.push(Buffer.from([GROUP.end]));
  if (m.data) parts.push(m.data);
  return Buffer.concat(parts);
}

function decodeValue(tag: number, b: Buffer): IppValue {
  if (INT_TAGS.has(tag) && b.length === 4) return b.readInt32BE(0);
  if (tag === TAG.boolean && b.length === 1) return b[0] !== 0;
  if (TEXT_TAGS.has(tag)) return b.toString("utf8");
  // textWithLanguage / nameWithLanguage: language length + language, text length + text.
  if ((tag === TAG.textWithLanguage || tag === TAG.nameWithLanguage) && b.length >= 4) {
    const ll = b.readUInt16BE(0);
    const tl = b.readUInt16BE(2 + ll);
    return b.subarray(4 + ll, 4 + ll + tl).toString("utf8");
  }
  return Buffer.from(b);
}

/** Thrown for bytes that are not an IPP message. */
export class IppDecodeError extends Error {
  override name = "IppDecodeError";
}

/** Parse a message; what follows the end tag is `data`. Throws IppDecodeError on truncated bytes. */
export function decodeIpp(buf: Buffer): IppMessage {
  if (buf.length < 9) throw new IppDecodeError("too short for an IPP message");
  const m: IppMessage = {
    version: [buf.readUInt8(0), buf.readUInt8(1)],
    code: buf.readUInt16BE(2),
    requestId: buf.readInt32BE(4),
    groups: [],
  };
  let i = 8;
  let group: IppGroup | undefined;
  let last: IppAttribute | undefined;
  // Inside a collection, members are read and dropped: depth counts begCollection/endCollection.
  let depth = 0;
  const need = (n: number) => {
    if (i + n > buf.length) throw new IppDecodeError("truncated IPP message");
  };
  for (;;) {
    need(1);
    const tag = buf.readUInt8(i);
    if (tag === GROUP.end) {
      i += 1;
      break;
    }
    if (tag < 0x10) {
      if (depth > 0) throw new IppDecodeError("group tag inside a collection");
      group = { tag, attributes: [] };
      m.groups.push(group);
      last = undefined;
      i += 1;
      continue;
    }
    need(3);
    const nameLen = buf.readUInt16BE(i + 1);
    need(3 + nameLen + 2);
    const name = buf.toString("utf8", i + 3, i + 3 + nameLen);
    const valueLen = buf.readUInt16BE(i + 3 + nameLen);
    need(3 + nameLen + 2 + valueLen);
    const raw = buf.subarray(i + 5 + nameLen, i + 5 + nameLen + valueLen);
    i += 5 + nameLen + valueLen;
    if (!group) throw new IppDecodeError("attribute outside a group");
    if (tag === TAG.begCollection) {
      if (depth === 0) {
        if (nameLen > 0) {
          last = { name, tag, values: [] };
          group.attributes.push(last);
        }
        last?.values.push(Buffer.alloc(0));
      }
      depth++;
      continue;
    }
    if (tag === TAG.endCollection) {
      if (depth === 0) throw new IppDecodeError("endCollection without a collection");
      depth--;
      continue;
    }
    if (depth > 0) continue;
    const value = decodeValue(tag, raw);
    if (nameLen === 0) {
      if (!last) throw new IppDecodeError("additional value without an attribute");
      last.values.push(value);
    } else {
      last = { name, tag, values: [value] };
      group.attributes.push(last);
    }
  }
  if (depth !== 0) throw new IppDecodeError("unterminated collection");
  if (i < buf.length) m.data = buf.subarray(i);
  return m;
}

/** The first attribute of that name in any group of that tag (any group when tag is omitted). */
export function attr(m: IppMessage, name: string, groupTag?: number): IppAttribute | undefined {
  for (const g of m.groups) {
    if (groupTag !== undefined && g.tag !== groupTag) continue;
    const a = g.attributes.find((x) => x.name === name);
    if (a) return a;
  }
  return undefined;
}

/** Shorthands for building attributes. */
export const a = {
  charset: (name: string, v: string): IppAttribute => ({ name, tag: TAG.charset, values: [v] }),
  lang: (name: string, v: string): IppAttribute => ({ name, tag: TAG.naturalLanguage, values: [v] }),
  uri: (name: string, v: string): IppAttribute => ({ name, tag: TAG.uri, values: [v] }),
  name: (name: string, v: string): IppAttribute => ({ name, tag: TAG.nameWithoutLanguage, values: [v] }),
  text: (name: string, v: string): IppAttribute => ({ name, tag: TAG.textWithoutLanguage, values: [v] }),
  keyword: (name: string, ...v: string[]): IppAttribute => ({ name, tag: TAG.keyword, values: v }),
  mime: (name: string, v: string): IppAttribute => ({ name, tag: TAG.mimeMediaType, values: [v] }),
  int: (name: string, v: number): IppAttribute => ({ name, tag: TAG.integer, values: [v] }),
  enum: (name: string, v: number): IppAttribute => ({ name, tag: TAG.enum, values: [v] }),
  bool: (name: string, v: boolean): IppAttribute => ({ name, tag: TAG.boolean, values: [v] }),
};

/** The operation group every request starts with (RFC 8011 §4.1.4: charset and language first). */
export function operationGroup(printerUri: string, ...more: IppAttribute[]): IppGroup {
  return {
    tag: GROUP.operation,
    attributes: [
      a.charset("attributes-charset", "utf-8"),
      a.lang("attributes-natural-language", "zh-cn"),
      a.uri("printer-uri", printerUri),
      ...more,
    ],
  };
}
