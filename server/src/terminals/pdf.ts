/**
 * The documents a terminal prints on A4, as PDF: a case's certificate (证照打印件) and a
 * matter's guide (办事指南). pdfkit lays them out in Noto Sans CJK (Debian fonts-noto-cjk),
 * embedded as a subset, so any printer (and pdftotext) reads the Chinese text back.
 *
 * The font collection is parsed once (fontkit) and the parsed font handed to every
 * document: parsing the 20 MB collection per document took 250–800 ms, the cached font
 * brings a certificate to a few tens of ms (bench/terminal.ts, docs/perf.md).
 */
import { existsSync, readFileSync } from "node:fs";
import type PDFDocumentType from "pdfkit";

/** Where Debian puts Noto Sans CJK (fonts-noto-cjk); the first that exists is used. */
export const CJK_FONT_CANDIDATES = [
  "/usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc",
  "/usr/share/fonts/opentype/noto/NotoSansCJKsc-Regular.otf",
  "/usr/share/fonts/noto-cjk/NotoSansCJK-Regular.ttc",
];
/** The Simplified Chinese face inside the collection. */
const FACE = "NotoSansCJKsc-Regular";

export interface CertificateData {
  caseNo: string;
  matterName: string;
  matterNameEn: string;
  departmentName: string;
  /** The holder's name as on the case. */
  holderName: string;
  /** 3714**********1234: the hub keeps no more of the ID number. */
  holderIdMasked?: string;
  /** Local dates, YYYY-MM-DD. */
  acceptedOn: string;
  finishedOn?: string;
  /** "2026-12-03 10:15" in the hall's time. */
  printedAt: string;
  terminalId: string;
  /** A clerk's later copy (补打): its number and where it was printed, instead of the self-print line. */
  copy?: { n: number; where: string; staffName: string };
  hallName: string;
  /** Verification URL (the case's public progress page). */
  verifyUrl: string;
}

export interface GuideData {
  hallName: string;
  matterName: string;
  matterNameEn: string;
  departmentName: string;
  materials: string[];
  legalDays: number;
  promisedDays: number;
  feeYuan: number;
  where: string;
  printedAt: string;
}

type Doc = InstanceType<typeof PDFDocumentType>;

/**
 * pdfkit and fontkit are loaded on the first document, not at start: together ~25 MB of RSS
 * that a hub whose terminals never print (or that has none) should not carry (issue 9: ≤ 150 MB).
 */
const libs = () => Promise.all([import("pdfkit"), import("fontkit")]);

/** The part of fontkit's CFF subset (`CFFSubset`) that {@link shareSubrStubs} replaces. */
interface CffSubset {
  cff?: { stream: { pos: number; readBuffer(n: number): Uint8Array } };
  subsetSubrs?(subrs: readonly { offset: number; length: number }[], used: Record<number, boolean>): Uint8Array[];
}

/** A Type 2 charstring `return`: what an unused subroutine slot holds in a subset. */
const RETURN_STUB = new Uint8Array([11]);

/**
 * fontkit writes every subroutine slot of the font dicts a subset uses, allocating a new
 * one-byte `return` stub for each unused slot; Noto Sans CJK's ideograph dicts hold 14,138
 * and 28,516 local subroutines, so each certificate allocated ~42,000 arrays for the
 * garbage collector. Here every unused slot shares one stub: the same bytes come out
 * (test/server/terminals/pdf.test.ts compares them), in about 60 % of the CPU time.
 * A subset without `subsetSubrs` (a TrueType font) is left alone.
 */
export function shareSubrStubs(font: { createSubset(): unknown }): void {
  const create = font.createSubset.bind(font);
  font.createSubset = () => {
    const subset = create() as CffSubset;
    if (typeof subset.subsetSubrs !== "function" || !subset.cff) return subset;
    subset.subsetSubrs = function (this: CffSubset, subrs, used) {
      const stream = (this.cff as NonNullable<CffSubset["cff"]>).stream;
      const out = new Array<Uint8Array>(subrs.length);
      for (let i = 0; i < subrs.length; i++) {
        const subr = subrs[i];
        if (used[i] && subr) {
          stream.pos = subr.offset;
          out[i] = stream.readBuffer(subr.length);
        } else out[i] = RETURN_STUB;
      }
      return out;
    };
    return subset;
  };
}

/** Renders PDFs with one parsed CJK font; build once per hub. */
export class PdfMaker {
  private parsed: unknown;
  private readonly path: string;

  /** Checks the font file exists; parses it on first use (or `warm()`), so a hub with no terminal never pays for it. */
  constructor(fontPath?: string) {
    const path = fontPath ?? CJK_FONT_CANDIDATES.find((p) => existsSync(p));
    if (!path || !existsSync(path))
      throw new Error(`no CJK font found (install fonts-noto-cjk; looked in ${CJK_FONT_CANDIDATES.join(", ")})`);
    this.path = path;
  }

  private font(fontkit: typeof import("fontkit")): unknown {
    if (!this.parsed) {
      const font = fontkit.create(readFileSync(this.path), FACE) as { createSubset(): unknown };
      shareSubrStubs(font);
      this.parsed = font;
    }
    return this.parsed;
  }

