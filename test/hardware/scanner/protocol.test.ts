import iconv from "iconv-lite";
import { describe, expect, it } from "vitest";
import { LineDecoder } from "../../../hardware/scanner/protocol.ts";

describe("scanner/protocol LineDecoder", () => {
  it("splits on CR, LF and CRLF alike", () => {
    const d = new LineDecoder();
    expect(d.push(Buffer.from("A0001\rB0002\nC0003\r\nD0004\r"))).toEqual(["A0001", "B0002", "C0003", "D0004"]);
  });

  it("joins a code split across chunks, and a CRLF split between them yields one code", () => {
    const d = new LineDecoder();
    expect(d.push(Buffer.from("YY2026"))).toEqual([]);
    expect(d.push(Buffer.from("1129-0042\r"))).toEqual(["YY20261129-0042"]);
    expect(d.push(Buffer.from("\nNEXT\r\n"))).toEqual(["NEXT"]);
  });

  it("keeps a UTF-8 character split across chunks intact", () => {
    const bytes = Buffer.from("事项:营业执照\r\n", "utf8");
    const d = new LineDecoder();
    const out = [...d.push(bytes.subarray(0, 4)), ...d.push(bytes.subarray(4, 9)), ...d.push(bytes.subarray(9))];
    expect(out).toEqual(["事项:营业执照"]);
  });

  it("decodes GBK-set scanners when told to", () => {
    const d = new LineDecoder({ encoding: "gb18030" });
    expect(d.push(Buffer.concat([iconv.encode("平原县", "gb18030"), Buffer.from([0x0d])]))).toEqual(["平原县"]);
  });

  it("strips control characters such as GS separators and STX prefixes", () => {
    const d = new LineDecoder();
    expect(d.push(Buffer.from([0x02, 0x30, 0x31, 0x1d, 0x32, 0x00, 0x33, 0x0d]))).toEqual(["0123"]);
  });

  it("skips empty lines and control-only lines", () => {
    expect(new LineDecoder().push(Buffer.from("\r\n\r\n\x1b\r\nOK\r\n"))).toEqual(["OK"]);
  });

  it("drops an over-long line whole, reports it, and decodes the next one", () => {
    const overflows: number[] = [];
    const d = new LineDecoder({ maxLength: 16, onOverflow: (n) => overflows.push(n) });
    expect(d.push(Buffer.from("0123456789"))).toEqual([]);
    expect(d.push(Buffer.from("0123456789ABCDEF"))).toEqual([]);
    expect(d.push(Buffer.from("XYZ\rGOOD\r"))).toEqual(["GOOD"]);
    expect(overflows).toEqual([29]);
    expect(d.stats).toEqual({ lines: 1, overflows: 1 });
  });

  it("accepts a line of exactly maxLength bytes", () => {
    expect(new LineDecoder({ maxLength: 4 }).push(Buffer.from("ABCD\r"))).toEqual(["ABCD"]);
  });
});
