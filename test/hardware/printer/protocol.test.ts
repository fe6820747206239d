import iconv from "iconv-lite";
import { describe, expect, it } from "vitest";
import {
  STATUS_REQUEST_OFFLINE,
  STATUS_REQUEST_PAPER,
  STATUS_REQUEST_PRINTER,
  type TicketPrintJob,
  displayWidth,
  encodeQr,
  encodeText,
  encodeTicket,
  parseStatus,
  wrapText,
} from "../../../hardware/printer/protocol.ts";
import { type DecodedItem, decodeEscPos, decodedLines } from "./npos-decode.ts";

const job: TicketPrintJob = {
  jobId: "job-1",
  hallName: "平原县市民服务中心",
  number: "A023",
  matterName: "企业设立登记（法人代表：王䶮）",
  zoneName: "市场准入区",
  floor: "2楼",
  ahead: 5,
  estimatedWaitMin: 12,
  issuedAtText: "2025-03-01 09:30",
  qrUrl: "https://hall.example.cn/q/A023?办事人=王䶮",
  materials: ["身份证原件", "营业执照申请书", "住所使用证明", "不应打印的第四项"],
  lang: "zh",
  footer: "一次办好 · 感谢您的耐心等候",
};

describe("hardware/printer/protocol encodeText", () => {
  it("encodes the rare character 䶮 as GB18030 FE 9F, the same bytes iconv-lite gives", () => {
    expect(encodeText("䶮")).toEqual(Buffer.from([0xfe, 0x9f]));
    expect(encodeText("䶮")).toEqual(iconv.encode("䶮", "gb18030"));
  });

  it("uses GB18030 four-byte sequences where GBK has no code (龦 U+9FA6, 𠀀 U+20000)", () => {
    expect(encodeText("龦")).toEqual(Buffer.from([0x82, 0x35, 0x8f, 0x33]));
    expect(encodeText("𠀀")).toEqual(Buffer.from([0x95, 0x32, 0x82, 0x36]));
  });

  it("keeps ASCII as single bytes and encodes common Chinese as two bytes", () => {
    expect(encodeText("A1 中")).toEqual(Buffer.from([0x41, 0x31, 0x20, 0xd6, 0xd0]));
  });
});

describe("hardware/printer/protocol wrapText", () => {
  it("counts CJK and full-width punctuation as 2 columns, ASCII as 1", () => {
    expect(displayWidth("A023")).toBe(4);
    expect(displayWidth("前面还有")).toBe(8);
    expect(displayWidth("：·䶮")).toBe(6);
  });

  it("wraps Chinese at 32 columns (16 characters) on 58 mm paper", () => {
    const text = "一二三四五六七八九十一二三四五六七八九十";
    expect(wrapText(text, 32)).toEqual(["一二三四五六七八九十一二三四五六", "七八九十"]);
  });

  it("wraps Chinese at 48 columns (24 characters) on 80 mm paper", () => {
    const text = "一二三四五六七八九十".repeat(3);
    const lines = wrapText(text, 48);
    expect(lines.map((l) => displayWidth(l))).toEqual([48, 12]);
  });

  it("never splits a wide character across the edge of an odd-width line", () => {
    expect(wrapText("A一二", 4)).toEqual(["A一", "二"]);
  });

  it("keeps English words whole and hard-splits only words longer than a line", () => {
    expect(wrapText("Please bring your identity card", 16)).toEqual(["Please bring", "your identity", "card"]);
    expect(wrapText("x".repeat(40), 32)).toEqual(["x".repeat(32), "x".repeat(8)]);
  });

  it("mixes Chinese and ASCII by display width", () => {
    expect(wrapText("身份证ID card原件", 10)).toEqual(["身份证ID", "card原件"]);
  });
});