  /**
   * Parse the font and lay out a first document now: the first layout is cold (hundreds of
   * ms) and should not be a visitor's. Idempotent.
   */
  warm(): Promise<void> {
    this.warming ??= this.guide({
      hallName: "预热",
      matterName: "预热",
      matterNameEn: "warm-up",
      departmentName: "",
      materials: [],
      legalDays: 0,
      promisedDays: 0,
      feeYuan: 0,
      where: "",
      printedAt: "",
    }).then(
      () => {},
      () => {},
    );
    return this.warming;
  }
  private warming: Promise<void> | undefined;

  private async render(title: string, draw: (doc: Doc) => void): Promise<Buffer> {
    const [{ default: PDFDocument }, fontkit] = await libs();
    const doc = new PDFDocument({ size: "A4", margin: 56, info: { Title: title, Producer: "OneVisit", Creator: "OneVisit" } });
    const chunks: Buffer[] = [];
    doc.on("data", (c: Buffer) => chunks.push(c));
    const done = new Promise<Buffer>((resolve, reject) => {
      doc.on("end", () => resolve(Buffer.concat(chunks)));
      doc.on("error", reject);
    });
    // pdfkit takes an already parsed fontkit font as a font source.
    doc.registerFont("cjk", this.font(fontkit) as string);
    doc.font("cjk");
    draw(doc);
    doc.end();
    return done;
  }

  /** 证照打印件: one A4 page. */
  certificate(c: CertificateData): Promise<Buffer> {
    return this.render(`${c.matterName} ${c.caseNo}`, (doc) => {
      const w = doc.page.width - 112;
      doc.fontSize(14).fillColor("#333").text(c.hallName, { align: "center" });
      doc.moveDown(0.6);
      doc.fontSize(26).fillColor("#000").text(c.matterName, { align: "center" });
      doc.fontSize(16).text("办理结果（证照）打印件", { align: "center" });
      doc.fontSize(10).fillColor("#555").text(`${c.matterNameEn} — result document`, { align: "center" });
      doc.moveDown(1.2);
      doc
        .moveTo(56, doc.y)
        .lineTo(56 + w, doc.y)
        .strokeColor("#999")
        .stroke();
      doc.moveDown(1);
      const row = (k: string, v: string) => {
        doc.fontSize(13).fillColor("#000").text(`${k}：`, { continued: true }).text(v);
        doc.moveDown(0.4);
      };
      row("办件编号", c.caseNo);
      row("持证人", c.holderName);
      if (c.holderIdMasked) row("身份证号", c.holderIdMasked);
      row("办理事项", c.matterName);
      row("发证部门", c.departmentName);
      row("受理日期", c.acceptedOn);
      if (c.finishedOn) row("办结日期", c.finishedOn);
      doc.moveDown(1);
      doc
        .moveTo(56, doc.y)
        .lineTo(56 + w, doc.y)
        .strokeColor("#999")
        .stroke();
      doc.moveDown(0.8);
      doc
        .fontSize(10)
        .fillColor("#333")
        .text(
          c.copy
            ? `补打（第 ${c.copy.n} 份）：${c.printedAt}，${c.copy.where}，经办人 ${c.copy.staffName}。首份由终端 ${c.terminalId} 自助打印。`
            : `自助打印：${c.printedAt}，终端 ${c.terminalId}。本打印件仅打印一次，补打请到统一出证窗口。`,
        );
      doc.text(`核验：${c.verifyUrl}`);
    });
  }

  /** 办事指南: materials, time limits, fee, where to go. */
  guide(g: GuideData): Promise<Buffer> {
    return this.render(`办事指南 ${g.matterName}`, (doc) => {
      doc.fontSize(14).fillColor("#333").text(g.hallName, { align: "center" });
      doc.moveDown(0.5);
      doc.fontSize(22).fillColor("#000").text(`办事指南：${g.matterName}`, { align: "center" });
      doc.fontSize(10).fillColor("#555").text(`Service guide: ${g.matterNameEn}`, { align: "center" });
      doc.moveDown(1);
      doc.fontSize(13).fillColor("#000");
      doc.text(`办理部门：${g.departmentName}`);
      doc.text(`办理地点：${g.where}`);
      doc.text(`法定时限：${g.legalDays === 0 ? "即办" : `${g.legalDays} 个工作日`}`);
      doc.text(`承诺时限：${g.promisedDays === 0 ? "即办" : `${g.promisedDays} 个工作日`}`);
      doc.text(`收费标准：${g.feeYuan === 0 ? "不收费" : `${g.feeYuan} 元`}`);
      doc.moveDown(0.8);
      doc.fontSize(15).text("申请材料");
      doc.fontSize(12);
      for (const [i, m] of g.materials.entries()) doc.text(`${i + 1}. ${m}`);
      doc.moveDown(1);
      doc.fontSize(10).fillColor("#555").text(`打印时间：${g.printedAt}`);
    });
  }
}
