/**
 * The terminal's documents as a reader sees them: pdftotext (poppler) reads the Chinese
 * back from the embedded Noto Sans CJK subset, every field is there, one A4 page.
 */
import { execFileSync } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { PdfMaker } from "../../../server/src/terminals/pdf.ts";
import { pdfText } from "../../helpers/ippeveprinter.ts";

const maker = new PdfMaker();

/** A poppler tool's report on a PDF (pdfinfo, pdffonts). */
function poppler(tool: string, pdf: Buffer): string {
  const dir = mkdtempSync(join(tmpdir(), "onevisit-pdfinfo-"));
  try {
    writeFileSync(join(dir, "d.pdf"), pdf);
    return execFileSync(tool, [join(dir, "d.pdf")]).toString("utf8");
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

describe("terminals/pdf", () => {
  it("a certificate: one A4 page, every field readable, the font embedded", async () => {
    const pdf = await maker.certificate({
      caseNo: "371426-20261203-00042",
      matterName: "企业设立登记",
      matterNameEn: "Company establishment registration",
      departmentName: "县行政审批服务局",
      holderName: "欧阳娜娜",
      holderIdMasked: "3714**********123X",
      acceptedOn: "2026-11-20",
      finishedOn: "2026-12-01",
      printedAt: "2026-12-03 10:15",
      terminalId: "t1",
      hallName: "平原县市民服务中心",
      verifyUrl: "http://hall.example/q/371426-20261203-00042",
    });
    const text = pdfText(pdf);
    for (const want of [
      "平原县市民服务中心",
      "企业设立登记",
      "办件编号：371426-20261203-00042",
      "持证人：欧阳娜娜",
      "身份证号：3714**********123X",
      "发证部门：县行政审批服务局",
      "受理日期：2026-11-20",
      "办结日期：2026-12-01",
      "终端 t1",
      "http://hall.example/q/371426-20261203-00042",
    ])
      expect(text).toContain(want);
    const info = poppler("pdfinfo", pdf);
    expect(info).toMatch(/Pages:\s+1\n/);
    expect(info).toMatch(/Page size:\s+595\.28 x 841\.89 pts \(A4\)/);
    const fonts = poppler("pdffonts", pdf);
    expect(fonts).toContain("NotoSansCJKsc-Regular");
    expect(fonts).toMatch(/yes\s+yes\s+yes/);
  });

  it("a guide: materials, time limits and fee", async () => {
    const text = pdfText(
      await maker.guide({
        hallName: "平原县市民服务中心",
        matterName: "不动产登记",
        matterNameEn: "Real estate registration",
        departmentName: "县自然资源局",
        materials: ["不动产登记申请书", "身份证明"],
        legalDays: 30,
        promisedDays: 5,
        feeYuan: 80,
        where: "2F 不动产登记区",
        printedAt: "2026-12-03 10:15",
      }),
    );
    for (const want of [
      "办事指南：不动产登记",
      "法定时限：30 个工作日",
      "承诺时限：5 个工作日",
      "收费标准：80 元",
      "1. 不动产登记申请书",
      "2. 身份证明",
      "办理地点：2F 不动产登记区",
    ])
      expect(text).toContain(want);
  });

  it("says which font is missing rather than printing boxes", () => {
    expect(() => new PdfMaker("/nonexistent/font.ttc")).toThrow(/fonts-noto-cjk/);
  });
});

describe("terminals/pdf shareSubrStubs", () => {
  it("writes exactly the bytes fontkit writes on its own", async () => {
    const { readFileSync } = await import("node:fs");
    const fontkit = await import("fontkit");
    const PDFDocument = (await import("pdfkit")).default;
    const { CJK_FONT_CANDIDATES, shareSubrStubs } = await import("../../../server/src/terminals/pdf.ts");
    const { existsSync } = await import("node:fs");
    const file = CJK_FONT_CANDIDATES.find((p) => existsSync(p)) as string;
    const load = () => fontkit.create(readFileSync(file), "NotoSansCJKsc-Regular") as { createSubset(): unknown };
    const plain = load();
    const shared = load();
    shareSubrStubs(shared);
    // The replacement is in place (a CFF subset), not left to the prototype's.
    const own = (f: { createSubset(): unknown }) => Object.hasOwn(f.createSubset() as object, "subsetSubrs");
    expect([own(plain), own(shared)]).toEqual([false, true]);
    const render = (font: unknown, text: string) =>
      new Promise<Buffer>((resolve) => {
        // A fixed creation date: pdfkit derives the file id from the info, so equal input gives equal bytes.
        const d = new PDFDocument({ size: "A4", info: { CreationDate: new Date(0) } });
        const chunks: Buffer[] = [];
        d.on("data", (c: Buffer) => chunks.push(c));
        d.on("end", () => resolve(Buffer.concat(chunks)));
        d.registerFont("cjk", font as string);
        d.font("cjk").fontSize(14).text(text);
        d.end();
      });
    for (const text of ["持证人：欧阳娜娜 办件编号 371426-20261203-00042", "食品经营许可证 平原县 龘齉 ABC 123"]) {
      const a = await render(plain, text);
      const b = await render(shared, text);
      expect(a.length).toBeGreaterThan(1000);
      expect(b.equals(a)).toBe(true);
    }
  });
});
