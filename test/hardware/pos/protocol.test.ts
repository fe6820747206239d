import { describe, expect, it } from "vitest";
import {
  type PosAnswer,
  PosFrameParser,
  type PosLineEvent,
  crc16,
  decodeAnswer,
  decodeRequest,
  encodeAck,
  encodeAnswer,
  encodeFrame,
  encodeNak,
  encodeRequest,
  epochToPosTime,
  maskCardNumber,
  posTimeToEpoch,
} from "../../../hardware/pos/protocol.ts";

const hex = (s: string) => Buffer.from(s.replace(/\s+/g, ""), "hex");
/** Frames written as text with \x escapes, the way docs/devices.md shows them. */
const latin = (s: string) => Buffer.from(s, "latin1");

// Expected bytes were computed outside this code base: Python's binascii.crc_hqx(body, 0xFFFF)
// is CRC-16/CCITT-FALSE, the checksum the protocol names.
const STATUS_0 = hex("02 30 30 30 32 30 54 03 37 44 31 44");
const SALE_1 = hex("02 30 30 31 37 31 53 70 6f 2d 30 30 30 31 1c 32 35 30 30 1c 6b 31 03 33 32 39 44");
const SALE_ANSWER_3 = latin("\x0200653Spo-0001\x1c00\x1c2500\x1c261203000001\x1c622202*********0123\x1c20261203101500\x039230");
const PROGRESS_2 = latin("\x0200182Ppo-0001\x1cWAIT_PIN\x03FD49");
const CANCEL_2 = hex("02 30 30 30 39 32 43 70 6f 2d 30 30 30 31 03 30 35 41 33");
const CANCEL_ANSWER_5 = latin("\x0200115Cpo-0001\x1cY\x03E91A");

function frames(events: PosLineEvent[]): string[] {
  return events.map((e) =>
    e.type === "frame"
      ? `frame ${e.frame.seq}${e.frame.cmd} ${e.frame.data.toString("latin1")}`
      : e.type === "ack"
        ? `ack ${e.seq}`
        : e.type === "nak"
          ? "nak"
          : `bad ${e.reason}`,
  );
}

describe("pos/protocol checksum", () => {
  it("is CRC-16/CCITT-FALSE (the catalogue's check value for 123456789 is 0x29B1)", () => {
    expect(crc16(Buffer.from("123456789"))).toBe(0x29b1);
    expect(crc16(Buffer.alloc(0))).toBe(0xffff);
  });
});

describe("pos/protocol encoding", () => {
  it("encodes STATUS exactly", () => {
    expect(encodeRequest(0, { type: "status" })).toEqual(STATUS_0);
  });

  it("encodes a SALE exactly: LEN counts SEQ+CMD+DATA, fields split by FS, CRC over LEN..ETX in hex", () => {
    expect(encodeRequest(1, { type: "sale", orderId: "po-0001", amountFen: 2500, attempt: "k1" })).toEqual(SALE_1);
  });

  it("encodes answers exactly", () => {
    const sale: PosAnswer = {
      type: "sale",
      orderId: "po-0001",
      code: "00",
      amountFen: 2500,
      refNo: "261203000001",
      cardMasked: "622202*********0123",
      time: "20261203101500",
    };
    expect(encodeAnswer(3, sale)).toEqual(SALE_ANSWER_3);
    expect(encodeAnswer(2, { type: "progress", orderId: "po-0001", stage: "WAIT_PIN" })).toEqual(PROGRESS_2);
  });

  it("encodes CANCEL and its answer exactly (Y: stopped before a card was read)", () => {
    expect(encodeRequest(2, { type: "cancel", orderId: "po-0001" })).toEqual(CANCEL_2);
    expect(encodeAnswer(5, { type: "cancel", orderId: "po-0001", stopped: true })).toEqual(CANCEL_ANSWER_5);
    const [e] = new PosFrameParser().push(CANCEL_2);
    expect(e?.type === "frame" && decodeRequest(e.frame)).toEqual({ type: "cancel", orderId: "po-0001" });
  });

  it("encodes ACK with its SEQ and NAK as one byte", () => {
    expect(encodeAck(7)).toEqual(hex("06 37"));
    expect(encodeNak()).toEqual(hex("15"));
  });

  it("refuses what cannot be framed: control bytes, non-ASCII, ids with FS, fractional fen, bad seq", () => {
    expect(() => encodeFrame(0, "S", hex("02"))).toThrow(RangeError);
    expect(() => encodeFrame(10, "S")).toThrow(RangeError);
    expect(() => encodeFrame(0, "s")).toThrow(RangeError);
    expect(() => encodeRequest(0, { type: "query", orderId: "订单1" })).toThrow(RangeError);
    expect(() => encodeRequest(0, { type: "query", orderId: "a\x1cb" })).toThrow(RangeError);
    expect(() => encodeRequest(0, { type: "query", orderId: "" })).toThrow(RangeError);
    expect(() => encodeRequest(0, { type: "sale", orderId: "o", amountFen: 12.5, attempt: "k" })).toThrow(RangeError);
    expect(() => encodeRequest(0, { type: "sale", orderId: "o", amountFen: -1, attempt: "k" })).toThrow(RangeError);
    expect(() => encodeRequest(0, { type: "batch", day: "2026-12-03", page: 0 })).toThrow(RangeError);
  });
});

