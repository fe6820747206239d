import { describe, expect, it } from "vitest";
import { GROUP, IPP_OP, TAG, a, attr, decodeIpp, encodeIpp, IppDecodeError, operationGroup } from "../../../hardware/a4/ipp.ts";

describe("hardware/a4/ipp encoding", () => {
  it("encodes a Get-Printer-Attributes request byte by byte", () => {
    const b = encodeIpp({
      code: IPP_OP.getPrinterAttributes,
      requestId: 7,
      groups: [{ tag: GROUP.operation, attributes: [a.charset("attributes-charset", "utf-8"), a.keyword("k", "x", "yz")] }],
    });
    expect([...b]).toEqual([
      0x01,
      0x01,
      0x00,
      0x0b,
      0x00,
      0x00,
      0x00,
      0x07,
      0x01,
      0x47,
      0x00,
      0x12,
      ...Buffer.from("attributes-charset"),
      0x00,
      0x05,
      ...Buffer.from("utf-8"),
      0x44,
      0x00,
      0x01,
      0x6b,
      0x00,
      0x01,
      0x78,
      // an additional value: no name
      0x44,
      0x00,
      0x00,
      0x00,
      0x02,
      0x79,
      0x7a,
      0x03,
    ]);
  });

  it("decodes what it encodes, with integers, enums, booleans and the document after the end tag", () => {
    const m = {
      code: IPP_OP.printJob,
      requestId: 42,
      groups: [
        operationGroup("ipp://h/ipp/print", a.name("job-name", "证照 打印"), a.bool("b", true)),
        { tag: GROUP.job, attributes: [a.int("copies", 1), a.enum("job-state", 9)] },
      ],
      data: Buffer.from("%PDF-1.3 fake"),
    };
    const back = decodeIpp(encodeIpp(m));
    expect(back.code).toBe(IPP_OP.printJob);
    expect(back.requestId).toBe(42);
    expect(attr(back, "job-name")?.values).toEqual(["证照 打印"]);
    expect(attr(back, "b")?.values).toEqual([true]);
    expect(attr(back, "copies", GROUP.job)?.values).toEqual([1]);
    expect(attr(back, "job-state", GROUP.job)?.tag).toBe(TAG.enum);
    expect(back.data?.toString()).toBe("%PDF-1.3 fake");
  });

  it("skips collections whole: their members are not attributes of the group", () => {
    const col = (name: string) =>
      Buffer.concat([Buffer.from([TAG.begCollection, 0, name.length]), Buffer.from(name), Buffer.from([0, 0])]);
    const member = (tag: number, name: string, value: Buffer) =>
      Buffer.concat([
        Buffer.from([TAG.memberAttrName, 0, 0, 0, name.length]),
        Buffer.from(name),
        Buffer.from([tag, 0, 0, 0, value.length]),
        value,
      ]);
    const end = Buffer.from([TAG.endCollection, 0, 0, 0, 0]);
    const bytes = Buffer.concat([
      Buffer.from([1, 1, 0, 0, 0, 0, 0, 1, GROUP.printer]),
      col("media-col-ready"),
      member(TAG.keyword, "media-source", Buffer.from("main")),
      end,
      Buffer.from([TAG.enum, 0, 13]),
      Buffer.from("printer-state"),
      Buffer.from([0, 4, 0, 0, 0, 3]),
      Buffer.from([GROUP.end]),
    ]);
    const m = decodeIpp(bytes);
    expect(m.groups[0]?.attributes.map((x) => x.name)).toEqual(["media-col-ready", "printer-state"]);
    expect(attr(m, "printer-state")?.values).toEqual([3]);
  });

  it("refuses truncated messages", () => {
    const b = encodeIpp({ code: 0, requestId: 1, groups: [operationGroup("ipp://h/p")] });
    expect(() => decodeIpp(b.subarray(0, b.length - 4))).toThrow(IppDecodeError);
    expect(() => decodeIpp(Buffer.from([1, 1]))).toThrow(IppDecodeError);
  });
});