describe("hardware/printer/protocol encodeQr", () => {
  it("writes model 2, module size, level M, store with pL/pH = UTF-8 length + 3, print", () => {
    const payload = "https://q.cn/王䶮"; // 13 ASCII + 2 × 3 UTF-8 bytes = 19 bytes
    const data = Buffer.from(payload, "utf8");
    expect(data.length).toBe(19);
    expect(encodeQr(payload, 6)).toEqual(
      Buffer.concat([
        Buffer.from([0x1d, 0x28, 0x6b, 0x04, 0x00, 0x31, 0x41, 0x32, 0x00]),
        Buffer.from([0x1d, 0x28, 0x6b, 0x03, 0x00, 0x31, 0x43, 0x06]),
        Buffer.from([0x1d, 0x28, 0x6b, 0x03, 0x00, 0x31, 0x45, 0x31]),
        Buffer.from([0x1d, 0x28, 0x6b, 22, 0x00, 0x31, 0x50, 0x30]),
        data,
        Buffer.from([0x1d, 0x28, 0x6b, 0x03, 0x00, 0x31, 0x51, 0x30]),
      ]),
    );
  });

  it("puts lengths over 255 into pH", () => {
    const bytes = encodeQr("a".repeat(300), 4);
    const store = bytes.indexOf(Buffer.from([0x31, 0x50, 0x30]));
    expect([...bytes.subarray(store - 2, store)]).toEqual([303 & 0xff, 303 >> 8]);
  });
});

describe("hardware/printer/protocol status", () => {
  it("exposes the DLE EOT requests", () => {
    expect(STATUS_REQUEST_PRINTER).toEqual(Buffer.from([0x10, 0x04, 0x01]));
    expect(STATUS_REQUEST_OFFLINE).toEqual(Buffer.from([0x10, 0x04, 0x02]));
    expect(STATUS_REQUEST_PAPER).toEqual(Buffer.from([0x10, 0x04, 0x04]));
  });

  it("reads a healthy printer", () => {
    expect(parseStatus(1, 0x12)).toMatchObject({ online: true });
    expect(parseStatus(2, 0x12)).toMatchObject({ coverOpen: false, paperOut: false, error: false });
    expect(parseStatus(4, 0x12)).toMatchObject({ paperOut: false, paperNearEnd: false });
  });

  it("reads offline, cover open, paper end, error and near end bits", () => {
    expect(parseStatus(1, 0x1a).online).toBe(false);
    expect(parseStatus(2, 0x16).coverOpen).toBe(true);
    expect(parseStatus(2, 0x32).paperOut).toBe(true);
    expect(parseStatus(2, 0x52).error).toBe(true);
    expect(parseStatus(4, 0x1e)).toMatchObject({ paperNearEnd: true, paperOut: false });
    expect(parseStatus(4, 0x72)).toMatchObject({ paperOut: true });
  });

  it("rejects bytes whose fixed bits are wrong as BAD_FRAME", () => {
    for (const b of [0x00, 0xff, 0x13, 0x02, 0x92]) {
      expect(() => parseStatus(1, b)).toThrow(expect.objectContaining({ code: "BAD_FRAME" }));
    }
  });
});

describe("hardware/printer/protocol encodeTicket", () => {
  it("starts with ESC @ and FS & (Chinese mode) and ends with feed, full cut, reset", () => {
    const bytes = encodeTicket(job, { width: 58 });
    expect([...bytes.subarray(0, 4)]).toEqual([0x1b, 0x40, 0x1c, 0x26]);
    expect([...bytes.subarray(-11)]).toEqual([0x1b, 0x64, 0x04, 0x1b, 0x64, 0x04, 0x1d, 0x56, 0x00, 0x1b, 0x40]);
  });

  it("contains the QR store command with byte-length pL/pH for the Chinese URL", () => {
    const bytes = encodeTicket(job, { width: 80 });
    const len = Buffer.byteLength(job.qrUrl, "utf8") + 3;
    const header = Buffer.from([0x1d, 0x28, 0x6b, len & 0xff, len >> 8, 0x31, 0x50, 0x30]);
    const at = bytes.indexOf(header);
    expect(at).toBeGreaterThan(0);
    expect(bytes.subarray(at + 8, at + 8 + len - 3).toString("utf8")).toBe(job.qrUrl);
  });

  it("prints at most the first three materials", () => {
    const lines = decodedLines(decodeEscPos(encodeTicket(job, { width: 80 })));
    expect(lines).toContain("3. 住所使用证明");
    expect(lines.join("\n")).not.toContain("第四项");
  });
});

