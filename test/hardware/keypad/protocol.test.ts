import { describe, expect, it } from "vitest";
import {
  type FrameError,
  FrameParser,
  decodeKey,
  decodeLcdText,
  encodeFrame,
  encodeLcdText,
  encodeRequestRating,
  encodeShowText,
} from "../../../hardware/keypad/protocol.ts";

const CALL_FROM_3 = [0xff, 0x68, 0x02, 0x02, 0x68, 0x03, 0x0c, 0x0f, 0x16];

describe("keypad/protocol encodeFrame", () => {
  it("encodes a call key from address 3 byte for byte", () => {
    expect(encodeFrame(3, 0x0c)).toEqual(Buffer.from(CALL_FROM_3));
  });

  it("encodes a rating with its data byte, length and checksum", () => {
    // 05 + 11 + 04 = 0x1a
    expect(encodeFrame(5, 0x11, [4])).toEqual(Buffer.from([0xff, 0x68, 0x03, 0x03, 0x68, 0x05, 0x11, 0x04, 0x1a, 0x16]));
  });

  it("wraps the checksum modulo 256", () => {
    // 0xfe + 0x0f + 0x06 = 0x113 → 0x13
    expect(encodeFrame(0xfe, 0x0f, [0x06])).toEqual(Buffer.from([0xff, 0x68, 0x03, 0x03, 0x68, 0xfe, 0x0f, 0x06, 0x13, 0x16]));
  });

  it("encodes a rating prompt as 0x0B to the device", () => {
    expect(encodeRequestRating(7)).toEqual(Buffer.from([0xff, 0x68, 0x02, 0x02, 0x68, 0x07, 0x0b, 0x12, 0x16]));
  });

  it("encodes LCD text as GB18030 under cmd 0x20", () => {
    // 请 C7EB, 1 31 → sum 01+20+C7+EB+31 = 0x204 → 04
    expect(encodeShowText(1, "请1")).toEqual(
      Buffer.from([0xff, 0x68, 0x05, 0x05, 0x68, 0x01, 0x20, 0xc7, 0xeb, 0x31, 0x04, 0x16]),
    );
  });

  it("cuts long LCD text on a character boundary", () => {
    const bytes = encodeLcdText("请A0001号到综合受理窗口办理业务谢谢", 32);
    expect(bytes.length).toBeLessThanOrEqual(32);
    // 请 (2) + A0001 (5) + 12 hanzi (24) = 31 bytes; 谢 would make 33.
    expect(bytes.length).toBe(31);
    expect(decodeLcdText(bytes)).toBe("请A0001号到综合受理窗口办理业务");
  });

  it("rejects out-of-range bytes", () => {
    expect(() => encodeFrame(256, 0x0c)).toThrow(RangeError);
    expect(() => encodeFrame(1, 0x0c, [300])).toThrow(RangeError);
  });
});

describe("keypad/protocol decodeKey", () => {
  const frame = (address: number, cmd: number, data: number[] = []) => ({ address, cmd, data: Buffer.from(data) });

  it("maps every key command", () => {
    expect(decodeKey(frame(3, 0x0c))).toEqual({ address: 3, key: "call" });
    expect(decodeKey(frame(3, 0x0d))).toEqual({ address: 3, key: "recall" });
    expect(decodeKey(frame(3, 0x0b))).toEqual({ address: 3, key: "rate" });
    expect(decodeKey(frame(3, 0x12))).toEqual({ address: 3, key: "pause" });
    expect(decodeKey(frame(3, 0x13))).toEqual({ address: 3, key: "transfer" });
    expect(decodeKey(frame(3, 0x0f, [0x06]))).toEqual({ address: 3, key: "no_show" });
    expect(decodeKey(frame(3, 0x0f, [0x00]))).toEqual({ address: 3, key: "park" });
    expect(decodeKey(frame(3, 0x0f, [0x03]))).toEqual({ address: 3, key: "call_back" });
  });

  it("maps ratings 1..5 and refuses others", () => {
    for (const score of [1, 2, 3, 4, 5]) expect(decodeKey(frame(9, 0x11, [score]))).toEqual({ address: 9, rating: score });
    expect(decodeKey(frame(9, 0x11, [0]))).toBeNull();
    expect(decodeKey(frame(9, 0x11, [6]))).toBeNull();
    expect(decodeKey(frame(9, 0x11, []))).toBeNull();
  });

  it("returns null for unknown commands and confirm codes", () => {
    expect(decodeKey(frame(3, 0x20, [0x31]))).toBeNull();
    expect(decodeKey(frame(3, 0x0f, [0x01]))).toBeNull();
    expect(decodeKey(frame(3, 0x0f, []))).toBeNull();
  });
});

