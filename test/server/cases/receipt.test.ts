/**
 * The counter's case slips, decoded by the third-party `npos` ESC/POS parser (not by our
 * encoder's own helpers): what a visitor finds on paper after acceptance or refusal.
 */
import { describe, expect, it } from "vitest";
import { type AcceptanceReceiptJob, type RefusalNoticeJob, encodeCaseSlip } from "../../../server/src/cases/receipt.ts";
import { displayWidth } from "../../../hardware/printer/protocol.ts";
import { decodeEscPos, decodedLines } from "../../hardware/printer/npos-decode.ts";

const receipt: AcceptanceReceiptJob = {
  kind: "receipt",
  jobId: "case-371426-20261202-0001",
  hallName: "平原县市民服务中心",
  caseNo: "371426-20261202-0001",
  matterName: "个体工商户设立登记（经营者：王䶮）",
  counterText: "3号窗口 综合受理",
  staffName: "刘洋",
  atText: "2026-12-02 10:15",
  applicantMasked: "王*",
  lang: "zh",
  deferred: true,
  dueText: "2026-12-09",
  promisedDays: 5,
  owed: [{ name: "经营场所使用证明", promisedText: "2026-12-05" }],
  progressUrl: "http://192.168.1.10:8080/q/371426-20261202-0001",
};

const notice: RefusalNoticeJob = {
  kind: "refusal",
  jobId: "refusal-1",
  hallName: "平原县市民服务中心",
  matterName: "不动产登记",
  counterText: "12号窗口",
  staffName: "刘洋",
  atText: "2026-12-02 10:20",
  lang: "zh",
  reason: "缺少必要材料",
  missing: ["身份证原件", "不动产权证书", "完税证明", "婚姻状况证明", "委托书（代办时）"],
};

function qrPayloads(bytes: Buffer): string[] {
  return decodeEscPos(bytes)
    .filter((i) => i.kind === "qr" && i.fn === 0x50)
    .map((i) => (i.kind === "qr" ? i.data.toString("utf8") : ""));
}

describe("cases/receipt 受理回执", () => {
  for (const width of [58, 80] as const) {
    it(`prints the case number, matter, due date and what is owed, and a QR code to /q/<caseNo> (${width} mm)`, () => {
      const bytes = encodeCaseSlip(receipt, { width });
      const text = decodedLines(decodeEscPos(bytes)).join("\n");
      expect(text).toContain("受理回执");
      expect(text).toContain("371426-20261202-0001");
      expect(text.replace(/\n/g, "")).toContain("个体工商户设立登记（经营者：王䶮）");
      expect(text).toContain("承诺办结：2026-12-09");
      expect(text).toContain("容缺受理");
      // A wrap may fall on a space: compare without whitespace.
      expect(text.replace(/\s/g, "")).toContain("1.经营场所使用证明（承诺2026-12-05前补交）");
      expect(qrPayloads(bytes)).toEqual(["http://192.168.1.10:8080/q/371426-20261202-0001"]);
      // A cut after the QR code, and every printed line within the paper's width.
      const items = decodeEscPos(bytes);
      const qrAt = items.findIndex((i) => i.kind === "qr" && i.fn === 0x51);
      expect(items.findIndex((i) => i.kind === "cmd" && i.name === "GS V")).toBeGreaterThan(qrAt);
      for (const line of decodedLines(items)) expect(displayWidth(line)).toBeLessThanOrEqual(width === 58 ? 32 : 48);
    });
  }

  it("says 受理 without an owed list when nothing is missing", () => {
    const text = decodedLines(decodeEscPos(encodeCaseSlip({ ...receipt, deferred: false, owed: [] }, { width: 80 }))).join("\n");
    expect(text).toContain("受理结果：受理");
    expect(text).not.toContain("尚需补交");
  });

  it("prints in English when the visitor asked for it", () => {
    const text = decodedLines(
      decodeEscPos(encodeCaseSlip({ ...receipt, lang: "en", matterName: "Sole trader registration" }, { width: 80 })),
    ).join(" ");
    expect(text).toContain("Acceptance receipt");
    expect(text).toContain("Due: 2026-12-09");
  });
});

describe("cases/receipt 一次性告知书", () => {
  it("lists every missing material (never cut short), the reason, and has no QR code", () => {
    const bytes = encodeCaseSlip(notice, { width: 58 });
    const lines = decodedLines(decodeEscPos(bytes));
    const text = lines.join("\n");
    expect(text).toContain("一次性告知书");
    expect(text).toContain("缺少必要材料");
    for (const [i, m] of notice.missing.entries()) expect(text.replace(/\n/g, "")).toContain(`${i + 1}. ${m}`);
    expect(qrPayloads(bytes)).toEqual([]);
  });
});