describe("pos/protocol parser", () => {
  it("decodes one frame and gives back its request", () => {
    const p = new PosFrameParser();
    const [e] = p.push(SALE_1);
    expect(e?.type).toBe("frame");
    if (e?.type !== "frame") return;
    expect(e.frame).toMatchObject({ seq: 1, cmd: "S" });
    expect(e.raw).toEqual(SALE_1);
    expect(decodeRequest(e.frame)).toEqual({ type: "sale", orderId: "po-0001", amountFen: 2500, attempt: "k1" });
  });

  it("reassembles a frame split into single bytes", () => {
    const p = new PosFrameParser();
    const seen: PosLineEvent[] = [];
    for (const b of SALE_ANSWER_3) seen.push(...p.push(Buffer.from([b])));
    expect(frames(seen)).toEqual([`frame 3S ${SALE_ANSWER_3.subarray(7, -5).toString("latin1")}`]);
    expect(p.pending).toBe(0);
  });

  it("splits merged frames, ACKs and NAKs in one chunk, in order", () => {
    const p = new PosFrameParser();
    const chunk = Buffer.concat([hex("06 31"), PROGRESS_2, hex("15"), STATUS_0, hex("06 32")]);
    expect(frames(p.push(chunk))).toEqual(["ack 1", "frame 2P po-0001\x1cWAIT_PIN", "nak", "frame 0T ", "ack 2"]);
  });

  it("waits for the SEQ of an ACK split from it", () => {
    const p = new PosFrameParser();
    expect(p.push(hex("06"))).toEqual([]);
    expect(p.push(hex("35"))).toEqual([{ type: "ack", seq: 5 }]);
  });

  it("reports a checksum error once and keeps the next good frame", () => {
    const broken = Buffer.from(SALE_1);
    broken[10] = 0x71; // "po-0001" → "pq-0001": same length, wrong CRC
    const p = new PosFrameParser();
    expect(frames(p.push(Buffer.concat([broken, STATUS_0])))).toEqual(["bad checksum", "frame 0T "]);
    expect(p.stats).toMatchObject({ frames: 1, bad: 1 });
  });

  it("reports a wrong CRC text (one hex digit off) as a checksum error", () => {
    const broken = Buffer.from(STATUS_0);
    broken[broken.length - 1] = 0x43; // "7D1D" → "7D1C"
    expect(frames(new PosFrameParser().push(broken))).toEqual(["bad checksum"]);
  });

  it("notices a frame that lost bytes at the next control byte, instead of swallowing what follows", () => {
    // The middle of the SALE is lost; an ACK and a good frame follow right after.
    const cut = Buffer.concat([SALE_1.subarray(0, 12), hex("06 34"), STATUS_0]);
    expect(frames(new PosFrameParser().push(cut))).toEqual(["bad format", "ack 4", "frame 0T "]);
  });

  it("rejects a length out of range or not digits", () => {
    expect(frames(new PosFrameParser().push(latin("\x0200011T\x03")))).toEqual(["bad length"]);
    expect(frames(new PosFrameParser().push(latin("\x02009x0T\x03")))).toEqual(["bad length"]);
    expect(frames(new PosFrameParser().push(latin("\x0299990T")))).toEqual(["bad length"]);
  });

  it("rejects a frame whose ETX is not where LEN says", () => {
    const wrong = Buffer.from(STATUS_0);
    wrong[4] = 0x33; // LEN 0003: one byte longer than the frame
    expect(frames(new PosFrameParser().push(Buffer.concat([wrong, hex("41 41 41 41")])))).toEqual(["bad format"]);
  });

  it("drops line noise between frames and counts it", () => {
    const p = new PosFrameParser();
    expect(frames(p.push(Buffer.concat([hex("ff 00 41 7f"), STATUS_0, hex("20 20")])))).toEqual(["frame 0T "]);
    expect(p.stats.garbageBytes).toBe(6);
  });

  it("forgets a partial frame on reset", () => {
    const p = new PosFrameParser();
    p.push(SALE_1.subarray(0, 10));
    p.reset();
    expect(frames(p.push(STATUS_0))).toEqual(["frame 0T "]);
  });
});

