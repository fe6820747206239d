import { describe, expect, it } from "vitest";
import {
  type IdCardText,
  SamFrameParser,
  Sw3,
  encodeBasicInfo,
  encodeCommand,
  encodeResponse,
  encodeTextBlock,
  maskIdNumber,
  parseRequest,
  parseResponse,
  parseTextBlock,
  splitBasicInfo,
} from "../../../hardware/idreader/protocol.ts";

const hex = (s: string) => Buffer.from(s.replace(/\s+/g, ""), "hex");

/** A field as the chip stores it: UCS-2LE, padded with UCS-2 spaces to `width` bytes. */
function field(text: string, width: number): Buffer {
  const out = Buffer.alloc(width);
  for (let i = 0; i < width; i += 2) out.writeUInt16LE(0x20, i);
  Buffer.from(text, "utf16le").copy(out);
  return out;
}

const SAMPLE: IdCardText = {
  name: "王䶮",
  sexCode: "1",
  nationCode: "01",
  birthDate: "19900101",
  address: "山东省德州市平原县龙门街道办事处东关村123号",
  idNumber: "371428199001011234",
  issuer: "平原县公安局",
  validFrom: "20150601",
  validTo: "20350601",
};

function sampleBlock(): Buffer {
  return Buffer.concat([
    field(SAMPLE.name, 30),
    field(SAMPLE.sexCode, 2),
    field(SAMPLE.nationCode, 4),
    field(SAMPLE.birthDate, 16),
    field(SAMPLE.address, 70),
    field(SAMPLE.idNumber, 36),
    field(SAMPLE.issuer, 30),
    field(SAMPLE.validFrom, 16),
    field(SAMPLE.validTo, 16),
    field("", 36),
  ]);
}

describe("idreader/protocol commands", () => {
  it("encodes find card exactly", () => {
    expect(encodeCommand("FIND_CARD")).toEqual(hex("AA AA AA 96 69 00 03 20 01 22"));
  });
  it("encodes select card exactly", () => {
    expect(encodeCommand("SELECT_CARD")).toEqual(hex("AA AA AA 96 69 00 03 20 02 21"));
  });
  it("encodes read basic info exactly", () => {
    expect(encodeCommand("READ_BASIC")).toEqual(hex("AA AA AA 96 69 00 03 30 01 32"));
  });
  it("parses a command back (simulator side)", () => {
    const [body] = new SamFrameParser().push(hex("AA AA AA 96 69 00 03 30 01 32"));
    expect(parseRequest(body ?? Buffer.alloc(0))).toEqual({ cmd: 0x30, para: 0x01, data: Buffer.alloc(0) });
  });
});

describe("idreader/protocol responses", () => {
  it("parses a literal find-card success", () => {
    const bodies = new SamFrameParser().push(hex("AA AA AA 96 69 00 08 00 00 9F 00 00 00 00 97"));
    expect(bodies.map(parseResponse)).toEqual([{ sw1: 0, sw2: 0, sw3: 0x9f, data: Buffer.alloc(4) }]);
  });

  it("encodes the no-card answer exactly", () => {
    expect(encodeResponse(Sw3.NO_CARD)).toEqual(hex("AA AA AA 96 69 00 04 00 00 80 84"));
  });

  it("rejects a bad checksum and still parses the next answer", () => {
    const errors: string[] = [];
    const p = new SamFrameParser((e) => errors.push(e));
    const bad = hex("AA AA AA 96 69 00 04 00 00 80 85");
    const bodies = p.push(Buffer.concat([hex("00 13 37"), bad, hex("AA AA AA 96 69 00 04 00 00 81 85")]));
    expect(bodies.map((b) => parseResponse(b)?.sw3)).toEqual([0x81]);
    expect(p.stats.badChecksum).toBe(1);
    expect(errors).toContain("garbage");
    expect(errors).toContain("bad_checksum");
  });

  it("reassembles an answer split at every byte, including inside the preamble", () => {
    const p = new SamFrameParser();
    const bytes = encodeResponse(Sw3.FIND_OK, Buffer.alloc(4));
    const bodies = [...bytes].flatMap((b) => p.push(Buffer.from([b])));
    expect(bodies).toHaveLength(1);
  });

  it("drops an absurd length instead of waiting for it", () => {
    const p = new SamFrameParser();
    expect(p.push(hex("AA AA AA 96 69 FF FF 00"))).toEqual([]);
    expect(p.stats.badLength).toBe(1);
    expect(p.push(encodeResponse(Sw3.OK))).toHaveLength(1);
  });

  it("frames a basic-info answer with the lengths real readers send", () => {
    const frame = encodeResponse(Sw3.OK, encodeBasicInfo(SAMPLE));
    // len 0x0508 = SW(3) + lengths(4) + text(256) + photo(1024) + checksum(1)
    expect(frame.subarray(0, 14)).toEqual(hex("AA AA AA 96 69 05 08 00 00 90 01 00 04 00"));
    expect(frame.length).toBe(7 + 0x508);
  });
});

describe("idreader/protocol text block", () => {
  it("parses a realistic card with a rare character in the name", () => {
    const block = sampleBlock();
    // 王 U+738B, 䶮 U+4DAE, then UCS-2 spaces.
    expect(block.subarray(0, 6)).toEqual(hex("8B 73 AE 4D 20 00"));
    expect(parseTextBlock(block)).toEqual({
      name: "王䶮",
      sexCode: "1",
      sex: "male",
      nationCode: "01",
      nation: "汉",
      birthDate: "19900101",
      address: "山东省德州市平原县龙门街道办事处东关村123号",
      idNumber: "371428199001011234",
      issuer: "平原县公安局",
      validFrom: "20150601",
      validTo: "20350601",
    });
  });

  it("reads 长期 validity, a female holder, another nation and an X check digit", () => {
    const block = encodeTextBlock({ ...SAMPLE, sexCode: "2", nationCode: "03", idNumber: "37142819900101123x", validTo: "长期" });
    expect(parseTextBlock(block)).toMatchObject({ sex: "female", nation: "回", idNumber: "37142819900101123X", validTo: "长期" });
  });

  it("matches the hand-built block byte for byte", () => {
    expect(encodeTextBlock(SAMPLE)).toEqual(sampleBlock());
  });

  it("trims NUL padding as well as space padding", () => {
    const block = sampleBlock();
    block.fill(0, 4, 30); // name field: 王䶮 then NULs
    expect(parseTextBlock(block)?.name).toBe("王䶮");
  });

  it("rejects a short block or a malformed id number", () => {
    expect(parseTextBlock(Buffer.alloc(100))).toBeNull();
    expect(parseTextBlock(encodeTextBlock({ ...SAMPLE, idNumber: "12345" }))).toBeNull();
  });

  it("splits text and photo and refuses inconsistent lengths", () => {
    const parts = splitBasicInfo(encodeBasicInfo(SAMPLE, Buffer.alloc(1024, 7)));
    expect(parts?.text).toEqual(sampleBlock());
    expect(parts?.photo.length).toBe(1024);
    const truncated = encodeBasicInfo(SAMPLE).subarray(0, 200);
    expect(splitBasicInfo(truncated)).toBeNull();
  });
});

describe("idreader/protocol maskIdNumber", () => {
  it("keeps the first and last four", () => {
    expect(maskIdNumber("371428199001011234")).toBe("3714**********1234");
    expect(maskIdNumber("37142819900101123X")).toBe("3714**********123X");
  });
  it("stars a short number entirely", () => {
    expect(maskIdNumber("12345678")).toBe("********");
  });
});