describe("hardware/printer/protocol decoded by npos (independent decoder)", () => {
  const commandsBefore = (items: DecodedItem[], index: number, name: string) =>
    items.slice(0, index).filter((i) => i.kind === "cmd" && i.name === name);

  for (const width of [58, 80] as const) {
    it(`round-trips a ${width} mm ticket: number, Chinese with 䶮, QR payload, cut`, () => {
      const bytes = encodeTicket(job, { width });
      const items = decodeEscPos(bytes);
      const lines = decodedLines(items);

      // The number is its own text run, printed after a GS ! of at least 4x4.
      const numberIndex = items.findIndex((i) => i.kind === "text" && i.text === "A023\n");
      expect(numberIndex).toBeGreaterThan(0);
      const size = commandsBefore(items, numberIndex, "GS !").at(-1);
      expect(size?.kind === "cmd" && (size.params[0] ?? 0) >= 0x33).toBe(true);

      // The double-size hall name wraps at 16 columns on 58 mm paper.
      expect(width === 58 ? lines.slice(0, 2) : lines.slice(0, 1)).toEqual(
        width === 58 ? ["平原县市民服务中", "心"] : ["平原县市民服务中心"],
      );
      expect(lines.join("")).toContain("企业设立登记（法人代表：王䶮）");
      expect(lines).toContain("前面还有 5 人");
      expect(lines).toContain("预计等候 12 分钟");
      expect(lines).toContain("取号时间：2025-03-01 09:30");
      expect(lines).toContain("扫码查看排队进度");
      expect(lines).toContain("请准备以下材料：");
      expect(lines).toContain("一次办好 · 感谢您的耐心等候");

      const stored = items.filter((i) => i.kind === "qr" && i.fn === 0x50);
      expect(stored).toHaveLength(1);
      const qr = stored[0];
      expect(qr?.kind === "qr" && qr.data.equals(Buffer.from(job.qrUrl, "utf8"))).toBe(true);
      expect(items.some((i) => i.kind === "qr" && i.fn === 0x51)).toBe(true);

      expect(items.some((i) => i.kind === "cmd" && i.name === "FS &")).toBe(true);
      const cutIndex = items.findIndex((i) => i.kind === "cmd" && i.name === "GS V");
      expect(cutIndex).toBeGreaterThan(numberIndex);

      // Every printed line fits the paper: no text run is wider than the columns.
      const cols = width === 58 ? 32 : 48;
      for (const line of lines) expect(displayWidth(line)).toBeLessThanOrEqual(cols);
    });
  }

  it("uses English labels for lang=en", () => {
    const lines = decodedLines(decodeEscPos(encodeTicket({ ...job, lang: "en", ahead: 1 }, { width: 80 })));
    expect(lines).toContain("1 person ahead of you");
    expect(lines).toContain("Estimated wait: 12 min");
    expect(lines).toContain("Please prepare:");
    expect(lines.join("\n")).not.toContain("前面还有");
  });

  it("catches a QR length that counts characters instead of bytes", () => {
    // The bug this encoder avoids: pL/pH from string length. The decoder then stores a
    // truncated payload and the rest of the URL turns into printed garbage; this proves
    // the round-trip check above depends on the length being right.
    const good = encodeTicket(job, { width: 80 });
    const byteLen = Buffer.byteLength(job.qrUrl, "utf8") + 3;
    const header = Buffer.from([0x1d, 0x28, 0x6b, byteLen & 0xff, byteLen >> 8, 0x31, 0x50, 0x30]);
    const bad = Buffer.from(good);
    bad[bad.indexOf(header) + 3] = (job.qrUrl.length + 3) & 0xff;
    const items = decodeEscPos(bad);
    const stored = items.find((i) => i.kind === "qr" && i.fn === 0x50);
    expect(stored?.kind === "qr" && stored.data.toString("utf8")).not.toBe(job.qrUrl);
    expect(decodedLines(items).join("")).not.toBe(decodedLines(decodeEscPos(good)).join(""));
  });
});