describe("pos/protocol messages", () => {
  const answers: PosAnswer[] = [
    { type: "progress", orderId: "o-1", stage: "WAIT_CARD" },
    {
      type: "sale",
      orderId: "o-1",
      code: "51",
      amountFen: 100,
      refNo: "",
      cardMasked: "622588******4321",
      time: "20261203101500",
    },
    {
      type: "query",
      orderId: "o-1",
      state: "A",
      code: "00",
      amountFen: 100,
      refNo: "261203000001",
      cardMasked: "622588******4321",
      time: "20261203101500",
      refundedFen: 40,
    },
    { type: "query", orderId: "o-2", state: "N", code: "", amountFen: 0, refNo: "", cardMasked: "", time: "", refundedFen: 0 },
    {
      type: "refund",
      orderId: "o-1",
      refundId: "r-1",
      code: "00",
      amountFen: 40,
      refundRefNo: "261203000002",
      time: "20261203111500",
    },
    {
      type: "batch",
      day: "20261203",
      page: 0,
      more: true,
      records: [
        { kind: "sale", orderId: "o-1", refNo: "261203000001", amountFen: 100, time: "20261203101500" },
        {
          kind: "refund",
          orderId: "o-1",
          refNo: "261203000001",
          amountFen: 40,
          time: "20261203111500",
          refundId: "r-1",
          refundRefNo: "261203000002",
        },
      ],
    },
    { type: "batch", day: "20261203", page: 1, more: false, records: [] },
    { type: "status", state: "BUSY", orderId: "o-1", terminalNo: "10000001" },
    { type: "error", cmd: "S", code: "MISMATCH", orderId: "o-1" },
    { type: "cancel", orderId: "o-1", stopped: false },
  ];

  it.each(answers.map((a) => [a.type, a] as const))("round-trips a %s answer", (_t, a) => {
    const [e] = new PosFrameParser().push(encodeAnswer(4, a));
    expect(e?.type === "frame" && decodeAnswer(e.frame)).toEqual(a);
  });

  it("separates batch records with RS, fields with FS", () => {
    const a = answers[5] as PosAnswer;
    const data = encodeAnswer(0, a).subarray(7, -5).toString("latin1");
    expect(data).toBe(
      "20261203\x1c0\x1c1\x1eS\x1co-1\x1c261203000001\x1c100\x1c20261203101500\x1c\x1c\x1eR\x1co-1\x1c261203000001\x1c40\x1c20261203111500\x1cr-1\x1c261203000002",
    );
  });

  it("rejects answers with missing fields or unknown values", () => {
    expect(decodeAnswer({ seq: 0, cmd: "S", data: latin("o-1\x1c00\x1c100") })).toBeNull();
    expect(decodeAnswer({ seq: 0, cmd: "P", data: latin("o-1\x1cDANCE") })).toBeNull();
    expect(decodeAnswer({ seq: 0, cmd: "Q", data: latin("o-1\x1cZ\x1c\x1c0\x1c\x1c\x1c\x1c0") })).toBeNull();
    expect(decodeAnswer({ seq: 0, cmd: "E", data: latin("S\x1cOOPS\x1co-1") })).toBeNull();
    expect(decodeAnswer({ seq: 0, cmd: "X", data: latin("") })).toBeNull();
    expect(decodeRequest({ seq: 0, cmd: "S", data: latin("o-1\x1c1.5\x1ck") })).toBeNull();
    expect(decodeRequest({ seq: 0, cmd: "T", data: latin("x") })).toBeNull();
  });
});

describe("pos/protocol helpers", () => {
  it("masks a card number to BIN and last four", () => {
    expect(maskCardNumber("6222021234567890123")).toBe("622202*********0123");
    expect(maskCardNumber("6225 8801 3765 4321")).toBe("622588******4321");
  });

  it("reads POS local time as Beijing time", () => {
    expect(posTimeToEpoch("20261203101500", 480)).toBe(Date.parse("2026-12-03T02:15:00Z"));
    expect(epochToPosTime(Date.parse("2026-12-03T16:30:05Z"), 480)).toBe("20261204003005");
    expect(posTimeToEpoch("2026120310", 480)).toBeNaN();
  });
});