describe("keypad/protocol FrameParser", () => {
  it("decodes one literal frame", () => {
    const p = new FrameParser();
    expect(p.push(Buffer.from(CALL_FROM_3))).toEqual([{ address: 3, cmd: 0x0c, data: Buffer.alloc(0) }]);
    expect(p.pending).toBe(0);
  });

  it("decodes a frame without the wake-up byte", () => {
    expect(new FrameParser().push(Buffer.from(CALL_FROM_3.slice(1)))).toHaveLength(1);
  });

  it("reassembles a frame split into single bytes", () => {
    const p = new FrameParser();
    const frames = CALL_FROM_3.flatMap((b) => p.push(Buffer.from([b])));
    expect(frames).toEqual([{ address: 3, cmd: 0x0c, data: Buffer.alloc(0) }]);
  });

  it("decodes several frames in one chunk", () => {
    const chunk = Buffer.concat([encodeFrame(1, 0x0c), encodeFrame(2, 0x11, [5]), encodeFrame(3, 0x0f, [6])]);
    const keys = new FrameParser().push(chunk).map(decodeKey);
    expect(keys).toEqual([
      { address: 1, key: "call" },
      { address: 2, rating: 5 },
      { address: 3, key: "no_show" },
    ]);
  });

  it("skips garbage before a good frame and counts it", () => {
    const errors: FrameError[] = [];
    const p = new FrameParser((e) => errors.push(e));
    const frames = p.push(Buffer.from([0x00, 0x13, 0x68, 0x99, 0x37, ...CALL_FROM_3]));
    expect(frames.map(decodeKey)).toEqual([{ address: 3, key: "call" }]);
    expect(p.stats.garbageBytes).toBeGreaterThan(0);
    expect(errors.every((e) => e.kind === "garbage")).toBe(true);
  });

  it("rejects a bad checksum and still decodes the next good frame", () => {
    const p = new FrameParser();
    const bad = [0xff, 0x68, 0x02, 0x02, 0x68, 0x03, 0x0c, 0x10, 0x16];
    const frames = p.push(Buffer.from([...bad, ...encodeFrame(4, 0x0d)]));
    expect(frames.map(decodeKey)).toEqual([{ address: 4, key: "recall" }]);
    expect(p.stats).toMatchObject({ badChecksum: 1, badEnd: 0, badLength: 0, frames: 1 });
  });

  it("rejects a wrong end byte and still decodes the next good frame", () => {
    const p = new FrameParser();
    const bad = [0xff, 0x68, 0x02, 0x02, 0x68, 0x03, 0x0c, 0x0f, 0x17];
    const frames = p.push(Buffer.from([...bad, ...encodeFrame(4, 0x12)]));
    expect(frames.map(decodeKey)).toEqual([{ address: 4, key: "pause" }]);
    expect(p.stats.badEnd).toBe(1);
    expect(p.stats.frames).toBe(1);
  });

  it("rejects a length mismatch and still decodes the next good frame", () => {
    const p = new FrameParser();
    const bad = [0xff, 0x68, 0x02, 0x03, 0x68, 0x03, 0x0c, 0x0f, 0x16];
    const frames = p.push(Buffer.from([...bad, ...encodeFrame(4, 0x13)]));
    expect(frames.map(decodeKey)).toEqual([{ address: 4, key: "transfer" }]);
    expect(p.stats.badLength).toBe(1);
  });

  it("finds a good frame that starts inside a truncated one", () => {
    const p = new FrameParser();
    // A rating frame cut after its command byte, immediately followed by a whole call frame.
    const truncated = [0xff, 0x68, 0x03, 0x03, 0x68, 0x05, 0x11];
    expect(p.push(Buffer.from([...truncated, ...CALL_FROM_3]))).toEqual([{ address: 3, cmd: 0x0c, data: Buffer.alloc(0) }]);
    expect(p.stats.badEnd).toBe(1);
  });

  it("expire() frees a stuck partial header so the next frame is not swallowed", () => {
    const p = new FrameParser();
    expect(p.push(Buffer.from([0x68, 0x40, 0x40, 0x68, 0x01]))).toEqual([]);
    expect(p.pending).toBeGreaterThan(0);
    expect(p.expire()).toEqual([]);
    expect(p.pending).toBe(0);
    expect(p.push(Buffer.from(CALL_FROM_3))).toHaveLength(1);
  });

  it("never throws and never returns a frame that fails its checks on random input", () => {
    const p = new FrameParser();
    let seed = 12345;
    const rand = () => {
      seed = (seed * 1103515245 + 12345) & 0x7fffffff;
      return seed & 0xff;
    };
    for (let round = 0; round < 200; round++) {
      const chunk = Buffer.from(Array.from({ length: 1 + (rand() % 40) }, () => (rand() % 4 === 0 ? 0x68 : rand())));
      for (const f of p.push(chunk)) {
        // Whatever got through must re-encode to a frame that parses to itself.
        expect(new FrameParser().push(encodeFrame(f.address, f.cmd, f.data))).toEqual([f]);
      }
    }
    expect(p.pending).toBeLessThanOrEqual(4 + 255 + 2);
    // And it is still in sync afterwards.
    p.expire();
    p.reset();
    expect(p.push(Buffer.from(CALL_FROM_3))).toHaveLength(1);
  });
});
